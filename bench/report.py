"""Print the single-fit comparison as a markdown table, outside pytest-benchmark.

    python bench/report.py                      # all problems, full size, median of 3
    python bench/report.py --quick              # small sizes (seconds)
    python bench/report.py --problems dense_tall,sparse_text --repeats 5

For each problem and alpha = alpha_max / {20, 100}: every solver is fitted and certified
first (``_solvers.check_case``: gaps recomputed by ``_gap.enet_gap``; fastenet, and
skglm and celer when importable, have ``tol`` tightened until their gap is no worse
than sklearn's), then each is timed single-threaded at its matched ``tol``, the median
of ``--repeats`` rounds, each one fit per solver, each fit right after ~20 ms of X^T v
products (``_timing.interleaved_medians``). "passes" is seconds / the median
single-threaded X^T v of those rounds.
The table goes to stdout, progress to stderr.
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

from _gap import alpha_max, x_mean  # noqa: E402
from _problems import PROBLEMS, make_problem  # noqa: E402
from _solvers import SOLVERS, TOL, available, check_case  # noqa: E402
from _timing import (  # noqa: E402
    cpu_name, csv_list, interleaved_medians, log, median_seconds, module_version, xtv_product,
    xtv_seconds)

ALPHA_RATIOS = (20, 100)
OPTIONAL = ("skglm", "celer")
XTV = "X^T v"  # the unit of passes, timed among the fits


def _parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small problem sizes")
    ap.add_argument("--problems", type=csv_list, default=list(PROBLEMS),
                    help=f"comma-separated subset of {','.join(PROBLEMS)}")
    ap.add_argument("--ratios", type=lambda s: [int(r) for r in csv_list(s)],
                    default=list(ALPHA_RATIOS),
                    help="alpha = alpha_max / ratio, comma-separated (20,100)")
    ap.add_argument("--repeats", type=int, default=3, help="timed fits per solver (3)")
    ap.add_argument("--tol", type=float, default=TOL, help=f"sklearn's tol ({TOL:g})")
    ap.add_argument("--ridge", action="store_true",
                    help="Ridge / RidgeCV against sklearn instead (ridge_section)")
    ap.add_argument("--no-optional", action="store_true",
                    help="skip skglm and celer even if importable")
    args = ap.parse_args(argv)
    unknown = [p for p in args.problems if p not in PROBLEMS]
    if unknown:
        ap.error(f"unknown problems {unknown}; choose from {list(PROBLEMS)}")
    return args


def _seconds(s: float | None) -> str:
    if s is None:
        return "n/a"
    return f"{s:.3f}" if s < 10 else f"{s:.1f}"


def _row(name, shape, ratio, case, times, xtv, others) -> str:
    fe, sk = case.fits["fastenet"], case.fits["sklearn"]
    t_fe, t_sk = times["fastenet"], times["sklearn"]
    tol_note = f"{fe.tol:.1e}" + ("" if fe.tightenings == 0 else "*")
    cells = [
        f"{name} {shape[0]}x{shape[1]}",
        f"amax/{ratio}",
        _seconds(t_fe),
        _seconds(t_sk),
        "n/a" if not (t_fe and t_sk) else f"{t_sk / t_fe:.2f}x",
        "n/a" if t_fe is None else f"{t_fe / xtv:.1f}",
        "n/a" if t_sk is None else f"{t_sk / xtv:.0f}",
        f"{fe.gap:.2e}",
        f"{sk.gap:.2e}",
        f"{fe.nnz} / {sk.nnz}",
        tol_note,
    ]
    cells += [_seconds(times.get(o)) + ("*" if case.fits[o].tightenings else "")
              for o in others]
    if case.failures():
        cells.append("; ".join(case.failures()))
    else:
        cells.append("")
    return "| " + " | ".join(cells) + " |"


def ridge_section(args) -> int:
    """``--ridge``: Ridge and RidgeCV on the problems of ``_ridge_cases.py``, both solvers
    checked (accuracy, peak memory) then timed single-threaded, median of ``--repeats``
    fits (one when the checking fit took over 30 s)."""
    from _ridge_cases import ESTIMATORS, PROBLEMS as RIDGE_PROBLEMS, check, make
    from _ridge_cases import make_problem as make_ridge_problem

    header = ["problem", "estimator", "fastenet s", "sklearn s", "sklearn/fastenet",
              "fastenet peak MB", "sklearn peak MB", "fastenet gradient",
              "sklearn gradient", "alpha", "fastenet passes", "notes"]
    rows, legend = [], []
    with threadpool_limits(limits=1):
        for name in RIDGE_PROBLEMS:
            problem = make_ridge_problem(name, quick=args.quick)
            X, y = problem.X, problem.y
            xtv = xtv_seconds(X)
            legend.append(f"- `{name}`: {problem.description}; one X^T v = "
                          f"{xtv * 1e3:.3f} ms")
            for estimator in ESTIMATORS:
                case = check(problem, estimator)
                times = {}
                for s, f in case.fits.items():
                    repeats = args.repeats if f.seconds < 30 else 1
                    times[s] = median_seconds(
                        lambda: make(s, estimator, X, tol=f.tol).fit(X, y),
                        repeats=repeats)
                    log(f"{name} {estimator} {s}: {times[s]:.3f}s ({repeats} fits)")
                fe, sk = case.fits["fastenet"], case.fits["sklearn"]
                tol = "" if fe.tightenings == 0 else f"fastenet tol {fe.tol:.1e}; "
                rows.append("| " + " | ".join([
                    f"{name} {X.shape[0]}x{X.shape[1]}", estimator,
                    _seconds(times["fastenet"]), _seconds(times["sklearn"]),
                    f"{times['sklearn'] / times['fastenet']:.2f}x",
                    f"{fe.peak_mb:.0f}", f"{sk.peak_mb:.0f}", f"{fe.gradient:.1e}",
                    f"{sk.gradient:.1e}", f"{fe.alpha:.4g}",
                    f"{times['fastenet'] / xtv:.0f}",
                    tol + "; ".join(case.failures())]) + " |")
            del problem, X, y
    print("\n".join([
        "| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|",
        *rows, "",
        f"Single-threaded (threadpoolctl limits=1), median of {args.repeats} fits (1 "
        f"when a fit takes over 30 s); {'quick' if args.quick else 'full'} sizes. "
        "Ridge: alpha=1; RidgeCV: 30 alphas logspace(-1, 4), leave-one-out on dense X, "
        "3-fold on sparse X. Gradient: ||X~^T(y~ - X~w) - alpha w|| / ||X~^T y~|| of "
        "each coef_, recomputed in numpy. Peak MB: tracemalloc during one fit. "
        "passes = seconds / one X^T v.",
        *legend,
        f"- fastenet {module_version('fastenet')}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}; {cpu_name()}",
    ]))
    return 0


def main(argv=None) -> int:
    args = _parse(argv)
    if args.ridge:
        return ridge_section(args)
    if not available("fastenet"):
        log("fastenet is not importable: build it first (pip install -e .)")
        return 2
    others = [] if args.no_optional else [o for o in OPTIONAL if available(o)]
    solvers = ["fastenet", "sklearn", *others]
    log(f"solvers: {solvers}; {'quick' if args.quick else 'full'} sizes; "
         f"repeats={args.repeats}; tol={args.tol:g}")

    header = ["problem", "alpha", "fastenet s", "sklearn s", "sklearn/fastenet",
              "fastenet passes", "sklearn passes", "fastenet gap", "sklearn gap",
              "nnz fe / sk", "fastenet tol"]
    header += [f"{o} s" for o in others] + ["notes"]
    rows, legend = [], []
    with threadpool_limits(limits=1):
        for name in args.problems:
            t0 = time.perf_counter()
            problem = make_problem(name, quick=args.quick)
            X, y = problem.X, problem.y
            m, amax, xtv = x_mean(X), alpha_max(X, y), xtv_seconds(X)
            log(f"{name}: generated in {time.perf_counter() - t0:.1f}s; "
                 f"X^T v {xtv * 1e3:.3f} ms")
            legend.append(f"- `{name}`: {problem.description}; "
                          f"{problem.nnz_true} true nonzeros; one X^T v = "
                          f"{xtv * 1e3:.3f} ms; alpha_max = {amax:.4g}")
            for ratio in args.ratios:
                alpha = amax / ratio
                t0 = time.perf_counter()
                case = check_case(X, y, alpha=alpha, solvers=solvers, tol=args.tol,
                                  X_mean=m)
                log(f"  amax/{ratio}: checked in {time.perf_counter() - t0:.1f}s; "
                     + ", ".join(f"{s} gap {f.gap:.2e} tol {f.tol:.1e}"
                                 for s, f in case.fits.items()))
                # Each round: one fit per solver, each right after ~20 ms of X^T v
                # products, so that the seconds and the passes' unit share the machine's
                # state and the cache's.
                fits = {s: (lambda make=SOLVERS[s].make, t=f.tol: make(alpha, t).fit(X, y))
                        for s, f in case.fits.items()}
                products = max(1, int(np.ceil(0.02 / xtv)))
                times = interleaved_medians(
                    fits, repeats=args.repeats,
                    before=(XTV, xtv_product(X, products=products)))
                xtv_round = times.pop(XTV) / products
                log("    " + ", ".join(f"{s} {t:.3f}s" for s, t in times.items())
                    + f"; X^T v {xtv_round * 1e3:.3f} ms")
                rows.append(_row(name, X.shape, ratio, case, times, xtv_round, others))
            del problem, X, y

    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *rows,
        "",
        f"Single-threaded (threadpoolctl limits=1), median of {args.repeats} rounds; "
        f"{'quick' if args.quick else 'full'} sizes; Lasso, fit_intercept=True, "
        f"sklearn tol={args.tol:g}, max_iter=10,000, otherwise defaults.",
        "Gaps: sklearn's duality gap (residual dual point, / n) recomputed in numpy "
        "from each coef_. A tol or time marked * is a tol tightened (by half decades) "
        "until that solver's gap was no worse than sklearn's; notes list any solver "
        "that could not match. Timed in rounds: one fit of each solver, in a rotating "
        "order, each right after ~20 ms of single X^T v products (timed too); passes = "
        "seconds / the median X^T v of those rounds (the legend's: timed before them).",
        *legend,
        f"- fastenet {module_version('fastenet')}, scikit-learn {sklearn.__version__}, "
        + "".join(f"{o} {module_version(o)}, " for o in others)
        + f"numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}; {cpu_name()}",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
