"""Drop-in ``LassoCV`` and ``ElasticNetCV``: k-fold cross-validation along the path.

``fit`` = validate -> alpha grid (sklearn's) -> one path per (fold, l1_ratio), each one
kernel call, folds in threads with the GIL released -> mean squared errors -> refit at
the chosen alpha. Two ways to solve a fold:

- Covariance (Gram) mode, dense X with n > p (``precompute='auto'``) or
  ``precompute=True``: the sufficient statistics of all of X are computed once, a fold's
  are the full ones minus its held-out rows' (``_gram.py``; a fold whose training rows
  are not all the others, as TimeSeriesSplit's, sums its own), and its paths for every
  l1_ratio run on that one Gram; their test errors come from the held-out rows'
  statistics where that is cheaper and its rounding bound allows; the final refit reuses
  the full Gram.
- Otherwise the fold's rows are taken (the one copy the split needs: a Fortran-ordered
  block or a CSC row slice) and its path runs with residual updates.
"""
from __future__ import annotations

import dataclasses
import sys
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.model_selection import check_cv
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import column_or_1d, validate_data
from threadpoolctl import threadpool_limits

from fastenet import _gram, _kernel
from fastenet._enet import _EXTRA_CONSTRAINTS
from fastenet._linear import LinearPredictorMixin
from fastenet._path import (
    alpha_grid,
    enet_path,
    grid_correlations,
    lasso_path,
    options_from,
)
from fastenet._validation import (
    check_bounds,
    check_csc_structure,
    check_penalty_factor,
    check_sample_weight,
)

__all__ = ["ElasticNetCV", "LassoCV"]

_CV_CONSTRAINTS = {
    **_EXTRA_CONSTRAINTS,
    "selection_rule": [StrOptions({"min", "1se"})],
}


def _rows(X, idx):
    """X[idx] in the layout the kernel reads: a Fortran-ordered block or canonical CSC.
    The one copy a fold split needs."""
    if sparse.issparse(X):
        return check_csc_structure(X[idx].tocsc())
    # X.T is a C-ordered (p, n) view; take() gathers each of its rows (X's columns)
    # contiguously into a C-ordered (p, m) array, whose transpose is the Fortran-ordered
    # (m, p) block: one copy, column by column (taking rows of the F-ordered X directly
    # strides through memory and is ~20x slower).
    return np.take(X.T, idx, axis=1).T


class _ZeroWeightFold(ValueError, ZeroDivisionError):
    """A test fold of zero total weight: a ValueError naming the fold, and the
    ZeroDivisionError that sklearn's np.average raises there."""


def _row_indices(idx, n):
    """A fold's rows as nonnegative integer positions: boolean masks and negative
    indices as numpy (and sklearn, which indexes X with them) reads them."""
    idx = np.asarray(idx)
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise ValueError(f"A boolean fold mask must have {n} entries, got shape "
                             f"{idx.shape}.")
        return np.flatnonzero(idx)
    if idx.size and idx.dtype.kind not in "iu":
        raise IndexError("arrays used as fold indices must be of integer (or boolean) "
                         f"type, got {idx.dtype}.")
    idx = idx.astype(np.intp, copy=False).ravel()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"A fold's row index is out of range for {n} samples.")
    return np.where(idx < 0, idx + n, idx)


def _is_complement(train, test, n):
    """Whether train and test are every row once (train is the rest of the rows)."""
    if len(train) + len(test) != n:
        return False
    seen = np.zeros(n, dtype=bool)
    seen[train] = True
    seen[test] = True
    return bool(seen.all())


def _row_block(X, idx):
    """Rows as statistics and errors read them (not the kernel, which needs ``_rows``):
    dense rows that are one range (KFold's held-out rows without shuffling,
    TimeSeriesSplit's training rows) as a view of X (no copy), else ``_rows``."""
    if (not sparse.issparse(X) and len(idx) > 0 and X.strides[0] == X.itemsize
            and idx[-1] - idx[0] + 1 == len(idx) and np.all(np.diff(idx) == 1)):
        return X[idx[0]:idx[-1] + 1]
    return _rows(X, idx)


def _map(fn, items, n_jobs, cancel):
    """[fn(item) for item in items], in n_jobs threads (the kernel releases the GIL).

    Ctrl-C reaches only the main thread: it sets the solves' cancel flag (an
    array in SolveOptions), so the workers stop at their next outer iteration.
    """
    items = list(items)
    if n_jobs <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        try:
            return list(pool.map(fn, items))
        except KeyboardInterrupt:
            cancel[0] = 1
            raise


class _LinearModelCV(LinearPredictorMixin, RegressorMixin, BaseEstimator):
    """Shared ``fit`` of :class:`LassoCV` and :class:`ElasticNetCV`."""

    def _l1_ratios(self):
        return np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model on the alpha (and l1_ratio) chosen by cross-validation.

        Parameters
        ----------
        X : {ndarray, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Fortran-ordered float arrays and CSC matrices are used in place.
        y : array-like of shape (n_samples,)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Weights for fitting and for the weighted MSE of each test fold; the CV score
            is the unweighted mean over folds (as sklearn).
        **params : dict
            Passed to the CV splitter (with metadata routing enabled).

        Returns
        -------
        self : object
        """
        if params and not _routing_enabled():
            raise ValueError(
                f"Passing extra keyword arguments to {self.__class__.__name__}.fit is "
                "only supported if enable_metadata_routing=True, which you can set "
                "using `sklearn.set_config`. See the User Guide "
                "<https://scikit-learn.org/stable/metadata_routing.html> for more "
                f"details. Extra parameters passed are: {set(params)}"
            )
        X, y = validate_data(
            self, X, y,
            validate_separately=(
                {"accept_sparse": ("csc", "csr"), "dtype": [np.float64, np.float32],
                 "order": "F", "copy": False, "accept_large_sparse": True},
                {"copy": False, "dtype": [np.float64, np.float32], "ensure_2d": False},
            ),
        )
        if sparse.issparse(X):
            X = check_csc_structure(X.tocsc())
        if y.ndim > 1 and y.shape[1] > 1:
            raise ValueError(
                f"For multi-task outputs, use MultiTask{self.__class__.__name__}")
        y = np.ascontiguousarray(column_or_1d(y, warn=True), dtype=X.dtype)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]")
        n_samples, n_features = X.shape
        sw = check_sample_weight(sample_weight, X, n_samples, rescale=False)
        pf = check_penalty_factor(self.penalty_factor, n_features)
        lo, hi = check_bounds(self.lower_bounds, self.upper_bounds, self.positive,
                              n_features)
        l1_ratios = self._l1_ratios()
        if np.any((l1_ratios < 0) | (l1_ratios > 1)) or not np.all(np.isfinite(l1_ratios)):
            raise ValueError(f"l1_ratio must be in [0, 1], got {self.l1_ratio!r}.")
        alphas = self._alpha_grids(X, y, sw, l1_ratios, pf, lo, hi)

        cv = check_cv(self.cv)
        if _routing_enabled():
            split_params = process_routing(self, "fit", **params).splitter.split
        else:
            split_params = {}
        folds = [(_row_indices(train, n_samples), _row_indices(test, n_samples))
                 for train, test in cv.split(X, y, **split_params)]
        for k, (train, test) in enumerate(folds):
            if len(train) == 0 or len(test) == 0:  # (sklearn: an UnboundLocalError)
                raise ValueError(f"Cross-validation fold {k} has no "
                                 f"{'training' if len(train) == 0 else 'test'} rows.")
            if sw is not None and not np.sum(sw[test]) > 0:
                raise _ZeroWeightFold(
                    f"Weights sum to zero, can't be normalized: the sample weights of "
                    f"cross-validation fold {k}'s test rows sum to zero, so their mean "
                    "squared error is undefined.")
        options = dataclasses.replace(
            options_from(self.tol, self.max_iter, self.selection, self.random_state),
            cancel=np.zeros(1, dtype=np.int8))
        gram_mode = not sparse.issparse(X) and (
            self.precompute is True or hasattr(self.precompute, "__array__")
            or (self.precompute == "auto" and n_samples > n_features))
        n_jobs = min(effective_n_jobs(self.n_jobs), len(folds))
        with threadpool_limits(limits=1 if n_jobs > 1 else None, user_api="blas"):
            held_out = full = None
            if gram_mode:
                held_out, full = self._statistics(X, y, sw, folds, n_jobs, options)

            def job(k):
                return self._fold_mse(X, y, sw, folds[k], full,
                                      None if held_out is None else held_out[k],
                                      alphas, l1_ratios, pf, lo, hi, options)

            mse = _map(job, range(len(folds)), n_jobs, options.cancel)
        mse = np.asarray(mse)  # (n_folds, n_l1_ratio, n_alphas)
        mse_paths = np.moveaxis(mse, 0, 1)  # (n_l1_ratio, n_folds, n_alphas)
        self._select(mse_paths, alphas, l1_ratios)
        self.mse_path_ = np.squeeze(np.moveaxis(mse_paths, 2, 1))
        if isinstance(self.alphas, Integral):
            self.alphas_ = alphas if len(l1_ratios) > 1 else alphas[0]
        else:
            self.alphas_ = alphas[0]
        self._refit(X, y, sw, full, pf, lo, hi, options)
        if not isinstance(self, ElasticNetCV):
            del self.l1_ratio_
        return self

    def _alpha_grids(self, X, y, sw, l1_ratios, pf, lo, hi):
        if isinstance(self.alphas, Integral):
            # the correlations once for every l1_ratio (two passes over X each)
            xy = grid_correlations(X, y, fit_intercept=self.fit_intercept,
                                   sample_weight=sw, pf=pf)
            return np.array([
                alpha_grid(X, y, l1_ratio=r, fit_intercept=self.fit_intercept,
                           eps=self.eps, n_alphas=self.alphas, sample_weight=sw,
                           positive=self.positive, pf=pf, lo=lo, hi=hi, Xy=xy)
                for r in l1_ratios])
        grid = np.asarray(self.alphas, dtype=np.float64).ravel()
        if grid.size == 0:
            raise ValueError("alphas must not be empty.")
        for index, alpha in enumerate(grid):
            if not (np.isfinite(alpha) and alpha >= 0):
                raise ValueError(f"alphas[{index}] == {alpha}, must be >= 0.0.")
        return np.tile(np.sort(grid)[::-1], (len(l1_ratios), 1))

    @staticmethod
    def _statistics(X, y, sw, folds, n_jobs, options):
        """Sufficient statistics (_gram.py) of every held-out block and of all of X.

        When the test folds partition the rows (KFold and the like) and the blocks' Grams
        fit in about the memory of X (n_folds * p <= n), the full statistics are the sum
        of the blocks': one X^T X in all for the whole cross-validation. Otherwise the
        full ones are computed once more and a block's when its fold runs (None here).
        """
        n, p = X.shape
        tests = [test for _, test in folds]
        order = np.sort(np.concatenate(tests))
        partition = len(order) == n and np.array_equal(order, np.arange(n))
        if not (partition and len(folds) * p <= n):
            return None, _gram.statistics(X, y, sw)

        def block(test):
            return _gram.statistics(_row_block(X, test), y[test],
                                    None if sw is None else sw[test])

        held_out = _map(block, tests, n_jobs, options.cancel)
        full = held_out[0]
        for b in held_out[1:]:
            full = full + b
        return held_out, full

    def _fold_mse(self, X, y, sw, fold, full, held_out, alphas, l1_ratios, pf, lo, hi,
                  options):
        """(n_l1_ratio, n_alphas) test MSEs of one fold's paths. held_out: the fold's
        test-block statistics, or None to compute them here (covariance mode)."""
        train, test = fold
        n_train = len(train)
        X_test = None  # the test rows, copied only where they are read
        sw_test = None if sw is None else sw[test]
        # sklearn's convention: training weights rescaled to sum to n_train.
        scale = 1.0 if sw is None else n_train / float(np.sum(sw[train], dtype=np.float64))
        if full is not None:
            if held_out is None:
                X_test = _row_block(X, test)
                held_out = _gram.statistics(X_test, y[test], sw_test)
            if _is_complement(train, test, X.shape[0]):
                fit = full - held_out
            else:  # (TimeSeriesSplit, overlapping folds): the training rows' own
                fit = _gram.statistics(_row_block(X, train), y[train],
                                       None if sw is None else sw[train])
            G, xy, yy, x_mean, y_mean = fit.scaled(scale).centered(self.fit_intercept)
            solve = (lambda grid, r: _kernel.solve_gram_path(
                G, xy, yy, n_train, grid, l1_ratio=r, pf=pf, lo=lo, hi=hi,
                options=options))
        else:
            sw_train = None if sw is None else (sw[train] * scale).astype(X.dtype)
            design = _kernel.make_design(_rows(X, train), sw=sw_train,
                                         fit_intercept=self.fit_intercept)
            y_train = np.ascontiguousarray(y[train])

            def solve(grid, r):
                return _kernel.solve_path(design, y_train, grid, l1_ratio=r, pf=pf, lo=lo,
                                          hi=hi, options=options)
        out = np.empty((len(l1_ratios), alphas.shape[1]))
        for i, r in enumerate(l1_ratios):
            sol = solve(alphas[i], r)
            _kernel.warn_unconverged(sol, n_train)
            coefs = sol.coefs
            intercepts = (y_mean - x_mean @ coefs) if full is not None else sol.intercepts
            # Only features nonzero somewhere on the path enter the predictions.
            used = np.flatnonzero(np.any(coefs != 0, axis=1))
            mse = None
            if full is not None and X.dtype == np.float64 and 2 * len(used) <= len(test):
                # From the test block's statistics: |used|^2 products per alpha instead of
                # the test rows' product with the path, len(test) x |used| (on a 50,000 x
                # 500 design, 5 folds: a 10,000 x 500 x 100 GEMM each, and a copy of the
                # rows; LassoCV 0.71x and ElasticNetCV 0.57x the time), where its
                # worst-case rounding bound is below 1e-7 of the sum (the bound was 2e-9
                # and 4e-9 of it on the tall and ill-conditioned benchmark folds, the
                # error itself 3e-14). float32 X keeps sklearn's float32 product.
                sse, bound = held_out.squared_errors(coefs, intercepts, len(test))
                if np.all(bound <= 1e-7 * sse):  # (W > 0: fit() checked the fold)
                    mse = sse / held_out.W
            if mse is None:
                if X_test is None:
                    X_test = _row_block(X, test)
                residues = (np.asarray(X_test[:, used] @ coefs[used].astype(X.dtype))
                            + intercepts - y[test][:, np.newaxis])
                mse = np.average(residues**2, axis=0, weights=sw_test)
            out[i] = mse
            self._path_done()
        return out

    def _path_done(self):
        """One (fold, l1_ratio) path finished (called from worker threads): sklearn's
        verbose dot on stderr, and ``_on_path_done()`` when a caller set one (the
        ``fastenet`` command's progress bar; not a parameter, so clones drop it)."""
        if self.verbose:
            sys.stderr.write(".")
        hook = getattr(self, "_on_path_done", None)
        if hook is not None:
            hook()

    def _select(self, mse_paths, alphas, l1_ratios):
        """alpha_, l1_ratio_ by the minimum mean MSE (sklearn), and glmnet's one-standard-
        error alpha_1se_: the largest alpha of the chosen l1_ratio whose mean MSE is within
        one standard error (over folds) of that minimum."""
        mean_mse = mse_paths.mean(axis=1)  # (n_l1_ratio, n_alphas)
        best = np.inf
        for i in range(len(l1_ratios)):
            k = int(np.argmin(mean_mse[i]))
            if mean_mse[i, k] < best:
                best, i_best, k_best = mean_mse[i, k], i, k
        if best == np.inf:  # (sklearn: an UnboundLocalError)
            raise ValueError("The cross-validated mean squared errors are NaN or "
                             "infinite at every alpha. The input data may contain "
                             "large values and need to be preprocessed.")
        n_folds = mse_paths.shape[1]
        se = (np.std(mse_paths[i_best, :, k_best], ddof=1) / np.sqrt(n_folds)
              if n_folds > 1 else 0.0)
        within = np.flatnonzero(mean_mse[i_best] <= best + se)
        grid = alphas[i_best]
        self.alpha_ = float(grid[k_best])
        self.alpha_1se_ = float(np.max(grid[within]))
        self.l1_ratio_ = float(l1_ratios[i_best])

    def _refit(self, X, y, sw, full, pf, lo, hi, options):
        """The final fit at the chosen alpha (and l1_ratio) on all of X; covariance mode
        keeps the full Gram (sklearn refits without it)."""
        alpha = self.alpha_1se_ if self.selection_rule == "1se" else self.alpha_
        n = X.shape[0]
        scale = 1.0 if sw is None else n / float(np.sum(sw, dtype=np.float64))
        if full is not None:
            G, xy, yy, x_mean, y_mean = full.scaled(scale).centered(self.fit_intercept)
            sol = _kernel.solve_gram_path(G, xy, yy, n, [alpha], l1_ratio=self.l1_ratio_,
                                          pf=pf, lo=lo, hi=hi, options=options).point(0)
            intercept = y_mean - float(x_mean @ sol.coef)
        else:
            sw_n = None if sw is None else (sw * scale).astype(X.dtype)
            design = _kernel.make_design(X, sw=sw_n, fit_intercept=self.fit_intercept)
            sol = _kernel.solve(design, y, alpha=alpha, l1_ratio=self.l1_ratio_, pf=pf,
                                lo=lo, hi=hi, options=options)
            intercept = sol.intercept
        _kernel.warn_unconverged(sol, n)
        self.coef_ = sol.coef.astype(X.dtype)
        self.intercept_ = X.dtype.type(intercept) if self.fit_intercept else 0.0
        with np.errstate(over="ignore"):  # as sklearn's float32 gap: inf, no warning
            self.dual_gap_ = X.dtype.type(sol.dual_gap)
        self.n_iter_ = sol.n_iter

    def get_metadata_routing(self):
        """Metadata routing: ``fit``'s extra parameters go to the splitter's ``split``."""
        return MetadataRouter(owner=self).add(
            splitter=check_cv(self.cv),
            method_mapping=MethodMapping().add(caller="fit", callee="split"),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags


_NOTES = """
    Differences from scikit-learn and additions:

    - Every fold's path is one call into the C++ kernel (warm starts, strong rule,
      gap-safe screening, working sets); folds run in threads with the GIL released.
    - Covariance mode (dense X with n_samples > n_features, or ``precompute=True``):
      X^T X is computed once; each fold's Gram is the full one minus its held-out
      rows' (where its training rows are all the others), its test errors come from
      the held-out rows' statistics, and the final refit reuses the Gram.
    - ``selection_rule='1se'`` refits at ``alpha_1se_`` (glmnet's lambda.1se) instead of
      ``alpha_``; both are always computed.
    - ``penalty_factor``, ``lower_bounds``, ``upper_bounds`` as in
      :class:`fastenet.ElasticNet`; the alpha grid then starts at glmnet's alpha_max.
"""


class ElasticNetCV(_LinearModelCV):
    """Elastic net with the penalty chosen by cross-validation along the path.

    scikit-learn's :class:`sklearn.linear_model.ElasticNetCV` parameters and attributes
    (``alpha_``, ``l1_ratio_``, ``mse_path_``, ``alphas_``, ``coef_``, ``intercept_``,
    ``dual_gap_``, ``n_iter_``), plus ``alpha_1se_``, ``selection_rule``,
    ``penalty_factor``, ``lower_bounds``, ``upper_bounds``.

    Notes
    -----
    """ + _NOTES

    _parameter_constraints = {**_sk.ElasticNetCV._parameter_constraints, **_CV_CONSTRAINTS}
    path = staticmethod(enet_path)

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", selection_rule="min", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.selection_rule = selection_rule
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds


class LassoCV(_LinearModelCV):
    """Lasso with the penalty chosen by cross-validation along the path.

    scikit-learn's :class:`sklearn.linear_model.LassoCV` parameters and attributes
    (``alpha_``, ``mse_path_``, ``alphas_``, ``coef_``, ``intercept_``, ``dual_gap_``,
    ``n_iter_``), plus ``alpha_1se_``, ``selection_rule``, ``penalty_factor``,
    ``lower_bounds``, ``upper_bounds``.

    Notes
    -----
    """ + _NOTES

    _parameter_constraints = {**_sk.LassoCV._parameter_constraints, **_CV_CONSTRAINTS}
    path = staticmethod(lasso_path)
    l1_ratio = 1.0

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 positive=False, random_state=None, selection="cyclic",
                 selection_rule="min", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.selection_rule = selection_rule
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
