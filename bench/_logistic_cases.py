"""Sparse L1 logistic regression benchmark: the problems, the values of C and the
certified reference optimum every solver is measured against.

Problems: the designs of ``_problems.py`` (same seeds, same full and quick sizes) with
binary labels drawn from a sparse true logistic model instead of the regression
response:

``sparse_text``  CSC 10,000 x 100,000 at 0.2% density, text-like (Zipf column
                 frequencies); 1% of w_true nonzero.
``onehot_geo``   CSC 200,000 x ~47,700 one-hot, 6 ones per row (crossed lat/lon cell
                 and 5 Zipf categoricals); 2% of w_true nonzero.

Labels: ``y_i ~ Bernoulli(sigmoid(eta_i))`` with ``eta = LOGIT_SCALE * (u - mean(u)) /
std(u) + LOGIT_OFFSET`` and ``u = X @ w_true`` (about 30% of the labels are 1).

Tasks, all with an unpenalized intercept (``fit_intercept=True``):

``nnz1``    one fit at the C whose solution has ~1% nonzero coefficients
``nnz5``    one fit at the C whose solution has ~5% nonzero coefficients
``path50``  N_PATH values of C, log-spaced from C_min (the null model) to the ``nnz5``
            C, solved in increasing order (warm starts where the solver has them)

C_min = 1 / ||X^T (y - mean(y))||_inf (``_logistic_gap.c_min``). The C of a target
fraction is found by fastenet fits at a tight tol: C_min * 10^(k/4), k = 1, 2, ...
brackets it, then bisection on log C until the support is within NNZ_RTOL of the target
(``find_C``; a few seconds at full size, cached per process).

Reference: fastenet at ``REF_TOL`` (gap <= 1e-10 x the null model's objective) at every C
of the task, its duality gap recomputed by ``_logistic_gap.logistic_gap`` and required
to be at most ``REF_RGAP`` x the objective, so that P* is known to far better than the
suboptimality ``EPS`` the solvers are matched at.
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy.special import expit

import fastenet
from _logistic_gap import c_min, logistic_gap, objective
from _problems import Problem, make_problem

__all__ = [
    "EPS",
    "LOGISTIC_PROBLEMS",
    "TASKS",
    "Case",
    "find_C",
    "make_case",
    "make_logistic_problem",
    "suboptimality",
]

LOGISTIC_PROBLEMS = ("sparse_text", "onehot_geo")
TASKS = ("nnz1", "nnz5", "path50")
TARGETS = {"nnz1": 0.01, "nnz5": 0.05}  # fraction of nonzero coefficients
EPS = 1e-6  # relative suboptimality (P - P*) / |P*| every solver must reach
N_PATH = {False: 50, True: 10}  # Cs on the path: full size, quick size
LOGIT_SCALE = 2.0
LOGIT_OFFSET = -1.0
LABEL_SEED = 100
NNZ_RTOL = 0.1  # the found C's support is within 10% of the target
SEARCH_TOL = 1e-8
REF_TOL = 1e-10
REF_RGAP = 1e-9  # reference certificate: gap / |P| (EPS / 1000)
MAX_NEWTON = 1000


def make_logistic_problem(name: str, *, quick: bool = False) -> Problem:
    """The design of ``_problems`` problem ``name`` with 0/1 labels of a logistic model."""
    if name not in LOGISTIC_PROBLEMS:
        raise ValueError(f"unknown problem {name!r}; choose from {LOGISTIC_PROBLEMS}")
    base = make_problem(name, quick=quick)
    rng = np.random.default_rng(LABEL_SEED + LOGISTIC_PROBLEMS.index(name))
    u = np.asarray(base.X @ base.w_true, dtype=np.float64).ravel()
    eta = LOGIT_SCALE * (u - u.mean()) / u.std() + LOGIT_OFFSET
    y = (rng.random(u.shape[0]) < expit(eta)).astype(np.float64)
    return dataclasses.replace(
        base, y=y,
        description=f"{base.description}; labels of a logistic model, {y.mean():.0%} ones",
    )


def _fit(X, y, C, *, tol, warm=None):
    est = warm or fastenet.LogisticRegression(l1_ratio=1.0, tol=tol, max_iter=MAX_NEWTON,
                                              warm_start=True)
    est.set_params(C=C)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    return est, int(np.count_nonzero(est.coef_))


def find_C(X, y, fraction: float, *, c0: float | None = None) -> float:
    """A C whose L1 solution (with intercept) has ``fraction * p`` nonzeros, +-NNZ_RTOL."""
    p = X.shape[1]
    target = fraction * p
    c0 = c_min(X, y) if c0 is None else c0
    est, lo, hi = None, np.log(c0), None
    for k in range(1, 41):  # C_min * 10^(k/4): bracket the target
        logC = np.log(c0) + k * np.log(10.0) / 4
        est, nnz = _fit(X, y, np.exp(logC), tol=SEARCH_TOL, warm=est)
        if abs(nnz - target) <= NNZ_RTOL * target:
            return float(np.exp(logC))
        if nnz > target:
            hi = logC
            break
        lo = logC
    if hi is None:
        raise RuntimeError(f"no C up to C_min * 1e10 reaches {fraction:.0%} nonzeros")
    for _ in range(40):  # bisection on log C
        mid = 0.5 * (lo + hi)
        est, nnz = _fit(X, y, np.exp(mid), tol=SEARCH_TOL, warm=est)
        if abs(nnz - target) <= NNZ_RTOL * target:
            return float(np.exp(mid))
        lo, hi = (mid, hi) if nnz < target else (lo, mid)
    raise RuntimeError(f"bisection did not reach {fraction:.0%} nonzeros within "
                       f"{NNZ_RTOL:.0%}")


@cache
def problem_Cs(name: str, quick: bool) -> dict:
    """{'c_min': C_min, 'nnz1': C, 'nnz5': C} of problem ``name`` (cached per process)."""
    prob = make_logistic_problem(name, quick=quick)
    c0 = c_min(prob.X, prob.y)
    return {"c_min": c0, **{task: find_C(prob.X, prob.y, frac, c0=c0)
                            for task, frac in TARGETS.items()}}


@dataclass(frozen=True)
class Case:
    """One task on one problem: the Cs, both layouts of X, and the certified optimum."""

    problem: Problem
    task: str
    Cs: np.ndarray  # (K,) increasing
    X_csr: object  # sklearn's native layout, converted once outside any timed region
    ref_primal: np.ndarray  # (K,) P* (sklearn's scale)
    ref_rgap: np.ndarray  # (K,) recomputed duality gap of the reference / |P*|
    ref_nnz: np.ndarray  # (K,)

    @property
    def X(self):
        return self.problem.X

    @property
    def y(self):
        return self.problem.y

    @property
    def is_path(self) -> bool:
        return len(self.Cs) > 1


def suboptimality(case: Case, coefs, intercepts, *, k_done=None) -> np.ndarray:
    """(P - P*) / |P*| at the first ``k_done`` (default: all) Cs of ``case``:
    coefs (k_done, p), intercepts (k_done,)."""
    k_done = len(case.Cs) if k_done is None else k_done
    P = np.array([objective(case.X, case.y, coefs[k], intercepts[k], C=case.Cs[k])
                  for k in range(k_done)])
    ref = case.ref_primal[:k_done]
    return (P - ref) / np.abs(ref)


def make_case(problem: Problem, task: str, *, quick: bool) -> Case:
    """The Cs of ``task`` and the reference optimum at each (asserts its certificate)."""
    Cs_of = problem_Cs(problem.name, quick)
    if task == "path50":
        Cs = np.geomspace(Cs_of["c_min"], Cs_of["nnz5"], N_PATH[quick])
    else:
        Cs = np.array([Cs_of[task]])
    X, y = problem.X, problem.y
    coefs, _, _ = fastenet.logistic_path(X, y, Cs=Cs, l1_ratio=1.0, tol=REF_TOL,
                                         max_iter=MAX_NEWTON)
    primal, rgap, nnz = [], [], []
    for k, C in enumerate(Cs):
        cert = logistic_gap(X, y, coefs[k, :-1], coefs[k, -1], C=C)
        primal.append(cert.primal)
        rgap.append(cert.rel_gap)
        nnz.append(int(np.count_nonzero(coefs[k, :-1])))
    rgap = np.array(rgap)
    assert np.all(rgap <= REF_RGAP), (
        f"reference not certified: relative gap {rgap.max():.2e} > {REF_RGAP:g}")
    return Case(problem=problem, task=task, Cs=Cs, X_csr=X.tocsr(),
                ref_primal=np.array(primal), ref_rgap=rgap, ref_nnz=np.array(nnz))
