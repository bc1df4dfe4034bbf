import nibabel as nib
import numpy as np
import pandas as pd
import pytest

from ieegrep.atlas import (
    DEFAULT_RADIUS_MM,
    LOBES,
    MNI305_TO_MNI152,
    Atlas,
    available_atlases,
    hemisphere_of,
    lobe_of,
    resolve_space,
)
from ieegrep.atlas.lobes import DESTRIEUX_LOBES, DK_LOBES
from ieegrep.exceptions import AtlasError, UnknownAtlasError, UnknownSpaceError

CORTICAL = {"frontal", "parietal", "temporal", "occipital", "cingulate", "insula"}


@pytest.fixture(scope="module")
def dk():
    return Atlas.load("desikan-killiany")


@pytest.fixture(scope="module")
def destrieux():
    return Atlas.load("destrieux")


def test_available_and_aliases():
    assert available_atlases() == ["desikan-killiany", "destrieux"]
    assert Atlas.load("DK") is Atlas.load("aparc") is Atlas.load("desikan-killiany")
    assert Atlas.load("aparc.a2009s").name == "destrieux"


def test_unknown_atlas_suggests_close_name():
    with pytest.raises(UnknownAtlasError) as info:
        Atlas.load("destriuex")
    assert "destrieux" in info.value.fix
    assert info.value.field == "atlas"
    assert "'destriuex'" in str(info.value)


def test_bundled_parcellations_complete(dk, destrieux):
    dk_cortex = [n for n in dk.names if n.startswith("ctx-")]
    dx_cortex = [n for n in destrieux.names if n.startswith("ctx_")]
    assert len(dk_cortex) == 68
    assert len(dx_cortex) == 148
    for name in dk_cortex + dx_cortex:
        assert lobe_of(name) in CORTICAL, name
        assert hemisphere_of(name) in ("L", "R")
    for atlas in (dk, destrieux):
        for deep in (
            "Left-Hippocampus",
            "Right-Amygdala",
            "Left-Putamen",
            "Left-Cerebral-White-Matter",
            "Left-Inf-Lat-Vent",
        ):
            assert deep in atlas.names
    assert not dk.volume.flags.writeable


@pytest.mark.parametrize(
    "xyz, dk_label, dx_label",
    [
        ((-25, -20, -14), "Left-Hippocampus", "Left-Hippocampus"),
        ((24, -3, -19), "Right-Amygdala", "Right-Amygdala"),
        ((-58, -20, 6), "ctx-lh-superiortemporal", "ctx_lh_S_temporal_transverse"),
        ((38, 0, 5), "ctx-rh-insula", "ctx_rh_G_insular_short"),
        ((-28, -10, 30), "Left-Cerebral-White-Matter", "Left-Cerebral-White-Matter"),
        ((0, 0, 200), "Unknown", "Unknown"),
    ],
)
def test_known_coordinates(dk, destrieux, xyz, dk_label, dx_label):
    assert dk.label([xyz], space="MNI152NLin2009cAsym")[0] == dk_label
    assert destrieux.label([xyz], space="MNI152NLin6ASym")[0] == dx_label


def test_lookup_methods_and_never_drops(dk):
    coords = [[-25, -20, -14], [np.nan, np.nan, np.nan], [0, 0, 200]]
    found = dk.lookup(coords, space="MNI152Lin")
    assert len(found) == 3
    assert found["method"].tolist() == ["voxel", "missing", "none"]
    assert found["region"].tolist()[1:] == ["Unknown", "Unknown"]
    assert found["distance_mm"][0] == 0 and found["distance_mm"][1:].isna().all()


def test_nearest_label_within_radius(dk):
    # walk outwards from a cortical voxel until the voxel is unlabelled
    start = np.array([-58.0, -20.0, 6.0])
    point = start.copy()
    while dk.lookup([point])["method"][0] == "voxel":
        point[0] -= 0.5
    point[0] -= 1.0
    found = dk.lookup([point], radius=DEFAULT_RADIUS_MM)
    assert found["method"][0] == "nearest"
    assert 0 < found["distance_mm"][0] <= DEFAULT_RADIUS_MM
    assert found["lobe"][0] == "temporal"
    assert dk.label([point], radius=0)[0] == "Unknown"


def test_cortex_only_skips_white_matter(dk):
    wm = [[-30, -20, 40]]
    assert dk.label(wm)[0] == "Left-Cerebral-White-Matter"
    cortical = dk.label(wm, radius=15, cortex_only=True)[0]
    assert lobe_of(cortical) in CORTICAL


def test_mni305_affine_matches_freesurfer_values(shared):
    # Brain Treebank tables give both MNI305 and MNI152 for each contact
    table = pd.read_csv(shared / "data" / "btbank_coords" / "btbank3_mni_coords.csv")
    mni305 = table[["mni305_x", "mni305_y", "mni305_z"]].to_numpy()
    mni152 = table[["mni152_x", "mni152_y", "mni152_z"]].to_numpy()
    mapped = mni305 @ MNI305_TO_MNI152[:3, :3].T + MNI305_TO_MNI152[:3, 3]
    assert np.abs(mapped - mni152).max() < 0.05


def test_fsaverage_goes_through_affine(dk):
    point = np.array([[-25.0, -20.0, -14.0]])
    as305 = (point - MNI305_TO_MNI152[:3, 3]) @ np.linalg.inv(MNI305_TO_MNI152[:3, :3]).T
    assert dk.label(as305, space="fsaverage")[0] == "Left-Hippocampus"
    assert dk.label(as305, space="MNI305")[0] == "Left-Hippocampus"


@pytest.mark.parametrize(
    "system, entity, description, family",
    [
        ("MNI152NLin2009cAsym", None, None, "MNI152"),
        ("MNI152NLin6ASym", None, None, "MNI152"),
        ("MNI152Lin", None, None, "MNI152"),
        ("IXI549Space", None, None, "MNI152"),
        ("fsaverage", None, None, "MNI305"),
        ("MNI305", None, None, "MNI305"),
        ("Other", "mni", None, "MNI152"),
        ("Other", "fsaverage", None, "MNI305"),
        ("Other", "T1w", "the patient's T1", "subject"),
        ("Other", None, "coordinates normalised to MNI space", "MNI152"),
        ("ACPC", None, None, "subject"),
        ("ScanRAS", None, None, "subject"),
        ("fsnative", None, None, "subject"),
        ("Talairach", None, None, "unsupported"),
        ("Pixels", None, None, "unsupported"),
        ("CapTrak", None, None, "unsupported"),
    ],
)
def test_resolve_space(system, entity, description, family):
    space = resolve_space(system, entity, description)
    assert space.family == family
    if system == "Other" and family in ("MNI152", "MNI305"):
        assert space.note


def test_unsupported_space_raises(dk):
    with pytest.raises(UnknownSpaceError) as info:
        dk.label([[0, 0, 0]], space="Talairach")
    assert "Talairach" in str(info.value) and info.value.fix
    with pytest.raises(UnknownSpaceError, match="from_freesurfer"):
        dk.label([[0, 0, 0]], space="ACPC")


def test_bad_coordinate_shape_and_radius(dk):
    with pytest.raises(AtlasError, match="shape"):
        dk.label([[1, 2]])
    with pytest.raises(AtlasError, match="radius"):
        dk.label([[1, 2, 3]], radius=-1)


def _synthetic_segmentation(path):
    volume = np.zeros((40, 40, 40), dtype=np.int32)
    volume[5:15, 5:15, 5:15] = 17  # Left-Hippocampus
    volume[20:30, 20:30, 20:30] = 1035  # ctx-lh-insula
    affine = np.array([[-1.0, 0, 0, 20], [0, 0, 1, -20], [0, -1, 0, 20], [0, 0, 0, 1]])
    nib.save(nib.MGHImage(volume, affine), path)
    return affine


def test_from_freesurfer_scanner_and_tkr(tmp_path):
    affine = _synthetic_segmentation(tmp_path / "aparc+aseg.mgz")
    atlas = Atlas.from_freesurfer(tmp_path / "aparc+aseg.mgz")
    centre_hippo = affine @ [10, 10, 10, 1]
    centre_insula = affine @ [25, 25, 25, 1]
    labels = atlas.label([centre_hippo[:3], centre_insula[:3]], space="subject")
    assert labels.tolist() == ["Left-Hippocampus", "ctx-lh-insula"]
    with pytest.raises(UnknownSpaceError):
        atlas.label([centre_hippo[:3]], space="MNI152NLin2009cAsym")
    tkr = Atlas.from_freesurfer(tmp_path / "aparc+aseg.mgz", coordinates="tkr")
    tkr_point = nib.load(tmp_path / "aparc+aseg.mgz").header.get_vox2ras_tkr() @ [10, 10, 10, 1]
    assert tkr.label([tkr_point[:3]], space="subject")[0] == "Left-Hippocampus"
    with pytest.raises(AtlasError, match="coordinates"):
        Atlas.from_freesurfer(tmp_path / "aparc+aseg.mgz", coordinates="voxel")


def test_from_nifti_with_label_table(tmp_path):
    volume = np.zeros((10, 10, 10), dtype=np.int16)
    volume[:5] = 1
    volume[5:] = 2
    nib.save(nib.Nifti1Image(volume, np.eye(4)), tmp_path / "two.nii.gz")
    (tmp_path / "two.tsv").write_text("index\tlabel\n1\tleft-half\n2\tright-half\n")
    atlas = Atlas.from_nifti(tmp_path / "two.nii.gz", tmp_path / "two.tsv")
    assert atlas.label([[2, 2, 2], [7, 2, 2]]).tolist() == ["left-half", "right-half"]
    with pytest.raises(AtlasError, match="not found"):
        Atlas.from_nifti(tmp_path / "missing.nii.gz", {1: "a"})
    (tmp_path / "junk.nii.gz").write_bytes(b"not a volume")
    with pytest.raises(AtlasError, match="Cannot read"):
        Atlas.from_nifti(tmp_path / "junk.nii.gz", {1: "a"})


@pytest.mark.parametrize(
    "label, lobe",
    [
        ("ctx-lh-superiortemporal", "temporal"),
        ("ctx-rh-parsopercularis", "frontal"),
        ("ctx-lh-isthmuscingulate", "cingulate"),
        ("ctx-lh-pericalcarine", "occipital"),
        ("ctx_lh_G_temp_sup-Lateral", "temporal"),
        ("CTX_LH_G_TEMP_SUP_LATERAL", "temporal"),  # BaRISTA spelling
        ("ctx_rh_S_circular_insula_sup", "insula"),
        ("ctx_lh_G_cingul-Post-dorsal", "cingulate"),
        ("Left-Hippocampus", "hippocampus"),
        ("RIGHT_AMYGDALA", "amygdala"),
        ("Left-Thalamus-Proper", "thalamus"),
        ("Left-Thalamus", "thalamus"),
        ("Right-Cerebral-White-Matter", "white-matter"),
        ("Left-Inf-Lat-Vent", "ventricle"),
        ("superiorfrontal", "frontal"),
        ("ctx_lh_Medial_wall", "Unknown"),
        ("Unknown", "Unknown"),
        ("", "Unknown"),
        (None, "Unknown"),
    ],
)
def test_lobe_of(label, lobe):
    assert lobe_of(label) == lobe
    assert lobe in LOBES


def test_lobe_tables_cover_parcellations():
    assert len(DK_LOBES) == 34
    assert len(DESTRIEUX_LOBES) == 74  # every Destrieux parcel but the medial wall
    assert set(DK_LOBES.values()) == CORTICAL
    assert set(DESTRIEUX_LOBES.values()) == CORTICAL
