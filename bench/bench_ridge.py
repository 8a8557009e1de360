"""Ridge and RidgeCV, fastenet against scikit-learn, on three generated problems.

Each (problem, estimator) is one pytest-benchmark group holding both solvers; problems,
tasks and checks are in ``_ridge_cases.py``. Before anything is timed, both solvers fit
once under ``tracemalloc`` (peak memory) and ``_ridge_cases.check`` recomputes the
optimality of both ``coef_`` (fastenet's must be no worse; RidgeCV: same ``alpha_`` and
``best_score_``). Timings are single-threaded medians of ``FASTENET_BENCH_ROUNDS``
(default 3) fits, or of one fit when the checking fit took more than SLOW_SECONDS
(sklearn's leave-one-out on the tall problem: minutes). ``extra_info`` holds both peaks,
both gradients, the tol used and passes over X (median seconds / one X^T v).

Smoke pass (``--benchmark-disable``): the quick sizes, every fit and check once.
"""
from __future__ import annotations

import os

import pytest
from _ridge_cases import ESTIMATORS, PROBLEMS, check, make, make_problem
from _timing import xtv_seconds
from conftest import quick_mode

TIMED = ("fastenet", "sklearn")
ROUNDS = int(os.environ.get("FASTENET_BENCH_ROUNDS", "3"))
SLOW_SECONDS = 30.0
_cache: dict = {}


@pytest.fixture(scope="module", params=PROBLEMS)
def ridge_setup(request, single_thread):
    """(problem, seconds of one X^T v), generated once per module run."""
    problem = make_problem(request.param, quick=quick_mode(request.config))
    yield problem, xtv_seconds(problem.X)
    _cache.clear()  # the next problem replaces this one's checked fits


def _checked(problem, estimator):
    key = (problem.name, estimator)
    if key not in _cache:
        _cache[key] = check(problem, estimator)
    return _cache[key]


@pytest.mark.parametrize("solver", TIMED)
@pytest.mark.parametrize("estimator", ESTIMATORS)
def bench_ridge(benchmark, ridge_setup, estimator, solver):
    problem, xtv = ridge_setup
    case = _checked(problem, estimator)
    assert not case.failures(), "; ".join(case.failures())
    fit, rival = case.fits[solver], case.fits["sklearn" if solver != "sklearn" else
                                             "fastenet"]
    X, y = problem.X, problem.y
    benchmark.group = f"{problem.name} {estimator}"
    rounds = ROUNDS if fit.seconds < SLOW_SECONDS else 1
    benchmark.pedantic(lambda est: est.fit(X, y),
                       setup=lambda: ((make(solver, estimator, X, tol=fit.tol),), {}),
                       rounds=rounds, iterations=1, warmup_rounds=0)
    seconds = benchmark.stats.stats.median if benchmark.stats else None
    benchmark.extra_info.update(
        problem=problem.name, description=problem.description, shape=list(X.shape),
        estimator=estimator, solver=solver, rounds=rounds, tol=fit.tol,
        tightenings=fit.tightenings, gradient=fit.gradient,
        rival_gradient=rival.gradient, alpha=fit.alpha, best_score=fit.best_score,
        peak_mb=fit.peak_mb, rival_peak_mb=rival.peak_mb, xtv_seconds=xtv,
        passes=None if seconds is None else seconds / xtv,
    )
