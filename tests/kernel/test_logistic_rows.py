"""The binary logistic rows (csrc/fastenet/logistic_rows.cpp), vectorized with the
kernel's own exp / expm1 / log1p / log, against numpy's formulas in float64: the
probability each row is not of its class, the loss, the line search's loss change (rows
with q <= -0.5 left to the caller and counted), and the dual's negative entropy, with
weights in float32 and float64 or none. Sums agree to SUM_RTOL relative, rows to
ROW_RTOL."""
import numpy as np
import pytest

from fastenet import _core

SUM_RTOL = 1e-12
ROW_RTOL = 1e-14


def _reference(sw, label, eta, dz, t, db, c):
    s = np.ones(len(label)) if sw is None else sw.astype(np.float64)
    z = np.where(label == 1, -eta, eta)  # the margin against the row's class
    P = np.exp(-np.logaddexp(0.0, -z))  # sigmoid(z)
    loss = float(s @ np.logaddexp(0.0, z))
    d = t * (dz.astype(np.float64) + db)
    P1 = np.where(label == 1, 1.0 - P, P)
    q = P1 * np.expm1(d)
    easy = q > -0.5
    change = float(s[easy] @ (np.log1p(q[easy]) - np.where(label == 1, d, 0.0)[easy]))
    a = c * P
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = np.where(a > 0, a * np.log(a), 0.0) + np.where(a < 1, (1 - a) * np.log1p(-a), 0.0)
    return P, loss, change, q, int((~easy).sum()), float(s @ ent)


@pytest.mark.parametrize("weights", [None, np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 30.0])
def test_rows_agree_with_numpy(weights, scale):
    rng = np.random.default_rng(4)
    n = 5003  # not a multiple of any vector width
    label = (rng.random(n) < 0.3).astype(np.int32)
    eta = scale * rng.standard_normal(n)
    dtype = weights or np.float64
    dz = (2.0 * rng.standard_normal(n)).astype(dtype)
    dz[::7] = 0  # rows the step does not move
    sw = (rng.random(n) + 0.5).astype(dtype) if weights else np.ones(n, dtype=dtype)
    t, db, c = 0.7, 0.0, 0.9
    got = _core._logistic_rows(sw, weights is not None, label, eta, dz, t, db, c)
    want = _reference(sw if weights else None, label, eta, dz, t, db, c)
    P, loss, change, q, rest, dual = got
    np.testing.assert_allclose(P, want[0], rtol=ROW_RTOL, atol=1e-300)
    # q = P1 expm1(d), P1 = 1 - P for label 1: where P is near 1 the difference keeps
    # only the digits P's last ulps leave, in the kernel and the reference alike
    d = t * (dz.astype(np.float64) + db)
    slack = 4 * np.finfo(float).eps * np.abs(np.expm1(d))
    assert (np.abs(q - want[3]) <= ROW_RTOL * np.abs(want[3]) + slack).all()
    assert rest == want[4] and (scale == 1.0 or rest > 0)  # some rows left to the caller
    for g, w in ((loss, want[1]), (change, want[2]), (dual, want[5])):
        assert abs(g - w) <= SUM_RTOL * max(abs(w), 1.0), (g, w)


def test_extreme_margins_stay_finite():
    """Margins of +-800 (separable data at a huge C): P is 0 or 1 exactly, the loss is the
    margin or 0, and nothing is NaN."""
    label = np.array([0, 1, 0, 1], dtype=np.int32)
    eta = np.array([800.0, -800.0, -800.0, 800.0])
    dz = np.zeros(4)
    sw = np.ones(4)
    P, loss, change, q, rest, dual = _core._logistic_rows(sw, False, label, eta, dz, 1.0,
                                                          0.0, 0.5)
    np.testing.assert_array_equal(P, [1.0, 1.0, 0.0, 0.0])
    assert loss == 1600.0 and change == 0.0 and rest == 0 and np.isfinite(dual)
