"""Bad input to ``fit``: a clear ValueError / TypeError naming the problem, never a
crash, a hang or a silent wrong answer. Ends with a hypothesis fuzz of ``fit`` over
random shapes (0 included), dtypes and values (nan, inf, huge).

Sparse matrices with unsorted or duplicate indices are *valid* scipy matrices (their
value is well defined: duplicates add up). The spec allows either a clear ValueError or
a correct result; fastenet documents that it canonicalizes them on a copy, so these tests
assert the correct result (equal to the canonical matrix's fit) and that the caller's
matrix is left untouched. Structurally broken matrices (row index out of range) must
raise ValueError.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

import fastenet
from tests._fuzz import check_fit, draw_data

ESTIMATORS = [fastenet.Lasso, fastenet.ElasticNet]
EST_IDS = ["Lasso", "ElasticNet"]
FIT_TOL = 1e-12  # for the sparse canonicalization tests: results compared at ...
COEF_RTOL = 1e-9  # ... this relative tolerance (same data, same solver)


def _data(n=12, p=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, X @ rng.randn(p) + 0.1 * rng.randn(n)


def _with(X, i, j, value):
    X = X.copy()
    X[i, j] = value
    return X


# --- X and y --------------------------------------------------------------------------

@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity"),
                                          (-np.inf, "infinity")])
def test_non_finite_X(Est, value, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        Est().fit(_with(X, 0, 0, value), y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_y(Est, value, match):
    X, y = _data()
    y = y.copy()
    y[3] = value
    with pytest.raises(ValueError, match=match):
        Est().fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("value, match", [(np.inf, "infinity"), (None, "NaN")])
def test_non_finite_object_y(Est, value, match):
    """An object-dtype y: sklearn's validate_data checks it for NaN only, and casts None
    to NaN after; fastenet's own check of y catches both."""
    X, y = _data()
    y = y.astype(object)
    y[3] = value
    with pytest.raises(ValueError, match=match):
        Est().fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_non_finite_sparse_X(Est, fmt):
    X, y = _data()
    Xs = sparse.csc_matrix(_with(X, 2, 1, np.nan)).asformat(fmt)
    with pytest.raises(ValueError, match="NaN"):
        Est().fit(Xs, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("y_shape", [(11,), (13,), (11, 2)])
def test_mismatched_lengths(Est, y_shape):
    X, _ = _data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est().fit(X, np.ones(y_shape))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_three_dimensional_X(Est):
    X, y = _data()
    with pytest.raises(ValueError, match="dim 3"):
        Est().fit(X[:, :, np.newaxis], y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("shape, match", [((0, 3), "0 sample"), ((5, 0), "0 feature")])
@pytest.mark.parametrize("as_sparse", [False, True])
def test_empty_X(Est, shape, match, as_sparse):
    X = np.empty(shape)
    if as_sparse:
        X = sparse.csc_matrix(X)
    with pytest.raises(ValueError, match=match):
        Est().fit(X, np.ones(shape[0]))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("X", [np.array([["a", "b"]] * 4),
                               np.array([[1.0, "b"]] * 4, dtype=object)],
                         ids=["str", "object-with-str"])
def test_non_numeric_X(Est, X):
    with pytest.raises((ValueError, TypeError), match="(?i)convert|string|numeric"):
        Est().fit(X, np.arange(4.0))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_non_numeric_y(Est):
    X, _ = _data(n=4)
    with pytest.raises((ValueError, TypeError), match="(?i)convert|string|numeric"):
        Est().fit(X, np.array(["a", "b", "c", "d"]))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_complex_X(Est):
    X, y = _data()
    with pytest.raises(ValueError, match="(?i)complex"):
        Est().fit(X.astype(complex), y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_numeric_object_X_is_accepted(Est):
    X, y = _data()
    est = Est(alpha=0.01).fit(X.astype(object), y)
    np.testing.assert_allclose(est.coef_, Est(alpha=0.01).fit(X, y).coef_)


# --- parameters -----------------------------------------------------------------------

@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("alpha", [-1.0, -1e-12])
def test_negative_alpha(Est, alpha):
    X, y = _data()
    with pytest.raises(ValueError, match="alpha"):
        Est(alpha=alpha).fit(X, y)


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5, np.nan])
def test_l1_ratio_outside_unit_interval(l1_ratio):
    X, y = _data()
    with pytest.raises(ValueError, match="l1_ratio"):
        fastenet.ElasticNet(l1_ratio=l1_ratio).fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("pf", [np.ones(3), np.ones(5), np.ones((4, 1)), np.ones((1, 4))],
                         ids=["short", "long", "column", "row"])
def test_penalty_factor_wrong_shape(Est, pf):
    X, y = _data(p=4)
    with pytest.raises(ValueError, match="penalty_factor"):
        Est(penalty_factor=pf).fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("pf", [np.array([1.0, -1.0, 1.0, 1.0]),
                                np.array([1.0, np.nan, 1.0, 1.0]),
                                np.array([1.0, np.inf, 1.0, 1.0])],
                         ids=["negative", "nan", "inf"])
def test_penalty_factor_bad_values(Est, pf):
    X, y = _data(p=4)
    with pytest.raises(ValueError, match="penalty_factor"):
        Est(penalty_factor=pf).fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_penalty_factor_non_numeric(Est):
    X, y = _data(p=4)
    with pytest.raises((ValueError, TypeError), match="penalty_factor"):
        Est(penalty_factor=["a", "b", "c", "d"]).fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("kwargs, match", [
    (dict(lower_bounds=0.5), "lower_bounds"),
    (dict(lower_bounds=np.array([0.5, -1.0, -1.0, -1.0])), "lower_bounds"),
    (dict(upper_bounds=-0.5), "upper_bounds"),
    (dict(upper_bounds=np.array([1.0, -0.5, 1.0, 1.0])), "upper_bounds"),
    (dict(lower_bounds=np.array([0.5, 0, 0, 0]), upper_bounds=np.array([0.2, 1, 1, 1])),
     "lower_bounds"),  # lower > upper (necessarily also lower > 0)
    (dict(lower_bounds=np.array([np.nan, -1.0, -1.0, -1.0])), "lower_bounds"),
    (dict(upper_bounds=np.ones(3)), "upper_bounds"),  # wrong length
    (dict(lower_bounds=-np.ones(5)), "lower_bounds"),
], ids=["lower-scalar>0", "lower>0", "upper-scalar<0", "upper<0", "lower>upper",
        "lower-nan", "upper-short", "lower-long"])
def test_bad_bounds(Est, kwargs, match):
    X, y = _data(p=4)
    with pytest.raises(ValueError, match=match):
        Est(**kwargs).fit(X, y)


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_positive_with_negative_upper_bound_rejected(Est):
    X, y = _data(p=4)
    with pytest.raises(ValueError, match="upper_bounds"):
        Est(positive=True, upper_bounds=np.array([-1.0, 1, 1, 1])).fit(X, y)


# --- sample_weight --------------------------------------------------------------------

@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("sw, match", [
    (np.r_[-1.0, np.ones(11)], "(?i)negative.*sample_weight|sample_weight.*negative"),
    (-np.ones(12), "(?i)negative.*sample_weight|sample_weight.*negative"),
    (np.r_[np.nan, np.ones(11)], "sample_weight.*NaN"),
    (np.r_[np.inf, np.ones(11)], "sample_weight.*infinity"),
    (np.ones(11), "sample_weight"),
    (np.zeros(12), "(?i)sample.weight"),
], ids=["one-negative", "all-negative", "nan", "inf", "short", "all-zero"])
def test_bad_sample_weight(Est, sw, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        Est().fit(X, y, sample_weight=sw)


# --- sparse structure -----------------------------------------------------------------

def _unsorted_csc():
    """3x2 CSC whose column 0 lists rows in the order 2, 0 (unsorted)."""
    data = np.array([3.0, 1.0, 5.0, -2.0])
    indices = np.array([2, 0, 1, 2], dtype=np.int32)
    indptr = np.array([0, 2, 4], dtype=np.int32)
    return sparse.csc_matrix((data, indices, indptr), shape=(3, 2))


def _duplicate_csc():
    """3x2 CSC with row 0 of column 0 stored twice (1.0 + 2.0 = 3.0)."""
    data = np.array([1.0, 2.0, 4.0, 5.0, -2.0])
    indices = np.array([0, 0, 2, 1, 2], dtype=np.int32)
    indptr = np.array([0, 3, 5], dtype=np.int32)
    return sparse.csc_matrix((data, indices, indptr), shape=(3, 2))


def _unsorted_csr():
    """3x2 CSR whose row 0 lists columns in the order 1, 0 (unsorted)."""
    data = np.array([3.0, 1.0, 5.0, -2.0, 0.5])
    indices = np.array([1, 0, 1, 1, 0], dtype=np.int32)
    indptr = np.array([0, 2, 3, 5], dtype=np.int32)
    return sparse.csr_matrix((data, indices, indptr), shape=(3, 2))


def _duplicate_csr():
    """3x2 CSR with column 0 of row 1 stored twice (1.0 + 2.0 = 3.0)."""
    data = np.array([4.0, 1.0, 2.0, 5.0, -2.0, 0.5])
    indices = np.array([1, 0, 0, 1, 1, 0], dtype=np.int32)
    indptr = np.array([0, 1, 4, 6], dtype=np.int32)
    return sparse.csr_matrix((data, indices, indptr), shape=(3, 2))


def _tile_rows(X, reps):
    """X stacked ``reps`` times vertically, built from X's own (non-canonical) arrays so
    the result keeps the unsorted / duplicate entries (scipy's vstack would not)."""
    n, p = X.shape
    if X.format == "csr":
        nnz = X.indptr[-1]
        blocks = [X.indptr[1:] + r * nnz for r in range(reps)]
        indptr = np.concatenate([X.indptr[:1]] + blocks)
        return sparse.csr_matrix((np.tile(X.data, reps), np.tile(X.indices, reps),
                                  indptr.astype(np.int32)), shape=(n * reps, p))
    data, indices, indptr = [], [], [0]
    for j in range(p):
        start, stop = X.indptr[j], X.indptr[j + 1]
        for r in range(reps):
            data.append(X.data[start:stop])
            indices.append(X.indices[start:stop] + r * n)
        indptr.append(indptr[-1] + reps * (stop - start))
    arrays = (np.concatenate(data), np.concatenate(indices).astype(np.int32),
              np.array(indptr, dtype=np.int32))
    return sparse.csc_matrix(arrays, shape=(n * reps, p))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize(
    "make", [_unsorted_csc, _duplicate_csc, _unsorted_csr, _duplicate_csr],
    ids=["csc-unsorted", "csc-duplicate", "csr-unsorted", "csr-duplicate"])
def test_non_canonical_sparse_gives_canonical_result(Est, make):
    """Documented choice: canonicalized on a copy, result equal to the canonical matrix's
    fit, caller's matrix untouched (still non-canonical, same arrays)."""
    X = _tile_rows(make(), 5)  # 15 x 2
    assert not X.has_canonical_format
    snapshot = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    y = np.random.RandomState(0).randn(X.shape[0])

    canonical = X.copy()
    canonical.sum_duplicates()
    assert canonical.has_canonical_format
    kwargs = dict(alpha=0.01, tol=FIT_TOL, max_iter=10_000)
    est = Est(**kwargs).fit(X, y)
    ref = Est(**kwargs).fit(canonical, y)
    dense = Est(**kwargs).fit(canonical.toarray(), y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=COEF_RTOL, atol=1e-12)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=COEF_RTOL, atol=1e-12)
    np.testing.assert_allclose(est.coef_, dense.coef_, rtol=1e-6, atol=1e-9)

    for before, after in zip(snapshot, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(before, after)
    assert not X.has_canonical_format


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
@pytest.mark.parametrize("make", [_unsorted_csc, _duplicate_csc],
                         ids=["csc-unsorted", "csc-duplicate"])
def test_non_canonical_csc_without_input_check(Est, make):
    """check_input=False skips the validation, not the merge of duplicate rows: the
    kernel updates a column's rows in vector chunks (each row once per column)."""
    X = _tile_rows(make(), 5)
    y = np.random.RandomState(0).randn(X.shape[0])
    canonical = X.copy()
    canonical.sum_duplicates()
    kwargs = dict(alpha=0.01, tol=FIT_TOL, max_iter=10_000)
    est = Est(**kwargs).fit(X, y, check_input=False)
    ref = Est(**kwargs).fit(canonical, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=COEF_RTOL, atol=1e-12)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=COEF_RTOL, atol=1e-12)
    assert not X.has_canonical_format  # the caller's matrix is untouched


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_sparse_row_index_out_of_range(Est):
    X = _unsorted_csc()
    X.indices[0] = 7  # shape is (3, 2): row 7 does not exist (set after construction)
    with pytest.raises(ValueError, match="(?i)index|indices"):
        Est().fit(X, np.ones(3))


@pytest.mark.parametrize("Est", ESTIMATORS, ids=EST_IDS)
def test_sparse_negative_row_index(Est):
    X = _unsorted_csc()
    X.indices[1] = -1
    with pytest.raises(ValueError, match="(?i)index|indices"):
        Est().fit(X, np.ones(3))


# --- fuzz -----------------------------------------------------------------------------

@st.composite
def fit_inputs(draw):
    X, y, sw = draw_data(draw, [0.0, -1.0, np.nan, np.inf])
    p = X.shape[1]
    params = dict(
        alpha=draw(st.sampled_from([0.0, 1e-3, 0.1, 1.0, 1e6])),
        fit_intercept=draw(st.booleans()),
        positive=draw(st.booleans()),
        max_iter=50,
    )
    est_cls = draw(st.sampled_from(ESTIMATORS))
    if est_cls is fastenet.ElasticNet:
        params["l1_ratio"] = draw(st.sampled_from([0.0, 0.01, 0.5, 1.0]))
    if draw(st.booleans()):
        factors = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 2.0]),
                            st.sampled_from([-1.0, np.nan, np.inf]))
        params["penalty_factor"] = np.array(draw(st.lists(factors, min_size=p, max_size=p)))
    if draw(st.integers(0, 3)) == 0:
        params["lower_bounds"] = draw(st.sampled_from([-1.0, 0.0, -np.inf, 1.0]))
        params["upper_bounds"] = draw(st.sampled_from([1.0, 0.0, np.inf, -1.0]))
    return est_cls, params, X, y, sw


@settings(max_examples=100, deadline=None, derandomize=True,  # same examples every run
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fit_inputs())
def test_fuzz_fit(inputs):
    """fit either succeeds with finite coef_ / intercept_, or raises ValueError /
    TypeError; anything else (segfault, other exception, non-finite result) fails."""
    est_cls, params, X, y, sw = inputs
    check_fit(est_cls(**params), X, y, sw, ignored_user_warnings="With alpha=0")
    # dual_gap_ may overflow (y ~ 1e300 gives ||y||^2 = inf), as in sklearn: not asserted


@st.composite
def cv_fit_inputs(draw):
    X, y, sw = draw_data(draw, [0.0, -1.0, np.nan, np.inf])
    params = dict(
        cv=draw(st.sampled_from([2, 3])),
        alphas=draw(st.sampled_from([5, [0.1, 1.0], [0.0, 1.0]])),
        fit_intercept=draw(st.booleans()),
        positive=draw(st.booleans()),
        max_iter=50,
    )
    est_cls = draw(st.sampled_from([fastenet.LassoCV, fastenet.ElasticNetCV]))
    if est_cls is fastenet.ElasticNetCV:
        params["l1_ratio"] = draw(st.sampled_from([0.5, [0.1, 1.0], [0.0, 0.5]]))
    return est_cls, params, X, y, sw


@settings(max_examples=100, deadline=None, derandomize=True,  # same examples every run
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cv_fit_inputs())
def test_fuzz_cv_fit(inputs):
    """LassoCV / ElasticNetCV: as test_fuzz_fit. (A larger random run of this fuzz found
    sklearn's two crashes, which fastenet had copied: a test fold of zero total weight,
    and CV errors that are NaN or infinite at every alpha.)"""
    est_cls, params, X, y, sw = inputs
    check_fit(est_cls(**params), X, y, sw, ignored_user_warnings="With alpha=0")
