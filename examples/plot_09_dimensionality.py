r"""
.. _ex-dimensionality:

=================================================
Intrinsic dimensionality of embeddings per region
=================================================

How many dimensions does an encoder actually use to describe the activity of
a brain region? Two measures of a region's embeddings (all windows of all its
channels) answer it: the number of principal components needed for 95 % of
the variance, and the participation ratio
:math:`(\sum_i \lambda_i)^2 / \sum_i \lambda_i^2` of the PCA eigenvalues
:math:`\lambda_i`, a smooth count of the dimensions that carry variance.
This example measures both, per region, for the bundled demo BrainBERT and for
the same architecture randomly initialised, on a simulated sEEG recording.
"""

# %%
# Per-channel embeddings
# ----------------------
# A 40-s simulated recording on a real electrode layout (many regions),
# Laplacian-referenced, cut into 1-s windows; every channel of every window
# is embedded (``flatten=False`` keeps the channel axis).
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from ieegrep.analysis import intrinsic_dimensionality, pca_spectrum
from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import demo_checkpoint_path, make_synthetic_bids
from ieegrep.decoding import BrainBERTEmbedder
from ieegrep.models import BrainBERT
from ieegrep.preprocessing import extract_windows, preprocess, sliding_windows
from ieegrep.viz import plot_dimensionality

root = make_synthetic_bids(Path(tempfile.mkdtemp()) / "bids", n_subjects=1, duration=40.0, seed=2)
clean = preprocess(load_recording(find_recordings(root)[0]), sfreq=2048, verbose=False)
windows = sliding_windows(clean, 1.0)
X = extract_windows(clean.raw.get_data() * 1e6, windows)
names = clean.raw.ch_names
regions = clean.electrodes.set_index("name").loc[names, "region"].astype(str).to_numpy()
print(f"X: {X.shape}; {len(set(regions))} regions")

trained = BrainBERTEmbedder(demo_checkpoint_path(), sfreq=2048, flatten=False)
config = BrainBERT.from_pretrained(demo_checkpoint_path()).config
torch.manual_seed(0)
random_init = BrainBERTEmbedder(model=BrainBERT(**config), sfreq=2048, flatten=False)
embeddings = {
    "demo BrainBERT": trained.fit_transform(X),
    "random init": random_init.fit_transform(X),
}
print({name: e.shape for name, e in embeddings.items()})

# %%
# Dimensionality per region
# -------------------------
# :func:`~ieegrep.analysis.intrinsic_dimensionality` takes the
# ``(windows, channels, features)`` array and a region per channel. Regions
# with too few samples for a stable PCA get NaN (``min_samples``); we keep
# regions with at least 3 channels.
counts = pd.Series(regions).value_counts()
keep = np.isin(regions, counts.index[counts >= 3]) & (regions != "Unknown")
tables = {
    name: intrinsic_dimensionality(e[:, keep], regions[keep], min_samples=60)
    for name, e in embeddings.items()
}
tables["demo BrainBERT"]

# %%
fig = plot_dimensionality(tables["demo BrainBERT"], title="Demo BrainBERT, per region")
plt.show()

# %%
# Trained vs random encoder
# -------------------------
# A random Transformer spreads its output over many dimensions; training
# usually concentrates the embeddings of real signals onto fewer. Comparing a
# trained model with its random initialisation, region by region, separates
# what training did from what the architecture does anyway.
merged = pd.merge(
    tables["demo BrainBERT"], tables["random init"], on="region", suffixes=(" trained", " random")
)
fig, ax = plt.subplots(figsize=(4.5, 4.5), layout="constrained")
ax.scatter(merged["participation_ratio random"], merged["participation_ratio trained"])
lim = [0, max(merged[["participation_ratio random", "participation_ratio trained"]].max()) * 1.1]
ax.plot(lim, lim, "k--", lw=1)
ax.set(
    xlim=lim,
    ylim=lim,
    xlabel="participation ratio, random init",
    ylabel="participation ratio, demo BrainBERT",
    title="One dot per region",
)
plt.show()

# %%
# The PCA spectrum
# ----------------
# Both measures summarise the eigenvalue spectrum
# (:func:`~ieegrep.analysis.pca_spectrum`); here the cumulative explained
# variance of all regions pooled, for both encoders.
fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
for name, e in embeddings.items():
    spectrum = pca_spectrum(e[:, keep].reshape(-1, e.shape[-1]))
    ax.plot(np.arange(1, spectrum.size + 1), np.cumsum(spectrum) / spectrum.sum(), label=name)
ax.axhline(0.95, color="k", ls=":", lw=1)
ax.set(xlabel="principal components", ylabel="cumulative variance", xscale="log")
ax.legend()
plt.show()
