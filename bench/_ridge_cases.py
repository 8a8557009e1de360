"""Ridge and RidgeCV, fastenet against scikit-learn: problems, estimators and the
accuracy / memory check done before any timing (used by ``bench_ridge.py`` and
``report.py --ridge``).

Problems (fixed seeds, generators of ``_problems.py``; full size = the issue's):

``ridge_tall``    dense 100,000 x 1,000 F-ordered, AR(1) columns, corr 0.5^|j-k|
``ridge_wide``    dense 2,000 x 20,000 F-ordered, AR(1) columns, corr 0.6^|j-k|
``ridge_sparse``  CSC 50,000 x 100,000 at 0.1%, text-like (Zipf column frequencies,
                  log-normal row lengths, counts 1 + Poisson(0.3))

Quick sizes (CI smoke pass, ``report.py --ridge --quick``): 5,000 x 100, 200 x 2,000 and
3,000 x 6,000 at 0.3% (still above ``_alpha_grid.SPARSE_DIRECT_MAX``, so RidgeCV's
multi-shift CG folds run).

Tasks: ``Ridge(alpha=1.0)`` (sklearn's default alpha) and ``RidgeCV`` over 30 alphas
``logspace(-1, 4)``: leave-one-out (``cv=None``) on the dense problems; 3-fold on the
sparse one, where leave-one-out needs the 50,000 x 50,000 kernel eigendecomposition
(20 GB) on either side.

Accuracy, recomputed here from each ``coef_`` (never taken from a solver): the relative
gradient of sklearn's ridge objective,
``||X~^T (y~ - X~ w) - alpha w|| / ||X~^T y~||`` with implicit centering (0 at the
solution). Direct solvers must both reach EXACT and agree to COEF_RTOL; iterative ones
(sparse X) must have fastenet's gradient no larger than sklearn's, fastenet's ``tol``
being tightened by half decades until it is (recorded). RidgeCV: same ``alpha_``,
``best_score_`` within SCORE_RTOL (CV_SCORE_RTOL when both sides' folds are CG at
tol 1e-4), and the refit's gradient as for Ridge. Peak memory: ``tracemalloc``'s peak
during the checking fit (NumPy / SciPy allocations; not BLAS-internal buffers).
"""
from __future__ import annotations

import dataclasses
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from _problems import _dense_tall, _dense_wide, _sparse_text

__all__ = ["ESTIMATORS", "PROBLEMS", "Checked", "check", "make", "make_problem"]

ALPHA = 1.0
ALPHAS = np.logspace(-1, 4, 30)
EXACT = 1e-10  # relative gradient of an exact (direct) solve
COEF_RTOL = 1e-8  # direct solvers: fastenet vs sklearn coefficients
SCORE_RTOL = 1e-8  # RidgeCV best_score_, exact folds
CV_SCORE_RTOL = 1e-3  # ... CG folds at tol 1e-4 on both sides
TIGHTEN = 10.0**0.5
MAX_TIGHTENINGS = 6

_SPECS = {
    "ridge_tall": (_dense_tall, dict(n=100_000, p=1_000), dict(n=5_000, p=100)),
    "ridge_wide": (_dense_wide, dict(n=2_000, p=20_000),
                   dict(n=200, p=2_000, k_nonzero=20)),
    "ridge_sparse": (_sparse_text, dict(n=50_000, p=100_000, density=0.001),
                     dict(n=3_000, p=6_000, density=0.003)),
}
PROBLEMS = tuple(_SPECS)
ESTIMATORS = ("Ridge", "RidgeCV")


def make_problem(name, *, quick=False):
    generator, full, small = _SPECS[name]
    return dataclasses.replace(generator(**(small if quick else full)), name=name)


def make(solver, estimator, X, *, tol=1e-4):
    """An unfitted estimator: ``solver`` in {'fastenet', 'sklearn'}."""
    if solver == "fastenet":
        import fastenet as lib
    else:
        from sklearn import linear_model as lib
    if estimator == "Ridge":
        return lib.Ridge(alpha=ALPHA, tol=tol)
    return lib.RidgeCV(alphas=ALPHAS, cv=3 if sp.issparse(X) else None)


def gradient(X, y, coef, alpha):
    """Relative gradient of ``||y - Xw - b||^2 + alpha ||w||^2`` at w = coef, b optimal
    (three passes over X, float64, X never centered)."""
    w = np.asarray(coef, dtype=np.float64).ravel()
    m = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    yc = y - y.mean()
    r = yc - (np.asarray(X @ w).ravel() - m @ w)
    g = np.asarray(X.T @ r).ravel() - m * r.sum() - alpha * w
    b = np.asarray(X.T @ yc).ravel() - m * yc.sum()
    return float(np.linalg.norm(g) / np.linalg.norm(b))


@dataclass(frozen=True)
class Fit:
    solver: str
    seconds: float  # the checking fit (traced, so a little slower than the timed ones)
    peak_mb: float
    gradient: float
    alpha: float  # alpha of the fitted coef_ (RidgeCV: alpha_)
    tol: float
    tightenings: int
    best_score: float | None
    coef: np.ndarray


@dataclass(frozen=True)
class Checked:
    problem: str
    estimator: str
    fits: dict  # solver -> Fit

    def failures(self):
        fe, sk = self.fits["fastenet"], self.fits["sklearn"]
        out = []
        if self.estimator == "RidgeCV":
            if fe.alpha != sk.alpha:
                out.append(f"alpha_ {fe.alpha:.6g} != sklearn's {sk.alpha:.6g}")
            rtol = CV_SCORE_RTOL if self.problem == "ridge_sparse" else SCORE_RTOL
            if abs(fe.best_score - sk.best_score) > rtol * abs(sk.best_score):
                out.append(f"best_score_ {fe.best_score:.10g} != {sk.best_score:.10g}")
        if self.problem == "ridge_sparse":
            if fe.gradient > sk.gradient:
                out.append(f"gradient {fe.gradient:.2e} > sklearn's {sk.gradient:.2e}")
        else:
            if max(fe.gradient, sk.gradient) > EXACT:
                out.append(f"not exact: gradients {fe.gradient:.1e}, {sk.gradient:.1e}")
            scale = max(float(np.abs(sk.coef).max()), 1e-300)
            if float(np.abs(fe.coef - sk.coef).max()) > COEF_RTOL * scale:
                out.append("coefficients differ from sklearn's")
        return out


def _fit(solver, estimator, X, y, tol, tightenings):
    est = make(solver, estimator, X, tol=tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's LinAlgWarning etc.: accuracy is checked
        tracemalloc.start()
        t0 = time.perf_counter()
        try:
            est.fit(X, y)
            seconds = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    alpha = float(est.alpha_) if estimator == "RidgeCV" else ALPHA
    coef = np.asarray(est.coef_, dtype=np.float64).ravel()
    return Fit(solver=solver, seconds=seconds, peak_mb=peak / 1e6,
               gradient=gradient(X, y, coef, alpha), alpha=alpha, tol=tol,
               tightenings=tightenings,
               best_score=float(est.best_score_) if estimator == "RidgeCV" else None,
               coef=coef)


def check(problem, estimator):
    """Both solvers fitted once (traced) and compared; fastenet's Ridge tol tightened
    until its gradient is no larger than sklearn's (iterative solvers only)."""
    X, y = problem.X, problem.y
    sk = _fit("sklearn", estimator, X, y, 1e-4, 0)
    fe = _fit("fastenet", estimator, X, y, 1e-4, 0)
    if estimator == "Ridge" and sp.issparse(X):
        k = 0
        while fe.gradient > sk.gradient and k < MAX_TIGHTENINGS:
            k += 1
            fe = _fit("fastenet", estimator, X, y, 1e-4 / TIGHTEN**k, k)
    return Checked(problem=problem.name, estimator=estimator,
                   fits={"fastenet": fe, "sklearn": sk})
