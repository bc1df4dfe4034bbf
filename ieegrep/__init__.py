"""ieegrep: self-supervised representation learning for intracranial EEG on BIDS data.

The data flows one way: a BIDS dataset (:mod:`ieegrep.bids`) gives recordings
whose electrodes are placed in atlas regions (:mod:`ieegrep.atlas`,
:mod:`ieegrep.electrodes`); :mod:`ieegrep.preprocessing` turns them into model
inputs; :mod:`ieegrep.models` holds the encoders (BrainBERT, BaRISTA) and
:mod:`ieegrep.training` pretrains them; :mod:`ieegrep.decoding` wraps them as
scikit-learn transformers with leak-free evaluation; :mod:`ieegrep.derivatives`
writes embeddings next to the BIDS data and :mod:`ieegrep.analysis` studies them.
Bundled and simulated datasets live in :mod:`ieegrep.datasets`; figures in
:mod:`ieegrep.viz`.
"""

from . import exceptions
from .verbosity import set_log_level

__version__ = "0.1.0.dev0"

__all__ = ["__version__", "set_log_level", "exceptions"]
