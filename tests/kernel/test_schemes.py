"""The kernel alone: one problem, every update scheme x column type x dtype x index type.

All variants run the same loop (cd.hpp) and must agree: after one epoch with screening,
working sets and extrapolation off, exactly up to rounding (the coordinate updates are
the same arithmetic); at convergence within the stated tolerance, each certified by the
plain-numpy oracle (tests/_oracle.py), never by the kernel itself.
"""
import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_diabetes

import fastenet
from fastenet import _kernel
from tests._designs import one_hot_problem
from tests._oracle import certificate, gap_threshold

ALPHA, L1_RATIO = 0.05, 0.7
TOL = {np.float64: 1e-12, np.float32: 1e-6}  # relative gap target (float32: its precision)
COEF_RTOL = {np.float64: 1e-7, np.float32: 2e-3}  # agreement between variants
ONE_EPOCH_RTOL = {np.float64: 1e-10, np.float32: 1e-4}
GAP_SLACK = {np.float64: 1.5, np.float32: 10.0}  # oracle gap <= slack * tol * ||y_c||^2

VARIANTS = [
    ("dense", "naive", np.int32),
    ("dense", "covariance", np.int32),
    ("csc", "naive", np.int32),
    ("csc", "naive", np.int64),
    ("csc", "covariance", np.int32),
    ("csc", "covariance", np.int64),
    ("gram", "covariance", np.int32),
]


def _problem(dtype, seed=0, n=80, p=30):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) * (rng.rand(n, p) < 0.4) + 0.3
    y = X[:, :6] @ rng.randn(6) + 0.1 * rng.randn(n) + 2.0
    sw = rng.rand(n) + 0.5
    sw *= n / sw.sum()
    return X.astype(dtype), y.astype(dtype), sw.astype(dtype)


def _design(kind, scheme, index_dtype, X, sw):
    code = {"naive": _kernel.NAIVE, "covariance": _kernel.COVARIANCE}[scheme]
    if kind == "dense":
        Xk = np.asfortranarray(X)
    else:
        Xk = sparse.csc_matrix(X)
        Xk.indices = Xk.indices.astype(index_dtype)
        Xk.indptr = Xk.indptr.astype(index_dtype)
    d = _kernel.make_design(Xk, sw=sw, fit_intercept=True)
    gram = None
    if kind == "gram":
        Xc = X.astype(np.float64) - d.x_mean.astype(np.float64)
        gram = np.ascontiguousarray((Xc.T * sw) @ Xc, dtype=X.dtype)
    return _kernel.Design(X=Xk, sw=sw, means=d.x_mean, means_known=True, scheme=code,
                          gram=gram)


def _solve(design, y, **opts):
    return _kernel.solve(design, y, alpha=ALPHA, l1_ratio=L1_RATIO,
                         options=_kernel.SolveOptions(**opts))


def _one_epoch_agree(variants, X, y, sw, dtype):
    """One plain epoch (no screening, working sets or extrapolation) of every variant:
    the same arithmetic, so the same coefficients up to rounding. Returns the first's."""
    plain = dict(tol=0.0, max_iter=1, screening=False, working_set=False, anderson=False)
    coefs = [_solve(_design(*v, X, sw), y, **plain).coef for v in variants]
    for v, c in zip(variants[1:], coefs[1:]):
        np.testing.assert_allclose(c, coefs[0], rtol=ONE_EPOCH_RTOL[dtype],
                                   atol=ONE_EPOCH_RTOL[dtype], err_msg=str(v))
    return coefs[0]


def _assert_certified(X, y, sw, sol, dtype, label):
    """The oracle's gap at sol (intercept from the weighted means) within the tol."""
    threshold = gap_threshold(y.astype(np.float64), tol=TOL[dtype], sample_weight=sw)
    x_mean = np.average(X.astype(np.float64), axis=0, weights=sw)
    intercept = np.average(y.astype(np.float64), weights=sw) - x_mean @ sol.coef
    cert = certificate(X, y, sol.coef, intercept, alpha=ALPHA, l1_ratio=L1_RATIO,
                       sample_weight=sw)
    assert cert.gap <= GAP_SLACK[dtype] * threshold, (label, cert.gap, threshold)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_epoch_identical(dtype):
    X, y, sw = _problem(dtype)
    assert np.count_nonzero(_one_epoch_agree(VARIANTS, X, y, sw, dtype)) > 0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("accel", [True, False])
def test_converged_agree_and_certified(dtype, accel):
    X, y, sw = _problem(dtype)
    opts = dict(tol=TOL[dtype], max_iter=100000, screening=accel, working_set=accel, anderson=accel)
    ref = None
    for v in VARIANTS:
        sol = _solve(_design(*v, X, sw), y, **opts)
        assert sol.converged, v
        _assert_certified(X, y, sw, sol, dtype, v)
        if ref is None:
            ref = sol.coef
        np.testing.assert_allclose(sol.coef, ref, rtol=COEF_RTOL[dtype],
                                   atol=COEF_RTOL[dtype] * np.abs(ref).max(), err_msg=str(v))


def _ragged_problem(dtype, seed=3, n=120):
    """Columns with every number of entries from 0 to 40 (twice): the sparse primitives'
    vector loops (gather.cpp) take 8 or 16 entries at a time, two chunks per round, and
    mask the last chunk, so each length exercises a different split."""
    rng = np.random.RandomState(seed)
    lengths = np.tile(np.arange(41), 2)
    X = np.zeros((n, len(lengths)))
    for j, m in enumerate(lengths):
        X[rng.choice(n, m, replace=False), j] = rng.randn(m) + 0.5
    y = X[:, 10:20] @ rng.randn(10) + X[:, 50:60] @ rng.randn(10) + 0.1 * rng.randn(n)
    sw = rng.rand(n) + 0.5
    sw *= n / sw.sum()
    return X.astype(dtype), y.astype(dtype), sw.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_column_length(dtype, weighted):
    X, y, sw = _ragged_problem(dtype)
    sw = sw if weighted else None  # (unweighted: the first pass by gather_moments)
    variants = [("dense", "naive", np.int32), ("csc", "naive", np.int32),
                ("csc", "naive", np.int64)]
    assert np.count_nonzero(_one_epoch_agree(variants, X, y, sw, dtype)) > 20
    for v in variants:
        sol = _solve(_design(*v, X, sw), y, tol=TOL[dtype], max_iter=100000)
        assert sol.converged, v
        _assert_certified(X, y, sw, sol, dtype, v)
    # The estimator's fit from zero takes the column means from that first pass too.
    threshold = gap_threshold(y.astype(np.float64), tol=TOL[dtype], sample_weight=sw)
    for index_dtype in (np.int32, np.int64):
        Xk = sparse.csc_matrix(X)
        Xk.indices, Xk.indptr = Xk.indices.astype(index_dtype), Xk.indptr.astype(index_dtype)
        est = fastenet.ElasticNet(alpha=ALPHA, l1_ratio=L1_RATIO, tol=TOL[dtype],
                                  max_iter=100000).fit(Xk, y, sample_weight=sw)
        cert = certificate(X, y, est.coef_, est.intercept_, alpha=ALPHA, l1_ratio=L1_RATIO,
                           sample_weight=sw)
        assert cert.gap <= GAP_SLACK[dtype] * threshold, (index_dtype, cert.gap, threshold)


def test_warm_start_at_solution_needs_no_epoch():
    X, y, sw = _problem(np.float64)
    d = _design("dense", "naive", np.int32, X, sw)
    sol = _solve(d, y, tol=1e-10)
    again = _kernel.solve(d, y, alpha=ALPHA, l1_ratio=L1_RATIO, coef_init=sol.coef,
                          options=_kernel.SolveOptions(tol=1e-10))
    assert again.n_iter == 0 and again.converged
    np.testing.assert_array_equal(again.coef, sol.coef)


def test_max_iter_reports_not_converged():
    X, y, sw = _problem(np.float64)
    sol = _solve(_design("dense", "naive", np.int32, X, sw), y, tol=1e-15, max_iter=1)
    assert not sol.converged and sol.n_iter == 1


def test_float32_extrapolation_keeps_its_pace():
    """Anderson proposals moved float32 residuals by combining saved ones (weights up to
    1e4 multiplying their rounding): a warm-started float32 path with boxes then took
    5.7x the epochs of the same path in float64 (3,279 against 572). float32 residuals
    now move by column steps: 712 epochs. Asserted: at most twice float64's epochs."""
    rng = np.random.default_rng(1)
    n, p = 200, 400
    X = rng.standard_normal((n, p)) + 1.0
    y = X[:, :30] @ ((np.arange(30) % 3 - 1) * 0.7) + 0.3 * rng.standard_normal(n) + 2
    amax = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / n
    epochs = {}
    for dtype in (np.float32, np.float64):
        est = fastenet.ElasticNet(l1_ratio=0.9, tol=1e-6, max_iter=5000, warm_start=True,
                                  lower_bounds=0.0, upper_bounds=0.3)
        Xd, yd = np.asfortranarray(X, dtype=dtype), y.astype(dtype)
        epochs[dtype] = 0
        for alpha in amax * np.logspace(0, -3, 30):
            epochs[dtype] += est.set_params(alpha=alpha).fit(Xd, yd).n_iter_
    assert epochs[np.float32] <= 2 * epochs[np.float64], epochs


MEAN_RTOL = {np.float64: 1e-13, np.float32: 1e-6}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("scheme", ["naive", "covariance"])
@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize("weighted", [True, False])
def test_kernel_computes_unread_column_means(dtype, kind, scheme, warm, weighted):
    """Means nobody read before the solve are the kernel's to compute: inside the first
    pass of a naive solve from w = 0, else in a pass of their own (warm start,
    covariance updates). They must equal the weighted means, and the fit must equal the
    fit given them. n is odd: the dense pass sums two halves and the last row apart."""
    X, y, sw = _problem(dtype, n=81)
    sw = sw if weighted else None
    code = {"naive": _kernel.NAIVE, "covariance": _kernel.COVARIANCE}[scheme]
    Xk = np.asfortranarray(X) if kind == "dense" else sparse.csc_matrix(X)
    p = X.shape[1]
    coef_init = np.linspace(-0.2, 0.2, p) if warm else None
    opts = _kernel.SolveOptions(tol=TOL[dtype])
    given = _kernel.Design(X=Xk, sw=sw, means=np.empty(p), means_known=False,
                           scheme=code)
    expected = np.average(X.astype(np.float64), axis=0, weights=sw)
    np.testing.assert_allclose(given.x_mean, expected, rtol=MEAN_RTOL[dtype])  # numpy's
    assert given.means_known
    unread = _kernel.Design(X=Xk, sw=sw, means=np.full(p, np.nan),
                            means_known=False, scheme=code)
    sol = _kernel.solve(unread, y, alpha=ALPHA, l1_ratio=L1_RATIO, coef_init=coef_init,
                        options=opts)
    assert unread.means_known
    np.testing.assert_allclose(unread.means, expected, rtol=MEAN_RTOL[dtype])
    ref = _kernel.solve(given, y, alpha=ALPHA, l1_ratio=L1_RATIO, coef_init=coef_init,
                        options=opts)
    assert sol.converged and ref.converged
    np.testing.assert_allclose(sol.coef, ref.coef, rtol=COEF_RTOL[dtype],
                               atol=COEF_RTOL[dtype] * np.abs(ref.coef).max())
    np.testing.assert_allclose(sol.intercept, ref.intercept, rtol=COEF_RTOL[dtype])


def _counts_problem(n, p, *, density, k, noise, seed):
    """A CSC X of small counts (like a term-document matrix) and y from its first k
    columns plus noise; also the generator, for what the caller draws next."""
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=density, format="csc", random_state=seed + 1)
    X.data = np.round(3 * X.data) + 1.0
    y = np.asarray(X[:, :k] @ rng.standard_normal(k)).ravel() + noise * rng.standard_normal(n)
    return X, y, rng


def test_working_sets_from_many_candidates_agree_with_full_sweeps():
    """Past 16,384 candidates, working sets are picked through a sampled threshold
    (working_set.hpp, select_lowest): the solution must be the one of plain full sweeps,
    both certified by the oracle at tol 1e-10."""
    n, p = 300, 30_000
    X, y, _ = _counts_problem(n, p, density=0.01, k=40, noise=1.0, seed=3)
    assert (X.getnnz(axis=0) > 0).sum() >= 16 * 1024  # select_lowest's sampled branch
    design = _kernel.make_design(X, sw=None, fit_intercept=True)
    amax = np.abs(X.T @ (y - y.mean())).max() / n
    sols = [_kernel.solve(design, y, alpha=amax / 20, l1_ratio=1.0,
                          options=_kernel.SolveOptions(tol=1e-10, working_set=ws, max_iter=100000))
            for ws in (True, False)]
    threshold = gap_threshold(y, tol=1e-10)
    for sol in sols:
        assert sol.converged
        cert = certificate(X, y, sol.coef, sol.intercept, alpha=amax / 20, l1_ratio=1.0)
        assert cert.gap <= 1.5 * threshold, (cert.gap, threshold)
    assert np.count_nonzero(sols[0].coef) > 50
    np.testing.assert_allclose(sols[0].coef, sols[1].coef, rtol=1e-6,
                               atol=1e-6 * np.abs(sols[1].coef).max())


def _certified_lasso_at_a_fifth_of_alpha_max(X, y):
    """A lasso fit at alpha_max/5, tol 1e-4, with an intercept: converged, certified by
    the oracle (slack 1.5) and with at least 20 nonzeros."""
    design = _kernel.make_design(X, sw=None, fit_intercept=True)
    alpha = np.abs(X.T @ (y - y.mean())).max() / X.shape[0] / 5
    sol = _kernel.solve(design, y, alpha=alpha, l1_ratio=1.0,
                        options=_kernel.SolveOptions(tol=1e-4))
    assert sol.converged
    cert = certificate(X, y, sol.coef, sol.intercept, alpha=alpha, l1_ratio=1.0)
    assert cert.gap <= 1.5 * gap_threshold(y, tol=1e-4), cert.gap
    assert np.count_nonzero(sol.coef) >= 20
    return sol

@pytest.mark.parametrize("seed", range(4))
def test_working_sets_rank_by_the_gradient_not_the_column_norm(seed):
    """The working set ranks candidates by their constraint's distance at the unscaled
    gradient (screening.hpp). Ranked at the scaled dual point, as celer does, the
    coarse categoricals' large columns filled the first sets, and these fits at
    alpha_max/5 took 5-6 full-gradient checks (passes over X); now at most 4 (3 or 4
    measured, 36-142 nonzeros). Certified by the oracle at tol 1e-4 (slack 1.5)."""
    sol = _certified_lasso_at_a_fifth_of_alpha_max(*one_hot_problem(seed))
    assert sol.n_outer <= 4, sol.n_outer


@pytest.mark.parametrize("seed", range(4))
def test_a_last_working_set_is_solved_to_the_tol(seed):
    """A working set that holds every KKT violator, and at most twice as many of them as
    its forced features, is solved to the tol rather than a decade below the outer gap
    (cd.hpp, last_set_): on these sparse fits at alpha_max/5 (22-63 nonzeros) that
    saves the outer passes the loose target left, 4-5 full-gradient checks -> 3 (the
    bound is the measured count, deliberately). Certified by the oracle at tol 1e-4
    (slack 1.5)."""
    X, y, _ = _counts_problem(2000, 20_000, density=0.005, k=60, noise=1.0, seed=seed)
    sol = _certified_lasso_at_a_fifth_of_alpha_max(X, y)
    assert sol.n_outer <= 3, sol.n_outer


GRADIENT_BOUND_CASES = ["plain", "positive", "penalty_factor", "weighted", "float32"]


@pytest.mark.parametrize("seed", [1, 3])
@pytest.mark.parametrize("case", GRADIENT_BOUND_CASES)
def test_outer_checks_skip_the_gradients_their_bounds_settle(case, seed):
    """An outer check reads no column (of 16 entries or more) of a zero feature whose
    last gradient, plus its column norm times the residual's motion since, is below 0.99
    times its penalty and screens it out (cd.hpp, outer_gap(), complete_unscreened()):
    such a feature changes neither the dual point, nor the gap, nor the screening.
    A 4-point path down to alpha_max/100 and a single fit at alpha_max/20, from zero,
    move the residual far between checks: with the motion term left out of the bound,
    7 of these 10 cases stopped with oracle gaps 17 to 10^6 times the threshold. Each must be
    converged and certified by the oracle (slack 1.5 on the float64 threshold, 10 in
    float32), compute fewer gradients than with the bounds off, and agree with that fit
    to 1e-5 of its largest coefficient (1e-2 in float32) at tol 1e-8 (1e-6)."""
    # 40 entries per column: past the kernel's minimum for bounding one (kBoundMinCost).
    X, y, rng = _counts_problem(200, 2000, density=0.2, k=40, noise=1.0, seed=seed)
    n, p = X.shape
    dtype = np.float32 if case == "float32" else np.float64
    X, y = X.astype(dtype), y.astype(dtype)
    sw = None
    if case == "weighted":  # the kernel's weights sum to n (the estimators rescale them)
        sw = rng.random(n) + 0.5
        sw = (sw * (n / sw.sum())).astype(dtype)
    pf = rng.random(p) + 0.5 if case == "penalty_factor" else None
    lo = np.zeros(p) if case == "positive" else None
    amax = np.abs(X.T @ (y - y.mean())).max() / n
    tol = 1e-8 if dtype == np.float64 else 1e-6
    threshold = gap_threshold(y, tol=tol, sample_weight=sw)
    for alphas in (amax * np.logspace(0, -2, 4), amax * np.array([0.05])):
        sols = [_kernel.solve_path(_kernel.make_design(X, sw=sw, fit_intercept=True), y,
                                   alphas, l1_ratio=1.0, pf=pf, lo=lo,
                                   options=_kernel.SolveOptions(tol=tol, gradient_bounds=on))
                for on in (True, False)]
        for sol in sols:
            assert sol.converged.all()
            for k, alpha in enumerate(alphas):
                cert = certificate(X.astype(np.float64), y.astype(np.float64),
                                   sol.coefs[:, k], sol.intercepts[k], alpha=alpha,
                                   sample_weight=sw, penalty_factor=pf,
                                   positive=case == "positive")
                assert cert.gap <= GAP_SLACK[dtype] * threshold, (k, cert.gap, threshold)
        on, off = sols
        assert np.count_nonzero(on.coefs[:, -1]) >= 20
        assert on.n_grad.sum() < off.n_grad.sum(), (on.n_grad.sum(), off.n_grad.sum())
        scale = np.abs(off.coefs).max()
        np.testing.assert_allclose(on.coefs, off.coefs, rtol=0,
                                   atol=(1e-5 if dtype == np.float64 else 1e-2) * scale)


def test_gradient_bounds_stay_off_where_the_gap_needs_every_gradient():
    """Box constraints beyond sklearn's (a finite upper bound) switch the gap to the
    Fenchel formulation, whose conjugate term reads every u_j, and an unpenalized
    feature's projection rewrites u_: there the checks compute the same gradients with
    the bounds on as off."""
    X, y, rng = _counts_problem(600, 3000, density=0.01, k=30, noise=1.0, seed=11)
    p = X.shape[1]
    amax = np.abs(X.T @ (y - y.mean())).max() / X.shape[0]
    hi = np.full(p, np.inf)
    hi[:5] = 0.5
    pf = np.ones(p)
    pf[0] = 0.0
    for kwargs in ({"hi": hi}, {"pf": pf}):
        counts = [_kernel.solve_path(_kernel.make_design(X, sw=None, fit_intercept=True), y,
                                     amax * np.logspace(0, -1, 10), l1_ratio=1.0,
                                     options=_kernel.SolveOptions(tol=1e-6, gradient_bounds=on),
                                     **kwargs).n_grad.sum()
                  for on in (True, False)]
        assert counts[0] == counts[1], (kwargs.keys(), counts)


def _near_singular_path(dtype=np.float64, weighted=False):
    """A sparse lasso path down to 3,000 times below alpha_max, its last points with
    about as many nonzeros as rows: coordinate descent crawls there, and Newton steps
    are tried (most do not halve the gap, and so count as failures)."""
    n, p = 300, 3000
    X, y, rng = _counts_problem(n, p, density=0.02, k=60, noise=0.5, seed=7)
    sw = None
    if weighted:
        sw = rng.uniform(0.5, 1.5, n)
        sw = (sw * n / sw.sum()).astype(dtype)
    amax = np.abs(X.T @ (y - y.mean())).max() / n
    return X.astype(dtype), y.astype(dtype), sw, amax * np.logspace(0, -3.5, 30)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_newton_steps_keep_paths_certified(dtype, weighted):
    """With and without sign-fixed Newton steps (cd.hpp, try_newton), a nearly singular
    path is certified by the oracle at every point checked, and its last objective is
    the same to within the gaps (not its coefficients: on a set this flat, certified
    solutions differ by 1e-4 where the gap allows)."""
    X, y, sw, alphas = _near_singular_path(dtype, weighted)
    design = _kernel.make_design(X, sw=sw, fit_intercept=True)
    tol = TOL[dtype] if dtype == np.float32 else 1e-8
    threshold = gap_threshold(y.astype(np.float64), tol=tol, sample_weight=sw)
    objective = {}
    for newton in (True, False):
        opts = _kernel.SolveOptions(tol=tol, max_iter=100_000, newton=newton)
        sol = _kernel.solve_path(design, y, alphas, l1_ratio=1.0, options=opts)
        assert sol.converged.all(), (newton, sol.converged)
        for k in (len(alphas) // 2, len(alphas) - 1):
            cert = certificate(X, y, sol.coefs[:, k], sol.intercepts[k], alpha=alphas[k],
                               l1_ratio=1.0, sample_weight=sw)
            assert cert.gap <= GAP_SLACK[dtype] * threshold, (newton, k, cert.gap, threshold)
        assert np.count_nonzero(sol.coefs[:, -1]) > X.shape[0] / 3
        objective[newton] = certificate(X, y, sol.coefs[:, -1], sol.intercepts[-1],
                                        alpha=alphas[-1], l1_ratio=1.0,
                                        sample_weight=sw).primal
    n = X.shape[0]
    assert abs(objective[True] - objective[False]) <= 2 * GAP_SLACK[dtype] * threshold / n


@pytest.mark.parametrize("kind", ["dense", "csc", "gram"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scaled", [False, True])
def test_newton_steps_end_the_crawl_of_coordinate_descent(kind, weighted, scaled):
    """Near least squares (diabetes, alpha 1e-5: every coefficient nonzero, columns
    correlated) coordinate descent takes 44 to 77 epochs to tol 1e-4, and Newton steps
    end it in about 24. The columns are moved off center and the rows weighted, so a
    Hessian product (hess_vec) that dropped the means or the weights would make every
    step fail; scaled, the column norms span 1e-2 to 1e2, where CG without its diagonal
    preconditioner ran out of products (49 epochs with the steps as without). Asserted:
    both certified, and at most 60% of the epochs with the steps. (float64 only: in
    float32 this near-singular fit cannot reach tol 1e-4 at all.)"""
    dtype = np.float64
    X, y = load_diabetes(return_X_y=True)
    X = (X + 3.0) * (np.logspace(-2, 2, X.shape[1]) if scaled else 1.0)
    X = X.astype(dtype)
    y = y.astype(dtype)
    sw = None
    if weighted:
        sw = np.random.default_rng(0).uniform(0.5, 1.5, X.shape[0])
        sw = (sw * X.shape[0] / sw.sum()).astype(dtype)
    ones = np.ones(X.shape[0], dtype)  # the helper's Gram needs weights
    design = _design(kind, "covariance" if kind == "gram" else "naive", np.int32, X,
                     ones if sw is None and kind == "gram" else sw)
    sols = {newton: _kernel.solve(design, y, alpha=1e-5, l1_ratio=0.5,
                                  options=_kernel.SolveOptions(newton=newton))
            for newton in (True, False)}
    threshold = gap_threshold(y.astype(np.float64), tol=1e-4, sample_weight=sw)
    for newton, sol in sols.items():
        assert sol.converged, newton
        cert = certificate(X, y, sol.coef, sol.intercept, alpha=1e-5, l1_ratio=0.5,
                           sample_weight=sw)
        assert cert.gap <= GAP_SLACK[dtype] * threshold, (newton, cert.gap, threshold)
    assert sols[True].n_iter <= 0.6 * sols[False].n_iter, (sols[True].n_iter,
                                                            sols[False].n_iter)


@pytest.mark.parametrize("kind, scheme", [("dense", "naive"), ("dense", "covariance"),
                                          ("csc", "naive")])
@pytest.mark.parametrize("mean", [1e2, 1e3, 1e4])
def test_float32_columns_with_large_means(kind, scheme, mean):
    """float32 columns of mean up to 1e4 and unit spread, weighted: the kernel's column
    means are float64 and its W the float64 sum of the float32 weights, so that X^T sw ==
    W m holds to double precision; its dense residual and Gram columns subtract the means
    as hi + lo parts. With float32 means and W = n, sum sw x^2 - W m^2 came out negative
    at mean 1e3: the columns were dropped as constants and the fit returned zeros,
    converged on its own gap (relative coefficient error 1.0). A CSC design, whose float32
    residual is kept raw, is refused by the kernel and solved in float64 (before: errors
    of 7e-2 at mean 1e2 and far beyond at 1e3, with a ConvergenceWarning). Compared with
    the float64 fit of the same float32 values, and certified by the oracle at tol 1e-4."""
    rng = np.random.RandomState(5)
    n, p = 500, 20
    X = rng.randn(n, p) + mean
    X[:, 1] = 0.1 * X[:, 1] + 0.9 * mean  # a spread of 0.1
    y = (X[:, :8] - X[:, :8].mean(0)) @ rng.randn(8) + 0.5 * rng.randn(n)
    sw = rng.rand(n) + 0.5
    sw *= n / sw.sum()
    X, y, sw = X.astype(np.float32), y.astype(np.float32), sw.astype(np.float32)
    ref = _solve(_design("dense", "naive", np.int32, X.astype(np.float64), sw.astype(np.float64)),
                 y.astype(np.float64), tol=1e-12)
    sol = _solve(_design(kind, scheme, np.int32, X, sw), y, tol=1e-4)
    assert sol.converged
    assert np.count_nonzero(ref.coef) >= 5
    np.testing.assert_allclose(sol.coef, ref.coef, rtol=0, atol=5e-3 * np.abs(ref.coef).max())
    threshold = gap_threshold(y.astype(np.float64), tol=1e-4, sample_weight=sw)
    x_mean = np.average(X.astype(np.float64), axis=0, weights=sw)
    intercept = np.average(y.astype(np.float64), weights=sw) - x_mean @ sol.coef
    cert = certificate(X, y, sol.coef, intercept, alpha=ALPHA, l1_ratio=L1_RATIO,
                       sample_weight=sw)
    assert cert.gap <= GAP_SLACK[np.float32] * threshold, (cert.gap, threshold)


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("mean", [1e4, 1e5])
def test_float32_large_means_certificates_hold(precompute, mean):
    """A float32 fit under column means 1e4-1e5 times the spreads (spreads and means
    varying by column) that reports convergence is within its tol by the oracle's gap,
    and the covariance fits do converge. The products of such a column with a centered
    vector are summed in double (wdot_wide): in float32 the covariance fits reported
    convergence at true gaps 1.5-35x the threshold (and a naive one at 1.3x)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    for seed in range(3):
        rng = np.random.RandomState(seed)
        n, p = 500, 15
        X = (rng.randn(n, p) * (rng.rand(p) + 0.2) + mean * (rng.rand(p) + 0.5))
        y = (X[:, :6] - X[:, :6].mean(0)) @ rng.randn(6) + 0.5 * rng.randn(n)
        sw = rng.rand(n) + 0.5
        X, y = X.astype(np.float32), y.astype(np.float32)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            est = fastenet.Lasso(alpha=0.01, precompute=precompute).fit(X, y, sample_weight=sw)
        if precompute:
            assert not caught, seed
        if caught:
            continue
        cert = certificate(X, y, est.coef_.astype(np.float64), float(est.intercept_),
                           alpha=0.01, l1_ratio=1.0, sample_weight=sw)
        threshold = gap_threshold(y.astype(np.float64), tol=1e-4, sample_weight=sw)
        assert cert.gap <= threshold, (seed, cert.gap / threshold)


def test_float32_constant_unpenalized_column_with_weights():
    """A constant column left unpenalized (penalty factor 0), float32 and weighted: its
    centered norm is 0, so it leaves the problem. With float32 means and W = n it kept a
    norm of rounding, stayed in as a free feature, took the intercept's part (coefficient
    145) and the fit ran to max_iter."""
    rng = np.random.default_rng(1)
    n, p = 200, 30
    X = rng.standard_normal((n, p))
    X[:, 3] = 1.0
    y = X[:, :5] @ np.ones(5) + rng.standard_normal(n)
    sw = rng.random(n) + 0.1
    sw *= n / sw.sum()
    X, y, sw = np.asfortranarray(X.astype(np.float32)), y.astype(np.float32), sw.astype(np.float32)
    pf = np.ones(p)
    pf[3] = 0.0
    d = _kernel.make_design(X, sw=sw, fit_intercept=True)
    sol = _kernel.solve(d, y, alpha=0.05, l1_ratio=1.0, pf=pf,
                        options=_kernel.SolveOptions(max_iter=100))
    assert sol.converged and sol.coef[3] == 0.0


@pytest.mark.parametrize("variant", VARIANTS[:-1])  # (the given Gram comes with its Xy)
def test_float32_correlations_with_a_large_mean_of_y(variant):
    """float32 X and y with mean(y) = 1e4: the correlations X_c^T sw y_c (the covariance
    scheme's Xy, a sparse set Gram's) are summed in double on the centered y. Summed in
    float32 on the raw y they lost their digits: the covariance fits stopped on their
    own gaps 1% away from the float64 solution, which the oracle's gap exposes."""
    rng = np.random.RandomState(3)
    n, p = 2000, 30
    X = rng.uniform(0.5, 2.0, (n, p))
    y = X[:, :6] @ rng.randn(6) + 0.1 * rng.randn(n) + 1e4
    sw = rng.rand(n) + 0.5
    sw *= n / sw.sum()
    X, y, sw = X.astype(np.float32), y.astype(np.float32), sw.astype(np.float32)
    sol = _solve(_design(*variant, X, sw), y, tol=TOL[np.float32])
    assert sol.converged and np.count_nonzero(sol.coef) >= 3
    _assert_certified(X, y, sw, sol, np.float32, variant)


def _toeplitz_path(near_duplicates, n=1500, p=1100, seed=0):
    """A path whose Gram takes float32 steps (p >= 1,024, covariance.hpp's
    kFloatStepsMinP): Toeplitz correlation 0.9 between neighbouring columns, and with
    near_duplicates every odd column its even neighbour plus that much noise (a pair's
    Gram then has condition number about 4 / near_duplicates^2: 4e6 at 1e-3, where a
    float32 refinement step gains only a factor of 0.25 per outer check)."""
    rng = np.random.RandomState(seed)
    Z = rng.randn(n, p)
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = 0.9 * X[:, j - 1] + np.sqrt(1 - 0.81) * Z[:, j]
    if near_duplicates:
        X[:, 1::2] = X[:, 0::2] + near_duplicates * rng.randn(n, p // 2)
    w = np.zeros(p)
    w[rng.choice(p, 30, replace=False)] = rng.randn(30)
    y = X @ w + 0.5 * rng.randn(n) + 1.0
    amax = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / n
    return np.asfortranarray(X), y, amax * np.logspace(0, -2, 12)


@pytest.mark.parametrize("near_duplicates", [0.0, 1e-3], ids=["toeplitz", "duplicates"])
@pytest.mark.parametrize("gram", ["lazy", "given"])
def test_float32_steps_keep_paths_certified(near_duplicates, gram):
    """Covariance updates on a float64 Gram of p >= 1,024 step with float32 copies of its
    columns and rebuild the gradient in float64 before every outer check (covariance.hpp):
    every point of the path is certified by the oracle at tol 1e-10, as without them,
    and both paths agree to 1e-7 of the largest coefficient (the gaps allow more)."""
    X, y, alphas = _toeplitz_path(near_duplicates)
    tol = 1e-10
    threshold = gap_threshold(y, tol=tol)
    precompute = True
    if gram == "given":
        Xc = X - X.mean(axis=0)
        precompute = Xc.T @ Xc
    coefs = {}
    for on in (True, False):
        design = _kernel.make_design(X, sw=None, fit_intercept=True, precompute=precompute)
        sol = _kernel.solve_path(design, y, alphas, l1_ratio=1.0, options=_kernel.SolveOptions(
            tol=tol, max_iter=100_000, float_steps=on))
        assert sol.converged.all(), (on, sol.converged)
        for k, alpha in enumerate(alphas):
            cert = certificate(X, y, sol.coefs[:, k], sol.intercepts[k], alpha=alpha)
            assert cert.gap <= GAP_SLACK[np.float64] * threshold, (on, k, cert.gap)
        coefs[on] = sol.coefs
    assert np.count_nonzero(coefs[True][:, -1]) >= 20
    np.testing.assert_allclose(coefs[True], coefs[False], rtol=0,
                               atol=1e-7 * np.abs(coefs[False]).max())


def test_float32_sparse_path_keeps_its_newton_steps():
    """The benchmarks' text-like design (bench/_problems.py, 5,000 x 20,000, seed 1):
    near a point's optimum a Newton step (cd.hpp try_newton) that takes the gap down
    10-50x can move the objective by less than float32 rounds it. Those steps were undone
    for a rise of a few float32 ulps, and the float32 path took 1.36x the epochs of the
    float64 one (its later points crawling); with the objective compared up to its
    rounding, 0.91x. Bound: 1.2x, every point certified by the oracle."""
    from bench._problems import _sparse_text

    problem = _sparse_text(n=5000, p=20000, seed=1)
    epochs = {}
    for dtype in (np.float64, np.float32):
        X, y = problem.X.astype(dtype), problem.y.astype(dtype)
        y = y - y.mean()
        grid = fastenet._path.alpha_grid(X, y, l1_ratio=1.0, fit_intercept=False,
                                         eps=1e-3, n_alphas=100)
        design = _kernel.make_design(X, sw=None, fit_intercept=False)
        sol = _kernel.solve_path(design, y, grid, l1_ratio=1.0,
                                 options=_kernel.SolveOptions(tol=1e-4, max_iter=1000))
        assert sol.converged.all()
        level = 1e-4 * GAP_SLACK[dtype] * gap_threshold(y, tol=1.0, fit_intercept=False)
        for k in range(0, 100, 11):
            cert = certificate(X.astype(np.float64), y.astype(np.float64), sol.coefs[:, k],
                               0.0, alpha=grid[k], l1_ratio=1.0, fit_intercept=False)
            assert cert.gap <= level, (dtype, k, cert.gap, level)
        epochs[dtype] = int(sol.n_iter.sum())
    assert epochs[np.float32] <= 1.2 * epochs[np.float64], epochs
