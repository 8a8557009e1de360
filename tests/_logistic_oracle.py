"""Plain-numpy certificates for logistic regression fits, independent of fastenet.

Problem (scikit-learn's ``LogisticRegression`` objective divided by C: the "kernel
scale")::

    P(W, b) = sum_i s_i loss_i(X_i W^T + b) + l1 sum_jk pf_j |W_jk| + l2/2 sum_jk pf_j W_jk^2

``l1 = l1_ratio / C``, ``l2 = (1 - l1_ratio) / C``, ``s_i`` the raw sample weights (times
the class weights). Two classes: one row of W (the second class's) and the binary
logistic loss ``log(1 + e^eta) - y eta``; K >= 3 classes: K rows and the multinomial loss
``logsumexp(eta) - eta_y``.

Dual point: ``theta_ik = s_i (Y_ik - P_ik)`` (Y one-hot labels, P the model's
probabilities; for two classes the single column of class 1). Fenchel dual, for a scale
``c`` in (0, 1]::

    D(c theta) = - sum_i s_i negent(c P_i + (1 - c) Y_i) - sum_jk h_j*(c X_j^T theta_k)

with ``negent(a) = sum a log a`` over the classes and ``h_j*`` the conjugate of the
elastic-net penalty: ``(|u| - l1 pf_j)_+^2 / (2 l2 pf_j)`` when ``l2 > 0``, else 0 on
``|u| <= l1 pf_j`` (c is then the largest scale meeting that). An intercept adds the
constraint ``sum_i theta_ik = 0`` (met at the optimal intercept); ``gap = P - D >= P -
P*``. The stopping threshold: ``tol`` times the objective of the null model (the
weighted class frequencies with an intercept, uniform probabilities without).

References: Friedman, Hastie, Tibshirani (2010), "Regularization paths for generalized
linear models via coordinate descent", sec. 3-4; Ndiaye, Fercoq, Gramfort, Salmon
(2017), "Gap safe screening rules for sparsity enforcing penalties", sec. 2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logsumexp

__all__ = ["LogisticCertificate", "certificate", "null_objective", "objective"]


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=np.float64)


def _weights(s, n):
    return np.ones(n) if s is None else np.asarray(s, dtype=np.float64)


def _probabilities(X, codes, W, b):
    """(P, Y): model probabilities and one-hot labels, one column per row of W."""
    eta = _dense(X) @ np.asarray(W, dtype=np.float64).T + np.asarray(b, dtype=np.float64)
    if W.shape[0] == 1:
        return expit(eta), (codes == 1).astype(np.float64)[:, np.newaxis]
    K = W.shape[0]
    return np.exp(eta - logsumexp(eta, axis=1, keepdims=True)), np.eye(K)[codes]


def objective(X, codes, W, b, *, C, l1_ratio, s=None, pf=None):
    """P(W, b) on the kernel scale (sklearn's objective divided by C)."""
    X = _dense(X)
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    n = X.shape[0]
    eta = X @ W.T + np.asarray(b, dtype=np.float64)
    if W.shape[0] == 1:
        e = eta[:, 0]
        loss = np.logaddexp(0.0, e) - (codes == 1) * e
    else:
        loss = logsumexp(eta, axis=1) - eta[np.arange(n), codes]
    pf = np.ones(W.shape[1]) if pf is None else np.asarray(pf, dtype=np.float64)
    penalty = (l1_ratio * (np.abs(W) @ pf).sum()
               + (1 - l1_ratio) / 2 * ((W**2) @ pf).sum())
    return float(_weights(s, n) @ loss + (penalty / C if np.isfinite(C) else 0.0))


def null_objective(codes, n_classes, *, s=None, fit_intercept=True):
    """The objective of the null model: the entropy of the weighted class frequencies
    per unit weight with an intercept, log(n_classes) without (eta = 0), times sum s."""
    s = _weights(s, len(codes))
    total = s.sum()
    if not fit_intercept:
        return float(total * (np.log(2.0) if n_classes == 2 else np.log(n_classes)))
    freq = np.bincount(codes, weights=s, minlength=n_classes) / total
    freq = freq[freq > 0]
    return float(-total * (freq @ np.log(freq)))


@dataclass(frozen=True)
class LogisticCertificate:
    primal: float
    dual: float
    gap: float  # primal - dual, kernel scale
    scale: float  # c
    intercept_residual: float  # max_k |sum_i theta_ik| (0 at the optimal intercept)


def _xlogx(a):
    return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0)), 0.0)


def certificate(X, codes, W, b, *, C, l1_ratio, s=None):
    """Primal, dual and gap of (W, b) with the dual point built from its probabilities.
    Penalty factors are all 1 (the reference grid's case)."""
    X = _dense(X)
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    n = X.shape[0]
    s = _weights(s, n)
    P, Y = _probabilities(X, codes, W, b)
    theta = s[:, np.newaxis] * (Y - P)
    G = X.T @ theta
    l1, l2 = l1_ratio / C, (1.0 - l1_ratio) / C
    if l2 > 0:
        c = 1.0
        conjugate = float((np.maximum(np.abs(G) - l1, 0.0) ** 2).sum() / (2 * l2))
    else:
        top = np.abs(G).max()
        c = 1.0 if top <= l1 else l1 / top
        conjugate = 0.0
    A = c * P + (1.0 - c) * Y
    negent = (_xlogx(A[:, 0]) + _xlogx(1.0 - A[:, 0]) if W.shape[0] == 1
              else _xlogx(A).sum(axis=1))
    dual = float(-(s @ negent) - conjugate)
    primal = objective(X, codes, W, b, C=C, l1_ratio=l1_ratio, s=s)
    return LogisticCertificate(primal=primal, dual=dual, gap=primal - dual, scale=c,
                               intercept_residual=float(np.abs(theta.sum(axis=0)).max()))
