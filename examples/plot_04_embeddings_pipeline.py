"""
.. _ex-pipeline:

===================================================
BrainBERT embeddings in a scikit-learn ``Pipeline``
===================================================

ieegrep's encoders are scikit-learn transformers, so a frozen BrainBERT slots
into a :class:`~sklearn.pipeline.Pipeline` and is cross-validated like any
other feature extractor. This example tells sentence onsets from the other
word onsets in a simulated sEEG recording with the small demo BrainBERT
bundled with ieegrep, and compares it with Neuroprobe's linear STFT baseline
on the same folds.

The bundled checkpoint (d_model 64, 2 layers) was trained by ieegrep on
simulated data and the bundled sample (``tools/train_demo_checkpoint.py``); it
is a stand-in for the official BrainBERT weights, which are never bundled.
"""

# %%
# Simulated data with a known effect
# ----------------------------------
# :func:`~ieegrep.datasets.make_synthetic_bids` writes an iEEG-BIDS dataset on
# real Brain Treebank electrode layouts, with task effects planted by region:
# every word is followed by temporal-lobe responses, and each sentence onset
# also by a 6-Hz theta burst in the frontal lobe, so only frontal channels can
# tell a sentence onset from any other word.
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import PLANTED_EFFECTS, demo_checkpoint_path, make_synthetic_bids
from ieegrep.decoding import (
    BrainBERTEmbedder,
    ContiguousSplit,
    compare_auroc,
    labelled_windows,
    neuroprobe_stft_baseline,
)
from ieegrep.preprocessing import extract_windows, preprocess
from ieegrep.viz import plot_decoding

for name, effect in PLANTED_EFFECTS.items():
    print(f"{name}: {effect['description']}")

root = make_synthetic_bids(Path(tempfile.mkdtemp()) / "bids", n_subjects=1, duration=90.0, seed=1)
rec = load_recording(find_recordings(root)[0])
print(rec.summary())

# %%
# Windows and labels
# ------------------
# The recording is preprocessed the way BrainBERT expects (line-noise notch,
# shaft Laplacian, 2048 Hz). :func:`~ieegrep.decoding.labelled_windows` cuts
# one 1-s window after each sentence onset (label 1) and after every other
# word onset (label 0; ``negative=None`` takes the other values of the
# column). We keep the frontal-lobe channels, where the sentence effect is.
clean = preprocess(rec, reference="laplacian", sfreq=2048, verbose=False)
windows = labelled_windows(clean, "trial_type=sentence_onset", window=(0.0, 1.0))
lobes = clean.electrodes.set_index("name").loc[clean.raw.ch_names, "lobe"]
frontal = [name for name, lobe in lobes.items() if lobe == "frontal"]
X = extract_windows(clean.raw.get_data(picks=frontal) * 1e6, windows)  # µV, as in training
y = windows["label"].to_numpy()
onsets = windows["onset"].to_numpy()
print(f"X: {X.shape} (windows, channels, samples); {y.sum()} sentences, {(y == 0).sum()} words")

# %%
# The pipeline
# ------------
# :class:`~ieegrep.decoding.BrainBERTEmbedder` computes each channel's STFT
# spectrogram, runs the frozen encoder and pools the 10 centre frames, giving
# ``d_model`` features per channel (flattened to ``n_channels * d_model``).
# The scaler and the classifier are fitted inside each fold; the encoder is
# frozen, so nothing learnt from the test windows reaches the features.
embedder = BrainBERTEmbedder(demo_checkpoint_path("brainbert"), sfreq=2048)
pipelines = {
    "BrainBERT (demo)": make_pipeline(
        embedder, StandardScaler(), LogisticRegression(max_iter=2000, C=0.1)
    ),
    "STFT linear": neuroprobe_stft_baseline(sfreq=2048),
}
print(pipelines["BrainBERT (demo)"])

# %%
# Cross-validation
# ----------------
# :class:`~ieegrep.decoding.ContiguousSplit` holds out contiguous blocks of time
# and drops training windows within ``gap`` seconds of the test block, so
# overlapping or adjacent windows never straddle train and test (see
# :ref:`ex-leaky-split` for what goes wrong otherwise).
# :func:`~ieegrep.decoding.compare_auroc` scores each pipeline on the same
# folds and reports the AUROC as mean ± s.e.m. over folds.
cv = ContiguousSplit(n_splits=4, gap=1.0, onsets=onsets)
summary = compare_auroc(pipelines, X, y, cv=cv)
print(summary[["name", "auroc_mean", "auroc_sem", "n_folds"]])

# %%
fig = plot_decoding(summary, title="Sentence vs other word onsets")
plt.show()

# %%
# The embedder on its own
# -----------------------
# Outside a pipeline the embedder is an ordinary transformer.
# ``flatten=False`` keeps the channel axis, which per-region analyses need
# (see :ref:`ex-dimensionality`).
per_channel = BrainBERTEmbedder(demo_checkpoint_path(), sfreq=2048, flatten=False)
embeddings = per_channel.fit_transform(X[:8])
print(f"embeddings: {embeddings.shape} (windows, channels, d_model)")
print(f"checkpoint SHA-256: {per_channel.checkpoint_sha256_[:16]}...")

# %%
# Reading the scores
# ------------------
# The planted sentence effect is a narrow-band theta burst, which a linear
# model on the spectrogram picks up directly; the demo encoder is tiny and
# was pretrained briefly, so it is no match for it here. The point of this
# example is the mechanics: the same folds, the same classifier, and an
# encoder that is a drop-in feature extractor. Swap in an official
# checkpoint (``BrainBERTEmbedder("stft_large_pretrained.pth")``) or your own
# (see :ref:`ex-pretrain`) to compare encoders.
