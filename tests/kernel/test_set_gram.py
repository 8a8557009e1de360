"""Working sets solved on their Gram (csrc/fastenet/set_gram.hpp).

On a dense design with long columns (the kernel takes a set's Gram only from 20,000 rows
and at least 4 rows per feature of the set), and on CSC columns of doubles where a set's
entries outnumber its Gram's (one-hot designs' frequent levels; on a path, whose points
keep most of the last set's entries), naive updates solve each working set by
covariance updates on the set's centered, weighted Gram. The fits must be the same fits:
converged, certified by the numpy oracle (the kernel never certifies itself), equal to
those with the Gram off to 1e-6 of the largest coefficient (float32: 1e-2) after about
as many epochs, with the Gram actually used (n_gram_sets > 0) and never where it must
not be.
"""
import functools

import numpy as np
import pytest
from scipy import sparse

from fastenet import _kernel

from tests._oracle import alpha_max, certificate, gap_threshold

# Past the kernel's minimum rows for a set Gram (kMinRows); not a multiple of 8, so that
# the Gram blocks' row packing (cross.cpp) also takes its last rows one by one.
N, P = 24_005, 120
TOL = {np.float64: 1e-9, np.float32: 1e-5}
GAP_SLACK = {np.float64: 1.5, np.float32: 10.0}  # oracle gap <= slack * tol * ||y_c||^2
AGREE = {np.float64: 1e-6, np.float32: 1e-2}  # |on - off| <= this * max |coef|
CASES = ["plain", "weighted", "float32", "positive", "penalty_factor", "unpenalized", "enet",
         "offset", "no_intercept", "warm", "ill"]


@functools.cache  # one design per case for all the fits (read-only: never written to)
def _problem(case, seed):
    """Correlated columns (AR(1), 0.5; "ill": 0.98, where coordinate descent crawls and
    Newton steps are taken) with means away from 0, 12 true nonzeros."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((N, P))
    X = np.empty((N, P), order="F")
    X[:, 0] = Z[:, 0]
    rho = 0.98 if case == "ill" else 0.5
    for j in range(1, P):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    X += rng.uniform(-2, 2, P)
    if case == "offset":  # large means: the Gram's centering must not cancel
        X += 1e3
    w = np.zeros(P)
    w[rng.choice(P, 12, replace=False)] = rng.uniform(0.5, 2, 12) * rng.choice([-1, 1], 12)
    y = X @ w + 3.0 + rng.standard_normal(N)
    dtype = np.float32 if case == "float32" else np.float64
    sw = None
    if case == "weighted":  # the kernel's weights sum to n (the estimators rescale them)
        sw = rng.random(N) + 0.5
        sw = (sw * (N / sw.sum())).astype(dtype)
    arrays = (np.asfortranarray(X, dtype=dtype), y.astype(dtype), sw)
    for a in arrays:
        if a is not None:
            a.setflags(write=False)
    return arrays


def _penalty_factor(case, p=P):
    if case == "penalty_factor":
        return np.random.default_rng(5).random(p) + 0.5
    if case == "unpenalized":  # two features no penalty holds: the residual's projection
        pf = np.ones(p)
        pf[[3, 50]] = 0.0
        return pf
    return None


def _fits(case, alphas, make=None, **opts):
    X, y, sw = (make or _problem)(case, seed=3)
    dtype = X.dtype.type
    p = X.shape[1]
    pf = _penalty_factor(case, p)
    lo = np.zeros(p) if case == "positive" else None
    l1_ratio = 0.5 if case == "enet" else 1.0
    intercept = case != "no_intercept"
    # warm: from a perturbed solution at the first alpha (its nonzeros start in the sets)
    coef_init = None
    if case == "warm":
        start = _kernel.solve(_kernel.make_design(X, sw=sw, fit_intercept=True), y,
                              alpha=alphas[0], l1_ratio=l1_ratio)
        coef_init = start.coef * 1.3
    sols = [_kernel.solve_path(_kernel.make_design(X, sw=sw, fit_intercept=intercept), y,
                               alphas, l1_ratio=l1_ratio, pf=pf, lo=lo, coef_init=coef_init,
                               options=_kernel.SolveOptions(tol=TOL[dtype], set_gram=on,
                                                            **opts))
            for on in (True, False)]
    threshold = gap_threshold(y.astype(np.float64), tol=TOL[dtype], sample_weight=sw,
                              fit_intercept=intercept)
    for sol in sols:
        assert sol.converged.all()
        for k, alpha in enumerate(alphas):
            cert = certificate(X.astype(np.float64), y.astype(np.float64), sol.coefs[:, k],
                               sol.intercepts[k], alpha=alpha, l1_ratio=l1_ratio,
                               sample_weight=sw, penalty_factor=pf,
                               fit_intercept=intercept, positive=case == "positive")
            assert cert.gap <= GAP_SLACK[dtype] * threshold, (k, cert.gap, threshold)
    on, off = sols
    assert off.n_gram_sets.sum() == 0
    # The same iterates up to rounding, so about the same work: a Gram state that drifts
    # from the residual's (its statistics, its refresh after Newton steps) would still
    # certify, through the outer checks' real residual, but after many more epochs.
    if dtype == np.float64:
        assert on.n_iter.sum() <= 1.1 * off.n_iter.sum() + 2, (on.n_iter, off.n_iter)
    scale = np.abs(off.coefs).max()
    np.testing.assert_allclose(on.coefs, off.coefs, rtol=0, atol=AGREE[dtype] * scale)
    return on, off


def _alpha_max(case, make=None):
    X, y, sw = (make or _problem)(case, seed=3)
    return alpha_max(X, y, sample_weight=sw, fit_intercept=case != "no_intercept",
                     penalty_factor=_penalty_factor(case, X.shape[1]))


@pytest.mark.parametrize("case", CASES)
def test_set_gram_fits_are_the_naive_fits(case):
    """A single fit at alpha_max/20 and a 5-point path down to alpha_max/100."""
    amax = _alpha_max(case)
    for alphas in (amax * np.array([0.05]), amax * np.logspace(0, -2, 5)):
        on, off = _fits(case, alphas)
        assert on.n_gram_sets.sum() > 0
        assert np.count_nonzero(on.coefs[:, -1]) >= 4


def test_set_gram_with_newton_steps_and_anderson_off():
    """The Gram's state follows Newton steps (refresh) and plain epochs alike."""
    amax = _alpha_max("plain")
    alphas = amax * np.logspace(-1, -3, 3)
    for opts in (dict(anderson=False), dict(newton=False), dict(anderson=False, newton=False)):
        on, _ = _fits("plain", alphas, **opts)
        assert on.n_gram_sets.sum() > 0


def test_set_gram_is_not_taken_on_short_columns_nor_for_a_single_sparse_fit():
    """Below the kernel's minimum rows (kMinRows) dense sets are solved by naive updates;
    so are a single fit's sets on CSC columns, whose fresh entries would cost more than
    the few epochs they serve (here: every column full, 24,005 entries)."""
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((5_000, 300)))
    y = X[:, :10] @ rng.standard_normal(10) + rng.standard_normal(5_000)
    sol = _kernel.solve(_kernel.make_design(X, sw=None, fit_intercept=True), y,
                        alpha=0.01, l1_ratio=1.0)
    assert sol.converged and sol.n_gram_sets == 0
    X, y, _ = _problem("plain", seed=3)
    sol = _kernel.solve(_kernel.make_design(sparse.csc_matrix(X), sw=None,
                                            fit_intercept=True), y,
                        alpha=0.05 * _alpha_max("plain"), l1_ratio=1.0)
    assert sol.converged and sol.n_gram_sets == 0 and np.count_nonzero(sol.coef) >= 8


# CSC: a one-hot design (five categorical features of 3 to 50 levels, skewed level
# frequencies, 20,000 rows), where the frequent levels' columns hold thousands of entries
# and a set's Gram costs far less per epoch than its columns.
CSC_N, CSC_LEVELS = 20_000, (3, 5, 10, 20, 50)
CSC_CASES = ["plain", "weighted", "float32", "float32_offset", "positive", "penalty_factor",
             "unpenalized", "enet", "no_intercept", "int64"]


@functools.cache
def _onehot(case, seed):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(CSC_N), len(CSC_LEVELS))
    codes, offset = [], 0
    for levels in CSC_LEVELS:
        freq = 1.0 / np.arange(1, levels + 1) ** 1.1
        codes.append(offset + rng.choice(levels, CSC_N, p=freq / freq.sum()))
        offset += levels
    dtype = np.float32 if case.startswith("float32") else np.float64
    # float32_offset: values away from 1 and a large mean of y (its sets took the Gram
    # before float32 CSC sets were left naive; with their correlations with y summed in
    # float32 on the raw y, the path ran to max_iter)
    values = rng.uniform(0.5, 2, rows.size) if case == "float32_offset" else np.ones(rows.size)
    X = sparse.csc_matrix((values.astype(dtype),
                           (rows, np.stack(codes, axis=1).ravel())),
                          shape=(CSC_N, offset))
    X.sum_duplicates()
    if case == "int64":
        X.indices, X.indptr = X.indices.astype(np.int64), X.indptr.astype(np.int64)
    w = np.zeros(offset)
    w[rng.choice(offset, 40, replace=False)] = rng.standard_normal(40)
    shift = 1e4 if case == "float32_offset" else 3.0
    y = (X @ w + shift + 0.5 * rng.standard_normal(CSC_N)).astype(dtype)
    sw = None
    if case == "weighted":
        sw = rng.random(CSC_N) + 0.5
        sw = (sw * (CSC_N / sw.sum())).astype(dtype)
    for a in (X.data, X.indices, X.indptr, y) + ((sw,) if sw is not None else ()):
        a.setflags(write=False)
    return X, y, sw


@pytest.mark.parametrize("case", CSC_CASES)
def test_sparse_set_gram_paths_are_the_naive_paths(case):
    """A 20-point path down to alpha_max/1000 takes the Gram on some of its sets and
    ends where naive updates end."""
    amax = _alpha_max(case, make=_onehot)
    on, _ = _fits(case, amax * np.logspace(0, -3, 20), make=_onehot)
    if case.startswith("float32"):  # float32 CSC sets stay naive (set_gram.hpp kCovers)
        assert on.n_gram_sets.sum() == 0
    else:
        assert on.n_gram_sets.sum() > 0
    assert np.count_nonzero(on.coefs[:, -1]) >= 20


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_boxed_paths_converge(dtype):
    """A one-hot path (25,000 rows, five features of 3 to 50 levels) with boxes (lower
    bounds -0.3) down to alpha_max/10,000 at tol 1e-5. In float32 its sets took the Gram
    and one point ran to max_iter: each outer check, on the float32 residual, failed to
    certify the set's solution in double, and the same set was entered again, 500 times.
    float32 CSC sets now stay naive; float64 ones take the Gram and converge."""
    rng = np.random.default_rng(5)
    n, codes, offset = 25_000, [], 0
    for levels in CSC_LEVELS:
        freq = 1.0 / np.arange(1, levels + 1) ** 1.1
        codes.append(offset + rng.choice(levels, n, p=freq / freq.sum()))
        offset += levels
    X = sparse.csc_matrix((np.ones(n * len(CSC_LEVELS), dtype),
                           (np.repeat(np.arange(n), len(CSC_LEVELS)),
                            np.stack(codes, axis=1).ravel())), shape=(n, offset))
    X.sum_duplicates()
    w = np.zeros(offset)
    w[rng.choice(offset, 40, replace=False)] = rng.standard_normal(40)
    y = (X @ w + 3.0 + 0.5 * rng.standard_normal(n)).astype(dtype)
    alphas = alpha_max(X, y) * np.logspace(0, -4, 20)
    sol = _kernel.solve_path(_kernel.make_design(X, sw=None, fit_intercept=True), y, alphas,
                             l1_ratio=1.0, lo=np.full(offset, -0.3),
                             options=_kernel.SolveOptions(tol=1e-5))
    assert sol.converged.all(), sol.n_iter
    assert (sol.n_gram_sets.sum() > 0) == (dtype == np.float64)


def test_sparse_set_gram_keeps_the_mode_its_inner_solve_started_in():
    """The CSC rule allows more after each set it declines (set_gram.hpp, declined_), so
    a set declined at the start of an inner solve can pass it at the rebuild after a
    Newton step. The solve must stay in the mode it started in, the one its Anderson
    states were kept in: re-entering there raised "Anderson states kept in one update
    mode, used in another" on this path (twelve one-hot features of 50 levels, no
    intercept)."""
    rng = np.random.default_rng(4)
    n, features, levels = 10_000, 12, 50
    freq = 1.0 / np.arange(1, levels + 1) ** 0.9
    codes = np.stack([f * levels + rng.choice(levels, n, p=freq / freq.sum())
                      for f in range(features)], axis=1)
    X = sparse.csc_matrix((np.ones(codes.size), (np.repeat(np.arange(n), features),
                                                 codes.ravel())),
                          shape=(n, features * levels))
    X.sum_duplicates()
    y = X @ (0.3 * rng.standard_normal(X.shape[1])) + 1 + 0.3 * rng.standard_normal(n)
    alphas = alpha_max(X, y, fit_intercept=False) * np.logspace(0, -4, 12)
    on, off = (_kernel.solve_path(_kernel.make_design(X, sw=None, fit_intercept=False), y,
                                  alphas, l1_ratio=1.0,
                                  options=_kernel.SolveOptions(tol=1e-9, set_gram=flag))
               for flag in (True, False))
    assert on.converged.all() and off.converged.all()
    assert on.n_gram_sets.sum() > 0
    threshold = gap_threshold(y, tol=1e-9, fit_intercept=False)
    for k, alpha in enumerate(alphas):
        cert = certificate(X, y, on.coefs[:, k], 0.0, alpha=alpha, l1_ratio=1.0,
                           fit_intercept=False)
        assert cert.gap <= 1.5 * threshold, (k, cert.gap, threshold)
    np.testing.assert_allclose(on.coefs, off.coefs, rtol=0,
                               atol=1e-6 * np.abs(off.coefs).max())


def test_float32_set_gram_claims_no_uncertified_point():
    """A float32 design fitted almost exactly (noise 0.1; case 150 of a randomized check,
    whose draws are replayed here) at tol 1e-8, below what its float32 residual's
    statistics resolve: every point the path reports converged is certified by the
    oracle, with its coefficients in float32 as enet_path returns them; the others end at
    max_iter. (Where the outer checks took the set Gram's double gradients with those
    statistics, their gaps were rounding noise, down to -7x the tol, and points 3-7 were
    reported converged at 1.4-14x the tol.)"""
    rng = np.random.default_rng(150)
    # (the check drew its case first: float32, no intercept, l1_ratio 0.3, tol 1e-8)
    rng.random(5)
    rng.choice([0.3, 0.7, 0.95])
    rng.choice([1e-4, 1e-6, 1e-8])
    n, p = int(rng.integers(20000, 32000)), int(rng.integers(8, 90))  # 29,287 x 75
    rho = float(rng.choice([0.0, 0.5, 0.9, 0.98]))  # 0.9
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    X *= rng.uniform(0.1, 3, p)
    X += rng.uniform(-3, 3, p) * float(rng.choice([1, 1, 10, 1e3]))  # (x 1)
    X = np.asfortranarray(X, dtype=np.float32)
    w = np.zeros(p)
    w[rng.choice(p, p // 5, replace=False)] = (rng.standard_normal(p // 5)
                                               * rng.choice([0.1, 1, 5]))  # (x 1)
    # (no offset; noise 0.1)
    y = X @ w + rng.choice([0, 3, 1e3]) + rng.standard_normal(n) * rng.choice([0.1, 1])
    y = y.astype(np.float32)
    l1_ratio, tol = 0.3, 1e-8
    alphas = alpha_max(X, y, fit_intercept=False) / l1_ratio * np.logspace(0, -3.5, 8)
    sol = _kernel.solve_path(_kernel.make_design(X, sw=None, fit_intercept=False), y, alphas,
                             l1_ratio=l1_ratio, options=_kernel.SolveOptions(tol=tol))
    assert sol.n_gram_sets.sum() > 0
    # The returned coefficients are float32, as sklearn's (enet_path), and certified as such.
    coefs = sol.coefs.astype(np.float32).astype(np.float64)
    threshold = gap_threshold(y.astype(np.float64), tol=tol, fit_intercept=False)
    for k in np.flatnonzero(sol.converged):
        cert = certificate(X.astype(np.float64), y.astype(np.float64), coefs[:, k], 0.0,
                           alpha=alphas[k], l1_ratio=l1_ratio, fit_intercept=False)
        assert cert.gap <= (1 + 1e-6) * threshold, (k, cert.gap / threshold)
