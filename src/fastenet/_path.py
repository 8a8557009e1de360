"""Drop-in ``enet_path`` and ``lasso_path``: a whole regularization path in one kernel call.

As in scikit-learn, the path functions fit no intercept (center X and y first, or use
the CV estimators, which do it implicitly). The path is solved in C++ from alpha_max
down, each point warm-started from the previous one, its first working set guessed by
the sequential strong rule and every point certified by its duality gap (cd.hpp).
"""
from __future__ import annotations

import sys
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_array

from fastenet import _gram, _kernel, _linalg
from fastenet._validation import (
    check_bounds,
    check_csc_structure,
    check_penalty_factor,
    check_sample_weight,
)

__all__ = ["alpha_grid", "enet_path", "lasso_path"]

# Keyword options of the path functions beyond the named parameters (sklearn's
# **params, plus fastenet's per-feature penalties and bounds).
_OPTIONS = {"sample_weight", "tol", "max_iter", "random_state", "selection", "do_screening",
            "penalty_factor", "lower_bounds", "upper_bounds"}


def alpha_grid(X, y, *, l1_ratio=1.0, fit_intercept=True, eps=1e-3, n_alphas=100,
               sample_weight=None, positive=False, pf=None, lo=None, hi=None, Xy=None):
    """scikit-learn's alpha grid: alpha_max (the smallest alpha whose solution is 0) down
    to eps * alpha_max, geometrically, n_alphas values.

    Same formula and operations as sklearn's, so the grid is the same to rounding (also
    with sample weights and sparse X). With penalty factors alpha_max is glmnet's,
    max_j |X_j^T y_c| / pf_j over penalized features after fitting the unpenalized ones;
    with bounds, only the side each box allows counts.
    """
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for"
            " l1_ratio=0. Please supply a grid by providing "
            "your estimator with the appropriate `alphas=` "
            "argument."
        )
    sw = sample_weight
    n_samples = X.shape[0] if sw is None else float(np.sum(sw))
    if Xy is None:
        Xy = grid_correlations(X, y, fit_intercept=fit_intercept, sample_weight=sw, pf=pf)
    Xy = np.asarray(Xy, dtype=np.float64).ravel()
    if pf is not None:
        penalized = pf > 0
        Xy = np.where(penalized, Xy / np.where(penalized, pf, 1.0), 0.0)
    if positive and lo is None:
        lo = np.zeros_like(Xy)
    if lo is None and hi is None:
        # sklearn's sqrt(max(Xy**2)): the same value (a correctly rounded square root of
        # a rounded square is |x|; below 1e-154, where the square underflows, both
        # grids are the resolution's), without its overflow to inf for |Xy| > 1e154
        alpha_max = np.max(np.abs(Xy)) / (n_samples * l1_ratio)
    else:
        up = Xy if hi is None else np.where(hi > 0, Xy, 0.0)
        down = -Xy if lo is None else np.where(lo < 0, -Xy, 0.0)
        alpha_max = max(0.0, np.max(up), np.max(down)) / (n_samples * l1_ratio)
    if not np.isfinite(alpha_max):  # (sklearn: a grid of inf and NaN)
        raise ValueError(f"The alpha grid's largest alpha is {alpha_max}: X^T y "
                         "overflows. The input data may contain large values and need "
                         "to be preprocessed.")
    if alpha_max <= np.finfo(np.float64).resolution:
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def grid_correlations(X, y, *, fit_intercept=True, sample_weight=None, pf=None):
    """The correlations alpha_grid's alpha_max is read from, ``X_c^T (sw y_c)`` (y first
    fitted on the unpenalized columns): what it computes when not given ``Xy``, to be
    given to it for several l1_ratios (the grids then equal those it computes alone)."""
    sw = sample_weight
    n_samples = X.shape[0] if sw is None else float(np.sum(sw))
    y = np.asarray(y, dtype=np.float64)
    x_mean = None
    if fit_intercept:
        y = y - np.average(y, weights=sw)
        x_mean = _linalg.weighted_mean(X, sw, n_samples)
    if pf is not None and np.any(pf == 0):
        y = _residual_of_free(X, y, sw, x_mean, pf == 0)
    yw = y if sw is None else y * sw
    # in X's dtype, as sklearn's grid (a float64 vector would upcast a float32 X)
    Xy = np.asarray(X.T @ yw.astype(X.dtype), dtype=np.float64).ravel()
    if fit_intercept:
        Xy = Xy - x_mean * np.sum(yw)
    return Xy


def _residual_of_free(X, y, sw, x_mean, free):
    """y minus its weighted least-squares fit on the unpenalized columns (centered with
    the intercept): the residual at alpha_max. Reads only those columns (densified)."""
    cols = np.flatnonzero(free)
    Xf = X[:, cols]
    Xf = np.asarray(Xf.toarray() if sparse.issparse(Xf) else Xf, dtype=np.float64)
    if x_mean is not None:
        Xf = Xf - x_mean[cols]
    s = np.ones(len(y)) if sw is None else np.asarray(sw, dtype=np.float64)
    root = np.sqrt(s)
    coef = np.linalg.lstsq(Xf * root[:, None], y * root, rcond=None)[0]
    return y - Xf @ coef


def _check_path_input(X, y, Xy, check_input):
    if not check_input:
        return X, y, Xy
    X = check_array(X, accept_sparse=("csc", "csr"), dtype=[np.float64, np.float32],
                    order="F", accept_large_sparse=True, copy=False)
    if sparse.issparse(X):
        X = check_csc_structure(X.tocsc())
    y = check_array(y, dtype=X.dtype.type, order="F", copy=False, ensure_2d=False,
                    input_name="y")
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {y.shape[0]}]"
        )
    if Xy is not None:
        Xy = check_array(Xy, dtype=X.dtype.type, order="C", copy=False, ensure_2d=False,
                         input_name="Xy")
    return X, y, Xy


def _resolve_alphas(n_alphas, alphas):
    """sklearn 1.9's deprecation of n_alphas and of alphas=None: an int or an array."""
    resolved = 100
    if n_alphas != "deprecated":
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. "
            "'alphas' now accepts an integer value which removes the need to pass "
            "'n_alphas'. The default value of 'alphas' will change from None to "
            "100 in 1.11. Pass an explicit value to 'alphas' and leave 'n_alphas' "
            "to its default value to silence this warning.",
            FutureWarning,
        )
        resolved = n_alphas
    if isinstance(alphas, str) and alphas == "warn":
        pass
    elif alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which "
            "point the default value will be set to 100. Set 'alphas=100' "
            "to silence this warning.",
            FutureWarning,
        )
    else:
        resolved = alphas
    return resolved


def options_from(tol, max_iter, selection, random_state, screening=True):
    """Kernel options from sklearn's solver parameters."""
    if selection not in ("random", "cyclic"):
        raise ValueError("selection should be either random or cyclic.")
    seed = 0
    if selection == "random":
        seed = int(check_random_state(random_state).randint(0, 2**31 - 1))
    return _kernel.SolveOptions(tol=tol, max_iter=max_iter, random=selection == "random",
                                seed=seed, screening=screening)


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like", "sparse matrix"],
        "l1_ratio": [Interval(Real, 0.0, 1.0, closed="both")],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "n_alphas": [Interval(Integral, 1, None, closed="left"),
                     Hidden(StrOptions({"deprecated"}))],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like", None,
                   Hidden(StrOptions({"warn"}))],
        "precompute": [StrOptions({"auto"}), "boolean", "array-like"],
        "Xy": ["array-like", None],
        "copy_X": ["boolean"],
        "coef_init": ["array-like", None],
        "verbose": ["verbose"],
        "return_n_iter": ["boolean"],
        "positive": ["boolean"],
        "check_input": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas="deprecated", alphas="warn",
              precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
              return_n_iter=False, positive=False, check_input=True, **params):
    """Compute the elastic-net path with fastenet's kernel; scikit-learn's signature.

    Minimizes, at each alpha, ``1 / (2 * n_samples) * ||y - Xw||^2_sw
    + alpha * l1_ratio * sum_j pf_j |w_j| + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2``
    subject to ``lower_bounds <= w <= upper_bounds`` (no intercept, as sklearn's path).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Fortran-ordered float arrays and CSC matrices are used in place (never copied or
        modified; ``copy_X`` is accepted for compatibility).
    y : array-like of shape (n_samples,)
    l1_ratio, eps, n_alphas, alphas, Xy, coef_init, verbose, return_n_iter, positive,
    check_input : as :func:`sklearn.linear_model.enet_path`.
    precompute : 'auto', bool or array-like of shape (n_features, n_features)
        Covariance (Gram) updates: 'auto' uses them when n_samples > n_features (dense
        X), computing X^T X once with a symmetric BLAS update; an array is the Gram.
    **params : keyword options
        ``sample_weight``, ``tol``, ``max_iter``, ``random_state``, ``selection``,
        ``do_screening`` as sklearn, and fastenet's ``penalty_factor``,
        ``lower_bounds``, ``upper_bounds`` (see :class:`fastenet.ElasticNet`).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gap at each point, in sklearn's units (divided by n_samples).
    n_iters : list of int
        Epochs (over working sets) per point; returned when ``return_n_iter=True``.

    Notes
    -----
    Differences from scikit-learn: ``sample_weight`` weights the squared loss for dense
    and sparse X alike (sklearn's dense path ignores it); a 2-D ``y`` with more than one
    column (sklearn's multi-task path) is not supported yet and raises.
    """
    unknown = set(params) - _OPTIONS
    if unknown:
        raise ValueError(f"Unexpected parameters in params: {sorted(unknown)}")
    resolved = _resolve_alphas(n_alphas, alphas)
    X, y, Xy = _check_path_input(X, y, Xy, check_input)
    if y.ndim == 2 and y.shape[1] != 1:
        raise NotImplementedError(
            "fastenet's path does not support multi-task (2-D) y with several "
            f"columns yet (got {y.shape[1]}); compute one path per column, or use "
            "sklearn.linear_model.enet_path for the joint (multi-task) penalty."
        )
    n_samples, n_features = X.shape
    if positive and y.ndim == 2:
        raise ValueError("positive=True is not allowed for multi-output (y.ndim != 1)")
    y1 = np.ascontiguousarray(y.reshape(-1), dtype=X.dtype)
    sw = check_sample_weight(params.get("sample_weight"), X, n_samples, rescale=False)
    pf = check_penalty_factor(params.get("penalty_factor"), n_features)
    lo, hi = check_bounds(params.get("lower_bounds"), params.get("upper_bounds"), positive,
                          n_features)
    options = options_from(params.get("tol", 1e-4), params.get("max_iter", 1000),
                           params.get("selection", "cyclic"), params.get("random_state"),
                           screening=params.get("do_screening", True))

    use_gram = hasattr(precompute, "__array__") or (
        not sparse.issparse(X)
        and (precompute is True or (precompute == "auto" and n_samples > n_features)))
    if (Xy is None and use_gram and isinstance(resolved, Integral)
            and X.dtype == np.float64 and (pf is None or np.all(pf > 0))):
        # X^T (sw y) once, for the grid and the covariance updates (which computed it
        # again, the same values: a pass over X, 4% of a 50,000 x 500 path)
        Xy = grid_correlations(X, y1, fit_intercept=False, sample_weight=sw)
    if isinstance(resolved, Integral):
        grid = alpha_grid(X, y1, l1_ratio=l1_ratio, fit_intercept=False, eps=eps,
                          n_alphas=resolved, sample_weight=sw, positive=positive, pf=pf,
                          lo=lo, hi=hi, Xy=Xy)
    else:
        grid = np.asarray(resolved, dtype=np.float64).ravel()
        if grid.size == 0:
            raise ValueError("alphas must not be empty.")
        if not np.all(np.isfinite(grid)) or np.any(grid < 0):
            raise ValueError("alphas must be finite and non-negative.")
        if grid.size > 1:
            grid = np.sort(grid)[::-1]

    coef_init = None if coef_init is None else np.asarray(coef_init, np.float64).reshape(-1)
    gram = None
    if use_gram:
        gram = (np.ascontiguousarray(precompute, dtype=X.dtype)
                if hasattr(precompute, "__array__") else _gram.gram(X, sw))
        if gram.shape != (n_features, n_features):
            raise ValueError(f"precompute must have shape ({n_features}, {n_features}), "
                             f"got {gram.shape}.")
    design = _kernel.make_design(X, sw=sw, fit_intercept=False,
                                 precompute=False if gram is None else gram)
    sol = _kernel.solve_path(design, y1, grid, l1_ratio=l1_ratio, pf=pf, lo=lo, hi=hi,
                             coef_init=coef_init, options=options,
                             xy=None if Xy is None else np.asarray(Xy, np.float64).ravel())
    _kernel.warn_unconverged(sol, n_samples)
    if verbose:  # the path was one kernel call: report it once it is done
        if verbose > 1:
            for k in range(len(grid)):
                print(f"Path: {k:03d} out of {len(grid):03d}: alpha={grid[k]:.6g}, "
                      f"gap={sol.dual_gaps[k]:.3e}, epochs={sol.n_iter[k]}, "
                      f"nonzero={int(np.count_nonzero(sol.coefs[:, k]))}")
        sys.stderr.write(f"path: {len(grid)} alphas, {int(sol.n_iter.sum())} epochs, "
                         f"{int((~sol.converged).sum())} not converged\n")
    coefs = sol.coefs.astype(X.dtype, copy=False)
    if y.ndim == 2:
        coefs = coefs[np.newaxis]
    if return_n_iter:
        return grid, coefs, sol.dual_gaps, [int(v) for v in sol.n_iter]
    return grid, coefs, sol.dual_gaps


def lasso_path(X, y, *, eps=1e-3, n_alphas="deprecated", alphas="warn", precompute="auto",
               Xy=None, copy_X=True, coef_init=None, verbose=False, return_n_iter=False,
               positive=False, **params):
    """Compute the Lasso path with fastenet's kernel: :func:`enet_path` with
    ``l1_ratio=1``; scikit-learn's signature and return values."""
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
                     verbose=verbose, return_n_iter=return_n_iter, positive=positive,
                     **params)
