"""Markdown table of the path / CV benchmark (``_paths.py``) outside pytest.

    python bench/report_path.py [--quick] [--problems a,b] [--tasks path,lassocv]
                                [--sklearn-rounds 1]

Single-threaded. Both solvers run once and are checked (``_paths.check``) before
timing; fastenet is then timed ``--rounds`` times (median), sklearn ``--sklearn-rounds``
times (its sparse paths take minutes). Passes over X = seconds / one X^T v.
celer's and skglm's paths, where importable (``--no-optional`` skips them), are timed on
the path task, ``--rounds`` times, at the tol that certifies all their points
(``_paths.matched_path``; "n/a" where none did).
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from threadpoolctl import threadpool_limits  # noqa: E402

from _paths import OPTIONAL, TASKS, check, matched_path, run  # noqa: E402
from _problems import PATH_PROBLEMS, make_problem  # noqa: E402
from _timing import (  # noqa: E402
    median_seconds, module_version, xtv_seconds, xtx_seconds)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small problem sizes")
    ap.add_argument("--problems", default=",".join(PATH_PROBLEMS))
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sklearn-rounds", type=int, default=1)
    ap.add_argument("--no-optional", action="store_true",
                    help="skip celer and skglm even if importable")
    args = ap.parse_args(argv)
    others = [] if args.no_optional else [o for o in OPTIONAL
                                          if importlib.util.find_spec(o) is not None]
    print("| problem | task | fastenet s | sklearn s | speed-up | fastenet passes | "
          "sklearn passes | fastenet / X^T X | "
          + "".join(f"{o} s (tol) | " for o in others) + "check |")
    print("|---|---|---|---|---|---|---|---|" + "---|" * len(others) + "---|")
    with threadpool_limits(limits=1):
        for name in args.problems.split(","):
            problem = make_problem(name, quick=args.quick)
            X, y = problem.X, problem.y
            xtv = xtv_seconds(X)
            xtx = xtx_seconds(X, repeats=3)
            for task in args.tasks.split(","):
                ours, theirs = run("fastenet", task, X, y), run("sklearn", task, X, y)
                summary = check(task, X, y, ours, theirs)
                tf = median_seconds(lambda: run("fastenet", task, X, y),
                                    repeats=args.rounds)
                ts = median_seconds(lambda: run("sklearn", task, X, y),
                                    repeats=args.sklearn_rounds)
                ratio = "" if xtx is None else f"{tf / xtx:.2f}"
                cells = [""] * len(others)  # (celer and skglm: the path task only)
                if task == "path":
                    for i, o in enumerate(others):
                        tol, path = matched_path(o, X, y, ours.alphas)
                        cells[i] = "n/a" if path is None else (
                            f"{median_seconds(path, repeats=args.rounds):.3f} ({tol:.1e})")
                print(f"| {name} {X.shape[0]}x{X.shape[1]} | {task} | {tf:.3f} | {ts:.3f} | "
                      f"{ts / tf:.1f}x | {tf / xtv:.0f} | {ts / xtv:.0f} | {ratio} | "
                      + "".join(f"{c} | " for c in cells) + f"{summary} |", flush=True)
    if others:
        print("\n" + ", ".join(f"{o} {module_version(o)}" for o in others))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
