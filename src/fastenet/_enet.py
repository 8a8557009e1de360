"""Drop-in ``ElasticNet`` and ``Lasso``: scikit-learn's estimators on fastenet's kernel.

``fit`` = validate -> design view -> ``_kernel.solve`` per target -> set attributes.
"""
from __future__ import annotations

import dataclasses
import warnings
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, validate_data

from fastenet import _kernel
from fastenet._linear import LinearPredictorMixin
from fastenet._validation import (
    check_bounds,
    check_csc_structure,
    check_penalty_factor,
    check_sample_weight,
)

__all__ = ["ElasticNet", "Lasso"]

_MESSAGE_RIDGE = (
    "Linear regression models with a zero l1 penalization "
    "strength are more efficiently fitted using one of the "
    "solvers implemented in "
    "sklearn.linear_model.Ridge/RidgeCV instead."
)
# Values (signs, lengths, infinities) are checked in _validation, with messages that
# name the feature.
_EXTRA_CONSTRAINTS = {
    "penalty_factor": ["array-like", Real, None],
    "lower_bounds": ["array-like", Real, None],
    "upper_bounds": ["array-like", Real, None],
}


def _check_gram(X, gram, x_mean, sw):
    """sklearn's spot check of a user-supplied Gram matrix, on one element."""
    p = X.shape[1]
    if gram.shape != (p, p):
        raise ValueError(
            f"Gram matrix passed in via 'precompute' must have shape "
            f"({p}, {p}) = (n_features, n_features), got {gram.shape}."
        )
    f1 = p // 2
    f2 = min(f1 + 1, p - 1)
    v1 = np.asarray(X[:, f1], dtype=np.float64).ravel()
    v2 = np.asarray(X[:, f2], dtype=np.float64).ravel()
    if x_mean is not None:
        v1, v2 = v1 - x_mean[f1], v2 - x_mean[f2]
    expected = v1 @ (v2 if sw is None else sw * v2)
    actual = gram[f1, f2]
    rtol = 1e-4 if gram.dtype == np.float32 or X.dtype == np.float32 else 1e-7
    if not np.isclose(expected, actual, rtol=rtol, atol=1e-5):
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter "
            "did not pass validation when a single element was "
            "checked - please check that it was computed "
            f"properly. For element ({f1},{f2}) we computed "
            f"{expected} but the user-supplied value was "
            f"{actual}."
        )


class ElasticNet(LinearPredictorMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 priors, fitted by fastenet's kernel.

    Minimizes the objective of :class:`sklearn.linear_model.ElasticNet`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * sum_j pf_j |w_j|
        + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2

    subject to ``lower_bounds <= w <= upper_bounds``, where ``pf`` is ``penalty_factor``
    (all ones by default, which is sklearn's objective exactly).

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms.
    l1_ratio : float, default=0.5
        The ElasticNet mixing parameter, ``0 <= l1_ratio <= 1``.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept. X is centered implicitly, never
        copied.
    precompute : bool or array-like of shape (n_features, n_features), default=False
        ``True`` forces covariance (Gram) updates with Gram columns computed as features
        enter; an array is used as the Gram matrix. ``False`` lets fastenet choose the
        faster update scheme for the shape of X.
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs (over the working set).
    copy_X : bool, default=True
        Kept for compatibility: fastenet never modifies X.
    tol : float, default=1e-4
        Stop when the duality gap is below ``tol * ||y_c||^2`` (sklearn's rule).
    warm_start : bool, default=False
        Reuse the previous ``coef_`` as the starting point.
    positive : bool, default=False
        Force the coefficients to be positive (``lower_bounds=0``).
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate order when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate order within an epoch.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of the whole penalty (glmnet's ``penalty.factor``, not
        rescaled). 0 leaves a feature unpenalized.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients; must satisfy ``lower <= 0 <= upper``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    sparse_coef_ : sparse array of shape (1, n_features) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
        Coordinate-descent epochs run (over working sets) per target.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the solution, in sklearn's units (divided by n_samples).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Differences from scikit-learn:

    - The solver grows working sets, screens features with the gap-safe rule,
      extrapolates iterates (Anderson) and, without bounds, takes sign-fixed Newton
      steps (conjugate gradients on the nonzero coefficients) when the gap stalls, so
      ``n_iter_`` counts epochs over working sets, usually far fewer coordinate updates
      than sklearn's epochs over all features; the conjugate-gradient products are not
      counted in it (nor bounded by ``max_iter``: at most 40 per gap check).
    - The duality gap is certified at the end of every fit with sklearn's formula, so
      ``tol`` gives sklearn's accuracy; with finite bounds (other than ``positive``) or
      ``l1_ratio=0`` the Fenchel (conjugate) gap is used, which remains a true duality
      gap under box constraints (sklearn's "formulation B" is its special case).
    - Features with ``penalty_factor`` 0 are left out of the dual norm (their dual
      constraint cannot be met by a scaled residual); the solver drives their gradient to
      zero.
    - X is never centered, copied or densified: dense C-ordered arrays are converted to
      Fortran order once (the kernel reads columns); CSR is converted to CSC once; sparse
      matrices with unsorted or duplicate indices are canonicalized on a copy.
    - ``precompute=False`` lets fastenet pick covariance updates for tall dense X.
    """

    _parameter_constraints = {**_sk.ElasticNet._parameter_constraints, **_EXTRA_CONSTRAINTS}

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute=False,
        max_iter=1000,
        copy_X=True,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {ndarray, sparse matrix, sparse array, DataFrame} of shape (n_samples, n_features)
            Training data. Fortran-ordered float32/float64 arrays and CSC matrices are
            used in place.
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target; cast to X's dtype. Each column of a 2-D y is an independent fit.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled internally to sum to n_samples.
        check_input : bool, default=True
            Skip input validation when False (X must then be a Fortran-ordered float
            array or canonical CSC matrix, y of the same dtype).

        Returns
        -------
        self : object
        """
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge "
                "well. You are advised to use the LinearRegression "
                "estimator",
                stacklevel=2,
            )
        if check_input:
            X, y = validate_data(
                self, X, y,
                accept_sparse=("csc", "csr"),
                order="F",  # a C-ordered dense X is converted once: the kernel reads columns
                dtype=[np.float64, np.float32],
                accept_large_sparse=True,
                copy=False,
                multi_output=True,
                y_numeric=True,
                # X's NaN/inf check happens in the kernel's first pass over X (saves a
                # pass); y is checked just below.
                ensure_all_finite=False,
            )
            if sparse.issparse(X):
                X = check_csc_structure(X.tocsc())
            # y's values are checked again here: validate_data lets an object-dtype y
            # with inf (or None, cast to NaN) through.
            y = check_array(y, copy=False, dtype=X.dtype.type, ensure_2d=False,
                            input_name="y")
        elif not sparse.issparse(X) and not X.flags.f_contiguous:
            # check_input=False promises a Fortran array. As sklearn: an error without
            # sample weights; with them sklearn rescales (copies) X and so accepts C
            # order, and so do we, at the price of one deliberate copy.
            if sample_weight is None:
                raise ValueError(
                    "With check_input=False, X must be a Fortran-ordered (order='F') "
                    "array; got a C-ordered array. Use check_input=True or "
                    "np.asfortranarray(X)."
                )
            X = np.asfortranarray(X)
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, X, n_samples)
        pf = check_penalty_factor(self.penalty_factor, n_features)
        lo, hi = check_bounds(self.lower_bounds, self.upper_bounds, self.positive, n_features)

        design = self._design(X, sw)
        Y = y[:, np.newaxis] if y.ndim == 1 else y
        n_targets = Y.shape[1]
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = np.atleast_2d(self.coef_)
        else:
            coef_init = [None] * n_targets
        seed = 0
        if self.selection == "random":
            seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        options = _kernel.SolveOptions(
            tol=self.tol, max_iter=self.max_iter, random=self.selection == "random", seed=seed
        )
        coef = np.empty((n_targets, n_features), dtype=X.dtype)
        intercept = np.zeros(n_targets, dtype=X.dtype)
        gaps = np.empty(n_targets, dtype=X.dtype)
        n_iter = []
        for k in range(n_targets):
            sol = _kernel.solve(
                design, Y[:, k], alpha=self.alpha, l1_ratio=self.l1_ratio,
                pf=pf, lo=lo, hi=hi, coef_init=coef_init[k], options=options,
            )
            ridge = self.alpha * self.l1_ratio < np.finfo(np.float64).eps
            _kernel.warn_unconverged(sol, n_samples, extra="\n" + _MESSAGE_RIDGE if ridge else "")
            coef[k] = sol.coef
            intercept[k] = sol.intercept
            with np.errstate(over="ignore"):  # as sklearn's float32 gap: inf, no warning
                gaps[k] = sol.dual_gap
            n_iter.append(sol.n_iter)

        if n_targets == 1:
            self.coef_, self.dual_gap_, self.n_iter_ = coef[0], gaps[0], n_iter[0]
            self.intercept_ = intercept[0] if self.fit_intercept else 0.0
        else:
            self.coef_, self.dual_gap_, self.n_iter_ = coef, gaps, n_iter
            self.intercept_ = intercept if self.fit_intercept else 0.0
        if not (np.isfinite(self.coef_).all() and np.isfinite(self.intercept_).all()):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter"
                " values. The input data may contain large values and need to"
                " be preprocessed."
            )
        return self

    def _design(self, X, sw):
        precompute = self.precompute
        if not hasattr(precompute, "__array__") or sparse.issparse(X):
            # sklearn ignores a Gram matrix for sparse X, as here.
            return _kernel.make_design(
                X, sw=sw, fit_intercept=self.fit_intercept,
                precompute=precompute if not hasattr(precompute, "__array__") else False)
        design = _kernel.make_design(X, sw=sw, fit_intercept=self.fit_intercept,
                                     precompute=True)
        if design.x_mean is not None and not np.allclose(design.x_mean, 0):
            warnings.warn(
                "Gram matrix was provided but X was centered to fit "
                "intercept: recomputing Gram matrix.",
                UserWarning,
            )
            return design  # covariance updates on Gram columns computed from X
        gram = np.ascontiguousarray(precompute, dtype=X.dtype)
        _check_gram(X, gram, design.x_mean, sw)
        return dataclasses.replace(design, gram=gram)

    @property
    def sparse_coef_(self):
        """Sparse representation of the fitted ``coef_``."""
        return sparse.csr_array(np.atleast_2d(self.coef_))


class Lasso(ElasticNet):
    """Linear model with an L1 penalty (the Lasso), fitted by fastenet's kernel.

    Minimizes ``1 / (2 * n_samples) * ||y - Xw - b||^2_2 + alpha * sum_j pf_j |w_j|``
    subject to ``lower_bounds <= w <= upper_bounds``: :class:`ElasticNet` with
    ``l1_ratio=1``. Parameters, attributes and Notes are those of :class:`ElasticNet`.
    """

    _parameter_constraints = {**_sk.Lasso._parameter_constraints, **_EXTRA_CONSTRAINTS}

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute=False,
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        super().__init__(
            alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept, precompute=precompute,
            copy_X=copy_X, max_iter=max_iter, tol=tol, warm_start=warm_start,
            positive=positive, random_state=random_state, selection=selection,
            penalty_factor=penalty_factor, lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
        )
