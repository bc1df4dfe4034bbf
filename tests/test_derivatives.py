"""Embeddings as BIDS derivatives: names, provenance, validator, pybids, atomicity."""

import json

import numpy as np
import pandas as pd
import pytest

import ieegrep.derivatives as derivatives
from ieegrep.bids import find_recordings, load_recording
from ieegrep.derivatives import (
    embeddings_path,
    find_embeddings,
    read_embeddings,
    write_embeddings,
)
from ieegrep.exceptions import (
    InvalidParameterError,
    OutputExistsError,
    SuspiciousCoordinatesWarning,
)

SHA = "0123456789abcdef" * 4


@pytest.fixture
def written(sample_copy):
    paths = find_recordings(sample_copy)
    with pytest.warns(SuspiciousCoordinatesWarning):
        recording = load_recording(paths[0])
    channels = recording.ch_names[:3]
    rng = np.random.default_rng(0)
    embeddings = rng.standard_normal((4, 3, 8)).astype(np.float32)
    files = write_embeddings(
        None,
        recording,
        embeddings,
        desc="brainbert",
        model="BrainBERT",
        checkpoint_sha256=SHA,
        preprocessing={"reference": "laplacian", "sfreq": 2048},
        channels=channels,
        onsets=[0.0, 1.0, 2.0, 3.0],
        durations=1.0,
        sfreq=2048.0,
        events=pd.DataFrame({"trial_type": ["rest"] * 4}),
    )
    write_embeddings(
        sample_copy, paths[1], rng.standard_normal((2, 5)), desc="stft", model="STFT linear"
    )
    return sample_copy, recording, embeddings, files


def test_names_sidecar_and_read_back(written):
    root, recording, embeddings, files = written
    folder = root / "derivatives" / "ieegrep" / "sub-01" / "ieeg"
    stem = "sub-01_task-rest_acq-seeg_desc-brainbert"
    assert files["embeddings"] == folder / f"{stem}_embeddings.npy"
    assert files["events"] == folder / f"{stem}_events.tsv"
    assert embeddings_path(None, recording, desc="brainbert") == files["embeddings"]
    description = json.loads((root / "derivatives/ieegrep/dataset_description.json").read_text())
    assert description["DatasetType"] == "derivative"
    assert description["GeneratedBy"][0]["Name"] == "ieegrep"
    assert description["GeneratedBy"][0]["CodeURL"].startswith("https://")
    assert description["SourceDatasets"]
    back = read_embeddings(files["embeddings"])
    np.testing.assert_array_equal(back.data, embeddings)
    meta = back.metadata
    assert meta["Model"] == "BrainBERT" and meta["CheckpointSHA256"] == SHA
    assert meta["Preprocessing"] == {"reference": "laplacian", "sfreq": 2048}
    assert meta["Atlas"] == recording.provenance["atlas"]
    assert back.channels == recording.ch_names[:3]
    expected_regions = recording.electrodes.set_index("name").loc[back.channels, "region"]
    assert back.regions == expected_regions.tolist()
    assert meta["Axes"] == ["window", "channel", "feature"] and meta["Shape"] == [4, 3, 8]
    assert meta["Sources"] == ["bids:raw:sub-01/ieeg/sub-01_task-rest_acq-seeg_ieeg.edf"]
    np.testing.assert_array_equal(back.onsets, [0, 1, 2, 3])
    assert back.windows.embedding_index.tolist() == [0, 1, 2, 3]
    assert back.windows.trial_type.tolist() == ["rest"] * 4
    assert read_embeddings(files["sidecar"], mmap=True).data.shape == (4, 3, 8)
    assert find_embeddings(root, desc="stft")[0].name == (
        "sub-02_task-ictal_acq-ecog_desc-stft_embeddings.npy"
    )
    assert len(find_embeddings(root)) == 2


def test_validator_reports_no_error(written, validate_bids):
    root = written[0]
    for folder in (root, root / "derivatives" / "ieegrep"):
        report = validate_bids(folder)
        assert report["errors"] == [], report["errors"]
    # the validator does look at the derivative: without .bidsignore it flags the array
    (root / "derivatives" / "ieegrep" / ".bidsignore").unlink()
    report = validate_bids(root / "derivatives" / "ieegrep")
    flagged = {issue["location"].rsplit("_", 1)[-1] for issue in report["errors"]}
    assert flagged == {"embeddings.npy", "embeddings.json"}


def test_pybids_finds_and_reads_them(written):
    bids = pytest.importorskip("bids")
    root, _, embeddings, files = written
    layout = bids.BIDSLayout(root, derivatives=True)
    found = layout.get(scope="ieegrep", suffix="embeddings", extension=".npy", desc="brainbert")
    assert [f.path for f in found] == [str(files["embeddings"])]
    assert found[0].get_metadata()["CheckpointSHA256"] == SHA
    np.testing.assert_array_equal(np.load(found[0].path), embeddings)
    events = layout.get(scope="ieegrep", suffix="events", extension=".tsv")
    assert len(events) == 1 and len(events[0].get_df()) == 4


def test_no_overwrite_unless_asked(written):
    root, recording, _, files = written
    before = files["embeddings"].read_bytes()
    with pytest.raises(OutputExistsError, match="exist already"):
        write_embeddings(None, recording, np.zeros((2, 3)), desc="brainbert", model="BrainBERT")
    assert files["embeddings"].read_bytes() == before
    write_embeddings(
        None, recording, np.zeros((2, 3)), desc="brainbert", model="BrainBERT", overwrite=True
    )
    assert read_embeddings(files["embeddings"]).data.shape == (2, 3)
    assert not files["events"].exists()  # the old windows no longer describe the array


def test_an_error_mid_write_leaves_nothing(sample_copy, monkeypatch):
    source = find_recordings(sample_copy)[1]
    calls = []

    def failing(fid, content):
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(derivatives, "_write_json", failing)
    with pytest.raises(OSError, match="disk full"):
        write_embeddings(sample_copy, source, np.ones((3, 4)), desc="x", model="M")
    assert calls  # it failed after the array had been written to its temporary file
    assert not (sample_copy / "derivatives").exists()


def test_an_error_mid_write_keeps_earlier_results(written, monkeypatch):
    root = written[0]
    before = sorted(p.relative_to(root) for p in (root / "derivatives").rglob("*"))
    monkeypatch.setattr(derivatives.np, "save", _raise)
    with pytest.raises(RuntimeError, match="interrupted"):
        write_embeddings(root, find_recordings(root)[1], np.ones((3, 4)), desc="y", model="M")
    after = sorted(p.relative_to(root) for p in (root / "derivatives").rglob("*"))
    assert after == before


def _raise(*args, **kwargs):
    raise RuntimeError("interrupted")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"desc": "brain-bert"}, "desc"),
        ({"checkpoint_sha256": "abc"}, "hexadecimal"),
        ({"channels": ["a", "b"]}, "channels"),
        ({"onsets": [0.0]}, "onsets"),
        ({"onsets": [0.0, np.nan, 1, 2]}, "finite"),
        ({"axes": ["window"]}, "axes"),
        ({"metadata": {"Model": "other"}}, "replace"),
        ({"metadata": {"x": object()}}, "JSON"),
        ({"model": ""}, "model"),
    ],
)
def test_bad_arguments_write_nothing(sample_copy, kwargs, match):
    source = find_recordings(sample_copy)[1]
    arguments = {"desc": "m", "model": "M"} | kwargs
    with pytest.raises(InvalidParameterError, match=match):
        write_embeddings(sample_copy, source, np.ones((4, 3, 2)), **arguments)
    assert not (sample_copy / "derivatives").exists()


def test_refuses_a_foreign_derivative_folder(sample_copy):
    folder = sample_copy / "derivatives" / "ieegrep"
    folder.mkdir(parents=True)
    (folder / "dataset_description.json").write_text('{"Name": "x", "DatasetType": "raw"}')
    with pytest.raises(OutputExistsError, match="not made by ieegrep"):
        write_embeddings(
            sample_copy, find_recordings(sample_copy)[1], np.ones((2, 2)), desc="m", model="M"
        )
