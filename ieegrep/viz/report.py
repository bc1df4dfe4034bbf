"""A short Markdown report of figures and tables, and a spectrogram figure (``ieegrep demo``).

:func:`write_markdown_report` renders a list of blocks (headings and
paragraphs as text, tables as :class:`pandas.DataFrame`, figures as paths)
into one Markdown file whose figure links are relative to it, so the folder
can be moved or zipped as a whole. :func:`plot_spectrogram` draws one
channel's time-frequency map with event markers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_write
from ..exceptions import InvalidParameterError

__all__ = ["write_markdown_report", "markdown_table", "plot_spectrogram"]


def markdown_table(table, *, float_format="{:.3f}") -> str:
    """Render a table as GitHub-flavoured Markdown.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; the index is not written.
    float_format : str
        Format of float cells (default three decimals). NaN is written as
        ``n/a``.

    Returns
    -------
    text : str
        Header, separator and one line per row (no trailing newline).

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"name": ["stft"], "auroc": [0.91234]})))
    | name | auroc |
    | --- | --- |
    | stft | 0.912 |
    """
    if not isinstance(table, pd.DataFrame):
        raise InvalidParameterError(
            "A table must be a pandas DataFrame.",
            field="table",
            value=type(table).__name__,
            fix="Pass a DataFrame.",
        )

    def cell(value):
        if isinstance(value, float | np.floating):
            return "n/a" if not np.isfinite(value) else float_format.format(value)
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return "n/a"
        return str(value).replace("|", "\\|").replace("\n", " ")

    columns = [str(c) for c in table.columns]
    lines = ["| " + " | ".join(columns) + " |", "| " + " | ".join("---" for _ in columns) + " |"]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


def write_markdown_report(path, blocks, *, title=None, overwrite=True) -> Path:
    """Write a Markdown report from text, tables and figures, atomically.

    Parameters
    ----------
    path : path-like
        The ``.md`` file to write; its folder must exist.
    blocks : iterable
        In order: ``str`` (Markdown text: a heading ``"## ..."``, a paragraph,
        a list), :class:`pandas.DataFrame` (a table, see
        :func:`markdown_table`), or :class:`pathlib.Path` (a figure, embedded
        as an image with a link relative to the report; its file name is the
        caption). A ``(Path, caption)`` tuple gives the caption.
    title : str | None
        First-level heading (default none).
    overwrite : bool
        Replace an existing report (default True).

    Returns
    -------
    path : pathlib.Path
        The report.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        For a block of another type, or a figure that does not exist.
    """
    path = Path(path)
    parts = [f"# {title}"] if title else []
    for block in blocks:
        caption = None
        if isinstance(block, tuple) and len(block) == 2 and isinstance(block[0], Path):
            block, caption = block
        if isinstance(block, str):
            parts.append(block.strip())
        elif isinstance(block, pd.DataFrame):
            parts.append(markdown_table(block))
        elif isinstance(block, Path):
            if not block.is_file():
                raise InvalidParameterError(
                    "A figure of the report does not exist.",
                    file=block,
                    fix="Save the figure before writing the report.",
                )
            link = Path(os.path.relpath(block.absolute(), path.absolute().parent)).as_posix()
            parts.append(f"![{caption or block.stem}]({link})")
        else:
            raise InvalidParameterError(
                "A report block must be text, a DataFrame or the Path of a figure.",
                field="blocks",
                value=type(block).__name__,
                fix="Pass str, pandas.DataFrame or pathlib.Path items.",
            )
    with atomic_write(path, overwrite=overwrite) as fid:
        fid.write("\n\n".join(parts) + "\n")
    return path


def plot_spectrogram(spec, times, freqs, *, markers=None, title=None, unit=None, ax=None):
    """Draw one channel's spectrogram as a time-frequency image.

    Parameters
    ----------
    spec : array-like, shape (n_frames, n_freqs)
        Values per frame and frequency (e.g. the z-scored STFT of
        :func:`ieegrep.preprocessing.stft_spectrogram` for one channel).
    times : array-like of float, shape (n_frames,)
        Frame times in seconds.
    freqs : array-like of float, shape (n_freqs,)
        Frequencies in Hz.
    markers : dict of str to float | None, default None
        Dashed vertical lines at these times (s), labelled by the keys at the top
        of the image (e.g. ``{"seizure onset": 10.23}``). ``None``: no markers.
    title : str | None, default None
        Axes title; ``None`` (or empty) leaves the axes untitled.
    unit : str | None, default None
        Colour-bar label; ``None`` labels it ``"z-score"``.
    ax : matplotlib.axes.Axes | None, default None
        Where to draw; ``None`` draws on a new 8 x 3.2 inch figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure holding ``ax``, with the image (a diverging colour map
        symmetric about 0, clipped at the 99th percentile of ``|spec|``) and its
        colour bar.
    """
    import matplotlib.pyplot as plt

    spec = np.asarray(spec, dtype=float)
    times = np.asarray(times, dtype=float).reshape(-1)
    freqs = np.asarray(freqs, dtype=float).reshape(-1)
    if spec.shape != (times.size, freqs.size) or times.size < 2 or freqs.size < 2:
        raise InvalidParameterError(
            "spec must be (n_frames, n_freqs), matching times and freqs.",
            field="spec",
            value=(spec.shape, times.size, freqs.size),
            fix="Pass one channel's spectrogram with its return_axes=True axes.",
        )
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.0, 3.2), layout="constrained")
    else:
        fig = ax.figure
    finite = spec[np.isfinite(spec)]
    limit = float(np.percentile(np.abs(finite), 99)) if finite.size else 1.0
    image = ax.pcolormesh(
        times, freqs, spec.T, shading="nearest", cmap="RdBu_r", vmin=-limit, vmax=limit
    )
    fig.colorbar(image, ax=ax, label=unit or "z-score")
    for i, (label, when) in enumerate((markers or {}).items()):
        ax.axvline(when, color="k", ls="--", lw=1.2)
        ax.text(when, freqs[-1], f" {label}", va="top", ha="left", fontsize=8,
                color="k", backgroundcolor=(1, 1, 1, 0.6) if i == 0 else None)  # fmt: skip
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    if title:
        ax.set_title(title)
    return fig
