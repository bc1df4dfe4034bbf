"""Sliding and event-locked windows, clear of bad segments and recording edges.

A window table is a :class:`pandas.DataFrame`, one row per window, in time order:

``start``, ``stop``
    First sample and one past the last sample, at ``table.attrs["sfreq"]``
    (samples counted from the first sample of the recording).
``onset``, ``duration``
    The same in seconds. Splitters use ``onset`` to keep neighbouring windows
    apart in time.
event columns (event-locked windows only)
    ``event_onset`` (s) and every column of the recording's ``events.tsv``
    (``trial_type``, ``value``, ...), so labels travel with the windows.

``table.attrs`` holds ``sfreq``, ``n_samples`` (window length) and ``dropped``
(how many windows were left out, by reason: ``"edge"``, ``"bad"``).
Windows are defined in seconds and placed on the sample grid of the rate asked
for, so the same table can address data resampled to a model's rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..bids import split_recording
from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose

__all__ = ["sliding_windows", "event_windows", "extract_windows", "bad_segments"]


def bad_segments(inst) -> np.ndarray:
    """Bad segments of a recording, from annotations whose description starts with ``bad``.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        The recording.

    Returns
    -------
    segments : ndarray, shape (n_segments, 2)
        Start and end of each bad segment, in seconds from the first sample.
    """
    raw = split_recording(inst)[0]
    annotations = raw.annotations
    rows = [
        (onset - raw.first_time, onset - raw.first_time + duration)
        for onset, duration, description in zip(
            annotations.onset, annotations.duration, annotations.description
        )
        if str(description).lower().startswith("bad")
    ]
    return np.array(rows, dtype=float).reshape(-1, 2)


def _positive(value, field, unit="s"):
    if value is None or not np.isfinite(value) or value <= 0:
        raise InvalidParameterError(
            f"{field} must be a positive number of {'seconds' if unit == 's' else unit}.",
            field=field,
            value=value,
            fix=f"Pass e.g. {field}=5.0.",
        )
    return float(value)


def _finish(table: pd.DataFrame, sfreq, n_samples, n_times, segments, reject):
    """Drop windows that cross an edge or a bad segment; set attrs."""
    edge = (table["start"] < 0) | (table["stop"] > n_times)
    bad = np.zeros(len(table), dtype=bool)
    if reject and len(segments):
        begin = table["start"].to_numpy() / sfreq
        end = table["stop"].to_numpy() / sfreq
        for seg_start, seg_end in segments:
            bad |= (begin < seg_end) & (end > seg_start)
    bad &= ~edge.to_numpy()
    keep = ~edge.to_numpy() & ~bad
    dropped = {"edge": int(edge.sum()), "bad": int(bad.sum())}
    if dropped["edge"] or dropped["bad"]:
        logger.info(
            "Windows: %d kept, %d dropped at the edges, %d in bad segments",
            int(keep.sum()),
            dropped["edge"],
            dropped["bad"],
        )
    table = table[keep].reset_index(drop=True)
    table.attrs.update(sfreq=float(sfreq), n_samples=int(n_samples), dropped=dropped)
    return table


@verbose
def sliding_windows(
    inst,
    duration: float,
    stride: float | None = None,
    *,
    sfreq: float | None = None,
    snap: int | None = None,
    reject_by_annotation: bool = True,
    verbose=None,
) -> pd.DataFrame:
    """Cut a recording into windows of fixed length at a fixed stride.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        The recording.
    duration : float
        Window length in seconds (e.g. 5.0 for BrainBERT, 3.0 for BaRISTA).
    stride : float | None
        Step between window starts in seconds (default ``duration``: no overlap).
    sfreq : float | None
        Rate of the sample grid the windows address (default the recording's;
        pass the model rate when the data will be resampled).
    snap : int | None
        Round the stride to a whole multiple of this many samples. With the
        STFT hop (50 samples at 2048 Hz) overlapping windows share their STFT
        frames, which :func:`~ieegrep.preprocessing.windowed_stft_spectrogram`
        then computes once: a 1-s stride becomes 2050 samples (1.00098 s).
        ``None`` (default) keeps the stride as given.
    reject_by_annotation : bool
        Drop windows that overlap an annotation whose description starts with
        ``"bad"`` (default True).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    windows : pandas.DataFrame
        ``start``, ``stop`` (samples), ``onset``, ``duration`` (s); see the
        module docstring.
    """
    raw = split_recording(inst)[0]
    duration = _positive(duration, "duration")
    stride = duration if stride is None else _positive(stride, "stride")
    sfreq = float(raw.info["sfreq"] if sfreq is None else _positive(sfreq, "sfreq", "Hz"))
    n_times = int(round(raw.n_times * sfreq / raw.info["sfreq"]))
    n_samples = int(round(duration * sfreq))
    step = stride * sfreq
    if snap is not None:
        if int(snap) < 1:
            raise InvalidParameterError(
                "snap must be a positive number of samples.",
                field="snap",
                value=snap,
                fix="Pass the STFT hop in samples, e.g. snap=50 at 2048 Hz.",
            )
        step = max(int(round(step / int(snap))), 1) * int(snap)
    starts = np.round(np.arange(0, max(n_times - n_samples, -1) + 1, step)).astype(int)
    starts = starts[starts + n_samples <= n_times]
    table = pd.DataFrame({"start": starts, "stop": starts + n_samples})
    table["onset"] = table["start"] / sfreq
    table["duration"] = n_samples / sfreq
    return _finish(table, sfreq, n_samples, n_times, bad_segments(raw), reject_by_annotation)


@verbose
def event_windows(
    inst,
    pre: float,
    post: float,
    *,
    events=None,
    trial_type=None,
    sfreq: float | None = None,
    reject_by_annotation: bool = True,
    verbose=None,
) -> pd.DataFrame:
    """Windows locked to events: from ``pre`` seconds before to ``post`` seconds after each onset.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        The recording.
    pre, post : float
        Seconds before and after the event onset (``pre`` may be negative to
        start after the onset). The window lasts ``pre + post`` seconds.
    events : pandas.DataFrame | None
        Events with an ``onset`` column (s); default the recording's
        ``events.tsv`` (or, for a Raw, its annotations).
    trial_type : str | list of str | None, default None
        Keep only these event types (``trial_type`` column, or annotation
        description); ``None`` keeps all.
    sfreq : float | None
        Rate of the sample grid (default the recording's).
    reject_by_annotation : bool
        Drop windows overlapping a ``bad`` annotation (default True).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    windows : pandas.DataFrame
        ``start``, ``stop``, ``onset``, ``duration``, ``event_onset`` and the
        event's columns; windows running past the recording are dropped.
    """
    raw, recording = split_recording(inst)
    if (
        pre is None
        or post is None
        or not np.isfinite(pre)
        or not np.isfinite(post)
        or pre + post <= 0
    ):
        raise InvalidParameterError(
            "The window must last a positive time: pre + post > 0.",
            field="pre, post",
            value=(pre, post),
            fix="Pass e.g. pre=0.5, post=1.0 (seconds before and after the onset).",
        )
    if events is None:
        if recording is not None:
            events = recording.events
        else:
            annotations = raw.annotations
            events = pd.DataFrame(
                {
                    "onset": annotations.onset - raw.first_time,
                    "duration": annotations.duration,
                    "trial_type": annotations.description,
                }
            )
    if "onset" not in events.columns:
        raise InvalidParameterError(
            "The events table has no 'onset' column.",
            field="events",
            value=list(events.columns),
            fix="Pass a table with onsets in seconds, such as recording.events.",
        )
    events = events[events["onset"].notna()]
    if trial_type is not None:
        wanted = [trial_type] if isinstance(trial_type, str) else list(trial_type)
        column = "trial_type" if "trial_type" in events.columns else None
        if column is None:
            raise InvalidParameterError(
                "The events have no 'trial_type' column to select from.",
                field="trial_type",
                value=trial_type,
                fix="Pass trial_type=None, or events with a trial_type column.",
            )
        present = set(events[column].astype(str))
        missing = [w for w in wanted if w not in present]
        if missing:
            raise InvalidParameterError(
                "No event of this type in the recording.",
                field="trial_type",
                value=missing,
                fix=f"Use one of {', '.join(sorted(present)) or 'none (no events)'}.",
            )
        events = events[events[column].astype(str).isin(wanted)]
    sfreq = float(raw.info["sfreq"] if sfreq is None else _positive(sfreq, "sfreq", "Hz"))
    n_times = int(round(raw.n_times * sfreq / raw.info["sfreq"]))
    n_samples = int(round((pre + post) * sfreq))
    starts = np.round((events["onset"].to_numpy(float) - pre) * sfreq).astype(int)
    table = pd.DataFrame({"start": starts, "stop": starts + n_samples})
    table["onset"] = table["start"] / sfreq
    table["duration"] = n_samples / sfreq
    table["event_onset"] = events["onset"].to_numpy(float)
    for column in events.columns:
        if column not in ("onset", "duration"):
            table[column] = events[column].to_numpy()
    table = table.sort_values("start", kind="stable").reset_index(drop=True)
    return _finish(table, sfreq, n_samples, n_times, bad_segments(raw), reject_by_annotation)


def extract_windows(data: np.ndarray, windows: pd.DataFrame, *, offset: int = 0) -> np.ndarray:
    """Gather windows from a continuous array.

    Parameters
    ----------
    data : ndarray, shape (..., n_times)
        Continuous signal on the windows' sample grid.
    windows : pandas.DataFrame
        A window table (``start`` column and ``attrs["n_samples"]``).
    offset : int, default 0
        Sample of ``data[..., 0]`` on the windows' grid (for chunks).

    Returns
    -------
    blocks : ndarray, shape (n_windows, ..., n_samples)
        A copy; windows first.
    """
    n_samples = int(windows.attrs["n_samples"])
    starts = windows["start"].to_numpy(int) - offset
    if len(starts) and (starts.min() < 0 or starts.max() + n_samples > data.shape[-1]):
        raise InvalidParameterError(
            "A window falls outside the data.",
            field="windows",
            value=(int(starts.min()), int(starts.max() + n_samples), data.shape[-1]),
            fix="Cut windows from the same recording and sampling rate as the data.",
        )
    view = np.lib.stride_tricks.sliding_window_view(data, n_samples, axis=-1)
    return np.moveaxis(view[..., starts, :], -2, 0).copy()
