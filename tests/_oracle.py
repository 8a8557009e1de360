"""Plain-numpy certificates for elastic-net fits, independent of fastenet.

Provides the primal objective, a dual-feasible point built from the residual, the
duality gap in scikit-learn's units, sklearn's stopping threshold, and a KKT-violation
measure for box-constrained (bounded) fits. Nothing here imports fastenet, so the
package never certifies itself.

Problem (sklearn's ``ElasticNet`` objective, sample weights rescaled to sum to ``n``)::

    P(w, b) = 1/(2n) sum_i sw_i (y_i - x_i w - b)^2
              + alpha * sum_j pf_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)

Unnormalized ("kernel") scale, the one sklearn's ``cd_fast`` works in and compares
with ``tol * ||y_c||^2``: ``n * P`` with ``l1 = alpha * l1_ratio * n`` and
``l2 = alpha * (1 - l1_ratio) * n``. With ``fit_intercept`` the intercept is profiled
out by weighted centering: ``y_c = y - avg_sw(y)``, ``X_c = X - avg_sw(X)``, and
everything is expressed on ``Xt = sqrt(sw) * X_c``, ``yt = sqrt(sw) * y_c``.

Dual (sklearn ``_cd_fast.pyx``, "formulation A", extended for ``l2 > 0`` by appending
``sqrt(l2 pf) I`` rows to Xt and zeros to yt)::

    D(v) = -1/2 ||v_ext||^2 + yt . v,    subject to |Xt_j' v - l2 pf_j w_j| <= l1 pf_j

    v_ext = s * (R, -sqrt(l2 pf) w),     R = yt - Xt w,
    s = min(1, l1 / dual_norm),          dual_norm = max_j |Xt_j' R - l2 pf_j w_j| / pf_j

so ``D = -s^2/2 (||R||^2 + l2 sum pf w^2) + s R.yt`` and ``gap = n P(w, b) - D``.
With ``positive=True`` the constraint is one-sided (``max_j`` without ``|.|``), as in
sklearn.

For ``l2 > 0`` a second valid dual needs no feasibility scaling ("formulation B",
Duenner et al. 2016 sec. 5.2.3, which sklearn uses for ``alpha = 0``)::

    D_B(v) = -1/2 ||v||^2 + yt . v - sum_j (|Xt_j' v| - l1 pf_j)_+^2 / (2 l2 pf_j)

evaluated at ``v = R``; ``gap_fenchel = n P(w, b) - D_B(R)``. Both gaps bound
``n * (P(w, b) - P*)`` from above; ``Certificate.best_gap`` is the smaller one.

Features with ``pf_j = 0`` add the dual constraint ``Xt_j' v = 0`` (as the intercept
adds ``sum sqrt(sw) v = 0``), which no scaling of R meets: R is first projected onto
the orthogonal complement of those columns (least squares), then scaled as above, so
the gap stays a valid certificate; they are left out of ``dual_norm`` and of D_B.

References: scikit-learn ``sklearn/linear_model/_cd_fast.pyx`` (docstring of
``enet_coordinate_descent``); Fercoq, Gramfort, Salmon (2015), "Mind the duality gap:
safer rules for the Lasso", eqs. (2)-(4); Duenner, Forte, Takac, Jaggi (2016),
"Primal-Dual Rates and Certificates", sec. 5.2.3.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = [
    "Certificate", "alpha_max", "certificate", "coef_distance_bound", "gap_threshold",
    "kkt_violation", "primal",
]


@dataclass(frozen=True)
class Certificate:
    """Primal/dual values of one fit. ``primal``/``dual`` are sklearn-normalized
    (divided by n); ``gap`` is unnormalized (compare it with ``gap_threshold``)."""

    primal: float  # P(w, b) at the given intercept, normalized
    dual: float  # D(theta) / n
    gap: float  # n * P(w, b) - D(theta): sklearn's units before its division by n
    gap_fenchel: float  # n * P(w, b) - D_B(R), same units; inf when l2 == 0

    @property
    def best_gap(self):
        """The smaller of the two valid gaps (each bounds n * (P(w, b) - P*))."""
        return min(self.gap, self.gap_fenchel)
    dual_norm: float  # max_j |Xt_j' R - l2 pf_j w_j| / pf_j (kernel scale)
    scale: float  # s in theta = s * R
    theta: np.ndarray  # (n,) dual point on the sqrt(sw)-scaled rows


def _as_float64(X):
    if sparse.issparse(X):
        return sparse.csc_array(X, dtype=np.float64)
    return np.asarray(X, dtype=np.float64)


def _weights(sample_weight, n):
    """sklearn's convention: None or a scalar is all ones; otherwise rescale to sum n."""
    if sample_weight is None or np.ndim(sample_weight) == 0:
        return np.ones(n)
    sw = np.asarray(sample_weight, dtype=np.float64)
    return sw * (n / sw.sum())


def _centered_products(X, y, sw, fit_intercept):
    """Means and two closures computing X_c @ w and X_c' @ (sw * u) without forming
    X_c, so a sparse X stays sparse."""
    n = X.shape[0]
    if fit_intercept:
        x_mean = np.asarray(X.T @ sw).ravel() / n
        y_mean = float(sw @ y) / n
    else:
        x_mean = np.zeros(X.shape[1])
        y_mean = 0.0

    def Xc_dot(w):  # X_c @ w
        return np.asarray(X @ w).ravel() - x_mean @ w

    def XcT_sw_dot(u):  # X_c' @ (sw * u)
        swu = sw * u
        return np.asarray(X.T @ swu).ravel() - x_mean * swu.sum()

    return x_mean, y_mean, Xc_dot, XcT_sw_dot


def _penalty_arrays(p, penalty_factor):
    if penalty_factor is None:
        return np.ones(p)
    return np.asarray(penalty_factor, dtype=np.float64)


def _inputs(X, y, coef, sample_weight, penalty_factor):
    """float64 X, y, w (None if coef is None), rescaled weights and penalty factors."""
    X = _as_float64(X)
    y = np.asarray(y, dtype=np.float64)
    w = None if coef is None else np.asarray(coef, dtype=np.float64)
    n, p = X.shape
    return X, y, w, _weights(sample_weight, n), _penalty_arrays(p, penalty_factor)


def primal(X, y, coef, intercept, *, alpha, l1_ratio=1.0, sample_weight=None,
           penalty_factor=None):
    """sklearn's normalized objective P(w, b) at the given coefficients and intercept."""
    X, y, w, sw, pf = _inputs(X, y, coef, sample_weight, penalty_factor)
    n = X.shape[0]
    r = y - np.asarray(X @ w).ravel() - float(intercept)
    datafit = 0.5 * float(sw @ (r * r)) / n
    pen = alpha * (l1_ratio * float(pf @ np.abs(w))
                   + 0.5 * (1 - l1_ratio) * float(pf @ (w * w)))
    return datafit + pen


def certificate(X, y, coef, intercept, *, alpha, l1_ratio=1.0, sample_weight=None,
                penalty_factor=None, fit_intercept=True, positive=False):
    """Primal, sklearn's dual point from the residual, and the duality gap.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n, p)
    y : ndarray of shape (n,)
    coef : ndarray of shape (p,)
    intercept : float
        The fitted intercept; the primal is evaluated at it, so an intercept that is not
        the optimal one for ``coef`` increases the gap (the dual point uses the
        centered residual, which satisfies the intercept's constraint sum sw theta = 0).
    alpha, l1_ratio : float
        sklearn's parametrization; ``alpha * l1_ratio > 0`` is required (the gap of
        formulation A needs an L1 term).
    sample_weight : None, float or ndarray of shape (n,)
    penalty_factor : None or ndarray of shape (p,)
    fit_intercept, positive : bool

    Returns
    -------
    Certificate
    """
    if not alpha * l1_ratio > 0:
        raise ValueError("formulation A of the gap needs alpha * l1_ratio > 0")
    X, y, w, sw, pf = _inputs(X, y, coef, sample_weight, penalty_factor)
    n, p = X.shape
    l1 = alpha * l1_ratio * n
    l2 = alpha * (1.0 - l1_ratio) * n

    x_mean, y_mean, Xc_dot, _ = _centered_products(X, y, sw, fit_intercept)
    y_c = y - y_mean
    r_c = y_c - Xc_dot(w)  # residual at the intercept profiled out (weighted centering)
    sq = np.sqrt(sw)
    R = sq * r_c  # R = yt - Xt w
    yt = sq * y_c

    def Xt_T(v):  # Xt' v = X_c' (sqrt(sw) * v)
        u = sq * v
        return np.asarray(X.T @ u).ravel() - x_mean * u.sum()

    penalized = pf > 0
    if not np.all(penalized):
        # Unpenalized features constrain the dual to Xt_j' v = 0 (as the intercept
        # constrains it to sum sqrt(sw) v = 0): project R onto that subspace, so the dual
        # point stays feasible and the gap remains a valid certificate.
        cols = X[:, np.flatnonzero(~penalized)]
        cols = cols.toarray() if sparse.issparse(cols) else np.asarray(cols)
        U = sq[:, None] * (cols - x_mean[~penalized])
        R = R - U @ np.linalg.lstsq(U, R, rcond=None)[0]

    # XtA = Xt' R - l2 pf w
    XtA = Xt_T(R) - l2 * pf * w
    if np.any(penalized):
        ratio = XtA[penalized] / pf[penalized]
        dual_norm = float(np.max(ratio) if positive else np.max(np.abs(ratio)))
    else:
        dual_norm = 0.0
    scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0

    R_norm2 = float(R @ R)
    w_pen2 = float(pf @ (w * w))
    dual = -0.5 * scale**2 * (R_norm2 + l2 * w_pen2) + scale * float(R @ yt)
    primal_kernel = n * primal(X, y, w, intercept if fit_intercept else 0.0, alpha=alpha,
                               l1_ratio=l1_ratio, sample_weight=sw, penalty_factor=pf)
    # Formulation B (Fenchel dual of the elastic-net penalty, Duenner et al. 2016,
    # sec. 5.2.3; sklearn's formulation for alpha=0), at v = R, no feasibility needed:
    #   D_B(R) = -1/2 ||R||^2 + yt.R - sum_j (c_j - l1 pf_j)_+^2 / (2 l2 pf_j),
    #   c_j = |Xt_j' R|  (Xt_j' R if positive)
    if l2 > 0 and np.any(penalized):
        XtR = XtA + l2 * pf * w
        c = XtR[penalized] if positive else np.abs(XtR[penalized])
        excess = np.maximum(c - l1 * pf[penalized], 0.0)
        conj = float(np.sum(excess**2 / (2 * l2 * pf[penalized])))
        dual_b = -0.5 * R_norm2 + float(R @ yt) - conj
        gap_b = primal_kernel - dual_b
    else:
        gap_b = np.inf
    return Certificate(
        primal=primal_kernel / n,
        dual=dual / n,
        gap=primal_kernel - dual,
        gap_fenchel=gap_b,
        dual_norm=dual_norm,
        scale=scale,
        theta=scale * R,
    )


def gap_threshold(y, *, tol, sample_weight=None, fit_intercept=True):
    """sklearn's absolute stopping threshold ``tol * ||y_c||^2_sw`` (unnormalized),
    the number ``certificate(...).gap`` is compared with."""
    y = np.asarray(y, dtype=np.float64)
    n = y.shape[0]
    sw = _weights(sample_weight, n)
    y_c = y - float(sw @ y) / n if fit_intercept else y
    return tol * float(sw @ (y_c * y_c))


def kkt_violation(X, y, coef, intercept, *, alpha, l1_ratio=1.0, sample_weight=None,
                  penalty_factor=None, fit_intercept=True, lower_bounds=None,
                  upper_bounds=None, positive=False, zero_atol=0.0, bound_atol=0.0):
    """Largest violation of the first-order optimality conditions, normalized by n
    (the units of alpha, so compare it with a fraction of ``alpha_max``).

    With ``s_j = X_j' (sw * r) / n - alpha (1 - l1_ratio) pf_j w_j`` (minus the smooth
    part's gradient at the given intercept, ``r = y - X w - b``) and
    ``lam_j = alpha * l1_ratio * pf_j``, optimality requires ``s_j`` to lie in
    ``lam_j * d|w_j| + N_[lo_j, hi_j](w_j)``:

    - ``lo_j < w_j < hi_j``, ``w_j != 0``: ``s_j == lam_j sign(w_j)``
    - ``w_j == 0``: ``s_j`` in ``[-lam_j, lam_j]``, unbounded below if ``lo_j == 0``,
      unbounded above if ``hi_j == 0``
    - ``w_j == hi_j > 0``: ``s_j >= lam_j``;  ``w_j == lo_j < 0``: ``s_j <= -lam_j``

    The intercept adds ``|sum_i sw_i r_i| / n == 0`` when ``fit_intercept``.
    ``positive=True`` means ``lo = max(lo, 0)``. ``zero_atol``/``bound_atol``: how close
    to 0 / a bound a coefficient counts as being there (default: exactly).

    Returns
    -------
    float
        ``max_j dist(s_j, allowed_j)`` (and the intercept term), in sklearn's units.
    """
    X, y, w, sw, pf = _inputs(X, y, coef, sample_weight, penalty_factor)
    n, p = X.shape
    lo = np.full(p, -np.inf) if lower_bounds is None else np.broadcast_to(
        np.asarray(lower_bounds, dtype=np.float64), (p,)).copy()
    hi = np.full(p, np.inf) if upper_bounds is None else np.broadcast_to(
        np.asarray(upper_bounds, dtype=np.float64), (p,)).copy()
    if positive:
        lo = np.maximum(lo, 0.0)

    b = float(intercept) if fit_intercept else 0.0
    r = y - np.asarray(X @ w).ravel() - b
    s = np.asarray(X.T @ (sw * r)).ravel() / n - alpha * (1 - l1_ratio) * pf * w
    lam = alpha * l1_ratio * pf

    at_zero = np.abs(w) <= zero_atol
    at_hi = ~at_zero & (np.abs(w - hi) <= bound_atol) & (hi > 0)
    at_lo = ~at_zero & (np.abs(w - lo) <= bound_atol) & (lo < 0)
    free = ~(at_zero | at_hi | at_lo)

    viol = np.zeros(p)
    viol[free] = np.abs(s[free] - lam[free] * np.sign(w[free]))
    # w_j == 0: s_j must lie in [low, high]
    low = np.where(lo >= 0, -np.inf, -lam)
    high = np.where(hi <= 0, np.inf, lam)
    z = at_zero
    viol[z] = np.maximum(0.0, np.maximum(low[z] - s[z], s[z] - high[z]))
    viol[at_hi] = np.maximum(0.0, lam[at_hi] - s[at_hi])
    viol[at_lo] = np.maximum(0.0, s[at_lo] + lam[at_lo])
    worst = float(np.max(viol)) if p else 0.0
    if fit_intercept:
        worst = max(worst, abs(float(sw @ r)) / n)
    return worst


def alpha_max(X, y, *, l1_ratio=1.0, sample_weight=None, fit_intercept=True,
              penalty_factor=None):
    """Smallest alpha with all-zero solution: ``max_j |X_c_j' sw y_c| / (n l1_ratio pf_j)``
    over penalized features (all features unpenalized: +inf is not useful, returns 0)."""
    X, y, _, sw, pf = _inputs(X, y, None, sample_weight, penalty_factor)
    n, p = X.shape
    _, y_mean, _, XcT_sw_dot = _centered_products(X, y, sw, fit_intercept)
    g = np.abs(XcT_sw_dot(y - y_mean)) / (n * l1_ratio)
    keep = pf > 0
    return float(np.max(g[keep] / pf[keep])) if np.any(keep) else 0.0


def coef_distance_bound(gap, *, alpha, l1_ratio, n, min_penalty_factor=1.0):
    """Upper bound on ``||w - w*||_2`` from a duality gap (unnormalized units) when the
    objective is strongly convex through its L2 term: ``P(w) - P* >= mu/2 ||w - w*||^2``
    with ``mu = alpha (1 - l1_ratio) min_j pf_j``, and ``P(w) - P* <= gap / n``.
    Returns inf for the Lasso (no strong convexity guaranteed)."""
    mu = alpha * (1.0 - l1_ratio) * min_penalty_factor
    if not mu > 0:
        return np.inf
    return float(np.sqrt(2.0 * max(gap, 0.0) / (n * mu)))
