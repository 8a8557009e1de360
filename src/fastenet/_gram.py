"""Sufficient statistics of a least-squares problem, and their algebra.

Everything covariance (Gram) updates need is in ``Statistics``: the uncentered weighted
Gram ``X^T S X``, ``X^T S y``, the weighted column sums, ``sum S y``, ``y^T S y`` and the
total weight (S = diag(sample_weight), or I). They add over row blocks, so:

- a cross-validation fold's training statistics are the full ones minus its held-out
  block's (where the held-out blocks partition the rows, the full ones are their sum: one
  X^T X in all for every fold together, instead of one per fold), and its test errors
  come from the held-out block's statistics alone (``Statistics.squared_errors``);
- statistics computed elsewhere (chunks of rows on other machines) are summed and handed
  to ``centered``, then to the kernel's Gram entry point; X itself is never needed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fastenet import _linalg

__all__ = ["Statistics", "gram", "statistics"]


def gram(X, sw=None, dtype=None):
    """X^T diag(sw) X as a (p, p) C-ordered array of X's dtype (or of ``dtype``: float64
    products on float64 copies of row blocks of a float32 X), X dense: ``_linalg.gram``
    (one symmetric rank-k BLAS update on X as laid out; with weights, over row blocks,
    so X is never copied whole), uncentered."""
    G = _linalg.gram(X, x_mean=None, sw=sw, sw_sum=None, dtype=dtype)
    return G if G.flags.c_contiguous else G.T  # symmetric: the transpose is the same


@dataclass
class Statistics:
    """Uncentered weighted sufficient statistics of (X, y); see the module doc."""

    G: np.ndarray  # (p, p) X^T S X, float64
    xy: np.ndarray  # (p,) X^T S y, float64
    colsum: np.ndarray  # (p,) X^T S 1, float64
    ysum: float  # 1^T S y
    yy: float  # y^T S y
    W: float  # 1^T S 1

    def __add__(self, other):
        return Statistics(G=self.G + other.G, xy=self.xy + other.xy,
                          colsum=self.colsum + other.colsum, ysum=self.ysum + other.ysum,
                          yy=self.yy + other.yy, W=self.W + other.W)

    def __sub__(self, other):
        return Statistics(G=self.G - other.G, xy=self.xy - other.xy,
                          colsum=self.colsum - other.colsum, ysum=self.ysum - other.ysum,
                          yy=self.yy - other.yy, W=self.W - other.W)

    def scaled(self, c):
        """The statistics with every weight multiplied by c."""
        return Statistics(G=self.G * self.G.dtype.type(c), xy=self.xy * c,
                          colsum=self.colsum * c, ysum=self.ysum * c, yy=self.yy * c,
                          W=self.W * c)

    def centered(self, fit_intercept):
        """(G_c, xy_c, yy_c, x_mean, y_mean) of the problem with an intercept (X and y
        centered at their weighted means), or the raw ones (means 0) without."""
        p = self.G.shape[0]
        if not fit_intercept:
            return self.G, self.xy, self.yy, np.zeros(p), 0.0
        m = self.colsum / self.W
        ybar = self.ysum / self.W
        G = self.G - (self.W * np.outer(m, m)).astype(self.G.dtype)
        xy = self.xy - self.W * m * ybar
        yy = max(self.yy - self.W * ybar * ybar, 0.0)
        return G, xy, yy, m, ybar

    def squared_errors(self, coefs, intercepts, n_rows):
        """The weighted sums of squared errors of linear models on the rows these
        statistics were computed on, from the statistics alone: for each column k of
        ``coefs`` (p, K) and ``intercepts`` (K,), beta = coefs[:, k] and b = intercepts[k],

            sum_i s_i (x_i @ beta + b - y_i)^2
              = beta^T G beta + 2 b beta^T colsum - 2 beta^T xy + b^2 W - 2 b ysum + yy,

        O(p^2 K) instead of reading the rows (n_rows x p x K), and a bound on its rounding
        error. Every term is an inner product of two of the vectors beta_j X[:, j], b 1 and
        y under the weights, so each is at most the product of their norms, and the terms
        together at most S = (sum_j |beta_j| ||X[:, j]|| + |b| sqrt(W) + sqrt(yy))^2
        (||X[:, j]||^2 = G[j, j]). G's entries are sums of n_rows products, rounded by at
        most n_rows eps times the product of the two columns' norms, and the products
        above sum at most 2 p + 6 terms: the error is at most (n_rows + 2 p + 6) eps S.
        Only the features nonzero in some column of coefs are read (p above counts them).
        Returns (sse, bound), each (K,)."""
        coefs = np.asarray(coefs, dtype=np.float64)
        b = np.asarray(intercepts, dtype=np.float64)
        used = np.flatnonzero(np.any(coefs != 0, axis=1))
        B = coefs[used]
        G = self.G[np.ix_(used, used)]
        quad = np.einsum("jk,jk->k", B, G @ B)
        sse = (quad + 2.0 * b * (self.colsum[used] @ B) - 2.0 * (self.xy[used] @ B)
               + b * b * self.W - 2.0 * b * self.ysum + self.yy)
        norms = np.sqrt(np.maximum(np.diag(G), 0.0))
        S = (norms @ np.abs(B) + np.abs(b) * np.sqrt(self.W)
             + np.sqrt(max(self.yy, 0.0))) ** 2
        return sse, (n_rows + 2 * len(used) + 6) * np.finfo(np.float64).eps * S


def statistics(X, y, sw=None):
    """Statistics of a dense X (n, p) and y (n,), weights sw (n,) or None."""
    yw = y.astype(np.float64) if sw is None else sw.astype(np.float64) * y
    weights = np.ones(X.shape[0]) if sw is None else sw.astype(np.float64)
    # All in float64 for every X (a float32 X read in float64 row blocks): centered()
    # subtracts W m m^T and W m ybar, which under a column mean of 1e4 and unit spread
    # cancel every digit of float32 sums (a float32 LassoCV selected nonsense there).
    return Statistics(
        G=gram(X, sw, dtype=np.float64),
        xy=_linalg.xt_dot(X, yw, None, dtype=np.float64),
        colsum=_linalg.xt_dot(X, weights, None, dtype=np.float64),
        ysum=float(yw.sum()),
        yy=float(yw @ y.astype(np.float64)),
        W=float(X.shape[0] if sw is None else sw.sum(dtype=np.float64)),
    )
