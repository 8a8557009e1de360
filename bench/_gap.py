"""Duality gap of an Elastic-Net / Lasso coefficient vector, recomputed in plain numpy.

The benchmarks never trust a solver's own certificate: every returned ``coef_`` is
re-scored here with scikit-learn's formulation (``sklearn/linear_model/_cd_fast.pyx``,
``gap_enet`` / ``dual_gap_formulation_A``), on the unnormalized problem

    P(w) = 1/2 ||y_c - X_c w||^2 + a ||w||_1 + b/2 ||w||^2,
    a = alpha * l1_ratio * n,   b = alpha * (1 - l1_ratio) * n,

with the residual-based dual point (Fercoq, Gramfort, Salmon 2015, "Mind the duality
gap", eq. (7))

    r = y_c - X_c w,   s = min(1, a / ||X_c^T r - b w||_inf),   theta = s * r,
    D(theta) = -s^2/2 (||r||^2 + b ||w||^2) + s * r.y_c,
    gap = P(w) - D(theta).

The intercept is profiled out (``fit_intercept=True``: X and y are centered), so the gap
is that of ``coef_`` with its optimal intercept ``y_mean - x_mean @ w``. Centering is
implicit, ``X_c w = X w - (x_mean @ w)`` and ``X_c^T r = X^T r - x_mean * sum(r)``, so a
sparse X is never densified and a dense X is never copied.

Everything is accumulated in float64. The value returned is divided by n, as sklearn's
``dual_gap_`` is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["Certificate", "alpha_max", "enet_gap", "x_mean"]


@dataclass(frozen=True)
class Certificate:
    """The independently recomputed optimality certificate of one coefficient vector.

    ``gap`` and ``primal`` are on sklearn's scale (divided by n), so ``gap`` is
    comparable with ``dual_gap_``; ``gap_scale`` is ``||y_c||^2 / n``, the quantity that
    ``tol`` multiplies in the stopping rule ``gap <= tol * ||y_c||^2 / n``.
    """

    gap: float
    primal: float
    dual: float
    gap_scale: float
    dual_scaling: float  # s above: 1.0 when X_c^T r is already dual feasible


def x_mean(X) -> np.ndarray:
    """Column means of X in float64, without densifying a sparse X."""
    if sp.issparse(X):
        return np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    return np.asarray(X.mean(axis=0, dtype=np.float64), dtype=np.float64)


def alpha_max(X, y, *, l1_ratio: float = 1.0, fit_intercept: bool = True) -> float:
    """Smallest alpha for which the (Elastic-Net) solution is all zeros.

    ``max_j |X_c[:, j] . y_c| / (n * l1_ratio)``; because ``sum(y_c) = 0`` this is
    ``max |X^T y_c| / (n * l1_ratio)`` for centered or uncentered X alike.
    """
    y = np.asarray(y, dtype=np.float64)
    y_c = y - y.mean() if fit_intercept else y
    Xty = np.asarray(X.T @ y_c, dtype=np.float64).ravel()
    if fit_intercept:
        # X_c^T y_c = X^T y_c - x_mean * sum(y_c); sum(y_c) is zero up to rounding.
        Xty -= x_mean(X) * y_c.sum()
    return float(np.max(np.abs(Xty)) / (len(y) * l1_ratio))


def enet_gap(
    X,
    y,
    coef,
    *,
    alpha: float,
    l1_ratio: float = 1.0,
    fit_intercept: bool = True,
    X_mean: np.ndarray | None = None,
) -> Certificate:
    """sklearn's duality gap of ``coef`` for ``ElasticNet(alpha, l1_ratio)``.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n, p)
        The design, dense or sparse (any format with a ``@``); never modified or copied.
    y : ndarray of shape (n,)
    coef : ndarray of shape (p,)
        The coefficients to certify (``estimator.coef_``).
    alpha, l1_ratio : float
        sklearn's parameters; ``l1_ratio=1`` is the Lasso. Needs
        ``alpha * l1_ratio > 0``.
    fit_intercept : bool
        Center X and y implicitly (the intercept is profiled out).
    X_mean : ndarray of shape (p,), optional
        Precomputed column means, to save one pass over X when called repeatedly.

    Returns
    -------
    Certificate
        Costs two passes over X (``X @ w`` and ``X^T r``).
    """
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(coef, dtype=np.float64).ravel()
    n = y.shape[0]
    a = alpha * l1_ratio * n
    b = alpha * (1.0 - l1_ratio) * n
    if not a > 0:
        raise ValueError("formulation A of the gap needs alpha * l1_ratio > 0")

    if fit_intercept:
        m = x_mean(X) if X_mean is None else np.asarray(X_mean, dtype=np.float64)
        y_c = y - y.mean()
        # r = y_c - (X w - x_mean @ w)
        r = y_c - (np.asarray(X @ w, dtype=np.float64).ravel() - m @ w)
        # X_c^T r = X^T r - x_mean * sum(r)   (sum(r) is zero up to rounding)
        Xtr = np.asarray(X.T @ r, dtype=np.float64).ravel() - m * r.sum()
    else:
        y_c = y
        r = y_c - np.asarray(X @ w, dtype=np.float64).ravel()
        Xtr = np.asarray(X.T @ r, dtype=np.float64).ravel()

    XtA = Xtr - b * w
    dual_norm = float(np.max(np.abs(XtA))) if XtA.size else 0.0
    scale = a / dual_norm if dual_norm > a else 1.0

    r_norm2 = float(r @ r)
    w_norm2 = float(w @ w)
    ry = float(r @ y_c)
    primal = 0.5 * (r_norm2 + b * w_norm2) + a * float(np.abs(w).sum())
    dual = -0.5 * scale**2 * (r_norm2 + b * w_norm2) + scale * ry
    return Certificate(
        gap=(primal - dual) / n,
        primal=primal / n,
        dual=dual / n,
        gap_scale=float(y_c @ y_c) / n,
        dual_scaling=scale,
    )
