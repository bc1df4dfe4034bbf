"""Data that ships with ieegrep, and data it can make.

- :func:`sample_path`: a small real iEEG-BIDS dataset bundled in the package
  (sEEG + ECoG from mne-misc-data, BSD-3-Clause).
- :func:`demo_checkpoint_path`: a small BrainBERT trained by ieegrep on
  simulated data and the sample (``tools/train_demo_checkpoint.py``).
- :func:`make_synthetic_bids`: writes a realistic simulated sEEG dataset on real
  Brain Treebank electrode layouts, with task effects planted by region.
- :func:`load_btbank_layout`: the bundled real electrode layouts (MIT).
- :func:`write_braintreebank_replica`: a miniature copy of the Brain Treebank
  release layout (same files and formats), for tests and tutorials.
- :mod:`~ieegrep.datasets.neuroprobe`: the Neuroprobe benchmark's sessions,
  electrode subsets and pretraining rules (MIT tables).
"""

from .braintreebank_replica import write_braintreebank_replica
from .layouts import load_btbank_layout, shaft_targets, target_agreement
from .sample import DEMO_CHECKPOINTS, demo_checkpoint_path, sample_path
from .simulator import PLANTED_EFFECTS, make_synthetic_bids, planted_effects

__all__ = [
    "sample_path",
    "demo_checkpoint_path",
    "DEMO_CHECKPOINTS",
    "make_synthetic_bids",
    "planted_effects",
    "PLANTED_EFFECTS",
    "load_btbank_layout",
    "shaft_targets",
    "target_agreement",
    "write_braintreebank_replica",
]
