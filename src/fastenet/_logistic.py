"""Drop-in ``LogisticRegression``: L1 / L2 / elastic-net logistic regression, binary and
multinomial, on fastenet's prox-Newton kernel; and the problem / kernel-call layer that
``logistic_path`` and ``LogisticRegressionCV`` share.

Objective (scikit-learn's, for every solver but liblinear)::

    C * sum_i s_i loss_i(X_i W + b) + l1_ratio * sum_jk pf_j |W_jk|
                                    + (1 - l1_ratio) / 2 * sum_jk pf_j W_jk^2

with ``s_i = sample_weight_i * class_weight[y_i]`` (raw, not rescaled), the binary
logistic loss (one block of coefficients, class ``classes_[1]`` positive) for two classes
and the multinomial (softmax) loss (one block per class) for more. The kernel minimizes
the objective divided by C: ``l1 = l1_ratio / C``, ``l2 = (1 - l1_ratio) / C``
(``_strengths``, the one place C is converted), so ``C = inf`` is the unpenalized fit.

``fit`` = resolve sklearn's penalty parameters -> validate -> one kernel call (a path of
one C) -> set attributes.
"""
from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import BaseEstimator, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils.validation import validate_data

from fastenet import _kernel
from fastenet._cv import _rows
from fastenet._enet import _EXTRA_CONSTRAINTS
from fastenet._validation import (
    check_bounds,
    check_class_sample_weight,
    check_csc_structure,
    check_penalty_factor,
    encode_labels,
)

__all__ = ["LogisticRegression", "Problem", "kernel_X", "make_problem", "solve",
           "warn_unconverged"]

_MESSAGE_CONV = (
    "fastenet's logistic solver did not converge: the duality gap is above tol times "
    "the objective of the null model after max_iter proximal Newton steps. Increase "
    "max_iter or tol, scale the features, or regularize more (a smaller C)."
)


# --- penalty parameters ---------------------------------------------------------------

def _strengths(Cs, l1_ratio):
    """sklearn's C (and l1_ratio) -> the kernel's l1, l2 (objective divided by C)."""
    inv = 1.0 / np.asarray(Cs, dtype=np.float64).ravel()  # C = inf: 0, unpenalized
    l1_ratio = float(l1_ratio)
    return np.ascontiguousarray(inv * l1_ratio), np.ascontiguousarray(inv * (1.0 - l1_ratio))


def _resolve_penalty(penalty, C, l1_ratio):
    """sklearn 1.9's reading of (penalty, C, l1_ratio), its warnings and errors included:
    the penalty name, the C and the l1_ratio the objective uses."""
    if penalty == "deprecated":
        if l1_ratio is None:
            warnings.warn(
                "'l1_ratio=None' was deprecated in version 1.8 and will trigger an error "
                "in 1.10. Use 0<=l1_ratio<=1 instead.", FutureWarning, stacklevel=3)
        if l1_ratio is None or l1_ratio == 0:
            name = "l2"
        else:
            name = "l1" if l1_ratio == 1 else "elasticnet"
        if C == np.inf:
            name = None
    else:
        name = penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To "
            "avoid this warning, leave 'penalty' set to its default value and use "
            "'l1_ratio' or 'C' instead. Use l1_ratio=0 instead of penalty='l2', "
            "l1_ratio=1 instead of penalty='l1', l1_ratio set to a float between 0 and 1 "
            "instead of penalty='elasticnet', and C=np.inf instead of penalty=None.",
            FutureWarning, stacklevel=3)
    if name != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn("l1_ratio parameter is only used when penalty is 'elasticnet'. "
                      f"Got (penalty={name})", stacklevel=3)
    if (penalty == "l2" and l1_ratio != 0) or (penalty == "l1" and l1_ratio != 1):
        warnings.warn(f"Inconsistent values: penalty={penalty} with l1_ratio={l1_ratio}. "
                      "penalty is deprecated. Please use l1_ratio only.", stacklevel=3)
    if name == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    if penalty is None:
        if C != 1.0:
            warnings.warn("Setting penalty=None will ignore the C and l1_ratio parameters",
                          stacklevel=3)
        C = np.inf
    return name, C, _penalty_l1_ratio(name, l1_ratio)


def _penalty_l1_ratio(name, l1_ratio):
    """The l1_ratio of the objective: the penalty name decides, except for elasticnet."""
    return {"l1": 1.0, "l2": 0.0, None: 0.0}.get(name, l1_ratio)


def _check_dual(solver, dual, name):
    """dual=True: sklearn's error for every solver but liblinear; with liblinear only
    the L2 penalty has a dual, whose optimum is the primal one fitted here."""
    if not dual:
        return
    if solver != "liblinear":
        raise ValueError(f"Solver {solver} supports only dual=False, got dual={dual}")
    if name != "l2":
        raise ValueError("dual=True is only supported with the L2 penalty (l1_ratio=0 "
                         f"and a finite C), got penalty={name}.")


# --- the problem as the kernel reads it ------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """A validated classification problem in the kernel's layout."""

    X: object  # Fortran-ordered float ndarray or canonical CSC matrix
    labels: np.ndarray  # (n,) int32 codes into classes
    classes: np.ndarray  # (n_classes,) sorted labels
    sw: np.ndarray | None  # (n,) raw weights (sample times class weights), X.dtype
    pf: np.ndarray | None  # (p,) penalty factors, float64
    lo: np.ndarray | None  # (p,) bounds, float64
    hi: np.ndarray | None

    @property
    def n_classes(self):
        return len(self.classes)

    @property
    def n_blocks(self):
        return 1 if self.n_classes == 2 else self.n_classes

    def rows(self, idx):
        """The sub-problem of rows idx (a fold): the one copy of X a split needs."""
        return Problem(X=_rows(self.X, idx), labels=np.ascontiguousarray(self.labels[idx]),
                       classes=self.classes,
                       sw=None if self.sw is None else np.ascontiguousarray(self.sw[idx]),
                       pf=self.pf, lo=self.lo, hi=self.hi)


def kernel_X(X):
    """A validated X (dense, CSC or CSR) in the kernel's layout: Fortran-ordered dense
    (a C-ordered array is converted once) or canonical CSC (CSR converted once)."""
    if sparse.issparse(X):
        return check_csc_structure(X.tocsc())
    return np.asfortranarray(X)


def make_problem(X, classes, labels, *, sample_weight, class_weight, penalty_factor,
                 lower_bounds, upper_bounds):
    """Problem from a validated X and encoded labels; checks the weights, penalty
    factors and bounds."""
    n_features = X.shape[1]
    pf = check_penalty_factor(penalty_factor, n_features)
    lo, hi = check_bounds(lower_bounds, upper_bounds, False, n_features)
    sw = check_class_sample_weight(sample_weight, class_weight, classes, labels, X)
    return Problem(X=X, labels=labels, classes=classes, sw=sw, pf=pf, lo=lo, hi=hi)


def solve(problem, Cs, l1_ratio, *, fit_intercept, tol, max_iter, coef_init=None,
          intercept_init=None, cancel=None):
    """The fits at every C of Cs (in the order given, warm starts along it): one kernel
    call. Returns the kernel's LogisticPathSolution."""
    l1s, l2s = _strengths(Cs, l1_ratio)
    options = _kernel.SolveOptions(tol=float(tol), max_iter=int(max_iter), cancel=cancel)
    sol = _kernel.solve_logistic_path(
        problem.X, problem.labels, problem.n_classes, problem.sw, bool(fit_intercept),
        l1s, l2s, penalty_factor=problem.pf, lower_bounds=problem.lo,
        upper_bounds=problem.hi, options=options,
        coef_init=None if coef_init is None else np.array(coef_init, dtype=np.float64),
        intercept_init=(None if intercept_init is None
                        else np.array(intercept_init, dtype=np.float64)))
    return sol


def warn_unconverged(sol, *, stacklevel=3):
    """One ConvergenceWarning for a solution with unconverged points."""
    converged = np.asarray(sol.converged)
    if converged.all():
        return
    k = int(np.argmin(converged))
    message = (f"{_MESSAGE_CONV} Duality gap: {sol.gap[k]:.6e}, tolerance: "
               f"{sol.tol_abs[k]:.3e}")
    if len(converged) > 1:
        message += (f" ({int((~converged).sum())} of {len(converged)} values of C did not "
                    "converge)")
    warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel)


def _check_finite_solution(coef, intercept):
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        raise ValueError("The logistic regression solver produced non-finite coefficients. "
                         "The input data may contain large values and need to be "
                         "preprocessed.")


def _split_init(coef, n_blocks, p, fit_intercept):
    """sklearn's warm start layout (coefficients, then the intercept in the last column;
    (p + fit_intercept,) or (n_blocks, p + fit_intercept)) -> (coef_init, intercept_init)."""
    coef = np.asarray(coef, dtype=np.float64)
    width = p + int(fit_intercept)
    if coef.ndim == 1 and n_blocks == 1:
        coef = coef[np.newaxis]
    if coef.shape != (n_blocks, width):
        expected = f"({width},) or (1, {width})" if n_blocks == 1 else f"({n_blocks}, {width})"
        raise ValueError(f"Initialization coef is of shape {coef.shape}, expected shape "
                         f"{expected}")
    return coef[:, :p], (coef[:, p] if fit_intercept else None)


# --- the estimator --------------------------------------------------------------------

class LogisticRegression(LinearClassifierMixin, SparseCoefMixin, BaseEstimator):
    """Logistic regression with L1, L2 or elastic-net penalty, fitted by fastenet's
    proximal Newton kernel.

    Minimizes the objective of :class:`sklearn.linear_model.LogisticRegression`::

        C * sum_i s_i loss_i(X_i W + b)
        + l1_ratio * sum_jk pf_j |W_jk| + (1 - l1_ratio) / 2 * sum_jk pf_j W_jk^2

    subject to ``lower_bounds <= W <= upper_bounds``, with ``s_i`` the sample weight times
    the class weight of ``y_i``, the binary logistic loss for two classes (coefficients of
    ``classes_[1]``) and the multinomial loss for more (one row of coefficients per
    class). The intercept is never penalized. ``pf`` is ``penalty_factor`` (all ones by
    default: sklearn's objective exactly).

    Parameters
    ----------
    penalty : {'l1', 'l2', 'elasticnet', None}, default='deprecated'
        Deprecated in scikit-learn 1.8, with its FutureWarning: use ``l1_ratio`` and
        ``C`` (``C=np.inf`` for no penalty).
    C : float, default=1.0
        Inverse of the regularization strength; ``np.inf`` fits without penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing: 0 is the L2 penalty, 1 the L1 penalty.
    dual : bool, default=False
        Only ``False``, except with ``solver='liblinear'`` and the L2 penalty (same
        optimum); otherwise sklearn's ValueError.
    tol : float, default=1e-4
        Stop when the duality gap of the objective divided by C is below ``tol`` times
        the objective of the null (intercept-only) model.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    intercept_scaling : float, default=1
        Accepted for compatibility; only sklearn's liblinear uses it (fastenet never
        penalizes the intercept).
    class_weight : dict or 'balanced', default=None
        Weights of the classes, multiplying the sample weights (sklearn's
        ``compute_class_weight``).
    random_state : int, RandomState instance or None, default=None
        Accepted for compatibility: the solver is deterministic.
    solver : {'lbfgs', 'liblinear', 'newton-cg', 'newton-cholesky', 'sag', 'saga'}, \
default='lbfgs'
        Validated as sklearn's, otherwise ignored: fastenet always runs its own proximal
        Newton solver, which supports every penalty, binary and multinomial.
    max_iter : int, default=100
        Maximum number of proximal Newton steps.
    verbose : int, default=0
        Print a line about the fit when > 0.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
    n_jobs : int, default=None
        No effect, deprecated as in sklearn 1.8 (FutureWarning when set).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of the whole penalty (glmnet's ``penalty.factor``); 0
        leaves a feature unpenalized.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on every class's coefficients; ``lower <= 0 <= upper``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Multinomial intercepts sum to zero (as sklearn's lbfgs).
    n_iter_ : ndarray of shape (1,)
        Proximal Newton steps run.
    dual_gap_ : float
        Duality gap at the solution, for the objective divided by C (the kernel's scale;
        its stopping threshold is ``tol`` times the null model's objective).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    Differences from scikit-learn:

    - ``solver`` is validated but not used, so no penalty is refused for a solver (sklearn
      raises for ``l1_ratio > 0`` unless ``solver='saga'`` or liblinear's L1); with
      ``solver='liblinear'`` multiclass problems are fitted (multinomial) instead of
      raising, and the intercept is not penalized (sklearn's liblinear penalizes
      ``intercept_scaling`` times it).
    - ``tol`` bounds the duality gap (relative to the null model's objective), a
      certificate of the objective's accuracy, instead of a gradient or step size, and
      ``n_iter_`` counts proximal Newton steps; ``max_iter`` bounds them.
    - Negative sample weights raise ValueError (they make the loss non-convex).
    - ``predict_log_proba`` is computed as a log-softmax (no ``log(0)``), equal to
      ``log(predict_proba)`` wherever the latter is finite.
    - X is never copied except once for the layout the kernel reads: C-ordered dense
      arrays are converted to Fortran order, CSR to CSC; float32 stays float32.
    - ``penalty_factor``, ``lower_bounds``, ``upper_bounds`` and ``dual_gap_`` are
      additions.
    """

    _parameter_constraints = {**_sk.LogisticRegression._parameter_constraints,
                              **_EXTRA_CONSTRAINTS}

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
        penalty_factor=None,
        lower_bounds=None,
        upper_bounds=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by proximal Newton steps.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. Fortran-ordered float32/float64 arrays and CSC matrices are
            used in place.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct ones).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights of the samples' losses, used as given (not rescaled).

        Returns
        -------
        self : object
        """
        name, C, l1_ratio = _resolve_penalty(self.penalty, self.C, self.l1_ratio)
        _check_dual(self.solver, self.dual, name)
        if self.n_jobs is not None:
            warnings.warn("'n_jobs' has no effect since 1.8 and will be removed in 1.10. "
                          f"You provided 'n_jobs={self.n_jobs}', please leave it "
                          "unspecified.", FutureWarning, stacklevel=2)
        X, y = validate_data(
            self, X, y,
            accept_sparse=("csc", "csr"),
            dtype=[np.float64, np.float32],
            order="F",  # the kernel reads columns: a C-ordered X is converted once
            accept_large_sparse=True,
            copy=False,
            # X's NaN/inf are found by the kernel's first pass over X; y is checked here.
            ensure_all_finite=False,
        )
        X = kernel_X(X)
        classes, labels = encode_labels(y)
        self.classes_ = classes
        if len(classes) < 2:
            raise ValueError("This solver needs samples of at least 2 classes in the data, "
                             f"but the data contains only one class: {classes[0]!r}")
        problem = make_problem(X, classes, labels, sample_weight=sample_weight,
                               class_weight=self.class_weight,
                               penalty_factor=self.penalty_factor,
                               lower_bounds=self.lower_bounds,
                               upper_bounds=self.upper_bounds)
        coef_init = intercept_init = None
        if self.warm_start and hasattr(self, "coef_"):
            init = self.coef_
            if self.fit_intercept:
                init = np.column_stack([self.coef_, self.intercept_])
            coef_init, intercept_init = _split_init(init, problem.n_blocks, X.shape[1],
                                                    self.fit_intercept)
        sol = solve(problem, [C], l1_ratio, fit_intercept=self.fit_intercept, tol=self.tol,
                    max_iter=self.max_iter, coef_init=coef_init,
                    intercept_init=intercept_init)
        warn_unconverged(sol)
        if self.verbose:
            sys.stderr.write(f"fastenet LogisticRegression: C={C:g}, l1_ratio={l1_ratio:g}, "
                             f"{int(sol.n_iter[0])} Newton steps, gap {sol.gap[0]:.3e} "
                             f"(tolerance {sol.tol_abs[0]:.3e})\n")
        _check_finite_solution(sol.coef[0], sol.intercept[0])
        self.coef_ = sol.coef[0].astype(X.dtype)
        self.intercept_ = (sol.intercept[0].astype(X.dtype) if self.fit_intercept
                           else np.zeros(problem.n_blocks, dtype=X.dtype))
        self.n_iter_ = np.asarray([sol.n_iter[0]], dtype=np.int32)
        self.dual_gap_ = float(sol.gap[0])
        return self

    def predict_proba(self, X):
        """Probability estimates: the sigmoid of the decision function for two classes,
        its softmax for more.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities of the classes, in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates (a stable log-sigmoid / log-softmax).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:  # two classes: logits (0, d)
            scores = np.column_stack([np.zeros_like(scores), scores])
        top = scores.max(axis=1, keepdims=True)
        shifted = scores - top
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
