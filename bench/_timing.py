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

__all__ = ["median_seconds", "xtv_seconds"]


def median_seconds(fn: Callable[[], object], *, repeats: int) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn()``."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return median(times)


def xtv_seconds(
    X, *, min_repeats: int = 9, min_total: float = 0.2, seed: int = 0
) -> float:
    """Median seconds of one ``X.T @ v`` (v of length n), after one warm-up product.

    At least ``min_repeats`` products and about ``min_total`` seconds of them, so the
    median of a sub-millisecond product (quick sizes) is not one scheduler hiccup.
    """
    v = np.random.default_rng(seed).standard_normal(X.shape[0])
    Xt = X.T  # a view: C-ordered for F-ordered dense X, CSR for CSC X
    t0 = time.perf_counter()
    Xt @ v
    first = time.perf_counter() - t0
    repeats = int(min(max(min_repeats, min_total / max(first, 1e-9)), 10_000))
    return median_seconds(lambda: Xt @ v, repeats=repeats)


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
