"""The real iEEG-BIDS sample that ships inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["sample_path"]


def sample_path() -> Path:
    """Root of the bundled real iEEG-BIDS sample (read offline, no download).

    Two real clinical recordings from mne-misc-data (BSD-3-Clause; see the
    sample's ``README`` and ``LICENSE`` and ieegrep's ``ATTRIBUTION.md``):

    - ``sub-01``: sEEG, 88 contacts on 6 left shafts (+ 8 DC, 2 ECG), 1000 Hz,
      10 s at rest, EDF; electrodes in ``fsaverage`` space and in the patient's
      own space with the patient's FreeSurfer labels.
    - ``sub-02``: ECoG, 8×8 grid + two 6-contact strips (+ 2 ECG), 999.41 Hz,
      21.7 s with a ``seizure_onset`` event at 10.229 s, BrainVision; grid
      contacts in ``fsaverage`` space.

    Returns
    -------
    root : pathlib.Path
        The dataset root, to pass to :func:`ieegrep.bids.find_recordings`.

    Examples
    --------
    >>> from ieegrep.bids import find_recordings
    >>> [p.basename for p in find_recordings(sample_path())]
    ['sub-01_task-rest_acq-seeg_ieeg.edf', 'sub-02_task-ictal_acq-ecog_ieeg.vhdr']
    """
    root = resources.files("ieegrep.datasets") / "data" / "sample"
    # The package is installed as files (not zipped), so this is a real folder.
    return Path(str(root))
