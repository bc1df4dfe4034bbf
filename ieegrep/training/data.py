"""Pretraining datasets read from a BIDS dataset, preprocessed once and cached on disk.

Two map-style datasets feed the two encoders:

:class:`SpectrogramDataset` (BrainBERT)
    One example per channel and window: notch → re-reference (shaft Laplacian)
    → resample to 2048 Hz → non-overlapping 5 s windows →
    :func:`~ieegrep.preprocessing.stft_spectrogram` (magnitude, per-frequency
    z-score, 10 frames trimmed per side). Example ``{"spec": (T, F)}``;
    batches ``{"spec": (B, T, F) float32, "padding_mask": (B, T) bool}``
    (True at padded frames; none with equal windows).
:class:`SegmentDataset` (BaRISTA)
    One example per window, all channels: notch → Laplacian → 2048 Hz →
    non-overlapping 3 s windows → per-channel z-score within the segment
    (:func:`~ieegrep.preprocessing.zscore_segments`), with each channel's
    spatial index at the *encoding* scale and its group at the *masking*
    scale (:func:`~ieegrep.preprocessing.region_tokens`). Batches
    ``{"x": (B, C, n_times) float32, "spatial_index": (B, C) long or
    (B, C, 3) long grid coordinates at the channel scale, "group_ids": (B, C)
    long (-1 at padding), "channel_mask": (B, C) bool (True at padding)}``;
    recordings with different channel counts share a batch by padding to the
    largest ``C`` of the batch (:meth:`SegmentDataset.collate`).

Each recording is processed with :class:`~ieegrep.preprocessing.RecordingStream`
(bounded memory whatever its length) and written to a cache folder as a
``.npy`` file, atomically (a folder per recording appears only when complete).
The cache key is a SHA-256 of the recording's files (name, size, modification
time), the preprocessing options and the cache format, so a second run, a
resumed run or another model reading the same windows reuses the file, and an
edited recording or other options give a new entry. Examples are read from
memory maps: the dataset holds no signal in memory.

Recordings are chosen with ``subjects``/``sessions``/``tasks`` and
``exclude`` (sessions held out, e.g. evaluation sessions: ``"sub-01_ses-02"``,
``"sub-03"`` for a whole subject, or ``(subject, session)`` tuples).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import torch

from .. import __version__
from ..atomic import NpyWriter, atomic_directory, atomic_write
from ..bids import find_recordings, load_recording
from ..exceptions import InvalidParameterError, NoRecordingsError
from ..preprocessing import (
    RecordingStream,
    region_tokens,
    sliding_windows,
    zscore_segments,
)
from ..preprocessing.tokens import _SCALE_ALIASES
from ..verbosity import logger, verbose

__all__ = [
    "SpectrogramDataset",
    "SegmentDataset",
    "PretrainingDataset",
    "select_recordings",
    "default_cache_dir",
    "parse_exclusions",
]

CACHE_FORMAT = 1
#: Model rate of both encoders (Hz).
MODEL_SFREQ = 2048.0


def default_cache_dir() -> Path:
    """Folder of the preprocessing cache: ``$IEEGREP_CACHE`` or ``~/.cache/ieegrep/pretraining``.

    Returns
    -------
    path : pathlib.Path
        The cache folder (not created here).
    """
    if os.environ.get("IEEGREP_CACHE"):
        return Path(os.environ["IEEGREP_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ieegrep" / "pretraining"


def _strip(value: str, prefix: str) -> str:
    return value[len(prefix) :] if value.startswith(prefix) else value


def parse_exclusions(exclude) -> list[tuple]:
    """Normalise held-out sessions to ``(subject, session or None)`` pairs.

    Parameters
    ----------
    exclude : iterable | None
        Items ``"sub-01_ses-02"``, ``"sub-01/ses-02"``, ``"sub-01"`` (the whole
        subject), ``("01", "02")`` or ``("01", None)``; the ``sub-``/``ses-``
        prefixes are optional in tuples.

    Returns
    -------
    pairs : list of tuple
        ``(subject, session)`` labels without prefixes; session None = all.
    """
    if exclude is None:
        return []
    if isinstance(exclude, (str, tuple)):
        exclude = [exclude]
    pairs = []
    for item in exclude:
        if isinstance(item, str):
            parts = item.replace("/", "_").split("_")
            subject = next((_strip(p, "sub-") for p in parts if p.startswith("sub-")), None)
            session = next((_strip(p, "ses-") for p in parts if p.startswith("ses-")), None)
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            subject = None if item[0] is None else _strip(str(item[0]), "sub-")
            session = None if item[1] is None else _strip(str(item[1]), "ses-")
        else:
            subject = session = None
        if not subject:
            raise InvalidParameterError(
                "A held-out session is not of the form 'sub-XX_ses-YY' or (subject, session).",
                field="exclude",
                value=item,
                fix="Write e.g. 'sub-01_ses-02', 'sub-03' (all its sessions) or ('01', '02').",
            )
        pairs.append((subject, session))
    return pairs


@verbose
def select_recordings(
    root, *, subjects=None, sessions=None, tasks=None, exclude=None, verbose=None
) -> tuple[list, list]:
    """List the recordings to pretrain on.

    Parameters
    ----------
    root : path-like
        BIDS dataset root.
    subjects, sessions, tasks : str | list of str | None, default None
        Keep only these entity values (labels without ``sub-``/``ses-``);
        None keeps all.
    exclude : iterable | None, default None
        Held-out sessions (see :func:`parse_exclusions`); None holds out none.
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    kept : list of mne_bids.BIDSPath
        Recordings to pretrain on.
    excluded : list of mne_bids.BIDSPath
        Recordings matched by ``exclude`` and left out.

    Raises
    ------
    ieegrep.exceptions.NoRecordingsError
        Nothing is left after the exclusions.
    """
    pairs = parse_exclusions(exclude)
    paths = find_recordings(root, subject=subjects, session=sessions, task=tasks)
    kept, excluded = [], []
    for path in paths:
        held_out = any(
            path.subject == subject and (session is None or path.session == session)
            for subject, session in pairs
        )
        (excluded if held_out else kept).append(path)
    if excluded:
        logger.info(
            "Left out %d held-out recording(s): %s",
            len(excluded),
            ", ".join(p.basename for p in excluded),
        )
    if not kept:
        raise NoRecordingsError(
            "Every recording selected is held out; nothing is left to pretrain on.",
            file=root,
            field="exclude",
            value=[f"sub-{s}" + (f"_ses-{e}" if e else "") for s, e in pairs],
            fix="Hold out fewer sessions, or select other subjects/sessions.",
        )
    return kept, excluded


def _recording_key(bids_path, options: dict) -> str:
    """SHA-256 of the recording's files (name, size, mtime) and the options."""
    fpath = Path(bids_path.fpath).resolve()
    prefix = f"sub-{bids_path.subject}" + (f"_ses-{bids_path.session}" if bids_path.session else "")
    files = []
    for item in sorted(fpath.parent.iterdir()):
        if item.is_file() and item.name.startswith(prefix):
            stat = item.stat()
            files.append([item.name, stat.st_size, stat.st_mtime_ns])
    record = {
        "cache_format": CACHE_FORMAT,
        "path": str(fpath),
        "files": files,
        "options": options,
    }
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class PretrainingDataset(torch.utils.data.Dataset):
    """Common machinery of the pretraining datasets: selection, cache, memory maps.

    Not used directly: see :class:`SpectrogramDataset` and :class:`SegmentDataset`.
    """

    kind = ""
    _data_file = "data.npy"

    def _setup(
        self,
        root,
        *,
        subjects,
        sessions,
        tasks,
        exclude,
        cache_dir,
        atlas,
        duration,
        reference,
        notch,
        chunk_duration,
        options,
    ):
        self.root = Path(root).expanduser().resolve()
        for name, value in (("duration", duration), ("chunk_duration", chunk_duration)):
            if value is None or not np.isfinite(value) or value <= 0:
                raise InvalidParameterError(
                    f"{name} must be a positive number of seconds.",
                    field=name,
                    value=value,
                    fix=f"Pass e.g. {name}={'5.0' if name == 'duration' else '60'}.",
                )
        self.exclude = parse_exclusions(exclude)
        paths, excluded = select_recordings(
            self.root, subjects=subjects, sessions=sessions, tasks=tasks, exclude=self.exclude
        )
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.atlas = atlas
        self.options = {
            "kind": self.kind,
            "duration_s": float(duration),
            "sfreq": MODEL_SFREQ,
            "reference": reference,
            "notch": notch,
            "atlas": atlas,
            **options,
        }
        self._chunk_duration = float(chunk_duration)
        self.excluded_recordings = [p.basename for p in excluded]
        self.entries = []
        for path in paths:
            entry = self._entry(path)
            if entry["n_items"]:
                self.entries.append(entry)
            else:
                logger.info("%s gives no example (shorter than one window)", path.basename)
        if not self.entries:
            raise NoRecordingsError(
                "No recording is long enough for one window.",
                file=self.root,
                field="duration",
                value=duration,
                fix="Use shorter windows or longer recordings.",
            )
        counts = np.array([e["n_items"] for e in self.entries], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum(counts)])
        self._maps: dict[int, np.ndarray] = {}
        digest = hashlib.sha256()
        for entry in self.entries:
            digest.update(entry["key"].encode())
        digest.update(json.dumps(self._example_options(), sort_keys=True).encode())
        #: SHA-256 of the recordings' cache keys and the options (resume check).
        self.fingerprint = digest.hexdigest()

    # ---- cache
    def _entry(self, bids_path) -> dict:
        key = _recording_key(bids_path, self.options)
        folder = self.cache_dir / f"{self.kind}-{bids_path.basename}-{key[:16]}"
        meta_path = folder / "meta.json"
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
            if meta.get("key") == key:
                logger.info("%s: cached (%s)", bids_path.basename, folder)
                return self._finish_entry(bids_path, folder, meta, None)
        recording = load_recording(bids_path, atlas=self.atlas)
        stream = RecordingStream(
            recording,
            reference=self.options["reference"],
            notch=self.options["notch"],
            sfreq=MODEL_SFREQ,
            chunk_duration=self._chunk_duration,
        )
        windows = sliding_windows(recording, self.options["duration_s"], sfreq=stream.sfreq)
        meta = {
            "key": key,
            "recording": bids_path.basename,
            "path": str(Path(bids_path.fpath).resolve()),
            "subject": bids_path.subject,
            "session": bids_path.session,
            "channels": stream.ch_names,
            "n_windows": len(windows),
            "window_starts": windows["start"].astype(int).tolist() if len(windows) else [],
            "options": self.options,
            "ieegrep_version": __version__,
        }
        logger.info(
            "%s: preprocessing %d window(s) of %d channel(s)",
            bids_path.basename,
            len(windows),
            len(stream.ch_names),
        )
        with atomic_directory(folder, overwrite=True) as tmp:
            if len(windows):
                meta["shape"] = list(self._write(stream, windows, tmp / self._data_file))
            with atomic_write(tmp / "meta.json") as fid:
                json.dump(meta, fid, indent=1)
        return self._finish_entry(bids_path, folder, meta, recording)

    def _write(self, stream, windows, path) -> tuple:
        raise NotImplementedError

    def _finish_entry(self, bids_path, folder, meta, recording) -> dict:
        n_windows = int(meta["n_windows"])
        return {
            "key": meta["key"],
            "folder": folder,
            "recording": meta["recording"],
            "bids_path": bids_path,
            "channels": list(meta["channels"]),
            "n_windows": n_windows,
            "shape": tuple(meta.get("shape", ())),
            "n_items": self._n_items(n_windows, len(meta["channels"])),
        }

    def _n_items(self, n_windows, n_channels) -> int:
        raise NotImplementedError

    def _example_options(self) -> dict:
        return self.options

    def _map(self, r: int) -> np.ndarray:
        if r not in self._maps:
            path = self.entries[r]["folder"] / self._data_file
            self._maps[r] = np.load(path, mmap_mode="r")
        return self._maps[r]

    def _locate(self, index) -> tuple[int, int]:
        index = int(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"example {index} out of range for {len(self)} examples")
        r = int(np.searchsorted(self._offsets, index, side="right") - 1)
        return r, index - int(self._offsets[r])

    def __len__(self) -> int:
        return int(self._offsets[-1])

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_maps"] = {}  # memory maps are reopened in each worker process
        return state

    @property
    def recordings(self) -> list[str]:
        """Names of the recordings used."""
        return [e["recording"] for e in self.entries]

    def provenance(self) -> dict:
        """Where the examples come from, as plain types (stored with the final model).

        Returns
        -------
        provenance : dict
            ``dataset_root``, ``recordings``, ``excluded_sessions``,
            ``excluded_recordings``, ``preprocessing`` (options), ``n_examples``,
            ``dataset_fingerprint``.
        """
        return {
            "dataset_root": str(self.root),
            "recordings": self.recordings,
            "excluded_sessions": [f"sub-{s}" + (f"_ses-{e}" if e else "") for s, e in self.exclude],
            "excluded_recordings": list(self.excluded_recordings),
            "preprocessing": dict(self._example_options()),
            "n_examples": len(self),
            "dataset_fingerprint": self.fingerprint,
        }

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} | {len(self)} examples from {len(self.entries)} "
            f"recording(s) in {self.root}>"
        )


class SpectrogramDataset(PretrainingDataset):
    """BrainBERT's pretraining examples: one STFT spectrogram per channel and window.

    Parameters
    ----------
    root : path-like
        BIDS dataset root.
    subjects, sessions, tasks : str | list of str | None
        Keep only these (labels without prefixes; default all).
    exclude : iterable | None, default None
        Held-out sessions (``"sub-01_ses-02"``, ``"sub-03"``, tuples); None
        excludes nothing.
    cache_dir : path-like | None
        Cache folder (default :func:`default_cache_dir`).
    duration : float
        Window length in seconds (default 5.0, BrainBERT's pretraining windows;
        186 frames).
    reference : str
        Re-referencing (default ``"laplacian"``).
    notch : str | None
        Notch mode (default ``"reference"``: BrainBERT's causal ``iirnotch``).
    atlas : str
        Atlas of the region labels (default ``"desikan-killiany"``; regions are
        not used by BrainBERT, only recorded).
    chunk_duration : float
        Seconds of signal read per chunk (default 60): memory bound.
    spectrogram_options : dict | None, default None
        Passed to :func:`~ieegrep.preprocessing.stft_spectrogram`
        (e.g. ``{"round_to_float32": True, "drop_last_sample": True}`` for the
        reference pretraining dataset's input); None uses its defaults.
    verbose : bool | str | int | None, default None
        Log level (INFO reports each recording and the cache).

    Attributes
    ----------
    entries : list of dict
        Per recording: ``recording``, ``channels``, ``n_windows``, ``folder``.
    fingerprint : str
        SHA-256 of the recordings' keys and options.
    """

    kind = "brainbert"

    @verbose
    def __init__(
        self,
        root,
        *,
        subjects=None,
        sessions=None,
        tasks=None,
        exclude=None,
        cache_dir=None,
        duration: float = 5.0,
        reference: str = "laplacian",
        notch: str | None = "reference",
        atlas: str = "desikan-killiany",
        chunk_duration: float = 60.0,
        spectrogram_options: dict | None = None,
        verbose=None,
    ):
        self.spectrogram_options = dict(spectrogram_options or {})
        self._setup(
            root,
            subjects=subjects,
            sessions=sessions,
            tasks=tasks,
            exclude=exclude,
            cache_dir=cache_dir,
            atlas=atlas,
            duration=duration,
            reference=reference,
            notch=notch,
            chunk_duration=chunk_duration,
            options={"spectrogram": self.spectrogram_options},
        )

    def _write(self, stream, windows, path) -> tuple:
        stream.write_spectrograms(
            path, windows, method="stft", overwrite=True, **self.spectrogram_options
        )
        return tuple(np.load(path, mmap_mode="r").shape)

    def _n_items(self, n_windows, n_channels) -> int:
        return n_windows * n_channels

    @property
    def n_frames(self) -> int:
        """Frames per example ``T``."""
        return int(self.entries[0]["shape"][2])

    @property
    def n_freqs(self) -> int:
        """Frequency bins per example ``F``."""
        return int(self.entries[0]["shape"][3])

    def example_info(self, index) -> dict:
        """Return the recording, window and channel of an example.

        Parameters
        ----------
        index : int
            Example index.

        Returns
        -------
        info : dict
            ``recording``, ``window`` (index), ``channel`` (name).
        """
        r, local = self._locate(index)
        window, channel = divmod(local, len(self.entries[r]["channels"]))
        return {
            "recording": self.entries[r]["recording"],
            "window": window,
            "channel": self.entries[r]["channels"][channel],
        }

    def __getitem__(self, index) -> dict:
        r, local = self._locate(index)
        window, channel = divmod(local, len(self.entries[r]["channels"]))
        spec = np.array(self._map(r)[window, channel], dtype=np.float32)
        return {"spec": torch.from_numpy(spec)}

    @staticmethod
    def collate(examples) -> dict:
        """Stack examples into a batch, padding frames to the longest.

        Parameters
        ----------
        examples : list of dict
            Items of this dataset.

        Returns
        -------
        batch : dict
            ``spec`` (B, T, F) float32 (zeros at padding) and ``padding_mask``
            (B, T) bool, True at padded frames.
        """
        lengths = [e["spec"].shape[0] for e in examples]
        n_frames, n_freqs = max(lengths), examples[0]["spec"].shape[1]
        spec = torch.zeros(len(examples), n_frames, n_freqs, dtype=torch.float32)
        mask = torch.ones(len(examples), n_frames, dtype=torch.bool)
        for i, (example, length) in enumerate(zip(examples, lengths)):
            spec[i, :length] = example["spec"]
            mask[i, :length] = False
        return {"spec": spec, "padding_mask": mask}


class SegmentDataset(PretrainingDataset):
    """BaRISTA's pretraining examples: z-scored multi-channel segments with region tokens.

    Parameters
    ----------
    root : path-like
        BIDS dataset root.
    scale : ``"channel"`` | ``"parcel"`` | ``"lobe"``
        Encoding scale: which spatial index each channel carries (default
        ``"parcel"``). Channel scale: ``(L, I, P)`` grid coordinates (``-1``
        without a position); parcel/lobe: vocabulary rows.
    masking_scale : ``"channel"`` | ``"parcel"`` | ``"lobe"``
        Scale of the groups masked together (default ``"channel"``).
    vocabularies : dict | None
        ``{"parcel": SpatialVocabulary, "lobe": ...}`` — pass the model's
        vocabulary so the rows index its table (default the open vocabularies).
    subjects, sessions, tasks : str | list of str | None
        Keep only these (labels without prefixes; default all).
    exclude : iterable | None, default None
        Held-out sessions (``"sub-01_ses-02"``, ``"sub-03"``, tuples); None
        excludes nothing.
    cache_dir : path-like | None
        Cache folder (default :func:`default_cache_dir`).
    duration : float
        Segment length in seconds (default 3.0: 12 patches of 250 ms).
    reference : str
        Re-referencing (default ``"laplacian"``).
    notch : str | None
        Notch mode (default ``"reference"``).
    atlas : str
        Atlas of the region labels (default ``"desikan-killiany"``).
    chunk_duration : float
        Seconds of signal read per chunk (default 60): memory bound.
    unknown_groups : ``"shared"`` | ``"separate"``
        Whether channels of Unknown region form one masking group (default
        ``"shared"``) or one group each (``"separate"``).
    verbose : bool | str | int | None, default None
        Log level.

    Attributes
    ----------
    tokens : list of RegionTokens
        Per recording, the channels' spatial indices and groups.
    """

    kind = "barista"

    @verbose
    def __init__(
        self,
        root,
        *,
        scale: str = "parcel",
        masking_scale: str = "channel",
        vocabularies=None,
        subjects=None,
        sessions=None,
        tasks=None,
        exclude=None,
        cache_dir=None,
        duration: float = 3.0,
        reference: str = "laplacian",
        notch: str | None = "reference",
        atlas: str = "desikan-killiany",
        chunk_duration: float = 60.0,
        unknown_groups: str = "shared",
        verbose=None,
    ):
        self.scale = self._check_scale(scale, "scale")
        self.masking_scale = self._check_scale(masking_scale, "masking_scale")
        self.vocabularies = dict(vocabularies or {})
        self.unknown_groups = unknown_groups
        self._setup(
            root,
            subjects=subjects,
            sessions=sessions,
            tasks=tasks,
            exclude=exclude,
            cache_dir=cache_dir,
            atlas=atlas,
            duration=duration,
            reference=reference,
            notch=notch,
            chunk_duration=chunk_duration,
            options={},
        )
        self.tokens = []
        self._spatial, self._groups = [], []
        for entry in self.entries:
            recording = entry.pop("_recording", None) or load_recording(
                entry["bids_path"], atlas=atlas
            )
            tokens = region_tokens(
                recording,
                scales=[self.scale, self.masking_scale],
                vocabularies=self.vocabularies or None,
                picks=entry["channels"],
                unknown_groups=unknown_groups,
            )
            self.tokens.append(tokens)
            self._spatial.append(torch.as_tensor(tokens.spatial_index[self.scale]).long())
            self._groups.append(torch.as_tensor(tokens.group_ids[self.masking_scale]).long())

    @staticmethod
    def _check_scale(scale, field):
        key = _SCALE_ALIASES.get(str(scale).lower())
        if key is None:
            raise InvalidParameterError(
                "Unknown spatial scale.",
                field=field,
                value=scale,
                fix="Use 'channel', 'parcel' or 'lobe'.",
            )
        return key

    def _finish_entry(self, bids_path, folder, meta, recording) -> dict:
        entry = super()._finish_entry(bids_path, folder, meta, recording)
        if recording is not None:
            entry["_recording"] = recording
        return entry

    def _write(self, stream, windows, path) -> tuple:
        n_samples = int(windows.attrs["n_samples"])
        shape = (len(windows), len(stream.ch_names), n_samples)
        with NpyWriter(path, shape, np.float32, overwrite=True) as writer:
            for _, data in stream.windows(windows, batch_size=16):
                writer.write(zscore_segments(data).astype(np.float32))
        return shape

    def _n_items(self, n_windows, n_channels) -> int:
        return n_windows

    def _example_options(self) -> dict:
        vocabularies = {
            scale: vocabulary.fingerprint for scale, vocabulary in self.vocabularies.items()
        }
        return {
            **self.options,
            "scale": self.scale,
            "masking_scale": self.masking_scale,
            "vocabularies": vocabularies,
            "unknown_groups": self.unknown_groups,
        }

    @property
    def n_times(self) -> int:
        """Samples per segment."""
        return int(self.entries[0]["shape"][2])

    def __getitem__(self, index) -> dict:
        r, window = self._locate(index)
        x = np.array(self._map(r)[window], dtype=np.float32)
        return {
            "x": torch.from_numpy(x),
            "spatial_index": self._spatial[r],
            "group_ids": self._groups[r],
        }

    @staticmethod
    def collate(examples) -> dict:
        """Pad channels to the largest count of the batch and stack.

        Parameters
        ----------
        examples : list of dict
            Items of this dataset.

        Returns
        -------
        batch : dict
            ``x`` (B, C, n_times) float32 (zeros at padding), ``spatial_index``
            (B, C) or (B, C, 3) long (0 at padding), ``group_ids`` (B, C) long
            (-1 at padding), ``channel_mask`` (B, C) bool (True at padding).
        """
        n_channels = max(e["x"].shape[0] for e in examples)
        batch, n_times = len(examples), examples[0]["x"].shape[1]
        index_shape = examples[0]["spatial_index"].shape[1:]
        x = torch.zeros(batch, n_channels, n_times, dtype=torch.float32)
        spatial = torch.zeros((batch, n_channels, *index_shape), dtype=torch.long)
        groups = torch.full((batch, n_channels), -1, dtype=torch.long)
        mask = torch.ones(batch, n_channels, dtype=torch.bool)
        for i, example in enumerate(examples):
            c = example["x"].shape[0]
            x[i, :c] = example["x"]
            spatial[i, :c] = example["spatial_index"]
            groups[i, :c] = example["group_ids"]
            mask[i, :c] = False
        return {"x": x, "spatial_index": spatial, "group_ids": groups, "channel_mask": mask}
