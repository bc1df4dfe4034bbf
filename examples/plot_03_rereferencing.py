"""
.. _ex-rereferencing:

======================
Re-referencing choices
======================

Every iEEG contact is recorded against some reference, often a contact far
away, so neighbouring channels share a large common signal. Re-referencing
trades that shared signal for locality, and each scheme keeps and drops
different channels. ieegrep implements the usual ones as explicit linear maps
(:func:`~ieegrep.preprocessing.reference_matrix`) applied with
:func:`~ieegrep.preprocessing.rereference`:

- ``"none"``: the recorded signals, unchanged;
- ``"average"``: subtract the mean of the shaft/grid (``scope="shaft"``) or of
  all contacts (``scope="global"``); keeps every channel;
- ``"bipolar"``: difference of consecutive contacts on a shaft; one channel
  fewer per shaft, named ``A1-A2`` and located between the two contacts;
- ``"laplacian"``: a contact minus the mean of its two neighbours on the shaft
  (BrainBERT's and BaRISTA's choice); contacts at either end of a shaft, with a
  single neighbour, are dropped unless ``allow_one_neighbour=True``.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import sample_path
from ieegrep.exceptions import IeegrepWarning
from ieegrep.preprocessing import reference_matrix, rereference

with warnings.catch_warnings():
    # the sample's unplaced contacts are explained in the BIDS example
    warnings.simplefilter("ignore", IeegrepWarning)
    rec = load_recording(find_recordings(sample_path(), acquisition="seeg")[0], preload=True)
print(rec.summary())
print(rec.electrodes["shaft"].value_counts().to_string())

# %%
# What each scheme keeps and drops
# --------------------------------
# :func:`~ieegrep.preprocessing.reference_matrix` builds the map from contact
# names (and shafts) alone, so the choice can be inspected before touching any
# data. ``scheme.sources`` says which contacts make each output channel and
# ``scheme.dropped`` which inputs produce no output.
names = rec.electrodes["name"].tolist()
shafts = rec.electrodes["shaft"].tolist()
schemes = {
    method: reference_matrix(names, method, shafts=shafts)
    for method in ("none", "average", "bipolar", "laplacian")
}
for method, scheme in schemes.items():
    print(
        f"{method:>9}: {len(scheme.inputs)} contacts -> {len(scheme.outputs)} channels; "
        f"dropped {len(scheme.dropped)} {scheme.dropped[:6]}"
    )
print("bipolar   first outputs:", schemes["bipolar"].outputs[:3])
print("laplacian first sources:", schemes["laplacian"].sources[:2])

# %%
# The matrices, on one shaft
# --------------------------
# Each row is an output channel, each column an input contact; the weights show
# how local each scheme is.
shaft = "L'"
columns = [i for i, s in enumerate(shafts) if s == shaft]
fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), layout="constrained")
for ax, (method, scheme) in zip(axes, schemes.items()):
    rows = [i for i, out in enumerate(scheme.outputs) if out.startswith(shaft)]
    block = scheme.matrix[np.ix_(rows, columns)]
    ax.imshow(block, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set(title=f"{method} ({len(rows)} outputs)", xlabel=f"contact on {shaft}")
axes[0].set_ylabel("output channel")
fig.suptitle(f"Re-referencing matrices, shaft {shaft}")
plt.show()

# %%
# Applying a scheme
# -----------------
# :func:`~ieegrep.preprocessing.rereference` returns a new
# :class:`~ieegrep.bids.Recording` whose channels, electrode table (bipolar
# channels sit at the midpoint of their two contacts, with its region) and bad
# channels follow the scheme. The shared signal goes: the correlation between
# neighbouring channels falls from the raw recording to the Laplacian.
referenced = {method: rereference(rec, method, verbose=False) for method in schemes}


def neighbour_correlation(recording):
    """Correlation of each pair of consecutive channels on the same shaft."""
    data = recording.raw.get_data()
    same_shaft = recording.electrodes.set_index("name").loc[recording.raw.ch_names, "shaft"]
    same_shaft = same_shaft.to_numpy()
    corr = [
        np.corrcoef(data[i], data[i + 1])[0, 1]
        for i in range(len(data) - 1)
        if same_shaft[i] == same_shaft[i + 1]
    ]
    return np.asarray(corr)


fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
correlations = [neighbour_correlation(r) for r in referenced.values()]
ax.boxplot(correlations, tick_labels=list(referenced))
ax.axhline(0, color="k", lw=0.5)
ax.set(ylabel="correlation of neighbouring channels", title="Shared signal after re-referencing")
plt.show()
for method, corr in zip(referenced, correlations):
    print(f"{method:>9}: median neighbour correlation {np.median(corr):+.2f}")

# %%
# The same contact under each scheme
# ----------------------------------
# One second of ``L'5`` (and ``L'5-L'6`` for bipolar): the reference changes
# both the amplitude and the waveform, which is why a model must be fed data
# referenced the way it was trained (BrainBERT and BaRISTA: Laplacian).
fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")
sl = slice(int(2 * rec.sfreq), int(3 * rec.sfreq))
traces = {}
for method, recording in referenced.items():
    name = "L'5-L'6" if method == "bipolar" else "L'5"
    traces[f"{method}: {name}"] = recording.raw.get_data(picks=[name])[0, sl] * 1e6
spacing = 3 * max(np.ptp(trace) for trace in traces.values()) / 2
for offset, (label, trace) in enumerate(traces.items()):
    ax.plot(rec.raw.times[sl], trace - trace.mean() - spacing * offset, lw=0.8, label=label)
ax.set(xlabel="Time (s)", ylabel="µV (offset)", yticks=[])
ax.legend(loc="upper right", fontsize=8)
plt.show()

# %%
# Bad channels and short shafts
# -----------------------------
# Bad contacts (from ``channels.tsv``) never contribute to a re-referenced
# channel; a Laplacian contact whose neighbour is bad is dropped rather than
# silently becoming a bipolar one. Here we mark ``L'5`` bad to see it.
scheme = reference_matrix(names, "laplacian", shafts=shafts, bads=["L'5"])
print("dropped with L'5 bad:", [d for d in scheme.dropped if d.startswith("L'")])
