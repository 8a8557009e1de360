"""Bad input to the logistic estimators' ``fit``: the error sklearn's LogisticRegression
raises (same type, same message where sklearn's is reachable), never a crash, a hang or
a silent wrong answer."""
from __future__ import annotations

import re

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.utils._param_validation import InvalidParameterError

import fastenet

ESTIMATORS = [
    (fastenet.LogisticRegression, sk.LogisticRegression, {}),
    (fastenet.LogisticRegressionCV, sk.LogisticRegressionCV,
     {"Cs": 2, "cv": 2, "l1_ratios": (0.0,), "scoring": None,
      "use_legacy_attributes": False}),
]
IDS = ["LogisticRegression", "LogisticRegressionCV"]


def _data(n=20, p=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, (X[:, 0] + 0.5 * rng.randn(n) > 0).astype(int)


def _error(make, X, y, **fit):
    with pytest.raises(Exception) as info:  # any type: compared with sklearn's below
        make().fit(X, y, **fit)
    return info.type, str(info.value)


def _same_error(ours, theirs, X, y, **fit):
    """fastenet raises what sklearn raises, message included."""
    mine, ref = _error(ours, X, y, **fit), _error(theirs, X, y, **fit)
    assert mine == ref
    return mine


@pytest.mark.parametrize("Ours, Theirs, kw", ESTIMATORS, ids=IDS)
def test_single_class(Ours, Theirs, kw):
    X, _ = _data()
    kind, message = _same_error(lambda: Ours(**kw), lambda: Theirs(**kw), X,
                                np.ones(len(X), dtype=int))
    assert kind is ValueError and "only one class" in message


@pytest.mark.parametrize("Ours, Theirs, kw", ESTIMATORS, ids=IDS)
def test_continuous_target(Ours, Theirs, kw):
    X, y = _data()
    kind, message = _same_error(lambda: Ours(**kw), lambda: Theirs(**kw), X, y + 0.5 * X[:, 1])
    assert kind is ValueError and "Unknown label type" in message


@pytest.mark.parametrize("Ours, Theirs, kw", ESTIMATORS, ids=IDS)
def test_mixed_label_types(Ours, Theirs, kw):
    """Strings mixed with numbers: sklearn's error (the sort of the labels fails)."""
    X, y = _data()
    mixed = np.array(["a" if v else 1 for v in y], dtype=object)
    kind, _ = _same_error(lambda: Ours(**kw), lambda: Theirs(**kw), X, mixed)
    assert issubclass(kind, (TypeError, ValueError))


@pytest.mark.parametrize("Ours, Theirs, kw", ESTIMATORS, ids=IDS)
def test_string_labels_fit_as_sklearn(Ours, Theirs, kw):
    X, y = _data(n=40)
    labels = np.array(["spam", "ham"])[y]
    est, ref = Ours(**kw).fit(X, labels), Theirs(**kw).fit(X, labels)
    np.testing.assert_array_equal(est.classes_, ref.classes_)
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))
    assert est.coef_.shape == ref.coef_.shape


@pytest.mark.parametrize("Ours, Theirs, kw", ESTIMATORS, ids=IDS)
def test_two_dimensional_y(Ours, Theirs, kw):
    X, y = _data()
    _same_error(lambda: Ours(**kw), lambda: Theirs(**kw), X, np.column_stack([y, y]))


@pytest.mark.parametrize("Ours, kw", [(e[0], e[2]) for e in ESTIMATORS], ids=IDS)
@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity"),
                                          (-np.inf, "infinity")])
@pytest.mark.parametrize("fmt", ["dense", "csc", "csr"])
def test_non_finite_X(Ours, kw, value, match, fmt):
    X, y = _data()
    X[3, 1] = value
    if fmt != "dense":
        X = sparse.csc_matrix(X).asformat(fmt)
    with pytest.raises(ValueError, match=match):
        Ours(**kw).fit(X, y)


@pytest.mark.parametrize("Ours, kw", [(e[0], e[2]) for e in ESTIMATORS], ids=IDS)
def test_non_finite_y(Ours, kw):
    X, y = _data()
    y = y.astype(float)
    y[2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Ours(**kw).fit(X, y)


@pytest.mark.parametrize("params", [{"C": 0.0}, {"C": -1.0}, {"l1_ratio": 1.5},
                                    {"l1_ratio": -0.1}, {"tol": -1.0}, {"max_iter": -1},
                                    {"solver": "newton"}, {"class_weight": "even"},
                                    {"penalty": "l3"}])
def test_invalid_parameters(params):
    """sklearn's parameter validation: InvalidParameterError, sklearn's message."""
    X, y = _data()
    kind, message = _same_error(lambda: fastenet.LogisticRegression(**params),
                                lambda: sk.LogisticRegression(**params), X, y)
    assert kind is InvalidParameterError
    assert re.search(f"The '{next(iter(params))}' parameter of LogisticRegression", message)


@pytest.mark.parametrize("params", [{"Cs": 0}, {"cv": "five"}, {"scoring": "nope"},
                                    {"refit": "yes"}])
def test_cv_invalid_parameters(params):
    X, y = _data()
    kind, _ = _same_error(lambda: fastenet.LogisticRegressionCV(**params),
                          lambda: sk.LogisticRegressionCV(**params), X, y)
    assert kind is InvalidParameterError


@pytest.mark.parametrize("Ours, Theirs, kw", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("shape", [(19,), (21,), (20, 2)])
def test_sample_weight_shape(Ours, Theirs, kw, shape):
    X, y = _data()
    kind, _ = _same_error(lambda: Ours(**kw), lambda: Theirs(**kw), X, y,
                          sample_weight=np.ones(shape))
    assert kind is ValueError


def test_negative_or_zero_sample_weights():
    """Negative weights make the loss non-convex: ValueError (sklearn accepts them);
    all-zero weights leave nothing to fit."""
    X, y = _data()
    with pytest.raises(ValueError, match="Negative values"):
        fastenet.LogisticRegression().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="non-zero"):
        fastenet.LogisticRegression().fit(X, y, sample_weight=np.zeros(len(y)))


def test_scalar_sample_weight_scales_C():
    """A scalar weight multiplies every loss: the same fit as C times it (sklearn's
    objective C * sum_i s_i loss_i)."""
    X, y = _data()
    a = fastenet.LogisticRegression(C=0.5, l1_ratio=0.5, tol=1e-12).fit(X, y, sample_weight=4.0)
    b = fastenet.LogisticRegression(C=2.0, l1_ratio=0.5, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8)


def test_class_weight_with_unknown_label():
    X, y = _data()
    _same_error(lambda: fastenet.LogisticRegression(class_weight={0: 1.0, 7: 2.0}),
                lambda: sk.LogisticRegression(class_weight={0: 1.0, 7: 2.0}), X, y)
    cv = {"Cs": 2, "cv": 2, "l1_ratios": (0.0,), "scoring": None,
          "use_legacy_attributes": False, "class_weight": {0: 1.0, 7: 2.0}}
    _same_error(lambda: fastenet.LogisticRegressionCV(**cv),
                lambda: sk.LogisticRegressionCV(**cv), X, y)


def test_dual_with_liblinear():
    """dual=True: accepted with liblinear and the L2 penalty (same optimum), an error
    otherwise."""
    X, y = _data()
    est = fastenet.LogisticRegression(dual=True, solver="liblinear").fit(X, y)
    ref = fastenet.LogisticRegression().fit(X, y)
    np.testing.assert_array_equal(est.coef_, ref.coef_)
    with pytest.raises(ValueError, match="dual=True is only supported with the L2"):
        fastenet.LogisticRegression(dual=True, solver="liblinear", l1_ratio=1.0).fit(X, y)


def test_warm_start_after_classes_change():
    X, y = _data(n=30)
    est = fastenet.LogisticRegression(warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="Initialization coef is of shape"):
        est.fit(X, np.arange(30) % 3)


@pytest.mark.parametrize("params, match", [
    ({"penalty_factor": [1.0, 1.0]}, "penalty_factor must be a scalar or have shape"),
    ({"penalty_factor": -1.0}, "non-negative"),
    ({"lower_bounds": 0.5}, "lower_bounds must be <= 0"),
    ({"upper_bounds": -0.5}, "upper_bounds must be >= 0"),
])
def test_invalid_penalty_factor_and_bounds(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        fastenet.LogisticRegression(**params).fit(X, y)


def test_path_bad_input():
    X, y = _data()
    with pytest.raises(ValueError, match="at least 2 classes"):
        fastenet.logistic_path(X, np.zeros(len(y), dtype=int))
    with pytest.raises(ValueError, match="labels not in classes"):
        fastenet.logistic_path(X, y, classes=[0, 2])
    with pytest.raises(ValueError, match="Cs must be positive"):
        fastenet.logistic_path(X, y, Cs=[1.0, -1.0])
    with pytest.raises(ValueError, match="Initialization coef is of shape"):
        fastenet.logistic_path(X, y, coef=np.zeros(7))
    with pytest.raises(InvalidParameterError):
        fastenet.logistic_path(X, y, l1_ratio=2.0)
