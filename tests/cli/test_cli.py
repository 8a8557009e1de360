"""The ``fastenet`` command on small CSV, svmlight and npz files made here.

Results are checked against the Python API on the same data: coefficients, intercepts
and alphas to ``EXACT`` (the command calls the same estimators), path points against a
single fit to ``PATH_VS_FIT`` (both stop on tol=1e-4 certificates). Every user error
must exit with 1 (data) or 2 (usage), print a message naming the file / line / column,
and never a traceback.

Each command started as a subprocess (``python -m fastenet``) costs a Python start and a
scikit-learn import (seconds on a busy machine), so one of each kind runs as a
subprocess: fits of a CSV, an svmlight and an npz file, a path with its PNG, and the
error paths that only a process shows (exit codes, no traceback, a missing matplotlib).
They are launched together by the module-scoped fixture ``runs``. The other invocations
call the same entry point, ``fastenet._cli.main``, in this process.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import dump_svmlight_file, load_svmlight_file
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold

import fastenet
from fastenet import _benchmark, _cli
from fastenet._models import logistic_Cs

EXACT = 1e-10  # same estimator, same data: only the JSON / CSV round trip in between
PATH_VS_FIT = 1e-3  # relative: a path point and a single fit, both at tol=1e-4
N_WORKERS = 4
FEATURES = ["a", "b", "c", "d", "e"]


def _dense_problem(seed=0, n=60):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, len(FEATURES))) * [1.0, 2.0, 0.5, 3.0, 1.0] + 1.0
    y = X @ [1.5, -2.0, 0.0, 0.7, 0.0] + 4.0 + 0.5 * rng.standard_normal(n)
    return X, y


def _sparse_problem(seed=1, n=50, p=30):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=0.3, format="csr", random_state=seed)
    X.data = np.round(X.data * 10) / 10 + 0.1  # short decimals: exact in the text file
    w = np.zeros(p)
    w[:5] = [2.0, -1.0, 1.5, 0.5, -2.5]
    y = np.round(X @ w + 1.0 + 0.1 * rng.standard_normal(n), 6)
    return X, y


def _labelled_problem(n_classes, seed=2, n=90):
    """Classes 0/1 (or 0/1/2) from a noisy linear score of the dense features."""
    X, _ = _dense_problem(seed, n)
    rng = np.random.default_rng(seed)
    t = (X - X.mean(axis=0)) @ [1.5, -2.0, 0.0, 0.7, 0.0] + 1.5 * rng.standard_normal(n)
    y = (t > 0).astype(int) if n_classes == 2 else np.digitize(t, [-2.0, 2.0])
    return X, y


def _write_csv(path, names, rows, delimiter=","):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(names)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    X, y = _dense_problem()
    _write_csv(d / "data.csv", [*FEATURES, "y"],
               [[repr(float(v)) for v in row] + [repr(float(t))] for row, t in zip(X, y)])
    cities = np.array(["Paris", "Rome", "Oslo"])[np.arange(len(y)) % 3]
    _write_csv(d / "text.tsv", ["a", "city", "y"],
               [[repr(float(X[i, 0])), cities[i], repr(float(y[i] + (cities[i] == "Rome")))]
                for i in range(len(y))], delimiter="\t")
    np.savez(d / "dense.npz", X=X, y=y)
    Xs, ys = _sparse_problem()
    dump_svmlight_file(Xs, ys, str(d / "data.svm"), zero_based=False)
    Xc = Xs.tocsc()
    np.savez(d / "sparse.npz", format=np.array("csc"), shape=np.array(Xc.shape),
             data=Xc.data, indices=Xc.indices, indptr=Xc.indptr, y=ys)
    (d / "pf.txt").write_text("# feature factor\n1 0\n3 2.5\n")  # svmlight names
    (d / "pf_short.txt").write_text("1\n1\n")
    (d / "empty.csv").write_text("")
    (d / "data.xlsx").write_text("a,y\n1,2\n")
    (d / "bad.svm").write_text("1 1:0.5 3:1\n\n0 2:abc\n")
    (d / "ragged.csv").write_text("a,b,y\n1,2,3\n4,5\n")
    (d / "missing.csv").write_text("a,b,y\n1,2,3\n4,,6\n")
    (d / "tiny.csv").write_text("a,y\n1,2\n2,3\n3,5\n")
    np.savez(d / "noy.npz", X=X)
    for name, n_classes in (("labels.csv", 2), ("labels3.csv", 3)):
        Xl, yl = _labelled_problem(n_classes)
        _write_csv(d / name, [*FEATURES, "y"],
                   [[repr(float(v)) for v in row] + [str(int(t))] for row, t in zip(Xl, yl)])
    nompl = d / "nompl" / "matplotlib"
    nompl.mkdir(parents=True)
    (nompl / "__init__.py").write_text("raise ImportError('no matplotlib here')\n")
    return d


def _invocations(d):
    """name -> (argv after `python -m fastenet`, extra environment)."""
    data, svm = str(d / "data.csv"), str(d / "data.svm")
    no_mpl = {"PYTHONPATH": str(d / "nompl")}
    return {
        "fit_alpha": (["fit", data, "--target", "y", "--alpha", "0.05",
                       "--out", str(d / "alpha.json"), "--coef-csv", str(d / "alpha.csv")], {}),
        "fit_cv": (["fit", data, "--target", "y", "--cv", "4", "--out", str(d / "cv.json")],
                   {}),
        "fit_enet_cv": (["fit", str(d / "dense.npz"), "--model", "elasticnet", "--l1-ratio",
                         "0.5", "0.9", "--cv", "3", "--standardize", "--selection-rule",
                         "1se", "--out", str(d / "enet.json")], {}),
        "fit_svm_pf": (["fit", svm, "--model", "elasticnet", "--alpha", "0.01", "--l1-ratio",
                        "0.7", "--penalty-factor", str(d / "pf.txt"),
                        "--out", str(d / "svm.json")], {}),
        "fit_ridge": (["fit", str(d / "sparse.npz"), "--model", "ridge", "--alpha", "2.0",
                       "--out", str(d / "ridge.json")], {}),
        "fit_one_hot": (["fit", str(d / "text.tsv"), "--target", "y", "--one-hot", "--alpha",
                         "0.01", "--out", str(d / "onehot.json")], {}),
        "path_cv": (["path", data, "--target", "y", "--cv", "3", "--plot",
                     str(d / "path.png"), "--out", str(d / "path.json")], {}),
        "path_sparse": (["path", svm, "--n-alphas", "20", "--out", str(d / "spath.json")],
                        {}),
        "fit_logistic_cv": (["fit", str(d / "labels.csv"), "--target", "y", "--model",
                             "logistic", "--l1-ratio", "0.5", "1", "--cv", "3", "--n-alphas",
                             "20", "--out", str(d / "logit_cv.json")], {}),
        "fit_logistic_C": (["fit", str(d / "labels3.csv"), "--target", "y", "--model",
                            "logistic", "--C", "0.5", "--out", str(d / "logit3.json"),
                            "--coef-csv", str(d / "logit3.csv")], {}),
        "fit_logistic_alpha": (["fit", str(d / "labels.csv"), "--target", "y", "--model",
                                "logistic", "--alpha", "0.02", "--l1-ratio", "0",
                                "--out", str(d / "logit_alpha.json")], {}),
        "help": (["--help"], {}),
        # user errors (ERRORS below)
        "err_missing_file": (["fit", str(d / "nope.csv"), "--target", "y"], {}),
        "err_missing_column": (["fit", data, "--target", "price"], {}),
        "err_no_target": (["fit", data], {}),
        "err_non_numeric": (["fit", str(d / "text.tsv"), "--target", "y"], {}),
        "err_empty": (["fit", str(d / "empty.csv"), "--target", "y"], {}),
        "err_extension": (["fit", str(d / "data.xlsx"), "--target", "y"], {}),
        "err_svmlight_line": (["fit", str(d / "bad.svm")], {}),
        "err_ragged": (["fit", str(d / "ragged.csv"), "--target", "y"], {}),
        "err_missing_value": (["fit", str(d / "missing.csv"), "--target", "y"], {}),
        "err_npz_no_y": (["fit", str(d / "noy.npz")], {}),
        "err_pf_count": (["fit", data, "--target", "y", "--penalty-factor",
                          str(d / "pf_short.txt")], {}),
        "err_more_folds_than_rows": (["fit", str(d / "tiny.csv"), "--target", "y", "--cv",
                                      "5"], {}),
        "err_out_unwritable": (["fit", data, "--target", "y", "--alpha", "1", "--out",
                                str(d / "no" / "dir" / "r.json")], {}),
        "err_no_matplotlib": (["path", data, "--target", "y", "--plot", str(d / "x.png")],
                              no_mpl),
        "err_logistic_continuous": (["fit", "--model", "logistic"], {}),
        "usage_C_lasso": (["fit", "--C", "1"], {}),
        "usage_logistic_1se": (["fit", "--model", "logistic", "--selection-rule", "1se"],
                               {}),
        "usage_l1_ratio_zero": (["fit", "--model", "elasticnet", "--l1-ratio", "0"], {}),
        "usage_alpha_and_cv": (["fit", "--alpha", "1", "--cv", "5"], {}),
        "usage_l1_ratio_lasso": (["fit", "--l1-ratio", "0.5"], {}),
        "usage_plot_format": (["path", "--plot", str(d / "path.gif")], {}),
        "usage_one_fold": (["fit", "--cv", "1"], {}),
        "usage_negative_alpha": (["fit", "--alpha", "-1"], {}),
        "usage_unknown_command": (["fitt"], {}),
    }


# run as subprocesses; the rest of _invocations runs in this process
SUBPROCESS = ("fit_alpha", "fit_enet_cv", "fit_svm_pf", "path_cv", "err_missing_file",
              "err_svmlight_line", "err_no_matplotlib", "err_logistic_continuous")

ERRORS = {  # name -> (exit code, substrings of the last stderr line)
    "err_missing_file": (1, ["nope.csv: no such file"]),
    "err_missing_column": (1, ["data.csv: no column 'price'", "a, b, c"]),
    "err_no_target": (1, ["data.csv: name the target column with --target"]),
    "err_non_numeric": (1, ["text.tsv: line 2: column 'city' is not numeric", "--one-hot"]),
    "err_empty": (1, ["empty.csv: file is empty"]),
    "err_extension": (1, ["data.xlsx: unknown data file extension '.xlsx'", "--format"]),
    "err_svmlight_line": (1, ["bad.svm: line 3: value 'abc' of feature 2 is not a number"]),
    "err_ragged": (1, ["ragged.csv: line 3: 2 fields, the header has 3"]),
    "err_missing_value": (1, ["missing.csv: line 3: column 'b' has a missing value"]),
    "err_npz_no_y": (1, ["noy.npz: no array 'y'"]),
    "err_pf_count": (1, ["pf_short.txt: 2 penalty factors for 5 features"]),
    "err_more_folds_than_rows": (1, ["tiny.csv: cannot fit lasso", "n_splits=5"]),
    "err_out_unwritable": (1, ["r.json: No such file or directory"]),
    "err_no_matplotlib": (1, ["x.png: drawing needs matplotlib", "fastenet[plot]"]),
    "err_logistic_continuous": (1, ["cannot fit logistic: the target has 214 distinct values"]),
    "usage_C_lasso": (2, ["--C: only for --model logistic"]),
    "usage_logistic_1se": (2, ["--selection-rule: 1se is not available for --model logistic"]),
    "usage_l1_ratio_zero": (2, ["--l1-ratio: 0 is only for --model logistic"]),
    "usage_alpha_and_cv": (2, ["not allowed with argument"]),
    "usage_l1_ratio_lasso": (2, ["--l1-ratio: only for --model elasticnet or logistic"]),
    "usage_plot_format": (2, ["unknown picture format '.gif'"]),
    "usage_one_fold": (2, ["1 is not an integer >= 2"]),
    "usage_negative_alpha": (2, ["argument --alpha"]),
    "usage_unknown_command": (2, ["invalid choice: 'fitt'"]),
}


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def runs(files):
    """name -> Run of the SUBPROCESS invocations, launched together."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    invocations = _invocations(files)

    def launch(name):
        argv, extra = invocations[name]
        done = subprocess.run([sys.executable, "-m", "fastenet", *argv], check=False,
                              capture_output=True, text=True, timeout=300,
                              env={**env, **extra}, cwd=files)
        return name, Run(done.returncode, done.stdout, done.stderr)

    with ThreadPoolExecutor(N_WORKERS) as pool:
        return dict(pool.map(launch, SUBPROCESS))


@pytest.fixture
def run(runs, files, capsys):
    """run(name): the subprocess's Run, or ``_cli.main`` called here (argparse's exit
    is its status, an exception escaping main fails the test)."""
    def invoke(name):
        if name in runs:
            return runs[name]
        argv, extra = _invocations(files)[name]
        assert not extra
        capsys.readouterr()
        try:
            code = _cli.main(argv)
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return Run(code, out, err)
    return invoke


def _ok(run, name):
    done = run(name)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done


def _json(path):
    return json.loads(path.read_text())


def _coef_vector(result, names):
    return np.array([result["coefficients"][name] for name in names])


def test_fit_fixed_alpha_matches_lasso(run, files):
    done = _ok(run, "fit_alpha")
    X, y = _dense_problem()
    model = fastenet.Lasso(alpha=0.05).fit(X, y)
    result = _json(files / "alpha.json")
    np.testing.assert_allclose(_coef_vector(result, FEATURES), model.coef_, rtol=0, atol=EXACT)
    assert abs(result["intercept"] - model.intercept_) <= EXACT
    assert result["alpha"] == 0.05 and result["model"] == "lasso"
    assert result["estimator"] == "Lasso" and result["cv_mse"] is None
    assert result["n_selected"] == np.count_nonzero(model.coef_)
    assert (result["n_samples"], result["n_features"]) == X.shape
    assert result["data_file"].endswith("data.csv") and result["target"] == "y"
    assert abs(result["dual_gap"] - model.dual_gap_) <= EXACT
    assert result["n_iter"] == model.n_iter_
    residual = y - model.predict(X)
    assert result["train_mse"] == pytest.approx(np.mean(residual**2), rel=1e-12)
    assert result["train_r2"] == pytest.approx(model.score(X, y), rel=1e-12)
    # the CSV: the intercept first, then every feature in column order, exact numbers
    rows = list(csv.reader((files / "alpha.csv").open()))
    assert rows[0] == ["feature", "coefficient"]
    assert rows[1][0] == "(intercept)" and float(rows[1][1]) == result["intercept"]
    assert [r[0] for r in rows[2:]] == FEATURES
    assert [float(r[1]) for r in rows[2:]] == list(_coef_vector(result, FEATURES))
    # the report names the top coefficient and the alpha
    top = FEATURES[int(np.argmax(np.abs(model.coef_)))]
    assert f"  {top} " in done.stdout and "alpha      0.05" in done.stdout


def test_fit_cv_matches_lassocv(run, files):
    done = _ok(run, "fit_cv")
    X, y = _dense_problem()
    model = fastenet.LassoCV(cv=4).fit(X, y)
    result = _json(files / "cv.json")
    assert result["alpha"] == pytest.approx(model.alpha_, rel=EXACT)
    assert result["alpha_min"] == pytest.approx(model.alpha_, rel=EXACT)
    assert result["alpha_1se"] == pytest.approx(model.alpha_1se_, rel=EXACT)
    np.testing.assert_allclose(_coef_vector(result, FEATURES), model.coef_, rtol=0, atol=EXACT)
    assert abs(result["intercept"] - model.intercept_) <= EXACT
    k = int(np.argmin(np.abs(model.alphas_ - model.alpha_)))
    assert result["cv_mse"] == pytest.approx(model.mse_path_[k].mean(), rel=1e-12)
    assert result["cv_mse_se"] == pytest.approx(
        model.mse_path_[k].std(ddof=1) / 2.0, rel=1e-12)
    assert result["cv_folds"] == 4 and result["selection_rule"] == "min"
    assert "CV         MSE" in done.stdout


def test_fit_elasticnet_cv_standardized_1se(run, files):
    _ok(run, "fit_enet_cv")
    X, y = _dense_problem()
    scale = X.std(axis=0)
    model = fastenet.ElasticNetCV(l1_ratio=[0.5, 0.9], cv=3, selection_rule="1se")
    model.fit(X / scale, y)
    result = _json(files / "enet.json")
    names = [f"x{j}" for j in range(X.shape[1])]  # npz without feature_names
    np.testing.assert_allclose(_coef_vector(result, names), model.coef_ / scale, rtol=0,
                               atol=EXACT)
    assert result["alpha"] == pytest.approx(model.alpha_1se_, rel=EXACT)
    assert result["l1_ratio"] == model.l1_ratio_
    assert result["standardize"] is True and result["selection_rule"] == "1se"
    # original-scale coefficients predict like the standardized model
    predicted = X @ _coef_vector(result, names) + result["intercept"]
    np.testing.assert_allclose(predicted, model.predict(X / scale), rtol=1e-9)


def test_fit_svmlight_with_penalty_factor(run, files):
    _ok(run, "fit_svm_pf")
    X, y = load_svmlight_file(str(files / "data.svm"))
    pf = np.ones(X.shape[1])
    pf[0], pf[2] = 0.0, 2.5  # pf.txt: features named 1 and 3 (one-based file indices)
    model = fastenet.ElasticNet(alpha=0.01, l1_ratio=0.7, penalty_factor=pf).fit(X, y)
    result = _json(files / "svm.json")
    names = [str(j + 1) for j in range(X.shape[1])]
    assert list(result["coefficients"]) == names
    np.testing.assert_allclose(_coef_vector(result, names), model.coef_, rtol=0, atol=EXACT)
    assert result["sparse"] is True and result["target"] == "label"
    assert result["penalty_factor"] is True


def test_fit_ridge_sparse_npz(run, files):
    _ok(run, "fit_ridge")
    X, y = _sparse_problem()
    model = fastenet.Ridge(alpha=2.0).fit(X.tocsc(), y)
    result = _json(files / "ridge.json")
    names = [f"x{j}" for j in range(X.shape[1])]
    np.testing.assert_allclose(_coef_vector(result, names), model.coef_, rtol=0, atol=EXACT)
    assert result["dual_gap"] is None and result["l1_ratio"] == 0.0


def test_fit_one_hot(run, files):
    _ok(run, "fit_one_hot")
    X, y = _dense_problem()
    cities = np.array(["Paris", "Rome", "Oslo"])[np.arange(len(y)) % 3]
    levels = ["Oslo", "Paris", "Rome"]  # sorted
    design = np.column_stack([X[:, 0]] + [(cities == c).astype(float) for c in levels])
    target = y + (cities == "Rome")
    model = fastenet.Lasso(alpha=0.01).fit(design, target)
    result = _json(files / "onehot.json")
    names = ["a"] + [f"city={c}" for c in levels]
    assert list(result["coefficients"]) == names
    np.testing.assert_allclose(_coef_vector(result, names), model.coef_, rtol=0, atol=EXACT)


def test_fit_logistic_cv_matches_logistic_regression_cv(run, files):
    done = _ok(run, "fit_logistic_cv")
    X, y = _labelled_problem(2)
    Cs = logistic_Cs(X, y, l1_ratios=(0.5, 1.0), n_alphas=20, eps=1e-3)
    model = fastenet.LogisticRegressionCV(
        Cs=Cs, l1_ratios=(0.5, 1.0), cv=StratifiedKFold(3), scoring="neg_log_loss",
        use_legacy_attributes=False, max_iter=1000).fit(X, y)
    result = _json(files / "logit_cv.json")
    assert result["estimator"] == "LogisticRegressionCV" and result["classes"] == [0, 1]
    assert result["C"] == pytest.approx(model.C_, rel=EXACT)
    assert result["alpha"] == pytest.approx(1.0 / (model.C_ * len(y)), rel=EXACT)
    assert result["l1_ratio"] == model.l1_ratio_
    np.testing.assert_allclose(_coef_vector(result, FEATURES), model.coef_[0], rtol=0,
                               atol=EXACT)
    assert abs(result["intercept"] - model.intercept_[0]) <= EXACT
    i = list(model.l1_ratios_).index(model.l1_ratio_)
    k = list(model.Cs_).index(model.C_)
    assert result["cv_log_loss"] == pytest.approx(-model.scores_[:, i, k].mean(), rel=1e-12)
    assert result["train_log_loss"] == pytest.approx(
        log_loss(y, model.predict_proba(X)), rel=1e-9)
    assert result["train_accuracy"] == pytest.approx(accuracy_score(y, model.predict(X)))
    # glmnet's grid: at its first C every coefficient of the smallest l1_ratio is 0
    first = fastenet.LogisticRegression(C=Cs[0] * 0.999, l1_ratio=0.5, tol=1e-10).fit(X, y)
    assert not first.coef_.any()
    assert "CV         log loss" in done.stdout and "classes    0, 1" in done.stdout


def test_fit_logistic_fixed_C_multiclass_csv(run, files):
    done = _ok(run, "fit_logistic_C")
    X, y = _labelled_problem(3)
    model = fastenet.LogisticRegression(C=0.5, l1_ratio=1.0, max_iter=1000).fit(X, y)
    result = _json(files / "logit3.json")
    assert result["classes"] == [0, 1, 2] and result["C"] == 0.5
    for k, label in enumerate(("0", "1", "2")):
        np.testing.assert_allclose(_coef_vector({"coefficients": result["coefficients"][label]},
                                                FEATURES), model.coef_[k], rtol=0, atol=EXACT)
        assert abs(result["intercept"][label] - model.intercept_[k]) <= EXACT
    rows = list(csv.reader((files / "logit3.csv").open()))
    assert rows[0] == ["feature", "coefficient[0]", "coefficient[1]", "coefficient[2]"]
    assert rows[1][0] == "(intercept)"
    np.testing.assert_array_equal(np.array(rows[1][1:], float),
                                  [result["intercept"][k] for k in ("0", "1", "2")])
    np.testing.assert_array_equal(np.array([r[1:] for r in rows[2:]], float),
                                  model.coef_.T)
    assert "one row of coefficients per class" in done.stdout


def test_fit_logistic_alpha_is_glmnet_lambda(run, files):
    """--alpha for logistic is glmnet's lambda: C = 1 / (alpha * n)."""
    _ok(run, "fit_logistic_alpha")
    X, y = _labelled_problem(2)
    model = fastenet.LogisticRegression(C=1.0 / (0.02 * len(y)), l1_ratio=0.0,
                                        max_iter=1000).fit(X, y)
    result = _json(files / "logit_alpha.json")
    assert result["alpha"] == pytest.approx(0.02, rel=1e-12)
    np.testing.assert_allclose(_coef_vector(result, FEATURES), model.coef_[0], rtol=0,
                               atol=EXACT)


def test_path_with_cv_writes_plot_and_path(run, files):
    done = _ok(run, "path_cv")
    png = (files / "path.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    X, y = _dense_problem()
    cv = fastenet.LassoCV(cv=3).fit(X, y)
    result = _json(files / "path.json")
    np.testing.assert_allclose(result["alphas"], cv.alphas_, rtol=EXACT)
    assert result["cv"]["alpha_min"] == pytest.approx(cv.alpha_, rel=EXACT)
    assert result["cv"]["alpha_1se"] == pytest.approx(cv.alpha_1se_, rel=EXACT)
    np.testing.assert_allclose(result["cv"]["mse_mean"], cv.mse_path_.mean(axis=1),
                               rtol=1e-12)
    # the path is lasso_path on centered data, with the intercept put back
    x_mean, y_mean = X.mean(axis=0), y.mean()
    _, coefs, _ = fastenet.lasso_path(X - x_mean, y - y_mean, alphas=cv.alphas_)
    got = np.array([result["coefficients"].get(f, [0.0] * len(cv.alphas_))
                    for f in FEATURES])
    np.testing.assert_allclose(got, coefs, rtol=0, atol=EXACT)
    np.testing.assert_allclose(result["intercepts"], y_mean - x_mean @ coefs, atol=EXACT)
    assert result["n_nonzero"] == list(np.count_nonzero(coefs, axis=0))
    # and each point is the model Lasso fits at that alpha
    k = 40
    single = fastenet.Lasso(alpha=cv.alphas_[k]).fit(X, y)
    np.testing.assert_allclose(got[:, k], single.coef_, rtol=PATH_VS_FIT,
                               atol=PATH_VS_FIT * np.abs(single.coef_).max())
    assert "alpha_min" in done.stdout and "+" in done.stdout


def test_path_sparse_has_the_intercept(run, files):
    _ok(run, "path_sparse")
    X, y = load_svmlight_file(str(files / "data.svm"))
    result = _json(files / "spath.json")
    assert len(result["alphas"]) == 20
    for k in (5, 12, 19):
        single = fastenet.Lasso(alpha=result["alphas"][k]).fit(X, y)
        got = np.array([result["coefficients"].get(str(j + 1), [0.0] * 20)[k]
                        for j in range(X.shape[1])])
        scale = max(np.abs(single.coef_).max(), 1.0)
        np.testing.assert_allclose(got, single.coef_, atol=PATH_VS_FIT * scale)
        assert result["intercepts"][k] == pytest.approx(single.intercept_,
                                                        abs=PATH_VS_FIT * scale)


def test_help_lists_the_commands(run):
    out = _ok(run, "help").stdout
    for command in ("fit", "path", "bench", "demo"):
        assert command in out


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_user_errors(run, name):
    code, needles = ERRORS[name]
    done = run(name)
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines, "no message"
    last = lines[-1]
    if code == 1:
        assert len(lines) == 1 and last.startswith("fastenet: error: ")
    else:
        assert last.startswith("fastenet") and "error:" in last
    for needle in needles:
        assert needle in last


def test_no_command_runs_the_demo(monkeypatch):
    calls = []
    monkeypatch.setattr("fastenet._demo.run", lambda **kw: calls.append(kw) or 0)
    assert _cli.main([]) == 0
    assert _cli.main(["--quick"]) == 0
    assert [c["quick"] for c in calls] == [False, True]


def test_bench_table(monkeypatch):
    """The bench command's table on tiny problems (in-process: it is slow at --quick
    size), and its recomputed gap against the solver's certificate."""
    import io

    monkeypatch.setattr(_benchmark, "_SIZES", {
        "dense n>p": ((200, 20), None), "dense p>n": ((20, 200), None),
        "sparse text": ((100, 500), None)})
    out = io.StringIO()
    assert _benchmark.run(quick=True, out=out) == 0
    lines = out.getvalue().splitlines()
    rows = [line for line in lines if line.startswith(("dense", "sparse"))]
    assert len(rows) == 3 * len(_benchmark.TASKS)
    for row in rows:
        cells = row.split()
        assert cells[-1].count("/") == 1 and any(c.endswith("x") for c in cells)
    X, y = _dense_problem()
    model = fastenet.Lasso(alpha=0.05, tol=1e-10).fit(X, y)
    gap = _benchmark.enet_gap(X, y, model.coef_, alpha=0.05)
    assert 0 <= gap <= 1e-8
    with pytest.warns(ConvergenceWarning):
        loose = fastenet.Lasso(alpha=0.05, max_iter=1).fit(X, y)
    assert _benchmark.enet_gap(X, y, loose.coef_, alpha=0.05) == pytest.approx(
        loose.dual_gap_, rel=1e-6, abs=1e-12)


def test_compressed_csv_and_parquet(tmp_path):
    """Formats by extension beyond the subprocess runs: a gzip CSV, and Parquet (when
    pyarrow is installed) with a text column rejected by name, then one-hot encoded."""
    import gzip

    from fastenet._dataset import DataError, load

    X, y = _dense_problem()
    with gzip.open(tmp_path / "data.csv.gz", "wt") as f:
        f.write(",".join([*FEATURES, "y"]) + "\n")
        f.writelines(",".join(repr(float(v)) for v in [*row, t]) + "\n"
                     for row, t in zip(X, y))
    data = load(str(tmp_path / "data.csv.gz"), target="y")
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)
    assert data.feature_names == tuple(FEATURES)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    cities = ["Paris", "Rome", "Oslo"] * 20
    table = pa.table({"a": X[:, 0], "city": cities, "y": y})
    pq.write_table(table, tmp_path / "data.parquet")
    with pytest.raises(DataError, match="column 'city' is not numeric"):
        load(str(tmp_path / "data.parquet"), target="y")
    data = load(str(tmp_path / "data.parquet"), target="y", one_hot=True)
    assert data.feature_names == ("a", "city=Oslo", "city=Paris", "city=Rome")
    np.testing.assert_array_equal(np.asarray(data.X[:, 2].todense()).ravel()
                                  if hasattr(data.X, "todense") else data.X[:, 2],
                                  [c == "Paris" for c in cities])
