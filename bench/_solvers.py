"""The Lasso solvers compared, and the accuracy match done before any timing.

A solver is a name and a factory ``make(alpha, tol)`` of an unfitted estimator with
sklearn's ``fit(X, y)`` / ``coef_`` API. sklearn is the reference: it runs with its
defaults except ``alpha``, ``tol`` and ``max_iter`` (large enough to converge). Every
other solver gets the same ``tol`` first; if the duality gap of its ``coef_``
(recomputed by ``_gap.enet_gap``, never taken from the solver) is worse than sklearn's,
its ``tol`` is divided by sqrt(10) (half a decade) until it is no worse, and the
tolerance it needed is recorded. Timings
are then taken at the matched tolerances, so every row compares fits of equal or better
accuracy than sklearn's.

fastenet's ``tol`` has sklearn's meaning (stop when the unnormalized gap is at most
``tol * ||y_c||^2``). skglm and celer, when importable, are run with their own defaults
and stopping rules, and matched the same way.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from _gap import Certificate, enet_gap

__all__ = [
    "Case",
    "CheckedFit",
    "GAP_ATOL",
    "GAP_RTOL",
    "MAX_ITER",
    "SOLVERS",
    "TOL",
    "Solver",
    "available",
    "certify",
    "check_case",
    "fit",
    "match_accuracy",
    "no_worse",
]

TOL = 1e-4  # sklearn's default
MAX_ITER = 10_000  # sklearn's epochs cap; the problems here converge well before it
# "No worse than sklearn" allows rounding:
#     gap_ours <= gap_sk * (1 + GAP_RTOL) + GAP_ATOL * scale,
# with scale = ||y_c||^2 / n (twice the objective at w = 0).
GAP_RTOL = 1e-6
GAP_ATOL = 1e-13
TIGHTEN = 10.0**0.5  # one tightening step: half a decade, so no solver overshoots much
MAX_TIGHTENINGS = 12  # tol / 10**6 at most; beyond that the solver has not matched


@dataclass(frozen=True)
class Solver:
    name: str
    module: str  # what must be importable
    make: Callable[[float, float], object]  # (alpha, tol) -> unfitted estimator


def _fastenet(alpha, tol):
    from fastenet import Lasso

    return Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER)


def _sklearn(alpha, tol):
    from sklearn.linear_model import Lasso

    return Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER)


def _skglm(alpha, tol):
    from skglm import Lasso

    return Lasso(alpha=alpha, tol=tol, fit_intercept=True)


def _celer(alpha, tol):
    from celer import Lasso

    return Lasso(alpha=alpha, tol=tol, fit_intercept=True)


SOLVERS = {
    s.name: s
    for s in (
        Solver("fastenet", "fastenet", _fastenet),
        Solver("sklearn", "sklearn", _sklearn),
        Solver("skglm", "skglm", _skglm),
        Solver("celer", "celer", _celer),
    )
}


def available(name: str) -> bool:
    """Whether solver ``name``'s package can be imported."""
    return importlib.util.find_spec(SOLVERS[name].module) is not None


@dataclass(frozen=True)
class CheckedFit:
    """One solver's fit of one problem at one alpha, certified before timing."""

    solver: str
    alpha: float
    tol: float  # the tolerance the timed fits use
    tightenings: int  # how many times tol was divided by TIGHTEN to match sklearn's gap
    certificate: Certificate  # recomputed by _gap.enet_gap
    reported_gap: float | None  # the solver's own dual_gap_, if it has one
    nnz: int
    n_iter: int | None
    converged: bool  # no ConvergenceWarning was raised

    @property
    def gap(self) -> float:
        return self.certificate.gap


def fit(solver: str, X, y, *, alpha: float, tol: float):
    """Fit once; returns ``(estimator, converged)``.

    A ConvergenceWarning is caught and reported through ``converged``, not raised.
    """
    est = SOLVERS[solver].make(alpha, tol)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return est, converged


def certify(solver: str, est, X, y, *, alpha: float, tol: float, converged: bool,
            tightenings: int = 0, X_mean=None) -> CheckedFit:
    """Recompute the gap of the fitted ``est.coef_``; collect what the report shows."""
    coef = np.asarray(est.coef_, dtype=np.float64).ravel()
    n_iter = getattr(est, "n_iter_", None)
    reported = getattr(est, "dual_gap_", None)
    return CheckedFit(
        solver=solver,
        alpha=alpha,
        tol=tol,
        tightenings=tightenings,
        certificate=enet_gap(X, y, coef, alpha=alpha, X_mean=X_mean),
        reported_gap=None if reported is None else float(np.ravel(reported)[0]),
        nnz=int(np.count_nonzero(coef)),
        n_iter=None if n_iter is None else int(np.ravel(n_iter)[0]),
        converged=converged,
    )


def no_worse(gap: float, reference: Certificate) -> bool:
    """``gap <= reference.gap`` up to rounding (GAP_RTOL, GAP_ATOL)."""
    return gap <= reference.gap * (1.0 + GAP_RTOL) + GAP_ATOL * reference.gap_scale


def match_accuracy(solver: str, X, y, *, alpha: float, reference: Certificate | None,
                   tol: float = TOL, X_mean=None) -> CheckedFit:
    """Fit ``solver`` at ``tol``, tightening ``tol`` by TIGHTEN until its gap is no
    worse than ``reference`` (sklearn's certificate; ``None`` for sklearn itself).

    Returns the last fit's certificate; the caller asserts ``no_worse`` on it, so a
    solver that cannot match within MAX_TIGHTENINGS fails loudly instead of being timed.
    """
    for k in range(MAX_TIGHTENINGS + 1):
        t = tol / TIGHTEN**k
        est, converged = fit(solver, X, y, alpha=alpha, tol=t)
        checked = certify(solver, est, X, y, alpha=alpha, tol=t, converged=converged,
                          tightenings=k, X_mean=X_mean)
        if reference is None or no_worse(checked.gap, reference):
            return checked
    return checked


@dataclass(frozen=True)
class Case:
    """All solvers' certified fits of one problem at one alpha (sklearn: reference)."""

    alpha: float
    fits: dict  # solver name -> CheckedFit

    @property
    def reference(self) -> CheckedFit:
        return self.fits["sklearn"]

    def failures(self) -> list[str]:
        """Why this case may not be timed: an unconverged reference, or a worse gap."""
        ref = self.reference
        out = []
        if not ref.converged:
            out.append(f"sklearn did not converge in max_iter={MAX_ITER} epochs "
                       f"(gap {ref.gap:.3e})")
        for name, f in self.fits.items():
            if name == "sklearn":
                continue
            if not no_worse(f.gap, ref.certificate):
                out.append(f"{name}: gap {f.gap:.3e} > sklearn's {ref.gap:.3e} even at "
                           f"tol={f.tol:.1e}")
            elif not f.converged:
                out.append(f"{name} raised ConvergenceWarning at tol={f.tol:.1e}")
        return out


def check_case(X, y, *, alpha: float, solvers, tol: float = TOL, X_mean=None) -> Case:
    """Fit sklearn at ``tol``, then every other solver in ``solvers`` matched to it."""
    ref = match_accuracy("sklearn", X, y, alpha=alpha, reference=None, tol=tol,
                         X_mean=X_mean)
    fits = {"sklearn": ref}
    for name in solvers:
        if name != "sklearn":
            fits[name] = match_accuracy(name, X, y, alpha=alpha,
                                        reference=ref.certificate, tol=tol,
                                        X_mean=X_mean)
    return Case(alpha=alpha, fits=fits)
