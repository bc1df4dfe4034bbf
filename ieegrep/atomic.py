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

import numpy as np

from .exceptions import OutputExistsError

__all__ = ["atomic_write", "atomic_directory", "NpyWriter"]


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
    mode : str, default 'w'
        ``"w"`` (text) or ``"wb"`` (binary).
    overwrite : bool, default True
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
    overwrite : bool, default False
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


class NpyWriter:
    """Write a ``.npy`` array of known shape block by block, without holding it in memory.

    Blocks of rows (along the first axis) are appended in order with plain file
    writes (no memory map, so the written data does not count in the process's
    resident memory); the file appears at ``path`` only when every row is written
    and :meth:`close` (or the end of the ``with`` block) succeeds.

    Parameters
    ----------
    path : path-like
        Final ``.npy`` file.
    shape : tuple of int
        Shape of the whole array.
    dtype : numpy dtype
        Element type (default float32).
    overwrite : bool
        Replace an existing file (default False: raise before writing anything).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.npy")
    >>> with NpyWriter(path, (4, 3)) as writer:
    ...     writer.write(np.zeros((2, 3)))
    ...     writer.write(np.ones((2, 3)))
    >>> np.load(path).sum()
    np.float32(6.0)
    """

    def __init__(self, path, shape, dtype=np.float32, *, overwrite: bool = False):
        self.path = Path(path)
        self.shape = tuple(int(n) for n in shape)
        self.dtype = np.dtype(dtype)
        self.rows = 0
        if not overwrite and self.path.exists():
            raise OutputExistsError(
                "The output file exists already.",
                file=self.path,
                fix="Choose another name, delete the file, or pass overwrite=True.",
            )
        self._context = atomic_write(self.path, "wb", overwrite=overwrite)
        self._fid = self._context.__enter__()
        header = {
            "descr": np.lib.format.dtype_to_descr(self.dtype),
            "fortran_order": False,
            "shape": self.shape,
        }
        np.lib.format.write_array_header_1_0(self._fid, header)

    def write(self, block) -> None:
        """Append rows to the array.

        Parameters
        ----------
        block : array-like
            The next ``n`` rows, of shape ``(n, *shape[1:])``, cast to the
            writer's dtype.
        """
        block = np.ascontiguousarray(block, dtype=self.dtype)
        if block.shape[1:] != self.shape[1:] or self.rows + len(block) > self.shape[0]:
            raise ValueError(
                f"block of shape {block.shape} does not fit rows {self.rows}.. of {self.shape}"
            )
        self._fid.write(block.tobytes())
        self.rows += len(block)

    def close(self) -> None:
        """Finish the file; it replaces ``path`` only if every row was written."""
        if self._fid is None:
            return
        self._fid = None
        if self.rows != self.shape[0]:
            error = ValueError(f"{self.rows} of {self.shape[0]} rows written")
            self._context.__exit__(type(error), error, None)
            raise error
        self._context.__exit__(None, None, None)

    def abort(self) -> None:
        """Discard the partial file."""
        if self._fid is not None:
            self._fid = None
            error = RuntimeError("aborted")
            with contextlib.suppress(RuntimeError):
                self._context.__exit__(type(error), error, None)

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self.abort()
        return False
