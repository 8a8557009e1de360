"""The models of the ``fastenet`` command: ``--model NAME`` -> a fitted estimator.

Each :class:`ModelKind` knows how to build its fixed-alpha estimator and its
cross-validated one from :class:`Settings`. A kind whose estimator does not exist yet
would be listed with ``available=False`` and a reason, so the command names it and
refuses it with a usage error. The regression models report squared errors; the one
classifier, ``logistic``, reports log loss and accuracy (``classifier=True``).

``logistic`` speaks sklearn's C and the command's alpha alike: ``--C`` fixes C, ``--alpha``
is glmnet's lambda (the penalty per unit of mean log loss), ``C = 1 / (alpha * n)``; its
CV grid is glmnet's, ``--n-alphas`` values from the alpha where every coefficient is 0
down to ``--eps`` times it, as Cs.

``fit_model`` runs the fit under the progress line: a CV fit reports each finished
(fold, l1_ratio) path (through the CV estimators' ``_on_path_done`` hook), then its
refit.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.model_selection import KFold, StratifiedKFold

from fastenet._dataset import DataError

__all__ = ["MODELS", "ModelKind", "Settings", "cv_summary", "fit_model", "logistic_Cs",
           "logistic_cv_summary", "ridge_alphas"]


@dataclass(frozen=True)
class Settings:
    """What the command line says about the fit."""

    cv: bool  # alpha chosen by cross-validation (fit), or a CV curve too (path)
    alpha: float | None  # the fixed alpha of a fit without CV
    folds: int
    seed: int | None
    l1_ratios: tuple
    n_alphas: int
    eps: float
    selection_rule: str
    tol: float
    max_iter: int
    jobs: int | None
    penalty_factor: np.ndarray | None
    C: float | None = None  # the fixed C of a logistic fit (--C, or --alpha converted)

    def splitter(self, stratified=False):
        """KFold in file order (as ``cv=K``), shuffled when a seed is given; stratified
        by class for a classifier."""
        kind = StratifiedKFold if stratified else KFold
        if self.seed is None:
            return kind(self.folds)
        return kind(self.folds, shuffle=True, random_state=self.seed)


def _lasso(s, X, y, progress):
    from fastenet import Lasso, LassoCV

    common = {"penalty_factor": s.penalty_factor, "tol": s.tol, "max_iter": s.max_iter}
    if not s.cv:
        return Lasso(alpha=s.alpha, **common)
    return LassoCV(alphas=s.n_alphas, eps=s.eps, cv=s.splitter(), n_jobs=s.jobs,
                   selection_rule=s.selection_rule, **common)


def _elasticnet(s, X, y, progress):
    from fastenet import ElasticNet, ElasticNetCV

    common = {"penalty_factor": s.penalty_factor, "tol": s.tol, "max_iter": s.max_iter}
    if not s.cv:
        return ElasticNet(alpha=s.alpha, l1_ratio=s.l1_ratios[0], **common)
    l1 = list(s.l1_ratios) if len(s.l1_ratios) > 1 else s.l1_ratios[0]
    return ElasticNetCV(l1_ratio=l1, alphas=s.n_alphas, eps=s.eps, cv=s.splitter(),
                        n_jobs=s.jobs, selection_rule=s.selection_rule, **common)


def ridge_alphas(X, n_alphas):
    """RidgeCV's grid: ``n_alphas`` values from 1e3 down to 1e-4 times the mean squared
    norm of X's centered columns (from almost no fit to almost least squares)."""
    n = X.shape[0]
    if sparse.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = np.asarray(X.multiply(X).sum(axis=0)).ravel() - n * mean**2
    else:
        sq = n * X.var(axis=0)
    scale = float(np.mean(sq)) if np.mean(sq) > 0 else 1.0
    return scale * np.geomspace(1e3, 1e-4, n_alphas)


def _ridge(s, X, y, progress):
    from fastenet import Ridge, RidgeCV

    if not s.cv:
        return Ridge(alpha=s.alpha)
    return RidgeCV(alphas=ridge_alphas(X, s.n_alphas), cv=s.splitter(),
                   scoring="neg_mean_squared_error")


def logistic_Cs(X, y, *, l1_ratios, n_alphas, eps, penalty_factor=None):
    """glmnet's grid for the logistic model, as sklearn's C (ascending): alpha from
    alpha_max, the smallest alpha (penalty per unit of mean log loss) at which every
    coefficient is 0, down to eps * alpha_max, and ``C = 1 / (alpha * n)``.

    alpha_max = max_jk |X_j^T (Y_k - freq_k)| / pf_j / (n * l1_ratio), the gradient at the
    intercept-only model (freq: the class frequencies); the smallest l1_ratio of the CV
    decides (glmnet's 1e-3 stands in for 0, which has no such alpha).
    """
    n = X.shape[0]
    classes, codes = np.unique(y, return_inverse=True)
    Y = np.eye(len(classes))[codes]
    if len(classes) == 2:
        Y = Y[:, 1:]
    G = np.abs(np.asarray(X.T @ (Y - Y.mean(axis=0)))).max(axis=1)
    if penalty_factor is not None:
        G = np.where(penalty_factor > 0, G / np.where(penalty_factor > 0, penalty_factor, 1),
                     0.0)
    top = float(G.max())
    if not top > 0:
        raise ValueError("every feature is constant or unpenalized: no grid of C")
    ratio = max(min(l1_ratios), 1e-3)
    alpha_max = top / (n * ratio)
    alphas = np.geomspace(alpha_max, alpha_max * eps, n_alphas)
    return 1.0 / (alphas * n)


MAX_CLASSES = 100  # more distinct target values than this: a regression target, refused


def _logistic(s, X, y, progress):
    from fastenet import LogisticRegression, LogisticRegressionCV

    n_classes = len(np.unique(y))
    if n_classes > MAX_CLASSES:  # integer-valued counts pass sklearn's label check
        raise ValueError(f"the target has {n_classes} distinct values; logistic needs class "
                         f"labels (at most {MAX_CLASSES} classes)")
    common = {"penalty_factor": s.penalty_factor, "tol": s.tol, "max_iter": s.max_iter}
    if not s.cv:
        C = s.C if s.C is not None else 1.0 / (s.alpha * X.shape[0])
        return LogisticRegression(C=C, l1_ratio=s.l1_ratios[0], **common)
    return LogisticRegressionCV(
        Cs=logistic_Cs(X, y, l1_ratios=s.l1_ratios, n_alphas=s.n_alphas, eps=s.eps,
                        penalty_factor=s.penalty_factor),
        l1_ratios=tuple(s.l1_ratios),
        cv=s.splitter(stratified=True), scoring="neg_log_loss", n_jobs=s.jobs,
        use_legacy_attributes=False, **common)


@dataclass(frozen=True)
class ModelKind:
    """One ``--model`` choice."""

    name: str
    estimator: str  # fixed alpha / CV class names, for the report
    cv_estimator: str
    build: object  # (Settings, X, y, Progress) -> unfitted estimator
    l1: bool = True  # has an L1 part: paths, duality gaps, alpha_1se
    classifier: bool = False  # labels, log loss and accuracy instead of squared errors
    available: bool = True
    reason: str = ""


MODELS = {
    "lasso": ModelKind("lasso", "Lasso", "LassoCV", _lasso),
    "elasticnet": ModelKind("elasticnet", "ElasticNet", "ElasticNetCV", _elasticnet),
    "ridge": ModelKind("ridge", "Ridge", "RidgeCV", _ridge, l1=False),
    "logistic": ModelKind("logistic", "LogisticRegression", "LogisticRegressionCV",
                          _logistic, classifier=True),
}


def fit_model(kind, settings, X, y, progress, *, source):
    """Build and fit ``kind``'s estimator; returns (estimator, seconds). The
    estimator's ValueError (e.g. more folds than rows) is the data's DataError."""
    try:
        model = kind.build(settings, X, y, progress)
        t0 = time.perf_counter()
        if settings.cv and kind.l1:
            steps = settings.folds * len(settings.l1_ratios)
            unit = "fold paths" if len(settings.l1_ratios) > 1 else "folds"
            if progress.enabled:
                model._on_path_done = progress.advance  # one step per fold path
            with progress.stage(f"{settings.folds}-fold CV", total=steps, unit=unit,
                                after="refit on all rows"):
                model.fit(X, y)
        else:
            label = f"{settings.folds}-fold CV" if settings.cv else "fit"
            with progress.stage(label):
                model.fit(X, y)
    except ValueError as exc:
        # (a conversion like !r would apply to the whole conditional: no quotes here)
        detail = str(exc).splitlines()[0] if str(exc) else repr(exc)
        raise DataError(source, f"cannot fit {kind.name}: {detail}") from None
    return model, time.perf_counter() - t0


def cv_summary(model, rule):
    """The CV numbers of a fitted CV estimator: alpha_min, alpha_1se, the alpha refitted
    and its mean CV MSE with its standard error (None where the estimator has none)."""
    from fastenet.plotting import cv_curve

    out = {"alpha_min": float(np.ravel(model.alpha_)[0]), "alpha_1se": None,
           "cv_mse": None, "cv_mse_se": None}
    if not hasattr(model, "mse_path_"):  # RidgeCV: the best mean score only
        out["cv_mse"] = float(-np.ravel(model.best_score_)[0])
        return out
    out["alpha_1se"] = float(model.alpha_1se_)
    alphas, mse, _ = cv_curve(model)
    chosen = out["alpha_1se"] if rule == "1se" else out["alpha_min"]
    k = int(np.argmin(np.abs(alphas - chosen)))
    n_folds = mse.shape[1]
    out["cv_mse"] = float(mse[k].mean())
    out["cv_mse_se"] = (float(mse[k].std(ddof=1) / np.sqrt(n_folds)) if n_folds > 1
                        else None)
    return out


def logistic_cv_summary(model):
    """The CV numbers of a fitted LogisticRegressionCV (new attribute layout, neg_log_loss
    scores): C_, l1_ratio_, and the mean CV log loss at them with its standard error."""
    i = int(np.flatnonzero(model.l1_ratios_ == model.l1_ratio_)[0])
    k = int(np.flatnonzero(model.Cs_ == model.C_)[0])
    losses = -model.scores_[:, i, k]
    n_folds = len(losses)
    return {"C": float(model.C_), "l1_ratio": float(model.l1_ratio_),
            "cv_log_loss": float(losses.mean()),
            "cv_log_loss_se": (float(losses.std(ddof=1) / np.sqrt(n_folds)) if n_folds > 1
                               else None)}
