"""
.. _ex-pretrain:

=========================
Pretrain a tiny BrainBERT
=========================

BrainBERT learns from unlabelled recordings by masked spectrogram modelling:
spans of time frames and of frequencies are hidden, and the model must
reconstruct them from the context. This example pretrains a tiny BrainBERT
for a few hundred steps (seconds on a CPU) on a simulated dataset, and
compares its loss with the loss of a trivial predictor, the yardstick that
tells learning from noise.

Real pretraining runs for thousands of steps on hours of data, from the
command line (``ieegrep pretrain BIDS_ROOT --model brainbert ...``, also under
``torchrun`` on several GPUs); the Python API is the same.
"""

# %%
# Unlabelled data
# ---------------
# :class:`~ieegrep.training.SpectrogramDataset` turns every recording of a BIDS
# dataset into BrainBERT's examples, one z-scored STFT spectrogram per channel
# and 5-s window (notch, Laplacian, 2048 Hz), cached on disk so later runs
# start at once.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from ieegrep.datasets import make_synthetic_bids
from ieegrep.models import BrainBERT
from ieegrep.training import SpectrogramDataset, pretrain
from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective
from ieegrep.viz import plot_training_history

workdir = Path(tempfile.mkdtemp())
root = make_synthetic_bids(workdir / "bids", n_subjects=1, duration=60.0, max_channels=24, seed=0)
dataset = SpectrogramDataset(root, cache_dir=workdir / "cache")
example = dataset[0]
print(f"{len(dataset)} examples; one of them:")
for key, value in example.items():
    print(f"  {key}: {tuple(value.shape) if hasattr(value, 'shape') else value}")

# %%
# A tiny model and its objective
# ------------------------------
# The architecture is BrainBERT's (40 frequencies in, a Transformer encoder, a
# reconstruction head), scaled down to a size that trains in seconds on a CPU.
# :class:`~ieegrep.training.masked_spectrogram.MaskedSpectrogramObjective`
# masks time and frequency spans (80 % zeroed, 10 % replaced, 10 % kept) and
# scores the reconstruction with an L1 loss plus a content-aware L1 that
# weighs cells with high power.
torch.manual_seed(0)
model = BrainBERT(d_model=32, n_layers=2, n_heads=2, d_ff=64, dropout=0.0)
objective = MaskedSpectrogramObjective(model)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

# %%
# Pretraining
# -----------
# :func:`~ieegrep.training.pretrain` runs the optimiser (AdamW, warm-up and
# cosine decay, gradient clipping) and writes ``model.pt`` (with provenance),
# ``state.pt`` (everything needed to resume bit for bit) and ``history.tsv``.
# Stopped and run again with ``resume=True``, it continues where it was.
result = pretrain(
    objective,
    dataset,
    out_dir=workdir / "run",
    n_steps=300,
    batch_size=8,
    lr=1e-3,
    weight_decay=0.0,
    warmup_steps=15,
    checkpoint_every=300,
    progress=False,
    seed=0,
)
print(sorted(p.name for p in result.out_dir.iterdir()))
print(result.history.tail())

# %%
# Loss against the trivial predictor
# ----------------------------------
# The trivial predictor reconstructs every masked cell as zero, the mean of a
# z-scored spectrogram. A model that has learnt nothing scores about the
# same; one that uses the context scores below it.
losses = result.final_losses(last=30)
print(f"last 30 steps: loss {losses['loss']:.3f}, trivial {losses['baseline_loss']:.3f}")
fig = plot_training_history(result.history, title="Tiny BrainBERT, 300 steps")
plt.show()

# %%
# Using the pretrained model
# --------------------------
# ``model.pt`` loads like any checkpoint, official or ieegrep's, and can go
# straight into :class:`~ieegrep.decoding.BrainBERTEmbedder`
# (see :ref:`ex-pipeline`).
pretrained = BrainBERT.from_pretrained(result.model_path)
spec = torch.as_tensor(example["spec"])[None]  # a batch of one
with torch.no_grad():
    embedding = pretrained.embed(spec)
print(f"embedding of one spectrogram: {tuple(embedding.shape)}")
print(f"checkpoint SHA-256: {pretrained.checkpoint_sha256_[:16]}...")
