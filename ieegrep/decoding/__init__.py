"""scikit-learn transformers for iEEG features and embeddings, leak-free splits and evaluation.

=====================  ================================================================
module                 what it holds
=====================  ================================================================
:mod:`~.inputs`        ``mne.Epochs`` / array input checking and resampling
:mod:`~.features`      spectrogram and raw-voltage features, Neuroprobe's linear baselines
:mod:`~.splits`        time-blocked, cross-session, cross-subject and grouped splitters;
                       AUROC per fold with mean ± s.e.m.
=====================  ================================================================
"""

from .features import (
    RawTransformer,
    SpectrogramTransformer,
    neuroprobe_stft_baseline,
    raw_voltage_baseline,
)
from .inputs import EpochsInput, EpochsTransformer, check_epochs_input
from .splits import (
    ContiguousSplit,
    CrossSessionSplit,
    CrossSubjectSplit,
    DecodingResult,
    GroupedSplit,
    compare_auroc,
    cross_validate_auroc,
)

__all__ = [
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
