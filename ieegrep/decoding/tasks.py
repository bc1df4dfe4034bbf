"""Decoding tasks and embeddings defined on a BIDS dataset: ``ieegrep decode`` and ``ieegrep embed``.

:func:`decode_bids` builds labelled windows from the events of every recording
and cross-validates several feature sets side by side on the *same* leak-free
folds; :func:`embed_bids` writes a frozen encoder's embeddings of every
recording as BIDS derivatives (:func:`ieegrep.derivatives.write_embeddings`).

Labelled windows (:func:`labelled_windows`)
-------------------------------------------
``events="COLUMN=VALUE[,VALUE...]"`` selects the **positive** events: the rows
of ``events.tsv`` whose ``COLUMN`` holds one of the values (e.g.
``trial_type=sentence_onset``). Each event gives the window from ``pre``
seconds before to ``post`` seconds after its onset (``window=(pre, post)``).
The **negative** class is, with ``negative=``:

``None`` (default)
    the *other events* of the same column (every other value), if the
    recording has any; otherwise rest windows (below).
``"COLUMN=VALUE[,...]"``
    the events so selected.
``"rest"``
    windows of the same length, tiled without overlap over the recording,
    that overlap the window of *no* event of ``events.tsv`` (any type).

Negative events at the same onset as a positive one (within
``min_separation`` seconds, default half a sample) are dropped: in BIDS, one
moment often carries several rows (a sentence onset is also a word onset).
Windows that run past the recording's edges or cross a ``bad`` annotation are
dropped.

Cross-validation (``cv``)
-------------------------
``"contiguous"`` (default)
    Within each session, ``n_splits`` contiguous blocks in time
    (:class:`~ieegrep.decoding.ContiguousSplit`, Neuroprobe's within-session
    protocol), with a gap of one window length on each side of the test block,
    so no training window overlaps a test window. Per subject.
``"session"``
    Train on the other sessions of the subject, test on one
    (:class:`~ieegrep.decoding.CrossSessionSplit`). Per subject.
``"subject"``
    Train on the other subjects, test on one
    (:class:`~ieegrep.decoding.CrossSubjectSplit`). Needs the same channels in
    every subject for channel-wise features.
``"grouped"``
    Whole groups of windows held out (:class:`~ieegrep.decoding.GroupedSplit`),
    the groups being the values of the events column ``group_by`` (e.g.
    ``sentence_id``) within each recording. Per subject.

Features are computed per subject, on the channels that every recording of
that subject has (after dropping bad channels). AUROC is reported per fold;
the summary's mean ± s.e.m. runs over the folds of every subject.

Feature sets
------------
================  ==========================================================================
name              pipeline (then ``StandardScaler`` → ``LogisticRegression``)
================  ==========================================================================
``raw``           voltages of the window, original reference (Neuroprobe "raw voltage")
``stft``          magnitude STFT, 0-150 Hz at 2048 Hz, original reference (Neuroprobe "STFT")
``laplacian_stft``  the same after a shaft Laplacian (Neuroprobe "Laplacian + STFT")
``brainbert``     :class:`~ieegrep.decoding.BrainBERTEmbedder` (centre pooling), Laplacian
``barista``       :class:`~ieegrep.decoding.BaristaEmbedder` (per-channel pooling), Laplacian;
                  ``barista:channel``, ``barista:parcel``, ``barista:lobe`` name the scale
                  expected of the checkpoint
================  ==========================================================================

Every transformer is stateless (frozen encoders, fixed spectrograms), so the
features of every window are computed once and only the scaler and the
logistic regression are fitted inside each fold: the same numbers as fitting
the whole pipeline per fold, for a fraction of the time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..atomic import atomic_write
from ..bids import find_recordings, load_recording
from ..derivatives import derivatives_root, write_embeddings
from ..exceptions import InvalidParameterError, OutputExistsError
from ..models.barista import Barista
from ..models.brainbert import BrainBERT
from ..models.checkpoints import file_sha256
from ..preprocessing import (
    event_windows,
    extract_windows,
    notch_filter,
    rereference,
    sliding_windows,
)
from ..verbosity import logger, verbose
from .embedders import BaristaEmbedder, BrainBERTEmbedder
from .features import RawTransformer, neuroprobe_stft_baseline
from .inputs import VOLTS_TO_MICROVOLTS
from .splits import (
    ContiguousSplit,
    CrossSessionSplit,
    CrossSubjectSplit,
    DecodingResult,
    GroupedSplit,
    cross_validate_auroc,
)

__all__ = [
    "FEATURE_SETS",
    "parse_event_spec",
    "labelled_windows",
    "decode_bids",
    "embed_bids",
]

#: Feature sets understood by :func:`decode_bids` (``barista:<scale>`` for the scales).
FEATURE_SETS = (
    "raw",
    "stft",
    "laplacian_stft",
    "brainbert",
    "barista",
    "barista:channel",
    "barista:parcel",
    "barista:lobe",
)
_CV = ("contiguous", "session", "subject", "grouped")
_EMBED_MODELS = ("brainbert", "barista")
_REST = "rest"


# ------------------------------------------------------------------------------------------
# labelled windows
# ------------------------------------------------------------------------------------------


def parse_event_spec(spec, *, field_name="events"):
    """Read an event selection ``"COLUMN=VALUE[,VALUE...]"``.

    Parameters
    ----------
    spec : str | tuple | dict
        ``"trial_type=word_onset"``, ``"trial_type=a,b"``, ``("trial_type",
        ["a", "b"])`` or ``{"trial_type": ["a", "b"]}`` (one column).
    field_name : str, default 'events'
        Name of the argument, for error messages.

    Returns
    -------
    column : str
        The events column to match (``"trial_type"``, ...).
    values : list of str
        The values of that column that select an event.
    """
    column = values = None
    if isinstance(spec, str) and "=" in spec:
        column, _, text = spec.partition("=")
        values = [v.strip() for v in text.split(",") if v.strip()]
    elif isinstance(spec, dict) and len(spec) == 1:
        column, values = next(iter(spec.items()))
    elif isinstance(spec, tuple) and len(spec) == 2:
        column, values = spec
    if isinstance(values, str | int | float):
        values = [values]
    if not column or not values or not str(column).strip():
        raise InvalidParameterError(
            "An event selection must be COLUMN=VALUE[,VALUE...].",
            field=field_name,
            value=spec,
            fix=f'Pass e.g. {field_name}="trial_type=sentence_onset".',
        )
    return str(column).strip(), [str(v) for v in values]


def _select(events, column, values, field_name, recording):
    if column not in events.columns:
        raise InvalidParameterError(
            f"The events of {recording} have no column {column!r}.",
            field=field_name,
            value=column,
            fix=f"Use one of {', '.join(map(str, events.columns)) or 'none (no events.tsv)'}.",
        )
    return events[events[column].astype(str).isin(values)]


def _other_events(events, column, values):
    if column not in events.columns:
        return events.iloc[:0]
    present = events[column].notna() & ~events[column].astype(str).isin(["n/a", ""])
    return events[present & ~events[column].astype(str).isin(values)]


@verbose
def labelled_windows(
    recording,
    events,
    *,
    negative=None,
    window=(0.0, 1.0),
    min_separation=None,
    verbose=None,
) -> pd.DataFrame:
    """Windows of one recording labelled positive (the chosen events) or negative.

    Parameters
    ----------
    recording : Recording
        A recording from :func:`ieegrep.bids.load_recording`.
    events : str | tuple | dict
        The positive events, ``"COLUMN=VALUE[,VALUE...]"``.
    negative : str | None, default None
        ``None``: the other events of that column, else rest; ``"rest"``;
        or ``"COLUMN=VALUE[,...]"`` (see the module docstring).
    window : tuple of float
        ``(pre, post)``: seconds before and after each onset (default
        ``(0, 1)``).
    min_separation : float | None
        Negative events closer than this to a positive onset are dropped, s
        (default half a sample).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    windows : pandas.DataFrame
        ``start``, ``stop`` (samples), ``onset``, ``duration`` (s),
        ``event_onset`` (NaN for rest), ``label`` (1 positive, 0 negative),
        ``source`` (``"event"`` or ``"rest"``) and the event columns; sorted
        by ``start``. ``attrs["n_samples"]`` and ``attrs["sfreq"]`` as for
        :func:`~ieegrep.preprocessing.event_windows`.
    """
    pre, post = _check_window(window)
    column, values = parse_event_spec(events)
    table = recording.events
    name = recording.name
    sfreq = float(recording.sfreq)
    tolerance = 0.5 / sfreq if min_separation is None else float(min_separation)
    positives = _select(table, column, values, "events", name)
    if negative is None:
        others = _other_events(table, column, values)
        negative = _REST if others.empty else None
    elif negative == _REST:
        others = None
    else:
        neg_column, neg_values = parse_event_spec(negative, field_name="negative")
        others = _select(table, neg_column, neg_values, "negative", name)
    parts = []
    pos_onsets = np.unique(positives["onset"].to_numpy(float))
    if len(positives):
        positives = positives.drop_duplicates("onset")
        part = event_windows(recording, pre, post, events=positives)
        part["label"], part["source"] = 1, "event"
        parts.append(part)
    if negative == _REST:
        part = _rest_windows(recording, table, pre, post)
    else:
        onsets = others["onset"].to_numpy(float)
        if len(pos_onsets) and len(onsets):
            nearest = np.abs(onsets[:, None] - pos_onsets[None, :]).min(axis=1)
            others = others[nearest >= tolerance]
        others = others.drop_duplicates("onset")
        part = event_windows(recording, pre, post, events=others) if len(others) else None
    if part is not None and len(part):
        part["label"] = 0
        part["source"] = "rest" if negative == _REST else "event"
        parts.append(part)
    n_samples = int(round((pre + post) * sfreq))
    if not parts:
        out = pd.DataFrame(columns=["start", "stop", "onset", "duration", "label", "source"])
    else:
        out = pd.concat(parts, ignore_index=True).sort_values("start", kind="stable")
        out = out.reset_index(drop=True)
    out["label"] = out["label"].astype(int)
    out.attrs.update(sfreq=sfreq, n_samples=n_samples)
    logger.info(
        "%s: %d positive and %d negative window(s)",
        name,
        int((out["label"] == 1).sum()),
        int((out["label"] == 0).sum()),
    )
    return out


def _rest_windows(recording, table, pre, post):
    """Non-overlapping windows that overlap no event's window."""
    part = sliding_windows(recording, pre + post)
    if table.empty or part.empty:
        return part
    onsets = table["onset"].dropna().to_numpy(float)
    begin = part["onset"].to_numpy(float)
    end = begin + part["duration"].to_numpy(float)
    # the event window [t - pre, t + post] overlaps [begin, end) iff begin - post < t < end + pre
    hit = (onsets[None, :] > (begin - post)[:, None]) & (onsets[None, :] < (end + pre)[:, None])
    part = part[~hit.any(axis=1)].reset_index(drop=True)
    part["event_onset"] = np.nan
    return part


def _check_window(window):
    try:
        pre, post = (float(v) for v in window)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            "window must be (pre, post) in seconds.",
            field="window",
            value=window,
            fix="Pass e.g. window=(0.5, 1.0): 0.5 s before to 1 s after each onset.",
        ) from None
    if not (np.isfinite(pre) and np.isfinite(post)) or pre + post <= 0:
        raise InvalidParameterError(
            "The window must last a positive time: pre + post > 0.",
            field="window",
            value=window,
            fix="Pass e.g. window=(0.5, 1.0).",
        )
    return pre, post


# ------------------------------------------------------------------------------------------
# data of a subject
# ------------------------------------------------------------------------------------------


@dataclass
class _Block:
    """The windows of one recording in one channel view (µV)."""

    data: np.ndarray
    names: list
    electrodes: pd.DataFrame | None


@dataclass
class _Subject:
    subject: str
    sfreq: float
    windows: pd.DataFrame
    views: dict = field(default_factory=dict)  # view -> (X, names, electrodes)


def _view_block(recording, view, windows) -> _Block:
    if view == "laplacian":
        referenced = rereference(recording, "laplacian")
        raw, electrodes = referenced.raw, referenced.electrodes
        names = list(raw.ch_names)
        data = raw.get_data()
    else:
        raw = recording.raw
        bads = set(raw.info["bads"])
        names = [n for n in recording.electrodes["name"].astype(str) if n not in bads]
        electrodes = recording.electrodes
        data = raw.get_data(picks=names)
    blocks = extract_windows(data * VOLTS_TO_MICROVOLTS, windows)
    return _Block(blocks.astype(np.float32), names, electrodes)


def _view_of(name):
    """Return the channel view a feature set reads: original reference or Laplacian."""
    return "none" if name in ("raw", "stft") else "laplacian"


def _load_subjects(paths, feature_sets, events, negative, window, min_separation, group_by):
    views = {_view_of(name) for name in feature_sets}
    per_subject: dict[str, list] = {}
    for path in paths:
        recording = load_recording(path, preload=True)
        windows = labelled_windows(
            recording, events, negative=negative, window=window, min_separation=min_separation
        )
        if windows.empty:
            logger.info("%s: no labelled window, skipped", recording.name)
            continue
        windows = windows.assign(
            subject=str(recording.subject),
            session=str(recording.session or "1") + "/" + recording.name,
            recording=recording.name,
        )
        if group_by is not None:
            if group_by not in windows.columns or windows[group_by].isna().any():
                raise InvalidParameterError(
                    f"cv='grouped' needs the events column {group_by!r} on every window.",
                    field="group_by",
                    value=group_by,
                    fix="Name a column of events.tsv that every selected event has (e.g. "
                    "sentence_id), and use event negatives rather than rest windows.",
                )
            windows["group"] = recording.name + "/" + windows[group_by].astype(str)
        blocks = {view: _view_block(recording, view, windows) for view in views}
        per_subject.setdefault(str(recording.subject), []).append(
            (recording.sfreq, windows, blocks)
        )
    subjects = []
    for subject, items in per_subject.items():
        rates = {float(sfreq) for sfreq, _, _ in items}
        if len(rates) > 1:
            raise InvalidParameterError(
                f"The recordings of sub-{subject} have different sampling rates.",
                field="sfreq",
                value=sorted(rates),
                fix="Select recordings of one rate (sessions=..., tasks=...).",
            )
        data = _Subject(
            subject, rates.pop(), pd.concat([w for _, w, _ in items], ignore_index=True)
        )
        for view in views:
            common = [n for n in items[0][2][view].names
                      if all(n in it[2][view].names for it in items)]  # fmt: skip
            if not common:
                raise InvalidParameterError(
                    f"The recordings of sub-{subject} share no channel ({view} reference).",
                    field="subjects",
                    value=subject,
                    fix="Decode recordings with a common montage, or one session at a time.",
                )
            parts = []
            for _, _, blocks in items:
                order = [blocks[view].names.index(n) for n in common]
                parts.append(blocks[view].data[:, order])
            electrodes = items[0][2][view].electrodes
            data.views[view] = (np.concatenate(parts, axis=0), common, electrodes)
        subjects.append(data)
    if not subjects:
        raise InvalidParameterError(
            "No recording gave a labelled window.",
            field="events",
            value=events,
            fix="Check the event selection and the window against the events.tsv files.",
        )
    return subjects


def _merge_subjects(subjects):
    """One dataset of all subjects, for cross-subject folds (same channels needed)."""
    first = subjects[0]
    for other in subjects[1:]:
        for view, (_, names, _) in first.views.items():
            if other.views[view][1] != names:
                raise InvalidParameterError(
                    "cv='subject' needs the same channels in every subject for these "
                    "channel-wise features.",
                    field="cv",
                    value="subject",
                    fix="Use cv='contiguous' or cv='session' (per-subject decoders).",
                )
        if other.sfreq != first.sfreq:
            raise InvalidParameterError(
                "cv='subject' needs one sampling rate across subjects.",
                field="cv",
                value=sorted({s.sfreq for s in subjects}),
                fix="Use a per-subject cv, or resample the recordings.",
            )
    merged = _Subject(
        "all", first.sfreq, pd.concat([s.windows for s in subjects], ignore_index=True)
    )
    for view, (_, names, electrodes) in first.views.items():
        merged.views[view] = (
            np.concatenate([s.views[view][0] for s in subjects], axis=0),
            names,
            electrodes,
        )
    return [merged]


# ------------------------------------------------------------------------------------------
# decoding
# ------------------------------------------------------------------------------------------


def _check_feature_sets(feature_sets, checkpoints):
    if isinstance(feature_sets, str):
        feature_sets = [feature_sets]
    feature_sets = list(feature_sets)
    unknown = [f for f in feature_sets if f not in FEATURE_SETS]
    if unknown or not feature_sets:
        raise InvalidParameterError(
            "Unknown feature set.",
            field="feature_sets",
            value=unknown or feature_sets,
            fix=f"Use any of {', '.join(FEATURE_SETS)}.",
        )
    if len(set(feature_sets)) != len(feature_sets):
        raise InvalidParameterError(
            "A feature set is listed twice.",
            field="feature_sets",
            value=feature_sets,
            fix="List each feature set once.",
        )
    checkpoints = dict(checkpoints or {})
    for name in feature_sets:
        if name in ("raw", "stft", "laplacian_stft"):
            continue
        if _checkpoint_for(name, checkpoints) is None:
            raise InvalidParameterError(
                f"The feature set {name!r} needs an encoder checkpoint.",
                field="checkpoints",
                value=sorted(checkpoints),
                fix=f'Pass checkpoints={{"{name}": "path/to/model.pt"}} (an in-memory model '
                "is accepted too).",
            )
    return feature_sets, checkpoints


def _checkpoint_for(name, checkpoints):
    if name in checkpoints:
        return checkpoints[name]
    if name.startswith("barista:"):
        return checkpoints.get("barista")
    return None


def _encoder(source, model_class, cache):
    """Return an in-memory model as given; load a checkpoint path once per ``cache``."""
    if source is None or isinstance(source, BrainBERT | Barista):
        return source  # the embedder reports a missing or mistyped encoder
    key = (model_class, str(source))
    if key not in cache:
        cache[key] = model_class.from_pretrained(source)
    return cache[key]


def _transformer(name, sfreq, checkpoints, names, electrodes, device, batch_size, encoders):
    if name == "raw":
        return RawTransformer(sfreq=sfreq)
    if name in ("stft", "laplacian_stft"):
        return neuroprobe_stft_baseline(sfreq=sfreq).steps[0][1]
    source = _checkpoint_for(name, checkpoints)
    options = {"batch_size": batch_size} if batch_size else {}
    if name == "brainbert":
        model = _encoder(source, BrainBERT, encoders)
        return BrainBERTEmbedder(model=model, sfreq=sfreq, device=device, **options)
    scale = name.partition(":")[2] or None
    return BaristaEmbedder(
        model=_encoder(source, Barista, encoders), scale=scale, sfreq=sfreq,
        chs_info=list(names), regions=electrodes, device=device, **options,
    )  # fmt: skip


def _folds(cv, windows, n_splits, window_s):
    sessions = windows["session"].to_numpy(dtype=object)
    if cv == "contiguous":
        splitter = ContiguousSplit(n_splits, gap=window_s, onsets=windows["onset"].to_numpy(float))
        return list(splitter.split(None, windows["label"].to_numpy(), sessions)), sessions
    if cv == "session":
        groups = windows[["subject", "session"]]
        return list(CrossSessionSplit().split(None, None, groups)), groups
    if cv == "subject":
        groups = windows["subject"].to_numpy(dtype=object)
        return list(CrossSubjectSplit().split(None, None, groups)), groups
    groups = windows["group"].to_numpy(dtype=object)
    splitter = GroupedSplit(n_splits)
    return list(splitter.split(None, windows["label"].to_numpy(), groups)), groups


def _classifier(random_state):
    return make_pipeline(
        StandardScaler(),
        LogisticRegression(max_iter=10000, tol=1e-3, random_state=random_state),
    )


@verbose
def decode_bids(
    bids_root,
    *,
    events,
    negative=None,
    feature_sets=("raw", "stft", "laplacian_stft"),
    checkpoints=None,
    window=(0.0, 1.0),
    cv="contiguous",
    n_splits=5,
    group_by=None,
    subjects=None,
    sessions=None,
    tasks=None,
    min_separation=None,
    device="cpu",
    batch_size=None,
    random_state=42,
    out_dir=None,
    overwrite=False,
    verbose=None,
) -> pd.DataFrame:
    """Decode a task defined on BIDS events with several feature sets on the same folds.

    Parameters
    ----------
    bids_root : path-like
        Root of the BIDS dataset.
    events : str
        Positive events, ``"COLUMN=VALUE[,VALUE...]"`` (e.g.
        ``"trial_type=sentence_onset"``).
    negative : str | None, default None
        Negative windows: ``None`` (other events of the column, else rest),
        ``"rest"`` or ``"COLUMN=VALUE[,...]"``. See the module docstring.
    feature_sets : sequence of str
        Any of :data:`FEATURE_SETS` (default the three Neuroprobe linear
        baselines).
    checkpoints : dict | None, default None
        Encoder of each embedding feature set: ``{"brainbert": path,
        "barista:parcel": path, ...}`` (``"barista"`` serves every
        ``barista:<scale>`` without its own entry). Values are checkpoint
        paths or in-memory models.
    window : tuple of float
        ``(pre, post)`` seconds around each onset (default ``(0, 1)``).
        BrainBERT's centre pooling needs about 0.75 s or more.
    cv : ``"contiguous"`` | ``"session"`` | ``"subject"`` | ``"grouped"``
        Cross-validation scheme (default ``"contiguous"``).
    n_splits : int
        Folds of the contiguous and grouped schemes (default 5).
    group_by : str | None, default None
        Events column whose values are the groups of ``cv="grouped"``.
    subjects, sessions, tasks : str | list of str | None, default None
        Keep only these recordings.
    min_separation : float | None, default None
        Negative events closer than this to a positive onset are dropped, s.
    device : str
        Torch device of the encoders (default ``"cpu"``).
    batch_size : int | None
        Encoder batch size (None: each embedder's default).
    random_state : int
        Seed of the logistic regressions (default 42, Neuroprobe's).
    out_dir : path-like | None, default None
        If given, write ``decoding_summary.tsv`` (one row per feature set),
        ``decoding_folds.tsv`` (one row per fold) and ``decoding.json`` (the
        settings and summary) there, atomically. The plot is drawn by
        :func:`ieegrep.viz.plot_decoding` from the returned table.
    overwrite : bool
        Replace existing output files (default False).
    verbose : bool | str | int | None, default None
        Log level; INFO logs each recording and each score.

    Returns
    -------
    summary : pandas.DataFrame
        One row per feature set: ``name``, ``auroc_mean``, ``auroc_sem``,
        ``n_folds``, ``n_windows``, ``n_positive``. ``summary.attrs["results"]``
        maps each name to a :class:`~ieegrep.decoding.DecodingResult` whose
        folds table has a ``subject`` column; ``summary.attrs["windows"]`` is
        the table of labelled windows.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        For an unknown feature set or cv, a missing checkpoint, events that
        select nothing, or folds where a class is missing.
    ieegrep.exceptions.OutputExistsError
        If output files exist and ``overwrite`` is False.
    """
    feature_sets, checkpoints = _check_feature_sets(feature_sets, checkpoints)
    if cv not in _CV:
        raise InvalidParameterError(
            "Unknown cross-validation scheme.",
            field="cv",
            value=cv,
            fix=f"Use one of {', '.join(_CV)}.",
        )
    if cv == "grouped" and group_by is None:
        raise InvalidParameterError(
            "cv='grouped' needs group_by: the events column whose values are the groups.",
            field="group_by",
            value=None,
            fix="Pass e.g. group_by='sentence_id'.",
        )
    pre, post = _check_window(window)
    parse_event_spec(events)
    outputs = _output_paths(out_dir, overwrite)
    paths = find_recordings(bids_root, subject=subjects, session=sessions, task=tasks)
    data = _load_subjects(
        paths, feature_sets, events, negative, window, min_separation,
        group_by if cv == "grouped" else None,
    )  # fmt: skip
    if cv == "subject":
        data = _merge_subjects(data)
    folds_by_name: dict[str, list] = {name: [] for name in feature_sets}
    encoders = {}  # each checkpoint is read once, not once per subject
    for subject in data:
        windows = subject.windows
        y = windows["label"].to_numpy()
        if np.unique(y).size < 2:
            logger.warning("sub-%s has a single class; skipped", subject.subject)
            continue
        folds, groups = _folds(cv, windows, n_splits, pre + post)
        for name in feature_sets:
            X, names, electrodes = subject.views[_view_of(name)]
            transformer = _transformer(
                name, subject.sfreq, checkpoints, names, electrodes, device, batch_size, encoders
            )
            features = transformer.fit(X).transform(X)
            result = cross_validate_auroc(
                _classifier(random_state), features, y, cv=folds, groups=groups, name=name
            )
            table = result.folds.assign(subject=subject.subject)
            folds_by_name[name].append(table)
    results = {}
    for name, tables in folds_by_name.items():
        if not tables:
            continue
        table = pd.concat(tables, ignore_index=True)
        table["fold"] = np.arange(len(table))
        results[name] = DecodingResult(name=name, folds=table)
    if not results:
        raise InvalidParameterError(
            "No subject has both classes; nothing was decoded.",
            field="events",
            value=events,
            fix="Check the negative class (negative='rest' or another event type).",
        )
    all_windows = pd.concat([s.windows for s in data], ignore_index=True)
    summary = pd.DataFrame([r.summary() for r in results.values()])
    summary["n_windows"] = len(all_windows)
    summary["n_positive"] = int(all_windows["label"].sum())
    summary.attrs["results"] = results
    summary.attrs["windows"] = all_windows
    if outputs is not None:
        settings = {
            "bids_root": str(Path(bids_root).absolute()),
            "events": events,
            "negative": negative,
            "feature_sets": feature_sets,
            "checkpoints": {k: _describe_source(v) for k, v in checkpoints.items()},
            "window_s": [pre, post],
            "cv": cv,
            "n_splits": n_splits,
            "group_by": group_by,
            "random_state": random_state,
        }
        _write_outputs(outputs, summary, results, settings)
    return summary


def _describe_source(source):
    if isinstance(source, BrainBERT | Barista):
        return {"model": type(source).__name__, "sha256": source.checkpoint_sha256_}
    path = Path(source)
    return {"path": str(path), "sha256": file_sha256(path) if path.is_file() else None}


def _output_paths(out_dir, overwrite):
    if out_dir is None:
        return None
    out_dir = Path(out_dir)
    paths = {
        "summary": out_dir / "decoding_summary.tsv",
        "folds": out_dir / "decoding_folds.tsv",
        "settings": out_dir / "decoding.json",
    }
    existing = [p for p in paths.values() if p.exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            "Decoding results already exist in the output folder.",
            file=existing[0],
            fix="Pass overwrite=True (--overwrite), or another output folder.",
        )
    return paths


def _write_outputs(paths, summary, results, settings):
    paths["summary"].parent.mkdir(parents=True, exist_ok=True)
    folds = pd.concat([r.to_frame() for r in results.values()], ignore_index=True)
    with atomic_write(paths["summary"], mode="w", overwrite=True) as fid:
        summary.to_csv(fid, sep="\t", index=False, float_format="%.4f", lineterminator="\n")
    with atomic_write(paths["folds"], mode="w", overwrite=True) as fid:
        folds.to_csv(fid, sep="\t", index=False, float_format="%.4f", lineterminator="\n")
    content = {
        "settings": settings,
        "summary": json.loads(summary.to_json(orient="records")),
    }
    with atomic_write(paths["settings"], mode="w", overwrite=True) as fid:
        json.dump(content, fid, indent=2)
        fid.write("\n")
    logger.info("Decoding results written to %s", paths["summary"].parent)


# ------------------------------------------------------------------------------------------
# embeddings as derivatives
# ------------------------------------------------------------------------------------------


@verbose
def embed_bids(
    bids_root,
    *,
    checkpoint,
    model="brainbert",
    window=5.0,
    stride=None,
    reference="laplacian",
    notch="reference",
    pooling=None,
    subjects=None,
    sessions=None,
    tasks=None,
    device="cpu",
    batch_size=None,
    chunk_windows=64,
    overwrite=False,
    verbose=None,
) -> list:
    """Write a frozen encoder's embeddings of every recording to ``derivatives/ieegrep``.

    Parameters
    ----------
    bids_root : path-like
        Root of the BIDS dataset; outputs go to ``bids_root/derivatives/ieegrep``.
    checkpoint : path-like | BrainBERT | Barista
        The encoder: a checkpoint file (or an in-memory model; its SHA-256 is
        then that of the file it was loaded from, if any).
    model : ``"brainbert"`` | ``"barista"``
        Which encoder the checkpoint holds (default ``"brainbert"``).
    window : float
        Window length in seconds (default 5, BrainBERT's; 3 for BaRISTA).
    stride : float | None
        Step between windows in seconds (default ``window``: no overlap).
    notch : ``"reference"`` | ``"zero-phase"`` | None
        Line-noise notch at the recording's ``PowerLineFrequency`` and its
        harmonics, applied before re-referencing (default ``"reference"``: the
        causal filter BrainBERT/BaRISTA use, and ieegrep's pretraining datasets,
        so embeddings see the data the encoder was trained on); ``None`` skips it,
        as it is skipped when the line frequency is unknown.
    reference : ``"laplacian"`` | ``"bipolar"`` | ``"average"`` | ``"none"``
        Re-referencing before the encoder (default ``"laplacian"``, as both
        encoders are pretrained). ``"none"`` keeps the good iEEG channels.
    pooling : str | None
        Embedder pooling (default ``"center"`` for BrainBERT, ``"channel"``
        for BaRISTA): one vector per window and channel.
    subjects, sessions, tasks : str | list of str | None, default None
        Keep only these recordings.
    device : str
        Torch device (default ``"cpu"``).
    batch_size : int | None
        Encoder batch size (None: the embedder's default).
    chunk_windows : int
        Windows read and embedded at a time (memory bound, default 64).
    overwrite : bool
        Replace existing embeddings (default False: raise before writing).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    written : list of dict
        Per recording, the paths returned by
        :func:`~ieegrep.derivatives.write_embeddings` (``"embeddings"``,
        ``"sidecar"``, ``"events"``, ``"events_sidecar"``). Files are named
        ``..._desc-brainbert_embeddings.npy`` or
        ``..._desc-barista<Scale>_embeddings.npy``; the array is
        ``(n_windows, n_channels, d_model)``.
    """
    if model not in _EMBED_MODELS:
        raise InvalidParameterError(
            "Unknown model kind.",
            field="model",
            value=model,
            fix="Use model='brainbert' or model='barista'.",
        )
    if reference not in ("laplacian", "bipolar", "average", "none"):
        raise InvalidParameterError(
            "Unknown re-referencing.",
            field="reference",
            value=reference,
            fix="Use 'laplacian', 'bipolar', 'average' or 'none'.",
        )
    if notch not in (None, "reference", "zero-phase"):
        raise InvalidParameterError(
            "Unknown notch mode.",
            field="notch",
            value=notch,
            fix="Use notch='reference', 'zero-phase' or None.",
        )
    chunk = int(chunk_windows)
    model_class = BrainBERT if model == "brainbert" else Barista
    encoders = {}  # the checkpoint is read once, not once per recording
    options = {"batch_size": batch_size} if batch_size else {}
    paths = find_recordings(bids_root, subject=subjects, session=sessions, task=tasks)
    root = derivatives_root(bids_root)
    written = []
    for path in paths:
        recording = load_recording(path, preload=True)
        if notch is not None and recording.line_freq:
            recording.raw.apply_function(
                notch_filter,
                channel_wise=False,
                sfreq=float(recording.sfreq),
                line_freq=float(recording.line_freq),
                mode=notch,
            )
        if reference == "none":
            referenced = recording
            bads = set(recording.raw.info["bads"])
            names = [n for n in recording.electrodes["name"].astype(str) if n not in bads]
        else:
            referenced = rereference(recording, reference)
            names = list(referenced.raw.ch_names)
        electrodes = referenced.electrodes
        windows = sliding_windows(referenced, window, stride)
        if windows.empty:
            logger.info("%s: shorter than one window, skipped", recording.name)
            continue
        sfreq = float(referenced.sfreq)
        source = {"model": _encoder(checkpoint, model_class, encoders)}
        if model == "brainbert":
            embedder = BrainBERTEmbedder(
                **source, sfreq=sfreq, pooling=pooling or "center", flatten=False,
                device=device, **options,
            )  # fmt: skip
        else:
            embedder = BaristaEmbedder(
                **source, sfreq=sfreq, pooling=pooling or "channel", flatten=False,
                chs_info=names, regions=electrodes,
                device=device, **options,
            )  # fmt: skip
        data = referenced.raw.get_data(picks=names) * VOLTS_TO_MICROVOLTS
        pieces = []
        for start in range(0, len(windows), chunk):
            part = windows.iloc[start : start + chunk]
            part.attrs.update(windows.attrs)
            X = extract_windows(data, part).astype(np.float32)
            if start == 0:
                embedder.fit(X)
            pieces.append(embedder.transform(X))
        embeddings = np.concatenate(pieces, axis=0)
        sha = embedder.checkpoint_sha256_
        if sha is None and not isinstance(checkpoint, BrainBERT | Barista):
            sha = file_sha256(checkpoint)
        if model == "brainbert":
            desc, model_name = "brainbert", "BrainBERT"
            regions = [str(r) for r in electrodes.set_index("name").loc[names, "region"]]
            atlas = recording.provenance.get("atlas")
        else:
            scale = embedder.scale_
            desc, model_name = f"barista{scale.capitalize()}", f"BaRISTA ({scale} scale)"
            regions = list(embedder.region_labels_)
            atlas = {"channel": "MNI152 1 mm grid", "parcel": "destrieux"}.get(
                scale, "lobes (ieegrep.atlas.lobe_of)"
            )
        axes = ["window", "channel", "token", "feature"] if embeddings.ndim == 4 else None
        if embeddings.ndim == 2:
            axes = ["window", "feature"]
        preprocessing = {
            "notch": None if notch is None or not recording.line_freq else notch,
            "line_freq_hz": recording.line_freq,
            "reference": reference,
            "window_s": float(window),
            "stride_s": float(window if stride is None else stride),
            "model_sfreq_hz": float(embedder.sfreq_),
            "pooling": embedder.pooling,
            "unit": "uV",
        }
        if model == "brainbert":
            preprocessing["spectrogram"] = (
                "BrainBERT STFT (400-sample Hann, hop 50, z-score, trim 10)"
            )
        else:
            preprocessing["normalisation"] = "per-channel z-score within each window"
        written.append(
            write_embeddings(
                bids_root,
                referenced,
                embeddings,
                desc=desc,
                model=model_name,
                checkpoint_sha256=sha,
                preprocessing=preprocessing,
                atlas=atlas,
                channels=names if embeddings.ndim >= 3 else None,
                regions=regions if embeddings.ndim >= 3 else None,
                onsets=windows["onset"].to_numpy(float),
                durations=windows["duration"].to_numpy(float),
                sfreq=embedder.sfreq_,
                axes=axes,
                overwrite=overwrite,
            )
        )
        logger.info("%s: %s embeddings %s written to %s", recording.name, desc,
                    embeddings.shape, root)  # fmt: skip
    return written
