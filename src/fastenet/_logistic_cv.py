"""Drop-in ``LogisticRegressionCV``: C (and l1_ratio) chosen by cross-validation, every
fold's path over the Cs one kernel call.

``fit`` = resolve sklearn 1.9's parameters (and their deprecations) -> validate -> for
each fold (in threads, the kernel releasing the GIL) and each l1_ratio, the path over
the Cs warm-started from the most regularized, scored on the held-out rows -> best
(C, l1_ratio) by the summed scores -> refit from the folds' mean solution. Attributes in
sklearn's legacy or new layout (``use_legacy_attributes``).
"""
from __future__ import annotations

import inspect
import numbers
import sys
import warnings

import numpy as np
from joblib import effective_n_jobs
from scipy import sparse
from sklearn import linear_model as _sk
from sklearn.base import _fit_context
from sklearn.metrics import get_scorer, make_scorer
from sklearn.model_selection import check_cv
from sklearn.utils import metadata_routing
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _raise_for_params,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import (
    _check_method_params,
    _deprecate_positional_args,
    validate_data,
)
from threadpoolctl import threadpool_limits

from fastenet._cv import _map, _row_indices
from fastenet._enet import _EXTRA_CONSTRAINTS
from fastenet._logistic import (
    LogisticRegression,
    _check_dual,
    _check_finite_solution,
    _penalty_l1_ratio,
    kernel_X,
    make_problem,
    solve,
    warn_unconverged,
)
from fastenet._logistic_path import default_Cs
from fastenet._validation import encode_labels

__all__ = ["LogisticRegressionCV"]


def _resolve_l1_ratios(penalty, l1_ratios):
    """sklearn 1.9's reading of (penalty, l1_ratios) with its warnings: the penalty name
    and the l1_ratios to cross-validate ([None] when none are given)."""
    if isinstance(l1_ratios, str) and l1_ratios == "warn":
        warnings.warn(
            "The default value for l1_ratios will change from None to (0.0,) in version "
            "1.10. From version 1.10 onwards, only array-like with values in [0, 1] will "
            "be allowed, None will be forbidden. To avoid this warning, explicitly set a "
            "value, e.g. l1_ratios=(0,).", FutureWarning, stacklevel=3)
        l1_ratios = None
    elif l1_ratios is None and penalty == "deprecated":
        # sklearn's text verbatim ("valuesin" included), so filters written for it match.
        warnings.warn(
            "'l1_ratios=None' was deprecated in version 1.8 and will trigger an error in "
            "1.10. Use an array-like with valuesin [0, 1] instead.",
            FutureWarning, stacklevel=3)
    if l1_ratios is not None and len(l1_ratios) == 0:
        raise ValueError("l1_ratios must be an array-like of numbers between 0 and 1; "
                         f"got (l1_ratios={l1_ratios!r})")
    if penalty == "deprecated":
        if l1_ratios is None or np.all(np.asarray(l1_ratios) == 0):
            name = "l2"
        elif np.all(np.asarray(l1_ratios) == 1):
            name = "l1"
        else:
            name = "elasticnet"
    else:
        name = penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. To "
            "avoid this warning, leave 'penalty' set to its default value and use "
            "'l1_ratios' and 'Cs' instead. Use l1_ratios=(0,) instead of penalty='l2', "
            "l1_ratios=(1,) instead of penalty='l1', l1_ratios set to floats between 0 "
            "and 1 instead of penalty='elasticnet', and Cs=(np.inf,) instead of "
            "penalty=None.", FutureWarning, stacklevel=3)
    if name == "elasticnet":
        if (l1_ratios is None or len(l1_ratios) == 0
                or any(not isinstance(r, numbers.Number) or not 0 <= r <= 1
                       for r in l1_ratios)):
            raise ValueError("l1_ratios must be an array-like of numbers between 0 and 1; "
                             f"got (l1_ratios={l1_ratios!r})")
    elif l1_ratios is not None and penalty != "deprecated":
        warnings.warn("l1_ratios parameter is only used when penalty is 'elasticnet'. "
                      f"Got (penalty={name})", stacklevel=3)
    return name, l1_ratios


def _with_labels(scorer, classes):
    """The scorer with ``labels=classes`` (and the positive class for two) when its
    metric takes them: a test fold may lack a class."""
    func = getattr(scorer, "_score_func", None)
    if func is None:
        return scorer
    accepted = inspect.signature(func).parameters
    if "labels" not in accepted:
        return scorer
    extra = {"labels": classes}
    if len(classes) == 2 and "pos_label" in accepted:
        extra["pos_label"] = classes[-1]
    return make_scorer(func, greater_is_better=scorer._sign == 1,
                       response_method=scorer._response_method,
                       **{**getattr(scorer, "_kwargs", {}), **extra})


class LogisticRegressionCV(LogisticRegression):
    """Logistic regression with C (and l1_ratio) chosen by cross-validation, every
    fold's path over the Cs one call into fastenet's kernel.

    scikit-learn 1.9's :class:`sklearn.linear_model.LogisticRegressionCV` parameters,
    warnings and attributes (``Cs_``, ``l1_ratios_``, ``C_``, ``l1_ratio_``,
    ``coefs_paths_``, ``scores_``, ``n_iter_``, ``coef_``, ``intercept_``, ``classes_``,
    in the layout ``use_legacy_attributes`` selects), plus ``penalty_factor``,
    ``lower_bounds``, ``upper_bounds`` (see :class:`fastenet.LogisticRegression`, whose
    objective is fitted) and ``dual_gap_`` (of the refit).

    Parameters
    ----------
    Cs : int or array-like, default=10
        The Cs, or their number: log-spaced from 1e-4 to 1e4. Each fold's path runs
        through them in the order given (ascending C: from the most regularized).
    l1_ratios : array-like, default='warn'
        The elastic-net mixings to cross-validate; sklearn 1.9's deprecations of the
        default and of None apply.
    scoring : str, callable or None, default='warn'
        Scorer of the held-out rows (None: accuracy), as sklearn's, deprecation warning
        of the default included.
    n_jobs : int, default=None
        Folds fitted in this many threads (the kernel releases the GIL).
    refit : bool, default=True
        Refit at the best (C, l1_ratio) from the folds' mean solution, or average the
        folds' best solutions.
    use_legacy_attributes : bool, default='warn'
        sklearn's legacy attribute layout (dicts by class, repeated C_) or its new one.

    The other parameters are :class:`fastenet.LogisticRegression`'s.

    Notes
    -----
    Differences from scikit-learn and additions:

    - Each (fold, l1_ratio) path is one kernel call over all the Cs (warm starts,
      screening, working sets); folds run in threads. ``n_iter_`` counts proximal
      Newton steps.
    - The solver, ``dual``, ``intercept_scaling`` and the penalties behave as in
      :class:`fastenet.LogisticRegression` (no penalty is refused for a solver).
    - float32 X is used as float32 by the solver; the fitted attributes are float64,
      as sklearn's.
    """

    # sample_weight of score is a deprecated positional argument, not routed metadata.
    __metadata_request__score = {"sample_weight": metadata_routing.UNUSED}
    _parameter_constraints = {**_sk.LogisticRegressionCV._parameter_constraints,
                              **_EXTRA_CONSTRAINTS}

    def __init__(self, *, Cs=10, l1_ratios="warn", fit_intercept=True, cv=None, dual=False,
                 penalty="deprecated", scoring="warn", solver="lbfgs", tol=1e-4,
                 max_iter=100, class_weight=None, n_jobs=None, verbose=0, refit=True,
                 intercept_scaling=1.0, random_state=None, use_legacy_attributes="warn",
                 penalty_factor=None, lower_bounds=None, upper_bounds=None):
        self.Cs = Cs
        self.l1_ratios = l1_ratios
        self.fit_intercept = fit_intercept
        self.cv = cv
        self.dual = dual
        self.penalty = penalty
        self.scoring = scoring
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.refit = refit
        self.intercept_scaling = intercept_scaling
        self.random_state = random_state
        self.use_legacy_attributes = use_legacy_attributes
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model at the C (and l1_ratio) chosen by cross-validation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Fortran-ordered float arrays and CSC matrices are split without conversion.
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the training losses and of the held-out scores.
        **params : dict
            Passed to the splitter and the scorer (with metadata routing enabled).

        Returns
        -------
        self : object
        """
        _raise_for_params(params, self, "fit")
        name, l1_ratios = _resolve_l1_ratios(self.penalty, self.l1_ratios)
        scoring = self.scoring
        if scoring == "warn":
            warnings.warn(
                "The default value of the parameter 'scoring' will change from None, i.e. "
                "accuracy, to 'neg_log_loss' in version 1.11. To silence this warning, "
                "explicitly set the scoring parameter: scoring='neg_log_loss' for the new, "
                "scoring='accuracy' or scoring=None for the old default.",
                FutureWarning, stacklevel=2)
            scoring = None
        legacy = self.use_legacy_attributes
        if legacy == "warn":
            warnings.warn(
                f"The fitted attributes of {self.__class__.__name__} will be simplified "
                "in scikit-learn 1.10 to remove redundancy. Set`use_legacy_attributes="
                "False` to enable the new behavior now, or set it to `True` to silence "
                "this warning during the transition period while keeping the deprecated "
                "behavior for the time being. The default value of use_legacy_attributes "
                "will change from True to False in scikit-learn 1.10. See the docstring "
                f"of {self.__class__.__name__} for more details.",
                FutureWarning, stacklevel=2)
            legacy = True
        _check_dual(self.solver, self.dual, name)
        grid_l1 = [None] if l1_ratios is None else list(l1_ratios)

        X, y = validate_data(self, X, y, accept_sparse=("csc", "csr"),
                             dtype=[np.float64, np.float32], order="F",
                             accept_large_sparse=True, copy=False)
        X = kernel_X(X)
        classes, labels = encode_labels(y)
        self.classes_ = classes
        if len(classes) < 2:
            raise ValueError("This solver needs samples of at least 2 classes in the data, "
                             f"but the data contains only one class: {classes[0]}.")
        if _routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params, score_params = routed.splitter.split, routed.scorer.score
        else:
            split_params = {}
            score_params = {} if sample_weight is None else {"sample_weight": sample_weight}
        n = X.shape[0]
        folds = [(_row_indices(train, n), _row_indices(test, n))
                 for train, test in check_cv(self.cv, y, classifier=True).split(
                     X, y, **split_params)]
        class_weight = self._class_weight_dict(classes, y, sample_weight)
        problem = make_problem(X, classes, labels, sample_weight=sample_weight,
                               class_weight=class_weight, penalty_factor=self.penalty_factor,
                               lower_bounds=self.lower_bounds,
                               upper_bounds=self.upper_bounds)
        Cs = default_Cs(self.Cs)
        ratios = [r if name == "elasticnet" else _penalty_l1_ratio(name, None)
                  for r in grid_l1]
        scorer = _with_labels(get_scorer("accuracy" if scoring is None else scoring),
                              classes)
        cancel = np.zeros(1, dtype=np.int8)

        def job(k):
            return self._fold(X, y, problem, folds[k], Cs, ratios, scorer,
                              _check_method_params(X, params=score_params,
                                                   indices=folds[k][1]), cancel)

        n_jobs = min(effective_n_jobs(self.n_jobs), len(folds))
        with threadpool_limits(limits=1 if n_jobs > 1 else None, user_api="blas"):
            out = _map(job, range(len(folds)), n_jobs, cancel)
        # (n_folds, n_l1, n_cs, n_blocks, n_dof), (n_folds, n_l1, n_cs) twice
        coefs = np.asarray([o[0] for o in out])
        scores = np.asarray([o[1] for o in out])
        n_iter = np.asarray([o[2] for o in out], dtype=np.int32)
        self.Cs_ = Cs
        self._choose(problem, coefs, scores, Cs, grid_l1, ratios, name, cancel)
        self._set_paths(coefs, scores, n_iter, classes, grid_l1, legacy)
        return self

    def _class_weight_dict(self, classes, y, sample_weight):
        """sklearn's CV: a dict's keys must be labels; 'balanced' is computed once on all
        of y (and the weights), then used as a dict by every fold."""
        class_weight = self.class_weight
        if isinstance(class_weight, dict):
            if not set(class_weight) <= set(classes):
                raise ValueError("The given class_weight dict must have the class labels as "
                                 f"keys; classes={classes} but key={class_weight.keys()}")
        elif class_weight == "balanced":
            weights = compute_class_weight("balanced", classes=classes, y=y,
                                           sample_weight=sample_weight)
            class_weight = dict(zip(classes, weights))
        return class_weight

    def _fold(self, X, y, problem, fold, Cs, ratios, scorer, score_params, cancel):
        """One fold: the path over Cs for each l1_ratio, scored on the held-out rows.
        Returns coefs (n_l1, n_cs, n_blocks, n_dof), scores and n_iter (n_l1, n_cs)."""
        train, test = fold
        train_problem = problem.rows(train)
        X_test = X[test].tocsr() if sparse.issparse(X) else X[test]
        model = LogisticRegression()  # a fitted-looking model for the scorer
        model.classes_ = problem.classes
        model.n_features_in_ = X.shape[1]
        coefs, scores, n_iter = [], [], []
        for ratio in ratios:
            sol = solve(train_problem, Cs, ratio, fit_intercept=self.fit_intercept,
                        tol=self.tol, max_iter=self.max_iter, cancel=cancel)
            warn_unconverged(sol, stacklevel=2)
            path = np.concatenate([sol.coef, sol.intercept[:, :, np.newaxis]], axis=2)
            coefs.append(path if self.fit_intercept else path[:, :, :-1])
            row = []
            for k in range(len(Cs)):
                model.coef_ = sol.coef[k]
                model.intercept_ = (sol.intercept[k] if self.fit_intercept
                                    else np.zeros(problem.n_blocks))
                row.append(scorer(model, X_test, y[test], **score_params))
            scores.append(row)
            n_iter.append(sol.n_iter)
            self._path_done()
        return coefs, scores, n_iter

    def _path_done(self):
        """One (fold, l1_ratio) path finished (from a worker thread): a verbose dot, and
        ``_on_path_done()`` when set (the ``fastenet`` command's progress)."""
        if self.verbose:
            sys.stderr.write(".")
        hook = getattr(self, "_on_path_done", None)
        if hook is not None:
            hook()

    def _choose(self, problem, coefs, scores, Cs, grid_l1, ratios, name, cancel):
        """C_, l1_ratio_ and the final coefficients: refit at the best summed score
        (ties: the first C, then the first l1_ratio, as sklearn), or average the folds'
        best solutions."""
        n_folds, n_l1, n_cs = scores.shape
        by_c = np.swapaxes(scores, 1, 2)  # (n_folds, n_cs, n_l1): sklearn's order of ties
        p = problem.X.shape[1]
        if self.refit:
            i_c, i_l1 = np.unravel_index(np.argmax(by_c.sum(axis=0)), (n_cs, n_l1))
            C, l1_ratio = Cs[i_c], grid_l1[i_l1]
            init = coefs[:, i_l1, i_c].mean(axis=0)  # (n_blocks, n_dof)
            sol = solve(problem, [C], ratios[i_l1], fit_intercept=self.fit_intercept,
                        tol=self.tol, max_iter=self.max_iter, coef_init=init[:, :p],
                        intercept_init=init[:, p] if self.fit_intercept else None,
                        cancel=cancel)
            warn_unconverged(sol, stacklevel=4)
            _check_finite_solution(sol.coef[0], sol.intercept[0])
            w = sol.coef[0]
            b = sol.intercept[0] if self.fit_intercept else np.zeros(problem.n_blocks)
            self.dual_gap_ = float(sol.gap[0])
        else:
            best = np.argmax(by_c.reshape(n_folds, -1), axis=1)
            i_c, i_l1 = np.unravel_index(best, (n_cs, n_l1))
            mean = np.mean([coefs[f, i_l1[f], i_c[f]] for f in range(n_folds)], axis=0)
            w = mean[:, :p]
            b = mean[:, p] if self.fit_intercept else np.zeros(problem.n_blocks)
            C = float(np.mean(Cs[i_c]))
            l1_ratio = (float(np.mean(np.asarray(grid_l1, dtype=np.float64)[i_l1]))
                        if name == "elasticnet" else 0.0)
            self.dual_gap_ = np.nan  # no fit at the averaged solution
        self.coef_ = np.asarray(w, dtype=np.float64)
        self.intercept_ = np.asarray(b, dtype=np.float64)
        self._best = (C, l1_ratio)

    def _set_paths(self, coefs, scores, n_iter, classes, grid_l1, legacy):
        """C_, l1_ratio_, l1_ratios_, coefs_paths_, scores_, n_iter_ in sklearn's legacy
        layout (dicts by class, the l1_ratio axis dropped when none were given) or its
        new one (arrays indexed fold, l1_ratio, C)."""
        C, l1_ratio = self._best
        del self._best
        none_given = grid_l1 == [None]
        self.l1_ratios_ = np.asarray(grid_l1)
        if not legacy:
            self.C_ = float(C)
            if none_given:
                self.l1_ratio_ = 1.0 if self.penalty == "l1" else 0.0
            else:
                self.l1_ratio_ = float(l1_ratio)
            self.coefs_paths_ = coefs
            self.scores_ = scores
            self.n_iter_ = n_iter
            return
        keys = classes[1:] if len(classes) == 2 else classes
        self.C_ = np.full(len(keys), C, dtype=np.float64)
        self.l1_ratio_ = np.asarray([l1_ratio] * len(keys))
        paths = np.swapaxes(coefs, 1, 2)  # (n_folds, n_cs, n_l1, n_blocks, n_dof)
        by_c = np.swapaxes(scores, 1, 2)
        n_iter = np.swapaxes(n_iter, 1, 2)[np.newaxis]
        if none_given:
            paths, by_c, n_iter = paths[:, :, 0], by_c[:, :, 0], n_iter[..., 0]
        self.coefs_paths_ = {key: paths[..., k, :] for k, key in enumerate(keys)}
        self.scores_ = {key: by_c.copy() for key in keys}
        self.n_iter_ = n_iter

    @_deprecate_positional_args(version="1.11")
    def score(self, X, y, *, sample_weight=None, **score_params):
        """The ``scoring`` score (accuracy by default) of the model on (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        **score_params : dict
            Passed to the scorer (with metadata routing enabled).

        Returns
        -------
        score : float
        """
        _raise_for_params(score_params, self, "score")
        if sample_weight is not None:
            score_params["sample_weight"] = sample_weight
        if _routing_enabled():
            score_params = process_routing(self, "score", **score_params).scorer.score
        elif score_params.get("sample_weight") is not None:
            score_params = {"sample_weight": score_params["sample_weight"]}
        else:
            score_params = {}
        return self._get_scorer()(self, X, y, **score_params)

    def _get_scorer(self):
        scoring = None if self.scoring == "warn" else self.scoring
        return get_scorer(scoring or "accuracy")

    def get_metadata_routing(self):
        """Metadata routing: ``fit``'s extra parameters go to the splitter's ``split``
        and the scorer; ``score``'s to the scorer."""
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(splitter=self.cv,
                 method_mapping=MethodMapping().add(caller="fit", callee="split"))
            .add(scorer=self._get_scorer(),
                 method_mapping=MethodMapping().add(caller="score", callee="score")
                 .add(caller="fit", callee="score"))
        )

