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
