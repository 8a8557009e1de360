"""Ctrl-C: a long fit polls for signals in the kernel's outer loop and raises
KeyboardInterrupt instead of running on (the GIL is released during the solve)."""
import os
import signal
import threading
import time

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


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sigint_interrupts_a_cross_validation(n_jobs):
    """With n_jobs=2 the folds run in worker threads, which never see the signal: the
    main thread catches it and sets the solves' cancel flag, so the fit ends promptly
    instead of finishing every fold."""
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(500, 3000))
    y = X @ rng.randn(3000)
    est = fastenet.LassoCV(cv=4, n_jobs=n_jobs, tol=1e-14, max_iter=10**6, eps=1e-5)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    finally:
        timer.cancel()
    # the uninterrupted fit takes minutes; a generous bound on "promptly", not a timing
    assert time.perf_counter() - start < 60
