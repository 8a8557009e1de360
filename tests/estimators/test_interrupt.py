"""Ctrl-C: a long fit polls for signals in the kernel's outer loop and raises
KeyboardInterrupt instead of running on (the GIL is released during the solve)."""
import os
import signal
import threading

import numpy as np
import pytest

import fastenet


def test_sigint_interrupts_a_long_fit():
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(2000, 3000))
    y = X @ rng.randn(3000)
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # A fit that runs for minutes: the signal lands inside the kernel.
            fastenet.ElasticNet(alpha=1e-5, l1_ratio=0.9, tol=1e-14, max_iter=10**6).fit(X, y)
    finally:
        timer.cancel()
