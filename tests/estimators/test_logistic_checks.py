"""fastenet's LogisticRegression / LogisticRegressionCV against scikit-learn's
conventions: the estimator-check suite, signatures and defaults by introspection, the
warnings of sklearn 1.9's deprecations, fitted attributes (names, shapes, dtypes, legacy
and new CV layouts) compared with sklearn's fit of the same data, penalty factors and
bounds, and memory (an F-ordered X is not copied)."""
from __future__ import annotations

import inspect
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastenet
from tests._designs import constant_columns_problem

EXTRA_PARAMS = {"penalty_factor": None, "lower_bounds": None, "upper_bounds": None}
PAIRS = [(fastenet.LogisticRegression, sk.LogisticRegression),
         (fastenet.LogisticRegressionCV, sk.LogisticRegressionCV)]
PAIR_IDS = ["LogisticRegression", "LogisticRegressionCV"]
# The CV instance as sklearn's own checks configure theirs (cv=3, new attributes,
# neg_log_loss), with a tolerance tight enough for the weighted and the repeated fit of
# check_sample_weight_equivalence to stop at the same point.
CV_CHECKED = fastenet.LogisticRegressionCV(Cs=3, cv=3, l1_ratios=(0.0, 0.5), tol=1e-8,
                                           scoring="neg_log_loss",
                                           use_legacy_attributes=False)
N_ITER_REASON = (
    "n_iter_ counts proximal Newton steps per path point; on iris every coefficient is 0 "
    "at C=1e-4 with l1_ratio=0.5 and the balanced classes make the intercepts 0 too, so "
    "the zero warm start is already certified optimal: 0 steps")


def _expected_failures(estimator):
    if isinstance(estimator, fastenet.LogisticRegressionCV) and estimator.l1_ratios == (0.0, 0.5):
        return {"check_non_transformer_estimators_n_iter": N_ITER_REASON}
    return {}


@parametrize_with_checks(
    [fastenet.LogisticRegression(), fastenet.LogisticRegression(l1_ratio=1.0),
     CV_CHECKED, fastenet.LogisticRegressionCV(Cs=3, cv=3)],
    expected_failed_checks=_expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_public_names():
    assert {"LogisticRegression", "LogisticRegressionCV", "logistic_path"} <= set(
        fastenet.__all__)
    assert issubclass(fastenet.LogisticRegressionCV, fastenet.LogisticRegression)


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
def test_constructor_signature_matches_sklearn(ours, theirs):
    """sklearn's parameters, order, kinds and defaults, plus the three keyword-only
    extras."""
    mine = inspect.signature(ours.__init__).parameters
    ref = inspect.signature(theirs.__init__).parameters
    assert [(p.name, p.kind, p.default) for p in mine.values() if p.name in ref] == [
        (p.name, p.kind, p.default) for p in ref.values()]
    extra = {name: p for name, p in mine.items() if name not in ref}
    assert set(extra) == set(EXTRA_PARAMS)
    assert all(p.kind == inspect.Parameter.KEYWORD_ONLY and p.default is None
               for p in extra.values())
    assert {k: v for k, v in ours().get_params().items() if k not in EXTRA_PARAMS} == (
        theirs().get_params())


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("method", ["fit", "predict", "predict_proba", "predict_log_proba",
                                    "decision_function", "score", "sparsify", "densify"])
def test_method_signature_matches_sklearn(ours, theirs, method):
    mine = inspect.signature(getattr(ours, method))
    ref = inspect.signature(getattr(theirs, method))
    assert [(p.name, p.kind, p.default) for p in mine.parameters.values()] == [
        (p.name, p.kind, p.default) for p in ref.parameters.values()]


# --- warnings and errors of sklearn 1.9's parameters ----------------------------------

def _data(n=60, p=5, n_classes=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    t = X @ rng.randn(p) + 0.5 * rng.randn(n)
    y = (t > 0).astype(int) if n_classes == 2 else np.digitize(t, [-0.5, 0.5])
    return X, y


def _outcome(est, X, y):
    """(warnings other than ConvergenceWarning as (category, message), error or None)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
            error = None
        except Exception as exc:  # noqa: BLE001 - the exception is what is compared
            error = (type(exc), str(exc))
    seen = [(w.category, str(w.message)) for w in caught
            if not issubclass(w.category, ConvergenceWarning)]
    return sorted(seen, key=str), error


LR_PARAMS = [
    {"penalty": "l1", "l1_ratio": 1.0}, {"penalty": "l2"}, {"penalty": "l1"},
    {"penalty": "elasticnet", "l1_ratio": 0.5}, {"penalty": None, "C": 2.0},
    {"penalty": None}, {"l1_ratio": None}, {"n_jobs": 2}, {"C": np.inf, "l1_ratio": 0.5},
    {"penalty": "elasticnet", "l1_ratio": None}, {"dual": True},
    {"penalty": "l2", "l1_ratio": 0.5},
]
CV_PARAMS = [
    {}, {"l1_ratios": None, "scoring": None, "use_legacy_attributes": True},
    {"penalty": "l2", "l1_ratios": (0.0,), "scoring": None, "use_legacy_attributes": False},
    {"penalty": "l1", "l1_ratios": (0.5,), "scoring": None, "use_legacy_attributes": False},
    {"l1_ratios": (0.0,), "dual": True, "scoring": None, "use_legacy_attributes": False},
]


@pytest.mark.parametrize("params", LR_PARAMS, ids=[str(p) for p in LR_PARAMS])
def test_logistic_regression_warnings_and_errors_as_sklearn(params):
    """The same warnings (deprecations, inconsistent values) and errors as sklearn for
    the same parameters (sklearn on saga, which accepts every penalty)."""
    X, y = _data()
    ours = _outcome(fastenet.LogisticRegression(**params), X, y)
    ref = _outcome(sk.LogisticRegression(solver="saga", **params), X, y)
    if params.get("dual"):
        ref = _outcome(sk.LogisticRegression(**params), X, y)  # lbfgs's message
    assert ours == ref


@pytest.mark.parametrize("params", CV_PARAMS, ids=[str(p) for p in CV_PARAMS])
def test_cv_warnings_and_errors_as_sklearn(params):
    X, y = _data()
    common = {"Cs": 2, "cv": 2}
    ours = _outcome(fastenet.LogisticRegressionCV(**common, **params), X, y)
    solver = "lbfgs" if params.get("dual") else "saga"
    ref = _outcome(sk.LogisticRegressionCV(solver=solver, **common, **params), X, y)
    assert ours == ref


@pytest.mark.parametrize("l1_ratios", [(0.0, 2.0), (0.5, "a"), ()])
def test_cv_invalid_l1_ratios(l1_ratios):
    """A clear ValueError (sklearn 1.9 means to raise the same, but its message's
    formatting raises TypeError for a tuple)."""
    X, y = _data()
    with pytest.raises(ValueError, match="l1_ratios must be an array-like of numbers"):
        fastenet.LogisticRegressionCV(l1_ratios=l1_ratios, Cs=2, cv=2, scoring=None,
                                      use_legacy_attributes=False).fit(X, y)


def test_solver_does_not_restrict_the_penalty():
    """Every solver name is accepted with every penalty (the kernel is always fastenet's);
    the fit does not depend on it."""
    X, y = _data(n_classes=3)
    fits = [fastenet.LogisticRegression(solver=s, l1_ratio=1.0, C=0.5, tol=1e-10).fit(X, y)
            for s in ("lbfgs", "liblinear", "saga", "newton-cholesky")]
    for est in fits[1:]:
        np.testing.assert_array_equal(est.coef_, fits[0].coef_)


# --- fitted attributes -----------------------------------------------------------------

@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fitted_attributes_match_sklearn(n_classes, dtype, fit_intercept):
    X, y = _data(n_classes=n_classes)
    X = X.astype(dtype)
    est = fastenet.LogisticRegression(fit_intercept=fit_intercept).fit(X, y)
    ref = sk.LogisticRegression(fit_intercept=fit_intercept).fit(X, y)
    for name in ("classes_", "coef_", "intercept_", "n_iter_"):
        mine, theirs = getattr(est, name), getattr(ref, name)
        assert (mine.shape, mine.dtype) == (theirs.shape, theirs.dtype), name
    assert est.n_features_in_ == ref.n_features_in_
    assert isinstance(est.dual_gap_, float)
    for method in ("decision_function", "predict_proba", "predict_log_proba", "predict"):
        mine, theirs = getattr(est, method)(X), getattr(ref, method)(X)
        assert (mine.shape, mine.dtype) == (theirs.shape, theirs.dtype), method
    # log-softmax: equal to log(predict_proba) up to the rounding of the probabilities
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(est.predict_proba(X)),
                               rtol=1e-12, atol=1e-6 if dtype == np.float32 else 1e-14)
    assert np.isscalar(est.score(X, y))
    assert sparse.issparse(est.sparsify().coef_)
    np.testing.assert_array_equal(est.predict(X), est.densify().predict(X))


def _shapes(value):
    if isinstance(value, dict):
        return {str(k): _shapes(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return (value.shape, value.dtype.kind)
    return type(value).__name__


CV_LAYOUTS = [(k, r, legacy) for k in (2, 3) for r in (None, (0.0, 0.5))
              for legacy in (True, False)]


@pytest.mark.parametrize("n_classes, l1_ratios, legacy", CV_LAYOUTS,
                         ids=[f"{k}-{r}-legacy={lg}" for k, r, lg in CV_LAYOUTS])
def test_cv_attribute_layout_matches_sklearn(n_classes, l1_ratios, legacy):
    """Types and shapes of every CV attribute, in the legacy and the new layout."""
    X, y = _data(n=90, n_classes=n_classes)
    params = {"Cs": 3, "cv": 3, "l1_ratios": l1_ratios, "scoring": "neg_log_loss",
              "use_legacy_attributes": legacy}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # l1_ratios=None's deprecation, saga's convergence
        est = fastenet.LogisticRegressionCV(**params).fit(X, y)
        ref = sk.LogisticRegressionCV(solver="saga", **params).fit(X, y)
    for name in ("Cs_", "l1_ratios_", "C_", "l1_ratio_", "coefs_paths_", "scores_",
                 "n_iter_", "coef_", "intercept_", "classes_"):
        assert _shapes(getattr(est, name)) == _shapes(getattr(ref, name)), name
    assert est.n_iter_.dtype == ref.n_iter_.dtype
    for method in ("predict_proba", "decision_function", "predict"):
        assert getattr(est, method)(X).shape == getattr(ref, method)(X).shape


def test_dataframe_and_string_labels():
    X, y = _data(n_classes=3)
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    labels = pd.Series(np.array(["low", "mid", "high"])[y])
    est = fastenet.LogisticRegression().fit(df, labels)
    ref = sk.LogisticRegression().fit(df, labels)
    np.testing.assert_array_equal(est.feature_names_in_, ref.feature_names_in_)
    np.testing.assert_array_equal(est.classes_, ref.classes_)
    np.testing.assert_array_equal(est.predict(df), ref.predict(df))
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(X)


def test_warm_start_resumes():
    X, y = _data(n=80, p=8, n_classes=3)
    est = fastenet.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-10, warm_start=True)
    coef = est.fit(X, y).coef_.copy()
    est.fit(X, y)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-7, atol=1e-10)
    assert est.n_iter_[0] <= 1


# --- fastenet's extras -----------------------------------------------------------------

def test_penalty_factor_scales_the_penalty():
    """pf = 2 on every feature is C / 2; pf = 0 leaves a feature unpenalized."""
    X, y = _data(n=80, p=6, n_classes=3)
    common = {"l1_ratio": 0.5, "tol": 1e-12, "max_iter": 1000}
    twice = fastenet.LogisticRegression(C=1.0, penalty_factor=np.full(6, 2.0), **common)
    half = fastenet.LogisticRegression(C=0.5, **common)
    np.testing.assert_allclose(twice.fit(X, y).coef_, half.fit(X, y).coef_, atol=1e-8)
    pf = np.ones(6)
    pf[5] = 0.0
    strong = fastenet.LogisticRegression(C=1e-3, penalty_factor=pf, **common).fit(X, y)
    assert np.all(strong.coef_[:, :5] == 0) and np.all(strong.coef_[:, 5] != 0)
    np.testing.assert_allclose(strong.coef_[:, 5].sum(), 0.0, atol=1e-10)  # centered


def test_bounds_hold_and_are_optimal():
    """W in [lo, hi]; KKT of the box-constrained L2 problem: where a bound is active the
    gradient points outward."""
    X, y = _data(n=80, p=6)
    lo, hi = -0.2, 0.3
    est = fastenet.LogisticRegression(C=10.0, lower_bounds=lo, upper_bounds=hi,
                                      tol=1e-12, max_iter=1000).fit(X, y)
    w = est.coef_[0]
    assert np.all(w >= lo) and np.all(w <= hi)
    p = 1.0 / (1.0 + np.exp(-(X @ w + est.intercept_[0])))
    grad = X.T @ (p - y) + w / 10.0  # objective / C
    free = (w > lo + 1e-9) & (w < hi - 1e-9)
    assert np.abs(grad[free]).max(initial=0.0) <= 1e-6
    assert np.all(grad[np.isclose(w, hi)] <= 1e-6)
    assert np.all(grad[np.isclose(w, lo)] >= -1e-6)
    assert np.isclose(w, hi).any() or np.isclose(w, lo).any()  # a bound is active


@pytest.mark.parametrize("seed", range(30))
def test_unpenalized_feature_bounded_on_one_side_converges(seed):
    """penalty_factor 0 and lower_bounds 0 on feature 0 of an L1 fit: the fit converges
    (the gap treats w_0 as free while it is inside its box; capping the dual scale there
    left 6 of these 30 fits unconverged) and meets the KKT conditions: gradient 0 where
    w_0 > 0, pointing into the box where w_0 = 0; sign conditions elsewhere."""
    rng = np.random.default_rng(seed)
    n, p = 80, 6
    X = rng.standard_normal((n, p))
    y = (X @ rng.standard_normal(p) + rng.standard_normal(n) > 0).astype(int)
    C = float(rng.choice([0.1, 1.0, 10.0]))
    pf = np.ones(p)
    pf[0] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = fastenet.LogisticRegression(C=C, l1_ratio=1.0, solver="saga", penalty_factor=pf,
                                          lower_bounds=0.0, tol=1e-10, max_iter=1000)
        est.fit(X, y)
    w = est.coef_[0]
    assert np.all(w >= 0)
    prob = 1.0 / (1.0 + np.exp(-(X @ w + est.intercept_[0])))
    grad = C * (X.T @ (prob - y))  # of the loss part; the L1 part adds pf_j sign(w_j)
    # The gap (tol 1e-10 x the null objective, at most 80 log 2) bounds the objective's
    # error, and a gradient g along a direction of curvature H (here at most C n / 4 x^2,
    # about 2e3) costs g^2 / (2 H): gradients certified to about 1e-3. Measured: 1.2e-5.
    atol = 1e-4
    assert (abs(grad[0]) if w[0] > 0 else -grad[0]) <= atol, (w[0], grad[0])
    on = w[1:] > 0
    np.testing.assert_allclose(grad[1:][on], -1.0, atol=atol)
    assert np.all(grad[1:][~on] >= -1.0 - atol)


def test_f_ordered_X_not_copied():
    """An F-ordered float X is read in place (tracemalloc sees every NumPy allocation,
    not the kernel's)."""
    rng = np.random.RandomState(0)
    n, p = 20_000, 50
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = (X[:, 0] - X[:, 1] + rng.standard_normal(n) > 0).astype(np.int64)
    est = fastenet.LogisticRegression(C=0.01, l1_ratio=1.0)
    tracemalloc.start()
    try:
        est.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.25 * X.nbytes, f"peak {peak} bytes for X of {X.nbytes}"


@pytest.mark.parametrize("sparse_x", [False, True])
def test_unpenalized_constant_columns_with_sample_weights(sparse_x):
    """Unpenalized constant columns beside the intercept, under sample weights: rounding
    left them a centered norm of about 1e-13 of their raw one (naive.hpp centered_sq), and
    a CSC fit gave one of them 2.8e5 against an intercept of 1.4e6, with a
    ConvergenceWarning. Now they leave the problem: coefficient 0, and the model of the
    fit without them."""
    for seed in range(30, 36):
        rng = np.random.default_rng(seed)
        X, y, sw, pf, n_const = constant_columns_problem(rng, 3000, int(rng.integers(8, 20)))
        y = (y > 0).astype(int)
        kw = dict(l1_ratio=1.0, C=1.0, tol=1e-8, max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            full = fastenet.LogisticRegression(penalty_factor=pf, **kw).fit(
                sparse.csc_matrix(X) if sparse_x else X, y, sample_weight=sw)
            reduced = fastenet.LogisticRegression(penalty_factor=pf[n_const:], **kw).fit(
                X[:, n_const:], y, sample_weight=sw)
        assert np.all(full.coef_[0, :n_const] == 0), seed
        np.testing.assert_allclose(full.decision_function(X),
                                   reduced.decision_function(X[:, n_const:]), atol=1e-5)
