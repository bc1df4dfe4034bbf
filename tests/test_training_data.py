"""Pretraining datasets from BIDS: streamed preprocessing, cache, selection, padding."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import make_synthetic_bids
from ieegrep.exceptions import InvalidParameterError, NoRecordingsError
from ieegrep.preprocessing import preprocess, region_tokens, stft_spectrogram, zscore_segments
from ieegrep.training import data as data_module
from ieegrep.training.data import SegmentDataset, SpectrogramDataset, parse_exclusions


@pytest.fixture(scope="module")
def bids_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("bids") / "ds"
    return make_synthetic_bids(
        root, n_subjects=2, n_sessions=2, duration=11.0, max_channels=12, n_bad=1, seed=1
    )


@pytest.fixture(scope="module")
def processed(bids_root):
    """Whole-recording in-memory preprocessing of sub-02_ses-01 (the oracle)."""
    path = find_recordings(bids_root, subject="02", session="01")[0]
    return preprocess(load_recording(path), sfreq=2048.0)


def test_spectrogram_examples_match_in_memory_path(bids_root, processed, tmp_path):
    data = SpectrogramDataset(bids_root, subjects="02", sessions="01", cache_dir=tmp_path)
    entry = data.entries[0]
    assert entry["channels"] == processed.raw.ch_names
    assert entry["n_windows"] == 2  # 11 s -> two 5 s windows
    assert len(data) == 2 * len(entry["channels"])
    signal = processed.raw.get_data()
    for index in (0, 3, len(data) - 1):
        info = data.example_info(index)
        c = entry["channels"].index(info["channel"])
        start = info["window"] * 10240
        expected = stft_spectrogram(signal[c, start : start + 10240], 2048.0)
        got = data[index]["spec"]
        assert got.dtype == torch.float32 and got.shape == (186, 40)
        np.testing.assert_allclose(got.numpy(), expected, atol=2e-5)
    batch = data.collate([data[i] for i in range(3)])
    assert batch["spec"].shape == (3, 186, 40)
    assert batch["padding_mask"].shape == (3, 186) and not batch["padding_mask"].any()


def test_collate_pads_frames():
    short = {"spec": torch.ones(5, 4)}
    long = {"spec": torch.ones(7, 4)}
    batch = SpectrogramDataset.collate([short, long])
    assert batch["spec"].shape == (2, 7, 4)
    assert batch["padding_mask"][0].tolist() == [False] * 5 + [True] * 2
    assert batch["spec"][0, 5:].abs().sum() == 0


def test_segments_match_in_memory_path_and_tokens(bids_root, processed, tmp_path):
    data = SegmentDataset(
        bids_root, subjects="02", sessions="01", scale="parcel", masking_scale="lobe",
        cache_dir=tmp_path,
    )  # fmt: skip
    assert len(data) == 3  # 11 s -> three 3 s segments
    x = data[1]["x"]
    expected = zscore_segments(processed.raw.get_data()[:, 6144 : 2 * 6144])
    np.testing.assert_allclose(x.numpy(), expected, atol=1e-5)
    np.testing.assert_allclose(x.numpy().mean(-1), 0, atol=1e-5)
    np.testing.assert_allclose(x.numpy().std(-1), 1, atol=1e-4)
    tokens = region_tokens(processed, scales=["parcel", "lobe"])
    assert data[0]["spatial_index"].tolist() == tokens.spatial_index["parcel"].tolist()
    assert data[0]["group_ids"].tolist() == tokens.group_ids["lobe"].tolist()


def test_segments_pad_recordings_with_different_channel_counts(bids_root, tmp_path):
    data = SegmentDataset(bids_root, scale="channel", masking_scale="parcel", cache_dir=tmp_path)
    counts = {len(e["channels"]) for e in data.entries}
    assert len(counts) > 1, "the fixture should give different channel counts"
    first = data[0]
    last = data[len(data) - 1]
    batch = data.collate([first, last])
    n = max(first["x"].shape[0], last["x"].shape[0])
    assert batch["x"].shape == (2, n, 6144)
    assert batch["spatial_index"].shape == (2, n, 3)  # L, I, P grid coordinates
    assert batch["spatial_index"].dtype == torch.long
    for i, example in enumerate((first, last)):
        c = example["x"].shape[0]
        assert batch["channel_mask"][i].tolist() == [False] * c + [True] * (n - c)
        assert (batch["group_ids"][i, c:] == -1).all()
        assert (batch["group_ids"][i, :c] >= 0).all()
        assert torch.equal(batch["x"][i, :c], example["x"])
        assert batch["x"][i, c:].abs().sum() == 0


def test_cache_is_reused_and_invalidated(bids_root, tmp_path, monkeypatch):
    first = SpectrogramDataset(bids_root, subjects="01", cache_dir=tmp_path)
    entries = sorted(p.name for p in tmp_path.iterdir())
    assert len(entries) == 2 and all((tmp_path / e / "data.npy").exists() for e in entries)

    class Forbidden:
        def __init__(self, *args, **kwargs):
            raise AssertionError("recomputed despite a valid cache")

    monkeypatch.setattr(data_module, "RecordingStream", Forbidden)
    second = SpectrogramDataset(bids_root, subjects="01", cache_dir=tmp_path)
    assert second.fingerprint == first.fingerprint
    assert torch.equal(second[5]["spec"], first[5]["spec"])
    # other options: a new entry is needed
    with pytest.raises(AssertionError, match="recomputed"):
        SpectrogramDataset(bids_root, subjects="01", cache_dir=tmp_path, duration=4.0)
    # an edited recording: new key
    monkeypatch.undo()
    channels = next((bids_root / "sub-01" / "ses-01" / "ieeg").glob("*_channels.tsv"))
    stat = channels.stat()
    os.utime(channels, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    third = SpectrogramDataset(bids_root, subjects="01", cache_dir=tmp_path)
    assert third.fingerprint != first.fingerprint
    assert len(list(tmp_path.iterdir())) == 3


def test_failed_preprocessing_leaves_no_cache_entry(bids_root, tmp_path, monkeypatch):
    def broken(data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(data_module, "zscore_segments", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        SegmentDataset(bids_root, subjects="01", sessions="01", cache_dir=tmp_path)
    assert [p for p in tmp_path.iterdir() if not p.name.startswith(".")] == []
    assert not list(tmp_path.rglob("data.npy"))


def test_small_chunks_give_the_same_examples(bids_root, tmp_path):
    whole = SegmentDataset(bids_root, subjects="01", sessions="02", cache_dir=tmp_path / "a")
    chunked = SegmentDataset(
        bids_root, subjects="01", sessions="02", cache_dir=tmp_path / "b", chunk_duration=1.3
    )
    np.testing.assert_allclose(chunked[2]["x"].numpy(), whole[2]["x"].numpy(), atol=1e-5)


def test_selection_and_exclusion(bids_root, tmp_path):
    data = SegmentDataset(bids_root, exclude=["sub-01_ses-02", ("02", None)], cache_dir=tmp_path)
    assert data.recordings == ["sub-01_ses-01_task-movie_run-01_ieeg.vhdr"]
    provenance = data.provenance()
    assert provenance["excluded_sessions"] == ["sub-01_ses-02", "sub-02"]
    assert len(provenance["excluded_recordings"]) == 3
    assert provenance["dataset_root"] == str(bids_root)
    assert provenance["preprocessing"]["scale"] == "parcel"
    with pytest.raises(NoRecordingsError):
        SegmentDataset(bids_root, subjects="01", exclude=["sub-01"], cache_dir=tmp_path)


def test_parse_exclusions():
    assert parse_exclusions(["sub-01_ses-02", "sub-3", "sub-04/ses-1", ("sub-5", "ses-2")]) == [
        ("01", "02"),
        ("3", None),
        ("04", "1"),
        ("5", "2"),
    ]
    with pytest.raises(InvalidParameterError) as info:
        parse_exclusions(["ses-01"])
    assert info.value.field == "exclude"


def test_bad_options(bids_root, tmp_path):
    with pytest.raises(InvalidParameterError) as info:
        SegmentDataset(bids_root, scale="voxel", cache_dir=tmp_path)
    assert info.value.field == "scale"
    with pytest.raises(InvalidParameterError) as info:
        SpectrogramDataset(bids_root, duration=-1, cache_dir=tmp_path)
    assert info.value.field == "duration"
    with pytest.raises(NoRecordingsError):
        SpectrogramDataset(bids_root, duration=30.0, cache_dir=tmp_path)


@pytest.mark.parametrize("family", [pytest.param("barista", marks=pytest.mark.slow), "brainbert"])
def test_real_objectives_resume_bitwise(bids_root, tmp_path, family):
    """The datasets feed the real objectives, and a split run equals an unsplit one."""
    from ieegrep.models.barista import Barista
    from ieegrep.models.brainbert import BrainBERT
    from ieegrep.training.latent_reconstruction import LatentReconstructionObjective
    from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective
    from ieegrep.training.runner import pretrain

    if family == "barista":
        data = SegmentDataset(bids_root, subjects="01", scale="lobe", cache_dir=tmp_path / "c")

        def make(seed):
            torch.manual_seed(seed)
            return LatentReconstructionObjective(Barista.from_preset("tiny", scale="lobe"))
    else:
        data = SpectrogramDataset(bids_root, subjects="01", sessions="01", cache_dir=tmp_path / "c")

        def make(seed):
            torch.manual_seed(seed)
            return MaskedSpectrogramObjective(BrainBERT.from_config("tiny", n_layers=1))

    settings = dict(n_steps=3, batch_size=2, lr=1e-3, checkpoint_every=1, seed=1, progress=False)
    whole = make(0)
    pretrain(whole, data, out_dir=tmp_path / "a", **settings)
    split = make(0)
    pretrain(split, data, out_dir=tmp_path / "b", max_steps_this_call=2, **settings)
    split = make(5)
    result = pretrain(split, data, out_dir=tmp_path / "b", resume=True, **settings)
    assert result.model_path.exists()
    for key, value in whole.state_dict().items():
        assert torch.equal(split.state_dict()[key], value), key
    assert np.isfinite(result.history["baseline_loss"]).all()
