"""Objective and duality gap of binary L1 logistic regression, recomputed in plain numpy.

The logistic benchmarks never trust a solver's own certificate. Every returned
``(coef_, intercept_)`` is scored here on scikit-learn's objective for the L1 penalty,

    P(w, b) = C * sum_i f_i(x_i . w + b) + ||w||_1,
    f_i(z)  = log(1 + exp(z)) - y_i z        (y_i in {0, 1}; the intercept unpenalized),

which is ``C`` times the kernel's ``sum_i f_i + l1 ||w||_1`` with ``l1 = 1 / C``.

Dual (Fenchel-Young on each f_i; f_i^*(-theta_i) = -H(y_i - theta_i), H the binary
entropy): for theta with ``||X^T theta||_inf <= l1`` (and ``sum(theta) = 0`` when the
intercept is fitted),

    D(theta) = C * sum_i H(y_i - theta_i) <= P(w, b)   for every (w, b).

The dual point is the rescaled generalized residual (Fercoq, Gramfort, Salmon 2015,
"Mind the duality gap", eq. (7); for logistic regression: Massias, Gramfort, Salmon 2018,
"Celer", sec. 2): theta = s * (y - sigmoid(X w + b')), s = min(1, l1 / ||X^T theta||_inf),
where b' is the intercept that minimizes P(w, .) (one-dimensional Newton to rounding),
so that sum(theta) = 0 up to rounding; y - s * theta stays in [0, 1] for s <= 1.

Everything is accumulated in float64; a value of P costs one ``X @ w``, the gap one more
``X^T theta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import entr, expit

__all__ = ["LogisticCertificate", "c_min", "logistic_gap", "objective"]


@dataclass(frozen=True)
class LogisticCertificate:
    """The recomputed certificate of one ``(w, b)``, on sklearn's scale (times C)."""

    primal: float  # P(w, b)
    dual: float  # D(theta) <= P*: a lower bound on the optimum
    gap: float  # primal - dual >= P(w, b) - P*
    intercept_residual: float  # |sum(theta)| / n: the dual constraint's rounding

    @property
    def rel_gap(self) -> float:
        return self.gap / abs(self.primal)


def _margins(X, coef, intercept) -> np.ndarray:
    w = np.asarray(coef, dtype=np.float64).ravel()
    return np.asarray(X @ w, dtype=np.float64).ravel() + float(intercept)


def _loss(z, y) -> float:
    # sum_i log(1 + exp(z_i)) - y_i z_i, stable for large |z|
    return float(np.sum(np.logaddexp(0.0, z) - y * z))


def objective(X, y, coef, intercept, *, C: float) -> float:
    """sklearn's L1 objective ``C * sum_i logloss_i + ||w||_1`` of ``(coef, intercept)``.

    ``y`` holds 0/1 labels; ``intercept`` is 0 for a fit without one. One pass over X.
    """
    y = np.asarray(y, dtype=np.float64)
    z = _margins(X, coef, intercept)
    return C * _loss(z, y) + float(np.abs(np.asarray(coef, dtype=np.float64)).sum())


def c_min(X, y, *, fit_intercept: bool = True) -> float:
    """Largest C at which the L1 solution is all zeros (the null model).

    At w = 0 the optimal intercept predicts p0 = mean(y) (0.5 without an intercept); the
    null model is optimal while ``C * ||X^T (y - p0)||_inf <= 1``.
    """
    y = np.asarray(y, dtype=np.float64)
    p0 = y.mean() if fit_intercept else 0.5
    grad = np.asarray(X.T @ (y - p0), dtype=np.float64).ravel()
    return 1.0 / float(np.max(np.abs(grad)))


def _best_intercept(z0, y, b) -> float:
    """argmin_b sum_i f_i(z0_i + b), by Newton from ``b`` (the loss is convex in b)."""
    for _ in range(50):
        p = expit(z0 + b)
        g = float(np.sum(p - y))
        h = float(np.sum(p * (1.0 - p)))
        if h <= 0.0:
            break
        step = g / h
        b -= step
        if abs(step) <= 1e-15 * max(1.0, abs(b)):
            break
    return b


def logistic_gap(X, y, coef, intercept, *, C: float,
                 fit_intercept: bool = True) -> LogisticCertificate:
    """Duality gap of ``(coef, intercept)`` for sklearn's L1 logistic regression at C.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n, p)
        Never modified or copied.
    y : ndarray of shape (n,)
        0/1 labels (class 1 positive).
    coef : ndarray of shape (p,)
    intercept : float
        Used for the primal value; the dual point uses the best intercept for ``coef``.
    C : float
    fit_intercept : bool
        Whether the intercept is free (then the dual needs ``sum(theta) = 0``).

    Returns
    -------
    LogisticCertificate
        Costs two passes over X (``X @ w`` and ``X^T theta``).
    """
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(coef, dtype=np.float64).ravel()
    l1 = 1.0 / C
    z0 = np.asarray(X @ w, dtype=np.float64).ravel()
    b = float(intercept) if fit_intercept else 0.0
    primal = _loss(z0 + b, y) + l1 * float(np.abs(w).sum())

    b_dual = _best_intercept(z0, y, b) if fit_intercept else 0.0
    theta = y - expit(z0 + b_dual)
    dual_norm = float(np.max(np.abs(np.asarray(X.T @ theta, dtype=np.float64))))
    s = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
    q = y - s * theta  # in [0, 1]: (1 - s) y + s sigmoid(.)
    # entr(q) = -q log q, so H(q) = entr(q) + entr(1 - q)
    dual = float(np.sum(entr(q) + entr(1.0 - q)))
    return LogisticCertificate(
        primal=C * primal,
        dual=C * dual,
        gap=C * (primal - dual),
        intercept_residual=abs(float(s * theta.sum())) / len(y) if fit_intercept else 0.0,
    )
