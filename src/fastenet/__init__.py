"""fastenet: fast L1 / L2 / Elastic-Net regularized linear models.

A C++ coordinate-descent kernel behind scikit-learn's estimator API::

    from fastenet import Lasso, ElasticNet, LogisticRegression
"""
from fastenet._cv import ElasticNetCV, LassoCV
from fastenet._enet import ElasticNet, Lasso
from fastenet._logistic import LogisticRegression
from fastenet._logistic_cv import LogisticRegressionCV
from fastenet._logistic_path import logistic_path
from fastenet._path import enet_path, lasso_path
from fastenet._ridge import Ridge, RidgeCV
from fastenet.plotting import plot_cv, plot_path

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "LogisticRegression",
           "LogisticRegressionCV", "Ridge", "RidgeCV", "enet_path", "lasso_path",
           "logistic_path", "plot_cv", "plot_path"]
__version__ = "0.1.0"
