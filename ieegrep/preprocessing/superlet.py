"""BrainBERT's superlet front end: adaptive superlet amplitude, decimated, trimmed, z-scored.

:func:`superlet_spectrogram` reproduces the input of BrainBERT's
``superlet_large_pretrained`` model (``preprocessors/superlet_preprocessor.py`` of
the reference code with G. Mönke's implementation of the superlet transform of
Moca et al., *Nat. Commun.* 12, 337 (2021); ``../shared/reference/brainbert.md``
section 4). :func:`superlet_amplitude` returns the un-normalised amplitude, at
every sample or decimated, and :func:`superlet_orders` the adaptive orders.

Shapes and ordering
-------------------
``data`` is ``(..., n_times)``, time last, any leading dimensions (batched). The
results are ``(..., n_frames, n_freqs)``: **time before frequency**, frequencies
from low to high. (The reference and its fixture store ``[freq, time]`` before the
final transpose; ``magnitude_full`` of ``superlet_reference.npz`` is the transpose
of ``superlet_amplitude(x, 2048, hop_duration=None)``.)

Algorithm reproduced (defaults, 2048 Hz)
----------------------------------------
1. Frequencies of interest: 40 values linearly spaced from 0.1 to 200 Hz;
   scales ``s = (1 / f) / (2 pi)``.
2. Adaptive (fractional) superlet transform, FASLT: the order rises linearly
   with frequency, ``o(f) = o_min + (o_max - o_min) (f - f_0) / (f_max - f_0)``
   (3 to 30, computed from ``1 / (2 pi s)`` as the reference does). The set of
   integer orders ``u`` present in ``floor(o)`` defines the wavelets, with
   ``c1 * u`` cycles. Frequency ``f`` multiplies the transforms of every integer
   order up to ``floor(o(f))`` raised to ``1 / (o(f) - o_min + 1)``, and that of
   the next integer order raised to ``alpha / (o(f) - o_min + 1)``, ``alpha``
   the fractional part (``o % floor(o)``) -- a geometric mean. The reference's
   bookkeeping is reproduced literally (the next integer order present is used,
   the lowest frequency never gets a fractional term, and the frequencies of the
   last integer order get none either).
3. Each wavelet is a complex Morlet in the "superlet" parametrisation: for scale
   ``s`` and ``c`` cycles, times ``t = arange((-M + 1) / 2, (M + 1) / 2) / sfreq``
   with ``M = 10 s c sfreq`` samples, values
   ``sqrt(dt) / (4 pi) * k / (s c (2 pi)^1.5) * exp(i t / s)
   * exp(-(k t / (2 pi c s))^2 / 2)`` with ``k = 5``; it is applied by
   convolution with a "same"-length output (``scipy.signal.fftconvolve(mode=
   'same')``: output sample ``n`` is full-convolution sample
   ``n + (len(wavelet) - 1) // 2``).
4. Amplitude = modulus of the geometric mean (not power).
5. Decimate: keep every 50th sample starting at sample 0 (``hop_duration``
   ``= 50 / 2048`` s; 205 columns for 10240 samples). Column ``i`` is at
   ``i * hop / sfreq`` seconds.
6. Drop 5 frames at each end (``trim_frames``), **then** z-score every frequency
   over the kept frames (``ddof=0``, no guard for a zero standard deviation),
   NaN -> 0, ``float32``: ``[195, 40]`` for 5 s.

Choices and differences
-----------------------
* The reference stores each wavelet's convolution in a ``complex64`` buffer and
  raises those to powers; ieegrep keeps double precision throughout (the
  amplitude of a product of powers is the product of the amplitudes' powers, so
  ieegrep sums ``weight * log|convolution|`` and exponentiates). The two differ
  by the reference's single-precision rounding, <= 6e-8 relative.
* The reference's time axis (a linspace over the duration, discarded by the
  reference itself) is not reproduced; ``return_axes`` gives the exact times.

Implementation
--------------
All wavelets and all channels are computed together in the frequency domain.
For an output of ``N`` samples only the central ``2N - 1`` samples of a wavelet
can contribute, so longer wavelets (0.1 Hz: 97,800 samples) are cut to that;
each wavelet is placed circularly so that a circular convolution of length
``L >= N + max(left, right extent)`` equals the "same" output exactly. For the
decimated output (``D = 50``) ``L`` is a multiple of ``D`` and sampling every
``D``-th output is done in the frequency domain: the product spectrum is folded
into ``L / D`` bins and inverse-transformed at that small length. The fold of
``signal spectrum x wavelet spectrum`` for all wavelets and channels is one
batched complex matrix product (598 wavelets at the defaults). Signals are
processed in blocks of rows and wavelets, so memory stays bounded. Wavelet
spectra are cached per (sampling rate, length, settings) -- about 100 MB for 5-s
windows at 2048 Hz, built in ~0.1-0.5 s; two entries are kept.

Speed (``benchmarks/bench_spectrograms.py``, 4 channels x 8 windows of 5 s):
about 150x the direct reference algorithm (one ``fftconvolve`` per wavelet per
channel) with the wavelet spectra cached, about 33x including building them.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.fft

from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose
from .spectrogram import _as_signal, _check_int, _check_normalize, _check_seconds, _check_sfreq

__all__ = ["superlet_amplitude", "superlet_orders", "superlet_spectrogram"]

_HOP = 50 / 2048  # 0.0244140625 s
_K_SD = 5.0  # Gaussian width parameter of the superlet Morlet wavelets
_WORK_BYTES = 24 * 2**20  # complex products held at once
_ROWS_PER_PASS = 256  # signals normalised at once by superlet_spectrogram
_PLANS: OrderedDict = OrderedDict()  # wavelet spectra, most recently used last
_MAX_PLANS = 2
_PLANS_LOCK = threading.Lock()


# ------------------------------------------------------------------------------------------
# parameters
# ------------------------------------------------------------------------------------------


def _frequencies(freqs, fmin, fmax, n_freqs, sfreq):
    if freqs is None:
        for name, value in (("fmin", fmin), ("fmax", fmax)):
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if not ok or not np.isfinite(value) or value <= 0:
                raise InvalidParameterError(
                    f"{name} must be a positive frequency in Hz.",
                    field=name,
                    value=value,
                    fix="Pass fmin=0.1 and fmax=200.0 (BrainBERT), or an explicit freqs array.",
                )
        n_freqs = _check_int(n_freqs, "n_freqs", 2, "Pass n_freqs=40 (BrainBERT).")
        freqs = np.linspace(fmin, fmax, n_freqs)
        field = "fmax"
    else:
        freqs = np.asarray(freqs, dtype=np.float64)
        field = "freqs"
    if freqs.ndim != 1 or freqs.size < 2 or not np.all(np.isfinite(freqs)):
        raise InvalidParameterError(
            "The superlet needs at least two finite frequencies.",
            field=field,
            value=freqs.tolist() if freqs.size <= 8 else f"array of shape {freqs.shape}",
            fix="Pass at least two increasing frequencies in Hz.",
        )
    if freqs[0] <= 0 or np.any(np.diff(freqs) <= 0):
        raise InvalidParameterError(
            "Frequencies must be positive and strictly increasing.",
            field=field,
            value=freqs.tolist() if freqs.size <= 8 else "array",
            fix="Pass increasing frequencies above 0 Hz, e.g. np.linspace(0.1, 200, 40).",
        )
    if freqs[-1] >= sfreq / 2:
        raise InvalidParameterError(
            f"The highest frequency ({freqs[-1]:g} Hz) is not below the Nyquist frequency "
            f"({sfreq / 2:g} Hz).",
            field=field,
            value=float(freqs[-1]),
            fix=f"Keep frequencies below {sfreq / 2:g} Hz, or resample the data.",
        )
    return freqs


def _check_orders(order_min, order_max, c1):
    for name, value in (("order_min", order_min), ("order_max", order_max), ("c1", c1)):
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not ok or not np.isfinite(value) or value <= 0:
            raise InvalidParameterError(
                f"{name} must be a positive number.",
                field=name,
                value=value,
                fix="Pass order_min=3, order_max=30, c1=1 (BrainBERT).",
            )
    if order_min < 1:
        raise InvalidParameterError(
            "The lowest superlet order must be at least 1.",
            field="order_min",
            value=order_min,
            fix="Pass order_min >= 1 (BrainBERT uses 3).",
        )
    if order_max < order_min:
        raise InvalidParameterError(
            "order_max is below order_min.",
            field="order_max",
            value=order_max,
            fix=f"Pass order_max >= order_min ({order_min:g}).",
        )
    return float(order_min), float(order_max), float(c1)


def _orders(freqs, order_min, order_max):
    # as the reference's FASLT: from the frequencies implied by the scales
    scales = (1.0 / freqs) / (2 * np.pi)
    fois = 1.0 / (2 * np.pi * scales)
    return order_min + (order_max - order_min) * (fois - fois[0]) / (fois[-1] - fois[0])


def superlet_orders(freqs, order_min=3, order_max=30):
    """Adaptive (fractional) superlet order of every frequency, as BrainBERT uses.

    Parameters
    ----------
    freqs : array-like of float, shape (n_freqs,)
        Frequencies of interest in Hz, increasing.
    order_min, order_max : float, default 3 and 30
        Orders at the lowest and highest frequency.

    Returns
    -------
    orders : ndarray of float64, shape (n_freqs,)
        ``order_min + (order_max - order_min) * (f - f[0]) / (f[-1] - f[0])``;
        the number of cycles of the widest wavelet is ``c1 * orders``.
    """
    freqs = _frequencies(freqs, None, None, None, np.inf)
    order_min, order_max, _ = _check_orders(order_min, order_max, 1.0)
    return _orders(freqs, order_min, order_max)


# ------------------------------------------------------------------------------------------
# plan: the wavelets, their weights and their spectra
# ------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Group:
    length: int  # circular convolution length L (a multiple of decim)
    kernels: np.ndarray  # kernel indices
    spectra: np.ndarray  # (L / decim, decim, n_kernels) complex128, scaled by 1 / decim


@dataclass(eq=False)
class _Plan:
    n_times: int
    decim: int
    n_out: int
    weights: np.ndarray  # (n_kernels, n_freqs)
    groups: list
    n_kernels: int


def _smooth_at_least(n):
    """Smallest 2-3-5-7-smooth integer >= n."""
    n = max(1, int(n))
    while True:
        m = n
        for p in (2, 3, 5, 7):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def _kernel_weights(freqs, order_min, order_max):
    """Weights (exponents) of the (integer order, frequency) wavelets, reference bookkeeping.

    Returns ``orders_present`` (integer orders of the wavelet sets) and ``weights``
    of shape (n_orders_present, n_freqs).
    """
    orders = _orders(freqs, order_min, order_max)
    orders_int = np.floor(orders).astype(np.int32)
    present = np.unique(orders_int)
    exponents = 1.0 / (orders - order_min + 1)
    alphas = orders % orders_int
    weights = np.zeros((present.size, freqs.size))
    weights[0] = exponents
    last = 1  # as in the reference, the lowest frequency never takes a fractional part
    for i, jump in enumerate(np.flatnonzero(np.diff(orders_int))):
        weights[i + 1, last : jump + 1] = alphas[last : jump + 1] * exponents[last : jump + 1]
        weights[i + 1, jump + 1 :] = exponents[jump + 1 :]
        last = jump + 1
    return present, weights


def _wavelet(scale, cycles, sfreq, n_times):
    """Sample one superlet Morlet wavelet where it can reach a "same" output of n_times.

    Returns the samples and the index (within them) of the sample aligned with
    output sample 0 (``(len(full wavelet) - 1) // 2`` in the full wavelet).
    """
    dt = 1.0 / sfreq
    support = 10 * scale * cycles / dt
    t = np.arange((-support + 1) / 2.0, (support + 1) / 2.0) * dt
    centre = (t.size - 1) // 2
    lo, hi = max(0, centre - (n_times - 1)), min(t.size, centre + n_times)
    ts = t[lo:hi] / scale
    amplitude = _K_SD / (scale * cycles * (2 * np.pi) ** 1.5)
    wavelet = amplitude * np.exp(1j * ts)
    wavelet *= np.exp(-0.5 * (_K_SD * ts / (2 * np.pi * cycles)) ** 2)
    wavelet *= dt**0.5 / (4 * np.pi)
    return wavelet, centre - lo


def _build_plan(sfreq, n_times, decim, freqs, order_min, order_max, c1):
    present, weights = _kernel_weights(freqs, order_min, order_max)
    scales = (1.0 / freqs) / (2 * np.pi)
    pairs = np.argwhere(weights != 0)  # (order index, frequency index)
    kernel_weights = np.zeros((len(pairs), freqs.size))
    kernel_weights[np.arange(len(pairs)), pairs[:, 1]] = weights[pairs[:, 0], pairs[:, 1]]
    wavelets, lengths = [], []
    for order_index, freq_index in pairs:
        wavelet, centre = _wavelet(scales[freq_index], c1 * present[order_index], sfreq, n_times)
        # circular length at which the "same" output does not wrap around
        required = n_times + max(centre, wavelet.size - 1 - centre)
        if decim > 1:
            length = decim * _smooth_at_least(-(-required // decim))
        else:
            length = scipy.fft.next_fast_len(required)
        wavelets.append((wavelet, centre))
        lengths.append(length)
    lengths = np.asarray(lengths)
    groups = []
    for length in np.unique(lengths):
        members = np.flatnonzero(lengths == length)
        circular = np.zeros((members.size, length), np.complex128)
        for row, kernel in enumerate(members):
            wavelet, centre = wavelets[kernel]
            circular[row, : wavelet.size - centre] = wavelet[centre:]
            if centre:
                circular[row, length - centre :] = wavelet[:centre]
        spectra = scipy.fft.fft(circular, axis=-1, overwrite_x=True)
        spectra *= 1.0 / decim
        # (L / D, D, kernels): bin k' + d L / D of every wavelet (transposed in slabs)
        folded = np.empty((length // decim, decim, members.size), np.complex128)
        for k0 in range(0, members.size, 64):
            slab = spectra[k0 : k0 + 64].reshape(-1, decim, length // decim)
            folded[:, :, k0 : k0 + 64] = slab.transpose(2, 1, 0)
        groups.append(_Group(int(length), members, folded))
    n_out = -(-n_times // decim)
    return _Plan(n_times, decim, n_out, kernel_weights, groups, len(pairs))


def _get_plan(sfreq, n_times, decim, freqs, order_min, order_max, c1):
    key = (sfreq, n_times, decim, freqs.tobytes(), order_min, order_max, c1)
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is not None:
            _PLANS.move_to_end(key)
            return plan
    plan = _build_plan(sfreq, n_times, decim, freqs, order_min, order_max, c1)
    with _PLANS_LOCK:
        _PLANS[key] = plan
        while len(_PLANS) > _MAX_PLANS:
            _PLANS.popitem(last=False)
    return plan


# ------------------------------------------------------------------------------------------
# transform
# ------------------------------------------------------------------------------------------


def _amplitude(plan: _Plan, x: np.ndarray) -> np.ndarray:
    """Superlet amplitude of rows ``x`` (R, N) -> (R, n_out, n_freqs) float64."""
    n_rows = x.shape[0]
    n_freqs = plan.weights.shape[1]
    out = np.empty((n_rows, plan.n_out, n_freqs))
    decim, n_out = plan.decim, plan.n_out
    longest = max(group.length for group in plan.groups)
    # channels per block: keep the signal spectra and one product block small
    rows_per_block = int(max(1, min(n_rows, 64, _WORK_BYTES // (16 * longest * 4))))
    for r0 in range(0, n_rows, rows_per_block):
        block = x[r0 : r0 + rows_per_block]
        rows = block.shape[0]
        log_sum = np.zeros((n_out, rows, n_freqs))
        for group in plan.groups:
            length = group.length
            folds = length // decim
            spectrum = scipy.fft.fft(block, n=length, axis=-1)  # (rows, L)
            # (L / D, rows, D): bin k' + d L / D of every row
            folded_signal = np.ascontiguousarray(
                spectrum.reshape(rows, decim, folds).transpose(2, 0, 1)
            )
            n_kernels = group.kernels.size
            per_kernel = folds * rows * 16
            step = int(max(1, min(n_kernels, _WORK_BYTES // per_kernel)))
            for k0 in range(0, n_kernels, step):
                spectra = group.spectra[:, :, k0 : k0 + step]
                if decim > 1:
                    # sum over d of X[k' + d L/D] H[k' + d L/D] for every (row, wavelet)
                    product = np.matmul(folded_signal, spectra)  # (L / D, rows, kernels)
                else:
                    product = folded_signal * spectra  # (L, rows, kernels)
                convolution = scipy.fft.ifft(product, axis=0, overwrite_x=True)[:n_out]
                magnitude = np.abs(convolution)
                with np.errstate(divide="ignore"):
                    log_magnitude = np.log(magnitude, out=magnitude)
                # a zero factor must give a zero product: -inf -> a huge finite number,
                # so that zero weights of the other frequencies do not make NaN
                np.maximum(log_magnitude, -1e300, out=log_magnitude)
                log_sum += log_magnitude @ plan.weights[group.kernels[k0 : k0 + step]]
        np.exp(log_sum, out=log_sum)
        out[r0 : r0 + rows] = log_sum.transpose(1, 0, 2)
    return out


def _prepare(
    data, sfreq, freqs, fmin, fmax, n_freqs, order_min, order_max, c1, hop_duration
):  # fmt: skip
    sfreq = _check_sfreq(sfreq)
    freqs = _frequencies(freqs, fmin, fmax, n_freqs, sfreq)
    order_min, order_max, c1 = _check_orders(order_min, order_max, c1)
    if hop_duration is None:
        decim = 1
    else:
        decim = _check_seconds(
            hop_duration,
            "hop_duration",
            sfreq,
            1,
            "Pass the frame step in seconds, e.g. 50 / 2048, or None for every sample.",
        )
    x = _as_signal(data)
    return sfreq, freqs, order_min, order_max, c1, decim, x


@verbose
def superlet_amplitude(
    data,
    sfreq,
    *,
    freqs=None,
    fmin=0.1,
    fmax=200.0,
    n_freqs=40,
    order_min=3,
    order_max=30,
    c1=1.0,
    hop_duration=_HOP,
    return_axes=False,
    verbose=None,
):
    """Compute the adaptive superlet amplitude (un-normalised), as BrainBERT does.

    Parameters
    ----------
    data : array-like | torch.Tensor, shape (..., n_times)
        Signals, time last; leading dimensions are batched.
    sfreq : float
        Sampling rate in Hz (BrainBERT: 2048).
    freqs : array-like of float | None, default None
        Frequencies of interest in Hz, increasing. None gives
        ``np.linspace(fmin, fmax, n_freqs)``.
    fmin, fmax : float, default 0.1 and 200.0
        Lowest and highest frequency in Hz when ``freqs`` is None.
    n_freqs : int, default 40
        Number of frequencies when ``freqs`` is None (40).
    order_min, order_max : float, default 3 and 30
        Superlet order at the lowest and highest frequency.
    c1 : float, default 1.0
        Cycles of an order-1 wavelet (1): an order-``u`` wavelet has ``c1 * u``
        cycles.
    hop_duration : float | None
        Keep one output sample every ``hop_duration`` seconds, starting with the
        first (default ``50 / 2048`` s: every 50th sample at 2048 Hz). None keeps
        every sample.
    return_axes : bool, default False
        If True, also return the times and frequencies.
    verbose : bool | str | int | None, default None
        Log level (see :func:`ieegrep.set_log_level`).

    Returns
    -------
    amplitude : ndarray of float64, shape (..., n_frames, n_freqs)
        Modulus of the superlet transform, frames before frequencies;
        ``n_frames = ceil(n_times / hop)`` (205 for 10240 samples), or
        ``n_times`` if ``hop_duration`` is None.
    times : ndarray of float64, shape (n_frames,)
        Only if ``return_axes``: ``i * hop / sfreq`` seconds.
    freqs : ndarray of float64, shape (n_freqs,)
        Only if ``return_axes``: the frequencies in Hz.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If an argument is invalid.

    See Also
    --------
    superlet_spectrogram : the trimmed, z-scored model input.
    """
    sfreq, freqs, order_min, order_max, c1, decim, x = _prepare(
        data, sfreq, freqs, fmin, fmax, n_freqs, order_min, order_max, c1, hop_duration
    )
    n_times = x.shape[-1]
    if n_times < 1:
        raise InvalidParameterError(
            "The signal has no samples.", field="data", value=x.shape, fix="Pass a signal."
        )
    plan = _get_plan(sfreq, n_times, decim, freqs, order_min, order_max, c1)
    logger.info(
        "Superlet: %d signal(s) x %d samples, %d frequencies, %d wavelets, step %d.",
        math.prod(x.shape[:-1]),
        n_times,
        freqs.size,
        plan.n_kernels,
        decim,
    )
    amplitude = _amplitude(plan, x.reshape(-1, n_times))
    amplitude = amplitude.reshape(x.shape[:-1] + amplitude.shape[1:])
    if return_axes:
        return amplitude, np.arange(plan.n_out) * decim / sfreq, freqs
    return amplitude


@verbose
def superlet_spectrogram(
    data,
    sfreq,
    *,
    freqs=None,
    fmin=0.1,
    fmax=200.0,
    n_freqs=40,
    order_min=3,
    order_max=30,
    c1=1.0,
    hop_duration=_HOP,
    trim_frames=5,
    normalize="zscore",
    return_axes=False,
    verbose=None,
):
    """Compute BrainBERT's superlet spectrogram (decimated, trimmed, z-scored).

    Parameters
    ----------
    data : array-like | torch.Tensor, shape (..., n_times)
        Signals, time last; leading dimensions are batched.
    sfreq : float
        Sampling rate in Hz (BrainBERT: 2048).
    freqs : array-like of float | None, default None
        Frequencies of interest in Hz, increasing; None gives
        ``np.linspace(fmin, fmax, n_freqs)``.
    fmin, fmax : float, default 0.1 and 200.0
        Lowest and highest frequency in Hz when ``freqs`` is None (BrainBERT's).
    n_freqs : int, default 40
        Number of frequencies when ``freqs`` is None (BrainBERT's 40).
    order_min, order_max : float, default 3 and 30
        Superlet order at the lowest and highest frequency (BrainBERT's).
    c1 : float, default 1.0
        Cycles of an order-1 wavelet, as in :func:`superlet_amplitude`.
    hop_duration : float
        Frame step in seconds (default ``50 / 2048`` s, i.e. keep every 50th
        sample at 2048 Hz, the STFT's 24.4 ms step).
    trim_frames : int
        Frames dropped at each end before the z-score (default 5).
    normalize : ``"zscore"`` | None
        ``"zscore"`` (default): per-frequency z-score over the kept frames
        (population std, no guard: a constant frequency gives 0). None: the
        trimmed amplitude.
    return_axes : bool, default False
        If True, also return the frame times and the frequencies.
    verbose : bool | str | int | None, default None
        Log level (see :func:`ieegrep.set_log_level`).

    Returns
    -------
    spectrogram : ndarray of float32, shape (..., n_frames, n_freqs)
        Frames before frequencies (195 x 40 for 10240 samples at the defaults).
    times : ndarray of float64, shape (n_frames,)
        Only if ``return_axes``: time of each kept frame in seconds from the first
        sample (frame ``i`` of the decimated amplitude is at ``i * hop / sfreq``).
    freqs : ndarray of float64, shape (n_freqs,)
        Only if ``return_axes``: the frequencies in Hz.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If an argument is invalid or the signal is too short to leave a frame
        after trimming.
    """
    if hop_duration is None:
        raise InvalidParameterError(
            "The superlet spectrogram needs a frame step.",
            field="hop_duration",
            value=None,
            fix="Pass hop_duration=50 / 2048 (BrainBERT), or use superlet_amplitude.",
        )
    sfreq, freqs, order_min, order_max, c1, decim, x = _prepare(
        data, sfreq, freqs, fmin, fmax, n_freqs, order_min, order_max, c1, hop_duration
    )
    trim = _check_int(trim_frames, "trim_frames", 0, "Pass trim_frames=5 (BrainBERT) or 0.")
    normalize = _check_normalize(normalize)
    n_times = x.shape[-1]
    n_frames = -(-n_times // decim)
    if n_frames - 2 * trim < 1:
        shortest = 2 * trim * decim + 1
        raise InvalidParameterError(
            f"The signal has {n_times} samples, which give {n_frames} superlet frames (one "
            f"every {decim} samples); trimming {trim} frames at each end leaves "
            f"{n_frames - 2 * trim} frames.",
            field="data",
            value=n_times,
            fix=f"Use at least {shortest} samples ({shortest / sfreq:.4g} s at {sfreq:g} Hz), "
            "or lower trim_frames.",
        )
    plan = _get_plan(sfreq, n_times, decim, freqs, order_min, order_max, c1)
    logger.info(
        "Superlet spectrogram: %d signal(s) x %d samples -> %d frames x %d frequencies "
        "(%d wavelets).",
        math.prod(x.shape[:-1]),
        n_times,
        n_frames - 2 * trim,
        freqs.size,
        plan.n_kernels,
    )
    rows = x.reshape(-1, n_times)
    spectrogram = np.empty((rows.shape[0], n_frames - 2 * trim, freqs.size), np.float32)
    for r0 in range(0, rows.shape[0], _ROWS_PER_PASS):  # bounded float64 intermediates
        amplitude = _amplitude(plan, rows[r0 : r0 + _ROWS_PER_PASS])[:, trim : n_frames - trim]
        if normalize is not None:
            amplitude -= amplitude.mean(axis=-2, keepdims=True)
            variance = np.einsum("rtf,rtf->rf", amplitude, amplitude) / amplitude.shape[-2]
            with np.errstate(divide="ignore", invalid="ignore"):
                amplitude /= np.sqrt(variance)[:, None]  # no guard, as scipy.stats.zscore
        block = spectrogram[r0 : r0 + _ROWS_PER_PASS]
        np.copyto(block, amplitude, casting="same_kind")
        np.copyto(block, 0.0, where=np.isnan(block))
    spectrogram = spectrogram.reshape(x.shape[:-1] + spectrogram.shape[1:])
    if return_axes:
        times = (trim + np.arange(n_frames - 2 * trim)) * decim / sfreq
        return spectrogram, times, freqs
    return spectrogram
