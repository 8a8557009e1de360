"""``fastenet.plot_path`` and ``fastenet.plot_cv``: what they draw, on matplotlib's Agg
canvas (no display), checked through the artists they leave on the axes."""
from __future__ import annotations

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes

import fastenet

mpl = pytest.importorskip("matplotlib")
Figure = pytest.importorskip("matplotlib.figure").Figure


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, y


def _axes():
    return Figure().subplots()


def test_plot_path_draws_every_active_feature(diabetes):
    X, y = diabetes
    alphas, coefs, gaps = fastenet.lasso_path(X - X.mean(axis=0), y - y.mean(), alphas=30)
    names = [f"f{j}" for j in range(X.shape[1])]
    ax = fastenet.plot_path((alphas, coefs, gaps), ax=_axes(), feature_names=names,
                            n_labels=4)
    active = np.flatnonzero(np.any(coefs != 0, axis=1))
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == len(alphas)]
    assert len(lines) == len(active)  # the zero line has two points
    for line in lines:
        np.testing.assert_allclose(line.get_xdata(), np.log(alphas))
    # the legend: the 4 largest |coef| at the smallest alpha, in that order
    last = coefs[:, np.argmin(alphas)]
    expected = [names[j] for j in np.argsort(-np.abs(last), kind="stable")[:4]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == expected
    by_label = {line.get_label(): line for line in lines}
    for name in expected:
        np.testing.assert_allclose(by_label[name].get_ydata(), coefs[names.index(name)])
    assert ax.get_xlabel() == "log(alpha)"


def test_plot_path_top_axis_counts_nonzeros(diabetes):
    X, y = diabetes
    alphas, coefs, _ = fastenet.lasso_path(X - X.mean(axis=0), y - y.mean(), alphas=25)
    ax = fastenet.plot_path((alphas, coefs), ax=_axes())
    top = ax.child_axes[0]
    ticks = top.get_xticks()
    labels = [t.get_text() for t in top.get_xticklabels()]
    for x, label in zip(ticks, labels):
        k = int(np.argmin(np.abs(np.log(alphas) - x)))
        assert int(label) == np.count_nonzero(coefs[:, k])


def test_plot_path_accepts_a_model_with_a_path():
    alphas = np.geomspace(1.0, 0.01, 5)
    coefs = np.array([[0, 0.5, 1, 1.5, 2], [0, 0, 0, -1, -2], [0, 0, 0, 0, 0]], float)
    model = SimpleNamespace(alphas_=alphas, coef_path_=coefs)
    ax = fastenet.plot_path(model, ax=_axes())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x0", "x1"]


def test_plot_path_creates_axes_and_rejects_other_input(diabetes):
    mpl.use("Agg")
    X, y = diabetes
    ax = fastenet.plot_path(fastenet.lasso_path(X, y - y.mean(), alphas=10))
    assert ax.figure is not None
    mpl.pyplot.close(ax.figure)
    with pytest.raises(TypeError, match="lasso_path"):
        fastenet.plot_path(fastenet.Lasso())
    with pytest.raises(ValueError, match="feature_names"):
        fastenet.plot_path((np.ones(2), np.ones((3, 2))), ax=_axes(), feature_names=["a"])


def test_plot_cv_mean_and_standard_error(diabetes):
    X, y = diabetes
    model = fastenet.LassoCV(cv=4, alphas=30).fit(X, y)
    ax = fastenet.plot_cv(model, ax=_axes())
    container = ax.containers[0]  # errorbar: (data line, caps, bars)
    data_line = container.lines[0]
    np.testing.assert_allclose(data_line.get_xdata(), np.log(model.alphas_))
    np.testing.assert_allclose(data_line.get_ydata(), model.mse_path_.mean(axis=1))
    bars = container.lines[2][0].get_segments()
    se = model.mse_path_.std(axis=1, ddof=1) / 2.0
    np.testing.assert_allclose([seg[1, 1] - seg[0, 1] for seg in bars], 2 * se, rtol=1e-10)
    vertical = sorted(line.get_xdata()[0] for line in ax.get_lines()
                      if len(line.get_xdata()) == 2 and line.get_xdata()[0] ==
                      line.get_xdata()[1])
    np.testing.assert_allclose(vertical, sorted(np.log([model.alpha_, model.alpha_1se_])))


def test_plot_cv_several_l1_ratios_and_sklearn_models(diabetes):
    X, y = diabetes
    model = fastenet.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, alphas=20).fit(X, y)
    ax = fastenet.plot_cv(model, ax=_axes())
    i = [0.5, 1.0].index(model.l1_ratio_)
    np.testing.assert_allclose(ax.containers[0].lines[0].get_ydata(),
                               model.mse_path_[i].mean(axis=1))
    assert ax.get_title() == f"l1_ratio = {model.l1_ratio_:g}"
    theirs = sk.LassoCV(cv=3, alphas=20).fit(X, y)  # no alpha_1se_: one line
    ax = fastenet.plot_cv(theirs, ax=_axes())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"alpha_min = {theirs.alpha_:.4g}"]
    with pytest.raises(TypeError, match="LassoCV"):
        fastenet.plot_cv(fastenet.Lasso())


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # import fails
    with pytest.raises(ImportError, match=r"fastenet\[plot\]"):
        fastenet.plot_path((np.ones(2), np.ones((1, 2))))
