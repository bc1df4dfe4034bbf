"""Safe checkpoint input/output shared by every ieegrep model.

Three on-disk formats are read, none of them by unrestricted unpickling:

``"ieegrep"``
    ieegrep's own format: one file written with :func:`torch.save` holding only
    plain types, ``{"format": "ieegrep", "format_version": 1, "model": name,
    "config": {...}, "provenance": {...}, "state_dict": {...}}``. It is read with
    ``torch.load(weights_only=True)``.
``"brainbert-official"``
    A checkpoint written by the BrainBERT reference code (the released
    ``stft_large_pretrained.pth`` and friends): a pickled dict with the keys
    ``model`` (state dict), ``optim``, ``scheduler`` and ``model_cfg`` (an
    OmegaConf ``DictConfig``). ``torch.load(weights_only=True)`` refuses such
    files, so they are read through a restricted unpickler that admits only an
    explicit allow-list of globals and rebuilds the OmegaConf nodes as inert
    stand-ins; omegaconf is never imported and need not be installed.
``"state-dict"``
    A bare weights-only state dict (e.g. the BaRISTA authors' released files),
    read with ``torch.load(weights_only=True)``.

A pickle that references any other global raises
:class:`~ieegrep.exceptions.UnsafeCheckpointError` naming that global; the
global is never imported, let alone called.
"""

from __future__ import annotations

import hashlib
import pickle
import types
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ..atomic import atomic_write
from ..exceptions import (
    CheckpointError,
    CheckpointMismatchError,
    UnsafeCheckpointError,
)
from ..verbosity import logger, verbose

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "PretrainedModel",
    "file_sha256",
    "load_state_dict_strict",
    "read_checkpoint",
    "save_checkpoint",
]

#: Version of ieegrep's own checkpoint layout, stored in every file it writes.
FORMAT_VERSION = 1
_OFFICIAL_KEYS = {"model", "optim", "scheduler", "model_cfg"}


def file_sha256(path) -> str:
    """Return the SHA-256 of a file, read in 1 MiB blocks.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    digest : str
        64 lowercase hexadecimal characters.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fid:
        for block in iter(lambda: fid.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Checkpoint:
    """What :func:`read_checkpoint` found in a file.

    Attributes
    ----------
    state_dict : dict of str to torch.Tensor
        The model weights under the names stored in the file.
    config : dict
        Plain (JSON-able) model configuration; ``{}`` for a bare state dict.
        For an official BrainBERT file, the seven ``model_cfg`` fields.
    format : str
        ``"ieegrep"``, ``"brainbert-official"`` or ``"state-dict"``.
    model : str | None
        The model family (``"brainbert"``, ``"barista"``), None when the file
        does not say.
    sha256 : str
        SHA-256 of the file.
    path : pathlib.Path
        The file that was read.
    provenance : dict, optional
        Plain description of where the weights come from (empty by default).
        For an official BrainBERT file, ``run_config`` holds the whole Hydra run
        configuration pickled with the model config (unresolved interpolations
        kept as text).
    """

    state_dict: dict[str, torch.Tensor]
    config: dict
    format: str
    model: str | None
    sha256: str
    path: Path
    provenance: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# restricted unpickling of official BrainBERT files


class _OmegaConfStandIn:
    """Inert stand-in for an OmegaConf class: it keeps the pickled state as attributes.

    Neither construction nor state restoration runs any code from the file.
    """

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
            state = {**(state[0] or {}), **(state[1] or {})}
        if isinstance(state, Mapping):
            self.__dict__.update(state)


class _DictConfig(_OmegaConfStandIn):
    """Stand-in for ``omegaconf.dictconfig.DictConfig`` (children in ``_content``)."""


class _ListConfig(_OmegaConfStandIn):
    """Stand-in for ``omegaconf.listconfig.ListConfig`` (children in ``_content``)."""


class _ValueNode(_OmegaConfStandIn):
    """Stand-in for the OmegaConf leaf nodes (value in ``_val``)."""


class _Metadata(_OmegaConfStandIn):
    """Stand-in for ``omegaconf.base.Metadata`` / ``ContainerMetadata``."""


# module, name -> object returned to the unpickler. Nothing outside this table is
# ever imported. Plain builtin types are harmless to call; the OmegaConf classes
# become stand-ins; torch's tensor rebuild function only wraps storages that
# torch's own persistent-id loader produced.
_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("builtins", "dict"): dict,
    ("builtins", "list"): list,
    ("builtins", "tuple"): tuple,
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "int"): int,
    ("builtins", "float"): float,
    ("builtins", "str"): str,
    ("builtins", "bool"): bool,
    ("collections", "OrderedDict"): OrderedDict,
    ("collections", "defaultdict"): defaultdict,
    ("typing", "Any"): Any,
    ("omegaconf.dictconfig", "DictConfig"): _DictConfig,
    ("omegaconf.listconfig", "ListConfig"): _ListConfig,
    ("omegaconf.nodes", "AnyNode"): _ValueNode,
    ("omegaconf.nodes", "StringNode"): _ValueNode,
    ("omegaconf.nodes", "IntegerNode"): _ValueNode,
    ("omegaconf.nodes", "FloatNode"): _ValueNode,
    ("omegaconf.nodes", "BooleanNode"): _ValueNode,
    ("omegaconf.nodes", "BytesNode"): _ValueNode,
    ("omegaconf.nodes", "PathNode"): _ValueNode,
    ("omegaconf.base", "Metadata"): _Metadata,
    ("omegaconf.base", "ContainerMetadata"): _Metadata,
    ("torch._utils", "_rebuild_tensor_v2"): torch._utils._rebuild_tensor_v2,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler whose class lookup admits only :data:`_ALLOWED_GLOBALS`."""

    def find_class(self, module, name):
        # protocol-2 pickles spell the builtins module the Python 2 way
        module = {"__builtin__": "builtins"}.get(module, module)
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except (KeyError, TypeError):
            raise UnsafeCheckpointError(
                f"The checkpoint asks to load the Python global '{module}.{name}', which "
                "is not on ieegrep's allow-list; it was not imported or run.",
                field="pickle global",
                value=f"{module}.{name}",
                fix="Only load checkpoints from sources you trust. If this file is "
                "genuine, convert it to ieegrep's format in a trusted environment and "
                "load that instead.",
            ) from None


def _restricted_load(file, **kwargs):
    return _RestrictedUnpickler(file, **kwargs).load()


# torch.load(pickle_module=...) needs an object with Unpickler, load and __name__
_restricted_pickle = types.SimpleNamespace(
    __name__="ieegrep_restricted_pickle",
    Unpickler=_RestrictedUnpickler,
    load=_restricted_load,
    UnpicklingError=pickle.UnpicklingError,
)


def _plain(node):
    """Convert OmegaConf stand-ins (and containers of them) to plain Python values."""
    if isinstance(node, (_DictConfig, _ListConfig)):
        content = node.__dict__.get("_content")
        return _plain(content)
    if isinstance(node, _ValueNode):
        return _plain(node.__dict__.get("_val"))
    if isinstance(node, Mapping):
        return {_plain(key): _plain(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain(value) for value in node]
    if node is Any:
        return "Any"
    return node


def _root(node):
    seen = set()
    while isinstance(node, _OmegaConfStandIn) and id(node) not in seen:
        seen.add(id(node))
        parent = node.__dict__.get("_parent")
        if parent is None:
            break
        node = parent
    return node


# --------------------------------------------------------------------------------------
# reading


def _is_state_dict(obj) -> bool:
    return (
        isinstance(obj, Mapping)
        and len(obj) > 0
        and all(isinstance(key, str) for key in obj)
        and all(isinstance(value, torch.Tensor) for value in obj.values())
    )


def _check_plain(value, where: str, path) -> None:
    """Raise unless ``value`` is made of JSON-like plain types only."""
    # exact types: subclasses (e.g. torch's TorchVersion str) pickle as foreign globals
    if value is None or type(value) in (bool, int, float, str):
        return
    if type(value) in (list, tuple):
        for item in value:
            _check_plain(item, where, path)
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise CheckpointError(
                    "A checkpoint configuration key is not a string.",
                    file=path,
                    field=where,
                    value=key,
                    fix="Use str keys in config and provenance dicts.",
                )
            _check_plain(item, f"{where}.{key}", path)
        return
    raise CheckpointError(
        "A checkpoint configuration holds a value that is not a plain type.",
        file=path,
        field=where,
        value=type(value).__name__,
        fix="Keep config and provenance to None, bool, int, float, str, list and dict.",
    )


def _from_ieegrep(obj: dict, path: Path, sha: str) -> Checkpoint:
    version = obj.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            "This ieegrep checkpoint uses a format version this ieegrep cannot read.",
            file=path,
            field="format_version",
            value=version,
            fix=f"Upgrade ieegrep (this one reads format_version {FORMAT_VERSION}).",
        )
    for key, kind in (("model", str), ("config", Mapping), ("state_dict", Mapping)):
        if not isinstance(obj.get(key), kind):
            raise CheckpointError(
                "The ieegrep checkpoint lacks a required entry or holds the wrong type.",
                file=path,
                field=key,
                value=type(obj.get(key)).__name__,
                fix="Re-save the model with save_pretrained().",
            )
    state_dict = dict(obj["state_dict"])
    bad = [key for key, value in state_dict.items() if not isinstance(value, torch.Tensor)]
    if bad:
        raise CheckpointError(
            "The ieegrep checkpoint's state_dict holds entries that are not tensors.",
            file=path,
            field="state_dict",
            value=bad[:5],
            fix="Re-save the model with save_pretrained().",
        )
    provenance = obj.get("provenance") or {}
    return Checkpoint(
        state_dict=state_dict,
        config=dict(obj["config"]),
        format="ieegrep",
        model=obj["model"],
        sha256=sha,
        path=path,
        provenance=dict(provenance),
    )


def _from_official(obj: dict, path: Path, sha: str) -> Checkpoint:
    state_dict = obj.get("model")
    if not _is_state_dict(state_dict):
        raise CheckpointError(
            "The BrainBERT checkpoint's 'model' entry is not a state dict of tensors.",
            file=path,
            field="model",
            value=type(state_dict).__name__,
            fix="Pass a checkpoint written by the BrainBERT reference code.",
        )
    model_cfg = obj.get("model_cfg")
    config = _plain(model_cfg)
    if not isinstance(config, dict):
        raise CheckpointError(
            "The BrainBERT checkpoint's 'model_cfg' entry is not a configuration mapping.",
            file=path,
            field="model_cfg",
            value=type(model_cfg).__name__,
            fix="Pass a checkpoint written by the BrainBERT reference code.",
        )
    provenance = {"source_format": "brainbert-official"}
    root = _root(model_cfg)
    if root is not model_cfg:
        run_config = _plain(root)
        if isinstance(run_config, dict):
            provenance["run_config"] = run_config
    return Checkpoint(
        state_dict=dict(state_dict),
        config=config,
        format="brainbert-official",
        model="brainbert",
        sha256=sha,
        path=path,
        provenance=provenance,
    )


def _classify(obj, path: Path, sha: str) -> Checkpoint:
    if isinstance(obj, Mapping) and obj.get("format") == "ieegrep":
        return _from_ieegrep(dict(obj), path, sha)
    if isinstance(obj, Mapping) and _OFFICIAL_KEYS <= set(obj) and "model_cfg" in obj:
        return _from_official(dict(obj), path, sha)
    if _is_state_dict(obj):
        return Checkpoint(
            state_dict=dict(obj),
            config={},
            format="state-dict",
            model=None,
            sha256=sha,
            path=path,
            provenance={"source_format": "state-dict"},
        )
    # a training wrapper around the weights, e.g. {"state_dict": {...}, "epoch": 3}
    if isinstance(obj, Mapping) and _is_state_dict(obj.get("state_dict")):
        return Checkpoint(
            state_dict=dict(obj["state_dict"]),
            config={},
            format="state-dict",
            model=None,
            sha256=sha,
            path=path,
            provenance={"source_format": "state-dict", "wrapper_keys": sorted(map(str, obj))},
        )
    raise CheckpointError(
        "The file is a PyTorch pickle but not a checkpoint format ieegrep knows.",
        file=path,
        value=type(obj).__name__
        if not isinstance(obj, Mapping)
        else f"dict with keys {sorted(map(str, obj))[:10]}",
        fix="Pass an ieegrep checkpoint (save_pretrained), an official BrainBERT .pth, "
        "or a weights-only state dict of tensors.",
    )


@verbose
def read_checkpoint(path, *, verbose=None) -> Checkpoint:
    """Read a model checkpoint without running code from the file.

    The file is first read with ``torch.load(weights_only=True)``. If torch's
    safe loader refuses it (official BrainBERT files hold OmegaConf objects and a
    ``collections.defaultdict`` it cannot rebuild), it is read again through a
    restricted unpickler that admits only an explicit allow-list of globals and
    rebuilds OmegaConf nodes as inert stand-ins.

    Parameters
    ----------
    path : path-like
        The checkpoint file.
    verbose : bool | str | int | None, default None
        Logging level (see :func:`ieegrep.verbosity.set_log_level`).

    Returns
    -------
    checkpoint : Checkpoint
        Weights, plain config, format name, model family, SHA-256 and provenance.

    Raises
    ------
    CheckpointError
        The file is missing or is not a checkpoint format ieegrep knows.
    UnsafeCheckpointError
        The pickle asks for a global outside the allow-list (named in the error).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(
            "The checkpoint file does not exist."
            if not path.exists()
            else "The checkpoint path is not a file.",
            file=path,
            fix="Check the path; official BrainBERT weights come as a ZIP bundle that "
            "must be unzipped first.",
        )
    sha = file_sha256(path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as safe_error:  # torch raises several types for a refused file
        logger.debug("weights_only load refused %s: %s", path, safe_error)
        try:
            # official files hold OmegaConf objects, which weights_only refuses; every global
            # still goes through _restricted_pickle's allow-list, so no code can run
            # (tests/test_checkpoints.py feeds it os.system payloads)
            obj = torch.load(
                path, map_location="cpu", weights_only=False, pickle_module=_restricted_pickle
            )
        except UnsafeCheckpointError as error:
            raise UnsafeCheckpointError(
                error.problem, file=path, field=error.field, value=error.value, fix=error.fix
            ) from None
        except Exception as error:
            raise CheckpointError(
                "The file cannot be read as a PyTorch checkpoint.",
                file=path,
                value=f"{type(error).__name__}: {error}"[:300],
                fix="Pass a file written by torch.save (an ieegrep checkpoint, an official "
                "BrainBERT .pth or a weights-only state dict).",
            ) from None
    checkpoint = _classify(obj, path, sha)
    logger.info(
        "Read %s checkpoint %s (%d tensors, sha256 %s)",
        checkpoint.format,
        path,
        len(checkpoint.state_dict),
        sha[:12],
    )
    return checkpoint


# --------------------------------------------------------------------------------------
# writing and loading into modules


def save_checkpoint(path, *, model: str, config: dict, state_dict, provenance=None) -> Path:
    """Write a checkpoint in ieegrep's format, atomically.

    Parameters
    ----------
    path : path-like
        Output file (conventionally ``*.pt``); its folder must exist. An existing
        file is replaced only once the new one is complete.
    model : str
        Model family, e.g. ``"brainbert"`` or ``"barista"``.
    config : dict
        Plain (JSON-able) constructor arguments that rebuild the model.
    state_dict : mapping of str to torch.Tensor
        The weights; they are copied to CPU, contiguous, before saving.
    provenance : dict | None, default None
        Plain description of the weights' origin (data, steps, parent checkpoint);
        None stores an empty one.

    Returns
    -------
    path : pathlib.Path
        The written file.
    """
    path = Path(path)
    if not isinstance(model, str) or not model:
        raise CheckpointError(
            "The model family name must be a non-empty string.",
            file=path,
            field="model",
            value=model,
            fix="Pass e.g. model='brainbert'.",
        )
    config = dict(config)
    provenance = dict(provenance or {})
    _check_plain(config, "config", path)
    _check_plain(provenance, "provenance", path)
    tensors = {}
    for key, value in state_dict.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise CheckpointError(
                "A state_dict entry is not a tensor under a string name.",
                file=path,
                field="state_dict",
                value=key,
                fix="Pass module.state_dict().",
            )
        # clone so that views (e.g. slices of a larger buffer) do not drag their whole storage
        tensors[key] = value.detach().to("cpu").contiguous().clone()
    payload = {
        "format": "ieegrep",
        "format_version": FORMAT_VERSION,
        "model": model,
        "config": config,
        "provenance": provenance,
        "state_dict": tensors,
    }
    with atomic_write(path, "wb") as fid:
        torch.save(payload, fid)
    logger.info("Saved %s checkpoint to %s", model, path)
    return path


def load_state_dict_strict(module: torch.nn.Module, state_dict, *, file=None) -> None:
    """Load weights into a module, requiring exactly matching names and shapes.

    Parameters
    ----------
    module : torch.nn.Module
        The model to fill.
    state_dict : mapping of str to torch.Tensor
        Weights under the module's own names.
    file : path-like | None, default None
        The checkpoint the weights come from, named in the error.

    Raises
    ------
    CheckpointMismatchError
        Listing every missing key, unexpected key and shape mismatch at once.
    """
    expected = module.state_dict()
    missing = [key for key in expected if key not in state_dict]
    unexpected = [key for key in state_dict if key not in expected]
    mismatched = [
        f"{key}: checkpoint {tuple(state_dict[key].shape)} vs model {tuple(expected[key].shape)}"
        for key in expected
        if key in state_dict and tuple(state_dict[key].shape) != tuple(expected[key].shape)
    ]
    if missing or unexpected or mismatched:
        lines = []
        for title, items in (
            ("missing from the checkpoint", missing),
            ("unexpected in the checkpoint", unexpected),
            ("shape mismatch", mismatched),
        ):
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines.extend(f"  {item}" for item in items)
        raise CheckpointMismatchError(
            f"The checkpoint does not fit the {type(module).__name__} model "
            f"({len(missing)} missing, {len(unexpected)} unexpected, "
            f"{len(mismatched)} shape-mismatched keys).",
            file=file,
            field="state_dict",
            value="\n".join(lines),
            fix="Build the model with the configuration the checkpoint was trained with "
            "(from_pretrained does this), or pick the checkpoint matching this model.",
        )
    module.load_state_dict(dict(state_dict), strict=True)


class PretrainedModel:
    """Mixin giving a model ``save_pretrained`` and ``from_pretrained``.

    A model using it sets the class attribute ``model_name`` (e.g.
    ``"brainbert"``) and keeps its constructor keyword arguments as a plain dict
    in ``self.config`` so it can be rebuilt with ``cls(**config)``. To load a
    foreign checkpoint format, a subclass overrides :meth:`_convert_checkpoint`.

    Attributes
    ----------
    checkpoint_sha256_ : str | None
        SHA-256 of the file the weights were loaded from (set by ``from_pretrained``).
    checkpoint_path_ : str | None
        That file.
    provenance_ : dict
        The checkpoint's provenance plus its format.
    """

    model_name: str = ""
    checkpoint_sha256_: str | None = None
    checkpoint_path_: str | None = None

    def save_pretrained(self, path, provenance=None) -> Path:
        """Save weights and configuration in ieegrep's checkpoint format.

        Parameters
        ----------
        path : path-like
            Output file, written atomically.
        provenance : dict | None, default None
            Plain description of the weights (data, steps, ...). ieegrep adds the
            torch version and, for a model loaded from a file, that file's SHA-256.

        Returns
        -------
        path : pathlib.Path
            The written file.
        """
        from .. import __version__ as ieegrep_version

        record = {"ieegrep_version": ieegrep_version, "torch_version": str(torch.__version__)}
        if self.checkpoint_sha256_ is not None:
            record["parent_checkpoint_sha256"] = self.checkpoint_sha256_
        record.update(provenance or {})
        return save_checkpoint(
            path,
            model=self.model_name,
            config=dict(self.config),
            state_dict=self.state_dict(),
            provenance=record,
        )

    @classmethod
    def _convert_checkpoint(cls, checkpoint: Checkpoint) -> tuple[dict, dict]:
        """Turn a checkpoint into ``(constructor kwargs, state dict under this model's names)``.

        The default reads only ieegrep's own format for this model family.
        Subclasses extend it for foreign formats.
        """
        if checkpoint.format != "ieegrep":
            raise CheckpointError(
                f"{cls.__name__} cannot load a checkpoint in this format.",
                file=checkpoint.path,
                field="format",
                value=checkpoint.format,
                fix=f"Pass a checkpoint saved by {cls.__name__}.save_pretrained().",
            )
        if checkpoint.model != cls.model_name:
            raise CheckpointError(
                f"The checkpoint holds a different model than {cls.__name__}.",
                file=checkpoint.path,
                field="model",
                value=checkpoint.model,
                fix=f"Load it with the class for '{checkpoint.model}'.",
            )
        return dict(checkpoint.config), checkpoint.state_dict

    @classmethod
    @verbose
    def from_pretrained(cls, path, *, verbose=None, **overrides):
        """Build a model from a checkpoint file and load its weights strictly.

        Parameters
        ----------
        path : path-like
            Checkpoint file (ieegrep's format, or a foreign format the model
            supports).
        verbose : bool | str | int | None, default None
            Logging level.
        **overrides
            Constructor arguments replacing the checkpoint's (e.g. ``dropout=0.0``).

        Returns
        -------
        model : torch.nn.Module
            The model, in eval mode, with ``checkpoint_sha256_``,
            ``checkpoint_path_`` and ``provenance_`` set.
        """
        checkpoint = read_checkpoint(path)
        config, state_dict = cls._convert_checkpoint(checkpoint)
        return cls._build_from_checkpoint(checkpoint, {**config, **overrides}, state_dict)

    @classmethod
    def _build_from_checkpoint(cls, checkpoint: Checkpoint, config: dict, state_dict):
        """Construct from ``config``, load ``state_dict`` strictly, record provenance, eval."""
        try:
            model = cls(**config)
        except TypeError as error:
            raise CheckpointError(
                "The checkpoint's configuration does not fit this model's constructor.",
                file=checkpoint.path,
                field="config",
                value=f"{config} ({error})",
                fix=f"Load it with the model class it was saved from; {cls.__name__} "
                "cannot be built from it.",
            ) from None
        load_state_dict_strict(model, state_dict, file=checkpoint.path)
        model.checkpoint_sha256_ = checkpoint.sha256
        model.checkpoint_path_ = str(checkpoint.path)
        model.provenance_ = {"format": checkpoint.format, **checkpoint.provenance}
        model.eval()
        return model
