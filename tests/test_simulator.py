"""The simulated iEEG-BIDS datasets (ieegrep.datasets.make_synthetic_bids)."""

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.signal import welch

from ieegrep.atlas import Atlas
from ieegrep.datasets import PLANTED_EFFECTS, make_synthetic_bids, planted_effects, simulator
from ieegrep.exceptions import IeegrepError, InvalidParameterError, OutputExistsError

SPACE = "MNI152NLin6Asym"
DURATION = 60.0
SFREQ = 2048.0
MAX_CHANNELS = 40


def _files(root):
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def _hashes(root):
    root = Path(root)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(root)
    }


def _read(root, subject, session="01"):
    """Raw, channels, events and electrodes (with regions and effects) of one recording."""
    import mne
    from mne_bids import BIDSPath, read_raw_bids

    path = BIDSPath(
        root=root, subject=subject, session=session, task="movie", run="01", datatype="ieeg"
    )
    with warnings.catch_warnings():
        # mne-bids 0.20 knows the space only under its old spelling MNI152NLin6ASym
        warnings.simplefilter("ignore", RuntimeWarning)
        raw = read_raw_bids(path, verbose=False)
    channels = pd.read_csv(path.copy().update(suffix="channels", extension=".tsv").fpath, sep="\t")
    events = pd.read_csv(path.copy().update(suffix="events", extension=".tsv").fpath, sep="\t")
    electrodes = pd.read_csv(
        path.directory / f"sub-{subject}_ses-{session}_space-{SPACE}_electrodes.tsv", sep="\t"
    )
    found = Atlas.load("desikan-killiany").lookup(
        electrodes[["x", "y", "z"]].to_numpy(), space=SPACE
    )
    electrodes["region"] = found["region"].to_numpy()
    electrodes["lobe"] = found["lobe"].to_numpy()
    electrodes["effect"] = planted_effects(found["region"])
    assert isinstance(raw, mne.io.BaseRaw)
    return raw, channels, events, electrodes


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """3 subjects (Brain Treebank layouts 1-3), 60 s, first shafts up to 40 contacts."""
    root = tmp_path_factory.mktemp("sim") / "ds"
    out = make_synthetic_bids(
        root, n_subjects=3, duration=DURATION, sfreq=SFREQ, seed=0, max_channels=MAX_CHANNELS
    )
    assert out == root.absolute()
    return root


@pytest.fixture(scope="module")
def recordings(dataset):
    return {sub: _read(dataset, sub) for sub in ("01", "02", "03")}


# --------------------------------------------------------------------------- layout
def test_files_and_layout(dataset):
    root = dataset
    for name in ("dataset_description.json", "README", "participants.tsv", "participants.json"):
        assert (root / name).is_file()
    description = json.loads((root / "dataset_description.json").read_text())
    assert description["DatasetType"] == "raw"
    assert description["License"] == "CC0"
    assert description["GeneratedBy"][0]["Name"] == "ieegrep"
    assert "Version" in description["GeneratedBy"][0]
    assert description["BIDSVersion"]
    readme = (root / "README").read_text()
    for effect in PLANTED_EFFECTS:
        assert effect in readme
    assert "Andrii Zahorodnii" in readme
    participants = pd.read_csv(root / "participants.tsv", sep="\t")
    assert participants["participant_id"].tolist() == ["sub-01", "sub-02", "sub-03"]
    assert participants["btbank_subject"].tolist() == [1, 2, 3]

    from ieegrep.datasets import load_btbank_layout

    for k, sub in enumerate(("01", "02", "03"), start=1):
        folder = root / f"sub-{sub}" / "ses-01" / "ieeg"
        names = sorted(p.name for p in folder.iterdir())
        assert names == sorted(
            [
                f"sub-{sub}_ses-01_space-{SPACE}_electrodes.tsv",
                f"sub-{sub}_ses-01_space-{SPACE}_coordsystem.json",
            ]
            + [
                f"sub-{sub}_ses-01_task-movie_run-01_{suffix}"
                for suffix in (
                    "ieeg.vhdr",
                    "ieeg.vmrk",
                    "ieeg.eeg",
                    "ieeg.json",
                    "channels.tsv",
                    "events.tsv",
                    "events.json",
                )
            ]
        )
        electrodes = pd.read_csv(
            folder / f"sub-{sub}_ses-01_space-{SPACE}_electrodes.tsv", sep="\t"
        )
        assert electrodes.columns.tolist() == [
            "name",
            "x",
            "y",
            "z",
            "size",
            "material",
            "manufacturer",
            "group",
            "hemisphere",
            "type",
        ]
        layout = load_btbank_layout(k)
        # whole shafts, in layout order, at most MAX_CHANNELS contacts
        assert len(electrodes) <= MAX_CHANNELS
        assert electrodes["name"].tolist() == layout["name"].tolist()[: len(electrodes)]
        kept = electrodes["group"].unique()
        assert (layout["shaft"].isin(kept).sum()) == len(electrodes)
        np.testing.assert_allclose(
            electrodes[["x", "y", "z"]],
            layout.iloc[: len(electrodes)][["mni152_x", "mni152_y", "mni152_z"]],
        )
        assert set(electrodes["type"]) == {"depth"}
        assert set(electrodes["hemisphere"]) <= {"L", "R"}
        coordsystem = json.loads(
            (folder / f"sub-{sub}_ses-01_space-{SPACE}_coordsystem.json").read_text()
        )
        assert coordsystem["iEEGCoordinateSystem"] == SPACE
        assert coordsystem["iEEGCoordinateUnits"] == "mm"
        sidecar = json.loads((folder / f"sub-{sub}_ses-01_task-movie_run-01_ieeg.json").read_text())
        assert sidecar["PowerLineFrequency"] == 60
        assert sidecar["SamplingFrequency"] == SFREQ
        assert sidecar["TaskName"] == "movie"
        for key in ("iEEGReference", "SoftwareFilters", "Manufacturer", "iEEGPlacementScheme"):
            assert sidecar[key]
        assert sidecar["SEEGChannelCount"] == len(electrodes)


def test_validator(dataset, validate_bids):
    report = validate_bids(dataset)
    assert report["errors"] == [], report["errors"]
    assert sorted(report["summary"]["subjects"]) == ["01", "02", "03"]
    assert report["summary"]["tasks"] == ["movie"]


# ----------------------------------------------------------------------- determinism
def test_deterministic_and_seeded(tmp_path, validate_bids):
    kwargs = dict(
        n_subjects=2,
        n_sessions=2,
        duration=10.0,
        sfreq=1024.0,
        line_freq=50,
        max_channels=16,
        n_bad=1,
    )
    first = _hashes(make_synthetic_bids(tmp_path / "a", seed=3, **kwargs))
    second = _hashes(make_synthetic_bids(tmp_path / "b", seed=3, **kwargs))
    assert first == second
    other = _hashes(make_synthetic_bids(tmp_path / "c", seed=4, **kwargs))
    assert first.keys() == other.keys()
    data_files = [name for name in first if name.endswith((".eeg", "_events.tsv"))]
    assert len(data_files) == 8
    for name in data_files:
        assert first[name] != other[name], name
    # one electrodes file per session, and the line frequency is used
    root = tmp_path / "a"
    for sub in ("01", "02"):
        for ses in ("01", "02"):
            folder = root / f"sub-{sub}" / f"ses-{ses}" / "ieeg"
            assert (folder / f"sub-{sub}_ses-{ses}_space-{SPACE}_electrodes.tsv").is_file()
            sidecar = json.loads(
                (folder / f"sub-{sub}_ses-{ses}_task-movie_run-01_ieeg.json").read_text()
            )
            assert sidecar["PowerLineFrequency"] == 50
    assert validate_bids(root)["errors"] == []
    raw, channels, _, _ = _read(root, "01", "02")
    good = (channels["status"] == "good").to_numpy()
    freqs, power = welch(raw.get_data()[good], raw.info["sfreq"], nperseg=2048)
    power = np.median(power, axis=0)
    near = (np.abs(freqs - 50) > 2) & (np.abs(freqs - 50) < 6)
    assert power[np.argmin(np.abs(freqs - 50))] > 3 * np.median(power[near])


# ----------------------------------------------------------------------------- signals
def test_amplitude_and_spectrum(recordings):
    for raw, channels, _, _ in recordings.values():
        good = (channels["status"] == "good").to_numpy()
        data = raw.get_data()[good]
        sd = data.std(axis=1) * 1e6
        assert 25 < sd.min() and sd.max() < 130  # µV, as in real sEEG
        assert sd.max() / sd.min() > 1.5  # varied per contact
        freqs, power = welch(data, raw.info["sfreq"], nperseg=4096)
        power = np.median(power, axis=0)
        # 1/f^chi background, chi about 1.5-2
        band = (freqs > 5) & (freqs < 50)
        slope = np.polyfit(np.log(freqs[band]), np.log(power[band]), 1)[0]
        assert -2.2 < slope < -1.3
        # line noise at 60 Hz and its first harmonic
        for line in (60, 120):
            near = (np.abs(freqs - line) > 2) & (np.abs(freqs - line) < 6)
            assert power[np.argmin(np.abs(freqs - line))] > 3 * np.median(power[near])
        assert raw.info["line_freq"] == 60


def test_neighbours_correlated(recordings):
    for raw, channels, _, electrodes in recordings.values():
        good = (channels["status"] == "good").to_numpy()
        corr = np.corrcoef(raw.get_data()[good])
        shaft = electrodes["group"].to_numpy()[good]
        number = electrodes["name"].str.extract(r"(\d+)$")[0].astype(int).to_numpy()[good]
        same = shaft[:, None] == shaft[None, :]
        gap = np.abs(number[:, None] - number[None, :])
        neighbours = corr[same & (gap == 1)].mean()
        distant = corr[same & (gap >= 5)].mean()
        other_shafts = corr[~same].mean()
        assert neighbours > 0.6
        assert neighbours > distant + 0.3
        assert neighbours > other_shafts + 0.3


def test_bad_channels(recordings):
    for raw, channels, _, _ in recordings.values():
        bad = channels[channels["status"] == "bad"]
        assert len(bad) == 2
        assert set(raw.info["bads"]) == set(bad["name"])
        assert bad["status_description"].str.len().min() > 10
        assert channels.loc[channels["status"] == "good", "status_description"].isna().all()
        data = raw.get_data(picks=bad["name"].tolist())
        good = raw.get_data(picks=channels.loc[channels["status"] == "good", "name"].tolist())
        typical = np.median(good.std(axis=1))
        for row, description in zip(data, bad["status_description"]):
            flat = row.std() < 0.1e-6
            noisy = row.std() > 3 * typical
            drift = np.ptp(row) > 1e-3
            assert flat or noisy or drift, description
            assert ("Flat" in description) == flat


# ------------------------------------------------------------------------------ events
def test_events(dataset, recordings):
    for sub, (raw, _, events, _) in recordings.items():
        assert events.columns.tolist() == [
            "onset",
            "duration",
            "trial_type",
            "value",
            "sample",
            "word_index",
            "sentence_id",
        ]
        assert set(events["trial_type"]) == {"word_onset", "sentence_onset"}
        words = events[events["trial_type"] == "word_onset"].reset_index(drop=True)
        sentences = events[events["trial_type"] == "sentence_onset"].reset_index(drop=True)
        assert (words["value"] == 1).all() and (sentences["value"] == 2).all()
        assert set(sentences["onset"]) <= set(words["onset"])
        assert (sentences["word_index"] == 1).all()
        np.testing.assert_array_equal(sentences["sentence_id"], np.arange(1, len(sentences) + 1))
        np.testing.assert_allclose(events["sample"], np.round(events["onset"] * SFREQ))
        assert np.all(np.diff(events["onset"]) >= 0)
        lengths = words.groupby("sentence_id")["word_index"].agg(["max", "count"])
        assert (lengths["max"] == lengths["count"]).all()
        assert lengths["count"].between(3, 12).all()
        assert words["duration"].between(0.2, 0.5).all()
        assert events["onset"].min() >= 1.0
        assert (events["onset"] + events["duration"]).max() <= DURATION - 1.0
        # 1-3 s pauses between sentences
        ends = (words["onset"] + words["duration"]).groupby(words["sentence_id"]).max()
        starts = words.groupby("sentence_id")["onset"].min()
        pauses = starts.to_numpy()[1:] - ends.to_numpy()[:-1]
        assert pauses.min() >= 1.0 - 1e-3 and pauses.max() <= 3.0 + 1e-3
        # gaps inside sentences are short
        inside = words["sentence_id"].to_numpy()[1:] == words["sentence_id"].to_numpy()[:-1]
        gaps = words["onset"].to_numpy()[1:] - (words["onset"] + words["duration"]).to_numpy()[:-1]
        assert gaps[inside].max() < 0.3
        assert len(sentences) >= 6
        # MNE-BIDS reads them as annotations
        assert set(raw.annotations.description) == {"word_onset", "sentence_onset"}
        sidecar = json.loads(
            next((dataset / f"sub-{sub}" / "ses-01" / "ieeg").glob("*_events.json")).read_text()
        )
        for column in events.columns:
            assert sidecar[column]["Description"], column
        assert set(sidecar["trial_type"]["Levels"]) == {"word_onset", "sentence_onset"}


# ----------------------------------------------------------------------------- effects
def test_planted_effects_mapping():
    regions = [
        "ctx-lh-superiortemporal",
        "ctx-rh-transversetemporal",
        "ctx-lh-bankssts",
        "ctx_lh_G_temp_sup-Lateral",
        "ctx_rh_G_temp_sup-Plan_tempo",
        "ctx_lh_S_temporal_transverse",
        "ctx-lh-middletemporal",
        "ctx-rh-inferiortemporal",
        "ctx-lh-temporalpole",
        "ctx_rh_G_temporal_middle",
        "ctx_lh_Pole_temporal",
        "CTX_LH_G_TEMPORAL_INF",
        "ctx-lh-parsopercularis",
        "ctx-rh-superiorfrontal",
        "ctx_lh_G_front_middle",
        "precentral",
        "Left-Cerebral-White-Matter",
        "Right-Lateral-Ventricle",
        "Unknown",
        "Left-Hippocampus",
        "ctx-lh-insula",
        "ctx-lh-fusiform",
        "ctx-rh-supramarginal",
    ]
    expected = ["word_high_gamma"] * 6 + ["word_n400"] * 6 + ["sentence_theta"] * 4 + ["none"] * 7
    effects = planted_effects(regions)
    assert isinstance(effects, np.ndarray)
    assert effects.tolist() == expected
    assert planted_effects("ctx-lh-superiortemporal").tolist() == ["word_high_gamma"]
    assert planted_effects([None, float("nan"), ""]).tolist() == ["none"] * 3
    assert planted_effects([]).shape == (0,)
    assert set(PLANTED_EFFECTS) == {"word_high_gamma", "word_n400", "sentence_theta"}
    for spec in PLANTED_EFFECTS.values():
        assert spec["event"] in ("word_onset", "sentence_onset")


def _epochs(data, samples, start, stop, sfreq):
    a, b = int(start * sfreq), int(stop * sfreq)
    return np.stack([data[:, s + a : s + b] for s in samples])


def _band_power(x, sfreq, band):
    freqs = np.fft.rfftfreq(x.shape[-1], 1 / sfreq)
    keep = (freqs >= band[0]) & (freqs <= band[1])
    return (np.abs(np.fft.rfft(x, axis=-1)[..., keep]) ** 2).mean(axis=-1)


def test_effects_by_region(recordings):
    seen = set()
    for raw, channels, events, electrodes in recordings.values():
        sfreq = raw.info["sfreq"]
        good = (channels["status"] == "good").to_numpy()
        data = raw.get_data()
        effect = electrodes["effect"].to_numpy()
        white = (electrodes["lobe"] == "white-matter").to_numpy()
        words = events.loc[events["trial_type"] == "word_onset", "sample"].to_numpy()
        sentences = events.loc[events["trial_type"] == "sentence_onset", "sample"].to_numpy()
        after = _band_power(_epochs(data, words, 0.1, 0.35, sfreq), sfreq, (70, 150)).mean(0)
        before = _band_power(_epochs(data, sentences, -0.75, -0.5, sfreq), sfreq, (70, 150)).mean(0)
        ratio = after / before
        hg = (effect == "word_high_gamma") & good
        if hg.any():
            seen.add("word_high_gamma")
            assert ratio[hg].min() > 1.5
        for rows in (white & good, (effect == "none") & good):
            assert 0.8 < np.median(ratio[rows]) < 1.2
            assert ratio[rows].max() < 1.5
        # N400: negative deflection 300-500 ms after the word onset (t over words)
        epochs = _epochs(data, words, -0.2, 0.8, sfreq)
        change = epochs[..., int(0.5 * sfreq) : int(0.7 * sfreq)].mean(-1) - epochs[
            ..., : int(0.2 * sfreq)
        ].mean(-1)
        t = change.mean(0) / (change.std(0) / np.sqrt(len(change)))
        n400 = (effect == "word_n400") & good
        if n400.any():
            seen.add("word_n400")
            assert np.median(t[n400]) < -1.5
            assert np.median(change.mean(0)[n400]) * 1e6 < -10  # tens of µV
        assert abs(np.median(t[white & good])) < 1.0
        # theta burst after sentence onsets in frontal cortex
        theta_after = _band_power(_epochs(data, sentences, 0.0, 0.8, sfreq), sfreq, (4, 8))
        theta_before = _band_power(_epochs(data, sentences, -0.8, 0.0, sfreq), sfreq, (4, 8))
        theta = theta_after.mean(0) / theta_before.mean(0)
        frontal = (effect == "sentence_theta") & good
        if frontal.any():
            seen.add("sentence_theta")
            assert np.median(theta[frontal]) > 2.0
        assert np.median(theta[white & good]) < 1.5
    assert seen == set(PLANTED_EFFECTS)


def test_decoding_word_windows(recordings):
    """Band power + logistic regression finds words in planted regions, not in white matter."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    raw, channels, events, electrodes = recordings["02"]
    sfreq = raw.info["sfreq"]
    data = raw.get_data()
    good = (channels["status"] == "good").to_numpy()
    words = events[events["trial_type"] == "word_onset"]
    onsets = words["sample"].to_numpy()
    # no-word windows: 0.5 s inside the pauses, at least 0.8 s after any word onset
    starts = np.arange(int(1.0 * sfreq), data.shape[1] - int(1.0 * sfreq), int(0.1 * sfreq))
    since = starts[:, None] - onsets[None, :]
    quiet = ~np.any((since > -0.5 * sfreq) & (since < 0.8 * sfreq), axis=1)
    samples = np.concatenate([onsets, starts[quiet]])
    y = np.concatenate([np.ones(len(onsets)), np.zeros(quiet.sum())])
    # cross-validate by sentence: a pause goes with the sentence before it
    sentence_of = np.searchsorted(
        onsets[words["word_index"].to_numpy() == 1], samples, side="right"
    )
    assert y.sum() > 50 and (1 - y).sum() > 50
    windows = _epochs(data, samples, 0.0, 0.5, sfreq)

    def score(mask):
        power = np.log(_band_power(windows[:, mask], sfreq, (70, 150)))
        erp = windows[:, mask, int(0.3 * sfreq) : int(0.5 * sfreq)].mean(-1) - windows[
            :, mask, : int(0.1 * sfreq)
        ].mean(-1)
        features = np.hstack([power, erp * 1e6])
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=1000))
        return cross_val_score(
            model, features, y, groups=sentence_of, cv=GroupKFold(5), scoring="roc_auc"
        ).mean()

    effect = electrodes["effect"].to_numpy()
    planted = np.isin(effect, ["word_high_gamma", "word_n400"]) & good
    white = (electrodes["lobe"] == "white-matter").to_numpy() & good
    assert planted.sum() >= 5 and white.sum() >= 5
    assert score(planted) > 0.9
    assert score(white) < 0.7


# ----------------------------------------------------------------- arguments, overwrite
@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(n_subjects=0), "n_subjects"),
        (dict(n_subjects=1.5), "n_subjects"),
        (dict(n_sessions=0), "n_sessions"),
        (dict(duration=5.0), "duration"),
        (dict(duration=float("nan")), "duration"),
        (dict(sfreq=250.0), "sfreq"),
        (dict(sfreq="2048"), "sfreq"),
        (dict(seed=-1), "seed"),
        (dict(line_freq=55), "line_freq"),
        (dict(n_bad=-1), "n_bad"),
        (dict(n_bad=20), "n_bad"),
        (dict(max_channels=0), "max_channels"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, field):
    root = tmp_path / "ds"
    arguments = dict(n_subjects=1, duration=10.0, max_channels=16)
    arguments.update(kwargs)
    with pytest.raises(InvalidParameterError) as info:
        make_synthetic_bids(root, **arguments)
    assert info.value.field == field
    assert info.value.fix
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_root(tmp_path):
    with pytest.raises(InvalidParameterError) as info:
        make_synthetic_bids(None)
    assert info.value.field == "root"
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputExistsError):
        make_synthetic_bids(target, n_subjects=1, duration=10.0, max_channels=16)
    assert target.read_text() == "x"


def test_overwrite(tmp_path, monkeypatch):
    root = tmp_path / "ds"
    root.mkdir()
    (root / "keep.txt").write_text("old")
    kwargs = dict(n_subjects=1, duration=10.0, max_channels=16)
    with pytest.raises(OutputExistsError):
        make_synthetic_bids(root, **kwargs)
    assert [p.name for p in root.iterdir()] == ["keep.txt"]
    # bad arguments: nothing touched even with overwrite=True
    with pytest.raises(IeegrepError):
        make_synthetic_bids(root, n_subjects=0, overwrite=True)
    assert [p.name for p in root.iterdir()] == ["keep.txt"]

    # a failure while writing leaves the old folder and no temporary folder
    def fail(*args, **kwargs):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patch:
        patch.setattr(simulator, "_write_dataset_files", fail)
        with pytest.raises(RuntimeError, match="interrupted"):
            make_synthetic_bids(root, overwrite=True, **kwargs)
    assert [p.name for p in root.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]

    make_synthetic_bids(root, overwrite=True, **kwargs)
    assert not (root / "keep.txt").exists()
    assert (root / "dataset_description.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]
    # an empty folder may be used without overwrite
    empty = tmp_path / "empty"
    empty.mkdir()
    make_synthetic_bids(empty, **kwargs)
    assert (empty / "sub-01").is_dir()


def test_max_channels_first_shaft_partial(tmp_path):
    root = make_synthetic_bids(
        tmp_path / "ds", n_subjects=1, duration=10.0, max_channels=5, n_bad=0
    )
    electrodes = pd.read_csv(
        root / "sub-01" / "ses-01" / "ieeg" / f"sub-01_ses-01_space-{SPACE}_electrodes.tsv",
        sep="\t",
    )
    from ieegrep.datasets import load_btbank_layout

    assert electrodes["name"].tolist() == load_btbank_layout(1)["name"].tolist()[:5]
    channels = pd.read_csv(
        root / "sub-01" / "ses-01" / "ieeg" / "sub-01_ses-01_task-movie_run-01_channels.tsv",
        sep="\t",
    )
    assert (channels["status"] == "good").all()
