"""Analyses of learned representations: intrinsic dimensionality per brain region."""

from .dimensionality import (
    intrinsic_dimensionality,
    n_components_for_variance,
    participation_ratio,
    pca_spectrum,
)

__all__ = [
    "intrinsic_dimensionality",
    "n_components_for_variance",
    "participation_ratio",
    "pca_spectrum",
]
