"""Neuroprobe scores per task beside the published leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..decoding.neuroprobe import (
    NEUROPROBE_SPLITS,
    NEUROPROBE_TASK_NAMES,
    NEUROPROBE_TASKS,
    check_split,
    neuroprobe_leaderboard,
    neuroprobe_summary,
)
from ..exceptions import InvalidParameterError

__all__ = ["plot_neuroprobe"]


def _summary(results):
    if not isinstance(results, pd.DataFrame) or "feature_set" not in results.columns:
        raise InvalidParameterError(
            "Nothing to plot: expected Neuroprobe results.",
            field="results",
            value=type(results).__name__,
            fix="Pass what ieegrep.decoding.neuroprobe.run_neuroprobe returns, or its "
            "neuroprobe_summary (neuroprobe_summary.tsv).",
        )
    if "test_roc_auc" in results.columns:
        return neuroprobe_summary(results)
    return results


def plot_neuroprobe(results, *, split="cross_session", leaderboard=True, chance=0.5, axes=None):
    """Plot the test AUROC of every task and the overall score, one bar per feature set.

    Parameters
    ----------
    results : pandas.DataFrame
        The folds table of :func:`ieegrep.decoding.neuroprobe.run_neuroprobe`,
        or its summary (:func:`~ieegrep.decoding.neuroprobe.neuroprobe_summary`,
        ``neuroprobe_summary.tsv``).
    split : str
        Which split to show (default ``"cross_session"``, the leaderboard's).
    leaderboard : bool
        Mark the published scores of the models of the same names (the linear
        baselines ``raw``, ``stft``, ``laplacian_stft``) with black ticks
        (default True).
    chance : float | None
        Draw a line at chance level (default 0.5); None for none.
    axes : matplotlib.axes.Axes | None
        Draw there (default: a new figure).

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure drawn on (a new one when no axes were given).
    """
    import matplotlib.pyplot as plt

    check_split(split)
    summary = _summary(results)
    summary = summary[summary["split"] == split]
    if summary.empty:
        raise InvalidParameterError(
            f"The results hold no {split} scores.",
            field="split",
            value=split,
            fix="Choose a split that was run (results['split'].unique()).",
        )
    columns = ["overall", *NEUROPROBE_TASKS]
    labels = ["Overall", *(NEUROPROBE_TASK_NAMES[t] for t in NEUROPROBE_TASKS)]
    features = list(summary["feature_set"])
    if axes is None:
        fig, axes = plt.subplots(figsize=(10, 0.35 * len(columns) * max(1, len(features)) + 1))
    else:
        fig = axes.figure
    height = 0.8 / len(features)
    positions = np.arange(len(columns))
    published = neuroprobe_leaderboard(split).set_index("feature_set") if leaderboard else None
    marked = False
    for i, row in enumerate(summary.itertuples(index=False)):
        values = np.array([getattr(row, c) for c in columns], dtype=float)
        y = positions + (i - (len(features) - 1) / 2) * height
        axes.barh(y, values, height=height * 0.9, label=row.feature_set)
        if published is not None and row.feature_set in published.index:
            board = published.loc[row.feature_set, columns].to_numpy(float)
            axes.plot(board, y, "|", color="black", markersize=8,
                      label=None if marked else "leaderboard")  # fmt: skip
            marked = True
    if chance is not None:
        axes.axvline(chance, color="0.5", linestyle="--", linewidth=1)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel("test AUROC (mean over sessions × folds)")
    axes.set_xlim(min(0.4, np.nanmin(summary[columns].to_numpy(float)) - 0.05), 1.0)
    axes.set_title(f"Neuroprobe {NEUROPROBE_SPLITS[split]}")
    axes.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig
