"""Markdown table of the sparse L1 logistic regression benchmark, outside pytest.

    python bench/report_logistic.py                  # full sizes (about 20 minutes)
    python bench/report_logistic.py --quick          # small sizes (seconds)
    python bench/report_logistic.py --problems onehot_geo --tasks nnz1,path50 --cap 30

For each problem and task of ``_logistic_cases`` (fits at ~1% and ~5% nonzeros, a path
of 50 Cs; unpenalized intercept): the reference optimum is computed and certified, then
each solver's cheapest run reaching the relative suboptimality EPS is searched
(``_logistic_solvers.match``, untimed) and repeated ``--repeats`` times (median; a run
over ``--slow`` seconds is not repeated). Single-threaded. "passes" = seconds / one
single-threaded X^T v. The table goes to stdout, progress to stderr.
"""
from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from _logistic_cases import (  # noqa: E402
    EPS, LOGISTIC_PROBLEMS, TASKS, make_case, make_logistic_problem, problem_Cs)
from _logistic_solvers import SOLVERS, available, kernel_steps, match, timed  # noqa: E402
from _timing import cpu_name, csv_list, log, module_version, xtv_seconds  # noqa: E402

TASK_NAMES = {"nnz1": "fit, ~1% nonzero", "nnz5": "fit, ~5% nonzero",
              "path50": "path, {K} Cs"}


def _parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small problem sizes")
    ap.add_argument("--problems", type=csv_list, default=list(LOGISTIC_PROBLEMS))
    ap.add_argument("--tasks", type=csv_list, default=list(TASKS))
    ap.add_argument("--solvers", type=csv_list, default=list(SOLVERS),
                    help="subset of fastenet,liblinear,saga,skglm (unavailable skipped)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per solver (3)")
    ap.add_argument("--cap", type=float, default=None,
                    help="seconds one run may take before its solver is declared not "
                         "to reach EPS (60; 2 with --quick)")
    ap.add_argument("--slow", type=float, default=10.0,
                    help="runs longer than this are timed once (10 s)")
    args = ap.parse_args(argv)
    if args.cap is None:
        args.cap = 2.0 if args.quick else 60.0
    for given, known, what in ((args.problems, LOGISTIC_PROBLEMS, "problems"),
                               (args.tasks, TASKS, "tasks"), (args.solvers, SOLVERS,
                                                              "solvers")):
        unknown = [g for g in given if g not in known]
        if unknown:
            ap.error(f"unknown {what} {unknown}; choose from {list(known)}")
    if "fastenet" not in args.solvers:
        args.solvers.insert(0, "fastenet")  # the ratios are against it
    return args


def _num(s: float) -> str:
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def _cells(t, fe_seconds, xtv, cap, n_Cs):
    """seconds, passes, suboptimality, ratio cells of one solver's Timing."""
    run = t.match.run
    sub = f"{t.subopt:.1e}"
    if not run.complete:
        sub += f" at the {run.n_done} of {n_Cs} Cs done"
    if t.reached:
        return (_num(t.seconds), f"{t.seconds / xtv:.0f}", sub,
                f"{t.seconds / fe_seconds:.1f}x")
    if t.match.capped:
        return (f"> {cap:g} (not reached)", f"> {cap / xtv:.0f}",
                f"{sub} (best, {_num(t.seconds)} s)", f"> {cap / fe_seconds:.0f}x")
    return ("not reached", "", f"{sub} (best, {_num(t.seconds)} s)", "")


def _setting(t) -> str:
    rounds = "" if t.rounds > 1 else "; 1 run"
    return t.match.run.setting() + rounds


def _diagnosis(name, task, case, fe, xtv) -> str:
    """fastenet's work on one case: Newton steps and gradient passes from its kernel."""
    tol = fe.match.run.params["tol"]
    steps = kernel_steps(case, tol)
    n_iter, n_outer = int(steps.n_iter.sum()), int(steps.n_outer.sum())
    per_step = fe.seconds / max(n_iter, 1)
    return (f"- {name} {task}: fastenet tol={tol:.1e}: {n_iter} Newton steps "
            f"(max {int(steps.n_iter.max())} at one C), {n_outer} gradient passes; "
            f"{per_step * 1e3:.1f} ms = {per_step / xtv:.1f} X^T v per Newton step")


def _footnote(args, total_seconds: float) -> str:
    return (
        f"Single-threaded (threadpoolctl limits=1); {'quick' if args.quick else 'full'} "
        f"sizes; L1 logistic regression with an unpenalized intercept, sklearn's "
        f"objective C * sum_i logloss_i + ||w||_1. Each solver's cheapest run reaching "
        f"relative suboptimality (P - P*) / |P*| <= {EPS:g} (P* = fastenet at tol 1e-10, "
        f"its duality gap recomputed in numpy), timed as the median of {args.repeats} "
        f"runs (1 run when over {args.slow:g} s). Suboptimality: the largest over the "
        f"task's Cs. A solver whose run passed {args.cap:g} s without reaching it is "
        "'> cap'. liblinear: the intercept is a penalized synthetic feature; "
        "intercept_scaling (1, 100 or 1000) is part of its setting, and its fits are "
        "scored on the unpenalized objective. saga fits: tol=0 and the fewest epochs "
        "found to reach it (doubling, then bisection); saga path: warm starts, its tol. "
        "passes = seconds / one X^T v; nnz at the last C. "
        f"Total {total_seconds:.0f} s.")


def main(argv=None) -> int:
    args = _parse(argv)
    solvers = [s for s in args.solvers if available(s)]
    skipped = [s for s in args.solvers if s not in solvers]
    log(f"solvers: {solvers}" + (f" (not installed: {skipped})" if skipped else "")
         + f"; {'quick' if args.quick else 'full'} sizes; EPS={EPS:g}; cap {args.cap:g} s")
    header = ["problem", "task", "solver", "seconds (median)", "passes over X",
              "suboptimality reached", "nnz", "ratio vs fastenet", "setting"]
    rows, legend, diagnosis = [], [], []
    t_start = time.perf_counter()
    with threadpool_limits(limits=1):
        for name in args.problems:
            t0 = time.perf_counter()
            problem = make_logistic_problem(name, quick=args.quick)
            xtv = xtv_seconds(problem.X)
            Cs = problem_Cs(name, args.quick)
            n, p = problem.X.shape
            log(f"{name}: generated and Cs found in {time.perf_counter() - t0:.1f}s; "
                 f"X^T v {xtv * 1e3:.3f} ms; C/C_min: 1% {Cs['nnz1'] / Cs['c_min']:.1f}, "
                 f"5% {Cs['nnz5'] / Cs['c_min']:.1f}")
            legend.append(
                f"- `{name}` {n}x{p}: {problem.description}; one X^T v = "
                f"{xtv * 1e3:.3f} ms; C_min = {Cs['c_min']:.4g}, ~1% at "
                f"{Cs['nnz1'] / Cs['c_min']:.1f} C_min, ~5% at "
                f"{Cs['nnz5'] / Cs['c_min']:.1f} C_min")
            for task in args.tasks:
                t0 = time.perf_counter()
                case = make_case(problem, task, quick=args.quick)
                log(f"  {task}: reference in {time.perf_counter() - t0:.1f}s, relative "
                     f"gap <= {case.ref_rgap.max():.1e}, nnz {case.ref_nnz[-1]}")
                times = {}
                for s in solvers:
                    t0 = time.perf_counter()
                    m = match(s, case, cap=args.cap, log=lambda r: log(
                        f"    {r.solver} {r.setting()}: {r.seconds:.3f}s, "
                        f"subopt {r.subopt:.2e}, nnz {r.nnz}"))
                    times[s] = timed(m, case, rounds=args.repeats, slow_seconds=args.slow)
                    log(f"  {s}: {'reached' if m.reached else 'NOT reached'} "
                         f"{times[s].seconds:.3f}s ({times[s].rounds} runs); searched "
                         f"in {time.perf_counter() - t0:.1f}s")
                fe = times["fastenet"]
                assert fe.reached, f"fastenet did not reach EPS on {name} {task}"
                label = f"{name} {n}x{p}"
                task_label = TASK_NAMES[task].format(K=len(case.Cs))
                for s, t in times.items():
                    cells = _cells(t, fe.seconds, xtv, args.cap, len(case.Cs))
                    nnz = str(t.nnz) if t.match.run.complete else ""
                    rows.append("| " + " | ".join([
                        label, task_label, s, *cells[:3], nnz, cells[3],
                        _setting(t)]) + " |")
                diagnosis.append(_diagnosis(name, task, case, fe, xtv))
            del problem
    print("\n".join([
        "| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|",
        *rows, "",
        _footnote(args, time.perf_counter() - t_start),
        *legend,
        "", "fastenet's work (from its kernel, untimed):", *diagnosis, "",
        f"fastenet {module_version('fastenet')}, scikit-learn {sklearn.__version__}, "
        + "".join(f"{o} {module_version(o)}, " for o in solvers if o == "skglm")
        + f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}; {cpu_name()}",
    ]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
