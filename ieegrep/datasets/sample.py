"""The real iEEG-BIDS sample that ships inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..exceptions import CheckpointError, InvalidParameterError

__all__ = ["sample_path", "demo_checkpoint_path", "DEMO_CHECKPOINTS"]

#: Bundled demo encoders by model family (``tools/train_demo_checkpoint.py``).
DEMO_CHECKPOINTS = {"brainbert": "brainbert_demo.pt"}


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


def demo_checkpoint_path(model: str = "brainbert") -> Path:
    """Path of a small demo encoder bundled with ieegrep (offline, no download).

    The encoders are ieegrep's own (BSD-3-Clause): trained from a random
    initialisation by ``tools/train_demo_checkpoint.py`` on simulated data
    (:func:`~ieegrep.datasets.make_synthetic_bids`, fixed seed) and the
    bundled sample only, never from third-party weights. Their training
    command, seed, final loss against the trivial predictor's and SHA-256 are
    in ``provenance.json`` beside them. They are for demonstrations and tests:
    far smaller and less trained than the published models.

    Parameters
    ----------
    model : ``"brainbert"``, default 'brainbert'
        Model family. ``"brainbert"``: BrainBERT with d_model 64, 2 layers,
        4 heads, feed-forward 256 (about 110 k parameters).

    Returns
    -------
    path : pathlib.Path
        The checkpoint, for :meth:`ieegrep.models.BrainBERT.from_pretrained`
        or ``BrainBERTEmbedder(checkpoint=...)``.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        For a model family without a bundled encoder.
    ieegrep.exceptions.CheckpointError
        If the file is missing from the installation.

    Examples
    --------
    >>> demo_checkpoint_path("brainbert").name
    'brainbert_demo.pt'
    """
    if model not in DEMO_CHECKPOINTS:
        raise InvalidParameterError(
            "No demo encoder is bundled for this model.",
            field="model",
            value=model,
            fix=f"Use one of {', '.join(DEMO_CHECKPOINTS)}, or pretrain one with "
            "'ieegrep pretrain'.",
        )
    folder = resources.files("ieegrep.datasets") / "data" / "demo_checkpoints"
    path = Path(str(folder)) / DEMO_CHECKPOINTS[model]
    if not path.is_file():
        raise CheckpointError(
            "The bundled demo checkpoint is missing from this installation.",
            file=path,
            fix="Reinstall ieegrep, or regenerate it with 'python tools/train_demo_checkpoint.py'.",
        )
    return path
