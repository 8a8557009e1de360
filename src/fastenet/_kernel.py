"""The only caller of ``_core``: builds the design view and converts sklearn's
``alpha``/``l1_ratio`` into the kernel's scale, once.

Kernel scale (sklearn's ``cd_fast`` units): the kernel minimizes
``1/2 ||y_c - X_c w||^2_sw + l1 * sum pf_j |w_j| + l2/2 * sum pf_j w_j^2`` with
``l1 = alpha * l1_ratio * n`` and ``l2 = alpha * (1 - l1_ratio) * n``, i.e. ``n`` times
sklearn's objective (sample weights sum to ``n``). Its gap is divided by ``n`` on the way
out, as sklearn reports ``dual_gap_``.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

from fastenet import _core, _linalg
from fastenet._validation import canonical_csc

__all__ = [
    "Design",
    "LogisticPathSolution",
    "PathSolution",
    "Solution",
    "SolveOptions",
    "gram_statistics",
    "make_design",
    "solve",
    "solve_gram_path",
    "solve_logistic_path",
    "solve_path",
    "warn_unconverged",
]

NAIVE, COVARIANCE, AUTOMATIC = 0, 1, 2

MESSAGE_CONV = (
    "Objective did not converge. You might want to increase "
    "the number of iterations, check the scale of the "
    "features or consider increasing regularisation."
)


@dataclass(eq=False)
class Design:
    """X as the kernel reads it, with the sample side that does not depend on y.

    With an intercept, ``means`` holds the weighted column means (float64 for every
    dtype, summed in float64: the kernel relies on ``X^T sw == sw_sum * means`` to double
    precision, see csrc/fastenet/naive.hpp's Design) once they are known; until then
    (``means_known`` False) it is a buffer that the kernel fills in its first pass over
    X, so a fit pays no pass of its own for them. Read them through ``x_mean``, which
    computes them here (one pass over X) when asked before any solve. A design whose
    means are unknown belongs to one thread until its first solve.
    """

    X: object  # Fortran-ordered ndarray, or canonical CSC matrix
    sw: np.ndarray | None  # (n,) in X.dtype, summing to n, or None
    means: np.ndarray | None  # (p,) float64; None: no intercept (no centering)
    means_known: bool  # False: `means` is a buffer for the kernel to fill
    scheme: int  # NAIVE / COVARIANCE / AUTOMATIC
    gram: np.ndarray | None = None  # (p, p) Gram of the (centered, weighted) design

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def p(self):
        return self.X.shape[1]

    @property
    def dtype(self):
        return self.X.dtype

    @property
    def sw_sum(self):
        """The kernel's W, the sum of the weights (n without weights). float32 weights
        rescaled to sum to n do so only up to 1e-7, which the kernel's centering cannot
        afford (csrc/fastenet/naive.hpp's Design): their float64 sum. float64 weights sum
        to n up to 1e-16, and n keeps their fits step for step those of repeated rows
        (sklearn's sample-weight equivalence check, at rtol 1e-7, depends on it)."""
        if self.sw is None or self.sw.dtype == np.float64:
            return float(self.n)
        return float(np.sum(self.sw, dtype=np.float64))

    @property
    def x_mean(self):
        """(p,) weighted column means (float64), or None without an intercept."""
        if self.means is not None and not self.means_known:
            w = np.ones(self.n) if self.sw is None else self.sw.astype(np.float64)
            # summed in float64 (a float32 X through float64 copies of row blocks)
            self.means[:] = _linalg.xt_dot(self.X, w, None, dtype=np.float64) / self.sw_sum
            self.means_known = True
        return self.means


@dataclass(frozen=True)
class SolveOptions:
    tol: float = 1e-4
    max_iter: int = 1000
    random: bool = False
    seed: int = 0
    screening: bool = True
    working_set: bool = True
    anderson: bool = True
    newton: bool = True
    gradient_bounds: bool = True  # outer checks skip gradients bounded below the penalty
    set_gram: bool = True  # naive updates: working sets solved on their Gram
    float_steps: bool = True  # covariance updates: float32 copies of large Gram columns
    early_checks: bool = True  # inner gap checks as soon as the gap's rate predicts eps
    ws_min: int = 50
    # (1,) int8 array or None: setting it to 1 stops a solve running in another thread
    # at its next outer iteration, with KeyboardInterrupt (used on Ctrl-C by the CV
    # estimators, whose folds run in worker threads that never see the signal).
    cancel: np.ndarray | None = None


@dataclass(frozen=True)
class Solution:
    coef: np.ndarray  # (p,) float64
    dual_gap: float  # sklearn's units: kernel gap / n
    tol_abs: float  # kernel-scale threshold the gap was compared with
    intercept: float  # y_offset - x_mean @ coef (0 without intercept)
    n_iter: int  # epochs over working sets
    n_outer: int  # outer (full-gradient) checks
    n_grad: int  # gradients they computed: columns read, p for a whole pass
    n_gram_sets: int  # working sets solved on their Gram (dense naive updates)
    converged: bool


def make_design(X, *, sw, fit_intercept, precompute=False):
    """Design view of a validated X (F-ordered float ndarray or canonical CSC).

    precompute: False (fastenet picks the update scheme), True (covariance updates),
    'auto' (covariance when n > p, as sklearn), or a validated (p, p) Gram matrix of the
    centered, weighted X. X itself is never centered; its column means are left to the
    kernel (Design.means: inside its first pass when it solves from 0 with naive updates,
    else in a pass of its own) unless read earlier.
    """
    n, p = X.shape
    if sparse.issparse(X):  # also under check_input=False, which skips the validation
        X = canonical_csc(X)
    means = np.empty(p) if fit_intercept else None
    gram = None
    if hasattr(precompute, "__array__"):
        gram, scheme = precompute, COVARIANCE
    elif sparse.issparse(X) or precompute is False:
        scheme = AUTOMATIC
    elif precompute is True or n > p:  # True, or 'auto' on a tall X
        scheme = COVARIANCE
    else:
        scheme = NAIVE
    return Design(X=X, sw=sw, means=means, means_known=means is None, scheme=scheme,
                  gram=gram)


@dataclass(frozen=True)
class PathSolution:
    """Solutions at K penalties, in the order given."""

    coefs: np.ndarray  # (p, K) float64, Fortran-ordered: column k is solution k
    dual_gaps: np.ndarray  # (K,) sklearn's units
    tol_abs: np.ndarray  # (K,) kernel-scale thresholds
    intercepts: np.ndarray  # (K,) (zeros without intercept)
    n_iter: np.ndarray  # (K,) epochs per point
    n_outer: np.ndarray  # (K,) outer (full-gradient) checks per point
    n_grad: np.ndarray  # (K,) gradients they computed per point
    n_gram_sets: np.ndarray  # (K,) working sets solved on their Gram per point
    converged: np.ndarray  # (K,) bool

    def point(self, k):
        return Solution(coef=self.coefs[:, k].copy(), dual_gap=float(self.dual_gaps[k]),
                        tol_abs=float(self.tol_abs[k]), intercept=float(self.intercepts[k]),
                        n_iter=int(self.n_iter[k]), n_outer=int(self.n_outer[k]),
                        n_grad=int(self.n_grad[k]), n_gram_sets=int(self.n_gram_sets[k]),
                        converged=bool(self.converged[k]))


def _strengths(alphas, l1_ratio, n):
    """sklearn's alpha, l1_ratio -> the kernel's l1, l2 (times n, see the module doc)."""
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    l1_ratio = float(l1_ratio)
    return (np.ascontiguousarray(alphas * l1_ratio * n),
            np.ascontiguousarray(alphas * (1.0 - l1_ratio) * n))


def _start(p, coef_init, K):
    w = np.zeros(p) if coef_init is None else np.array(coef_init, dtype=np.float64)
    return w, np.zeros((p, K), order="F")


def gram_statistics(design, y, y_offset, xy=None):
    """xy = X_c^T (sw y_c) (one pass over X, unless given) and yy = ||y_c||^2_sw, for
    covariance updates."""
    dtype = design.dtype
    sw = design.sw
    yc = y - dtype.type(y_offset)
    swyc = yc if sw is None else sw * yc
    if xy is None:
        # swyc in X's dtype: a float64 vector would make numpy upcast (copy) a float32 X.
        xy = np.asarray(design.X.T @ swyc, dtype=np.float64).ravel()
        if design.x_mean is not None:
            xy -= design.x_mean * float(swyc.sum(dtype=np.float64))
    return xy, float(swyc.astype(np.float64) @ yc)


def solve_gram_path(gram, xy, yy, n, alphas, *, l1_ratio, pf=None, lo=None, hi=None,
                    coef_init=None, options=SolveOptions()):
    """Path from sufficient statistics alone: G = X_c^T diag(sw) X_c (p, p), xy, yy, and
    n (the sum of the weights). X is not needed (a Gram computed elsewhere fits here).
    Intercepts are left at 0: the caller knows the offsets."""
    p = gram.shape[0]
    l1s, l2s = _strengths(alphas, l1_ratio, n)
    w, coefs = _start(p, coef_init, len(l1s))
    out = _core.path_gram(gram, np.ascontiguousarray(xy, dtype=np.float64), float(yy),
                          l1s, l2s, pf, lo, hi, options, w, coefs)
    return _path_solution(coefs, out, n, np.zeros(len(l1s)))


def _path_solution(coefs, out, n, intercepts):
    gap, tol_abs, n_iter, n_outer, n_grad, n_gram_sets, converged = out
    return PathSolution(coefs=coefs, dual_gaps=gap / n, tol_abs=tol_abs,
                        intercepts=intercepts, n_iter=n_iter, n_outer=n_outer,
                        n_grad=n_grad, n_gram_sets=n_gram_sets, converged=converged)


def solve_path(design, y, alphas, *, l1_ratio, pf=None, lo=None, hi=None, coef_init=None,
               options=SolveOptions(), xy=None):
    """Elastic-net fits of one target y (n,) on design at each of alphas (sklearn's
    parametrization), in the order given, each warm-started from the previous one (the
    first from coef_init or 0). The whole path is one call into the kernel.

    y is a contiguous array of design.dtype; xy: a given X_c^T (sw y_c) for a design
    with a Gram (sklearn's ``Xy``), else computed. Returns PathSolution.
    """
    n, p = design.n, design.p
    dtype = design.dtype
    sw = design.sw
    y_offset = float(np.average(y, weights=sw)) if design.means is not None else 0.0
    y = np.ascontiguousarray(y, dtype=dtype)  # a column of a 2-D y: (n,) copy at most
    if design.gram is not None:
        xy, yy = gram_statistics(design, y, y_offset, xy)
        sol = solve_gram_path(design.gram, xy, yy, n, alphas, l1_ratio=l1_ratio, pf=pf,
                              lo=lo, hi=hi, coef_init=coef_init, options=options)
    else:
        l1s, l2s = _strengths(alphas, l1_ratio, n)
        w, coefs = _start(p, coef_init, len(l1s))
        # Means not known yet: the kernel computes them into the buffer (means_out).
        known = design.means_known
        x_mean, means_out = (design.means, None) if known else (None, design.means)
        if sparse.issparse(design.X):
            try:
                out = _path_csc(design, y, y_offset, x_mean, means_out, l1s, l2s, pf, lo,
                                hi, options, w, coefs)
            except ArithmeticError:  # std::range_error: see _in_float64
                _in_float64(design)
                x_mean, means_out = None, design.means
                y = y.astype(np.float64)
                out = _path_csc(design, y, y_offset, x_mean, means_out, l1s, l2s, pf, lo,
                                hi, options, w, coefs)
        else:
            out = _core.path_dense(design.X, y, y_offset, sw, x_mean, design.sw_sum, means_out,
                                   l1s, l2s, pf, lo, hi, options, design.scheme, w, coefs)
        design.means_known = True
        sol = _path_solution(coefs, out, n, np.zeros(len(l1s)))
    if design.x_mean is not None:
        sol.intercepts[:] = y_offset - design.x_mean.astype(np.float64) @ sol.coefs
    return sol


def _path_csc(design, y, y_offset, x_mean, means_out, l1s, l2s, pf, lo, hi, options, w,
              coefs):
    X = design.X
    return _core.path_csc(X.data, X.indices, X.indptr, design.n, y, y_offset, design.sw,
                          x_mean, design.sw_sum, means_out, l1s, l2s, pf, lo, hi, options,
                          design.scheme, w, coefs)


def _in_float64(design):
    """Turns a float32 CSC design into float64, in place, for good: the kernel refused
    it (csrc/fastenet/naive.hpp, NaiveScheme::kRawFloat32) because a column's mean is more
    than 16 times its spread, past what its raw float32 residual can carry (the
    coefficients' error grows as the square of that ratio; sklearn's float32 sparse fits
    fail there too). The deliberate copy: X's entries in float64, once per design. The
    weights are rescaled to sum to n in float64 (sw_sum takes n for float64 weights)."""
    design.X = design.X.astype(np.float64)
    if design.sw is not None:
        sw = design.sw.astype(np.float64)
        design.sw = sw * (design.n / sw.sum())
    design.means_known = False  # (the refused pass may have written some)


def warn_unconverged(sol, n_samples, *, extra="", stacklevel=3):
    """sklearn's ConvergenceWarning for a Solution, or once for a PathSolution (naming
    its first point that failed and how many did); gaps unnormalized as sklearn's."""
    converged = np.atleast_1d(sol.converged)
    if converged.all():
        return
    k = int(np.argmin(converged))
    gaps = sol.dual_gaps if isinstance(sol, PathSolution) else sol.dual_gap
    gap = np.atleast_1d(gaps)[k] * n_samples
    tol_abs = np.atleast_1d(sol.tol_abs)[k]
    message = f"{MESSAGE_CONV} Duality gap: {gap:.6e}, tolerance: {tol_abs:.3e}"
    if len(converged) > 1:
        message += f" ({int((~converged).sum())} of {len(converged)} path points did not converge)"
    warnings.warn(message + extra, ConvergenceWarning, stacklevel=stacklevel)


def solve(design, y, *, alpha, l1_ratio, pf=None, lo=None, hi=None, coef_init=None,
          options=SolveOptions()):
    """One elastic-net fit of one target y (n,) on design: a path of one point."""
    return solve_path(design, y, [alpha], l1_ratio=l1_ratio, pf=pf, lo=lo, hi=hi,
                      coef_init=coef_init, options=options).point(0)


@dataclass(frozen=True)
class LogisticPathSolution:
    """Logistic fits at K penalties, in the order given; B = 1 block of coefficients for
    two classes, else one per class."""

    coef: np.ndarray  # (K, B, p) float64
    intercept: np.ndarray  # (K, B) (zeros without intercept; centered for B > 1)
    gap: np.ndarray  # (K,) duality gap, kernel scale (sklearn's objective / C)
    tol_abs: np.ndarray  # (K,) tol * null-model objective: what gap was compared with
    n_iter: np.ndarray  # (K,) proximal Newton steps
    n_outer: np.ndarray  # (K,) full passes over X (gradient checks)
    converged: np.ndarray  # (K,) bool


def solve_logistic_path(X, labels, n_classes, sw, fit_intercept, l1s, l2s, *,
                        penalty_factor=None, lower_bounds=None, upper_bounds=None,
                        options=SolveOptions(), coef_init=None, intercept_init=None):
    """Logistic regression (binary, or multinomial for n_classes >= 3) at each kernel-
    scale penalty (l1s[k], l2s[k]) in order, warm-started along the way: one kernel call.

    Minimizes ``sum_i sw_i * logloss_i + l1 * sum pf_j |w_j| + l2/2 * sum pf_j w_j^2``
    (sklearn's objective divided by C: l1 = l1_ratio / C, l2 = (1 - l1_ratio) / C), with
    sw raw (sample weights times class weights). X: a validated Fortran-ordered float
    ndarray or canonical CSC; labels: (n,) int32 in [0, n_classes); sw: (n,) X.dtype or
    None. max_iter counts proximal Newton steps. Returns LogisticPathSolution.
    """
    n, p = X.shape
    B = 1 if n_classes == 2 else n_classes
    l1s = np.ascontiguousarray(l1s, dtype=np.float64).ravel()
    l2s = np.ascontiguousarray(l2s, dtype=np.float64).ravel()
    K = len(l1s)
    start = np.zeros((B, p + 1))
    if coef_init is not None:
        start[:, :p] = coef_init
    if intercept_init is not None and fit_intercept:
        start[:, p] = intercept_init
    coef = start.ravel()
    coefs = np.zeros((B * (p + 1), K), order="F")
    labels = np.ascontiguousarray(labels, dtype=np.int32)
    if sparse.issparse(X):
        out = _core.logistic_csc(X.data, X.indices, X.indptr, n, labels, n_classes, sw,
                                 bool(fit_intercept), l1s, l2s, penalty_factor,
                                 lower_bounds, upper_bounds, options, coef, coefs)
    else:
        out = _core.logistic_dense(X, labels, n_classes, sw, bool(fit_intercept), l1s, l2s,
                                   penalty_factor, lower_bounds, upper_bounds, options,
                                   coef, coefs)
    gap, tol_abs, n_iter, n_outer, _, _, converged = out  # (n_grad, n_gram_sets: not there)
    blocks = coefs.T.reshape(K, B, p + 1)
    intercept = blocks[:, :, p].copy()
    if B > 1:  # the multinomial is invariant to a common shift: sklearn's sum-zero choice
        intercept -= intercept.mean(axis=1, keepdims=True)
    return LogisticPathSolution(coef=np.ascontiguousarray(blocks[:, :, :p]),
                                intercept=intercept, gap=gap, tol_abs=tol_abs,
                                n_iter=n_iter, n_outer=n_outer, converged=converged)
