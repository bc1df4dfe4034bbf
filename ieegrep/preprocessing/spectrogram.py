"""BrainBERT's STFT front end: magnitude spectrogram, per-frequency z-score, trim.

:func:`stft_spectrogram` reproduces the spectrogram that BrainBERT's released
``stft_large_pretrained`` model reads (``preprocessors/stft.py`` of the reference
code, described in ``../shared/reference/brainbert.md`` section 3), and
:func:`windowed_stft_spectrogram` computes it for many (overlapping) windows of a
long recording while sharing the work that the windows have in common.

Shapes and ordering
-------------------
``data`` is ``(..., n_times)``: any number of leading dimensions (channels,
epochs, batches), time last. The result is ``(..., n_frames, n_freqs)``: the
leading dimensions are kept, **time (frames) comes before frequency**, as in
BrainBERT's model input ``[T, 40]``. The windowed function inserts the window
axis before the frames: ``(..., n_windows, n_frames, n_freqs)``, windows in the
order of ``starts``. Results are ``float32`` NumPy arrays; the computation runs
in ``float64``.

Algorithm reproduced (defaults, 2048 Hz)
----------------------------------------
1. ``scipy.signal.stft(x, fs, nperseg=400, noverlap=350)`` with SciPy's other
   defaults: periodic Hann window, ``nfft = nperseg``, ``boundary='zeros'``
   (``nperseg // 2`` zeros on each side), ``padded=True`` (zeros at the end so
   that the padded length minus ``nperseg`` is a multiple of the hop), no
   detrending, ``scaling='spectrum'`` (division by the window sum). Frame ``j``
   is centred on sample ``j * hop``, i.e. at ``j * hop / sfreq`` seconds from
   the first sample.
2. Keep the first 40 frequency bins (0, 5.12, ..., 199.68 Hz; DC included) and
   take the modulus (no square, no log).
3. Z-score every frequency over **all** frames, the zero-padded edge frames
   included: mean and population standard deviation (``ddof=0``); a standard
   deviation of 0 is replaced by 1, and if every bin is constant (the whole
   z-scored array has standard deviation 0) the result is all ones.
4. Drop 10 frames at each end (``trim_frames``; trimming is counted in frames,
   i.e. in units of the hop, so 10 frames are 0.244 s at any sampling rate).
5. NaN becomes 0; the array is transposed to ``[time, frequency]`` and cast to
   ``float32``. A 5 s input (10240 samples) gives 206 frames before the trim and
   186 after; a 3 s input gives 124 and 104.

Options and the reference arrays they reproduce (``stft_reference.npz``):

==================================================  ==============================
call                                                fixture key
==================================================  ==============================
``stft_spectrogram(x, 2048)``                       ``spec_a``, ``spec_b``
``stft_spectrogram(x, 2048, trim_frames=0)``        ``zscored_untrimmed_a``/``_b``
``normalize=None, trim_frames=0``                   ``magnitude_a``/``_b``
``round_to_float32=True`` (or float32 input)        ``spec_a_from_float32``
``round_to_float32=True, drop_last_sample=True``    ``spec_a_pretrain_dataset``
``return_axes=True`` (times, freqs)                 ``times_s_*``, ``freqs_hz``
==================================================  ==============================

* ``normalize=None`` is the reference's un-normalised ("magnitude") path.
* ``zscore_before_trim=False, trim_frames=5`` is the variant of BrainBERT's demo
  notebook (``get_stft``): trim 5 frames per side first, then
  ``scipy.stats.zscore`` over the remaining frames (no guard for constant bins,
  no whole-array rule: constant bins give 0 after NaN -> 0); 196 frames for 5 s.
* ``round_to_float32=True`` casts the signal to ``float32`` first, as every
  BrainBERT dataset class does; ``drop_last_sample=True`` drops the last sample
  as the pretraining dataset (``MaskedTFDataset``) does. The reference then
  computes the STFT in single precision; ieegrep computes in double precision
  from the rounded samples, which agrees with the reference to about 1e-6.

Other sampling rates
--------------------
Window and hop are given in seconds (``400/2048`` s and ``50/2048`` s) and
rounded to whole samples, so at 1000 Hz the window is 195 samples and the hop
24 (24.0 ms). The kept bins are those whose band (centre +- half a bin) starts
below ``fmax``: 40 bins of about 5.12 Hz at 2048 Hz, 40 bins of 5.128 Hz
(0-200 Hz) at 1000 Hz. ``n_freqs`` sets the number of bins explicitly.
BrainBERT's weights were trained at 2048 Hz; resampling to 2048 Hz first is the
faithful choice (brainbert.md section 13.2).

Implementation
--------------
The spectrum of every frame is computed from sums over blocks of ``hop``
samples (``gcd(window, hop)`` in general). Each block is folded about its
centre (sums and differences of mirrored samples, read straight from the
signal with the zero padding) and projected once onto the 41 needed Fourier
vectors: two small matrix products for all blocks, half the products of the
plain projection, because cosines are even and sines odd about the centre. The
eight blocks of a 400-sample frame are combined with the exact phase factors
by doubling, and the periodic Hann window is applied in the frequency domain
(``0.5 X[k] - 0.25 X[k-1] - 0.25 X[k+1]``). This is algebraically identical to
SciPy's windowed FFT (differences ~1e-15) and needs about a tenth of the
arithmetic of a direct DFT of the kept bins. The passes after the products
(phase sums, window, modulus, z-score, cast) are compiled loops
(``ieegrep.preprocessing.stft_kernels``, numba; compiled at the first call
and cached on disk) that run on threads without the GIL. When the window is not
a small multiple of ``gcd(window, hop)`` the frames are windowed and
transformed with ``numpy.fft.rfft`` instead, exactly as SciPy does. Everything
runs in cache-sized chunks with reused scratch buffers; all leading dimensions
are batched (no Python loop per channel or per frame).

Windows of a long recording (:func:`windowed_stft_spectrogram`) are sorted by
hop phase and start. Windows on one hop grid whose inner frames overlap form a
*run*: the inner frames (not touching the window's zero padding; 197 of 206 at
the defaults) are computed once from the signal for the whole run, the 4 + 5
edge frames per window from short zero-padded pieces, and each window is
z-scored straight from the shared frames. Windows sharing nothing (e.g. a 1-s
stride at 2048 Hz, which falls on 25 hop phases) are computed whole, batched.
Runs are processed in blocks of 32 windows, so memory stays bounded (tens of
MB besides the output).

Speed (``benchmarks/bench_spectrograms.py``, 128 channels x 10 min at 2048 Hz,
all 5-s windows, against the reference way: ``scipy.signal.stft`` per channel
and window, then the z-score): 6.7x with one thread and 12.2x with
``n_jobs=2`` at a 1-s stride, where windows share no frame; 9.3x and 17.2x at
a 41-hop (1.001 s) stride. Per window and channel, about a third of the time
goes to the block products (BLAS), the rest to the compiled passes.
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import threading
from dataclasses import dataclass

import numpy as np

from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose
from .stft_kernels import mirror_fold, sliding_hann_modulus, zscore_store

__all__ = ["stft_spectrogram", "windowed_stft_spectrogram"]

#: Sampling rate (Hz) at which BrainBERT's front ends were defined.
BRAINBERT_SFREQ = 2048.0

_WINDOW = 400 / 2048  # 0.1953125 s, exact in binary
_HOP = 50 / 2048  # 0.0244140625 s, exact in binary
_CHUNK_BYTES = 4 * 2**20  # working set of one spectral chunk (~1200 frames)
_TASK_BYTES = 2 * 2**20  # float64 magnitudes normalised at once (cache-sized)
_RUN_BYTES = 16 * 2**20  # shared inner-frame magnitudes of one run task
_RUN_WINDOWS = 32  # windows per run task (more rows per task, less Python per window)
_MAX_TAPS = 64  # block method when the window is at most this many blocks
_LOCAL = threading.local()  # per-thread scratch arrays


# ------------------------------------------------------------------------------------------
# input checks shared with superlet.py
# ------------------------------------------------------------------------------------------


def _as_signal(data, *, round_to_float32=False, name="data"):
    """Return ``data`` as a float64 NumPy array with at least one dimension."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(data, torch.Tensor):
        data = data.detach().cpu()
        if data.dtype in (torch.bfloat16, torch.float16):
            data = data.float()
        data = data.resolve_conj().numpy() if data.is_complex() else data.numpy()
    try:
        array = np.asarray(data)
    except Exception as err:  # ragged lists and the like
        raise InvalidParameterError(
            "The signal cannot be read as a numeric array.",
            field=name,
            value=type(data).__name__,
            fix="Pass a NumPy array or torch tensor of shape (..., n_times).",
        ) from err
    if array.dtype.kind not in "fiu":
        raise InvalidParameterError(
            f"The signal must hold real numbers, not {array.dtype}.",
            field=name,
            value=str(array.dtype),
            fix="Pass real-valued samples (float32 or float64).",
        )
    if array.ndim == 0:
        raise InvalidParameterError(
            "The signal is a scalar; it needs a time axis.",
            field=name,
            value=array.shape,
            fix="Pass an array of shape (..., n_times).",
        )
    if round_to_float32:
        array = array.astype(np.float32)
    return np.asarray(array, dtype=np.float64)


def _check_sfreq(sfreq):
    ok = isinstance(sfreq, numbers.Real) and not isinstance(sfreq, bool)
    if not ok or not np.isfinite(sfreq) or sfreq <= 0:
        raise InvalidParameterError(
            "The sampling rate must be a positive number (Hz).",
            field="sfreq",
            value=sfreq,
            fix="Pass the sampling rate in Hz, e.g. sfreq=2048.",
        )
    return float(sfreq)


def _check_int(value, name, minimum, fix):
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < minimum:
        raise InvalidParameterError(
            f"{name} must be an integer of at least {minimum}.", field=name, value=value, fix=fix
        )
    return int(value)


def _check_seconds(value, name, sfreq, minimum_samples, fix):
    """Convert a duration in seconds to a whole number of samples (nearest)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value <= 0:
        raise InvalidParameterError(
            f"{name} must be a positive duration in seconds.", field=name, value=value, fix=fix
        )
    samples = int(np.floor(value * sfreq + 0.5))
    if samples < minimum_samples:
        raise InvalidParameterError(
            f"{name} = {value:g} s is {samples} sample(s) at {sfreq:g} Hz; at least "
            f"{minimum_samples} are needed.",
            field=name,
            value=value,
            fix=fix,
        )
    return samples


def _check_normalize(normalize):
    if normalize is None or (isinstance(normalize, str) and normalize == "zscore"):
        return normalize
    raise InvalidParameterError(
        "Unknown normalisation.",
        field="normalize",
        value=normalize,
        fix='Pass normalize="zscore" (BrainBERT) or normalize=None (magnitude only).',
    )


def _check_bool(value, name):
    if not isinstance(value, bool | np.bool_):
        raise InvalidParameterError(
            f"{name} must be True or False.", field=name, value=value, fix=f"Pass {name}=True."
        )
    return bool(value)


# ------------------------------------------------------------------------------------------
# plan: window geometry and the precomputed Fourier vectors
# ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Plan:
    nperseg: int
    hop: int
    n_bins: int
    method: str  # "block" or "direct"
    blk: int = 0
    taps: int = 0  # window length in blocks
    step: int = 0  # hop in blocks
    cosines: np.ndarray | None = None  # (blk // 2 + blk % 2, n_bins + 1), see _get_plan
    sines: np.ndarray | None = None  # (blk // 2, n_bins + 1)
    twiddle_re: np.ndarray | None = None  # (taps, n_bins + 1): exp(-2j pi k s / taps)
    twiddle_im: np.ndarray | None = None
    rotation: float = 0.0  # phase between neighbouring bins of centred block sums
    window: np.ndarray | None = None  # periodic Hann (direct method)
    scale: float = 1.0  # 1 / window.sum()

    @property
    def pad(self) -> int:
        return self.nperseg // 2

    def n_frames(self, n_times: int) -> int:
        """Frames of ``scipy.signal.stft(boundary='zeros', padded=True)``."""
        length = n_times + 2 * self.pad
        extra = (-(length - self.nperseg) % self.hop) % self.nperseg
        return (length + extra - self.nperseg) // self.hop + 1

    def padded_length(self, n_times: int) -> int:
        return self.nperseg + (self.n_frames(n_times) - 1) * self.hop


_PLANS: dict = {}


def _hann(nperseg):
    # scipy.signal.get_window("hann", nperseg) (periodic, fftbins=True)
    n = np.arange(nperseg)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / nperseg)


def _get_plan(nperseg: int, hop: int, n_bins: int) -> _Plan:
    key = (nperseg, hop, n_bins)
    plan = _PLANS.get(key)
    if plan is not None:
        return plan
    window = _hann(nperseg)
    scale = 1.0 / window.sum()
    blk = math.gcd(nperseg, hop)
    taps = nperseg // blk
    if taps <= _MAX_TAPS:
        # centred block sums (stft_kernels.mirror_fold): angles 2 pi k (c - m) / nperseg,
        # c = (blk - 1) / 2, for the folded samples m < blk // 2 and, if blk is odd, m = c
        centre = (blk - 1) / 2
        k = np.arange(n_bins + 1)
        angle = 2.0 * np.pi * np.outer(centre - np.arange(blk // 2 + blk % 2), k) / nperseg
        # scaled by 1 / (2 window.sum()): the Hann combination leaves out a factor 1/2
        cosines = np.cos(angle) * (0.5 * scale)
        sines = np.ascontiguousarray(np.sin(angle[: blk // 2]) * (0.5 * scale))
        shift = -2.0 * np.pi * np.arange(taps)[:, None] * k / taps
        plan = _Plan(
            nperseg, hop, n_bins, "block", blk, taps, hop // blk, cosines, sines,
            np.cos(shift), np.sin(shift), 2.0 * np.pi * centre / nperseg, scale=scale,
        )  # fmt: skip
    else:
        plan = _Plan(nperseg, hop, n_bins, "direct", window=window, scale=scale)
    if len(_PLANS) > 16:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def _n_bins(sfreq, nperseg, fmax, n_freqs):
    n_available = nperseg // 2 + 1
    if n_freqs is not None:
        n_bins = _check_int(n_freqs, "n_freqs", 1, "Keep at least one frequency bin.")
        if n_bins > n_available:
            raise InvalidParameterError(
                f"A {nperseg}-sample window has only {n_available} frequency bins.",
                field="n_freqs",
                value=n_freqs,
                fix=f"Pass n_freqs <= {n_available}, or a longer window_duration.",
            )
        return n_bins
    ok = isinstance(fmax, numbers.Real) and not isinstance(fmax, bool)
    if not ok or not np.isfinite(fmax) or fmax <= 0:
        raise InvalidParameterError(
            "fmax must be a positive frequency in Hz.",
            field="fmax",
            value=fmax,
            fix="Pass fmax=200.0 (BrainBERT) or set n_freqs.",
        )
    # bins whose band [f - df/2, f + df/2) starts below fmax: k < fmax / df + 1/2
    n_bins = math.ceil(fmax * nperseg / sfreq + 0.5)
    if n_bins > n_available:
        raise InvalidParameterError(
            f"fmax = {fmax:g} Hz needs {n_bins} frequency bins, but a {nperseg}-sample window "
            f"at {sfreq:g} Hz has only {n_available} (up to {sfreq / 2:g} Hz).",
            field="fmax",
            value=fmax,
            fix=f"Pass fmax below the Nyquist frequency ({sfreq / 2:g} Hz).",
        )
    return n_bins


# ------------------------------------------------------------------------------------------
# magnitudes of the kept bins for every frame of already padded rows
# ------------------------------------------------------------------------------------------


def _scratch(name, shape, dtype=np.float64):
    """Return a reusable per-thread scratch array (contents undefined).

    Fresh multi-MB temporaries are mapped anew by the allocator and page-faulted on
    every use, which costs as much as the arithmetic here; the hot loops reuse these.
    """
    store = getattr(_LOCAL, "store", None)
    if store is None:
        store = _LOCAL.store = {}
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    buffer = store.get(name)
    if buffer is None or buffer.nbytes < nbytes:
        buffer = store[name] = np.empty(max(nbytes, 64), np.uint8)
    return buffer[:nbytes].view(dtype).reshape(shape)


def _release_scratch():
    """Free this thread's scratch arrays."""
    _LOCAL.store = {}


def _block_chunk(plan, x, sources, offsets, lo, hi, n_frames, out):
    """Block method for the pieces of :func:`_piece_magnitudes` into ``out`` (r, F, K)."""
    rows = sources.size
    n_blocks = (plan.nperseg + (n_frames - 1) * plan.hop) // plan.blk
    n_k = plan.n_bins + 1
    even = _scratch("even", (rows, n_blocks, plan.cosines.shape[0]))
    odd = _scratch("odd", (rows, n_blocks, plan.sines.shape[0]))
    mirror_fold(x, sources, offsets, lo, hi, even, odd)
    # centred block sums: real parts from the even halves, imaginary parts from the odd
    sums_re = _scratch("sums_re", (rows, n_blocks, n_k))
    sums_im = _scratch("sums_im", (rows, n_blocks, n_k))
    np.matmul(even, plan.cosines, out=sums_re)
    np.matmul(odd, plan.sines, out=sums_im)  # zeros for 1-sample blocks (no odd half)
    sliding_hann_modulus(
        sums_re, sums_im, plan.twiddle_re, plan.twiddle_im, plan.taps, plan.step,
        plan.rotation, out,
    )  # fmt: skip


def _direct_chunk(plan, x, sources, offsets, lo, hi, n_frames, out):
    """SciPy's own way (windowed frames, real FFT, kept bins) into ``out`` (r, F, K)."""
    length = plan.nperseg + (n_frames - 1) * plan.hop
    pieces = _scratch("pieces", (sources.size, length))
    a, b = max(lo, 0), min(hi, length)
    pieces[:, :a] = 0.0
    pieces[:, max(a, b) :] = 0.0
    if b > a:
        for i, (source, offset) in enumerate(zip(sources.tolist(), offsets.tolist())):
            pieces[i, a:b] = x[source, offset + a : offset + b]
    frames = np.lib.stride_tricks.sliding_window_view(pieces, plan.nperseg, axis=-1)[:, :: plan.hop]
    spectrum = np.fft.rfft(frames * plan.window, axis=-1)[..., : plan.n_bins]
    np.abs(spectrum, out=out)
    out *= plan.scale


def _piece_magnitudes(plan, x, starts, lo, n_frames, n_eff, out=None):
    """|STFT| of the kept bins for ``n_frames`` frames of pieces of ``x`` -> (C * W, F, K).

    Piece ``(c, w)`` (row ``c * W + w`` of the result) is ``x[c, starts[w] + lo + t]``
    for ``t < nperseg + (n_frames - 1) hop``, and zero where ``lo + t`` falls outside
    ``[0, n_eff)`` (the window's own zero padding). ``x`` is read in place. Works in
    chunks of a few hundred frames so that the temporaries stay in cache.
    """
    n_sources, n_windows = x.shape[0], starts.size
    rows = n_sources * n_windows
    if out is None:
        out = np.empty((rows, n_frames, plan.n_bins))
    sources = np.repeat(np.arange(n_sources, dtype=np.int64), n_windows)
    offsets = np.tile(np.asarray(starts, dtype=np.int64) + lo, n_sources)
    if plan.method == "block":
        chunk, per_frame = _block_chunk, plan.step * (plan.blk + 2 * plan.n_bins + 2) * 8 * 2
    else:
        chunk, per_frame = _direct_chunk, plan.nperseg * 8 * 3
    frames_per_chunk = max(16, _CHUNK_BYTES // per_frame)
    if n_frames <= frames_per_chunk:
        step_rows = max(1, frames_per_chunk // n_frames)
        for r0 in range(0, rows, step_rows):
            r1 = r0 + step_rows
            chunk(plan, x, sources[r0:r1], offsets[r0:r1], -lo, n_eff - lo, n_frames, out[r0:r1])
        return out
    for r in range(rows):
        for g0 in range(0, n_frames, frames_per_chunk):
            g1 = min(n_frames, g0 + frames_per_chunk)
            shift = g0 * plan.hop
            chunk(
                plan, x, sources[r : r + 1], offsets[r : r + 1] + shift, -lo - shift,
                n_eff - lo - shift, g1 - g0, out[r : r + 1, g0:g1],
            )  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------
# normalisation
# ------------------------------------------------------------------------------------------


def _finish(magnitude, settings, out, r0, r1, windows):
    """Z-score / trim / NaN -> 0 of magnitudes (rows, n_windows, F, K) into ``out``.

    ``out[r0:r1, windows[i]]`` receives window ``i`` as float32.
    """
    normalize, zscore_before_trim, trim, _ = settings
    windows = np.ascontiguousarray(windows, dtype=np.int64)
    zscore_store(magnitude, out, r0, windows, trim, normalize is not None, zscore_before_trim)


# ------------------------------------------------------------------------------------------
# public functions
# ------------------------------------------------------------------------------------------


def _prepare(
    sfreq,
    window_duration,
    hop_duration,
    fmax,
    n_freqs,
    normalize,
    zscore_before_trim,
    trim_frames,
    round_to_float32,
    drop_last_sample,
    n_jobs,
):
    sfreq = _check_sfreq(sfreq)
    nperseg = _check_seconds(
        window_duration,
        "window_duration",
        sfreq,
        2,
        "Pass the STFT window length in seconds, e.g. 400 / 2048.",
    )
    hop = _check_seconds(
        hop_duration,
        "hop_duration",
        sfreq,
        1,
        "Pass the hop between frames in seconds, e.g. 50 / 2048.",
    )
    if hop > nperseg:
        raise InvalidParameterError(
            f"The hop ({hop} samples) is longer than the window ({nperseg} samples); samples "
            "would be skipped.",
            field="hop_duration",
            value=hop_duration,
            fix="Pass hop_duration <= window_duration.",
        )
    n_bins = _n_bins(sfreq, nperseg, fmax, n_freqs)
    normalize = _check_normalize(normalize)
    zscore_before_trim = _check_bool(zscore_before_trim, "zscore_before_trim")
    trim = _check_int(trim_frames, "trim_frames", 0, "Pass trim_frames=10 (BrainBERT) or 0.")
    _check_bool(round_to_float32, "round_to_float32")
    _check_bool(drop_last_sample, "drop_last_sample")
    if n_jobs is None:
        n_jobs = 1
    elif isinstance(n_jobs, numbers.Integral) and not isinstance(n_jobs, bool) and n_jobs < 0:
        n_jobs = max(1, (os.cpu_count() or 1) + 1 + int(n_jobs))
    n_jobs = _check_int(n_jobs, "n_jobs", 1, "Pass n_jobs=1, a number of threads, or -1.")
    plan = _get_plan(nperseg, hop, n_bins)
    return sfreq, plan, normalize, zscore_before_trim, trim, n_jobs


def _check_length(plan, n_times, trim, sfreq, field_name, drop_last_sample):
    """Raise if a signal of ``n_times`` samples leaves no frame after trimming."""
    # smallest length giving at least 2 * trim + 1 frames, and at least one window
    shortest = max(plan.nperseg, (2 * trim - 1) * plan.hop + plan.nperseg - 2 * plan.pad + 1)
    shortest += int(drop_last_sample)
    n_eff = n_times - int(drop_last_sample)
    if n_eff >= plan.nperseg and plan.n_frames(n_eff) - 2 * trim > 0:
        return
    frames = plan.n_frames(n_eff) if n_eff > 0 else 0
    if n_eff < plan.nperseg:
        problem = (
            f"The signal has {n_times} samples, fewer than the {plan.nperseg}-sample STFT window"
            + (" (after dropping the last sample)." if drop_last_sample else ".")
        )
    else:
        problem = (
            f"The signal has {n_times} samples, which give {frames} STFT frames; trimming "
            f"{trim} frames at each end leaves {frames - 2 * trim} frames."
        )
    raise InvalidParameterError(
        problem,
        field=field_name,
        value=n_times,
        fix=f"Use at least {shortest} samples ({shortest / sfreq:.4g} s at {sfreq:g} Hz), "
        "or lower trim_frames.",
    )


def _axes(plan, sfreq, n_frames_kept, trim):
    times = (trim + np.arange(n_frames_kept)) * plan.hop / sfreq
    freqs = np.fft.rfftfreq(plan.nperseg, 1.0 / sfreq)[: plan.n_bins]  # as scipy.signal.stft
    return times, freqs


@verbose
def stft_spectrogram(
    data,
    sfreq,
    *,
    window_duration=_WINDOW,
    hop_duration=_HOP,
    fmax=200.0,
    n_freqs=None,
    normalize="zscore",
    zscore_before_trim=True,
    trim_frames=10,
    round_to_float32=False,
    drop_last_sample=False,
    return_axes=False,
    n_jobs=1,
    verbose=None,
):
    """Compute BrainBERT's STFT spectrogram (magnitude, z-scored, trimmed).

    Parameters
    ----------
    data : array-like | torch.Tensor, shape (..., n_times)
        Signals, time last (float32 or float64; NumPy array or torch tensor).
        Leading dimensions (channels, epochs, ...) are batched.
    sfreq : float
        Sampling rate in Hz. BrainBERT's data are at 2048 Hz.
    window_duration : float
        STFT window length in seconds (default ``400 / 2048`` s = 400 samples
        at 2048 Hz), rounded to whole samples. Periodic Hann window.
    hop_duration : float
        Step between frames in seconds (default ``50 / 2048`` s = 50 samples at
        2048 Hz), rounded to whole samples.
    fmax : float
        Keep the frequency bins covering 0 to ``fmax`` Hz (default 200 Hz: the
        first 40 bins, 0 to 199.68 Hz, at 2048 Hz). Ignored if ``n_freqs`` is
        given.
    n_freqs : int | None, default None
        Number of bins to keep, starting at DC. Overrides ``fmax``; None keeps
        the bins up to ``fmax``.
    normalize : ``"zscore"`` | None
        ``"zscore"`` (default): per-frequency z-score over time as BrainBERT does.
        None: magnitudes only (the reference's un-normalised path).
    zscore_before_trim : bool
        True (default, ``preprocessors/stft.py``): z-score over all frames, then
        trim. False: trim, then z-score the kept frames (demo notebook; use with
        ``trim_frames=5``).
    trim_frames : int
        Frames dropped at each end (default 10 = 0.244 s).
    round_to_float32 : bool
        Round the samples to float32 first, as BrainBERT's dataset classes do
        (default False). Float32 input is already rounded.
    drop_last_sample : bool
        Drop the last sample first, as BrainBERT's pretraining dataset does
        (default False).
    return_axes : bool, default False
        If True, also return the frame times and the bin frequencies.
    n_jobs : int | None
        Threads to use (default 1; -1 for all cores). The arithmetic is the
        same, so results do not depend on it.
    verbose : bool | str | int | None, default None
        Log level (see :func:`ieegrep.set_log_level`); INFO summarises the work.

    Returns
    -------
    spectrogram : ndarray of float32, shape (..., n_frames, n_freqs)
        The spectrogram, frames before frequencies. ``n_frames`` is 186 for
        10240 samples with the defaults.
    times : ndarray of float64, shape (n_frames,)
        Only if ``return_axes``: centre of each kept frame in seconds from the
        first sample (``j * hop / sfreq`` for frame ``j`` of the untrimmed STFT).
    freqs : ndarray of float64, shape (n_freqs,)
        Only if ``return_axes``: bin frequencies in Hz (``k * sfreq / nperseg``).

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If an argument is invalid or the signal is too short to leave a frame
        after trimming.

    See Also
    --------
    windowed_stft_spectrogram : the same for many windows of a long recording.

    Notes
    -----
    See the module docstring for the exact algorithm and the quirks reproduced.
    """
    sfreq, plan, normalize, zscore_before_trim, trim, n_jobs = _prepare(
        sfreq,
        window_duration,
        hop_duration,
        fmax,
        n_freqs,
        normalize,
        zscore_before_trim,
        trim_frames,
        round_to_float32,
        drop_last_sample,
        n_jobs,
    )
    x = _as_signal(data, round_to_float32=round_to_float32)
    n_times = x.shape[-1]
    _check_length(plan, n_times, trim, sfreq, "data", drop_last_sample)
    lead = x.shape[:-1]
    flat = x.reshape(-1, n_times)
    result = _windowed(
        flat, plan, np.zeros(1, np.int64), n_times - int(drop_last_sample), normalize,
        zscore_before_trim, trim, n_jobs,
    )  # fmt: skip
    spectrogram = result.reshape(lead + result.shape[2:])
    if return_axes:
        return (spectrogram, *_axes(plan, sfreq, spectrogram.shape[-2], trim))
    return spectrogram


@verbose
def windowed_stft_spectrogram(
    data,
    sfreq,
    starts,
    n_samples,
    *,
    window_duration=_WINDOW,
    hop_duration=_HOP,
    fmax=200.0,
    n_freqs=None,
    normalize="zscore",
    zscore_before_trim=True,
    trim_frames=10,
    round_to_float32=False,
    drop_last_sample=False,
    return_axes=False,
    n_jobs=1,
    verbose=None,
):
    """Compute :func:`stft_spectrogram` of many windows of long signals at once.

    The result for window ``i`` equals
    ``stft_spectrogram(data[..., starts[i]:starts[i] + n_samples], sfreq, **options)``
    (to ~1e-7), but frames are shared between windows: every window frame that
    does not touch the window's zero padding is a frame of the whole signal, so
    for windows whose starts are congruent modulo the hop (e.g. all starts on
    the hop grid) and that overlap, those frames are computed once; only the
    few frames at each window edge (4 + 5 at the defaults) are computed per
    window. Windows on different hop phases are computed per window, batched.
    Windows are processed in blocks, so memory stays bounded whatever the
    number of windows.

    Parameters
    ----------
    data : array-like | torch.Tensor, shape (..., n_times_total)
        Long signals, time last (e.g. channels x samples of a recording).
    sfreq : float
        Sampling rate in Hz.
    starts : array-like of int, shape (n_windows,)
        First sample of every window (any order; may overlap).
    n_samples : int
        Window length in samples (10240 = 5 s at 2048 Hz for BrainBERT).
    window_duration : float
        STFT window length in seconds (default ``400 / 2048`` s = 400 samples
        at 2048 Hz), rounded to whole samples. As in :func:`stft_spectrogram`.
    hop_duration : float
        Step between frames in seconds (default ``50 / 2048`` s = 50 samples at
        2048 Hz), rounded to whole samples.
    fmax : float
        Keep the frequency bins covering 0 to ``fmax`` Hz (default 200 Hz).
        Ignored if ``n_freqs`` is given.
    n_freqs : int | None, default None
        Number of bins to keep, starting at DC. Overrides ``fmax``.
    normalize : ``"zscore"`` | None
        ``"zscore"`` (default): per-frequency z-score over the frames of each
        window. None: magnitudes only.
    zscore_before_trim : bool
        True (default): z-score over all frames of a window, then trim. False:
        trim, then z-score the kept frames.
    trim_frames : int
        Frames dropped at each end of every window (default 10).
    round_to_float32 : bool
        Round the samples to float32 first (default False).
    drop_last_sample : bool
        Drop the last sample of every window first, as BrainBERT's pretraining
        dataset does (default False).
    return_axes : bool, default False
        If True, also return the frame times and the bin frequencies.
    n_jobs : int | None
        Threads to use (default 1; -1 for all cores); results do not depend
        on it.
    verbose : bool | str | int | None, default None
        Log level (see :func:`ieegrep.set_log_level`); INFO says how many
        windows shared frames.

    Returns
    -------
    spectrogram : ndarray of float32, shape (..., n_windows, n_frames, n_freqs)
        One spectrogram per window, windows in the order of ``starts``.
    times : ndarray of float64, shape (n_frames,)
        Only if ``return_axes``: frame centres in seconds from the window start.
    freqs : ndarray of float64, shape (n_freqs,)
        Only if ``return_axes``: bin frequencies in Hz.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If an argument is invalid, a window leaves the signal, or the windows
        are too short to leave a frame after trimming.

    Notes
    -----
    At 2048 Hz the hop is 50 samples, so windows every second (2048 samples)
    fall on 25 different hop phases and do not share frames; windows every 41
    hops (2050 samples, 1.00098 s) or every 50 ms share all interior frames.
    """
    sfreq, plan, normalize, zscore_before_trim, trim, n_jobs = _prepare(
        sfreq,
        window_duration,
        hop_duration,
        fmax,
        n_freqs,
        normalize,
        zscore_before_trim,
        trim_frames,
        round_to_float32,
        drop_last_sample,
        n_jobs,
    )
    x = _as_signal(data, round_to_float32=round_to_float32)
    n_total = x.shape[-1]
    n_samples = _check_int(n_samples, "n_samples", 1, "Pass the window length in samples.")
    _check_length(plan, n_samples, trim, sfreq, "n_samples", drop_last_sample)
    starts_array = np.asarray(starts)
    if starts_array.ndim == 0:
        starts_array = starts_array[None]
    if (
        starts_array.ndim != 1
        or starts_array.size == 0
        or starts_array.dtype.kind not in "iu"
        and not (
            starts_array.dtype.kind == "f"
            and np.all(np.isfinite(starts_array))
            and np.all(starts_array == np.round(starts_array))
        )
    ):
        raise InvalidParameterError(
            "Window starts must be a non-empty 1-D sequence of whole sample indices.",
            field="starts",
            value=starts if starts_array.size <= 8 else f"array of shape {starts_array.shape}",
            fix="Pass integer sample indices, e.g. np.arange(0, n_times - n_samples + 1, 2048).",
        )
    starts_array = starts_array.astype(np.int64)
    bad = (starts_array < 0) | (starts_array + n_samples > n_total)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"Window {first} ({starts_array[first]} to {starts_array[first] + n_samples} samples) "
            f"leaves the signal of {n_total} samples.",
            field="starts",
            value=int(starts_array[first]),
            fix=f"Use starts between 0 and {n_total - n_samples}.",
        )
    lead = x.shape[:-1]
    flat = x.reshape(-1, n_total)
    result = _windowed(
        flat, plan, starts_array, n_samples - int(drop_last_sample), normalize,
        zscore_before_trim, trim, n_jobs,
    )  # fmt: skip
    spectrogram = result.reshape(lead + result.shape[1:])
    if return_axes:
        return (spectrogram, *_axes(plan, sfreq, spectrogram.shape[-2], trim))
    return spectrogram


# ------------------------------------------------------------------------------------------
# the window driver
# ------------------------------------------------------------------------------------------


def _windowed(x, plan, starts, n_eff, normalize, zscore_before_trim, trim, n_jobs=1):
    """Spectrograms of ``x[:, s:s + n_eff]`` for every start ``s`` -> (R, W, F', K) float32.

    Windows are sorted by hop phase and start and cut into *runs*: windows on one hop
    grid whose inner frames (those not touching the window's zero padding) overlap.
    A run's inner frames are computed once from the signal itself; the edge frames
    come from short zero-padded pieces of each window. Windows alone in their run are
    computed whole, zero-padded, in batches. Every task holds at most a few MB.
    """
    n_rows = x.shape[0]
    n_windows = starts.size
    nperseg, hop, pad, n_bins = plan.nperseg, plan.hop, plan.pad, plan.n_bins
    n_frames = plan.n_frames(n_eff)
    first = -(-pad // hop)  # frames 0 .. first - 1 touch the leading zeros
    last = min(n_frames, (n_eff + pad - nperseg) // hop + 1)  # frames last .. touch the end
    n_inner = last - first
    n_kept = n_frames - 2 * trim
    out = np.empty((n_rows, n_windows, n_kept, n_bins), np.float32)
    finite = bool(np.isfinite(x.sum()))
    geometry = (n_eff, n_frames, first, last, n_inner)
    settings = (normalize, zscore_before_trim, trim, finite)

    phase = (starts - pad) % hop
    order = np.lexsort((starts, phase))
    if n_inner > 1:
        runs = _runs(starts[order], phase[order], first, n_inner, hop, pad)
    else:
        runs = [order[i : i + 1] for i in range(n_windows)]
    solo = np.concatenate([order[run] for run in runs if run.size == 1] or [np.zeros(0, int)])
    pair_bytes = n_frames * n_bins * 8  # float64 magnitudes of one window of one row
    tasks = []
    # windows that share nothing: whole padded windows, ~_TASK_BYTES of magnitudes per task
    per_task = max(1, _TASK_BYTES // pair_bytes)
    rows_per_task = min(n_rows, per_task)
    windows_per_task = max(1, per_task // rows_per_task)
    for w0 in range(0, solo.size, windows_per_task):
        for r0 in range(0, n_rows, rows_per_task):
            tasks.append(
                ("solo", r0, min(n_rows, r0 + rows_per_task), solo[w0 : w0 + windows_per_task])
            )
    # runs: inner frames of up to _RUN_WINDOWS windows at once
    for run in runs:
        if run.size == 1:
            continue
        positions = order[run]
        for w0 in range(0, positions.size, _RUN_WINDOWS):
            chunk = positions[w0 : w0 + _RUN_WINDOWS]
            span = (starts[chunk[-1]] - starts[chunk[0]]) // hop + n_inner
            rows = int(min(n_rows, max(1, _RUN_BYTES // (span * n_bins * 8))))
            for r0 in range(0, n_rows, rows):
                tasks.append(("run", r0, min(n_rows, r0 + rows), chunk))

    def work(task):
        kind, r0, r1, windows = task
        xr = x[r0:r1]
        if kind == "solo":
            mags = _solo_magnitudes(plan, xr, starts[windows], geometry)
            _finish(mags, settings, out, r0, r1, windows)
        else:
            _run_task(plan, xr, starts, windows, geometry, out, r0, r1, pair_bytes, settings)

    try:
        if n_jobs > 1 and len(tasks) > 1:
            _run_threaded(work, tasks, n_jobs)
        else:
            for task in tasks:
                work(task)
    finally:
        _release_scratch()
    logger.info(
        "STFT spectrogram: %d row(s) x %d window(s) of %d samples -> %d frames x %d bins; "
        "%d window(s) computed whole, %d sharing inner frames in %d run(s).",
        n_rows,
        n_windows,
        n_eff,
        n_kept,
        n_bins,
        solo.size,
        n_windows - solo.size,
        sum(run.size > 1 for run in runs),
    )
    return out


def _run_threaded(work, tasks, n_jobs):
    """Run ``work(task)`` for every task on ``n_jobs`` threads (the caller's included).

    NumPy releases the GIL in the array operations. BLAS is kept to one thread
    meanwhile, so that the threads do not oversubscribe the cores.
    """
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_limits

    pending = iter(tasks)
    lock = threading.Lock()

    def worker():
        try:
            while True:
                with lock:
                    task = next(pending, None)
                if task is None:
                    return
                work(task)
        finally:
            _release_scratch()

    n_workers = min(n_jobs, len(tasks))
    with threadpool_limits(limits=1, user_api="blas"):
        with ThreadPoolExecutor(n_workers - 1) as pool:
            helpers = [pool.submit(worker) for _ in range(n_workers - 1)]
            worker()
            for helper in helpers:
                helper.result()


def _runs(s, phase, first, n_inner, hop, pad):
    """Cut windows sorted by (phase, start) into runs whose inner frames overlap on one grid.

    Returns a list of integer arrays of positions into the sorted order.
    """
    grid = (s + first * hop - pad - phase) // hop  # grid index of each window's first inner frame
    breaks = np.flatnonzero((np.diff(phase) != 0) | (np.diff(grid) > n_inner)) + 1
    return np.split(np.arange(s.size), breaks)


def _solo_magnitudes(plan, x, starts, geometry):
    n_eff, n_frames = geometry[:2]
    mags = _scratch("mags", (x.shape[0] * starts.size, n_frames, plan.n_bins))
    _piece_magnitudes(plan, x, starts, -plan.pad, n_frames, n_eff, mags)
    return mags.reshape(x.shape[0], starts.size, n_frames, plan.n_bins)


def _edge_magnitudes(plan, x, starts, geometry):
    """Frames touching the zero padding: (R, W, first, K) and (R, W, F - last, K)."""
    n_eff, n_frames, first, last, _ = geometry
    shape = (x.shape[0], starts.size)
    front = back = None
    if first > 0:
        front = _scratch("front", (math.prod(shape), first, plan.n_bins))
        _piece_magnitudes(plan, x, starts, -plan.pad, first, n_eff, front)
        front = front.reshape(*shape, first, -1)
    if last < n_frames:
        back = _scratch("back", (math.prod(shape), n_frames - last, plan.n_bins))
        lo = last * plan.hop - plan.pad
        _piece_magnitudes(plan, x, starts, lo, n_frames - last, n_eff, back)
        back = back.reshape(*shape, n_frames - last, -1)
    return front, back


def _run_task(plan, x, starts, windows, geometry, out, r0, r1, pair_bytes, settings):
    """Windows ``windows`` (sorted, one run) of rows ``x``: shared inner frames + edges."""
    n_eff, n_frames, first, last, n_inner = geometry
    hop, pad, n_bins = plan.hop, plan.pad, plan.n_bins
    normalize, zscore_before_trim, trim, finite = settings
    s = starts[windows]
    begin = s + first * hop - pad  # signal position of each window's first inner frame
    head = int(begin[0])
    span = int((begin[-1] - head) // hop + n_inner)
    inner = _scratch("inner", (x.shape[0], span, n_bins))
    _piece_magnitudes(plan, x, np.array([head]), 0, span, x.shape[1] - head, inner)
    front, back = _edge_magnitudes(plan, x, s, geometry)
    offsets = (begin - head) // hop
    rows = x.shape[0]
    if normalize is not None and zscore_before_trim and trim >= first and trim >= n_frames - last:
        # BrainBERT's default: the kept frames are all inner frames, so each window is
        # normalised straight from the shared frames (no copy of its magnitudes).
        n_kept = n_frames - 2 * trim
        average = np.full(n_inner, 1.0 / n_frames)
        deviation = _scratch("deviation", (rows, n_inner, n_bins))
        edges = [edge for edge in (front, back) if edge is not None]
        for i, w in enumerate(windows.tolist()):
            frames = inner[:, offsets[i] : offsets[i] + n_inner]
            mean = np.matmul(average, frames)  # (rows, K)
            for edge in edges:
                mean += edge[:, i].sum(axis=1) / n_frames
            np.subtract(frames, mean[:, None], out=deviation)
            variance = np.einsum("rtk,rtk->rk", deviation, deviation)
            for edge in edges:
                d = edge[:, i] - mean[:, None]
                variance += np.einsum("rtk,rtk->rk", d, d)
            variance /= n_frames
            std = np.sqrt(variance)
            std[std == 0] = 1.0
            destination = out[r0:r1, w]
            kept = deviation[:, trim - first : trim - first + n_kept]
            np.divide(kept, std[:, None], out=destination, casting="same_kind")
            constant = np.all(variance == 0, axis=-1)
            if constant.any():
                destination[constant] = 1.0
            if not finite:
                np.copyto(destination, 0.0, where=np.isnan(destination))
        return
    group = max(1, _TASK_BYTES // (pair_bytes * rows))
    for g0 in range(0, windows.size, group):
        g1 = min(windows.size, g0 + group)
        mags = _scratch("mags", (rows, g1 - g0, n_frames, n_bins))
        if front is not None:
            mags[:, :, :first] = front[:, g0:g1]
        if back is not None:
            mags[:, :, last:] = back[:, g0:g1]
        for i in range(g0, g1):
            mags[:, i - g0, first:last] = inner[:, offsets[i] : offsets[i] + n_inner]
        _finish(mags, settings, out, r0, r1, windows[g0:g1])
