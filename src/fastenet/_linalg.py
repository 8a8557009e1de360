"""Direct linear algebra of fastenet's ridge solvers: Gram and kernel matrices of the
centered, weighted design without copying X, shifted Cholesky solves, eigendecompositions.

Notation (Python glossary of STYLE.md): ``sw`` sample weights (``None``: all ones),
``S = sum(sw)``, ``x_mean = X^T sw / S`` (the weighted column means, float64), and the
design the ridge objective sees,

    X~ = W^1/2 (X - 1 x_mean^T),        W = diag(sw).

``gram`` returns ``X~^T X~`` (p x p) and ``kernel`` returns ``X~ X~^T`` (n x n), both
fully symmetric. For a dense X they are one symmetric rank-k BLAS update (``?syrk``) on
X as it is stored (``X^T X`` is ``syrk(trans=1)`` on an F-ordered X and ``syrk(trans=0)``
on the F-ordered view ``X.T`` of a C-ordered X), and the centering is a rank-one
correction,

    X_c^T X_c = X^T X - n m m^T,
    X_c X_c^T = X X^T - u 1^T - 1 u^T + (m.m) 1 1^T,    u = X m.

The correction cancels digits when a column's mean is large against its spread: the
centered diagonal entry is computed as a difference of numbers ``kappa`` times larger.
When some ``kappa`` exceeds ``KAPPA_MAX`` (4 of float64's 16 digits; 1 of float32's 7)
the matrix is recomputed from explicitly centered blocks of X, which is exact and costs
one block of memory. Weights and a float32 X in a float64 computation also go through
blocks: ``W^1/2 X`` is never formed in full.

References: Golub & Van Loan, *Matrix Computations* (4th ed.), 4.2 (Cholesky) and 8.1
(symmetric eigenproblem); the BLAS ``?syrk`` and LAPACK ``?potrf``/``?potrs``/``?pocon``
reference documentation.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import blas, lapack

__all__ = [
    "KAPPA_MAX",
    "eigh",
    "gram",
    "kernel",
    "solve_shifted",
    "symmetrize",
    "weighted_mean",
    "x_dot",
    "xt_dot",
]

KAPPA_MAX = {np.dtype(np.float64): 1e4, np.dtype(np.float32): 10.0}
BLOCK_ELEMENTS = 1 << 22  # elements of one explicitly centered block (32 MB in float64)
BLOCK_FRACTION = 16  # ... and at most 1/16 of X, so a block never rivals X itself


def block_rows(n, p):
    """Rows per block of an n x p X: at most BLOCK_ELEMENTS and n / BLOCK_FRACTION."""
    return max(1, min(BLOCK_ELEMENTS // max(p, 1), -(-n // BLOCK_FRACTION)))


# --- centering ------------------------------------------------------------------------

def weighted_mean(X, sw, sw_sum):
    """Weighted column means ``X^T sw / S`` in float64 (one pass over X)."""
    n = X.shape[0]
    if sw is None and not sparse.issparse(X):
        return X.mean(axis=0, dtype=np.float64)
    # Weights in X's dtype: a float64 vector would make numpy / scipy upcast (copy) a
    # float32 X. sklearn's own offsets are computed in X's dtype too.
    w = np.ones(n, dtype=X.dtype) if sw is None else sw.astype(X.dtype, copy=False)
    return np.asarray(X.T @ w, dtype=np.float64).ravel() / sw_sum


def _upcast_blocks(X, dtype):
    """Whether products with X must run in float64 on float64 copies of row blocks."""
    return dtype is not None and np.dtype(dtype) != X.dtype


def xt_dot(X, V, x_mean, *, dtype=None):
    """``X_c^T V = X^T V - x_mean (1^T V)`` for V of shape (n,) or (n, k), float64.

    The product runs in X's dtype (a float64 V would make numpy / scipy upcast, i.e.
    copy, a float32 X on every call), or with ``dtype=float64`` on float64 copies of row
    blocks of a float32 X (sparse X: one float64 copy of its entries)."""
    if not _upcast_blocks(X, dtype):
        out = np.asarray(X.T @ V.astype(X.dtype, copy=False), dtype=np.float64)
    elif sparse.issparse(X):
        out = np.asarray(X.astype(np.float64).T @ V, dtype=np.float64)
    else:
        out = 0.0
        step = block_rows(*X.shape)
        for i in range(0, X.shape[0], step):
            out = out + np.asarray(X[i:i + step], dtype=np.float64).T @ V[i:i + step]
        out = np.asarray(out, dtype=np.float64)
    if x_mean is not None:
        out -= np.multiply.outer(x_mean, V.sum(axis=0)) if V.ndim == 2 else x_mean * V.sum()
    return out


def x_dot(X, W, x_mean, *, dtype=None):
    """``X_c W = X W - 1 (x_mean^T W)`` for W of shape (p,) or (p, k), float64 (the
    product in X's dtype or in float64, as in ``xt_dot``)."""
    if not _upcast_blocks(X, dtype):
        out = np.asarray(X @ W.astype(X.dtype, copy=False), dtype=np.float64)
    elif sparse.issparse(X):
        out = np.asarray(X.astype(np.float64) @ W, dtype=np.float64)
    else:
        out = np.empty((X.shape[0],) + W.shape[1:])
        step = block_rows(*X.shape)
        for i in range(0, X.shape[0], step):
            out[i:i + step] = np.asarray(X[i:i + step], dtype=np.float64) @ W
    if x_mean is not None:
        out -= x_mean @ W
    return out


# --- Gram and kernel ------------------------------------------------------------------

def symmetrize(A):
    """Copy the strict upper triangle of square A into its lower one, in place."""
    n = A.shape[0]
    step = 256  # diagonal blocks small enough for cheap triangle indices
    lower = np.tril_indices(step, -1)
    for i in range(0, n, step):
        j = min(i + step, n)
        D = A[i:j, i:j]
        il = lower if j - i == step else np.tril_indices(j - i, -1)
        D[il] = D.T[il]
        A[j:, i:j] = A[i:j, j:].T
    return A


def _syrk(A, *, trans, beta=0.0, C=None):
    """``A^T A`` (trans=1) or ``A A^T`` (trans=0), upper triangle, for F-contiguous A."""
    f = blas.dsyrk if A.dtype == np.float64 else blas.ssyrk
    if C is None:
        return f(1.0, A, trans=trans, lower=0)
    return f(1.0, A, beta=beta, c=C, trans=trans, lower=0, overwrite_c=1)


def _syrk_gram(X):
    """``X^T X`` of a dense X as stored (F: trans=1 on X; C: trans=0 on the F view X.T)."""
    if X.flags.f_contiguous:
        return _syrk(X, trans=1)
    if X.flags.c_contiguous:
        return _syrk(X.T, trans=0)
    if X.strides[0] == X.itemsize and X.strides[1] % X.itemsize == 0:
        # Rows start:stop of an F-ordered array (a cross-validation's test block): BLAS
        # reads it with its leading dimension as it is, which scipy's wrappers cannot
        # pass; numpy's product of a view with its own transpose is the same syrk
        # (a copy of a 10,000 x 500 block cost a fifth of its Gram)
        return X.T @ X
    # A strided view has no leading dimension BLAS can use: one deliberate copy.
    return _syrk(np.asfortranarray(X), trans=1)


def _syrk_kernel(X):
    """``X X^T`` of a dense X as stored."""
    if X.flags.f_contiguous:
        return _syrk(X, trans=0)
    if X.flags.c_contiguous:
        return _syrk(X.T, trans=1)
    return _syrk(np.asfortranarray(X), trans=0)


def _cancellation(raw_diag, centered_diag):
    """Largest ``raw / centered`` ratio of diagonal entries (inf for a zero column)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(raw_diag > 0, raw_diag / centered_diag, 1.0)
    kappa[centered_diag <= 0] = np.where(raw_diag[centered_diag <= 0] > 0, np.inf, 1.0)
    return float(kappa.max()) if kappa.size else 1.0


def _blocked_gram(X, *, x_mean, sqrt_sw, dtype, rows=None):
    """``X~^T X~`` accumulated over explicitly centered, weighted row blocks of X.

    rows: optional index array restricting the sum to those samples. Memory: one block.
    """
    n, p = X.shape
    idx = np.arange(n) if rows is None else np.asarray(rows)
    step = block_rows(idx.shape[0], p)
    G = None
    for start in range(0, idx.shape[0], step):
        sel = idx[start:start + step]
        contiguous = rows is None
        B = X[sel[0]:sel[-1] + 1] if contiguous else X[sel]
        # The block: (X[rows] - x_mean) * sqrt(sw[rows]), C-ordered so that B.T is the
        # F-ordered operand of syrk(trans=0); a sparse X's block is made dense (centering
        # fills it anyway).
        B = np.array(B.toarray() if sparse.issparse(B) else B, dtype=dtype, order="C")
        if x_mean is not None:
            B -= x_mean.astype(dtype, copy=False)
        if sqrt_sw is not None:
            B *= sqrt_sw[sel, None].astype(dtype, copy=False)
        G = _syrk(B.T, trans=0) if G is None else _syrk(B.T, trans=0, beta=1.0, C=G)
    if G is None:
        G = np.zeros((p, p), dtype=dtype, order="F")
    return symmetrize(G)


def gram(X, *, x_mean, sw, sw_sum, dtype=None):
    """Full symmetric ``X~^T X~`` (p x p) in ``dtype`` (default X.dtype).

    Dense X without weights: one ``syrk`` on X in place and a rank-one centering
    correction (see the module docstring for when blocks are used instead). Sparse X:
    the sparse product ``X^T W X``, densified, minus ``S m m^T``; with weights, ``W X``
    is formed once as a sparse matrix (scipy has no weighted sparse product).
    """
    dtype = np.dtype(X.dtype if dtype is None else dtype)
    sqrt_sw = None if sw is None else np.sqrt(sw.astype(np.float64))
    if sparse.issparse(X):
        XtWX = X.T @ (X if sw is None else sparse.diags_array(sw.astype(X.dtype)) @ X)
        G = np.asarray(XtWX.toarray(), dtype=dtype)
        if x_mean is not None:
            G -= (sw_sum * np.outer(x_mean, x_mean)).astype(dtype)
        return G
    if sw is not None or X.dtype != dtype:
        return _blocked_gram(X, x_mean=x_mean, sqrt_sw=sqrt_sw, dtype=dtype)
    G = symmetrize(_syrk_gram(X))
    if x_mean is None:
        return G
    raw = np.diag(G).astype(np.float64)
    G -= (sw_sum * np.outer(x_mean, x_mean)).astype(dtype)
    if _cancellation(raw, np.diag(G).astype(np.float64)) > KAPPA_MAX[dtype]:
        return _blocked_gram(X, x_mean=x_mean, sqrt_sw=None, dtype=dtype)
    return G


def _blocked_kernel(X, *, x_mean, dtype):
    """``X_c X_c^T`` accumulated over explicitly centered column blocks of X."""
    n, p = X.shape
    step = block_rows(p, n)  # column blocks
    K = None
    for start in range(0, p, step):
        B = np.array(X[:, start:start + step], dtype=dtype, order="F")
        if x_mean is not None:
            B -= x_mean[start:start + step].astype(dtype)
        K = _syrk(B, trans=0) if K is None else _syrk(B, trans=0, beta=1.0, C=K)
    if K is None:
        K = np.zeros((n, n), dtype=dtype, order="F")
    return symmetrize(K)


def kernel(X, *, x_mean, sw, dtype=None):
    """Full symmetric ``X~ X~^T`` (n x n) in ``dtype`` (default X.dtype).

    ``X X^T`` by one ``syrk`` (dense) or a sparse product, then the centering correction
    ``- u 1^T - 1 u^T + (m.m) 1 1^T`` with ``u = X m``, then the weights
    ``W^1/2 K W^1/2`` (O(n^2), so no block is ever weighted).
    """
    dtype = np.dtype(X.dtype if dtype is None else dtype)
    if sparse.issparse(X):
        K = np.asarray((X @ X.T).toarray(), dtype=dtype)
    elif X.dtype != dtype:
        K = _blocked_kernel(X, x_mean=x_mean, dtype=dtype)
        x_mean = None  # centered in the blocks
    else:
        K = symmetrize(_syrk_kernel(X))
    if x_mean is not None:
        u = x_dot(X, x_mean, None)  # X m, float64
        raw = np.diag(K).astype(np.float64)
        K -= u[:, None].astype(dtype)
        K -= u[None, :].astype(dtype)
        K += dtype.type(x_mean @ x_mean)
        if not sparse.issparse(X) and (
                _cancellation(raw, np.diag(K).astype(np.float64)) > KAPPA_MAX[dtype]):
            K = _blocked_kernel(X, x_mean=x_mean, dtype=dtype)
    if sw is not None:
        sqrt_sw = np.sqrt(sw.astype(np.float64)).astype(dtype)
        K *= sqrt_sw[:, None]
        K *= sqrt_sw[None, :]
    return K


# --- solves ---------------------------------------------------------------------------

def solve_shifted(A, B, alpha, *, overwrite_a=False):
    """Solve ``(A + alpha I) X = B`` for symmetric positive definite ``A + alpha I``.

    LAPACK ``potrf`` (upper Cholesky factor) and ``potrs``; like ``scipy.linalg.solve(...,
    assume_a='pos')``, which sklearn's Ridge calls, raises ``LinAlgError`` when the
    matrix is not positive definite and warns ``LinAlgWarning`` when its reciprocal
    condition number (``pocon``, 1-norm) is below machine epsilon. ``A`` (p x p) is
    overwritten only with ``overwrite_a=True``; B (p,) or (p, k) is not.
    """
    potrf, potrs, pocon, lange = lapack.get_lapack_funcs(
        ("potrf", "potrs", "pocon", "lange"), (A,))
    M = A if overwrite_a else np.array(A, order="F")
    M.flat[::M.shape[0] + 1] += M.dtype.type(alpha)
    anorm = lange("1", M)
    c, info = potrf(M, lower=0, clean=0, overwrite_a=1)
    if info > 0:
        raise np.linalg.LinAlgError(
            f"Matrix is not positive definite (leading minor {info}).")
    if info < 0:  # pragma: no cover - an argument error is a bug here
        raise ValueError(f"potrf: illegal value in argument {-info}")
    B2 = B[:, None] if B.ndim == 1 else B
    x, info = potrs(c, np.asarray(B2, dtype=M.dtype), lower=0)
    rcond, _ = pocon(c, anorm, uplo="U")
    if rcond < np.finfo(M.dtype).eps:
        warnings.warn(
            f"Ill-conditioned matrix (rcond={rcond:.6g}): result may not be accurate.",
            linalg.LinAlgWarning, stacklevel=3)
    return x[:, 0] if B.ndim == 1 else x


def eigh(A):
    """Eigenvalues (ascending) and eigenvectors of symmetric A (overwritten)."""
    # Divide and conquer (syevd), the LAPACK driver numpy's eigh uses.
    return linalg.eigh(A, lower=False, overwrite_a=True, check_finite=False, driver="evd")
