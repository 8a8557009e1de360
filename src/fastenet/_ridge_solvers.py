"""Ridge's solvers: the design view of a ridge problem and one function per solver.

With ``X~ = W^1/2 (X - 1 x_mean^T)`` and ``y~ = W^1/2 (y - y_mean)`` the solution of
sklearn's ridge objective ``||y - X w - b||^2_sw + alpha ||w||^2`` is

    w = (X~^T X~ + alpha I)^-1 X~^T y~ = X~^T (X~ X~^T + alpha I)^-1 y~,
    b = y_mean - x_mean . w

(Hoerl & Kennard 1970). ``Problem`` holds X as given with the means; nothing here
centers, weights or copies X except where a comment says why. Every solver returns the
coefficients of all targets, (n_targets, p) in float64.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse
from sklearn.exceptions import ConvergenceWarning

from fastenet import _kernel, _krylov, _linalg
from fastenet._validation import check_bounds, check_csc_structure

__all__ = ["Problem", "make_problem", "resolve_solver", "solve"]

# The coordinate-descent kernel (positive=True) stops on a duality gap relative to
# ||y_c||^2; Ridge's tol (sklearn: L-BFGS-B's projected-gradient / relative-decrease
# tolerance) is tightened by this factor for it, which makes the positive fit at least
# as exact as sklearn's lbfgs at the same tol (tests/reference/test_ridge.py).
CD_TOL_FACTOR = 1e-6
# float32 X: a float32 residual cannot certify a gap much below 1e-7 ||y_c||^2, so the
# tightened tolerance is floored there (otherwise every float32 fit would warn).
CD_TOL_FLOOR = {np.dtype(np.float32): 1e-6, np.dtype(np.float64): 0.0}
CD_MAX_ITER = 15_000  # sklearn's lbfgs default when max_iter is None


@dataclass(frozen=True)
class Problem:
    """The design view: X as given and the sample side of the centering."""

    X: object  # dense ndarray (any order) or CSC / CSR matrix, float32 / float64
    Y: np.ndarray  # (n, t) float64 targets, uncentered
    sw: np.ndarray | None  # (n,) weights as given (not normalized), or None
    sw_sum: float
    x_mean: np.ndarray | None  # (p,) float64 weighted means, None: no intercept
    y_mean: np.ndarray  # (t,) float64 weighted means (zeros without intercept)
    dtype: object = None  # products with X: in X's dtype (None) or in float64

    @property
    def design(self):
        return _krylov.CenteredDesign(self.X, x_mean=self.x_mean, sw=self.sw,
                                      dtype=self.dtype)

    @property
    def Yt(self):
        """``y~ = W^1/2 (Y - y_mean)``, (n, t) float64."""
        Yc = self.Y - self.y_mean
        return Yc if self.sw is None else Yc * np.sqrt(self.sw.astype(np.float64))[:, None]

    def rhs(self):
        """``X~^T y~ = X_c^T W (Y - y_mean)``, (p, t) float64."""
        Yc = self.Y - self.y_mean
        return _linalg.xt_dot(self.X, Yc if self.sw is None else Yc * self.sw[:, None],
                              self.x_mean, dtype=self.dtype)


def make_problem(X, Y, *, sw, fit_intercept, dtype=None):
    n = X.shape[0]
    sw_sum = float(n if sw is None else np.sum(sw, dtype=np.float64))
    if fit_intercept:
        x_mean = _linalg.weighted_mean(X, sw, sw_sum)
        y_mean = np.average(Y, axis=0, weights=sw)
    else:
        x_mean, y_mean = None, np.zeros(Y.shape[1])
    return Problem(X=X, Y=Y, sw=sw, sw_sum=sw_sum, x_mean=x_mean, y_mean=y_mean,
                   dtype=dtype)


# --- solvers: each returns (coef (t, p) float64, n_iter or None, solver_) -------------

def _groups(alphas):
    """Targets grouped by equal penalty: one factorization per distinct alpha."""
    values, inverse = np.unique(alphas, return_inverse=True)
    return [(float(a), np.flatnonzero(inverse == k)) for k, a in enumerate(values)]


def _solve_cholesky(prob, alphas):
    """Cholesky of ``X~^T X~ + alpha I`` (n >= p) or ``X~ X~^T + alpha I`` (p > n)."""
    n, p = prob.X.shape
    groups = _groups(alphas)
    coef = np.empty((len(alphas), p))
    if p > n:  # kernel: w = X~^T (K + alpha I)^-1 y~
        A = _linalg.kernel(prob.X, x_mean=prob.x_mean, sw=prob.sw).astype(
            np.float64, copy=False)  # float32 X: the system is solved in float64
        B = prob.Yt
    else:
        A = _linalg.gram(prob.X, x_mean=prob.x_mean, sw=prob.sw,
                         sw_sum=prob.sw_sum).astype(np.float64, copy=False)
        B = prob.rhs()
    for k, (alpha, targets) in enumerate(groups):
        last = k == len(groups) - 1
        sol = _linalg.solve_shifted(A, B[:, targets], alpha, overwrite_a=last)
        coef[targets] = (prob.design.tdot(sol) if p > n else sol).T
    return coef


def _eigen_pinv(lam, Q, proj, alphas):
    """``Q diag(1 / (lam + alpha)) proj`` over the eigenvalues above the rounding floor
    of a Gram / kernel matrix (``dim * eps * lam_max``; below it: zero, the minimum-norm
    solution). Returns (r, t)."""
    keep = lam > max(lam[-1], 0.0) * lam.shape[0] * np.finfo(np.float64).eps
    d = np.zeros((lam.shape[0], len(alphas)))
    d[keep] = 1.0 / (lam[keep, None] + alphas[None, :])
    return Q @ (d * proj)


def _solve_svd(prob, alphas):
    """sklearn's 'svd': ``w = V diag(s / (s^2 + alpha)) U^T y~`` for ``X~ = U S V^T``.

    Singular values below ``max(n, p) * eps * s_max`` count as zero (numpy's lstsq /
    pinv cut-off; sklearn cuts at 1e-15 absolute, which keeps the rounding-level
    singular value of a rank-deficient X and amplifies it by up to 1e15).

    Dense X: LAPACK gesdd on an explicitly centered, weighted copy of X: the SVD needs a
    full copy as its workspace anyway, so centering it costs no memory. Sparse X: the
    same filter from the eigendecomposition of the Gram or kernel matrix (s^2 = its
    eigenvalues, cut at its rounding floor; sklearn does not support sparse 'svd')."""
    X, n, p = prob.X, *prob.X.shape
    Yt = prob.Yt
    if not sparse.issparse(X):
        Xt = np.array(X, dtype=X.dtype, order="F")  # deliberate: the SVD's workspace
        if prob.x_mean is not None:
            Xt -= prob.x_mean.astype(X.dtype)
        if prob.sw is not None:
            Xt *= np.sqrt(prob.sw)[:, None].astype(X.dtype)
        U, s, Vt = linalg.svd(Xt, full_matrices=False, overwrite_a=True,
                              check_finite=False, lapack_driver="gesdd")
        del Xt
        s = s.astype(np.float64)
        keep = s > (s[0] if s.size else 0.0) * max(n, p) * np.finfo(X.dtype).eps
        UtY = U.T.astype(np.float64) @ Yt
        d = np.zeros((s.shape[0], len(alphas)))
        d[keep] = s[keep, None] / (s[keep, None] ** 2 + alphas[None, :])
        return (Vt.T.astype(np.float64) @ (d * UtY)).T
    if p > n:
        return _solve_kernel_pinv(prob, alphas)
    lam, Q = np.linalg.eigh(_linalg.gram(X, x_mean=prob.x_mean, sw=prob.sw,
                                         sw_sum=prob.sw_sum, dtype=np.float64))
    return _eigen_pinv(lam, Q, Q.T @ prob.rhs(), alphas).T


def _solve_kernel_pinv(prob, alphas):
    """Minimum-norm ``w = X~^T (K + alpha I)^+ y~`` from the eigendecomposition of the
    kernel ``K = X~ X~^T`` (sklearn: lstsq on K, the same solution)."""
    K = _linalg.kernel(prob.X, x_mean=prob.x_mean, sw=prob.sw).astype(np.float64,
                                                                     copy=False)
    lam, Q = np.linalg.eigh(K)
    del K
    return prob.design.tdot(_eigen_pinv(lam, Q, Q.T @ prob.Yt, alphas)).T


def _solve_cg(prob, alphas, *, tol, max_iter):
    """Preconditioned CG on the dual (p > n) or primal normal equations, per target
    (one preconditioner per distinct alpha)."""
    n, p = prob.X.shape
    dual = p > n
    design, Yt = prob.design, prob.Yt
    maxiter = (n if dual else p) * 10 if max_iter is None else max_iter
    make_precond = _krylov.dual_preconditioner if dual else _krylov.primal_preconditioner
    coef = np.empty((len(alphas), p))
    unconverged = []
    for alpha, targets in _groups(alphas):
        precond = make_precond(design, alpha)
        if dual:  # (X~ X~^T + alpha I) c = y~, w = X~^T c
            def matvec(v, a=alpha):
                return design.dot(design.tdot(v)) + a * v
        else:  # (X~^T X~ + alpha I) w = X~^T y~
            def matvec(v, a=alpha):
                return design.tdot(design.dot(v)) + a * v
        for k in targets:
            b = Yt[:, k] if dual else design.tdot(Yt[:, k])
            res = _krylov.pcg(matvec, b, precond=precond, rtol=tol, maxiter=maxiter)
            coef[k] = design.tdot(res.x) if dual else res.x
            if not res.converged:
                unconverged.append(res.n_iter)
    if unconverged:
        warnings.warn(f"sparse_cg did not converge after {max(unconverged)} iterations; "
                      "increase max_iter or tol.", ConvergenceWarning, stacklevel=3)
    return coef


def _solve_lsqr(prob, alphas, *, tol, max_iter):
    design, Yt = prob.design, prob.Yt
    coef = np.empty((len(alphas), prob.X.shape[1]))
    n_iter = np.empty(len(alphas), dtype=np.int32)
    for k, alpha in enumerate(alphas):
        res = _krylov.lsqr(design, Yt[:, k], alpha=alpha, tol=tol, max_iter=max_iter)
        coef[k], n_iter[k] = res.x, res.n_iter
    return coef, n_iter


def _solve_positive(prob, alphas, *, tol, max_iter, fit_intercept):
    """positive=True: fastenet's coordinate-descent kernel with l1_ratio=0 and a lower
    bound 0. Its objective is ``1/(2n) ||.||^2_sw' + alpha_e/2 ||w||^2`` with weights
    rescaled to sum to n, i.e. Ridge's divided by ``2 S / n``: ``alpha_e = alpha / S``."""
    X, n, p = prob.X, *prob.X.shape
    if sparse.issparse(X):
        X = check_csc_structure(X.tocsc())  # the kernel reads columns: CSC (a copy of CSR)
    elif not X.flags.f_contiguous:
        X = np.asfortranarray(X)  # deliberate copy: the kernel reads F-ordered columns
    sw = None if prob.sw is None else (prob.sw * (n / prob.sw_sum)).astype(X.dtype)
    design = _kernel.make_design(X, sw=sw, fit_intercept=fit_intercept)
    lo, hi = check_bounds(None, None, True, p)
    options = _kernel.SolveOptions(tol=max(tol * CD_TOL_FACTOR, CD_TOL_FLOOR[X.dtype]),
                                   max_iter=CD_MAX_ITER if max_iter is None else max_iter)
    coef = np.empty((len(alphas), p))
    for k, alpha in enumerate(alphas):
        sol = _kernel.solve(design, prob.Y[:, k].astype(X.dtype), alpha=alpha / prob.sw_sum,
                            l1_ratio=0.0, lo=lo, hi=hi, options=options)
        if not sol.converged:
            warnings.warn(
                "The coordinate-descent solver (positive=True) did not converge. Try "
                f"increasing max_iter or tol. Currently: max_iter={max_iter} and tol={tol}",
                ConvergenceWarning, stacklevel=3)
        coef[k] = sol.coef
    return coef


def resolve_solver(solver, *, positive, is_sparse):
    """The solver run for sklearn's ``solver`` value (see Ridge's Notes)."""
    if positive:
        return "cd"
    if solver in ("auto", "sag", "saga"):
        return "sparse_cg" if is_sparse else "cholesky"
    return solver


def solve(prob, alphas, *, solver, tol, max_iter, fit_intercept):
    """Dispatch: returns (coef (t, p) float64, n_iter, solver_)."""
    if solver == "cd":
        return _solve_positive(prob, alphas, tol=tol, max_iter=max_iter,
                               fit_intercept=fit_intercept), None, "cd"
    if solver == "lsqr":
        coef, n_iter = _solve_lsqr(prob, alphas, tol=tol, max_iter=max_iter)
        return coef, n_iter, "lsqr"
    if solver == "sparse_cg":
        return _solve_cg(prob, alphas, tol=tol, max_iter=max_iter), None, "sparse_cg"
    if solver == "cholesky":
        try:
            return _solve_cholesky(prob, alphas), None, "cholesky"
        except np.linalg.LinAlgError:  # singular (alpha = 0, rank-deficient X)
            return _singular_solve(prob, alphas)
    return _solve_svd(prob, alphas), None, "svd"


def _singular_solve(prob, alphas):
    """sklearn's fallbacks for a singular Cholesky: the kernel (p > n) with one alpha
    warns and takes the least-squares (minimum-norm) solution of the dual system,
    reporting 'cholesky'; otherwise the SVD."""
    n, p = prob.X.shape
    if p > n and np.unique(alphas).size == 1:
        warnings.warn("Singular matrix in solving dual problem. Using "
                      "least-squares solution instead.", stacklevel=3)
        return _solve_kernel_pinv(prob, alphas), None, "cholesky"
    return _solve_svd(prob, alphas), None, "svd"
