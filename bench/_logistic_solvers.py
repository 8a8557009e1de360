"""The L1 logistic solvers compared, and the search for each one's cheapest run that
reaches the relative suboptimality ``EPS`` of a case (``_logistic_cases``).

Solvers (all single-threaded, all fitting an unpenalized intercept):

``fastenet``   ``fastenet.LogisticRegression(l1_ratio=1)``; the path is one
               ``fastenet.logistic_path`` call (warm starts inside the kernel). Knob: tol.
``liblinear``  sklearn's ``LogisticRegression(solver='liblinear', l1_ratio=1)``. liblinear
               penalizes its intercept (a synthetic constant feature of value
               ``intercept_scaling``, whose weight is L1-penalized); a large
               ``intercept_scaling`` makes that penalty vanish (|b| / intercept_scaling).
               Its fits are scored on the unpenalized-intercept objective like every
               other solver's, so a residual intercept penalty shows as suboptimality.
               Single fits try ``intercept_scaling`` 1 (sklearn's default), 100 and
               1000, the path 100 and 1000, and keep the cheapest run that reaches EPS
               (the residual penalty grows as C shrinks: at 1, liblinear stalls at 2e-5
               on sparse_text at 1%; at 100, at 2e-6 on a path's small Cs). No warm
               starts (liblinear has none): the path is a loop of cold fits. Knob: tol.
``saga``       sklearn's ``LogisticRegression(solver='saga', l1_ratio=1)``. Single fits:
               ``tol=0`` and a number of epochs (``max_iter``), doubled until the fit
               reaches EPS, then bisected (2 steps), so its time is that of about the
               fewest epochs that reach EPS, whatever its own stopping rule would do.
               Path: one estimator with ``warm_start=True`` refitted at each C, knob tol.
``skglm``      (only when importable; never a dependency) ``SparseLogisticRegression``
               with ``alpha = 1 / (C n)`` (its objective is sklearn's divided by C n).
               celer is not run: its LogisticRegression cannot fit an intercept.

Knob "tol": tried in half-decade steps from TOLS[0] down; the first run at or below
EPS is the match. A solver stops being searched when a run exceeds its time cap (then it
"did not reach EPS" and its most accurate run is reported with "> cap"), when two
decades of tol brought no 2x improvement (a plateau, e.g. liblinear's penalized
intercept), or (liblinear's second and third intercept_scaling) when its runs already
take PRUNE x the cheapest match found. sklearn's ConvergenceWarnings are ignored: the
suboptimality is the judge.

Timed region: the ``fit`` calls (and the loop over Cs) only. X is CSC for fastenet and
CSR for sklearn (each library's native layout, both made before any timing).
"""
from __future__ import annotations

import importlib.util
import time
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

import fastenet
from _logistic_cases import EPS, MAX_NEWTON, Case, suboptimality

__all__ = ["SOLVERS", "KernelSteps", "Match", "Run", "Timing", "available", "kernel_steps",
           "match", "rerun", "solve", "timed"]

SOLVERS = ("fastenet", "liblinear", "saga", "skglm")
TOLS = tuple(10.0 ** (-k / 2) for k in range(2, 21))  # 1e-1 ... 1e-10
PATH_TOLS = {"liblinear": TOLS[2:], "saga": TOLS[2::2]}  # from 1e-2: cold / slow paths
INTERCEPT_SCALINGS = (1.0, 100.0, 1000.0)
PATH_INTERCEPT_SCALINGS = (100.0, 1000.0)
LIBLINEAR_MAX_ITER = 1000
PLATEAU_STEPS = 4  # half-decades of tol without a 2x gain in suboptimality: stop
SAGA_BISECTIONS = 2
PRUNE = 1.0  # a setting whose runs already take longer than a found match cannot win


@dataclass(frozen=True)
class Run:
    """One (untimed-search or timed) run of a solver on a case."""

    solver: str
    params: dict  # what was passed: tol, intercept_scaling, epochs ...
    seconds: float  # wall-clock of the fit calls only
    subopt: float  # max over the case's Cs (those fitted) of (P - P*) / |P*|
    nnz: int  # nonzero coefficients at the last (largest) C
    n_iter: int  # solver iterations, summed over the Cs
    complete: bool = True  # False: a path aborted at its time cap
    n_done: int = 1  # Cs fitted (fewer than the case's when aborted)
    hit_max_iter: bool = False  # some C stopped at max_iter (saga path: ~ the cap)

    @property
    def reached(self) -> bool:
        return self.complete and self.subopt <= EPS

    def setting(self) -> str:
        return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in self.params.items())


@dataclass(frozen=True)
class Match:
    """A solver's cheapest run reaching EPS, or its most accurate one if none did."""

    solver: str
    run: Run
    reached: bool
    cap: float  # the time cap the search ran under
    capped: bool  # the search ended on the cap (not reached: "> cap")
    tried: tuple = field(default=(), repr=False)


def available(solver: str) -> bool:
    module = {"liblinear": "sklearn", "saga": "sklearn"}.get(solver, solver)
    return importlib.util.find_spec(module) is not None


def _sk(**params):
    from sklearn.linear_model import LogisticRegression

    # random_state: liblinear's coordinate order and saga's sample order, reproducible
    return LogisticRegression(l1_ratio=1.0, random_state=0, **params)


def _estimator(solver: str, params: dict):
    """An unfitted estimator; C is set per fit."""
    if solver == "fastenet":
        return fastenet.LogisticRegression(l1_ratio=1.0, tol=params["tol"],
                                           max_iter=MAX_NEWTON)
    if solver == "liblinear":
        return _sk(solver="liblinear", tol=params["tol"], max_iter=LIBLINEAR_MAX_ITER,
                   intercept_scaling=params["intercept_scaling"])
    if solver == "saga":
        if "epochs" in params:
            return _sk(solver="saga", tol=0.0, max_iter=params["epochs"])
        return _sk(solver="saga", tol=params["tol"], max_iter=params["max_iter"],
                   warm_start=True)
    if solver == "skglm":
        from skglm import SparseLogisticRegression

        return SparseLogisticRegression(alpha=1.0, tol=params["tol"], fit_intercept=True,
                                        warm_start=True)
    raise ValueError(f"unknown solver {solver!r}")


def _set_C(solver: str, est, C: float, n: int) -> None:
    if solver == "skglm":
        est.set_params(alpha=1.0 / (C * n))
    else:
        est.set_params(C=C)


def solve(solver: str, case: Case, params: dict, *, cap: float = np.inf):
    """Fit ``solver`` at every C of ``case`` (in order) and time only the fits.

    Returns ``(coefs (K, p), intercepts (K,), seconds, n_iter, n_done, hit_max_iter)``;
    a path stops early (n_done < K) once its fits have taken more than ``cap`` seconds.
    """
    X = case.X if solver == "fastenet" else case.X_csr
    y = case.y
    n, p = X.shape
    K = len(case.Cs)
    coefs, intercepts = np.zeros((K, p)), np.zeros(K)
    if solver == "fastenet" and case.is_path:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            path, _, n_iter = fastenet.logistic_path(
                X, y, Cs=case.Cs, l1_ratio=1.0, tol=params["tol"], max_iter=MAX_NEWTON)
            seconds = time.perf_counter() - t0
        hit = bool(np.any(n_iter >= MAX_NEWTON))
        return path[:, :-1], path[:, -1], seconds, int(np.sum(n_iter)), K, hit

    # One estimator refitted along the Cs: warm starts for those that have them
    # (saga's path, skglm), cold fits otherwise (liblinear, single fits).
    est = _estimator(solver, params)
    seconds, n_iter, n_done, hit = 0.0, 0, 0, False
    max_iter = est.get_params().get("max_iter")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, C in enumerate(case.Cs):
            if seconds > cap:
                break
            _set_C(solver, est, C, n)
            t0 = time.perf_counter()
            est.fit(X, y)
            seconds += time.perf_counter() - t0
            coefs[k] = np.ravel(est.coef_)
            intercepts[k] = float(np.ravel(est.intercept_)[0]) if np.size(
                est.intercept_) else 0.0
            steps = int(np.max(est.n_iter_)) if hasattr(est, "n_iter_") else 0
            n_iter += steps
            hit |= max_iter is not None and steps >= max_iter
            n_done += 1
    return coefs, intercepts, seconds, n_iter, n_done, hit


def rerun(solver: str, case: Case, params: dict, *, cap: float = np.inf) -> Run:
    """One run of ``solver`` at ``params``, scored against the case's reference."""
    coefs, intercepts, seconds, n_iter, n_done, hit = solve(solver, case, params,
                                                            cap=cap)
    complete = n_done == len(case.Cs)
    sub = suboptimality(case, coefs[:n_done], intercepts[:n_done], k_done=n_done)
    return Run(solver=solver, params=dict(params), seconds=seconds,
               subopt=float(np.max(sub)),
               nnz=int(np.count_nonzero(coefs[n_done - 1])), n_iter=n_iter,
               complete=complete, n_done=n_done, hit_max_iter=hit)


def _tol_search(solver, case, tols, extra, cap, log, beat=np.inf):
    """Runs at decreasing tol until one reaches EPS, the cap or a plateau, or runs take
    longer than PRUNE x ``beat`` (the cheapest run of another setting that reached EPS).

    Returns ``(runs, capped)``. A saga path whose fit at some C stopped at max_iter
    (sized to about twice ``cap`` seconds for one C) counts as capped.
    """
    tried = []
    for tol in tols:
        params = {"tol": tol, **extra}
        run = rerun(solver, case, params, cap=cap)
        tried.append(run)
        log(run)
        if run.reached:
            return tried, False
        if run.seconds > cap or not run.complete:
            return tried, True
        if run.seconds > PRUNE * beat:
            break
        if len(tried) > PLATEAU_STEPS and (
                run.subopt > 0.5 * tried[-1 - PLATEAU_STEPS].subopt):
            break
    last = tried[-1]
    return tried, solver == "saga" and last.hit_max_iter


def _saga_epochs(case, cap, log):
    """saga single fit: tol=0, epochs doubled until EPS (or the cap), then bisected.

    Returns ``(runs, capped)``."""
    tried, epochs, lo, hi = [], 1, 0, None
    while True:
        run = rerun("saga", case, {"epochs": epochs})
        tried.append(run)
        log(run)
        if run.reached:
            hi = epochs
            break
        # seconds(e) ~ seconds(lo) + (e - lo) * per_epoch: saga's fit has a fixed cost
        # (seconds at 1 epoch) that a plain seconds / epochs would spread over epochs
        # (the marginal cost, floored against timing noise)
        per_epoch = (run.seconds - tried[-2].seconds) / (epochs - lo) if lo else run.seconds
        per_epoch = max(per_epoch, 0.25 * run.seconds / epochs)
        lo = epochs
        if run.seconds + epochs * per_epoch > cap:
            last = epochs + int((cap - run.seconds) / per_epoch)
            if last <= epochs:
                return tried, True
            run = rerun("saga", case, {"epochs": last})  # the capped run
            tried.append(run)
            log(run)
            if not run.reached:
                return tried, True
            hi = last
            break
        epochs *= 2
    for _ in range(SAGA_BISECTIONS):
        mid = (lo + hi) // 2
        if mid <= lo:
            break
        run = rerun("saga", case, {"epochs": mid})
        tried.append(run)
        log(run)
        lo, hi = (lo, mid) if run.reached else (mid, hi)
    return tried, False


def _saga_path_max_iter(case, cap):
    """Epochs per C (max_iter) such that one C alone takes about twice ``cap``, so that a
    path run ends on the cap (between two Cs), not on max_iter. One epoch's cost is
    measured at the last C, net of the fit's fixed cost: (t(8 epochs) - t(2)) / 6; saga's
    later epochs are cheaper than its first ones (measured: 0.5 s against 1.2 s on
    sparse_text at 5% nonzeros), hence the factor 2 rather than 1."""
    last = _single(case)
    t2 = rerun("saga", last, {"epochs": 2}).seconds
    t8 = rerun("saga", last, {"epochs": 8}).seconds
    per_epoch = max((t8 - t2) / 6, t8 / 64, 1e-9)
    return max(1, int(2 * cap / per_epoch))


def _single(case: Case) -> Case:
    """The case restricted to its last C (one fit), for timing an epoch."""
    return replace(case, Cs=case.Cs[-1:], ref_primal=case.ref_primal[-1:],
                   ref_rgap=case.ref_rgap[-1:], ref_nnz=case.ref_nnz[-1:])


def match(solver: str, case: Case, *, cap: float, log=lambda run: None) -> Match:
    """The cheapest run of ``solver`` reaching EPS on ``case`` (searched, untimed)."""
    if solver == "saga" and not case.is_path:
        tried, capped = _saga_epochs(case, cap, log)
    elif solver == "saga":
        tried, capped = _tol_search(solver, case, PATH_TOLS["saga"],
                                    {"max_iter": _saga_path_max_iter(case, cap)}, cap,
                                    log)
    elif solver == "liblinear":
        scalings = PATH_INTERCEPT_SCALINGS if case.is_path else INTERCEPT_SCALINGS
        tols = PATH_TOLS["liblinear"] if case.is_path else TOLS
        tried, capped = [], False
        for s in scalings:
            beat = min([r.seconds for r in tried if r.reached], default=np.inf)
            runs, hit_cap = _tol_search(solver, case, tols, {"intercept_scaling": s},
                                        cap, log, beat=beat)
            tried += runs
            capped |= hit_cap
    else:
        tried, capped = _tol_search(solver, case, TOLS, {}, cap, log)
    good = [r for r in tried if r.reached]
    if good:
        return Match(solver, min(good, key=lambda r: r.seconds), True, cap, False,
                     tuple(tried))
    best = min(tried, key=lambda r: r.subopt)  # a path's over the Cs it got through
    return Match(solver, best, False, cap, capped, tuple(tried))


@dataclass(frozen=True)
class Timing:
    """The timed repeats of a match: median seconds, worst suboptimality."""

    match: Match
    seconds: float  # median of ``rounds`` runs (the search run itself when rounds == 1)
    rounds: int
    subopt: float  # the largest over the rounds
    nnz: int

    @property
    def reached(self) -> bool:
        return self.match.reached and self.subopt <= EPS


def timed(m: Match, case: Case, *, rounds: int, slow_seconds: float) -> Timing:
    """Repeat a match's run ``rounds`` times (single-threaded by the caller).

    A run that did not reach EPS, or took more than ``slow_seconds``, is not repeated:
    its search run is the one timing (rounds=1).
    """
    if not m.reached or m.run.seconds > slow_seconds or rounds <= 1:
        return Timing(m, m.run.seconds, 1, m.run.subopt, m.run.nnz)
    runs = [rerun(m.solver, case, m.run.params) for _ in range(rounds)]
    return Timing(m, float(np.median([r.seconds for r in runs])), rounds,
                  max(r.subopt for r in runs), runs[-1].nnz)


@dataclass(frozen=True)
class KernelSteps:
    """fastenet's work at a tol, from its kernel (for the diagnosis, untimed)."""

    n_iter: np.ndarray  # (K,) proximal Newton steps
    n_outer: np.ndarray  # (K,) full passes over X for gradient checks
    gap_ratio: np.ndarray  # (K,) kernel gap / its stopping threshold (<= 1: converged)


def kernel_steps(case: Case, tol: float) -> KernelSteps:
    """Newton steps and gradient passes of fastenet's kernel on ``case`` at ``tol``."""
    from fastenet import _kernel

    sol = _kernel.solve_logistic_path(
        case.X, case.y.astype(np.int32), 2, None, True, 1.0 / case.Cs,
        np.zeros(len(case.Cs)), options=_kernel.SolveOptions(tol=tol, max_iter=MAX_NEWTON))
    return KernelSteps(n_iter=np.asarray(sol.n_iter), n_outer=np.asarray(sol.n_outer),
                       gap_ratio=np.asarray(sol.gap) / np.asarray(sol.tol_abs))
