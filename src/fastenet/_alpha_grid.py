"""A whole alpha grid of ridge fits from one factorization: RidgeCV's numerics.

Leave-one-out (Rifkin & Lippert 2007, "Notes on regularized least squares", MIT-CSAIL-
TR-2007-025; sklearn's ``_RidgeGCV``). With ``G_a = X~ X~^T + a I`` the LOO residuals of
the weighted problem are ``looe = c / d`` with ``c = G_a^-1 y~``, ``d = diag(G_a^-1)``,
and with an intercept ``d -= (G_a^-1 sqrt_sw) * sqrt_sw / S``. From one
eigendecomposition every alpha costs O(n r):

- kernel (n <= p): ``X~ X~^T = Q L Q^T``, ``c = Q (D * Q^T y~)``, ``d = (Q*Q) D``,
  ``D = 1 / (L + a)``;
- Gram (n > p): ``X~^T X~ = V L V^T``, ``Z = X~ V`` (one pass over X, in row blocks,
  never stored whole), hat matrix ``H_a = Z D Z^T``, ``G_a^-1 = (I - H_a) / a``, so
  ``a c = y~ - Z (D * V^T X~^T y~)``, ``a d = 1 - (Z*Z) D - sw / S`` (the intercept term
  is exact: ``X~^T sqrt_sw = 0``);
- 'svd': the same from the SVD ``X~ = U s V^T`` of an explicitly centered copy
  (``Z = U s`` or ``Q = U``, ``L = s^2``), sklearn's ``gcv_mode='svd'``.

All alphas and targets go through one matrix product each (``D`` is r x n_alphas).

k-fold: a fold's fit is the full problem with the held-out weights set to zero. Gram
mode keeps the uncentered ``X^T W X``, ``X^T W y`` and ``X^T w`` of all of X and
subtracts the held-out block's (one syrk on the held-out rows; when the test sets
partition the rows the full statistics are the sum of the blocks', so X goes through
syrk once in all), then centers with the training means (rank-one) and
eigendecomposes: every alpha of the fold from one ``eigh``.
Kernel mode slices the uncentered ``X X^T`` of all of X. Large sparse problems solve
every alpha of a fold with one multi-shift CG (``_krylov.multishift_cg``) on the
fold's training rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse

from fastenet import _krylov, _linalg

__all__ = ["FoldCache", "LooResult", "fold_cache", "fold_coefs", "full_coef", "loo"]

SPARSE_DIRECT_MAX = 2000  # sparse X: direct (Gram / kernel) folds when min(n, p) <= this


@dataclass(frozen=True)
class LooResult:
    looe: np.ndarray  # (n, t, n_alphas) LOO residuals of the weighted problem
    coef: object  # callable: (t,) alpha indices -> (t, p) coefficients


def _inverse_shifts(lam, alphas):
    return 1.0 / (lam[:, None] + alphas[None, :])


def _loo_kernel(prob, alphas, Q, lam):
    """LOO from ``X~ X~^T = Q diag(lam) Q^T`` (Q: n x r)."""
    n, t, A = Q.shape[0], prob.Y.shape[1], alphas.shape[0]
    Yt = prob.Yt
    D = _inverse_shifts(lam, alphas)  # (r, A)
    QtY = Q.T @ Yt  # (r, t)
    C = (Q @ (D[:, None, :] * QtY[:, :, None]).reshape(-1, t * A)).reshape(n, t, A)
    d = (Q * Q) @ D  # diag(G^-1) for every alpha: (n, A)
    if prob.x_mean is not None:
        s = np.ones(n) if prob.sw is None else np.sqrt(prob.sw.astype(np.float64))
        d -= (Q @ (D * (Q.T @ s)[:, None])) * s[:, None] / prob.sw_sum
    with np.errstate(divide="ignore", invalid="ignore"):
        looe = C / d[:, None, :]  # d = 0 (a single sample): NaN, as sklearn (which warns)

    def coef(best):
        c = C[:, np.arange(t), best]  # (n, t): the dual coefficients of each target
        return prob.design.tdot(c).T
    return LooResult(looe=looe, coef=coef)


def _loo_gram(prob, alphas, V, lam, z_blocks, VB):
    """LOO from ``X~^T X~ = V diag(lam) V^T``; z_blocks yields (rows, X~[rows] V)."""
    n, t, A = prob.Y.shape[0], prob.Y.shape[1], alphas.shape[0]
    Yt = prob.Yt
    D = _inverse_shifts(lam, alphas)  # (r, A)
    M = (D[:, None, :] * VB[:, :, None]).reshape(-1, t * A)  # D * V^T X~^T y~
    looe = np.empty((n, t, A))
    for rows, Z in z_blocks:
        a_c = Yt[rows][:, :, None] - (Z @ M).reshape(-1, t, A)  # a c = y~ - H y~
        a_d = 1.0 - (Z * Z) @ D  # a d = 1 - diag(H)
        if prob.x_mean is not None:
            sw = 1.0 if prob.sw is None else prob.sw[rows, None].astype(np.float64)
            a_d -= sw / prob.sw_sum
        with np.errstate(divide="ignore", invalid="ignore"):  # see _loo_kernel
            looe[rows] = a_c / a_d[:, None, :]

    def coef(best):
        return (V @ (D[:, best] * VB)).T
    return LooResult(looe=looe, coef=coef)


def _design_z_blocks(prob, V):
    """Row blocks of ``Z = X~ V``, in float64: yields (rows, Z[rows]). Sparse X is read
    through its CSR form (a copy when X is CSC, whose row slices are not cheap); a
    float32 X block by block in float64 (as sklearn, which copies X to float64)."""
    X, n, p = prob.X, *prob.X.shape
    mV = None if prob.x_mean is None else prob.x_mean @ V
    sqrt_sw = None if prob.sw is None else np.sqrt(prob.sw.astype(np.float64))
    Xr = X.tocsr() if sparse.issparse(X) and X.format != "csr" else X
    step = _linalg.block_rows(n, p)
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        block = Xr[rows]
        if block.dtype != np.float64:
            block = block.astype(np.float64)  # one block, not X
        Z = np.asarray(block @ V, dtype=np.float64)
        if mV is not None:
            Z -= mV
        if sqrt_sw is not None:
            Z *= sqrt_sw[rows, None]
        yield rows, Z


def loo(prob, alphas, *, mode):
    """Leave-one-out residuals of every alpha. mode: 'kernel', 'gram' or 'svd'."""
    X, n, p = prob.X, *prob.X.shape
    if mode == "svd":
        Xt = np.array(X, dtype=np.float64, order="F")  # deliberate: the SVD's workspace
        if prob.x_mean is not None:
            Xt -= prob.x_mean
        if prob.sw is not None:
            Xt *= np.sqrt(prob.sw.astype(np.float64))[:, None]
        U, s, Vt = linalg.svd(Xt, full_matrices=False, overwrite_a=True,
                              check_finite=False, lapack_driver="gesdd")
        del Xt
        if n <= p:
            return _loo_kernel(prob, alphas, U, s**2)
        step = _linalg.block_rows(n, p)
        blocks = ((slice(i, i + step), U[i:i + step] * s) for i in range(0, n, step))
        return _loo_gram(prob, alphas, Vt.T, s**2, blocks, s[:, None] * (U.T @ prob.Yt))
    if mode == "kernel":
        K = _linalg.kernel(X, x_mean=prob.x_mean, sw=prob.sw, dtype=np.float64)
        lam, Q = np.linalg.eigh(K)
        del K
        return _loo_kernel(prob, alphas, Q, lam)
    G = _linalg.gram(X, x_mean=prob.x_mean, sw=prob.sw, sw_sum=prob.sw_sum,
                     dtype=np.float64)
    lam, V = np.linalg.eigh(G)
    del G
    return _loo_gram(prob, alphas, V, lam, _design_z_blocks(prob, V), V.T @ prob.rhs())


# --- k-fold ---------------------------------------------------------------------------

@dataclass
class FoldCache:
    """What every fold shares: uncentered statistics of all of X, computed once."""

    mode: str  # 'gram', 'kernel' or 'cg'
    R: np.ndarray | None = None  # gram: X^T W X (p, p); kernel: X X^T (n, n)
    xsw: np.ndarray | None = None  # gram: X^T sw (p,)
    xwy: np.ndarray | None = None  # gram: X^T W Y (p, t)
    held_out: list | None = None  # gram: each split's held-out (R, xsw, xwy), or None


def _partition(splits, n):
    """Whether the test sets of ``splits`` are disjoint and cover all n rows."""
    seen = np.zeros(n, dtype=np.intp)
    for _, test in splits:
        np.add.at(seen, np.asarray(test), 1)
    return bool(np.all(seen == 1))


def fold_cache(prob, splits):
    """The statistics all folds share. Gram mode: when the test sets partition the rows
    (k-fold), the full statistics are the sum of the held-out blocks', so all of X goes
    through syrk once for the whole cross-validation; otherwise once for the full
    statistics and once more for each held-out block."""
    X, n, p = prob.X, *prob.X.shape
    if sparse.issparse(X) and min(n, p) > SPARSE_DIRECT_MAX:
        return FoldCache(mode="cg")
    if p > n:
        return FoldCache(mode="kernel", R=_linalg.kernel(X, x_mean=None, sw=None,
                                                         dtype=np.float64))
    if _partition(splits, n):
        held_out = [_uncentered_stats(prob, rows=test) for _, test in splits]
        R, xsw, xwy = (sum(parts) for parts in zip(*held_out))
        return FoldCache(mode="gram", R=R, xsw=xsw, xwy=xwy, held_out=held_out)
    R, xsw, xwy = _uncentered_stats(prob, rows=None)
    return FoldCache(mode="gram", R=R, xsw=xsw, xwy=xwy)


def _uncentered_stats(prob, rows):
    """``X^T W X``, ``X^T sw`` and ``X^T W Y`` over ``rows`` (None: all), float64."""
    X = prob.X
    sw = np.ones(X.shape[0]) if prob.sw is None else prob.sw.astype(np.float64)
    sel = slice(None) if rows is None else rows
    if sparse.issparse(X):
        Xs = X if rows is None else X[rows]
        R = _linalg.gram(Xs, x_mean=None, sw=None if prob.sw is None else prob.sw[sel],
                         sw_sum=None, dtype=np.float64)
    elif rows is None and prob.sw is None and X.dtype == np.float64:
        R = _linalg.gram(X, x_mean=None, sw=None, sw_sum=None)  # one syrk, in place
    else:
        R = _linalg._blocked_gram(X, x_mean=None, dtype=np.float64, rows=rows,
                                  sqrt_sw=None if prob.sw is None else np.sqrt(sw))
    Xs = X if rows is None else X[rows]  # held-out rows: a copy of 1/k of X
    xsw = _linalg.xt_dot(Xs, sw[sel], None)
    xwy = _linalg.xt_dot(Xs, sw[sel, None] * prob.Y[sel], None)
    return R, xsw, xwy


def fold_coefs(prob, cache, fold, train, test, alphas, *, tol):
    """Every alpha fitted on ``train``: a callable ``k -> (coef (t, p), intercept (t,))``
    for the k-th alpha."""
    X, n, p = prob.X, *prob.X.shape
    t = prob.Y.shape[1]
    sw = np.ones(n) if prob.sw is None else prob.sw.astype(np.float64)
    w_tr = np.zeros(n)
    w_tr[train] = sw[train]
    S = float(w_tr.sum())
    fit_intercept = prob.x_mean is not None
    y_mean = (w_tr @ prob.Y) / S if fit_intercept else np.zeros(t)
    if cache.mode in ("gram", "kernel"):
        if cache.mode == "gram":
            held_out = (_uncentered_stats(prob, rows=test) if cache.held_out is None
                        else cache.held_out[fold])
            W, b = _fold_gram(prob, cache, held_out, train, alphas, w_tr, S, y_mean)
        else:
            W, b = _fold_kernel(prob, cache, train, alphas, w_tr, S, y_mean)
        return lambda k: (W[k], b[k])
    # The training rows as a sparse matrix of their own (a deliberate copy of (k-1)/k of
    # X, as GridSearchCV's own fold slices): every CG iteration, hundreds per fold, then
    # reads only them.
    X_tr = X[train]
    sw_tr = w_tr[train]
    m = _linalg.weighted_mean(X_tr, sw_tr, S) if fit_intercept else None
    design = _krylov.CenteredDesign(X_tr, x_mean=m, sw=sw_tr)
    Yt = (prob.Y[train] - y_mean) * np.sqrt(sw_tr)[:, None]
    n_tr = X_tr.shape[0]
    dual = p > n_tr
    sol = np.empty((alphas.shape[0], t, n_tr if dual else p))
    for j in range(t):
        if dual:
            res = _krylov.multishift_cg(lambda v: design.dot(design.tdot(v)), Yt[:, j],
                                        alphas, rtol=tol, maxiter=10 * n_tr)
        else:
            res = _krylov.multishift_cg(lambda v: design.tdot(design.dot(v)),
                                        design.tdot(Yt[:, j]), alphas, rtol=tol,
                                        maxiter=10 * p)
        sol[:, j] = res.x

    def coef_of(k):
        # dual: w = X~^T c, formed for one alpha at a time (p x n_alphas would be the
        # largest array of the fit)
        W = design.tdot(sol[k].T).T if dual else sol[k]
        return W, (y_mean - W @ m if fit_intercept else np.zeros(t))
    return coef_of


def _too_cancelled(raw_diag, centered_diag):
    kappa = _linalg._cancellation(raw_diag, centered_diag)
    return kappa > _linalg.KAPPA_MAX[np.dtype(np.float64)]


def _fold_gram(prob, cache, held_out, train, alphas, w_tr, S, y_mean):
    R_te, xsw_te, xwy_te = held_out
    G = cache.R - R_te  # the training rows' X^T W X
    B = cache.xwy - xwy_te  # ... and X^T W Y
    m = None
    if prob.x_mean is not None:
        m = (cache.xsw - xsw_te) / S  # training means
        G -= S * np.outer(m, m)  # X_c^T W X_c = X^T W X - S m m^T
        B -= S * np.outer(m, y_mean)  # X_c^T W (Y - y_mean) = X^T W Y - S m y_mean^T
        if _too_cancelled(np.diag(cache.R), np.diag(G)):
            # The centering (or the held-out subtraction) cancels too many digits: the
            # fold's statistics from explicitly centered blocks of its own rows.
            G = _linalg._blocked_gram(prob.X, x_mean=m, rows=train, dtype=np.float64,
                                      sqrt_sw=np.sqrt(w_tr))
            B = _linalg.xt_dot(prob.X, w_tr[:, None] * (prob.Y - y_mean), m,
                               dtype=np.float64)
    lam, V = np.linalg.eigh(G)
    del G
    D = _inverse_shifts(lam, alphas)  # (p, A)
    # W[a, t] = V diag(D[:, a]) V^T B[:, t]
    W = np.einsum("pk,ka,kt->atp", V, D, V.T @ B, optimize=True)
    b = y_mean - W @ m if m is not None else np.zeros(W.shape[:2])
    return W, b


def _fold_kernel(prob, cache, train, alphas, w_tr, S, y_mean):
    s = np.sqrt(w_tr[train])
    K = cache.R[np.ix_(train, train)]  # the training rows' X X^T (a copy)
    m = None
    if prob.x_mean is not None:
        m = _linalg.weighted_mean(prob.X, w_tr, S)
        u = cache.R[train][:, train] @ w_tr[train] / S  # x_i . m, i in train
        raw = np.diag(K).copy()
        K -= u[:, None]  # X_c X_c^T = X X^T - u 1^T - 1 u^T + (m.m) 1 1^T
        K -= u[None, :]
        K += float(w_tr[train] @ u) / S
        if _too_cancelled(raw, np.diag(K)):
            # as in _fold_gram: explicitly centered, from a copy of the training rows
            K = _linalg.kernel(prob.X[train], x_mean=m, sw=None, dtype=np.float64)
    K *= s[:, None]
    K *= s[None, :]
    lam, Q = np.linalg.eigh(K)
    del K
    D = _inverse_shifts(lam, alphas)  # (r, A)
    Yt = (prob.Y[train] - y_mean) * s[:, None]
    t, A = Yt.shape[1], alphas.shape[0]
    C = Q @ (D[:, None, :] * (Q.T @ Yt)[:, :, None]).reshape(-1, t * A)  # (n_tr, t*A)
    padded = np.zeros((prob.X.shape[0], t * A))
    padded[train] = C * s[:, None]  # w = X~_tr^T c = X_c^T (sqrt_sw c), zero off the fold
    W = _linalg.xt_dot(prob.X, padded, m, dtype=np.float64)
    W = W.reshape(-1, t, A).transpose(2, 1, 0)
    b = y_mean - W @ m if m is not None else np.zeros(W.shape[:2])
    return W, b


def full_coef(prob, cache, alpha):
    """The refit on all samples at one alpha (t, p), from the cached statistics:
    Cholesky of the centered Gram or kernel matrix, as Ridge's 'cholesky'."""
    if cache.mode == "kernel":
        K = cache.R.copy()
        if prob.x_mean is not None:
            u = _linalg.x_dot(prob.X, prob.x_mean, None, dtype=np.float64)
            raw = np.diag(K).copy()
            K -= u[:, None]
            K -= u[None, :]
            K += prob.x_mean @ prob.x_mean
            if _too_cancelled(raw, np.diag(K)):
                K = _linalg.kernel(prob.X, x_mean=prob.x_mean, sw=None, dtype=np.float64)
        if prob.sw is not None:
            s = np.sqrt(prob.sw.astype(np.float64))
            K *= s[:, None]
            K *= s[None, :]
        C = _linalg.solve_shifted(K, prob.Yt, alpha, overwrite_a=True)
        return prob.design.tdot(C).T
    G = cache.R.copy()
    B = cache.xwy.copy()
    if prob.x_mean is not None:
        m, S = prob.x_mean, prob.sw_sum
        G -= S * np.outer(m, m)
        B -= S * np.outer(m, prob.y_mean)
        if _too_cancelled(np.diag(cache.R), np.diag(G)):
            G = _linalg.gram(prob.X, x_mean=m, sw=prob.sw, sw_sum=S, dtype=np.float64)
            B = prob.rhs()
    return _linalg.solve_shifted(G, B, alpha, overwrite_a=True).T
