"""Logging in MNE's manner: one package logger, ``verbose=`` on public functions.

``verbose`` accepts ``True`` (INFO), ``False`` (WARNING), ``None`` (the package
level, set with :func:`set_log_level`, default WARNING), a level name such as
``"debug"`` or an int. The environment variable ``IEEGREP_LOGGING_LEVEL``
sets the initial package level.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import os
import warnings

__all__ = ["logger", "set_log_level", "verbose", "use_log_level", "warn"]

logger = logging.getLogger("ieegrep")
if not logger.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(_handler)
    logger.propagate = False

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


def _to_level(value) -> int:
    if value is None:
        return logger.level or logging.WARNING
    if isinstance(value, bool):
        return logging.INFO if value else logging.WARNING
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lower() in _LEVELS:
        return _LEVELS[value.lower()]
    raise ValueError(
        f"Invalid value for the 'verbose' parameter: {value!r}. Allowed values are "
        "True, False, None, an int, or one of " + ", ".join(repr(k) for k in _LEVELS)
    )


def set_log_level(verbose=None) -> int:
    """Set the level of ieegrep's logger.

    Parameters
    ----------
    verbose : bool | str | int | None, default None
        ``True`` for INFO, ``False`` for WARNING, a level name (``"debug"``,
        ``"info"``, ``"warning"``, ``"error"``) or a :mod:`logging` level.
        ``None`` reads ``IEEGREP_LOGGING_LEVEL`` (default ``"warning"``).

    Returns
    -------
    old_level : int
        The level before the call.
    """
    old = logger.level
    if verbose is None:
        verbose = os.environ.get("IEEGREP_LOGGING_LEVEL", "warning")
    logger.setLevel(_to_level(verbose))
    return old


set_log_level(None)


@contextlib.contextmanager
def use_log_level(verbose):
    """Temporarily set the package log level (context manager).

    Parameters
    ----------
    verbose : bool | str | int | None
        The level inside the ``with`` block, as for :func:`set_log_level`;
        ``None`` leaves the level unchanged.

    Yields
    ------
    None
        The previous level is restored on leaving the block, even on error.
    """
    old = logger.level
    if verbose is not None:
        logger.setLevel(_to_level(verbose))
    try:
        yield
    finally:
        logger.setLevel(old)


def verbose(function):
    """Decorate a function taking ``verbose=`` so the level applies during the call.

    Parameters
    ----------
    function : callable
        A function with a ``verbose`` parameter.

    Returns
    -------
    wrapper : callable
        ``function`` run under :func:`use_log_level` with the ``verbose`` it was
        given (same signature and docstring).
    """
    signature = inspect.signature(function)
    if "verbose" not in signature.parameters:
        raise TypeError(f"{function.__qualname__} has no 'verbose' parameter")

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        level = bound.arguments.get("verbose")
        with use_log_level(level):
            return function(*args, **kwargs)

    return wrapper


def warn(warning: Warning) -> None:
    """Emit ``warning`` pointing at the user's line (the first frame outside ieegrep).

    Parameters
    ----------
    warning : Warning
        The warning instance (usually an :class:`~ieegrep.exceptions.IeegrepWarning`);
        it is also logged at DEBUG level.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = inspect.currentframe(), 1
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not (filename.startswith(package) or filename == functools.__file__):
            break
        frame, level = frame.f_back, level + 1
    logger.debug("warning: %s", warning)
    warnings.warn(warning, stacklevel=level)
