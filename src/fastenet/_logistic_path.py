"""The public ``logistic_path``: logistic regression at every C of a grid in one kernel
call, each fit warm-started from the previous one (the objective is
:class:`fastenet.LogisticRegression`'s; the return values follow scikit-learn's private
``_logistic_regression_path``)."""
from __future__ import annotations

import sys
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_array, check_consistent_length

from fastenet._logistic import (
    _split_init,
    kernel_X,
    make_problem,
    solve,
    warn_unconverged,
)
from fastenet._validation import encode_labels

__all__ = ["default_Cs", "logistic_path"]


def default_Cs(Cs):
    """sklearn's grid: an int is that many Cs from 1e-4 to 1e4 (log-spaced, ascending,
    i.e. from the most regularized); an array is used in the order given."""
    if isinstance(Cs, Integral):
        return np.logspace(-4, 4, Cs)
    Cs = np.asarray(Cs)
    if Cs.ndim != 1 or Cs.size == 0:
        raise ValueError(f"Cs must be an int or a non-empty 1-D array, got shape {Cs.shape}.")
    if not np.all(Cs > 0) or np.any(np.isnan(Cs)):
        raise ValueError("Cs must be positive (np.inf for no penalty).")
    return Cs


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "Cs": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "l1_ratio": [Interval(Real, 0.0, 1.0, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, "array-like", str, None],
        "sample_weight": ["array-like", Real, None],
        "coef": ["array-like", None],
        "classes": ["array-like", None],
        "penalty_factor": ["array-like", Real, None],
        "lower_bounds": ["array-like", Real, None],
        "upper_bounds": ["array-like", Real, None],
        "check_input": ["boolean"],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def logistic_path(X, y, *, Cs=10, l1_ratio=0.0, fit_intercept=True, max_iter=100, tol=1e-4,
                  class_weight=None, sample_weight=None, coef=None, classes=None,
                  penalty_factor=None, lower_bounds=None, upper_bounds=None,
                  check_input=True, verbose=0):
    """Logistic regression at every C of a grid: one call into the kernel, each fit
    warm-started from the previous one.

    The objective is :class:`LogisticRegression`'s; the return values follow
    scikit-learn's private ``_logistic_regression_path``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Fortran-ordered float arrays and CSC matrices are used in place.
    y : array-like of shape (n_samples,)
        Class labels.
    Cs : int or array-like of shape (n_cs,), default=10
        The Cs, solved in the order given (ascending C is decreasing regularization,
        where warm starts help most); an int is that many values log-spaced from 1e-4
        to 1e4, ascending (sklearn's grid).
    l1_ratio : float, default=0.0
        Elastic-net mixing: 0 is the L2 penalty, 1 the L1 penalty.
    fit_intercept : bool, default=True
    max_iter : int, default=100
        Proximal Newton steps per C.
    tol : float, default=1e-4
        As :class:`LogisticRegression`'s.
    class_weight : dict or 'balanced', default=None
    sample_weight : float or array-like of shape (n_samples,), default=None
    coef : array-like of shape (n_features + fit_intercept,) or (n_classes or 1, \
n_features + fit_intercept), default=None
        Starting point of the first C (the intercept in the last column).
    classes : array-like of shape (n_classes,), default=None
        The class labels (default: those of y). Give all of them when y may lack some
        (a fold): the coefficients then keep one row per class.
    penalty_factor, lower_bounds, upper_bounds : as :class:`LogisticRegression`
    check_input : bool, default=True
        Validate X and y; when False, X must be a Fortran-ordered float array or a
        canonical CSC matrix and y labels.
    verbose : int, default=0
        Report each C's fit (gap, steps, nonzero coefficients) once the path is done.

    Returns
    -------
    coefs : ndarray of shape (n_cs, n_features + fit_intercept) or \
(n_cs, n_classes, n_features + fit_intercept)
        Coefficients at each C, the intercept last; one row for two classes (the
        second class's), one per class for more.
    Cs : ndarray of shape (n_cs,)
    n_iter : ndarray of shape (n_cs,)
        Proximal Newton steps per C.
    """
    if check_input:
        X = check_array(X, accept_sparse=("csc", "csr"), dtype=[np.float64, np.float32],
                        order="F", accept_large_sparse=True, copy=False)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        check_consistent_length(X, y)
    X, y = kernel_X(X), np.asarray(y)
    if classes is None:
        classes, labels = encode_labels(y)
    else:
        classes = np.unique(np.asarray(classes))
        unknown = ~np.isin(y, classes)
        if unknown.any():
            raise ValueError(f"y contains labels not in classes: {np.unique(y[unknown])!r}")
        labels = np.searchsorted(classes, y).astype(np.int32)
    if len(classes) < 2:
        raise ValueError("logistic_path needs at least 2 classes, got "
                         f"{len(classes)}: {classes!r}")
    grid = default_Cs(Cs)
    problem = make_problem(X, classes, labels, sample_weight=sample_weight,
                           class_weight=class_weight, penalty_factor=penalty_factor,
                           lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    coef_init = intercept_init = None
    if coef is not None:
        coef_init, intercept_init = _split_init(coef, problem.n_blocks, X.shape[1],
                                                fit_intercept)
    sol = solve(problem, grid, l1_ratio, fit_intercept=fit_intercept, tol=tol,
                max_iter=max_iter, coef_init=coef_init, intercept_init=intercept_init)
    warn_unconverged(sol)
    if verbose:
        for k in range(len(grid)):
            sys.stderr.write(f"C={float(grid[k]):.6g}: gap={sol.gap[k]:.3e}, "
                             f"steps={int(sol.n_iter[k])}, "
                             f"nonzero={int(np.count_nonzero(sol.coef[k]))}\n")
    coefs = sol.coef
    if fit_intercept:
        coefs = np.concatenate([coefs, sol.intercept[:, :, np.newaxis]], axis=2)
    coefs = coefs.astype(X.dtype, copy=False)
    if problem.n_blocks == 1:
        coefs = coefs[:, 0, :]
    return coefs, grid, np.asarray(sol.n_iter, dtype=np.int32)
