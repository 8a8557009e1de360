"""Shared data generators and fixtures for fastenet's tests (fixed seeds throughout).

The generators are plain functions (importable as fixtures ``make_data`` and
``make_weights``) so tests can parametrize over problem *names* at collection time and
build the arrays only when they run.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.linalg import cholesky, toeplitz

SEED = 0

# name -> (n_samples, n_features); sparse ones have density SPARSE_DENSITY
SHAPES = {
    "tall": (200, 20),
    "wide": (50, 200),
    "toeplitz": (100, 50),  # correlated columns: corr(X_j, X_k) = TOEPLITZ_RHO^|j-k|
    "csc": (100, 80),
    "csr": (100, 80),
}
TOEPLITZ_RHO = 0.9
SPARSE_DENSITY = 0.2
N_INFORMATIVE = 5
NOISE = 0.5
Y_OFFSET = 2.0  # a non-zero mean, so the intercept matters


def make_X(kind, *, seed=SEED, dtype=np.float64):
    """Design matrix of one of the SHAPES kinds: dense C-ordered ndarray, or
    ``scipy.sparse.csc_matrix`` / ``csr_matrix`` for "csc" / "csr"."""
    rng = np.random.RandomState(seed)
    n, p = SHAPES[kind]
    if kind == "toeplitz":
        L = cholesky(toeplitz(TOEPLITZ_RHO ** np.arange(p)), lower=True)
        X = rng.randn(n, p) @ L.T
    elif kind in ("csc", "csr"):
        X = rng.randn(n, p) * (rng.rand(n, p) < SPARSE_DENSITY)
        # every column has at least one entry, so no column is identically zero
        X[rng.randint(0, n, size=p), np.arange(p)] = rng.randn(p)
        X = (sparse.csc_matrix if kind == "csc" else sparse.csr_matrix)(X)
        return X.astype(dtype)
    else:
        X = rng.randn(n, p)
    return np.ascontiguousarray(X, dtype=dtype)


def make_y(X, *, seed=SEED, n_targets=1, dtype=np.float64):
    """Target from a sparse ground truth (N_INFORMATIVE non-zeros per target) plus
    noise and an offset. 1-D for n_targets == 1, else (n, n_targets)."""
    rng = np.random.RandomState(seed + 1)
    n, p = X.shape
    W = np.zeros((p, n_targets))
    for k in range(n_targets):
        support = rng.choice(p, size=min(N_INFORMATIVE, p), replace=False)
        signs = rng.choice([-1, 1], size=support.size)
        W[support, k] = rng.uniform(1.0, 3.0, size=support.size) * signs
    Xd = X.toarray() if sparse.issparse(X) else np.asarray(X, dtype=np.float64)
    Y = Xd @ W + NOISE * rng.randn(n, n_targets) + Y_OFFSET * (1 + np.arange(n_targets))
    Y = Y.astype(dtype)
    return Y[:, 0] if n_targets == 1 else Y


def make_data(kind, *, seed=SEED, dtype=np.float64, n_targets=1):
    """(X, y) for one of the SHAPES kinds."""
    X = make_X(kind, seed=seed, dtype=dtype)
    return X, make_y(X, seed=seed, n_targets=n_targets, dtype=dtype)


def make_weights(n, *, seed=SEED):
    """Positive, far-from-uniform sample weights (log-normal), not summing to n."""
    return np.random.RandomState(seed + 2).lognormal(size=n)


@pytest.fixture(name="make_data")
def _make_data_fixture():
    return make_data


@pytest.fixture(name="make_weights")
def _make_weights_fixture():
    return make_weights


@pytest.fixture
def rng():
    return np.random.RandomState(SEED)
