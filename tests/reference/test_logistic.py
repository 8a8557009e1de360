"""fastenet's LogisticRegression / logistic_path / LogisticRegressionCV against
scikit-learn's, certified by a plain-numpy oracle (tests/_logistic_oracle.py).

Grid: design (dense C-ordered, dense F-ordered, CSR, CSC) x binary / multinomial x
l1_ratio in {1, 0.5, 0} x weights (none, sample weights, class weights) x intercept; plus
float32. For every fit: same support and coefficients as sklearn's reference (saga for
L1 / elastic-net, lbfgs for L2, both at REF_TOL), fastenet's objective no worse than the
reference's beyond fastenet's certified threshold, and the oracle's duality gap of
fastenet's solution below that threshold (``tol`` times the null model's objective).

Note on FIT_TOL: the certificate bounds the objective error; coefficients follow only as
its square root over the curvature (``sqrt(2 gap / l2)``), so fastenet runs at 1e-12 for
1e-5 agreement of the coefficients.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold

import fastenet
from fastenet import _kernel
from tests._logistic_oracle import certificate, null_objective, objective

# --- tolerances -----------------------------------------------------------------------
FIT_TOL = 1e-12  # fastenet
REF_TOL = 1e-12  # sklearn's saga / lbfgs reference
MAX_ITER = 1000  # fastenet's proximal Newton steps
REF_MAX_ITER = 100_000
COEF_RTOL = 1e-5  # |coef - ref| <= COEF_RTOL * max(1, max|ref|), intercepts too
PROBA_ATOL = 1e-12  # predict_proba rows sum to 1
GAP_FACTOR = 1.0  # oracle gap <= GAP_FACTOR * tol * null objective + GAP_ROUNDING * |P|
GAP_ROUNDING = 1e-13
INTERCEPT_KKT = 1e-6  # max_k |sum_i theta_ik| relative to sum s: the optimal intercept
FLOAT32_TOL = 1e-8  # float32 gaps floor near 1e-9 of the null objective (rounding)
FLOAT32_RTOL = 5e-4  # float32 X against the float64 reference: sqrt(2 gap / l2)
CV_SCORE_RTOL = 1e-5  # CV scores (neg_log_loss) against sklearn's, same folds
C_DENSE, C_SPARSE = 0.05, 1.0  # a few features active in the L1 fits (0 < nnz < p)
C = C_DENSE

N, P_DENSE, P_SPARSE = 120, 15, 40
KINDS = ["dense", "dense_f", "csr", "csc"]


def _problem(kind, n_classes, seed=0):
    """(X, y): informative first 4 features, an offset (the intercept matters)."""
    rng = np.random.RandomState(seed)
    if kind in ("csr", "csc"):
        X = sparse.random(N, P_SPARSE, density=0.25, format=kind, random_state=rng,
                          data_rvs=rng.standard_normal)
        Xd = X.toarray()
    else:
        Xd = rng.standard_normal((N, P_DENSE))
        X = np.asfortranarray(Xd) if kind == "dense_f" else Xd
    w = np.zeros(Xd.shape[1])
    w[:4] = [2.0, -1.5, 1.0, 0.8]
    t = Xd @ w + 0.5 * rng.standard_normal(N)
    y = (t > 0.3).astype(int) if n_classes == 2 else np.digitize(t, [-0.8, 0.6])
    return X, y


def _weights(how, y, seed=0):
    """(sample_weight, class_weight) of one weighting scheme."""
    if how == "sample":
        return np.random.RandomState(seed + 1).lognormal(size=len(y)), None
    if how == "class":
        return None, "balanced"
    if how == "dict":
        return None, {0: 2.0, 1: 0.5}
    return None, None


def _raw_weights(sample_weight, class_weight, y):
    """s_i = sample_weight_i * class_weight[y_i], computed here from sklearn's rule."""
    from sklearn.utils.class_weight import compute_class_weight

    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    if class_weight is not None:
        classes = np.unique(y)
        cw = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=s)
        s = s * cw[np.searchsorted(classes, y)]
    return s


def _reference(X, y, l1_ratio, *, sample_weight=None, class_weight=None,
               fit_intercept=True, C_=C):
    solver = "lbfgs" if l1_ratio == 0 else "saga"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.LogisticRegression(
            C=C_, l1_ratio=l1_ratio, solver=solver, tol=REF_TOL, max_iter=REF_MAX_ITER,
            fit_intercept=fit_intercept, class_weight=class_weight,
            random_state=0,  # saga shuffles: an unseeded reference made the test flaky
        ).fit(X, y, sample_weight=sample_weight)


def _ours(X, y, l1_ratio, *, tol, sample_weight=None, class_weight=None,
          fit_intercept=True, C_=C):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return fastenet.LogisticRegression(
            C=C_, l1_ratio=l1_ratio, tol=tol, max_iter=MAX_ITER,
            fit_intercept=fit_intercept, class_weight=class_weight,
        ).fit(X, y, sample_weight=sample_weight)


def _assert_close(ours, ref, label):
    scale = max(1.0, float(np.abs(ref).max()))
    err = float(np.abs(np.asarray(ours, float) - np.asarray(ref, float)).max())
    assert err <= COEF_RTOL * scale, f"{label}: max error {err:.3e} (scale {scale:.3g})"


def _centered(b):
    b = np.asarray(b, dtype=np.float64)
    return b - b.mean() if b.size > 1 else b


def _check_against_reference(X, y, est, ref, *, C_, l1_ratio, s, fit_intercept, tol):
    codes = np.searchsorted(est.classes_, y)
    n_classes = len(est.classes_)
    # same classes, shapes, support and coefficients
    np.testing.assert_array_equal(est.classes_, ref.classes_)
    assert est.coef_.shape == ref.coef_.shape
    if l1_ratio > 0:
        np.testing.assert_array_equal(est.coef_ != 0, ref.coef_ != 0)
    _assert_close(est.coef_, ref.coef_, "coef_")
    _assert_close(_centered(est.intercept_), _centered(ref.intercept_), "intercept_")
    # probabilities: rows sum to 1, close to the reference's
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=PROBA_ATOL)
    np.testing.assert_allclose(proba, ref.predict_proba(X), rtol=0, atol=10 * COEF_RTOL)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))
    # the certificate, recomputed here: gap below the threshold fastenet was given ...
    threshold = tol * null_objective(codes, n_classes, s=s, fit_intercept=fit_intercept)
    cert = certificate(X, codes, est.coef_, est.intercept_, C=C_, l1_ratio=l1_ratio, s=s)
    rounding = GAP_ROUNDING * abs(cert.primal)
    assert cert.gap <= GAP_FACTOR * threshold + rounding, (cert.gap, threshold)
    assert est.dual_gap_ <= threshold + rounding
    if fit_intercept:
        assert cert.intercept_residual <= INTERCEPT_KKT * s.sum()
    # ... and an objective no worse than sklearn's beyond it
    ref_obj = objective(X, codes, ref.coef_, ref.intercept_, C=C_, l1_ratio=l1_ratio, s=s)
    assert cert.primal <= ref_obj + threshold + rounding, (cert.primal, ref_obj)


CASES = [(kind, k, r, w, True) for kind in ("dense", "csr") for k in (2, 3)
         for r in (1.0, 0.5, 0.0) for w in ("none", "sample", "class")]
CASES += [("dense_f", 2, 0.5, "sample", True), ("csc", 3, 1.0, "none", True),
          ("dense", 2, 1.0, "dict", True), ("dense", 3, 0.5, "dict", True),
          ("dense", 2, 1.0, "none", False), ("dense", 3, 0.5, "sample", False),
          ("csr", 2, 0.0, "class", False), ("csc", 3, 0.0, "none", False)]


@pytest.mark.parametrize("kind, n_classes, l1_ratio, weights, fit_intercept", CASES,
                         ids=["-".join(map(str, c)) for c in CASES])
def test_agreement_with_sklearn(kind, n_classes, l1_ratio, weights, fit_intercept):
    X, y = _problem(kind, n_classes)
    sample_weight, class_weight = _weights(weights, y)
    tol = FIT_TOL
    C_ = C_SPARSE if sparse.issparse(X) else C_DENSE
    est = _ours(X, y, l1_ratio, tol=tol, sample_weight=sample_weight,
                class_weight=class_weight, fit_intercept=fit_intercept, C_=C_)
    ref = _reference(X, y, l1_ratio, sample_weight=sample_weight, class_weight=class_weight,
                     fit_intercept=fit_intercept, C_=C_)
    if l1_ratio == 1:  # a meaningful support: some features in, some out
        assert 0 < np.count_nonzero(est.coef_) < est.coef_.size
    s = _raw_weights(sample_weight, class_weight, y)
    _check_against_reference(X, y, est, ref, C_=C_, l1_ratio=l1_ratio, s=s,
                             fit_intercept=fit_intercept, tol=tol)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_float32_kept_and_close(kind, n_classes):
    X, y = _problem(kind, n_classes)
    est = fastenet.LogisticRegression(C=C, l1_ratio=0.5, tol=FLOAT32_TOL,
                                      max_iter=MAX_ITER).fit(X.astype(np.float32), y)
    ref = _reference(X, y, 0.5)
    assert est.coef_.dtype == np.float32 and est.intercept_.dtype == np.float32
    assert est.predict_proba(X.astype(np.float32)).dtype == np.float32
    scale = max(1.0, float(np.abs(ref.coef_).max()))
    assert np.abs(est.coef_ - ref.coef_).max() <= FLOAT32_RTOL * scale
    np.testing.assert_allclose(_centered(est.intercept_), _centered(ref.intercept_),
                               rtol=0, atol=FLOAT32_RTOL * scale)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_unpenalized_C_inf_matches_lbfgs(n_classes):
    """C=inf (sklearn's penalty=None): no penalty at all, on non-separable data."""
    X, y = _problem("dense", n_classes, seed=3)
    X = X[:, 4:]  # noise features only: far from separable, the optimum exists
    est = _ours(X, y, 0.0, tol=FIT_TOL, C_=np.inf)
    ref = _reference(X, y, 0.0, C_=np.inf)
    _assert_close(est.coef_, ref.coef_, "coef_")
    _assert_close(_centered(est.intercept_), _centered(ref.intercept_), "intercept_")


def test_multinomial_l1_tight_tol():
    """Once a stall: one coefficient's KKT violation left the logistic gap (first order in
    it, through the dual scale shared by the classes) above tol while its Newton model
    judged itself solved (second order); models now always take their coordinate steps."""
    X, y = _problem("dense", 3)
    _ours(X, y, 1.0, tol=1e-12, class_weight="balanced")


# --- the path ------------------------------------------------------------------------

@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("kind", ["dense", "csc"])
def test_path_equals_fits(kind, n_classes):
    """logistic_path (one kernel call, warm starts) = one LogisticRegression per C."""
    X, y = _problem(kind, n_classes)
    Cs = np.logspace(-2, 1, 5)
    coefs, grid, n_iter = fastenet.logistic_path(X, y, Cs=Cs, l1_ratio=0.5, tol=FIT_TOL,
                                                 max_iter=MAX_ITER)
    np.testing.assert_array_equal(grid, Cs)
    p = X.shape[1]
    assert coefs.shape == ((5, p + 1) if n_classes == 2 else (5, n_classes, p + 1))
    assert n_iter.shape == (5,) and n_iter.dtype == np.int32
    for k, C_ in enumerate(Cs):
        est = _ours(X, y, 0.5, tol=FIT_TOL, C_=C_)
        w = coefs[k] if n_classes > 2 else coefs[k][np.newaxis]
        _assert_close(w[:, :p], est.coef_, f"C={C_}")
        _assert_close(_centered(w[:, p]), _centered(est.intercept_), f"C={C_} intercept")


def test_path_default_grid_and_no_intercept():
    X, y = _problem("dense", 2)
    coefs, grid, _ = fastenet.logistic_path(X, y, Cs=4, fit_intercept=False,
                                            tol=FIT_TOL, max_iter=MAX_ITER)
    np.testing.assert_allclose(grid, np.logspace(-4, 4, 4))
    assert coefs.shape == (4, X.shape[1])
    est = _ours(X, y, 0.0, tol=FIT_TOL, C_=grid[2], fit_intercept=False)
    _assert_close(coefs[2], est.coef_[0], "coef")


def test_path_keeps_classes_missing_from_y():
    """classes= gives every class its row, also one absent from y (a CV fold)."""
    X, y = _problem("dense", 3)
    keep = y != 2
    coefs, _, _ = fastenet.logistic_path(X[keep], y[keep], Cs=[1.0], classes=[0, 1, 2],
                                         tol=1e-8)
    assert coefs.shape == (1, 3, X.shape[1] + 1)
    assert coefs[0, 2, -1] < coefs[0, 0, -1]  # the absent class: the lowest intercept


def test_kernel_gap_below_its_threshold():
    """The kernel's own report: gap <= tol_abs at every converged point, tol_abs equal
    to tol times the null objective recomputed here."""
    X, y = _problem("dense", 3)
    codes = y.astype(np.int32)
    Cs = np.logspace(-2, 1, 4)
    sol = _kernel.solve_logistic_path(
        np.asfortranarray(X), codes, 3, None, True, 0.5 / Cs, 0.5 / Cs,
        options=_kernel.SolveOptions(tol=1e-8, max_iter=MAX_ITER))
    assert sol.converged.all()
    assert np.all(sol.gap <= sol.tol_abs)
    np.testing.assert_allclose(sol.tol_abs, 1e-8 * null_objective(codes, 3), rtol=1e-10)
    np.testing.assert_allclose(sol.intercept.sum(axis=1), 0.0, atol=1e-12)


# --- cross-validation ----------------------------------------------------------------

CV_CASES = [(2, (0.0,), "lbfgs"), (3, (0.0,), "lbfgs"), (2, (0.5, 1.0), "saga"),
            (3, (0.5,), "saga")]


@pytest.mark.parametrize("n_classes, l1_ratios, solver", CV_CASES,
                         ids=[f"{k}-{r}" for k, r, _ in CV_CASES])
def test_cv_same_choice_as_sklearn(n_classes, l1_ratios, solver):
    """Same folds, same scorer (neg_log_loss: ties unlikely) -> same C_, l1_ratio_;
    scores, fold paths and the refit agree."""
    X, y = _problem("dense", n_classes)
    # From C = 0.1: sklearn's saga stops after one epoch, its intercept unfitted, where
    # every coefficient is 0 (checked below: no reference path point is all zero).
    Cs = np.logspace(-1, 1, 6)
    common = {"Cs": Cs, "l1_ratios": l1_ratios, "cv": StratifiedKFold(3),
              "scoring": "neg_log_loss", "use_legacy_attributes": False,
              "max_iter": MAX_ITER}
    tol = FIT_TOL
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = fastenet.LogisticRegressionCV(tol=tol, **common).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = sk.LogisticRegressionCV(solver=solver, tol=REF_TOL,
                                      **{**common, "max_iter": REF_MAX_ITER}).fit(X, y)
    p = X.shape[1]
    assert np.all(np.abs(ref.coefs_paths_[..., :p]).max(axis=(-2, -1)) > 0)
    assert ours.C_ == ref.C_ and ours.l1_ratio_ == ref.l1_ratio_
    np.testing.assert_array_equal(ours.Cs_, ref.Cs_)
    np.testing.assert_array_equal(ours.l1_ratios_, ref.l1_ratios_)
    np.testing.assert_allclose(ours.scores_, ref.scores_, rtol=CV_SCORE_RTOL)
    assert ours.coefs_paths_.shape == ref.coefs_paths_.shape
    _assert_close(ours.coefs_paths_[..., :p], ref.coefs_paths_[..., :p], "coefs_paths_")
    _assert_close(ours.coef_, ref.coef_, "coef_")
    _assert_close(_centered(ours.intercept_), _centered(ref.intercept_), "intercept_")


def test_cv_threads_same_as_serial():
    X, y = _problem("csr", 3)
    params = {"Cs": np.logspace(-1, 1, 4), "l1_ratios": (0.5, 1.0), "cv": 4,
              "scoring": "neg_log_loss",
              "use_legacy_attributes": False, "tol": 1e-6, "max_iter": MAX_ITER}
    one = fastenet.LogisticRegressionCV(n_jobs=1, **params).fit(X, y)
    two = fastenet.LogisticRegressionCV(n_jobs=2, **params).fit(X, y)
    np.testing.assert_array_equal(one.coefs_paths_, two.coefs_paths_)
    np.testing.assert_array_equal(one.scores_, two.scores_)
    np.testing.assert_array_equal(one.coef_, two.coef_)


def test_cv_fold_indices_as_numpy_reads_them():
    """Folds given as boolean masks or negative indices select the rows sklearn would:
    the same scores and coefficients as their nonnegative positions."""
    X, y = _problem("dense", 2)
    n = len(y)
    rows = np.arange(n)
    plain = [(rows[rows % 3 != k], rows[rows % 3 == k]) for k in range(3)]
    masks = [(rows % 3 != k, rows % 3 == k) for k in range(3)]
    negative = [(train - n, test - n) for train, test in plain]
    params = {"Cs": np.logspace(-1, 1, 3), "use_legacy_attributes": False}
    ref = fastenet.LogisticRegressionCV(cv=plain, **params).fit(X, y)
    for cv in (masks, negative):
        est = fastenet.LogisticRegressionCV(cv=cv, **params).fit(X, y)
        np.testing.assert_array_equal(est.scores_, ref.scores_)
        np.testing.assert_array_equal(est.coef_, ref.coef_)


def test_cv_refit_false_averages_fold_solutions():
    X, y = _problem("dense", 2)
    params = {"Cs": np.logspace(-2, 1, 5), "l1_ratios": (0.0,), "cv": StratifiedKFold(3),
              "scoring": "neg_log_loss", "use_legacy_attributes": False, "refit": False}
    ours = fastenet.LogisticRegressionCV(tol=FIT_TOL, max_iter=MAX_ITER, **params).fit(X, y)
    ref = sk.LogisticRegressionCV(tol=REF_TOL, max_iter=REF_MAX_ITER, **params).fit(X, y)
    assert ours.C_ == pytest.approx(ref.C_, rel=1e-12)
    _assert_close(ours.coef_, ref.coef_, "coef_")
    _assert_close(ours.intercept_, ref.intercept_, "intercept_")


def test_cv_sample_and_class_weights_match_sklearn():
    X, y = _problem("dense", 3)
    sw = np.random.RandomState(5).lognormal(size=len(y))
    common = {"Cs": np.logspace(-2, 1, 5), "l1_ratios": (0.0,), "cv": StratifiedKFold(3),
              "scoring": "neg_log_loss", "use_legacy_attributes": False,
              "class_weight": "balanced"}
    ours = fastenet.LogisticRegressionCV(tol=FIT_TOL, max_iter=MAX_ITER, **common).fit(
        X, y, sample_weight=sw)
    ref = sk.LogisticRegressionCV(tol=REF_TOL, max_iter=REF_MAX_ITER, **common).fit(
        X, y, sample_weight=sw)
    assert ours.C_ == ref.C_
    np.testing.assert_allclose(ours.scores_, ref.scores_, rtol=CV_SCORE_RTOL)
    _assert_close(ours.coef_, ref.coef_, "coef_")
