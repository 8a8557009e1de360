"""The path and cross-validation tasks of the benchmark, and their accuracy checks.

Tasks (issue: paths and CV), on the problems of ``_problems.PATH_PROBLEMS``:

``path``    ``lasso_path(X, y - mean(y), alphas=100, eps=1e-3)`` (the path functions fit no
            intercept, so y is centered; X is used as it is)
``lassocv`` ``LassoCV(alphas=100, cv=KFold(5))``
``enetcv``  ``ElasticNetCV(l1_ratio=[.1, .5, .9, 1], alphas=100, cv=KFold(5))``

Both solvers run with sklearn's tol=1e-4: every path point of both stops on the same
certificate, duality gap <= tol * ||y||^2. ``check`` recomputes that gap independently
(``_gap.enet_gap``) at every point of both paths, and for CV compares the selected alpha
and the refitted model's certificate, before anything is timed.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

import fastenet
from _gap import enet_gap

__all__ = ["OPTIONAL", "TASKS", "TOL", "Run", "check", "matched_path", "run"]

TOL = 1e-4
N_ALPHAS = 100
EPS = 1e-3
L1_RATIOS = [0.1, 0.5, 0.9, 1.0]
N_FOLDS = 5
TASKS = ("path", "lassocv", "enetcv")
GAP_SLACK = 1.0 + 1e-6  # recomputed gap <= GAP_SLACK * tol * ||y_c||^2 / n
SCORE_RTOL = 1e-2  # best mean CV MSE of the two solvers. Both stop at tol=1e-4, a bound on
# the objective, not on test error: near interpolation (small alphas of a wide problem)
# test MSEs of two tol-accurate paths differ by percents, so curves are not compared
# pointwise; the selected model's score and alpha are.

_MODULES = {"fastenet": fastenet, "sklearn": sk}
# Path solvers timed by report_path.py when importable (never dependencies): the path
# task only, on sklearn's grid, each at the tol that certifies all its points.
OPTIONAL = ("celer", "skglm")
TIGHTEN = 10.0  # one tightening of an optional solver's tol
MAX_TIGHTENINGS = 6


@dataclass
class Run:
    """What one task returned: the path, or the fitted CV estimator."""

    alphas: np.ndarray
    coefs: np.ndarray | None = None  # (p, n_alphas) for paths
    estimator: object = None  # for CV


def run(solver: str, task: str, X, y) -> Run:
    """One call of ``task`` by ``solver`` (ConvergenceWarnings are the check's job)."""
    mod = _MODULES[solver]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if task == "path":
            alphas, coefs, _ = mod.lasso_path(X, y - y.mean(), alphas=N_ALPHAS, eps=EPS,
                                              tol=TOL)
            return Run(alphas=alphas, coefs=coefs)
        cv = KFold(N_FOLDS)
        if task == "lassocv":
            est = mod.LassoCV(alphas=N_ALPHAS, eps=EPS, cv=cv, tol=TOL)
        elif task == "enetcv":
            est = mod.ElasticNetCV(l1_ratio=L1_RATIOS, alphas=N_ALPHAS, eps=EPS, cv=cv,
                                   tol=TOL)
        else:
            raise ValueError(f"unknown task {task!r}")
        est.fit(X, y)
        return Run(alphas=est.alphas_, estimator=est)


def _certified(X, y, coef, alpha, l1_ratio, fit_intercept):
    cert = enet_gap(X, y, coef, alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    return cert.gap <= GAP_SLACK * TOL * cert.gap_scale + 1e-15 * cert.gap_scale


def _optional_path(solver: str, X, yc, alphas, tol: float) -> np.ndarray:
    """coefs (p, len(alphas)) of ``solver``'s Lasso path of (X, yc), no intercept, at its
    own ``tol``: celer's is an absolute gap in its objective's scale (1/n), skglm's a
    bound on the optimality conditions' violation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # their convergence messages
        if solver == "celer":
            from celer import celer_path
            return celer_path(X, yc, "lasso", alphas=alphas, tol=tol, max_epochs=100_000)[1]
        if solver == "skglm":
            from skglm import Lasso
            est = Lasso(tol=tol, fit_intercept=False, max_epochs=100_000)
            return est.path(X, yc, alphas, return_n_iter=False)[1]
    raise ValueError(f"unknown optional solver {solver!r}")


def matched_path(solver: str, X, y, alphas):
    """The tol at which ``solver``'s path on sklearn's ``alphas`` certifies every point
    (the same bound as fastenet's and sklearn's: gap <= TOL * ||y_c||^2 / n, recomputed
    by ``_gap.enet_gap``), starting from sklearn's TOL (celer: in its units) and divided by
    TIGHTEN until it does; and a function that runs the path at that tol. None, None
    when MAX_TIGHTENINGS did not suffice."""
    yc = y - y.mean()
    tol = TOL * float(yc @ yc) / len(yc) if solver == "celer" else TOL
    for _ in range(MAX_TIGHTENINGS + 1):
        coefs = _optional_path(solver, X, yc, alphas, tol)
        if all(_certified(X, yc, coefs[:, k], a, 1.0, False) for k, a in enumerate(alphas)):
            return tol, lambda t=tol: _optional_path(solver, X, yc, alphas, t)
        tol /= TIGHTEN
    return None, None


def check(task: str, X, y, ours: Run, theirs: Run) -> str:
    """Assert both runs are equally accurate; returns a one-line summary."""
    np.testing.assert_allclose(ours.alphas, theirs.alphas, rtol=1e-10)
    if task == "path":
        yc = y - y.mean()
        bad = {name: [k for k, a in enumerate(r.alphas)
                      if not _certified(X, yc, r.coefs[:, k], a, 1.0, False)]
               for name, r in (("fastenet", ours), ("sklearn", theirs))}
        assert not bad["fastenet"], f"fastenet points above the gap bound: {bad['fastenet']}"
        return (f"every point of both paths certified (gap <= tol*||y||^2); sklearn "
                f"points above it: {len(bad['sklearn'])}")
    a, b = ours.estimator, theirs.estimator
    best_a, best_b = a.mse_path_.mean(axis=-1).min(), b.mse_path_.mean(axis=-1).min()
    assert abs(best_a - best_b) <= SCORE_RTOL * best_b, (best_a, best_b)
    l1 = getattr(a, "l1_ratio_", 1.0)
    assert _certified(X, y, a.coef_, a.alpha_, l1, True), "fastenet's refit not certified"
    same = a.alpha_ == b.alpha_ and l1 == getattr(b, "l1_ratio_", 1.0)
    return (f"alpha_ {'equal' if same else 'different'}; best CV MSE "
            f"{best_a:.6g} vs sklearn's {best_b:.6g}")
