"""Intrinsic dimensionality of embeddings per brain region (BrainBERT's analysis).

For the embeddings of each region, the eigenvalues ``λ_1 ≥ λ_2 ≥ ...`` of their
covariance (the PCA spectrum) give two measures of how many directions the
representation really uses:

* ``n_components_95``: the number of principal components needed to explain
  95 % of the variance (the smallest ``k`` with ``Σ_{i≤k} λ_i ≥ 0.95 Σ λ``);
* ``participation_ratio``: ``(Σ λ)² / Σ λ²``, a continuous count that equals
  ``k`` when the variance is spread evenly over ``k`` directions and 1 when one
  direction holds it all.

Data lying in a ``k``-dimensional subspace (with equal variance along its
axes) give ``k`` for both.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose

__all__ = [
    "pca_spectrum",
    "n_components_for_variance",
    "participation_ratio",
    "intrinsic_dimensionality",
]


def _as_samples(X, name="X"):
    array = np.asarray(X, dtype=float)
    if array.ndim != 2 or array.shape[0] < 2 or array.shape[1] < 1:
        raise InvalidParameterError(
            "Expected at least two samples of shape (n_samples, n_features).",
            field=name,
            value=getattr(array, "shape", None),
            fix="Pass a 2-D array with one embedding per row.",
        )
    if not np.isfinite(array).all():
        raise InvalidParameterError(
            "The embeddings contain NaN or infinite values.",
            field=name,
            value=int((~np.isfinite(array)).sum()),
            fix="Drop or repair those rows first.",
        )
    return array


def pca_spectrum(X, *, standardize=False) -> np.ndarray:
    """Return the eigenvalues of the covariance of ``X``, largest first.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
        Embeddings, one per row.
    standardize : bool
        Scale every feature to unit variance first (default False: PCA of the
        covariance, as in BrainBERT's analysis).

    Returns
    -------
    eigenvalues : ndarray, shape (min(n_samples - 1, n_features),)
        Variances along the principal axes (``ddof=1``), descending.
    """
    X = _as_samples(X)
    X = X - X.mean(axis=0)
    if standardize:
        std = X.std(axis=0, ddof=1)
        X = X / np.where(std > 0, std, 1.0)
    singular = np.linalg.svd(X, compute_uv=False)
    eigenvalues = singular**2 / (X.shape[0] - 1)
    return eigenvalues[: min(X.shape[0] - 1, X.shape[1])]


def _check_variance(variance):
    ok = isinstance(variance, numbers.Real) and not isinstance(variance, bool)
    if not ok or not 0 < variance <= 1:
        raise InvalidParameterError(
            "variance must be a fraction in (0, 1].",
            field="variance",
            value=variance,
            fix="Pass variance=0.95.",
        )
    return float(variance)


def _n_components(eigenvalues, variance):
    total = eigenvalues.sum()
    if total <= 0:
        return 0
    cumulative = np.cumsum(eigenvalues) / total
    # a tolerance so that exactly-k-dimensional data is not pushed to k + 1 by rounding
    return int(np.searchsorted(cumulative, variance - 1e-12) + 1)


def _ratio(eigenvalues):
    squares = np.sum(eigenvalues**2)
    return float(eigenvalues.sum() ** 2 / squares) if squares > 0 else float("nan")


def n_components_for_variance(X, variance=0.95, *, standardize=False) -> int:
    """Count the principal components needed to explain ``variance`` of ``X``.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
        Embeddings, one per row.
    variance : float
        Fraction of the total variance (default 0.95).
    standardize : bool
        Scale features to unit variance first (default False).

    Returns
    -------
    n_components : int
        0 if ``X`` is constant.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 3)) @ np.linalg.qr(rng.standard_normal((20, 3)))[0].T
    >>> n_components_for_variance(X)
    3
    """
    return _n_components(pca_spectrum(X, standardize=standardize), _check_variance(variance))


def participation_ratio(X, *, standardize=False) -> float:
    """Compute the participation ratio ``(Σλ)² / Σλ²`` of the PCA spectrum of ``X``.

    Parameters
    ----------
    X : array-like, shape (n_samples, n_features)
        Embeddings, one per row.
    standardize : bool
        Scale features to unit variance first (default False).

    Returns
    -------
    ratio : float
        Between 1 and the number of features; NaN if ``X`` is constant.
    """
    return _ratio(pca_spectrum(X, standardize=standardize))


@verbose
def intrinsic_dimensionality(
    embeddings,
    regions,
    *,
    variance=0.95,
    standardize=False,
    min_samples=10,
    include_all=False,
    verbose=None,
) -> pd.DataFrame:
    """Measure the intrinsic dimensionality of embeddings in every brain region.

    Parameters
    ----------
    embeddings : array-like, shape (n_samples, n_features) or (n_windows, n_channels, n_features)
        2-D: one embedding per row, ``regions`` labels the rows. 3-D: the
        embeddings of every channel in every window; ``regions`` labels the
        channels, and a region's samples are all windows of all its channels.
    regions : array-like of str
        Region label per row (2-D) or per channel (3-D).
    variance : float
        Fraction of variance for ``n_components_95`` (default 0.95; the column
        keeps its name).
    standardize : bool
        Scale each feature to unit variance within the region first (default
        False).
    min_samples : int
        Regions with fewer samples are reported with NaN measures (default 10;
        a PCA of fewer points than dimensions is capped by the sample count).
    include_all : bool
        Add a row ``"all"`` pooling every region (default False).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    table : pandas.DataFrame
        One row per region (sorted by label; ``"all"`` last): ``region``,
        ``n_samples``, ``n_channels`` (3-D input; else NaN),
        ``n_components_95``, ``participation_ratio``.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If the shapes of ``embeddings`` and ``regions`` disagree.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.standard_normal((300, 2)) @ rng.standard_normal((2, 16)),
    ...                     rng.standard_normal((300, 16))])
    >>> table = intrinsic_dimensionality(X, ["a"] * 300 + ["b"] * 300)
    >>> table[["region", "n_components_95"]].to_numpy().tolist()
    [['a', 2], ['b', 15]]
    """
    variance = _check_variance(variance)
    array = np.asarray(embeddings, dtype=float)
    labels = np.asarray(regions, dtype=object).reshape(-1)
    if array.ndim == 3:
        if labels.size != array.shape[1]:
            raise InvalidParameterError(
                f"regions has {labels.size} labels for {array.shape[1]} channels.",
                field="regions",
                value=labels.size,
                fix="Give one region per channel (axis 1 of the embeddings).",
            )
        channel_of_row = np.tile(np.arange(array.shape[1]), array.shape[0])
        labels = np.tile(labels, array.shape[0])
        array = array.reshape(-1, array.shape[2])
    elif array.ndim == 2:
        if labels.size != array.shape[0]:
            raise InvalidParameterError(
                f"regions has {labels.size} labels for {array.shape[0]} embeddings.",
                field="regions",
                value=labels.size,
                fix="Give one region per row of the embeddings.",
            )
        channel_of_row = None
    else:
        raise InvalidParameterError(
            "embeddings must be 2-D (n_samples, n_features) or 3-D "
            "(n_windows, n_channels, n_features).",
            field="embeddings",
            value=array.shape,
            fix="Pool tokens first (e.g. pooling='mean'), or reshape.",
        )
    labels = np.array([str(v) for v in labels], dtype=object)
    groups = [(name, labels == name) for name in sorted(set(labels))]
    if include_all:
        groups.append(("all", np.ones(labels.size, bool)))
    rows = []
    for name, mask in groups:
        n = int(mask.sum())
        row = {
            "region": name,
            "n_samples": n,
            "n_channels": np.nan
            if channel_of_row is None
            else np.unique(channel_of_row[mask]).size,
            "n_components_95": np.nan,
            "participation_ratio": np.nan,
        }
        if n >= max(2, min_samples):
            eigenvalues = pca_spectrum(array[mask], standardize=standardize)
            row["n_components_95"] = _n_components(eigenvalues, variance)
            row["participation_ratio"] = _ratio(eigenvalues)
        else:
            logger.info("Region %s: %d sample(s), fewer than min_samples=%d.", name, n, min_samples)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["n_components_95"] = table["n_components_95"].astype("Int64")
    return table
