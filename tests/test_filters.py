import numpy as np
import pytest
from scipy import signal

from ieegrep.exceptions import InvalidParameterError
from ieegrep.preprocessing.filters import (
    NotchFilter,
    notch_filter,
    notch_frequencies,
    resample,
    resampling_ratio,
)


def reference_notch(x, fs=2048):
    """BrainBERT/BaRISTA notch, as described: iirnotch(w0=f/(fs/2), Q=30), one lfilter each."""
    for f in (60, 120, 180, 240, 300, 360):
        b, a = signal.iirnotch(f / (fs / 2), 30)
        x = signal.lfilter(b, a, x)
    return x


def test_reference_mode_is_exact():
    x = np.random.default_rng(0).standard_normal((4, 8192))
    np.testing.assert_array_equal(notch_filter(x, 2048, 60), reference_notch(x))


def test_chunked_reference_equals_whole():
    x = np.random.default_rng(1).standard_normal((3, 20_000))
    notch = NotchFilter(2048, 60)
    pieces = [notch(x[:, i : i + 3001]) for i in range(0, x.shape[1], 3001)]
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), reference_notch(x), atol=1e-12)
    notch.reset()
    np.testing.assert_allclose(notch(x), reference_notch(x), atol=1e-12)


def test_zero_phase_removes_line_without_delay():
    fs, n = 1000.0, 20_000
    t = np.arange(n) / fs
    slow = np.sin(2 * np.pi * 7 * t)
    x = slow + np.sin(2 * np.pi * 50 * t) + 0.5 * np.sin(2 * np.pi * 150 * t)
    y = notch_filter(x, fs, 50, mode="zero-phase")
    middle = slice(4000, 16000)
    assert np.abs(y[middle] - slow[middle]).max() < 1e-3
    causal = notch_filter(x, fs, 50)
    # the causal pass also removes the line, but shifts the phase of nearby frequencies
    assert np.abs(causal[middle] - slow[middle]).max() > 5e-3


def test_harmonics_below_nyquist():
    assert notch_frequencies(60, 2048) == [60, 120, 180, 240, 300, 360]
    assert notch_frequencies(50, 250) == [50, 100]
    with pytest.raises(InvalidParameterError, match="line frequency"):
        notch_frequencies(None, 1000)
    with pytest.raises(InvalidParameterError, match="mode"):
        notch_filter(np.zeros(100), 1000, 50, mode="fir")


def test_resampling_ratio_and_rate():
    assert resampling_ratio(1000, 2048)[:2] == (256, 125)
    up, down, error = resampling_ratio(999.4121105232217, 2048)
    assert abs(error) < 1e-6
    x = np.sin(2 * np.pi * 10 * np.arange(5000) / 1000)
    y = resample(x, 1000, 2048)
    assert y.shape == (10240,)
    t = np.arange(10240) / 2048
    assert np.abs(y[500:-500] - np.sin(2 * np.pi * 10 * t[500:-500])).max() < 1e-3
    np.testing.assert_array_equal(resample(x, 2048, 2048), x)
    with pytest.raises(InvalidParameterError, match="positive"):
        resample(x, 0, 2048)


@pytest.mark.shared
def test_notch_on_real_seeg(shared):
    """The line-noise peak of real sEEG (bids_ieeg_mini, 60 Hz) drops by orders of magnitude."""
    import mne

    raw = mne.io.read_raw_edf(
        shared
        / "data"
        / "bids_ieeg_mini"
        / "sub-01"
        / "ieeg"
        / "sub-01_task-rest_acq-seeg_ieeg.edf",
        preload=True,
        verbose="error",
    )
    x = raw.get_data(picks=[n for n in raw.ch_names if "'" in n])
    fs = raw.info["sfreq"]
    settle = slice(int(2 * fs), None)  # leave out the causal filter's first 2 s
    f, before = signal.welch(x[:, settle], fs, nperseg=2000)
    line = np.argmin(np.abs(f - 60))
    neighbour = np.argmin(np.abs(f - 50))
    for mode, minimum in (("reference", 300), ("zero-phase", 1000)):
        y = notch_filter(x, fs, 60, mode=mode)
        _, after = signal.welch(y[:, settle], fs, nperseg=2000)
        reduction = np.median(before[:, line] / after[:, line])
        assert reduction > minimum, (mode, reduction)
        # 10 Hz away, the signal is left alone
        assert 0.9 < np.median(before[:, neighbour] / after[:, neighbour]) < 1.1
