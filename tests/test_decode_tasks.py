"""Decoding tasks on BIDS events and embeddings as derivatives, on simulated data with planted effects."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import make_synthetic_bids
from ieegrep.decoding.tasks import decode_bids, embed_bids, labelled_windows, parse_event_spec
from ieegrep.derivatives import find_embeddings, read_embeddings
from ieegrep.exceptions import InvalidParameterError, OutputExistsError
from ieegrep.models.barista import Barista
from ieegrep.models.brainbert import BrainBERT
from ieegrep.models.checkpoints import file_sha256

# Subject 3 of the simulator is implanted like Brain Treebank subject 3: with 16 channels
# at most, 10 of its 14 contacts lie in frontal cortex and carry the planted
# sentence-locked theta burst (PLANTED_EFFECTS["sentence_theta"]).
TASK = "trial_type=sentence_onset"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = tmp_path_factory.mktemp("sim") / "bids"
    return make_synthetic_bids(
        root, n_subjects=3, duration=150.0, sfreq=1024.0, max_channels=16, n_bad=1, seed=3
    )


@pytest.fixture(scope="module")
def recording(simulated):
    return load_recording(find_recordings(simulated, subject="03")[0], preload=True)


def test_parse_event_spec():
    assert parse_event_spec("trial_type=a, b") == ("trial_type", ["a", "b"])
    assert parse_event_spec({"value": 2}) == ("value", ["2"])
    assert parse_event_spec(("trial_type", "a")) == ("trial_type", ["a"])
    for bad in ("trial_type", "=a", "trial_type=", None):
        with pytest.raises(InvalidParameterError, match="COLUMN=VALUE"):
            parse_event_spec(bad)


def test_labelled_windows_against_events(recording):
    events = recording.events
    sentences = np.sort(events.loc[events["trial_type"] == "sentence_onset", "onset"].to_numpy())
    table = labelled_windows(recording, TASK, window=(0.0, 1.0))
    positives = table[table["label"] == 1]
    np.testing.assert_allclose(np.sort(positives["event_onset"]), sentences)
    negatives = table[table["label"] == 0]
    words = events.loc[events["trial_type"] == "word_onset", "onset"].to_numpy()
    # every word onset that is not also a sentence onset, and none that is
    assert len(negatives) == len(np.setdiff1d(words, sentences))
    assert not np.isin(negatives["event_onset"], sentences).any()
    assert (table["stop"] - table["start"] == 1024).all()
    assert table.attrs["n_samples"] == 1024

    rest = labelled_windows(recording, TASK, negative="rest", window=(0.5, 1.0))
    free = rest[rest["label"] == 0]
    assert len(free) > 0 and (free["source"] == "rest").all()
    onsets = events["onset"].to_numpy()
    for begin in free["onset"]:  # no event window [t - 0.5, t + 1] overlaps a rest window
        assert not ((onsets > begin - 1.0) & (onsets < begin + 1.5 + 0.5)).any()
    with pytest.raises(InvalidParameterError, match="no column"):
        labelled_windows(recording, "condition=a")


def test_decode_errors(simulated, tmp_path):
    with pytest.raises(InvalidParameterError, match="Unknown feature set"):
        decode_bids(simulated, events=TASK, feature_sets=["wavelets"])
    with pytest.raises(InvalidParameterError, match="needs an encoder checkpoint"):
        decode_bids(simulated, events=TASK, feature_sets=["brainbert"])
    with pytest.raises(InvalidParameterError, match="group_by"):
        decode_bids(simulated, events=TASK, cv="grouped")
    with pytest.raises(InvalidParameterError, match="cross-validation"):
        decode_bids(simulated, events=TASK, cv="kfold")


def test_decode_recovers_the_planted_task_and_writes_tables(simulated, tmp_path):
    summary = decode_bids(
        simulated, events=TASK, subjects="03", feature_sets=["stft"], window=(0.0, 1.0),
        n_splits=4, out_dir=tmp_path,
    )  # fmt: skip
    row = summary.set_index("name").loc["stft"]
    assert row["n_folds"] == 4 and row["n_positive"] > 15
    assert row["auroc_mean"] > 0.8, summary
    folds = pd.read_csv(tmp_path / "decoding_folds.tsv", sep="\t")
    assert len(folds) == 4 and set(folds["name"]) == {"stft"}
    saved = json.loads((tmp_path / "decoding.json").read_text())
    assert saved["settings"]["events"] == TASK and saved["summary"][0]["name"] == "stft"
    with pytest.raises(OutputExistsError):
        decode_bids(simulated, events=TASK, subjects="03", feature_sets=["stft"],
                    out_dir=tmp_path)  # fmt: skip


@pytest.mark.slow
def test_decode_compares_feature_sets_and_barista_scales(simulated):
    torch.manual_seed(0)
    checkpoints = {
        "brainbert": BrainBERT(d_model=32, n_layers=1, n_heads=4, d_ff=64),
        "barista:channel": Barista.from_preset("tiny", scale="channel"),
        "barista:parcel": Barista.from_preset("tiny", scale="parcel"),
    }
    names = ["raw", "stft", "laplacian_stft", "brainbert", "barista:channel", "barista:parcel"]
    summary = decode_bids(
        simulated, events=TASK, subjects="03", feature_sets=names, checkpoints=checkpoints,
        window=(0.0, 1.0), cv="contiguous", n_splits=5,
    )  # fmt: skip
    table = summary.set_index("name")
    print("\n" + summary.to_string())
    assert list(table.index) == names
    assert table.loc[["raw", "stft"], "auroc_mean"].min() > 0.8
    results = summary.attrs["results"]
    # every feature set is scored on the same folds
    sizes = {name: tuple(r.folds["n_test"]) for name, r in results.items()}
    assert len(set(sizes.values())) == 1
    for scale in ("barista:channel", "barista:parcel"):
        assert 0.0 <= table.loc[scale, "auroc_mean"] <= 1.0


def test_embed_bids_writes_valid_derivatives(tmp_path, validate_bids):
    root = make_synthetic_bids(
        tmp_path / "bids", n_subjects=1, duration=20.0, sfreq=1024.0, max_channels=12, n_bad=1
    )
    torch.manual_seed(0)
    path = BrainBERT(d_model=16, n_layers=1, n_heads=2, d_ff=32).save_pretrained(
        tmp_path / "brainbert.pt"
    )
    written = embed_bids(root, checkpoint=path, model="brainbert", window=5.0)
    assert len(written) == 1
    embeddings = read_embeddings(written[0]["embeddings"])
    assert embeddings.data.shape[0] == 4 and embeddings.data.shape[2] == 16
    assert embeddings.metadata["CheckpointSHA256"] == file_sha256(path)
    assert embeddings.metadata["Preprocessing"]["reference"] == "laplacian"
    assert embeddings.metadata["Preprocessing"]["notch"] == "reference"  # as in pretraining
    np.testing.assert_allclose(embeddings.onsets, [0.0, 5.0, 10.0, 15.0])
    unfiltered = embed_bids(root, checkpoint=path, window=5.0, notch=None, overwrite=True)
    raw_line = read_embeddings(unfiltered[0]["embeddings"])
    assert raw_line.metadata["Preprocessing"]["notch"] is None
    assert not np.allclose(raw_line.data, embeddings.data)  # the notch changed the input
    with pytest.raises(InvalidParameterError, match="notch"):
        embed_bids(root, checkpoint=path, notch="iir")
    embed_bids(root, checkpoint=path, window=5.0, overwrite=True)
    barista = Barista.from_preset("tiny", scale="parcel")
    written = embed_bids(root, checkpoint=barista, model="barista", window=3.0)
    assert written[0]["embeddings"].name.endswith("desc-baristaParcel_embeddings.npy")
    assert len(find_embeddings(root)) == 2
    with pytest.raises(OutputExistsError):
        embed_bids(root, checkpoint=path, model="brainbert", window=5.0)
    report = validate_bids(root / "derivatives" / "ieegrep")
    assert report["errors"] == [], report["errors"]
