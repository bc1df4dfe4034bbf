import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ieegrep.exceptions import IeegrepError  # noqa: E402
from ieegrep.viz import LOBE_COLORS, plot_electrodes  # noqa: E402


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "name": ["LA1", "LA2", "LA3", "X1"],
            "mni152_x": [-25.0, -30.0, -35.0, np.nan],
            "mni152_y": [-20.0, -20.0, -20.0, np.nan],
            "mni152_z": [-14.0, -12.0, -10.0, np.nan],
            "region": [
                "Left-Hippocampus",
                "Left-Hippocampus",
                "Left-Cerebral-White-Matter",
                "Unknown",
            ],
            "lobe": ["hippocampus", "hippocampus", "white-matter", "Unknown"],
            "bad": [False, True, False, False],
        }
    )


def test_three_views_with_legend_counts(table):
    fig = plot_electrodes(table)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["sagittal", "coronal", "axial"]
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:2] == ["Left-Hippocampus (2)", "Left-Cerebral-White-Matter (1)"]
    assert "bad channel" in labels
    assert "3 of 4 contacts located" in fig._suptitle.get_text()
    # contacts are drawn where they are: coronal view x,z
    offsets = np.vstack([c.get_offsets() for c in axes[1].collections if len(c.get_offsets())])
    assert [-25.0, -14.0] in offsets.tolist()
    plt.close(fig)


def test_lobe_colours_fixed(table):
    fig = plot_electrodes(table, color_by="lobe", views=("axial",))
    colours = {
        c.get_label(): c.get_facecolor()[0]
        for c in fig.axes[0].collections
        if len(c.get_facecolor())
    }
    expected = matplotlib.colors.to_rgba(LOBE_COLORS["hippocampus"])
    np.testing.assert_allclose(colours["hippocampus"], expected)
    plt.close(fig)


def test_into_given_axes(table):
    fig, axes = plt.subplots(1, 2)
    assert plot_electrodes(table, views=("sagittal", "axial"), axes=axes) is fig
    plt.close(fig)


def test_bad_arguments(table):
    with pytest.raises(IeegrepError, match="colour column"):
        plot_electrodes(table, color_by="nope")
    with pytest.raises(IeegrepError, match="view"):
        plot_electrodes(table, views=("top",))
    with pytest.raises(IeegrepError, match="Recording"):
        plot_electrodes([1, 2, 3])
    with pytest.raises(IeegrepError, match="one axes per view"):
        plot_electrodes(table, axes=plt.subplots(1, 2)[1])
    plt.close("all")
