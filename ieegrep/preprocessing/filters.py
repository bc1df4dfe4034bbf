"""Line-noise notch filters and resampling to a model's rate.

Notch (:func:`notch_filter`, :class:`NotchFilter`)
    One second-order IIR notch per harmonic of the line frequency
    (``scipy.signal.iirnotch``, quality factor Q = 30), applied in turn:

    ``mode="reference"``
        a single causal ``scipy.signal.lfilter`` pass from zero initial
        conditions, exactly as BrainBERT and BaRISTA filter (60, 120, ..., 360 Hz
        at 60 Hz line frequency). It shifts the phase near the notches.
    ``mode="zero-phase"``
        forward-backward filtering (``scipy.signal.filtfilt``) with the same
        notches: no phase shift, twice the attenuation.

    For long recordings processed in chunks, :class:`NotchFilter` keeps the
    ``lfilter`` state between chunks (the reference mode is then identical to
    filtering the whole recording); the zero-phase mode needs
    :attr:`NotchFilter.margin` samples of context on each side of a chunk.

Resampling (:func:`resample`, :func:`resampling_ratio`)
    Polyphase (``scipy.signal.resample_poly``) by a rational ratio up/down
    that approximates the target rate (exact for rational rates such as
    1000 → 2048 Hz), so models trained at 2048 Hz accept any input rate.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy import signal

from ..exceptions import InvalidParameterError

__all__ = [
    "notch_frequencies",
    "notch_filter",
    "NotchFilter",
    "resample",
    "resampling_ratio",
    "NOTCH_MODES",
]

#: Notch modes: ``"reference"`` (causal ``iirnotch`` Q=30, as BrainBERT/BaRISTA) and
#: ``"zero-phase"`` (the same filter forward and backward).
NOTCH_MODES = ("reference", "zero-phase")
#: BrainBERT/BaRISTA notch 6 harmonics: 60, 120, ..., 360 Hz.
N_HARMONICS = 6
QUALITY = 30.0


def notch_frequencies(line_freq: float, sfreq: float, n_harmonics: int = N_HARMONICS) -> list:
    """Line frequency and harmonics below the Nyquist frequency.

    Parameters
    ----------
    line_freq : float
        Power-line frequency (Hz), 50 or 60.
    sfreq : float
        Sampling frequency (Hz).
    n_harmonics : int
        Number of multiples to consider (default 6, as BrainBERT: 60 ... 360 Hz).

    Returns
    -------
    freqs : list of float
        ``line_freq * k`` for k = 1..n_harmonics, keeping those below ``sfreq / 2``.
    """
    if line_freq is None or not np.isfinite(line_freq) or line_freq <= 0:
        raise InvalidParameterError(
            "The line frequency is unknown.",
            field="line_freq",
            value=line_freq,
            fix="Set PowerLineFrequency in the recording's *_ieeg.json, or pass line_freq=50/60.",
        )
    return [line_freq * k for k in range(1, n_harmonics + 1) if line_freq * k < sfreq / 2]


def _check_mode(mode):
    if mode not in NOTCH_MODES:
        raise InvalidParameterError(
            "Unknown notch mode.",
            field="mode",
            value=mode,
            fix="Use 'reference' (causal lfilter, as BrainBERT/BaRISTA) or 'zero-phase'.",
        )


class NotchFilter:
    """Notch filters at the line frequency and harmonics, usable chunk by chunk.

    Parameters
    ----------
    sfreq : float
        Sampling frequency (Hz).
    line_freq : float
        Power-line frequency (Hz).
    n_harmonics : int
        Harmonics to remove (default 6: 60 ... 360 Hz), those at or above the
        Nyquist frequency being skipped.
    mode : ``"reference"`` | ``"zero-phase"``, default 'reference'
        Causal single pass (BrainBERT/BaRISTA) or forward-backward.
    quality : float
        Quality factor of each notch (default 30).

    Attributes
    ----------
    freqs : list of float
        The notched frequencies (Hz).
    coefficients : list of (b, a)
        Filter coefficients per notch.
    margin : int
        Samples of context a zero-phase chunk needs on each side so that its
        centre equals whole-recording filtering to float precision (the notch
        impulse response decays below 1e-12 within it).
    """

    def __init__(
        self, sfreq, line_freq, *, n_harmonics=N_HARMONICS, mode="reference", quality=QUALITY
    ):
        _check_mode(mode)
        self.sfreq = float(sfreq)
        self.mode = mode
        self.freqs = notch_frequencies(line_freq, sfreq, n_harmonics)
        self.coefficients = [signal.iirnotch(f, quality, fs=self.sfreq) for f in self.freqs]
        # pole radius r of each notch: the response decays as r**n
        radii = [np.max(np.abs(np.roots(a))) for _, a in self.coefficients] or [0.0]
        self.margin = int(np.ceil(np.log(1e-12) / np.log(max(radii)))) if max(radii) > 0 else 0
        self._state = None

    def reset(self) -> None:
        """Forget the filter state (start a new recording)."""
        self._state = None

    def __call__(self, data: np.ndarray) -> np.ndarray:
        """Filter ``data`` ``(..., n_times)``; in reference mode, continue from the last call."""
        out = np.asarray(data, dtype=float)
        if self.mode == "zero-phase":
            for b, a in self.coefficients:
                out = signal.filtfilt(b, a, out, axis=-1)
            return out
        if self._state is None:
            self._state = [np.zeros(out.shape[:-1] + (2,)) for _ in self.coefficients]
        for k, (b, a) in enumerate(self.coefficients):
            out, self._state[k] = signal.lfilter(b, a, out, axis=-1, zi=self._state[k])
        return out


def notch_filter(
    data, sfreq, line_freq, *, n_harmonics=N_HARMONICS, mode="reference", quality=QUALITY
) -> np.ndarray:
    """Remove line noise at ``line_freq`` and its harmonics.

    Parameters
    ----------
    data : array-like, shape (..., n_times)
        Signals (any unit), time last.
    sfreq : float
        Sampling frequency (Hz).
    line_freq : float
        Power-line frequency (Hz), e.g. ``recording.line_freq``.
    n_harmonics : int
        Harmonics to remove (default 6, as BrainBERT: 60 ... 360 Hz).
    mode : ``"reference"`` | ``"zero-phase"``
        ``"reference"`` (default) reproduces BrainBERT/BaRISTA: ``iirnotch``
        Q = 30 and one causal ``lfilter`` pass per harmonic from zero initial
        conditions. ``"zero-phase"`` filters forward and backward.
    quality : float
        Quality factor of each notch (default 30).

    Returns
    -------
    filtered : ndarray, shape (..., n_times)
        float64.
    """
    return NotchFilter(sfreq, line_freq, n_harmonics=n_harmonics, mode=mode, quality=quality)(data)


def resampling_ratio(sfreq: float, target: float, max_denominator: int = 10_000):
    """Rational up/down factors that take ``sfreq`` to (nearly) ``target``.

    Parameters
    ----------
    sfreq, target : float
        Input and output sampling frequencies (Hz).
    max_denominator : int
        Largest ``down`` factor considered (default 10000).

    Returns
    -------
    up, down : int
        ``target ≈ sfreq * up / down``; exact for rational ratios such as
        1000 → 2048 Hz (up 256, down 125).
    error : float
        Relative rate error ``sfreq * up / down / target - 1``.
    """
    for name, value in (("sfreq", sfreq), ("target", target)):
        if not np.isfinite(value) or value <= 0:
            raise InvalidParameterError(
                "Sampling frequencies must be positive numbers.",
                field=name,
                value=value,
                fix="Pass rates in Hz, e.g. 1000 and 2048.",
            )
    ratio = Fraction(float(target) / float(sfreq)).limit_denominator(max_denominator)
    up, down = ratio.numerator, ratio.denominator
    return up, down, float(sfreq) * up / down / float(target) - 1.0


def resample(data, sfreq: float, target: float, *, axis: int = -1) -> np.ndarray:
    """Resample to ``target`` Hz with a polyphase filter.

    Parameters
    ----------
    data : array-like
        Signals; time along ``axis``.
    sfreq : float
        Input sampling frequency (Hz).
    target : float
        Output sampling frequency (Hz), e.g. 2048 for BrainBERT/BaRISTA.
    axis : int
        Time axis (default last).

    Returns
    -------
    resampled : ndarray
        ``round(n_times * up / down)`` samples along ``axis``, float64. Unchanged
        (a float64 copy) when the rates are equal.
    """
    up, down, _ = resampling_ratio(sfreq, target)
    data = np.asarray(data, dtype=float)
    if up == down:
        return data.copy()
    return signal.resample_poly(data, up, down, axis=axis)
