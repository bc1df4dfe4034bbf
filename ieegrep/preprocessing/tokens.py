"""Patches, per-segment z-scoring and region tokens for BaRISTA-style encoders.

A BaRISTA-style encoder (Oganesian, Hashemi & Shanechi, NeurIPS 2025) sees one
token per channel and 250 ms patch. Space enters only as a learned embedding
added to a channel's tokens, at one of three scales, and as the groups of
channels masked together in pretraining. This module prepares all of it.

Shapes and orderings
--------------------
``C`` channels, ``T`` samples per segment, ``L`` samples per patch
(:func:`patch_samples`: 512 at 2048 Hz, ``round(0.25 * sfreq)`` otherwise),
``N = T // L`` patches per channel.

=======================  ============================  ===================================
step                     array                         shape
=======================  ============================  ===================================
segments                 ``data``                      ``(..., C, T)``, e.g. ``(B, C, T)``
:func:`zscore_segments`  z-scored ``data``             ``(..., C, T)``
:func:`patch`            ``patches``                   ``(..., N * C, L)``
:func:`patch`            ``patch_index``               ``(N * C,)``: ``t`` of each token
:func:`patch`            ``channel_index``             ``(N * C,)``: ``c`` of each token
:func:`region_tokens`    ``spatial_index["channel"]``  ``(C, 3)`` int: ``(L, I, P)`` grid
:func:`region_tokens`    ``spatial_index["parcel"]``   ``(C,)`` int: parcel vocabulary row
:func:`region_tokens`    ``spatial_index["lobe"]``     ``(C,)`` int: lobe vocabulary row
:func:`region_tokens`    ``group_ids[scale]``          ``(C,)`` int in ``0 .. G-1``
:func:`tile_channels`    any per-channel array         ``(N * C, ...)``: value of ``c``
=======================  ============================  ===================================

Tokens are **time-major** (BaRISTA's layout): token ``n = t * C + c`` holds
patch ``t`` of channel ``c``, i.e. ``[all C channels at patch 0, all C channels
at patch 1, ...]``; so ``patch_index = [0]*C + [1]*C + ...`` and
``channel_index = [0, 1, ..., C-1] * N``. The rotary position of a token is its
``patch_index`` (shared by the channels of a patch, restarting at 0 in each
segment); its spatial embedding is that of channel ``channel_index[n]``; its
masking group is ``group_ids[scale][channel_index[n]]``. Leading dimensions
(segments, batch) are kept as they are; segments with different channel counts
are separate arrays. Spectrogram front-ends (BrainBERT) have their own layout,
documented in their module.

Spatial indices and groups
--------------------------
* ``"channel"``: integer MNI152 grid coordinates ``(L, I, P)`` in ``[0, 200)``
  (:func:`ieegrep.preprocessing.vocabulary.grid_coordinates`), for three
  200-row tables whose rows are summed; ``-1`` for channels without a position.
  Groups: one per channel, ``0 .. C-1`` in channel order (the channel is the
  masking unit, also when two contacts share a 1 mm voxel or lack a position).
* ``"parcel"``: row of the channel's Destrieux label in a
  :class:`~ieegrep.preprocessing.vocabulary.SpatialVocabulary` (default
  :meth:`~ieegrep.preprocessing.vocabulary.SpatialVocabulary.parcels`); row 0
  is ``"Unknown"``.
* ``"lobe"``: row of the channel's hemisphere and lobe (default
  :meth:`~ieegrep.preprocessing.vocabulary.SpatialVocabulary.lobes`).

For the parcel and lobe scales, channels with the same row share a group, and
groups are numbered ``0, 1, ...`` in order of first appearance along the
channels. This is the convention of BaRISTA's ``group_ids`` (checked against
its reference outputs). Unknown channels (row 0) form one group together by
default, as in BaRISTA; ``unknown_groups="separate"`` gives each its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..atlas import DEFAULT_RADIUS_MM, ECOG_RADIUS_MM, Atlas
from ..atlas.lobes import UNKNOWN
from ..atlas.spaces import Space, resolve_space, to_mni152
from ..bids import Recording
from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose
from .vocabulary import GRID_SIZE, SpatialVocabulary, _grid

__all__ = [
    "PATCH_SECONDS",
    "SCALES",
    "Patches",
    "RegionTokens",
    "patch_samples",
    "patch",
    "unpatch",
    "zscore_segments",
    "tile_channels",
    "group_ids",
    "region_tokens",
]

#: Patch length of BaRISTA, seconds (512 samples at 2048 Hz).
PATCH_SECONDS = 0.25
#: The spatial scales, finest first.
SCALES = ("channel", "parcel", "lobe")
_SCALE_ALIASES = {
    "channel": "channel",
    "channels": "channel",
    "coords": "channel",
    "parcel": "parcel",
    "parcels": "parcel",
    "destrieux": "parcel",
    "lobe": "lobe",
    "lobes": "lobe",
}
_REMAINDERS = ("error", "drop")
_UNKNOWN_GROUPS = ("shared", "separate")
# constant up to rounding: std below this fraction of the channel's largest |value|
_FLAT_RTOL = 1e-10


# --------------------------------------------------------------------- patches
def patch_samples(sfreq: float, patch_s: float = PATCH_SECONDS) -> int:
    """Return the number of samples in one patch.

    Parameters
    ----------
    sfreq : float
        Sampling frequency, Hz.
    patch_s : float
        Patch length, seconds (default 0.25, BaRISTA's).

    Returns
    -------
    n_samples : int
        ``patch_s * sfreq`` rounded to the nearest integer, halves up: 512 at
        2048 Hz, 250 at 1000 Hz.
    """
    for name, value in (("sfreq", sfreq), ("patch_s", patch_s)):
        ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
        if not ok or not np.isfinite(value) or value <= 0:
            raise InvalidParameterError(
                f"{name} must be a positive number.",
                field=name,
                value=value,
                fix="Pass e.g. sfreq=2048.0 (Hz) and patch_s=0.25 (s).",
            )
    n_samples = int(math.floor(float(patch_s) * float(sfreq) + 0.5))
    if n_samples < 1:
        raise InvalidParameterError(
            "A patch must hold at least one sample.",
            field="patch_s",
            value=patch_s,
            fix=f"Use a patch of at least {1 / float(sfreq):g} s at {float(sfreq):g} Hz.",
        )
    return n_samples


class Patches(NamedTuple):
    """Patches in time-major token order, as returned by :func:`patch`.

    Attributes
    ----------
    patches : ndarray | torch.Tensor, shape (..., n_patches * n_channels, patch_samples)
        Token ``n = t * n_channels + c`` is patch ``t`` of channel ``c``.
    patch_index : ndarray of int64, shape (n_patches * n_channels,)
        ``t`` of each token (its rotary position).
    channel_index : ndarray of int64, shape (n_patches * n_channels,)
        ``c`` of each token.
    """

    patches: np.ndarray
    patch_index: np.ndarray
    channel_index: np.ndarray


def _is_torch(data) -> bool:
    return type(data).__module__.split(".")[0] == "torch"


def patch(data, sfreq: float, patch_s: float = PATCH_SECONDS, *, remainder: str = "error"):
    """Cut segments into non-overlapping patches, in BaRISTA's time-major token order.

    Parameters
    ----------
    data : array-like | torch.Tensor, shape (..., n_channels, n_times)
        Segments (e.g. ``(n_segments, n_channels, n_times)``). A torch tensor
        stays a tensor (on its device); anything else becomes a NumPy array.
    sfreq : float
        Sampling frequency, Hz.
    patch_s : float
        Patch length, seconds (default 0.25: 512 samples at 2048 Hz; see
        :func:`patch_samples`).
    remainder : ``"error"`` | ``"drop"``
        What to do when ``n_times`` is not a multiple of the patch length:
        raise (default) or drop the samples after the last whole patch.

    Returns
    -------
    patches : ndarray | torch.Tensor, shape (..., n_patches * n_channels, patch_samples)
        ``patches[..., t * n_channels + c, :]`` is
        ``data[..., c, t * patch_samples:(t + 1) * patch_samples]``.
    patch_index : ndarray of int64, shape (n_patches * n_channels,)
        Patch ``t`` of each token.
    channel_index : ndarray of int64, shape (n_patches * n_channels,)
        Channel ``c`` of each token.

    See Also
    --------
    unpatch : the inverse.

    Examples
    --------
    >>> x = np.arange(2 * 8).reshape(2, 8)  # 2 channels, 8 samples
    >>> tokens, t, c = patch(x, sfreq=16, patch_s=0.25)  # 4-sample patches
    >>> tokens.tolist()
    [[0, 1, 2, 3], [8, 9, 10, 11], [4, 5, 6, 7], [12, 13, 14, 15]]
    >>> t.tolist(), c.tolist()
    ([0, 0, 1, 1], [0, 1, 0, 1])
    """
    n_samples = patch_samples(sfreq, patch_s)
    if remainder not in _REMAINDERS:
        raise InvalidParameterError(
            "Invalid value for remainder.",
            field="remainder",
            value=remainder,
            fix="Use 'error' (n_times must be a multiple of the patch length) or 'drop'.",
        )
    x = data if _is_torch(data) else np.asarray(data)
    if x.ndim < 2:
        raise InvalidParameterError(
            "Data must have shape (..., n_channels, n_times).",
            field="data",
            value=tuple(x.shape),
            fix="Add a channel axis, e.g. data[None] for one channel.",
        )
    n_channels, n_times = int(x.shape[-2]), int(x.shape[-1])
    n_patches, rest = divmod(n_times, n_samples)
    if rest and remainder == "error":
        raise InvalidParameterError(
            f"n_times ({n_times}) is not a multiple of the patch length ({n_samples} samples "
            f"= {patch_s:g} s at {float(sfreq):g} Hz).",
            field="data",
            value=tuple(x.shape),
            fix=f"Cut segments of a multiple of {n_samples} samples (e.g. 3 s = "
            f"{12 * n_samples} samples for 12 patches), or pass remainder='drop'.",
        )
    if n_patches == 0:
        raise InvalidParameterError(
            f"Segments of {n_times} samples are shorter than one patch ({n_samples} samples).",
            field="data",
            value=tuple(x.shape),
            fix="Use longer segments or a shorter patch_s.",
        )
    x = x[..., : n_patches * n_samples]
    lead = tuple(x.shape[:-2])
    tokens = x.reshape(*lead, n_channels, n_patches, n_samples).swapaxes(-3, -2)
    tokens = tokens.reshape(*lead, n_patches * n_channels, n_samples)
    patch_index = np.repeat(np.arange(n_patches, dtype=np.int64), n_channels)
    channel_index = np.tile(np.arange(n_channels, dtype=np.int64), n_patches)
    return Patches(tokens, patch_index, channel_index)


def unpatch(patches, n_channels: int):
    """Put time-major patches back into continuous channels (inverse of :func:`patch`).

    Parameters
    ----------
    patches : array-like | torch.Tensor, shape (..., n_patches * n_channels, patch_samples)
        Tokens in time-major order (e.g. a reconstruction).
    n_channels : int
        Number of channels ``C``.

    Returns
    -------
    data : ndarray | torch.Tensor, shape (..., n_channels, n_patches * patch_samples)
        The patches laid back end to end along time, same type as the input.
    """
    x = patches if _is_torch(patches) else np.asarray(patches)
    if not isinstance(n_channels, (int, np.integer)) or n_channels < 1:
        raise InvalidParameterError(
            "n_channels must be a positive integer.",
            field="n_channels",
            value=n_channels,
            fix="Pass the number of channels of the segment.",
        )
    if x.ndim < 2 or x.shape[-2] % n_channels:
        raise InvalidParameterError(
            "The token axis is not a multiple of n_channels.",
            field="patches",
            value=tuple(x.shape),
            fix="Pass patches of shape (..., n_patches * n_channels, patch_samples).",
        )
    n_patches, n_samples = int(x.shape[-2]) // n_channels, int(x.shape[-1])
    lead = tuple(x.shape[:-2])
    data = x.reshape(*lead, n_patches, n_channels, n_samples).swapaxes(-3, -2)
    return data.reshape(*lead, n_channels, n_patches * n_samples)


def zscore_segments(data) -> np.ndarray:
    """Z-score each channel of each segment over time (BaRISTA's normalisation).

    Parameters
    ----------
    data : array-like, shape (..., n_channels, n_times)
        Segments.

    Returns
    -------
    zscored : ndarray, shape (..., n_channels, n_times)
        ``(x - mean) / std`` over the last axis, per segment and channel, with
        the population standard deviation (``ddof=0``, like scikit-learn's
        ``StandardScaler``). Computed in float64 and returned in the input's
        floating dtype (float64 for integer input). A channel whose standard
        deviation is 0, or below ``1e-10`` times its largest absolute value
        (constant up to rounding: flat or disconnected), is returned as zeros.
        NaN propagate to the whole channel of that segment.
    """
    x = np.asarray(data)
    if x.ndim < 1 or x.shape[-1] == 0:
        raise InvalidParameterError(
            "Data must have shape (..., n_channels, n_times) with n_times > 0.",
            field="data",
            value=x.shape,
            fix="Pass segments as an array with time on the last axis.",
        )
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    x64 = x.astype(np.float64, copy=False)
    mean = x64.mean(axis=-1, keepdims=True)
    centred = x64 - mean
    std = np.sqrt(np.mean(centred**2, axis=-1, keepdims=True))
    scale = np.abs(x64).max(axis=-1, keepdims=True)
    flat = (std == 0) | (std <= _FLAT_RTOL * scale)
    out = np.where(flat, 0.0, centred / np.where(flat, 1.0, std))
    return out.astype(dtype, copy=False)


def tile_channels(values, n_patches: int) -> np.ndarray:
    """Repeat per-channel values for every token of the time-major layout.

    Parameters
    ----------
    values : array-like, shape (n_channels, ...)
        One value (or row) per channel: group ids, spatial indices, ...
    n_patches : int
        Patches per channel.

    Returns
    -------
    per_token : ndarray, shape (n_patches * n_channels, ...)
        ``per_token[t * n_channels + c] == values[c]``.
    """
    values = np.asarray(values)
    if not isinstance(n_patches, (int, np.integer)) or n_patches < 1 or values.ndim < 1:
        raise InvalidParameterError(
            "tile_channels needs per-channel values and a positive number of patches.",
            field="n_patches" if values.ndim else "values",
            value=n_patches if values.ndim else values.shape,
            fix="Pass values of shape (n_channels, ...) and n_patches >= 1.",
        )
    return np.tile(values, (int(n_patches),) + (1,) * (values.ndim - 1))


def _check_unknown_groups(unknown_groups):
    if unknown_groups not in _UNKNOWN_GROUPS:
        raise InvalidParameterError(
            "Invalid value for unknown_groups.",
            field="unknown_groups",
            value=unknown_groups,
            fix="Use 'shared' (Unknown channels masked together) or 'separate'.",
        )


def group_ids(index, *, unknown_groups: str = "shared", unknown_row: int = 0) -> np.ndarray:
    """Masking groups from spatial indices: equal index, same group.

    Parameters
    ----------
    index : array-like of int, shape (n_channels,) or (n_channels, k)
        Spatial index of each channel (a vocabulary row, or a row of ``k``
        components such as ``(L, I, P)``).
    unknown_groups : ``"shared"`` | ``"separate"``
        Whether channels at ``unknown_row`` share one group (default, as in
        BaRISTA) or each get their own. Only for 1-D ``index``.
    unknown_row : int
        The Unknown row (default 0).

    Returns
    -------
    ids : ndarray of int64, shape (n_channels,)
        Group of each channel, numbered ``0, 1, ...`` in order of first
        appearance along the channels.

    Examples
    --------
    >>> group_ids([4, 92, 4]).tolist()
    [0, 1, 0]
    >>> group_ids([0, 7, 0], unknown_groups="separate").tolist()
    [0, 1, 2]
    """
    _check_unknown_groups(unknown_groups)
    rows = np.asarray(index)
    if rows.ndim not in (1, 2):
        raise InvalidParameterError(
            "Spatial indices must have shape (n_channels,) or (n_channels, k).",
            field="index",
            value=rows.shape,
            fix="Pass one index (or one row of indices) per channel.",
        )
    seen: dict = {}
    ids = np.empty(len(rows), dtype=np.int64)
    next_id = 0
    for i, row in enumerate(rows):
        key = tuple(np.atleast_1d(row).tolist())
        separate = unknown_groups == "separate" and rows.ndim == 1 and key[0] == unknown_row
        if separate or key not in seen:
            if not separate:
                seen[key] = next_id
            ids[i] = next_id
            next_id += 1
        else:
            ids[i] = seen[key]
    return ids


# --------------------------------------------------------------- region tokens
@dataclass(eq=False)
class RegionTokens:
    """Spatial indices and masking groups of a recording's channels, per scale.

    Made by :func:`region_tokens`. Every per-channel array follows
    :attr:`channel_names`, which is the channel order the signal must have.

    Attributes
    ----------
    channel_names : list of str
        The channels, in order.
    spatial_index : dict of str to ndarray of int64
        Per scale: ``"channel"`` ``(C, 3)`` ``(L, I, P)`` grid coordinates (``-1``
        without a position); ``"parcel"``/``"lobe"`` ``(C,)`` rows of
        :attr:`vocabularies` (0 = ``"Unknown"``).
    group_ids : dict of str to ndarray of int64
        Per scale, ``(C,)`` masking group of each channel, ``0 .. G-1`` in order
        of first appearance.
    labels : dict of str to ndarray of str
        Per scale, ``(C,)`` the vocabulary label of each channel's row
        (``"L,I,P"`` text for the channel scale, ``"Unknown"`` when missing).
    vocabularies : dict of str to SpatialVocabulary
        The vocabularies used for ``"parcel"`` and ``"lobe"``.
    unknown : dict of str to list of str, default {}
        Per scale, the channels at row 0 (channel scale: without a position).
    unmatched : dict of str to dict of str to str, default {}
        Per scale, channel → label for labels that found no row of the
        vocabulary (a subset of :attr:`unknown`).
    provenance : dict, default {}
        Where the labels came from: ``source`` (``"recording"``, ``"table"``
        or ``"arrays"``), ``atlas`` (atlas of the region labels),
        ``parcel_source`` (per channel: ``"given"``, ``"region column"``,
        ``"atlas lookup"``, ``"region label"`` or ``"none"``), ``lobe_source``,
        ``radius_mm``, ``ecog_radius_mm``, ``grid_clipped`` (channels whose
        position was clipped to the grid) and ``unknown_groups``.
    """

    channel_names: list
    spatial_index: dict
    group_ids: dict
    labels: dict
    vocabularies: dict
    unknown: dict = field(default_factory=dict)
    unmatched: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    @property
    def scales(self) -> tuple:
        """Scales present, in the order asked for."""
        return tuple(self.spatial_index)

    @property
    def n_channels(self) -> int:
        """Number of channels ``C``."""
        return len(self.channel_names)

    def n_groups(self, scale: str) -> int:
        """Count the masking groups at a scale.

        Parameters
        ----------
        scale : str
            ``"channel"``, ``"parcel"`` or ``"lobe"``.

        Returns
        -------
        n_groups : int
            Number of distinct masking groups (channels, parcels or lobes) present.
        """
        ids = self.group_ids[self._scale(scale)]
        return int(ids.max()) + 1 if len(ids) else 0

    def table_size(self, scale: str) -> int:
        """Return the rows of the embedding table(s) that a scale's indices address.

        Parameters
        ----------
        scale : str
            ``"channel"`` (200 per component), ``"parcel"`` or ``"lobe"``.

        Returns
        -------
        n_rows : int
            Size of the embedding table the scale's spatial indices must fit.
        """
        scale = self._scale(scale)
        return GRID_SIZE if scale == "channel" else len(self.vocabularies[scale])

    def per_token(self, scale: str, n_patches: int, what: str = "group_ids") -> np.ndarray:
        """Group ids or spatial indices of every token of the time-major layout.

        Parameters
        ----------
        scale : str
            ``"channel"``, ``"parcel"`` or ``"lobe"``.
        n_patches : int
            Patches per channel.
        what : ``"group_ids"`` | ``"spatial_index"``, default 'group_ids'
            Which per-channel array to expand.

        Returns
        -------
        per_token : ndarray, shape (n_patches * n_channels, ...)
            ``per_token[t * C + c]`` is channel ``c``'s value.
        """
        if what not in ("group_ids", "spatial_index"):
            raise InvalidParameterError(
                "Invalid value for what.",
                field="what",
                value=what,
                fix="Use 'group_ids' or 'spatial_index'.",
            )
        return tile_channels(getattr(self, what)[self._scale(scale)], n_patches)

    def to_frame(self) -> pd.DataFrame:
        """One row per channel: ``name`` and, per scale, index, label and group columns.

        Returns
        -------
        table : pandas.DataFrame
            Columns ``name``; ``grid_L``, ``grid_I``, ``grid_P``,
            ``channel_group`` (channel scale); ``<scale>_index``,
            ``<scale>_label``, ``<scale>_group`` (parcel, lobe).
        """
        table = pd.DataFrame({"name": self.channel_names})
        for scale in self.scales:
            index = self.spatial_index[scale]
            if scale == "channel":
                for k, axis in enumerate("LIP"):
                    table[f"grid_{axis}"] = index[:, k]
            else:
                table[f"{scale}_index"] = index
                table[f"{scale}_label"] = self.labels[scale]
            table[f"{scale}_group"] = self.group_ids[scale]
        return table

    def __repr__(self) -> str:
        parts = []
        for scale in self.scales:
            size = "" if scale == "channel" else f"/{self.table_size(scale)} rows"
            parts.append(
                f"{scale}: {self.n_groups(scale)} groups{size}, "
                f"{len(self.unknown.get(scale, []))} unknown"
            )
        return f"<RegionTokens | {self.n_channels} channels; " + "; ".join(parts) + ">"

    def _scale(self, scale):
        key = _SCALE_ALIASES.get(str(scale).lower())
        if key not in self.spatial_index:
            raise InvalidParameterError(
                "This scale was not computed.",
                field="scale",
                value=scale,
                fix=f"Use one of {', '.join(repr(s) for s in self.scales)}.",
            )
        return key


@dataclass
class _Channels:
    names: list
    mni: np.ndarray
    regions: np.ndarray | None
    lobes: np.ndarray | None
    parcels: np.ndarray | None
    hemispheres: np.ndarray
    types: np.ndarray
    atlas: str | None
    radius: float
    ecog_radius: float
    source: str


def _is_destrieux(name) -> bool:
    text = str(name or "").lower()
    return "destrieux" in text or "a2009s" in text


def _column(table: pd.DataFrame, name: str):
    if name not in table.columns:
        return None
    return table[name].to_numpy(dtype=object)


def _from_table(table, provenance, source, radius, ecog_radius, atlas) -> _Channels:
    if "name" not in table.columns:
        raise InvalidParameterError(
            "The electrode table has no 'name' column.",
            field="name",
            value=list(table.columns),
            fix="Pass Recording.electrodes, or a table with name, region, hemisphere, "
            "mni152_x/y/z (and optionally channel_type) columns.",
        )
    n = len(table)
    mni_columns = ["mni152_x", "mni152_y", "mni152_z"]
    if all(c in table.columns for c in mni_columns):
        mni = table[mni_columns].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    else:
        mni = np.full((n, 3), np.nan)
    types = _column(table, "channel_type")
    hemispheres = _column(table, "hemisphere")
    return _Channels(
        names=[str(v) for v in table["name"]],
        mni=mni,
        regions=_column(table, "region"),
        lobes=_column(table, "lobe"),
        parcels=None,
        hemispheres=np.full(n, None, object) if hemispheres is None else hemispheres,
        types=np.full(n, "seeg", object) if types is None else types,
        atlas=atlas if atlas is not None else provenance.get("atlas"),
        radius=radius if radius is not None else provenance.get("radius_mm", DEFAULT_RADIUS_MM),
        ecog_radius=ecog_radius
        if ecog_radius is not None
        else provenance.get("ecog_radius_mm", ECOG_RADIUS_MM),
        source=source,
    )


def _labels_array(values, field_name, n):
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    array = np.asarray(list(values), dtype=object)
    if array.ndim != 1 or (n is not None and len(array) != n):
        raise InvalidParameterError(
            "Per-channel labels must be one-dimensional, one per channel.",
            field=field_name,
            value=f"shape {array.shape}" + (f", expected ({n},)" if n is not None else ""),
            fix="Pass one label per channel, in channel order.",
        )
    return array


def _from_arrays(
    names, coords_mm, parcels, regions, hemispheres, channel_types, space, radius, ecog_radius
) -> _Channels:
    sizes = {}
    if coords_mm is not None:
        coords = np.asarray(coords_mm, dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 3:
            raise InvalidParameterError(
                "Coordinates must have shape (n_channels, 3).",
                field="coords_mm",
                value=coords.shape,
                fix="Pass one row of x, y, z (mm) per channel.",
            )
        sizes["coords_mm"] = len(coords)
    arrays = {}
    for key, values in (
        ("names", names),
        ("parcels", parcels),
        ("regions", regions),
        ("hemispheres", hemispheres),
        ("channel_types", channel_types),
    ):
        arrays[key] = _labels_array(values, key, None)
        if arrays[key] is not None:
            sizes[key] = len(arrays[key])
    if not sizes:
        raise InvalidParameterError(
            "Nothing to make region tokens from.",
            field="source",
            value=None,
            fix="Pass a Recording, an electrode table, or arrays (coords_mm=, parcels=, "
            "regions=, names=).",
        )
    if len(set(sizes.values())) > 1:
        raise InvalidParameterError(
            "Per-channel arrays have different lengths.",
            field=", ".join(sizes),
            value=sizes,
            fix="Give every array one entry per channel, in the same order.",
        )
    n = next(iter(sizes.values()))
    if coords_mm is None:
        mni = np.full((n, 3), np.nan)
    else:
        found = space if isinstance(space, Space) else resolve_space(str(space))
        if not found.is_template:
            raise InvalidParameterError(
                "Coordinates must be in a template space (MNI152, MNI305/fsaverage).",
                field="space",
                value=getattr(space, "name", space),
                fix="Pass space='MNI152' (or 'MNI152NLin2009cAsym', 'fsaverage', ...).",
            )
        mni = to_mni152(coords, found)
    names = arrays["names"]
    return _Channels(
        names=[f"ch{i}" for i in range(n)] if names is None else [str(v) for v in names],
        mni=mni,
        regions=arrays["regions"],
        lobes=None,
        parcels=arrays["parcels"],
        hemispheres=np.full(n, None, object)
        if arrays["hemispheres"] is None
        else arrays["hemispheres"],
        types=np.full(n, "seeg", object)
        if arrays["channel_types"] is None
        else arrays["channel_types"],
        atlas="destrieux" if arrays["parcels"] is not None else None,
        radius=DEFAULT_RADIUS_MM if radius is None else radius,
        ecog_radius=ECOG_RADIUS_MM if ecog_radius is None else ecog_radius,
        source="arrays",
    )


def _pick(channels: _Channels, picks) -> _Channels:
    if picks is None:
        return channels
    picks = [picks] if isinstance(picks, str) else list(picks)
    position = {name: i for i, name in enumerate(channels.names)}
    missing = [p for p in picks if p not in position]
    if missing:
        raise InvalidParameterError(
            "Picked channels are not in the recording.",
            field="picks",
            value=missing[:20],
            fix="Pick names from the electrode table's 'name' column.",
        )
    order = np.array([position[p] for p in picks], dtype=int)

    def take(values):
        return None if values is None else values[order]

    return _Channels(
        names=[channels.names[i] for i in order],
        mni=channels.mni[order] if len(order) else channels.mni[:0],
        regions=take(channels.regions),
        lobes=take(channels.lobes),
        parcels=take(channels.parcels),
        hemispheres=take(channels.hemispheres),
        types=take(channels.types),
        atlas=channels.atlas,
        radius=channels.radius,
        ecog_radius=channels.ecog_radius,
        source=channels.source,
    )


def _parcel_labels(channels: _Channels, vocabulary: SpatialVocabulary):
    """Destrieux label and its source for each channel."""
    n = len(channels.names)
    labels = np.full(n, UNKNOWN, dtype=object)
    source = np.full(n, "none", dtype=object)
    if channels.parcels is not None:
        return channels.parcels.copy(), np.full(n, "given", dtype=object)
    if channels.regions is not None and _is_destrieux(channels.atlas):
        return channels.regions.copy(), np.full(n, "region column", dtype=object)
    located = np.isfinite(channels.mni).all(axis=1)
    if located.any():
        found = Atlas.load("destrieux").lookup_contacts(
            channels.mni[located],
            channels.types[located],
            "MNI152",
            radius=channels.radius,
            ecog_radius=channels.ecog_radius,
        )
        region = found["region"].to_numpy(dtype=object)
        labels[located] = region
        source[located] = "atlas lookup"
    if channels.regions is not None and (~located).any():
        # no position: keep the labels the parcel vocabulary shares with the
        # recording's atlas (the FreeSurfer aseg structures of DK and Destrieux)
        rest = np.flatnonzero(~located)
        sides = [None] * len(rest)
        rows, _ = vocabulary._resolve(list(channels.regions[rest]), sides)
        keep = rest[rows > 0]
        labels[keep] = channels.regions[keep]
        source[keep] = "region label"
    return labels, source


def _resolve_vocabularies(vocabularies) -> dict:
    out = {}
    given = dict(vocabularies or {})
    for key, value in given.items():
        scale = _SCALE_ALIASES.get(str(key).lower())
        if scale not in ("parcel", "lobe") or not isinstance(value, SpatialVocabulary):
            raise InvalidParameterError(
                "vocabularies maps 'parcel' and/or 'lobe' to a SpatialVocabulary.",
                field=f"vocabularies[{key!r}]",
                value=type(value).__name__,
                fix="Pass e.g. vocabularies={'parcel': SpatialVocabulary.parcels()}.",
            )
        out[scale] = value
    return out


def _report(scale, names, rows_or_missing, unmatched_mask, labels):
    unknown = [n for n, flag in zip(names, rows_or_missing) if flag]
    unmatched = {names[i]: str(labels[i]) for i in np.flatnonzero(unmatched_mask)}
    if unknown:
        logger.info("%s scale: %d of %d channel(s) Unknown", scale, len(unknown), len(names))
    if unmatched:
        shown = ", ".join(f"{k}: {v!r}" for k, v in list(unmatched.items())[:10])
        logger.warning(
            "%s scale: %d label(s) are not in the vocabulary and were given row 0 (Unknown): %s",
            scale,
            len(unmatched),
            shown,
        )
    return unknown, unmatched


@verbose
def region_tokens(
    source=None,
    *,
    scales: Sequence[str] = SCALES,
    vocabularies: Mapping[str, SpatialVocabulary] | None = None,
    picks=None,
    atlas: str | None = None,
    names=None,
    coords_mm=None,
    parcels=None,
    regions=None,
    hemispheres=None,
    channel_types=None,
    space="MNI152",
    radius: float | None = None,
    ecog_radius: float | None = None,
    unknown_groups: str = "shared",
    verbose=None,
) -> RegionTokens:
    """Spatial index and masking groups of every channel, at each spatial scale.

    Parameters
    ----------
    source : Recording | pandas.DataFrame | None, default None
        A :class:`~ieegrep.bids.Recording`, or an electrode table with its
        columns (``name``; optionally ``region``, ``lobe``, ``hemisphere``,
        ``mni152_x/y/z`` in mm, ``channel_type``), such as
        ``Recording.electrodes``. ``None``: build from the arrays below.
    scales : sequence of str
        Any of ``"channel"``, ``"parcel"``, ``"lobe"`` (BaRISTA's names
        ``"coords"``, ``"destrieux"``, ``"lobes"`` are accepted), in the order
        wanted (default all three).
    vocabularies : dict | None, default None
        ``{"parcel": SpatialVocabulary, "lobe": SpatialVocabulary}``, either or
        both; missing ones are the open defaults
        :meth:`SpatialVocabulary.parcels` and :meth:`SpatialVocabulary.lobes`.
        Pass a model's stored vocabularies to index new recordings for it.
    picks : sequence of str | None
        Channel names to keep, in this order (default: every row of the table,
        i.e. every iEEG channel of the recording in ``raw`` order). Use it to
        match the channels of the signal, e.g. without bad channels.
    atlas : str | None
        Atlas of the ``region`` labels. Default: the recording's
        ``provenance["atlas"]`` (for a table, ``table.attrs["ieegrep"]``).
    names : sequence of str | None
        Arrays mode: channel names (default ``"ch0"``, ``"ch1"``, ...).
    coords_mm : array-like, shape (n_channels, 3) | None, default None
        Arrays mode: positions in mm in ``space`` (NaN rows when unknown).
    parcels : sequence of str | None
        Arrays mode: Destrieux labels (default: looked up from ``coords_mm``).
    regions : sequence of str | None
        Arrays mode: region labels of any atlas (or lobe labels such as
        ``"Left-temporal"``) for the lobe scale (default: the parcels).
    hemispheres : sequence of str | None, default None
        Arrays mode: ``"L"``/``"R"`` per channel, for labels without a hemisphere.
    channel_types : sequence of str | None
        Arrays mode: ``"seeg"``, ``"ecog"`` or ``"dbs"`` per channel (default
        ``"seeg"``); ECoG contacts take the nearest cortical parcel.
    space : str
        Arrays mode: space of ``coords_mm`` (default ``"MNI152"``; MNI305 and
        fsaverage are mapped to MNI152).
    radius : float | None
        Search radius (mm) for depth contacts on an unlabelled voxel. Default:
        the recording's (``provenance["radius_mm"]``), else
        :data:`ieegrep.atlas.DEFAULT_RADIUS_MM` (3 mm).
    ecog_radius : float | None
        Search radius (mm) of the nearest cortical parcel for ECoG contacts.
        Default: the recording's, else :data:`ieegrep.bids.ECOG_RADIUS_MM` (10 mm).
    unknown_groups : ``"shared"`` | ``"separate"``
        Whether Unknown channels form one masking group (default, BaRISTA's
        behaviour) or one each, at the parcel and lobe scales.
    verbose : bool | str | int | None, default None
        Log level. Unknown channels are logged at INFO, labels missing from a
        vocabulary at WARNING.

    Returns
    -------
    tokens : RegionTokens
        ``spatial_index``, ``group_ids``, ``labels`` per scale, the
        vocabularies, the Unknown and unmatched channels, and the provenance.

    Notes
    -----
    Where each scale's label comes from:

    * **channel**: the MNI152 position (``mni152_x/y/z``, or ``coords_mm``),
      binned by :func:`~ieegrep.preprocessing.vocabulary.grid_coordinates`.
    * **parcel** (Destrieux): ``parcels`` if given; the ``region`` column if
      the recording's atlas is Destrieux; otherwise the bundled Destrieux atlas
      at the MNI152 position, with the rules of :func:`ieegrep.bids.load_recording`
      (depth contacts: any label within ``radius``; ECoG: nearest cortical
      parcel within ``ecog_radius``); channels without a position keep a
      ``region`` label only if it is one of the parcel vocabulary (the FreeSurfer
      deep structures shared by DK and Destrieux); the rest are Unknown.
    * **lobe**: the ``region`` label (any atlas; Desikan-Killiany by default, as
      BaRISTA uses), else the ``lobe`` column, else the parcel; its hemisphere
      is the label's own, else the ``hemisphere`` column.

    Examples
    --------
    >>> tok = region_tokens(coords_mm=[[-62, -22, 4], [-25, -20, -14]], names=["A1", "B1"])
    >>> tok.labels["parcel"].tolist()
    ['ctx_lh_G_temp_sup-Plan_tempo', 'Left-Hippocampus']
    >>> tok.labels["lobe"].tolist()
    ['Left-temporal', 'Left-hippocampus']
    """
    wanted = []
    for scale in [scales] if isinstance(scales, str) else list(scales):
        key = _SCALE_ALIASES.get(str(scale).lower())
        if key is None:
            raise InvalidParameterError(
                "Unknown spatial scale.",
                field="scales",
                value=scale,
                fix=f"Use any of {', '.join(repr(s) for s in SCALES)}.",
            )
        if key not in wanted:
            wanted.append(key)
    if not wanted:
        raise InvalidParameterError(
            "No spatial scale asked for.",
            field="scales",
            value=scales,
            fix="Pass e.g. scales=('channel', 'parcel', 'lobe').",
        )
    _check_unknown_groups(unknown_groups)
    vocabs = _resolve_vocabularies(vocabularies)
    arrays_given = [
        k
        for k, v in (
            ("names", names),
            ("coords_mm", coords_mm),
            ("parcels", parcels),
            ("regions", regions),
            ("hemispheres", hemispheres),
            ("channel_types", channel_types),
        )
        if v is not None
    ]
    if isinstance(source, Recording):
        channels = _from_table(
            source.electrodes, source.provenance, "recording", radius, ecog_radius, atlas
        )
    elif isinstance(source, pd.DataFrame):
        provenance = source.attrs.get("ieegrep", {})
        channels = _from_table(source, provenance, "table", radius, ecog_radius, atlas)
    elif source is None:
        channels = _from_arrays(
            names,
            coords_mm,
            parcels,
            regions,
            hemispheres,
            channel_types,
            space,
            radius,
            ecog_radius,
        )
    else:
        raise InvalidParameterError(
            "region_tokens reads a Recording, an electrode table or arrays.",
            field="source",
            value=type(source).__name__,
            fix="Pass ieegrep.bids.load_recording(...), Recording.electrodes, or source=None "
            "with coords_mm=/parcels=/regions=.",
        )
    if source is not None and arrays_given:
        raise InvalidParameterError(
            "Per-channel arrays are only read when source is None.",
            field=", ".join(arrays_given),
            value=type(source).__name__,
            fix="Pass either a Recording/table or arrays; use picks= to select channels.",
        )
    channels = _pick(channels, picks)
    names_out = channels.names
    n = len(names_out)

    spatial, groups, labels, unknown, unmatched = {}, {}, {}, {}, {}
    provenance = {
        "source": channels.source,
        "atlas": channels.atlas,
        "radius_mm": float(channels.radius),
        "ecog_radius_mm": float(channels.ecog_radius),
        "unknown_groups": unknown_groups,
    }
    parcel_labels = None
    for scale in wanted:
        if scale == "channel":
            grid, missing, clipped = _grid(channels.mni.reshape(-1, 3))
            spatial[scale] = grid
            groups[scale] = np.arange(n, dtype=np.int64)
            labels[scale] = np.array(
                [UNKNOWN if m else f"{g[0]},{g[1]},{g[2]}" for g, m in zip(grid.tolist(), missing)],
                dtype=object,
            )
            unknown[scale], unmatched[scale] = _report(
                scale, names_out, missing, np.zeros(n, bool), labels[scale]
            )
            provenance["grid_clipped"] = [names_out[i] for i in np.flatnonzero(clipped)]
            if clipped.any():
                logger.info(
                    "channel scale: %d position(s) outside the grid, clipped to [0, %d]",
                    int(clipped.sum()),
                    GRID_SIZE - 1,
                )
            continue
        vocabulary = vocabs.setdefault(
            scale, SpatialVocabulary.parcels() if scale == "parcel" else SpatialVocabulary.lobes()
        )
        if scale == "parcel" or (
            scale == "lobe" and channels.regions is None and channels.lobes is None
        ):
            if parcel_labels is None:
                parcel_vocab = vocabs.get("parcel") or SpatialVocabulary.parcels()
                parcel_labels, parcel_source = _parcel_labels(channels, parcel_vocab)
                provenance["parcel_source"] = parcel_source.tolist()
        if scale == "parcel":
            source_labels = parcel_labels
        elif channels.regions is not None:
            source_labels = channels.regions
            provenance["lobe_source"] = "region column"
        elif channels.lobes is not None:
            source_labels = channels.lobes
            provenance["lobe_source"] = "lobe column"
        else:
            source_labels = parcel_labels
            provenance["lobe_source"] = "parcel"
        sides = vocabulary._sides(list(channels.hemispheres), n)
        rows, no_row = vocabulary._resolve(list(source_labels), sides)
        spatial[scale] = rows
        groups[scale] = group_ids(rows, unknown_groups=unknown_groups)
        labels[scale] = np.array([vocabulary.labels[r] for r in rows], dtype=object)
        unknown[scale], unmatched[scale] = _report(
            scale, names_out, rows == 0, no_row, source_labels
        )
    missing_scale = [s for s in ("parcel", "lobe") if s in vocabs and s not in wanted]
    for scale in missing_scale:
        vocabs.pop(scale)
    return RegionTokens(
        channel_names=list(names_out),
        spatial_index=spatial,
        group_ids=groups,
        labels=labels,
        vocabularies=vocabs,
        unknown=unknown,
        unmatched=unmatched,
        provenance=provenance,
    )
