"""
.. _ex-read-bids:

==============================================
Read an iEEG-BIDS dataset and place electrodes
==============================================

ieegrep reads any iEEG-BIDS dataset and gives every contact an atlas region.
This example loads the real sample bundled with ieegrep (one sEEG and one ECoG
recording from mne-misc-data), counts channels per region, and plots the
contacts coloured by region and by lobe.
"""

# %%
# Find the recordings
# -------------------
# :func:`~ieegrep.bids.find_recordings` returns one :class:`mne_bids.BIDSPath`
# per recording; filters (``subject=``, ``task=``, ...) narrow the search.
import matplotlib.pyplot as plt

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import sample_path
from ieegrep.viz import plot_electrodes

paths = find_recordings(sample_path())
for path in paths:
    print(path.basename)

# %%
# Load one recording
# ------------------
# :func:`~ieegrep.bids.load_recording` reads the signal (as :class:`mne.io.Raw`),
# ``channels.tsv`` (types, bad channels), ``events.tsv`` and ``electrodes.tsv``,
# and labels each contact in an atlas. The sample's coordinates are in
# ``fsaverage`` (MNI305) space, so they go through FreeSurfer's MNI305→MNI152
# affine before the look-up. Contacts with no label within the search radius
# stay ``"Unknown"`` (never dropped), and a warning says so and what to check.
rec = load_recording(paths[1], atlas="desikan-killiany")
print(rec.summary())

# %%
# The electrode table keeps every column of ``electrodes.tsv`` and adds the
# shaft, contact number, hemisphere, region, lobe and MNI152 coordinates.
rec.electrodes[["name", "shaft", "contact", "region", "lobe"]].head(8)

# %%
# Where each label came from is recorded, so a result can always be traced back
# to the atlas, space and transform that produced it.
for key in ("atlas", "space", "transform", "ecog_radius_mm", "region_source"):
    print(f"{key:>10}: {rec.provenance.get(key)}")

# %%
# Channels per region
# -------------------
# :meth:`~ieegrep.bids.Recording.channels_per_region` counts channels per atlas
# region or per lobe, most populated first and ``"Unknown"`` last.
rec.channels_per_region(level="lobe")[["lobe", "hemisphere", "n_channels"]]

# %%
# Plot the contacts
# -----------------
# :func:`~ieegrep.viz.plot_electrodes` draws the contacts on three orthogonal
# projections over the atlas' brain outline; ``"Unknown"`` contacts are grey
# and bad channels are marked with a black ``x``.
fig = plot_electrodes(rec, color_by="region", title=f"{rec.name}: regions")

# %%
# The same contacts coloured by lobe, a coarser level that BaRISTA also uses as
# a spatial scale (see :ref:`ex-barista-scales`).
fig = plot_electrodes(rec, color_by="lobe", title=f"{rec.name}: lobes")

# %%
# A depth-electrode dataset
# -------------------------
# The sEEG recording of the sample and simulated datasets work the same way.
# Here all sEEG shafts of the first recording, coloured by shaft, on the
# sagittal and axial views only.
seeg = load_recording(paths[0])
fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
plot_electrodes(seeg, color_by="shaft", views=("sagittal", "axial"), axes=axes)
fig.suptitle(f"{seeg.name}: sEEG shafts")
plt.show()
