"""Find and load iEEG recordings from any BIDS dataset, with every electrode in an atlas region.

>>> from ieegrep.bids import find_recordings, load_recording
>>> from ieegrep.datasets import sample_path
>>> paths = find_recordings(sample_path())
>>> rec = load_recording(paths[1])  # doctest: +SKIP
>>> rec.electrodes[["name", "shaft", "contact", "region", "lobe"]].head()  # doctest: +SKIP

A :class:`Recording` holds the :class:`mne.io.Raw` (channel types and bad channels
from ``channels.tsv``, line frequency from the sidecar, events from ``events.tsv``
as annotations), the electrode table, the events table and the provenance of
every region label. Modules: :mod:`~ieegrep.bids.discovery` (finding recordings),
:mod:`~ieegrep.bids.sidecars` (signal and sidecar files),
:mod:`~ieegrep.bids.electrode_table` (electrodes, shafts, regions),
:mod:`~ieegrep.bids.loading` (:func:`load_recording`) and
:mod:`~ieegrep.bids.recording` (:class:`Recording`) and
:mod:`~ieegrep.bids.braintreebank` (:func:`import_braintreebank`: the Brain
Treebank release to iEEG-BIDS).
"""

from .braintreebank import import_braintreebank
from .discovery import find_recordings
from .electrode_table import ECOG_RADIUS_MM, IEEG_CHANNEL_TYPES, ieeg_picks
from .loading import load_recording
from .recording import Recording, split_recording
from .sidecars import DATA_EXTENSIONS

__all__ = [
    "Recording",
    "find_recordings",
    "load_recording",
    "IEEG_CHANNEL_TYPES",
    "ECOG_RADIUS_MM",
    "DATA_EXTENSIONS",
    "ieeg_picks",
    "split_recording",
    "import_braintreebank",
]
