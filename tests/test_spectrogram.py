"""BrainBERT's STFT front end: fixture parity, conventions, windows, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import scipy.stats
import torch

from ieegrep.exceptions import InvalidParameterError
from ieegrep.preprocessing.spectrogram import stft_spectrogram, windowed_stft_spectrogram

FS = 2048


def _scipy_magnitude(x, sfreq, nperseg, hop, n_bins):
    """|scipy.signal.stft| of the first n_bins bins, as [time, freq] (independent derivation)."""
    _, _, z = scipy.signal.stft(
        x, fs=sfreq, nperseg=nperseg, noverlap=nperseg - hop, return_onesided=True
    )
    return np.abs(z[..., :n_bins, :]).swapaxes(-1, -2)


def _reference_zscore(magnitude, trim):
    """preprocessors/stft.py as described: z-score over all frames (guards), then trim."""
    mean = magnitude.mean(axis=-2, keepdims=True)
    std = magnitude.std(axis=-2, keepdims=True)
    std[std == 0] = 1
    z = (magnitude - mean) / std
    if z.std() == 0:
        z = np.ones_like(z)
    z = z[trim : z.shape[0] - trim]
    return np.nan_to_num(z).astype(np.float32)


@pytest.fixture(scope="module")
def stft_ref(shared):
    return dict(np.load(shared / "fixtures" / "stft_reference.npz"))


# ------------------------------------------------------------------------------------------
# fixture parity
# ------------------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("which", ["a", "b"])
def test_fixture_canonical(stft_ref, which):
    x = stft_ref[f"signal_{which}"]
    spec, times, freqs = stft_spectrogram(x, int(stft_ref["fs"]), return_axes=True)
    assert spec.dtype == np.float32
    assert spec.shape == stft_ref[f"spec_{which}"].shape
    np.testing.assert_allclose(spec, stft_ref[f"spec_{which}"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(times, stft_ref[f"times_s_{which}"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(freqs, stft_ref["freqs_hz"], rtol=0, atol=1e-9)


@pytest.mark.shared
@pytest.mark.parametrize("which", ["a", "b"])
def test_fixture_intermediates(stft_ref, which):
    x = stft_ref[f"signal_{which}"]
    magnitude = stft_spectrogram(x, FS, normalize=None, trim_frames=0)
    np.testing.assert_allclose(magnitude, stft_ref[f"magnitude_{which}"], rtol=0, atol=1e-5)
    zscored, times = stft_spectrogram(x, FS, trim_frames=0, return_axes=True)[:2]
    np.testing.assert_allclose(zscored, stft_ref[f"zscored_untrimmed_{which}"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(times, stft_ref[f"times_s_untrimmed_{which}"], rtol=0, atol=1e-12)
    # the un-normalised path with the default trim is the trimmed magnitude
    trimmed = stft_spectrogram(x, FS, normalize=None)
    np.testing.assert_allclose(trimmed, stft_ref[f"magnitude_{which}"][10:-10], atol=1e-5)


@pytest.mark.shared
def test_fixture_dataset_quirks(stft_ref):
    x = stft_ref["signal_a"]
    expected = stft_ref["spec_a_from_float32"]
    np.testing.assert_allclose(stft_spectrogram(x, FS, round_to_float32=True), expected, atol=1e-5)
    np.testing.assert_allclose(stft_spectrogram(x.astype(np.float32), FS), expected, atol=1e-5)
    pretrain = stft_spectrogram(x, FS, round_to_float32=True, drop_last_sample=True)
    np.testing.assert_allclose(pretrain, stft_ref["spec_a_pretrain_dataset"], rtol=0, atol=1e-5)
    assert pretrain.shape == (186, 40)
    # the quirk matters: without it the difference is far above the tolerance
    assert np.abs(stft_spectrogram(x, FS) - stft_ref["spec_a_pretrain_dataset"]).max() > 1e-3


@pytest.mark.shared
def test_fixture_windowed_and_torch(stft_ref):
    a, b = stft_ref["signal_a"], stft_ref["signal_b"]
    long = np.concatenate([b, a, b])
    out = windowed_stft_spectrogram(long, FS, [b.size, 0, b.size + a.size - 6144], a.size)
    np.testing.assert_allclose(out[0], stft_ref["spec_a"], rtol=0, atol=1e-5)
    spec_b = windowed_stft_spectrogram(long, FS, [0], b.size)
    np.testing.assert_allclose(spec_b[0], stft_ref["spec_b"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(
        stft_spectrogram(torch.from_numpy(a), FS), stft_ref["spec_a"], rtol=0, atol=1e-5
    )
    np.testing.assert_allclose(
        stft_spectrogram(torch.from_numpy(a).float(), FS),
        stft_ref["spec_a_from_float32"],
        rtol=0,
        atol=1e-5,
    )


# ------------------------------------------------------------------------------------------
# against an independent scipy derivation
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sfreq", "n_times", "nperseg", "hop"),
    [
        (2048, 10240, 400, 50),  # BrainBERT: 8 taps of 50-sample blocks
        (2048, 7777, 400, 50),  # end padding
        (1000, 5000, 195, 24),  # defaults at 1000 Hz: gcd 3, 65 taps -> direct (rfft) path
        (512, 2600, 100, 13),  # defaults at 512 Hz: gcd 1 -> direct path
        (2048, 6000, 300, 40),  # 15 taps (not a power of two), frames every 2 blocks
        (300, 1500, 59, 7),  # odd window, 1-sample blocks, frames every 7 blocks
        (1000, 3000, 45, 15),  # odd 15-sample blocks (a centre sample), 3 taps = 2 + 1
    ],
)
def test_matches_scipy(sfreq, n_times, nperseg, hop):
    rng = np.random.default_rng(sfreq + n_times)
    x = rng.standard_normal((2, n_times)) + 0.3
    durations = {"window_duration": nperseg / sfreq, "hop_duration": hop / sfreq}
    fmax = min(200.0, sfreq / 3)
    spec, times, freqs = stft_spectrogram(x, sfreq, fmax=fmax, return_axes=True, **durations)
    n_bins = freqs.size
    magnitude = _scipy_magnitude(x, sfreq, nperseg, hop, n_bins)
    expected = np.stack([_reference_zscore(m, 10) for m in magnitude])
    assert spec.shape == expected.shape
    np.testing.assert_allclose(spec, expected, rtol=0, atol=1e-5)
    np.testing.assert_allclose(times, np.arange(10, 10 + spec.shape[-2]) * hop / sfreq)
    raw = stft_spectrogram(x, sfreq, fmax=fmax, normalize=None, trim_frames=0, **durations)
    np.testing.assert_allclose(raw, magnitude, rtol=1e-5, atol=1e-9)


def test_other_sampling_rate_same_grid():
    spec, times, freqs = stft_spectrogram(np.zeros(5000) + 1.0, 1000, return_axes=True)
    _, _, freqs_2048 = stft_spectrogram(np.ones(10240), FS, return_axes=True)
    assert freqs.size == freqs_2048.size == 40
    np.testing.assert_allclose(freqs, freqs_2048, atol=0.25 * 40)  # ~5.12 Hz steps
    assert np.all(np.diff(freqs) == pytest.approx(1000 / 195))
    assert freqs[-1] <= 200 + 1e-9
    # 24-sample hop: ceil(5000 / 24) + 1 = 210 frames, 190 kept; ~ the same 24.4 ms step
    assert spec.shape == (190, 40)
    assert times[1] - times[0] == pytest.approx(0.024)
    assert times[0] == pytest.approx(10 * 0.024)


def test_notebook_variant():
    rng = np.random.default_rng(5)
    x = rng.standard_normal(10240)
    spec = stft_spectrogram(x, FS, trim_frames=5, zscore_before_trim=False)
    assert spec.shape == (196, 40)
    magnitude = _scipy_magnitude(x, FS, 400, 50, 40)[5:-5]
    expected = np.nan_to_num(scipy.stats.zscore(magnitude, axis=0)).astype(np.float32)
    np.testing.assert_allclose(spec, expected, rtol=0, atol=1e-5)
    # it is a different normalisation from the canonical one
    canonical = stft_spectrogram(x, FS, trim_frames=5)
    assert np.abs(canonical - spec).max() > 1e-2


# ------------------------------------------------------------------------------------------
# conventions
# ------------------------------------------------------------------------------------------


def test_shapes_and_leading_dims():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6144))
    spec = stft_spectrogram(x, FS)
    assert spec.shape == (2, 3, 104, 40)
    assert spec.dtype == np.float32
    np.testing.assert_allclose(spec[1, 2], stft_spectrogram(x[1, 2], FS), atol=1e-6)
    # time before frequency: a 100 Hz tone in the second half shows in late frames, bin ~20
    t = np.arange(10240) / FS
    tone = np.where(t > 2.5, np.sin(2 * np.pi * 102.4 * t), 0.0)
    spec, times, freqs = stft_spectrogram(tone, FS, normalize=None, return_axes=True)
    peak_time, peak_freq = np.unravel_index(spec.argmax(), spec.shape)
    assert freqs[peak_freq] == pytest.approx(102.4)
    assert times[peak_time] > 2.5
    assert spec[times < 2.2].max() < 1e-3 * spec.max()


def test_frame_counts_and_axes():
    for n_times, expected in [(10240, 186), (6144, 104), (10239, 186), (10200, 185), (1400, 9)]:
        spec, times, freqs = stft_spectrogram(np.ones(n_times), FS, return_axes=True)
        assert spec.shape == (expected, 40)
        assert times.shape == (expected,)
        _, t_scipy, _ = scipy.signal.stft(np.ones(n_times), fs=FS, nperseg=400, noverlap=350)
        np.testing.assert_allclose(times, t_scipy[10:-10])
    assert freqs[0] == 0 and freqs[-1] == pytest.approx(199.68)
    spec = stft_spectrogram(np.ones(10240), FS, n_freqs=64)
    assert spec.shape == (186, 64)


def test_constant_and_nan_input():
    # constant bins: std 0 -> 1; all constant -> ones (reference rule)
    assert np.all(stft_spectrogram(np.zeros(10240), FS) == 1.0)
    x = np.random.default_rng(1).standard_normal(10240)
    x[100] = np.nan
    spec = stft_spectrogram(x, FS)
    assert np.all(spec == 0.0)


# ------------------------------------------------------------------------------------------
# windows
# ------------------------------------------------------------------------------------------


def _per_window(x, starts, n_samples, **options):
    return np.stack(
        [stft_spectrogram(x[..., s : s + n_samples], FS, **options) for s in starts], axis=-3
    )


@pytest.mark.parametrize(
    "starts",
    [
        np.arange(0, 20 * FS - 10240 + 1, 2050),  # on the hop grid: shared inner frames
        np.arange(0, 20 * FS - 10240 + 1, 2048),  # 1 s: 25 hop phases, computed per window
        np.array([7, 57, 30000, 107, 7, 20000, 20050, 1234]),  # unsorted, repeated, mixed
    ],
)
def test_windowed_equals_per_window(starts):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 20 * FS)) * 3 + 1
    out = windowed_stft_spectrogram(x, FS, starts, 10240)
    assert out.shape == (2, starts.size, 186, 40)
    np.testing.assert_allclose(out, _per_window(x, starts, 10240), rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "options",
    [
        {"normalize": None, "trim_frames": 0},
        {"zscore_before_trim": False, "trim_frames": 5},
        {"round_to_float32": True, "drop_last_sample": True},
        {"trim_frames": 0},
    ],
)
def test_windowed_options(options):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 1, 8 * FS))
    starts = np.arange(0, 8 * FS - 6144 + 1, 100)
    out, times, freqs = windowed_stft_spectrogram(x, FS, starts, 6144, return_axes=True, **options)
    expected = _per_window(x, starts, 6144, **options)
    assert out.shape == expected.shape == (2, 1, starts.size) + expected.shape[-2:]
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)
    assert times.shape == (out.shape[-2],) and freqs.shape == (40,)


def test_windowed_short_windows_and_other_rate():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4000))
    # windows shorter than a frame-and-a-half: no inner frames, all edge frames
    starts = np.arange(0, 4000 - 450, 50)
    out = windowed_stft_spectrogram(x, FS, starts, 450, trim_frames=1)
    np.testing.assert_allclose(out, _per_window(x, starts, 450, trim_frames=1), atol=1e-6)
    # 1000 Hz (direct path)
    starts = np.arange(0, 4000 - 1000, 48)
    out = windowed_stft_spectrogram(x, 1000, starts, 1000, trim_frames=2)
    expected = np.stack(
        [stft_spectrogram(x[:, s : s + 1000], 1000, trim_frames=2) for s in starts], axis=1
    )
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_windowed_nan_stays_local():
    x = np.random.default_rng(7).standard_normal((2, 40000))
    x[1, 20000] = np.nan
    starts = np.arange(0, 40000 - 10240 + 1, 500)
    for options in ({}, {"normalize": None}, {"trim_frames": 3}):
        out = windowed_stft_spectrogram(x, FS, starts, 10240, **options)
        expected = _per_window(x, starts, 10240, **options)
        np.testing.assert_allclose(out, np.nan_to_num(expected), atol=1e-6)
        assert np.all(out[0] == out[0])  # the clean channel is untouched


def test_windowed_threads():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 12 * FS))
    starts = np.concatenate([np.arange(0, 2 * FS, 2050), np.arange(3, 2 * FS, 2048)])
    one = windowed_stft_spectrogram(x, FS, starts, 10240)
    two = windowed_stft_spectrogram(x, FS, starts, 10240, n_jobs=2)
    np.testing.assert_allclose(one, two, rtol=0, atol=1e-6)
    np.testing.assert_allclose(stft_spectrogram(x, FS, n_jobs=-1), stft_spectrogram(x, FS))


def test_torch_input_windowed():
    x = torch.randn(2, 3 * FS + 100, dtype=torch.float64)
    out = windowed_stft_spectrogram(x, FS, [0, 100], 6144)
    np.testing.assert_allclose(out, _per_window(x.numpy(), [0, 100], 6144), atol=1e-6)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------


def test_too_short_message():
    with pytest.raises(InvalidParameterError) as info:
        stft_spectrogram(np.zeros(900), FS)
    message = str(info.value)
    assert "19 STFT frames" in message and "leaves -1 frames" in message
    assert "trim_frames" in message and "951 samples" in message
    assert info.value.field == "data"
    stft_spectrogram(np.zeros(951), FS)  # the advertised minimum works
    with pytest.raises(InvalidParameterError, match="fewer than the 400-sample"):
        stft_spectrogram(np.zeros(300), FS, trim_frames=0)
    with pytest.raises(InvalidParameterError, match="leaves 0 frames"):
        windowed_stft_spectrogram(np.zeros(5000), FS, [0], 950)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sfreq": 0}, "sfreq"),
        ({"sfreq": "2048"}, "sfreq"),
        ({"trim_frames": -1}, "trim_frames"),
        ({"trim_frames": 1.5}, "trim_frames"),
        ({"normalize": "minmax"}, "normalize"),
        ({"fmax": 2000}, "fmax"),
        ({"fmax": -1}, "fmax"),
        ({"n_freqs": 500}, "n_freqs"),
        ({"hop_duration": 0.5}, "hop_duration"),
        ({"window_duration": 0}, "window_duration"),
        ({"zscore_before_trim": "yes"}, "zscore_before_trim"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_invalid_parameters(kwargs, field):
    kwargs = {"sfreq": FS, **kwargs}
    sfreq = kwargs.pop("sfreq")
    with pytest.raises(InvalidParameterError) as info:
        stft_spectrogram(np.zeros(10240), sfreq, **kwargs)
    assert info.value.field == field
    assert info.value.fix


def test_invalid_data_and_starts():
    with pytest.raises(InvalidParameterError, match="real numbers"):
        stft_spectrogram(np.zeros(10240, complex), FS)
    with pytest.raises(InvalidParameterError, match="scalar"):
        stft_spectrogram(3.0, FS)
    x = np.zeros((2, 20000))
    with pytest.raises(InvalidParameterError, match="leaves the signal") as info:
        windowed_stft_spectrogram(x, FS, [0, 15000], 10240)
    assert info.value.field == "starts"
    with pytest.raises(InvalidParameterError, match="whole sample indices"):
        windowed_stft_spectrogram(x, FS, [0.5], 10240)
    with pytest.raises(InvalidParameterError, match="whole sample indices"):
        windowed_stft_spectrogram(x, FS, [], 10240)
    with pytest.raises(InvalidParameterError, match="leaves the signal"):
        windowed_stft_spectrogram(x, FS, [-1], 10240)
    with pytest.raises(InvalidParameterError) as info:
        windowed_stft_spectrogram(x, FS, [0], 0)
    assert info.value.field == "n_samples"
