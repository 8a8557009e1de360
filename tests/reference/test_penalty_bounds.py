"""fastenet's extensions beyond sklearn: ``penalty_factor``, ``lower_bounds``,
``upper_bounds``, checked against closed forms, sklearn on an equivalent problem, and
the oracle's certificates (duality gap; KKT conditions where bounds make the gap
inapplicable).

- penalty_factor (Lasso): ``alpha sum pf_j |w_j|`` on X equals sklearn's Lasso on
  ``X[:, j] / pf_j`` with ``w_j = v_j / pf_j``. (For ElasticNet the L2 part does not
  map onto a plain ElasticNet, so it is certified by the oracle instead.)
- pf_j = 0: feature j unpenalized, so the smooth part's gradient vanishes there (KKT),
  and the oracle's gap (dual point projected to stay feasible) meets sklearn's
  threshold; with alpha above alpha_max the fit is the weighted least squares on the
  unpenalized features alone.
- bounds: KKT conditions of the box-constrained problem, checked by the oracle at a
  tight tol; (-inf, inf) equals unconstrained; lower_bounds=0 equals positive=True.
"""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastenet
from tests._designs import constant_columns_problem
from tests._oracle import alpha_max, certificate, gap_threshold, kkt_violation, primal

# --- tolerances -----------------------------------------------------------------------
FIT_TOL = 1e-10  # fastenet's tol where a gap certificate applies
BOUNDS_TOL = 1e-12  # fastenet's tol for bounded fits and fits with pf_j = 0
REF_TOL = 1e-15  # sklearn reference fits
MAX_ITER = 100_000
ALPHA_FRACTION = 0.1  # alpha = ALPHA_FRACTION * alpha_max
GAP_FACTOR = 2.0  # oracle gap <= GAP_FACTOR * tol * ||y_c||^2 ...
GAP_ROUNDING = 1e-14  # ... + GAP_ROUNDING * ||y_c||^2
COEF_RTOL = 1e-6
COEF_ATOL_REL = 1e-7  # atol = COEF_ATOL_REL * max(1, max|coef|), as in test_agreement.py
KKT_RTOL = 1e-6  # KKT violation <= KKT_RTOL * alpha_max (measured: <= 4e-7 at BOUNDS_TOL)
# Unpenalized-only fit vs numpy least squares: the gap certifies P(w) - P* <= tol*||y_c||^2,
# and along unpenalized directions P is a quadratic of curvature lambda_min(A_c^T W A_c), so
# the coefficients are certified to sqrt(2 * tol * ||y_c||^2 / lambda_min); LSQ_SLACK on top.
LSQ_SLACK = 2.0
PF_LOW, PF_HIGH = 0.5, 2.0  # random penalty factors drawn from this range
BOUND_SHRINK = 0.5  # bounds at BOUND_SHRINK * |unconstrained coef|, so many are active
BOUND_PROB = 0.7  # fraction of features given a finite lower (resp. upper) bound

KINDS = ["tall", "wide", "toeplitz", "csc", "csr"]


def _fit(est_cls=fastenet.ElasticNet, X=None, y=None, sw=None, tol=FIT_TOL, **params):
    est = est_cls(tol=tol, max_iter=MAX_ITER, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sw)


def _penalty_factor(p, seed=5):
    return np.random.RandomState(seed).uniform(PF_LOW, PF_HIGH, p)


def _scale_columns(X, scale):
    """X[:, j] * scale[j], keeping X's (sparse) format."""
    if sparse.issparse(X):
        return type(X)(X.multiply(scale[np.newaxis, :]))
    return X * scale


def _coef_atol(coef):
    return COEF_ATOL_REL * max(1.0, float(np.max(np.abs(coef))))


def _assert_gap_certified(est, X, y, *, sw, alpha, l1_ratio, fit_intercept, tol,
                          penalty_factor=None, positive=False):
    cert = certificate(X, y, est.coef_, est.intercept_, alpha=alpha, l1_ratio=l1_ratio,
                       sample_weight=sw, penalty_factor=penalty_factor,
                       fit_intercept=fit_intercept, positive=positive)
    y2 = gap_threshold(y, tol=1.0, sample_weight=sw, fit_intercept=fit_intercept)
    assert cert.gap <= (GAP_FACTOR * tol + GAP_ROUNDING) * y2, (
        f"oracle gap (sklearn's formulation) {cert.gap:.3e} > {GAP_FACTOR} * tol * "
        f"||y_c||^2 = {GAP_FACTOR * tol * y2:.3e} (Fenchel gap {cert.gap_fenchel:.3e})"
    )


def _assert_reported_gap_not_negative(est, y, *, sw, fit_intercept):
    """Whatever certificate fastenet reports in dual_gap_ (duality gap or KKT measure),
    it bounds a non-negative quantity: negative beyond rounding means it is wrong."""
    y2 = gap_threshold(y, tol=1.0, sample_weight=sw, fit_intercept=fit_intercept)
    assert float(est.dual_gap_) * len(y) >= -GAP_ROUNDING * y2, (
        f"dual_gap_ = {float(est.dual_gap_):.3e} < 0")


# --- penalty_factor -------------------------------------------------------------------

PF_GRID = list(itertools.product(KINDS, [True, False], [False, True]))


@pytest.mark.parametrize("kind, fit_intercept, weighted", PF_GRID)
def test_penalty_factor_equals_lasso_on_rescaled_columns(kind, fit_intercept, weighted,
                                                         make_data, make_weights):
    X, y = make_data(kind)
    n, p = X.shape
    sw = make_weights(n) if weighted else None
    pf = _penalty_factor(p)
    alpha = ALPHA_FRACTION * alpha_max(X, y, sample_weight=sw, fit_intercept=fit_intercept,
                                       penalty_factor=pf)
    est = _fit(fastenet.Lasso, X, y, sw, alpha=alpha, fit_intercept=fit_intercept,
               penalty_factor=pf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.Lasso(alpha=alpha, fit_intercept=fit_intercept, tol=REF_TOL,
                       max_iter=MAX_ITER)
        ref.fit(_scale_columns(X, 1 / pf), y, sample_weight=sw)
    expected = ref.coef_ / pf

    _assert_gap_certified(est, X, y, sw=sw, alpha=alpha, l1_ratio=1.0,
                          fit_intercept=fit_intercept, tol=FIT_TOL, penalty_factor=pf)
    atol = _coef_atol(expected)
    np.testing.assert_allclose(est.coef_, expected, rtol=COEF_RTOL, atol=atol)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=COEF_RTOL,
                               atol=atol * 10)


@pytest.mark.parametrize("kind, fit_intercept, weighted", PF_GRID)
def test_penalty_factor_elasticnet_certified(kind, fit_intercept, weighted, make_data,
                                             make_weights):
    """ElasticNet with penalty_factor: the whole penalty is multiplied by pf_j, so the
    oracle's gap (computed with pf) and the KKT conditions must hold."""
    X, y = make_data(kind)
    n, p = X.shape
    sw = make_weights(n) if weighted else None
    pf = _penalty_factor(p)
    l1_ratio = 0.5
    a_max = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw,
                      fit_intercept=fit_intercept, penalty_factor=pf)
    alpha = ALPHA_FRACTION * a_max
    est = _fit(X=X, y=y, sw=sw, alpha=alpha, l1_ratio=l1_ratio,
               fit_intercept=fit_intercept, penalty_factor=pf)
    _assert_gap_certified(est, X, y, sw=sw, alpha=alpha, l1_ratio=l1_ratio,
                          fit_intercept=fit_intercept, tol=FIT_TOL, penalty_factor=pf)
    kkt = kkt_violation(X, y, est.coef_, est.intercept_, alpha=alpha, l1_ratio=l1_ratio,
                        sample_weight=sw, penalty_factor=pf, fit_intercept=fit_intercept)
    assert kkt <= KKT_RTOL * a_max


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_penalty_factor_ones_equals_none(kind, l1_ratio, make_data):
    X, y = make_data(kind)
    n, p = X.shape
    alpha = ALPHA_FRACTION * alpha_max(X, y, l1_ratio=l1_ratio)
    plain = _fit(X=X, y=y, alpha=alpha, l1_ratio=l1_ratio)
    ones = _fit(X=X, y=y, alpha=alpha, l1_ratio=l1_ratio, penalty_factor=np.ones(p))
    atol = _coef_atol(plain.coef_)
    np.testing.assert_allclose(ones.coef_, plain.coef_, rtol=COEF_RTOL, atol=atol)
    np.testing.assert_allclose(ones.intercept_, plain.intercept_, rtol=COEF_RTOL,
                               atol=atol * 10)


N_UNPENALIZED = 3


@pytest.mark.parametrize("kind, fit_intercept, weighted",
                         list(itertools.product(["tall", "wide", "toeplitz", "csc"],
                                                [True, False], [False, True])))
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_zero_penalty_factor_leaves_feature_unpenalized(kind, fit_intercept, weighted,
                                                        l1_ratio, make_data, make_weights):
    """pf_j = 0: at the solution the gradient of the smooth part vanishes for feature j
    (checked, with all other KKT conditions, by the oracle), the oracle's gap is below
    sklearn's threshold, and the reported dual_gap_ is not negative."""
    X, y = make_data(kind)
    n, p = X.shape
    sw = make_weights(n) if weighted else None
    pf = _penalty_factor(p)
    pf[:N_UNPENALIZED] = 0.0
    a_max = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw,
                      fit_intercept=fit_intercept, penalty_factor=pf)
    alpha = ALPHA_FRACTION * a_max
    est = _fit(X=X, y=y, sw=sw, tol=BOUNDS_TOL, alpha=alpha, l1_ratio=l1_ratio,
               fit_intercept=fit_intercept, penalty_factor=pf)
    Xd = X.toarray() if sparse.issparse(X) else X
    swn = np.ones(n) if sw is None else sw * (n / sw.sum())
    r = y - Xd @ est.coef_ - est.intercept_
    grad = Xd[:, :N_UNPENALIZED].T @ (swn * r) / n
    assert np.max(np.abs(grad)) <= KKT_RTOL * a_max, (
        f"gradient on unpenalized features {grad} (alpha_max {a_max:.3e})"
    )
    kkt = kkt_violation(X, y, est.coef_, est.intercept_, alpha=alpha, l1_ratio=l1_ratio,
                        sample_weight=sw, penalty_factor=pf, fit_intercept=fit_intercept)
    assert kkt <= KKT_RTOL * a_max
    # the oracle projects its dual point so that pf_j = 0 features keep it feasible: a
    # valid gap, held to sklearn's threshold like any other fit
    _assert_gap_certified(est, X, y, sw=sw, alpha=alpha, l1_ratio=l1_ratio,
                          fit_intercept=fit_intercept, tol=BOUNDS_TOL, penalty_factor=pf)
    _assert_reported_gap_not_negative(est, y, sw=sw, fit_intercept=fit_intercept)


ONE_SIDED = [dict(positive=True), dict(lower_bounds=-0.3), dict(upper_bounds=0.3),
             dict(upper_bounds=0.0)]
ONE_SIDED_FITS = 25  # random problems per case; the bug below failed 14% of them
WIDE_BOX = 1e4  # the reference's finite stand-in for an unbounded side


@pytest.mark.parametrize("bounds", ONE_SIDED, ids=["positive", "lower", "upper", "nonpos"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csc"])
def test_unpenalized_feature_bounded_on_one_side(bounds, l1_ratio, sparse_X):
    """pf_j = 0 with one finite bound: the dual constraint of its unbounded side is kept
    by projecting the residual off its column while it is inside its box or its
    gradient points out of it (free_projection.hpp). Before that, wrong fits passed as
    certified: a positive lasso with one unpenalized feature gave 28 of 200 random fits
    off by up to 1.6 in objective at reported gaps of 1e-16. Each fit here must meet the
    KKT conditions (oracle), and its objective may exceed that of a reference fit, whose
    unbounded sides are replaced by +-WIDE_BOX (a two-sided box, certified by the
    conjugate gap), by no more than the gap fastenet reports, plus rounding."""
    n, p = 30, 6
    for seed in range(ONE_SIDED_FITS):
        rng = np.random.RandomState(seed)
        X = rng.standard_normal((n, p))
        if sparse_X:
            X[rng.uniform(size=(n, p)) < 0.5] = 0.0
            X = sparse.csc_matrix(X)
        y = X @ rng.standard_normal(p) + rng.standard_normal(n) + 1.0
        sw = rng.uniform(0.2, 2.0, n) if seed % 2 else None
        pf = rng.uniform(PF_LOW, PF_HIGH, p)
        pf[: 1 + seed % 2] = 0.0  # one or two unpenalized features, both bounded
        lo = np.full(p, -np.inf)
        hi = np.full(p, np.inf)
        lo[:] = 0.0 if bounds.get("positive") else bounds.get("lower_bounds", -np.inf)
        hi[:] = bounds.get("upper_bounds", np.inf)
        alpha = 10 ** rng.uniform(-3, 0)
        kw = dict(alpha=alpha, l1_ratio=l1_ratio, penalty_factor=pf)
        est = _fit(X=X, y=y, sw=sw, tol=BOUNDS_TOL, **kw, **bounds)
        ref = _fit(X=X, y=y, sw=sw, tol=BOUNDS_TOL, lower_bounds=np.maximum(lo, -WIDE_BOX),
                   upper_bounds=np.minimum(hi, WIDE_BOX), **kw)
        assert np.max(np.abs(ref.coef_)) < WIDE_BOX / 10  # the stand-in is not active
        a_max = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw, penalty_factor=pf)
        kkt = kkt_violation(X, y, est.coef_, est.intercept_, sample_weight=sw,
                            lower_bounds=lo, upper_bounds=hi, **kw)
        assert kkt <= KKT_RTOL * a_max, f"seed {seed}: KKT violation {kkt:.3e}"
        excess = (primal(X, y, est.coef_, est.intercept_, sample_weight=sw, **kw)
                  - primal(X, y, ref.coef_, ref.intercept_, sample_weight=sw, **kw))
        y2 = gap_threshold(y, tol=1.0, sample_weight=sw) / n
        assert excess <= float(est.dual_gap_) + GAP_ROUNDING * y2, (
            f"seed {seed}: objective {excess:.3e} above the reference, reported gap "
            f"{float(est.dual_gap_):.3e}")
        _assert_reported_gap_not_negative(est, y, sw=sw, fit_intercept=True)


@pytest.mark.parametrize("bounds", [{}] + ONE_SIDED[:3], ids=["free", "positive", "lower",
                                                              "upper"])
def test_collinear_unpenalized_columns_in_float32(bounds):
    """Two unpenalized columns, one a multiple of the other, in float32: their Gram block
    is singular, and in float32 indefinite by its rounding. The projection's ridge was
    1e-12 of the diagonal whatever the precision: pivots of 1e-300, gaps of -1.2 (all-zero
    coefficients reported as converged) or gaps that never closed, in 14% of these fits.
    Each must now converge without a warning to the float64 fit's objective, within the
    gaps both report (plus float32's rounding of the data)."""
    n, p = 40, 5
    for seed in range(10):
        rng = np.random.RandomState(seed)
        X = rng.standard_normal((n, p))
        X[:, 1] = X[:, 0] * rng.choice([2.0, 1.7, 0.5, -1.0, 0.1])
        y = rng.choice([-3, 3]) * X[:, 0] + X[:, 2:] @ rng.standard_normal(p - 2) \
            + rng.standard_normal(n)
        pf = np.ones(p)
        pf[:2] = 0.0
        kw = dict(alpha=0.05, penalty_factor=pf, tol=1e-4, **bounds)
        fits = {dt: _fit(fastenet.Lasso, X.astype(dt), y.astype(dt), **kw)
                for dt in (np.float32, np.float64)}
        X32, y32 = X.astype(np.float32).astype(np.float64), y.astype(np.float32).astype(np.float64)
        obj = {dt: primal(X32, y32, est.coef_, est.intercept_, alpha=0.05, penalty_factor=pf)
               for dt, est in fits.items()}
        y2 = gap_threshold(y32, tol=1.0) / n
        for est in fits.values():
            assert float(est.dual_gap_) >= -1e-6 * y2, (seed, float(est.dual_gap_))
        slack = float(fits[np.float32].dual_gap_) + float(fits[np.float64].dual_gap_) \
            + 1e-5 * y2
        assert abs(obj[np.float32] - obj[np.float64]) <= slack, (seed, obj, slack)


@pytest.mark.parametrize("kind", ["tall", "toeplitz", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_unpenalized_features_only_is_least_squares(kind, weighted, fit_intercept,
                                                    make_data, make_weights):
    """With alpha far above alpha_max every penalized coefficient is 0 and the
    unpenalized ones are the (weighted) least-squares fit on those features alone."""
    X, y = make_data(kind)
    n, p = X.shape
    sw = make_weights(n) if weighted else None
    pf = np.ones(p)
    pf[:N_UNPENALIZED] = 0.0
    # alpha_max of the penalized features given the unpenalized least-squares fit
    Xd = X.toarray() if sparse.issparse(X) else X
    swn = np.ones(n) if sw is None else sw * (n / sw.sum())
    A = Xd[:, :N_UNPENALIZED]
    if fit_intercept:
        A = np.c_[A, np.ones(n)]
    sq = np.sqrt(swn)
    sol = np.linalg.lstsq(A * sq[:, None], y * sq, rcond=None)[0]
    r = y - A @ sol
    alpha = 10 * float(np.max(np.abs(Xd[:, N_UNPENALIZED:].T @ (swn * r)))) / n
    est = _fit(X=X, y=y, sw=sw, tol=BOUNDS_TOL, alpha=alpha, l1_ratio=1.0,
               fit_intercept=fit_intercept, penalty_factor=pf)
    np.testing.assert_array_equal(est.coef_[N_UNPENALIZED:], 0.0)
    Ac = Xd[:, :N_UNPENALIZED]
    if fit_intercept:
        Ac = Ac - np.average(Ac, axis=0, weights=swn)
    lam_min = np.linalg.eigvalsh((Ac * swn[:, None]).T @ Ac)[0]
    threshold = gap_threshold(y, tol=BOUNDS_TOL, sample_weight=sw, fit_intercept=fit_intercept)
    atol = LSQ_SLACK * np.sqrt(2 * threshold / lam_min)
    np.testing.assert_allclose(est.coef_[:N_UNPENALIZED], sol[:N_UNPENALIZED], rtol=0, atol=atol)
    if fit_intercept:
        x_scale = np.abs(np.average(Xd[:, :N_UNPENALIZED], axis=0, weights=swn)).sum()
        np.testing.assert_allclose(est.intercept_, sol[-1], rtol=0, atol=atol * (1 + x_scale))


# --- bounds ---------------------------------------------------------------------------


def _random_bounds(coef, seed=3):
    """Finite bounds on about BOUND_PROB of the features, at BOUND_SHRINK times the
    unconstrained |coef| (0 where coef is 0), -inf/+inf elsewhere."""
    rng = np.random.RandomState(seed)
    p = coef.shape[0]
    lo = np.where(rng.rand(p) < BOUND_PROB, -BOUND_SHRINK * np.abs(coef), -np.inf)
    hi = np.where(rng.rand(p) < BOUND_PROB, BOUND_SHRINK * np.abs(coef), np.inf)
    return lo, hi


BOUNDS_GRID = list(itertools.product(KINDS, [True, False], [False, True], [1.0, 0.5]))


@pytest.mark.parametrize("kind, fit_intercept, weighted, l1_ratio", BOUNDS_GRID)
def test_bounds_kkt(kind, fit_intercept, weighted, l1_ratio, make_data, make_weights):
    X, y = make_data(kind)
    n, p = X.shape
    sw = make_weights(n) if weighted else None
    a_max = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw,
                      fit_intercept=fit_intercept)
    alpha = 0.5 * ALPHA_FRACTION * a_max
    params = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    free = _fit(X=X, y=y, sw=sw, **params)
    lo, hi = _random_bounds(free.coef_)
    est = _fit(X=X, y=y, sw=sw, tol=BOUNDS_TOL, lower_bounds=lo, upper_bounds=hi, **params)

    assert np.all(est.coef_ >= lo) and np.all(est.coef_ <= hi)
    n_active = int(np.sum(((est.coef_ == lo) | (est.coef_ == hi)) & (est.coef_ != 0)))
    assert n_active >= 1, "test data should make some bounds active"
    kkt = kkt_violation(X, y, est.coef_, est.intercept_, sample_weight=sw,
                        lower_bounds=lo, upper_bounds=hi, **params)
    assert kkt <= KKT_RTOL * a_max, f"KKT violation {kkt:.3e} (alpha_max {a_max:.3e})"
    _assert_reported_gap_not_negative(est, y, sw=sw, fit_intercept=fit_intercept)


@pytest.mark.parametrize("kind", ["tall", "wide", "csc"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_positive_with_upper_bounds_kkt(kind, l1_ratio, make_data):
    X, y = make_data(kind)
    a_max = alpha_max(X, y, l1_ratio=l1_ratio)
    alpha = 0.5 * ALPHA_FRACTION * a_max
    free = _fit(X=X, y=y, alpha=alpha, l1_ratio=l1_ratio, positive=True)
    hi = BOUND_SHRINK * free.coef_
    est = _fit(X=X, y=y, tol=BOUNDS_TOL, alpha=alpha, l1_ratio=l1_ratio, positive=True,
               upper_bounds=hi)
    assert np.all(est.coef_ >= 0) and np.all(est.coef_ <= hi)
    kkt = kkt_violation(X, y, est.coef_, est.intercept_, alpha=alpha, l1_ratio=l1_ratio,
                        positive=True, upper_bounds=hi)
    assert kkt <= KKT_RTOL * a_max


def _assert_same_fit(a, b):
    atol = _coef_atol(b.coef_)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=COEF_RTOL, atol=atol)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=COEF_RTOL, atol=atol * 10)


# Box settings that must equal a plain sklearn option: name -> (the option's parameters,
# the boxed parameters for p features (array or scalar form), coefficients constrained >= 0).
BOX_EQUIVALENCES = {
    "infinite_bounds_equal_unconstrained": (
        {},
        lambda p, as_array: dict(lower_bounds=np.full(p, -np.inf) if as_array else -np.inf,
                                 upper_bounds=np.full(p, np.inf) if as_array else np.inf),
        False,
    ),
    "lower_bound_zero_equals_positive": (
        {"positive": True},
        lambda p, as_array: dict(lower_bounds=np.zeros(p) if as_array else 0.0),
        True,
    ),
}


@pytest.mark.parametrize("case", sorted(BOX_EQUIVALENCES))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("as_array", [False, True])
def test_box_equals_plain_option(case, kind, l1_ratio, as_array, make_data):
    option, boxed_params, nonnegative = BOX_EQUIVALENCES[case]
    X, y = make_data(kind)
    alpha = ALPHA_FRACTION * alpha_max(X, y, l1_ratio=l1_ratio)
    plain = _fit(X=X, y=y, alpha=alpha, l1_ratio=l1_ratio, **option)
    boxed = _fit(X=X, y=y, alpha=alpha, l1_ratio=l1_ratio, **boxed_params(X.shape[1], as_array))
    if nonnegative:
        assert np.all(boxed.coef_ >= 0)
    _assert_same_fit(boxed, plain)
    _assert_gap_certified(boxed, X, y, sw=None, alpha=alpha, l1_ratio=l1_ratio,
                          fit_intercept=True, tol=FIT_TOL, positive=nonnegative)


@pytest.mark.parametrize("kind", ["tall", "csc"])
def test_scalar_bounds_equal_arrays(kind, make_data):
    X, y = make_data(kind)
    n, p = X.shape
    alpha = 0.5 * ALPHA_FRACTION * alpha_max(X, y)
    scalar = _fit(X=X, y=y, tol=BOUNDS_TOL, alpha=alpha, lower_bounds=-0.3,
                  upper_bounds=0.4)
    array = _fit(X=X, y=y, tol=BOUNDS_TOL, alpha=alpha, lower_bounds=np.full(p, -0.3),
                 upper_bounds=np.full(p, 0.4))
    np.testing.assert_array_equal(scalar.coef_, array.coef_)
    assert np.all(scalar.coef_ >= -0.3) and np.all(scalar.coef_ <= 0.4)


@pytest.mark.parametrize("n", [10_000, 50_000])
def test_unpenalized_one_hot_dummies_with_an_intercept(n):
    """Every level of a categorical as an unpenalized dummy, with an intercept: centered,
    the dummies sum to 0, an exact null direction of their Gram whose rounding grows with
    the rows summed. A projection ridge of 16 eps of the diagonal (tried in float64) let
    that rounding through: 5 of 20 such fits at 10,000-50,000 rows ran to max_iter at
    gaps 1e4-5e5 times the tol, where 1e-12 converges in under 10 epochs."""
    for seed in range(4):
        rng = np.random.default_rng(seed)
        p, levels = 20, 5
        X = rng.standard_normal((n, p))
        X[:, :levels] = np.eye(levels)[rng.integers(0, levels, n)]
        pf = np.ones(p)
        pf[:levels] = 0
        y = X @ (rng.standard_normal(p) * (rng.random(p) < 0.4)) + rng.standard_normal(n) + 3
        yc = y - y.mean()
        alpha = 0.05 * np.abs(X[:, levels:].T @ yc).max() / n
        est = _fit(fastenet.Lasso, X, y, alpha=alpha, penalty_factor=pf, tol=1e-6)
        cert = certificate(X, y, est.coef_, est.intercept_, alpha=alpha, penalty_factor=pf)
        assert est.n_iter_ < 100 and cert.gap <= GAP_FACTOR * gap_threshold(y, tol=1e-6), \
            (seed, est.n_iter_, cert.gap)


@pytest.mark.parametrize("sparse_x", [False, True])
def test_unpenalized_constant_columns_with_sample_weights(sparse_x):
    """Constant columns (unpenalized, beside the intercept) under sample weights: their
    weighted mean is rounded apart from their value, so sum sw x^2 - W m^2 came out about
    1e-13 of sum sw x^2 instead of 0, and they were solved as features of that curvature,
    their rounding-noise gradients making coefficients of 1e5 to 1e114 (9 of 100 such
    fits warned). Constant to their sums' rounding, they now leave the problem: each fit
    converges, its objective that of the fit without them (certified by the oracle)."""
    for seed in range(12):
        rng = np.random.default_rng(seed)
        n, p = int(rng.choice([100, 3000])), int(rng.integers(8, 30))
        X, y, sw, pf, n_const = constant_columns_problem(rng, n, p)
        yc = y - np.average(y, weights=sw)
        alpha = 0.1 * np.abs(X[:, n_const + 1:].T @ (sw * yc)).max() / sw.sum()
        kw = dict(alpha=alpha, l1_ratio=0.9, tol=1e-8)
        Xf = sparse.csc_matrix(X) if sparse_x else X
        full = _fit(fastenet.ElasticNet, Xf, y, sw=sw, penalty_factor=pf, **kw)
        assert np.all(np.isfinite(full.coef_)) and np.all(full.coef_[:n_const] == 0), seed
        rest = X[:, n_const:]
        reduced = _fit(fastenet.ElasticNet, rest, y, sw=sw, penalty_factor=pf[n_const:], **kw)
        level = GAP_FACTOR * gap_threshold(y, tol=1e-8, sample_weight=sw)
        cert = certificate(rest, y, reduced.coef_, reduced.intercept_, alpha=alpha,
                           l1_ratio=0.9, sample_weight=sw, penalty_factor=pf[n_const:])
        assert cert.gap <= level, (seed, cert.gap, level)
        objective = {name: primal(X, y, est.coef_ if name == "full" else
                                  np.r_[np.zeros(n_const), est.coef_], est.intercept_,
                                  alpha=alpha, l1_ratio=0.9, sample_weight=sw,
                                  penalty_factor=pf)
                     for name, est in (("full", full), ("reduced", reduced))}
        # (primal() is normalized by n, the threshold is not)
        assert objective["full"] <= objective["reduced"] + level / n, (seed, objective)


def test_column_of_tiny_spread_against_its_mean_keeps_its_norm():
    """A column of spread 1e-6 of its mean (n = 10,000, sample weights): its centered norm
    cancels 12 digits of sum sw x^2 - W m^2 but is no constant, and the fit must agree
    with sklearn's (which centers X explicitly). A first cut of the constant-column rule
    (a threshold of 64 sqrt(n) eps on that difference) dropped it."""
    rng = np.random.default_rng(0)
    n, p = 10_000, 10
    X = rng.standard_normal((n, p))
    X[:, 0] = 1e4 + 1e-2 * rng.standard_normal(n)
    y = 300 * (X[:, 0] - 1e4) + X[:, 1] + rng.standard_normal(n)
    sw = rng.uniform(0.5, 2.0, n)
    ours = _fit(fastenet.Lasso, X, y, sw=sw, alpha=0.01, tol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.Lasso(alpha=0.01, tol=1e-12, max_iter=MAX_ITER).fit(X, y, sample_weight=sw)
    assert ours.coef_[0] != 0
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)


@pytest.mark.parametrize("sparse_x", [False, True])
def test_unpenalized_column_constant_on_the_weighted_rows(sparse_x):
    """A column constant on every row of nonzero weight, other values on rows of weight 0:
    beside the intercept it is a constant of the weighted problem. Read over all rows it
    was not, kept the rounding of its centered norm, and 2 of 20 CSC fits gave it
    coefficients of 20 and 3.9e5 (intercepts -119 and -1.4e6)."""
    n = 200
    for seed in range(20):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, 5))
        y = X @ rng.standard_normal(5) + rng.standard_normal(n)
        sw = rng.uniform(0.1, 3.0, n)
        zero = rng.random(n) < 0.2
        sw[zero] = 0
        c = np.full(n, rng.uniform(0.1, 10.0))
        c[zero] = rng.standard_normal(zero.sum())
        Xf = np.column_stack([X, c])
        pf = np.r_[np.ones(5), 0.0]
        est = _fit(fastenet.Lasso, sparse.csc_matrix(Xf) if sparse_x else Xf, y, sw=sw,
                   alpha=0.01, penalty_factor=pf, tol=1e-8)
        reduced = _fit(fastenet.Lasso, X, y, sw=sw, alpha=0.01, tol=1e-8)
        assert est.coef_[-1] == 0, (seed, est.coef_[-1])
        np.testing.assert_allclose(est.coef_[:5], reduced.coef_, rtol=1e-6, atol=1e-8)
