"""
.. _ex-derivatives:

===============================
Write and read BIDS derivatives
===============================

Embeddings are expensive to compute and worth keeping next to the data they
came from, with a record of how they were made. ieegrep writes them as a BIDS
derivative dataset (``derivatives/ieegrep/``): a NumPy array, a JSON sidecar
with the full provenance, and an ``events.tsv`` with one row per window. This
example works on a temporary copy of the bundled sample (the installed
package is never written to).
"""

# %%
import json
import shutil
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import demo_checkpoint_path, sample_path
from ieegrep.decoding import BrainBERTEmbedder, embed_bids
from ieegrep.derivatives import find_embeddings, read_embeddings, write_embeddings
from ieegrep.exceptions import IeegrepError, IeegrepWarning
from ieegrep.preprocessing import extract_windows, preprocess, sliding_windows

bids_root = Path(tempfile.mkdtemp()) / "sample"
shutil.copytree(sample_path(), bids_root, copy_function=shutil.copyfile)
with warnings.catch_warnings():
    # the sample's unplaced contacts are explained in the BIDS example
    warnings.simplefilter("ignore", IeegrepWarning)
    rec = load_recording(find_recordings(bids_root, acquisition="ecog")[0])

# %%
# Embeddings of one recording
# ---------------------------
# 1-s windows of the preprocessed ECoG recording, embedded per channel with the
# bundled demo BrainBERT.
clean = preprocess(rec, reference="laplacian", sfreq=2048, verbose=False)
windows = sliding_windows(clean, 1.0)
X = extract_windows(clean.raw.get_data() * 1e6, windows)
embedder = BrainBERTEmbedder(demo_checkpoint_path(), sfreq=2048, flatten=False)
embeddings = embedder.fit_transform(X)
print(f"embeddings: {embeddings.shape} (windows, channels, d_model)")

# %%
# Writing
# -------
# :func:`~ieegrep.derivatives.write_embeddings` keeps every entity of the
# source file (``sub``, ``task``, ``acq``, ...), names the model with
# ``desc-<label>``, and records what you pass: the checkpoint's SHA-256, the
# preprocessing, the channels and their regions, the windows. Label columns
# in ``events`` go into the ``events.tsv`` (here: before or after the seizure
# onset). All files appear at once or not at all.
onset = float(clean.events.query("trial_type == 'seizure_onset'").onset.iloc[0])
names = clean.raw.ch_names
regions = clean.electrodes.set_index("name").loc[names, "region"].astype(str).tolist()
events = windows[["onset", "duration"]].assign(
    period=np.where(windows["onset"] >= onset, "ictal", "preictal")
)
paths = write_embeddings(
    bids_root,
    clean,
    embeddings,
    desc="brainbert",
    model="BrainBERT (ieegrep demo encoder)",
    checkpoint_sha256=embedder.checkpoint_sha256_,
    preprocessing={"notch": "reference", "reference": "laplacian", "resampled_to_hz": 2048},
    atlas="desikan-killiany",
    channels=names,
    regions=regions,
    onsets=windows["onset"].to_numpy(),
    durations=windows["duration"].to_numpy(),
    sfreq=2048,
    events=events,
)
for kind, path in paths.items():
    print(f"{kind:>16}: {path.relative_to(bids_root)}")

# %%
# Files are never replaced silently: writing again raises unless
# ``overwrite=True``.
try:
    write_embeddings(bids_root, clean, embeddings, desc="brainbert", model="again")
except IeegrepError as err:
    print(type(err).__name__, "-", str(err).splitlines()[0])

# %%
# Finding and reading
# -------------------
# :func:`~ieegrep.derivatives.find_embeddings` lists the arrays (filter by
# ``desc``, ``subject``, ``session``, ``task``);
# :func:`~ieegrep.derivatives.read_embeddings` returns the array (optionally
# memory-mapped), the sidecar and the events table.
found = find_embeddings(bids_root, desc="brainbert")
loaded = read_embeddings(found[0], mmap=True)
print(
    f"data: {loaded.data.shape}, equal to what was written: "
    f"{np.array_equal(loaded.data, embeddings)}"
)
print(
    json.dumps({k: loaded.metadata[k] for k in list(loaded.metadata)[:8]}, indent=1, default=str)[
        :900
    ]
)
loaded.windows.head()

# %%
# The events table carries the labels, so an analysis can start from the
# derivatives alone: here, how far each window's embeddings move from the
# average preictal embedding of the same channel (mean over channels).
data = np.asarray(loaded.data)
ictal = (loaded.windows["period"] == "ictal").to_numpy()
reference = data[~ictal].mean(axis=0)  # (channels, d_model)
distance = np.linalg.norm(data - reference, axis=-1).mean(axis=1)
fig, ax = plt.subplots(figsize=(8, 3), layout="constrained")
ax.bar(loaded.windows["onset"][~ictal], distance[~ictal], width=0.9, label="preictal")
ax.bar(loaded.windows["onset"][ictal], distance[ictal], width=0.9, label="ictal")
ax.set(xlabel="window onset (s)", ylabel="distance from preictal mean")
ax.set_title(loaded.path.name, fontsize=8)
ax.legend()
plt.show()

# %%
# A whole dataset at once
# -----------------------
# :func:`~ieegrep.decoding.embed_bids` (or ``ieegrep embed BIDS_ROOT
# --checkpoint ...``) preprocesses, embeds and writes every recording of a
# dataset, chunk by chunk. Its default ``desc`` is the model name, so here it
# replaces the 1-s embeddings of sub-02 written above (``overwrite=True``).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", IeegrepWarning)
    embed_bids(
        bids_root, checkpoint=demo_checkpoint_path(), window=5.0, overwrite=True, verbose=False
    )
for path in find_embeddings(bids_root):
    print(path.relative_to(bids_root), read_embeddings(path).data.shape)
print(sorted(p.name for p in (bids_root / "derivatives" / "ieegrep").iterdir()))
