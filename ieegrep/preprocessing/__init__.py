"""Preprocessing: from a recording to model inputs.

=====================================  =========================================================
module                                 what it holds
=====================================  =========================================================
:mod:`~.reference`                     shaft Laplacian, bipolar, common average (:func:`rereference`)
:mod:`~.filters`                       line-noise notch, polyphase resampling
:mod:`~.windows`                       sliding and event-locked windows
:mod:`~.spectrogram`                   BrainBERT's STFT front end (:func:`stft_spectrogram`)
:mod:`~.superlet`                      adaptive superlets (:func:`superlet_spectrogram`)
:mod:`~.tokens`, :mod:`~.vocabulary`   BaRISTA patches, spatial indices and masking groups
:mod:`~.streaming`                     chunked processing of long recordings, bounded memory
=====================================  =========================================================

The usual order is notch → re-reference → resample → windows → spectrogram or
tokens; :class:`RecordingStream` runs it chunk by chunk with the same numbers as
processing the whole recording, and :func:`preprocess` runs it in memory.
"""

from .filters import NotchFilter, notch_filter, resample, resampling_ratio
from .reference import ReferenceScheme, reference_matrix, rereference
from .spectrogram import stft_spectrogram, windowed_stft_spectrogram
from .streaming import RecordingStream, preprocess
from .superlet import superlet_amplitude, superlet_orders, superlet_spectrogram
from .tokens import (
    Patches,
    RegionTokens,
    patch,
    patch_samples,
    region_tokens,
    unpatch,
    zscore_segments,
)
from .vocabulary import SpatialVocabulary, grid_coordinates
from .windows import bad_segments, event_windows, extract_windows, sliding_windows

__all__ = [
    "rereference",
    "reference_matrix",
    "ReferenceScheme",
    "notch_filter",
    "NotchFilter",
    "resample",
    "resampling_ratio",
    "sliding_windows",
    "event_windows",
    "extract_windows",
    "bad_segments",
    "stft_spectrogram",
    "windowed_stft_spectrogram",
    "superlet_spectrogram",
    "superlet_amplitude",
    "superlet_orders",
    "patch",
    "unpatch",
    "patch_samples",
    "zscore_segments",
    "region_tokens",
    "RegionTokens",
    "Patches",
    "SpatialVocabulary",
    "grid_coordinates",
    "RecordingStream",
    "preprocess",
]
