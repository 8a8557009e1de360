"""The kernel's exp, expm1, log1p and log (csrc/fastenet/vmath.hpp), which the binary logistic
rows use in place of libm's (logistic_rows.cpp): against numpy's, within MAX_ULP units in
the last place on random arguments over each range the solver feeds them, and exactly at
the edges (zero, subnormals, under- and overflow, infinity)."""
import numpy as np
import pytest

from fastenet import _core

MAX_ULP = 3  # measured: exp 1, expm1 and log1p 2 against glibc; numpy may differ by 1
N = 200_000


def _kernel(name, x):
    out = np.empty_like(x)
    _core._vmath(name, np.ascontiguousarray(x, dtype=np.float64), out)
    return out


@np.errstate(invalid="ignore")  # inf - inf where both are inf: equal, error 0
def _ulp_error(got, want):
    err = np.abs(got - want) / np.spacing(np.abs(want))
    return np.where(got == want, 0.0, err)


RANGES = [
    ("exp", np.exp, -745.0, 0.0),    # sigmoid and softplus: e^-|z|
    ("exp", np.exp, -1.0, 1.0),
    ("exp", np.exp, 0.0, 709.0),
    ("expm1", np.expm1, -1.0, 1.0),  # line search: d = t (dz + db)
    ("expm1", np.expm1, -1e-8, 1e-8),
    ("expm1", np.expm1, -745.0, 709.0),
    ("log1p", np.log1p, 0.0, 1.0),   # softplus: log1p(e^-|z|)
    ("log1p", np.log1p, -0.5, 10.0),  # line search: q > -0.5
    ("log1p", np.log1p, -1e-9, 1e-9),
    ("log1p", np.log1p, 10.0, 1e300),
    ("log1p", np.log1p, 1e-300, 1e-6),  # softplus's tail: log1p(e^-|z|), log-uniform
    ("log1p", np.log1p, -1.0 + 1e-12, -0.5),  # the dual's log1p(-a), a near 1
    ("log", np.log, 1e-300, 1.0),     # the dual's a log a, a = c P in (0, 1]
    ("log", np.log, 0.5, 2.0),
]


@pytest.mark.parametrize("name, ref, lo, hi", RANGES)
def test_within_a_few_ulp_of_numpy(name, ref, lo, hi):
    rng = np.random.default_rng(0)
    if hi / max(lo, 1e-300) > 1e6 and lo > 0:  # spans decades: log-uniform
        x = np.exp(rng.uniform(np.log(lo), np.log(hi), N))
    else:
        x = rng.uniform(lo, hi, N)
    err = _ulp_error(_kernel(name, x), ref(x))
    assert err.max() <= MAX_ULP, (name, x[np.argmax(err)], err.max())


@np.errstate(over="ignore", invalid="ignore")  # numpy's own overflow to inf is expected
def test_edges():
    tiny = np.array([0.0, 5e-324, -5e-324, 1e-310, 1e-300, 1e-17, -1e-17])
    np.testing.assert_array_equal(_kernel("expm1", tiny), np.expm1(tiny))
    np.testing.assert_array_equal(np.abs(_kernel("log1p", tiny)), np.abs(np.log1p(tiny)))
    np.testing.assert_array_equal(_kernel("exp", -np.abs(tiny)), 1.0)
    # exp: 0 below -745.2, subnormal results, inf past the largest double
    x = np.array([-800.0, -745.3, -745.0, -740.0, -709.0, 709.7, 709.79, 710.0, np.inf])
    got, want = _kernel("exp", x), np.exp(x)
    assert _ulp_error(got, want)[np.isfinite(want) & (want > 1e-300)].max() <= MAX_ULP
    np.testing.assert_array_equal(got[[0, 1, 6, 7, 8]], want[[0, 1, 6, 7, 8]])
    assert 0 < got[2] < 1e-320 and abs(got[2] - want[2]) <= 1e-323  # subnormal, 1 unit
    # expm1: -1 in the lower tail, inf past overflow
    x = np.array([-800.0, -50.0, 709.7, 710.0, np.inf])
    got, want = _kernel("expm1", x), np.expm1(x)
    np.testing.assert_array_equal(got[[0, 1, 3, 4]], want[[0, 1, 3, 4]])
    assert _ulp_error(got[2:3], want[2:3]).max() <= MAX_ULP
    # exp and expm1 finite up to the largest argument whose result is (709.78271...)
    x = np.array([709.781, np.nextafter(np.log(np.finfo(float).max), 0)])
    for name, ref in (("exp", np.exp), ("expm1", np.expm1)):
        got = _kernel(name, x)
        assert np.isfinite(got).all() and _ulp_error(got, ref(x)).max() <= MAX_ULP
    # log1p and log: infinity, the largest doubles, the domain's edges, NaN
    x = np.array([np.inf, 1.7e308, 1e308])
    np.testing.assert_array_equal(_kernel("log1p", x)[:1], np.inf)
    assert _ulp_error(_kernel("log1p", x[1:]), np.log1p(x[1:])).max() <= MAX_ULP
    np.testing.assert_array_equal(_kernel("log1p", np.array([-1.0])), -np.inf)
    np.testing.assert_array_equal(_kernel("log", np.array([0.0, np.inf])), [-np.inf, np.inf])
    assert np.isnan(_kernel("log1p", np.array([-1.5, -2.0, np.nan]))).all()
    assert np.isnan(_kernel("log", np.array([-1.0, np.nan]))).all()
    assert np.isnan(_kernel("exp", np.array([np.nan]))).all()
    assert np.isnan(_kernel("expm1", np.array([np.nan]))).all()
