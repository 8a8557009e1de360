"""The logistic kernel (csrc/fastenet/logistic.hpp) through _kernel.solve_logistic_path.

Every certificate is recomputed here in numpy from the returned coefficients: the primal
objective, the scaled dual point and its Fenchel dual value (tests/_logistic_gap below),
so a kernel that reported a wrong gap would fail, not pass.
"""
import numpy as np
import pytest
from scipy import sparse
from scipy.special import expit, log_softmax, softmax, xlogy

from fastenet._kernel import SolveOptions, solve_logistic_path
from tests._designs import one_hot_problem


def _problem(n=200, p=40, k=2, seed=0, density=None, dtype=np.float64):
    rng = np.random.default_rng(seed)
    if density is None:
        X = np.asfortranarray(rng.standard_normal((n, p)).astype(dtype))
        dense = X
    else:
        X = sparse.random(n, p, density=density, format="csc", random_state=seed,
                          dtype=dtype)
        dense = X.toarray()
    W = np.zeros((p, k))
    W[: p // 5] = rng.standard_normal((p // 5, k)) * 2
    labels = np.argmax(dense @ W + rng.gumbel(size=(n, k)), axis=1).astype(np.int32)
    return X, dense.astype(np.float64), labels


def _objective_and_gap(Xd, labels, K, sw, coef, intercept, l1, l2):
    """Primal value and the duality gap at the kernel's dual point, in float64 numpy.
    Penalized, unbounded features only (what these tests use)."""
    n = Xd.shape[0]
    s = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    W = coef.T  # (p, B)
    eta = Xd @ W + intercept
    if K == 2:
        y = labels.astype(np.float64)
        e = eta[:, 0]
        loss = np.sum(s * (np.logaddexp(0, e) - y * e))
        theta = (s * (y - expit(e)))[:, None]
        P, Y = expit(e)[:, None], y[:, None]
        U = Xd.T @ theta
    else:
        Y = np.eye(K)[labels]
        loss = -np.sum(s * log_softmax(eta, axis=1)[np.arange(n), labels])
        P = softmax(eta, axis=1)
        theta = s[:, None] * (Y - P)
        U = Xd.T @ theta
    primal = loss + l1 * np.abs(W).sum() + 0.5 * l2 * (W ** 2).sum()
    c = 1.0
    if l2 == 0:
        c = min(1.0, l1 / np.abs(U).max()) if np.abs(U).max() > 0 else 1.0
    a = c * P + (1 - c) * Y
    if K == 2:
        negent = xlogy(a, a) + xlogy(1 - a, 1 - a)
        dual_loss = np.sum(s * negent[:, 0])
    else:
        dual_loss = np.sum(s * xlogy(a, a).sum(axis=1))
    conj = 0.0 if l2 == 0 else np.sum(np.maximum(np.abs(c * U) - l1, 0) ** 2 / (2 * l2))
    return primal, primal + dual_loss + conj, theta


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_gap_certified_independently(K, sparse_X, l1_ratio):
    X, Xd, labels = _problem(k=K, density=0.3 if sparse_X else None, seed=K)
    C = 0.5
    l1, l2 = l1_ratio / C, (1 - l1_ratio) / C
    sol = solve_logistic_path(X, labels, K, None, True, [l1], [l2],
                              options=SolveOptions(tol=1e-9, max_iter=500))
    assert sol.converged[0]
    assert sol.gap[0] <= sol.tol_abs[0]
    primal, gap, theta = _objective_and_gap(Xd, labels, K, None, sol.coef[0],
                                            sol.intercept[0], l1, l2)
    # The numpy gap agrees with the kernel's (both in float64; 1e-9 of the objective).
    assert abs(gap - sol.gap[0]) <= 1e-9 * primal + 1e-10
    assert gap <= sol.tol_abs[0] * (1 + 1e-6) + 1e-9 * primal
    # The intercept constraint of the dual holds (b solved for exactly).
    np.testing.assert_allclose(theta.sum(axis=0), 0, atol=1e-9 * len(labels))


def test_screening_and_working_sets_change_nothing():
    # Each accelerator off, on many random sparse problems: the same support and
    # coefficients (gaps all below 1e-10 of the null objective).
    for seed in range(8):
        X, Xd, labels = _problem(n=150, p=120, density=0.1, seed=seed)
        lmax = np.abs(Xd.T @ (labels - labels.mean())).max()
        grid = lmax * np.array([0.8, 0.5, 0.3, 0.15])
        sols = [solve_logistic_path(X, labels, 2, None, True, grid, np.zeros(4),
                                    options=SolveOptions(tol=1e-10, max_iter=500,
                                                         screening=scr, working_set=ws))
                for scr, ws in [(True, True), (False, True), (True, False), (False, False)]]
        ref = sols[-1]
        assert ref.converged.all()
        for sol in sols[:-1]:
            assert sol.converged.all()
            np.testing.assert_array_equal(sol.coef != 0, ref.coef != 0)
            np.testing.assert_allclose(sol.coef, ref.coef, atol=1e-5)


def test_path_is_warm_started_fits():
    X, Xd, labels = _problem(k=3, seed=5)
    l1s = np.array([2.0, 1.0, 0.5])
    opts = SolveOptions(tol=1e-10, max_iter=500)
    path = solve_logistic_path(X, labels, 3, None, True, l1s, np.zeros(3), options=opts)
    for k, l1 in enumerate(l1s):
        one = solve_logistic_path(X, labels, 3, None, True, [l1], [0.0], options=opts)
        np.testing.assert_allclose(path.coef[k], one.coef[0], atol=1e-5)
        np.testing.assert_allclose(path.intercept[k], one.intercept[0], atol=1e-5)
    # Multinomial intercepts come back centered (sklearn's convention).
    np.testing.assert_allclose(path.intercept.sum(axis=1), 0, atol=1e-12)


def test_weights_equal_repetition():
    # Integer weights are repeated rows; zero weights are dropped rows.
    X, Xd, labels = _problem(n=120, p=15, seed=2)
    rng = np.random.default_rng(0)
    sw = rng.integers(0, 3, size=120).astype(np.float64)
    rep = np.repeat(np.arange(120), sw.astype(int))
    opts = SolveOptions(tol=1e-11, max_iter=500)
    a = solve_logistic_path(X, labels, 2, sw, True, [1.0], [0.5], options=opts)
    b = solve_logistic_path(np.asfortranarray(Xd[rep]), labels[rep], 2, None, True, [1.0],
                            [0.5], options=opts)
    np.testing.assert_allclose(a.coef, b.coef, atol=1e-6)
    np.testing.assert_allclose(a.intercept, b.intercept, atol=1e-6)


@pytest.mark.parametrize("K", [2, 3])
def test_csc_models_are_the_dense_models(K):
    # On CSC the Newton models read their columns with each entry premultiplied by its
    # row's weight (columns.hpp WeightedSubset); on dense X, weight and column apart.
    # Same problem, sample weights, every coefficient free to move: the same Newton
    # steps and the same coefficients (up to the order of the sums' roundings).
    X, Xd, labels = _problem(n=300, p=60, k=K, density=0.2, seed=7)
    sw = np.random.default_rng(7).uniform(0.2, 3.0, 300)
    opts = SolveOptions(tol=1e-10, max_iter=300)
    fits = [solve_logistic_path(A, labels, K, sw, True, [0.5, 0.2], [0.0, 0.1], options=opts)
            for A in (X, np.asfortranarray(Xd))]
    csc, dense = fits
    assert csc.converged.all() and dense.converged.all()
    np.testing.assert_array_equal(csc.n_iter, dense.n_iter)
    np.testing.assert_allclose(csc.coef, dense.coef, rtol=0, atol=1e-8)
    np.testing.assert_allclose(csc.intercept, dense.intercept, rtol=0, atol=1e-8)


def test_float32_and_int64_indices():
    X, Xd, labels = _problem(n=300, p=60, density=0.2, seed=4)
    opts = SolveOptions(tol=1e-8, max_iter=200)
    ref = solve_logistic_path(X, labels, 2, None, True, [1.0], [0.0], options=opts)
    X64 = X.copy()
    X64.indices = X64.indices.astype(np.int64)
    X64.indptr = X64.indptr.astype(np.int64)
    b = solve_logistic_path(X64, labels, 2, None, True, [1.0], [0.0], options=opts)
    np.testing.assert_array_equal(b.coef, ref.coef)
    X32 = X.astype(np.float32)
    c = solve_logistic_path(X32, labels, 2, None, True, [1.0], [0.0],
                            options=SolveOptions(tol=1e-5, max_iter=200))
    assert c.converged[0]
    np.testing.assert_allclose(c.coef, ref.coef, atol=2e-3)


def test_bounds_and_penalty_factor():
    X, Xd, labels = _problem(n=200, p=20, seed=6)
    pf = np.ones(20)
    pf[0] = 0.0  # unpenalized: certified by its KKT condition
    lo = np.full(20, -np.inf)
    hi = np.full(20, np.inf)
    lo[1:5] = 0.0  # nonnegative
    hi[5] = 0.1
    sol = solve_logistic_path(X, labels, 2, None, True, [5.0], [0.0], penalty_factor=pf,
                              lower_bounds=lo, upper_bounds=hi,
                              options=SolveOptions(tol=1e-10, max_iter=500))
    assert sol.converged[0]
    w = sol.coef[0, 0]
    assert np.all(w[1:5] >= 0) and w[5] <= 0.1 + 1e-15
    assert w[0] != 0
    # KKT of the unpenalized feature, from numpy.
    e = Xd @ w + sol.intercept[0, 0]
    grad0 = Xd[:, 0] @ (labels - expit(e))
    assert abs(grad0) <= np.sqrt(0.5 * sol.tol_abs[0] * (Xd[:, 0] ** 2).sum()) + 1e-12


def test_separable_and_unpenalized_stay_finite():
    # Perfectly separable data with almost no penalty and with none: no NaN or overflow;
    # without a penalty the optimum is at infinity, so the solve stops at max_iter.
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((100, 3)))
    labels = (X[:, 0] > 0).astype(np.int32)
    for l1, l2 in [(1e-8, 0.0), (0.0, 1e-10), (0.0, 0.0)]:
        sol = solve_logistic_path(X, labels, 2, None, True, [l1], [l2],
                                  options=SolveOptions(tol=1e-6, max_iter=50))
        assert np.all(np.isfinite(sol.coef)) and np.all(np.isfinite(sol.intercept))
        assert np.isfinite(sol.gap[0])
        assert sol.coef[0, 0, 0] > 5  # heading to infinity along the separating feature


def test_non_finite_X_raises():
    X, _, labels = _problem(n=50, p=5)
    X = X.copy(order="F")
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        solve_logistic_path(X, labels, 2, None, True, [1.0], [0.0])


def test_bad_labels_raise():
    X, _, labels = _problem(n=50, p=5)
    with pytest.raises(ValueError, match="labels"):
        solve_logistic_path(X, labels + 1, 2, None, True, [1.0], [0.0])


def test_no_intercept_and_constant_column():
    X, Xd, labels = _problem(n=150, p=10, seed=9)
    X = X.copy(order="F")
    X[:, 3] = 0.0  # a zero column leaves the problem with coefficient 0
    sol = solve_logistic_path(X, labels, 2, None, False, [0.5], [0.0],
                              options=SolveOptions(tol=1e-10, max_iter=300))
    assert sol.converged[0] and sol.coef[0, 0, 3] == 0 and sol.intercept[0, 0] == 0
    Xd = np.asarray(X, dtype=np.float64)
    primal, gap, _ = _objective_and_gap(Xd, labels, 2, None, sol.coef[0], 0.0, 0.5, 0.0)
    assert gap <= sol.tol_abs[0] * (1 + 1e-6) + 1e-9 * primal


def test_unpenalized_fit_is_optimal():
    # C = inf on data with a finite optimum far from P = 1/2 (a linear rule, 2% of labels
    # flipped): the coefficients equal sklearn's newton-cholesky at tight tol (1e-6
    # relative), and the reported gap is nonnegative (the unpenalized cross terms are
    # taken out of it).
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = rng.standard_normal((500, 5))
    labels = (X @ np.array([6.0, -5, 3, 0, 50]) > 0).astype(np.int32)
    flip = rng.random(500) < 0.02
    labels[flip] = 1 - labels[flip]
    ref = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12,
                             max_iter=1000).fit(X, labels)
    sol = solve_logistic_path(np.asfortranarray(X), labels, 2, None, True, [0.0], [0.0],
                              options=SolveOptions(tol=1e-10, max_iter=1000))
    assert sol.converged[0] and sol.gap[0] >= -1e-9
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(sol.coef[0], ref.coef_, rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(sol.intercept[0], ref.intercept_, rtol=0, atol=1e-6 * scale)


def test_penalty_factor_zero_is_unpenalized():
    # A feature with penalty factor 0 equals the same feature scaled by 1e6 under the
    # full penalty (whose L1 weight on the original scale is then 1e-6 of the others').
    X, Xd, labels = _problem(n=300, p=8, seed=11)
    pf = np.ones(8)
    pf[0] = 0.0
    opts = SolveOptions(tol=1e-12, max_iter=1000)
    a = solve_logistic_path(X, labels, 2, None, True, [20.0], [0.0], penalty_factor=pf,
                            options=opts)
    Xs = Xd.copy()
    Xs[:, 0] *= 1e6
    b = solve_logistic_path(np.asfortranarray(Xs), labels, 2, None, True, [20.0], [0.0],
                            options=opts)
    w_b = b.coef[0, 0].copy()
    w_b[0] *= 1e6
    assert a.converged[0] and a.gap[0] >= -1e-9
    np.testing.assert_allclose(a.coef[0, 0], w_b, atol=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_logistic_working_sets_take_the_kkt_violators(seed):
    """The working set takes as many candidates as there are KKT violators, ranked at
    the raw gradient, so it takes the violators (logistic.hpp, distance). Ranked at the
    dual point's scale, the coarse categoricals' large columns displaced some, and
    these L1 fits at a third of the largest penalty took 3-4 Newton steps; now 2
    (79-93 nonzeros; the bound is the measured count, deliberately). The gap checked in
    numpy: at most tol_abs (tol 1e-4) plus 1e-9 of the objective for rounding."""
    X, y = one_hot_problem(seed)
    labels = (y > np.median(y)).astype(np.int32)
    l1 = np.abs(X.T @ (labels - labels.mean())).max() / 3
    sol = solve_logistic_path(X, labels, 2, None, True, [l1], [0.0],
                              options=SolveOptions(tol=1e-4, max_iter=100))
    assert sol.converged[0]
    primal, gap, _ = _objective_and_gap(X, labels, 2, None, sol.coef[0], sol.intercept[0],
                                        l1, 0.0)
    assert gap <= sol.tol_abs[0] * (1 + 1e-6) + 1e-9 * primal
    assert np.count_nonzero(sol.coef[0]) >= 50
    assert sol.n_iter[0] <= 2, sol.n_iter[0]


def test_near_separable_large_C_converges_in_few_steps():
    # Confidently classified rows keep their true Newton weight (a floor per unit of
    # sample weight made these fits linear: 100+ steps at C = 1e4, 2,000+ at tol 1e-8).
    # sklearn's default penalty (L2) at C = 1e4.
    from sklearn.datasets import make_classification

    X, y = make_classification(2000, 20, class_sep=4, random_state=0)
    for tol in (1e-4, 1e-8):
        sol = solve_logistic_path(np.asfortranarray(X), y.astype(np.int32), 2, None, True,
                                  [0.0], [1e-4], options=SolveOptions(tol=tol, max_iter=200))
        assert sol.converged[0] and sol.n_iter[0] <= 40


def test_float32_intercept_takes_the_float64_steps():
    # The intercept's optimality is summed in double: float32 data must not make the
    # intercept solve run to its iteration caps (it once did, 240x the float64 time).
    from sklearn.datasets import make_classification

    X, y = make_classification(20000, 20, random_state=0)
    y = y.astype(np.int32)
    n_iter = {}
    for dtype in (np.float64, np.float32):
        sol = solve_logistic_path(np.asfortranarray(X, dtype=dtype), y, 2, None, True,
                                  [1.0], [1.0], options=SolveOptions(tol=1e-4))
        assert sol.converged[0]
        n_iter[dtype] = sol.n_iter[0], sol.n_outer[0]
    assert n_iter[np.float32] == n_iter[np.float64]
