"""Import the Brain Treebank release into an iEEG-BIDS dataset, streaming the signals.

The Brain Treebank (Wang et al., "Brain Treebank: Large-scale intracranial recordings from
naturalistic language stimuli", NeurIPS 2024; braintreebank.dev) holds 26 sessions of 10 sEEG
patients watching movies, at 2048 Hz. :func:`import_braintreebank` turns the release, as
downloaded, into a BIDS dataset that ieegrep (and any BIDS tool) reads, with everything
Neuroprobe needs to define its 15 tasks in ``events.tsv``.

Input: the release layout
-------------------------
``source_dir`` is the release root (Neuroprobe's ``ROOT_DIR_BRAINTREEBANK``)::

    sub_{s}_trial{t:03}.h5                      h5 group "data", datasets electrode_0..N-1
                                                (1-D raw voltages, µV, 2048 Hz), column i is
                                                the i-th label of electrode_labels.json
    electrode_labels/sub_{s}/electrode_labels.json   list of N labels ("*"/"#" are stripped)
    corrupted_elec.json                         {"sub_{s}": [labels]}
    localization/sub_{s}/depth-wm.csv           Electrode, L, I, P (integer mm, LIP-oriented,
                                                patient scan), Destrieux, DesikanKilliany
    localization/elec_coords_full.csv           Subject ("sub_{s}"), Electrode, X, Y, Z
                                                (atlas-projected "cortical" coordinates, mm)
    subject_metadata/sub_{s}_trial{t:03}_metadata.json   {"title": ..., "filename": movie id}
    subject_timings/sub_{s}_trial{t:03}_timings.csv      triggers: movie_time (s), index (sample)
    transcripts/<movie id>/features.csv         one row per word (first, unnamed column: row
                                                number) with its features

and, optionally, Neuroprobe's package data (``pip install neuroprobe``; folder
``site-packages/neuroprobe``), found in ``neuroprobe_dir`` or else in ``source_dir``::

    braintreebank_features_time_alignment/subject{s}_trial{t}_words_df.csv
    braintreebank_features_time_alignment/subject{s}_trial{t}_nonverbal_df.csv
    pitch_volume_features/<movie id>_pitch_volume_features.json

The alignment CSVs fix which words Neuroprobe keeps and at which sample each starts; when they
are absent, the same rule is applied here to the release's trigger timings (nearest trigger at
or after the word, plus the time difference at 2048 Hz; words whose 1-s window would leave the
recording are dropped; non-verbal chunks as below). The pitch JSON gives ``enhanced_pitch``,
the variable of Neuroprobe's pitch task; without it those columns are ``n/a`` (a warning says
so; the release's own ``pitch`` column is always there).

Output: the BIDS dataset
------------------------
Subject label = Brain Treebank subject number, session label = trial id, task ``movie``::

    dataset_description.json, README, participants.tsv, participants.json
    sub-{s}/sub-{s}_sessions.tsv                session_id, movie, movie_title
    sub-{s}/ses-{t}/ieeg/sub-{s}_ses-{t}_task-movie_ieeg.vhdr/.vmrk/.eeg
        BrainVision, float32, multiplexed, µV, 2048 Hz; every channel of the h5 file, in order
    sub-{s}/ses-{t}/ieeg/sub-{s}_ses-{t}_task-movie_ieeg.json
    sub-{s}/ses-{t}/ieeg/sub-{s}_ses-{t}_task-movie_channels.tsv
    sub-{s}/ses-{t}/ieeg/sub-{s}_ses-{t}_task-movie_events.tsv (+ .json describing columns)
    sub-{s}/ses-{t}/ieeg/sub-{s}_ses-{t}_space-MNI305_electrodes.tsv (+ coordsystem.json)

``channels.tsv``: ``name`` is the label without ``*``/``#`` (Neuroprobe's cleaning). Brain
contacts are ``SEEG``; labels starting with ``DC`` or ``TRIG`` (any case) are ``TRIG``.
``status`` is ``bad`` for the corrupted electrodes (``corrupted_elec.json``), the trigger
channels and the electrodes Neuroprobe drops for lack of coordinates
(:data:`~ieegrep.datasets.neuroprobe.NEUROPROBE_MISSING_COORDINATE_ELECTRODES`), with the reason
in ``status_description``: the ``good`` SEEG channels are exactly Neuroprobe's electrodes.

``electrodes.tsv``: ``x, y, z`` are MNI305 coordinates (mm; FreeSurfer's linear talairach
transform of each patient's contacts, as distributed with Neuroprobe and bundled in ieegrep,
:func:`ieegrep.datasets.load_btbank_layout`), ``n/a`` for a contact not in that table. Extra
columns: ``L, I, P`` (release ``depth-wm.csv``), ``cortical_x, cortical_y, cortical_z``
(release ``elec_coords_full.csv``: Neuroprobe's default ``electrode_coordinates``),
``destrieux`` and ``desikan_killiany`` (the release's labels from ``depth-wm.csv``; ieegrep's
atlas step takes regions from these columns) and ``hemisphere``.

``events.tsv`` columns (``n/a`` where a value does not apply; times in seconds; samples are
0-based indices at 2048 Hz into the recording, the same as in the h5 files):

- ``onset``: ``sample / 2048``; ``duration``: words ``(end_sample - sample) / 2048``,
  non-verbal chunks 1.0;
- ``trial_type``: ``word`` (one row per word Neuroprobe keeps) or ``nonverbal`` (1-s chunks
  starting at least 2 s after a word's offset and ending at least 3 s before the next word's
  onset, 50 % overlap);
- ``sample`` (Neuroprobe ``est_idx``, the first sample of the 1-s window) and ``end_sample``
  (``est_end_idx``: the word's offset sample; chunks: ``sample + 2048``);
- ``neuroprobe_index``: the row in Neuroprobe's words (or non-verbal) table, the order its
  seed-42 class balancing draws from;
- ``start``, ``end``: movie time of the word's onset and offset (chunks: ``sample / 2048`` and
  ``end_sample / 2048``, as Neuroprobe's table);
- word features: ``original_index`` (row of ``features.csv``), ``text``, ``sentence``,
  ``pos`` (universal POS tag), ``is_onset``, ``is_offset`` (0/1), ``idx_in_sentence``
  (0-based), ``bin_head`` (0/1), ``gpt2_surprisal`` (nats), ``word_length`` (s),
  ``rms``, ``delta_rms`` (audio volume and its change, a.u.), ``pitch``, ``delta_pitch``
  (Hz), ``enhanced_pitch``, ``enhanced_volume``, ``delta_enhanced_pitch``,
  ``delta_enhanced_volume``, ``raw_pitch``, ``raw_volume``, ``delta_raw_pitch``,
  ``delta_raw_volume`` (Neuroprobe's pitch/volume JSON), ``mean_pixel_brightness``
  (0-255), ``max_global_magnitude`` and ``max_vector_magnitude`` (optical flow, pixels per
  frame), ``face_num`` (faces on screen), ``word_gap`` (``start`` minus the previous word's
  ``end`` when the previous word has the identical ``sentence``, else ``n/a``), and every other
  column of ``features.csv`` verbatim (renamed ``feature_<name>`` if it clashes with a column
  above). In text, tabs and line breaks become spaces and double quotes single quotes, so that no
  cell needs quoting.

Neuroprobe's tasks map onto these columns as: onset ``is_onset`` words vs ``nonverbal``;
speech all words vs ``nonverbal``; volume ``rms``; delta_volume ``delta_rms``; pitch
``enhanced_pitch``; word_index ``idx_in_sentence`` 0 vs 1; word_gap ``word_gap``;
gpt2_surprisal; word_head_pos ``bin_head`` 0 vs 1; word_part_speech ``pos`` VERB vs NOUN;
word_length; global_flow ``max_global_magnitude``; local_flow ``max_vector_magnitude``;
frame_brightness ``mean_pixel_brightness``; face_num ``face_num`` > 0 vs 0.

Streaming, resuming
-------------------
A session's signals are copied in chunks of ``chunk_seconds`` (all channels of one time span:
about 37 MB for 150 channels and 30 s), so memory does not grow with the session's length.
Each session is written in a temporary folder moved into place only when complete: a session
folder that exists is complete and is skipped (unless ``overwrite``); an interrupted run leaves
nothing that looks complete, and its temporary folder is removed by the next run. Run one
import per BIDS root at a time.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_directory, atomic_write
from ..exceptions import DatasetNotFoundError, InvalidDatasetError, InvalidParameterError
from ..verbosity import logger, verbose

__all__ = ["import_braintreebank", "align_words", "nonverbal_chunks", "clean_label"]

_SFREQ = 2048
_WINDOW = _SFREQ  # Neuroprobe's 1-s window, in samples
_PADDING = 2 * _SFREQ  # Neuroprobe's 2-s padding around non-verbal chunks
_STEP = _WINDOW // 2  # 50 % overlap
_TASK = "movie"
_UNITS = "µV"
_H5_NAME = re.compile(r"^sub_(\d+)_trial(\d{3})\.h5$")

#: Neuroprobe's per-word pitch/volume variables (package JSON), in its order.
PITCH_VOLUME_COLUMNS = (
    "enhanced_pitch",
    "enhanced_volume",
    "delta_enhanced_pitch",
    "delta_enhanced_volume",
    "raw_pitch",
    "raw_volume",
    "delta_raw_pitch",
    "delta_raw_volume",
)

# Columns Neuroprobe drops from features.csv before discarding rows with missing values.
_DROPPED_FEATURE_COLUMNS = ("word_diff", "onset_diff")

_EVENT_DESCRIPTIONS = {
    "onset": ("Start of the event: sample / 2048, from the first sample.", "s"),
    "duration": ("Words: (end_sample - sample) / 2048; nonverbal chunks: 1.", "s"),
    "trial_type": ("'word' (a word Neuroprobe keeps) or 'nonverbal' (a 1-s silent chunk).", None),
    "sample": ("First sample of the 1-s window (Neuroprobe est_idx), 0-based at 2048 Hz.", None),
    "end_sample": ("Word offset sample (Neuroprobe est_end_idx); chunks: sample + 2048.", None),
    "neuroprobe_index": ("Row in Neuroprobe's words (or nonverbal) table, 0-based.", None),
    "start": ("Movie time of the word onset (chunks: sample / 2048).", "s"),
    "end": ("Movie time of the word offset (chunks: end_sample / 2048).", "s"),
    "original_index": ("Row of transcripts/<movie>/features.csv.", None),
    "text": ("The word.", None),
    "sentence": ("The sentence the word belongs to.", None),
    "pos": ("Universal part-of-speech tag (NOUN, VERB, ...).", None),
    "is_onset": ("1 for the first word of a sentence.", None),
    "is_offset": ("1 for the last word of a sentence.", None),
    "idx_in_sentence": ("0-based position of the word in its sentence.", None),
    "bin_head": ("Binned position of the word's syntactic head (0 or 1).", None),
    "gpt2_surprisal": ("GPT-2 surprisal of the word.", "nats"),
    "word_length": ("Duration of the word.", "s"),
    "rms": ("Audio RMS volume during the word.", "a.u."),
    "delta_rms": ("Change of RMS volume from the previous word.", "a.u."),
    "pitch": ("Mean voice pitch (release).", "Hz"),
    "delta_pitch": ("Change of pitch from the previous word (release).", "Hz"),
    "enhanced_pitch": ("Neuroprobe's voice pitch (pitch task).", "Hz"),
    "mean_pixel_brightness": ("Mean pixel brightness of the frame.", None),
    "max_global_magnitude": ("Global optical flow magnitude.", "pixels/frame"),
    "max_vector_magnitude": ("Largest local optical flow vector.", "pixels/frame"),
    "face_num": ("Number of faces on screen.", None),
    "word_gap": ("start minus the previous word's end, within the same sentence.", "s"),
}


_ELECTRODE_COLUMNS = {
    "hemisphere": {"Description": "Hemisphere of the contact (L or R), from the bundled layout."},
    "L": {"Description": "Left coordinate in the patient's scan (release depth-wm.csv).",
          "Units": "mm"},
    "I": {"Description": "Inferior coordinate in the patient's scan (release depth-wm.csv).",
          "Units": "mm"},
    "P": {"Description": "Posterior coordinate in the patient's scan (release depth-wm.csv).",
          "Units": "mm"},
    "cortical_x": {"Description": "Atlas-projected X (release elec_coords_full.csv; "
                   "Neuroprobe's default electrode coordinates).", "Units": "mm"},
    "cortical_y": {"Description": "Atlas-projected Y (release elec_coords_full.csv).",
                   "Units": "mm"},
    "cortical_z": {"Description": "Atlas-projected Z (release elec_coords_full.csv).",
                   "Units": "mm"},
    "destrieux": {"Description": "Destrieux atlas label from the release (depth-wm.csv)."},
    "desikan_killiany": {"Description": "Desikan-Killiany atlas label from the release "
                         "(depth-wm.csv)."},
}  # fmt: skip

_SESSION_COLUMNS = {
    "movie": {"Description": "Brain Treebank movie id (the transcripts/ folder name)."},
    "movie_title": {"Description": "Title of the movie watched in the session."},
}


def clean_label(label) -> str:
    """Strip the ``*`` and ``#`` marks of a Brain Treebank electrode label (as Neuroprobe).

    Parameters
    ----------
    label : str
        A label from ``electrode_labels.json``, ``corrupted_elec.json`` or ``depth-wm.csv``.

    Returns
    -------
    str
        The label without ``*`` and ``#``.

    Examples
    --------
    >>> clean_label("*T1aIb3#")
    'T1aIb3'
    """
    return str(label).replace("*", "").replace("#", "")


def _is_trigger(name: str) -> bool:
    upper = name.upper()
    return upper.startswith("DC") or upper.startswith("TRIG")


# --------------------------------------------------------------------------- alignment


def align_words(features: pd.DataFrame, timings: pd.DataFrame) -> pd.DataFrame:
    """Place each word of a movie transcript on a session's samples (Neuroprobe's rule).

    Parameters
    ----------
    features : pandas.DataFrame
        ``transcripts/<movie>/features.csv`` read with its first column as the index (the row
        number, ``original_index``); needs ``start``, ``end`` (movie time, s), ``text`` and
        ``sentence``.
    timings : pandas.DataFrame
        ``subject_timings/...csv``: ``movie_time`` (s) and ``index`` (sample) of each trigger,
        in time order.

    Returns
    -------
    words : pandas.DataFrame
        One row per kept word, in transcript order, with ``original_index``, ``est_idx``,
        ``est_end_idx`` (int samples), ``start`` and ``end``. Dropped: continuation tokens
        (same start or end time as the previous token, or glued to it in the sentence, as
        "gon" + "na"), rows with missing values, duplicated start or end times, words after the
        last trigger, and words whose 1-s window would leave the recording.
    """
    table = features.drop(columns=[c for c in _DROPPED_FEATURE_COLUMNS if c in features.columns])
    table = table.copy()
    table["original_index"] = table.index.to_numpy()
    table = table.reset_index(drop=True)
    suffix = np.zeros(len(table), dtype=bool)
    starts = table["start"].to_numpy(dtype=float)
    ends = table["end"].to_numpy(dtype=float)
    texts = table["text"].tolist()
    sentences = table["sentence"].tolist()
    # end of each token in its sentence; the next token of the same sentence is searched after it
    ends_in_sentence = np.zeros(len(table), dtype=int)
    for i in range(len(table)):
        text, sentence = texts[i], sentences[i]
        if not isinstance(text, str) or not isinstance(sentence, str):
            continue
        after = ends_in_sentence[i - 1] if i > 0 and sentences[i - 1] == sentence else 0
        found = sentence[after:].find(text) + after
        ends_in_sentence[i] = found + len(text)
        following = texts[i + 1] if i + 1 < len(table) else None
        if isinstance(following, str) and len(sentence) > ends_in_sentence[i]:
            glued = sentence[ends_in_sentence[i] :].startswith(following)
            if glued or starts[i + 1] == starts[i] or ends[i + 1] == ends[i]:
                suffix[i + 1] = True
    table = table[~suffix].dropna()
    table = table[~table["start"].duplicated() & ~table["end"].duplicated()]
    times = timings["movie_time"].to_numpy(dtype=float)
    samples = timings["index"].to_numpy(dtype=float)
    table = table[table["start"].to_numpy(dtype=float) < times[-1]].reset_index(drop=True)
    start = table["start"].to_numpy(dtype=float)
    end = table["end"].to_numpy(dtype=float)
    at_start = np.searchsorted(times, start)
    at_end = np.minimum(np.searchsorted(times, end), len(times) - 1)
    est = np.round(samples[at_start] + (start - times[at_start]) * _SFREQ)
    est_end = np.round(samples[at_end] + (end - times[at_end]) * _SFREQ)
    total = samples[-1]
    keep = (est >= 0) & (est_end <= total - _WINDOW)
    words = pd.DataFrame(
        {
            "original_index": table["original_index"].to_numpy()[keep].astype(int),
            "est_idx": est[keep].astype(np.int64),
            "est_end_idx": est_end[keep].astype(np.int64),
            "start": start[keep],
            "end": end[keep],
        }
    )
    return words


def nonverbal_chunks(words: pd.DataFrame, n_samples: int) -> pd.DataFrame:
    """Neuroprobe's non-verbal chunks: 1-s windows in the silences between words.

    Between consecutive words ``i`` and ``i + 1``, 1-s windows start every 0.5 s from
    ``est_end_idx_i + 2 s``, as long as the gap left before ``est_idx_{i+1} - 3 s`` holds a
    whole window: every chunk starts at least 2 s after a word's offset and ends at least 3 s
    before the next word's onset (2 s of padding plus the word's 1-s window).

    Parameters
    ----------
    words : pandas.DataFrame
        The session's words with ``est_idx`` and ``est_end_idx`` (samples), in order.
    n_samples : int
        The session's last trigger sample (no chunk ends after it).

    Returns
    -------
    chunks : pandas.DataFrame
        ``start``, ``end`` (s, = samples / 2048), ``est_idx``, ``est_end_idx`` (samples).
    """
    onsets = words["est_idx"].to_numpy(dtype=np.int64)
    offsets = words["est_end_idx"].to_numpy(dtype=np.int64)
    rows = []
    for i in range(len(words) - 1):
        first = int(offsets[i]) + _PADDING
        last = int(onsets[i + 1]) - (_PADDING + _WINDOW)
        gap = last - first
        begin = first
        while gap >= _WINDOW and begin + _WINDOW <= n_samples:
            rows.append((begin / _SFREQ, (begin + _WINDOW) / _SFREQ, begin, begin + _WINDOW))
            begin += _STEP
            gap -= _STEP
    return pd.DataFrame(rows, columns=["start", "end", "est_idx", "est_end_idx"])


# --------------------------------------------------------------------------- release reading


def _read_json(path: Path, what: str, fix: str):
    if not path.is_file():
        raise DatasetNotFoundError(f"The Brain Treebank {what} is missing.", file=path, fix=fix)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidDatasetError(
            f"The Brain Treebank {what} is not valid JSON ({error}).",
            file=path,
            fix="Download this file again from the release.",
        ) from None


def _read_csv(path: Path, what: str, columns, fix: str, **kwargs) -> pd.DataFrame:
    if not path.is_file():
        raise DatasetNotFoundError(f"The Brain Treebank {what} is missing.", file=path, fix=fix)
    try:
        table = pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InvalidDatasetError(
            f"The Brain Treebank {what} cannot be read as CSV ({error}).",
            file=path,
            fix="Download this file again from the release.",
        ) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InvalidDatasetError(
            f"The Brain Treebank {what} lacks required columns.",
            file=path,
            field=", ".join(missing),
            value=list(table.columns),
            fix=f"The file needs the columns {', '.join(columns)}; download it again.",
        )
    return table


_FIX_RELEASE = (
    "Point source_dir at the root of the Brain Treebank release (the folder holding "
    "sub_*_trial*.h5, electrode_labels/, localization/, subject_metadata/, subject_timings/, "
    "transcripts/ and corrupted_elec.json; braintreebank.dev), with every file extracted."
)


def _find_sessions(source: Path, subjects) -> list[tuple[int, int, Path]]:
    found = []
    for path in sorted(source.glob("sub_*_trial*.h5")):
        match = _H5_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), int(match.group(2)), path))
    if not found:
        raise DatasetNotFoundError(
            "No Brain Treebank recording (sub_<s>_trial<ttt>.h5) in this folder.",
            file=source,
            fix=_FIX_RELEASE,
        )
    if subjects is not None:
        wanted = {int(s) for s in subjects}
        present = {s for s, _, _ in found}
        absent = sorted(wanted - present)
        if absent:
            raise InvalidParameterError(
                "Some requested subjects have no recording in the release folder.",
                file=source,
                field="subjects",
                value=absent,
                fix=f"Choose among the subjects present: {sorted(present)}.",
            )
        found = [item for item in found if item[0] in wanted]
    return sorted(found, key=lambda item: (item[0], item[1]))


def _subject_tables(source: Path, subject: int, corrupted: dict, coords: pd.DataFrame) -> dict:
    labels_path = source / "electrode_labels" / f"sub_{subject}" / "electrode_labels.json"
    labels = _read_json(labels_path, "electrode label list", _FIX_RELEASE)
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise InvalidDatasetError(
            "The electrode label list must be a JSON list of strings.",
            file=labels_path,
            value=type(labels).__name__,
            fix="Download electrode_labels.json again from the release.",
        )
    depth_path = source / "localization" / f"sub_{subject}" / "depth-wm.csv"
    depth = _read_csv(
        depth_path,
        "localisation table",
        ("Electrode", "L", "I", "P", "Destrieux", "DesikanKilliany"),
        _FIX_RELEASE,
    )
    depth = depth.assign(Electrode=depth["Electrode"].map(clean_label))
    depth = depth.drop_duplicates("Electrode").set_index("Electrode")
    mine = coords[coords["Subject"].astype(str) == f"sub_{subject}"]
    mine = mine.assign(Electrode=mine["Electrode"].map(clean_label))
    mine = mine.drop_duplicates("Electrode").set_index("Electrode")
    return {
        "labels": [clean_label(x) for x in labels],
        "corrupted": {clean_label(x) for x in corrupted.get(f"sub_{subject}", [])},
        "depth": depth,
        "cortical": mine,
    }


def _session_tables(source: Path, extra: Path, subject: int, trial: int) -> dict:
    meta_path = source / "subject_metadata" / f"sub_{subject}_trial{trial:03}_metadata.json"
    meta = _read_json(meta_path, "session metadata", _FIX_RELEASE)
    if not isinstance(meta, dict) or not isinstance(meta.get("filename"), str):
        raise InvalidDatasetError(
            "The session metadata does not name the movie.",
            file=meta_path,
            field="filename",
            value=meta.get("filename") if isinstance(meta, dict) else meta,
            fix="The metadata JSON needs 'filename' (the transcripts/ folder of the movie).",
        )
    movie = meta["filename"]
    timings_path = source / "subject_timings" / f"sub_{subject}_trial{trial:03}_timings.csv"
    timings = _read_csv(timings_path, "trigger timing table", ("movie_time", "index"), _FIX_RELEASE)
    if len(timings) < 2:
        raise InvalidDatasetError(
            "The trigger timing table has fewer than 2 triggers.",
            file=timings_path,
            value=len(timings),
            fix="Download this file again from the release.",
        )
    features_path = source / "transcripts" / movie / "features.csv"
    features = _read_csv(
        features_path,
        "word feature table",
        ("start", "end", "text", "sentence"),
        _FIX_RELEASE,
        index_col=0,
    )
    align_dir = extra / "braintreebank_features_time_alignment"
    words_path = align_dir / f"subject{subject}_trial{trial}_words_df.csv"
    nonverbal_path = align_dir / f"subject{subject}_trial{trial}_nonverbal_df.csv"
    if words_path.is_file() and nonverbal_path.is_file():
        words = _read_csv(
            words_path,
            "Neuroprobe word alignment",
            ("original_index", "est_idx", "est_end_idx", "start", "end"),
            "Reinstall neuroprobe.",
        )
        nonverbal = _read_csv(
            nonverbal_path,
            "Neuroprobe non-verbal alignment",
            ("start", "end", "est_idx", "est_end_idx"),
            "Reinstall neuroprobe.",
        )
        logger.info("Word alignment from %s", words_path)
        used = words_path
    else:
        used = timings_path
        words = align_words(features, timings)
        nonverbal = nonverbal_chunks(words, int(timings["index"].iloc[-1]))
        logger.info(
            "No Neuroprobe alignment for sub_%d trial %d in %s: aligned from the triggers",
            subject,
            trial,
            align_dir,
        )
    pitch_path = extra / "pitch_volume_features" / f"{movie}_pitch_volume_features.json"
    pitch = None
    if pitch_path.is_file():
        pitch = _read_json(pitch_path, "Neuroprobe pitch/volume table", "Reinstall neuroprobe.")
    return {
        "movie": movie,
        "title": str(meta.get("title", movie)),
        "features": features,
        "words": words,
        "nonverbal": nonverbal,
        "pitch": pitch,
        "pitch_path": pitch_path,
        "words_path": used,
    }


# --------------------------------------------------------------------------- BIDS writing


def _tsv(table: pd.DataFrame) -> str:
    return table.to_csv(sep="\t", index=False, na_rep="n/a", lineterminator="\n")


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path, "w", newline="") as fid:
        fid.write(text)


def _write_json(path: Path, content) -> None:
    _write_text(path, json.dumps(content, indent=2, ensure_ascii=False) + "\n")


def _events(tables: dict, n_samples: int, source_names: dict) -> pd.DataFrame:
    words = tables["words"].reset_index(drop=True)
    features = tables["features"]
    known = set(words["original_index"].astype(int)) - set(features.index.astype(int))
    if known:
        raise InvalidDatasetError(
            "The word alignment refers to rows that the movie's feature table does not have.",
            file=source_names["words"],
            field="original_index",
            value=sorted(known)[:5],
            fix="Use the Neuroprobe alignment files of the same release, or remove them so the "
            "alignment is computed from the triggers.",
        )
    word_rows = features.loc[words["original_index"].astype(int).to_numpy()].reset_index(drop=True)
    word_rows = word_rows.drop(columns=[c for c in ("start", "end") if c in word_rows.columns])
    # a release column named like one of ours keeps its values under a prefixed name
    word_rows = word_rows.rename(
        columns={c: f"feature_{c}" for c in word_rows.columns if c in _RESERVED_EVENT_COLUMNS}
    )
    table = pd.DataFrame(
        {
            "sample": words["est_idx"].to_numpy(dtype=float).round().astype(np.int64),
            "end_sample": words["est_end_idx"].to_numpy(dtype=float).round().astype(np.int64),
            "neuroprobe_index": np.arange(len(words)),
            "start": words["start"].to_numpy(dtype=float),
            "end": words["end"].to_numpy(dtype=float),
            "original_index": words["original_index"].astype(int).to_numpy(),
        }
    )
    table = pd.concat([table, word_rows], axis=1)
    # word_gap as Neuroprobe computes it: only between consecutive kept words of one sentence
    sentence = table["sentence"].astype(object) if "sentence" in table else None
    gap = np.full(len(table), np.nan)
    if sentence is not None and len(table) > 1:
        same = sentence.to_numpy()[1:] == sentence.to_numpy()[:-1]
        differences = table["start"].to_numpy()[1:] - table["end"].to_numpy()[:-1]
        gap[1:] = np.where(same, differences, np.nan)
    table["word_gap"] = gap
    pitch = tables["pitch"]
    if pitch is not None:
        lookup = {f"{float(k):.5f}": v for k, v in pitch.items()}
        missing = 0
        for column in PITCH_VOLUME_COLUMNS:
            values = []
            for start in table["start"]:
                entry = lookup.get(f"{start:.5f}")
                if entry is None:
                    missing += column == PITCH_VOLUME_COLUMNS[0]
                    values.append(np.nan)
                else:
                    values.append(entry.get(column, np.nan))
            table[column] = np.asarray(values, dtype=float)
        if missing:
            logger.warning(
                "%d words have no entry in %s; their pitch/volume columns are n/a",
                missing,
                tables["pitch_path"],
            )
    else:
        for column in PITCH_VOLUME_COLUMNS:
            table[column] = np.nan
        logger.warning(
            "No Neuroprobe pitch/volume table %s: enhanced_pitch and related columns are n/a "
            "(pass neuroprobe_dir, the installed neuroprobe package folder, to fill them)",
            tables["pitch_path"],
        )
    table.insert(0, "trial_type", "word")
    nonverbal = tables["nonverbal"].reset_index(drop=True)
    chunks = pd.DataFrame(
        {
            "trial_type": "nonverbal",
            "sample": nonverbal["est_idx"].to_numpy(dtype=float).round().astype(np.int64),
            "end_sample": nonverbal["est_end_idx"].to_numpy(dtype=float).round().astype(np.int64),
            "neuroprobe_index": np.arange(len(nonverbal)),
            "start": nonverbal["start"].to_numpy(dtype=float),
            "end": nonverbal["end"].to_numpy(dtype=float),
        }
    )
    events = pd.concat([table, chunks], ignore_index=True)
    outside = (events["sample"] < 0) | (events["sample"] >= n_samples)
    if outside.any():
        raise InvalidDatasetError(
            "Some events lie outside the recording.",
            file=source_names["words"],
            field="est_idx",
            value=events.loc[outside, "sample"].head(3).tolist(),
            fix=f"The recording has {n_samples} samples; check that the alignment files belong "
            "to this session.",
        )
    events.insert(0, "onset", events["sample"] / _SFREQ)
    events.insert(
        1,
        "duration",
        np.where(
            events["trial_type"] == "word",
            (events["end_sample"] - events["sample"]) / _SFREQ,
            _WINDOW / _SFREQ,
        ),
    )
    for column in events.columns:
        if events[column].dtype == object or pd.api.types.is_string_dtype(events[column]):
            events[column] = events[column].map(lambda v: _tsv_safe(v) if isinstance(v, str) else v)
    events = events.sort_values(["onset", "trial_type"], kind="stable").reset_index(drop=True)
    for column in (
        "is_onset",
        "is_offset",
        "idx_in_sentence",
        "bin_head",
        "face_num",
        "original_index",
    ):
        if column in events.columns:
            events[column] = events[column].astype("Int64")
    return events


_RESERVED_EVENT_COLUMNS = frozenset(
    ("onset", "duration", "trial_type", "sample", "end_sample", "neuroprobe_index",
     "original_index", "word_gap", *PITCH_VOLUME_COLUMNS)
)  # fmt: skip


def _tsv_safe(text: str) -> str:
    """Make a text value safe in a TSV cell (no tab, line break or double quote)."""
    return re.sub(r"[\t\r\n]+", " ", text).replace('"', "'")


def _events_sidecar(events: pd.DataFrame) -> dict:
    sidecar = {}
    for column in events.columns:
        description, units = _EVENT_DESCRIPTIONS.get(
            column, ("Word feature from the release (transcripts/<movie>/features.csv).", None)
        )
        if column in PITCH_VOLUME_COLUMNS and column != "enhanced_pitch":
            description = "Neuroprobe pitch/volume variable (pitch_volume_features JSON)."
        entry = {"Description": description}
        if units:
            entry["Units"] = units
        if column == "trial_type":
            entry["Levels"] = {
                "word": "A word of the movie's dialogue, aligned to its onset.",
                "nonverbal": "A 1-s chunk at least 2 s away from any word.",
            }
        sidecar[column] = entry
    return sidecar


def _channels(names, subject_tables, subject) -> pd.DataFrame:
    from ..datasets.neuroprobe import NEUROPROBE_MISSING_COORDINATE_ELECTRODES

    no_coords = set(NEUROPROBE_MISSING_COORDINATE_ELECTRODES.get(subject, ()))
    rows = []
    for name in names:
        trigger = _is_trigger(name)
        reasons = []
        if trigger:
            reasons.append("trigger channel")
        if name in subject_tables["corrupted"]:
            reasons.append("corrupted (corrupted_elec.json)")
        if name in no_coords:
            reasons.append("no coordinates in the release (Neuroprobe drops it)")
        rows.append(
            {
                "name": name,
                "type": "TRIG" if trigger else "SEEG",
                "units": _UNITS,
                "low_cutoff": "n/a",
                "high_cutoff": "n/a",
                "sampling_frequency": _SFREQ,
                "status": "bad" if reasons else "good",
                "status_description": "; ".join(reasons) if reasons else "n/a",
            }
        )
    return pd.DataFrame(rows)


def _electrodes(names, subject_tables, subject) -> pd.DataFrame:
    from ..datasets.layouts import BTBANK_SUBJECTS, load_btbank_layout

    layout = (
        load_btbank_layout(subject).set_index("name")
        if subject in BTBANK_SUBJECTS
        else pd.DataFrame(columns=["mni305_x", "mni305_y", "mni305_z", "hemisphere"])
    )
    depth, cortical = subject_tables["depth"], subject_tables["cortical"]
    rows = []
    for name in names:
        if _is_trigger(name):
            continue
        row = {"name": name}
        if name in layout.index:
            row.update(
                x=layout.at[name, "mni305_x"],
                y=layout.at[name, "mni305_y"],
                z=layout.at[name, "mni305_z"],
                hemisphere=layout.at[name, "hemisphere"],
            )
        else:
            row.update(x=np.nan, y=np.nan, z=np.nan, hemisphere=np.nan)
        row["size"] = np.nan
        row["type"] = "depth"
        for column in ("L", "I", "P"):
            row[column] = depth.at[name, column] if name in depth.index else np.nan
        for column, out in (("X", "cortical_x"), ("Y", "cortical_y"), ("Z", "cortical_z")):
            row[out] = cortical.at[name, column] if name in cortical.index else np.nan
        row["destrieux"] = depth.at[name, "Destrieux"] if name in depth.index else np.nan
        row["desikan_killiany"] = (
            depth.at[name, "DesikanKilliany"] if name in depth.index else np.nan
        )
        rows.append(row)
    columns = [
        "name",
        "x",
        "y",
        "z",
        "size",
        "type",
        "hemisphere",
        "L",
        "I",
        "P",
        "cortical_x",
        "cortical_y",
        "cortical_z",
        "destrieux",
        "desikan_killiany",
    ]
    return pd.DataFrame(rows, columns=columns)


def _vhdr(stem: str, names) -> str:
    lines = [
        "Brain Vision Data Exchange Header File Version 1.0",
        "; Written by ieegrep.bids.braintreebank from the Brain Treebank release",
        "",
        "[Common Infos]",
        "Codepage=UTF-8",
        f"DataFile={stem}.eeg",
        f"MarkerFile={stem}.vmrk",
        "DataFormat=BINARY",
        "DataOrientation=MULTIPLEXED",
        f"NumberOfChannels={len(names)}",
        f"SamplingInterval={1e6 / _SFREQ:.6f}",
        "",
        "[Binary Infos]",
        "BinaryFormat=IEEE_FLOAT_32",
        "",
        "[Channel Infos]",
        "; Ch<k>=<name>,<reference>,<resolution>,<unit>",
    ]
    for k, name in enumerate(names, start=1):
        lines.append(f"Ch{k}={name.replace(',', chr(1))},,1,{_UNITS}")
    return "\n".join(lines) + "\n"


def _vmrk(stem: str) -> str:
    return (
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n"
        "[Common Infos]\n"
        "Codepage=UTF-8\n"
        f"DataFile={stem}.eeg\n\n"
        "[Marker Infos]\n"
        "; Mk<k>=<type>,<description>,<position>,<points>,<channel>\n"
        "Mk1=New Segment,,1,1,0\n"
    )


def _copy_signals(h5_path: Path, n_channels: int, eeg_path: Path, chunk: int, label: str):
    """Copy the h5 electrodes into a multiplexed float32 file, one time chunk at a time."""
    import h5py
    from tqdm.auto import tqdm

    try:
        handle = h5py.File(h5_path, "r")
    except OSError as error:
        raise InvalidDatasetError(
            f"The recording cannot be opened as HDF5 ({error}).",
            file=h5_path,
            fix="Download this file again from the release (it may be truncated).",
        ) from None
    with handle:
        group = handle.get("data")
        if not isinstance(group, h5py.Group):
            raise InvalidDatasetError(
                "The recording has no 'data' group.",
                file=h5_path,
                field="data",
                value=list(handle.keys()),
                fix="A Brain Treebank h5 file holds data/electrode_0 ... data/electrode_<N-1>.",
            )
        datasets = []
        for i in range(n_channels):
            dataset = group.get(f"electrode_{i}")
            if not isinstance(dataset, h5py.Dataset) or dataset.ndim != 1:
                raise InvalidDatasetError(
                    "The recording lacks an electrode that electrode_labels.json lists.",
                    file=h5_path,
                    field=f"data/electrode_{i}",
                    value=None if dataset is None else getattr(dataset, "shape", "group"),
                    fix=f"electrode_labels.json lists {n_channels} electrodes; the h5 file must "
                    "hold the 1-D datasets data/electrode_0 ... of the same subject.",
                )
            datasets.append(dataset)
        lengths = {int(d.shape[0]) for d in datasets}
        if len(lengths) != 1:
            raise InvalidDatasetError(
                "The electrodes of the recording have different lengths.",
                file=h5_path,
                field="data/electrode_*",
                value=sorted(lengths)[:5],
                fix="Download this file again from the release.",
            )
        n_samples = lengths.pop()
        quiet = logger.getEffectiveLevel() > logging.INFO
        block = np.empty((chunk, n_channels), dtype=np.float32)
        with open(eeg_path, "wb") as fid:
            steps = range(0, n_samples, chunk)
            for begin in tqdm(steps, desc=label, unit="chunk", disable=quiet):
                stop = min(begin + chunk, n_samples)
                part = block[: stop - begin]
                for i, dataset in enumerate(datasets):
                    part[:, i] = dataset[begin:stop]
                fid.write(part.tobytes())
        return n_samples


def _write_session(tmp: Path, subject, trial, h5_path, subject_tables, tables, chunk):
    ieeg = tmp / "ieeg"
    ieeg.mkdir()
    base = f"sub-{subject}_ses-{trial}"
    stem = f"{base}_task-{_TASK}_ieeg"
    names = subject_tables["labels"]
    if len(set(names)) != len(names):
        raise InvalidDatasetError(
            "The electrode label list has duplicated labels (after removing '*' and '#').",
            field="electrode_labels.json",
            value=sorted({n for n in names if names.count(n) > 1})[:5],
            fix="Download electrode_labels.json again from the release.",
        )
    n_samples = _copy_signals(
        h5_path, len(names), ieeg / f"{stem}.eeg", chunk, f"sub-{subject} ses-{trial}"
    )
    _write_text(ieeg / f"{stem}.vhdr", _vhdr(stem, names))
    _write_text(ieeg / f"{stem}.vmrk", _vmrk(stem))
    channels = _channels(names, subject_tables, subject)
    _write_text(ieeg / f"{base}_task-{_TASK}_channels.tsv", _tsv(channels))
    electrodes = _electrodes(names, subject_tables, subject)
    _write_text(ieeg / f"{base}_space-MNI305_electrodes.tsv", _tsv(electrodes))
    _write_json(ieeg / f"{base}_space-MNI305_electrodes.json", _ELECTRODE_COLUMNS)
    _write_json(
        ieeg / f"{base}_space-MNI305_coordsystem.json",
        {
            "iEEGCoordinateSystem": "MNI305",
            "iEEGCoordinateUnits": "mm",
            "iEEGCoordinateSystemDescription": "MNI305 (FreeSurfer fsaverage talairach space).",
            "iEEGCoordinateProcessingDescription": (
                "Each patient's contacts mapped with FreeSurfer's linear talairach transform, as "
                "distributed with Neuroprobe (MIT) and bundled in ieegrep. Columns L, I, P are the "
                "release's depth-wm.csv coordinates; cortical_x/y/z are its elec_coords_full.csv "
                "atlas-projected coordinates."
            ),
        },
    )
    names_for_errors = {"words": tables.get("words_path", "alignment")}
    events = _events(tables, n_samples, names_for_errors)
    _write_text(ieeg / f"{base}_task-{_TASK}_events.tsv", _tsv(events))
    _write_json(ieeg / f"{base}_task-{_TASK}_events.json", _events_sidecar(events))
    n_seeg = int((channels["type"] == "SEEG").sum())
    _write_json(
        ieeg / f"{stem}.json",
        {
            "TaskName": _TASK,
            "TaskDescription": f"Watching the movie {tables['title']!r} "
            f"(Brain Treebank movie id {tables['movie']!r}).",
            "SamplingFrequency": _SFREQ,
            "PowerLineFrequency": 60,
            "SoftwareFilters": "n/a",
            "iEEGReference": "n/a (as recorded; the release does not state the reference)",
            "SEEGChannelCount": n_seeg,
            "TriggerChannelCount": len(names) - n_seeg,
            "RecordingDuration": n_samples / _SFREQ,
            "RecordingType": "continuous",
        },
    )
    return n_samples


def _update_sessions_tsv(subject_dir: Path, subject: int, trial: int, tables: dict) -> None:
    """Add or replace the session's row of ``sub-<s>_sessions.tsv``, for complete sessions only."""
    path = subject_dir / f"sub-{subject}_sessions.tsv"
    rows = pd.DataFrame(columns=["session_id", "movie", "movie_title"])
    if path.is_file():
        rows = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    rows = rows[rows["session_id"] != f"ses-{trial}"]
    new = {"session_id": f"ses-{trial}", "movie": tables["movie"], "movie_title": tables["title"]}
    rows = pd.concat([rows, pd.DataFrame([new])], ignore_index=True)
    rows = rows[[(subject_dir / name).is_dir() for name in rows["session_id"]]]
    rows = rows.sort_values("session_id", key=lambda c: c.str[4:].astype(int))
    _write_text(path, _tsv(rows))


def _write_dataset_files(root: Path) -> None:
    _write_json(
        root / "dataset_description.json",
        {
            "Name": "Brain Treebank (iEEG-BIDS, imported by ieegrep)",
            "BIDSVersion": "1.9.0",
            "DatasetType": "raw",
            "ReferencesAndLinks": [
                "https://braintreebank.dev",
                "Wang et al., Brain Treebank: Large-scale intracranial recordings from "
                "naturalistic language stimuli, NeurIPS 2024.",
                "https://neuroprobe.dev",
            ],
            "GeneratedBy": [
                {
                    "Name": "ieegrep",
                    "Description": "ieegrep.bids.braintreebank.import_braintreebank",
                }
            ],
        },
    )
    _write_text(
        root / "README",
        "Brain Treebank sEEG recordings (subjects watching movies, 2048 Hz) converted to "
        "iEEG-BIDS by ieegrep's import_braintreebank.\n\nevents.tsv holds every word Neuroprobe "
        "keeps (trial_type 'word', with its features) and Neuroprobe's 1-s non-verbal chunks "
        "(trial_type 'nonverbal'); see events.json for the columns. Original data: "
        "https://braintreebank.dev\n",
    )
    subjects = sorted(
        (p.name for p in root.glob("sub-*") if p.is_dir() and any(p.glob("ses-*"))),
        key=lambda name: int(name.split("-")[1]),
    )
    _write_text(root / "participants.tsv", _tsv(pd.DataFrame({"participant_id": subjects})))
    _write_json(root / "sessions.json", _SESSION_COLUMNS)
    _write_json(
        root / "participants.json",
        {"participant_id": {"Description": "Brain Treebank subject number (sub-<number>)."}},
    )


def _remove_stale(parent: Path, name: str) -> None:
    for pattern in (f".{name}.*.tmp", f".{name}.old-*"):
        for stale in parent.glob(pattern):
            if stale.is_dir():
                logger.info("Removing the leftover of an interrupted import: %s", stale)
                shutil.rmtree(stale, ignore_errors=True)


@verbose
def import_braintreebank(
    source_dir,
    bids_root,
    *,
    subjects=None,
    overwrite: bool = False,
    neuroprobe_dir=None,
    chunk_seconds: float = 30.0,
    verbose=None,
) -> list[Path]:
    """Import the Brain Treebank release into an iEEG-BIDS dataset, session by session.

    The signals are streamed from the h5 files into BrainVision files ``chunk_seconds`` at a
    time; each session is written in a temporary folder and moved into place when complete,
    so an interrupted import can be run again and resumes where it stopped. The output format
    (files, ``channels.tsv``, ``electrodes.tsv`` and every ``events.tsv`` column) is described
    in the module docstring, :mod:`ieegrep.bids.braintreebank`.

    Parameters
    ----------
    source_dir : path-like
        Root of the Brain Treebank release (holds ``sub_<s>_trial<ttt>.h5``,
        ``electrode_labels/``, ``localization/``, ``subject_metadata/``,
        ``subject_timings/``, ``transcripts/``, ``corrupted_elec.json``).
    bids_root : path-like
        Folder of the BIDS dataset to write (created if needed; other sessions already in it
        are kept).
    subjects : sequence of int | None
        Subjects to import (default None: every subject with a recording in ``source_dir``).
    overwrite : bool
        Re-import sessions that are already complete in ``bids_root`` (default False: skip
        them, so a second call does nothing).
    neuroprobe_dir : path-like | None
        Folder with Neuroprobe's package data (``braintreebank_features_time_alignment/``,
        ``pitch_volume_features/``), e.g. the installed ``neuroprobe`` package folder.
        Default None: look for them in ``source_dir``.
    chunk_seconds : float
        Seconds of signal (all channels) copied at a time (default 30); bounds the memory:
        ``chunk_seconds * 2048 * n_channels * 4`` bytes.
    verbose : bool | str | int | None, default None
        Logging level (see :mod:`ieegrep.verbosity`); INFO or lower shows a progress bar per
        session.

    Returns
    -------
    list of pathlib.Path
        The BrainVision headers (``*_ieeg.vhdr``) of the requested sessions, imported now or
        found complete, sorted by subject and session.

    Raises
    ------
    ieegrep.exceptions.DatasetNotFoundError
        If ``source_dir`` or a file the release must have is missing.
    ieegrep.exceptions.InvalidDatasetError
        If a release file has the wrong layout (missing columns, an h5 file without
        ``data/electrode_<i>`` for each label, ...): the message names the file and field.
    ieegrep.exceptions.InvalidParameterError
        If ``subjects`` names a subject without recordings, or ``chunk_seconds`` is not
        positive.

    Examples
    --------
    >>> from ieegrep.datasets.braintreebank_replica import write_braintreebank_replica
    >>> release = write_braintreebank_replica(tmp / "release", subjects=(1,))  # doctest: +SKIP
    >>> import_braintreebank(release, tmp / "bids")  # doctest: +SKIP
    [PosixPath('.../sub-1/ses-1/ieeg/sub-1_ses-1_task-movie_ieeg.vhdr'), ...]
    """
    source = Path(source_dir)
    if not source.is_dir():
        raise DatasetNotFoundError(
            "The Brain Treebank release folder does not exist.", file=source, fix=_FIX_RELEASE
        )
    if not (
        isinstance(chunk_seconds, int | float)
        and math.isfinite(chunk_seconds)
        and chunk_seconds > 0
    ):
        raise InvalidParameterError(
            "chunk_seconds must be a positive number of seconds.",
            field="chunk_seconds",
            value=chunk_seconds,
            fix="Use e.g. 30 (memory grows with chunk_seconds * n_channels).",
        )
    chunk = max(1, int(round(chunk_seconds * _SFREQ)))
    extra = Path(neuroprobe_dir) if neuroprobe_dir is not None else source
    if neuroprobe_dir is not None and not extra.is_dir():
        raise DatasetNotFoundError(
            "The Neuroprobe data folder does not exist.",
            file=extra,
            field="neuroprobe_dir",
            fix="Pass the installed neuroprobe package folder (python -c 'import neuroprobe, "
            "os; print(os.path.dirname(neuroprobe.__file__))'), or None.",
        )
    sessions = _find_sessions(source, subjects)
    corrupted = _read_json(source / "corrupted_elec.json", "corrupted electrode list", _FIX_RELEASE)
    coords = _read_csv(
        source / "localization" / "elec_coords_full.csv",
        "atlas-projected coordinate table",
        ("Subject", "Electrode", "X", "Y", "Z"),
        _FIX_RELEASE,
    )
    root = Path(bids_root)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    per_subject: dict[int, dict] = {}
    for subject, trial, h5_path in sessions:
        subject_dir = root / f"sub-{subject}"
        session_dir = subject_dir / f"ses-{trial}"
        vhdr = session_dir / "ieeg" / f"sub-{subject}_ses-{trial}_task-{_TASK}_ieeg.vhdr"
        subject_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale(subject_dir, session_dir.name)
        if session_dir.is_dir() and not overwrite:
            logger.info("sub-%d ses-%d is complete already: skipped", subject, trial)
            written.append(vhdr)
            continue
        if subject not in per_subject:
            per_subject[subject] = _subject_tables(source, subject, corrupted, coords)
        tables = _session_tables(source, extra, subject, trial)
        logger.info(
            "Importing sub_%d trial %03d (%s): %d channels, %d words, %d nonverbal chunks",
            subject,
            trial,
            tables["movie"],
            len(per_subject[subject]["labels"]),
            len(tables["words"]),
            len(tables["nonverbal"]),
        )
        with atomic_directory(session_dir, overwrite=True) as tmp:
            _write_session(tmp, subject, trial, h5_path, per_subject[subject], tables, chunk)
        _update_sessions_tsv(subject_dir, subject, trial, tables)
        _write_dataset_files(root)
        written.append(vhdr)
    _write_dataset_files(root)
    return written
