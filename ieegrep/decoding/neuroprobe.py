"""The Neuroprobe benchmark on an iEEG-BIDS copy of the Brain Treebank: ``ieegrep decode --protocol neuroprobe``.

Neuroprobe (Zahorodnii, Wang, Stankovits et al., 2025; MIT licence; the
reference digest is ``barista_popt_neuroprobe.md`` §C) scores a model by the
ROC-AUC of a linear probe on 1-s windows after word onsets of the Brain
Treebank, for 15 binary tasks and three train/test splits. This module runs
the protocol on the BIDS dataset written by
:func:`ieegrep.bids.braintreebank.import_braintreebank` and writes the results
in the leaderboard's format, so the published linear baselines can be
reproduced and ieegrep's encoders compared with them.

Tasks (:data:`NEUROPROBE_TASKS`, :func:`neuroprobe_labels`)
-----------------------------------------------------------
Labels come from the session's ``events.tsv`` alone: rows with
``trial_type == "word"`` (every word, in order) and ``"nonverbal"`` (1-s chunks
starting at least 2 s after the last word offset, 50 % overlap).

=====================  =====================================================================
task                   positive (1) vs negative (0)
=====================  =====================================================================
``onset``              sentence-initial words (``is_onset == 1``) vs nonverbal chunks
``speech``             every word vs nonverbal chunks
``volume``             top vs bottom quartile of ``rms``
``delta_volume``       top vs bottom quartile of ``delta_rms``
``pitch``              top vs bottom quartile of ``enhanced_pitch``
``word_index``         first word of a sentence (``idx_in_sentence == 0``) vs second (``== 1``)
``word_gap``           top vs bottom quartile of the gap to the previous word of the sentence
``gpt2_surprisal``     top vs bottom quartile of ``gpt2_surprisal``
``word_head_pos``      ``bin_head == 0`` vs ``bin_head == 1``
``word_part_speech``   ``pos == "VERB"`` vs ``pos == "NOUN"``
``word_length``        top vs bottom quartile of ``word_length``
``global_flow``        top vs bottom quartile of ``max_global_magnitude``
``local_flow``         top vs bottom quartile of ``max_vector_magnitude``
``frame_brightness``   top vs bottom quartile of ``mean_pixel_brightness``
``face_num``           at least one face (``face_num > 0``) vs none
=====================  =====================================================================

Quartiles are computed **per session**, over that session's words, as
Neuroprobe does: a word's percentile is the fraction of the session's words
with a strictly smaller value; positives have a percentile above 0.75,
negatives below 0.25 (``word_gap``: at least 0.75 and below 0.25, over the
gaps between consecutive words of one sentence). A missing value has
percentile 0 (Neuroprobe compares with NaN), so it falls in the bottom class.

Samples (:func:`balance_samples`)
---------------------------------
Per session and task the two classes are balanced: ``n = min(n_pos, n_neg)``,
capped at 1750 per class in Lite (3500 samples) and 500 in Nano (1000); each
class is subsampled with ``numpy.random.RandomState(42)`` (positives drawn
first), kept in time order, and the samples interleaved positive, negative,
positive, ... Every sample is the window ``[onset, onset + 2048 samples)`` at
2048 Hz of the subset's electrodes, raw voltages.

Splits (:func:`neuroprobe_splits`)
----------------------------------
``within_session`` (Within-Session)
    2-fold ``KFold(shuffle=False)`` over the session's interleaved samples;
    the held-out fold's first half is the validation set, the second half the
    test set.
``cross_session`` (Cross-Session, the leaderboard's default)
    Train on all samples of the subject's other session (Lite: the other Lite
    session; Full: the subject's longest other session), validate on the first
    half of the test session's samples, test on the second half. Not defined
    for Nano.
``cross_subject`` (Cross-Subject)
    Train on subject 2, session 4; validate and test on halves of another
    subject's session. The features of each model are averaged within the
    Desikan-Killiany regions that the training and test electrodes share.

Feature sets
------------
``raw``, ``stft``, ``laplacian_stft`` are the paper's linear baselines
("Linear (raw voltage)", "Linear (STFT)", "Linear (Laplacian + STFT)"):
voltages; ``torch.stft`` magnitude (512-sample periodic Hann window, hop 128,
centred frames with reflect padding, 0-150 Hz: 17 frames × 38 frequencies);
the same after Neuroprobe's Laplacian (each contact minus the mean of its
±1 neighbours on the shaft among the subset's electrodes; contacts without a
neighbour kept unreferenced). ``brainbert`` and ``barista`` (``barista:parcel``
...) are frozen ieegrep encoders
(:class:`~ieegrep.decoding.BrainBERTEmbedder`, centre pooling;
:class:`~ieegrep.decoding.BaristaEmbedder`, per-channel pooling) on the
Laplacian-referenced windows. Every feature set is scored by the same probe:
flatten, :class:`~sklearn.preprocessing.StandardScaler`,
``LogisticRegression(max_iter=10000, tol=1e-3, random_state=42)``.

Scores and files
----------------
ROC-AUC and accuracy of train, validation and test sets per (session, fold,
task). A task's score is the mean test AUROC over sessions × folds; the
overall score the unweighted mean of the 15 task scores
(:func:`neuroprobe_summary`). :func:`run_neuroprobe` writes, per feature set,
``<out>/<feature set>/{Within-Session,Cross-Session,Cross-Subject}/population_<task>.json``
in the leaderboard's format and ``metadata.json``, and ``neuroprobe_folds.tsv``
and ``neuroprobe_summary.tsv`` in ``<out>``.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from ..atomic import atomic_write
from ..bids import find_recordings, load_recording
from ..datasets.neuroprobe import (
    CROSS_SUBJECT_TRAIN_SESSION,
    NEUROPROBE_FULL_SESSIONS,
    NEUROPROBE_LITE_ELECTRODES,
    NEUROPROBE_LITE_MAX_SAMPLES,
    NEUROPROBE_LITE_SESSIONS,
    NEUROPROBE_N_FOLDS,
    NEUROPROBE_NANO_ELECTRODES,
    NEUROPROBE_NANO_MAX_SAMPLES,
    NEUROPROBE_NANO_SESSIONS,
    NEUROPROBE_RANDOM_SEED,
    NEUROPROBE_TASK_NAMES,
    NEUROPROBE_TASKS,
)
from ..exceptions import InvalidParameterError, OutputExistsError
from ..models.barista import Barista
from ..models.brainbert import BrainBERT
from ..models.checkpoints import file_sha256
from ..preprocessing import reference_matrix
from ..verbosity import logger, verbose
from .embedders import BaristaEmbedder, BrainBERTEmbedder
from .inputs import VOLTS_TO_MICROVOLTS
from .tasks import _checkpoint_for

__all__ = [
    "NEUROPROBE_TASKS",
    "NEUROPROBE_TASK_NAMES",
    "NEUROPROBE_SPLITS",
    "check_split",
    "NEUROPROBE_FEATURE_SETS",
    "NEUROPROBE_SEED",
    "neuroprobe_labels",
    "balance_samples",
    "neuroprobe_splits",
    "neuroprobe_training_session",
    "neuroprobe_laplacian",
    "neuroprobe_stft",
    "average_regions",
    "neuroprobe_json",
    "neuroprobe_summary",
    "neuroprobe_leaderboard",
    "run_neuroprobe",
]


#: Split keys and the leaderboard folder of each.
NEUROPROBE_SPLITS = {
    "within_session": "Within-Session",
    "cross_session": "Cross-Session",
    "cross_subject": "Cross-Subject",
}


def check_split(split) -> str:
    """Return ``split`` if it is a key of :data:`NEUROPROBE_SPLITS`, else raise.

    Parameters
    ----------
    split : str
        ``"within_session"``, ``"cross_session"`` or ``"cross_subject"``.

    Returns
    -------
    split : str
        The same key.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If ``split`` is not one of them.
    """
    if split not in NEUROPROBE_SPLITS:
        raise InvalidParameterError(
            "Unknown Neuroprobe split.",
            field="split",
            value=split,
            fix=f"Use one of {', '.join(NEUROPROBE_SPLITS)}.",
        )
    return split


#: Feature sets of :func:`run_neuroprobe` and the model name written to the JSON files.
NEUROPROBE_FEATURE_SETS = {
    "raw": "Linear (raw voltage)",
    "stft": "Linear (STFT)",
    "laplacian_stft": "Linear (Laplacian + STFT)",
    "brainbert": "BrainBERT (frozen, ieegrep)",
    "barista": "BaRISTA (frozen, ieegrep)",
    "barista:channel": "BaRISTA channel scale (frozen, ieegrep)",
    "barista:parcel": "BaRISTA parcel scale (frozen, ieegrep)",
    "barista:lobe": "BaRISTA lobe scale (frozen, ieegrep)",
}

#: Neuroprobe's global seed (sample selection and the logistic regression).
NEUROPROBE_SEED = NEUROPROBE_RANDOM_SEED

SFREQ = 2048.0
WINDOW_SAMPLES = 2048  # [onset, onset + 1 s) at 2048 Hz
N_FOLDS = NEUROPROBE_N_FOLDS
MAX_SAMPLES = {"lite": NEUROPROBE_LITE_MAX_SAMPLES, "nano": NEUROPROBE_NANO_MAX_SAMPLES,
               "full": None}  # fmt: skip
CROSS_SUBJECT_TRAIN = tuple(CROSS_SUBJECT_TRAIN_SESSION)
_SESSIONS = {"lite": NEUROPROBE_LITE_SESSIONS, "nano": NEUROPROBE_NANO_SESSIONS,
             "full": NEUROPROBE_FULL_SESSIONS}  # fmt: skip
#: Neuroprobe-Full's Cross-Session training session: each subject's longest, then second longest.
LONGEST_TRIALS = {1: (0, 1), 2: (4, 6), 3: (2, 1), 4: (2, 1), 5: (0,), 6: (0, 2),
                  7: (1, 0), 8: (0,), 9: (0,), 10: (1, 0)}  # fmt: skip
STFT_NPERSEG = 512
STFT_HOP = 128
STFT_FMAX = 150.0

# Leaderboard values (insight-neuro/neuroprobe @ 2d25f3d, recomputed from its result files):
# (overall, then the 15 tasks in NEUROPROBE_TASKS order) per model and split.
_LEADERBOARD = {
    "laplacian_stft": {
        "cross_session": (0.648, 0.904, 0.889, 0.714, 0.734, 0.579, 0.691, 0.590, 0.593, 0.580, 0.610, 0.609, 0.595, 0.578, 0.535, 0.525),
        "within_session": (0.660, 0.891, 0.883, 0.717, 0.762, 0.578, 0.740, 0.612, 0.613, 0.602, 0.605, 0.618, 0.625, 0.607, 0.521, 0.530),
        "cross_subject": (0.539, 0.673, 0.642, 0.527, 0.568, 0.505, 0.571, 0.515, 0.508, 0.521, 0.508, 0.508, 0.515, 0.513, 0.499, 0.508),
    },
    "stft": {
        "cross_session": (0.626, 0.861, 0.849, 0.727, 0.702, 0.564, 0.648, 0.560, 0.567, 0.557, 0.564, 0.564, 0.580, 0.576, 0.546, 0.520),
        "within_session": (0.630, 0.851, 0.825, 0.726, 0.718, 0.570, 0.657, 0.579, 0.570, 0.565, 0.559, 0.569, 0.604, 0.593, 0.533, 0.525),
        "cross_subject": (0.528, 0.621, 0.585, 0.530, 0.555, 0.505, 0.552, 0.508, 0.510, 0.511, 0.509, 0.509, 0.508, 0.506, 0.514, 0.496),
    },
    "brainbert_pretrained": {
        "cross_session": (0.581, 0.743, 0.631, 0.572, 0.692, 0.509, 0.661, 0.571, 0.580, 0.572, 0.556, 0.559, 0.527, 0.534, 0.506, 0.497),
        "within_session": (0.586, 0.757, 0.611, 0.583, 0.706, 0.524, 0.685, 0.584, 0.580, 0.585, 0.556, 0.571, 0.521, 0.525, 0.508, 0.503),
        "cross_subject": (0.522, 0.582, 0.537, 0.521, 0.574, 0.507, 0.549, 0.510, 0.511, 0.524, 0.509, 0.504, 0.501, 0.498, 0.506, 0.501),
    },
    "raw": {
        "cross_session": (0.576, 0.728, 0.611, 0.564, 0.707, 0.529, 0.664, 0.554, 0.561, 0.537, 0.569, 0.558, 0.528, 0.523, 0.494, 0.509),
        "within_session": (0.606, 0.795, 0.656, 0.595, 0.753, 0.536, 0.742, 0.595, 0.584, 0.570, 0.576, 0.599, 0.535, 0.544, 0.507, 0.499),
        "cross_subject": (0.510, 0.539, 0.508, 0.513, 0.533, 0.503, 0.539, 0.511, 0.510, 0.504, 0.495, 0.502, 0.500, 0.500, 0.493, 0.501),
    },
    "brainbert_random": {
        "cross_session": (0.574, 0.724, 0.603, 0.560, 0.680, 0.508, 0.664, 0.564, 0.578, 0.573, 0.553, 0.561, 0.521, 0.529, 0.500, 0.498),
        "within_session": (0.585, 0.750, 0.603, 0.570, 0.697, 0.524, 0.684, 0.583, 0.581, 0.587, 0.553, 0.571, 0.528, 0.528, 0.504, 0.505),
        "cross_subject": (0.527, 0.585, 0.537, 0.524, 0.590, 0.505, 0.574, 0.513, 0.522, 0.530, 0.517, 0.509, 0.503, 0.501, 0.502, 0.500),
    },
    "popt": {
        "cross_session": (0.566, 0.774, 0.716, 0.574, 0.646, 0.510, 0.559, 0.531, 0.556, 0.524, 0.502, 0.523, 0.529, 0.528, 0.504, 0.512),
        "within_session": (0.545, 0.689, 0.677, 0.576, 0.628, 0.509, 0.519, 0.509, 0.523, 0.519, 0.513, 0.505, 0.509, 0.508, 0.499, 0.492),
        "cross_subject": (0.526, 0.638, 0.594, 0.526, 0.573, 0.509, 0.503, 0.519, 0.522, 0.509, 0.498, 0.498, 0.503, 0.500, 0.502, 0.494),
    },
}  # fmt: skip
_LEADERBOARD_NAMES = {
    "laplacian_stft": "Linear (Laplacian + STFT)",
    "stft": "Linear (STFT)",
    "raw": "Linear (raw voltage)",
    "brainbert_pretrained": "BrainBERT (frozen, pretrained)",
    "brainbert_random": "BrainBERT (frozen, random init)",
    "popt": "PopT (BrainBERT features)",
}

# task -> events column whose per-session quartiles define the classes
_QUARTILE_COLUMNS = {
    "volume": "rms",
    "delta_volume": "delta_rms",
    "pitch": "enhanced_pitch",
    "gpt2_surprisal": "gpt2_surprisal",
    "word_length": "word_length",
    "global_flow": "max_global_magnitude",
    "local_flow": "max_vector_magnitude",
    "frame_brightness": "mean_pixel_brightness",
}
_WORD = "word"
_NONVERBAL = "nonverbal"
_SUBSETS = tuple(MAX_SAMPLES)
_LINEAR = ("raw", "stft", "laplacian_stft")
_REGION_COLUMNS = ("DesikanKilliany", "desikan_killiany", "aparc")


# ------------------------------------------------------------------------------------------
# labels
# ------------------------------------------------------------------------------------------


def _check_task(task):
    if task not in NEUROPROBE_TASK_NAMES:
        raise InvalidParameterError(
            "Unknown Neuroprobe task.",
            field="task",
            value=task,
            fix=f"Use one of {', '.join(NEUROPROBE_TASKS)}.",
        )
    return task


def _column(words, name, task):
    if name not in words.columns:
        raise InvalidParameterError(
            f"The word events have no {name!r} column, which the {task!r} task needs.",
            field=name,
            value=sorted(map(str, words.columns)),
            fix="Import the session with ieegrep.bids.braintreebank.import_braintreebank "
            "(ieegrep import-braintreebank), which writes Neuroprobe's word features.",
        )
    return words[name]


def _percentiles(values):
    """Fraction of all values strictly below each value (NaN compares False: percentile 0)."""
    values = np.asarray(values, dtype=float)
    finite = np.sort(values[~np.isnan(values)])
    below = np.searchsorted(finite, values, side="left").astype(float)
    below[np.isnan(values)] = 0.0
    return below / max(len(values), 1)


def _word_gap_classes(words):
    sentence = _column(words, "sentence", "word_gap").to_numpy()
    start = _column(words, "start", "word_gap").to_numpy(float)
    end = _column(words, "end", "word_gap").to_numpy(float)
    same = np.zeros(len(words), dtype=bool)
    same[1:] = sentence[1:] == sentence[:-1]
    gaps = np.full(len(words), np.nan)
    gaps[1:] = start[1:] - end[:-1]
    distribution = gaps[same]
    finite = np.sort(distribution[~np.isnan(distribution)])
    below = np.searchsorted(finite, gaps, side="left").astype(float)
    below[np.isnan(gaps)] = 0.0
    percentile = below / max(len(distribution), 1)
    return same & (percentile >= 0.75), same & (percentile < 0.25)


def _in_neuroprobe_order(table):
    """Rows in the order of Neuroprobe's words_df / nonverbal_df (its sampling indexes them)."""
    if "neuroprobe_index" in table.columns and len(table):
        order = pd.to_numeric(table["neuroprobe_index"], errors="coerce")
        if order.notna().all():
            return table.iloc[np.argsort(order.to_numpy(float), kind="stable")]
    return table


def _quartile_column(words, task):
    column = _QUARTILE_COLUMNS[task]
    if task == "pitch":
        values = words[column] if column in words.columns else None
        if values is None or pd.to_numeric(values, errors="coerce").isna().all():
            logger.warning(
                "The events have no enhanced_pitch (Neuroprobe's pitch features were not "
                "found at import): the pitch task uses the release's 'pitch' column instead."
            )
            return "pitch"
    return column


def neuroprobe_labels(events, task) -> pd.DataFrame:
    """Candidate samples of one Neuroprobe task in one session, before balancing.

    Parameters
    ----------
    events : pandas.DataFrame
        The session's ``events.tsv`` (e.g. :attr:`ieegrep.bids.Recording.events`):
        rows with ``trial_type`` ``"word"`` (every word, in time order, with
        Neuroprobe's feature columns) and ``"nonverbal"`` (the non-verbal
        chunks). Other rows are ignored. Each kind is taken in the order of its
        ``neuroprobe_index`` column when present (Neuroprobe's word and
        non-verbal tables), else in table order.
    task : str
        One of :data:`NEUROPROBE_TASKS`.

    Returns
    -------
    candidates : pandas.DataFrame
        One row per candidate sample, the positives first, then the
        negatives, each in time order: ``row`` (the index label of the event in
        ``events``), ``kind`` (``"word"`` or ``"nonverbal"``) and ``label``
        (1 positive, 0 negative).

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        For an unknown task, or a feature column the task needs missing.
    """
    task = _check_task(task)
    if "trial_type" not in events.columns:
        raise InvalidParameterError(
            "The events have no trial_type column.",
            field="trial_type",
            value=sorted(map(str, events.columns)),
            fix="Import the session with ieegrep import-braintreebank (word and nonverbal rows).",
        )
    kinds = events["trial_type"].astype(str)
    words = _in_neuroprobe_order(events[kinds == _WORD])
    nonverbal = _in_neuroprobe_order(events[kinds == _NONVERBAL])
    if task in ("onset", "speech"):
        if task == "onset":
            positive = words[pd.to_numeric(_column(words, "is_onset", task)) == 1]
        else:
            positive = words
        negative = nonverbal
    elif task in _QUARTILE_COLUMNS:
        values = pd.to_numeric(_column(words, _quartile_column(words, task), task),
                               errors="coerce")  # fmt: skip
        percentile = _percentiles(values.to_numpy(float))
        positive, negative = words[percentile > 0.75], words[percentile < 0.25]
    elif task == "word_gap":
        is_pos, is_neg = _word_gap_classes(words)
        positive, negative = words[is_pos], words[is_neg]
    elif task == "word_part_speech":
        pos = _column(words, "pos", task).astype(str).to_numpy()
        positive, negative = words[pos == "VERB"], words[pos == "NOUN"]
    else:
        column, pos_value, neg_value = {
            "word_index": ("idx_in_sentence", 0, 1),
            "word_head_pos": ("bin_head", 0, 1),
            "face_num": ("face_num", None, 0),
        }[task]
        values = pd.to_numeric(_column(words, column, task), errors="coerce").to_numpy(float)
        if task == "face_num":
            positive, negative = words[values > 0], words[values == 0]
        else:
            positive, negative = words[values == pos_value], words[values == neg_value]
    parts = []
    for table, label in ((positive, 1), (negative, 0)):
        kind = _NONVERBAL if (label == 0 and task in ("onset", "speech")) else _WORD
        parts.append(pd.DataFrame({"row": table.index.to_numpy(), "kind": kind, "label": label}))
    return pd.concat(parts, ignore_index=True)


def balance_samples(candidates, *, max_samples=3500, seed=NEUROPROBE_SEED) -> pd.DataFrame:
    """Balance and cap the classes, and order the samples as Neuroprobe does.

    Parameters
    ----------
    candidates : pandas.DataFrame
        From :func:`neuroprobe_labels` (``row``, ``kind``, ``label``).
    max_samples : int | None
        Cap on the number of samples (half per class): 3500 for Lite
        (default), 1000 for Nano, None for Full.
    seed : int
        Seed of the ``numpy.random.RandomState`` that subsamples the classes
        (default 42, Neuroprobe's).

    Returns
    -------
    samples : pandas.DataFrame
        ``2 n`` rows interleaved positive, negative, positive, ... (each class
        in time order), columns as ``candidates``; ``n = min(n_positive,
        n_negative, max_samples // 2)``.
    """
    rng = np.random.RandomState(seed)
    by_label = {label: candidates[candidates["label"] == label] for label in (1, 0)}
    n_each = min(len(table) for table in by_label.values())
    if max_samples is not None:
        n_each = min(n_each, int(max_samples) // 2)
    chosen = {}
    # Neuroprobe draws the positive class first from one generator: the order matters
    for label in (1, 0):
        table = by_label[label]
        positions = np.sort(rng.choice(len(table), size=n_each, replace=False))
        chosen[label] = table.iloc[positions].reset_index(drop=True)
    samples = pd.concat([chosen[1], chosen[0]], ignore_index=True)
    order = np.empty(2 * n_each, dtype=int)
    order[0::2] = np.arange(n_each)
    order[1::2] = n_each + np.arange(n_each)
    return samples.iloc[order].reset_index(drop=True)


# ------------------------------------------------------------------------------------------
# splits
# ------------------------------------------------------------------------------------------


def _halves(indices):
    indices = np.asarray(indices, dtype=int)
    half = len(indices) // 2
    return indices[:half], indices[half:]


def neuroprobe_splits(split, n_test, n_train=None, *, n_folds=N_FOLDS) -> list:
    """Train, validation and test indices of Neuroprobe's folds for one test session.

    Parameters
    ----------
    split : ``"within_session"`` | ``"cross_session"`` | ``"cross_subject"``
        The split (see the module docstring).
    n_test : int
        Samples of the test session (from :func:`balance_samples`).
    n_train : int | None, default None
        Samples of the training session; required by the cross-session and
        cross-subject splits, ignored by ``within_session``.
    n_folds : int
        Folds of the within-session split (default 2).

    Returns
    -------
    folds : list of dict
        One dict per fold with ``train``, ``val`` and ``test`` index arrays:
        ``train`` indexes the training session's samples (the test session's
        for ``within_session``), ``val`` and ``test`` the test session's.
    """
    if check_split(split) == "within_session":
        folds = []
        if n_test < n_folds:
            return folds
        for train, held_out in KFold(n_splits=n_folds, shuffle=False).split(np.arange(n_test)):
            val, test = _halves(held_out)
            folds.append({"train": train, "val": val, "test": test})
        return folds
    if n_train is None:
        raise InvalidParameterError(
            f"The {split} split needs the training session's number of samples.",
            field="n_train",
            value=None,
            fix="Pass n_train=len(training samples).",
        )
    val, test = _halves(np.arange(n_test))
    return [{"train": np.arange(int(n_train)), "val": val, "test": test}]


# ------------------------------------------------------------------------------------------
# features
# ------------------------------------------------------------------------------------------


def _stem(name):
    match = re.fullmatch(r"(.*?)(\d+)", str(name))
    return (match.group(1), int(match.group(2))) if match else (str(name), None)


def neuroprobe_laplacian(data, names) -> np.ndarray:
    """Neuroprobe's Laplacian re-reference of the given electrodes.

    Each contact minus the mean of its neighbours (contact number ± 1 on the
    same shaft, the shaft being the name without its trailing number) among
    ``names``; contacts without a neighbour are kept unreferenced, so the
    channels stay the same.

    Parameters
    ----------
    data : ndarray, shape (..., n_channels, n_times)
        Voltages of the electrodes in ``names`` order.
    names : sequence of str
        Electrode names.

    Returns
    -------
    referenced : ndarray, shape (..., n_channels, n_times)
        Same dtype as ``data`` (float32 stays float32).
    """
    names = [str(n) for n in names]
    stems = [_stem(n) for n in names]
    scheme = reference_matrix(
        names, "laplacian", shafts=[s for s, _ in stems], allow_one_neighbour=True
    )
    matrix = np.eye(len(names))
    for output, row in zip(scheme.outputs, scheme.matrix):
        matrix[names.index(output)] = row
    data = np.asarray(data)
    dtype = data.dtype if data.dtype in (np.float32, np.float64) else np.float64
    out = np.einsum("oi,...it->...ot", matrix.astype(dtype), data.astype(dtype, copy=False))
    return out


def neuroprobe_stft(data, sfreq=SFREQ, *, batch=4096) -> np.ndarray:
    """Neuroprobe's STFT magnitude: 512-sample Hann window, hop 128, 0-150 Hz.

    ``torch.stft`` with centred frames (reflect padding) and a periodic Hann
    window, unnormalised magnitude, frequencies from 0 to 150 Hz.

    Parameters
    ----------
    data : ndarray, shape (n_windows, n_channels, n_times)
        Voltages (any unit).
    sfreq : float
        Sampling rate in Hz (default 2048, for which the frequencies are the
        38 bins 0, 4, ..., 148 Hz).
    batch : int, default 4096
        Channel windows transformed at a time (memory bound).

    Returns
    -------
    magnitude : ndarray of float32, shape (n_windows, n_channels, n_frames, n_freqs)
        17 frames for 1 s at 2048 Hz.
    """
    data = np.asarray(data, dtype=np.float32)
    n_windows, n_channels, n_times = data.shape
    flat = data.reshape(n_windows * n_channels, n_times)
    window = torch.hann_window(STFT_NPERSEG)
    freqs = np.fft.rfftfreq(STFT_NPERSEG, d=1.0 / float(sfreq))
    keep = torch.from_numpy((freqs >= 0) & (freqs <= STFT_FMAX))
    parts = []
    for start in range(0, max(len(flat), 1), batch):
        chunk = torch.from_numpy(np.ascontiguousarray(flat[start : start + batch]))
        if len(chunk) == 0:
            break
        spec = torch.stft(
            chunk, n_fft=STFT_NPERSEG, hop_length=STFT_HOP, win_length=STFT_NPERSEG,
            window=window, center=True, normalized=False, return_complex=True,
        )  # fmt: skip
        parts.append(spec[:, keep].abs().transpose(1, 2).numpy())
    n_frames = 1 + n_times // STFT_HOP
    n_freqs = int(keep.sum())
    if not parts:
        return np.zeros((n_windows, n_channels, n_frames, n_freqs), dtype=np.float32)
    out = np.concatenate(parts, axis=0)
    return out.reshape(n_windows, n_channels, out.shape[1], out.shape[2])


def average_regions(train, test, regions_train, regions_test):
    """Average per-channel features within the regions common to two montages.

    Neuroprobe's Cross-Subject bridge between subjects: for every
    Desikan-Killiany region that both sets of electrodes sample (sorted by
    name), the mean over its channels.

    Parameters
    ----------
    train, test : ndarray, shape (n_samples, n_channels, ...)
        Per-channel features of the training and the test session.
    regions_train, regions_test : sequence of str
        Region of each channel.

    Returns
    -------
    train, test : ndarray, shape (n_samples, n_common_regions, ...)
        The features averaged over the channels of each common region.
    common : ndarray of str
        The common regions, in the order of axis 1.
    """
    regions_train = np.asarray(regions_train, dtype=str)
    regions_test = np.asarray(regions_test, dtype=str)
    common = np.intersect1d(np.unique(regions_train), np.unique(regions_test))
    if common.size == 0:
        raise InvalidParameterError(
            "The training and test electrodes share no region.",
            field="regions",
            value=(sorted(set(regions_train)), sorted(set(regions_test))),
            fix="Cross-subject decoding needs electrodes in common Desikan-Killiany regions.",
        )
    out_train = np.stack([train[:, regions_train == r].mean(axis=1) for r in common], axis=1)
    out_test = np.stack([test[:, regions_test == r].mean(axis=1) for r in common], axis=1)
    return out_train, out_test, common


# ------------------------------------------------------------------------------------------
# sessions of the BIDS dataset
# ------------------------------------------------------------------------------------------


@dataclass
class _Session:
    """One Brain Treebank session of the BIDS dataset."""

    subject_id: int
    trial_id: int
    path: object  # mne_bids.BIDSPath

    @property
    def key(self) -> str:
        return f"btbank{self.subject_id}_{self.trial_id}"


def _btbank_ids(path):
    """(subject, trial) of a recording of the Brain Treebank import: ``sub-{s}``, ``ses-{t}``."""
    subject, session = str(path.subject or ""), str(path.session or "")
    if not (subject.isdigit() and session.isdigit()):
        raise InvalidParameterError(
            f"{path.basename} is not named as a Brain Treebank session (sub-S_ses-T).",
            field="session",
            value=(subject, session),
            fix="Import the Brain Treebank with ieegrep import-braintreebank.",
        )
    return int(subject), int(session)


def _subset_electrodes(subset, subject_id):
    """Return the subset's electrode list of a subject (None: every good channel)."""
    if subset == "full":
        return None
    table = NEUROPROBE_LITE_ELECTRODES if subset == "lite" else NEUROPROBE_NANO_ELECTRODES
    return list(table.get(int(subject_id), ()))


def _find_sessions(bids_root, subset):
    wanted = {tuple(map(int, s)) for s in _SESSIONS[subset]}
    sessions = {}
    for path in find_recordings(bids_root):
        try:
            ids = tuple(int(v) for v in _btbank_ids(path))
        except InvalidParameterError:
            logger.info("%s is not a Brain Treebank session; skipped", path.basename)
            continue
        if ids in wanted and ids not in sessions:
            sessions[ids] = _Session(ids[0], ids[1], path)
    return dict(sorted(sessions.items()))


def neuroprobe_training_session(split, session, *, subset="lite"):
    """Return the session Neuroprobe trains on when testing on ``session``.

    Parameters
    ----------
    split : ``"within_session"`` | ``"cross_session"`` | ``"cross_subject"``
        The split.
    session : tuple of int
        The test session, ``(subject, trial)``.
    subset : ``"lite"`` | ``"nano"`` | ``"full"``
        Neuroprobe subset (default ``"lite"``).

    Returns
    -------
    train : tuple of int | None
        ``(subject, trial)``: the session itself (within-session); the
        subject's other Lite session (cross-session, Lite), or its longest other
        session (Full); subject 2, trial 4 (cross-subject). None where the split
        is not defined: cross-subject for subject 2, cross-session for Nano or
        for a subject with one session.
    """
    subject, trial = (int(v) for v in session)
    check_split(split)
    if split == "within_session":
        return subject, trial
    if split == "cross_subject":
        return None if subject == CROSS_SUBJECT_TRAIN[0] else CROSS_SUBJECT_TRAIN
    if subset == "nano":
        return None
    if subset == "lite":
        others = [tuple(p) for p in _SESSIONS["lite"] if p[0] == subject and p[1] != trial]
        return others[0] if others else None
    longest = LONGEST_TRIALS.get(subject, ())
    if len(longest) < 2:
        return None
    return subject, longest[0] if longest[0] != trial else longest[1]


def _train_session(split, subset, test, available):
    ids = neuroprobe_training_session(split, (test.subject_id, test.trial_id), subset=subset)
    return None if ids is None else available.get(tuple(ids))


def _region_labels(electrodes, names):
    table = electrodes.set_index(electrodes["name"].astype(str))
    for column in _REGION_COLUMNS:
        if column in table.columns:
            return table.loc[names, column].astype(str).to_numpy()
    return table.loc[names, "region"].astype(str).to_numpy()


class _SessionData:
    """A session's recording, its channels in the subset, and its windows per task."""

    def __init__(self, session, subset, max_samples):
        self.session = session
        self.recording = load_recording(session.path)
        raw = self.recording.raw
        self.sfreq = float(raw.info["sfreq"])
        if abs(self.sfreq - SFREQ) > 1e-6:
            raise InvalidParameterError(
                f"{session.path.basename} is sampled at {self.sfreq:g} Hz; Neuroprobe's windows "
                "are 2048 samples at 2048 Hz.",
                file=session.path.fpath,
                field="SamplingFrequency",
                value=self.sfreq,
                fix="Import the original release with ieegrep import-braintreebank (2048 Hz).",
            )
        bads = set(raw.info["bads"])
        good = [n for n in self.recording.electrodes["name"].astype(str) if n not in bads]
        wanted = _subset_electrodes(subset, session.subject_id)
        self.names = good if wanted is None else [n for n in wanted if n in set(good)]
        if not self.names:
            raise InvalidParameterError(
                f"{session.key} has none of the subset's electrodes.",
                file=session.path.fpath,
                field="electrodes",
                value=subset,
                fix="Check the channel names of the import against Neuroprobe's electrode lists.",
            )
        self.regions = _region_labels(self.recording.electrodes, self.names)
        self.max_samples = max_samples
        self.n_times = raw.n_times

    def samples(self, task):
        events = self.recording.events
        candidates = neuroprobe_labels(events, task)
        starts = _event_samples(events.loc[candidates["row"]], self.sfreq)
        inside = (starts >= 0) & (starts + WINDOW_SAMPLES <= self.n_times)
        if not inside.all():
            logger.warning(
                "%s: %d %s window(s) run past the recording and are left out",
                self.session.key, int((~inside).sum()), task,
            )  # fmt: skip
        candidates = candidates[inside].reset_index(drop=True)
        candidates["start"] = starts[inside]
        return balance_samples(candidates, max_samples=self.max_samples)

    def windows(self, starts):
        """Voltages of the windows, µV, float32, shape (n, n_channels, 2048)."""
        raw = self.recording.raw
        # resolve the names once, not in each of the thousands of reads below
        picks = [raw.ch_names.index(name) for name in self.names]
        out = np.empty((len(starts), len(self.names), WINDOW_SAMPLES), dtype=np.float32)
        for i in np.argsort(starts, kind="stable"):
            start = int(starts[i])
            data = raw.get_data(picks=picks, start=start, stop=start + WINDOW_SAMPLES)
            out[i] = data * VOLTS_TO_MICROVOLTS
        return out


def _event_samples(rows, sfreq):
    if "sample" in rows.columns:
        values = pd.to_numeric(rows["sample"], errors="coerce").to_numpy(float)
        if not np.isnan(values).any():
            return values.astype(np.int64)
    return np.round(rows["onset"].to_numpy(float) * sfreq).astype(np.int64)


# ------------------------------------------------------------------------------------------
# feature extraction and the probe
# ------------------------------------------------------------------------------------------


def _check_features(features, checkpoints):
    if isinstance(features, str):
        features = [f.strip() for f in features.split(",") if f.strip()]
    features = list(features)
    unknown = [f for f in features if f not in NEUROPROBE_FEATURE_SETS]
    if unknown or not features or len(set(features)) != len(features):
        raise InvalidParameterError(
            "Unknown, missing or repeated feature set.",
            field="features",
            value=features,
            fix=f"Use each of {', '.join(NEUROPROBE_FEATURE_SETS)} at most once.",
        )
    checkpoints = dict(checkpoints or {})
    for name in features:
        if name not in _LINEAR and _checkpoint_for(name, checkpoints) is None:
            raise InvalidParameterError(
                f"The feature set {name!r} needs an encoder checkpoint.",
                field="checkpoints",
                value=sorted(checkpoints),
                fix=f'Pass checkpoints={{"{name}": "path/to/model.pt"}} '
                f"(--checkpoint {name}=PATH).",
            )
    return features, checkpoints


def _load_encoders(features, checkpoints):
    """Load each encoder once: path -> model (in-memory models are used as given)."""
    encoders = {}
    for name in features:
        if name in _LINEAR:
            continue
        source = _checkpoint_for(name, checkpoints)
        if isinstance(source, BrainBERT | Barista):
            encoders[name] = source
        elif name == "brainbert":
            encoders[name] = BrainBERT.from_pretrained(source)
        else:
            encoders[name] = Barista.from_pretrained(source)
    return encoders


def _barista_regions(model, electrodes, names):
    """Destrieux labels for a parcel-scale model when the import has them, else the table."""
    if model.scale == "parcel" and "destrieux" in electrodes.columns:
        table = electrodes.set_index(electrodes["name"].astype(str))
        return [str(v) for v in table.loc[list(names), "destrieux"]]
    return electrodes


def _channel_features(name, X, data, encoders, device, batch_size):
    """Per-channel features ``(n, n_channels, n_features)`` of one feature set."""
    if name == "raw":
        return X
    referenced = neuroprobe_laplacian(X, data.names).astype(np.float32) if name != "stft" else X
    if name in ("stft", "laplacian_stft"):
        spec = neuroprobe_stft(referenced, data.sfreq)
        return spec.reshape(spec.shape[0], spec.shape[1], -1)
    options = {"batch_size": batch_size} if batch_size else {}
    model = encoders[name]
    if name == "brainbert":
        embedder = BrainBERTEmbedder(
            model=model, sfreq=data.sfreq, pooling="center", flatten=False, device=device,
            **options,
        )  # fmt: skip
    else:
        embedder = BaristaEmbedder(
            model=model, scale=name.partition(":")[2] or None, sfreq=data.sfreq,
            pooling="channel", flatten=False, chs_info=list(data.names),
            regions=_barista_regions(model, data.recording.electrodes, data.names),
            device=device, **options,
        )  # fmt: skip
    out = embedder.fit(referenced[:1]).transform(referenced)
    return out.reshape(out.shape[0], out.shape[1], -1)


def _score(clf, X, y):
    if len(y) == 0:
        return np.nan, np.nan
    accuracy = float(clf.score(X, y))
    if np.unique(y).size < 2:
        return accuracy, np.nan
    proba = clf.predict_proba(X)[:, list(clf.classes_).index(1)]
    return accuracy, float(roc_auc_score(y, proba))


def _probe(X_train, y_train, X_val, y_val, X_test, y_test):
    """Flatten, scale and fit Neuroprobe's logistic regression; scores of the three sets."""
    flat = [x.reshape(len(x), -1) for x in (X_train, X_val, X_test)]
    # the slices above are copies already: scale them in place (raw features are large)
    scaler = StandardScaler(copy=False)
    train = scaler.fit_transform(flat[0])
    val, test = (scaler.transform(x) if len(x) else x for x in flat[1:])
    clf = LogisticRegression(max_iter=10000, tol=1e-3, random_state=NEUROPROBE_SEED)
    clf.fit(train, y_train)
    scores = {}
    for prefix, X, y in (("train", train, y_train), ("val", val, y_val), ("test", test, y_test)):
        scores[f"{prefix}_accuracy"], scores[f"{prefix}_roc_auc"] = _score(clf, X, y)
    return scores


# ------------------------------------------------------------------------------------------
# result files
# ------------------------------------------------------------------------------------------

_FOLD_FIELDS = (
    "train_accuracy", "train_roc_auc", "val_accuracy", "val_roc_auc",
    "test_accuracy", "test_roc_auc",
)  # fmt: skip


def _json_number(value):
    value = float(value)
    return value if np.isfinite(value) else None


def neuroprobe_json(folds, *, model_name, description, author="", organization="",
                    organization_url="", timestamp=None) -> dict:  # fmt: skip
    """Build one task's result file in Neuroprobe's leaderboard format.

    Parameters
    ----------
    folds : pandas.DataFrame
        Rows of one feature set, split and task from :func:`run_neuroprobe`:
        ``session`` (``"btbankS_T"``), ``fold`` and the six score columns
        (``train_accuracy``, ``train_roc_auc``, ``val_*``, ``test_*``).
    model_name, description : str
        The submission's header fields.
    author, organization, organization_url : str, default ""
        The submission's optional header fields (empty by default).
    timestamp : float | None
        Unix time in seconds (default: now).

    Returns
    -------
    content : dict
        ``{model_name, description, author, organization, organization_url,
        timestamp, evaluation_results: {"btbankS_T": {"population":
        {"one_second_after_onset": {time_bin_start: 0.0, time_bin_end: 1.0,
        folds: [{train_accuracy, train_roc_auc, val_accuracy, val_roc_auc,
        test_accuracy, test_roc_auc, fold_idx}]}}}}}``; undefined scores
        are ``null``.
    """
    results = {}
    for session, rows in folds.groupby("session", sort=True):
        entries = []
        for row in rows.sort_values("fold").itertuples(index=False):
            entry = {name: _json_number(getattr(row, name)) for name in _FOLD_FIELDS}
            entry["fold_idx"] = int(row.fold)
            entries.append(entry)
        results[str(session)] = {
            "population": {
                "one_second_after_onset": {
                    "time_bin_start": 0.0,
                    "time_bin_end": 1.0,
                    "folds": entries,
                }
            }
        }
    return {
        "model_name": model_name,
        "description": description,
        "author": author,
        "organization": organization,
        "organization_url": organization_url,
        "timestamp": time.time() if timestamp is None else timestamp,
        "evaluation_results": results,
    }


def _read_json_folds(path, feature, split, task):
    content = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = []
    for session, entry in content["evaluation_results"].items():
        bin_ = entry["population"]["one_second_after_onset"]
        for i, fold in enumerate(bin_["folds"]):
            row = {"feature_set": feature, "split": split, "task": task, "session": session,
                   "fold": int(fold.get("fold_idx", i))}  # fmt: skip
            row.update({k: np.nan if fold.get(k) is None else float(fold[k]) for k in _FOLD_FIELDS})
            rows.append(row)
    return rows


def neuroprobe_summary(folds) -> pd.DataFrame:
    """Task scores and the overall score per feature set and split.

    Parameters
    ----------
    folds : pandas.DataFrame
        What :func:`run_neuroprobe` returns (one row per session, fold, task).

    Returns
    -------
    summary : pandas.DataFrame
        One row per (``feature_set``, ``split``): ``overall`` (unweighted
        mean of the task scores), one column per task (mean test AUROC over
        sessions × folds) and ``n_evaluations`` (per task, the largest).
    """
    rows = []
    for (feature, split), table in folds.groupby(["feature_set", "split"], sort=False):
        scores = table.groupby("task")["test_roc_auc"].mean()
        row = {"feature_set": feature, "split": split}
        row["overall"] = float(np.nanmean(scores.to_numpy())) if len(scores) else np.nan
        for task in NEUROPROBE_TASKS:
            row[task] = float(scores.get(task, np.nan))
        row["n_evaluations"] = int(table.groupby("task").size().max())
        rows.append(row)
    columns = ["feature_set", "split", "overall", *NEUROPROBE_TASKS, "n_evaluations"]
    return pd.DataFrame(rows, columns=columns)


def neuroprobe_leaderboard(split=None) -> pd.DataFrame:
    """Return the published Neuroprobe-Lite leaderboard: the scores an encoder has to beat.

    Recomputed from the result files of ``insight-neuro/neuroprobe`` (commit
    2d25f3d, 2025-11-19); identical to the website's table.

    Parameters
    ----------
    split : str | None, default None
        One of :data:`NEUROPROBE_SPLITS`, or None for all three.

    Returns
    -------
    leaderboard : pandas.DataFrame
        One row per (model, split): ``feature_set`` (``"laplacian_stft"``,
        ``"stft"``, ``"raw"`` for the linear baselines ieegrep reproduces;
        ``"brainbert_pretrained"``, ``"brainbert_random"``, ``"popt"``),
        ``model_name``, ``split``, ``overall`` and one column per task (mean
        test AUROC).
    """
    rows = []
    for key, by_split in _LEADERBOARD.items():
        for name, values in by_split.items():
            if split is not None and name != split:
                continue
            row = {"feature_set": key, "model_name": _LEADERBOARD_NAMES[key], "split": name,
                   "overall": values[0]}  # fmt: skip
            row.update(dict(zip(NEUROPROBE_TASKS, values[1:])))
            rows.append(row)
    if not rows:
        raise InvalidParameterError(
            "Unknown Neuroprobe split.",
            field="split",
            value=split,
            fix=f"Use one of {', '.join(NEUROPROBE_SPLITS)}, or None.",
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# the protocol
# ------------------------------------------------------------------------------------------


def _check_choices(values, allowed, field_name):
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    values = list(values)
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        raise InvalidParameterError(
            f"Unknown or missing {field_name}.",
            field=field_name,
            value=unknown or values,
            fix=f"Use any of {', '.join(allowed)}.",
        )
    return list(dict.fromkeys(values))


def _describe(name, checkpoints):
    if name in _LINEAR:
        return {
            "raw": "Linear probe on the raw voltages of the 1-s window (ieegrep's "
            "implementation of Neuroprobe's baseline).",
            "stft": "Linear probe on the STFT magnitude (nperseg 512, hop 128, Hann, 0-150 Hz; "
            "ieegrep's implementation of Neuroprobe's baseline).",
            "laplacian_stft": "Linear probe on the STFT magnitude after Laplacian "
            "re-referencing (ieegrep's implementation of Neuroprobe's baseline).",
        }[name]
    source = _checkpoint_for(name, checkpoints)
    if isinstance(source, BrainBERT | Barista):
        sha = getattr(source, "checkpoint_sha256_", None)
        where = f"in-memory {type(source).__name__}" + (f", SHA-256 {sha}" if sha else "")
    else:
        path = Path(source)
        where = f"{path.name}, SHA-256 {file_sha256(path) if path.is_file() else 'n/a'}"
    return (
        f"Linear probe on the embeddings of {NEUROPROBE_FEATURE_SETS[name]} of the "
        f"Laplacian-referenced 1-s window ({where})."
    )


def _output_path(out_dir, feature, split, task):
    return Path(out_dir) / feature.replace(":", "_") / NEUROPROBE_SPLITS[split] / (
        f"population_{task}.json")  # fmt: skip


class _Cache:
    """Features of a few sessions for the current task, the cross-subject session pinned."""

    def __init__(self, compute, pinned, size=2):
        self.compute, self.pinned, self.size = compute, pinned, size
        self.items: dict = {}

    def get(self, ids):
        if ids in self.items:
            value = self.items.pop(ids)
        else:
            value = self.compute(ids)
        self.items[ids] = value
        unpinned = [k for k in self.items if k != self.pinned]
        while len(unpinned) > self.size:
            del self.items[unpinned.pop(0)]
        return value


@verbose
def run_neuroprobe(
    bids_root,
    *,
    features=("raw", "stft", "laplacian_stft"),
    subset="lite",
    splits=("within_session", "cross_session", "cross_subject"),
    tasks=None,
    sessions=None,
    checkpoints=None,
    out_dir=None,
    author="",
    organization="",
    organization_url="",
    device="cpu",
    batch_size=None,
    overwrite=False,
    resume=False,
    progress=True,
    verbose=None,
) -> pd.DataFrame:
    """Run the Neuroprobe protocol on an iEEG-BIDS copy of the Brain Treebank.

    Parameters
    ----------
    bids_root : path-like
        Root of the dataset written by :func:`ieegrep.bids.braintreebank.import_braintreebank`.
    features : str | sequence of str
        Feature sets among :data:`NEUROPROBE_FEATURE_SETS` (default the
        three linear baselines); ``"brainbert"`` and ``"barista[:scale]"``
        need ``checkpoints``.
    subset : ``"lite"`` | ``"nano"`` | ``"full"``
        Neuroprobe subset (default ``"lite"``, the leaderboard's): its
        sessions, electrodes and sample cap.
    splits : str | sequence of str
        Among :data:`NEUROPROBE_SPLITS` (default all three; Nano has no
        cross-session split).
    tasks : str | sequence of str | None
        Tasks among :data:`NEUROPROBE_TASKS` (default all 15).
    sessions : sequence of str | None
        Test sessions to evaluate, as ``"btbankS_T"`` (default every session
        of the subset in the dataset). Training sessions are loaded as needed.
    checkpoints : dict | None, default None
        Encoder of each embedding feature set: ``{"brainbert": path,
        "barista": path}`` (paths or in-memory models; ``"barista"`` serves
        every ``barista:<scale>``). None: only the linear baselines can run.
    out_dir : path-like | None, default None
        Write the leaderboard files here (see the module docstring); None
        writes nothing and only returns the table.
    author, organization, organization_url : str, default ""
        Header fields of the result files (empty by default).
    device : str
        Torch device of the encoders (default ``"cpu"``).
    batch_size : int | None
        Encoder batch size (None: each embedder's default).
    overwrite : bool
        Replace existing result files (default False: raise before computing).
    resume : bool, default False
        Keep the result files already in ``out_dir`` and compute only the
        missing ones (their scores are read back into the returned table).
    progress : bool
        Show a tqdm progress bar over (task, session) (default True).
    verbose : bool | str | int | None, default None
        Log level; INFO logs every score.

    Returns
    -------
    folds : pandas.DataFrame
        One row per (feature set, split, task, test session, fold):
        ``feature_set``, ``model_name``, ``split``, ``task``, ``session``,
        ``train_session``, ``fold``, ``n_train``, ``n_val``, ``n_test`` and
        the six scores (``train_accuracy``, ``train_roc_auc``,
        ``val_accuracy``, ``val_roc_auc``, ``test_accuracy``,
        ``test_roc_auc``). ``folds.attrs["summary"]`` is
        :func:`neuroprobe_summary` of it.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        For an unknown feature set, subset, split, task or session, a missing
        checkpoint, or a dataset without the subset's sessions.
    ieegrep.exceptions.OutputExistsError
        If result files exist in ``out_dir`` and neither ``overwrite`` nor
        ``resume`` is set.
    """
    features, checkpoints = _check_features(features, checkpoints)
    if subset not in _SUBSETS:
        raise InvalidParameterError(
            "Unknown Neuroprobe subset.",
            field="subset",
            value=subset,
            fix="Use 'lite' (the leaderboard's), 'nano' or 'full'.",
        )
    splits = _check_choices(splits, tuple(NEUROPROBE_SPLITS), "splits")
    if subset == "nano" and "cross_session" in splits:
        raise InvalidParameterError(
            "Neuroprobe-Nano has one session per subject: it has no Cross-Session split.",
            field="splits",
            value=splits,
            fix="Use splits=('within_session', 'cross_subject') with subset='nano'.",
        )
    tasks = _check_choices(NEUROPROBE_TASKS if tasks is None else tasks, NEUROPROBE_TASKS, "tasks")
    available = _find_sessions(bids_root, subset)
    if not available:
        raise InvalidParameterError(
            f"The dataset has none of Neuroprobe-{subset.capitalize()}'s sessions.",
            file=bids_root,
            field="subset",
            value=subset,
            fix="Import the Brain Treebank with ieegrep import-braintreebank, or choose "
            "subset='full'.",
        )
    tests = list(available.values())
    if sessions is not None:
        wanted = [sessions] if isinstance(sessions, str) else list(sessions)
        keys = {s.key: s for s in tests}
        missing = [s for s in wanted if s not in keys]
        if missing:
            raise InvalidParameterError(
                "Unknown test session.",
                field="sessions",
                value=missing,
                fix=f"Use any of {', '.join(keys)}.",
            )
        tests = [keys[s] for s in wanted]
    jobs = [(split, test, _train_session(split, subset, test, available))
            for test in tests for split in splits]  # fmt: skip
    for split, test, train in jobs:
        if train is None:
            logger.info("%s: no training session for %s; skipped", test.key, split)
    jobs = [job for job in jobs if job[2] is not None]
    if not jobs:
        raise InvalidParameterError(
            "No split can be evaluated on the sessions of this dataset.",
            file=bids_root,
            field="splits",
            value=splits,
            fix="Cross-session needs both sessions of a subject; cross-subject needs "
            "subject 2, session 4 (btbank2_4).",
        )
    existing = []
    if out_dir is not None:
        existing = [_output_path(out_dir, f, s, t) for f in features for s in splits
                    for t in tasks if _output_path(out_dir, f, s, t).exists()]  # fmt: skip
        if existing and not (overwrite or resume):
            raise OutputExistsError(
                "Neuroprobe result files already exist in the output folder.",
                file=existing[0],
                fix="Pass resume=True (--resume) to keep them and compute the rest, "
                "overwrite=True (--overwrite), or another output folder.",
            )
    descriptions = {name: _describe(name, checkpoints) for name in features}
    encoders = _load_encoders(features, checkpoints)
    max_samples = MAX_SAMPLES[subset]
    loaded: dict = {}

    def session_data(ids):
        if ids not in loaded:
            loaded[ids] = _SessionData(available[ids], subset, max_samples)
        return loaded[ids]

    rows = []
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks) * len(tests), desc="Neuroprobe", disable=not progress,
               unit="session")  # fmt: skip
    for task in tasks:
        todo = list(features)
        if out_dir is not None and resume and not overwrite:
            done = [f for f in features
                    if all(_output_path(out_dir, f, s, task).exists() for s in splits)]  # fmt: skip
            for feature in done:
                for split in splits:
                    path = _output_path(out_dir, feature, split, task)
                    for row in _read_json_folds(path, feature, split, task):
                        row["model_name"] = NEUROPROBE_FEATURE_SETS[feature]
                        rows.append(row)
            todo = [f for f in features if f not in done]
        if not todo:
            bar.update(len(tests))
            continue

        def compute(ids, task=task, todo=todo):
            data = session_data(ids)
            samples = data.samples(task)
            X = data.windows(samples["start"].to_numpy()) if len(samples) else None
            feats = {
                name: None if X is None
                else _channel_features(name, X, data, encoders, device, batch_size)
                for name in todo
            }  # fmt: skip
            return samples, feats, data

        cache = _Cache(compute, CROSS_SUBJECT_TRAIN)
        task_rows = []
        for test in tests:
            for split, job_test, train in jobs:
                if job_test is not test:
                    continue
                test_ids = (test.subject_id, test.trial_id)
                train_ids = (train.subject_id, train.trial_id)
                s_test, f_test, d_test = cache.get(test_ids)
                s_train, f_train, d_train = cache.get(train_ids)
                if len(s_test) == 0 or len(s_train) == 0:
                    logger.warning("%s %s %s: a class has no sample; skipped",
                                   test.key, split, task)  # fmt: skip
                    continue
                y_test = s_test["label"].to_numpy(int)
                y_train = s_train["label"].to_numpy(int)
                if split == "cross_subject" and not set(d_train.regions) & set(d_test.regions):
                    logger.warning("%s cross_subject %s: no region in common with %s; skipped",
                                   test.key, task, train.key)  # fmt: skip
                    continue
                folds = neuroprobe_splits(split, len(s_test), len(s_train))
                for fold_idx, fold in enumerate(folds):
                    for name in todo:
                        A_train, A_test = f_train[name], f_test[name]
                        if split == "cross_subject":
                            A_train, A_test, _ = average_regions(
                                A_train, A_test, d_train.regions, d_test.regions
                            )
                        scores = _probe(
                            A_train[fold["train"]], y_train[fold["train"]],
                            A_test[fold["val"]], y_test[fold["val"]],
                            A_test[fold["test"]], y_test[fold["test"]],
                        )  # fmt: skip
                        row = {
                            "feature_set": name,
                            "model_name": NEUROPROBE_FEATURE_SETS[name],
                            "split": split,
                            "task": task,
                            "session": test.key,
                            "train_session": train.key,
                            "fold": fold_idx,
                            "n_train": len(fold["train"]),
                            "n_val": len(fold["val"]),
                            "n_test": len(fold["test"]),
                            **scores,
                        }
                        logger.info("%s %s %s %s fold %d: test AUROC %.3f", name, split, task,
                                    test.key, fold_idx, scores["test_roc_auc"])  # fmt: skip
                        task_rows.append(row)
            bar.update(1)
        rows.extend(task_rows)
        if out_dir is not None:
            table = pd.DataFrame(task_rows)
            for name in todo:
                for split in splits:
                    part = (
                        table[(table["feature_set"] == name) & (table["split"] == split)]
                        if len(table)
                        else table
                    )
                    content = neuroprobe_json(
                        part if len(part) else pd.DataFrame(columns=["session", "fold"]),
                        model_name=NEUROPROBE_FEATURE_SETS[name],
                        description=descriptions[name],
                        author=author,
                        organization=organization,
                        organization_url=organization_url,
                    )
                    path = _output_path(out_dir, name, split, task)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    with atomic_write(path, "w", overwrite=True) as fid:
                        json.dump(content, fid, indent=2)
                        fid.write("\n")
    bar.close()
    columns = ["feature_set", "model_name", "split", "task", "session", "train_session",
               "fold", "n_train", "n_val", "n_test", *_FOLD_FIELDS]  # fmt: skip
    folds_table = pd.DataFrame(rows).reindex(columns=columns)
    summary = neuroprobe_summary(folds_table)
    folds_table.attrs["summary"] = summary
    if out_dir is not None:
        _write_tables(Path(out_dir), folds_table, summary, features, descriptions,
                      author, organization, organization_url, subset)  # fmt: skip
    return folds_table


def _write_tables(out, folds, summary, features, descriptions, author, organization,
                  organization_url, subset):  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    for path, table in ((out / "neuroprobe_folds.tsv", folds),
                        (out / "neuroprobe_summary.tsv", summary)):  # fmt: skip
        with atomic_write(path, "w", overwrite=True, newline="") as fid:
            table.to_csv(fid, sep="\t", index=False, float_format="%.4f", lineterminator="\n")
    for name in features:
        folder = out / name.replace(":", "_")
        folder.mkdir(parents=True, exist_ok=True)
        metadata = {
            "model_name": NEUROPROBE_FEATURE_SETS[name],
            "description": descriptions[name],
            "author": author,
            "organization": organization,
            "organization_url": organization_url,
            "timestamp": time.time(),
            "neuroprobe_subset": subset,
        }
        with atomic_write(folder / "metadata.json", "w", overwrite=True) as fid:
            json.dump(metadata, fid, indent=2)
            fid.write("\n")
