"""Classical iEEG features as sklearn transformers: spectrograms and raw voltages.

:class:`SpectrogramTransformer` computes BrainBERT's STFT or superlet front end
(:func:`ieegrep.preprocessing.stft_spectrogram`,
:func:`ieegrep.preprocessing.superlet_spectrogram`) for every epoch and channel;
:class:`RawTransformer` passes the (optionally resampled) voltages on. Both take
:class:`mne.Epochs` or arrays (see :mod:`ieegrep.decoding.inputs`) and return
``(n_epochs, n_features)`` for linear models, or keep the per-channel axes.

The Neuroprobe linear baselines (``../shared/reference`` §C.7) are built by
:func:`neuroprobe_stft_baseline` and :func:`raw_voltage_baseline`:

* **Linear (STFT)**: magnitude STFT with a 512-sample Hann window and a
  128-sample hop (75 % overlap) at 2048 Hz, 0-150 Hz, no normalisation,
  flattened, :class:`~sklearn.preprocessing.StandardScaler`, then
  ``LogisticRegression(max_iter=10000, tol=1e-3)``, seed 42.
* **Linear (Laplacian re-reference + STFT)**: the same after a shaft Laplacian.
  Re-referencing needs contact names and shafts, so it is done on the
  recording first (:func:`ieegrep.preprocessing.rereference`), not here.
* **Linear (raw voltage)**: the voltages of the window, flattened, scaled,
  logistic regression.

Neuroprobe computes its STFT with ``torch.stft`` (centred frames, reflect
padding); ieegrep's STFT pads with zeros as SciPy does. The edge frames differ
slightly; the features are otherwise the same.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..exceptions import InvalidParameterError
from ..preprocessing import stft_spectrogram, superlet_spectrogram
from .inputs import EpochsTransformer, _check_bool

__all__ = [
    "SpectrogramTransformer",
    "RawTransformer",
    "neuroprobe_stft_baseline",
    "raw_voltage_baseline",
]

_METHODS = ("stft", "superlet")
_DEFAULT_FMAX = 200.0
# options that only one front end has
_STFT_ONLY = ("window_duration",)
_SUPERLET_ONLY = ("fmin", "order_min", "order_max")


def _check_n_jobs(value):
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if value is not None and (not ok or value == 0 or value < -1):
        raise InvalidParameterError(
            "n_jobs must be a positive integer, -1 (all cores) or None.",
            field="n_jobs",
            value=value,
            fix="Pass n_jobs=1.",
        )


class SpectrogramTransformer(EpochsTransformer):
    """Per-channel spectrograms of epoched iEEG (BrainBERT's STFT or superlet front end).

    Parameters
    ----------
    method : ``"stft"`` | ``"superlet"``, default="stft"
        Front end: :func:`~ieegrep.preprocessing.stft_spectrogram` (BrainBERT's
        STFT: Hann window, magnitude, per-frequency z-score, trim) or
        :func:`~ieegrep.preprocessing.superlet_spectrogram` (adaptive superlets).
    sfreq : float | None, default=None
        Sampling rate of array input in Hz. Required for arrays; Epochs carry
        their own rate (a conflicting value is an error).
    target_sfreq : float | None, default=None
        Resample every epoch to this rate (Hz, polyphase) before the
        spectrogram, e.g. 2048 for BrainBERT's front ends. None keeps the
        input rate (window and hop are in seconds, so the features stay
        comparable across rates).
    window_duration : float | None, default=None
        STFT window in seconds (None: ``400 / 2048`` s). STFT only.
    hop_duration : float | None, default=None
        Frame step in seconds (None: ``50 / 2048`` s).
    fmin : float | None, default=None
        Lowest superlet frequency in Hz (None: 0.1). Superlet only.
    fmax : float | None, default=None
        Highest frequency kept, Hz (None: 200, BrainBERT's, or the Nyquist
        frequency when that is lower).
    n_freqs : int | None, default=None
        Number of frequencies (None: as many bins as cover ``fmax`` for the
        STFT, 40 for superlets).
    order_min, order_max : int | None, default=None
        Superlet orders (None: 3 and 30). Superlet only.
    normalize : ``"zscore"`` | None, default="zscore"
        Per-frequency z-score over the frames of each epoch and channel
        (BrainBERT), or None for magnitudes.
    trim_frames : int | None, default=None
        Frames dropped at each end (None: 10 for the STFT, 5 for superlets).
    flatten : bool, default=True
        True: output ``(n_epochs, n_channels * n_frames * n_freqs)`` for linear
        models. False: ``(n_epochs, n_channels, n_frames, n_freqs)``.
    chs_info : list of dict | list of str | None, default=None
        Channel descriptions of array input (names are kept in ``ch_names_``).
    n_jobs : int | None, default=1
        Threads of the STFT (results do not depend on it).

    Attributes
    ----------
    n_features_in_ : int
        Size of axis 1 of the input at fit (channels for 3-D input and Epochs,
        samples for 2-D input, which is read as one channel).
    n_channels_in_, n_times_in_ : int
        Channels and samples per epoch at fit (before resampling).
    sfreq_in_, sfreq_ : float
        Input rate and the rate the spectrogram is computed at, Hz.
    ch_names_ : list of str | None
        Channel names (from Epochs or ``chs_info``).
    times_ : ndarray of float, shape (n_frames,)
        Frame times in seconds from the start of the epoch.
    freqs_ : ndarray of float, shape (n_freqs,)
        Frequencies in Hz.
    output_shape_ : tuple of int
        ``(n_channels, n_frames, n_freqs)`` per epoch.
    n_features_out_ : int
        Number of output features when flattened.

    See Also
    --------
    RawTransformer : raw-voltage features.
    neuroprobe_stft_baseline : the Neuroprobe "Linear (STFT)" pipeline.

    Notes
    -----
    Epochs are converted from volts to µV first; with ``normalize="zscore"``
    the unit does not matter. 2-D input ``(n_epochs, n_times)`` is one channel.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).standard_normal((4, 3, 2048))
    >>> spec = SpectrogramTransformer(sfreq=1024.0).fit(X)
    >>> spec.output_shape_
    (3, 63, 40)
    >>> spec.transform(X).shape
    (4, 7560)
    """

    def __init__(
        self,
        method="stft",
        sfreq=None,
        *,
        target_sfreq=None,
        window_duration=None,
        hop_duration=None,
        fmin=None,
        fmax=None,
        n_freqs=None,
        order_min=None,
        order_max=None,
        normalize="zscore",
        trim_frames=None,
        flatten=True,
        chs_info=None,
        n_jobs=1,
    ):
        self.method = method
        self.sfreq = sfreq
        self.target_sfreq = target_sfreq
        self.window_duration = window_duration
        self.hop_duration = hop_duration
        self.fmin = fmin
        self.fmax = fmax
        self.n_freqs = n_freqs
        self.order_min = order_min
        self.order_max = order_max
        self.normalize = normalize
        self.trim_frames = trim_frames
        self.flatten = flatten
        self.chs_info = chs_info
        self.n_jobs = n_jobs

    def _requires_sfreq(self) -> bool:
        return True

    def _spectrogram_kwargs(self) -> dict:
        if self.method not in _METHODS:
            raise InvalidParameterError(
                "Unknown spectrogram method.",
                field="method",
                value=self.method,
                fix='Pass method="stft" or method="superlet".',
            )
        foreign = _SUPERLET_ONLY if self.method == "stft" else _STFT_ONLY
        for name in foreign:
            if getattr(self, name) is not None:
                raise InvalidParameterError(
                    f"{name} does not apply to method={self.method!r}.",
                    field=name,
                    value=getattr(self, name),
                    fix=f"Leave {name}=None, or choose the other method.",
                )
        _check_bool(self.flatten, "flatten")
        _check_n_jobs(self.n_jobs)
        names = ("hop_duration", "fmax", "n_freqs", "normalize", "trim_frames")
        names += _STFT_ONLY if self.method == "stft" else _SUPERLET_ONLY
        kwargs = {name: getattr(self, name) for name in names if getattr(self, name) is not None}
        if self.normalize is None:
            kwargs["normalize"] = None
        if self.method == "stft":
            kwargs["n_jobs"] = 1 if self.n_jobs is None else self.n_jobs
        return kwargs

    def _compute(self, data, sfreq, *, return_axes=False):
        function = stft_spectrogram if self.method == "stft" else superlet_spectrogram
        kwargs = self._spectrogram_kwargs()
        if self.fmax is None and self.n_freqs is None and sfreq / 2 < _DEFAULT_FMAX:
            # BrainBERT's 200 Hz does not exist below 400 Hz sampling: stop at Nyquist
            kwargs["fmax"] = sfreq / 2
        return function(data, sfreq, return_axes=return_axes, **kwargs)

    def fit(self, X, y=None):
        """Check the input and record the shape of the output.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Training epochs (only their shape and rate are used).
        y : None, default None
            Ignored.

        Returns
        -------
        self : SpectrogramTransformer
            The fitted transformer.
        """
        self._spectrogram_kwargs()
        inputs = self._fit_input(X)
        try:
            _, times, freqs = self._compute(inputs.data[:1, :1], inputs.sfreq, return_axes=True)
        except InvalidParameterError as err:
            if err.field != "data":
                raise
            self._too_short(inputs, err.problem, err.fix)
        self.times_ = np.asarray(times, dtype=float)
        self.freqs_ = np.asarray(freqs, dtype=float)
        self.output_shape_ = (inputs.n_channels, self.times_.size, self.freqs_.size)
        self.n_features_out_ = int(np.prod(self.output_shape_))
        return self

    def transform(self, X):
        """Compute the spectrogram of every epoch and channel.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Epochs with the channels, rate and length used at fit.

        Returns
        -------
        features : ndarray of float32, shape ``(n_epochs, n_features_out_)`` or ``(n_epochs, n_channels, n_frames, n_freqs)``
            Flattened in C order (channel, then frame, then frequency) if
            ``flatten``.
        """
        inputs = self._transform_input(X)
        return self._maybe_flatten(self._compute(inputs.data, inputs.sfreq))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


class RawTransformer(EpochsTransformer):
    """Raw voltages of epoched iEEG as features (the Neuroprobe raw-voltage baseline).

    Parameters
    ----------
    sfreq : float | None, default=None
        Sampling rate of array input in Hz; needed only with ``target_sfreq``.
    target_sfreq : float | None, default=None
        Resample (polyphase, anti-aliased) to this rate first, Hz. Lower rates
        give fewer features, e.g. 256 Hz for a 1-s window: 256 per channel.
    flatten : bool, default=True
        True: ``(n_epochs, n_channels * n_times)``; False:
        ``(n_epochs, n_channels, n_times)``.
    chs_info : list of dict | list of str | None, default=None
        Channel descriptions of array input.

    Attributes
    ----------
    n_features_in_ : int
        Size of axis 1 of the input at fit (channels; samples for 2-D input).
    n_channels_in_, n_times_in_ : int
        Channels and samples per epoch at fit (before resampling).
    sfreq_in_, sfreq_ : float | None
        Input and output rates, Hz (None when unknown).
    ch_names_ : list of str | None
        Channel names, when known.
    output_shape_ : tuple of int
        ``(n_channels, n_times)`` per epoch after resampling.
    n_features_out_ : int
        Number of output features when flattened.

    Notes
    -----
    Epochs are converted from volts to µV; arrays are taken as given. The
    values are not scaled: put a :class:`~sklearn.preprocessing.StandardScaler`
    after this transformer (as :func:`raw_voltage_baseline` does).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.ones((5, 2, 1000))
    >>> RawTransformer(sfreq=1000.0, target_sfreq=250.0).fit_transform(X).shape
    (5, 500)
    """

    def __init__(self, sfreq=None, *, target_sfreq=None, flatten=True, chs_info=None):
        self.sfreq = sfreq
        self.target_sfreq = target_sfreq
        self.flatten = flatten
        self.chs_info = chs_info

    def fit(self, X, y=None):
        """Check the input and record its shape.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Training epochs.
        y : None, default None
            Ignored.

        Returns
        -------
        self : RawTransformer
            The fitted transformer.
        """
        _check_bool(self.flatten, "flatten")
        inputs = self._fit_input(X)
        self.output_shape_ = (inputs.n_channels, inputs.n_times)
        self.n_features_out_ = int(np.prod(self.output_shape_))
        return self

    def transform(self, X):
        """Return the (resampled) voltages.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Epochs with the channels, rate and length used at fit.

        Returns
        -------
        features : ndarray of float64, shape ``(n_epochs, n_features_out_)`` or ``(n_epochs, n_channels, n_times)``
            Microvolts for Epochs input.
        """
        return self._maybe_flatten(self._transform_input(X).data)


def neuroprobe_stft_baseline(sfreq=None, *, target_sfreq=2048.0, random_state=42):
    """Build Neuroprobe's "Linear (STFT)" baseline as an sklearn pipeline.

    Magnitude STFT (Hann window of 512 samples, hop 128, at 2048 Hz; 0-150 Hz;
    no normalisation, no trimming), flattened, standardised, then
    ``LogisticRegression(max_iter=10000, tol=1e-3)``. Apply a shaft Laplacian to
    the recording first for the "Laplacian + STFT" variant.

    Parameters
    ----------
    sfreq : float | None, default None
        Sampling rate of array input in Hz (None for Epochs).
    target_sfreq : float | None
        Rate the STFT is computed at, Hz (default 2048, Neuroprobe's). None keeps
        the input rate (the window and hop are in seconds).
    random_state : int
        Seed of the logistic regression (default 42, as Neuroprobe).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        ``SpectrogramTransformer → StandardScaler → LogisticRegression``.
    """
    spectrogram = SpectrogramTransformer(
        "stft",
        sfreq=sfreq,
        target_sfreq=target_sfreq,
        window_duration=512 / 2048,
        hop_duration=128 / 2048,
        fmax=150.0,
        normalize=None,
        trim_frames=0,
    )
    return make_pipeline(
        spectrogram,
        StandardScaler(),
        LogisticRegression(max_iter=10000, tol=1e-3, random_state=random_state),
    )


def raw_voltage_baseline(sfreq=None, *, target_sfreq=None, random_state=42):
    """Build Neuroprobe's "Linear (raw voltage)" baseline as an sklearn pipeline.

    Parameters
    ----------
    sfreq : float | None, default None
        Sampling rate of array input in Hz (None for Epochs).
    target_sfreq : float | None
        Resample to this rate first, Hz (default None: keep the input rate, as
        Neuroprobe does at 2048 Hz).
    random_state : int
        Seed of the logistic regression (default 42).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        ``RawTransformer → StandardScaler → LogisticRegression``.
    """
    return make_pipeline(
        RawTransformer(sfreq=sfreq, target_sfreq=target_sfreq),
        StandardScaler(),
        LogisticRegression(max_iter=10000, tol=1e-3, random_state=random_state),
    )
