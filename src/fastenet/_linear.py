"""What every fitted fastenet linear model shares: prediction from ``coef_`` and
``intercept_``, and the tag saying sparse input is accepted."""
from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["LinearPredictorMixin"]


class LinearPredictorMixin:
    """``predict`` = ``X @ coef_.T + intercept_``, for dense or sparse X. Put it first
    among the bases (before sklearn's mixins) so its tags extend theirs."""

    def predict(self, X):
        """Predict using the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=("csr", "csc", "coo"), reset=False)
        return np.asarray(X @ self.coef_.T + self.intercept_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
