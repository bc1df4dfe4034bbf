"""Finding the iEEG recordings of a BIDS dataset, and resolving one recording's path."""

from __future__ import annotations

import os
from pathlib import Path

from mne_bids import BIDSPath, find_matching_paths, get_bids_path_from_fname

from ..exceptions import (
    DatasetNotFoundError,
    InvalidDatasetError,
    NoRecordingsError,
    RecordingNotFoundError,
)
from ..verbosity import logger, verbose
from .sidecars import DATA_EXTENSIONS

__all__ = ["find_recordings"]


def _check_root(root) -> Path:
    if isinstance(root, BIDSPath):
        root = root.root
    if root is None:
        raise DatasetNotFoundError(
            "No dataset root given.",
            field="root",
            value=root,
            fix="Pass the folder that holds dataset_description.json.",
        )
    path = Path(root).expanduser()
    if not path.exists():
        raise DatasetNotFoundError(
            "The BIDS dataset folder does not exist.",
            file=path,
            fix="Check the path; it must be the dataset root (the folder with "
            "dataset_description.json).",
        )
    if not path.is_dir():
        raise InvalidDatasetError(
            "The BIDS root must be a folder, not a file.",
            file=path,
            fix="Pass the dataset root folder, or the data file to load_recording().",
        )
    if not (path / "dataset_description.json").exists():
        above = next((p for p in path.parents if (p / "dataset_description.json").exists()), None)
        fix = (
            f"This looks like a folder inside the dataset; pass its root: {above}"
            if above
            else "Point to the dataset root, or add a dataset_description.json (Name, "
            "BIDSVersion) to make the folder a BIDS dataset."
        )
        raise InvalidDatasetError(
            "The folder is not a BIDS dataset: dataset_description.json is missing.",
            file=path,
            field="dataset_description.json",
            fix=fix,
        )
    return path


def _as_list(value):
    if value is None:
        return None
    if isinstance(value, (str, int)):
        return [str(value)]
    return [str(v) for v in value]


@verbose
def find_recordings(
    root,
    *,
    subject=None,
    session=None,
    task=None,
    acquisition=None,
    run=None,
    verbose=None,
) -> list[BIDSPath]:
    """List the iEEG recordings of a BIDS dataset.

    Parameters
    ----------
    root : path-like | bids.BIDSLayout
        The dataset root (the folder with ``dataset_description.json``). A pybids
        ``BIDSLayout`` already indexed (faster for very large trees) is also
        accepted.
    subject, session, task, acquisition, run : str | list of str | None, default None
        Keep only recordings with these entity values (``None`` keeps all).
    verbose : bool | str | int | None, default None
        Log level (see :func:`ieegrep.set_log_level`).

    Returns
    -------
    paths : list of mne_bids.BIDSPath
        One per recording (the data file: ``.edf``, ``.vhdr``, ...), sorted.

    Raises
    ------
    ieegrep.exceptions.DatasetNotFoundError
        The folder does not exist.
    ieegrep.exceptions.InvalidDatasetError
        The folder has no ``dataset_description.json``.
    ieegrep.exceptions.NoRecordingsError
        Nothing matches: the message lists the entity values that exist, or the
        datatypes found when the dataset holds no iEEG at all.
    """
    entities = dict(subject=subject, session=session, task=task, acquisition=acquisition, run=run)
    if hasattr(root, "get") and hasattr(root, "root") and not isinstance(root, (str, os.PathLike)):
        return _find_with_layout(root, entities)
    root = _check_root(root)
    paths = find_matching_paths(
        root,
        subjects=_as_list(subject),
        sessions=_as_list(session),
        tasks=_as_list(task),
        acquisitions=_as_list(acquisition),
        runs=_as_list(run),
        datatypes="ieeg",
        suffixes="ieeg",
        extensions=list(DATA_EXTENSIONS),
    )
    paths = sorted(
        {p.fpath: p for p in paths if "derivatives" not in p.fpath.parts}.values(),
        key=lambda p: str(p.fpath),
    )
    if not paths:
        _explain_no_recordings(root, entities)
    logger.info("Found %d iEEG recording(s) in %s", len(paths), root)
    return paths


def _find_with_layout(layout, entities) -> list[BIDSPath]:
    query = {k: v for k, v in entities.items() if v is not None}
    files = layout.get(datatype="ieeg", suffix="ieeg", return_type="filename", **query)
    files = sorted(f for f in files if Path(f).suffix in DATA_EXTENSIONS)
    if not files:
        _explain_no_recordings(Path(layout.root), entities)
    root = Path(layout.root)
    return [get_bids_path_from_fname(f).update(root=root) for f in files]


def _explain_no_recordings(root: Path, entities: dict):
    asked = {k: v for k, v in entities.items() if v is not None}
    all_ieeg = find_matching_paths(
        root, datatypes="ieeg", suffixes="ieeg", extensions=list(DATA_EXTENSIONS)
    )
    if asked and all_ieeg:
        available = {}
        for key in asked:
            values = sorted({getattr(p, key) for p in all_ieeg} - {None})
            available[key] = values
        listing = "; ".join(
            f"{k}: {', '.join(map(str, v)) or 'none'}" for k, v in available.items()
        )
        raise NoRecordingsError(
            "No iEEG recording matches the requested entities.",
            file=root,
            field=", ".join(asked),
            value=asked,
            fix=f"Use values that exist in the dataset ({listing}).",
        )
    datatypes = sorted(
        {p.parent.name for p in root.glob("sub-*/**/*") if p.is_file()} - {"ieeg"}
        & {"eeg", "meg", "anat", "func", "dwi", "beh", "nirs", "emg", "motion", "fmap", "perf"}
    )
    if datatypes:
        raise NoRecordingsError(
            "The dataset holds no iEEG recordings (datatype 'ieeg').",
            file=root,
            field="datatype",
            value=datatypes,
            fix="ieegrep reads intracranial EEG stored under sub-*/[ses-*/]ieeg/. Scalp EEG "
            "or MEG datasets are read with mne-bids directly.",
        )
    raise NoRecordingsError(
        "The dataset is empty: no recording was found.",
        file=root,
        field="sub-*/[ses-*/]ieeg/*_ieeg.<ext>",
        fix=f"Add iEEG data files ({', '.join(DATA_EXTENSIONS[1:5])}) under sub-<label>/ieeg/, "
        "e.g. with mne_bids.write_raw_bids.",
    )


def _bids_path(path) -> BIDSPath:
    if isinstance(path, BIDSPath):
        if path.root is None:
            raise RecordingNotFoundError(
                "The BIDSPath has no root.",
                field="root",
                value=None,
                fix="Set root=, e.g. bids_path.update(root='/data/ds').",
            )
        bids_path = path.copy()
        if bids_path.extension is None or not bids_path.fpath.exists():
            matches = [
                p
                for p in find_recordings(
                    bids_path.root,
                    subject=bids_path.subject,
                    session=bids_path.session,
                    task=bids_path.task,
                    acquisition=bids_path.acquisition,
                    run=bids_path.run,
                )
            ]
            if len(matches) != 1:
                raise RecordingNotFoundError(
                    f"The BIDSPath matches {len(matches)} recordings instead of one.",
                    file=bids_path.fpath,
                    fix="Give all entities (and the extension) of one recording; "
                    "find_recordings() lists them.",
                )
            bids_path = matches[0]
        return bids_path
    fname = Path(path).expanduser()
    if not fname.exists():
        raise RecordingNotFoundError(
            "The recording file does not exist.",
            file=fname,
            fix="Check the path, or list recordings with ieegrep.bids.find_recordings(root).",
        )
    if fname.is_dir():
        raise RecordingNotFoundError(
            "load_recording takes one recording's data file, not a folder.",
            file=fname,
            fix="Use find_recordings(root) to list the recordings, then load each one.",
        )
    root = next((p for p in fname.parents if (p / "dataset_description.json").exists()), None)
    if root is None:
        raise InvalidDatasetError(
            "The file is not inside a BIDS dataset (no dataset_description.json above it).",
            file=fname,
            fix="Keep the file inside its BIDS dataset, so sidecars can be found.",
        )
    try:
        bids_path = get_bids_path_from_fname(fname, check=False)
    except Exception as err:
        raise RecordingNotFoundError(
            f"The file name does not follow BIDS naming ({err}).",
            file=fname,
            fix="Name files sub-<label>[_ses-<label>]_task-<label>[_run-<index>]_ieeg.<ext>.",
        ) from err
    bids_path.update(root=root)
    return bids_path
