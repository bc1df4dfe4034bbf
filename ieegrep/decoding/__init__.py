"""scikit-learn transformers for iEEG features and embeddings, leak-free splits and evaluation.

=====================  ================================================================
module                 what it holds
=====================  ================================================================
:mod:`~.inputs`        ``mne.Epochs`` / array input checking and resampling
:mod:`~.features`      spectrogram and raw-voltage features, Neuroprobe's linear baselines
:mod:`~.embedders`     frozen BrainBERT and BaRISTA encoders as transformers
:mod:`~.splits`        time-blocked, cross-session, cross-subject and grouped splitters;
                       AUROC per fold with mean ± s.e.m.
:mod:`~.tasks`         decoding tasks defined on BIDS events; embeddings of whole datasets
:mod:`~.neuroprobe`    the Neuroprobe benchmark on BIDS: 15 tasks, 3 splits, leaderboard JSON
=====================  ================================================================
"""

from .embedders import BaristaEmbedder, BrainBERTEmbedder
from .features import (
    RawTransformer,
    SpectrogramTransformer,
    neuroprobe_stft_baseline,
    raw_voltage_baseline,
)
from .inputs import EpochsInput, EpochsTransformer, check_epochs_input
from .neuroprobe import NEUROPROBE_TASKS, run_neuroprobe
from .splits import (
    ContiguousSplit,
    CrossSessionSplit,
    CrossSubjectSplit,
    DecodingResult,
    GroupedSplit,
    compare_auroc,
    cross_validate_auroc,
)
from .tasks import FEATURE_SETS, decode_bids, embed_bids, labelled_windows, parse_event_spec

__all__ = [
    "run_neuroprobe",
    "NEUROPROBE_TASKS",
    "BrainBERTEmbedder",
    "BaristaEmbedder",
    "decode_bids",
    "embed_bids",
    "labelled_windows",
    "parse_event_spec",
    "FEATURE_SETS",
    "SpectrogramTransformer",
    "RawTransformer",
    "neuroprobe_stft_baseline",
    "raw_voltage_baseline",
    "check_epochs_input",
    "EpochsInput",
    "EpochsTransformer",
    "ContiguousSplit",
    "CrossSessionSplit",
    "CrossSubjectSplit",
    "GroupedSplit",
    "DecodingResult",
    "cross_validate_auroc",
    "compare_auroc",
]
