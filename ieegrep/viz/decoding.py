"""Decoding scores: AUROC per fold and mean ± s.e.m. for each feature set."""

from __future__ import annotations

import numpy as np

from ..exceptions import InvalidParameterError

__all__ = ["plot_decoding"]


def _results(results):
    if hasattr(results, "attrs") and "results" in getattr(results, "attrs", {}):
        results = results.attrs["results"]
    if hasattr(results, "folds") and hasattr(results, "name"):
        return [results]
    if isinstance(results, dict):
        return list(results.values())
    try:
        items = list(results)
    except TypeError:
        items = []
    if not items or not all(hasattr(r, "folds") for r in items):
        raise InvalidParameterError(
            "Nothing to plot: expected decoding results.",
            field="results",
            value=type(results).__name__,
            fix="Pass what ieegrep.decoding.compare_auroc or cross_validate_auroc returned.",
        )
    return items


def plot_decoding(results, *, chance=0.5, title=None, axes=None):
    """Plot AUROC per fold (dots) and mean ± s.e.m. (bar) for each feature set.

    Parameters
    ----------
    results : DecodingResult | list of DecodingResult | dict | pandas.DataFrame
        What :func:`ieegrep.decoding.cross_validate_auroc` returns, several of
        them, or the table of :func:`ieegrep.decoding.compare_auroc` (its
        ``attrs["results"]`` hold the folds).
    chance : float | None
        Level drawn as a dashed line (default 0.5); ``None`` draws none.
    title : str | None, default None
        Axes title.
    axes : matplotlib.axes.Axes | None, default None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure drawn on (a new one when no axes were given).
    """
    import matplotlib.pyplot as plt

    items = _results(results)
    if axes is None:
        fig, axes = plt.subplots(figsize=(1.2 + 1.3 * len(items), 3.6), layout="constrained")
    else:
        fig = axes.figure
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every run
    for i, result in enumerate(items):
        scores = result.scores
        axes.bar(i, result.mean, width=0.6, color=f"C{i}", alpha=0.35)
        if np.isfinite(result.sem):
            axes.errorbar(i, result.mean, yerr=result.sem, color="k", capsize=4, lw=1.2)
        axes.plot(i + rng.uniform(-0.15, 0.15, scores.size), scores, "o", color=f"C{i}", ms=4)
    if chance is not None:
        axes.axhline(chance, color="0.4", ls="--", lw=1, label="chance")
    axes.set_xticks(range(len(items)), [r.name for r in items], rotation=20, ha="right")
    axes.set_ylabel("AUROC")
    axes.set_ylim(min(0.0, *(r.scores.min() for r in items)), 1.0)
    if title:
        axes.set_title(title)
    return fig
