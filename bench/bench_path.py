"""Regularization paths and cross-validation, fastenet against scikit-learn.

Each (problem, task) is one pytest-benchmark group holding both solvers; the tasks and
the accuracy checks are in ``_paths.py``. Before timing, both solvers run once and
``_paths.check`` recomputes the duality gap at every point of both paths (CV: compares
the MSE curves and certifies the refit). Timings are single-threaded medians of
``FASTENET_BENCH_ROUNDS`` (default 3) rounds; ``extra_info`` holds passes over X
(median seconds / one X^T v) and, for dense X, seconds / one X^T X.
"""
from __future__ import annotations

import os
import time

import pytest

from _paths import TASKS, check, run
from _problems import PATH_PROBLEMS

TIMED = ("fastenet", "sklearn")
ROUNDS = int(os.environ.get("FASTENET_BENCH_ROUNDS", "3"))
_checked: dict = {}


def _checked_runs(setup, task):
    key = (setup.problem.name, task)
    if key not in _checked:
        X, y = setup.problem.X, setup.problem.y
        runs = {s: run(s, task, X, y) for s in TIMED}
        _checked[key] = check(task, X, y, runs["fastenet"], runs["sklearn"])
    return _checked[key]


def xtx_seconds(X):
    """Seconds of one X^T X (numpy: a symmetric BLAS update) for dense X, else None."""
    if hasattr(X, "tocsc"):
        return None
    t0 = time.perf_counter()
    X.T @ X
    return time.perf_counter() - t0


@pytest.mark.parametrize("solver", TIMED)
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("setup", PATH_PROBLEMS, indirect=True)
def bench_path_and_cv(benchmark, setup, task, solver):
    problem = setup.problem
    summary = _checked_runs(setup, task)
    X, y = problem.X, problem.y
    benchmark.group = f"{problem.name} {task}"
    benchmark.pedantic(lambda: run(solver, task, X, y), rounds=ROUNDS, iterations=1,
                       warmup_rounds=0)
    seconds = benchmark.stats.stats.median if benchmark.stats else None
    xtx = xtx_seconds(X)
    benchmark.extra_info.update(
        problem=problem.name, task=task, solver=solver, shape=list(problem.shape),
        check=summary, xtv_seconds=setup.xtv_seconds,
        passes=None if seconds is None else seconds / setup.xtv_seconds,
        xtx_seconds=xtx,
        xtx_ratio=None if seconds is None or xtx is None else seconds / xtx,
    )
