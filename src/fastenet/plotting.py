"""glmnet's two pictures: coefficient paths and the cross-validation curve.

``plot_path`` draws each coefficient against log(alpha) (glmnet's ``plot(fit,
xvar="lambda")``), with the number of nonzero coefficients along the top axis;
``plot_cv`` draws the mean cross-validated MSE with one-standard-error bars and the
alpha_min / alpha_1se lines (glmnet's ``plot(cv.fit)``). Both need matplotlib (the
``fastenet[plot]`` extra), imported only when they are called.
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot_cv", "plot_path"]

_N_TOP_TICKS = 6  # nonzero counts shown along the path plot's top axis


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("fastenet's plots need matplotlib: pip install 'fastenet[plot]' "
                          "(or pip install matplotlib)") from None
    return plt


def _axes(ax):
    if ax is None:
        _, ax = _pyplot().subplots()
    return ax


def _path_arrays(model_or_path_result):
    """(alphas, coefs (p, n_alphas)) from a path function's result or a model with
    ``alphas_`` and ``coef_path_``."""
    obj = model_or_path_result
    if isinstance(obj, (tuple, list)) and len(obj) >= 2:
        alphas, coefs = obj[0], obj[1]
    elif hasattr(obj, "alphas_") and hasattr(obj, "coef_path_"):
        alphas, coefs = obj.alphas_, obj.coef_path_
    else:
        raise TypeError(
            "plot_path takes the result of lasso_path / enet_path (alphas, coefs, ...) or "
            f"a fitted model with alphas_ and coef_path_, got {type(obj).__name__}")
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim == 3 and coefs.shape[0] == 1:  # a path of a 2-D y with one column
        coefs = coefs[0]
    if coefs.ndim != 2 or coefs.shape[1] != alphas.shape[0]:
        raise ValueError(f"coefs must have shape (n_features, {alphas.shape[0]}), got "
                         f"{coefs.shape}")
    if np.any(alphas <= 0):
        raise ValueError("a log(alpha) axis needs alphas > 0")
    return alphas, coefs


def plot_path(model_or_path_result, ax=None, *, feature_names=None, n_labels=10):
    """Coefficient paths against log(alpha), glmnet style.

    Parameters
    ----------
    model_or_path_result : tuple or estimator
        What :func:`fastenet.lasso_path` / :func:`fastenet.enet_path` return
        (``alphas, coefs, ...``), or a fitted model with ``alphas_`` and ``coef_path_``
        of shape (n_features, n_alphas).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's axes when None.
    feature_names : sequence of str, default=None
        Names for the legend (``x0``, ``x1``, ... when None).
    n_labels : int, default=10
        The features largest in magnitude at the smallest alpha get a colour and an
        entry in the legend (right of the axes); the other paths are thin grey lines.

    Returns
    -------
    ax : matplotlib Axes
        The top axis shows the number of nonzero coefficients at its ticks.
    """
    alphas, coefs = _path_arrays(model_or_path_result)
    ax = _axes(ax)
    x = np.log(alphas)
    p = coefs.shape[0]
    names = [f"x{j}" for j in range(p)] if feature_names is None else list(feature_names)
    if len(names) != p:
        raise ValueError(f"feature_names has {len(names)} names for {p} features")
    active = np.flatnonzero(np.any(coefs != 0, axis=1))
    last = np.argmin(alphas)
    order = active[np.argsort(-np.abs(coefs[active, last]), kind="stable")]
    top, rest = order[:n_labels], order[n_labels:]
    if rest.size:
        ax.plot(x, coefs[rest].T, color="0.7", linewidth=0.6, zorder=1)
    for k, j in enumerate(top):
        ax.plot(x, coefs[j], color=f"C{k % 10}", linewidth=1.4, label=names[j], zorder=2)
    ax.axhline(0.0, color="0.3", linewidth=0.6, zorder=0)
    ax.set_xlabel("log(alpha)")
    ax.set_ylabel("coefficient")
    if top.size:  # beside the axes, where glmnet writes its labels
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0.0, frameon=False, title_fontsize="small",
                  title=None if not rest.size else f"top {top.size} of {active.size}")
    nnz = np.count_nonzero(coefs, axis=0)
    ticks = np.unique(np.linspace(0, alphas.shape[0] - 1, _N_TOP_TICKS).round().astype(int))
    top_axis = ax.secondary_xaxis("top")
    top_axis.set_xticks(x[ticks], labels=[str(v) for v in nnz[ticks]])
    top_axis.set_xlabel("nonzero coefficients")
    return ax


def cv_curve(cv_model):
    """(alphas, mse (n_alphas, n_folds), l1_ratio or None) of the chosen l1_ratio."""
    if not (hasattr(cv_model, "mse_path_") and hasattr(cv_model, "alphas_")):
        raise TypeError("plot_cv takes a fitted LassoCV or ElasticNetCV (with mse_path_ and "
                        f"alphas_), got {type(cv_model).__name__}")
    mse = np.asarray(cv_model.mse_path_, dtype=np.float64)
    alphas = np.asarray(cv_model.alphas_, dtype=np.float64)
    l1_ratio = None
    if mse.ndim == 3:  # several l1_ratio: (n_l1, n_alphas, n_folds)
        ratios = np.atleast_1d(np.asarray(cv_model.l1_ratio, dtype=np.float64))
        i = int(np.flatnonzero(ratios == cv_model.l1_ratio_)[0])
        mse = mse[i]
        alphas = alphas[i] if alphas.ndim == 2 else alphas
        l1_ratio = float(cv_model.l1_ratio_)
    elif mse.ndim == 1:  # one fold
        mse = mse[:, None]
    return alphas, mse, l1_ratio


def plot_cv(cv_model, ax=None):
    """Cross-validated mean squared error against log(alpha), glmnet style.

    Parameters
    ----------
    cv_model : fitted LassoCV or ElasticNetCV
        fastenet's, or scikit-learn's (which has no ``alpha_1se_``: only the alpha_min
        line is drawn). With several ``l1_ratio`` the curve of the chosen ``l1_ratio_``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's axes when None.

    Returns
    -------
    ax : matplotlib Axes
        Red dots: the mean MSE over folds at each alpha; grey bars: one standard error
        (std over folds / sqrt(n_folds)); dashed lines at ``alpha_`` and ``alpha_1se_``.
    """
    alphas, mse, l1_ratio = cv_curve(cv_model)
    ax = _axes(ax)
    n_folds = mse.shape[1]
    mean = mse.mean(axis=1)
    se = mse.std(axis=1, ddof=1) / np.sqrt(n_folds) if n_folds > 1 else np.zeros_like(mean)
    x = np.log(alphas)
    ax.errorbar(x, mean, yerr=se, fmt="o", color="tab:red", markersize=3, ecolor="0.6",
                elinewidth=0.8, capsize=1.5, zorder=2)
    ax.axvline(np.log(cv_model.alpha_), color="0.2", linestyle="--", linewidth=0.9,
               label=f"alpha_min = {cv_model.alpha_:.4g}")
    alpha_1se = getattr(cv_model, "alpha_1se_", None)
    if alpha_1se is not None:
        ax.axvline(np.log(alpha_1se), color="0.2", linestyle=":", linewidth=0.9,
                   label=f"alpha_1se = {alpha_1se:.4g}")
    ax.set_xlabel("log(alpha)")
    ax.set_ylabel(f"mean squared error ({n_folds}-fold CV)")
    if l1_ratio is not None:
        ax.set_title(f"l1_ratio = {l1_ratio:g}")
    ax.legend(fontsize="small", loc="best")
    return ax
