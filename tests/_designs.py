"""Designs shared by kernel tests of the linear and the logistic solvers."""
import numpy as np
from scipy import sparse


def one_hot_problem(seed, n=20_000):
    """One-hot columns of four categoricals (100, 300, 2,000 and 6,000 levels): y depends
    on 90 levels of the two finer ones only, so the 400 columns of the coarse ones
    have 2.6 to 7.7 times the norm of the finer ones' and none of the signal."""
    rng = np.random.default_rng(seed)
    blocks, beta = [], []
    for levels, effects in ((100, 0), (300, 0), (2000, 30), (6000, 60)):
        codes = rng.integers(levels, size=n)
        blocks.append(sparse.csc_matrix((np.ones(n), (np.arange(n), codes)),
                                        shape=(n, levels)))
        b = np.zeros(levels)
        b[rng.choice(levels, effects, replace=False)] = 3 * rng.standard_normal(effects)
        beta.append(b)
    X = sparse.hstack(blocks, format="csc")
    return X, X @ np.concatenate(beta) + rng.standard_normal(n)


def constant_columns_problem(rng, n, p):
    """Standard normal columns, the first 1 to 3 replaced by constants (1, 5, -3, 1e4 or
    1e-4); penalty factors 0 on them and on the next column; y (real-valued) from 40% of
    the non-constant columns plus unit noise; sample weights in [0.2, 2]. Returns
    X, y, sw, pf and the number of constants."""
    X = rng.standard_normal((n, p))
    n_const = int(rng.integers(1, 4))
    for k in range(n_const):
        X[:, k] = rng.choice([1.0, 5.0, -3.0, 1e4, 1e-4])
    pf = np.ones(p)
    pf[:n_const + 1] = 0
    y = X[:, n_const:] @ (rng.standard_normal(p - n_const)
                          * (rng.random(p - n_const) < 0.4)) + rng.standard_normal(n)
    sw = rng.uniform(0.2, 2.0, n)
    return X, y, sw, pf, n_const
