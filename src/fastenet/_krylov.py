"""Krylov solvers of the ridge normal equations, for sparse X (and dense X on request).

With ``X~ = W^1/2 (X - 1 x_mean^T)`` (``_linalg``'s notation) the ridge solution solves

    primal (n >= p):  (X~^T X~ + alpha I) w = X~^T y~,
    dual   (p >  n):  (X~ X~^T + alpha I) c = y~,      w = X~^T c,

with ``y~ = W^1/2 (y - y_mean)``. ``CenteredDesign`` applies ``X~`` and ``X~^T`` with two
products by X and no centered or weighted copy of it (implicit centering, as sklearn's
``_get_rescaled_operator``). Zero weights remove samples exactly, which is how the k-fold
path of RidgeCV fits a fold without slicing X.

- ``pcg``: preconditioned conjugate gradients with scipy's stopping rule
  ``||b - A x|| < rtol ||b||`` on the true (unpreconditioned) residual, so ``tol`` means
  what it means for sklearn's ``sparse_cg`` (Hestenes & Stiefel 1952; Saad, *Iterative
  Methods for Sparse Linear Systems*, 2nd ed., Alg. 9.1).
- Preconditioners: Jacobi for the primal; for the dual, Jacobi plus the exact
  contribution of the few "heavy" columns whose norm dwarfs the diagonal,
  ``P = D + X~_H X~_H^T``, applied by the Woodbury identity (Golub & Van Loan 2.1.4).
  Text-like designs with Zipf column frequencies owe their large eigenvalues to those
  columns.
- ``multishift_cg``: all shifts ``(A + s I) x_s = b`` from the Krylov space of the
  smallest one, the shifted residuals being collinear with the base residual (Jegerlehner
  1996, "Krylov space solvers for shifted linear systems", hep-lat/9612014, eqs. 2.9-2.12;
  Frommer 2003). One solve prices a whole alpha grid.
- ``lsqr``: scipy's LSQR on ``X~`` with ``damp = sqrt(alpha)`` (Paige & Saunders 1982),
  sklearn's ``lsqr`` solver.

The solutions are linear in the right-hand side, which the solvers square (``||b||^2``):
each solves for ``b / 2^k`` (2^k just above max |b|) and multiplies back (``_linear_in_b``),
which gives the same bits on ordinary data and a finite answer where a huge y (1e300)
would overflow the squares.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse
from scipy.sparse import linalg as sp_linalg

from fastenet._linalg import x_dot, xt_dot

__all__ = [
    "CenteredDesign",
    "KrylovResult",
    "dual_preconditioner",
    "lsqr",
    "multishift_cg",
    "pcg",
    "primal_preconditioner",
]

# Heavy columns of the dual preconditioner: at most HEAVY_MAX of them (a k x k Cholesky
# per solve), each with a centered squared norm above HEAVY_RATIO times the median
# diagonal entry, together holding at most HEAVY_NNZ_SHARE of X's entries (the cost of
# one preconditioner application relative to a product with X). Tuned on the text-like
# 50,000 x 100,000 benchmark problem: 256 / 10 / 0.35 -> 2.6 s, 1024 / 5 / 0.5 -> 2.1 s.
HEAVY_MAX = 1024
HEAVY_RATIO = 5.0
HEAVY_NNZ_SHARE = 0.5


@dataclass(frozen=True)
class KrylovResult:
    x: np.ndarray  # solution(s), float64
    n_iter: int
    converged: bool


class CenteredDesign:
    """``X~`` as an operator: ``dot(V) = X~ V`` and ``tdot(U) = X~^T U`` (float64)."""

    def __init__(self, X, *, x_mean, sw, dtype=None):
        self.X = X
        self.x_mean = x_mean
        self.sqrt_sw = None if sw is None else np.sqrt(sw.astype(np.float64))
        self.dtype = dtype  # products in X's dtype (None) or float64 (see _linalg.xt_dot)

    @property
    def shape(self):
        return self.X.shape

    def dot(self, V):
        out = x_dot(self.X, V, self.x_mean, dtype=self.dtype)
        if self.sqrt_sw is not None:
            out *= self.sqrt_sw if out.ndim == 1 else self.sqrt_sw[:, None]
        return out

    def tdot(self, U):
        if self.sqrt_sw is not None:
            U = U * (self.sqrt_sw if U.ndim == 1 else self.sqrt_sw[:, None])
        return xt_dot(self.X, U, self.x_mean, dtype=self.dtype)

    def linear_operator(self):
        return sp_linalg.LinearOperator(self.shape, matvec=self.dot, rmatvec=self.tdot,
                                        dtype=np.float64)

    def squared_norms(self):
        """(row, column) squared norms of X~, float64, without a copy of X."""
        X, n = self.X, self.shape[0]
        sw = np.ones(n) if self.sqrt_sw is None else self.sqrt_sw**2
        if sparse.issparse(X):
            row_sq, col_sq = np.zeros(n), np.zeros(X.shape[1])
            for major, minor, sq in _entries(X):
                rows, cols = (minor, major) if X.format == "csc" else (major, minor)
                row_sq += np.bincount(rows, weights=sq, minlength=n)
                if self.sqrt_sw is not None:
                    sq *= sw[rows]
                col_sq += np.bincount(cols, weights=sq, minlength=X.shape[1])
        else:
            row_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
            col_sq = np.einsum("ij,ij,i->j", X, X, sw, dtype=np.float64)
        if self.x_mean is not None:
            m = self.x_mean
            row_sq = row_sq - 2.0 * x_dot(self.X, m, None) + m @ m
            col_sq = col_sq - sw.sum() * m**2
        return np.maximum(row_sq, 0.0) * sw, np.maximum(col_sq, 0.0)


def _entries(X, chunk=1 << 16):
    """(major index, minor index, squared value in float64) of the entries of a CSC /
    CSR X, in chunks of about ``chunk`` entries (whole columns / rows), so that no
    temporary of X's size is made."""
    indptr = X.indptr
    nnz = int(indptr[-1])
    cuts = np.searchsorted(indptr, np.arange(chunk, nnz, chunk), side="left")
    bounds = np.unique(np.r_[0, cuts, indptr.shape[0] - 1])
    for j0, j1 in itertools.pairwise(bounds):
        s, e = indptr[j0], indptr[j1]
        major = np.repeat(np.arange(j0, j1), np.diff(indptr[j0:j1 + 1]))
        sq = X.data[s:e].astype(np.float64)
        sq *= sq
        yield major, X.indices[s:e], sq


def _linear_in_b(solve):
    """Wraps solve(operator, b, ...), whose solution is linear in b: it runs on b / 2^k,
    2^k the power of two just above max |b| (1 where b is zero or not finite), and scales
    the solution back; dividing by a power of two rounds nothing."""
    @functools.wraps(solve)
    def scaled(operator, b, *args, **kwargs):
        top = float(np.max(np.abs(b), initial=0.0))
        scale = 1.0 if top == 0.0 or not np.isfinite(top) else float(2.0 ** np.frexp(top)[1])
        res = solve(operator, b / scale, *args, **kwargs)
        return dataclasses.replace(res, x=res.x * scale)
    return scaled


# --- conjugate gradients --------------------------------------------------------------

@_linear_in_b
def pcg(matvec, b, *, precond=None, rtol, maxiter):
    """Solve ``A x = b`` (A SPD) from x = 0; stop when ``||r|| < rtol ||b||``.

    precond: callable applying ``P^-1`` (SPD), or None.
    """
    bnorm = float(np.linalg.norm(b))
    x = np.zeros_like(b)
    if bnorm == 0.0:
        return KrylovResult(x=x, n_iter=0, converged=True)
    atol = rtol * bnorm
    r = b.copy()
    p = rho_prev = None
    for k in range(maxiter):
        if np.linalg.norm(r) < atol:
            return KrylovResult(x=x, n_iter=k, converged=True)
        z = r if precond is None else precond(r)
        rho = float(r @ z)
        p = z.copy() if p is None else z + (rho / rho_prev) * p
        q = matvec(p)
        a = rho / _curvature(p, q)
        x += a * p  # x += a p
        r -= a * q  # invariant: r == b - A x (up to rounding)
        rho_prev = rho
    return KrylovResult(x=x, n_iter=maxiter, converged=bool(np.linalg.norm(r) < atol))


def _curvature(p, q):
    """p^T A p for q = A p: positive and finite for a search direction p != 0 of an SPD
    system. A zero or non-finite one is a breakdown, from squares beyond the float64 range
    (X ~ 1e300) or a preconditioner they zeroed."""
    pq = float(p @ q)
    if not 0.0 < pq < np.inf:
        raise ValueError("The conjugate gradients broke down (p^T A p = "
                         f"{pq}). The input data may contain large values and need to "
                         "be preprocessed.")
    return pq


@_linear_in_b
def multishift_cg(matvec, b, shifts, *, rtol, maxiter):
    """Solve ``(A + s I) x_s = b`` for every shift s >= 0 (A SPD or PSD with b in its
    range) with one Krylov space: CG on the smallest shift, and for each other shift
    ``r_s = zeta_s r`` with the scalar recurrences of Jegerlehner (1996).

    Shift s stops when its own residual ``|zeta_s| ||r|| < rtol ||b||`` (pcg's rule).
    Returns KrylovResult with x of shape (len(shifts), n), n_iter (base iterations) and
    converged (all shifts).
    """
    shifts = np.asarray(shifts, dtype=np.float64)
    order = np.argsort(-shifts, kind="stable")  # descending: the base (smallest) is last
    delta = shifts[order] - shifts[order[-1]]
    base = shifts[order[-1]]
    m, n = delta.shape[0], b.shape[0]
    X = np.zeros((m, n))
    bnorm = float(np.linalg.norm(b))
    if bnorm == 0.0:
        return KrylovResult(x=X, n_iter=0, converged=True)
    atol = rtol * bnorm
    r = b.copy()
    p = b.copy()
    P = np.tile(b, (m, 1))  # shifted search directions, one row per shift
    zeta, zeta_prev = np.ones(m), np.ones(m)
    a_prev, beta_prev = 1.0, 0.0
    rr = float(r @ r)
    lo = 0  # shifts [0, lo) have converged and are frozen
    for k in range(maxiter):
        rnorm = np.sqrt(rr)
        while lo < m and abs(zeta[lo]) * rnorm < atol:
            lo += 1
        if lo == m:
            break
        q = matvec(p) + base * p
        a = rr / _curvature(p, q)
        r -= a * q
        rr_next = float(r @ r)
        beta = rr_next / rr
        d, z, zp = delta[lo:], zeta[lo:], zeta_prev[lo:]
        # zeta_{k+1} = zeta_k zeta_{k-1} a_{k-1} /
        #              (a_{k-1} zeta_{k-1} (1 + delta a_k) + a_k beta_{k-1} (zeta_{k-1} - zeta_k))
        z_next = z * zp * a_prev / (a_prev * zp * (1.0 + d * a) + a * beta_prev * (zp - z))
        a_s = a * z_next / z
        beta_s = beta * (z_next / z) ** 2
        X[lo:] += a_s[:, None] * P[lo:]  # x_s += a_s p_s
        P[lo:] *= beta_s[:, None]
        P[lo:] += z_next[:, None] * r  # p_s = zeta_{k+1} r + beta_s p_s
        zeta_prev[lo:], zeta[lo:] = z, z_next
        p *= beta
        p += r
        a_prev, beta_prev, rr = a, beta, rr_next
    else:
        k = maxiter
    rnorm = np.sqrt(rr)
    converged = bool(lo == m or np.all(np.abs(zeta[lo:]) * rnorm < atol))
    out = np.empty_like(X)
    out[order] = X
    return KrylovResult(x=out, n_iter=k, converged=converged)


# --- preconditioners ------------------------------------------------------------------

def primal_preconditioner(design, alpha):
    """Jacobi for ``X~^T X~ + alpha I``: divide by ``||X~_j||^2 + alpha``."""
    _, col_sq = design.squared_norms()
    inv = _inverse_diagonal(col_sq + alpha)
    return lambda r: r * inv


def _inverse_diagonal(d):
    """1 / d, and 1 where d is 0 (alpha 0 and a zero column or row: A's row and b's entry
    are 0 there, so any positive value keeps P SPD; 1 / 0 would make 0 * inf = NaN)."""
    return 1.0 / np.where(d > 0.0, d, 1.0)


def dual_preconditioner(design, alpha):
    """``P^-1`` for ``X~ X~^T + alpha I`` with ``P = D + X~_H X~_H^T``.

    H: the heavy columns (squared norm above HEAVY_RATIO times the median diagonal,
    largest first, at most HEAVY_MAX of them holding at most HEAVY_NNZ_SHARE of X's
    entries); D: the diagonal of the rest plus alpha. By Woodbury,
    ``P^-1 r = D^-1 r - D^-1 X~_H S^-1 X~_H^T D^-1 r`` with ``S = I + X~_H^T D^-1 X~_H``
    (k x k). Without heavy columns this is Jacobi. Dense X: Jacobi only.
    """
    row_sq, col_sq = design.squared_norms()
    X, m, n = design.X, design.x_mean, design.shape[0]
    heavy = np.empty(0, dtype=np.intp)
    if sparse.issparse(X) and col_sq.size:
        cut = HEAVY_RATIO * float(np.median(row_sq + alpha))
        cand = np.argsort(-col_sq, kind="stable")[:HEAVY_MAX]
        cand = cand[col_sq[cand] > cut]
        if cand.size:
            col_nnz = (np.diff(X.indptr) if X.format == "csc"
                       else np.bincount(X.indices, minlength=X.shape[1]))
            nnz = np.cumsum(col_nnz[cand])
            heavy = np.sort(cand[nnz <= HEAVY_NNZ_SHARE * max(X.nnz, 1)])
    if heavy.size == 0:
        inv = _inverse_diagonal(row_sq + alpha)

        def jacobi(r):
            return r * inv
        jacobi.heavy = heavy
        return jacobi
    XH = CenteredDesign(X[:, heavy],  # a copy of the heavy columns only
                        x_mean=None if m is None else m[heavy],
                        sw=None if design.sqrt_sw is None else design.sqrt_sw**2)
    heavy_row_sq, _ = XH.squared_norms()
    inv = _inverse_diagonal(np.maximum(row_sq - heavy_row_sq, 0.0) + alpha)
    # S = I + X~_H^T D^-1 X~_H, from the sparse product X_H^T diag(e) X_H, e = sw / D.
    sw = np.ones(n) if design.sqrt_sw is None else design.sqrt_sw**2
    e = sw * inv
    XHs = XH.X
    S = np.asarray((XHs.T @ (sparse.diags_array(e.astype(XHs.dtype)) @ XHs)).toarray(),
                   dtype=np.float64)
    if XH.x_mean is not None:
        mH = XH.x_mean
        u = np.asarray(XHs.T @ e.astype(XHs.dtype), dtype=np.float64)
        S -= np.outer(u, mH) + np.outer(mH, u) - e.sum() * np.outer(mH, mH)
    S.flat[::S.shape[0] + 1] += 1.0
    factor = linalg.cho_factor(S, lower=False, overwrite_a=True, check_finite=False)

    def apply(r):
        z = r * inv
        s = linalg.cho_solve(factor, XH.tdot(z), check_finite=False)
        z -= XH.dot(s) * inv
        return z

    apply.heavy = heavy  # for inspection (tests)
    return apply


# --- LSQR -----------------------------------------------------------------------------

@_linear_in_b
def lsqr(design, y, *, alpha, tol, max_iter):
    """sklearn's ``lsqr`` solver on ``X~``: returns KrylovResult (x of shape (p,))."""
    result = sp_linalg.lsqr(design.linear_operator(), y, damp=float(np.sqrt(alpha)),
                            atol=tol, btol=tol, iter_lim=max_iter)
    x, istop, itn = result[0], result[1], result[2]
    return KrylovResult(x=x, n_iter=int(itn), converged=istop != 7)
