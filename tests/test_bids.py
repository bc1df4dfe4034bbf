import shutil

import mne
import nibabel as nib
import numpy as np
import pandas as pd
import pytest
from mne_bids import BIDSPath

from ieegrep.atlas.lobes import lobe_of
from ieegrep.bids import Recording, find_recordings, load_recording
from ieegrep.datasets import sample_path
from ieegrep.exceptions import (
    ElectrodeMismatchWarning,
    MissingElectrodesWarning,
    SuspiciousCoordinatesWarning,
)

SEEG = "sub-01_task-rest_acq-seeg_ieeg.edf"
ECOG = "sub-02_task-ictal_acq-ecog_ieeg.vhdr"
CORTICAL = {"frontal", "parietal", "temporal", "occipital", "cingulate", "insula"}


def load_seeg(root=None, **kwargs):
    root = root or sample_path()
    with pytest.warns(SuspiciousCoordinatesWarning):  # the sample's positions are approximate
        return load_recording(root / "sub-01" / "ieeg" / SEEG, **kwargs)


@pytest.fixture(scope="module")
def seeg():
    return load_seeg()


@pytest.fixture(scope="module")
def ecog():
    with pytest.warns((ElectrodeMismatchWarning, SuspiciousCoordinatesWarning)):
        return load_recording(sample_path() / "sub-02" / "ieeg" / ECOG)


def test_find_recordings_sample():
    paths = find_recordings(sample_path())
    assert [p.basename for p in paths] == [SEEG, ECOG]
    assert all(isinstance(p, BIDSPath) and p.datatype == "ieeg" for p in paths)
    assert [p.basename for p in find_recordings(sample_path(), subject="02")] == [ECOG]
    assert len(find_recordings(sample_path(), subject=["01", "02"], acquisition="seeg")) == 1
    assert len(find_recordings(sample_path(), task="ictal")) == 1


def test_find_recordings_with_pybids_layout():
    bids = pytest.importorskip("bids")
    layout = bids.BIDSLayout(sample_path(), validate=False)
    assert [p.basename for p in find_recordings(layout)] == [SEEG, ECOG]
    assert [p.basename for p in find_recordings(layout, subject="01")] == [SEEG]


def test_seeg_signal_channels_and_events(seeg):
    raw = seeg.raw
    types = pd.Series(raw.get_channel_types()).value_counts().to_dict()
    assert types == {"seeg": 88, "misc": 8, "ecg": 2}
    assert raw.info["line_freq"] == 60.0
    assert seeg.sfreq == 1000.0
    assert raw.n_times == 10_000
    assert seeg.events.empty and list(seeg.events.columns) == ["onset", "duration"]
    assert seeg.subject == "01" and seeg.task == "rest" and seeg.session is None
    assert seeg.name == "sub-01_task-rest_acq-seeg"


def test_seeg_electrode_table(seeg):
    table = seeg.electrodes
    assert len(table) == 88
    assert table["name"].tolist() == [
        c for c, t in zip(seeg.raw.ch_names, seeg.raw.get_channel_types()) if t == "seeg"
    ]
    tsv = pd.read_csv(
        sample_path() / "sub-01" / "ieeg" / "sub-01_acq-seeg_space-fsaverage_electrodes.tsv",
        sep="\t",
    )
    for column in tsv.columns:  # every column of electrodes.tsv is kept
        assert column in table.columns
    tsv = tsv[tsv["name"].isin(table["name"])]
    np.testing.assert_allclose(table.set_index("name").loc[tsv["name"], "x"], tsv["x"])
    for column in ("space", "shaft", "contact", "hemisphere", "region", "lobe"):
        assert column in table.columns
    assert set(table["shaft"]) == {"L'", "N'", "F'", "O'", "G'", "X'"}
    assert table.loc[table["name"] == "O'12", "contact"].item() == 12
    assert (table["space"] == "fsaverage").all()
    assert set(table["lobe"]) <= {"frontal", "cingulate", "white-matter", "Unknown"}
    # every contact gets a label, even those outside the brain
    assert table["region"].notna().all()
    located = table["region"] != "Unknown"
    assert (table.loc[located, "region_distance_mm"] <= 3.0).all()
    assert table.attrs["ieegrep"] is seeg.provenance


def test_space_choice_is_deterministic_and_reported(seeg):
    p = seeg.provenance
    assert p["space"] == "fsaverage" and p["space_family"] == "MNI305"
    assert p["transform"] == "MNI305->MNI152 affine"
    assert p["other_spaces"] == ["Other"]
    assert p["electrodes_file"].endswith("space-fsaverage_electrodes.tsv")
    assert p["atlas"] == "desikan-killiany" and p["radius_mm"] == 3.0
    assert "atlas look-up" in p["region_source"]


def test_region_columns_win_and_are_reported():
    rec = load_recording(sample_path() / "sub-01" / "ieeg" / SEEG, space="Other")
    tsv = pd.read_csv(
        sample_path() / "sub-01" / "ieeg" / "sub-01_acq-seeg_space-Other_electrodes.tsv", sep="\t"
    ).set_index("name")
    table = rec.electrodes.set_index("name")
    assert rec.provenance["region_source"] == "electrodes.tsv column 'desikan_killiany'"
    assert (table["region"] == tsv.loc[table.index, "desikan_killiany"]).all()
    assert table.loc["L'4", "lobe"] == "frontal"
    assert table.loc["L'1", "hemisphere"] == "R"  # from the label Right-Cerebral-White-Matter
    destrieux = load_recording(
        sample_path() / "sub-01" / "ieeg" / SEEG, atlas="destrieux", space="Other"
    )
    assert destrieux.provenance["region_source"] == "electrodes.tsv column 'destrieux'"
    assert destrieux.electrodes.set_index("name").loc["L'2", "region"] == "ctx_rh_G_front_sup"


def test_ecog_recording(ecog):
    assert len(ecog.electrodes) == 76
    assert set(ecog.electrodes["channel_type"]) == {"ecog"}
    assert ecog.events["trial_type"].tolist() == ["seizure_onset"]
    assert ecog.events["onset"].iloc[0] == pytest.approx(10.229, abs=1e-3)
    assert list(ecog.raw.annotations.description) == ["seizure_onset"]
    assert ecog.raw.annotations.onset[0] == pytest.approx(10.229, abs=1e-3)
    strips = [n for n in ecog.ch_names if n.startswith("BT")]
    assert ecog.provenance["channels_without_position"] == strips
    assert set(ecog.electrodes.set_index("name").loc[strips, "region"]) == {"Unknown"}
    # ECoG contacts take cortical parcels only
    located = ecog.electrodes[ecog.electrodes["region"] != "Unknown"]
    assert len(located) >= 25
    assert set(located["lobe"]) <= CORTICAL
    assert set(ecog.electrodes["shaft"]) == {"C", "BTM", "BTP"}


def test_montage_positions_in_metres(seeg):
    montage = seeg.raw.get_montage()
    positions = montage.get_positions()
    assert positions["coord_frame"] == "mni_tal"
    table = seeg.electrodes.set_index("name")
    np.testing.assert_allclose(
        positions["ch_pos"]["L'1"], table.loc["L'1", ["x", "y", "z"]].astype(float)
    )


def test_bad_channels_honoured(sample_copy):
    channels = sample_copy / "sub-01" / "ieeg" / "sub-01_task-rest_acq-seeg_channels.tsv"
    table = pd.read_csv(channels, sep="\t", keep_default_na=False)
    table.loc[table["name"].isin(["L'3", "EKG1"]), "status"] = "bad"
    table.to_csv(channels, sep="\t", index=False)
    rec = load_seeg(sample_copy)
    assert rec.raw.info["bads"] == ["L'3", "EKG1"]
    assert rec.electrodes.loc[rec.electrodes["bad"], "name"].tolist() == ["L'3"]
    counts = rec.channels_per_region(include_bad=False)["n_channels"].sum()
    assert counts == 87


def test_accepts_bidspath_and_string(seeg):
    path = BIDSPath(
        subject="01", task="rest", acquisition="seeg", datatype="ieeg", root=sample_path()
    )
    with pytest.warns(SuspiciousCoordinatesWarning):
        from_bidspath = load_recording(path)
    with pytest.warns(SuspiciousCoordinatesWarning):
        from_string = load_recording(str(sample_path() / "sub-01" / "ieeg" / SEEG))
    pd.testing.assert_frame_equal(from_bidspath.electrodes, seeg.electrodes)
    pd.testing.assert_frame_equal(from_string.electrodes, seeg.electrodes)


def test_units_do_not_change_regions(sample_copy, seeg):
    folder = sample_copy / "sub-01" / "ieeg"
    tsv = folder / "sub-01_acq-seeg_space-fsaverage_electrodes.tsv"
    table = pd.read_csv(tsv, sep="\t", keep_default_na=False, na_values=["n/a"])
    table[["x", "y", "z"]] *= 1000
    table.to_csv(tsv, sep="\t", index=False, na_rep="n/a")
    json_path = folder / "sub-01_acq-seeg_space-fsaverage_coordsystem.json"
    json_path.write_text(json_path.read_text().replace('"m"', '"mm"'))
    rec = load_seeg(sample_copy)
    assert rec.provenance["coordinate_units"] == "mm"
    assert rec.electrodes["region"].tolist() == seeg.electrodes["region"].tolist()


def test_recording_summaries(seeg):
    per_region = seeg.channels_per_region()
    assert per_region["n_channels"].sum() == 88
    assert per_region["region"].iloc[-1] == "Unknown"
    assert per_region["n_channels"].iloc[:-1].is_monotonic_decreasing
    per_lobe = seeg.channels_per_region("lobe")
    assert set(per_lobe["lobe"]) <= {"frontal", "cingulate", "white-matter", "Unknown"}
    assert "sub-01_task-rest_acq-seeg" in repr(seeg)
    assert "space fsaverage" in seeg.summary()
    assert "<table" in seeg._repr_html_()
    assert len(seeg.unknown_channels) == (seeg.electrodes["region"] == "Unknown").sum()
    with pytest.raises(ValueError, match="level"):
        seeg.channels_per_region("shaft")


def test_destrieux_atlas_on_template_space():
    with pytest.warns(SuspiciousCoordinatesWarning):
        rec = load_recording(sample_path() / "sub-01" / "ieeg" / SEEG, atlas="destrieux")
    located = rec.electrodes[rec.electrodes["region"] != "Unknown"]
    assert located["region"].str.match(r"ctx_[lr]h_|Left-|Right-").all()
    assert rec.provenance["atlas"] == "destrieux"


def test_subject_space_with_freesurfer_segmentation(sample_copy):
    folder = sample_copy / "sub-01" / "ieeg"
    volume = np.zeros((60, 60, 60), dtype=np.int32)
    volume[:, :30] = 17  # Left-Hippocampus in the first half along j
    volume[:, 30:] = 1035  # ctx-lh-insula in the second half
    affine = np.array([[1.0, 0, 0, -30], [0, 1, 0, -30], [0, 0, 1, -30], [0, 0, 0, 1]])
    mri = sample_copy / "derivatives" / "freesurfer" / "sub-01" / "mri"
    mri.mkdir(parents=True)
    nib.save(nib.MGHImage(volume, affine), mri / "aparc+aseg.mgz")
    names = pd.read_csv(folder / "sub-01_task-rest_acq-seeg_channels.tsv", sep="\t")["name"]
    seeg_names = [n for n in names if "'" in n]
    y = np.where(np.arange(len(seeg_names)) % 2 == 0, -10.0, 10.0)  # alternate halves
    pd.DataFrame({"name": seeg_names, "x": 0.0, "y": y, "z": 0.0, "size": "n/a"}).to_csv(
        folder / "sub-01_acq-seeg_space-ACPC_electrodes.tsv", sep="\t", index=False
    )
    (folder / "sub-01_acq-seeg_space-ACPC_coordsystem.json").write_text(
        '{"iEEGCoordinateSystem": "ACPC", "iEEGCoordinateUnits": "mm"}'
    )
    rec = load_recording(folder / "sub-01_task-rest_acq-seeg_ieeg.edf", space="ACPC")
    assert rec.provenance["region_source"].startswith("FreeSurfer segmentation")
    expected = ["Left-Hippocampus" if v < 0 else "ctx-lh-insula" for v in y]
    assert rec.electrodes["region"].tolist() == expected
    assert set(rec.electrodes["lobe"]) == {"hippocampus", "insula"}


@pytest.mark.shared
def test_py_neuromodulation_other_space_read_as_mni(shared):
    root = shared / "data" / "py_neuromodulation_testsub"
    (path,) = find_recordings(root)
    rec = load_recording(path)
    table = rec.electrodes.set_index("name")
    assert rec.provenance["space_family"] == "MNI152"
    assert "space-mni" in rec.provenance["space_note"]
    assert "MOV_RIGHT" not in table.index  # MISC channel, not iEEG
    ecog = table[table["channel_type"] == "ecog"]
    assert len(ecog) == 6 and set(ecog["lobe"]) <= {"frontal", "parietal"}
    assert ecog["region"].str.startswith("ctx-rh-").all()
    assert set(ecog["region"]) >= {"ctx-rh-precentral", "ctx-rh-postcentral"}
    dbs = table[table["channel_type"] == "dbs"]
    assert len(dbs) == 3 and (dbs["hemisphere"] == "R").all()
    assert set(dbs["region"]) <= {
        "Right-VentralDC",
        "Right-Cerebral-White-Matter",
        "Right-Thalamus-Proper",
    }


@pytest.mark.shared
def test_bids_ieeg_mini_without_electrodes(shared):
    root = shared / "data" / "bids_ieeg_mini"
    with pytest.warns(MissingElectrodesWarning, match="electrodes.tsv"):
        rec = load_recording(find_recordings(root, subject="02")[0])
    assert (rec.electrodes["region"] == "Unknown").all()
    assert rec.provenance["region_source"] == "none"


def test_lobes_follow_regions(seeg):
    for region, lobe in zip(seeg.electrodes["region"], seeg.electrodes["lobe"]):
        assert lobe == lobe_of(region)


def test_recording_is_a_dataclass(seeg):
    assert isinstance(seeg, Recording)
    assert isinstance(seeg.raw, mne.io.BaseRaw)


def test_sample_folder_untouched_by_reading(tmp_path):
    before = sorted(p.name for p in sample_path().rglob("*"))
    shutil.copytree(sample_path(), tmp_path / "s")
    load_seeg(tmp_path / "s")
    assert sorted(p.name for p in sample_path().rglob("*")) == before


def test_bundled_sample_is_valid_bids(validate_bids):
    report = validate_bids(sample_path())
    assert report["errors"] == [], report["errors"]
    assert sorted(report["summary"]["subjects"]) == ["01", "02"]
