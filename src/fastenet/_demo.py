"""``fastenet demo`` (and ``fastenet`` / ``python -m fastenet`` without a command): fit
Lasso and ElasticNet with fastenet and scikit-learn side by side, on scikit-learn's
bundled diabetes data and on a generated problem, and print the coefficients, the
duality gaps and the speed-up."""
from __future__ import annotations

import time

import numpy as np

__all__ = ["run"]


def _timed(make, X, y, repeat):
    best = np.inf
    for _ in range(repeat):
        model = make()
        t0 = time.perf_counter()
        model.fit(X, y)
        best = min(best, time.perf_counter() - t0)
    return model, best


def _compare(name, X, y, fe_cls, sk_cls, params, repeat, show_coef, out):
    ours, t_ours = _timed(lambda: fe_cls(**params), X, y, repeat)
    theirs, t_theirs = _timed(lambda: sk_cls(**params), X, y, repeat)
    out.write(f"\n{name}: {fe_cls.__name__}({', '.join(f'{k}={v}' for k, v in params.items())})"
              f"  X {X.shape[0]} x {X.shape[1]}\n")
    if show_coef:
        out.write(f"  {'feature':>8} {'fastenet':>12} {'sklearn':>12}\n")
        for j, (a, b) in enumerate(zip(ours.coef_, theirs.coef_)):
            out.write(f"  {j:>8} {a:>12.6f} {b:>12.6f}\n")
        out.write(f"  {'intercept':>8} {ours.intercept_:>12.6f} {theirs.intercept_:>12.6f}\n")
    diff = np.max(np.abs(ours.coef_ - theirs.coef_))
    out.write(f"  nonzeros        fastenet {np.count_nonzero(ours.coef_):>6}   "
              f"sklearn {np.count_nonzero(theirs.coef_):>6}   max |coef diff| {diff:.2e}\n")
    out.write(f"  duality gap     fastenet {ours.dual_gap_:.3e}   sklearn {theirs.dual_gap_:.3e}\n")
    out.write(f"  fit time        fastenet {t_ours * 1e3:8.2f} ms   sklearn {t_theirs * 1e3:8.2f} ms"
              f"   speed-up {t_theirs / t_ours:6.1f}x\n")


def run(*, quick, out):
    """The demo; ``quick`` uses a smaller generated problem. Returns 0."""
    from sklearn import linear_model as sk
    from sklearn.datasets import load_diabetes
    from threadpoolctl import threadpool_limits

    import fastenet as fe

    X, y = load_diabetes(return_X_y=True)
    X = np.asfortranarray(X)
    rng = np.random.RandomState(0)
    n, p = (2000, 1000) if quick else (5000, 5000)
    Xg = np.asfortranarray(rng.randn(n, p))
    w = np.zeros(p)
    w[:50] = rng.randn(50)
    yg = Xg @ w + rng.randn(n)
    alpha_max = np.max(np.abs(Xg.T @ (yg - yg.mean()))) / n
    with threadpool_limits(1):
        _compare("diabetes", X, y, fe.Lasso, sk.Lasso, {"alpha": 0.1}, 20, True, out)
        _compare("diabetes", X, y, fe.ElasticNet, sk.ElasticNet,
                 {"alpha": 0.01, "l1_ratio": 0.5}, 20, True, out)
        params = {"alpha": round(alpha_max / 20, 6)}
        _compare("generated", Xg, yg, fe.Lasso, sk.Lasso, params, 1, False, out)
        _compare("generated", Xg, yg, fe.ElasticNet, sk.ElasticNet,
                 {**params, "l1_ratio": 0.5}, 1, False, out)
    out.write("\nNext: fastenet fit --cv 5 | fastenet path --cv 5 --plot path.png | "
              "fastenet bench --quick | fastenet --help\n")
    return 0
