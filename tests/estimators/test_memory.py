"""Memory behaviour of ``fit``: the caller's arrays are never modified, X that the kernel
can read in place (F-ordered float32/float64, canonical CSC) is not copied even with
``copy_X=True`` and ``fit_intercept=True`` (centering is implicit), and read-only /
memory-mapped inputs work.

The no-copy check uses ``tracemalloc``, which sees every NumPy allocation (NumPy
reports them to it) but not allocations made inside the C++ kernel; it therefore
catches exactly the Python-side copies (``np.asfortranarray``, dtype casts, centering,
upcasting products) that would double the memory of a large X.
"""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import sparse

import fastenet

X_BYTES = 40_000_000  # size of the design in the no-copy tests (40 MB)
N_FEATURES = 50
MAX_PEAK_FRACTION = 0.25  # peak traced allocation during fit < this * X's bytes
SPARSE_DENSITY = 0.3
ALPHA = 0.1  # large enough for a quick fit: the point is memory, not the solution


def _nbytes(X):
    if sparse.issparse(X):
        return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    return X.nbytes


def _big_problem(layout, dtype):
    """A design of about X_BYTES bytes in the given layout, and its y."""
    rng = np.random.RandomState(0)
    itemsize = np.dtype(dtype).itemsize
    if layout == "csc":
        n = int(X_BYTES / ((itemsize + 4) * N_FEATURES * SPARSE_DENSITY))
        X = sparse.random(n, N_FEATURES, density=SPARSE_DENSITY, format="csc",
                          dtype=dtype, random_state=rng, data_rvs=rng.standard_normal)
        X.indices = X.indices.astype(np.int32)
        X.indptr = X.indptr.astype(np.int32)
        assert X.has_canonical_format
        y = np.asarray(X[:, :3] @ np.array([1.0, -2.0, 3.0])).ravel()
    else:
        n = X_BYTES // (itemsize * N_FEATURES)
        X = np.asfortranarray(rng.standard_normal((n, N_FEATURES)).astype(dtype))
        y = X[:, :3].astype(np.float64) @ np.array([1.0, -2.0, 3.0])
    y = (y + rng.standard_normal(n) + 5.0).astype(dtype)
    return X, y


@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_does_not_copy_X(layout, dtype, weighted):
    X, y = _big_problem(layout, dtype)
    sw = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    # ElasticNet only: Lasso is the same class with l1_ratio=1
    est = fastenet.ElasticNet(alpha=ALPHA, copy_X=True, fit_intercept=True)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        est.fit(X, y, sample_weight=sw)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert np.all(np.isfinite(est.coef_))
    assert peak < MAX_PEAK_FRACTION * _nbytes(X), (
        f"peak allocation during fit {peak / 1e6:.1f} MB for X of "
        f"{_nbytes(X) / 1e6:.1f} MB "
        f"({peak / _nbytes(X):.2f} x): X (or a cast of it) was copied"
    )


def _small_inputs(layout, dtype, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(30, 6).astype(dtype)
    y = (X @ rng.randn(6) + rng.randn(30) + 2.0).astype(dtype)
    if layout == "C":
        X = np.ascontiguousarray(X)
    elif layout == "F":
        X = np.asfortranarray(X)
    else:
        X[rng.rand(*X.shape) < 0.5] = 0.0
        X = sparse.csc_matrix(X) if layout == "csc" else sparse.csr_matrix(X)
    return X, y, rng.uniform(0.5, 2.0, 30)


def _snapshot(X):
    if sparse.issparse(X):
        return (X.format, X.data.copy(), X.indices.copy(), X.indptr.copy())
    return (X.flags.f_contiguous, X.copy(order="A"))


def _assert_same(X, snap):
    if sparse.issparse(X):
        assert X.format == snap[0]
        for before, after in zip(snap[1:], (X.data, X.indices, X.indptr)):
            assert after.dtype == before.dtype
            np.testing.assert_array_equal(after, before)
    else:
        assert X.flags.f_contiguous == snap[0]
        assert X.dtype == snap[1].dtype
        np.testing.assert_array_equal(X, snap[1])


@pytest.mark.parametrize("layout", ["C", "F", "csc", "csr"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("copy_X", [True, False])
@pytest.mark.parametrize("n_targets", [1, 2])
def test_inputs_unchanged(layout, dtype, copy_X, n_targets):
    """X, y and sample_weight are bit-for-bit unchanged after fit, for every layout and
    dtype, with copy_X True or False (fastenet never modifies X: it centers implicitly
    and rescales a copy of the weights)."""
    X, y, sw = _small_inputs(layout, dtype)
    if n_targets == 2:
        y = np.column_stack([y, 2 * y])
    snap_X, y0, sw0 = _snapshot(X), y.copy(), sw.copy()
    fastenet.ElasticNet(alpha=0.01, copy_X=copy_X, fit_intercept=True).fit(
        X, y, sample_weight=sw)
    _assert_same(X, snap_X)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_inputs_unchanged_check_input_false(dtype):
    X, y, sw = _small_inputs("F", dtype)
    snap_X, y0, sw0 = _snapshot(X), y.copy(), sw.copy()
    fastenet.ElasticNet(alpha=0.01, copy_X=False).fit(X, y, sample_weight=sw,
                                                       check_input=False)
    _assert_same(X, snap_X)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)


def _read_only(a):
    a = a.copy(order="K")
    a.setflags(write=False)
    return a


@pytest.mark.parametrize("layout", ["C", "F", "csc", "csr"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_read_only_inputs(layout, dtype):
    X, y, sw = _small_inputs(layout, dtype)
    expected = fastenet.ElasticNet(alpha=0.01).fit(X, y, sample_weight=sw)
    if sparse.issparse(X):
        X = X.copy()
        X.data, X.indices, X.indptr = (_read_only(X.data), _read_only(X.indices),
                                       _read_only(X.indptr))
    else:
        X = _read_only(X)
    est = fastenet.ElasticNet(alpha=0.01).fit(X, _read_only(y),
                                              sample_weight=_read_only(sw))
    np.testing.assert_array_equal(est.coef_, expected.coef_)
    np.testing.assert_array_equal(est.intercept_, expected.intercept_)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_memmap_inputs(tmp_path, order, dtype):
    X, y, sw = _small_inputs(order, dtype)
    expected = fastenet.Lasso(alpha=0.01).fit(X, y, sample_weight=sw)

    def to_memmap(name, a):
        path = tmp_path / name
        mm = np.memmap(path, dtype=a.dtype, mode="w+", shape=a.shape, order=order)
        mm[...] = a
        mm.flush()
        del mm
        return np.memmap(path, dtype=a.dtype, mode="r", shape=a.shape, order=order)

    Xm, ym, swm = to_memmap("X.dat", X), to_memmap("y.dat", y), to_memmap("sw.dat", sw)
    est = fastenet.Lasso(alpha=0.01).fit(Xm, ym, sample_weight=swm)
    np.testing.assert_array_equal(est.coef_, expected.coef_)
    np.testing.assert_array_equal(est.intercept_, expected.intercept_)
    np.testing.assert_array_equal(np.asarray(Xm), X)  # file content untouched
    np.testing.assert_allclose(est.predict(Xm), expected.predict(X))
