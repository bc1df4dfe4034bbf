"""Speed and agreement of ieegrep's BrainBERT front ends against the reference way.

Run ``python benchmarks/bench_spectrograms.py`` (``--help`` for sizes). Importable:
:func:`bench_stft` and :func:`bench_superlet` return dicts of figures, :func:`main`
prints them.

Both parts use the same generated recording: 128 channels x 10 min at 2048 Hz
(brown + white noise, a 60 Hz line and a few bursts), float64.

(a) STFT front end for every 5-s window (10240 samples) at a 1-s stride: ieegrep's
    :func:`~ieegrep.preprocessing.spectrogram.windowed_stft_spectrogram` against
    the reference way, ``scipy.signal.stft`` per channel per window followed by the
    per-window z-score and trim of BrainBERT's ``preprocessors/stft.py``. At 2048 Hz
    a 1-s stride (2048 samples) is not a multiple of the 50-sample hop, so windows
    share no frames; the same is also run at a 2050-sample stride (41 hops,
    1.001 s), where the inner frames are computed once for the whole signal.
    Channels are processed in groups so that memory stays bounded; both sides do
    exactly the same work and their outputs are compared element by element.
    Both sides first run once, untimed, on 30 s of the first group (see
    :func:`bench_stft`); the one-off first call is reported separately.
(b) Superlet front end: ieegrep's
    :func:`~ieegrep.preprocessing.superlet.superlet_spectrogram` /
    :func:`~ieegrep.preprocessing.superlet.superlet_amplitude` against a direct
    implementation of the reference algorithm (one ``scipy.signal.fftconvolve(mode=
    "same")`` per wavelet per channel into complex64 buffers, geometric mean,
    modulus, decimation), on a subset of channels x windows small enough for the
    direct version to finish in about a minute. Same work on both sides; ieegrep's
    time is given with and without building its wavelet spectra (cached per
    window length).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.signal
import scipy.stats
from scipy.signal import fftconvolve

from ieegrep.preprocessing.spectrogram import windowed_stft_spectrogram
from ieegrep.preprocessing.superlet import _PLANS, superlet_amplitude, superlet_spectrogram

SFREQ = 2048
WINDOW = 10240  # 5 s


def make_recording(n_channels=128, minutes=10.0, sfreq=SFREQ, seed=0):
    """Generate a float64 recording (n_channels, n_times) that looks vaguely like sEEG."""
    rng = np.random.default_rng(seed)
    n_times = int(round(minutes * 60 * sfreq))
    t = np.arange(n_times) / sfreq
    x = np.empty((n_channels, n_times))
    line = 5 * np.sin(2 * np.pi * 60 * t)
    for c in range(n_channels):
        brown = np.cumsum(rng.standard_normal(n_times)) * 0.02
        brown -= np.linspace(brown[0], brown[-1], n_times)  # keep it bounded
        x[c] = brown + rng.standard_normal(n_times) * 10 + line * rng.uniform(0.2, 2)
        onset = rng.uniform(0, t[-1] - 2)
        burst = (t > onset) & (t < onset + 2)
        x[c, burst] += 20 * np.sin(2 * np.pi * rng.uniform(4, 120) * t[burst])
    return x


# ------------------------------------------------------------------------------------------
# reference ways
# ------------------------------------------------------------------------------------------


def reference_stft(x):
    """BrainBERT's STFT preprocessing of one 1-D window, the reference way."""
    _, _, z = scipy.signal.stft(x, fs=SFREQ, nperseg=400, noverlap=350, return_onesided=True)
    magnitude = np.abs(z[:40])
    mean = magnitude.mean(axis=-1, keepdims=True)
    std = magnitude.std(axis=-1, keepdims=True)
    std[std == 0] = 1
    zscored = (magnitude - mean) / std
    if zscored.std() == 0:
        zscored = np.ones_like(zscored)
    return np.nan_to_num(zscored[:, 10:-10]).T.astype(np.float32)


def _morlet(scale, cycles, sfreq, k_sd=5.0):
    dt = 1 / sfreq
    support = 10 * scale * cycles / dt
    t = np.arange((-support + 1) / 2.0, (support + 1) / 2.0) * dt
    ts = t / scale
    wavelet = k_sd / (scale * cycles * (2 * np.pi) ** 1.5) * np.exp(1j * ts)
    wavelet *= np.exp(-0.5 * (k_sd * ts / (2 * np.pi * cycles)) ** 2)
    return dt**0.5 / (4 * np.pi) * wavelet


def direct_superlet(x, sfreq=SFREQ, freqs=None, order_min=3, order_max=30, c1=1):
    """Adaptive superlet transform of one 1-D signal, one fftconvolve per wavelet."""
    freqs = np.linspace(0.1, 200, 40) if freqs is None else freqs
    scales = (1 / freqs) / (2 * np.pi)
    fois = 1 / (2 * np.pi * scales)
    orders = order_min + (order_max - order_min) * (fois - fois[0]) / (fois[-1] - fois[0])
    orders_int = np.floor(orders).astype(np.int32)
    present = np.unique(orders_int)
    exponents = 1 / (orders - order_min + 1)
    alphas = orders % orders_int

    def transform(order, first):
        out = np.zeros((len(scales) - first, x.size), np.complex64)
        for row, scale in enumerate(scales[first:]):
            out[row] = fftconvolve(x, _morlet(scale, c1 * order, sfreq), mode="same")
        return out

    result = np.power(transform(present[0], 0).T, exponents).T
    last = 1
    for i, jump in enumerate(np.flatnonzero(np.diff(orders_int))):
        following = transform(present[i + 1], last)
        span = slice(last, jump + 1)
        result[span] *= np.power(following[: jump - last + 1].T, alphas[span] * exponents[span]).T
        result[jump + 1 :] *= np.power(following[jump - last + 1 :].T, exponents[jump + 1 :]).T
        last = jump + 1
    return result


def reference_superlet(x):
    """BrainBERT's superlet preprocessing of one window: amplitude [40, 205] and spec [195, 40]."""
    amplitude = np.abs(direct_superlet(x))[:, ::50]
    spec = np.nan_to_num(scipy.stats.zscore(amplitude[:, 5:-5], axis=1)).T.astype(np.float32)
    return amplitude, spec


# ------------------------------------------------------------------------------------------
# benchmarks
# ------------------------------------------------------------------------------------------


def bench_stft(
    recording=None,
    *,
    n_channels=128,
    minutes=10.0,
    strides=(2048, 2050),
    group=16,
    n_jobs=(1, 2),
    verbose=True,
):
    """Time the STFT front end on all 5-s windows of a recording, ieegrep vs reference.

    Returns a dict ``{stride: figures}``; figures hold ``n_channels``, ``n_windows``,
    ``reference_s``, ``max_abs_diff``, ``first_call_s`` (one-off: the first call
    of the process, loading the compiled kernels) and, for every thread count ``n``
    in ``n_jobs``, ``ieegrep_s[n]`` and ``speedup[n]``.
    """
    x = make_recording(n_channels, minutes) if recording is None else recording
    results = {}
    # one untimed round of both sides first: the first call in a process loads ieegrep's
    # compiled kernels (numba, cached on disk after the first compilation), and whichever
    # side runs first pays for this machine's slow first touch of fresh memory
    tic = time.perf_counter()
    windowed_stft_spectrogram(x[:1, : 2 * WINDOW], SFREQ, np.array([0]), WINDOW)
    first_call = time.perf_counter() - tic
    warm = x[:group, : 30 * SFREQ + WINDOW]
    windowed_stft_spectrogram(warm, SFREQ, np.arange(0, 30 * SFREQ + 1, SFREQ), WINDOW)
    for c in range(warm.shape[0]):
        for start in range(0, 30 * SFREQ + 1, SFREQ):
            reference_stft(warm[c, start : start + WINDOW])
    for stride in strides:
        starts = np.arange(0, x.shape[1] - WINDOW + 1, stride)
        ours = dict.fromkeys(n_jobs, 0.0)
        ref = 0.0
        worst = 0.0
        for c0 in range(0, x.shape[0], group):
            block = x[c0 : c0 + group]
            for n in n_jobs:
                tic = time.perf_counter()
                spec = windowed_stft_spectrogram(block, SFREQ, starts, WINDOW, n_jobs=n)
                ours[n] += time.perf_counter() - tic
            tic = time.perf_counter()
            expected = np.empty_like(spec)
            for c in range(block.shape[0]):
                for w, start in enumerate(starts):
                    expected[c, w] = reference_stft(block[c, start : start + WINDOW])
            ref += time.perf_counter() - tic
            worst = max(worst, float(np.abs(spec - expected).max()))
            del spec, expected
            if verbose:
                print(
                    f"  ... stride {stride}: channels {c0}-{c0 + block.shape[0] - 1} done",
                    flush=True,
                )
        results[stride] = {
            "n_channels": x.shape[0],
            "n_windows": starts.size,
            "reference_s": ref,
            "ieegrep_s": ours,
            "speedup": {n: ref / t for n, t in ours.items()},
            "max_abs_diff": worst,
            "first_call_s": first_call,
        }
    return results


def bench_superlet(recording=None, *, n_channels=4, n_windows=8, stride=2048):
    """Time the superlet front end on a subset, ieegrep vs the direct reference algorithm.

    Returns a dict with the subset size, ``reference_s``, ``ieegrep_s`` (wavelet spectra
    cached), ``ieegrep_cold_s`` (including building them), the speed-ups, the largest
    element-wise relative difference of the decimated amplitude and the largest
    absolute difference of the spectrogram.
    """
    if recording is None:
        recording = make_recording(n_channels, minutes=(n_windows * stride + WINDOW) / SFREQ / 60)
    starts = np.arange(n_windows) * stride
    windows = np.stack([recording[:n_channels, s : s + WINDOW] for s in starts], axis=1)
    tic = time.perf_counter()
    expected = [[reference_superlet(w) for w in channel] for channel in windows]
    reference = time.perf_counter() - tic
    expected_amplitude = np.array([[a.T for a, _ in row] for row in expected])
    expected_spec = np.array([[s for _, s in row] for row in expected])
    _PLANS.clear()
    tic = time.perf_counter()
    spec = superlet_spectrogram(windows, SFREQ)
    cold = time.perf_counter() - tic
    tic = time.perf_counter()
    spec = superlet_spectrogram(windows, SFREQ)
    warm = time.perf_counter() - tic
    amplitude = superlet_amplitude(windows, SFREQ)
    relative = np.abs(amplitude - expected_amplitude) / np.abs(expected_amplitude)
    return {
        "n_channels": n_channels,
        "n_windows": n_windows,
        "reference_s": reference,
        "ieegrep_s": warm,
        "ieegrep_cold_s": cold,
        "speedup": reference / warm,
        "speedup_cold": reference / cold,
        "max_rel_diff_amplitude": float(relative.max()),
        "max_abs_diff_spec": float(np.abs(spec - expected_spec).max()),
    }


def main(argv=None):
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=128)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument(
        "--n-jobs", type=int, default=2, help="ieegrep threads (STFT), besides n_jobs=1"
    )
    parser.add_argument("--superlet-channels", type=int, default=8)
    parser.add_argument("--superlet-windows", type=int, default=8)
    args = parser.parse_args(argv)

    print(f"Recording: {args.channels} channels x {args.minutes:g} min at {SFREQ} Hz")
    recording = make_recording(args.channels, args.minutes)
    print("\n(a) STFT front end, every 5-s window (186 x 40 each)")
    stft = bench_stft(recording, n_jobs=tuple(sorted({1, args.n_jobs})))
    for stride, f in stft.items():
        kind = (
            "1 s, off the hop grid" if stride % 50 else f"{stride / SFREQ:.4f} s, on the hop grid"
        )
        print(
            f"  stride {stride} samples ({kind}): {f['n_channels']} ch x {f['n_windows']} windows\n"
            f"    reference (scipy.signal.stft per channel per window): {f['reference_s']:8.2f} s"
        )
        for n, seconds in f["ieegrep_s"].items():
            label = f"ieegrep windowed_stft_spectrogram, n_jobs={n}:"
            print(f"    {label:<53} {seconds:8.2f} s   speed-up {f['speedup'][n]:5.1f}x")
        print(f"    max |diff| {f['max_abs_diff']:.2e}")
    print(
        f"  (not in the times above: ieegrep's first call in a process, which loads its "
        f"compiled kernels, took {f['first_call_s']:.2f} s)"
    )
    print("\n(b) Superlet front end (195 x 40 each), same subset on both sides")
    sl = bench_superlet(
        recording, n_channels=args.superlet_channels, n_windows=args.superlet_windows
    )
    print(
        f"  {sl['n_channels']} channels x {sl['n_windows']} windows of 5 s\n"
        f"    reference (fftconvolve per wavelet per channel): {sl['reference_s']:8.2f} s\n"
        f"    ieegrep superlet_spectrogram (spectra cached):  {sl['ieegrep_s']:8.3f} s"
        f"   speed-up {sl['speedup']:6.1f}x\n"
        f"    ieegrep including building wavelet spectra:     {sl['ieegrep_cold_s']:8.3f} s"
        f"   speed-up {sl['speedup_cold']:6.1f}x\n"
        f"    max relative diff (amplitude) {sl['max_rel_diff_amplitude']:.2e}   "
        f"max |diff| (spectrogram) {sl['max_abs_diff_spec']:.2e}"
    )
    return {"stft": stft, "superlet": sl}


if __name__ == "__main__":
    main()
