"""Session fixtures of the benchmarks: problem size, one thread, cached problems, and
the accuracy-matched fits that every timing is checked against before it is taken.

Problem size: full (the sizes of the benchmark issue) unless ``FASTENET_BENCH_QUICK=1``
is set or benchmarks are disabled (``--benchmark-disable``, the CI smoke pass), which
selects the small sizes of ``_problems.py`` so the smoke pass still runs every fit and
every gap check, in seconds.

The generators live in ``_problems.py`` rather than here so that ``report.py`` can use
them outside pytest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from _gap import alpha_max, x_mean
from _problems import Problem, make_problem
from _solvers import TOL, Case, check_case
from _timing import xtv_seconds

QUICK_ENV = "FASTENET_BENCH_QUICK"


def quick_mode(config: pytest.Config) -> bool:
    """Small problems: FASTENET_BENCH_QUICK=1, or benchmarks disabled (smoke pass)."""
    if os.environ.get(QUICK_ENV, "0") not in ("", "0"):
        return True
    disabled = config.getoption("benchmark_disable", default=False)
    return bool(disabled) and not config.getoption("benchmark_enable", default=False)


def pytest_report_header(config: pytest.Config) -> str:
    size = "quick" if quick_mode(config) else "full"
    return f"fastenet bench: {size} problem sizes, single-threaded, tol={TOL:g}"


@dataclass(frozen=True)
class Setup:
    """A generated problem with what every case of it needs, computed once."""

    problem: Problem
    X_mean: np.ndarray
    alpha_max: float
    xtv_seconds: float  # one single-threaded X^T v: the unit of "passes over X"


@pytest.fixture(scope="session", autouse=True)
def single_thread():
    """Every fit and every X^T v timing runs on one BLAS / OpenMP thread."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def setup(request, single_thread) -> Setup:
    """The problem named by the indirect parameter, generated once per session.

    Session-scoped and parametrized, so pytest runs one problem's cases together and
    drops the problem before generating the next.
    """
    problem = make_problem(request.param, quick=quick_mode(request.config))
    return Setup(
        problem=problem,
        X_mean=x_mean(problem.X),
        alpha_max=alpha_max(problem.X, problem.y),
        xtv_seconds=xtv_seconds(problem.X),
    )


@pytest.fixture(scope="session")
def checked_case():
    """``checked_case(setup, alpha_ratio, solvers)``: certified fits, cached.

    Both solvers' benchmarks of one (problem, alpha) share one set of checking fits.
    """
    cache: dict[tuple[str, int], Case] = {}

    def get(setup: Setup, alpha_ratio: int, solvers) -> Case:
        key = (setup.problem.name, alpha_ratio)
        if key not in cache:
            p = setup.problem
            cache[key] = check_case(
                p.X, p.y, alpha=setup.alpha_max / alpha_ratio, solvers=solvers,
                X_mean=setup.X_mean,
            )
        return cache[key]

    return get
