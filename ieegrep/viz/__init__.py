"""Figures: electrodes on brain projections, coloured by region."""

from .electrodes import LOBE_COLORS, plot_electrodes

__all__ = ["plot_electrodes", "LOBE_COLORS"]
