"""Atomic file and folder writes: a reader sees the old content or the new, never half.

Everything ieegrep writes goes through these helpers. A file is written to a
temporary sibling and moved over the target with :func:`os.replace`; a folder
(a whole simulated dataset, say) is built in a temporary sibling and swapped in
only when complete, so an interrupted run leaves what was there before.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .exceptions import OutputExistsError

__all__ = ["atomic_write", "atomic_directory"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path, mode: str = "w", *, overwrite: bool = True, **open_kwargs):
    """Open a temporary file that replaces ``path`` when the block succeeds.

    Parameters
    ----------
    path : path-like
        Final file name. Its folder must exist.
    mode : str
        ``"w"`` (text) or ``"wb"`` (binary).
    overwrite : bool
        If False and ``path`` exists, raise :class:`~ieegrep.exceptions.OutputExistsError`
        before anything is written.
    **open_kwargs
        Passed to :func:`open` (``encoding``, ``newline``).

    Yields
    ------
    fid : file object
    """
    path = Path(path)
    if not overwrite and path.exists():
        raise OutputExistsError(
            "The output file exists already.",
            file=path,
            fix="Choose another name, delete the file, or pass overwrite=True.",
        )
    if "b" not in mode:
        open_kwargs.setdefault("encoding", "utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fid:
            yield fid
            fid.flush()
            os.fsync(fid.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_directory(path, *, overwrite: bool = False):
    """Build a folder in a temporary sibling and move it to ``path`` on success.

    Parameters
    ----------
    path : path-like
        Final folder. Its parent is created if needed.
    overwrite : bool
        If False and ``path`` exists and is not empty, raise
        :class:`~ieegrep.exceptions.OutputExistsError` before anything is written.
        If True, the old folder is replaced only once the new one is complete.

    Yields
    ------
    tmp : pathlib.Path
        The folder to write into.
    """
    path = Path(path).absolute()
    if path.exists() and not path.is_dir():
        raise OutputExistsError(
            "The output path exists and is a file, not a folder.",
            file=path,
            fix="Choose a folder name that does not exist yet.",
        )
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise OutputExistsError(
            "The output folder exists and is not empty.",
            file=path,
            fix="Choose a new folder, delete this one, or pass overwrite=True.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; give the usual mode
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        old = path.parent / f".{path.name}.old-{os.getpid()}"
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
