"""Sufficient statistics of a least-squares problem, and their algebra.

Everything covariance (Gram) updates need is in ``Statistics``: the uncentered weighted
Gram ``X^T S X``, ``X^T S y``, the weighted column sums, ``sum S y``, ``y^T S y`` and the
total weight (S = diag(sample_weight), or I). They add over row blocks, so:

- a cross-validation fold's training statistics are the full ones minus its held-out
  block's (one Gram of the whole X, plus one of each held-out block: two X^T X in all
  for every fold together, instead of one per fold);
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
