"""One Lasso fit, fastenet against scikit-learn, on the four generated problems.

Each (problem, alpha) is one pytest-benchmark group holding both solvers, at
alpha = alpha_max / 20 and alpha_max / 100. Before anything is timed, both fits are run
and the duality gap of each returned ``coef_`` is recomputed by ``_gap.enet_gap``;
fastenet's gap must be no worse than sklearn's (its ``tol`` is tightened by half
decades until it is, and the tolerance used is recorded). Timings are single-threaded
medians of ``FASTENET_BENCH_ROUNDS`` (default 3) fits; ``extra_info`` holds the gaps,
the tolerance used, the support size and "passes over X" (median seconds / one X^T v).
"""

from __future__ import annotations

import os

import pytest

from _problems import PROBLEMS
from _solvers import SOLVERS, certify, no_worse

ALPHA_RATIOS = (20, 100)  # alpha = alpha_max / ratio
TIMED = ("fastenet", "sklearn")
ROUNDS = int(os.environ.get("FASTENET_BENCH_ROUNDS", "3"))
# _gap.enet_gap vs sklearn's dual_gap_: equal up to the rounding of a tiny difference.
ORACLE_RTOL = 1e-3
ORACLE_ATOL = 1e-10


@pytest.mark.parametrize("solver", TIMED)
@pytest.mark.parametrize("alpha_ratio", ALPHA_RATIOS, ids=lambda r: f"amax_over_{r}")
@pytest.mark.parametrize("setup", PROBLEMS, indirect=True)
def bench_lasso_fit(benchmark, setup, alpha_ratio, solver, checked_case):
    problem = setup.problem
    case = checked_case(setup, alpha_ratio, TIMED)
    assert not case.failures(), "; ".join(case.failures())
    checked = case.fits[solver]
    X, y = problem.X, problem.y

    benchmark.group = f"{problem.name} alpha_max/{alpha_ratio}"
    est = benchmark.pedantic(
        lambda est: est.fit(X, y),
        setup=lambda: ((SOLVERS[solver].make(checked.alpha, checked.tol),), {}),
        rounds=ROUNDS,
        iterations=1,
        warmup_rounds=0,  # the checking fits above were the warm-up
    )

    # The timed fit repeats the checked one (same tol, deterministic); certify it too.
    timed = certify(solver, est, X, y, alpha=checked.alpha, tol=checked.tol,
                    converged=checked.converged, X_mean=setup.X_mean)
    if solver != "sklearn":
        assert no_worse(timed.gap, case.reference.certificate), (
            f"timed fit's gap {timed.gap:.3e} > sklearn's {case.reference.gap:.3e}"
        )
    else:
        # The numpy oracle reproduces sklearn's own dual_gap_ (same formula, same w).
        scale = timed.certificate.gap_scale
        assert abs(timed.gap - timed.reported_gap) <= (
            ORACLE_RTOL * timed.reported_gap + ORACLE_ATOL * scale
        ), f"oracle gap {timed.gap:.6e} != sklearn's {timed.reported_gap:.6e}"

    seconds = benchmark.stats.stats.median if benchmark.stats else None
    rival = case.fits["sklearn" if solver != "sklearn" else "fastenet"]
    benchmark.extra_info.update(
        problem=problem.name,
        description=problem.description,
        shape=list(problem.shape),
        alpha=checked.alpha,
        alpha_ratio=alpha_ratio,
        solver=solver,
        tol=checked.tol,
        tol_tightenings=checked.tightenings,
        gap=timed.gap,
        reported_gap=timed.reported_gap,
        rival_gap=rival.gap,
        gap_scale=timed.certificate.gap_scale,
        nnz=timed.nnz,
        n_iter=timed.n_iter,
        xtv_seconds=setup.xtv_seconds,
        passes=None if seconds is None else seconds / setup.xtv_seconds,
    )
