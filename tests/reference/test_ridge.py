"""Agreement of fastenet's Ridge / RidgeCV with scikit-learn's, one test per solver path.

Every comparison is ``|ours - sklearn| <= RTOL * max|sklearn|`` elementwise (coef_,
intercept_, cv_results_; scalars relative). Iterative solvers (fastenet's and sklearn's)
run at ITER_TOL so that both are exact to far below COEF_RTOL. Problems: dense tall,
dense wide, sparse (CSC and CSR, n >= p and p > n), multi-target with one alpha per
target, sample weights, float32.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, ShuffleSplit

import fastenet
from fastenet import _alpha_grid, _krylov
from tests.conftest import make_data, make_weights

# --- tolerances -----------------------------------------------------------------------
COEF_RTOL = 1e-8  # float64: coef_ / intercept_ vs sklearn's, every solver path
ITER_TOL = 1e-13  # tol of both sides' iterative solvers (sparse_cg, lsqr)
CV_RTOL = 1e-8  # RidgeCV: best_score_ and cv_results_ (LOO squared errors / predictions)
FLOAT32_RTOL = 2e-4  # float32 X: vs sklearn's float32 fit (both in float32 precision)
POSITIVE_RTOL = 1e-8  # positive=True: vs the exact solution on the active set (oracle)
POSITIVE_SK_RTOL = 1e-4  # ... and vs sklearn's lbfgs at tol=1e-10 (its own accuracy)
KFOLD_CG_RTOL = 1e-3  # k-fold on large sparse X: both sides' folds are CG at tol 1e-4

ALPHA = 1.3
ALPHAS = np.logspace(-2, 3, 11)  # RidgeCV grid, inside the spectrum of every problem


def assert_close(ours, ref, rtol, what=""):
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} != {ref.shape}"
    scale = max(float(np.abs(ref).max()) if ref.size else 0.0, 1e-300)
    err = float(np.abs(ours - ref).max()) / scale if ref.size else 0.0
    assert err <= rtol, f"{what}: relative error {err:.2e} > {rtol:.0e}"


def _sk_fit(est, X, y, sw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sw)


def _compare(ours, ref, rtol=COEF_RTOL):
    assert_close(ours.coef_, ref.coef_, rtol, "coef_")
    assert_close(ours.intercept_, ref.intercept_, rtol, "intercept_")
    assert np.asarray(ours.coef_).dtype == np.asarray(ref.coef_).dtype


def _wide_sparse(fmt="csr", seed=0):
    """60 x 300 sparse, a few dense-ish columns (so the dual preconditioner has heavy
    columns to deflate), non-zero means."""
    rng = np.random.RandomState(seed)
    X = rng.randn(60, 300) * (rng.rand(60, 300) < 0.05)
    X[:, :3] = rng.randn(60, 3) * 10 + 2  # heavy columns
    X = sparse.csr_matrix(X).asformat(fmt)
    return X, np.asarray(X @ rng.randn(300)).ravel() + rng.randn(60) + 4.0


WEIGHTS = [False, True]
INTERCEPT = [True, False]


# --- Ridge: one test per solver path --------------------------------------------------

@pytest.mark.parametrize("kind", ["tall", "toeplitz"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("fit_intercept", INTERCEPT)
def test_cholesky_gram_dense_tall(kind, order, weighted, fit_intercept):
    X, y = make_data(kind)
    X = np.asarray(X, order=order)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(ALPHA, fit_intercept=fit_intercept, solver="cholesky").fit(
        X, y, sample_weight=sw)
    assert ours.solver_ == "cholesky" and ours.n_iter_ is None
    _compare(ours, ref)


@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("fit_intercept", INTERCEPT)
@pytest.mark.parametrize("order", ["C", "F"])
def test_cholesky_kernel_dense_wide(weighted, fit_intercept, order):
    X, y = make_data("wide")
    X = np.asarray(X, order=order)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(ALPHA, fit_intercept=fit_intercept, solver="cholesky").fit(
        X, y, sample_weight=sw)
    assert ours.solver_ == "cholesky"
    _compare(ours, ref)


def test_large_means_use_exact_centering():
    """Column means 1e4 times the spread: the rank-one centering would cancel ~8
    digits; the explicitly centered blocks keep sklearn's accuracy."""
    X, y = make_data("tall")
    X = X + 1e4
    ours = fastenet.Ridge(ALPHA).fit(X, y)
    ref = sk.Ridge(ALPHA, solver="cholesky").fit(X, y)
    _compare(ours, ref)
    Xw = np.asfortranarray(make_data("wide")[0] + 1e4)
    ours = fastenet.Ridge(ALPHA).fit(Xw, make_data("wide")[1])
    ref = sk.Ridge(ALPHA, solver="cholesky").fit(Xw, make_data("wide")[1])
    _compare(ours, ref)


@pytest.mark.parametrize("kind", ["tall", "wide"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("fit_intercept", INTERCEPT)
def test_svd_dense(kind, weighted, fit_intercept):
    X, y = make_data(kind)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, fit_intercept=fit_intercept, solver="svd").fit(
        X, y, sample_weight=sw)
    ref = sk.Ridge(ALPHA, fit_intercept=fit_intercept, solver="svd").fit(
        X, y, sample_weight=sw)
    assert ours.solver_ == "svd"
    _compare(ours, ref)


@pytest.mark.parametrize("shape", ["tall", "wide"])
@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("fit_intercept", INTERCEPT)
def test_sparse_cg(shape, fmt, weighted, fit_intercept):
    """solver='auto' on sparse X is preconditioned CG: the primal system (n >= p) or
    the dual (p > n, with heavy columns deflated); sklearn's sparse_cg at ITER_TOL."""
    if shape == "tall":
        X, y = make_data(fmt)
    else:
        X, y = _wide_sparse(fmt)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, fit_intercept=fit_intercept, tol=ITER_TOL).fit(
        X, y, sample_weight=sw)
    ref = _sk_fit(sk.Ridge(ALPHA, fit_intercept=fit_intercept, solver="sparse_cg",
                           tol=ITER_TOL), X, y, sw)
    assert ours.solver_ == "sparse_cg" and ours.n_iter_ is None
    _compare(ours, ref)


def test_dual_preconditioner_deflates_heavy_columns():
    """White box: the wide sparse problem's three dense columns are the heavy set, and
    the preconditioned CG needs fewer iterations than plain CG."""
    X, y = _wide_sparse("csc")
    m = np.asarray(X.mean(axis=0)).ravel()
    design = _krylov.CenteredDesign(X, x_mean=m, sw=None)
    precond = _krylov.dual_preconditioner(design, 0.1)
    np.testing.assert_array_equal(precond.heavy, [0, 1, 2])
    yc = y - y.mean()
    mv = lambda v: design.dot(design.tdot(v)) + 0.1 * v
    plain = _krylov.pcg(mv, yc, rtol=1e-10, maxiter=10_000)
    pre = _krylov.pcg(mv, yc, precond=precond, rtol=1e-10, maxiter=10_000)
    assert pre.converged and plain.converged
    assert pre.n_iter < plain.n_iter
    assert_close(design.tdot(pre.x), design.tdot(plain.x), 1e-8, "coef")


@pytest.mark.parametrize("kind", ["tall", "wide", "csc", "csr"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("fit_intercept", INTERCEPT)
def test_lsqr(kind, weighted, fit_intercept):
    X, y = make_data(kind)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, fit_intercept=fit_intercept, solver="lsqr",
                          tol=ITER_TOL).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(ALPHA, fit_intercept=fit_intercept, solver="lsqr", tol=ITER_TOL).fit(
        X, y, sample_weight=sw)
    assert ours.solver_ == "lsqr"
    assert ours.n_iter_.dtype == ref.n_iter_.dtype and ours.n_iter_.shape == (1,)
    _compare(ours, ref)


@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("shape", ["tall", "wide"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("solver", ["cholesky", "svd"])
def test_sparse_direct_with_intercept(fmt, shape, weighted, solver):
    """Sparse X with an intercept through the Gram / kernel matrix (sklearn refuses
    these solvers here): equal to sklearn's fit of the dense copy."""
    X, y = make_data(fmt) if shape == "tall" else _wide_sparse(fmt)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, solver=solver).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(ALPHA, solver=solver).fit(X.toarray(), y, sample_weight=sw)
    assert ours.solver_ == solver
    _compare(ours, ref)


@pytest.mark.parametrize("solver, kind", [
    ("auto", "tall"), ("auto", "wide"), ("auto", "csc"), ("svd", "tall"),
    ("lsqr", "csr"), ("sparse_cg", "tall"), ("cholesky", "csr")])
@pytest.mark.parametrize("per_target_alpha", [False, True])
@pytest.mark.parametrize("weighted", WEIGHTS)
def test_multi_target(solver, kind, per_target_alpha, weighted):
    X, Y = make_data(kind, n_targets=3)
    sw = make_weights(X.shape[0]) if weighted else None
    alpha = np.array([0.5, 2.0, 0.5]) if per_target_alpha else ALPHA
    tol = ITER_TOL
    sk_solver = "sparse_cg" if solver == "auto" and sparse.issparse(X) else solver
    if sk_solver == "cholesky" and sparse.issparse(X):
        X_sk = X.toarray()  # sklearn: no Cholesky on sparse X with an intercept
    else:
        X_sk = X
    ours = fastenet.Ridge(alpha, solver=solver, tol=tol).fit(X, Y, sample_weight=sw)
    ref = _sk_fit(sk.Ridge(alpha, solver=sk_solver, tol=tol), X_sk, Y, sw)
    assert ours.coef_.shape == (3, X.shape[1])
    _compare(ours, ref)


@pytest.mark.parametrize("kind, solver", [
    ("tall", "auto"), ("wide", "auto"), ("tall", "svd"), ("csr", "auto"),
    ("csc", "lsqr")])
@pytest.mark.parametrize("weighted", WEIGHTS)
def test_float32(kind, solver, weighted):
    """float32 is kept (coef_, intercept_, predictions) and agrees with sklearn's
    float32 fit to float32 accuracy."""
    X, y = make_data(kind, dtype=np.float32)
    sw = make_weights(X.shape[0]) if weighted else None
    tol = 1e-7 if solver in ("auto", "lsqr") else 1e-4
    ours = fastenet.Ridge(ALPHA, solver=solver, tol=tol).fit(X, y, sample_weight=sw)
    sk_solver = "sparse_cg" if solver == "auto" and sparse.issparse(X) else solver
    ref = _sk_fit(sk.Ridge(ALPHA, solver=sk_solver, tol=tol), X, y, sw)
    assert ours.coef_.dtype == np.float32
    assert np.asarray(ours.intercept_).dtype == np.float32
    assert ours.predict(X).dtype == ref.predict(X).dtype
    _compare(ours, ref, rtol=FLOAT32_RTOL)


def _ridge_objective(X, y, coef, intercept, alpha, sw=None):
    r = y - X @ coef - intercept
    return float((r * r) @ (np.ones_like(r) if sw is None else sw) + alpha * coef @ coef)


def _positive_oracle(X, y, coef, alpha, sw):
    """Exact positive ridge on the active set of ``coef`` (closed form), and the KKT
    conditions of the inactive features."""
    sw = np.ones(X.shape[0]) if sw is None else sw
    m = sw @ X / sw.sum()
    Xc, yc = (X - m) * np.sqrt(sw)[:, None], (y - sw @ y / sw.sum()) * np.sqrt(sw)
    active = coef > 1e-10
    w = np.zeros_like(coef)
    XA = Xc[:, active]
    w[active] = np.linalg.solve(XA.T @ XA + alpha * np.eye(active.sum()), XA.T @ yc)
    grad = Xc.T @ (yc - Xc @ w) - alpha * w  # <= 0 on inactive features at the optimum
    return w, grad[~active]


@pytest.mark.parametrize("kind", ["tall", "wide", "csc"])
@pytest.mark.parametrize("weighted", WEIGHTS)
def test_positive(kind, weighted):
    """positive=True (coordinate descent): the exact active-set solution (oracle), and
    sklearn's lbfgs to its own accuracy with a no-lower objective."""
    X, y = make_data(kind)
    sw = make_weights(X.shape[0]) if weighted else None
    ours = fastenet.Ridge(ALPHA, positive=True).fit(X, y, sample_weight=sw)
    ref = _sk_fit(sk.Ridge(ALPHA, positive=True, tol=1e-10, max_iter=100_000), X, y, sw)
    Xd = X.toarray() if sparse.issparse(X) else X
    assert ours.solver_ == "cd" and np.all(ours.coef_ >= 0)
    w, inactive_grad = _positive_oracle(Xd, y, ours.coef_, ALPHA, sw)
    assert_close(ours.coef_, w, POSITIVE_RTOL, "coef_ vs active-set oracle")
    assert np.all(inactive_grad <= 1e-8 * np.abs(ours.coef_).max() * ALPHA)
    assert_close(ours.coef_, ref.coef_, POSITIVE_SK_RTOL, "coef_ vs lbfgs")
    assert (_ridge_objective(Xd, y, ours.coef_, ours.intercept_, ALPHA, sw)
            <= _ridge_objective(Xd, y, ref.coef_, ref.intercept_, ALPHA, sw) * (1 + 1e-12))


def test_alpha_zero():
    """alpha=0 as sklearn: full rank -> least squares (Cholesky). A constant column
    (exactly zero once centred) -> the Cholesky fails and both fall back to the SVD
    (solver_ 'svd'), compared with the minimum-norm least-squares solution
    (LinearRegression). A duplicated column is not used: whether its Cholesky pivot
    rounds to a tiny positive number or fails depends on the BLAS kernel, for sklearn as
    for fastenet. p > n -> the dual's least-squares solution."""
    X, y = make_data("tall")
    ours = fastenet.Ridge(0.0).fit(X, y)
    _compare(ours, sk.Ridge(0.0).fit(X, y))
    assert_close(ours.coef_, sk.LinearRegression().fit(X, y).coef_, COEF_RTOL)
    X2 = np.hstack([X, np.ones((X.shape[0], 1))])
    ours = fastenet.Ridge(0.0).fit(X2, y)
    ref = sk.Ridge(0.0).fit(X2, y)
    assert ours.solver_ == ref.solver_ == "svd"
    lstsq = sk.LinearRegression().fit(X2, y)
    _compare(ours, lstsq)
    Xw, yw = make_data("wide")
    with pytest.warns(UserWarning, match="Singular matrix in solving dual problem"):
        ours = fastenet.Ridge(0.0).fit(Xw, yw)
    assert ours.solver_ == "cholesky"
    # minimum-norm interpolation: training predictions are y itself
    assert_close(ours.predict(Xw), yw, COEF_RTOL, "interpolation")
    assert_close(ours.coef_, sk.LinearRegression().fit(Xw, yw).coef_, 1e-7, "min-norm")


# --- RidgeCV --------------------------------------------------------------------------

def _compare_cv(ours, ref, rtol=CV_RTOL):
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    assert_close(ours.best_score_, ref.best_score_, rtol, "best_score_")
    assert np.shape(ours.best_score_) == np.shape(ref.best_score_)
    _compare(ours, ref, rtol=COEF_RTOL)
    if hasattr(ref, "cv_results_"):
        assert_close(ours.cv_results_, ref.cv_results_, rtol, "cv_results_")


@pytest.mark.parametrize("kind", ["tall", "wide", "csr", "csc"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("n_targets", [1, 2])
@pytest.mark.parametrize("fit_intercept", INTERCEPT)
def test_ridgecv_loo(kind, weighted, n_targets, fit_intercept):
    """Efficient leave-one-out: alpha_, best_score_ and the LOO squared errors
    (cv_results_) equal sklearn's, Gram mode (n > p) and kernel mode (n <= p)."""
    X, y = make_data(kind, n_targets=n_targets)
    sw = make_weights(X.shape[0]) if weighted else None
    kw = dict(alphas=ALPHAS, fit_intercept=fit_intercept, store_cv_results=True)
    ours = fastenet.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = sk.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    _compare_cv(ours, ref)


@pytest.mark.parametrize("kind", ["tall", "wide"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("options", [
    dict(gcv_mode="svd"), dict(alpha_per_target=True), dict(scoring="r2"),
    dict(scoring="neg_mean_absolute_error", alpha_per_target=True)],
    ids=["svd", "per-target", "r2", "mae-per-target"])
def test_ridgecv_loo_options(kind, weighted, options):
    X, Y = make_data(kind, n_targets=3)
    sw = make_weights(X.shape[0]) if weighted else None
    kw = dict(alphas=ALPHAS, store_cv_results=True, **options)
    ours = fastenet.RidgeCV(**kw).fit(X, Y, sample_weight=sw)
    ref = sk.RidgeCV(**kw).fit(X, Y, sample_weight=sw)
    _compare_cv(ours, ref)


def test_ridgecv_loo_float32():
    """float32 X: computed in float64 as sklearn does, results returned in float32."""
    X, y = make_data("tall", dtype=np.float32)
    kw = dict(alphas=ALPHAS, store_cv_results=True)
    ours = fastenet.RidgeCV(**kw).fit(X, y)
    ref = sk.RidgeCV(**kw).fit(X, y)
    assert ours.coef_.dtype == ours.cv_results_.dtype == np.float32
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    assert_close(ours.best_score_, ref.best_score_, 1e-6, "best_score_")
    assert_close(ours.coef_, ref.coef_, 1e-6, "coef_")


@pytest.mark.filterwarnings("ignore:.*ill-conditioned matrix")  # sklearn, alpha = 0
@pytest.mark.filterwarnings("ignore:Singular matrix in solving dual problem")
@pytest.mark.parametrize("kind", ["tall", "toeplitz", "wide", "csr"])
@pytest.mark.parametrize("weighted", WEIGHTS)
@pytest.mark.parametrize("n_targets", [1, 2])
@pytest.mark.parametrize("cv", [3, KFold(4, shuffle=True, random_state=0),
                                ShuffleSplit(3, test_size=0.25, random_state=0)],
                         ids=["3", "shuffled-4", "shuffle-split"])
def test_ridgecv_kfold(kind, weighted, n_targets, cv):
    """k-fold: every alpha of a fold from one eigendecomposition (Gram from the full one
    minus the held-out block, the full one being the sum of the blocks' when the test
    sets partition the rows, as in k-fold but not ShuffleSplit; or a slice of the full
    kernel); equals GridSearchCV over sklearn's Ridge (what sklearn's RidgeCV runs)."""
    X, y = make_data(kind, n_targets=n_targets)
    sw = make_weights(X.shape[0]) if weighted else None
    kw = dict(alphas=np.r_[0.0, ALPHAS], cv=cv)
    ours = fastenet.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = sk.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    rtol = CV_RTOL if not sparse.issparse(X) else KFOLD_CG_RTOL  # sklearn: CG, tol 1e-4
    assert_close(ours.best_score_, ref.best_score_, rtol, "best_score_")
    _compare(ours, ref, rtol=COEF_RTOL if not sparse.issparse(X) else KFOLD_CG_RTOL)


def test_ridgecv_kfold_large_means():
    """Column means 1e4 times the spread: the folds' Grams are recomputed from
    explicitly centered blocks and still match sklearn."""
    X, y = make_data("tall")
    X = X + 1e4
    kw = dict(alphas=ALPHAS, cv=5)
    ours = fastenet.RidgeCV(**kw).fit(X, y)
    ref = sk.RidgeCV(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    assert_close(ours.best_score_, ref.best_score_, CV_RTOL, "best_score_")


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_ridgecv_kfold_sparse_constant_column(fmt):
    """A constant column of a sparse X: centering cancels its Gram entry entirely, so
    the folds' Grams come from explicitly centered blocks, which failed on sparse rows
    (ValueError: setting an array element with a sequence)."""
    X, y = make_data("tall")
    X[:, 1] = 5.0
    X = getattr(sparse, f"{fmt}_matrix")(X)
    kw = dict(alphas=ALPHAS, cv=3)
    ours = fastenet.RidgeCV(**kw).fit(X, y)
    ref = sk.RidgeCV(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    assert_close(ours.best_score_, ref.best_score_, KFOLD_CG_RTOL, "best_score_")
    _compare(ours, ref, rtol=KFOLD_CG_RTOL)  # sklearn: CG at tol 1e-4 on sparse X


def test_ridgecv_kfold_sparse_multishift():
    """Sparse X with both dimensions above SPARSE_DIRECT_MAX: every alpha of a fold from
    one multi-shift CG run; sklearn fits each (fold, alpha) by CG at tol 1e-4."""
    rng = np.random.RandomState(0)
    n = p = _alpha_grid.SPARSE_DIRECT_MAX + 100
    X = sparse.random(n, p, density=0.003, format="csr", random_state=rng)
    y = np.asarray(X @ rng.randn(p)).ravel() + 0.1 * rng.randn(n) + 1.0
    kw = dict(alphas=np.logspace(-1, 2, 4), cv=3)
    ours = fastenet.RidgeCV(**kw).fit(X, y)
    ref = sk.RidgeCV(**kw).fit(X, y)
    np.testing.assert_array_equal(ours.alpha_, ref.alpha_)
    assert_close(ours.best_score_, ref.best_score_, KFOLD_CG_RTOL, "best_score_")


def test_multishift_cg_equals_direct_solves():
    """White box: one multi-shift CG run gives each shifted system's solution."""
    rng = np.random.RandomState(0)
    A = rng.randn(80, 50)
    A = A @ A.T  # PSD, rank 50
    b = A @ rng.randn(80)  # in the range
    shifts = np.array([10.0, 0.01, 1.0, 0.0, 100.0])
    res = _krylov.multishift_cg(lambda v: A @ v, b, shifts, rtol=1e-12, maxiter=1000)
    assert res.converged
    for s, x in zip(shifts, res.x):
        if s > 0:
            assert_close(x, np.linalg.solve(A + s * np.eye(80), b), 1e-9, f"shift {s}")
        else:
            assert_close(A @ x, b, 1e-9, "shift 0 residual")
