"""``fastenet bench``: fastenet against scikit-learn, in one process, on generated problems.

A compact, installed cousin of the project's ``bench/`` (which is not shipped): three
problems made from fixed seeds (dense with n > p and Toeplitz-correlated columns, dense
with p > n, sparse text-like), four tasks each (``Lasso`` at alpha_max/20 and
alpha_max/100, ``lasso_path`` over 100 alphas, ``LassoCV`` with 5 folds), both libraries
at the same ``tol`` (1e-4, sklearn's default), single-threaded. Every result is certified
again here: the duality gap of each returned coefficient vector is recomputed in numpy
with sklearn's formula (Fercoq, Gramfort & Salmon 2015, residual dual point):

    r = y_c - X_c w,  s = min(1, a / ||X_c^T r - b w||_inf),
    gap = 1/2 (||r||^2 + b ||w||^2) + a ||w||_1 + s^2/2 (||r||^2 + b ||w||^2) - s r.y_c,
    a = alpha l1_ratio n, b = alpha (1 - l1_ratio) n,   reported / n as ``dual_gap_``,

the largest over a path's points. Times: the median of 3 fits for single fits, one run
for paths and CV (sklearn's sparse CV takes seconds even at the quick size).
"""
from __future__ import annotations

import math
import platform
import time
import warnings
from dataclasses import dataclass
from datetime import date
from statistics import median

import numpy as np
from scipy import sparse

__all__ = ["enet_gap", "make_problems", "run"]

TOL = 1e-4
N_ALPHAS = 100
N_FOLDS = 5
MAX_ITER = 10_000
# name -> (n, p) at quick and full size
_SIZES = {
    "dense n>p": ((2_000, 200), (20_000, 500)),
    "dense p>n": ((200, 2_000), (1_000, 10_000)),
    "sparse text": ((1_000, 5_000), (10_000, 100_000)),
}


@dataclass(frozen=True)
class Problem:
    name: str
    X: object  # F-ordered float64 or CSC
    y: np.ndarray


def _ar1(rng, n, p, rho):
    """n x p standard normal columns with corr(X_j, X_k) = rho^|j-k| (F-ordered)."""
    Z = rng.standard_normal((p, n))
    c = math.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        Z[j] = rho * Z[j - 1] + c * Z[j]
    return Z.T


def _text(rng, n, p, density):
    """CSC term counts with Zipf-like column frequencies."""
    weights = 1.0 / np.arange(1, p + 1)
    counts = np.maximum(1, np.minimum(n // 4, np.round(
        weights / weights.sum() * density * n * p))).astype(np.int64)
    cols = np.repeat(rng.permutation(p), counts)
    rows = rng.integers(0, n, size=cols.size)
    X = sparse.csc_matrix((1.0 + rng.poisson(0.3, cols.size), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    return X


def _response(rng, X, k):
    w = np.zeros(X.shape[1])
    support = rng.choice(X.shape[1], size=k, replace=False)
    w[support] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(0.5, 2.0, size=k)
    signal = np.asarray(X @ w).ravel()
    return signal + 3.0 + signal.std() / 4.0 * rng.standard_normal(X.shape[0])


def make_problems(*, quick):
    """The three problems, from fixed seeds."""
    size = {name: sizes[0 if quick else 1] for name, sizes in _SIZES.items()}
    out = []
    for seed, (name, (n, p)) in enumerate(size.items()):
        rng = np.random.default_rng(seed)
        if name == "sparse text":
            X = _text(rng, n, p, 0.002 if not quick else 0.005)
        else:
            X = _ar1(rng, n, p, 0.5 if name == "dense n>p" else 0.6)
        out.append(Problem(name, X, _response(rng, X, max(5, p // 100))))
    return out


def enet_gap(X, y, coef, *, alpha, l1_ratio=1.0, fit_intercept=True):
    """sklearn's duality gap (divided by n) of ``coef``, recomputed; X never copied."""
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(coef, dtype=np.float64).ravel()
    n = y.shape[0]
    a, b = alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n
    if fit_intercept:
        m = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        y_c = y - y.mean()
        r = y_c - (np.asarray(X @ w).ravel() - m @ w)  # r = y_c - X_c w
        Xtr = np.asarray(X.T @ r).ravel() - m * r.sum()  # X_c^T r
    else:
        y_c = y
        r = y - np.asarray(X @ w).ravel()
        Xtr = np.asarray(X.T @ r).ravel()
    dual_norm = float(np.max(np.abs(Xtr - b * w)))
    s = a / dual_norm if dual_norm > a else 1.0
    quad = float(r @ r) + b * float(w @ w)
    primal = 0.5 * quad + a * float(np.abs(w).sum())
    dual = -0.5 * s * s * quad + s * float(r @ y_c)
    return (primal - dual) / n


def _alpha_max(X, y):
    y_c = y - y.mean()
    return float(np.max(np.abs(np.asarray(X.T @ y_c).ravel()))) / X.shape[0]


def _lasso(ratio):
    def task(lib, X, y):
        alpha = _alpha_max(X, y) / ratio
        model = lib.Lasso(alpha=alpha, tol=TOL, max_iter=MAX_ITER).fit(X, y)
        return [(alpha, model.coef_, True)]
    return task


def _path(lib, X, y):
    alphas, coefs, _ = lib.lasso_path(X, y - y.mean(), alphas=N_ALPHAS, tol=TOL)
    return [(a, coefs[:, k], False) for k, a in enumerate(alphas)]


def _cv(lib, X, y):
    model = lib.LassoCV(alphas=N_ALPHAS, cv=N_FOLDS, tol=TOL).fit(X, y)
    return [(model.alpha_, model.coef_, True)]


TASKS = {"Lasso amax/20": _lasso(20), "Lasso amax/100": _lasso(100),
         f"lasso_path {N_ALPHAS}": _path, f"LassoCV {N_FOLDS}-fold": _cv}


def _measure(task, lib, X, y, repeats):
    """(median seconds, largest recomputed gap, nonzeros at the last point)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        points = task(lib, X, y)
        times.append(time.perf_counter() - t0)
    gap = max(enet_gap(X, y if fit else y - y.mean(), coef, alpha=alpha,
                       fit_intercept=fit) for alpha, coef, fit in points)
    return median(times), gap, int(np.count_nonzero(points[-1][1]))


def _cpu():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run(*, quick, out):
    """Print the comparison table; returns 0."""
    import sklearn
    from sklearn import linear_model as sk
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    import fastenet

    out.write(f"fastenet {fastenet.__version__} vs scikit-learn {sklearn.__version__}, "
              f"{'quick' if quick else 'full'} sizes, {date.today()}, {_cpu()}, "
              "1 thread\n")
    out.write(f"Lasso with intercept, tol={TOL:g} for both; times: median of 3 single fits, "
              "one run of a path or CV; gaps: sklearn's duality gap recomputed from each "
              "coef_ (path: the largest)\n\n")
    header = ("problem", "task", "fastenet s", "sklearn s", "speed-up", "fastenet gap",
              "sklearn gap", "nnz fe/sk")
    widths = (22, 15, 10, 10, 8, 12, 12, 11)
    out.write("  ".join(f"{h:<{w}}" for h, w in zip(header, widths)).rstrip() + "\n")
    out.flush()
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for problem in make_problems(quick=quick):
            X, y = problem.X, problem.y
            label = f"{problem.name} {X.shape[0]}x{X.shape[1]}"
            for name, task in TASKS.items():
                repeats = 3 if name.startswith("Lasso ") else 1
                t_fe, gap_fe, nnz_fe = _measure(task, fastenet, X, y, repeats)
                t_sk, gap_sk, nnz_sk = _measure(task, sk, X, y, repeats)
                cells = (label, name, f"{t_fe:.4f}", f"{t_sk:.4f}", f"{t_sk / t_fe:.1f}x",
                         f"{gap_fe:.2e}", f"{gap_sk:.2e}", f"{nnz_fe}/{nnz_sk}")
                out.write("  ".join(f"{c:<{w}}" for c, w in zip(cells, widths)).rstrip()
                          + "\n")
                out.flush()
    return 0
