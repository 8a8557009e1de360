"""Progress of the ``fastenet`` command's long stages, on stderr.

A stage is drawn only when it has run for more than ``delay`` seconds (1 s), only on a
terminal and never with ``--quiet``. It shows what the computation really reports, no
more: a path is one kernel call, so its stage shows the elapsed time only; a
cross-validation reports each finished (fold, l1_ratio) path, so its stage shows a bar
of those. A drawing thread redraws the line while the kernel runs (the kernel releases
the GIL).

The CV estimators report each finished fold path through their ``_on_path_done`` hook,
which the command points at :meth:`Progress.advance`.
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time

__all__ = ["Progress"]

_WIDTH = 24  # characters of the bar


class Progress:
    """Stage-by-stage progress line on a stream (stderr).

    Parameters
    ----------
    stream : text stream, default=sys.stderr
    enabled : bool, default=True
        Draw at all (``--quiet`` passes False); nothing is drawn unless ``stream`` is a
        terminal either.
    delay : float, default=1.0
        Seconds a stage runs before its line appears.
    """

    def __init__(self, stream=None, *, enabled=True, delay=1.0, interval=0.1):
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(enabled and isatty is not None and isatty())
        self.delay = delay
        self.interval = interval
        self._lock = threading.Lock()
        self._label = None
        self._total = None
        self._done = 0
        self._after = None
        self._unit = ""
        self._start = 0.0
        self._drawn = False

    @contextlib.contextmanager
    def stage(self, label, *, total=None, unit="", after=None):
        """Show ``label`` while the block runs: elapsed seconds, and a bar of ``total``
        ``unit`` when the computation reports them (:meth:`advance`); once all are done,
        ``after`` names what runs next inside the same call (e.g. the refit)."""
        if not self.enabled:
            yield self
            return
        with self._lock:
            self._label, self._total, self._done, self._after = label, total, 0, after
            self._unit = unit
            self._start = time.perf_counter()
        stop = threading.Event()
        thread = threading.Thread(target=self._run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()
            with self._lock:
                self._clear()
                self._label = None

    def advance(self, steps=1):
        """Record ``steps`` finished steps of the current stage (thread-safe)."""
        with self._lock:
            if self._total is not None:
                self._done = min(self._total, self._done + steps)

    def _run(self, stop):
        while not stop.wait(self.interval):
            with self._lock:
                elapsed = time.perf_counter() - self._start
                if self._label is not None and elapsed >= self.delay:
                    self._draw(elapsed)

    def _draw(self, elapsed):
        text = f"{self._label} "
        if self._total:
            filled = round(_WIDTH * self._done / self._total)
            text += (f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {self._done}/{self._total} "
                     f"{self._unit} ".replace("  ", " "))
            if self._done == self._total and self._after:
                text += f"{self._after} "
        text += f"{elapsed:5.1f} s"
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self._drawn = True

    def _clear(self):
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False
