import mne
import numpy as np
import pytest

from ieegrep.bids import load_recording
from ieegrep.datasets import make_synthetic_bids
from ieegrep.exceptions import InvalidParameterError
from ieegrep.preprocessing.filters import notch_filter, resample
from ieegrep.preprocessing.reference import reference_matrix
from ieegrep.preprocessing.streaming import RecordingStream, preprocess
from ieegrep.preprocessing.windows import event_windows, extract_windows, sliding_windows


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    root = make_synthetic_bids(
        tmp_path_factory.mktemp("sim") / "ds",
        n_subjects=1,
        duration=20.0,
        sfreq=1000.0,
        max_channels=24,
        seed=5,
    )
    path = next(root.rglob("*_ieeg.vhdr"))
    return load_recording(path, preload=True)


def whole(recording, notch, sfreq, reference="laplacian"):
    raw = recording.raw
    picks = [i for i, t in enumerate(raw.get_channel_types()) if t == "seeg"]
    names = [raw.ch_names[i] for i in picks]
    scheme = reference_matrix(
        names, reference, shafts=recording.electrodes["shaft"], bads=raw.info["bads"]
    )
    data = raw.get_data(picks=picks)
    if notch:
        data = notch_filter(data, raw.info["sfreq"], raw.info["line_freq"], mode=notch)
    data = scheme.apply(data)
    return resample(data, raw.info["sfreq"], sfreq) if sfreq else data


@pytest.mark.parametrize("notch", ["reference", "zero-phase", None])
@pytest.mark.parametrize("sfreq", [None, 2048.0])
def test_chunks_equal_whole_recording(recording, notch, sfreq):
    stream = RecordingStream(recording, notch=notch, sfreq=sfreq, chunk_duration=3.7)
    expected = whole(recording, notch, sfreq)
    pieces = list(stream.chunks())
    assert len(pieces) > 4
    assert [p[0] for p in pieces] == sorted(p[0] for p in pieces)
    chunked = np.concatenate([p[1] for p in pieces], axis=1)
    assert chunked.shape == expected.shape == (len(stream.ch_names), stream.n_times)
    scale = np.abs(expected).max()
    assert np.abs(chunked - expected).max() <= 1e-12 * scale


def test_windows_stream_equals_extraction(recording):
    stream = RecordingStream(recording, sfreq=2048.0, chunk_duration=2.5)
    windows = sliding_windows(recording, 5.0, 1.0, sfreq=2048.0)
    expected = extract_windows(stream.to_array(), windows)
    rows, blocks = zip(*stream.windows(windows, batch_size=3))
    assert np.concatenate(rows).tolist() == list(range(len(windows)))
    np.testing.assert_array_equal(np.concatenate(blocks), expected)
    # sparse event-locked windows far apart
    events = event_windows(recording, 0.2, 0.8, trial_type="sentence_onset", sfreq=2048.0)
    got = np.concatenate([b for _, b in stream.windows(events)])
    np.testing.assert_array_equal(got, extract_windows(stream.to_array(), events))


def test_windows_on_wrong_grid_raise(recording):
    stream = RecordingStream(recording)
    windows = sliding_windows(recording, 5.0, sfreq=2048.0)
    with pytest.raises(InvalidParameterError, match="sample grid"):
        next(stream.windows(windows))


def test_preprocess_recording_and_raw(recording):
    out = preprocess(recording, sfreq=2048.0)
    assert out.raw.info["sfreq"] == 2048.0
    assert out.raw.ch_names == out.electrodes["name"].tolist()
    assert out.provenance["reference"]["method"] == "laplacian"
    assert out.provenance["preprocessing"]["sfreq"] == 2048.0
    np.testing.assert_allclose(
        out.raw.get_data(), whole(recording, "reference", 2048.0), atol=1e-15
    )
    assert len(out.raw.annotations) == len(recording.raw.annotations)
    raw_out = preprocess(recording.raw, reference="bipolar", notch=None)
    assert isinstance(raw_out, mne.io.BaseRaw)
    assert all("-" in name for name in raw_out.ch_names)


def test_stream_errors(recording):
    with pytest.raises(InvalidParameterError, match="chunk_duration"):
        RecordingStream(recording, chunk_duration=0)
    with pytest.raises(InvalidParameterError, match="Recording or an mne.io.Raw"):
        RecordingStream(np.zeros((2, 10)))
