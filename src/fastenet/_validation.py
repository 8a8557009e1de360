"""Every input check of fastenet, in one place.

Estimators call these before anything reaches the kernel, so the binding can trust what
it receives: float32/float64 arrays, Fortran-ordered dense X or canonical CSC X, finite
values, consistent lengths, valid per-feature penalties and bounds.
"""
from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "canonical_csc",
    "check_bounds",
    "check_class_sample_weight",
    "check_csc_structure",
    "check_penalty_factor",
    "check_sample_weight",
    "encode_labels",
]


def check_csc_structure(X):
    """Return X as a canonical CSC matrix the kernel can read.

    Malformed structure (indices out of range, non-monotone indptr, wrong array lengths)
    raises ValueError naming the problem. Unsorted or duplicate indices are valid scipy
    matrices with a well-defined value; they are canonicalized on a copy (deliberate:
    the kernel's column norms need each entry once) and the caller's matrix is untouched.
    """
    n, p = X.shape
    indptr, indices = np.asarray(X.indptr), np.asarray(X.indices)
    if indptr.shape != (p + 1,):
        raise ValueError(
            f"Malformed sparse matrix: indptr has length {indptr.shape[0]}, "
            f"expected n_features + 1 = {p + 1}."
        )
    if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
        raise ValueError("Malformed sparse matrix: indptr must start at 0 and be non-decreasing.")
    nnz = int(indptr[-1])
    if indices.shape[0] < nnz or X.data.shape[0] < nnz:
        raise ValueError(
            "Malformed sparse matrix: indptr[-1] exceeds the length of indices or data."
        )
    if nnz and _index_out_of_range(indices[:nnz], n):
        raise ValueError(
            f"Malformed sparse matrix: row indices must lie in [0, {n}), "
            f"got values in [{indices[:nnz].min()}, {indices[:nnz].max()}]."
        )
    if indices.shape[0] != nnz or X.data.shape[0] != nnz:
        X = X.copy()  # trailing storage beyond indptr[-1]: trim it on a copy
        X.indices, X.data = X.indices[:nnz], X.data[:nnz]
    return canonical_csc(X)


def _index_out_of_range(idx, n):
    """Whether any of idx lies outside [0, n): for signed integers one read of idx, not
    two (min and max), since read as unsigned a negative index is huge."""
    if idx.dtype.kind == "i":
        return bool(idx.view(idx.dtype.str.replace("i", "u")).max() >= n)
    return bool(idx.min() < 0 or idx.max() >= n)


def canonical_csc(X):
    """X, or a copy with its indices sorted and duplicates merged (deliberate: the
    kernel's column norms and updates need each row once per column). scipy caches the
    flag, so a canonical X costs nothing after its first check."""
    if X.has_canonical_format:
        return X
    X = X.copy()
    X.sum_duplicates()  # sorts indices and merges duplicates, on the copy
    return X


def check_sample_weight(sample_weight, X, n_samples, rescale=True):
    """Validated sample weights rescaled to sum to n_samples (sklearn's estimators'
    convention; sklearn's path functions use them as given: rescale=False), or None.
    A scalar weight is the same as no weight."""
    if sample_weight is None or isinstance(sample_weight, numbers.Number):
        return None
    sw = _check_sample_weight(sample_weight, X, dtype=X.dtype, ensure_non_negative=True)
    total = float(np.sum(sw, dtype=np.float64))
    if not total > 0:
        raise ValueError("sample_weight must have a positive sum.")
    if not rescale:
        return sw
    # A new array: the caller's sample_weight is never rescaled in place.
    return (sw * (n_samples / total)).astype(X.dtype, copy=False)


def _per_feature(value, n_features, name, default):
    """A scalar or (n_features,) array-like as a float64 (n_features,) array."""
    if value is None:
        return np.full(n_features, default, dtype=np.float64)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers.") from exc
    if arr.ndim == 0:
        arr = np.full(n_features, float(arr))
    if arr.shape != (n_features,):
        raise ValueError(
            f"{name} must be a scalar or have shape ({n_features},) = (n_features,), "
            f"got shape {arr.shape}."
        )
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} contains NaN.")
    return arr


def check_penalty_factor(penalty_factor, n_features):
    """(n_features,) finite, non-negative float64 array, or None for all ones."""
    if penalty_factor is None:
        return None
    pf = _per_feature(penalty_factor, n_features, "penalty_factor", 1.0)
    if not np.all(np.isfinite(pf)):
        raise ValueError("penalty_factor must be finite.")
    if np.any(pf < 0):
        raise ValueError("penalty_factor must be non-negative.")
    return pf


def check_bounds(lower_bounds, upper_bounds, positive, n_features):
    """(lo, hi) float64 arrays with lo <= 0 <= hi (or None for unbounded sides).

    positive=True is lower_bounds=0 combined with any given lower bound."""
    if lower_bounds is None and upper_bounds is None and not positive:
        return None, None
    lo = _per_feature(lower_bounds, n_features, "lower_bounds", -np.inf)
    hi = _per_feature(upper_bounds, n_features, "upper_bounds", np.inf)
    if np.any(lo > hi):
        j = int(np.argmax(lo > hi))
        raise ValueError(
            f"lower_bounds must be <= upper_bounds; feature {j} has "
            f"lower {lo[j]} > upper {hi[j]}."
        )
    if np.any(lo > 0):
        raise ValueError("lower_bounds must be <= 0 (the zero coefficient must be feasible, as in glmnet).")
    if np.any(hi < 0):
        raise ValueError("upper_bounds must be >= 0 (the zero coefficient must be feasible, as in glmnet).")
    if positive:
        lo = np.maximum(lo, 0.0)
    return lo, (None if np.all(np.isposinf(hi)) else hi)



def encode_labels(y):
    """(classes, labels) of a classification target: the sorted distinct labels and y
    as int32 codes into them.

    sklearn's checks and errors: a continuous or multi-output y raises ValueError
    ("Unknown label type"); labels of mixed types (strings and numbers) raise the
    TypeError of sorting them, as sklearn's LogisticRegression does.
    """
    check_classification_targets(y)
    classes, labels = np.unique(y, return_inverse=True)
    return classes, labels.astype(np.int32, copy=False).reshape(-1)


def check_class_sample_weight(sample_weight, class_weight, classes, labels, X):
    """Raw per-sample weights ``sample_weight * class_weight[y]`` in X's dtype, or None
    when both are absent (logistic regression's weights: not rescaled).

    A scalar sample_weight is a constant weight, which for a loss summed over samples
    is not the same as no weight (it scales C). class_weight is sklearn's: a dict
    {label: weight} (absent labels weigh 1) or 'balanced' (from the weighted class
    frequencies). Negative weights raise ValueError (they would make the loss
    non-convex).
    """
    n = X.shape[0]
    if sample_weight is None and class_weight is None:
        return None
    sw = None
    if sample_weight is not None:
        if isinstance(sample_weight, numbers.Number):
            sample_weight = np.full(n, sample_weight, dtype=X.dtype)
        sw = _check_sample_weight(sample_weight, X, dtype=X.dtype,
                                  ensure_non_negative=True)
    if class_weight is not None:
        y = classes[labels]
        weights = compute_class_weight(class_weight, classes=classes, y=y,
                                       sample_weight=sw)
        per_sample = np.asarray(weights, dtype=X.dtype)[labels]
        sw = per_sample if sw is None else sw * per_sample  # a new array: sw is a copy
    if not float(np.sum(sw, dtype=np.float64)) > 0:
        raise ValueError("sample_weight must have a positive sum.")
    return np.ascontiguousarray(sw, dtype=X.dtype)
