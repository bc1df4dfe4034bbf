"""Self-supervised pretraining: objectives, data from BIDS, the resumable runner, distributed runs.

==================================  ==============================================================
module                              what it holds
==================================  ==============================================================
:mod:`~.masked_spectrogram`         BrainBERT's masked spectrogram modelling (masks, loss, objective)
:mod:`~.latent_reconstruction`      BaRISTA's spatially masked latent reconstruction (EMA target)
:mod:`~.data`                       pretraining datasets streamed from BIDS, cached on disk
:mod:`~.runner`                     :func:`pretrain`: progress, atomic checkpoints, exact resume
:mod:`~.distributed`                the same runner under ``torchrun`` (DistributedDataParallel)
==================================  ==============================================================
"""

from . import distributed
from .data import SegmentDataset, SpectrogramDataset
from .runner import Pretrainer, TrainingResult, load_state, lr_factor, pretrain

__all__ = [
    "pretrain",
    "Pretrainer",
    "TrainingResult",
    "load_state",
    "lr_factor",
    "SpectrogramDataset",
    "SegmentDataset",
    "distributed",
]
