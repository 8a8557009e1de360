"""Regularization paths and cross-validation, fastenet against scikit-learn.

Each (problem, task) is one pytest-benchmark group holding both solvers; the tasks and
the accuracy checks are in ``_paths.py``. Before timing, both solvers run once and
``_paths.check`` recomputes the duality gap at every point of both paths (CV: compares
the MSE curves and certifies the refit). Timings are single-threaded medians of
``FASTENET_BENCH_ROUNDS`` (default 3) rounds; ``extra_info`` holds passes over X
(median seconds / one X^T v) and, for dense X with n >= p, seconds / one X^T X.
"""
from __future__ import annotations

import os

import pytest

from conftest import quick_mode

from _paths import TASKS, check, run
from _problems import PATH_PROBLEMS
from _timing import xtx_seconds

TIMED = ("fastenet", "sklearn")
ROUNDS = int(os.environ.get("FASTENET_BENCH_ROUNDS", "3"))
# Smoke pass (quick sizes): sklearn's ElasticNetCV with an intercept on the sparse
# problems takes 20-60 s per fit even on 1,000-2,000 rows of the quick sizes (measured;
# its sparse solver centers implicitly and converges slowly), so their CV cases use the
# first SMOKE_CV_ROWS rows there.
SMOKE_CV_ROWS = 500
_checked: dict = {}


def _data(setup, task, quick):
    X, y = setup.problem.X, setup.problem.y
    if quick and task != "path" and hasattr(X, "tocsc"):
        X, y = X[:SMOKE_CV_ROWS].tocsc(), y[:SMOKE_CV_ROWS]
    return X, y


def _checked_runs(setup, task, X, y):
    key = (setup.problem.name, task)
    if key not in _checked:
        runs = {s: run(s, task, X, y) for s in TIMED}
        _checked[key] = check(task, X, y, runs["fastenet"], runs["sklearn"])
    return _checked[key]


@pytest.mark.parametrize("solver", TIMED)
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("setup", PATH_PROBLEMS, indirect=True)
def bench_path_and_cv(benchmark, setup, task, solver, request):
    problem = setup.problem
    X, y = _data(setup, task, quick_mode(request.config))
    summary = _checked_runs(setup, task, X, y)
    benchmark.group = f"{problem.name} {task}"
    benchmark.pedantic(lambda: run(solver, task, X, y), rounds=ROUNDS, iterations=1,
                       warmup_rounds=0)
    seconds = benchmark.stats.stats.median if benchmark.stats else None
    xtx = xtx_seconds(X)
    benchmark.extra_info.update(
        problem=problem.name, task=task, solver=solver, shape=list(X.shape),
        check=summary, xtv_seconds=setup.xtv_seconds,
        passes=None if seconds is None else seconds / setup.xtv_seconds,
        xtx_seconds=xtx,
        xtx_ratio=None if seconds is None or xtx is None else seconds / xtx,
    )
