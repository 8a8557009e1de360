"""Data files of the ``fastenet`` command: one loader per format, one error type.

``load(path, target=...)`` returns a :class:`Dataset`: X as a Fortran-ordered float64
array or a CSC matrix (the layouts the kernel reads in place), y, and one name per
column. The format is chosen by the file's extension (or ``fmt``):

- ``.csv`` / ``.tsv`` / ``.tab`` (optionally ``.gz`` / ``.bz2`` / ``.xz``): a header row;
  the target is a column named by ``target``. All-numeric files are read by
  ``numpy.loadtxt``; anything else is re-read by the ``csv`` module, which finds the
  offending line, or one-hot encodes text columns (``one_hot=True``).
- ``.svm`` / ``.svmlight`` / ``.libsvm`` (optionally compressed): ``label idx:value ...``
  lines, read by scikit-learn's ``load_svmlight_file``; a malformed file is re-scanned
  line by line to name the first bad line. Columns are named by the file's indices.
- ``.npz``: arrays ``X`` and ``y`` (``target`` names y's key), or a matrix saved in
  ``scipy.sparse.save_npz``'s layout plus a ``y`` array; an optional ``feature_names``.
  Never unpickled.
- ``.parquet`` / ``.pq``: read by pyarrow when it is installed.

Every problem a user can cause raises :class:`DataError`, whose message is one line that
names the line, row or column. ``read_penalty_factor`` reads ``--penalty-factor`` files;
``standardize`` scales columns to unit standard deviation (sparse X without centering).
"""
from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import math
import warnings
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy import sparse

__all__ = ["DIABETES", "FORMATS", "DataError", "Dataset", "load", "read_penalty_factor",
           "standardize"]

DIABETES = "diabetes (scikit-learn's bundled data)"
FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".svm": "svmlight",
           ".svmlight": "svmlight", ".libsvm": "svmlight", ".npz": "npz",
           ".parquet": "parquet", ".pq": "parquet"}
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_MISSING = {"", "na", "n/a", "nan", "null", "none", "?", "-"}
_SHOWN_COLUMNS = 8  # columns listed in "no column ..." messages


class DataError(Exception):
    """A problem with the user's data: reported as ``<source>: <message>``, exit code 1."""

    def __init__(self, source, message):
        super().__init__(message)
        self.source = str(source)


@dataclass(frozen=True)
class Dataset:
    """X (F-ordered float64 or CSC float64), y (float64), a name per column of X."""

    X: object
    y: np.ndarray
    feature_names: tuple
    source: str
    target: str

    @property
    def shape(self):
        return self.X.shape


def _format_of(path, fmt):
    """(format, compression suffix or None) by the file's extension, or ``fmt``."""
    suffixes = [s.lower() for s in path.suffixes]
    opener = None
    if suffixes and suffixes[-1] in _OPENERS:
        opener = suffixes.pop()
    kind = fmt if fmt is not None else FORMATS.get(suffixes[-1]) if suffixes else None
    if kind is None or (opener and kind in ("npz", "parquet")):
        known = ", ".join(sorted(FORMATS))
        raise DataError(path, f"unknown data file extension {''.join(path.suffixes)!r} "
                              f"(known: {known}, csv/tsv/svmlight also compressed as "
                              ".gz/.bz2/.xz); name the format with --format")
    return kind, opener


def load(path, *, target=None, one_hot=False, fmt=None):
    """Read a data file (or scikit-learn's diabetes data when ``path`` is None).

    Parameters
    ----------
    path : str or None
    target : str or None
        CSV/TSV/Parquet: the target column's name (required). npz: y's key (default
        ``'y'``). svmlight: unused (the label field is the target).
    one_hot : bool
        One-hot encode text columns (CSV/TSV/Parquet) instead of rejecting them.
    fmt : {'csv', 'tsv', 'svmlight', 'npz', 'parquet'} or None
        Overrides the extension.

    Returns
    -------
    Dataset
    """
    if path is None:
        from sklearn.datasets import load_diabetes

        bunch = load_diabetes()
        return Dataset(np.asfortranarray(bunch.data, dtype=np.float64),
                       np.asarray(bunch.target, dtype=np.float64),
                       tuple(bunch.feature_names), DIABETES, "target")
    path = Path(path)
    kind, opener = _format_of(path, fmt)
    if not path.exists():
        raise DataError(path, "no such file")
    if path.is_dir():
        raise DataError(path, "is a directory, not a data file")
    try:
        if kind in ("csv", "tsv"):
            data = _load_delimited(path, "\t" if kind == "tsv" else ",", opener,
                                   target=target, one_hot=one_hot)
        elif kind == "svmlight":
            data = _load_svmlight(path, opener)
        elif kind == "npz":
            data = _load_npz(path, target=target or "y")
        else:
            data = _load_parquet(path, target=target, one_hot=one_hot)
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 text (byte {exc.start}); is it the format "
                              "its extension says?") from None
    except (EOFError, gzip.BadGzipFile, lzma.LZMAError, zlib.error) as exc:
        raise DataError(path, f"cannot decompress: {exc}") from None
    except OSError as exc:
        raise DataError(path, exc.strerror or str(exc)) from None
    _check_shape(path, data)
    return data


def _check_shape(path, data):
    n, p = data.shape
    if n == 0:
        raise DataError(path, "no data rows")
    if p == 0:
        raise DataError(path, "no feature columns (only the target)")
    if data.y.shape != (n,):
        raise DataError(path, f"the target has {data.y.size} values for {n} rows of X")
    if not np.all(np.isfinite(data.y)):
        i = int(np.flatnonzero(~np.isfinite(data.y))[0])
        raise DataError(path, f"the target has a missing or infinite value (row {i + 1})")
    if sparse.issparse(data.X):
        bad = np.flatnonzero(~np.isfinite(data.X.data))
        if bad.size:
            j = int(np.searchsorted(data.X.indptr, bad[0], side="right")) - 1
            i = int(data.X.indices[bad[0]])
            raise DataError(path, f"row {i + 1}, column {data.feature_names[j]!r}: missing "
                                  "or infinite value")
    elif not np.all(np.isfinite(data.X)):
        i, j = (int(v[0]) for v in np.nonzero(~np.isfinite(data.X)))
        raise DataError(path, f"row {i + 1}, column {data.feature_names[j]!r}: missing or "
                              "infinite value")


# ---------------------------------------------------------------------------- CSV / TSV

def _open_text(path, opener):
    if opener is None:
        return open(path, encoding="utf-8", newline="")
    return _OPENERS[opener](path, "rt", encoding="utf-8", newline="")


def _columns_hint(names):
    shown = ", ".join(names[:_SHOWN_COLUMNS])
    return shown + (f", ... ({len(names)} columns)" if len(names) > _SHOWN_COLUMNS else "")


def _parse_float(text):
    try:
        return float(text)
    except ValueError:
        return None


def _load_delimited(path, delimiter, opener, *, target, one_hot):
    with _open_text(path, opener) as f:
        text = f.read()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next((row for row in reader if row), None)
    if header is None:
        raise DataError(path, "file is empty")
    header_line = reader.line_num
    names = [h.strip() for h in header]
    if all(_parse_float(h) is not None for h in names):
        raise DataError(path, f"line {header_line}: the first row must be a header of "
                              "column names (it holds only numbers)")
    if len(set(names)) != len(names):
        name = next(n for k, n in enumerate(names) if n in names[:k])
        raise DataError(path, f"duplicate column name {name!r} in the header")
    if target is None:
        raise DataError(path, "name the target column with --target "
                              f"(columns: {_columns_hint(names)})")
    if target not in names:
        raise DataError(path, f"no column {target!r} (columns: {_columns_hint(names)})")
    table = _loadtxt(text, delimiter, header_line, len(names))
    if table is not None:
        k = names.index(target)
        keep = [j for j in range(len(names)) if j != k]
        return Dataset(np.asfortranarray(table[:, keep]), np.ascontiguousarray(table[:, k]),
                       tuple(names[j] for j in keep), str(path), target)
    rows, lines = [], []
    for row in reader:
        if row:
            rows.append(row)
            lines.append(reader.line_num)
    if not rows:
        raise DataError(path, "no data rows after the header")
    for row, line in zip(rows, lines):
        if len(row) != len(names):
            raise DataError(path, f"line {line}: {len(row)} fields, the header has "
                                  f"{len(names)}")
    columns = [[row[k] for row in rows] for k in range(len(names))]
    return _from_text_columns(path, names, columns, lines, target, one_hot)


def _loadtxt(text, delimiter, skip, n_columns):
    """The fast path for a clean all-numeric body: a float64 table, or None (text,
    ragged rows, missing values, no rows: the csv reader then finds the line)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data"
            table = np.loadtxt(io.StringIO(text, newline=""), delimiter=delimiter,
                               skiprows=skip, dtype=np.float64, ndmin=2, comments=None,
                               quotechar='"')
    except ValueError:
        return None
    if table.shape[0] == 0 or table.shape[1] != n_columns or not np.all(np.isfinite(table)):
        return None
    return table


def _numeric(values):
    """values as float64, or (None, index of the first value that is not a number)."""
    try:
        return np.asarray(values, dtype=np.float64), None
    except ValueError:
        for i, v in enumerate(values):
            if _parse_float(v) is None:
                return None, i
        raise


def _from_text_columns(path, names, columns, lines, target, one_hot):
    """A Dataset from columns of strings: numbers, or (one_hot) categories."""
    y = None
    blocks, block_names = [], []
    for name, values in zip(names, columns):
        numbers, bad = _numeric(values)
        if numbers is not None:
            missing = np.flatnonzero(~np.isfinite(numbers))
            if missing.size:
                i = int(missing[0])
                raise DataError(path, f"line {lines[i]}: column {name!r} has a missing or "
                                      f"infinite value ({values[i].strip()!r}); fastenet "
                                      "does not impute")
        elif values[bad].strip().lower() in _MISSING:
            raise DataError(path, f"line {lines[bad]}: column {name!r} has a missing value "
                                  f"({values[bad].strip()!r}); fastenet does not impute")
        if name == target:
            if numbers is None:
                raise DataError(path, f"line {lines[bad]}: target column {name!r} is not "
                                      f"numeric ({values[bad]!r})")
            y = numbers
        elif numbers is not None:
            blocks.append(numbers[:, None])
            block_names.append(name)
        elif one_hot:
            levels, codes = np.unique(np.asarray([v.strip() for v in values]),
                                      return_inverse=True)
            blocks.append(_one_hot(codes, len(levels)))
            block_names.extend(f"{name}={level}" for level in levels)
        else:
            raise DataError(path, f"line {lines[bad]}: column {name!r} is not numeric "
                                  f"({values[bad]!r}); one-hot encode it with --one-hot or "
                                  "drop it")
    return _assemble(path, blocks, block_names, y, target)


def _one_hot(codes, n_levels):
    n = codes.shape[0]
    return sparse.csc_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, n_levels))


def _assemble(path, blocks, names, y, target):
    """Columns side by side: dense F-ordered, or CSC when one-hot blocks make it sparse
    (density below 1/4)."""
    n = y.shape[0]
    if not blocks:
        return Dataset(np.zeros((n, 0), order="F"), y, (), str(path), target)
    if any(sparse.issparse(b) for b in blocks):
        X = sparse.hstack(blocks, format="csc")
        if X.nnz >= 0.25 * X.shape[0] * X.shape[1]:
            X = np.asfortranarray(X.toarray())
        else:
            X.sort_indices()
    else:
        X = np.asfortranarray(np.hstack(blocks))
    return Dataset(X, y, tuple(names), str(path), target)


# ----------------------------------------------------------------------------- svmlight

def _load_svmlight(path, opener):
    from sklearn.datasets import load_svmlight_file

    try:
        with (open(path, "rb") if opener is None else _OPENERS[opener](path, "rb")) as f:
            X, y = load_svmlight_file(f, zero_based=True, dtype=np.float64)
    except ValueError as exc:
        line, message = _first_bad_svmlight_line(path, opener)
        if line is None:
            raise DataError(path, f"not a valid svmlight/libsvm file ({exc})") from None
        raise DataError(path, f"line {line}: {message}") from None
    if X.shape[0] == 0:
        raise DataError(path, "no data lines")
    X = X.tocsc()
    X.sort_indices()
    # sklearn's zero_based='auto' rule: a file whose indices are all >= 1 is one-based;
    # columns keep the file's indices as names.
    offset = 1 if X.nnz and _min_column(X) >= 1 else 0
    if offset:
        X = X[:, 1:]
    names = tuple(str(j + offset) for j in range(X.shape[1]))
    return Dataset(X, np.asarray(y, dtype=np.float64), names, str(path), "label")


def _min_column(X):
    counts = np.diff(X.indptr)
    return int(np.flatnonzero(counts)[0])


def _first_bad_svmlight_line(path, opener):
    """(line number, what is wrong) of the first line sklearn's parser would reject."""
    open_ = open if opener is None else _OPENERS[opener]
    with open_(path, "rt", encoding="utf-8", errors="replace") as f:
        for number, raw in enumerate(f, start=1):
            line = raw.split("#", 1)[0].split()
            if not line:
                continue
            if _parse_float(line[0]) is None:
                return number, f"the label {line[0]!r} is not a number"
            previous = -1
            for token in line[1:]:
                key, sep, value = token.partition(":")
                if not sep:
                    return number, f"{token!r} is not an index:value pair"
                if key == "qid":
                    continue
                if not key.isdigit():
                    return number, f"feature index {key!r} is not a non-negative integer"
                if _parse_float(value) is None:
                    return number, f"value {value!r} of feature {key} is not a number"
                if int(key) <= previous:
                    return number, "feature indices must be increasing (sorted, unique)"
                previous = int(key)
    return None, None


# ---------------------------------------------------------------------------------- npz

def _load_npz(path, *, target):
    try:
        archive = np.load(path, allow_pickle=False)
    except EOFError:
        raise DataError(path, "file is empty") from None
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DataError(path, f"not a readable .npz archive ({exc})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(path, "holds a single array; save X and y with numpy.savez")
    with archive:
        keys = set(archive.files)
        if target not in keys:
            raise DataError(path, f"no array {target!r} for the target (arrays: "
                                  f"{', '.join(sorted(keys))})")
        try:
            y = np.asarray(archive[target], dtype=np.float64).reshape(-1)
            if "X" in keys:
                X = archive["X"]
                if X.ndim != 2:
                    raise DataError(path, f"X must be 2-D, got shape {X.shape}")
                X = np.asfortranarray(X, dtype=np.float64)
            elif {"format", "shape", "data"} <= keys:
                X = sparse.load_npz(path).tocsc()
                X = X.astype(np.float64)
                X.sum_duplicates()
            else:
                raise DataError(path, "expected an array 'X' or a scipy.sparse matrix "
                                      "saved in save_npz's layout (arrays: "
                                      f"{', '.join(sorted(keys))})")
            names = (tuple(str(s) for s in archive["feature_names"])
                     if "feature_names" in keys else
                     tuple(f"x{j}" for j in range(X.shape[1])))
        except ValueError as exc:  # pickled (object) arrays, non-numeric dtypes
            raise DataError(path, f"cannot read the arrays as numbers ({exc})") from None
    if y.shape[0] != X.shape[0]:
        raise DataError(path, f"{target} has {y.shape[0]} values, X has {X.shape[0]} rows")
    if len(names) != X.shape[1]:
        raise DataError(path, f"feature_names has {len(names)} names for {X.shape[1]} "
                              "columns")
    return Dataset(X, y, names, str(path), target)


# ------------------------------------------------------------------------------ Parquet

def _load_parquet(path, *, target, one_hot):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(path, "reading Parquet needs pyarrow: pip install pyarrow") from None
    import pyarrow as pa

    try:
        table = pq.read_table(path)
    except pa.ArrowException as exc:
        raise DataError(path, f"not a readable Parquet file ({exc})") from None
    names = list(table.column_names)
    if target is None:
        raise DataError(path, f"name the target column with --target (columns: "
                              f"{_columns_hint(names)})")
    if target not in names:
        raise DataError(path, f"no column {target!r} (columns: {_columns_hint(names)})")
    y, blocks, block_names = None, [], []
    for name in names:
        column = table.column(name)
        if column.null_count:
            i = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            raise DataError(path, f"row {i + 1}: column {name!r} has a missing value; "
                                  "fastenet does not impute")
        kind = column.type
        numeric = (pa.types.is_integer(kind) or pa.types.is_floating(kind)
                   or pa.types.is_boolean(kind))
        if numeric:
            values = column.to_numpy(zero_copy_only=False).astype(np.float64)
            if name == target:
                y = values
            else:
                blocks.append(values[:, None])
                block_names.append(name)
        elif name == target:
            raise DataError(path, f"target column {name!r} is not numeric ({kind})")
        elif one_hot:
            text = np.asarray([str(v) for v in column.to_pylist()])
            levels, codes = np.unique(text, return_inverse=True)
            blocks.append(_one_hot(codes, len(levels)))
            block_names.extend(f"{name}={level}" for level in levels)
        else:
            raise DataError(path, f"column {name!r} is not numeric ({kind}); one-hot "
                                  "encode it with --one-hot or drop it")
    return _assemble(path, blocks, block_names, y, target)


# ------------------------------------------------------------------ penalty factor file

def read_penalty_factor(path, feature_names):
    """``--penalty-factor FILE``: one number per line in column order, or ``name value``
    lines (comma, tab or space separated; unnamed features keep 1; a name of a one-hot
    encoded column sets all its levels). Blank lines and ``#`` comments are skipped.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, f"cannot read it ({exc})") from None
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        fields = raw.split("#", 1)[0].replace(",", " ").split()
        if fields:
            entries.append((number, fields))
    if not entries:
        raise DataError(path, "file is empty")
    p = len(feature_names)
    if all(len(fields) == 1 for _, fields in entries):
        if len(entries) != p:
            raise DataError(path, f"{len(entries)} penalty factors for {p} features")
        pf = np.empty(p)
        for j, (number, (value,)) in enumerate(entries):
            pf[j] = _factor(path, number, value)
        return pf
    index = {name: j for j, name in enumerate(feature_names)}
    pf = np.ones(p)
    for k, (number, fields) in enumerate(entries):
        if len(fields) != 2:
            raise DataError(path, f"line {number}: expected 'name value', got "
                                  f"{' '.join(fields)!r}")
        name, value = fields
        if k == 0 and _parse_float(value) is None:
            continue  # a header line
        columns = ([index[name]] if name in index else
                   [j for j, f in enumerate(feature_names) if f.startswith(name + "=")])
        if not columns:
            raise DataError(path, f"line {number}: no feature named {name!r}")
        pf[columns] = _factor(path, number, value)
    return pf


def _factor(path, number, value):
    v = _parse_float(value)
    if v is None or not math.isfinite(v) or v < 0:
        raise DataError(path, f"line {number}: penalty factor {value!r} is not a finite "
                              "number >= 0")
    return v


# --------------------------------------------------------------------------- scaling

def standardize(data):
    """Columns scaled to unit (population) standard deviation, as glmnet's
    ``standardize=TRUE``; sparse X is scaled, never centered or densified. Constant
    columns keep scale 1.

    Returns
    -------
    (Dataset, scale) : the scaled data and the (n_features,) divisors; a coefficient
    ``w`` of the scaled data is ``w / scale`` on the original one.
    """
    X = data.X
    if sparse.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        mean_sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        std = np.sqrt(np.maximum(mean_sq - mean**2, 0.0))
    else:
        std = X.std(axis=0)
    scale = np.where(std > 0, std, 1.0)
    if sparse.issparse(X):
        scaled = (X @ sparse.diags(1.0 / scale)).tocsc()
        scaled.sort_indices()
    else:
        scaled = np.asfortranarray(X / scale)
    return replace(data, X=scaled), scale

