import mne
import numpy as np
import pandas as pd
import pytest

from ieegrep.exceptions import InvalidParameterError
from ieegrep.preprocessing.windows import (
    bad_segments,
    event_windows,
    extract_windows,
    sliding_windows,
)


@pytest.fixture
def raw():
    info = mne.create_info(["A1", "A2", "A3"], 100.0, "seeg")
    data = np.arange(3 * 2000, dtype=float).reshape(3, 2000)
    raw = mne.io.RawArray(data, info, verbose=False)
    raw.set_annotations(
        mne.Annotations([3.0, 12.0, 15.0], [0.0, 1.0, 0.0], ["word", "BAD_artifact", "word"])
    )
    return raw


def test_sliding_windows_drop_bad_segments(raw):
    windows = sliding_windows(raw, 2.0, 1.0)
    assert windows.attrs["n_samples"] == 200 and windows.attrs["sfreq"] == 100.0
    # 19 windows fit in 20 s; those overlapping 12-13 s (starts 11, 12) are dropped
    assert windows.attrs["dropped"] == {"edge": 0, "bad": 2}
    assert 11.0 not in windows["onset"].tolist() and 12.0 not in windows["onset"].tolist()
    assert len(windows) == 17
    assert (windows["stop"] - windows["start"] == 200).all()
    assert windows["onset"].is_monotonic_increasing
    kept = sliding_windows(raw, 2.0, 1.0, reject_by_annotation=False)
    assert len(kept) == 19
    np.testing.assert_allclose(bad_segments(raw), [[12.0, 13.0]])


def test_windows_on_another_grid(raw):
    windows = sliding_windows(raw, 5.0, sfreq=2048.0)
    assert windows.attrs["n_samples"] == 10240
    assert windows["start"].tolist()[:2] == [0, 10240]
    snapped = sliding_windows(raw, 5.0, 1.0, sfreq=2048.0, snap=50, reject_by_annotation=False)
    assert np.diff(snapped["start"]).tolist() == [2050] * (len(snapped) - 1)
    with pytest.raises(InvalidParameterError, match="snap"):
        sliding_windows(raw, 5.0, 1.0, snap=0)


def test_event_windows(raw):
    windows = event_windows(raw, 0.5, 1.0, trial_type="word")
    assert windows["event_onset"].tolist() == [3.0, 15.0]
    assert windows["start"].tolist() == [250, 1450]
    assert windows["duration"].iloc[0] == 1.5
    assert (windows["trial_type"] == "word").all()
    # an event too close to the end is dropped as an edge window
    events = pd.DataFrame({"onset": [1.0, 19.5], "trial_type": ["x", "x"]})
    windows = event_windows(raw, 0.5, 1.0, events=events)
    assert windows["event_onset"].tolist() == [1.0]
    assert windows.attrs["dropped"]["edge"] == 1


def test_event_window_errors(raw):
    with pytest.raises(InvalidParameterError, match="No event of this type"):
        event_windows(raw, 0.5, 1.0, trial_type="sentence")
    with pytest.raises(InvalidParameterError, match="positive time"):
        event_windows(raw, 0.5, -1.0)
    with pytest.raises(InvalidParameterError, match="duration"):
        sliding_windows(raw, 0)
    with pytest.raises(InvalidParameterError, match="Recording or an mne.io.Raw"):
        sliding_windows(np.zeros(3), 1.0)


def test_extract_windows(raw):
    windows = sliding_windows(raw, 2.0, 1.0)
    blocks = extract_windows(raw.get_data(), windows)
    assert blocks.shape == (17, 3, 200)
    np.testing.assert_array_equal(blocks[1], raw.get_data()[:, 100:300])
    with pytest.raises(InvalidParameterError, match="outside the data"):
        extract_windows(raw.get_data()[:, :500], windows)
