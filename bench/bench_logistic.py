"""Sparse L1 logistic regression, fastenet against sklearn's liblinear and saga (and
skglm when importable), at the same relative suboptimality.

Each (problem, task) is one pytest-benchmark group holding every solver; problems, Cs
and the certified reference optimum P* are in ``_logistic_cases.py``, the solvers and
the search for each one's cheapest run reaching ``EPS`` = 1e-6 in
``_logistic_solvers.py``. Before anything is timed, the reference's duality gap is
recomputed in numpy (``_logistic_gap``) and every solver is searched (untimed); fastenet
must reach EPS. The timed function runs the matched setting's fits (the loop over Cs for
a path) and nothing else; its result is scored again afterwards. Timings are single-
threaded medians of ``FASTENET_BENCH_ROUNDS`` (default 3) runs, one run when the search
run took over SLOW_SECONDS or when the solver did not reach EPS within
``FASTENET_BENCH_LOGISTIC_CAP`` seconds a run (default 60; the smoke pass: 0.25), which
``extra_info['reached']`` records. ``extra_info`` also holds the suboptimality, the
setting (tol, intercept_scaling, epochs), nnz and passes over X (median seconds / one
X^T v).

Smoke pass (``--benchmark-disable``): the quick sizes, a 10-C path, every search once.
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from _logistic_cases import (
    EPS,
    LOGISTIC_PROBLEMS,
    TASKS,
    make_case,
    make_logistic_problem,
    suboptimality,
)
from _logistic_solvers import SOLVERS, available, match, solve
from _timing import xtv_seconds
from conftest import quick_mode

TIMED = tuple(s for s in SOLVERS if available(s))
ROUNDS = int(os.environ.get("FASTENET_BENCH_ROUNDS", "3"))
CAP_ENV = "FASTENET_BENCH_LOGISTIC_CAP"
SLOW_SECONDS = 10.0
_cases: dict = {}
_matches: dict = {}


def _cap(quick: bool) -> float:
    return float(os.environ.get(CAP_ENV, "0.25" if quick else "60"))


@pytest.fixture(scope="module", params=LOGISTIC_PROBLEMS)
def logistic_setup(request, single_thread):
    """(problem, quick, seconds of one X^T v), generated once per problem."""
    quick = quick_mode(request.config)
    problem = make_logistic_problem(request.param, quick=quick)
    yield problem, quick, xtv_seconds(problem.X)
    _cases.clear()  # the next problem replaces this one's cases and searches
    _matches.clear()


def _matched(problem, quick, task, solver):
    if task not in _cases:
        _cases[task] = make_case(problem, task, quick=quick)
    case = _cases[task]
    if (task, solver) not in _matches:
        _matches[task, solver] = match(solver, case, cap=_cap(quick))
    return case, _matches[task, solver]


@pytest.mark.parametrize("solver", TIMED)
@pytest.mark.parametrize("task", TASKS)
def bench_logistic(benchmark, logistic_setup, task, solver):
    problem, quick, xtv = logistic_setup
    case, fe = _matched(problem, quick, task, "fastenet")
    assert fe.reached, (f"fastenet did not reach {EPS:g}: best {fe.run.subopt:.2e} at "
                        f"{fe.run.setting()}")
    case, m = _matched(problem, quick, task, solver)
    params = m.run.params

    benchmark.group = f"logistic {problem.name} {task}"
    rounds = ROUNDS if m.reached and m.run.seconds <= SLOW_SECONDS else 1
    coefs, intercepts, _, _, n_timed, _ = benchmark.pedantic(
        lambda: solve(solver, case, params, cap=_cap(quick)), rounds=rounds,
        iterations=1, warmup_rounds=0)  # the search's runs were the warm-up

    # The timed run repeats the matched one (fixed seeds); it must be as accurate on the
    # Cs it did. Its cap is wall-clock, so when the machine gets busier between the search
    # and the timing, a capped path can stop after fewer Cs than the matched run did, and
    # the Cs it never reached (zero coefficients) would count as inaccurate: those are
    # not compared. (The likely cause of one CI failure, "suboptimality 0.24" on the quick
    # one-hot liblinear path, while a build ran beside it; not reproduced under steady load.)
    n_done = min(m.run.n_done, n_timed)
    sub = float(np.max(suboptimality(case, coefs[:n_done], intercepts[:n_done],
                                     k_done=n_done)))
    if m.reached:
        assert sub <= EPS, f"timed run's suboptimality {sub:.2e} > {EPS:g}"
    seconds = benchmark.stats.stats.median if benchmark.stats else None
    benchmark.extra_info.update(
        problem=problem.name, description=problem.description,
        shape=list(problem.shape), task=task, Cs=case.Cs.tolist(), solver=solver,
        eps=EPS, reached=m.reached, cap_seconds=m.cap, capped=m.capped,
        suboptimality=sub, setting=m.run.setting(), nnz=int(np.count_nonzero(
            coefs[n_done - 1])), n_iter=m.run.n_iter, rounds=rounds,
        search_seconds=m.run.seconds, xtv_seconds=xtv, timed_n_done=n_timed,
        passes=None if seconds is None else seconds / xtv,
        fastenet_seconds=fe.run.seconds,
    )
