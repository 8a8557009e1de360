"""Bad input to Ridge / RidgeCV ``fit``: a clear ValueError / TypeError, never a crash,
a hang or a silent wrong answer; the same exception type as sklearn wherever sklearn
raises too. Ends with a hypothesis fuzz of ``fit`` over random shapes (0 included),
dtypes, values (nan, inf, huge), weights and hyper-parameters.

Where sklearn does not raise but returns garbage (negative sample weights: NaN
coefficients; NaN or negative entries of an alpha array), fastenet raises ValueError.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn import linear_model as sk

import fastenet
from tests._fuzz import check_fit, draw_data

ESTIMATORS = [fastenet.Ridge, fastenet.RidgeCV]
EST_IDS = ["Ridge", "RidgeCV"]
SK = {fastenet.Ridge: sk.Ridge, fastenet.RidgeCV: sk.RidgeCV}
COEF_RTOL = 1e-10  # non-canonical sparse vs its canonical form: same solver, same data


def _data(n=12, p=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, X @ rng.randn(p) + 0.1 * rng.randn(n)


def _with(X, i, j, value):
    X = X.copy()
    X[i, j] = value
    return X


def _raises_like_sklearn(Est, params, X, y, sample_weight=None, match=None):
    """fastenet raises ValueError / TypeError, of the type sklearn raises if it does."""
    with pytest.raises((ValueError, TypeError), match=match) as ours:
        Est(**params).fit(X, y, sample_weight=sample_weight)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            SK[Est](**params).fit(X, y, sample_weight=sample_weight)
    except Exception as theirs:  # noqa: BLE001 - the type is what is compared
        assert isinstance(ours.value, type(theirs)), (
            f"fastenet raised {type(ours.value).__name__}, sklearn "
            f"{type(theirs).__name__}")


# --- X and y --------------------------------------------------------------------------

@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity"),
                                          (-np.inf, "infinity")])
@pytest.mark.parametrize("where", ["X", "y", "csr", "csc"])
def test_non_finite(Est, value, match, where):
    X, y = _data()
    if where == "y":
        y = y.copy()
        y[3] = value
    else:
        X = _with(X, 2, 1, value)
        if where != "X":
            X = sparse.csr_matrix(X).asformat(where)
    _raises_like_sklearn(Est, {}, X, y, match=match)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("y_shape", [(11,), (13,), (11, 2)])
def test_mismatched_lengths(Est, y_shape):
    X, _ = _data()
    _raises_like_sklearn(Est, {}, X, np.ones(y_shape),
                         match="inconsistent numbers of samples")


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_three_dimensional_input(Est):
    X, y = _data()
    _raises_like_sklearn(Est, {}, X[:, :, None], y, match="dim 3")
    _raises_like_sklearn(Est, {}, X, np.ones((12, 2, 2)))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("shape, match", [((0, 3), "0 sample"), ((5, 0), "0 feature")])
@pytest.mark.parametrize("as_sparse", [False, True])
def test_empty_X(Est, shape, match, as_sparse):
    X = np.empty(shape)
    if as_sparse:
        X = sparse.csr_matrix(X)
    _raises_like_sklearn(Est, {}, X, np.ones(shape[0]), match=match)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("X", [np.array([["a", "b"]] * 4),
                               np.array([[1.0, "b"]] * 4, dtype=object),
                               np.ones((4, 2), dtype=complex)],
                         ids=["str", "object-with-str", "complex"])
def test_non_numeric_X(Est, X):
    _raises_like_sklearn(Est, {}, X, np.arange(4.0),
                         match="(?i)convert|string|numeric|complex")


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_non_numeric_y(Est):
    X, _ = _data(n=4)
    _raises_like_sklearn(Est, {}, X, np.array(["a", "b", "c", "d"]),
                         match="(?i)convert|string|numeric")


# --- hyper-parameters -----------------------------------------------------------------

@pytest.mark.parametrize("params, match", [
    (dict(alpha=-1.0), "alpha"),
    (dict(alpha="a"), "alpha"),
    (dict(solver="newton"), "solver"),
    (dict(tol=-1.0), "tol"),
    (dict(max_iter=0), "max_iter"),
    (dict(fit_intercept="yes"), "fit_intercept"),
    (dict(solver="lbfgs"), "lbfgs"),  # lbfgs needs positive=True
    (dict(solver="svd", positive=True), "positive"),
    (dict(alpha=[1.0, 2.0, 3.0]), "penalties"),  # one per target, y has 1 target
])
def test_ridge_bad_params(params, match):
    X, y = _data()
    _raises_like_sklearn(fastenet.Ridge, params, X, y, match=match)


@pytest.mark.parametrize("alpha", [[-1.0], [np.nan], [1.0, -1e-12]])
def test_ridge_bad_alpha_entries(alpha):
    """sklearn does not check the entries of an array alpha (NaN or negative give
    NaN / meaningless coefficients); fastenet raises ValueError."""
    X, y = _data()
    Y = np.c_[y, y][:, :len(alpha)]
    with pytest.raises(ValueError, match="alpha"):
        fastenet.Ridge(alpha=np.array(alpha)).fit(X, Y)


@pytest.mark.parametrize("params, match", [
    (dict(alphas=[0.0, 1.0]), "alphas"),  # LOO needs alpha > 0
    (dict(alphas=[1.0, -1.0]), "alphas"),
    (dict(alphas=0.0), "alphas"),
    (dict(alphas=[1.0, "a"]), "alphas"),
    (dict(gcv_mode="qr"), "gcv_mode"),
    (dict(scoring="not-a-scorer"), "scoring"),
    (dict(cv=3, store_cv_results=True), "store_cv_results"),
    (dict(cv=3, alpha_per_target=True), "alpha_per_target"),
    (dict(cv=3, alphas=[-1.0]), "alphas"),
    (dict(cv="three"), "cv"),
])
def test_ridgecv_bad_params(params, match):
    X, y = _data()
    _raises_like_sklearn(fastenet.RidgeCV, params, X, y, match=match)


@pytest.mark.parametrize("alphas", [[1.0, np.nan], []], ids=["nan", "empty"])
def test_ridgecv_nan_or_empty_alphas(alphas):
    """sklearn accepts NaN alphas and crashes on an empty grid; fastenet: ValueError."""
    X, y = _data()
    with pytest.raises(ValueError, match="alphas"):
        fastenet.RidgeCV(alphas=alphas).fit(X, y)


def test_ridgecv_kfold_allows_zero_alpha():
    X, y = _data(n=30)
    est = fastenet.RidgeCV(alphas=[0.0, 1.0], cv=3).fit(X, y)
    assert est.alpha_ == sk.RidgeCV(alphas=[0.0, 1.0], cv=3).fit(X, y).alpha_


def test_ridgecv_metadata_routing_params_rejected():
    X, y = _data()
    with pytest.raises((ValueError, TypeError, NotImplementedError)):
        fastenet.RidgeCV().fit(X, y, groups=np.arange(12))


@pytest.mark.parametrize("solver", ["lsqr", "sparse_cg"])
def test_krylov_solvers_take_huge_y(solver):
    """y ~ 1e300: the Krylov solvers square it (||b||^2); sklearn's return NaN. The
    solution is linear in y, so fastenet solves for y / 2^k: the exact answer,
    5e299, as the direct solvers give."""
    X, y = np.array([[1.0], [2.0]]), np.array([1e300, 1e300])
    est = fastenet.Ridge(alpha=1.0, fit_intercept=False, solver=solver).fit(X, y)
    np.testing.assert_allclose(est.coef_, [5e299], rtol=1e-6)  # CG / LSQR's tol 1e-4


@pytest.mark.parametrize("solver", ["lsqr", "sparse_cg"])
def test_krylov_solvers_take_a_zero_column_at_alpha_zero(solver):
    """alpha=0 and a zero column: the Jacobi preconditioner's 1 / 0 made sparse_cg's
    coefficients NaN (0 * inf); sklearn's answer is finite, and so is fastenet's."""
    X, y = np.array([[1.0, 0.0], [2.0, 0.0], [0.5, 0.0]]), np.array([1.0, 2.0, 3.0])
    ours = fastenet.Ridge(alpha=0.0, fit_intercept=False, solver=solver).fit(X, y)
    ref = sk.Ridge(alpha=0.0, fit_intercept=False, solver=solver).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6)  # both at tol 1e-4
    assert ours.coef_[1] == 0.0


def test_y_beyond_float32_is_an_error():
    """float32 X casts y to float32, as sklearn, which raises on the overflow too."""
    X, y = np.ones((3, 1), dtype=np.float32), np.array([0.0, 1.0, 1e300])
    _raises_like_sklearn(fastenet.Ridge, {}, X, y, match="too large")


# --- sample_weight --------------------------------------------------------------------

@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("sw, match", [
    (np.r_[np.nan, np.ones(11)], "sample_weight.*NaN"),
    (np.r_[np.inf, np.ones(11)], "sample_weight.*infinity"),
    (np.ones(11), "sample_weight"),
    (np.ones((12, 2)), "(?i)sample.weight"),
], ids=["nan", "inf", "short", "2d"])
def test_bad_sample_weight_like_sklearn(Est, sw, match):
    X, y = _data()
    _raises_like_sklearn(Est, {}, X, y, sample_weight=sw, match=match)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("sw", [np.r_[-1.0, np.ones(11)], np.zeros(12)],
                         ids=["negative", "all-zero"])
def test_negative_or_zero_sample_weight(Est, sw):
    """sklearn takes sqrt(negative) / divides by a zero sum and returns NaN."""
    X, y = _data()
    with pytest.raises(ValueError, match="(?i)sample.weight"):
        Est().fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_scalar_and_zero_entry_weights(Est):
    """A scalar weight multiplies the loss (sklearn's convention); a zero weight removes
    its sample exactly."""
    X, y = _data(n=30)
    for sw in (2.5, np.r_[0.0, np.ones(29)]):
        ours = Est().fit(X, y, sample_weight=sw)
        ref = SK[Est]().fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8)


# --- sparse structure -----------------------------------------------------------------

def _non_canonical(fmt):
    """A 12 x 3 sparse matrix with unsorted and duplicate indices (a valid matrix: the
    duplicates add up)."""
    rng = np.random.RandomState(0)
    rows = np.r_[rng.randint(0, 12, 30), 5, 5]
    cols = np.r_[rng.randint(0, 3, 30), 1, 1]
    vals = rng.randn(32)
    coo = sparse.coo_matrix((vals, (rows, cols)), shape=(12, 3))
    # Built from raw arrays so that the duplicates and the order survive.
    X = coo.tocsc() if fmt == "csc" else coo.tocsr()
    major = X.indptr
    perm = np.concatenate([rng.permutation(np.arange(major[k], major[k + 1]))
                           for k in range(len(major) - 1)])
    dup = (sparse.csc_matrix if fmt == "csc" else sparse.csr_matrix)(
        (np.r_[X.data[perm][:1] * 0.5, X.data[perm]],
         np.r_[X.indices[perm][:1], X.indices[perm]],
         np.r_[0, major[1:] + 1]), shape=(12, 3))
    return dup


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_non_canonical_sparse_gives_canonical_result(Est, fmt):
    X = _non_canonical(fmt)
    assert not X.has_canonical_format
    snapshot = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    y = np.random.RandomState(1).randn(12)
    canonical = X.copy()
    canonical.sum_duplicates()
    kw = dict(solver="cholesky") if Est is fastenet.Ridge else {}
    ours = Est(**kw).fit(X, y)
    ref = Est(**kw).fit(canonical.toarray(), y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=COEF_RTOL)
    for before, after in zip(snapshot, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("bad", [7, -1], ids=["too-large", "negative"])
def test_sparse_index_out_of_range(Est, fmt, bad):
    X = sparse.random(5, 4, density=0.5, format=fmt, random_state=0)
    X.indices[1] = bad + (X.shape[0] if fmt == "csc" else X.shape[1]) * (bad > 0)
    with pytest.raises(ValueError, match="(?i)index|indices"):
        Est().fit(X, np.ones(5))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_sparse_bad_indptr(Est):
    X = sparse.random(5, 4, density=0.5, format="csc", random_state=0)
    X.indptr[2] = X.indptr[3] + 1  # non-monotone
    with pytest.raises(ValueError, match="(?i)indptr|index|indices"):
        Est().fit(X, np.ones(5))


# --- fuzz -----------------------------------------------------------------------------

@st.composite
def fit_inputs(draw):
    X, y, sw = draw_data(draw, [0.0, -1.0, np.nan])
    if draw(st.booleans()):
        params = dict(
            alpha=draw(st.sampled_from([0.0, 1e-3, 1.0, 1e6])),
            fit_intercept=draw(st.booleans()),
            solver=draw(st.sampled_from(["auto", "svd", "cholesky", "lsqr",
                                         "sparse_cg"])),
            max_iter=50,
        )
        if params["solver"] == "auto" and draw(st.booleans()):
            params["positive"] = True
        return fastenet.Ridge, params, X, y, sw
    params = dict(
        alphas=draw(st.sampled_from([(0.1, 1.0, 10.0), (1e-3,), (1.0, 1e6)])),
        fit_intercept=draw(st.booleans()),
        cv=draw(st.sampled_from([None, None, 2])),
    )
    return fastenet.RidgeCV, params, X, y, sw


@settings(max_examples=60, deadline=None, derandomize=True,  # same examples every run
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fit_inputs())
def test_fuzz_fit(inputs):
    """fit either succeeds with finite coef_ / intercept_, or raises ValueError /
    TypeError; anything else (segfault, other exception, non-finite result) fails."""
    est_cls, params, X, y, sw = inputs
    check_fit(est_cls(**params), X, y, sw, ignored_user_warnings="",
              twin=getattr(sk, est_cls.__name__)(**params))
