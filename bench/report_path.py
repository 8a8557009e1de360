"""Markdown table of the path / CV benchmark (``_paths.py``) outside pytest.

    python bench/report_path.py [--quick] [--problems a,b] [--tasks path,lassocv]
                                [--sklearn-rounds 1]

Single-threaded. Both solvers run once and are checked (``_paths.check``) before
timing; fastenet is then timed ``--rounds`` times (median), sklearn ``--sklearn-rounds``
times (its sparse paths take minutes). Passes over X = seconds / one X^T v.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from threadpoolctl import threadpool_limits  # noqa: E402

from _paths import TASKS, check, run  # noqa: E402
from _problems import PATH_PROBLEMS, make_problem  # noqa: E402
from _timing import xtv_seconds  # noqa: E402


def _timed(fn, rounds):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small problem sizes")
    ap.add_argument("--problems", default=",".join(PATH_PROBLEMS))
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sklearn-rounds", type=int, default=1)
    args = ap.parse_args(argv)
    print("| problem | task | fastenet s | sklearn s | speed-up | fastenet passes | "
          "sklearn passes | fastenet / X^T X | check |")
    print("|---|---|---|---|---|---|---|---|---|")
    with threadpool_limits(limits=1):
        for name in args.problems.split(","):
            problem = make_problem(name, quick=args.quick)
            X, y = problem.X, problem.y
            xtv = xtv_seconds(X)
            xtx = None
            if not hasattr(X, "tocsc"):
                xtx = _timed(lambda: X.T @ X, 3)
            for task in args.tasks.split(","):
                ours, theirs = run("fastenet", task, X, y), run("sklearn", task, X, y)
                summary = check(task, X, y, ours, theirs)
                tf = _timed(lambda: run("fastenet", task, X, y), args.rounds)
                ts = _timed(lambda: run("sklearn", task, X, y), args.sklearn_rounds)
                ratio = "" if xtx is None else f"{tf / xtx:.2f}"
                print(f"| {name} {X.shape[0]}x{X.shape[1]} | {task} | {tf:.3f} | {ts:.3f} | "
                      f"{ts / tf:.1f}x | {tf / xtv:.0f} | {ts / xtv:.0f} | {ratio} | "
                      f"{summary} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
