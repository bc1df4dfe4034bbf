"""Encoders: BrainBERT and BaRISTA, and the checkpoints that hold them.

=========================  ==========================================================
module                     what it holds
=========================  ==========================================================
:mod:`~.brainbert`         :class:`BrainBERT` (spectrogram Transformer; official weights load)
:mod:`~.barista`           :class:`Barista` (spatiotemporal Transformer at channel, parcel or
                           lobe scale; the authors' released weights load)
:mod:`~.checkpoints`       safe reading (no arbitrary unpickling), strict loading, SHA-256
:mod:`~.initialisation`    :func:`mimetic_init` (attention initialisation for pretraining)
=========================  ==========================================================
"""

from .barista import AUTHORS_LICENCE, BARISTA_PRESETS, Barista, authors_vocabulary
from .brainbert import PRESETS as BRAINBERT_PRESETS
from .brainbert import BrainBERT, pool
from .checkpoints import (
    Checkpoint,
    PretrainedModel,
    file_sha256,
    load_state_dict_strict,
    read_checkpoint,
    save_checkpoint,
)
from .initialisation import mimetic_init

__all__ = [
    "BrainBERT",
    "BRAINBERT_PRESETS",
    "pool",
    "Barista",
    "BARISTA_PRESETS",
    "AUTHORS_LICENCE",
    "authors_vocabulary",
    "Checkpoint",
    "PretrainedModel",
    "read_checkpoint",
    "save_checkpoint",
    "load_state_dict_strict",
    "file_sha256",
    "mimetic_init",
]
