"""fastenet's enet_path / lasso_path against scikit-learn's, every point certified.

For each problem: the same alpha grid as sklearn's, coefficients within COEF_RTOL of
sklearn's tight path on the same alphas, and at every point the oracle's duality gap
(recomputed here from the returned coefficients) below sklearn's threshold. Screening
safety: on many random problems, the path with gap-safe screening and the strong rule
has the same support as the path without screening.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastenet
from fastenet import _kernel
from tests._oracle import certificate, gap_threshold

# --- tolerances -----------------------------------------------------------------------
FIT_TOL = 1e-10  # fastenet's tol along the path
REF_TOL = 1e-14  # sklearn's reference path
MAX_ITER = 100_000
EPS = 1e-2  # path length alpha_min / alpha_max: stays away from the interpolation regime
# of the wide problems, where sklearn's own reference cannot reach REF_TOL
N_ALPHAS = 30
COEF_RTOL = 1e-6  # |coef - coef_ref| <= COEF_RTOL * max(1, max|coef_ref|) per point
GAP_FACTOR = 2.0  # oracle gap <= GAP_FACTOR * tol * ||y||^2 + GAP_ROUNDING * ||y||^2
GAP_ROUNDING = 1e-14
ALPHA_RTOL = 1e-12  # grid vs sklearn's grid (same formula; rounding only)
SUPPORT_EPS = 1e-8  # |coef| above this is "in the support"


def _path(fn, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return fn(X, y, tol=FIT_TOL, max_iter=MAX_ITER, return_n_iter=True, **kw)


def _reference(fn, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(X, y, tol=REF_TOL, max_iter=MAX_ITER, **kw)


def _check_certified(X, y, alphas, coefs, l1_ratio, sample_weight=None, positive=False):
    level = (GAP_FACTOR * FIT_TOL + GAP_ROUNDING) * gap_threshold(
        y, tol=1.0, sample_weight=sample_weight, fit_intercept=False)
    for k, alpha in enumerate(alphas):
        cert = certificate(X, y, coefs[:, k], 0.0, alpha=alpha, l1_ratio=l1_ratio,
                           sample_weight=sample_weight, fit_intercept=False,
                           positive=positive)
        assert cert.gap <= level, (k, cert.gap, level)


@pytest.mark.parametrize("kind", ["tall", "wide", "toeplitz", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("precompute", ["auto", False])
def test_enet_path_matches_sklearn(make_data, kind, l1_ratio, precompute):
    X, y = make_data(kind)
    if not sparse.issparse(X):
        X = np.asfortranarray(X)
    alphas, coefs, gaps, n_iter = _path(fastenet.enet_path, X, y, l1_ratio=l1_ratio,
                                        eps=EPS, alphas=N_ALPHAS, precompute=precompute)
    ref_alphas, ref_coefs, _ = _reference(sk.enet_path, X, y, l1_ratio=l1_ratio, eps=EPS,
                                          alphas=N_ALPHAS, precompute=precompute)
    np.testing.assert_allclose(alphas, ref_alphas, rtol=ALPHA_RTOL)
    assert coefs.shape == ref_coefs.shape and coefs.dtype == ref_coefs.dtype
    assert gaps.shape == (N_ALPHAS,) and len(n_iter) == N_ALPHAS
    for k in range(N_ALPHAS):
        scale = max(1.0, np.abs(ref_coefs[:, k]).max())
        np.testing.assert_allclose(coefs[:, k], ref_coefs[:, k], rtol=0,
                                   atol=COEF_RTOL * scale)
    _check_certified(X, y, alphas, coefs, l1_ratio)
    # the reported gaps are the kernel's, in sklearn's units: below tol * ||y||^2 / n
    assert np.all(gaps <= FIT_TOL * float(y @ y) / len(y) * (1 + 1e-9))


def test_lasso_path_given_alphas_positive_and_weights(make_data, make_weights):
    """User alphas (unsorted: the path sorts them, as sklearn), positive, and sample
    weights, which sklearn's sparse path applies as given; compared on CSC input."""
    X, y = make_data("csc")
    sw = make_weights(X.shape[0])
    grid = np.array([0.05, 0.5, 0.01, 0.2])
    alphas, coefs, _, _ = _path(fastenet.lasso_path, X, y, alphas=grid, positive=True,
                                sample_weight=sw)
    ref_alphas, ref_coefs, _ = _reference(sk.lasso_path, X, y, alphas=grid, positive=True,
                                          sample_weight=sw)
    np.testing.assert_array_equal(alphas, ref_alphas)
    assert np.all(coefs >= 0)
    np.testing.assert_allclose(coefs, ref_coefs, rtol=0,
                               atol=COEF_RTOL * max(1.0, np.abs(ref_coefs).max()))
    # dense X gives the same weighted path (sklearn's dense path ignores weights)
    _, dense_coefs, _, _ = _path(fastenet.lasso_path, X.toarray(), y, alphas=grid,
                                 positive=True, sample_weight=sw)
    np.testing.assert_allclose(dense_coefs, coefs, rtol=0,
                               atol=COEF_RTOL * max(1.0, np.abs(coefs).max()))


def test_path_gram_xy_coef_init_and_float32(make_data):
    X, y = make_data("tall")
    X = np.asfortranarray(X)
    G, Xy = X.T @ X, X.T @ y
    a1, c1, _, _ = _path(fastenet.lasso_path, X, y, alphas=N_ALPHAS, eps=EPS)
    a2, c2, _, _ = _path(fastenet.lasso_path, X, y, alphas=N_ALPHAS, eps=EPS,
                         precompute=G, Xy=Xy)
    np.testing.assert_allclose(a1, a2, rtol=ALPHA_RTOL)
    np.testing.assert_allclose(c1, c2, rtol=0, atol=COEF_RTOL * np.abs(c1).max())
    # a warm start changes the work, not the answer
    _, c3, _, _ = _path(fastenet.lasso_path, X, y, alphas=a1[-3:], coef_init=c1[:, -1])
    np.testing.assert_allclose(c3, c1[:, -3:], rtol=0, atol=COEF_RTOL * np.abs(c1).max())
    # float32 stays float32, close to the float64 path at float32's accuracy
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        _, c4, _ = fastenet.lasso_path(X.astype(np.float32), y.astype(np.float32),
                                        alphas=a1, tol=1e-6)
    assert c4.dtype == np.float32
    np.testing.assert_allclose(c4, c1, rtol=0, atol=1e-3 * np.abs(c1).max())


def test_single_column_y_is_a_one_task_path(make_data):
    X, y = make_data("tall")
    _, c1, _ = fastenet.lasso_path(X, y, alphas=5)
    _, c2, _ = fastenet.lasso_path(X, y[:, None], alphas=5)
    assert c2.shape == (1,) + c1.shape
    np.testing.assert_array_equal(c2[0], c1)
    with pytest.raises(NotImplementedError, match="multi-task"):
        fastenet.lasso_path(X, np.c_[y, y], alphas=5)


def test_n_alphas_deprecation_as_sklearn(make_data):
    X, y = make_data("tall")
    with pytest.warns(FutureWarning, match="'n_alphas' was deprecated"):
        alphas, _, _ = fastenet.lasso_path(X, y, n_alphas=7)
    assert alphas.shape == (7,)
    with pytest.warns(FutureWarning, match="'alphas=None' is deprecated"):
        alphas, _, _ = fastenet.lasso_path(X, y, alphas=None)
    assert alphas.shape == (100,)


def test_grid_of_a_huge_y():
    """|X^T y| > 1e154: sklearn's sqrt(max(Xy**2)) overflows, its grid is inf and NaN and
    fastenet's path stopped on its kernel's check; max |Xy| is the same alpha_max where
    the square is finite, and finite here. A product beyond float64 is a ValueError."""
    X, y = np.array([[1.0], [2.0]]), np.array([1e300, 1e300])
    with warnings.catch_warnings():
        # ||y||^2 overflows (numpy warns): the gaps are inf, as sklearn's; not asserted
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        alphas, coefs, _ = fastenet.lasso_path(X, y, alphas=4, tol=1e-10)
        with pytest.raises(ValueError, match="X\\^T y overflows"):
            fastenet.lasso_path(np.array([[1e300], [1e300]]), y, alphas=4)
    np.testing.assert_allclose(alphas, 1.5e300 * np.array([1, 1e-1, 1e-2, 1e-3]),
                               rtol=ALPHA_RTOL)
    # 1-D lasso: w = (x^T y - n alpha) / x^T x, at x^T y = 3e300, x^T x = 5, n = 2
    np.testing.assert_allclose(coefs[0], (3e300 - 2 * alphas) / 5, rtol=COEF_RTOL)


@pytest.mark.parametrize("seed", range(12))
def test_screening_never_removes_an_active_feature(seed):
    """Gap-safe screening + strong rule + working sets vs plain full sweeps on the same
    path (random dense and sparse problems, some with correlated columns)."""
    rng = np.random.RandomState(seed)
    n, p = rng.randint(20, 80), rng.randint(10, 150)
    X = rng.randn(n, p)
    if seed % 3 == 1:
        X = X * (rng.rand(n, p) < 0.3)
        X[rng.randint(0, n, p), np.arange(p)] = 1.0
        X = sparse.csc_matrix(X)
    elif seed % 3 == 2:
        X[:, 1:] = 0.7 * X[:, :-1] + 0.3 * X[:, 1:]  # correlated neighbours
        X = np.asfortranarray(X)
    else:
        X = np.asfortranarray(X)
    y = np.asarray(X[:, : min(3, p)] @ rng.randn(min(3, p))).ravel() + 0.3 * rng.randn(n)
    l1_ratio = [1.0, 0.7, 0.3][seed % 3]
    design = _kernel.make_design(X, sw=None, fit_intercept=seed % 2 == 0)
    grid = fastenet._path.alpha_grid(X, y, l1_ratio=l1_ratio, eps=1e-2, n_alphas=20,
                                     fit_intercept=seed % 2 == 0)
    fast = _kernel.solve_path(design, y, grid, l1_ratio=l1_ratio,
                              options=_kernel.SolveOptions(tol=1e-12, max_iter=100_000))
    plain = _kernel.solve_path(
        design, y, grid, l1_ratio=l1_ratio,
        options=_kernel.SolveOptions(tol=1e-12, max_iter=100_000, screening=False,
                                     working_set=False, anderson=False))
    assert fast.converged.all() and plain.converged.all()
    np.testing.assert_array_equal(np.abs(fast.coefs) > SUPPORT_EPS,
                                  np.abs(plain.coefs) > SUPPORT_EPS)
    np.testing.assert_allclose(fast.coefs, plain.coefs, rtol=0,
                               atol=1e-6 * max(1.0, np.abs(plain.coefs).max()))


def _zipf_one_hot(seed, n, levels=(2000, 800, 600, 300, 200, 100)):
    """One-hot columns of categoricals with Zipf (s = 1.1) level frequencies, occupied
    levels only; y from 2% of them plus noise at signal-to-noise 4."""
    rng = np.random.default_rng(seed)
    blocks = []
    for k in levels:
        prob = np.arange(1, k + 1) ** -1.1
        codes = rng.choice(k, size=n, p=prob / prob.sum())
        blocks.append(sparse.csc_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k)))
    X = sparse.hstack(blocks, format="csc")
    X = X[:, np.flatnonzero(X.getnnz(axis=0))]
    p = X.shape[1]
    w = np.zeros(p)
    w[rng.choice(p, p // 50, replace=False)] = rng.standard_normal(p // 50)
    signal = X @ w
    return X, signal + signal.std() / 4 * rng.standard_normal(n)


def test_long_one_hot_path_is_certified_at_every_point():
    """100,000 rows: a point solved to its optimum computes a gap a little below zero,
    its sums' rounding over the rows (-1.3x the kernel's 16 eps ||y||^2 here). Taken for
    an infeasible dual point, such gaps certified nothing, and that point ran to max_iter
    and ended with gap inf and a ConvergenceWarning."""
    X, y = _zipf_one_hot(0, 100_000)
    y = y - y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        alphas, coefs, gaps, n_iters = fastenet.lasso_path(
            X, y, alphas=100, eps=1e-3, tol=1e-4, return_n_iter=True)
    assert np.isfinite(gaps).all() and max(n_iters) < 1000
    level = 1e-4 * gap_threshold(y, tol=1.0, fit_intercept=False) * GAP_FACTOR
    for k in range(0, 100, 9):  # the oracle's gap at every ninth point (each is a pass)
        cert = certificate(X, y, coefs[:, k], 0.0, alpha=alphas[k], l1_ratio=1.0,
                           fit_intercept=False)
        assert cert.gap <= level, (k, cert.gap, level)
