"""fastenet: fast L1 / L2 / Elastic-Net regularized linear models.

A C++ coordinate-descent kernel behind scikit-learn's estimator API::

    from fastenet import Lasso, ElasticNet
"""
from fastenet._enet import ElasticNet, Lasso

__all__ = ["ElasticNet", "Lasso"]
__version__ = "0.1.0"
