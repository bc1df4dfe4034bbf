"""Figures: electrodes by region, training curves, decoding scores, Neuroprobe results, intrinsic dimensionality."""

from .decoding import plot_decoding
from .dimensionality import plot_dimensionality
from .electrodes import LOBE_COLORS, plot_electrodes
from .neuroprobe import plot_neuroprobe
from .training import plot_training_history

__all__ = [
    "plot_electrodes",
    "LOBE_COLORS",
    "plot_decoding",
    "plot_dimensionality",
    "plot_training_history",
    "plot_neuroprobe",
]
