"""Wall-clock medians, and the unit of "passes over X": one single-threaded X^T v.

``passes = solve seconds / xtv_seconds(X)``: how many full matrix-vector products over
X the solve cost. For dense F-ordered X, ``X.T @ v`` is one BLAS gemv (call it inside
``threadpoolctl.threadpool_limits(1)``); for CSC X it is scipy's CSR matvec of ``X.T``.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path
from statistics import median
from typing import Callable

import numpy as np

__all__ = ["interleaved_medians", "median_seconds", "xtv_product", "xtv_seconds"]


def median_seconds(fn: Callable[[], object], *, repeats: int) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn()``."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median(times)


def interleaved_medians(fns: dict[str, Callable[[], object]], *, repeats: int,
                        before: tuple[str, Callable[[], object]] | None = None
                        ) -> dict[str, float]:
    """Median seconds of each ``fns[name]()`` over ``repeats`` rounds of one call each,
    the calls of a round back to back, their order rotated every round. ``before``, a
    (name, fn) pair, is called and timed right before every one of those calls.

    Every function is timed in the same stretch of a noisy machine's time, so their
    ratios hold where sequential medians (all of one, then all of the next) drifted
    apart: on the 2-core Xeon the same build's tall dense fit measured 3.8x and 4.4x
    sklearn's speed in two sequential runs minutes apart. With X^T v products as
    ``before``, each fit starts with X as much in cache as the products had it (after
    another solver's fit the 10,000 x 100,000 sparse fit took 22 ms instead of 17: its X
    had been evicted).
    """
    names = list(fns)
    if not names or (before is not None and before[0] in fns):
        raise ValueError("interleaved_medians needs functions, and a `before` name "
                         "of its own")
    calls = dict(fns)
    if before is not None:
        calls[before[0]] = before[1]
    times = {k: [] for k in calls}
    for r in range(repeats):
        shift = r % len(names)
        for k in names[shift:] + names[:shift]:
            for name in ([before[0]] if before is not None else []) + [k]:
                t0 = time.perf_counter()
                calls[name]()
                times[name].append(time.perf_counter() - t0)
    return {k: median(v) for k, v in times.items()}


def xtv_product(X, *, products: int = 1, seed: int = 0) -> Callable[[], object]:
    """A call of ``products`` single ``X.T @ v`` products (v as in ``xtv_seconds``), to
    time among other calls (``interleaved_medians``; divide by ``products``)."""
    v = np.random.default_rng(seed).standard_normal(X.shape[0])
    Xt = X.T  # a view: C-ordered for F-ordered dense X, CSR for CSC X

    def run():
        for _ in range(products):
            Xt @ v
    return run


def xtv_seconds(
    X, *, min_repeats: int = 9, min_total: float = 0.2, seed: int = 0
) -> float:
    """Median seconds of one ``X.T @ v`` (v of length n), after one warm-up product.

    At least ``min_repeats`` products and about ``min_total`` seconds of them, so the
    median of a sub-millisecond product (quick sizes) is not one scheduler hiccup.
    """
    product = xtv_product(X, seed=seed)
    t0 = time.perf_counter()
    product()
    first = time.perf_counter() - t0
    repeats = int(min(max(min_repeats, min_total / max(first, 1e-9)), 10_000))
    return median_seconds(product, repeats=repeats)


def xtx_seconds(X, *, repeats: int = 1) -> float | None:
    """Median seconds of one ``X.T @ X``: the reference of a dense design with more rows
    than columns, where solvers (sklearn's included) may form it. None for sparse X and
    for a wide design, where none does."""
    if hasattr(X, "tocsc") or X.shape[0] < X.shape[1]:
        return None
    return median_seconds(lambda: X.T @ X, repeats=repeats)


def module_version(module: str) -> str:
    """A module's __version__ (for the reports' environment line)."""
    return getattr(__import__(module), "__version__", "?")


def cpu_name() -> str:
    """The CPU model, for the reports' environment line."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def log(msg: str) -> None:
    """Progress of a report, on stderr (the table goes to stdout)."""
    print(msg, file=sys.stderr, flush=True)


def csv_list(text: str) -> list[str]:
    """A command-line list: comma- or space-separated."""
    return [t for t in text.replace(" ", ",").split(",") if t]
