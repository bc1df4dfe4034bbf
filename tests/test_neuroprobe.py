"""The Neuroprobe protocol: task labels, balancing, splits, features, result files, end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ieegrep.decoding.neuroprobe import (
    NEUROPROBE_SPLITS,
    NEUROPROBE_TASKS,
    average_regions,
    balance_samples,
    neuroprobe_json,
    neuroprobe_labels,
    neuroprobe_laplacian,
    neuroprobe_splits,
    neuroprobe_stft,
    neuroprobe_summary,
    neuroprobe_training_session,
)
from ieegrep.exceptions import InvalidParameterError

# ------------------------------------------------------------------------------------------
# a hand-built session: 10 words (two sentences of 5) and 4 non-verbal chunks
# ------------------------------------------------------------------------------------------

# gaps to the previous word of the same sentence, s; words 0 and 5 start a sentence.
# Sorted gaps .125 .25 .375 .5 .625 .75 .875 1.0 -> percentile = (gaps strictly below) / 8:
# word 1: 1/8 (neg), 2: 3/8, 3: 0 (neg), 4: 7/8 (pos), 6: 5/8, 7: 2/8 = .25 (not < .25),
# 8: 4/8, 9: 6/8 = .75 (>= .75: pos)
_GAPS = {1: 0.25, 2: 0.5, 3: 0.125, 4: 1.0, 6: 0.75, 7: 0.375, 8: 0.625, 9: 0.875}

_WORD_COLUMNS = {
    "is_onset": [1, 0, 0, 0, 0, 1, 0, 0, 0, 0],
    "idx_in_sentence": [0, 1, 2, 3, 4, 0, 1, 2, 3, 4],
    "rms": [5, 1, 8, 3, 7, 2, 6, 4, 10, 9],
    "delta_rms": [-1, 0.5, 2, -3, 4, 1, -0.5, 3, 0, 5],
    "enhanced_pitch": [100, 110, 120, 130, 140, 150, 160, 170, 180, 190],
    "gpt2_surprisal": [np.nan, 3, 1, 4, 1, 5, 9, 2, 6, 5],
    "word_length": [0.3, 0.2, 0.5, 0.1, 0.4, 0.9, 0.8, 0.7, 0.6, 0.05],
    "max_global_magnitude": [190, 180, 170, 160, 150, 140, 130, 120, 110, 100],
    "max_vector_magnitude": [1, 1, 1, 1, 1, 1, 1, 1, 1, 2],
    "mean_pixel_brightness": [50, 60, 50, 60, 50, 60, 50, 60, 70, 80],
    "bin_head": [0, 1, 0, 1, 1, 0, 0, 1, 0, 1],
    "pos": ["NOUN", "VERB", "DET", "NOUN", "VERB", "ADJ", "VERB", "NOUN", "PRON", "VERB"],
    "face_num": [0, 1, 2, 0, 0, 3, 0, 1, 0, 0],
}

# expected (positive word indices, negative indices) per task, worked out by hand from
# Neuroprobe's definitions (percentile = fraction of the session's values strictly below;
# positive > .75, negative < .25; NaN counts as percentile 0); "N" = non-verbal chunks
_NONVERBAL = ("N", [0, 1, 2, 3])
EXPECTED = {
    "onset": ([0, 5], _NONVERBAL),
    "speech": (list(range(10)), _NONVERBAL),
    "volume": ([8, 9], [1, 3, 5]),
    "delta_volume": ([4, 9], [0, 3, 6]),
    "pitch": ([8, 9], [0, 1, 2]),
    "word_index": ([0, 5], [1, 6]),
    "word_gap": ([4, 9], [1, 3]),
    "gpt2_surprisal": ([6], [0, 2, 4, 7]),
    "word_head_pos": ([0, 2, 5, 6, 8], [1, 3, 4, 7, 9]),
    "word_part_speech": ([1, 4, 6, 9], [0, 3, 7]),
    "word_length": ([5, 6], [1, 3, 9]),
    "global_flow": ([0, 1], [7, 8, 9]),
    "local_flow": ([9], [0, 1, 2, 3, 4, 5, 6, 7, 8]),
    "frame_brightness": ([8, 9], [0, 2, 4, 6]),
    "face_num": ([1, 2, 5, 7], [0, 3, 4, 6, 8, 9]),
}


def _session_events(shuffle_seed=None):
    """An events table as the importer writes it, optionally in a scrambled row order."""
    rows, end, t = [], None, 10.0
    for i in range(10):
        if i == 5:
            t = end + 3.0
        elif i:
            t = end + _GAPS[i]
        end = t + 0.25
        row = {"trial_type": "word", "neuroprobe_index": i, "start": t, "end": end,
               "sentence": "first one." if i < 5 else "second one.", "onset": t + 5.0}  # fmt: skip
        row.update({k: v[i] for k, v in _WORD_COLUMNS.items()})
        rows.append(row)
    for j in range(4):
        rows.append({"trial_type": "nonverbal", "neuroprobe_index": j, "onset": 40.0 + j / 2})
    events = pd.DataFrame(rows)
    events["sample"] = np.round(events["onset"] * 2048).astype(int)
    events["duration"] = 1.0
    events = events.sort_values("onset", kind="stable").reset_index(drop=True)
    if shuffle_seed is not None:
        order = np.random.default_rng(shuffle_seed).permutation(len(events))
        events = events.iloc[order].reset_index(drop=True)
    return events


def _as_indices(events, candidates, label):
    part = candidates[candidates["label"] == label]
    kinds = set(part["kind"])
    return kinds, events.loc[part["row"], "neuroprobe_index"].astype(int).tolist()


def test_every_task_has_an_expected_labelling():
    assert set(EXPECTED) == set(NEUROPROBE_TASKS)
    assert len(NEUROPROBE_TASKS) == 15


@pytest.mark.parametrize("task", NEUROPROBE_TASKS)
@pytest.mark.parametrize("shuffle", [None, 7], ids=["sorted", "scrambled"])
def test_task_labels_match_the_definition(task, shuffle):
    events = _session_events(shuffle)
    candidates = neuroprobe_labels(events, task)
    positive, negative = EXPECTED[task]
    kinds, found = _as_indices(events, candidates, 1)
    assert kinds == {"word"}
    assert found == positive  # in Neuroprobe's order, whatever the table's row order
    kinds, found = _as_indices(events, candidates, 0)
    if isinstance(negative, tuple):
        assert kinds == {"nonverbal"}
        assert found == negative[1]
    else:
        assert kinds == {"word"}
        assert found == negative
    # positives first, then negatives
    assert candidates["label"].tolist() == sorted(candidates["label"], reverse=True)


def test_quartile_bounds_are_strict():
    # 8 words, values 1..8: percentiles 0, 1/8, ..., 7/8; 7 sits at exactly .75 and 3 at .25
    events = pd.DataFrame(
        {
            "trial_type": "word",
            "neuroprobe_index": range(8),
            "rms": [1, 2, 3, 4, 5, 6, 7, 8],
            "onset": np.arange(8.0),
        }  # fmt: skip
    )
    candidates = neuroprobe_labels(events, "volume")
    assert candidates.loc[candidates["label"] == 1, "row"].tolist() == [7]
    assert candidates.loc[candidates["label"] == 0, "row"].tolist() == [0, 1]


def test_pitch_falls_back_to_the_release_pitch():
    events = _session_events().drop(columns="enhanced_pitch")
    events["pitch"] = events["rms"]  # the volume ordering, to tell the columns apart
    candidates = neuroprobe_labels(events, "pitch")
    kinds, found = _as_indices(events, candidates, 1)
    assert found == EXPECTED["volume"][0]


def test_labels_reject_unknown_task_and_missing_column():
    events = _session_events()
    with pytest.raises(InvalidParameterError, match="Unknown Neuroprobe task"):
        neuroprobe_labels(events, "sentiment")
    with pytest.raises(InvalidParameterError, match="face_num"):
        neuroprobe_labels(events.drop(columns="face_num"), "face_num")


# ------------------------------------------------------------------------------------------
# balancing and capping
# ------------------------------------------------------------------------------------------


def _candidates(n_pos, n_neg, seed=0):
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(50_000, n_pos + n_neg, replace=False))
    labels = np.zeros(n_pos + n_neg, int)
    labels[rng.choice(n_pos + n_neg, n_pos, replace=False)] = 1
    table = pd.DataFrame({"row": rows, "kind": "word", "label": labels})
    return pd.concat([table[table.label == 1], table[table.label == 0]], ignore_index=True)


def _neuroprobe_oracle(candidates, cap):
    """Neuroprobe's datasets.py, literally: index arrays per class, one RandomState(42)."""
    rng = np.random.RandomState(42)
    label_indices = {1: np.where(candidates["label"] == 1)[0],
                     0: np.where(candidates["label"] == 0)[0]}  # fmt: skip
    n_each = min(len(v) for v in label_indices.values())
    if cap is not None:
        n_each = min(n_each, cap // 2)
    for label in list(label_indices):
        label_indices[label] = np.sort(rng.choice(label_indices[label], size=n_each,
                                                  replace=False))  # fmt: skip
    items = []
    for idx in range(2 * n_each):
        label = (idx + 1) % 2
        items.append((int(candidates["row"].iloc[label_indices[label][idx // 2]]), label))
    return items


@pytest.mark.parametrize(("n_pos", "n_neg", "cap", "n_each"), [
    (5000, 3000, 3500, 1750),  # Lite: 3500 samples, 1750 per class
    (5000, 3000, 1000, 500),  # Nano
    (2100, 900, None, 900),  # Full: balanced, no cap
    (40, 1200, 3500, 40),  # the small class decides
])  # fmt: skip
def test_balancing_caps_and_matches_neuroprobe(n_pos, n_neg, cap, n_each):
    candidates = _candidates(n_pos, n_neg)
    samples = balance_samples(candidates, max_samples=cap)
    assert len(samples) == 2 * n_each
    assert samples["label"].tolist() == [1, 0] * n_each  # interleaved, positive first
    for label in (1, 0):
        rows = samples.loc[samples["label"] == label, "row"].to_numpy()
        assert (np.diff(rows) > 0).all()  # each class in time order, no repeats
    assert list(zip(samples["row"], samples["label"])) == _neuroprobe_oracle(candidates, cap)
    again = balance_samples(candidates, max_samples=cap)
    pd.testing.assert_frame_equal(samples, again)


def test_balancing_depends_on_the_seed():
    candidates = _candidates(500, 400)
    a = balance_samples(candidates, max_samples=100)
    b = balance_samples(candidates, max_samples=100, seed=43)
    assert not a["row"].equals(b["row"])


# ------------------------------------------------------------------------------------------
# splits
# ------------------------------------------------------------------------------------------


def test_within_session_folds_are_contiguous_halves():
    folds = neuroprobe_splits("within_session", 11)
    assert len(folds) == 2
    # sklearn KFold(2, shuffle=False): the first fold holds out 6 samples, the second 5
    np.testing.assert_array_equal(folds[0]["val"], [0, 1, 2])
    np.testing.assert_array_equal(folds[0]["test"], [3, 4, 5])
    np.testing.assert_array_equal(folds[0]["train"], [6, 7, 8, 9, 10])
    np.testing.assert_array_equal(folds[1]["val"], [6, 7])
    np.testing.assert_array_equal(folds[1]["test"], [8, 9, 10])
    np.testing.assert_array_equal(folds[1]["train"], [0, 1, 2, 3, 4, 5])
    for fold in folds:
        held_out = np.concatenate([fold["val"], fold["test"]])
        assert np.all(np.diff(held_out) == 1)
        assert not set(held_out) & set(fold["train"])


def test_across_session_splits_halve_the_test_session():
    for split in ("cross_session", "cross_subject"):
        (fold,) = neuroprobe_splits(split, 7, 12)
        np.testing.assert_array_equal(fold["train"], np.arange(12))
        np.testing.assert_array_equal(fold["val"], [0, 1, 2])
        np.testing.assert_array_equal(fold["test"], [3, 4, 5, 6])
    with pytest.raises(InvalidParameterError):
        neuroprobe_splits("cross_session", 7)
    with pytest.raises(InvalidParameterError, match="split"):
        neuroprobe_splits("random", 7)


@pytest.mark.parametrize(("split", "subset", "test", "train"), [
    ("within_session", "lite", (3, 1), (3, 1)),
    ("cross_session", "lite", (1, 1), (1, 2)),
    ("cross_session", "lite", (1, 2), (1, 1)),
    ("cross_session", "lite", (2, 4), (2, 0)),
    ("cross_session", "lite", (10, 0), (10, 1)),
    ("cross_subject", "lite", (3, 0), (2, 4)),
    ("cross_subject", "lite", (2, 0), None),  # subject 2 trains, so it is never tested
    ("cross_session", "nano", (1, 1), None),
    ("cross_session", "full", (2, 4), (2, 6)),  # longest other session
    ("cross_session", "full", (2, 1), (2, 4)),
    ("cross_session", "full", (5, 0), None),  # one session only
])  # fmt: skip
def test_training_sessions(split, subset, test, train):
    assert neuroprobe_training_session(split, test, subset=subset) == train


# ------------------------------------------------------------------------------------------
# features
# ------------------------------------------------------------------------------------------


def test_laplacian_keeps_every_channel_and_uses_existing_neighbours():
    names = ["A1", "A2", "A3", "B1", "C5", "C6", "T1b2", "T1b3"]
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, len(names), 16))
    out = neuroprobe_laplacian(data, names)
    d = dict(zip(names, np.moveaxis(data, 1, 0)))
    expected = [
        d["A1"] - d["A2"],
        d["A2"] - (d["A1"] + d["A3"]) / 2,
        d["A3"] - d["A2"],
        d["B1"],  # no neighbour: unreferenced
        d["C5"] - d["C6"],
        d["C6"] - d["C5"],
        d["T1b2"] - d["T1b3"],
        d["T1b3"] - d["T1b2"],
    ]
    np.testing.assert_allclose(out, np.stack(expected, axis=1), atol=1e-12)


def test_stft_matches_a_direct_centred_frame():
    sfreq = 2048.0
    t = np.arange(2048) / sfreq
    rng = np.random.default_rng(1)
    x = np.sin(2 * np.pi * 40 * t) + 0.1 * rng.standard_normal(2048)
    spec = neuroprobe_stft(x[None, None].astype(np.float32), sfreq)
    assert spec.shape == (1, 1, 17, 38)  # 1 + 2048 / 128 frames; 0, 4, ..., 148 Hz
    assert int(np.argmax(spec[0, 0, 8])) == 10  # 40 Hz
    # frame 8 is centred on sample 1024; periodic Hann window of 512
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(512) / 512)
    direct = np.abs(np.fft.rfft(x[1024 - 256 : 1024 + 256] * window))[:38]
    np.testing.assert_allclose(spec[0, 0, 8], direct, rtol=1e-4, atol=1e-3)


def test_region_averaging_keeps_common_regions_in_order():
    train = np.arange(2 * 3 * 2, dtype=float).reshape(2, 3, 2)
    test = np.ones((1, 2, 2))
    test[0, 1] = 5
    a, b, common = average_regions(train, test, ["b", "a", "b"], ["b", "c"])
    assert list(common) == ["b"]
    np.testing.assert_allclose(a[:, 0], (train[:, 0] + train[:, 2]) / 2)
    np.testing.assert_allclose(b[:, 0], test[:, 0])
    with pytest.raises(InvalidParameterError, match="share no region"):
        average_regions(train, test, ["a", "a", "a"], ["c", "c"])


# ------------------------------------------------------------------------------------------
# result files
# ------------------------------------------------------------------------------------------


def _folds_table():
    return pd.DataFrame(
        {
            "session": ["btbank1_2", "btbank1_1", "btbank1_1"],
            "fold": [0, 1, 0],
            "train_accuracy": [1.0, 0.9, 0.8],
            "train_roc_auc": [1.0, 0.95, 0.85],
            "val_accuracy": [0.6, 0.7, 0.5],
            "val_roc_auc": [0.65, 0.75, np.nan],
            "test_accuracy": [0.55, 0.6, 0.7],
            "test_roc_auc": [0.6, 0.62, 0.71],
        }
    )


def test_json_has_the_leaderboard_layout():
    content = neuroprobe_json(_folds_table(), model_name="Linear (STFT)", description="d",
                              author="A", organization="O", organization_url="https://o",
                              timestamp=12.0)  # fmt: skip
    text = json.dumps(content, allow_nan=False)  # NaN must have become null
    back = json.loads(text)
    assert list(back)[:7] == ["model_name", "description", "author", "organization",
                              "organization_url", "timestamp", "evaluation_results"]  # fmt: skip
    assert back["timestamp"] == 12.0
    assert sorted(back["evaluation_results"]) == ["btbank1_1", "btbank1_2"]
    bin_ = back["evaluation_results"]["btbank1_1"]["population"]["one_second_after_onset"]
    assert bin_["time_bin_start"] == 0.0 and bin_["time_bin_end"] == 1.0
    assert [f["fold_idx"] for f in bin_["folds"]] == [0, 1]
    first = bin_["folds"][0]
    assert first["test_roc_auc"] == 0.71 and first["val_roc_auc"] is None
    assert {"train_accuracy", "train_roc_auc", "test_accuracy", "test_roc_auc"} <= set(first)


def test_summary_is_the_unweighted_mean_of_task_means():
    rows = []
    for task, aucs in (("onset", [0.9, 0.7]), ("speech", [0.6]), ("volume", [0.5, 0.5, 0.8])):
        for i, auc in enumerate(aucs):
            rows.append({"feature_set": "stft", "split": "cross_session", "task": task,
                         "session": f"s{i}", "fold": 0, "test_roc_auc": auc})  # fmt: skip
    summary = neuroprobe_summary(pd.DataFrame(rows))
    row = summary.iloc[0]
    assert row["onset"] == pytest.approx(0.8)
    assert row["volume"] == pytest.approx(0.6)
    assert row["overall"] == pytest.approx((0.8 + 0.6 + 0.6) / 3)  # not the mean of 6 folds
    assert row["n_evaluations"] == 3
    assert np.isnan(row["face_num"])


# ------------------------------------------------------------------------------------------
# end to end on a miniature replica of the release
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica_bids(tmp_path_factory):
    replica = pytest.importorskip("ieegrep.datasets.braintreebank_replica")
    importer = pytest.importorskip("ieegrep.bids.braintreebank")
    folder = tmp_path_factory.mktemp("btbank")
    source = replica.write_braintreebank_replica(
        folder / "release", sessions=[(2, 0), (2, 4), (4, 0), (4, 1)], n_electrodes=16,
        duration=60.0, seed=0,
    )  # fmt: skip
    importer.import_braintreebank(source, folder / "bids")
    return folder / "bids"


@pytest.mark.slow
@pytest.mark.usefixtures("one_torch_thread")
def test_cli_runs_the_protocol_for_baselines_and_encoders(replica_bids, tmp_path, capsys):
    import torch

    from ieegrep.cli import main
    from ieegrep.datasets import demo_checkpoint_path
    from ieegrep.models.barista import Barista

    torch.manual_seed(0)
    barista = Barista.from_preset("tiny", scale="parcel").save_pretrained(tmp_path / "b.pt")
    out = tmp_path / "results"
    features = ["raw", "stft", "laplacian_stft", "brainbert", "barista"]
    args = ["decode", str(replica_bids), "--protocol", "neuroprobe", "--features",
            ",".join(features), "--checkpoint", f"brainbert={demo_checkpoint_path()}",
            f"barista={barista}", "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Neuroprobe-Lite" in printed and "Cross-Session" in printed
    for feature in features:
        for folder in NEUROPROBE_SPLITS.values():
            files = sorted((out / feature / folder).glob("population_*.json"))
            assert [f.stem.removeprefix("population_") for f in files] == sorted(NEUROPROBE_TASKS)
            for path in files:
                content = json.loads(path.read_text())
                assert content["model_name"]
                for session, entry in content["evaluation_results"].items():
                    assert session.startswith("btbank")
                    for fold in entry["population"]["one_second_after_onset"]["folds"]:
                        assert set(fold) >= {"train_roc_auc", "test_roc_auc", "test_accuracy"}
        assert json.loads((out / feature / "metadata.json").read_text())["model_name"]
    folds = pd.read_csv(out / "neuroprobe_folds.tsv", sep="\t")
    cross = folds[(folds["split"] == "cross_session") & (folds["feature_set"] == "stft")]
    # Lite cross-session: each session of subjects 2 and 4 trains on its partner
    pairs = set(zip(cross["session"], cross["train_session"]))
    assert pairs == {("btbank2_0", "btbank2_4"), ("btbank2_4", "btbank2_0"),
                     ("btbank4_0", "btbank4_1"), ("btbank4_1", "btbank4_0")}  # fmt: skip
    within = folds[(folds["split"] == "within_session") & (folds["feature_set"] == "raw")]
    assert within.groupby(["task", "session"]).size().eq(2).all()  # two folds each
    # cross-subject: subject 4 (left temporal contacts, as subject 2) tested, subject 2 never
    subject = folds[(folds["split"] == "cross_subject") & (folds["task"] == "speech")]
    assert set(subject["train_session"]) == {"btbank2_4"}
    assert set(subject["session"]) == {"btbank4_0", "btbank4_1"}
    # the planted speech response is decodable by the Laplacian + STFT baseline
    speech = folds[(folds["feature_set"] == "laplacian_stft") & (folds["task"] == "speech")
                   & (folds["split"] == "within_session")]  # fmt: skip
    assert speech["test_roc_auc"].mean() > 0.7

    # a second run refuses to overwrite, and --resume reads the files back
    assert main(args) == 2
    resumed = args + ["--resume", "--neuroprobe-tasks", "onset"]
    assert main(resumed) == 0
    assert "onset" in capsys.readouterr().out


def test_protocol_rejects_bad_options(tmp_path):
    from ieegrep.decoding.neuroprobe import run_neuroprobe

    with pytest.raises(InvalidParameterError, match="feature set"):
        run_neuroprobe(tmp_path, features=["wavelets"])
    with pytest.raises(InvalidParameterError, match="checkpoint"):
        run_neuroprobe(tmp_path, features=["brainbert"])
    with pytest.raises(InvalidParameterError, match="Cross-Session"):
        run_neuroprobe(tmp_path, subset="nano", splits=["cross_session"])


def test_import_then_pretrain_leaves_out_the_evaluation_sessions(tmp_path, capsys):
    replica = pytest.importorskip("ieegrep.datasets.braintreebank_replica")
    pytest.importorskip("ieegrep.bids.braintreebank")
    from ieegrep.cli import main
    from ieegrep.models.brainbert import BrainBERT

    # sub-2 ses-1 may be pretrained on; ses-4 is a Lite evaluation session (and trains Cross-Subject)
    source = replica.write_braintreebank_replica(
        tmp_path / "release", sessions=[(2, 1), (2, 4)], n_electrodes=4, duration=60.0
    )
    root = tmp_path / "bids"
    assert main(["import-braintreebank", str(source), str(root), "--subjects", "2"]) == 0
    assert "Brain Treebank imported" in capsys.readouterr().out
    assert sorted(p.name for p in (root / "sub-2").glob("ses-*")) == ["ses-1", "ses-4"]
    out = tmp_path / "run"
    args = ["pretrain", str(root), "--model", "brainbert", "--size", "tiny", "--steps", "1",
            "--batch-size", "2", "--out", str(out), "--cache-dir", str(tmp_path / "cache"),
            "--exclude-neuroprobe-eval"]  # fmt: skip
    assert main(args) == 0
    assert "evaluation sessions excluded" in capsys.readouterr().out
    provenance = BrainBERT.from_pretrained(out / "model.pt").provenance_
    assert [r.split("_task")[0] for r in provenance["recordings"]] == ["sub-2_ses-1"]
    assert provenance["excluded_sessions"] == ["sub-2_ses-4"]
    assert provenance["neuroprobe"]["exclude_neuroprobe_eval"] is True
    assert provenance["neuroprobe"]["excluded_sessions"] == ["sub-2_ses-4"]
    assert "btbank2_4" in provenance["neuroprobe"]["off_limits_sessions"]
    assert len(provenance["neuroprobe"]["off_limits_sessions"]) == 12


def test_leaderboard_overall_is_the_mean_of_its_tasks():
    from ieegrep.decoding.neuroprobe import neuroprobe_leaderboard

    board = neuroprobe_leaderboard()
    assert len(board) == 18  # 6 models x 3 splits
    means = board[list(NEUROPROBE_TASKS)].mean(axis=1)
    np.testing.assert_allclose(board["overall"], means, atol=0.0015)  # 3-decimal rounding
    cross = neuroprobe_leaderboard("cross_session").set_index("feature_set")
    assert cross.loc["laplacian_stft", "overall"] == 0.648
    assert cross.loc["laplacian_stft", "onset"] == 0.904


def test_plot_shows_every_task_and_the_leaderboard():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from ieegrep.viz.neuroprobe import plot_neuroprobe

    rows = []
    for feature, shift in (("stft", 0.0), ("brainbert", 0.05)):
        for task in NEUROPROBE_TASKS:
            rows.append({"feature_set": feature, "split": "cross_session", "task": task,
                         "session": "btbank1_1", "fold": 0, "test_roc_auc": 0.6 + shift})  # fmt: skip
    fig = plot_neuroprobe(pd.DataFrame(rows))
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 16  # 15 tasks + overall, two feature sets
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["Overall", "Sentence Onset"]
    ticks = [line for line in ax.lines if line.get_label() == "leaderboard"]
    assert len(ticks) == 1 and ticks[0].get_xdata()[0] == 0.626  # published STFT overall
    with pytest.raises(InvalidParameterError, match="within_session"):
        plot_neuroprobe(pd.DataFrame(rows), split="within_session")
    plt.close(fig)
