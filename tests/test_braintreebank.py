"""Brain Treebank: the release replica, the streaming BIDS importer and Neuroprobe's constants."""

from __future__ import annotations

import json
import os
import shutil

import h5py
import mne
import numpy as np
import pandas as pd
import pytest

from ieegrep.bids import braintreebank as btb
from ieegrep.bids.braintreebank import align_words, import_braintreebank, nonverbal_chunks
from ieegrep.datasets import neuroprobe as npc
from ieegrep.datasets.braintreebank_replica import write_braintreebank_replica
from ieegrep.datasets.layouts import load_btbank_layout
from ieegrep.exceptions import (
    DatasetNotFoundError,
    InvalidDatasetError,
    InvalidParameterError,
    OutputExistsError,
)

SESSIONS = [(1, 1), (2, 4)]
DURATION = 150.0
N_ELECTRODES = 8

# Columns Neuroprobe's 15 tasks read from a session's words (datasets.py, MIT).
TASK_COLUMNS = (
    "is_onset", "idx_in_sentence", "rms", "delta_rms", "enhanced_pitch", "gpt2_surprisal",
    "bin_head", "pos", "word_length", "max_global_magnitude", "max_vector_magnitude",
    "mean_pixel_brightness", "face_num", "sentence", "start", "end",
)  # fmt: skip


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("btbank") / "release"
    return write_braintreebank_replica(
        root, sessions=SESSIONS, n_electrodes=N_ELECTRODES, duration=DURATION, seed=3
    )


@pytest.fixture(scope="module")
def bids(release, tmp_path_factory):
    root = tmp_path_factory.mktemp("btbank_bids") / "bids"
    paths = import_braintreebank(release, root)
    return root, paths


def _ieeg(root, subject, trial, suffix):
    folder = root / f"sub-{subject}" / f"ses-{trial}" / "ieeg"
    return next(folder.glob(f"*_{suffix}"))


def _read_tsv(path):
    return pd.read_csv(path, sep="\t", na_values="n/a", keep_default_na=False)


def _quartile_counts(values):
    values = np.asarray(values, dtype=float)
    pct = np.array([np.mean(values < x) for x in values])
    return int((pct > 0.75).sum()), int((pct < 0.25).sum())


# --------------------------------------------------------------------------- replica


def test_replica_has_the_release_layout(release):
    labels = json.loads((release / "electrode_labels/sub_1/electrode_labels.json").read_text())
    assert any("*" in x for x in labels) and any("#" in x for x in labels)
    clean = [btb.clean_label(x) for x in labels]
    assert {"DC10", "TRIG1", "F3cId10"} <= set(clean)  # triggers + a "no coordinates" contact
    with h5py.File(release / "sub_1_trial001.h5") as handle:
        keys = sorted(handle["data"].keys(), key=lambda k: int(k.split("_")[1]))
        assert keys == [f"electrode_{i}" for i in range(len(labels))]
        assert handle["data/electrode_0"].shape == (int(DURATION * 2048),)
    corrupted = json.loads((release / "corrupted_elec.json").read_text())
    assert set(corrupted) == {"sub_1", "sub_2"}
    assert btb.clean_label(corrupted["sub_1"][0]) in clean
    depth = pd.read_csv(release / "localization/sub_1/depth-wm.csv")
    assert list(depth.columns) == ["Electrode", "L", "I", "P", "Destrieux", "DesikanKilliany"]
    assert depth[["L", "I", "P"]].stack().between(30, 230).all()
    coords = pd.read_csv(release / "localization/elec_coords_full.csv")
    assert list(coords.columns) == ["Subject", "Electrode", "X", "Y", "Z"]
    assert "F3cId10" not in set(coords["Electrode"])
    for subject, trial in SESSIONS:
        meta = json.loads(
            (release / f"subject_metadata/sub_{subject}_trial{trial:03}_metadata.json").read_text()
        )
        assert meta["filename"] == npc.BRAINTREEBANK_MOVIES[(subject, trial)]
        features = pd.read_csv(release / f"transcripts/{meta['filename']}/features.csv")
        assert features.columns[0] == "Unnamed: 0"
        assert set(TASK_COLUMNS) - {"enhanced_pitch"} <= set(features.columns)
        timings = pd.read_csv(
            release / f"subject_timings/sub_{subject}_trial{trial:03}_timings.csv"
        )
        assert {"movie_time", "index"} <= set(timings.columns)
        assert timings["index"].is_monotonic_increasing


def test_replica_usable_contacts_start_with_the_lite_subset(release):
    labels = json.loads((release / "electrode_labels/sub_2/electrode_labels.json").read_text())
    corrupted = {btb.clean_label(x) for x in json.loads(
        (release / "corrupted_elec.json").read_text())["sub_2"]}  # fmt: skip
    usable = [
        btb.clean_label(x) for x in labels
        if btb.clean_label(x) not in corrupted and not btb.clean_label(x).startswith(("DC", "TRIG"))
    ]  # fmt: skip
    assert len(usable) == N_ELECTRODES
    assert set(usable) <= set(npc.NEUROPROBE_LITE_ELECTRODES[2])


def test_every_task_has_both_classes_on_every_session(bids):
    root, _ = bids
    for subject, trial in SESSIONS:
        events = _read_tsv(_ieeg(root, subject, trial, "events.tsv"))
        words = events[events.trial_type == "word"].sort_values("neuroprobe_index")
        n_nonverbal = int((events.trial_type == "nonverbal").sum())
        counts = {
            "onset": (int((words.is_onset == 1).sum()), n_nonverbal),
            "speech": (len(words), n_nonverbal),
            "word_index": (
                int((words.idx_in_sentence == 0).sum()),
                int((words.idx_in_sentence == 1).sum()),
            ),
            "word_head_pos": (int((words.bin_head == 0).sum()), int((words.bin_head == 1).sum())),
            "word_part_speech": (
                int((words.pos == "VERB").sum()),
                int((words.pos == "NOUN").sum()),
            ),
            "face_num": (int((words.face_num > 0).sum()), int((words.face_num == 0).sum())),
            "word_gap": _quartile_counts(words.word_gap.dropna()),
        }
        for task, column in (
            ("volume", "rms"), ("delta_volume", "delta_rms"), ("pitch", "enhanced_pitch"),
            ("gpt2_surprisal", "gpt2_surprisal"), ("word_length", "word_length"),
            ("global_flow", "max_global_magnitude"), ("local_flow", "max_vector_magnitude"),
            ("frame_brightness", "mean_pixel_brightness"),
        ):  # fmt: skip
            counts[task] = _quartile_counts(words[column])
        assert set(counts) == set(npc.NEUROPROBE_TASKS)
        for task, (positives, negatives) in counts.items():
            assert positives >= 15 and negatives >= 15, (subject, trial, task, positives, negatives)


def test_replica_is_deterministic_and_seeded(tmp_path):
    def build(name, seed):
        root = write_braintreebank_replica(
            tmp_path / name, sessions=[(3, 0)], n_electrodes=4, duration=60, seed=seed
        )
        with h5py.File(root / "sub_3_trial000.h5") as handle:
            signal = handle["data/electrode_2"][:]
        return signal, (root / "transcripts/cars-2/features.csv").read_text()

    a, b, c = build("a", 1), build("b", 1), build("c", 2)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1] == b[1]
    assert not np.array_equal(a[0], c[0]) and a[1] != c[1]


def test_replica_plants_word_responses_on_speech_contacts(release):
    words = pd.read_csv(
        release / "braintreebank_features_time_alignment/subject1_trial1_words_df.csv"
    )
    chunks = pd.read_csv(
        release / "braintreebank_features_time_alignment/subject1_trial1_nonverbal_df.csv"
    )
    labels = [btb.clean_label(x) for x in json.loads(
        (release / "electrode_labels/sub_1/electrode_labels.json").read_text())]  # fmt: skip

    def power(index, starts):
        with h5py.File(release / "sub_1_trial001.h5") as handle:
            x = handle[f"data/electrode_{index}"][:].astype(float)
        x = np.diff(x)  # whitened: the response is broadband, the background is 1/f
        return np.mean([np.mean(x[int(s) : int(s) + 1024] ** 2) for s in starts])

    # responsive: the first third of the usable contacts, which are Lite's first ones
    lite = npc.NEUROPROBE_LITE_ELECTRODES[1]
    speech, quiet = labels.index(lite[0]), labels.index(lite[N_ELECTRODES - 1])
    ratio_speech = power(speech, words.est_idx) / power(speech, chunks.est_idx)
    ratio_quiet = power(quiet, words.est_idx) / power(quiet, chunks.est_idx)
    assert ratio_speech > 1.5
    assert 0.8 < ratio_quiet < 1.2


def test_replica_bad_parameters(tmp_path):
    with pytest.raises(InvalidParameterError, match="sessions"):
        write_braintreebank_replica(tmp_path / "x", sessions=[(1, 9)])
    with pytest.raises(InvalidParameterError, match="duration"):
        write_braintreebank_replica(tmp_path / "x", duration=10)
    with pytest.raises(InvalidParameterError, match="n_electrodes"):
        write_braintreebank_replica(tmp_path / "x", subjects=(1,), n_electrodes=500)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("x")
    with pytest.raises(OutputExistsError):
        write_braintreebank_replica(tmp_path / "full", sessions=[(1, 1)], duration=60)
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- alignment rule


def test_align_words_by_hand():
    features = pd.DataFrame(
        {
            "start": [1.0, 1.5, 1.5, 2.25, 2.5, 9.0],
            "end": [1.4, 1.9, 2.0, 2.5, 2.7, 9.5],
            "text": ["go", "now", "now", "gon", "na", "late"],
            "sentence": ["go now.", "go now.", "go now.", "gonna.", "gonna.", "late."],
            "word_diff": [np.nan, 0.5, 0.0, 0.75, 0.25, 6.5],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    times = np.arange(6.0)
    timings = pd.DataFrame({"movie_time": times, "index": 100 + 2048 * times.astype(int)})
    words = align_words(features, timings)
    # 12 repeats 11's start (a correction), 14 is glued to 13 ("gon" + "na"), 15 starts after
    # the last trigger; word_diff's NaN does not drop the first word
    assert words["original_index"].tolist() == [10, 11, 13]
    # nearest trigger at or after the onset, plus the time difference at 2048 Hz
    assert words["est_idx"].tolist() == [2148, 4196 - 1024, 6244 - 1536]
    assert words["est_end_idx"].tolist() == [4196 - 1229, 4196 - 205, 6244 - 1024]
    # with the recording ending at sample 7000, the window of word 13 would leave it
    short = timings.assign(index=[100, 2148, 4196, 6244, 7000, 7001])
    assert align_words(features, short)["original_index"].tolist() == [10, 11]


def test_nonverbal_chunks_by_hand():
    words = pd.DataFrame({"est_idx": [0, 20480], "est_end_idx": [2048, 22528]})
    chunks = nonverbal_chunks(words, n_samples=100_000)
    # from 2048 + 4096 until 20480 - 6144: windows of 2048 every 1024
    starts = chunks["est_idx"].tolist()
    assert starts[0] == 6144
    assert all(b - a == 1024 for a, b in zip(starts, starts[1:], strict=False))
    # the last chunk ends at least 3 s before the next onset (2 s padding + the 1-s window)
    assert starts[-1] + 2048 <= 20480 - 3 * 2048
    assert starts[-1] + 1024 + 2048 > 20480 - 3 * 2048
    assert (chunks["est_end_idx"] - chunks["est_idx"] == 2048).all()
    np.testing.assert_allclose(chunks["start"], chunks["est_idx"] / 2048)
    assert nonverbal_chunks(words, n_samples=7000).empty  # no room before the end


# --------------------------------------------------------------------------- importer


def test_import_passes_the_validator(bids, validate_bids):
    root, paths = bids
    assert len(paths) == len(SESSIONS) and all(p.is_file() for p in paths)
    report = validate_bids(root)
    assert report["errors"] == []


def test_channels_mark_corrupted_trigger_and_uncoordinated_contacts(bids, release):
    root, _ = bids
    channels = _read_tsv(_ieeg(root, 1, 1, "channels.tsv"))
    labels = json.loads((release / "electrode_labels/sub_1/electrode_labels.json").read_text())
    assert channels["name"].tolist() == [btb.clean_label(x) for x in labels]
    corrupted = btb.clean_label(
        json.loads((release / "corrupted_elec.json").read_text())["sub_1"][0]
    )
    bad = dict(zip(channels["name"], channels["status"], strict=True))
    assert bad[corrupted] == bad["F3cId10"] == bad["DC10"] == bad["TRIG1"] == "bad"
    assert (channels["status"] == "good").sum() == N_ELECTRODES
    types = dict(zip(channels["name"], channels["type"], strict=True))
    assert types["DC10"] == types["TRIG1"] == "TRIG"
    assert set(channels["type"]) == {"SEEG", "TRIG"}
    reasons = dict(zip(channels["name"], channels["status_description"], strict=True))
    assert "corrupted" in reasons[corrupted] and "coordinates" in reasons["F3cId10"]


def test_electrodes_carry_coordinates_and_release_labels(bids, release):
    root, _ = bids
    table = _read_tsv(_ieeg(root, 1, 1, "electrodes.tsv"))
    assert "DC10" not in set(table["name"])
    layout = load_btbank_layout(1).set_index("name")
    located = table.dropna(subset=["x"]).set_index("name")
    np.testing.assert_allclose(
        located[["x", "y", "z"]].to_numpy(),
        layout.loc[located.index, ["mni305_x", "mni305_y", "mni305_z"]].to_numpy(),
    )
    assert table.set_index("name").loc["F3cId10", ["L", "cortical_x", "destrieux"]].isna().all()
    depth = pd.read_csv(release / "localization/sub_1/depth-wm.csv")
    depth["Electrode"] = depth["Electrode"].map(btb.clean_label)
    depth = depth.set_index("Electrode")
    located = located.loc[located.index.isin(depth.index)]
    assert len(located) == N_ELECTRODES + 1  # + the corrupted contact
    assert (located["desikan_killiany"] == depth.loc[located.index, "DesikanKilliany"]).all()
    assert (located["destrieux"] == depth.loc[located.index, "Destrieux"]).all()
    assert (located["L"] == depth.loc[located.index, "L"]).all()
    coordsystem = json.loads(_ieeg(root, 1, 1, "coordsystem.json").read_text())
    assert coordsystem["iEEGCoordinateSystem"] == "MNI305"


def test_atlas_step_reads_the_release_labels(bids):
    from ieegrep.bids import load_recording

    root, paths = bids
    recording = load_recording(paths[0])
    table = _read_tsv(_ieeg(root, 1, 1, "electrodes.tsv")).set_index("name")
    regions = recording.electrodes.set_index("name")["region"]
    given = table.loc[regions.index, "desikan_killiany"]
    assert (regions[given.notna()] == given[given.notna()]).all()
    assert (regions[given.isna()] == "Unknown").all() and given.isna().sum() == 1
    assert set(recording.raw.info["bads"]) >= {"DC10", "TRIG1", "F3cId10"}


def test_events_hold_every_word_with_its_features(bids, release):
    root, _ = bids
    for subject, trial in SESSIONS:
        events = _read_tsv(_ieeg(root, subject, trial, "events.tsv"))
        align = release / "braintreebank_features_time_alignment"
        words_df = pd.read_csv(align / f"subject{subject}_trial{trial}_words_df.csv")
        nonverbal_df = pd.read_csv(align / f"subject{subject}_trial{trial}_nonverbal_df.csv")
        movie = npc.BRAINTREEBANK_MOVIES[(subject, trial)]
        features = pd.read_csv(release / f"transcripts/{movie}/features.csv", index_col=0)
        pitch = json.loads(
            (release / f"pitch_volume_features/{movie}_pitch_volume_features.json").read_text()
        )
        assert events["onset"].is_monotonic_increasing
        words = events[events.trial_type == "word"].sort_values("neuroprobe_index")
        chunks = events[events.trial_type == "nonverbal"].sort_values("neuroprobe_index")
        assert len(words) == len(words_df) and len(chunks) == len(nonverbal_df)
        np.testing.assert_array_equal(words["sample"], words_df["est_idx"].astype(int))
        np.testing.assert_array_equal(words["end_sample"], words_df["est_end_idx"].astype(int))
        np.testing.assert_array_equal(chunks["sample"], nonverbal_df["est_idx"])
        np.testing.assert_allclose(events["onset"], events["sample"] / 2048)
        np.testing.assert_allclose(chunks["duration"], 1.0)
        rows = features.loc[words["original_index"].to_numpy()]
        for column in ("rms", "delta_rms", "gpt2_surprisal", "max_global_magnitude", "face_num"):
            np.testing.assert_allclose(words[column], rows[column])
        assert (words["pos"].to_numpy() == rows["pos"].to_numpy()).all()
        assert (words["text"].to_numpy() == rows["text"].to_numpy()).all()
        expected = [pitch[k]["enhanced_pitch"] for k in map(repr, words["start"])]
        np.testing.assert_allclose(words["enhanced_pitch"], expected)
        same = words["sentence"].to_numpy()[1:] == words["sentence"].to_numpy()[:-1]
        gaps = words["start"].to_numpy()[1:] - words["end"].to_numpy()[:-1]
        np.testing.assert_allclose(words["word_gap"].to_numpy()[1:][same], gaps[same])
        assert words["word_gap"].to_numpy()[1:][~same].tolist() == [np.nan] * (~same).sum() or \
            np.isnan(words["word_gap"].to_numpy()[1:][~same]).all()  # fmt: skip
        assert chunks[list(TASK_COLUMNS[:-2])].isna().all().all()
        sidecar = json.loads(_ieeg(root, subject, trial, "events.json").read_text())
        assert set(sidecar) == set(events.columns)


def test_signals_round_trip_exactly(bids, release):
    _, paths = bids
    raw = mne.io.read_raw_brainvision(paths[1], preload=False, verbose=False)
    assert raw.info["sfreq"] == 2048
    with h5py.File(release / "sub_2_trial004.h5") as handle:
        for i in (0, 5, len(raw.ch_names) - 1):
            expected = handle[f"data/electrode_{i}"][:]
            got = raw.get_data(picks=[i])[0] * 1e6
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_import_streams_chunks_never_whole_sessions(release, tmp_path, monkeypatch):
    reads = []
    original = h5py.Dataset.__getitem__

    def spy(self, key):
        out = original(self, key)
        if self.name.startswith("/data/electrode_"):
            reads.append(np.asarray(out).size)
        return out

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    import_braintreebank(release, tmp_path / "bids", subjects=[1], chunk_seconds=10)
    n_samples = int(DURATION * 2048)
    assert reads and max(reads) == 10 * 2048 < n_samples
    labels = json.loads((release / "electrode_labels/sub_1/electrode_labels.json").read_text())
    assert sum(reads) == n_samples * len(labels)  # every sample read once


def test_second_import_is_a_no_op(bids, release):
    root, paths = bids
    before = {p: os.stat(p).st_mtime_ns for p in root.rglob("*_ieeg.eeg")}
    again = import_braintreebank(release, root)
    assert again == paths
    assert {p: os.stat(p).st_mtime_ns for p in root.rglob("*_ieeg.eeg")} == before


def test_interrupted_import_resumes(release, tmp_path, monkeypatch):
    root = tmp_path / "bids"
    calls = []
    original = btb._copy_signals

    def crash_on_second(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:
            raise KeyboardInterrupt("power cut")
        return original(*args, **kwargs)

    monkeypatch.setattr(btb, "_copy_signals", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        import_braintreebank(release, root)
    assert (root / "sub-1" / "ses-1" / "ieeg").is_dir()
    assert not (root / "sub-2" / "ses-4").exists()  # nothing that looks complete
    # a temporary folder left by a hard kill is cleaned up by the next run
    (root / "sub-2" / ".ses-4.abc.tmp").mkdir()
    monkeypatch.setattr(btb, "_copy_signals", original)
    first = os.stat(_ieeg(root, 1, 1, "ieeg.eeg")).st_mtime_ns
    paths = import_braintreebank(release, root)
    assert all(p.is_file() for p in paths)
    assert os.stat(_ieeg(root, 1, 1, "ieeg.eeg")).st_mtime_ns == first  # not redone
    assert not list((root / "sub-2").glob(".ses-*"))
    assert _read_tsv(root / "participants.tsv")["participant_id"].tolist() == ["sub-1", "sub-2"]


def test_overwrite_reimports(release, tmp_path):
    root = tmp_path / "bids"
    import_braintreebank(release, root, subjects=[2])
    eeg = _ieeg(root, 2, 4, "ieeg.eeg")
    before = os.stat(eeg).st_mtime_ns
    import_braintreebank(release, root, subjects=[2], overwrite=True, chunk_seconds=7)
    assert os.stat(_ieeg(root, 2, 4, "ieeg.eeg")).st_mtime_ns != before


def test_missing_package_data_falls_back_to_the_triggers(release, tmp_path, caplog):
    empty = tmp_path / "neuroprobe"
    empty.mkdir()
    root = tmp_path / "bids"
    import_braintreebank(release, root, subjects=[1], neuroprobe_dir=empty, verbose="warning")
    events = _read_tsv(_ieeg(root, 1, 1, "events.tsv"))
    words_df = pd.read_csv(
        release / "braintreebank_features_time_alignment/subject1_trial1_words_df.csv"
    )
    words = events[events.trial_type == "word"].sort_values("neuroprobe_index")
    np.testing.assert_array_equal(words["sample"], words_df["est_idx"].astype(int))
    assert words["enhanced_pitch"].isna().all() and words["pitch"].notna().all()


def test_text_with_tabs_and_quotes_stays_in_its_cell(release, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(release, copy, ignore=shutil.ignore_patterns("sub_2_*"))
    path = copy / "transcripts/the-martian/features.csv"
    features = pd.read_csv(path, index_col=0)
    first = int(
        pd.read_csv(copy / "braintreebank_features_time_alignment/subject1_trial1_words_df.csv")[
            "original_index"
        ][0]
    )
    features.loc[first, "sentence"] = 'He said "go"\tnow.\n'
    features.to_csv(path)
    root = tmp_path / "bids"
    import_braintreebank(copy, root)
    text = _ieeg(root, 1, 1, "events.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len({line.count("\t") for line in lines}) == 1  # same number of cells everywhere
    assert "He said 'go' now. " in text and '"' not in text


# --------------------------------------------------------------------------- bad input


def _copy(release, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(release, copy, ignore=shutil.ignore_patterns("sub_2_*"))
    return copy


def test_bad_input_names_the_file_and_the_fix(release, tmp_path):
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        import_braintreebank(tmp_path / "nowhere", tmp_path / "b0")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match=r"sub_<s>_trial<ttt>\.h5"):
        import_braintreebank(tmp_path / "empty", tmp_path / "b1")
    with pytest.raises(InvalidParameterError, match="subjects"):
        import_braintreebank(release, tmp_path / "b2", subjects=[7])
    with pytest.raises(InvalidParameterError, match="chunk_seconds"):
        import_braintreebank(release, tmp_path / "b3", chunk_seconds=0)

    copy = _copy(release, tmp_path)
    (copy / "corrupted_elec.json").unlink()
    with pytest.raises(DatasetNotFoundError, match="corrupted_elec.json") as error:
        import_braintreebank(copy, tmp_path / "b4")
    assert "release" in str(error.value)


def test_bad_tables_and_h5_layout(release, tmp_path):
    copy = _copy(release, tmp_path)
    depth = copy / "localization/sub_1/depth-wm.csv"
    pd.read_csv(depth).drop(columns="DesikanKilliany").to_csv(depth, index=False)
    with pytest.raises(InvalidDatasetError, match="DesikanKilliany") as error:
        import_braintreebank(copy, tmp_path / "b1")
    assert "depth-wm.csv" in str(error.value)

    copy = _copy(release, tmp_path / "again")
    with h5py.File(copy / "sub_1_trial001.h5", "a") as handle:
        del handle["data/electrode_3"]
    with pytest.raises(InvalidDatasetError, match="data/electrode_3") as error:
        import_braintreebank(copy, tmp_path / "b2")
    assert "sub_1_trial001.h5" in str(error.value)
    assert not (tmp_path / "b2" / "sub-1" / "ses-1").exists()
    assert not list((tmp_path / "b2" / "sub-1").glob(".ses-*"))

    copy = _copy(release, tmp_path / "third")
    (copy / "subject_metadata/sub_1_trial001_metadata.json").write_text('{"title": "x"}')
    with pytest.raises(InvalidDatasetError, match="filename"):
        import_braintreebank(copy, tmp_path / "b3")


# --------------------------------------------------------------------------- constants


def test_neuroprobe_constants():
    assert len(npc.NEUROPROBE_LITE_SESSIONS) == 12 and len(npc.NEUROPROBE_NANO_SESSIONS) == 6
    assert len(npc.NEUROPROBE_FULL_SESSIONS) == 26
    assert set(npc.NEUROPROBE_NANO_SESSIONS) <= set(npc.NEUROPROBE_LITE_SESSIONS)
    assert npc.PRETRAINING_ALLOWED_SESSIONS == (
        (1, 0), (2, 1), (2, 2), (2, 3), (2, 5), (2, 6), (3, 2), (4, 2), (5, 0), (6, 0), (6, 1),
        (6, 4), (8, 0), (9, 0),
    )  # fmt: skip
    assert npc.CROSS_SUBJECT_TRAIN_SESSION in npc.NEUROPROBE_LITE_SESSIONS
    assert set(npc.BRAINTREEBANK_MOVIES) == set(npc.NEUROPROBE_FULL_SESSIONS)
    assert len(npc.NEUROPROBE_TASKS) == 15
    for subject in range(1, 11):
        lite, nano = (
            npc.NEUROPROBE_LITE_ELECTRODES[subject],
            npc.NEUROPROBE_NANO_ELECTRODES[subject],
        )
        assert len(lite) <= 120 and len(set(lite)) == len(lite)
        assert nano == lite[: len(nano)] and len(nano) <= 30
        names = set(load_btbank_layout(subject)["name"])
        assert set(lite) <= names  # every Lite electrode has a bundled position
        assert not set(npc.NEUROPROBE_MISSING_COORDINATE_ELECTRODES[subject]) & set(lite)
    assert npc.is_neuroprobe_eval_session(2, 4)
    assert npc.is_neuroprobe_eval_session("sub-10", "ses-1", subset="nano")
    assert not npc.is_neuroprobe_eval_session(1, 0)
    assert npc.is_neuroprobe_eval_session(1, 0, subset="full")
    with pytest.raises(InvalidParameterError, match="subset"):
        npc.is_neuroprobe_eval_session(1, 1, subset="mega")
    with pytest.raises(InvalidParameterError, match="subject"):
        npc.is_neuroprobe_eval_session("one", 1)
