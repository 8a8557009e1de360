"""Drop-in ``Ridge`` and ``RidgeCV``: scikit-learn's estimators on fastenet's solvers.

Ridge minimizes sklearn's objective, not divided by n,

    ||y - X w - b||^2_sw + alpha ||w||^2,

whose solution with ``X~ = W^1/2 (X - 1 x_mean^T)``, ``y~ = W^1/2 (y - y_mean)`` is
``w = (X~^T X~ + alpha I)^-1 X~^T y~ = X~^T (X~ X~^T + alpha I)^-1 y~`` and
``b = y_mean - x_mean . w`` (Hoerl & Kennard 1970). ``fit`` = validate -> design view
(means; X never centered, weighted or copied) -> one solver -> set attributes. The
solvers live in ``_linalg`` (direct) and ``_krylov`` (iterative); RidgeCV's alpha grids
in ``_alpha_grid``.
"""
from __future__ import annotations

import inspect
import numbers
import warnings
from functools import partial
from typing import ClassVar

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_scalar
from sklearn.utils.metadata_routing import _raise_for_params
from sklearn.utils.validation import (
    _check_sample_weight,
    validate_data,
)

from fastenet import _alpha_grid
from fastenet._linear import LinearPredictorMixin
from fastenet._ridge_solvers import make_problem, resolve_solver, solve
from fastenet._validation import check_csc_structure

__all__ = ["Ridge", "RidgeCV"]

KFOLD_TOL = 1e-4  # CG folds of sparse X: sklearn's RidgeCV fits them with Ridge's tol
# ... and its refit too; fastenet's refit (the coef_ kept) runs a decade tighter so that
# its preconditioned CG, which stops on the same residual rule, is never less exact.
REFIT_TOL = 1e-5


def _check_sparse(X):
    """A CSC or CSR matrix the solvers can read (structure validated, see _validation)."""
    if X.format == "csc":
        return check_csc_structure(X)
    return check_csc_structure(X.T.tocsc(copy=False)).T  # CSR X^T is CSC: same checks


def _check_weights(sample_weight, X):
    """sklearn's Ridge weights (a scalar = all equal, not normalized), or None.

    Negative weights are rejected (sklearn takes their square root and returns NaN)."""
    if sample_weight is None:
        return None
    sw = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
    if not np.sum(sw, dtype=np.float64) > 0:
        raise ValueError("sample_weight must have a positive sum.")
    return sw


def _check_alpha(alpha, n_targets):
    """One float64 penalty per target (sklearn's broadcasting rules), validated."""
    alpha = np.asarray(alpha, dtype=np.float64).ravel()
    if alpha.shape[0] not in (1, n_targets):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{alpha.shape[0]} != {n_targets}"
        )
    if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
        raise ValueError(f"alpha must be finite and non-negative; got {alpha}.")
    return np.broadcast_to(alpha, (n_targets,)).copy()


# --- estimators -----------------------------------------------------------------------

class Ridge(LinearPredictorMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Linear least squares with l2 regularization, fitted by fastenet's solvers.

    Minimizes sklearn's objective (not divided by ``n_samples``)::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    with squared residuals weighted by ``sample_weight``; ``b`` is unpenalized. Below,
    ``X~ = W^1/2 (X - 1 x_mean^T)`` is the weighted, centered X, never formed.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Non-negative penalty; one per target when an array.
    fit_intercept : bool, default=True
        Fit ``b``. X is centered implicitly (dense or sparse), never copied.
    copy_X : bool, default=True
        Kept for compatibility: fastenet never modifies X.
    max_iter : int, default=None
        Iteration cap of the iterative solvers (None: 10 x the system size for
        'sparse_cg', scipy's default for 'lsqr', 15,000 epochs for ``positive=True``).
    tol : float, default=1e-4
        'sparse_cg': stop when ``||r|| < tol ||b||`` (scipy's and sklearn's rule);
        'lsqr': LSQR's ``atol`` and ``btol``; ``positive=True``: see Notes. No effect on
        the direct solvers.
    solver : {'auto', 'svd', 'cholesky', 'lsqr', 'sparse_cg', 'sag', 'saga', \
'lbfgs'}, default='auto'
        sklearn's names, each mapped to fastenet's implementation of the same
        mathematics:

        - 'auto', 'sag', 'saga': 'cholesky' for dense X, 'sparse_cg' for sparse X
          ('sag'/'saga' are stochastic approximations of this exact solution).
        - 'cholesky': Cholesky (LAPACK ``potrf``/``potrs``) of the Gram matrix
          ``X~^T X~ + alpha I`` computed by one symmetric rank-k update (``syrk``) when
          ``n_samples >= n_features``, else of the kernel ``X~ X~^T + alpha I``; sparse X
          through the sparse product. A singular system falls back to 'svd', as in
          sklearn.
        - 'svd': SVD of the centered X (a copy; for sparse X the eigendecomposition of
          the Gram or kernel matrix, which sklearn does not support).
        - 'sparse_cg': preconditioned conjugate gradients on the dual (p > n) or primal
          normal equations, Jacobi preconditioner plus, for the dual on sparse X, the
          exact contribution of the few heaviest columns (Woodbury).
        - 'lsqr': scipy's LSQR on the implicitly centered X, ``damp = sqrt(alpha)``.
        - 'lbfgs' (only with ``positive=True``, as in sklearn): the coordinate-descent
          kernel, see ``positive``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative; fitted by fastenet's
        coordinate-descent kernel (ElasticNet with ``l1_ratio=0`` and a lower bound 0).
    random_state : int, RandomState instance or None, default=None
        Unused (sklearn uses it for 'sag'/'saga' only); kept for compatibility.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations per target, for 'lsqr' only (as sklearn's, which also has it for
        'sag'/'saga').
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    solver_ : str
        The solver that ran: 'cholesky', 'svd', 'sparse_cg', 'lsqr' or 'cd'
        (``positive=True``).

    Notes
    -----
    Differences from scikit-learn:

    - X is never copied, centered or rescaled: dense X of either memory order is used in
      place (the Gram / kernel by ``syrk`` with a rank-one centering correction; see
      ``fastenet._linalg`` for when explicitly centered blocks are used instead), sparse
      CSC or CSR X through matrix-vector products. Exceptions, each a deliberate copy:
      'svd' on dense X (the SVD's workspace), and ``positive=True`` on C-ordered or CSR
      X (the kernel reads columns).
    - Sparse X with ``fit_intercept=True`` works with every solver (sklearn raises
      ValueError for 'cholesky', 'svd' and 'saga'); 'svd' accepts sparse X (sklearn:
      TypeError).
    - float32 X is kept (as sklearn); the Gram / kernel matrix is then solved in float64.
    - 'sparse_cg' is preconditioned (fewer iterations, same stopping rule), honours
      ``max_iter`` for the dual system too, and warns ``ConvergenceWarning`` when it
      stops at ``max_iter`` (sklearn is silent).
    - ``positive=True`` uses coordinate descent, stopped when its duality gap is below
      ``tol * 1e-6 * ||y_c||^2`` (at least ``1e-6 ||y_c||^2`` for float32 X);
      ``solver_`` is 'cd' there, and 'sag' / 'saga' report the solver that ran.
    - A singular system (``alpha=0``, rank-deficient X) falls back to the SVD as in
      sklearn, but singular values below ``max(n, p) * eps * s_max`` count as zero
      (sklearn: below 1e-15), which gives the minimum-norm least-squares solution.
    - Negative sample weights raise ValueError (sklearn returns NaN coefficients); so
      do NaN or negative entries of an array ``alpha``.
    """

    _parameter_constraints: ClassVar[dict] = dict(_sk.Ridge._parameter_constraints)

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        max_iter=None,
        tol=1e-4,
        solver="auto",
        positive=False,
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit Ridge regression model.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 / float64 arrays and CSC / CSR matrices are used in
            place.
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or ndarray of shape (n_samples,), default=None
            Non-negative weights of the squared residuals (not normalized: scaling them
            by k is dividing alpha by k, as in sklearn).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if self.solver == "lbfgs" and not self.positive:
            raise ValueError("'lbfgs' solver can be used only when positive=True. "
                             "Please use another solver.")
        if self.positive and self.solver not in ("auto", "lbfgs"):
            raise ValueError(
                f"solver='{self.solver}' does not support positive fitting. Please"
                " set the solver to 'auto' or 'lbfgs', or set `positive=False`")
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=[np.float64, np.float32], multi_output=True,
                             y_numeric=True)
        if sparse.issparse(X):
            X = _check_sparse(X)
        with np.errstate(over="ignore"):  # y beyond X's dtype: the error below
            Y = np.asarray(y, dtype=X.dtype).astype(np.float64, copy=False)
        if not np.isfinite(Y).all():
            raise ValueError(f"Input y contains infinity or a value too large for "
                             f"{X.dtype!r}.")
        Y = Y.reshape(X.shape[0], -1)
        sw = _check_weights(sample_weight, X)
        alphas = _check_alpha(self.alpha, Y.shape[1])
        prob = make_problem(X, Y, sw=sw, fit_intercept=self.fit_intercept)
        solver = resolve_solver(self.solver, positive=self.positive,
                                is_sparse=sparse.issparse(X))
        coef, n_iter, solver_ = solve(prob, alphas, solver=solver, tol=self.tol,
                                      max_iter=self.max_iter,
                                      fit_intercept=self.fit_intercept)
        intercept = prob.y_mean - (0.0 if prob.x_mean is None else coef @ prob.x_mean)
        self._set_fitted(coef, intercept, X.dtype, y_ndim=np.ndim(y))
        _check_finite_fit(self)
        self.n_iter_, self.solver_ = n_iter, solver_
        return self

    def _set_fitted(self, coef, intercept, dtype, *, y_ndim):
        """coef_ / intercept_ from (t, p) / (t,) arrays, with sklearn's shapes and
        dtypes (X's dtype)."""
        dtype = np.dtype(dtype)
        if coef.shape[0] == 1:  # one target, 1-D or (n, 1) y: sklearn ravels coef_
            self.coef_ = coef[0].astype(dtype)
            intercept = intercept if y_ndim == 2 else intercept[0]
        else:
            self.coef_ = coef.astype(dtype)
        if self.fit_intercept:
            self.intercept_ = (np.asarray(intercept, dtype=dtype) if y_ndim == 2
                               else dtype.type(intercept))
        else:
            self.intercept_ = 0.0


def _check_finite_fit(est):
    """A ValueError instead of NaN / inf coefficients: the squares of values near the
    float64 limit (X ~ 1e300) overflow in the Gram matrix or the kernel."""
    if not (np.isfinite(est.coef_).all() and np.isfinite(est.intercept_).all()):
        raise ValueError("Ridge resulted in non-finite parameter values. The input data "
                         "may contain large values and need to be preprocessed.")


class _IdentityRegressor(RegressorMixin, BaseEstimator):
    """Predicts its input: scores LOO predictions with any sklearn regression scorer."""

    def decision_function(self, y_predict):
        return y_predict

    def predict(self, y_predict):
        return y_predict


def _fitted_ridge(alpha, coef, intercept, *, fit_intercept, dtype, y_ndim):
    """A fitted Ridge holding given coefficients: what a scorer of one fold receives."""
    est = Ridge(alpha=alpha, fit_intercept=fit_intercept)
    est._set_fitted(coef, intercept, dtype, y_ndim=y_ndim)
    est.n_features_in_ = coef.shape[1]
    return est


def _scorer_accepts_weights(scorer, owner):
    """GridSearchCV's rule (sklearn >= 1.9, no metadata routing): a fit's
    sample_weight is passed to the scorer of each held-out fold if the scorer accepts
    it; otherwise it warns and scores unweighted."""
    if hasattr(scorer, "_accept_sample_weight"):
        accept = scorer._accept_sample_weight()
    else:
        accept = "sample_weight" in inspect.signature(scorer).parameters
    if not accept:
        warnings.warn(
            f"The scoring {scorer} does not support sample_weight, which may lead to "
            f"statistically incorrect results when fitting {owner} with sample_weight. ")
    return accept


class RidgeCV(LinearPredictorMixin, MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Ridge regression with built-in cross-validation of alpha, on fastenet's solvers.

    Each candidate alpha is a :class:`Ridge` fit (sklearn's objective
    ``||y - Xw - b||^2_sw + alpha ||w||^2``). By default (``cv=None``) alpha is chosen
    by efficient leave-one-out: one eigendecomposition of the Gram matrix
    ``X~^T X~`` (n_samples > n_features) or of the kernel ``X~ X~^T``, then every alpha
    at once.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties; > 0 for leave-one-out, >= 0 with ``cv``.
    fit_intercept : bool, default=True
        Fit an intercept; X is centered implicitly, never copied.
    scoring : str, callable or None, default=None
        None: negative mean squared LOO error (``cv=None``) or R^2 (``cv`` given).
    cv : int, cross-validation generator, iterable or None, default=None
        None: efficient leave-one-out. Otherwise k-fold as ``GridSearchCV(Ridge(...))``
        would run it; each fold fits every alpha from one factorization (see Notes).
    gcv_mode : {'auto', 'svd', 'eigen'} or None, default=None
        Leave-one-out factorization: 'auto' / 'eigen' / None: eigendecomposition of the
        Gram (n_samples > n_features) or kernel matrix; 'svd': SVD of the centered X (a
        copy; dense X only, sparse X falls back to 'eigen' with sklearn's FutureWarning).
    store_cv_results : bool, default=False
        Store the LOO squared errors (or predictions, with ``scoring``) in
        ``cv_results_``; ``cv=None`` only.
    alpha_per_target : bool, default=False
        Choose alpha for each target separately; ``cv=None`` only.

    Attributes
    ----------
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, \
n_alphas)
        Only with ``store_cv_results=True``: squared LOO errors of the weighted problem
        (``sqrt(sw) * (y - y_loo)``, as sklearn) or LOO predictions with ``scoring``.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Differences from scikit-learn:

    - X is not copied for leave-one-out (sklearn centers a float64 copy): the Gram /
      kernel matrix comes from one ``syrk`` with a rank-one centering correction, a
      float32 X is read in float64 blocks, and the LOO diagonal ``diag(Z D Z^T)`` of the
      Gram mode is computed from ``Z = X~ V`` in row blocks for all alphas with two
      matrix products (sklearn forms ``X H^-1`` and passes over X once per alpha).
      Coefficients are computed for the selected alpha only.
    - k-fold (``cv`` given): sklearn runs ``GridSearchCV(Ridge(...))``, one solve per
      (fold, alpha). Here each fold is the full problem with its held-out weights set to
      zero: dense X with n_samples >= n_features derives the fold's Gram from the full
      one minus the held-out block's (one ``syrk`` on those rows; when the test sets
      partition the rows, the full Gram is the sum of the blocks', so X goes through
      ``syrk`` once in all) and eigendecomposes it once for every alpha; p > n slices the full kernel matrix; sparse X with both
      dimensions above 2000 solves every alpha of a fold with one multi-shift conjugate
      gradient run (sklearn's ``sparse_cg`` stopping rule at tol 1e-4). Scores use the
      same scorer on the held-out rows and the same mean over folds; the final model is
      refitted on all data as GridSearchCV does (on sparse X by 'sparse_cg' at tol
      1e-5, a decade tighter than sklearn's refit). Sample weights are used in the fits
      and, when the scorer accepts them, in the held-out scores (GridSearchCV's rule
      without metadata routing).
    - Metadata routing (``**params`` of ``fit``) is not supported; NaN in ``alphas`` and
      an empty ``alphas`` raise ValueError; negative sample weights raise ValueError.
    """

    _parameter_constraints: ClassVar[dict] = dict(_sk.RidgeCV._parameter_constraints)

    def __init__(
        self,
        alphas=(0.1, 1.0, 10.0),
        *,
        fit_intercept=True,
        scoring=None,
        cv=None,
        gcv_mode=None,
        store_cv_results=False,
        alpha_per_target=False,
    ):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def _alpha_grid(self):
        """The alphas as given (for alpha_) and as float64, checked as sklearn does:
        each > 0 for leave-one-out, >= 0 with cv."""
        check = partial(check_scalar, target_type=numbers.Real, min_val=0.0,
                        include_boundaries="neither" if self.cv is None else "left")
        raw = self.alphas
        if isinstance(raw, (np.ndarray, list, tuple)) and np.ndim(raw) > 0:
            for k, a in enumerate(raw):
                check(a, "alphas" if len(raw) == 1 else f"alphas[{k}]")
            grid = np.asarray(raw)
        else:
            grid = np.asarray([raw])
        values = grid.astype(np.float64).ravel()
        if values.size == 0:
            raise ValueError("alphas must contain at least one value.")
        if np.any(np.isnan(values)):
            raise ValueError(f"alphas must not contain NaN; got {grid}.")
        return grid.ravel(), values

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit Ridge regression model with cv.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data; float32 / float64 arrays and CSC / CSR matrices are used in
            place.
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or ndarray of shape (n_samples,), default=None
            Non-negative sample weights.
        **params : dict
            Not supported (metadata routing); must be empty.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        _raise_for_params(params, self, "fit")
        if params:
            raise NotImplementedError("fastenet.RidgeCV does not support metadata routing.")
        scorer = check_scoring(self, scoring=self.scoring, allow_none=True)
        grid, alphas = self._alpha_grid()
        if self.cv is not None:
            if self.store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible")
            if self.alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        in_dtype = getattr(X, "dtype", None)
        out_dtype = in_dtype if getattr(in_dtype, "kind", None) == "f" else np.float64
        X, y = validate_data(self, X, y, accept_sparse=("csr", "csc"),
                             dtype=[np.float64, np.float32], multi_output=True,
                             y_numeric=True)
        if sparse.issparse(X):
            X = _check_sparse(X)
        Y = np.asarray(y, dtype=np.float64).reshape(X.shape[0], -1)
        sw = _check_weights(sample_weight, X)
        prob = make_problem(X, Y, sw=sw, fit_intercept=self.fit_intercept,
                            dtype=np.float64)
        if self.cv is None:
            self._fit_loo(prob, y, alphas, None if self.scoring is None else scorer,
                          out_dtype, sample_weight)
        else:
            self._fit_kfold(prob, y, grid, alphas, scorer, sample_weight)
        _check_finite_fit(self)
        return self

    def _loo_mode(self, X):
        if self.gcv_mode == "svd":
            if not sparse.issparse(X):
                return "svd"
            warnings.warn(
                "The 'svd' mode is not supported for sparse X, we fallback to "
                "`gcv_mode='eigen'`. Passing `gcv_mode='svd'` on sparse X will raise "
                "an error in 1.11, use the default or pass `gcv_mode='eigen'` to "
                "suppress this warning.", FutureWarning, stacklevel=3)
        return "kernel" if X.shape[0] <= X.shape[1] else "gram"

    def _fit_loo(self, prob, y, alphas, scorer, out_dtype, sample_weight):
        res = _alpha_grid.loo(prob, alphas, mode=self._loo_mode(prob.X))
        t = prob.Y.shape[1]
        n_y = 1 if y.ndim == 1 else t
        per_target = self.alpha_per_target

        def view(a):  # values of alpha a in sklearn's shape: (n,) or (n, t)
            return a[:, 0] if y.ndim == 1 else a
        if scorer is None:
            values = res.looe**2
            scores = [np.mean(-view(values[..., k]), axis=0) if per_target
                      else np.mean(-view(values[..., k])) for k in range(len(alphas))]
        else:
            values = prob.Yt[:, :, None] - res.looe
            if prob.sw is not None:  # back to the original scale of y
                values /= np.sqrt(prob.sw.astype(np.float64))[:, None, None]
            values += prob.y_mean[None, :, None]
            ident = _IdentityRegressor()
            # as sklearn: the scorer gets the fit's sample_weight
            kw = {} if sample_weight is None else {"sample_weight": sample_weight}
            if per_target and y.ndim == 2:
                scores = [np.asarray([scorer(ident, values[:, j, k], y[:, j], **kw)
                                      for j in range(t)]) for k in range(len(alphas))]
            else:
                scores = [scorer(ident, view(values[..., k]), y, **kw)
                          for k in range(len(alphas))]
        best_score, best_alpha, best = None, None, None
        for k, (alpha, score) in enumerate(zip(alphas, scores)):  # sklearn's selection
            if best_score is None:
                if per_target and n_y > 1:
                    best_score = np.reshape(score, (-1,)).copy()
                    best_alpha, best = np.full(n_y, alpha), np.full(n_y, k)
                else:
                    best_score, best_alpha, best = score, float(alpha), k
            elif per_target and n_y > 1:
                better = score > best_score
                best_score[better], best_alpha[better], best[better] = score[better], alpha, k
            elif score > best_score:
                best_score, best_alpha, best = score, float(alpha), k
        coef = res.coef(np.broadcast_to(best, (t,)))
        intercept = prob.y_mean - (0.0 if prob.x_mean is None else coef @ prob.x_mean)
        ridge = Ridge(fit_intercept=self.fit_intercept)
        ridge._set_fitted(coef, intercept, out_dtype, y_ndim=y.ndim)
        self.coef_, self.intercept_ = ridge.coef_, ridge.intercept_
        self.alpha_, self.best_score_ = best_alpha, best_score
        if self.store_cv_results:
            self.cv_results_ = view(values).astype(out_dtype, copy=False)

    def _fit_kfold(self, prob, y, grid, alphas, scorer, sample_weight):
        X = prob.X
        splits = list(check_cv(self.cv, y, classifier=False).split(X, y))
        cache = _alpha_grid.fold_cache(prob, splits)
        weighted = prob.sw is not None and _scorer_accepts_weights(scorer, self)
        scores = np.empty((len(splits), len(alphas)))
        for f, (train, test) in enumerate(splits):
            coef_of = _alpha_grid.fold_coefs(prob, cache, f, train, test, alphas,
                                             tol=KFOLD_TOL)
            X_test, y_test = X[test], y[test]
            kw = {"sample_weight": prob.sw[test]} if weighted else {}
            for k, alpha in enumerate(alphas):
                coef, intercept = coef_of(k)
                est = _fitted_ridge(alpha, coef, intercept, fit_intercept=self.fit_intercept,
                                    dtype=X.dtype, y_ndim=y.ndim)
                scores[f, k] = scorer(est, X_test, y_test, **kw)
        mean = scores.mean(axis=0)
        # GridSearchCV's choice: highest mean score, the first one on ties, NaN last
        best = int(np.argmax(np.where(np.isnan(mean), -np.inf, mean)))
        self.alpha_, self.best_score_ = grid[best], mean[best]
        if cache.mode == "cg":  # sklearn refits Ridge(solver='sparse_cg') on sparse X
            ridge = Ridge(alpha=alphas[best], fit_intercept=self.fit_intercept,
                          solver="sparse_cg", tol=REFIT_TOL)
            ridge.fit(X, y, sample_weight=sample_weight)
        else:
            try:
                coef = _alpha_grid.full_coef(prob, cache, float(alphas[best]))
            except np.linalg.LinAlgError:  # singular (alpha 0): Ridge's SVD fallback
                ridge = Ridge(alpha=alphas[best], fit_intercept=self.fit_intercept)
                ridge.fit(X, y, sample_weight=sample_weight)
                self.coef_, self.intercept_ = ridge.coef_, ridge.intercept_
                return
            intercept = prob.y_mean - (0.0 if prob.x_mean is None else coef @ prob.x_mean)
            ridge = Ridge(fit_intercept=self.fit_intercept)
            ridge._set_fitted(coef, intercept, X.dtype, y_ndim=y.ndim)
        self.coef_, self.intercept_ = ridge.coef_, ridge.intercept_
