"""The hypothesis fuzz of ``fit`` shared by the estimators' bad-input tests: random
shapes, dtypes, values (ordinary, or mixed with nan / inf / huge / tiny), sparse
formats, 1-D / 2-D y of matching or mismatching length and sample weights; and the one
property every fit must have on them."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from hypothesis import event
from hypothesis import strategies as st
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning

DTYPES = [np.int8, np.int64, np.float16, np.float32, np.float64, np.bool_, object,
          np.complex128]
SPECIAL = [np.nan, np.inf, -np.inf, 1e300, -1e300, 1e-300, 0.0, 3.0e38, 65504.0]

finite_values = st.one_of(st.floats(min_value=-10, max_value=10, allow_nan=False),
                          st.integers(-3, 3).map(float))
any_values = st.one_of(finite_values, st.sampled_from(SPECIAL))


def draw_data(draw, bad_weights):
    """(X, y, sw) drawn with hypothesis' ``draw``; bad_weights: the invalid values mixed
    into sample weights."""
    # about half the examples use only ordinary numbers, so that many get past
    # validation and reach the solver; the others mix in nan / inf / huge / tiny values
    values = any_values if draw(st.booleans()) else finite_values
    n = draw(st.integers(0, 8))
    p = draw(st.integers(0, 5))
    dtype = draw(st.sampled_from(DTYPES))
    x_values = draw(st.lists(values, min_size=n * p, max_size=n * p))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X = np.array(x_values, dtype=np.float64).reshape(n, p).astype(dtype)
    if draw(st.booleans()) and dtype not in (object, np.complex128, np.float16) and n * p:
        X = sparse.csc_matrix(X) if draw(st.booleans()) else sparse.csr_matrix(X)
    n_y = n if draw(st.integers(0, 9)) else draw(st.integers(0, 9))
    y_2d = draw(st.integers(0, 3)) == 0
    y_values = draw(st.lists(values, min_size=n_y * (2 if y_2d else 1),
                             max_size=n_y * (2 if y_2d else 1)))
    y = np.array(y_values, dtype=np.float64).reshape((n_y, 2) if y_2d else (n_y,))
    sw = None
    if draw(st.booleans()):
        weights = st.one_of(st.floats(0.01, 5), st.sampled_from(bad_weights))
        sw = np.array(draw(st.lists(weights, min_size=n, max_size=n)))
    return X, y, sw


def check_fit(est, X, y, sw, *, ignored_user_warnings="", twin=None):
    """fit either succeeds with finite coef_ / intercept_, or raises ValueError /
    TypeError; anything else (segfault, other exception, non-finite result) fails.
    ignored_user_warnings: a message regex of sklearn's own UserWarnings to silence.
    A RuntimeWarning from fastenet's code (numpy's "overflow encountered", ...) is
    honest news on data drawn with SPECIAL values, where squares leave the float64 range
    (X ~ 1e300, or an int cast of it); on ordinary data it passes only where `twin`
    (sklearn's estimator with the same parameters, or None) warns of a numeric problem
    too, or raises (an input only fastenet accepts, as 'svd' on sparse X)."""
    fitted, numeric = _runtime_warnings(est, X, y, sw, ignored_user_warnings, "fastenet")
    if numeric and not _extreme(X, y, sw):
        assert twin is not None, f"fastenet warned {numeric}"
        twin_fitted, twin_numeric = _runtime_warnings(twin, X, y, sw,
                                                      ignored_user_warnings, None)
        assert twin_numeric or not twin_fitted, f"fastenet warned {numeric}, sklearn did not"
    if not fitted:  # fit raised ValueError / TypeError
        return
    assert np.all(np.isfinite(est.coef_))
    assert np.all(np.isfinite(est.intercept_))


def _runtime_warnings(est, X, y, sw, ignored_user_warnings, source):
    """Fit est: whether it fitted (False: it raised ValueError / TypeError), and the
    RuntimeWarning messages raised in package `source`'s code (None: anywhere, numpy's
    included)."""
    library = type(est).__module__.split(".")[0]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.filterwarnings("ignore", message=ignored_user_warnings,
                                    category=UserWarning)
            # recorded, not raised (the test config makes fastenet's errors)
            warnings.filterwarnings("always", category=RuntimeWarning)
            est.fit(X, y, sample_weight=sw)
    except (ValueError, TypeError) as exc:
        event(f"{library} raised {type(exc).__name__}")
        fitted = False
    else:
        event(f"{library} fitted")
        fitted = True
    return fitted, {str(w.message) for w in caught
                    if issubclass(w.category, RuntimeWarning)
                    and (source is None or source in Path(w.filename).parts)}


def _extreme(*arrays):
    """Whether any value lies outside the ordinary draws (finite_values: |v| <= 10)."""
    for a in arrays:
        if a is None:
            continue
        v = np.asarray(a.data if sparse.issparse(a) else a)
        if v.dtype.kind not in "biuf":  # object or complex input: fastenet rejects it
            return True
        v = v.astype(np.float64)
        if v.size and not np.all(np.abs(v) <= 10):
            return True
    return False
