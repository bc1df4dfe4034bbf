"""The decoding figure: one bar and one dot per fold for every feature set."""

import matplotlib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from ieegrep.decoding import GroupedSplit, RawTransformer, compare_auroc
from ieegrep.exceptions import InvalidParameterError
from ieegrep.viz import plot_decoding

matplotlib.use("Agg")


def test_plot_decoding_draws_every_fold():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2, 32))
    y = np.repeat([0, 1], 30)
    X[y == 1, 0] += 0.5
    groups = np.tile(np.arange(6), 10)
    estimators = {
        name: make_pipeline(RawTransformer(sfreq=32.0), LogisticRegression(C=c))
        for name, c in (("weak", 1e-4), ("strong", 1.0))
    }
    table = compare_auroc(estimators, X, y, cv=GroupedSplit(3), groups=groups)
    fig = plot_decoding(table, title="demo")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["weak", "strong"]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert [len(line.get_ydata()) for line in dots] == [3, 3]
    strong = table.attrs["results"]["strong"]
    np.testing.assert_allclose(np.sort(dots[1].get_ydata()), np.sort(strong.scores))
    assert ax.patches[1].get_height() == pytest.approx(strong.mean)


def test_plot_decoding_refuses_other_input():
    with pytest.raises(InvalidParameterError, match="decoding results"):
        plot_decoding([1, 2])
