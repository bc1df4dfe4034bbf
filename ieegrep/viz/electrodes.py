"""Contacts on 2-D brain projections, coloured by region or lobe."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..atlas import Atlas
from ..atlas.lobes import LOBES, UNKNOWN
from ..exceptions import IeegrepError

__all__ = ["plot_electrodes", "LOBE_COLORS"]

#: Fixed colours for the lobe level, so figures of different recordings agree.
LOBE_COLORS = {
    "frontal": "#4C72B0",
    "parietal": "#55A868",
    "temporal": "#C44E52",
    "occipital": "#8172B2",
    "cingulate": "#CCB974",
    "insula": "#64B5CD",
    "hippocampus": "#DD8452",
    "amygdala": "#937860",
    "thalamus": "#DA8BC3",
    "caudate": "#8C8C8C",
    "putamen": "#6D904F",
    "pallidum": "#B47CC7",
    "accumbens": "#C4AD66",
    "ventral-dc": "#77BEDB",
    "brainstem": "#4C4C4C",
    "cerebellum": "#A3A3A3",
    "white-matter": "#E5D8BD",
    "ventricle": "#B3CDE3",
    UNKNOWN: "#BBBBBB",
}
_VIEWS = {  # view → (projected axis, horizontal axis, vertical axis, labels)
    "sagittal": (0, 1, 2, ("y (mm, anterior +)", "z (mm, superior +)")),
    "coronal": (1, 0, 2, ("x (mm, right +)", "z (mm, superior +)")),
    "axial": (2, 0, 1, ("x (mm, right +)", "y (mm, anterior +)")),
}


@functools.lru_cache(maxsize=4)
def _silhouettes(atlas_name: str):
    atlas = Atlas.load(atlas_name)
    brain = atlas.volume > 0
    origin = atlas.affine[:3, 3]
    step = np.diag(atlas.affine)[:3]
    out = {}
    for view, (axis, h, v, _) in _VIEWS.items():
        mask = brain.any(axis=axis)  # remaining axes keep their order (h before v)
        extent = (
            origin[h] - step[h] / 2,
            origin[h] + step[h] * (mask.shape[0] - 0.5),
            origin[v] - step[v] / 2,
            origin[v] + step[v] * (mask.shape[1] - 0.5),
        )
        out[view] = (mask.T, extent)
    return out


def _table(data) -> pd.DataFrame:
    table = getattr(data, "electrodes", data)
    if not isinstance(table, pd.DataFrame):
        raise IeegrepError(
            "plot_electrodes needs a Recording or an electrode table (DataFrame).",
            field="data",
            value=type(data).__name__,
            fix="Pass ieegrep.bids.load_recording(...) or its .electrodes table.",
        )
    return table


def plot_electrodes(
    data,
    *,
    color_by: str = "region",
    views=("sagittal", "coronal", "axial"),
    atlas: str = "desikan-killiany",
    show_brain: bool = True,
    max_legend: int = 20,
    title: str | None = None,
    axes=None,
):
    """Draw contacts on sagittal, coronal and axial projections, coloured by region.

    Parameters
    ----------
    data : Recording | pandas.DataFrame
        A recording from :func:`ieegrep.bids.load_recording`, or its
        ``electrodes`` table (columns ``mni152_x/y/z`` and the ``color_by``
        column; ``x/y/z`` are used when there are no MNI152 coordinates).
    color_by : str
        Column giving the colour: ``"region"`` (default), ``"lobe"``, ``"shaft"``
        or any categorical column.
    views : sequence of {"sagittal", "coronal", "axial"}, default ('sagittal', 'coronal', 'axial')
        Panels to draw, left to right.
    atlas : str, default 'desikan-killiany'
        Atlas whose brain outline is drawn behind MNI152 contacts.
    show_brain : bool, default True
        Draw the brain outline (only for MNI152 coordinates).
    max_legend : int, default 20
        Most categories listed in the legend (most populated first).
    title : str | None, default None
        Figure title.
    axes : sequence of matplotlib.axes.Axes | None, default None
        Axes to draw into (one per view); a new figure when ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Contacts of bad channels are drawn with a black ``x``; ``"Unknown"``
        contacts in grey.
    """
    import matplotlib.pyplot as plt

    table = _table(data)
    if color_by not in table.columns:
        raise IeegrepError(
            "Unknown colour column.",
            field="color_by",
            value=color_by,
            fix="Use one of the table's columns, e.g. 'region' or 'lobe'.",
        )
    unknown_views = [v for v in views if v not in _VIEWS]
    if unknown_views or not len(views):
        raise IeegrepError(
            "Unknown view.",
            field="views",
            value=list(views),
            fix="Use 'sagittal', 'coronal' and/or 'axial'.",
        )
    mni = {"mni152_x", "mni152_y", "mni152_z"} <= set(table.columns) and table[
        ["mni152_x", "mni152_y", "mni152_z"]
    ].notna().all(axis=1).any()
    columns = ["mni152_x", "mni152_y", "mni152_z"] if mni else ["x", "y", "z"]
    if not set(columns) <= set(table.columns):
        raise IeegrepError(
            "The table has no coordinates to plot.",
            field="x, y, z",
            fix="Load a recording whose electrodes.tsv has positions.",
        )
    coords = table[columns].to_numpy(float)
    if not mni:
        units = (table.attrs.get("ieegrep") or {}).get("coordinate_units")
        coords = coords * {"m": 1000.0, "cm": 10.0}.get(units, 1.0)
    located = np.isfinite(coords).all(axis=1)
    categories = table[color_by].fillna(UNKNOWN).astype(str)
    counts = categories[located].value_counts()
    order = [c for c in counts.index if c != UNKNOWN] + ([UNKNOWN] if UNKNOWN in counts else [])
    colours = _colours(order, color_by)
    bad = table["bad"].to_numpy(bool) if "bad" in table.columns else np.zeros(len(table), bool)

    if axes is None:
        fig, axes = plt.subplots(
            1, len(views), figsize=(4.2 * len(views) + 2.5, 4.2), layout="constrained"
        )
        axes = np.atleast_1d(axes)
    else:
        axes = np.atleast_1d(axes)
        fig = axes[0].figure
    if len(axes) != len(views):
        raise IeegrepError(
            "Give one axes per view.",
            field="axes",
            value=len(axes),
            fix=f"Pass {len(views)} axes, or axes=None.",
        )
    outlines = _silhouettes(atlas) if (mni and show_brain) else {}
    for ax, view in zip(axes, views):
        axis, h, v, labels = _VIEWS[view]
        if view in outlines:
            mask, extent = outlines[view]
            ax.imshow(
                np.where(mask, 1.0, np.nan),
                extent=extent,
                origin="lower",
                cmap="Greys",
                vmin=0,
                vmax=6,
                interpolation="nearest",
            )
            ax.contour(
                mask.astype(float),
                levels=[0.5],
                extent=extent,
                colors="0.55",
                linewidths=0.8,
                origin="lower",
            )
        depth = coords[:, axis]
        for category in order:
            sel = located & (categories.to_numpy() == category)
            # draw far contacts first so near ones stay visible
            idx = np.flatnonzero(sel)[np.argsort(depth[sel] * (1 if view != "coronal" else -1))]
            ax.scatter(
                coords[idx, h],
                coords[idx, v],
                s=26,
                color=colours[category],
                edgecolors="k" if category != UNKNOWN else "0.5",
                linewidths=0.4,
                label=category,
                zorder=3,
            )
        if (bad & located).any():
            ax.scatter(
                coords[bad & located, h],
                coords[bad & located, v],
                marker="x",
                s=30,
                color="k",
                linewidths=1.0,
                zorder=4,
                label="bad channel",
            )
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_title(view)
        ax.set_aspect("equal")
        if view == "sagittal" and mni and np.nanmean(coords[located, 0]) < 0:
            ax.invert_xaxis()  # left hemisphere: view from the left, anterior to the left
    handles, names = axes[0].get_legend_handles_labels()
    keep = [(hnd, n) for hnd, n in zip(handles, names)]
    shown = [(hnd, f"{n} ({counts.get(n, 0)})" if n in counts else n) for hnd, n in keep]
    if len(shown) > max_legend:
        shown = shown[: max_legend - 1] + [
            (shown[-1][0], f"... {len(order) - max_legend + 1} more")
        ]
    fig.legend(
        [s[0] for s in shown],
        [s[1] for s in shown],
        loc="outside right center",
        fontsize="small",
        frameon=False,
        title=color_by,
    )
    space = "MNI152" if mni else "file coordinates"
    fig.suptitle(
        f"{title + ' — ' if title else ''}{int(located.sum())} of {len(table)} "
        f"contacts located ({space})"
    )
    return fig


def _colours(order, color_by):
    import matplotlib as mpl

    if color_by == "lobe":
        return {c: LOBE_COLORS.get(c, "#333333") for c in order}
    palette = list(mpl.colormaps["tab20"].colors) + list(mpl.colormaps["tab20b"].colors)
    colours, i = {}, 0
    for category in order:
        if category == UNKNOWN:
            colours[category] = LOBE_COLORS[UNKNOWN]
        else:
            colours[category] = palette[i % len(palette)]
            i += 1
    return colours


assert set(LOBE_COLORS) == set(LOBES)
