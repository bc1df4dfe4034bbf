"""
.. _ex-barista-scales:

===============================
BaRISTA at three spatial scales
===============================

BaRISTA tokenises every channel's signal into 250-ms patches and tells the
Transformer *where* each channel is by adding a spatial embedding to its
tokens. That "where" can be described at three scales:

- ``"channel"``: the contact's own position, as integer coordinates on a
  grid in MNI152 space (three tables, one per axis);
- ``"parcel"``: the atlas region (one row of a table per parcel);
- ``"lobe"``: the lobe (or deep structure) of that region.

The same scales define the groups that are masked together during
pretraining (:ref:`ex-pretrain` shows BrainBERT's objective). This example
builds tiny randomly initialised BaRISTA models at each scale, on a simulated
sEEG recording, and shows the spatial indices, the tables and the token
layout. No weights are needed.
"""

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import make_synthetic_bids
from ieegrep.models import Barista
from ieegrep.preprocessing import (
    extract_windows,
    preprocess,
    region_tokens,
    sliding_windows,
    zscore_segments,
)

root = make_synthetic_bids(
    Path(tempfile.mkdtemp()) / "bids", n_subjects=1, duration=20.0, max_channels=40, seed=0
)
clean = preprocess(load_recording(find_recordings(root)[0]), sfreq=2048, verbose=False)
print(clean.summary())

# %%
# Region tokens
# -------------
# :meth:`Barista.region_tokens <ieegrep.models.Barista.region_tokens>` (or
# :func:`ieegrep.preprocessing.region_tokens` for all scales at once) turns
# the electrode table into spatial indices. Each scale also defines masking
# groups: the channels that share a parcel or a lobe.
models = {
    scale: Barista.from_preset("tiny", scale=scale).eval()
    for scale in ("channel", "parcel", "lobe")
}
tokens = region_tokens(clean)  # scales=("channel", "parcel", "lobe")
for scale in ("channel", "parcel", "lobe"):
    print(
        f"{scale:>8}: spatial index {tokens.spatial_index[scale].shape}, "
        f"{tokens.n_groups(scale)} masking groups, table of {tokens.table_size(scale)} rows"
    )

# %%
# One row per channel, every scale side by side:
table = tokens.to_frame()
table.head(12)

# %%
# Channels per group at the parcel and lobe scales: the coarser the scale, the
# fewer and larger the groups.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for ax, scale in zip(axes, ("parcel", "lobe")):
    labels, counts = np.unique(tokens.labels[scale], return_counts=True)
    order = np.argsort(counts)
    ax.barh(labels[order], counts[order], color="#4C72B0")
    ax.set(title=f"{scale} scale: {len(labels)} groups", xlabel="channels")
    ax.tick_params(axis="y", labelsize=7)
plt.show()

# %%
# The three models
# ----------------
# Only the spatial tables differ: a grid per axis at the channel scale, a row
# per vocabulary entry at the parcel scale (190 open parcels) and at the lobe
# scale (40 rows).
for scale, model in models.items():
    spatial = sum(p.numel() for n, p in model.named_parameters() if "spatial" in n)
    total = sum(p.numel() for p in model.parameters())
    print(
        f"{scale:>8}: {total:,} parameters, {spatial:,} of them spatial "
        f"(spatial_rows={model.config['spatial_rows']}, d_model={model.config['d_model']})"
    )

# %%
# Encoding a batch
# ----------------
# BaRISTA reads 3-s segments z-scored per channel. With 250-ms patches at
# 2048 Hz (512 samples) a segment gives 12 patches per channel, and the
# Transformer attends jointly over all ``12 * C`` tokens, time-major:
# token ``n = t * C + c`` is patch ``t`` of channel ``c``.
windows = sliding_windows(clean, 3.0, 3.0)
segments = zscore_segments(extract_windows(clean.raw.get_data(), windows[:2]))
x = torch.as_tensor(segments, dtype=torch.float32)
n_channels = x.shape[1]
for scale, model in models.items():
    per_channel_index = torch.as_tensor(tokens.spatial_index[scale])
    index = per_channel_index.expand(len(x), *per_channel_index.shape)  # one row per segment
    with torch.no_grad():
        hidden = model.encode(x, index)
    print(f"{scale:>8}: x {tuple(x.shape)} -> tokens {tuple(hidden.shape)}")
n_patches = hidden.shape[1] // n_channels

# %%
# The token layout
# ----------------
# :meth:`~ieegrep.preprocessing.RegionTokens.per_token` expands per-channel
# values to every token. Here, the lobe group of each token: the pattern
# repeats every ``C`` tokens, once per patch, so masking a lobe hides it at
# every time step.
per_token = tokens.per_token("lobe", n_patches)
fig, ax = plt.subplots(figsize=(10, 2.6), layout="constrained")
ax.imshow(per_token[None, :], aspect="auto", cmap="tab20", interpolation="nearest")
for t in range(1, n_patches):
    ax.axvline(t * n_channels - 0.5, color="k", lw=0.5)
ax.set(
    yticks=[],
    xlabel=f"token n = t * C + c  ({n_patches} patches x {n_channels} channels)",
    title="Lobe group of every token",
)
plt.show()

# %%
# Pooled embeddings
# -----------------
# For decoding, tokens are pooled per channel (mean over patches) or over the
# whole segment; :class:`~ieegrep.decoding.BaristaEmbedder` does this inside a
# scikit-learn pipeline, at the scale of the checkpoint it loads.
per_channel = hidden.reshape(len(x), n_patches, n_channels, -1).mean(dim=1)
print(f"per-channel embeddings: {tuple(per_channel.shape)} (segments, channels, d_model)")
