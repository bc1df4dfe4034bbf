"""Embeddings saved as BIDS derivatives beside the raw data, with full provenance.

:func:`write_embeddings` writes, for one recording, into
``BIDS_ROOT/derivatives/ieegrep/`` (a BIDS derivative dataset of its own)::

    derivatives/ieegrep/
        dataset_description.json   DatasetType "derivative", GeneratedBy, SourceDatasets
        README                     what the files are
        .bidsignore                the two files below, which BIDS has no suffix for
        sub-01/[ses-01/]ieeg/
            sub-01_[ses-01_]task-rest_[acq-seeg_][run-1_]desc-brainbert_embeddings.npy
            sub-01_[ses-01_]task-rest_[acq-seeg_][run-1_]desc-brainbert_embeddings.json
            sub-01_[ses-01_]task-rest_[acq-seeg_][run-1_]desc-brainbert_events.tsv
            sub-01_[ses-01_]task-rest_[acq-seeg_][run-1_]desc-brainbert_events.json

* ``_embeddings.npy``: the array, windows first (``(n_windows, n_features)``,
  ``(n_windows, n_channels, n_features)``, ...), NumPy's format (readable
  without ieegrep, memory-mappable, no pickles).
* ``_embeddings.json``: provenance: the model, checkpoint SHA-256,
  preprocessing, atlas, channels and their regions, window onsets and
  durations, the axes of the array, the source file (a BIDS URI,
  ``bids:raw:sub-01/ieeg/...``) and the ieegrep version.
* ``_events.tsv`` (+ ``.json``): one row per window (``onset``, ``duration`` in
  seconds from the start of the recording, ``embedding_index`` = row of the
  array, plus any label columns given), a schema-valid BIDS file that pybids
  and MNE read as events.

Every entity of the source file is kept (``sub``, ``ses``, ``task``, ``acq``,
``run``, ...) and ``desc-<label>`` names the model. BIDS defines no suffix for
embeddings, so the two ``_embeddings`` files are listed in the derivative's
``.bidsignore`` (BIDS' mechanism for files the specification does not cover
yet): ``bids-validator`` run on ``derivatives/ieegrep`` reports no error, and
neither does it on the raw dataset. (Version 3.0.2 of the validator does not
apply a nested ``.bidsignore`` in ``--recursive`` mode, and so flags these two
files there.)

Writes are atomic: every file of a call is written to a temporary sibling and
moved into place only when all are complete; an error leaves the derivative
folder as it was. Existing files are never replaced unless ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .atomic import atomic_write
from .exceptions import InvalidParameterError, OutputExistsError, RecordingNotFoundError
from .verbosity import logger, verbose

__all__ = [
    "PIPELINE_NAME",
    "Embeddings",
    "write_embeddings",
    "read_embeddings",
    "find_embeddings",
    "embeddings_path",
    "derivatives_root",
]

#: Name of ieegrep's folder under ``BIDS_ROOT/derivatives``.
PIPELINE_NAME = "ieegrep"
CODE_URL = "https://github.com/ieegrep/ieegrep"
_BIDS_VERSION = "1.9.0"
_IGNORED = ("*_embeddings.npy", "*_embeddings.json")
# BIDS entity order for the iEEG datatype (keys of mne_bids entities → file-name keys)
_ENTITIES = (
    ("subject", "sub"),
    ("session", "ses"),
    ("task", "task"),
    ("acquisition", "acq"),
    ("run", "run"),
    ("processing", "proc"),
    ("space", "space"),
    ("recording", "recording"),
)
_LABEL = re.compile(r"^[A-Za-z0-9]+$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_DEFAULT_AXES = {
    1: ["window"],
    2: ["window", "feature"],
    3: ["window", "channel", "feature"],
    4: ["window", "channel", "token", "feature"],
}


def _version() -> str:
    from . import __version__

    return __version__


def derivatives_root(bids_root) -> Path:
    """Return ``BIDS_ROOT/derivatives/ieegrep``.

    Parameters
    ----------
    bids_root : path-like
        Root of the raw BIDS dataset.

    Returns
    -------
    path : pathlib.Path
        The ieegrep derivatives folder (it may not exist yet).
    """
    return Path(bids_root) / "derivatives" / PIPELINE_NAME


# ------------------------------------------------------------------------------------------
# source recording → entities
# ------------------------------------------------------------------------------------------


def _source(bids_root, source):
    """Return (bids_root, entities, relative path of the source file, recording or None)."""
    from mne_bids import BIDSPath, get_entities_from_fname

    recording = None
    if hasattr(source, "bids_path") and hasattr(source, "electrodes"):  # a Recording
        recording = source
        source = source.bids_path
    if isinstance(source, BIDSPath):
        fpath = Path(source.fpath)
        entities = {k: v for k, v in source.entities.items() if v is not None}
        if bids_root is None and source.root is not None:
            bids_root = source.root
    elif isinstance(source, str | Path):
        fpath = Path(source)
        if bids_root is not None and not fpath.is_absolute():
            fpath = Path(bids_root) / fpath
        entities = {
            k: v for k, v in get_entities_from_fname(fpath.name, on_error="raise").items() if v
        }
    else:
        raise InvalidParameterError(
            "Cannot tell which recording the embeddings belong to.",
            field="source",
            value=type(source).__name__,
            fix="Pass the Recording, its BIDSPath, or the path of its data file.",
        )
    if bids_root is None:
        raise InvalidParameterError(
            "The BIDS root is unknown.",
            field="bids_root",
            value=None,
            fix="Pass bids_root=<folder with dataset_description.json>.",
        )
    bids_root = Path(bids_root).absolute()
    if not (bids_root / "dataset_description.json").is_file():
        raise RecordingNotFoundError(
            "The BIDS root has no dataset_description.json.",
            file=bids_root,
            fix="Pass the root folder of the raw BIDS dataset.",
        )
    if "subject" not in entities or "task" not in entities:
        raise InvalidParameterError(
            "The source file name lacks the sub- or task- entity.",
            field="source",
            value=fpath.name,
            fix="Pass a BIDS iEEG data file such as sub-01_task-rest_ieeg.edf.",
        )
    entities.pop("description", None)
    try:
        relative = fpath.absolute().relative_to(bids_root).as_posix()
    except ValueError:
        relative = fpath.name
    return bids_root, entities, relative, recording


def _stem(entities, desc) -> str:
    parts = [f"{key}-{entities[name]}" for name, key in _ENTITIES if entities.get(name)]
    return "_".join(parts + [f"desc-{desc}"])


def _folder(entities) -> Path:
    folder = Path(f"sub-{entities['subject']}")
    if entities.get("session"):
        folder = folder / f"ses-{entities['session']}"
    return folder / "ieeg"


def embeddings_path(bids_root, source, *, desc) -> Path:
    """Return the path of the ``_embeddings.npy`` file for ``source`` and ``desc``.

    Parameters
    ----------
    bids_root : path-like | None
        Root of the raw BIDS dataset (None: taken from a Recording or BIDSPath).
    source : Recording | mne_bids.BIDSPath | path-like
        The recording the embeddings were computed from.
    desc : str
        The ``desc-`` label (letters and digits).

    Returns
    -------
    path : pathlib.Path
        ``derivatives/ieegrep/sub-*/[ses-*/]ieeg/<entities>_desc-<desc>_embeddings.npy``
        (it may not exist yet).
    """
    _check_label(desc)
    bids_root, entities, _, _ = _source(bids_root, source)
    return (
        derivatives_root(bids_root) / _folder(entities) / f"{_stem(entities, desc)}_embeddings.npy"
    )


# ------------------------------------------------------------------------------------------
# argument checks
# ------------------------------------------------------------------------------------------


def _check_label(desc):
    if not isinstance(desc, str) or not _LABEL.match(desc):
        raise InvalidParameterError(
            "desc must be a BIDS label: letters and digits only.",
            field="desc",
            value=desc,
            fix='Pass e.g. desc="brainbert" or desc="baristaParcel".',
        )


def _check_embeddings(embeddings):
    array = np.asarray(embeddings)
    if array.dtype.kind not in "fiub" or array.ndim < 2 or array.shape[0] == 0:
        raise InvalidParameterError(
            "embeddings must be a real numeric array of shape (n_windows, ...).",
            field="embeddings",
            value=f"{array.dtype} {array.shape}",
            fix="Pass e.g. the (n_windows, n_channels, n_features) output of an embedder.",
        )
    if array.dtype.kind != "f":
        array = array.astype(np.float32)
    return np.ascontiguousarray(array)


def _as_list(values, name, length, kind=str):
    if values is None:
        return None
    items = list(np.asarray(values, dtype=object).reshape(-1))
    if length is not None and len(items) != length:
        raise InvalidParameterError(
            f"{name} has {len(items)} entries; {length} are expected.",
            field=name,
            value=len(items),
            fix=f"Give one {name[:-1] if name.endswith('s') else name} per row of that axis.",
        )
    if kind is float:
        out = np.asarray(items, dtype=float)
        if not np.isfinite(out).all():
            raise InvalidParameterError(
                f"{name} must be finite numbers (seconds).",
                field=name,
                value=items[:5],
                fix="Pass the onset of every window in seconds from the recording's start.",
            )
        return [float(v) for v in out]
    return [str(v) for v in items]


def _jsonable(value, name="metadata"):
    """Convert NumPy and pandas values to plain JSON types (NaN → null)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v, f"{name}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, name) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), name)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Path):
        return value.as_posix()
    raise InvalidParameterError(
        "A metadata value cannot be written to JSON.",
        field=name,
        value=type(value).__name__,
        fix="Use numbers, strings, lists and dicts.",
    )


# ------------------------------------------------------------------------------------------
# dataset-level files
# ------------------------------------------------------------------------------------------


def _dataset_description(bids_root: Path) -> dict:
    source = {}
    with contextlib.suppress(OSError, ValueError):
        source = json.loads((bids_root / "dataset_description.json").read_text("utf-8"))
    entry = {"URL": "../../"}
    if source.get("DatasetDOI"):
        entry["DOI"] = source["DatasetDOI"]
    name = source.get("Name", bids_root.name)
    return {
        "Name": f"ieegrep embeddings of {name}",
        "BIDSVersion": source.get("BIDSVersion", _BIDS_VERSION),
        "DatasetType": "derivative",
        "GeneratedBy": [
            {
                "Name": "ieegrep",
                "Version": _version(),
                "Description": "Self-supervised iEEG embeddings (BrainBERT, BaRISTA) and features",
                "CodeURL": CODE_URL,
            }
        ],
        "SourceDatasets": [entry],
        "DatasetLinks": {"raw": "../../"},
    }


_README = """\
ieegrep derivatives
===================

Embeddings of the iEEG recordings of the raw dataset two folders up, computed by
ieegrep ({url}).

For each recording and model (the desc- entity):

- *_embeddings.npy: the array (NumPy format), windows first; the sidecar's
  "Axes" names every axis.
- *_embeddings.json: provenance: model, checkpoint SHA-256, preprocessing,
  atlas, channels and regions, window onsets and durations, source file.
- *_events.tsv: one row per window (onset, duration in seconds;
  embedding_index = row of the array).

BIDS has no suffix for embeddings: .bidsignore lists the _embeddings files.
Read them with ieegrep.derivatives.read_embeddings or numpy.load.
"""


def _check_existing_dataset(root: Path):
    description = root / "dataset_description.json"
    if not description.exists():
        return False
    try:
        content = json.loads(description.read_text("utf-8"))
    except (OSError, ValueError):
        content = {}
    names = [g.get("Name") for g in content.get("GeneratedBy", []) if isinstance(g, dict)]
    if content.get("DatasetType") != "derivative" or "ieegrep" not in names:
        raise OutputExistsError(
            "The derivative folder exists but was not made by ieegrep.",
            file=description,
            fix="Move that folder away, or write the embeddings to another BIDS root.",
        )
    return True


# ------------------------------------------------------------------------------------------
# writing
# ------------------------------------------------------------------------------------------


def _write_json(fid, content) -> None:
    json.dump(content, fid, indent=2, ensure_ascii=False, allow_nan=False)
    fid.write("\n")


@verbose
def write_embeddings(
    bids_root,
    source,
    embeddings,
    *,
    desc,
    model,
    checkpoint_sha256=None,
    preprocessing=None,
    atlas=None,
    channels=None,
    regions=None,
    onsets=None,
    durations=None,
    sfreq=None,
    axes=None,
    events=None,
    metadata=None,
    overwrite=False,
    verbose=None,
) -> dict:
    """Write the embeddings of one recording as BIDS derivatives with provenance.

    Parameters
    ----------
    bids_root : path-like | None
        Root of the raw BIDS dataset; files go to ``bids_root/derivatives/ieegrep``.
        None: the root of ``source`` (Recording or BIDSPath).
    source : ieegrep.bids.Recording | mne_bids.BIDSPath | path-like
        The recording the embeddings come from (its data file); its entities
        name the outputs.
    embeddings : array-like, shape (n_windows, ...)
        The embeddings, windows first. Float arrays keep their type; others
        become float32.
    desc : str
        ``desc-`` label naming the model and scale (letters and digits), e.g.
        ``"brainbert"``, ``"baristaParcel"``.
    model : str
        Model name recorded in the sidecar (e.g. ``"BrainBERT"``).
    checkpoint_sha256 : str | None, default None
        SHA-256 of the checkpoint file (64 hex digits); None for features
        without weights.
    preprocessing : dict | None, default None
        The preprocessing applied (re-reference, notch, resampling,
        spectrogram parameters, ...), stored as given.
    atlas : str | None
        Atlas of the region labels (default: the Recording's, if any).
    channels : list of str | None, default None
        Channel names along the ``"channel"`` axis (or the channels used).
    regions : list of str | None
        Region label per entry of ``channels`` (default: looked up in the
        Recording's electrode table), or per entry of the ``"region"`` axis
        for parcel-scale embeddings.
    onsets : array-like of float, shape (n_windows,) | None, default None
        Window onsets in seconds from the start of the recording. Written to
        the sidecar and to ``_events.tsv``.
    durations : float | array-like of float | None, default None
        Window durations in seconds (one value or one per window).
    sfreq : float | None, default None
        Sampling rate of the signal the model read, Hz.
    axes : list of str | None
        Name of every axis of ``embeddings`` (default by dimension:
        ``window, feature`` / ``window, channel, feature`` /
        ``window, channel, token, feature``).
    events : pandas.DataFrame | None, default None
        Extra per-window columns for ``_events.tsv`` (e.g. ``trial_type``,
        labels), one row per window. Needs ``onsets``.
    metadata : dict | None, default None
        More sidecar entries (JSON-serialisable; may not replace the keys
        written by ieegrep).
    overwrite : bool
        Replace existing files of the same recording and ``desc`` (default
        False: raise before writing anything).
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    paths : dict of str to pathlib.Path
        ``"embeddings"``, ``"sidecar"`` and, with onsets, ``"events"`` and
        ``"events_sidecar"``.

    Raises
    ------
    ieegrep.exceptions.OutputExistsError
        If a file exists and ``overwrite`` is False, or ``derivatives/ieegrep``
        was made by something else.
    ieegrep.exceptions.InvalidParameterError
        If an argument is invalid (checked before anything is written).
    """
    _check_label(desc)
    if not isinstance(model, str) or not model:
        raise InvalidParameterError(
            "model must be a non-empty string.",
            field="model",
            value=model,
            fix='Pass e.g. model="BrainBERT".',
        )
    if checkpoint_sha256 is not None and (
        not isinstance(checkpoint_sha256, str) or not _SHA256.match(checkpoint_sha256)
    ):
        raise InvalidParameterError(
            "checkpoint_sha256 must be 64 hexadecimal digits.",
            field="checkpoint_sha256",
            value=checkpoint_sha256,
            fix="Pass ieegrep.models.checkpoints.file_sha256(path), or None.",
        )
    bids_root, entities, relative, recording = _source(bids_root, source)
    array = _check_embeddings(embeddings)
    axes = list(axes) if axes is not None else _DEFAULT_AXES.get(array.ndim)
    if axes is None or len(axes) != array.ndim:
        raise InvalidParameterError(
            f"axes must name the {array.ndim} axes of the embeddings.",
            field="axes",
            value=axes,
            fix='Pass e.g. axes=["window", "channel", "token", "feature"].',
        )
    size = dict(zip(axes, array.shape))
    channels = _as_list(channels, "channels", size.get("channel"))
    if regions is None and channels is not None and recording is not None:
        table = recording.electrodes.set_index("name")["region"]
        regions = [str(table.get(name, "Unknown")) for name in channels]
    region_length = size.get("region", None if channels is None else len(channels))
    regions = _as_list(regions, "regions", region_length)
    if atlas is None and recording is not None:
        atlas = recording.provenance.get("atlas")
    n_windows = array.shape[0]
    onsets = _as_list(onsets, "onsets", n_windows, kind=float)
    if durations is not None:
        if np.ndim(durations) == 0:
            durations = [float(durations)] * n_windows
        durations = _as_list(durations, "durations", n_windows, kind=float)
    if events is not None:
        if onsets is None or not isinstance(events, pd.DataFrame) or len(events) != n_windows:
            raise InvalidParameterError(
                "events must be a DataFrame with one row per window, and needs onsets.",
                field="events",
                value=type(events).__name__,
                fix="Pass onsets=... and a DataFrame of n_windows rows.",
            )
    sidecar = {
        "Description": f"{model} embeddings computed by ieegrep",
        "Sources": [f"bids:raw:{relative}"],
        "Model": model,
        "CheckpointSHA256": None if checkpoint_sha256 is None else checkpoint_sha256.lower(),
        "Preprocessing": _jsonable(preprocessing or {}, "preprocessing"),
        "Atlas": atlas,
        "Axes": axes,
        "Shape": list(array.shape),
        "DType": array.dtype.name,
        "SamplingFrequency": None if sfreq is None else float(sfreq),
        "Channels": channels,
        "Regions": regions,
        "WindowOnsets": onsets,
        "WindowDurations": durations,
        "ieegrepVersion": _version(),
    }
    if metadata:
        extra = _jsonable(dict(metadata))
        clash = sorted(set(extra) & set(sidecar))
        if clash:
            raise InvalidParameterError(
                "metadata may not replace the entries ieegrep writes.",
                field="metadata",
                value=clash,
                fix="Rename those keys, or pass them through the named arguments.",
            )
        sidecar.update(extra)
    json.dumps(sidecar, allow_nan=False)  # fail now, before anything is written

    root = derivatives_root(bids_root)
    folder = root / _folder(entities)
    stem = _stem(entities, desc)
    targets = {
        "embeddings": folder / f"{stem}_embeddings.npy",
        "sidecar": folder / f"{stem}_embeddings.json",
    }
    events_table = None
    if onsets is not None:
        targets["events"] = folder / f"{stem}_events.tsv"
        targets["events_sidecar"] = folder / f"{stem}_events.json"
        events_table = pd.DataFrame(
            {
                "onset": onsets,
                "duration": durations if durations is not None else ["n/a"] * n_windows,
                "embedding_index": np.arange(n_windows),
            }
        )
        if events is not None:
            for column in events.columns:
                if column in events_table.columns:
                    continue
                events_table[column] = events[column].to_numpy()
    stale = [folder / f"{stem}_events.tsv", folder / f"{stem}_events.json"]
    stale = [p for p in stale if p not in targets.values() and p.exists()]
    existing = [p for p in list(targets.values()) + stale if p.exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{len(existing)} output file(s) exist already.",
            file=existing[0],
            fix="Pass overwrite=True, choose another desc, or delete the files.",
        )
    has_dataset = _check_existing_dataset(root)

    created = []  # folders this call makes, deepest first: removed again on failure
    directory = folder
    while not directory.exists():
        created.append(directory)
        directory = directory.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as stack:
            fid = stack.enter_context(atomic_write(targets["embeddings"], "wb"))
            np.save(fid, array, allow_pickle=False)
            fid = stack.enter_context(atomic_write(targets["sidecar"]))
            _write_json(fid, sidecar)
            if events_table is not None:
                fid = stack.enter_context(atomic_write(targets["events"], newline=""))
                buffer = io.StringIO()
                events_table.to_csv(
                    buffer, sep="\t", index=False, na_rep="n/a", lineterminator="\n"
                )
                fid.write(buffer.getvalue())
                fid = stack.enter_context(atomic_write(targets["events_sidecar"]))
                _write_json(fid, _events_sidecar(events_table, model))
            if not has_dataset:
                fid = stack.enter_context(atomic_write(root / "dataset_description.json"))
                _write_json(fid, _dataset_description(bids_root))
            if not (root / "README").exists():
                fid = stack.enter_context(atomic_write(root / "README"))
                fid.write(_README.format(url=CODE_URL))
            ignore = root / ".bidsignore"
            lines = ignore.read_text("utf-8").splitlines() if ignore.exists() else []
            missing = [pattern for pattern in _IGNORED if pattern not in lines]
            if missing:
                fid = stack.enter_context(atomic_write(ignore))
                fid.write("\n".join(lines + missing) + "\n")
    except BaseException:
        for directory in created:  # only if still empty
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise
    for path in stale:
        path.unlink()
    logger.info("Wrote %s embeddings %s to %s", model, array.shape, targets["embeddings"])
    return targets


def _events_sidecar(table, model) -> dict:
    content = {
        "Description": f"The windows that the {model} embeddings were computed on, one per row.",
        "onset": {"Description": "Start of the window in the recording.", "Units": "s"},
        "duration": {"Description": "Length of the window.", "Units": "s"},
        "embedding_index": {
            "Description": f"Row of the {model} embeddings array (_embeddings.npy) for this window."
        },
    }
    for column in table.columns:
        if column not in content:
            content[column] = {"Description": f"Per-window value '{column}' given to ieegrep."}
    return content


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------


@dataclass
class Embeddings:
    """Embeddings read back from the derivatives.

    Attributes
    ----------
    data : ndarray, shape (n_windows, ...)
        The array (memory-mapped if requested).
    metadata : dict
        The JSON sidecar (provenance).
    windows : pandas.DataFrame | None
        ``_events.tsv`` (one row per window), if written.
    path : pathlib.Path
        The ``_embeddings.npy`` file.
    """

    data: np.ndarray
    metadata: dict = field(repr=False)
    windows: pd.DataFrame | None = field(repr=False)
    path: Path

    @property
    def model(self) -> str:
        """Model name."""
        return self.metadata.get("Model")

    @property
    def channels(self) -> list | None:
        """Channel names, if recorded."""
        return self.metadata.get("Channels")

    @property
    def regions(self) -> list | None:
        """Region labels, if recorded."""
        return self.metadata.get("Regions")

    @property
    def onsets(self) -> np.ndarray | None:
        """Window onsets in seconds, if recorded."""
        onsets = self.metadata.get("WindowOnsets")
        return None if onsets is None else np.asarray(onsets, dtype=float)


def read_embeddings(path, *, mmap=False) -> Embeddings:
    """Read embeddings written by :func:`write_embeddings`.

    Parameters
    ----------
    path : path-like
        The ``_embeddings.npy`` file, or its ``.json`` sidecar.
    mmap : bool
        Memory-map the array read-only instead of loading it (default False).

    Returns
    -------
    embeddings : Embeddings
        ``.data``, ``.metadata`` (sidecar), ``.windows`` (events table or None).

    Raises
    ------
    ieegrep.exceptions.RecordingNotFoundError
        If the array or its sidecar is missing.
    """
    path = Path(path)
    if path.suffix == ".json":
        path = path.with_suffix(".npy")
    sidecar = path.with_suffix(".json")
    for needed in (path, sidecar):
        if not needed.is_file():
            raise RecordingNotFoundError(
                "The embeddings file or its sidecar is missing.",
                file=needed,
                fix="Pass the _embeddings.npy path written by write_embeddings "
                "(see find_embeddings).",
            )
    data = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    metadata = json.loads(sidecar.read_text("utf-8"))
    events = path.with_name(path.name.replace("_embeddings.npy", "_events.tsv"))
    windows = pd.read_csv(events, sep="\t", na_values="n/a") if events.is_file() else None
    return Embeddings(data=data, metadata=metadata, windows=windows, path=path)


def find_embeddings(bids_root, *, desc=None, subject=None, session=None, task=None) -> list:
    """List the embeddings files under ``bids_root/derivatives/ieegrep``.

    Parameters
    ----------
    bids_root : path-like
        Root of the raw BIDS dataset.
    desc, subject, session, task : str | None, default None
        Keep only files with these entity values.

    Returns
    -------
    paths : list of pathlib.Path
        ``_embeddings.npy`` files, sorted.
    """
    root = derivatives_root(bids_root)
    wanted = {"desc": desc, "sub": subject, "ses": session, "task": task}
    out = []
    for path in sorted(root.glob("sub-*/**/*_embeddings.npy")):
        parts = dict(p.split("-", 1) for p in path.name.split("_")[:-1] if "-" in p)
        if all(v is None or parts.get(k) == str(v) for k, v in wanted.items()):
            out.append(path)
    return out
