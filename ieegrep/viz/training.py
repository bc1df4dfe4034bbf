"""Loss curves of a pretraining run: the objective's loss against the trivial predictor's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import InvalidParameterError

__all__ = ["plot_training_history"]


def _read(history) -> pd.DataFrame:
    if isinstance(history, pd.DataFrame):
        return history
    path = Path(history)
    if path.is_dir():
        path = path / "history.tsv"
    if not path.exists():
        raise InvalidParameterError(
            "The training history file does not exist.",
            file=path,
            field="history",
            fix="Pass the run folder of ieegrep pretrain, its history.tsv, or a DataFrame.",
        )
    return pd.read_csv(path, sep="\t")


def _smooth(values: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(values) < 2:
        return values
    series = pd.Series(values)
    return series.rolling(window, min_periods=1).mean().to_numpy()


def plot_training_history(history, *, smooth: int | None = None, ax=None, title: str | None = None):
    """Plot the training loss and the trivial predictor's loss against the step.

    Parameters
    ----------
    history : pandas.DataFrame | path-like
        The run's history (``TrainingResult.history``), its ``history.tsv``, or
        the run folder. Columns ``step``, ``loss`` and (optionally)
        ``baseline_loss``.
    smooth : int | None
        Width in steps of a trailing moving average drawn over the raw curves
        (default: about 2% of the steps, at least 1).
    ax : matplotlib.axes.Axes | None
        Axes to draw in (default: a new figure).
    title : str | None, default None
        Axes title.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure drawn on (a new one when no axes were given).
    """
    import matplotlib.pyplot as plt

    table = _read(history)
    for column in ("step", "loss"):
        if column not in table.columns:
            raise InvalidParameterError(
                "The training history lacks a column.",
                field=column,
                value=list(table.columns),
                fix="Pass the history written by ieegrep's pretraining runner.",
            )
    if smooth is None:
        smooth = max(1, len(table) // 50)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    else:
        fig = ax.figure
    steps = table["step"].to_numpy()
    curves = [("loss", "masked reconstruction (model)", "#C44E52")]
    if "baseline_loss" in table.columns:
        curves.append(("baseline_loss", "trivial predictor", "#4C72B0"))
    for column, label, color in curves:
        values = table[column].to_numpy(float)
        ax.plot(steps, values, color=color, alpha=0.25, linewidth=0.8)
        ax.plot(steps, _smooth(values, smooth), color=color, linewidth=1.8, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    finite = table["loss"].to_numpy(float)
    if len(finite) and np.all(finite[np.isfinite(finite)] > 0):
        ax.set_yscale("log")
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    return fig
