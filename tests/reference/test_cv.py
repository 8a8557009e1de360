"""fastenet's LassoCV / ElasticNetCV against scikit-learn's on the same folds.

Same alpha grid, same alpha_ / l1_ratio_, mse_path_ within MSE_RTOL, refitted model
within COEF_RTOL; covariance (tall dense) and residual (wide, sparse) modes, with and
without sample weights. Plus: n_jobs=2 is bitwise n_jobs=1, the one-standard-error rule,
and errors for every new parameter.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastenet
from fastenet import _gram
from tests._oracle import certificate, gap_threshold

FIT_TOL = 1e-10
REF_TOL = 1e-14
MAX_ITER = 100_000
EPS = 1e-2  # see test_path.py: keeps sklearn's reference able to reach REF_TOL
N_ALPHAS = 30
ALPHA_RTOL = 1e-12
MSE_RTOL = 1e-6
COEF_RTOL = 1e-6  # times max(1, max|coef_ref|)
GAP_FACTOR = 2.0


def _pair(name, **params):
    ours = getattr(fastenet, name)(tol=FIT_TOL, max_iter=MAX_ITER, eps=EPS,
                                   alphas=N_ALPHAS, cv=KFold(4), **params)
    theirs = getattr(sk, name)(tol=REF_TOL, max_iter=MAX_ITER, eps=EPS, alphas=N_ALPHAS,
                               cv=KFold(4), **params)
    return ours, theirs


def _fit_both(name, X, y, sw=None, **params):
    ours, theirs = _pair(name, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours.fit(X, y, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y, sample_weight=sw)
    return ours, theirs


CASES = [
    ("LassoCV", {}),
    ("ElasticNetCV", {"l1_ratio": [0.1, 0.5, 0.9, 1.0]}),
]


@pytest.mark.parametrize("kind", ["tall", "wide", "csc"])
@pytest.mark.parametrize("name, params", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("weighted", [False, True])
def test_cv_matches_sklearn(make_data, make_weights, kind, name, params, weighted):
    X, y = make_data(kind)
    sw = make_weights(X.shape[0]) if weighted else None
    ours, theirs = _fit_both(name, X, y, sw, **params)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=ALPHA_RTOL)
    assert ours.mse_path_.shape == theirs.mse_path_.shape
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=MSE_RTOL)
    assert ours.alpha_ == theirs.alpha_
    if name == "ElasticNetCV":
        assert ours.l1_ratio_ == theirs.l1_ratio_
    else:
        assert not hasattr(ours, "l1_ratio_")
    scale = max(1.0, np.abs(theirs.coef_).max())
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=COEF_RTOL * scale)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0,
                               atol=COEF_RTOL * max(1.0, abs(theirs.intercept_)))
    # the refit is certified: the oracle's gap of the returned model
    l1_ratio = getattr(ours, "l1_ratio_", 1.0)
    cert = certificate(X, y, ours.coef_, ours.intercept_, alpha=ours.alpha_,
                       l1_ratio=l1_ratio, sample_weight=sw)
    assert cert.gap <= (GAP_FACTOR * FIT_TOL + 1e-14) * gap_threshold(y, tol=1.0,
                                                                      sample_weight=sw)
    assert ours.n_iter_ >= 1 and ours.dual_gap_ >= 0


def test_n_jobs_two_is_bitwise_n_jobs_one(make_data):
    for kind in ("tall", "csc"):
        X, y = make_data(kind)
        one = fastenet.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5, n_jobs=1).fit(X, y)
        two = fastenet.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=5, n_jobs=2).fit(X, y)
        np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
        np.testing.assert_array_equal(one.coef_, two.coef_)
        assert (one.alpha_, one.l1_ratio_) == (two.alpha_, two.l1_ratio_)


def test_gram_and_residual_modes_agree(make_data):
    X, y = make_data("tall")
    gram = fastenet.LassoCV(precompute="auto", tol=FIT_TOL, eps=EPS, cv=4).fit(X, y)
    plain = fastenet.LassoCV(precompute=False, tol=FIT_TOL, eps=EPS, cv=4).fit(X, y)
    assert gram.alpha_ == plain.alpha_
    np.testing.assert_allclose(gram.mse_path_, plain.mse_path_, rtol=MSE_RTOL)
    np.testing.assert_allclose(gram.coef_, plain.coef_, rtol=0,
                               atol=COEF_RTOL * np.abs(plain.coef_).max())


@pytest.mark.parametrize("weighted", [False, True])
def test_held_out_errors_from_statistics(make_data, make_weights, weighted):
    """Statistics.squared_errors (the covariance mode's test errors, _gram.py) equals the
    test rows' own sum of squared errors, within its rounding bound, which stays far
    below the 1e-7 of the sum at which LassoCV reads the rows instead; on a model that
    fits the rows exactly, the bound exceeds it (the sum is all rounding)."""
    X, y = make_data("tall")
    sw = make_weights(X.shape[0]) if weighted else None
    stats = _gram.statistics(X, y, sw)
    rng = np.random.default_rng(0)
    coefs = rng.standard_normal((X.shape[1], 7))
    coefs[::3] = 0.0  # features unused by every model
    intercepts = rng.standard_normal(7)
    direct = np.average((X @ coefs + intercepts - y[:, None]) ** 2, axis=0, weights=sw)
    direct *= stats.W
    sse, bound = stats.squared_errors(coefs, intercepts, X.shape[0])
    assert np.all(np.abs(sse - direct) <= bound)
    np.testing.assert_allclose(sse, direct, rtol=1e-12)
    assert np.all(bound <= 1e-10 * sse)
    w = rng.standard_normal(X.shape[1])
    exact = _gram.statistics(X, X @ w + 3.0, sw)
    sse, bound = exact.squared_errors(w[:, None], np.array([3.0]), X.shape[0])
    assert bound[0] > 1e-7 * abs(sse[0])


def test_held_out_errors_fall_back_to_the_rows(make_data, monkeypatch):
    """Where the bound refuses the statistics, the covariance mode's mse_path_ comes from
    the test rows: the same numbers, up to rounding, on the same paths."""
    X, y = make_data("tall")
    params = dict(l1_ratio=[0.5, 1.0], tol=FIT_TOL, eps=EPS, cv=4, precompute=True)
    from_stats = fastenet.ElasticNetCV(**params).fit(X, y)

    def refused(self, coefs, intercepts, n_rows):
        sse = np.ones(np.shape(coefs)[1])
        return sse, np.full_like(sse, np.inf)

    monkeypatch.setattr(_gram.Statistics, "squared_errors", refused)
    from_rows = fastenet.ElasticNetCV(**params).fit(X, y)
    np.testing.assert_allclose(from_stats.mse_path_, from_rows.mse_path_, rtol=1e-12)
    assert (from_stats.alpha_, from_stats.l1_ratio_) == (from_rows.alpha_,
                                                           from_rows.l1_ratio_)


@pytest.mark.parametrize("precompute", [True, False])
def test_folds_that_leave_rows_out_match_sklearn(make_data, precompute):
    """TimeSeriesSplit trains on the rows before each test block only: a fold's training
    statistics are then its own rows', not all rows' minus the test block's."""
    X, y = make_data("tall")
    params = dict(tol=FIT_TOL, max_iter=MAX_ITER, eps=EPS, alphas=N_ALPHAS,
                  cv=TimeSeriesSplit(4))
    ours = fastenet.LassoCV(precompute=precompute, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = sk.LassoCV(**{**params, "tol": REF_TOL}).fit(X, y)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=MSE_RTOL)
    assert ours.alpha_ == theirs.alpha_


def test_fold_indices_as_numpy_reads_them(make_data):
    """Folds given as negative indices or boolean masks select the rows numpy (and
    sklearn) would: the same result as their nonnegative positions."""
    X, y = make_data("tall")
    n = X.shape[0]
    rows = np.arange(n)
    plain = [(rows[rows % 3 != k], rows[rows % 3 == k]) for k in range(3)]
    masks = [(rows % 3 != k, rows % 3 == k) for k in range(3)]
    negative = [(train - n, test - n) for train, test in plain]
    ranges = [(np.r_[rows[n // 2:], rows[:0]], rows[:n // 2] - n),
              (rows[:n // 2], rows[n // 2:])]
    for precompute in (True, False):
        ref = fastenet.LassoCV(cv=plain, precompute=precompute).fit(X, y)
        for cv in (masks, negative):
            est = fastenet.LassoCV(cv=cv, precompute=precompute).fit(X, y)
            np.testing.assert_array_equal(est.mse_path_, ref.mse_path_)
        halves = fastenet.LassoCV(cv=ranges, precompute=precompute).fit(X, y)
        by_position = fastenet.LassoCV(
            cv=[(rows[n // 2:], rows[:n // 2]), (rows[:n // 2], rows[n // 2:])],
            precompute=precompute).fit(X, y)
        np.testing.assert_array_equal(halves.mse_path_, by_position.mse_path_)


@pytest.mark.parametrize("precompute", [True, False])
def test_empty_or_float_folds_rejected(make_data, precompute):
    """A fold without test (or training) rows, or with float indices: a clear error
    (sklearn's LassoCV ends in an UnboundLocalError on an empty test fold)."""
    X, y = make_data("tall")
    rows = np.arange(X.shape[0])
    empty = [(rows[10:], rows[:0]), (rows[:20], rows[20:])]
    with pytest.raises(ValueError, match="fold 0 has no test rows"):
        fastenet.LassoCV(cv=empty, precompute=precompute).fit(X, y)
    with pytest.raises(ValueError, match="fold 1 has no training rows"):
        fastenet.LassoCV(cv=[(rows[10:], rows[:10]), (rows[:0], rows)],
                         precompute=precompute).fit(X, y)
    with pytest.raises(IndexError, match="integer"):
        fastenet.LassoCV(cv=[(rows[10:] * 1.0, rows[:10] * 1.0)],
                         precompute=precompute).fit(X, y)


def test_fold_of_zero_test_weights_raises_as_sklearn(make_data):
    """A test fold whose sample weights are all 0: sklearn's ZeroDivisionError (from the
    weighted average of its errors), in the covariance mode too; fastenet's is also a
    ValueError naming the fold, raised before any path is fitted."""
    X, y = make_data("tall")
    sw = np.ones(X.shape[0])
    sw[:X.shape[0] // 4] = 0.0
    for est in (sk.LassoCV(cv=KFold(4)), fastenet.LassoCV(cv=KFold(4))):
        with pytest.raises(ZeroDivisionError, match="Weights sum to zero"):
            est.fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError, match="fold 0's test rows"):
        fastenet.ElasticNetCV(cv=KFold(4), precompute=False).fit(X, y, sample_weight=sw)


def test_non_finite_cv_errors_are_a_value_error():
    """y ~ 1e300 overflows every fold's squared errors: sklearn raises an
    UnboundLocalError from its selection; fastenet a ValueError saying why."""
    X, y = np.zeros((3, 5)), np.array([0.0, 0.0, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy's overflow in the squares
        with pytest.raises(ValueError, match="NaN or infinite at every alpha"):
            fastenet.LassoCV(cv=2, alphas=5, fit_intercept=False).fit(X, y)


def test_one_standard_error_rule(make_data):
    X, y = make_data("wide")
    est = fastenet.LassoCV(cv=5, selection_rule="1se", tol=FIT_TOL).fit(X, y)
    mean, n_folds = est.mse_path_.mean(axis=1), est.mse_path_.shape[1]
    k = int(np.argmin(mean))
    se = est.mse_path_[k].std(ddof=1) / np.sqrt(n_folds)
    expected = est.alphas_[mean <= mean[k] + se].max()
    assert est.alpha_ == est.alphas_[k]
    assert est.alpha_1se_ == expected >= est.alpha_
    refit = fastenet.Lasso(alpha=est.alpha_1se_, tol=FIT_TOL).fit(X, y)
    np.testing.assert_allclose(est.coef_, refit.coef_, rtol=0,
                               atol=COEF_RTOL * max(1.0, np.abs(refit.coef_).max()))
    # 'min' (default) refits at alpha_; alpha_1se_ is reported either way
    default = fastenet.LassoCV(cv=5, tol=FIT_TOL).fit(X, y)
    assert default.alpha_1se_ == est.alpha_1se_


def test_penalty_factor_reaches_the_kernel(make_data):
    """An unpenalized feature stays in the model at every alpha (glmnet's semantics)."""
    X, y = make_data("tall")
    pf = np.ones(X.shape[1])
    pf[-1] = 0.0
    est = fastenet.LassoCV(cv=3, penalty_factor=pf, alphas=[10.0, 1.0]).fit(X, y)
    assert est.coef_[-1] != 0


@pytest.mark.parametrize("params, exc, match", [
    ({"alphas": []}, ValueError, "alphas"),
    ({"alphas": [1.0, -0.5]}, ValueError, "alphas"),
    ({"cv": 1000}, ValueError, "n_splits"),
    ({"l1_ratio": [0.5, 1.5]}, ValueError, "l1_ratio"),
    ({"l1_ratio": 0.0}, ValueError, "l1_ratio=0"),
    ({"selection_rule": "max"}, ValueError, "selection_rule"),
    ({"eps": 0.0}, ValueError, "eps"),
])
def test_bad_parameters(make_data, params, exc, match):
    X, y = make_data("tall")
    with pytest.raises(exc, match=match):
        fastenet.ElasticNetCV(**params).fit(X, y)


def test_multi_target_y_rejected_as_sklearn(make_data):
    X, y = make_data("tall")
    with pytest.raises(ValueError, match="MultiTaskLassoCV"):
        fastenet.LassoCV().fit(X, np.c_[y, y])


# The parameters sklearn's own suite runs these checks with (its PER_ESTIMATOR_CHECK_
# PARAMS: max_iter=5, cv=3). At the default max_iter sklearn's LassoCV itself fails the
# sample-weight equivalence checks (unconverged small alphas); the converged version of
# those checks is test_sample_weight_equivalence_converged below.
@parametrize_with_checks([fastenet.LassoCV(cv=3, max_iter=5),
                          fastenet.ElasticNetCV(cv=3, max_iter=5)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("sparse_data", [False, True])
@pytest.mark.parametrize("name", ["LassoCV", "ElasticNetCV"])
def test_sample_weight_equivalence_converged(name, sparse_data):
    """Integer weights = repeated rows (sklearn's check, rtol=1e-7), at a tol that
    makes both fits the exact optimum."""
    from sklearn.utils.estimator_checks import (
        check_sample_weight_equivalence_on_dense_data,
        check_sample_weight_equivalence_on_sparse_data,
    )
    check = (check_sample_weight_equivalence_on_sparse_data if sparse_data
             else check_sample_weight_equivalence_on_dense_data)
    check(name, getattr(fastenet, name)(cv=3, tol=FIT_TOL, max_iter=MAX_ITER))


@pytest.mark.parametrize("kind, precompute", [("dense", True), ("dense", False),
                                              ("csc", False)])
def test_float32_columns_with_large_means(kind, precompute):
    """float32 X whose columns have means of 1e4 and unit spread, weighted: the Gram
    mode's sufficient statistics are float64 (their centering cancelled every digit of
    float32 sums) and the residual mode's means double (csrc/fastenet/naive.hpp's
    Design). Before, the Gram mode selected alpha 0.55 (the float64 fit: 0.0104) after
    96 of 100 points failed to converge, and the residual mode returned zeros; a CSC
    X, whose float32 residual is kept raw, is now solved in float64. Now the
    CV curve is the float64 one on the same values up to the spread of test MSEs that
    the tol allows (near its minimum this curve is flat to 0.1%, so the selected alpha
    may move by a few grid points: it is checked against the float64 curve instead), and
    the refit is the float64 Lasso at that alpha to float32's precision."""
    rng = np.random.RandomState(2)
    n, p = 400, 12
    X = rng.randn(n, p) + 1e4
    y = (X[:, :5] - 1e4) @ rng.randn(5) + 0.5 * rng.randn(n)
    sw = rng.rand(n) + 0.5
    X32, y32 = np.asfortranarray(X.astype(np.float32)), y.astype(np.float32)
    X64, y64 = X32.astype(np.float64), y32.astype(np.float64)
    if kind == "csc":
        X32 = sparse.csc_matrix(X32)
    kw = dict(cv=KFold(3), precompute=precompute)
    ours = fastenet.LassoCV(**kw).fit(X32, y32, sample_weight=sw)
    ref = fastenet.LassoCV(**kw).fit(X64, y64, sample_weight=sw)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=5e-2)
    k_ours = int(np.flatnonzero(ours.alphas_ == ours.alpha_)[0])
    curve = ref.mse_path_.mean(axis=1)
    assert curve[k_ours] <= 1.002 * curve.min(), (k_ours, curve[k_ours], curve.min())
    lasso = fastenet.Lasso(alpha=ours.alpha_, tol=1e-10).fit(X64, y64, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, lasso.coef_, rtol=0,
                               atol=5e-3 * np.abs(lasso.coef_).max())
