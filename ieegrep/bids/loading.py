"""Loading one recording: signal, sidecars, electrode table and regions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..atlas import DEFAULT_RADIUS_MM, Atlas
from ..atlas.atlas import _canonical as _canonical_atlas
from ..exceptions import (
    ChannelsFileError,
    NotIEEGError,
    SidecarWarning,
)
from ..verbosity import logger, verbose, warn
from .discovery import _bids_path
from .electrode_table import ECOG_RADIUS_MM, _electrode_table, _set_montage
from .recording import Recording
from .sidecars import (
    _apply_channels,
    _check_sampling_rate,
    _read_events,
    _read_json,
    _read_signal,
    _read_tsv,
    _sidecar,
)

__all__ = ["load_recording"]


@verbose
def load_recording(
    path,
    atlas="desikan-killiany",
    *,
    space: str | None = None,
    radius: float = DEFAULT_RADIUS_MM,
    ecog_radius: float = ECOG_RADIUS_MM,
    preload: bool = False,
    verbose=None,
) -> Recording:
    """Load one iEEG recording and place each electrode in an atlas region.

    Parameters
    ----------
    path : path-like | mne_bids.BIDSPath
        The recording's data file (``.edf``, ``.vhdr``, ``.bdf``, ``.set``), or a
        BIDSPath from :func:`find_recordings`.
    atlas : str | ieegrep.atlas.Atlas
        ``"desikan-killiany"`` (default) or ``"destrieux"`` (see
        :func:`ieegrep.atlas.available_atlases`), or an :class:`~ieegrep.atlas.Atlas`.
    space : str | None, default None
        Which ``electrodes.tsv`` to use when several ``space-*`` files exist.
        ``None`` chooses deterministically: MNI152 spaces first, then
        MNI305/fsaverage, then the patient's own space, ties by name; the choice
        is logged and stored in the provenance.
    radius : float
        Search radius in mm for sEEG and DBS contacts on an unlabelled voxel
        (default :data:`ieegrep.atlas.DEFAULT_RADIUS_MM`, 3 mm).
    ecog_radius : float
        Search radius in mm for ECoG contacts, which take the nearest *cortical*
        parcel (default :data:`ECOG_RADIUS_MM`, 10 mm): grids lie on the pial
        surface, and their positions from a post-implant CT are commonly shifted
        outwards by several millimetres.
    preload : bool
        Load the signal into memory now (default False: on first access).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    recording : Recording
        The raw data, the electrode table (every ``electrodes.tsv`` column plus
        ``space``, ``shaft``, ``contact``, ``hemisphere``, ``region``, ``lobe``, ...),
        the events and the provenance of the regions.

    Notes
    -----
    Regions come from, in order of precedence:

    1. a column of ``electrodes.tsv`` that already holds labels of the requested
       atlas (``desikan_killiany``/``aparc`` or ``destrieux``/``aparc.a2009s``);
    2. the bundled MNI152 atlas, for MNI152 and MNI305/fsaverage coordinates;
    3. the patient's FreeSurfer segmentation
       ``derivatives/freesurfer/sub-<label>/mri/aparc+aseg.mgz`` (or
       ``aparc.a2009s+aseg.mgz``), for coordinates in the patient's space;
    4. otherwise ``"Unknown"``, with a warning saying what to add.

    Problems with the input raise ieegrep's own exceptions (see
    :mod:`ieegrep.exceptions`), or warn when reading can go on.
    """
    atlas_obj = atlas if isinstance(atlas, Atlas) else None
    atlas_name = atlas.name if atlas_obj is not None else _canonical_atlas(atlas)
    bids_path = _bids_path(path)
    if bids_path.datatype not in (None, "ieeg") or bids_path.suffix not in (None, "ieeg"):
        raise NotIEEGError(
            "The file is not an iEEG recording.",
            file=bids_path.fpath,
            field="datatype",
            value=bids_path.datatype or bids_path.suffix,
            fix="ieegrep reads the 'ieeg' datatype (files sub-*/[ses-*/]ieeg/*_ieeg.<ext>).",
        )
    data_file = bids_path.fpath
    logger.info("Reading %s", data_file)

    sidecar_path = _sidecar(bids_path, "ieeg", ".json")
    ieeg_json = _read_json(sidecar_path) if sidecar_path else {}
    if sidecar_path is None:
        warn(
            SidecarWarning(
                "The recording has no *_ieeg.json sidecar.",
                file=data_file,
                field="*_ieeg.json",
                fix="Add the sidecar with TaskName, SamplingFrequency, "
                "PowerLineFrequency, SoftwareFilters, iEEGReference.",
            )
        )
    raw = _read_signal(Path(data_file), preload)
    _check_sampling_rate(raw, ieeg_json, sidecar_path, Path(data_file))
    line = ieeg_json.get("PowerLineFrequency")
    if isinstance(line, (int, float)) and line > 0:
        raw.info["line_freq"] = float(line)
    elif sidecar_path is not None:
        warn(
            SidecarWarning(
                "PowerLineFrequency is missing or not a number; line-noise filtering will need it.",
                file=sidecar_path,
                field="PowerLineFrequency",
                value=line,
                fix="Set PowerLineFrequency to 50 or 60 (Hz).",
            )
        )

    channels_path = _sidecar(bids_path, "channels", ".tsv")
    channels = _read_tsv(channels_path, ChannelsFileError) if channels_path else pd.DataFrame()
    _apply_channels(raw, channels, channels_path or data_file, ieeg_json)
    events = _read_events(_sidecar(bids_path, "events", ".tsv"), raw)

    electrodes, provenance = _electrode_table(
        raw, bids_path, atlas_name, atlas_obj, space, radius, ecog_radius
    )
    electrodes.attrs["ieegrep"] = provenance
    _set_montage(raw, electrodes, provenance)
    recording = Recording(
        raw=raw,
        electrodes=electrodes,
        events=events,
        channels=channels,
        bids_path=bids_path,
        provenance=provenance,
    )
    logger.info("%s", recording.summary())
    return recording
