"""Exceptions and warnings raised by ieegrep.

Every problem with a user's input is reported by one of the classes below, and
its message names the **file**, the **field**, the **value** and the **fix**, so
a user can repair the dataset without reading ieegrep's source::

    ElectrodesFileError: Coordinate is not a number.
      file:  /data/ds/sub-01/ieeg/sub-01_space-MNI152NLin2009cAsym_electrodes.tsv
      field: x (row 4, electrode 'LA4')
      value: '12,5'
      fix:   Write coordinates as plain numbers with a '.' decimal point, or
             'n/a' when unknown.

The classes also derive from the matching built-in exception (``ValueError``,
``FileNotFoundError``, ...), so ``except ValueError`` keeps working in user code.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "IeegrepError",
    "InvalidParameterError",
    "DatasetNotFoundError",
    "InvalidDatasetError",
    "NoRecordingsError",
    "RecordingNotFoundError",
    "NotIEEGError",
    "SidecarError",
    "SidecarMismatchError",
    "ChannelsFileError",
    "ElectrodesFileError",
    "EventsFileError",
    "CoordinateSystemError",
    "CorruptRecordingError",
    "AtlasError",
    "UnknownAtlasError",
    "UnknownSpaceError",
    "ContactNameError",
    "OutputExistsError",
    "CheckpointError",
    "UnsafeCheckpointError",
    "CheckpointMismatchError",
    "ModelInputError",
    "TrainingStateError",
    "IeegrepWarning",
    "MissingElectrodesWarning",
    "ElectrodeMismatchWarning",
    "MissingCoordinatesWarning",
    "UnsupportedSpaceWarning",
    "SuspiciousCoordinatesWarning",
    "RegionColumnWarning",
    "SidecarWarning",
]


def _format(problem: str, file=None, field=None, value=None, fix=None) -> str:
    lines = [problem.rstrip()]
    for key, item in (("file", file), ("field", field), ("value", value), ("fix", fix)):
        if item is None:
            continue
        if key == "file":
            item = os.fspath(item)
        elif key == "value":
            item = repr(item)
        text = str(item).replace("\n", "\n" + " " * 9)
        lines.append(f"  {key + ':':<6} {text}")
    return "\n".join(lines)


class _Described:
    """Mixin: build the message from its four parts and keep them as attributes."""

    def __init__(
        self,
        problem: str,
        *,
        file: Any = None,
        field: str | None = None,
        value: Any = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else os.fspath(file)
        self.field = field
        self.value = value
        self.fix = fix
        super().__init__(_format(problem, file, field, value, fix))

    def __reduce__(self):  # keep errors picklable (joblib, multiprocessing)
        return (
            _rebuild,
            (type(self), self.problem, self.file, self.field, self.value, self.fix),
        )


def _rebuild(cls, problem, file, field, value, fix):
    return cls(problem, file=file, field=field, value=value, fix=fix)


class IeegrepError(_Described, Exception):
    """Base class of every error ieegrep raises about its input.

    Parameters
    ----------
    problem : str
        One sentence saying what is wrong.
    file : str | path-like | None, default None
        The file (or folder) where the problem is; None leaves the line out.
    field : str | None, default None
        The column, key or parameter holding the bad value; None leaves the
        line out.
    value : object, default None
        The offending value, shown with ``repr``; None leaves the line out.
    fix : str | None, default None
        What the user should do; None leaves the line out.

    Attributes
    ----------
    problem, file, field, value, fix
        The parts of the message, for programs that handle the error.
    """


class InvalidParameterError(IeegrepError, ValueError):
    """A function or estimator argument has an invalid value."""


class DatasetNotFoundError(IeegrepError, FileNotFoundError):
    """The BIDS root folder does not exist."""


class InvalidDatasetError(IeegrepError, ValueError):
    """The folder exists but is not a BIDS dataset (no dataset_description.json)."""


class NoRecordingsError(IeegrepError, LookupError):
    """No iEEG recording matches the request."""


class RecordingNotFoundError(IeegrepError, FileNotFoundError):
    """A recording path does not point to an existing data file."""


class NotIEEGError(IeegrepError, ValueError):
    """The file is a BIDS recording, but not of the ``ieeg`` datatype."""


class SidecarError(IeegrepError, ValueError):
    """A JSON sidecar cannot be read or lacks a required key."""


class SidecarMismatchError(SidecarError):
    """A sidecar disagrees with the data file (e.g. the sampling rate)."""


class ChannelsFileError(IeegrepError, ValueError):
    """``channels.tsv`` is malformed or does not match the data file."""


class ElectrodesFileError(IeegrepError, ValueError):
    """``electrodes.tsv`` is malformed."""


class EventsFileError(IeegrepError, ValueError):
    """``events.tsv`` is malformed."""


class CoordinateSystemError(IeegrepError, ValueError):
    """``coordsystem.json`` is malformed or names unusable units."""


class CorruptRecordingError(IeegrepError, OSError):
    """The signal file exists but cannot be read."""


class AtlasError(IeegrepError, ValueError):
    """An atlas cannot be used as asked."""


class UnknownAtlasError(AtlasError, KeyError):
    """The atlas name is not one ieegrep knows."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class UnknownSpaceError(AtlasError):
    """Coordinates are in a space ieegrep cannot map onto an atlas."""


class ContactNameError(IeegrepError, ValueError):
    """A contact name cannot be split into shaft and contact number."""


class OutputExistsError(IeegrepError, FileExistsError):
    """An output would overwrite existing files and ``overwrite`` is False."""


class CheckpointError(IeegrepError, ValueError):
    """A model checkpoint cannot be read: unknown format, missing fields, bad config."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint asks to run or import code that the allow-list refuses."""


class CheckpointMismatchError(CheckpointError):
    """A checkpoint's parameter names or shapes do not fit the model (all mismatches listed)."""


class ModelInputError(IeegrepError, ValueError):
    """An array given to a model has the wrong shape, dtype, rate or index range."""


class TrainingStateError(IeegrepError, ValueError):
    """A training run cannot resume: its saved state does not match the requested run."""


class IeegrepWarning(_Described, UserWarning):
    """Base class of ieegrep's warnings: reading goes on, but look at this.

    The message is built as :class:`IeegrepError`'s is.

    Parameters
    ----------
    problem : str
        One sentence saying what is odd.
    file : str | path-like | None, default None
        The file (or folder) concerned; None leaves the line out.
    field : str | None, default None
        The column, key or parameter holding the odd value; None leaves the
        line out.
    value : object, default None
        The odd value, shown with ``repr``; None leaves the line out.
    fix : str | None, default None
        What the user may do about it; None leaves the line out.

    Attributes
    ----------
    problem, file, field, value, fix
        The parts of the message, for programs that handle the warning.
    """


class MissingElectrodesWarning(IeegrepWarning):
    """The recording has no ``electrodes.tsv``; regions are ``"Unknown"``."""


class ElectrodeMismatchWarning(IeegrepWarning):
    """Electrodes and channels do not correspond one to one."""


class MissingCoordinatesWarning(IeegrepWarning):
    """Some electrodes have ``n/a`` coordinates; their regions are ``"Unknown"``."""


class UnsupportedSpaceWarning(IeegrepWarning):
    """The electrodes' space cannot be mapped onto the atlas; regions are ``"Unknown"``."""


class SuspiciousCoordinatesWarning(IeegrepWarning):
    """Coordinates fall outside the brain, which often means wrong units or space."""


class RegionColumnWarning(IeegrepWarning):
    """A region column of ``electrodes.tsv`` was used under a guessed name."""


class SidecarWarning(IeegrepWarning):
    """A sidecar lacks a recommended key or holds an odd value."""
