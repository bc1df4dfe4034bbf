"""The electrode table: ``electrodes.tsv`` aligned to the channels, with shafts and regions.

``electrodes.tsv`` is read here rather than through mne-bids, because mne-bids
keeps only positions (not the other columns, such as atlas labels) and cannot
explain a malformed table.
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import mne
import numpy as np
import pandas as pd
from mne_bids import BIDSPath
from mne_bids.path import get_entities_from_fname

from ..atlas import ECOG_RADIUS_MM, Atlas
from ..atlas.lobes import UNKNOWN, hemisphere_of, lobe_of, normalise_hemisphere
from ..atlas.spaces import SPACE_PREFERENCE, Space, resolve_space, to_mni152
from ..electrodes import parse_contact_names
from ..exceptions import (
    CoordinateSystemError,
    ElectrodeMismatchWarning,
    ElectrodesFileError,
    MissingCoordinatesWarning,
    MissingElectrodesWarning,
    RegionColumnWarning,
    SidecarWarning,
    SuspiciousCoordinatesWarning,
    UnsupportedSpaceWarning,
)
from ..verbosity import logger, warn
from .sidecars import _read_json, _read_tsv

__all__ = ["IEEG_CHANNEL_TYPES", "ECOG_RADIUS_MM", "ieeg_picks"]


#: MNE channel types that are intracranial recordings.
IEEG_CHANNEL_TYPES = ("seeg", "ecog", "dbs")

_UNITS_TO_MM = {"m": 1000.0, "cm": 10.0, "mm": 1.0}


_REGION_COLUMNS = {
    "desikan-killiany": (
        "desikan_killiany",
        "desikankilliany",
        "dk",
        "aparc",
        "aparc_aseg",
        "desikan",
        "dk_atlas",
        "desikan_killiany_atlas",
    ),
    "destrieux": ("destrieux", "aparc_a2009s", "a2009s", "aparc_a2009s_aseg", "destrieux_atlas"),
}

_ADDED_COLUMNS = (
    "channel_type",
    "bad",
    "space",
    "shaft",
    "contact",
    "hemisphere",
    "region",
    "lobe",
    "region_distance_mm",
    "mni152_x",
    "mni152_y",
    "mni152_z",
)


def ieeg_picks(raw) -> list[int]:
    """Return the indices of the intracranial channels (sEEG, ECoG, DBS) of ``raw``.

    Parameters
    ----------
    raw : mne.io.Raw
        Any MNE object with ``get_channel_types()``.

    Returns
    -------
    picks : list of int
        Indices of the channels typed ``seeg``, ``ecog`` or ``dbs``, in order.
    """
    return [i for i, t in enumerate(raw.get_channel_types()) if t in IEEG_CHANNEL_TYPES]


@dataclass
class _ElectrodeFile:
    path: Path
    coordsystem: Path | None
    space_label: str | None
    specificity: int


def _electrode_files(bids_path: BIDSPath) -> list[_ElectrodeFile]:
    """All electrodes.tsv files that apply to the recording, one per space."""
    subject_dir = Path(bids_path.root) / f"sub-{bids_path.subject}"
    wanted = {"session": bids_path.session, "acquisition": bids_path.acquisition}
    candidates = {}
    for path in sorted(subject_dir.rglob("*_electrodes.tsv")):
        if path.parent.name not in (
            "ieeg",
            f"sub-{bids_path.subject}",
        ) and not path.parent.name.startswith("ses-"):
            continue
        entities = get_entities_from_fname(path.name, on_error="ignore")
        if entities.get("subject") != bids_path.subject:
            continue
        if any(entities.get(k) not in (None, v) for k, v in wanted.items()):
            continue
        specificity = sum(entities.get(k) is not None for k in wanted)
        space = entities.get("space")
        if space not in candidates or specificity > candidates[space].specificity:
            coordsystem = path.with_name(path.name.replace("_electrodes.tsv", "_coordsystem.json"))
            if not coordsystem.exists():
                same_space = sorted(
                    path.parent.glob(
                        f"sub-{bids_path.subject}*{'_space-' + space if space else ''}_coordsystem.json"
                    )
                )
                coordsystem = same_space[0] if same_space else None
            candidates[space] = _ElectrodeFile(path, coordsystem, space, specificity)
    return list(candidates.values())


def _space_of(item: _ElectrodeFile) -> tuple[Space, dict]:
    if item.coordsystem is None:
        return resolve_space(None, item.space_label), {}
    info = _read_json(item.coordsystem, CoordinateSystemError)
    system = info.get("iEEGCoordinateSystem")
    return (
        resolve_space(system, item.space_label, info.get("iEEGCoordinateSystemDescription")),
        info,
    )


def _choose(files: list[_ElectrodeFile], space: str | None):
    resolved = [(f, *_space_of(f)) for f in files]
    if space is not None:
        chosen = [r for r in resolved if r[0].space_label == space or r[1].name == space]
        if not chosen:
            raise ElectrodesFileError(
                "No electrodes.tsv in the requested space.",
                file=files[0].path.parent,
                field="space",
                value=space,
                fix="Available spaces: "
                + ", ".join(str(r[0].space_label) for r in resolved)
                + ". Pass one of them, or space=None to choose automatically.",
            )
        return chosen[0], resolved

    def rank(item):
        file, sp, _ = item
        return (SPACE_PREFERENCE.index(sp.family), str(file.space_label))

    resolved.sort(key=rank)
    return resolved[0], resolved


def _read_electrodes(path: Path) -> pd.DataFrame:
    table = _read_tsv(path, ElectrodesFileError)
    missing = [c for c in ("name", "x", "y", "z") if c not in table.columns]
    if missing:
        raise ElectrodesFileError(
            "electrodes.tsv lacks required columns.",
            file=path,
            field=", ".join(missing),
            value=list(table.columns),
            fix="electrodes.tsv must have the columns name, x, y, z, size (BIDS).",
        )
    table["name"] = table["name"].str.strip()
    empty = table.index[table["name"] == ""]
    if len(empty):
        raise ElectrodesFileError(
            "An electrode has no name.",
            file=path,
            field=f"name (row {empty[0] + 2})",
            value="",
            fix="Give every electrode the name of its channel.",
        )
    duplicated = sorted(set(table.loc[table["name"].duplicated(), "name"]))
    if duplicated:
        raise ElectrodesFileError(
            "Electrode names are not unique.",
            file=path,
            field="name",
            value=duplicated,
            fix="Each electrode must appear once; remove or rename the repeated rows.",
        )
    for axis in ("x", "y", "z"):
        raw_values = table[axis].str.strip()
        values = pd.to_numeric(
            raw_values.replace({"n/a": np.nan, "": np.nan, "nan": np.nan, "NaN": np.nan}),
            errors="coerce",
        )
        bad = raw_values[values.isna() & ~raw_values.isin(["n/a", "", "nan", "NaN"])]
        if len(bad):
            row = bad.index[0]
            raise ElectrodesFileError(
                "A coordinate is not a number.",
                file=path,
                field=f"{axis} (row {row + 2}, electrode {table.loc[row, 'name']!r})",
                value=bad.iloc[0],
                fix="Write coordinates as plain numbers with a '.' decimal point, or 'n/a' "
                "when unknown.",
            )
        table[axis] = values.astype(float)
    for column in table.columns:  # other numeric columns (size, impedance) as numbers
        if column in ("name", "x", "y", "z"):
            continue
        numeric = pd.to_numeric(table[column].replace({"n/a": np.nan}), errors="coerce")
        if numeric.notna().any() and numeric.notna().sum() == (table[column] != "n/a").sum():
            table[column] = numeric
    return table


def _units_factor(info: dict, coords: np.ndarray, path: Path | None) -> tuple[float | None, str]:
    units = info.get("iEEGCoordinateUnits")
    finite = coords[np.isfinite(coords).all(axis=1)]
    largest = float(np.abs(finite).max()) if len(finite) else 0.0
    if units in _UNITS_TO_MM:
        factor = _UNITS_TO_MM[units]
        if units == "mm" and 0 < largest < 0.5:
            warn(
                SuspiciousCoordinatesWarning(
                    "Coordinates declared in mm are all below 0.5 mm: they look like metres.",
                    file=path,
                    field="iEEGCoordinateUnits",
                    value=units,
                    fix="Set iEEGCoordinateUnits to 'm' if the coordinates are in metres.",
                )
            )
        if units == "m" and largest > 2.0:
            warn(
                SuspiciousCoordinatesWarning(
                    f"Coordinates declared in metres reach {largest:g} m: they look like mm.",
                    file=path,
                    field="iEEGCoordinateUnits",
                    value=units,
                    fix="Set iEEGCoordinateUnits to 'mm' if the coordinates are in millimetres.",
                )
            )
        return factor, units
    if units in (None, "n/a"):
        guess = "m" if largest < 0.5 else "mm"
        warn(
            SidecarWarning(
                f"coordsystem.json gives no iEEGCoordinateUnits; guessed {guess!r} from the "
                "coordinate values.",
                file=path,
                field="iEEGCoordinateUnits",
                value=units,
                fix='Add "iEEGCoordinateUnits": "m" or "mm" to coordsystem.json.',
            )
        )
        return _UNITS_TO_MM[guess], guess
    if units == "pixels":
        return None, units
    raise CoordinateSystemError(
        "Unknown coordinate units.",
        file=path,
        field="iEEGCoordinateUnits",
        value=units,
        fix="Use 'm', 'mm', 'cm' or 'pixels' (BIDS).",
    )


def _region_column(columns, atlas_name: str) -> tuple[str | None, bool]:
    """Find an electrodes.tsv column holding labels of ``atlas_name``; (column, guessed)."""
    keys = {re.sub(r"[-.\s+]+", "_", c.strip()).lower(): c for c in columns}
    for alias in (atlas_name.replace("-", "_"),) + _REGION_COLUMNS.get(atlas_name, ()):
        if alias in keys:
            return keys[alias], False
    close = difflib.get_close_matches(atlas_name.replace("-", "_"), list(keys), n=1, cutoff=0.8)
    if close:
        return keys[close[0]], True
    return None, False


def _find_segmentation(root: Path, subject: str, atlas_name: str) -> Path | None:
    stem = {"desikan-killiany": "aparc+aseg", "destrieux": "aparc.a2009s+aseg"}.get(atlas_name)
    if stem is None:
        return None
    derivatives = Path(root) / "derivatives"
    for pattern in (
        f"freesurfer*/sub-{subject}/mri/{stem}.mgz",
        f"*/sub-{subject}/mri/{stem}.mgz",
        f"freesurfer*/{subject}/mri/{stem}.mgz",
        f"*/sub-{subject}/**/{stem}.mgz",
    ):
        found = sorted(derivatives.glob(pattern))
        if found:
            return found[0]
    return None


def _electrode_table(raw, bids_path, atlas_name, atlas_obj, space, radius, ecog_radius):
    picks = ieeg_picks(raw)
    names = [raw.ch_names[i] for i in picks]
    provenance = {
        "atlas": atlas_name,
        "space": None,
        "space_family": None,
        "transform": "none",
        "space_note": "",
        "radius_mm": float(radius),
        "ecog_radius_mm": float(ecog_radius),
        "region_source": "none",
        "electrodes_file": None,
        "coordsystem_file": None,
        "coordinate_units": None,
        "other_spaces": [],
        "unmatched_electrodes": [],
        "channels_without_position": [],
    }
    files = _electrode_files(bids_path)
    table = pd.DataFrame({"name": names})
    coords_mm = np.full((len(names), 3), np.nan)
    chosen_space = Space("n/a", "unsupported", "none")
    info: dict = {}
    source_file = None
    if not files:
        if names:
            warn(
                MissingElectrodesWarning(
                    "No electrodes.tsv for this recording: every region is 'Unknown'.",
                    file=bids_path.fpath,
                    field="electrodes.tsv",
                    fix=f"Add sub-{bids_path.subject}/ieeg/sub-{bids_path.subject}_space-<space>_"
                    "electrodes.tsv (name, x, y, z, size) with its coordsystem.json.",
                )
            )
    else:
        (chosen, chosen_space, info), resolved = _choose(files, space)
        source_file = chosen.path
        provenance.update(
            space=chosen_space.name,
            space_family=chosen_space.family,
            transform=chosen_space.transform,
            space_note=chosen_space.note,
            electrodes_file=str(chosen.path),
            coordsystem_file=None if chosen.coordsystem is None else str(chosen.coordsystem),
            other_spaces=[str(r[0].space_label) for r in resolved if r[0] is not chosen],
        )
        if len(resolved) > 1:
            logger.info(
                "Several electrode files; using space %s (%s), not %s",
                chosen_space.name,
                chosen.path.name,
                ", ".join(provenance["other_spaces"]),
            )
        if chosen.coordsystem is None:
            warn(
                SidecarWarning(
                    "electrodes.tsv has no coordsystem.json: the coordinate space is unknown.",
                    file=chosen.path,
                    field="coordsystem.json",
                    fix="Add the coordsystem.json (iEEGCoordinateSystem, iEEGCoordinateUnits) "
                    "next to electrodes.tsv.",
                )
            )
        tsv = _read_electrodes(chosen.path)
        table, coords_mm = _align(tsv, names, raw.ch_names, chosen.path, info, provenance)
    table.insert(len(table.columns), "channel_type", [raw.get_channel_types()[i] for i in picks])
    table["bad"] = table["name"].isin(raw.info["bads"])
    table["space"] = chosen_space.name
    _add_shafts(table)
    _add_regions(
        table,
        coords_mm,
        chosen_space,
        atlas_name,
        atlas_obj,
        (radius, ecog_radius),
        bids_path,
        source_file,
        provenance,
    )
    return table, provenance


def _align(tsv, names, all_channels, path, info, provenance):
    """Rows of electrodes.tsv in iEEG-channel order, with coordinates in mm."""
    by_name = {n: i for i, n in enumerate(tsv["name"])}
    relaxed = {re.sub(r"\s+", "", n).upper(): i for i, n in enumerate(tsv["name"])}
    rows, used = [], set()
    for name in names:
        i = by_name.get(name)
        if i is None:
            i = relaxed.get(re.sub(r"\s+", "", name).upper())
            if i is not None:
                logger.info(
                    "Channel %r matched electrode %r ignoring case/spaces", name, tsv["name"][i]
                )
        rows.append(i)
        if i is not None:
            used.add(i)
    others = {re.sub(r"\s+", "", c).upper() for c in all_channels}
    unmatched = [
        n
        for i, n in enumerate(tsv["name"])
        if i not in used and re.sub(r"\s+", "", n).upper() not in others
    ]
    provenance["unmatched_electrodes"] = unmatched
    if unmatched:
        warn(
            ElectrodeMismatchWarning(
                f"{len(unmatched)} electrode(s) match no channel of the recording and are left out.",
                file=path,
                field="name",
                value=unmatched[:20],
                fix="Rename them to the channel names of channels.tsv, or remove the rows.",
            )
        )
    without = [n for n, i in zip(names, rows) if i is None]
    provenance["channels_without_position"] = without
    if without and len(without) < len(names):
        warn(
            ElectrodeMismatchWarning(
                f"{len(without)} iEEG channel(s) have no row in electrodes.tsv; their region is "
                "'Unknown'.",
                file=path,
                field="name",
                value=without[:20],
                fix="Add a row (name, x, y, z) for each, with 'n/a' coordinates if unknown.",
            )
        )
    elif without:
        warn(
            ElectrodeMismatchWarning(
                "No iEEG channel has a row in electrodes.tsv; every region is 'Unknown'.",
                file=path,
                field="name",
                value=list(tsv["name"][:10]),
                fix="electrodes.tsv names must equal the channel names in channels.tsv.",
            )
        )
    aligned = tsv.reindex([-1 if i is None else i for i in rows]).reset_index(drop=True)
    aligned["name"] = names
    for column in [
        c for c in aligned.columns if c in _ADDED_COLUMNS and c not in ("hemisphere", "shaft")
    ]:
        aligned = aligned.rename(columns={column: f"{column}_tsv"})
    coords = aligned[["x", "y", "z"]].to_numpy(float)
    nan_rows = [
        n for n, c, i in zip(names, coords, rows) if i is not None and not np.isfinite(c).all()
    ]
    if nan_rows:
        warn(
            MissingCoordinatesWarning(
                f"{len(nan_rows)} electrode(s) have missing coordinates; their region is "
                "'Unknown' unless an atlas column gives it.",
                file=path,
                field="x, y, z",
                value=nan_rows[:20],
                fix="Fill in the coordinates, or leave 'n/a' if unknown.",
            )
        )
    factor, units = (
        _units_factor(info, coords, path) if info or np.isfinite(coords).any() else (None, None)
    )
    provenance["coordinate_units"] = units
    coords_mm = coords * factor if factor is not None else np.full_like(coords, np.nan)
    return aligned, coords_mm


def _add_shafts(table: pd.DataFrame) -> None:
    parsed = parse_contact_names(table["name"])
    shafts = parsed["shaft"]
    for column in ("shaft", "group"):
        if column in table.columns:
            given = (
                table[column].astype(str).str.strip().replace({"n/a": None, "": None, "nan": None})
            )
            if given.notna().any() and given.nunique() >= shafts.nunique():
                shafts = given.where(given.notna(), shafts)
                logger.info("Shafts taken from the %r column of electrodes.tsv", column)
                break
    table["shaft"] = shafts.to_numpy(dtype=object)
    table["contact"] = parsed["contact"].to_numpy()


def _add_regions(
    table, coords_mm, space, atlas_name, atlas_obj, radii, bids_path, path, provenance
):
    n = len(table)
    region = np.full(n, UNKNOWN, dtype=object)
    distance = np.full(n, np.nan)
    lookup_hemi = np.full(n, None, dtype=object)
    column, guessed = _region_column([c for c in table.columns if c not in ("name",)], atlas_name)
    mni = np.full((n, 3), np.nan)
    if space.is_template:
        mni = to_mni152(coords_mm, space)
    if column is not None:
        values = table[column].astype(str).str.strip()
        region = values.where(~values.isin(["", "n/a", "nan", "None"]), UNKNOWN).to_numpy(object)
        provenance["region_source"] = f"electrodes.tsv column {column!r}"
        if guessed:
            warn(
                RegionColumnWarning(
                    f"Column {column!r} of electrodes.tsv is read as the {atlas_name} labels.",
                    file=path,
                    field=column,
                    fix=f"Rename the column to {atlas_name.replace('-', '_')!r} to make this explicit.",
                )
            )
        logger.info("Regions from the %r column of %s", column, path)
    elif n and np.isfinite(coords_mm).any():
        atlas_used = atlas_obj
        space_arg: Space | str = space
        if atlas_obj is not None and atlas_obj.space == "subject" and space.family == "subject":
            provenance["region_source"] = f"atlas {atlas_obj.name} ({atlas_obj.description})"
        elif space.is_template:
            atlas_used = atlas_obj or Atlas.load(atlas_name)
            provenance["region_source"] = (
                f"atlas look-up ({atlas_name}; radius {radii[0]:g} mm, ECoG: nearest cortical "
                f"parcel within {radii[1]:g} mm)"
            )
        elif space.family == "subject":
            segmentation = _find_segmentation(bids_path.root, bids_path.subject, atlas_name)
            if segmentation is not None:
                atlas_used = Atlas.from_freesurfer(
                    segmentation,
                    coordinates="tkr" if space.name.lower() == "fsnative" else "scanner",
                )
                space_arg = "subject"
                provenance["region_source"] = f"FreeSurfer segmentation {segmentation}"
                provenance["transform"] = "patient's own segmentation"
            else:
                atlas_used = None
                warn(
                    UnsupportedSpaceWarning(
                        f"Electrodes are in the patient's own space ({space.name}); without the "
                        "patient's FreeSurfer segmentation their regions are 'Unknown'.",
                        file=path,
                        field="iEEGCoordinateSystem",
                        value=space.name,
                        fix=f"Add derivatives/freesurfer/sub-{bids_path.subject}/mri/"
                        f"{'aparc.a2009s+aseg' if atlas_name == 'destrieux' else 'aparc+aseg'}.mgz, "
                        "a region column (e.g. 'desikan_killiany') to electrodes.tsv, or an "
                        "electrodes.tsv in MNI space.",
                    )
                )
        else:
            atlas_used = None
            warn(
                UnsupportedSpaceWarning(
                    f"Coordinate space {space.name!r} cannot be mapped onto an atlas; regions are "
                    "'Unknown'.",
                    file=path,
                    field="iEEGCoordinateSystem",
                    value=space.name,
                    fix="Provide electrodes in an MNI152 space (e.g. MNI152NLin2009cAsym), "
                    "MNI305/fsaverage, or the patient's space with a FreeSurfer segmentation.",
                )
            )
        if atlas_used is not None:
            found = atlas_used.lookup_contacts(
                coords_mm,
                table["channel_type"].to_numpy(),
                space_arg,
                radius=radii[0],
                ecog_radius=radii[1],
            )
            region = found["region"].to_numpy(object)
            distance = found["distance_mm"].to_numpy(float)
            lookup_hemi = found["hemisphere"].to_numpy(object)
            _check_outside(found, path)
    table["region"] = region
    table["lobe"] = [lobe_of(r) for r in region]
    hemisphere = []
    given = table["hemisphere"] if "hemisphere" in table.columns else [None] * n
    for label, from_tsv, from_lookup, xyz in zip(region, given, lookup_hemi, coords_mm):
        side = normalise_hemisphere(from_tsv) or hemisphere_of(label)
        if side is None and from_lookup in ("L", "R"):
            side = from_lookup
        if side is None and space.family in ("MNI152", "MNI305") and np.isfinite(xyz[0]):
            side = "L" if xyz[0] < 0 else "R"
        hemisphere.append(side or "n/a")
    table["hemisphere"] = hemisphere
    table["region_distance_mm"] = distance
    table["mni152_x"], table["mni152_y"], table["mni152_z"] = mni.T


def _check_outside(found: pd.DataFrame, path):
    located = found["method"] != "missing"
    outside = (found["method"] == "none") & located
    if located.sum() >= 4 and outside.sum() > 0.5 * located.sum():
        warn(
            SuspiciousCoordinatesWarning(
                f"{int(outside.sum())} of {int(located.sum())} electrodes lie outside the brain "
                "(no label within the search radius).",
                file=path,
                field="x, y, z",
                fix="Check iEEGCoordinateUnits (m vs mm) and iEEGCoordinateSystem in "
                "coordsystem.json; if the positions are only approximate, a larger radius= "
                "(sEEG) or ecog_radius= (ECoG) labels more contacts.",
            )
        )


def _set_montage(raw, table: pd.DataFrame, provenance: dict) -> None:
    """Give ``raw`` the electrode positions (metres), in MNE's frame for the space."""
    family = provenance.get("space_family")
    frame = {"MNI152": "mni_tal", "MNI305": "mni_tal", "subject": "ras"}.get(family)
    if frame is None or "x" not in table.columns:
        return
    units = provenance.get("coordinate_units")
    factor = _UNITS_TO_MM.get(units)
    if factor is None:
        return
    positions = {
        name: np.array([x, y, z]) * factor / 1000.0
        for name, x, y, z in table[["name", "x", "y", "z"]].itertuples(index=False)
        if np.isfinite([x, y, z]).all()
    }
    if not positions:
        return
    montage = mne.channels.make_dig_montage(ch_pos=positions, coord_frame=frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw.set_montage(montage, on_missing="ignore", verbose="error")
