"""Bar plot of the intrinsic dimensionality of embeddings per region."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import InvalidParameterError

__all__ = ["plot_dimensionality"]

_METRICS = {
    "n_components_95": "PCA components for 95 % variance",
    "participation_ratio": "participation ratio",
}


def plot_dimensionality(table, *, metrics=None, title=None, color="#4C72B0", axes=None):
    """Plot each region's dimensionality measures as horizontal bars.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`ieegrep.analysis.dimensionality.intrinsic_dimensionality`
        (columns ``region``, ``n_samples`` and the measures).
    metrics : list of str | None
        Columns to plot, one panel each (default: ``n_components_95`` and
        ``participation_ratio``).
    title : str | None, default None
        Figure title.
    color : str, default '#4C72B0'
        Bar colour.
    axes : list of matplotlib.axes.Axes | None
        Axes to draw into (one per metric); default: a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure. Regions keep the table's order; the sample count of each
        region is written at the end of its bar; regions without a value
        (too few samples) show no bar.
    """
    import matplotlib.pyplot as plt

    metrics = list(_METRICS) if metrics is None else list(metrics)
    if not isinstance(table, pd.DataFrame) or "region" not in table.columns:
        raise InvalidParameterError(
            "table must be the DataFrame returned by intrinsic_dimensionality.",
            field="table",
            value=type(table).__name__,
            fix="Pass intrinsic_dimensionality(embeddings, regions).",
        )
    missing = [m for m in metrics if m not in table.columns]
    if missing or not metrics:
        raise InvalidParameterError(
            "Unknown dimensionality measure(s).",
            field="metrics",
            value=missing or metrics,
            fix=f"Choose among {sorted(c for c in table.columns if c != 'region')}.",
        )
    n = len(table)
    if axes is None:
        fig, axes = plt.subplots(
            1, len(metrics), figsize=(4.0 * len(metrics), 0.6 + 0.35 * max(n, 1)), squeeze=False
        )
        axes = axes[0]
    else:
        axes = list(np.atleast_1d(axes))
        if len(axes) != len(metrics):
            raise InvalidParameterError(
                f"{len(axes)} axes given for {len(metrics)} metrics.",
                field="axes",
                value=len(axes),
                fix="Give one Axes per metric.",
            )
        fig = axes[0].figure
    positions = np.arange(n)
    labels = table["region"].astype(str).tolist()
    for ax, metric in zip(axes, metrics):
        values = pd.to_numeric(table[metric], errors="coerce").to_numpy(dtype=float)
        shown = np.nan_to_num(values, nan=0.0)
        ax.barh(positions, shown, color=color)
        if "n_samples" in table.columns:
            for y, (value, count) in enumerate(zip(values, table["n_samples"])):
                text = f"n={count}" if np.isfinite(value) else f"n={count} (too few)"
                ax.text(
                    0 if not np.isfinite(value) else value,
                    y,
                    f" {text}",
                    va="center",
                    fontsize=7,
                )
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.set_xlabel(_METRICS.get(metric, metric))
        ax.grid(axis="x", alpha=0.3)
        finite = values[np.isfinite(values)]
        ax.set_xlim(0, 1.25 * (finite.max() if finite.size else 1.0))
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
