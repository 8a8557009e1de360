"""``fastenet fit``: one model (fixed alpha or chosen by CV), a report, the full result.

The result is a flat dict (written by ``--out`` as JSON): the model and its alpha
(``alpha`` is the one refitted: ``alpha_min`` or, with ``--selection-rule 1se``,
``alpha_1se``), the intercept and every coefficient by feature name on the data's own
scale (``--standardize`` fits on columns scaled to unit standard deviation and divides
the coefficients back, as glmnet's ``standardize=TRUE``), training and CV errors, the
duality gap, the epochs and the time. ``--coef-csv`` writes ``feature,coefficient`` rows,
the intercept first; numbers are written with ``repr`` so they read back exactly.
"""
from __future__ import annotations

import csv
import json

import numpy as np
from scipy import sparse

import fastenet
from fastenet._dataset import DataError
from fastenet._models import cv_summary, fit_model, logistic_cv_summary

__all__ = ["INTERCEPT", "fit_result", "output_file", "report", "run", "training_errors",
           "write_coef_csv", "write_json"]

INTERCEPT = "(intercept)"  # the intercept's row in --coef-csv (glmnet's name)


def _float(value):
    return None if value is None else float(np.ravel(value)[0])


def training_errors(y, predicted):
    """(MSE, R^2) of predictions on the training rows."""
    residual = y - predicted
    mse = float(np.mean(residual**2))
    total = float(np.sum((y - y.mean()) ** 2))
    return mse, (1.0 - float(residual @ residual) / total if total > 0 else None)


def result_header(command, data, kind):
    """The fields every command's JSON result starts with: version, data, model."""
    return {
        "fastenet_version": fastenet.__version__,
        "command": command,
        "data_file": data.source,
        "target": data.target,
        "n_samples": int(data.shape[0]),
        "n_features": int(data.shape[1]),
        "sparse": bool(sparse.issparse(data.X)),
        "model": kind.name,
    }


def _label(c):
    return f"{c:g}" if isinstance(c, (float, np.floating)) else str(c)


def classifier_result(*, kind, settings, data, scale, model, seconds, standardize):
    """The full result of a fitted classifier (logistic) as a JSON-ready dict."""
    coef = np.asarray(model.coef_, dtype=np.float64)  # (1 or n_classes, p)
    if scale is not None:
        coef = coef / scale
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    classes = model.classes_
    names = data.feature_names
    scores = np.asarray(data.X @ coef.T) + intercept
    if coef.shape[0] == 1:
        scores = np.column_stack([np.zeros(len(scores)), scores[:, 0]])
    log_proba = scores - scores.max(axis=1, keepdims=True)
    log_proba -= np.log(np.exp(log_proba).sum(axis=1, keepdims=True))
    codes = np.searchsorted(classes, data.y)
    n = int(data.shape[0])
    if coef.shape[0] == 1:
        coefficients = {name: float(c) for name, c in zip(names, coef[0])}
        intercepts = float(intercept[0])
    else:
        coefficients = {_label(k): {name: float(c) for name, c in zip(names, row)}
                        for k, row in zip(classes, coef)}
        intercepts = {_label(k): float(b) for k, b in zip(classes, intercept)}
    result = {
        **result_header("fit", data, kind),
        "estimator": kind.cv_estimator if settings.cv else kind.estimator,
        "standardize": bool(standardize),
        "penalty_factor": settings.penalty_factor is not None,
        "classes": [c.item() if hasattr(c, "item") else c for c in classes],
        "C": float(model.C_ if settings.cv else model.C),
        "alpha": None,
        "l1_ratio": float(settings.l1_ratios[0]),
        "cv_folds": settings.folds if settings.cv else None,
        "cv_seed": settings.seed if settings.cv else None,
        "cv_log_loss": None,
        "cv_log_loss_se": None,
        "intercept": intercepts,
        "n_selected": int(np.count_nonzero(np.any(coef != 0, axis=0))),
        "train_log_loss": float(-np.mean(log_proba[np.arange(n), codes])),
        "train_accuracy": float(np.mean(np.argmax(log_proba, axis=1) == codes)),
        "dual_gap": _float(getattr(model, "dual_gap_", None)),
        "n_iter": int(np.max(model.n_iter_)),
        "time_s": seconds,
        "coefficients": coefficients,
    }
    if settings.cv:
        result.update(logistic_cv_summary(model))
    result["alpha"] = 1.0 / (result["C"] * n) if np.isfinite(result["C"]) else None
    return result


def fit_result(*, kind, settings, data, X, scale, model, seconds, standardize):
    """The full result of a fitted model as a JSON-ready dict."""
    if kind.classifier:
        return classifier_result(kind=kind, settings=settings, data=data, scale=scale,
                                 model=model, seconds=seconds, standardize=standardize)
    coef = np.ravel(np.asarray(model.coef_, dtype=np.float64))
    if scale is not None:
        coef = coef / scale
    intercept = _float(model.intercept_)
    predicted = np.asarray(data.X @ coef).ravel() + intercept
    mse, r2 = training_errors(data.y, predicted)
    l1_ratio = {"lasso": 1.0, "ridge": 0.0}.get(kind.name)
    result = {
        **result_header("fit", data, kind),
        "estimator": kind.cv_estimator if settings.cv else kind.estimator,
        "standardize": bool(standardize),
        "penalty_factor": settings.penalty_factor is not None,
        "alpha": None,
        "l1_ratio": l1_ratio if l1_ratio is not None else float(settings.l1_ratios[0]),
        "cv_folds": settings.folds if settings.cv else None,
        "cv_seed": settings.seed if settings.cv else None,
        "selection_rule": settings.selection_rule if settings.cv and kind.l1 else None,
        "alpha_min": None,
        "alpha_1se": None,
        "cv_mse": None,
        "cv_mse_se": None,
        "intercept": intercept,
        "n_selected": int(np.count_nonzero(coef)),
        "train_mse": mse,
        "train_r2": r2,
        "dual_gap": _float(getattr(model, "dual_gap_", None)) if kind.l1 else None,
        "n_iter": int(np.max(model.n_iter_)) if getattr(model, "n_iter_", None) is not None
        else None,
        "time_s": seconds,
        "coefficients": {name: float(c) for name, c in zip(data.feature_names, coef)},
    }
    if settings.cv:
        result.update(cv_summary(model, settings.selection_rule))
        result["alpha"] = (result["alpha_1se"] if settings.selection_rule == "1se"
                           and result["alpha_1se"] is not None else result["alpha_min"])
        if kind.name == "elasticnet":
            result["l1_ratio"] = float(model.l1_ratio_)
    else:
        result["alpha"] = float(settings.alpha)
    return result


def _g(value, digits=4):
    return "n/a" if value is None else f"{value:.{digits}g}"


def _header(r):
    return [(f"data       {r['data_file']}: {r['n_samples']} samples x {r['n_features']} "
             f"features{' (sparse)' if r['sparse'] else ''}, target {r['target']!r}")]


def classifier_report(result, *, top, l1_ratios):
    """The short text report of ``fastenet fit --model logistic``."""
    r = result
    lines = _header(r)
    how = f"C by {r['cv_folds']}-fold CV, log loss" if r["cv_folds"] else "fixed C"
    extras = [e for e, on in (("standardized", r["standardize"]),
                              ("penalty factors", r["penalty_factor"])) if on]
    lines.append(f"model      {r['model']} ({r['estimator']}, {how})"
                 + (f"; {', '.join(extras)}" if extras else ""))
    lines.append(f"C          {_g(r['C'], 6)}   (alpha {_g(r['alpha'], 6)} = 1 / (C n))")
    chosen = f"l1_ratio   {r['l1_ratio']:g}"
    if r["cv_folds"] and len(l1_ratios) > 1:
        chosen += f"   (chosen from {', '.join(f'{v:g}' for v in l1_ratios)})"
    lines.append(chosen)
    labels = [_label(c) for c in r["classes"]]
    binary = len(labels) == 2
    lines.append(f"classes    {', '.join(labels)}"
                 + (f"   (coefficients of class {labels[1]})" if binary else
                    "   (one row of coefficients per class)"))
    lines.append(f"selected   {r['n_selected']} of {r['n_features']} features")
    if binary:
        lines.append(f"intercept  {r['intercept']:.6g}")
        named = r["coefficients"]
    else:
        lines.append("intercept  " + ", ".join(f"{k}: {v:.6g}" for k, v in
                                               r["intercept"].items()))
        named = {f"{name}[{k}]": v for k, row in r["coefficients"].items()
                 for name, v in row.items()}
    lines += _top_coefficients(named, top)
    lines.append(f"training   log loss {_g(r['train_log_loss'], 6)}   accuracy "
                 f"{_g(r['train_accuracy'])}")
    lines += _closing_lines(r, "log loss", "cv_log_loss", f"C {_g(r['C'], 6)}",
                            "Newton steps")
    return "\n".join(lines) + "\n"


def _closing_lines(r, error, key, at, steps):
    """Report lines: the CV error r[key] (+/- r[key + '_se']) at the chosen penalty,
    the duality gap with the solver's step count, the time."""
    lines = []
    if r[key] is not None:
        cv = f"CV         {error} {_g(r[key], 6)}"
        if r[key + "_se"] is not None:
            cv += f" +/- {_g(r[key + '_se'])} (one standard error)"
        lines.append(cv + f" at {at}")
    if r["dual_gap"] is not None:
        lines.append(f"dual gap   {r['dual_gap']:.3e}   ({r['n_iter']} {steps})")
    lines.append(f"time       {r['time_s']:.3f} s")
    return lines


def _top_coefficients(named, top):
    """Report lines: the `top` nonzero coefficients of {name: value} by magnitude."""
    ranked = sorted((name for name in named if named[name] != 0),
                    key=lambda name: -abs(named[name]))
    shown = ranked[:top]
    if not shown:
        return []
    width = max(len(name) for name in shown)
    which = (f"top {len(shown)} of {len(ranked)}" if len(ranked) > len(shown)
             else f"all {len(ranked)}")
    return ([f"nonzero coefficients by magnitude ({which}):"]
            + [f"  {name:<{width}}  {named[name]:+.6g}" for name in shown])


def report(result, *, top, l1_ratios):
    """The short text report of ``fastenet fit``."""
    r = result
    if "classes" in r:
        return classifier_report(result, top=top, l1_ratios=l1_ratios)
    lines = _header(r)
    how = (f"alpha by {r['cv_folds']}-fold CV" if r["cv_folds"] else "fixed alpha")
    if r["selection_rule"]:
        how += f", rule {r['selection_rule']!r}"
    extras = [e for e, on in (("standardized", r["standardize"]),
                              ("penalty factors", r["penalty_factor"])) if on]
    lines.append(f"model      {r['model']} ({r['estimator']}, {how})"
                 + (f"; {', '.join(extras)}" if extras else ""))
    alpha = f"alpha      {_g(r['alpha'], 6)}"
    if r["alpha_1se"] is not None:
        alpha += f"   (alpha_min {_g(r['alpha_min'], 6)}, alpha_1se {_g(r['alpha_1se'], 6)})"
    lines.append(alpha)
    if r["model"] == "elasticnet":
        chosen = f"l1_ratio   {r['l1_ratio']:g}"
        if r["cv_folds"] and len(l1_ratios) > 1:
            chosen += f"   (chosen from {', '.join(f'{v:g}' for v in l1_ratios)})"
        lines.append(chosen)
    lines.append(f"selected   {r['n_selected']} of {r['n_features']} features")
    lines.append(f"intercept  {r['intercept']:.6g}")
    lines += _top_coefficients(r["coefficients"], top)
    lines.append(f"training   MSE {_g(r['train_mse'], 6)}   R^2 {_g(r['train_r2'])}")
    lines += _closing_lines(r, "MSE", "cv_mse", f"alpha {_g(r['alpha'], 6)}", "epochs")
    return "\n".join(lines) + "\n"


def output_file(path, **kwargs):
    """An output file opened for writing; an unwritable path is the user's DataError."""
    try:
        return open(path, "w", encoding="utf-8", **kwargs)
    except OSError as exc:
        raise DataError(path, exc.strerror or str(exc)) from None


def write_json(path, result):
    with output_file(path) as f:
        json.dump(result, f, indent=1)
        f.write("\n")


def write_coef_csv(path, result):
    if isinstance(result["intercept"], dict):  # one column per class
        classes = list(result["intercept"])
        with output_file(path, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["feature", *(f"coefficient[{k}]" for k in classes)])
            writer.writerow([INTERCEPT, *(repr(result["intercept"][k]) for k in classes)])
            names = list(result["coefficients"][classes[0]])
            writer.writerows([name, *(repr(result["coefficients"][k][name]) for k in classes)]
                             for name in names)
        return
    with output_file(path, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["feature", "coefficient"])
        writer.writerow([INTERCEPT, repr(result["intercept"])])
        writer.writerows([name, repr(value)] for name, value in
                         result["coefficients"].items())


def run(*, kind, settings, data, X, scale, standardize, progress, top, out_json, coef_csv,
        stdout):
    """``fastenet fit``: fit, print the report, write the requested files."""
    model, seconds = fit_model(kind, settings, X, data.y, progress, source=data.source)
    result = fit_result(kind=kind, settings=settings, data=data, X=X, scale=scale,
                        model=model, seconds=seconds, standardize=standardize)
    stdout.write(report(result, top=top, l1_ratios=settings.l1_ratios))
    for path, write in ((out_json, write_json), (coef_csv, write_coef_csv)):
        if path is not None:
            write(path, result)
            stdout.write(f"wrote      {path}\n")
    return result
