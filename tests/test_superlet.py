"""BrainBERT's superlet front end: fixture parity, a direct reference, conventions, bad input."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
import torch

from ieegrep.exceptions import InvalidParameterError
from ieegrep.preprocessing.superlet import (
    superlet_amplitude,
    superlet_orders,
    superlet_spectrogram,
)

FS = 2048


# ------------------------------------------------------------------------------------------
# direct reference, written from ../shared/reference/brainbert.md section 4: one
# fftconvolve(mode="same") per wavelet, complex64 buffers, geometric mean, modulus. It is
# the benchmark's "reference way" too, so one copy lives in benchmarks/bench_spectrograms.py.
# ------------------------------------------------------------------------------------------


def _load_benchmark():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_spectrograms.py"
    spec = importlib.util.spec_from_file_location("bench_spectrograms", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


direct_superlet = _load_benchmark().direct_superlet


def direct_spectrogram(x, sfreq, freqs, decim=50, trim=5, **orders):
    amplitude = np.abs(direct_superlet(x, sfreq, freqs, **orders))[:, ::decim][:, trim:-trim]
    return np.nan_to_num(scipy.stats.zscore(amplitude, axis=-1)).T.astype(np.float32)


@pytest.fixture(scope="module")
def superlet_ref(shared):
    return dict(np.load(shared / "fixtures" / "superlet_reference.npz"))


# ------------------------------------------------------------------------------------------
# fixture parity
# ------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_fixture_amplitudes(superlet_ref):
    x = superlet_ref["signal"]
    full = superlet_amplitude(x, int(superlet_ref["fs"]), hop_duration=None)
    assert full.shape == (10240, 40)
    np.testing.assert_allclose(full.T, superlet_ref["magnitude_full"], rtol=1e-6, atol=0)
    decimated, times, freqs = superlet_amplitude(x, FS, return_axes=True)
    assert decimated.shape == (205, 40)
    np.testing.assert_allclose(decimated.T, superlet_ref["magnitude_decimated"], rtol=1e-6)
    np.testing.assert_allclose(freqs, superlet_ref["foi_hz"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(times[5:-5], superlet_ref["times_s_exact"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(superlet_orders(freqs), superlet_ref["orders"], rtol=0, atol=1e-12)
    np.testing.assert_allclose((1 / freqs) / (2 * np.pi), superlet_ref["scales"], rtol=1e-15)


@pytest.mark.shared
def test_fixture_spectrogram(superlet_ref):
    x = superlet_ref["signal"]
    spec, times, freqs = superlet_spectrogram(x, FS, return_axes=True)
    assert spec.dtype == np.float32 and spec.shape == (195, 40)
    np.testing.assert_allclose(spec, superlet_ref["spec"], rtol=0, atol=1e-4)
    assert np.abs(spec - superlet_ref["spec"]).max() < 1e-5  # observed ~2e-6
    np.testing.assert_allclose(times, superlet_ref["times_s_exact"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        superlet_spectrogram(torch.from_numpy(x), FS), superlet_ref["spec"], rtol=0, atol=1e-4
    )


# ------------------------------------------------------------------------------------------
# against the direct reference on other signals
# ------------------------------------------------------------------------------------------


def test_matches_direct_default_settings():
    # a second signal: bursts of 13 Hz and 97 Hz over pink-ish noise, 5 s at 2048 Hz
    rng = np.random.default_rng(11)
    t = np.arange(10240) / FS
    noise = np.cumsum(rng.standard_normal(10240)) * 0.05 + rng.standard_normal(10240)
    x = noise + 3 * np.sin(2 * np.pi * 13 * t) * (t > 2) + 2 * np.sin(2 * np.pi * 97 * t) * (t < 3)
    freqs = np.linspace(0.1, 200, 40)
    expected = np.abs(direct_superlet(x, FS, freqs))
    amplitude = superlet_amplitude(x, FS)
    np.testing.assert_allclose(amplitude.T, expected[:, ::50], rtol=1e-6)
    spec = superlet_spectrogram(x, FS)
    reference = np.nan_to_num(scipy.stats.zscore(expected[:, ::50][:, 5:-5], axis=-1)).T
    np.testing.assert_allclose(spec, reference, rtol=0, atol=1e-5)


@pytest.mark.parametrize(
    ("sfreq", "n_times", "freqs", "orders", "hop"),
    [
        # few frequencies: integer orders are skipped (jumps of more than one)
        (1000, 2000, np.array([2.0, 11.0, 40.0, 90.0, 150.0]), (1, 12, 2.0), 24),
        # fractional lowest order, long low-frequency wavelets (longer than the signal)
        (500, 1200, np.linspace(0.5, 60, 9), (2.5, 9, 1.5), 10),
        # every sample
        (256, 700, np.linspace(3, 100, 6), (3, 7, 1.0), 1),
    ],
)
def test_matches_direct_other_settings(sfreq, n_times, freqs, orders, hop):
    order_min, order_max, c1 = orders
    rng = np.random.default_rng(n_times)
    x = rng.standard_normal(n_times) + np.sin(2 * np.pi * 30 * np.arange(n_times) / sfreq)
    options = {"order_min": order_min, "order_max": order_max, "c1": c1}
    expected = np.abs(direct_superlet(x, sfreq, freqs, **options))[:, ::hop]
    got = superlet_amplitude(x, sfreq, freqs=freqs, hop_duration=hop / sfreq, **options)
    assert got.shape == expected.T.shape
    np.testing.assert_allclose(got.T, expected, rtol=2e-6)


# ------------------------------------------------------------------------------------------
# conventions
# ------------------------------------------------------------------------------------------


def test_shapes_batch_invariance_and_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6144))
    spec = superlet_spectrogram(x, FS)
    assert spec.shape == (2, 3, 113, 40)  # ceil(6144 / 50) = 123 frames, minus 2 x 5
    assert spec.dtype == np.float32
    single = superlet_spectrogram(x[1, 2], FS)
    np.testing.assert_allclose(spec[1, 2], single, rtol=0, atol=1e-6)
    amplitude = superlet_amplitude(x, FS)
    alone = np.stack([superlet_amplitude(row, FS) for row in x.reshape(6, -1)])
    np.testing.assert_allclose(amplitude.reshape(6, 123, 40), alone, rtol=1e-10)
    tensor = superlet_spectrogram(torch.from_numpy(x).float(), FS)
    np.testing.assert_allclose(tensor, superlet_spectrogram(x.astype(np.float32), FS), atol=1e-6)


def test_time_before_frequency():
    t = np.arange(10240) / FS
    x = np.where(t > 2.5, np.sin(2 * np.pi * 87.3 * t), 0.0)
    amplitude, times, freqs = superlet_amplitude(x, FS, return_axes=True)
    assert amplitude.shape == (205, 40)
    peak_time, peak_freq = np.unravel_index(amplitude.argmax(), amplitude.shape)
    assert abs(freqs[peak_freq] - 87.3) < 5.2
    assert times[peak_time] > 2.5
    np.testing.assert_allclose(times, np.arange(205) * 50 / FS)


def test_other_sampling_rate():
    x = np.random.default_rng(3).standard_normal(5000)
    spec, times, freqs = superlet_spectrogram(x, 1000, return_axes=True)
    # same frequencies; the 50/2048 s step is 24 samples at 1000 Hz: ceil(5000 / 24) = 209
    np.testing.assert_allclose(freqs, np.linspace(0.1, 200, 40))
    assert spec.shape == (199, 40)
    assert times[1] - times[0] == pytest.approx(0.024)


def test_zscore_without_guard_and_raw_path():
    x = np.zeros(4096)
    assert np.all(superlet_spectrogram(x, FS) == 0.0)  # 0 / 0 -> NaN -> 0
    x = np.random.default_rng(4).standard_normal(4096)
    raw = superlet_spectrogram(x, FS, normalize=None, trim_frames=0)
    np.testing.assert_allclose(raw, superlet_amplitude(x, FS).astype(np.float32), rtol=1e-6)


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------


def test_too_short_message():
    with pytest.raises(InvalidParameterError) as info:
        superlet_spectrogram(np.zeros(500), FS)
    message = str(info.value)
    assert "10 superlet frames" in message and "leaves 0 frames" in message
    assert "501 samples" in message
    superlet_spectrogram(np.random.default_rng(0).standard_normal(501), FS)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sfreq": -5}, "sfreq"),
        ({"fmax": 1500}, "fmax"),
        ({"fmin": 0}, "fmin"),
        ({"n_freqs": 1}, "n_freqs"),
        ({"freqs": [5.0, 3.0]}, "freqs"),
        ({"freqs": [5.0]}, "freqs"),
        ({"order_min": 0.5}, "order_min"),
        ({"order_max": 2}, "order_max"),
        ({"c1": 0}, "c1"),
        ({"hop_duration": 0}, "hop_duration"),
        ({"hop_duration": None}, "hop_duration"),
        ({"trim_frames": -2}, "trim_frames"),
        ({"normalize": "robust"}, "normalize"),
    ],
)
def test_invalid_parameters(kwargs, field):
    kwargs = {"sfreq": FS, **kwargs}
    sfreq = kwargs.pop("sfreq")
    with pytest.raises(InvalidParameterError) as info:
        superlet_spectrogram(np.zeros(4096), sfreq, **kwargs)
    assert info.value.field == field
    assert info.value.fix
    with pytest.raises(InvalidParameterError, match="real numbers"):
        superlet_amplitude(np.zeros(4096, complex), FS)
