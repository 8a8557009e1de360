"""Estimator-level behaviour: sklearn's own estimator checks, signatures, bad input, and
the caller's data left untouched and uncopied."""
import inspect
import tracemalloc
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import fastenet

EXTRA = {"penalty_factor", "lower_bounds", "upper_bounds"}


@parametrize_with_checks([fastenet.Lasso(), fastenet.ElasticNet()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", ["Lasso", "ElasticNet"])
def test_signature_matches_sklearn(name):
    ours = inspect.signature(getattr(fastenet, name).__init__).parameters
    theirs = inspect.signature(getattr(sk, name).__init__).parameters
    assert set(ours) - set(theirs) == EXTRA
    for key, par in theirs.items():
        assert ours[key].default == par.default, key
        assert ours[key].kind == par.kind, key


def _data(n=60, p=8, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(n)


BAD_INPUTS = [
    ("nan in X", lambda X, y: (np.where(np.eye(*X.shape) > 0, np.nan, X), y), ValueError, "NaN"),
    ("inf in y", lambda X, y: (X, np.r_[np.inf, y[1:]]), ValueError, "infinity"),
    ("lengths", lambda X, y: (X, y[:-1]), ValueError, "inconsistent numbers of samples"),
    ("3-D X", lambda X, y: (X[:, :, None], y), ValueError, "dim"),
    ("empty X", lambda X, y: (X[:0], y[:0]), ValueError, "0 sample"),
    ("strings", lambda X, y: (X.astype(str).astype(object) + "a", y), ValueError, "convert"),
]


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_data(case):
    _, make, exc, match = case
    X, y = make(*_data())
    with pytest.raises(exc, match=match):
        fastenet.ElasticNet(alpha=0.1).fit(X, y)


BAD_PARAMS = [
    (dict(alpha=-1.0), "alpha"),
    (dict(l1_ratio=1.5), "l1_ratio"),
    (dict(penalty_factor=np.ones(3)), "penalty_factor"),
    (dict(penalty_factor=-np.ones(8)), "penalty_factor"),
    (dict(lower_bounds=0.5), "lower_bounds"),
    (dict(upper_bounds=-0.5), "upper_bounds"),
    (dict(lower_bounds=np.full(8, -1.0), upper_bounds=np.r_[-2.0, np.ones(7)]), "bounds"),
]


@pytest.mark.parametrize("params,match", BAD_PARAMS)
def test_bad_parameters(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        fastenet.ElasticNet(**{"alpha": 0.1, **params}).fit(X, y)


def test_malformed_sparse_raises_and_noncanonical_is_canonicalized():
    X, y = _data()
    Xs = sparse.csc_matrix(X)
    bad = sparse.csc_matrix((Xs.data, Xs.indices.copy(), Xs.indptr), shape=X.shape)
    bad.indices[3] = 10_000  # row index out of range
    with pytest.raises(ValueError, match="row indices"):
        fastenet.Lasso(alpha=0.01).fit(bad, y)
    # Unsorted and duplicated entries: a valid matrix whose value is the summed entry.
    rows, cols = np.nonzero(X)
    vals = X[rows, cols]
    order = np.random.RandomState(1).permutation(rows.size)
    dup = sparse.csc_matrix(
        (np.r_[vals[order] / 2, vals[order] / 2], (np.r_[rows[order], rows[order]],
                                                   np.r_[cols[order], cols[order]])),
        shape=X.shape)
    dup.has_canonical_format = False
    ref = fastenet.Lasso(alpha=0.01, tol=1e-10).fit(X, y)
    got = fastenet.Lasso(alpha=0.01, tol=1e-10).fit(dup, y)
    np.testing.assert_allclose(got.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("layout", ["F", "C", "csc", "csr", "f32"])
def test_inputs_unchanged(layout):
    X, y = _data()
    sw = np.random.RandomState(2).rand(X.shape[0])
    Xin = {"F": np.asfortranarray(X), "C": np.ascontiguousarray(X),
           "csc": sparse.csc_matrix(X), "csr": sparse.csr_matrix(X),
           "f32": np.asfortranarray(X, dtype=np.float32)}[layout]
    before = [Xin.copy(), y.copy(), sw.copy()]
    fastenet.ElasticNet(alpha=0.05, copy_X=False).fit(Xin, y, sample_weight=sw)
    for a, b in zip(before, [Xin, y, sw]):
        if sparse.issparse(a):
            assert (a != b).nnz == 0
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["dense64", "dense32", "csc"])
def test_no_copy_of_X(kind):
    rng = np.random.RandomState(0)
    n, p = 20_000, 250  # 40 MB in float64
    X = np.asfortranarray(rng.randn(n, p))
    y = X[:, :3].sum(axis=1) + rng.randn(n)
    if kind == "dense32":
        X, y = X.astype(np.float32, order="F"), y.astype(np.float32)
    if kind == "csc":
        X[np.abs(X) < 1.0] = 0
        X = sparse.csc_matrix(X)
    nbytes = X.nbytes if not sparse.issparse(X) else X.data.nbytes + X.indices.nbytes
    model = fastenet.Lasso(alpha=0.1, fit_intercept=True, copy_X=True)
    tracemalloc.start()
    model.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * nbytes, (peak, nbytes)


def test_readonly_and_memmap(tmp_path):
    X, y = _data()
    ro = X.copy()
    ro.flags.writeable = False
    mm = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=X.dtype, shape=X.shape)
    mm[:] = X
    ref = fastenet.Lasso(alpha=0.01).fit(X, y).coef_
    for arr in (ro, np.load(tmp_path / "X.npy", mmap_mode="r")):
        np.testing.assert_allclose(fastenet.Lasso(alpha=0.01).fit(arr, y).coef_, ref)


def test_dataframe_keeps_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    model = fastenet.Lasso(alpha=0.01).fit(df, y)
    assert list(model.feature_names_in_) == list(df.columns)


def test_convergence_warning_like_sklearn():
    X, y = _data()
    with pytest.warns(ConvergenceWarning, match="Objective did not converge"):
        fastenet.ElasticNet(alpha=1e-4, max_iter=1, tol=1e-12).fit(X, y)


def test_fit_is_interruptible_hook_does_not_fire_without_signal():
    # The kernel polls for signals in its outer loop; without a pending signal a long fit
    # completes normally (the Ctrl-C path itself is exercised in test_interrupt below).
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fastenet.Lasso(alpha=0.01).fit(X, y)


def test_interrupt_raises_keyboardinterrupt():
    import os
    import signal
    import threading

    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(2000, 3000))
    y = X @ rng.randn(3000)
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # A fit that runs for minutes: the signal lands inside the kernel.
            fastenet.ElasticNet(alpha=1e-5, l1_ratio=0.9, tol=1e-14, max_iter=10**6).fit(X, y)
    finally:
        timer.cancel()
