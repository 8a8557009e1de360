"""When the inner solves check their gap (csrc/fastenet/cd.hpp, check_period).

An inner solve checks its working set's gap every anderson_k epochs, or sooner where the
rate the gap fell at since the last check (or since the outer gap it started from)
predicts the target in fewer epochs; and once a check (or a Newton step) has met the
final target without sklearn's small steps, as soon as an active-set sweep's steps are
small (the next sweep is then a full one, and checked). The checks decide only when an
inner solve stops: the fits must be the same fits (converged, certified by the numpy
oracle, equal at a tight tol), for fewer epochs over the battery and never many more on
one problem.
"""
import functools

import numpy as np
import pytest
from scipy import sparse

from fastenet import _kernel

from tests._oracle import alpha_max, certificate, gap_threshold

GAP_SLACK = 1.5  # oracle gap <= slack * tol * ||y_c||^2
AGREE = 1e-6  # |early - late| <= this * max |coef| at TIGHT
TIGHT = 1e-10
DESIGNS = ["tall", "wide", "sparse", "weighted"]


@functools.cache
def _problem(design):
    rng = np.random.default_rng(7)
    n, p = {"tall": (6_000, 150), "wide": (300, 2_000)}.get(design, (2_000, 600))
    if design == "sparse":
        X = sparse.random(n, p, density=0.02, format="csc", random_state=rng,
                          data_rvs=lambda k: rng.poisson(0.5, k) + 1.0)
        Xd = X.toarray()
    else:  # AR(1) columns, correlation 0.5
        Z = rng.standard_normal((n, p))
        Xd = np.empty((n, p), order="F")
        Xd[:, 0] = Z[:, 0]
        for j in range(1, p):
            Xd[:, j] = 0.5 * Xd[:, j - 1] + np.sqrt(0.75) * Z[:, j]
        X = Xd
    w = np.zeros(p)
    w[rng.choice(p, 20, replace=False)] = rng.uniform(0.5, 2, 20) * rng.choice([-1, 1], 20)
    y = Xd @ w + 1.0 + 0.5 * rng.standard_normal(n)
    sw = None
    if design == "weighted":
        sw = rng.random(n) + 0.5
        sw *= n / sw.sum()
    return X, Xd, y, sw


def _fit(design, ratio, tol, early):
    X, _, y, sw = _problem(design)
    alpha = alpha_max(X, y, sample_weight=sw) / ratio
    return _kernel.solve(_kernel.make_design(X, sw=sw, fit_intercept=True), y, alpha=alpha,
                         l1_ratio=1.0,
                         options=_kernel.SolveOptions(tol=tol, early_checks=early)), alpha


def _certified(design, sol, alpha, tol):
    _, Xd, y, sw = _problem(design)
    assert sol.converged
    cert = certificate(Xd, y, sol.coef, sol.intercept, alpha=alpha, sample_weight=sw)
    assert cert.gap <= GAP_SLACK * gap_threshold(y, tol=tol, sample_weight=sw), cert.gap


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("ratio", [20, 100])
def test_early_checks_give_the_same_certified_fits(design, ratio):
    fits = [_fit(design, ratio, TIGHT, early) for early in (True, False)]
    for sol, alpha in fits:
        _certified(design, sol, alpha, TIGHT)
    (early, _), (late, _) = fits
    scale = np.abs(late.coef).max()
    np.testing.assert_allclose(early.coef, late.coef, rtol=0, atol=AGREE * scale)


def test_early_checks_save_epochs():
    """At sklearn's default tol, where a solve's last check often lands just above the
    target: every fit certified, fewer epochs over the battery (the checks that come
    early replace the rest of a period of epochs), and on no problem more than a quarter
    more (trajectories may part once an inner solve stops at another epoch)."""
    epochs = {}
    for design in DESIGNS:
        for ratio in (20, 100):
            for early in (True, False):
                sol, alpha = _fit(design, ratio, 1e-4, early)
                _certified(design, sol, alpha, 1e-4)
                epochs[design, ratio, early] = sol.n_iter
    pairs = [(epochs[d, r, True], epochs[d, r, False]) for d in DESIGNS for r in (20, 100)]
    for e, l in pairs:
        assert e <= 1.25 * l + 2, pairs
    assert sum(e for e, _ in pairs) < sum(l for _, l in pairs), pairs
