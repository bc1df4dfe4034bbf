"""Every public name has a complete numpydoc docstring and a place on the API page.

"Public" is what a module's ``__all__`` exports, for ``ieegrep`` itself and each
of its modules and subpackages whose name has no leading underscore, plus the
public methods and properties of the public classes (those of ieegrep base
classes included; those inherited from numpy, torch or scikit-learn not).

Each is checked with :func:`numpydoc.validate.validate` for the error codes in
:data:`CHECKED_CODES`, and with two checks numpydoc lacks: a parameter with a
default says so (``default`` or ``optional``), and a parameter whose name
denotes a physical quantity (a rate, a frequency, a duration, a distance)
states its unit.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import ieegrep  # noqa: E402

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"

# numpydoc's codes that matter for a reader of the API page.
CHECKED_CODES = {
    "GL08": "no docstring",
    "SS01": "no summary",
    "PR01": "a parameter is not documented",
    "PR02": "a documented parameter is not in the signature",
    "PR04": "a parameter has no type",
    "PR07": "a parameter has no description",
    "RT01": "no Returns section",
    "RT03": "a return value has no description",
    "YD01": "no Yields section",
}

# Modules being written right now by other sessions: their names are checked
# once they land (the lead removes them from this list). Names they export
# through a subpackage's ``__all__`` are skipped too (matched on ``__module__``).
EXCLUDED_MODULES: set[str] = set()

# A parameter named like this holds a physical quantity ...
# (not a count ``n_freqs`` nor a switch ``require_sfreq``)
PHYSICAL_NAME = re.compile(
    r"^(?!(n|require|return|allow|use)_)"
    r"(.*_)?(sfreq|freq|freqs|fmin|fmax|hz|s|ms|mm|duration|tmin|tmax|radius|onsets?|gap)$"
)
# ... and its type or description must name one of these units.
# (a bare "s" counts, but not the one of "recording's")
UNIT = re.compile(
    r"\b(Hz|(?<!['’])s|ms|mm)\b"
    r"|(?i:\b(seconds?|milliseconds?|millimet(?:re|er)s?|samples?|cycles?)\b)"
)
DEFAULT = re.compile(r"\b(default|optional)\b", re.IGNORECASE)


def _public_modules():
    """``ieegrep`` and every public module and subpackage in it that declares ``__all__``.

    Submodules count too: a name exported only by ``ieegrep.decoding.neuroprobe``
    is as public as one re-exported by ``ieegrep.decoding``.
    """
    names = ["ieegrep"] + [
        info.name
        for info in pkgutil.walk_packages(ieegrep.__path__, prefix="ieegrep.")
        if not any(part.startswith("_") for part in info.name.split("."))
        and info.name not in EXCLUDED_MODULES
    ]
    modules = [importlib.import_module(name) for name in names]
    return [module for module in modules if hasattr(module, "__all__")]


def _is_ieegrep(obj):
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] == "ieegrep" and module not in EXCLUDED_MODULES


def _members(cls):
    """Public methods and properties of ``cls`` defined in ieegrep classes, by name."""
    members = {}
    for klass in reversed(cls.__mro__):
        if not _is_ieegrep(klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            if inspect.isfunction(value) or isinstance(
                value, (property, classmethod, staticmethod, functools.cached_property)
            ):
                members[name] = value
    return sorted(members)


def _public_objects():
    """``{qualified name: object}`` of every public function, class and member."""
    objects = {}
    for module in _public_modules():
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue  # constants and submodules: the API test covers them
            if not _is_ieegrep(obj):
                continue
            qualified = f"{module.__name__}.{name}"
            objects.setdefault(qualified, obj)
            if inspect.isclass(obj):
                for member in _members(obj):
                    objects.setdefault(f"{qualified}.{member}", getattr(obj, member, None))
    return objects


PUBLIC = _public_objects()


def _parameter_docs(obj):
    """Where each constructor or function parameter of ``obj`` is documented.

    Besides its own Parameters (and Other Parameters), a dataclass or named
    tuple may document its fields under Attributes (they are both), and a class
    inheriting an ieegrep constructor unchanged inherits its documentation.
    """
    doc = numpydoc_validate.get_doc_object(obj)
    entries = {}  # name: (type, description, documented by a base class)
    for section in ("Parameters", "Other Parameters"):
        for entry in doc[section]:
            for name in entry.name.replace("\\", "").split(","):
                entries[name.strip()] = (entry.type, " ".join(entry.desc), False)
    if inspect.isclass(obj):
        if dataclasses.is_dataclass(obj) or (issubclass(obj, tuple) and hasattr(obj, "_fields")):
            for entry in doc["Attributes"]:
                entries.setdefault(entry.name, (entry.type, " ".join(entry.desc), False))
        if "__init__" not in vars(obj):
            for klass in obj.__mro__[1:]:
                if _is_ieegrep(klass):
                    for name, (type_, description, _) in _parameter_docs(klass).items():
                        entries.setdefault(name, (type_, description, True))
                if "__init__" in vars(klass):
                    break
    return entries


def _signature(obj):
    target = obj.fget if isinstance(obj, property) else obj
    if isinstance(target, property) or not callable(target):
        return None
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    return [
        (
            ("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "")
            + p.name,
            p,
        )
        for p in signature.parameters.values()
        if p.name not in ("self", "cls")
    ]


def docstring_errors(qualified, obj):
    """The problems of ``qualified``'s docstring, as ``(code, message)`` pairs."""
    result = numpydoc_validate.validate(qualified)
    errors = [(code, msg) for code, msg in result["errors"] if code in CHECKED_CODES]
    if not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismethod(obj)):
        return errors  # properties: numpydoc's checks only
    documented = _parameter_docs(obj)
    parameters = _signature(obj) or []
    # PR01 again, now counting the documentation a class may take from its
    # Attributes (dataclass fields) or from the ieegrep base whose constructor it uses
    errors = [(code, msg) for code, msg in errors if code != "PR01"]
    missing = [name for name, _ in parameters if name not in documented]
    if missing:
        errors.append(("PR01", f"Parameters {missing} not documented"))
    for name, parameter in parameters:
        if name not in documented or documented[name][2]:
            continue  # undocumented (PR01 above) or checked on the base class
        type_, description, _ = documented[name]
        if parameter.default is not inspect.Parameter.empty and not DEFAULT.search(
            f"{type_} {description}"
        ):
            errors.append(
                (
                    "DF01",
                    f"Parameter {name!r} has a default but says neither 'default' nor 'optional'",
                )
            )
        if PHYSICAL_NAME.search(name) and not UNIT.search(f"{type_} {description}"):
            errors.append(
                ("UN01", f"Parameter {name!r} holds a physical quantity but states no unit")
            )
    return errors


def test_public_objects_are_found():
    # a broken discovery would make every docstring test vacuous
    assert len(PUBLIC) > 150
    for name in (
        "ieegrep.bids.load_recording",
        "ieegrep.models.BrainBERT",
        "ieegrep.set_log_level",
    ):
        assert name in PUBLIC
    assert any(name.startswith("ieegrep.bids.Recording.") for name in PUBLIC)


def test_checker_flags_incomplete_docstrings():
    def incomplete(sfreq, window=2.0, verbose=None):
        """Compute something.

        Parameters
        ----------
        sfreq : float
            The rate.
        window : float
            Window length in seconds.
        """
        return sfreq

    incomplete.__module__ = __name__
    globals()["_incomplete"] = incomplete
    codes = sorted(code for code, _ in docstring_errors(f"{__name__}._incomplete", incomplete))
    # verbose undocumented, no Returns, window's default unsaid, sfreq's unit unsaid
    assert codes == ["DF01", "PR01", "RT01", "UN01"]


@pytest.mark.parametrize("qualified", sorted(PUBLIC))
def test_docstring(qualified):
    errors = docstring_errors(qualified, PUBLIC[qualified])
    assert not errors, f"{qualified}:\n" + "\n".join(f"  {c} {m}" for c, m in errors)


# -- the API page ---------------------------------------------------------------


def _api_entries():
    """Every object the API page lists, resolved to ``{qualified name: object}``."""
    entries = {}
    current = None
    in_autosummary = False
    for line in API_RST.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith(".. currentmodule::"):
            current = stripped.split("::", 1)[1].strip()
        elif stripped.startswith(".. automodule::"):
            module = stripped.split("::", 1)[1].strip()
            entries[module] = importlib.import_module(module)
        elif stripped.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and line and not line[0].isspace():
            in_autosummary = False
        elif in_autosummary and stripped and not stripped.startswith(":"):
            qualified = f"{current}.{stripped}" if current else stripped
            entries[qualified] = numpydoc_validate.Validator._load_obj(qualified)
    return entries


def test_api_page_lists_every_public_name():
    listed = _api_entries()
    missing = []
    for module in _public_modules():
        for name in module.__all__:
            if name.startswith("__"):
                continue  # __version__ and the like
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                found = obj.__name__ in listed or f"{module.__name__}.{name}" in listed
            else:
                # a constant may be listed through the module that defines it
                found = f"{module.__name__}.{name}" in listed or any(
                    entry.rsplit(".", 1)[-1] == name and value is obj
                    for entry, value in listed.items()
                )
            if not found and (inspect.ismodule(obj) or not callable(obj) or _is_ieegrep(obj)):
                missing.append(f"{module.__name__}.{name}")
    assert not missing, f"{API_RST} does not list: {', '.join(missing)}"
