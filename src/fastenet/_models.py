"""The models of the ``fastenet`` command: ``--model NAME`` -> a fitted estimator.

Each :class:`ModelKind` knows how to build its fixed-alpha estimator and its
cross-validated one from :class:`Settings`. A kind whose estimator does not exist yet
(``logistic``) is listed with ``available=False`` and a reason, so the command names it
and refuses it with a usage error; adding it is one entry here (and its error measure in
the report, which is the squared error for every regression model).

``fit_model`` runs the fit under the progress line: a CV fit reports each finished
(fold, l1_ratio) path (through the CV estimators' ``_on_path_done`` hook), then its
refit.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.model_selection import KFold

from fastenet._dataset import DataError

__all__ = ["MODELS", "ModelKind", "Settings", "cv_summary", "fit_model", "ridge_alphas"]


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

    def splitter(self):
        """KFold in file order (as ``cv=K``), shuffled when a seed is given."""
        if self.seed is None:
            return KFold(self.folds)
        return KFold(self.folds, shuffle=True, random_state=self.seed)


def _lasso(s, X, progress):
    from fastenet import Lasso, LassoCV

    common = {"penalty_factor": s.penalty_factor, "tol": s.tol, "max_iter": s.max_iter}
    if not s.cv:
        return Lasso(alpha=s.alpha, **common)
    return LassoCV(alphas=s.n_alphas, eps=s.eps, cv=s.splitter(), n_jobs=s.jobs,
                   selection_rule=s.selection_rule, **common)


def _elasticnet(s, X, progress):
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


def _ridge(s, X, progress):
    from fastenet import Ridge, RidgeCV

    if not s.cv:
        return Ridge(alpha=s.alpha)
    return RidgeCV(alphas=ridge_alphas(X, s.n_alphas), cv=s.splitter(),
                   scoring="neg_mean_squared_error")


@dataclass(frozen=True)
class ModelKind:
    """One ``--model`` choice."""

    name: str
    estimator: str  # fixed alpha / CV class names, for the report
    cv_estimator: str
    build: object  # (Settings, X, Progress) -> unfitted estimator
    l1: bool = True  # has an L1 part: paths, duality gaps, alpha_1se
    available: bool = True
    reason: str = ""


MODELS = {
    "lasso": ModelKind("lasso", "Lasso", "LassoCV", _lasso),
    "elasticnet": ModelKind("elasticnet", "ElasticNet", "ElasticNetCV", _elasticnet),
    "ridge": ModelKind("ridge", "Ridge", "RidgeCV", _ridge, l1=False),
    "logistic": ModelKind("logistic", "LogisticRegression", "LogisticRegressionCV", None,
                          available=False,
                          reason="logistic regression is not available yet"),
}


def fit_model(kind, settings, X, y, progress, *, source):
    """Build and fit ``kind``'s estimator; returns (estimator, seconds). The
    estimator's ValueError (e.g. more folds than rows) is the data's DataError."""
    model = kind.build(settings, X, progress)
    t0 = time.perf_counter()
    try:
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
        raise DataError(source, f"cannot fit {kind.name}: "
                                f"{str(exc).splitlines()[0] if str(exc) else exc!r}") from None
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
