"""Open spatial vocabularies for region tokens: parcels, lobes and a coordinate grid.

A BaRISTA-style encoder adds to every token of a channel a learned embedding of
where the channel is, at one of three spatial scales (see
:mod:`ieegrep.preprocessing.tokens`). This module turns anatomy into the integer
indices of those embedding tables.

Parcel and lobe scales: :class:`SpatialVocabulary`
    An ordered label → row mapping. Row 0 is always ``"Unknown"``, the padding
    row (BaRISTA keeps it at zero); anything that cannot be matched lands there,
    never raising. The default vocabularies are built from the atlases bundled
    with ieegrep, so they are open-world: every label of those atlases has a row,
    instead of the closed list of labels that happen to occur in the Brain
    Treebank.

    * :meth:`SpatialVocabulary.parcels` (190 rows): ``"Unknown"``, then every
      label of the bundled Destrieux atlas (148 cortical parcels, both
      hemispheres, and the 41 FreeSurfer ``aseg`` structures it contains: deep
      nuclei, hippocampus, amygdala, white matter, corpus callosum, ventricles,
      CSF, vessels, ...), in increasing FreeSurfer colour-table index (``aseg``
      first, then ``ctx_lh_*``, then ``ctx_rh_*``). FreeSurfer's indices are
      stable across versions, so the order is too.
    * :meth:`SpatialVocabulary.lobes` (40 rows): ``"Unknown"``, then for each
      value of :data:`ieegrep.atlas.LOBES` in that order (frontal, parietal,
      temporal, occipital, cingulate, insula, the deep structures, white matter,
      ventricles) a ``"Left-<lobe>"`` and a ``"Right-<lobe>"`` row, followed by
      a bare ``"<lobe>"`` *midline* row for the lobes that have labels without a
      hemisphere in the bundled atlases (``brainstem``; ``white-matter``: corpus
      callosum, WM hypointensities; ``ventricle``: 3rd/4th ventricles, CSF).

Label matching
    Labels are compared after :func:`normalise_label`: upper case, and runs of
    ``-``, ``.`` and white space replaced by ``_``. FreeSurfer spellings
    (``ctx_lh_G_temp_sup-Lateral``, ``Left-Inf-Lat-Vent``) and BaRISTA's enum
    spellings (``CTX_LH_G_TEMP_SUP_LATERAL``, ``LEFT_INF_LAT_VENT``) therefore
    find the same row. ``None``, NaN, ``""``, ``"n/a"`` and ``"Unknown"`` map to
    row 0 silently; any other label that finds no row also maps to row 0 and is
    counted and logged as *unmatched*. A lobe vocabulary also accepts region
    labels of any atlas (Desikan-Killiany, Destrieux, ``aseg``), which it maps
    through :func:`ieegrep.atlas.lobe_of` and :func:`ieegrep.atlas.hemisphere_of`.

Channel scale: :func:`grid_coordinates`
    Integer volumetric coordinates ``(L, I, P)`` in ``[0, 200)``, one 1 mm bin per
    index, as BaRISTA's three 200-row coordinate tables expect::

        L = floor(100.5 - x)           # increases to the Left
        I = floor(100.5 - (z - 18))    # increases Inferior
        P = floor(100.5 - (y + 18))    # increases Posterior

    with ``(x, y, z)`` the MNI152 position in mm (RAS). ``floor(v + 0.5)`` is
    rounding to the nearest integer, halves up. The centre ``(0, -18, 18)`` mm
    of the MNI152 template's bounding box (x -90..90, y -126..90, z -72..108)
    lands on ``(100, 100, 100)``, so the grid covers x in (-99.5, 100.5],
    y in (-117.5, 82.5] and z in (-81.5, 118.5] mm, which holds the whole brain
    with at least 9 mm to spare. Positions outside are clipped to 0 or 199 (and
    logged); channels without a position get :data:`MISSING_GRID_INDEX` (-1) in
    all three columns.

    BaRISTA reads its ``(L, I, P)`` from each patient's own voxel grid, so its
    indices are not comparable across patients; these come from the MNI152
    position and are.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

from ..atlas import LOBES, Atlas, hemisphere_of, lobe_of
from ..atlas.lobes import UNKNOWN, normalise_hemisphere
from ..exceptions import InvalidParameterError
from ..verbosity import logger

__all__ = [
    "SpatialVocabulary",
    "normalise_label",
    "grid_coordinates",
    "GRID_SIZE",
    "GRID_CENTRE_MM",
    "MISSING_GRID_INDEX",
]

#: Rows of each of the three coordinate tables of the channel scale (BaRISTA: 200).
GRID_SIZE = 200
#: MNI152 position (mm, RAS) that falls on grid index ``(100, 100, 100)``.
GRID_CENTRE_MM = (0.0, -18.0, 18.0)
#: Grid index of channels without a position (all three columns).
MISSING_GRID_INDEX = -1

_SCALES = ("parcel", "lobe", "custom")
_FORMAT = "ieegrep.SpatialVocabulary"
_FORMAT_VERSION = 1
_UNKNOWN_KEY = "UNKNOWN"
_MISSING_TEXT = {"", "N/A", "NA", "NAN", "NONE", "NULL", _UNKNOWN_KEY}
_SIDE_WORD = {"L": "Left", "R": "Right"}
# FreeSurfer renamed Thalamus-Proper to Thalamus (v7); the bundled atlases use the old name.
_PARCEL_ALIASES = {
    "Left-Thalamus": "Left-Thalamus-Proper",
    "Right-Thalamus": "Right-Thalamus-Proper",
}


def normalise_label(label) -> str:
    """Normalise a region label for matching: upper case, ``-``/``.``/spaces as ``_``.

    Parameters
    ----------
    label : str | None | float
        A region label in any spelling (FreeSurfer, BaRISTA, ...).

    Returns
    -------
    key : str
        The normalised label. Missing values (``None``, NaN, ``""``, ``"n/a"``)
        and ``"Unknown"`` in any case give ``"UNKNOWN"``.

    Examples
    --------
    >>> normalise_label("ctx_lh_G_temp_sup-Lateral")
    'CTX_LH_G_TEMP_SUP_LATERAL'
    >>> normalise_label("n/a")
    'UNKNOWN'
    """
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return _UNKNOWN_KEY
    key = re.sub(r"[-.\s]+", "_", str(label).strip()).strip("_").upper()
    return _UNKNOWN_KEY if key in _MISSING_TEXT else key


class SpatialVocabulary:
    """An ordered, serialisable label → row mapping for one spatial scale.

    Row 0 is always ``"Unknown"``, the padding row; every label that cannot be
    matched maps there. Build the bundled open vocabularies with
    :meth:`parcels` and :meth:`lobes`, a custom one (e.g. the rows of released
    BaRISTA weights) with :meth:`from_labels`, and a stored one with
    :meth:`from_dict` / :meth:`from_json`.

    Parameters
    ----------
    labels : sequence of str
        The row labels in row order. If the first label is not ``"Unknown"``
        (in any spelling), ``"Unknown"`` is put in front, so row ``i`` of the
        given list becomes row ``i + 1``.
    scale : ``"parcel"`` | ``"lobe"`` | ``"custom"``
        How labels that are not rows are resolved (default ``"custom"``: only
        exact matches after normalisation, and ``aliases``). ``"parcel"`` also
        tries a bare parcel name with the channel's hemisphere
        (``"G_front_sup"`` + ``"L"`` → ``ctx_lh_G_front_sup``). ``"lobe"`` maps
        region labels of any atlas to ``"<Side>-<lobe>"`` with
        :func:`~ieegrep.atlas.lobe_of` and :func:`~ieegrep.atlas.hemisphere_of`.
    name : str | None, default None
        A name kept with the vocabulary (provenance).
    aliases : dict of str to str | None, default None
        Other spellings: alias → one of ``labels``.

    Attributes
    ----------
    labels : list of str
        Row labels, ``labels[0] == "Unknown"``.
    scale : str
        As given.
    name : str | None
        As given.
    aliases : dict of str to str
        As given.

    Notes
    -----
    Resolution of one label, in order: missing/``"Unknown"`` → 0; a bare lobe
    name with a known hemisphere (lobe scale) → ``"<Side>-<lobe>"``; a row label
    or alias → its row; the scale's own rule (see ``scale``); else row 0,
    counted as *unmatched*. A hemisphere written in the label always wins over
    the ``hemispheres`` argument of :meth:`index`.
    """

    def __init__(self, labels, *, scale: str = "custom", name: str | None = None, aliases=None):
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__iter__"):
            raise InvalidParameterError(
                "Vocabulary labels must be a sequence of strings.",
                field="labels",
                value=labels,
                fix="Pass a list of region names, e.g. ['Left-Hippocampus', 'ctx_lh_G_front_sup'].",
            )
        labels = [str(label) for label in labels]
        if scale not in _SCALES:
            raise InvalidParameterError(
                "Unknown vocabulary scale.",
                field="scale",
                value=scale,
                fix=f"Use one of {', '.join(repr(s) for s in _SCALES)}.",
            )
        keys = [normalise_label(label) for label in labels]
        if not keys or keys[0] != _UNKNOWN_KEY:
            labels, keys = [UNKNOWN] + labels, [_UNKNOWN_KEY] + keys
        else:
            labels[0] = UNKNOWN
        if _UNKNOWN_KEY in keys[1:]:
            raise InvalidParameterError(
                "'Unknown' (or a missing value) may only be row 0 of a vocabulary.",
                field="labels",
                value=labels[keys.index(_UNKNOWN_KEY, 1)],
                fix="Remove it from the labels; row 0 is added for you.",
            )
        duplicated = sorted({k for k, n in Counter(keys).items() if n > 1})
        if duplicated:
            raise InvalidParameterError(
                "Vocabulary labels are not unique after normalisation (upper case, '-' as '_').",
                field="labels",
                value=duplicated,
                fix="Give each region one row; list other spellings in aliases=.",
            )
        self.labels = labels
        self.scale = scale
        self.name = name
        self._rows = {key: row for row, key in enumerate(keys)}
        self.aliases = {}
        for alias, target in dict(aliases or {}).items():
            target_key = normalise_label(target)
            if target_key not in self._rows:
                raise InvalidParameterError(
                    "An alias points to a label that is not in the vocabulary.",
                    field=f"aliases[{alias!r}]",
                    value=target,
                    fix="Point each alias at one of the vocabulary's labels.",
                )
            self.aliases[str(alias)] = str(target)
            self._rows.setdefault(normalise_label(alias), self._rows[target_key])
        self._bare_lobes = {normalise_label(lobe): lobe for lobe in LOBES if lobe != UNKNOWN}

    # ------------------------------------------------------------ construction
    @classmethod
    def from_labels(
        cls, labels, *, scale: str = "custom", name: str | None = None, aliases=None
    ) -> SpatialVocabulary:
        """Build a vocabulary from an ordered list of labels.

        Parameters
        ----------
        labels : sequence of str
            Row labels in row order; ``"Unknown"`` is put first if absent.
        scale : ``"parcel"`` | ``"lobe"`` | ``"custom"``, default "custom"
            Resolution rule for labels that are not rows (see the class).
        name : str | None, default None
            A name kept with the vocabulary.
        aliases : dict of str to str | None, default None
            Other spellings, alias → label.

        Returns
        -------
        vocabulary : SpatialVocabulary

        Examples
        --------
        BaRISTA's released lobe table, whose rows are hemisphere-specific lobes:

        >>> rows = ["LEFT_AMYGDALA", "RIGHT_AMYGDALA", "LEFT_HIPPOCAMPUS", "RIGHT_HIPPOCAMPUS",
        ...         "LEFT_FRONTAL", "RIGHT_FRONTAL"]
        >>> vocab = SpatialVocabulary.from_labels(rows, scale="lobe")
        >>> vocab.index(["ctx-rh-superiorfrontal", "Left-Amygdala", "Brain-Stem"]).tolist()
        [6, 1, 0]
        """
        return cls(labels, scale=scale, name=name, aliases=aliases)

    @classmethod
    def from_atlas(cls, atlas, *, scale: str = "parcel", aliases=None) -> SpatialVocabulary:
        """Every label of an atlas, in increasing label index, after ``"Unknown"``.

        Parameters
        ----------
        atlas : str | ieegrep.atlas.Atlas
            A bundled atlas name (see :func:`ieegrep.atlas.available_atlases`) or
            an :class:`~ieegrep.atlas.Atlas`.
        scale : ``"parcel"`` | ``"custom"``, default "parcel"
            Resolution rule.
        aliases : dict of str to str | None, default None
            Other spellings, alias → label.

        Returns
        -------
        vocabulary : SpatialVocabulary
            Named ``"parcels:<atlas name>"``.
        """
        atlas = atlas if isinstance(atlas, Atlas) else Atlas.load(atlas)
        labels = [atlas.labels[i] for i in sorted(atlas.labels) if i and atlas.labels[i]]
        labels = [label for label in labels if normalise_label(label) != _UNKNOWN_KEY]
        return cls(labels, scale=scale, name=f"parcels:{atlas.name}", aliases=aliases)

    @classmethod
    def parcels(cls) -> SpatialVocabulary:
        """Build the open parcel vocabulary: ``"Unknown"`` + every bundled Destrieux label.

        Returns
        -------
        vocabulary : SpatialVocabulary
            190 rows: row 0 ``"Unknown"``, then the 189 labels of
            ``Atlas.load("destrieux")`` in increasing FreeSurfer colour-table
            index (41 ``aseg`` structures, 74 ``ctx_lh_*``, 74 ``ctx_rh_*``).
            ``Left-Thalamus``/``Right-Thalamus`` (FreeSurfer 7) are aliases of
            ``*-Thalamus-Proper``.
        """
        return cls.from_atlas("destrieux", scale="parcel", aliases=_PARCEL_ALIASES)

    @classmethod
    def lobes(cls) -> SpatialVocabulary:
        """Build the open lobe vocabulary: every (hemisphere, lobe) of :data:`ieegrep.atlas.LOBES`.

        Returns
        -------
        vocabulary : SpatialVocabulary
            40 rows: row 0 ``"Unknown"``; then, for each lobe of ``LOBES`` in
            order, ``"Left-<lobe>"``, ``"Right-<lobe>"`` and, for lobes that
            have labels without a hemisphere in the bundled atlases
            (``brainstem``, ``white-matter``, ``ventricle``), a midline row
            ``"<lobe>"``. Region labels without a hemisphere go to the midline
            row when there is one; a lobe that has no midline row needs a
            hemisphere, from the label or the ``hemispheres`` argument of
            :meth:`index`.
        """
        midline = set()
        for atlas_name in ("destrieux", "desikan-killiany"):
            for label in Atlas.load(atlas_name).names:
                if hemisphere_of(label) is None and lobe_of(label) != UNKNOWN:
                    midline.add(lobe_of(label))
        labels = []
        for lobe in LOBES:
            if lobe == UNKNOWN:
                continue
            labels += [f"Left-{lobe}", f"Right-{lobe}"] + ([lobe] if lobe in midline else [])
        return cls(labels, scale="lobe", name="lobes:ieegrep")

    # ---------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        """Describe the vocabulary in JSON-compatible form, to store with a trained model.

        Returns
        -------
        data : dict
            ``format``, ``version``, ``name``, ``scale``, ``labels`` (row
            order, ``"Unknown"`` first), ``aliases`` and ``sha256`` (of the
            normalised labels, see :attr:`fingerprint`).
        """
        return {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "name": self.name,
            "scale": self.scale,
            "labels": list(self.labels),
            "aliases": dict(self.aliases),
            "sha256": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: dict) -> SpatialVocabulary:
        """Rebuild a vocabulary from :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            As made by :meth:`to_dict`.

        Returns
        -------
        vocabulary : SpatialVocabulary
        """
        if not isinstance(data, dict) or data.get("format") != _FORMAT or "labels" not in data:
            raise InvalidParameterError(
                "This is not a stored SpatialVocabulary.",
                field="data",
                value=type(data).__name__ if not isinstance(data, dict) else data.get("format"),
                fix=f"Pass the dict made by SpatialVocabulary.to_dict() (format {_FORMAT!r}).",
            )
        version = data.get("version", 1)
        if not isinstance(version, int) or version > _FORMAT_VERSION:
            raise InvalidParameterError(
                "The stored vocabulary has an unknown format version.",
                field="version",
                value=version,
                fix=f"Versions up to {_FORMAT_VERSION} are read; upgrade ieegrep for newer ones.",
            )
        vocabulary = cls(
            data["labels"],
            scale=data.get("scale", "custom"),
            name=data.get("name"),
            aliases=data.get("aliases"),
        )
        stored = data.get("sha256")
        if stored is not None and stored != vocabulary.fingerprint:
            raise InvalidParameterError(
                "The stored vocabulary's checksum does not match its labels.",
                field="sha256",
                value=stored,
                fix="The labels were edited or corrupted; store the vocabulary again.",
            )
        return vocabulary

    def to_json(self, fname=None) -> str:
        """Serialise to JSON, and write it to ``fname`` if given.

        Parameters
        ----------
        fname : path-like | None, default None
            File to write (overwritten).

        Returns
        -------
        text : str
            The JSON text.
        """
        text = json.dumps(self.to_dict(), indent=1)
        if fname is not None:
            Path(fname).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source) -> SpatialVocabulary:
        """Read a vocabulary written by :meth:`to_json`.

        Parameters
        ----------
        source : str | path-like
            JSON text, or the path of a file holding it.

        Returns
        -------
        vocabulary : SpatialVocabulary
        """
        text = str(source)
        if not text.lstrip().startswith("{"):
            path = Path(source)
            if not path.is_file():
                raise InvalidParameterError(
                    "Vocabulary file not found.",
                    field="source",
                    value=str(source),
                    fix="Pass the JSON text or the path of a file written by to_json().",
                )
            text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidParameterError(
                f"The vocabulary is not valid JSON ({err}).",
                field="source",
                value=text[:80],
                fix="Pass the text written by SpatialVocabulary.to_json().",
            ) from err
        return cls.from_dict(data)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the normalised row labels: equal fingerprints, same rows."""
        keys = "\n".join(normalise_label(label) for label in self.labels)
        return hashlib.sha256(keys.encode("utf-8")).hexdigest()

    # ---------------------------------------------------------------- queries
    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, row: int) -> str:
        return self.labels[row]

    def __iter__(self):
        return iter(self.labels)

    def __contains__(self, label) -> bool:
        return normalise_label(label) in self._rows

    def __eq__(self, other) -> bool:
        if not isinstance(other, SpatialVocabulary):
            return NotImplemented
        return (self.scale, self.labels, self.aliases) == (other.scale, other.labels, other.aliases)

    def __hash__(self) -> int:
        return hash((self.scale, self.fingerprint))

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"<SpatialVocabulary{name} | {self.scale}, {len(self)} rows>"

    def index(self, labels, hemispheres=None, *, return_unmatched: bool = False):
        """Row of each label; ``0`` (``"Unknown"``) when there is none.

        Parameters
        ----------
        labels : str | sequence of str
            Region labels in any spelling (see :func:`normalise_label`).
        hemispheres : sequence of str | None, default None
            Hemisphere of each label (``"L"``/``"R"``/``"left"``/``"lh"``/...,
            anything else for unknown), used only for labels that do not name
            one themselves: a bare lobe name (``"temporal"``), a bare parcel
            name, or a region label of a lateral lobe without prefix.
        return_unmatched : bool
            Also return which labels found no row (default False).

        Returns
        -------
        rows : ndarray of int64, shape (n_labels,)
            Row of each label (a scalar array for a single string).
        unmatched : ndarray of bool, shape (n_labels,)
            Only if ``return_unmatched``: True where a label that is not missing
            or ``"Unknown"`` found no row (it is given row 0). Unmatched labels
            are also logged (level INFO).
        """
        scalar = isinstance(labels, str)
        items = [labels] if scalar else list(np.asarray(labels, dtype=object).ravel())
        sides = self._sides(hemispheres, len(items))
        rows, unmatched = self._resolve(items, sides)
        if unmatched.any():
            counts = Counter(str(items[i]) for i in np.flatnonzero(unmatched))
            logger.info(
                "%d label(s) not in the %s vocabulary, given row 0 (Unknown): %s",
                int(unmatched.sum()),
                self.name or self.scale,
                ", ".join(f"{k!r} x{n}" for k, n in counts.most_common(10)),
            )
        if scalar:
            rows, unmatched = rows[0], unmatched[0]
        return (rows, unmatched) if return_unmatched else rows

    def label_of(self, rows) -> list[str]:
        """Labels of rows (the inverse of :meth:`index`).

        Parameters
        ----------
        rows : int | sequence of int
            Row numbers in ``[0, len(self))``.

        Returns
        -------
        labels : list of str
            The label of each row index, in the order given.
        """
        values = np.atleast_1d(np.asarray(rows))
        if values.size and (
            not np.issubdtype(values.dtype, np.integer)
            or values.min() < 0
            or values.max() >= len(self)
        ):
            raise InvalidParameterError(
                "Rows must be integers in [0, len(vocabulary)).",
                field="rows",
                value=values[:10].tolist(),
                fix=f"This vocabulary has {len(self)} rows.",
            )
        return [self.labels[int(r)] for r in values]

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _sides(hemispheres, n):
        if hemispheres is None:
            return [None] * n
        if isinstance(hemispheres, str):
            hemispheres = [hemispheres] * n
        values = list(np.asarray(hemispheres, dtype=object).ravel())
        if len(values) != n:
            raise InvalidParameterError(
                "There must be one hemisphere per label.",
                field="hemispheres",
                value=f"{len(values)} hemispheres for {n} labels",
                fix="Pass a sequence as long as the labels, or None.",
            )
        return [normalise_hemisphere(v) for v in values]

    def _resolve(self, items, sides):
        rows = np.zeros(len(items), dtype=np.int64)
        unmatched = np.zeros(len(items), dtype=bool)
        for i, (label, side) in enumerate(zip(items, sides)):
            key = normalise_label(label)
            if key == _UNKNOWN_KEY:
                continue
            row = self._row(label, key, side)
            if row is None:
                unmatched[i] = True
            else:
                rows[i] = row
        return rows, unmatched

    def _row(self, label, key, side):
        if self.scale == "lobe" and key in self._bare_lobes and side is not None:
            found = self._rows.get(normalise_label(f"{_SIDE_WORD[side]}-{self._bare_lobes[key]}"))
            if found is not None:
                return found
        if key in self._rows:
            return self._rows[key]
        if self.scale == "parcel" and side is not None:
            prefix = "CTX_LH_" if side == "L" else "CTX_RH_"
            word = _SIDE_WORD[side].upper() + "_"
            for candidate in (prefix + key, word + key):
                if candidate in self._rows:
                    return self._rows[candidate]
        if self.scale == "lobe":
            lobe = lobe_of(str(label))
            if lobe == UNKNOWN:
                return None
            own = hemisphere_of(str(label))
            midline = normalise_label(lobe)
            if own is None and midline in self._rows:
                return self._rows[midline]
            side = own or side
            if side is None:
                return None
            return self._rows.get(normalise_label(f"{_SIDE_WORD[side]}-{lobe}"))
        return None


def _grid(coords_mm):
    """Grid indices, plus masks of missing and clipped rows."""
    coords = np.asarray(coords_mm, dtype=float)
    if coords.ndim != 2 or coords.shape[1] != 3:
        raise InvalidParameterError(
            "Coordinates must have shape (n_channels, 3).",
            field="coords_mm",
            value=coords.shape,
            fix="Pass one row of MNI152 x, y, z (mm) per channel.",
        )
    centre = np.asarray(GRID_CENTRE_MM)
    half = GRID_SIZE // 2
    # columns L, I, P from x, z, y: each increases opposite to RAS
    offset = coords[:, [0, 2, 1]] - centre[[0, 2, 1]]
    missing = ~np.isfinite(coords).all(axis=1)
    with np.errstate(invalid="ignore"):
        raw = np.floor(half - offset + 0.5)
    raw[missing] = 0
    clipped = ((raw < 0) | (raw > GRID_SIZE - 1)).any(axis=1) & ~missing
    grid = np.clip(raw, 0, GRID_SIZE - 1).astype(np.int64)
    grid[missing] = MISSING_GRID_INDEX
    return grid, missing, clipped


def grid_coordinates(coords_mm) -> np.ndarray:
    """Integer ``(L, I, P)`` grid coordinates of MNI152 positions (the channel scale).

    Parameters
    ----------
    coords_mm : array-like, shape (n_channels, 3)
        MNI152 positions in mm (RAS: x to the right, y anterior, z superior);
        NaN rows for channels without a position.

    Returns
    -------
    grid : ndarray of int64, shape (n_channels, 3)
        Columns ``L = floor(100.5 - x)``, ``I = floor(100.5 - (z - 18))`` and
        ``P = floor(100.5 - (y + 18))``, clipped to ``[0, 199]``: 1 mm bins
        increasing to the Left, Inferior and Posterior, with the MNI152 point
        ``(0, -18, 18)`` at ``(100, 100, 100)``. Rows without a position are
        :data:`MISSING_GRID_INDEX` (-1).

    Notes
    -----
    The numbers of clipped and missing rows are logged (level INFO).

    Examples
    --------
    >>> grid_coordinates([[0, -18, 18], [-58.4, -20, 6], [np.nan] * 3]).tolist()
    [[100, 100, 100], [158, 112, 102], [-1, -1, -1]]
    """
    grid, missing, clipped = _grid(coords_mm)
    if missing.any() or clipped.any():
        logger.info(
            "Grid coordinates: %d position(s) missing (index %d), %d clipped to [0, %d]",
            int(missing.sum()),
            MISSING_GRID_INDEX,
            int(clipped.sum()),
            GRID_SIZE - 1,
        )
    return grid
