"""``fastenet path``: the regularization path with an intercept (and the CV curve), its
summary, its two glmnet-style pictures and its full result.

The path functions fit no intercept (as sklearn's), so the path is solved on centered
data: dense X is centered on a copy; sparse X is never centered (that would densify it)
but gets an unpenalized column of ones (``penalty_factor`` 0), whose coefficient is the
intercept's offset. Either way each point is the model ``Lasso`` / ``ElasticNet`` fits at
that alpha. With ``--cv`` the CV estimator runs first and the path uses its alpha grid
(of the chosen ``l1_ratio``), so the two pictures share their x axis.
"""
from __future__ import annotations

import json

import numpy as np
from scipy import sparse

import fastenet
from fastenet._dataset import DataError
from fastenet._fit_command import output_file, result_header
from fastenet._models import cv_summary, fit_model

__all__ = ["PLOT_FORMATS", "compute_path", "path_result", "run", "summary"]

PLOT_FORMATS = (".png", ".svg", ".pdf")
_SHOWN_CHANGES = 20  # rows of the summary table


def compute_path(*, X, y, l1_ratio, alphas, settings, progress, source):
    """(alphas, coefs (p, n_alphas), intercepts, dual_gaps) of the path with an
    intercept; ``alphas`` is a grid or a number of alphas (sklearn's grid)."""
    y_mean = float(np.mean(y))
    y_c = y - y_mean
    pf = settings.penalty_factor
    p = X.shape[1]
    if sparse.issparse(X):
        design = sparse.hstack([X, np.ones((X.shape[0], 1))], format="csc")
        design.sort_indices()
        pf = np.append(np.ones(p) if pf is None else pf, 0.0)
    else:
        design = np.asfortranarray(X - X.mean(axis=0))
    n_alphas = alphas if np.ndim(alphas) == 0 else len(alphas)
    try:
        with progress.stage(f"path ({n_alphas} alphas)"):
            grid, coefs, gaps = fastenet.enet_path(
                design, y_c, l1_ratio=l1_ratio, alphas=alphas, eps=settings.eps,
                tol=settings.tol, max_iter=settings.max_iter, penalty_factor=pf)
    except ValueError as exc:
        raise DataError(source, f"cannot compute the path: {exc}") from None
    if sparse.issparse(X):
        intercepts = y_mean + coefs[p]
        coefs = coefs[:p]
    else:
        intercepts = y_mean - np.asarray(X.mean(axis=0)) @ coefs
    return grid, np.asarray(coefs, dtype=np.float64), intercepts, gaps


def path_result(*, kind, data, l1_ratio, alphas, coefs, intercepts, gaps, cv, standardize):
    """The path as a JSON-ready dict; coefficients (on the data's scale) only for the
    features nonzero somewhere on the path."""
    active = np.flatnonzero(np.any(coefs != 0, axis=1))
    predicted = np.asarray(data.X[:, active] @ coefs[active]) + intercepts
    residual = data.y[:, None] - predicted
    total = float(np.sum((data.y - data.y.mean()) ** 2))
    r2 = 1.0 - np.sum(residual**2, axis=0) / total if total > 0 else np.full(len(alphas),
                                                                             np.nan)
    return {
        **result_header("path", data, kind),
        "l1_ratio": float(l1_ratio),
        "standardize": bool(standardize),
        "alphas": [float(a) for a in alphas],
        "intercepts": [float(b) for b in intercepts],
        "dual_gaps": [float(g) for g in gaps],
        "n_nonzero": [int(k) for k in np.count_nonzero(coefs, axis=0)],
        "train_r2": [float(v) for v in r2],
        "cv": cv,
        "coefficients": {data.feature_names[j]: [float(c) for c in coefs[j]]
                         for j in active},
    }


def summary(result, feature_names_order):
    """The text summary: grid, and the steps where the set of nonzero coefficients
    changes (features entering with +, leaving with -)."""
    r = result
    alphas = r["alphas"]
    lines = [(f"data       {r['data_file']}: {r['n_samples']} samples x {r['n_features']} "
              f"features{' (sparse)' if r['sparse'] else ''}, target {r['target']!r}"),
             (f"path       {r['model']}, l1_ratio {r['l1_ratio']:g}, {len(alphas)} alphas "
              f"from {alphas[0]:.4g} down to {alphas[-1]:.4g}"
              + ("; standardized" if r["standardize"] else "")),
             f"{'step':>6} {'alpha':>11} {'nonzero':>8} {'R^2':>7}  change"]
    order = {name: j for j, name in enumerate(feature_names_order)}
    coefs = r["coefficients"]
    previous, rows = set(), []
    for k, alpha in enumerate(alphas):
        now = {name for name, values in coefs.items() if values[k] != 0}
        if now != previous or k in (0, len(alphas) - 1):
            change = ([f"+{n}" for n in sorted(now - previous, key=order.get)]
                      + [f"-{n}" for n in sorted(previous - now, key=order.get)])
            rows.append(f"{k + 1:>6} {alpha:>11.4g} {r['n_nonzero'][k]:>8} "
                        f"{r['train_r2'][k]:>7.4f}  {' '.join(change)}".rstrip())
        previous = now
    if len(rows) > _SHOWN_CHANGES:
        hidden = len(rows) - _SHOWN_CHANGES
        note = f"{'...':>6} ({hidden} more steps with changes; --out has every step)"
        rows = [*rows[:_SHOWN_CHANGES - 1], note, rows[-1]]
    lines += rows
    cv = r["cv"]
    if cv is not None:
        lines.append(f"CV         {cv['folds']}-fold: alpha_min {cv['alpha_min']:.6g}, "
                     f"alpha_1se {cv['alpha_1se']:.6g}; MSE {cv['cv_mse']:.6g} at "
                     f"alpha_{cv['selection_rule']}")
    return "\n".join(lines) + "\n"


def draw(path, *, kind, source, result_tuple, feature_names, cv_model):
    """The path picture, and the CV picture beside it; the format from the extension."""
    from matplotlib.figure import Figure

    from fastenet.plotting import plot_cv, plot_path

    fig = Figure(figsize=(11.5, 4.4) if cv_model is not None else (6.4, 4.6),
                 layout="constrained")
    axes = fig.subplots(1, 2 if cv_model is not None else 1, squeeze=False)[0]
    plot_path(result_tuple, ax=axes[0], feature_names=feature_names)
    fig.suptitle(f"{kind.name}: {source}", fontsize="medium")
    if cv_model is not None:
        for alpha, style in ((cv_model.alpha_, "--"), (cv_model.alpha_1se_, ":")):
            axes[0].axvline(np.log(alpha), color="0.2", linestyle=style, linewidth=0.9)
        plot_cv(cv_model, ax=axes[1])
    try:
        fig.savefig(path)
    except OSError as exc:
        raise DataError(path, exc.strerror or str(exc)) from None


def run(*, kind, settings, data, X, scale, standardize, progress, plot, out_json, stdout):
    """``fastenet path``: [CV ->] path -> summary -> picture -> JSON."""
    cv_model, cv = None, None
    l1_ratio = {"lasso": 1.0}.get(kind.name, settings.l1_ratios[0])
    alphas = settings.n_alphas
    if settings.cv:
        from fastenet.plotting import cv_curve

        cv_model, _ = fit_model(kind, settings, X, data.y, progress, source=data.source)
        l1_ratio = float(getattr(cv_model, "l1_ratio_", l1_ratio))
        alphas, mse, _ = cv_curve(cv_model)
        n_folds = mse.shape[1]
        cv = {"folds": settings.folds, "seed": settings.seed,
              "selection_rule": settings.selection_rule,
              **cv_summary(cv_model, settings.selection_rule),
              "mse_mean": [float(v) for v in mse.mean(axis=1)],
              "mse_se": [float(v) for v in (mse.std(axis=1, ddof=1) / np.sqrt(n_folds)
                                            if n_folds > 1 else np.zeros(len(alphas)))]}
    grid, coefs, intercepts, gaps = compute_path(X=X, y=data.y, l1_ratio=l1_ratio,
                                                 alphas=alphas, settings=settings,
                                                 progress=progress, source=data.source)
    if scale is not None:
        coefs = coefs / scale[:, None]
    result = path_result(kind=kind, data=data, l1_ratio=l1_ratio, alphas=grid, coefs=coefs,
                         intercepts=intercepts, gaps=gaps, cv=cv, standardize=standardize)
    stdout.write(summary(result, data.feature_names))
    if plot is not None:
        draw(plot, kind=kind, source=data.source, result_tuple=(grid, coefs),
             feature_names=data.feature_names, cv_model=cv_model)
        stdout.write(f"wrote      {plot}\n")
    if out_json is not None:
        with output_file(out_json) as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        stdout.write(f"wrote      {out_json}\n")
    return result
