"""Coordinate spaces: which ones map onto the bundled MNI152 atlases, and how.

iEEG-BIDS names the space of ``electrodes.tsv`` in ``coordsystem.json``
(``iEEGCoordinateSystem``) and in the ``space-`` entity of the file name.
ieegrep sorts every space into one of four families:

``MNI152``
    The MNI152 templates (``MNI152Lin``, ``MNI152NLin6ASym``, ``MNI152NLin6Sym``,
    ``MNI152NLin2009[abc][Sym|Asym]``, SPM's ``IXI549Space``). They differ from one
    another by a few millimetres at most, so they are used directly with the
    bundled MNI152 volumes.
``MNI305``
    ``MNI305`` and FreeSurfer's ``fsaverage`` (whose RAS coordinates are MNI305),
    mapped to MNI152 with the standard affine published by FreeSurfer
    (:data:`MNI305_TO_MNI152`).
``subject``
    The patient's own space (``ACPC``, ``ScanRAS``, ``fsnative``, ``Other``): only
    a FreeSurfer segmentation of that patient can label it, see
    :meth:`ieegrep.atlas.Atlas.from_freesurfer`.
``unsupported``
    Everything else (``Talairach``, ``Pixels``, EEG digitiser spaces, ...).

``Other`` is ambiguous in practice: datasets write ``iEEGCoordinateSystem:
"Other"`` with a ``space-mni`` file name for template coordinates. ieegrep
then reads the ``space-`` label and the description: ``mni``/``mni152`` →
MNI152, ``mni305``/``fsaverage`` → MNI305, and says so in the provenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["MNI305_TO_MNI152", "Space", "resolve_space", "to_mni152", "SPACE_PREFERENCE"]

#: FreeSurfer's MNI305 → MNI152 affine (FreeSurfer wiki, "CoordinateSystems").
MNI305_TO_MNI152 = np.array(
    [
        [0.9975, -0.0073, 0.0176, -0.0429],
        [0.0146, 1.0009, -0.0024, 1.5496],
        [-0.0130, -0.0093, 0.9971, 1.1840],
        [0.0, 0.0, 0.0, 1.0],
    ]
)

_MNI152 = re.compile(r"^(mni152.*|ixi549space|mni|mni_?tal(airach)?|icbm152.*)$", re.IGNORECASE)
_MNI305 = re.compile(r"^(mni305|fsaverage\d?(sym)?)$", re.IGNORECASE)
_SUBJECT = re.compile(
    r"^(subject|acpc|scanras|fsnative|other|individual|native|t1w?|ct)$", re.IGNORECASE
)

#: Order in which electrode files of one recording are chosen when several spaces exist:
#: MNI152 first, then MNI305/fsaverage, then the patient's own space, then the rest.
SPACE_PREFERENCE = ("MNI152", "MNI305", "subject", "unsupported")


@dataclass(frozen=True)
class Space:
    """A coordinate space as ieegrep understands it.

    Attributes
    ----------
    name : str
        The name as written in the dataset (``"MNI152NLin2009cAsym"``, ``"mni"``).
    family : str
        ``"MNI152"``, ``"MNI305"``, ``"subject"`` or ``"unsupported"``.
    transform : str
        How coordinates reach the atlas: ``"identity"``, ``"MNI305->MNI152 affine"``,
        ``"subject segmentation"`` or ``"none"``.
    note : str, default ''
        Why this family was chosen, when it was inferred rather than read.
    """

    name: str
    family: str
    transform: str
    note: str = ""

    @property
    def is_template(self) -> bool:
        """True for spaces the bundled MNI152 atlases can label."""
        return self.family in ("MNI152", "MNI305")


def _family(token: str | None) -> str | None:
    if not token:
        return None
    token = token.strip()
    if _MNI152.match(token):
        return "MNI152"
    if _MNI305.match(token):
        return "MNI305"
    if _SUBJECT.match(token):
        return "subject"
    return None


_TRANSFORMS = {
    "MNI152": "identity",
    "MNI305": "MNI305->MNI152 affine",
    "subject": "subject segmentation",
    "unsupported": "none",
}


def resolve_space(
    coordinate_system: str | None,
    space_entity: str | None = None,
    description: str | None = None,
) -> Space:
    """Sort a dataset's coordinate system into a space family.

    Parameters
    ----------
    coordinate_system : str | None
        ``iEEGCoordinateSystem`` from ``coordsystem.json`` (or a space name given
        by the user, e.g. ``"MNI152NLin2009cAsym"`` or ``"fsaverage"``).
    space_entity : str | None, default None
        The ``space-`` label of the file name, used when the coordinate system is
        ``Other`` or missing.
    description : str | None, default None
        ``iEEGCoordinateSystemDescription``, also read when the system is ``Other``.

    Returns
    -------
    space : Space
        The space's name, family (``"MNI152"``, ``"MNI305"``, ``"subject"`` or
        ``None`` when unsupported) and the transform to MNI152, if any.
    """
    name = coordinate_system or space_entity or "n/a"
    family = _family(coordinate_system)
    note = ""
    if family in (None, "subject") and (coordinate_system or "").lower() in ("other", "", "n/a"):
        hint = _family(space_entity)
        if hint in ("MNI152", "MNI305"):
            family = hint
            note = (
                f"iEEGCoordinateSystem is {coordinate_system!r}; the file name says "
                f"space-{space_entity}, read as {hint}"
            )
            name = space_entity
        elif description:
            text = description.lower()
            if "mni305" in text or "fsaverage" in text:
                family, note = "MNI305", "read as MNI305 from iEEGCoordinateSystemDescription"
            elif "mni" in text and "talairach" not in text:
                family, note = "MNI152", "read as MNI152 from iEEGCoordinateSystemDescription"
        if family is None:
            family = "subject"
    if family is None:
        family = "unsupported"
    return Space(name=name, family=family, transform=_TRANSFORMS[family], note=note)


def to_mni152(coords_mm, space: Space) -> np.ndarray:
    """Bring template coordinates (mm, RAS) to MNI152.

    Parameters
    ----------
    coords_mm : array-like, shape (n, 3)
        Coordinates in millimetres.
    space : Space
        Their space; must be of the ``MNI152`` or ``MNI305`` family.

    Returns
    -------
    coords : ndarray, shape (n, 3)
        MNI152 coordinates in millimetres (NaN rows stay NaN).
    """
    coords = np.asarray(coords_mm, dtype=float).reshape(-1, 3)
    if space.family == "MNI152":
        return coords.copy()
    if space.family == "MNI305":
        return coords @ MNI305_TO_MNI152[:3, :3].T + MNI305_TO_MNI152[:3, 3]
    raise ValueError(f"{space.name!r} ({space.family}) is not a template space")
