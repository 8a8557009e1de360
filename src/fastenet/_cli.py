"""The ``fastenet`` command (also ``python -m fastenet``).

    fastenet                      the side-by-side demo against scikit-learn (= fastenet demo)
    fastenet fit [DATA] ...       one model, a short report, --out JSON, --coef-csv CSV
    fastenet path [DATA] ...      the path (and CV curve), its summary, --plot, --out JSON
    fastenet bench [--quick]      fastenet against scikit-learn on generated problems

Without DATA, ``fit`` and ``path`` use scikit-learn's bundled diabetes data. Exit codes:
0 success, 2 usage errors (argparse), 1 data errors: a one-line message
``fastenet: error: <file>: <what, where>`` and no traceback. Warnings (e.g. a path point
that did not converge) are printed as one line each.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import warnings

from fastenet._dataset import FORMATS, DataError, load, read_penalty_factor, standardize
from fastenet._models import MODELS, Settings
from fastenet._progress import Progress

__all__ = ["build_parser", "main"]

_EXAMPLES = """examples:
  fastenet fit --cv 5                          lasso on the diabetes data, alpha by 5-fold CV
  fastenet fit data.csv --target price --model elasticnet --l1-ratio .5 .9 1 --cv 10
  fastenet fit news20.svm --alpha 0.01 --out result.json --coef-csv coefs.csv
  fastenet fit spam.csv --target is_spam --model logistic --l1-ratio .5 1 --cv 5
  fastenet fit spam.csv --target is_spam --model logistic --C 0.1
  fastenet path data.csv --target price --cv 10 --plot path.png
  fastenet bench --quick
"""
_FORMAT_NAMES = sorted(set(FORMATS.values()))


def _number(kind, check, what):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not check(value):
            raise argparse.ArgumentTypeError(f"{text} is not {what}")
        return value
    return parse


_positive = _number(float, lambda v: v > 0 and v != float("inf"), "a number > 0")
_count = _number(int, lambda v: v >= 1, "an integer >= 1")
_folds = _number(int, lambda v: v >= 2, "an integer >= 2")
_l1_ratio = _number(float, lambda v: 0 <= v <= 1, "in [0, 1]")
_eps = _number(float, lambda v: 0 < v < 1, "in (0, 1)")


def _data_options():
    parent = argparse.ArgumentParser(add_help=False)
    data = parent.add_argument_group("data")
    data.add_argument("data", nargs="?", metavar="DATA",
                      help="a data file; scikit-learn's diabetes data when omitted. By "
                      f"extension: {', '.join(sorted(FORMATS))} (csv/tsv/svmlight also "
                      ".gz/.bz2/.xz)")
    data.add_argument("--target", metavar="COL",
                      help="the target: a column name (CSV/TSV/Parquet, required), the "
                      "array's key (npz, default y); svmlight files carry it as the label")
    data.add_argument("--format", choices=_FORMAT_NAMES,
                      help="the file's format, when its extension does not say")
    data.add_argument("--one-hot", action="store_true",
                      help="one-hot encode text columns (otherwise they are an error)")
    data.add_argument("--standardize", action="store_true",
                      help="fit on columns scaled to unit standard deviation (sparse X "
                      "not centered); coefficients are reported on the data's scale")
    data.add_argument("--penalty-factor", metavar="FILE",
                      help="per-feature penalty multipliers: one number per line in column "
                      "order, or 'name value' lines (unnamed features keep 1; 0 = "
                      "unpenalized)")
    return parent


def _model_options(*, fit):
    parent = argparse.ArgumentParser(add_help=False)
    model = parent.add_argument_group("model")
    choices = (list(MODELS) if fit
               else [k for k, m in MODELS.items() if m.l1 and not m.classifier])
    model.add_argument("--model", choices=choices, default="lasso",
                       help="the estimator (default lasso)")
    model.add_argument("--l1-ratio", type=_l1_ratio, nargs="+", metavar="R",
                       help="elasticnet's / logistic's mixing parameter(s) (default 0.5 / "
                       "1: L1); several are chosen among by CV; 0 (L2) only for logistic")
    cv = parent.add_argument_group("cross-validation")
    cv.add_argument("--n-alphas", type=_count, default=100, metavar="N",
                    help="alphas on the CV grid / path (default 100)")
    cv.add_argument("--eps", type=_eps, default=1e-3,
                    help="smallest alpha / largest alpha of the grid (default 1e-3)")
    cv.add_argument("--selection-rule", choices=("min", "1se"), default="min",
                    help="refit at alpha_min or at glmnet's alpha_1se (default min)")
    cv.add_argument("--seed", type=int, metavar="S",
                    help="shuffle rows into folds with this seed (default: file order)")
    cv.add_argument("--jobs", type=_count, metavar="N",
                    help="folds fitted in parallel threads (default 1)")
    solver = parent.add_argument_group("solver and output")
    solver.add_argument("--tol", type=_positive, default=1e-4,
                        help="duality-gap tolerance, sklearn's meaning (default 1e-4)")
    solver.add_argument("--max-iter", type=_count, default=1000, metavar="N",
                        help="epochs per fit; Newton steps for logistic (default 1000)")
    solver.add_argument("--quiet", action="store_true",
                        help="no progress line (it is shown only on a terminal anyway)")
    return parent


def build_parser():
    """The argument parser; returns (parser, {command: subparser})."""
    parser = argparse.ArgumentParser(
        prog="fastenet", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Lasso, elastic net and ridge on a data file: fit one model, draw "
        "the path and the CV curve, or compare with scikit-learn. Without a command: "
        "the demo.", epilog=_EXAMPLES)
    from fastenet import __version__

    parser.add_argument("--version", action="version", version=f"fastenet {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    data = _data_options()
    fit = commands.add_parser(
        "fit", parents=[data, _model_options(fit=True)], help="fit one model and report it",
        description="Fit one model (alpha fixed with --alpha, or chosen by --cv K; 5-fold "
        "CV when neither is given), print a short report and write the full result.")
    choice = fit.add_mutually_exclusive_group()
    choice.add_argument("--alpha", type=_positive, metavar="A",
                        help="fixed alpha (logistic: glmnet's lambda, C = 1 / (alpha n))")
    choice.add_argument("--C", type=_positive, metavar="C", dest="C",
                        help="fixed C, sklearn's inverse penalty (--model logistic only)")
    choice.add_argument("--cv", type=_folds, metavar="K",
                        help="choose alpha by K-fold cross-validation (default 5)")
    out = fit.add_argument_group("results")
    out.add_argument("--top", type=int, default=10, metavar="N",
                     help="coefficients shown in the report (default 10)")
    out.add_argument("--out", metavar="JSON", help="write the full result as JSON")
    out.add_argument("--coef-csv", metavar="CSV",
                     help="write feature,coefficient rows (the intercept first)")
    path = commands.add_parser(
        "path", parents=[data, _model_options(fit=False)],
        help="the regularization path (and CV curve), with glmnet's pictures",
        description="Compute the lasso / elastic-net path with an intercept (and, with "
        "--cv, the cross-validation curve), print where features enter, draw the "
        "pictures and write the full path.")
    path.add_argument("--cv", type=_folds, metavar="K",
                      help="also cross-validate with K folds (the path then uses the CV "
                      "grid)")
    out = path.add_argument_group("results")
    out.add_argument("--plot", metavar="FILE",
                     help=f"draw the pictures ({', '.join(f[1:] for f in _plot_formats())} "
                     "by extension; needs fastenet[plot])")
    out.add_argument("--out", metavar="JSON", help="write the whole path as JSON")
    bench = commands.add_parser(
        "bench", help="fastenet against scikit-learn on generated problems",
        description="Fit generated problems with fastenet and scikit-learn in this "
        "process (single-threaded, same tol) and print times, ratios and recomputed "
        "duality gaps.")
    bench.add_argument("--quick", action="store_true", help="small problems (seconds)")
    demo = commands.add_parser(
        "demo", help="the side-by-side demo (what `fastenet` alone runs)",
        description="Fit Lasso and ElasticNet with fastenet and scikit-learn side by side "
        "on the diabetes data and a generated problem.")
    demo.add_argument("--quick", action="store_true", help="smaller generated problem")
    return parser, {"fit": fit, "path": path, "bench": bench, "demo": demo}


def _plot_formats():
    from fastenet._path_command import PLOT_FORMATS

    return PLOT_FORMATS


def _settings(args, sub):
    """Settings from the parsed arguments; usage errors exit with status 2."""
    kind = MODELS[args.model]
    if not kind.available:
        sub.error(f"argument --model: {kind.reason}; choose "
                  f"{', '.join(k for k, m in MODELS.items() if m.available)}")
    alpha = getattr(args, "alpha", None)
    C = getattr(args, "C", None)
    if args.l1_ratio and kind.name not in ("elasticnet", "logistic"):
        sub.error("argument --l1-ratio: only for --model elasticnet or logistic")
    if args.l1_ratio and 0 in args.l1_ratio and kind.name != "logistic":
        sub.error("argument --l1-ratio: 0 is only for --model logistic (use --model ridge "
                  "for 0)")
    if C is not None and not kind.classifier:
        sub.error("argument --C: only for --model logistic (the others take --alpha)")
    if kind.classifier and args.selection_rule == "1se":
        sub.error("argument --selection-rule: 1se is not available for --model logistic")
    default_ratio = 1.0 if kind.classifier else 0.5
    l1_ratios = tuple(args.l1_ratio or (default_ratio,))
    folds = args.cv or 5
    cv = alpha is None and C is None and (args.command == "fit" or args.cv is not None)
    if len(l1_ratios) > 1 and not cv:
        sub.error("argument --l1-ratio: several values need --cv (CV chooses among them)")
    if args.penalty_factor and not kind.l1:
        sub.error(f"argument --penalty-factor: not supported by --model {kind.name}")
    if getattr(args, "plot", None):
        ext = os.path.splitext(args.plot)[1].lower()
        if ext not in _plot_formats():
            sub.error(f"argument --plot: unknown picture format {ext or args.plot!r}; use "
                      f"{', '.join(_plot_formats())}")
    return kind, Settings(cv=cv, alpha=None if cv else alpha, folds=folds, seed=args.seed,
                          l1_ratios=l1_ratios, n_alphas=args.n_alphas, eps=args.eps,
                          selection_rule=args.selection_rule, tol=args.tol,
                          max_iter=args.max_iter, jobs=args.jobs, penalty_factor=None, C=C)


def _show_warning(message, category, filename, lineno, file=None, line=None):
    text = str(message).splitlines()[0] if str(message) else category.__name__
    (file or sys.stderr).write(f"fastenet: warning: {category.__name__}: {text}\n")


def _run(args, sub, stdout):
    kind, settings = _settings(args, sub)
    if getattr(args, "plot", None):  # before any work: is there something to draw with?
        try:
            import matplotlib.figure  # noqa: F401
        except ImportError:
            raise DataError(args.plot, "drawing needs matplotlib: pip install "
                            "'fastenet[plot]' (or pip install matplotlib)") from None
    data = load(args.data, target=args.target, one_hot=args.one_hot, fmt=args.format)
    if args.penalty_factor:
        pf = read_penalty_factor(args.penalty_factor, data.feature_names)
        settings = dataclasses.replace(settings, penalty_factor=pf)
    X, scale = data.X, None
    if args.standardize:
        scaled, scale = standardize(data)
        X = scaled.X
    progress = Progress(sys.stderr, enabled=not args.quiet)
    common = {"kind": kind, "settings": settings, "data": data, "X": X, "scale": scale,
              "standardize": args.standardize, "progress": progress, "stdout": stdout}
    if args.command == "fit":
        from fastenet import _fit_command

        _fit_command.run(**common, top=max(args.top, 0), out_json=args.out,
                         coef_csv=args.coef_csv)
    else:
        from fastenet import _path_command

        _path_command.run(**common, plot=args.plot, out_json=args.out)
    return 0


def main(argv=None):
    """Entry point of the ``fastenet`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] == "--quick":  # the demo, as `python -m fastenet` always ran
        argv = ["demo", *argv]
    parser, subparsers = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        from fastenet import _demo

        return _demo.run(quick=args.quick, out=sys.stdout)
    if args.command == "bench":
        from fastenet import _benchmark

        return _benchmark.run(quick=args.quick, out=sys.stdout)
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        try:
            return _run(args, subparsers[args.command], sys.stdout)
        except DataError as exc:
            sys.stderr.write(f"fastenet: error: {exc.source}: {exc}\n")
            return 1
        except KeyboardInterrupt:
            sys.stderr.write("fastenet: interrupted\n")
            return 130
