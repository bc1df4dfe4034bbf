"""Malformed datasets: each gives an ieegrep error (or warning) naming file, field, value and fix."""

import json
import os

import pandas as pd
import pytest

from ieegrep.bids import find_recordings, load_recording
from ieegrep.exceptions import (
    ChannelsFileError,
    CoordinateSystemError,
    CorruptRecordingError,
    DatasetNotFoundError,
    ElectrodeMismatchWarning,
    ElectrodesFileError,
    EventsFileError,
    IeegrepError,
    IeegrepWarning,
    InvalidDatasetError,
    MissingCoordinatesWarning,
    MissingElectrodesWarning,
    NoRecordingsError,
    NotIEEGError,
    RecordingNotFoundError,
    RegionColumnWarning,
    SidecarError,
    SidecarMismatchError,
    SidecarWarning,
    SuspiciousCoordinatesWarning,
    UnknownAtlasError,
    UnsupportedSpaceWarning,
)

EDF = "sub-01_task-rest_acq-seeg_ieeg.edf"
ELECTRODES = "sub-01_acq-seeg_space-fsaverage_electrodes.tsv"
COORDSYSTEM = "sub-01_acq-seeg_space-fsaverage_coordsystem.json"
CHANNELS = "sub-01_task-rest_acq-seeg_channels.tsv"
SIDECAR = "sub-01_task-rest_acq-seeg_ieeg.json"


def explains(problem, *, file=None, field=None, value=None):
    """The message names the file, the field, the value and a fix."""
    text = str(problem)
    assert problem.fix, text
    assert "fix:" in text
    if file is not None:
        assert problem.file is not None and os.fspath(file) in problem.file, text
        assert os.fspath(file) in text
    if field is not None:
        assert problem.field is not None and field in problem.field, text
    if value is not None:
        assert value in repr(problem.value), text


def only_one_space(folder):
    """Keep only the fsaverage electrodes of sub-01 (drop the patient-space table)."""
    for path in folder.glob("*space-Other*"):
        path.unlink()


def read_tsv(path):
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def write_tsv(table, path):
    table.to_csv(path, sep="\t", index=False)


def load(folder, **kwargs):
    return load_recording(folder / EDF, **kwargs)


def edit_json(path, drop=(), **changes):
    content = json.loads(path.read_text())
    content.update(changes)
    for key in drop:
        del content[key]
    path.write_text(json.dumps(content))


# 1
def test_missing_dataset(tmp_path):
    with pytest.raises(DatasetNotFoundError) as info:
        find_recordings(tmp_path / "nope")
    explains(info.value, file=tmp_path / "nope")


# 2
def test_root_is_a_file(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(InvalidDatasetError) as info:
        find_recordings(tmp_path / "file.txt")
    explains(info.value, file=tmp_path / "file.txt")


# 3
def test_not_a_bids_dataset_and_subfolder_hint(tmp_path, sample_copy):
    with pytest.raises(InvalidDatasetError) as info:
        find_recordings(tmp_path)
    explains(info.value, file=tmp_path, field="dataset_description.json")
    with pytest.raises(InvalidDatasetError) as info:
        find_recordings(sample_copy / "sub-01")
    assert str(sample_copy) in info.value.fix


# 4
def test_empty_dataset(tmp_path):
    (tmp_path / "dataset_description.json").write_text('{"Name": "x", "BIDSVersion": "1.9.0"}')
    with pytest.raises(NoRecordingsError) as info:
        find_recordings(tmp_path)
    explains(info.value, file=tmp_path)
    assert "empty" in str(info.value)


# 5
def test_non_ieeg_datatype(sample_copy):
    eeg = sample_copy / "sub-03" / "eeg"
    eeg.mkdir(parents=True)
    target = eeg / "sub-03_task-rest_eeg.edf"
    target.write_bytes((sample_copy / "sub-01" / "ieeg" / EDF).read_bytes())
    with pytest.raises(NotIEEGError) as info:
        load_recording(target)
    explains(info.value, file=target, field="datatype", value="eeg")
    for folder in ("sub-01", "sub-02"):
        for path in sorted((sample_copy / folder).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (sample_copy / folder).rmdir()
    with pytest.raises(NoRecordingsError) as info:
        find_recordings(sample_copy)
    explains(info.value, field="datatype", value="eeg")


# 6
def test_entities_that_match_nothing(sample_copy):
    with pytest.raises(NoRecordingsError) as info:
        find_recordings(sample_copy, subject="99")
    explains(info.value, file=sample_copy, field="subject", value="99")
    assert "01, 02" in info.value.fix


# 7
def test_missing_electrodes_file(seeg_dir):
    for path in seeg_dir.glob("*electrodes.tsv"):
        path.unlink()
    with pytest.warns(MissingElectrodesWarning) as record:
        rec = load(seeg_dir)
    explains(record[0].message, file=seeg_dir / EDF, field="electrodes.tsv")
    assert (rec.electrodes["region"] == "Unknown").all()
    assert len(rec.electrodes) == 88


# 8
def test_na_and_nan_coordinates(seeg_dir):
    only_one_space(seeg_dir)
    table = read_tsv(seeg_dir / ELECTRODES)
    table.loc[table["name"] == "F'2", ["x", "y", "z"]] = "n/a"
    table.loc[table["name"] == "F'3", ["x", "y", "z"]] = "NaN"
    write_tsv(table, seeg_dir / ELECTRODES)
    with pytest.warns(IeegrepWarning) as record:
        rec = load(seeg_dir)
    missing = [w.message for w in record if isinstance(w.message, MissingCoordinatesWarning)]
    assert missing
    explains(missing[0], file=seeg_dir / ELECTRODES, field="x, y, z", value="F'2")
    regions = rec.electrodes.set_index("name")["region"]
    assert regions["F'2"] == regions["F'3"] == "Unknown"
    assert regions["F'4"] != "Unknown"


# 9
def test_non_numeric_coordinate(seeg_dir):
    table = read_tsv(seeg_dir / ELECTRODES)
    table.loc[3, "x"] = "12,5"
    write_tsv(table, seeg_dir / ELECTRODES)
    with pytest.raises(ElectrodesFileError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / ELECTRODES, field="x (row 5", value="12,5")


# 10
def test_unknown_coordinate_space(seeg_dir):
    only_one_space(seeg_dir)
    edit_json(seeg_dir / COORDSYSTEM, iEEGCoordinateSystem="Talairach")
    with pytest.warns(UnsupportedSpaceWarning) as record:
        rec = load(seeg_dir)
    explains(
        record[0].message,
        file=seeg_dir / ELECTRODES,
        field="iEEGCoordinateSystem",
        value="Talairach",
    )
    assert (rec.electrodes["region"] == "Unknown").all()


# 11
def test_subject_space_without_segmentation(seeg_dir):
    only_one_space(seeg_dir)
    edit_json(seeg_dir / COORDSYSTEM, iEEGCoordinateSystem="ACPC")
    with pytest.warns(UnsupportedSpaceWarning) as record:
        load(seeg_dir)
    explains(record[0].message, field="iEEGCoordinateSystem", value="ACPC")
    assert "derivatives/freesurfer/sub-01/mri/aparc+aseg.mgz" in record[0].message.fix


# 12
def test_electrodes_matching_no_channel(seeg_dir):
    only_one_space(seeg_dir)
    table = read_tsv(seeg_dir / ELECTRODES)
    table.loc[0, "name"] = "ZZ9"
    write_tsv(table, seeg_dir / ELECTRODES)
    with pytest.warns(IeegrepWarning) as record:
        rec = load(seeg_dir)
    mismatch = [w.message for w in record if isinstance(w.message, ElectrodeMismatchWarning)]
    assert any("ZZ9" in repr(m.value) for m in mismatch)
    explains(mismatch[0], file=seeg_dir / ELECTRODES, field="name")
    assert rec.provenance["unmatched_electrodes"] == ["ZZ9"]
    assert rec.electrodes.set_index("name").loc["L'1", "region"] == "Unknown"  # lost its row


# 13
def test_duplicate_electrode_names(seeg_dir):
    table = read_tsv(seeg_dir / ELECTRODES)
    table.loc[1, "name"] = table.loc[0, "name"]
    write_tsv(table, seeg_dir / ELECTRODES)
    with pytest.raises(ElectrodesFileError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / ELECTRODES, field="name", value="L'1")


# 14
def test_duplicate_channel_names(seeg_dir):
    table = read_tsv(seeg_dir / CHANNELS)
    table.loc[1, "name"] = table.loc[0, "name"]
    write_tsv(table, seeg_dir / CHANNELS)
    with pytest.raises(ChannelsFileError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / CHANNELS, field="name", value="L'1")


# 15
@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_signal_file(seeg_dir, damage):
    path = seeg_dir / EDF
    data = path.read_bytes()
    path.write_bytes(data[:300] if damage == "truncate" else b"\x00garbage" * 100)
    with pytest.raises(CorruptRecordingError) as info:
        load(seeg_dir)
    explains(info.value, file=path)


# 16
def test_sampling_rate_mismatch(seeg_dir):
    path = seeg_dir / SIDECAR
    edit_json(path, SamplingFrequency=2048)
    with pytest.raises(SidecarMismatchError) as info:
        load(seeg_dir)
    explains(info.value, file=path, field="SamplingFrequency", value="2048")
    assert "1000" in info.value.fix


# 17
def test_unknown_atlas(seeg_dir):
    with pytest.raises(UnknownAtlasError) as info:
        load(seeg_dir, atlas="harvard")
    explains(info.value, field="atlas", value="harvard")


# 18
def test_invalid_json_sidecar(seeg_dir):
    path = seeg_dir / SIDECAR
    path.write_text('{"SamplingFrequency": 1000,\n "PowerLineFrequency": 60,\n}')
    with pytest.raises(SidecarError) as info:
        load(seeg_dir)
    explains(info.value, file=path)
    assert "line 3" in str(info.value)


# 19
def test_electrodes_missing_required_column(seeg_dir):
    table = read_tsv(seeg_dir / ELECTRODES).drop(columns="y")
    write_tsv(table, seeg_dir / ELECTRODES)
    with pytest.raises(ElectrodesFileError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / ELECTRODES, field="y")


# 20
def test_channels_file_lists_other_channels(seeg_dir):
    table = read_tsv(seeg_dir / CHANNELS)
    table.loc[5, "name"] = "NOPE1"
    write_tsv(table, seeg_dir / CHANNELS)
    with pytest.raises(ChannelsFileError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / CHANNELS, field="name", value="NOPE1")


# 21
def test_unknown_units(seeg_dir):
    only_one_space(seeg_dir)
    edit_json(seeg_dir / COORDSYSTEM, iEEGCoordinateUnits="inches")
    with pytest.raises(CoordinateSystemError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / ELECTRODES, field="iEEGCoordinateUnits", value="inches")


# 22
def test_units_that_look_wrong(seeg_dir):
    only_one_space(seeg_dir)
    edit_json(seeg_dir / COORDSYSTEM, iEEGCoordinateUnits="mm")  # values are in metres
    with pytest.warns(SuspiciousCoordinatesWarning) as record:
        load(seeg_dir)
    explains(record[0].message, field="iEEGCoordinateUnits", value="mm")


# 23
def test_missing_coordsystem(seeg_dir):
    only_one_space(seeg_dir)
    (seeg_dir / COORDSYSTEM).unlink()
    with pytest.warns(IeegrepWarning) as record:
        rec = load(seeg_dir)
    sidecar = [w.message for w in record if isinstance(w.message, SidecarWarning)]
    explains(sidecar[0], file=seeg_dir / ELECTRODES, field="coordsystem.json")
    assert rec.provenance["space_family"] == "MNI305"  # still known from space-fsaverage


# 24
def test_events_with_bad_onset(sample_copy):
    folder = sample_copy / "sub-02" / "ieeg"
    path = folder / "sub-02_task-ictal_acq-ecog_events.tsv"
    table = read_tsv(path)
    table.loc[0, "onset"] = "ten"
    write_tsv(table, path)
    with pytest.raises(EventsFileError) as info:
        load_recording(folder / "sub-02_task-ictal_acq-ecog_ieeg.vhdr")
    explains(info.value, file=path, field="onset (row 2)", value="ten")


# 25
def test_empty_electrodes_file(seeg_dir):
    (seeg_dir / ELECTRODES).write_text("")
    with pytest.raises(ElectrodesFileError) as info:
        load(seeg_dir)
    explains(info.value, file=seeg_dir / ELECTRODES)


# 26
def test_recording_file_missing(seeg_dir):
    with pytest.raises(RecordingNotFoundError) as info:
        load_recording(seeg_dir / "sub-01_task-nope_ieeg.edf")
    explains(info.value, file=seeg_dir / "sub-01_task-nope_ieeg.edf")


# 27
def test_missing_power_line_frequency(seeg_dir):
    path = seeg_dir / SIDECAR
    edit_json(path, drop=["PowerLineFrequency"])
    with pytest.warns(IeegrepWarning) as record:
        rec = load(seeg_dir)
    sidecar = [w.message for w in record if isinstance(w.message, SidecarWarning)]
    explains(sidecar[0], file=path, field="PowerLineFrequency")
    assert rec.line_freq is None


# 28
def test_unknown_channel_type(seeg_dir):
    table = read_tsv(seeg_dir / CHANNELS)
    table.loc[table["name"] == "DC01", "type"] = "SPARKLE"
    write_tsv(table, seeg_dir / CHANNELS)
    with pytest.warns(IeegrepWarning) as record:
        rec = load(seeg_dir)
    sidecar = [w.message for w in record if isinstance(w.message, SidecarWarning)]
    explains(sidecar[0], file=seeg_dir / CHANNELS, field="type", value="SPARKLE")
    assert rec.raw.get_channel_types(picks="DC01") == ["misc"]


# 29
def test_misspelt_region_column(seeg_dir):
    path = seeg_dir / "sub-01_acq-seeg_space-Other_electrodes.tsv"
    table = read_tsv(path).rename(columns={"destrieux": "destriuex"})
    write_tsv(table, path)
    with pytest.warns(RegionColumnWarning) as record:
        rec = load(seeg_dir, atlas="destrieux", space="Other")
    explains(record[0].message, field="destriuex")
    assert rec.provenance["region_source"] == "electrodes.tsv column 'destriuex'"


# 30
def test_missing_channels_file(seeg_dir):
    (seeg_dir / CHANNELS).unlink()
    with pytest.warns(IeegrepWarning) as record:
        rec = load(seeg_dir)
    sidecar = [w.message for w in record if isinstance(w.message, SidecarWarning)]
    explains(sidecar[0], field="channels.tsv")
    assert set(rec.raw.get_channel_types()) == {"seeg"}  # EDF gives EEG; SEEGChannelCount > 0


# 31
def test_requested_space_missing(seeg_dir):
    with pytest.raises(ElectrodesFileError) as info:
        load(seeg_dir, space="MNI152NLin2009cAsym")
    explains(info.value, field="space", value="MNI152NLin2009cAsym")
    assert "fsaverage" in info.value.fix and "Other" in info.value.fix


def test_errors_are_builtin_compatible_and_picklable():
    import pickle

    error = ElectrodesFileError("bad", file="/x/e.tsv", field="x", value="1,2", fix="do y")
    assert isinstance(error, ValueError) and isinstance(error, IeegrepError)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.field == "x"
    assert isinstance(DatasetNotFoundError("x"), FileNotFoundError)


def test_nothing_written_while_reading(seeg_dir):
    before = {p: p.stat().st_mtime_ns for p in seeg_dir.parent.parent.rglob("*") if p.is_file()}
    table = read_tsv(seeg_dir / ELECTRODES)
    table.loc[3, "x"] = "oops"
    write_tsv(table, seeg_dir / ELECTRODES)
    before[seeg_dir / ELECTRODES] = (seeg_dir / ELECTRODES).stat().st_mtime_ns
    with pytest.raises(ElectrodesFileError):
        load(seeg_dir)
    after = {p: p.stat().st_mtime_ns for p in seeg_dir.parent.parent.rglob("*") if p.is_file()}
    assert after == before


# 32
def test_unsupported_signal_format(seeg_dir):
    target = seeg_dir / "sub-01_task-rest_acq-seeg_ieeg.nwb"
    (seeg_dir / EDF).rename(target)
    with pytest.raises(CorruptRecordingError) as info:
        load_recording(target)
    explains(info.value, file=target, field="format", value=".nwb")
