"""Intrinsic dimensionality per region, on data of known dimension, and its plot."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ieegrep.analysis.dimensionality import (  # noqa: E402
    intrinsic_dimensionality,
    n_components_for_variance,
    participation_ratio,
    pca_spectrum,
)
from ieegrep.exceptions import InvalidParameterError  # noqa: E402
from ieegrep.viz.dimensionality import plot_dimensionality  # noqa: E402


def _subspace(k, n=3000, d=32, noise=0.0, seed=0):
    """Points with equal variance along k orthonormal directions of R^d."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((d, k)))[0]
    X = rng.standard_normal((n, k)) @ basis.T + 5.0  # an offset: PCA must centre
    return X + noise * rng.standard_normal((n, d))


@pytest.mark.parametrize("k", [1, 3, 7])
def test_a_k_dimensional_subspace_gives_k(k):
    X = _subspace(k, noise=0.01)
    assert n_components_for_variance(X) == k
    assert participation_ratio(X) == pytest.approx(k, rel=0.08)


def test_unequal_variances_and_known_spectrum():
    rng = np.random.default_rng(1)
    scales = np.array([10.0, 3.0, 1.0, 0.1])
    X = rng.standard_normal((20000, 4)) * scales
    eigenvalues = pca_spectrum(X)
    np.testing.assert_allclose(eigenvalues, scales**2, rtol=0.05)
    # 100 / 110.01 = 0.909 < 0.95 <= 109 / 110.01: two components
    assert n_components_for_variance(X) == 2
    expected = scales.__pow__(2).sum() ** 2 / scales.__pow__(4).sum()
    assert participation_ratio(X) == pytest.approx(expected, rel=0.05)
    assert n_components_for_variance(X, variance=0.999) == 3  # 110 / 110.01
    assert n_components_for_variance(X, variance=0.99995) == 4


def test_per_region_table_from_windows_by_channels():
    rng = np.random.default_rng(2)
    n_windows, d = 400, 24
    bases = {k: np.linalg.qr(rng.standard_normal((d, k)))[0] for k in (2, 5)}
    channels = ["A1", "A2", "B1", "B2", "B3", "C1"]
    regions = ["hippocampus", "hippocampus", "insula", "insula", "insula", "tiny"]
    emb = np.empty((n_windows, len(channels), d))
    for c, region in enumerate(regions):
        k = 2 if region == "hippocampus" else 5
        emb[:, c] = rng.standard_normal((n_windows, k)) @ bases[k].T
    emb[:, 5] = rng.standard_normal((n_windows, d))
    table = intrinsic_dimensionality(emb[:5], regions, min_samples=11, include_all=True)
    assert table.region.tolist() == ["hippocampus", "insula", "tiny", "all"]
    assert table.n_samples.tolist() == [10, 15, 5, 30]
    assert table.n_channels.tolist() == [2, 3, 1, 6]
    assert np.isnan(table.participation_ratio[2])  # too few samples
    table = intrinsic_dimensionality(emb, regions)
    by_region = table.set_index("region")
    assert by_region.n_components_95["hippocampus"] == 2
    assert by_region.n_components_95["insula"] == 5
    assert by_region.participation_ratio["hippocampus"] == pytest.approx(2, rel=0.1)
    assert by_region.n_components_95["tiny"] > 15  # isotropic noise: high-dimensional
    flat = intrinsic_dimensionality(emb[:, :2].reshape(-1, d), ["h"] * (2 * n_windows))
    assert flat.n_components_95[0] == 2 and np.isnan(flat.n_channels[0])


@pytest.mark.parametrize(
    ("embeddings", "regions", "kwargs", "match"),
    [
        (np.zeros((10, 3, 4)), ["a", "b"], {}, "channels"),
        (np.zeros((10, 4)), ["a"] * 9, {}, "embeddings"),
        (np.zeros(10), ["a"] * 10, {}, "2-D"),
        (np.zeros((10, 4)), ["a"] * 10, {"variance": 95}, "fraction"),
    ],
)
def test_bad_input(embeddings, regions, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        intrinsic_dimensionality(embeddings, regions, **kwargs)
    with pytest.raises(InvalidParameterError, match="NaN"):
        participation_ratio(np.full((5, 2), np.nan))


def test_plot_has_one_bar_per_region_and_metric():
    rng = np.random.default_rng(3)
    X = np.concatenate([_subspace(2, n=200, d=8), rng.standard_normal((200, 8))])
    table = intrinsic_dimensionality(X, ["low"] * 200 + ["high"] * 200)
    fig = plot_dimensionality(table, title="test")
    assert len(fig.axes) == 2
    heights = {ax.get_xlabel(): [round(p.get_width(), 6) for p in ax.patches] for ax in fig.axes}
    expected = table.participation_ratio.round(6).tolist()
    assert heights["participation ratio"] == expected
    assert heights["PCA components for 95 % variance"] == table.n_components_95.tolist()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == table.region.tolist()
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plot_dimensionality(table, metrics=["participation_ratio"], axes=ax) is fig
    with pytest.raises(InvalidParameterError, match="metric"):
        plot_dimensionality(table, metrics=["nope"])
    plt.close("all")
