"""
.. _ex-leaky-split:

===============================================
Time-blocked evaluation vs a leaky random split
===============================================

Windows cut from one continuous recording are not independent samples:
overlapping windows share data, and even disjoint neighbours share slow
fluctuations of the background. A random (shuffled) K-fold split puts
neighbours on both sides, and a classifier that merely recognises *when* a
window was recorded looks like it decodes the task. This example builds a task
with **no neural correlate at all** and shows a random split reporting a high
AUROC, while time-blocked splits report chance.
"""

# %%
# A recording and a meaningless label
# -----------------------------------
# A simulated sEEG recording (2 minutes, Laplacian) cut into 2-s windows
# every 0.5 s (75 % overlap). The "task" labels come in 10-s blocks: each
# 20-s stretch holds one block of each label, in a random order (so that every
# fold below sees both classes). Nothing in the signal depends on the label.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import make_synthetic_bids
from ieegrep.decoding import (
    ContiguousSplit,
    GroupedSplit,
    cross_validate_auroc,
)
from ieegrep.preprocessing import extract_windows, preprocess, sliding_windows
from ieegrep.viz import plot_decoding

root = make_synthetic_bids(
    Path(tempfile.mkdtemp()) / "bids", n_subjects=1, duration=120.0, max_channels=32, seed=3
)
clean = preprocess(load_recording(find_recordings(root)[0]), sfreq=512, verbose=False)
windows = sliding_windows(clean, 2.0, 0.5)
X = extract_windows(clean.raw.get_data() * 1e6, windows)
onsets = windows["onset"].to_numpy()

block = (onsets // 10).astype(int)


def random_block_labels(seed):
    """Label 10-s blocks 0/1, one of each per 20 s, in a random order."""
    flips = np.random.default_rng(seed).integers(0, 2, size=block.max() // 2 + 1)
    return (block % 2) ^ flips[block // 2]


y = random_block_labels(0)
print(f"X: {X.shape}; {y.sum()} windows labelled 1, {(y == 0).sum()} labelled 0")

# %%
# Three ways to split
# -------------------
# - **random K-fold** (``KFold(shuffle=True)``): the textbook default, and the
#   leak;
# - **contiguous** (:class:`~ieegrep.decoding.ContiguousSplit`): each fold
#   tests one contiguous stretch of time, and training windows within
#   ``gap`` seconds of it are dropped so that no training window overlaps a
#   test window;
# - **grouped** (:class:`~ieegrep.decoding.GroupedSplit`): whole 10-s blocks
#   held out (the unit that was labelled).
#
# The features are deliberately simple: each channel's mean and log-variance
# over the window (a broadband power), standardised, then a logistic
# regression.


def mean_and_log_power(X):
    """Each channel's mean and log-variance over the window."""
    return np.concatenate([X.mean(axis=-1), np.log(X.var(axis=-1))], axis=1)


pipe = make_pipeline(
    FunctionTransformer(mean_and_log_power), StandardScaler(), LogisticRegression(max_iter=2000)
)
splits = {
    "random K-fold (leaky)": dict(cv=KFold(5, shuffle=True, random_state=0)),
    "contiguous + 2 s gap": dict(cv=ContiguousSplit(5, gap=2.0, onsets=onsets)),
    "grouped by block": dict(cv=GroupedSplit(5), groups=block),
}
results = [
    cross_validate_auroc(pipe, X, y, name=name, **options) for name, options in splits.items()
]
summary = pd.DataFrame([r.summary() for r in results])
print(summary[["name", "auroc_mean", "auroc_sem", "n_folds"]])

# %%
fig = plot_decoding(results, title="A label with no neural correlate")
plt.show()

# %%
# Not a fluke
# -----------
# The same comparison for 10 different random labellings of the blocks: the
# random split is well above chance every time, while the time-blocked splits
# scatter around chance (widely: with only 12 blocks, each fold's score is
# noisy, which is the honest uncertainty of so little data).
rows = []
for seed in range(10):
    labels = random_block_labels(seed + 1)
    for name, options in splits.items():
        result = cross_validate_auroc(pipe, X, labels, name=name, **options)
        rows.append({"split": name, "seed": seed, "auroc": result.mean})
table = pd.DataFrame(rows)
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
for i, (_, group) in enumerate(table.groupby("split", sort=False)):
    ax.scatter(group["auroc"], np.full(len(group), i), alpha=0.7)
ax.axvline(0.5, color="k", ls="--", lw=1)
ax.set(yticks=range(len(splits)), yticklabels=list(splits), xlabel="AUROC (mean over folds)")
ax.set_title("10 random labellings, no neural correlate")
plt.show()
print(table.groupby("split", sort=False)["auroc"].agg(["mean", "min", "max"]).round(2))

# %%
# Why the random split leaks
# --------------------------
# With 75 % overlap, each test window's neighbours a quarter of a window
# away are almost always in training, carrying the same label and three
# quarters of the same samples. The classifier need only match a window to its
# neighbours. Even without overlap, the background drifts slowly, so windows
# close in time resemble each other more than windows far apart.
#
# Contiguous blocks and groups restore the right question: does the model
# generalise to a stretch of time it has not seen? In real data, also hold
# out whole sessions or subjects when the claim is about them
# (:class:`~ieegrep.decoding.CrossSessionSplit`,
# :class:`~ieegrep.decoding.CrossSubjectSplit`).
train, test = next(ContiguousSplit(5, gap=2.0, onsets=onsets).split(X))
fig, ax = plt.subplots(figsize=(9, 1.8), layout="constrained")
ax.scatter(onsets[train], np.ones(train.size), s=6, label="train")
ax.scatter(onsets[test], np.zeros(test.size), s=6, label="test")
ax.set(yticks=[0, 1], yticklabels=["test", "train"], xlabel="window onset (s)")
ax.set_title("ContiguousSplit, first fold: the windows around the test block are dropped")
plt.show()
