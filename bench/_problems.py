"""The four generated regression problems of the single-fit benchmark.

Each problem is a design X, a response y = X @ w_true + intercept + noise, made from a
fixed seed, in a full size (the numbers quoted in the benchmark issue) and a quick size
(for the CI smoke pass and ``report.py --quick``):

``dense_tall``   n=50,000 x p=500, float64, F-order. Toeplitz correlation
                 corr(X_j, X_k) = 0.5^|j-k|, made by an AR(1) recursion over columns:
                 X_0 = z_0, X_j = rho X_{j-1} + sqrt(1 - rho^2) z_j.
                 8% of w_true nonzero.
``dense_wide``   n=1,000 x p=10,000, float64, F-order. Toeplitz correlation 0.6^|j-k|,
                 by the same AR(1) recursion. 60 nonzeros in w_true. (Equicorrelated
                 columns, corr 0.6 for every pair, were tried and dropped: at
                 alpha_max/100 sklearn does not converge in 10,000 epochs, 46 s.)
``sparse_text``  n=10,000 x p=100,000 CSC at 0.2% density, text-like: column document
                 frequencies follow Zipf's law (freq of the k-th commonest column
                 ~ k^-1, capped at n/4, at least 1), columns in shuffled order, row
                 lengths log-normal, values are term counts 1 + Poisson(0.3).
                 1% of w_true nonzero.
``dense_ill``    n=5,000 x p=2,000, float64, F-order, Toeplitz correlation 0.9^|j-k|
                 (paths and CV only). 40 nonzeros in w_true.
``onehot_geo``   200,000 rows, CSC one-hot, exactly 6 ones per row: a latitude bin (200)
                 x longitude bin (200) cell, with only occupied cells as columns
                 (half the points uniform, half from 40 Gaussian "cities" of Zipf
                 weights), and
                 5 categoricals of 4,000 + 3,000 + 1,500 + 1,000 + 500 levels with Zipf
                 (s = 1.1) level frequencies, occupied levels only. About 47,000
                 columns; 2% of w_true nonzero.

Noise: Gaussian, with signal-to-noise ratio SNR = std(X w_true) / std(noise) = 4.
All generators are vectorized; the largest (dense_tall, 200 MB) takes about a second, so
nothing is cached on disk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = ["PATH_PROBLEMS", "PROBLEMS", "Problem", "make_problem"]

SNR = 4.0
INTERCEPT = 3.0


@dataclass(frozen=True)
class Problem:
    """One generated problem; ``X`` is F-ordered dense or CSC with int32 indices."""

    name: str
    X: np.ndarray | sp.csc_matrix
    y: np.ndarray
    w_true: np.ndarray
    description: str
    extra: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape

    @property
    def nnz_true(self) -> int:
        return int(np.count_nonzero(self.w_true))


def _response(rng, X, w_true) -> np.ndarray:
    # y = X @ w_true + intercept + noise, with std(noise) = std(X @ w_true) / SNR.
    signal = np.asarray(X @ w_true, dtype=np.float64).ravel()
    sigma = signal.std() / SNR
    return signal + INTERCEPT + sigma * rng.standard_normal(signal.shape[0])


def _sparse_truth(rng, p, k) -> np.ndarray:
    w = np.zeros(p)
    support = rng.choice(p, size=k, replace=False)
    w[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(0.5, 2.0, size=k)
    return w


def _ar1_columns(rng, n, p, rho) -> np.ndarray:
    """F-ordered n x p standard normal X with corr(X_j, X_k) = rho^|j-k|."""
    # Row j of Z is column j of X, so Z.T is F-ordered and the recursion runs in place.
    Z = rng.standard_normal((p, n))
    c = math.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        # X_j = rho X_{j-1} + sqrt(1 - rho^2) z_j
        Z[j] *= c
        Z[j] += rho * Z[j - 1]
    return Z.T


def _dense_tall(*, n, p, rho=0.5, frac_nonzero=0.08, seed=0) -> Problem:
    rng = np.random.default_rng(seed)
    X = _ar1_columns(rng, n, p, rho)
    w_true = _sparse_truth(rng, p, max(1, round(frac_nonzero * p)))
    return Problem(
        name="dense_tall",
        X=X,
        y=_response(rng, X, w_true),
        w_true=w_true,
        description=f"dense {n}x{p}, Toeplitz corr {rho}^|j-k| (AR(1) over columns)",
    )


def _dense_wide(*, n, p, rho=0.6, k_nonzero=60, seed=1, name="dense_wide") -> Problem:
    rng = np.random.default_rng(seed)
    X = _ar1_columns(rng, n, p, rho)
    w_true = _sparse_truth(rng, p, k_nonzero)
    return Problem(
        name=name,
        X=X,
        y=_response(rng, X, w_true),
        w_true=w_true,
        description=f"dense {n}x{p}, Toeplitz corr {rho}^|j-k| (AR(1) over columns)",
    )


def _zipf_counts(rng, p, *, total, cap, s=1.0) -> np.ndarray:
    """Column nonzero counts ~ c * rank^-s, clipped to [1, cap], summing to total."""
    weights = np.arange(1, p + 1, dtype=np.float64) ** -s
    lo, hi = 0.0, float(total)
    for _ in range(100):  # bisection on c: sum(clip(c * weights, 1, cap)) = total
        c = 0.5 * (lo + hi)
        if np.clip(c * weights, 1.0, cap).sum() > total:
            hi = c
        else:
            lo = c
    expected = np.clip(lo * weights, 1.0, cap)
    # Stochastic rounding keeps the total right without a staircase of equal counts.
    counts = np.floor(expected) + (rng.random(p) < expected - np.floor(expected))
    return np.maximum(counts, 1).astype(np.int64)


def _sparse_text(*, n, p, density=0.002, frac_nonzero=0.01, seed=2) -> Problem:
    rng = np.random.default_rng(seed)
    counts = _zipf_counts(rng, p, total=density * n * p, cap=n // 4)
    counts = counts[rng.permutation(p)]  # frequency unrelated to column index
    doc_len = rng.lognormal(0.0, 0.5, size=n)
    rows = rng.choice(n, size=int(counts.sum()), p=doc_len / doc_len.sum())
    cols = np.repeat(np.arange(p, dtype=np.int64), counts)
    # Sorted unique keys col * n + row are exactly CSC order; repeats of a (row, col)
    # pair are dropped, so the realized density is a little under the target.
    keys = np.unique(cols * n + rows)
    indices = (keys % n).astype(np.int32)
    indptr = np.zeros(p + 1, dtype=np.int32)
    np.cumsum(np.bincount(keys // n, minlength=p), out=indptr[1:])
    data = 1.0 + rng.poisson(0.3, size=keys.size).astype(np.float64)
    X = sp.csc_matrix((data, indices, indptr), shape=(n, p))
    X.has_sorted_indices = True
    w_true = _sparse_truth(rng, p, max(1, round(frac_nonzero * p)))
    return Problem(
        name="sparse_text",
        X=X,
        y=_response(rng, X, w_true),
        w_true=w_true,
        description=(
            f"CSC {n}x{p}, density {X.nnz / (n * p):.3%}, Zipf column frequencies"
        ),
    )


def _zipf_levels(rng, n, n_levels, s=1.1) -> np.ndarray:
    prob = np.arange(1, n_levels + 1, dtype=np.float64) ** -s
    prob = prob[rng.permutation(n_levels)]
    return rng.choice(n_levels, size=n, p=prob / prob.sum())


def _onehot_geo(
    *,
    n,
    grid=200,
    cat_levels=(4000, 3000, 1500, 1000, 500),
    n_cities=40,
    frac_nonzero=0.02,
    seed=3,
) -> Problem:
    rng = np.random.default_rng(seed)
    # Locations: half uniform over the unit square, half around Zipf-weighted "cities".
    uniform = rng.random(n) < 0.5
    city_w = np.arange(1, n_cities + 1, dtype=np.float64) ** -1.0
    city = rng.choice(n_cities, size=n, p=city_w / city_w.sum())
    centers = rng.random((n_cities, 2))
    spread = rng.uniform(0.005, 0.05, size=n_cities)
    loc = centers[city] + spread[city, None] * rng.standard_normal((n, 2))
    loc[uniform] = rng.random((int(uniform.sum()), 2))
    bins = np.clip((loc * grid).astype(np.int64), 0, grid - 1)
    cell = bins[:, 0] * grid + bins[:, 1]  # lat bin x lon bin, crossed

    # One block of columns per categorical; only occupied cells / levels become columns.
    codes = [cell] + [_zipf_levels(rng, n, k) for k in cat_levels]
    blocks, offset, widths = [], 0, []
    for code in codes:
        _, inverse = np.unique(code, return_inverse=True)
        width = int(inverse.max()) + 1
        blocks.append(inverse.astype(np.int64) + offset)
        widths.append(width)
        offset += width
    p = offset
    rows = np.repeat(np.arange(n, dtype=np.int64), len(codes))
    cols = np.stack(blocks, axis=1).ravel()
    data = np.ones(rows.size, dtype=np.float64)
    X = sp.csc_matrix((data, (rows, cols)), shape=(n, p))
    X.indices = X.indices.astype(np.int32, copy=False)
    X.indptr = X.indptr.astype(np.int32, copy=False)
    X.sort_indices()
    w_true = _sparse_truth(rng, p, max(1, round(frac_nonzero * p)))
    return Problem(
        name="onehot_geo",
        X=X,
        y=_response(rng, X, w_true),
        w_true=w_true,
        description=(
            f"one-hot CSC {n}x{p}, 6 ones/row: {widths[0]} occupied geo cells of "
            f"{grid}x{grid} + categoricals {widths[1:]}"
        ),
        extra={"block_widths": widths},
    )


# name -> (generator, full-size kwargs, quick-size kwargs)
_SPECS = {
    "dense_tall": (_dense_tall, dict(n=50_000, p=500), dict(n=5_000, p=100)),
    "dense_wide": (
        _dense_wide,
        dict(n=1_000, p=10_000),
        dict(n=200, p=1_000, k_nonzero=20),
    ),
    "sparse_text": (_sparse_text, dict(n=10_000, p=100_000), dict(n=2_000, p=10_000)),
    "onehot_geo": (
        _onehot_geo,
        dict(n=200_000),
        dict(n=20_000, grid=50, cat_levels=(400, 300, 150, 100, 50)),
    ),
}
PROBLEMS = tuple(_SPECS)  # the single-fit benchmark's

# Paths and CV add an ill-conditioned design (issue: paths and CV).
_SPECS["dense_ill"] = (
    _dense_wide,
    dict(n=5_000, p=2_000, rho=0.9, k_nonzero=40, seed=3, name="dense_ill"),
    dict(n=500, p=200, rho=0.9, k_nonzero=10, seed=3, name="dense_ill"),
)
PATH_PROBLEMS = ("dense_tall", "dense_wide", "dense_ill", "sparse_text", "onehot_geo")


def make_problem(name: str, *, quick: bool = False) -> Problem:
    """Generate problem ``name`` (one of ``PROBLEMS``) at full or quick size."""
    try:
        generator, full, small = _SPECS[name]
    except KeyError:
        raise ValueError(f"unknown problem {name!r}; choose from {PROBLEMS}") from None
    return generator(**(small if quick else full))
