"""fastenet's estimators against scikit-learn's own conventions: the estimator-check
suite, constructor / method signatures compared with sklearn's by introspection, and
the fitted attributes (names, types, shapes, dtypes) compared with sklearn's fit of the
same data."""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastenet

EXTRA_PARAMS = {"penalty_factor": None, "lower_bounds": None, "upper_bounds": None}
PAIRS = [(fastenet.Lasso, sk.Lasso), (fastenet.ElasticNet, sk.ElasticNet)]
PAIR_IDS = ["Lasso", "ElasticNet"]


@parametrize_with_checks([fastenet.Lasso(), fastenet.ElasticNet()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_public_names():
    assert set(fastenet.__all__) >= {"Lasso", "ElasticNet"}
    assert all(isinstance(name, str) for name in fastenet.__all__)
    assert (issubclass(fastenet.Lasso, fastenet.ElasticNet)
            == issubclass(sk.Lasso, sk.ElasticNet))


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
def test_constructor_signature_matches_sklearn(ours, theirs):
    """Same parameters, order, kinds and defaults as sklearn; the only extras are
    penalty_factor / lower_bounds / upper_bounds, keyword-only, default None."""
    mine = inspect.signature(ours.__init__).parameters
    ref = inspect.signature(theirs.__init__).parameters
    extra = [name for name in mine if name not in ref]
    assert sorted(extra) == sorted(EXTRA_PARAMS), f"unexpected extra parameters {extra}"
    assert all(name in mine for name in ref), (
        f"missing sklearn parameters {[n for n in ref if n not in mine]}")
    assert [n for n in mine if n in ref] == list(ref), "sklearn's parameter order changed"
    for name, param in ref.items():
        assert mine[name].kind == param.kind, f"{name}: {mine[name].kind} != {param.kind}"
        assert mine[name].default == param.default or (
            mine[name].default is param.default), (
            f"{name}: default {mine[name].default!r} != sklearn's {param.default!r}")
    for name, default in EXTRA_PARAMS.items():
        assert mine[name].kind == inspect.Parameter.KEYWORD_ONLY
        assert mine[name].default is default


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("method", ["fit", "predict", "score", "get_params", "set_params"])
def test_method_signature_matches_sklearn(ours, theirs, method):
    mine = inspect.signature(getattr(ours, method))
    ref = inspect.signature(getattr(theirs, method))
    assert [(p.name, p.kind, p.default) for p in mine.parameters.values()] == [
        (p.name, p.kind, p.default) for p in ref.parameters.values()]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
def test_default_params_match_sklearn(ours, theirs):
    mine = ours().get_params()
    ref = theirs().get_params()
    assert {k: v for k, v in mine.items() if k not in EXTRA_PARAMS} == ref
    assert {k: mine[k] for k in EXTRA_PARAMS} == EXTRA_PARAMS


def _data(n=40, p=6, n_targets=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    W = rng.randn(p, n_targets)
    Y = X @ W + 0.1 * rng.randn(n, n_targets) + 1.0
    return X, (Y[:, 0] if n_targets == 1 else Y)


def _compare_attributes(est, ref):
    for name in ("coef_", "intercept_", "dual_gap_", "n_iter_", "n_features_in_",
                 "sparse_coef_"):
        assert hasattr(est, name), name
    assert np.shape(est.coef_) == np.shape(ref.coef_)
    assert np.asarray(est.coef_).dtype == np.asarray(ref.coef_).dtype
    assert np.shape(est.intercept_) == np.shape(ref.intercept_)
    assert np.shape(est.dual_gap_) == np.shape(ref.dual_gap_)
    integer = (int, np.integer)
    assert type(est.n_iter_) is type(ref.n_iter_) or (
        isinstance(est.n_iter_, integer) and isinstance(ref.n_iter_, integer))
    if isinstance(ref.n_iter_, list):
        assert len(est.n_iter_) == len(ref.n_iter_)
    assert est.n_features_in_ == ref.n_features_in_
    assert sparse.issparse(est.sparse_coef_)
    assert est.sparse_coef_.shape == ref.sparse_coef_.shape
    np.testing.assert_allclose(est.sparse_coef_.toarray(),
                               np.atleast_2d(est.coef_), rtol=0, atol=0)


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fitted_attributes_match_sklearn(ours, theirs, n_targets, dtype, fit_intercept):
    X, y = _data(n_targets=n_targets)
    X, y = X.astype(dtype), y.astype(dtype)
    est = ours(alpha=0.01, fit_intercept=fit_intercept).fit(X, y)
    ref = theirs(alpha=0.01, fit_intercept=fit_intercept).fit(X, y)
    _compare_attributes(est, ref)
    assert not hasattr(est, "feature_names_in_")
    assert est.predict(X).shape == ref.predict(X).shape
    assert est.predict(X).dtype == ref.predict(X).dtype
    assert np.isscalar(est.score(X, y))


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
def test_dataframe_sets_feature_names(ours, theirs):
    X, y = _data()
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    est = ours(alpha=0.01).fit(df, pd.Series(y))
    ref = theirs(alpha=0.01).fit(df, pd.Series(y))
    np.testing.assert_array_equal(est.feature_names_in_, ref.feature_names_in_)
    assert est.feature_names_in_.dtype == object
    with pytest.warns(UserWarning, match="feature names"):
        unnamed = est.predict(X)  # fitted with names, predicted without: sklearn warns
    np.testing.assert_allclose(est.predict(df), unnamed)


@pytest.mark.parametrize("ours", [fastenet.Lasso, fastenet.ElasticNet], ids=PAIR_IDS)
def test_unfitted_raises_not_fitted(ours):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ours().predict(np.zeros((2, 3)))


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=PAIR_IDS)
def test_warm_start_resumes_from_coef(ours, theirs):
    """warm_start=True starts from the previous coef_: refitting a converged model at the
    same parameters needs (almost) no work, and gives the same coefficients."""
    X, y = _data(n=60, p=20)
    est = ours(alpha=0.05, tol=1e-10, max_iter=10_000, warm_start=True).fit(X, y)
    coef, n_iter = est.coef_.copy(), est.n_iter_
    est.fit(X, y)
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-8, atol=1e-12)
    assert est.n_iter_ <= max(n_iter, 1)
