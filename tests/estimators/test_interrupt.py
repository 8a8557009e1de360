"""Ctrl-C: a long fit polls for signals in the kernel's outer loop and raises
KeyboardInterrupt instead of running on (the GIL is released during the solve)."""
import contextlib
import gc
import os
import signal
import threading

import numpy as np
import pytest

import fastenet


@contextlib.contextmanager
def ctrl_c_after(delay, every=0.5):
    """SIGINT to this process after `delay` seconds, then every `every` seconds until the
    block ends. Repeated like a user pressing Ctrl-C again: CPython drops a
    KeyboardInterrupt that lands in a finalizer run by the garbage collector (objects
    left by earlier tests), so one signal alone can be lost before the kernel sees it."""
    gc.collect()  # run pending finalizers now, not while the signal is pending
    # Python's own Ctrl-C handler, whatever this process inherited: a job started in the
    # background by a non-interactive shell (nohup ... &) has SIGINT ignored, and Python
    # then keeps it ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    done = threading.Event()

    def send():
        if not done.wait(delay):
            os.kill(os.getpid(), signal.SIGINT)
            while not done.wait(every):
                os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        yield
    finally:
        done.set()
        sender.join()
        signal.signal(signal.SIGINT, previous)


def test_sigint_interrupts_a_long_fit():
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(2000, 3000))
    y = X @ rng.randn(3000)
    # A fit that runs for minutes: the signal lands inside the kernel.
    est = fastenet.ElasticNet(alpha=1e-5, l1_ratio=0.9, tol=1e-14, max_iter=10**6)
    with pytest.raises(KeyboardInterrupt), ctrl_c_after(0.2):
        est.fit(X, y)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sigint_interrupts_a_cross_validation(n_jobs):
    """With n_jobs=2 the folds run in worker threads, which never see the signal: the
    main thread catches it and sets the solves' cancel flag, so the fit ends (minutes
    early) instead of finishing every fold."""
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(500, 3000))
    y = X @ rng.randn(3000)
    est = fastenet.LassoCV(cv=4, n_jobs=n_jobs, tol=1e-14, max_iter=10**6, eps=1e-5)
    with pytest.raises(KeyboardInterrupt), ctrl_c_after(0.3):
        est.fit(X, y)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sigint_interrupts_a_logistic_cross_validation(n_jobs):
    """The logistic kernel honours the same hook and cancel flag (folds in threads)."""
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(500, 3000))
    y = np.digitize(X[:, :20] @ rng.randn(20), [-1.0, 1.0])
    est = fastenet.LogisticRegressionCV(
        Cs=np.logspace(-2, 4, 30), l1_ratios=(0.9,), cv=4, n_jobs=n_jobs, tol=1e-14,
        max_iter=10**6, scoring="neg_log_loss", use_legacy_attributes=False)
    with pytest.raises(KeyboardInterrupt), ctrl_c_after(0.3):
        est.fit(X, y)
