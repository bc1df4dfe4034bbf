"""Input handling shared by every ieegrep transformer: Epochs or arrays, units, rates.

Every transformer of :mod:`ieegrep.decoding` (the spectrogram and raw-voltage
features here, the BrainBERT and BaRISTA embedders) receives whatever ``X`` an
sklearn :class:`~sklearn.pipeline.Pipeline` or cross-validation passes it, and
turns it into one thing with :func:`check_epochs_input`: an :class:`EpochsInput`
holding a float64 array ``(n_epochs, n_channels, n_times)`` at a known sampling
rate, optionally resampled to the rate a model expects.

Accepted inputs
---------------
:class:`mne.Epochs` (any :class:`mne.BaseEpochs`)
    The iEEG channels (sEEG, ECoG, DBS; if there are none, the EEG, MEG and
    misc channels; bad channels included) are read and **converted from volts to
    microvolts** (× 1e6), the unit the spectrogram and raw-voltage features and
    the encoders are specified in (BrainBERT and BaRISTA z-score their inputs,
    so the unit matters only for the raw-voltage features). The sampling rate,
    channel names, types and positions come from ``epochs.info``; a conflicting
    ``sfreq`` argument is an error.
A list or tuple of :class:`mne.Epochs`
    What sklearn's cross-validation passes for a subset of an Epochs (it
    indexes ``X[i]`` one epoch at a time); concatenated in order. Their
    ``info`` must agree (same channels, same rate).
An array of shape ``(n_epochs, n_channels, n_times)``
    Taken as is (no unit conversion: give microvolts). ``sfreq`` is required
    whenever the rate matters (spectrograms, resampling).
An array of shape ``(n_epochs, n_times)``
    One channel; it becomes ``(n_epochs, 1, n_times)``. This is also how
    sklearn's generic estimator checks (which only know 2-D data) are read.

``n_features_in_`` follows sklearn's rule (the size of axis 1 of the input):
the number of channels for 3-D input and Epochs, the number of samples for 2-D
input. The number of samples of 3-D input is checked separately, against
``n_times_in_``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..exceptions import InvalidParameterError, ModelInputError
from ..preprocessing import resample

__all__ = ["EpochsInput", "EpochsTransformer", "check_epochs_input", "VOLTS_TO_MICROVOLTS"]

#: Factor applied to :class:`mne.Epochs` data (MNE stores volts; features are in µV).
VOLTS_TO_MICROVOLTS = 1e6


@dataclass
class EpochsInput:
    """Validated transformer input: data, rate and what is known about the channels.

    Attributes
    ----------
    data : ndarray of float64, shape (n_epochs, n_channels, n_times)
        The signals, resampled to ``sfreq``; microvolts when read from Epochs.
    sfreq : float
        Sampling rate of ``data`` in Hz (after resampling).
    input_sfreq : float | None
        Sampling rate of the input in Hz (``None`` for arrays given without
        ``sfreq``).
    ch_names : list of str | None, default None
        Channel names (from Epochs or ``chs_info``), else ``None``.
    ch_types : list of str | None, default None
        MNE channel types (``"seeg"``, ``"ecog"``, ...), else ``None``.
    ch_pos : ndarray of float64, shape (n_channels, 3) | None, default None
        Channel positions in metres in the head frame of the Epochs' montage
        (NaN where unknown), else ``None``.
    from_epochs : bool, default False
        Whether the input was :class:`mne.Epochs` (and so converted to µV).
    input_ndim : int, default 3
        2 or 3: the number of dimensions of the array as given (3 for Epochs).
    input_n_times : int, default 0
        Samples per epoch of the input, before resampling.
    """

    data: np.ndarray
    sfreq: float | None
    input_sfreq: float | None
    ch_names: list | None = None
    ch_types: list | None = None
    ch_pos: np.ndarray | None = None
    from_epochs: bool = False
    input_ndim: int = 3
    input_n_times: int = 0

    @property
    def n_epochs(self) -> int:
        """Number of epochs."""
        return self.data.shape[0]

    @property
    def n_channels(self) -> int:
        """Number of channels."""
        return self.data.shape[1]

    @property
    def n_times(self) -> int:
        """Number of samples per epoch (after resampling)."""
        return self.data.shape[2]


def _check_bool(value, name):
    if not isinstance(value, bool | np.bool_):
        raise InvalidParameterError(
            f"{name} must be True or False.", field=name, value=value, fix=f"Pass {name}=True."
        )
    return bool(value)


def _is_epochs(obj) -> bool:
    try:
        import mne
    except ImportError:  # pragma: no cover - mne is a dependency
        return False
    return isinstance(obj, mne.BaseEpochs)


def _check_rate(value, name):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value <= 0:
        raise InvalidParameterError(
            f"{name} must be a positive sampling rate in Hz.",
            field=name,
            value=value,
            fix=f"Pass {name} in Hz, e.g. {name}=2048, or None.",
        )
    return float(value)


def _epochs_to_array(epochs_list):
    """Read data (µV), rate and channel description from one or more Epochs."""
    first = epochs_list[0]
    info = first.info
    picks = _data_picks(info)
    names = [info["ch_names"][p] for p in picks]
    for other in epochs_list[1:]:
        other_names = [other.info["ch_names"][p] for p in _data_picks(other.info)]
        if other_names != names or other.info["sfreq"] != info["sfreq"]:
            raise ModelInputError(
                "The Epochs to concatenate differ in channels or sampling rate.",
                field="X",
                value=(len(other_names), other.info["sfreq"]),
                fix="Give Epochs that share one info (same channels, same rate).",
            )
    data = np.concatenate([e.get_data(picks=picks) for e in epochs_list], axis=0)
    data = np.asarray(data, dtype=np.float64) * VOLTS_TO_MICROVOLTS
    types = first.get_channel_types(picks=picks)
    pos = np.array([info["chs"][p]["loc"][:3] for p in picks], dtype=float).reshape(-1, 3)
    unknown = ~np.isfinite(pos).all(axis=1) | np.all(pos == 0, axis=1)
    pos[unknown] = np.nan
    return data, float(info["sfreq"]), names, types, pos


def _data_picks(info):
    import mne

    # iEEG channels when there are any (stimulus and ECG channels stay out), else
    # EEG/MEG/misc; bad channels are kept so that every Epochs gives the same shape
    picks = mne.pick_types(info, meg=False, eeg=False, seeg=True, ecog=True, dbs=True, exclude=[])
    if len(picks) == 0:
        picks = mne.pick_types(info, meg=True, eeg=True, misc=True, exclude=[])
    if len(picks) == 0:
        picks = np.arange(info["nchan"])
    return np.asarray(picks, dtype=int)


def _from_chs_info(chs_info, n_channels):
    if chs_info is None:
        return None, None, None
    if len(chs_info) != n_channels:
        raise InvalidParameterError(
            f"chs_info describes {len(chs_info)} channels but X has {n_channels}.",
            field="chs_info",
            value=len(chs_info),
            fix="Give one entry per channel of X, in the order of X (e.g. epochs.info['chs']).",
        )
    names, types, pos = [], [], np.full((n_channels, 3), np.nan)
    for i, ch in enumerate(chs_info):
        if isinstance(ch, str):
            names.append(ch)
            types.append(None)
            continue
        if not isinstance(ch, dict) or "ch_name" not in ch:
            raise InvalidParameterError(
                "Each chs_info entry must be a channel name or a dict with a 'ch_name' key.",
                field=f"chs_info[{i}]",
                value=ch,
                fix="Pass epochs.info['chs'], or a list of channel names.",
            )
        names.append(str(ch["ch_name"]))
        kind = ch.get("kind_name", ch.get("type"))
        types.append(None if kind is None else str(kind))
        loc = ch.get("loc")
        if loc is not None and len(loc) >= 3:
            xyz = np.asarray(loc[:3], dtype=float)
            if np.isfinite(xyz).all() and not np.all(xyz == 0):
                pos[i] = xyz
    if all(t is None for t in types):
        types = None
    return names, types, pos


def check_epochs_input(
    X,
    *,
    sfreq=None,
    target_sfreq=None,
    estimator=None,
    reset=True,
    require_sfreq=False,
    chs_info=None,
    min_times=1,
):
    """Validate transformer input and return it as ``(n_epochs, n_channels, n_times)``.

    Parameters
    ----------
    X : mne.Epochs | list of mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
        The input (see the module docstring). Epochs are converted to µV.
    sfreq : float | None
        Sampling rate of an array input in Hz (default None). With Epochs it may
        be None or must equal ``epochs.info["sfreq"]``.
    target_sfreq : float | None
        Resample (polyphase, :func:`ieegrep.preprocessing.resample`) to this rate
        in Hz (default None: keep the input rate). Needs a known input rate.
    estimator : sklearn estimator | None, default None
        If given, sklearn's :func:`~sklearn.utils.validation.validate_data` runs
        on the array with it, which sets (``reset=True``) or checks
        ``n_features_in_`` (and ``feature_names_in_`` for DataFrames), with
        sklearn's standard messages.
    reset : bool
        True at ``fit``, False at ``transform`` (default True).
    require_sfreq : bool
        Raise if the input rate is unknown (default False).
    chs_info : list of dict | list of str | None, default None
        Channel descriptions for array input (MNE's ``info["chs"]`` or names);
        ignored for Epochs.
    min_times : int
        Minimum number of samples per epoch, after resampling (default 1).

    Returns
    -------
    inputs : EpochsInput
        ``inputs.data`` is float64, C-contiguous, finite.

    Raises
    ------
    ieegrep.exceptions.ModelInputError
        If the array has the wrong number of dimensions, is complex, empty, holds
        NaN or inf, or is too short. (A ``TypeError`` from NumPy is passed on for
        object arrays holding non-numbers.)
    ieegrep.exceptions.InvalidParameterError
        If ``sfreq`` is missing but required, or conflicts with the Epochs.
    """
    from_epochs = False
    names = types = pos = None
    input_sfreq = None if sfreq is None else _check_rate(sfreq, "sfreq")
    if _is_epochs(X) or (
        isinstance(X, list | tuple) and len(X) > 0 and all(_is_epochs(e) for e in X)
    ):
        epochs_list = [X] if _is_epochs(X) else list(X)
        array, epochs_sfreq, names, types, pos = _epochs_to_array(epochs_list)
        if input_sfreq is not None and not np.isclose(input_sfreq, epochs_sfreq):
            raise InvalidParameterError(
                f"sfreq={input_sfreq:g} Hz disagrees with the Epochs' rate ({epochs_sfreq:g} Hz).",
                field="sfreq",
                value=input_sfreq,
                fix="Leave sfreq=None when passing mne.Epochs: their info gives the rate.",
            )
        input_sfreq = epochs_sfreq
        from_epochs = True
    else:
        array = X
    if hasattr(array, "dtype") and np.iscomplexobj(array):
        raise ModelInputError(
            "Complex data not supported: iEEG signals must be real.",
            field="X",
            value=str(array.dtype),
            fix="Pass real-valued voltages (e.g. np.real or np.abs of your array).",
        )
    try:
        if estimator is not None:
            array = validate_data(
                estimator,
                array,
                reset=reset,
                allow_nd=True,
                dtype=np.float64,
                ensure_min_features=1,
            )
        else:
            array = check_array(array, allow_nd=True, dtype=np.float64, ensure_min_features=1)
    except ValueError as err:
        if isinstance(err, ModelInputError):
            raise
        raise ModelInputError(
            str(err),
            field="X",
            value=getattr(X, "shape", type(X).__name__),
            fix="Pass mne.Epochs or a finite real array of shape (n_epochs, n_channels, "
            "n_times) (or (n_epochs, n_times) for one channel).",
        ) from err
    input_ndim = array.ndim
    if array.ndim == 2:
        array = array[:, None, :]
    elif array.ndim != 3:
        raise ModelInputError(
            f"X must have 2 or 3 dimensions, not {array.ndim}.",
            field="X",
            value=array.shape,
            fix="Pass (n_epochs, n_channels, n_times), or (n_epochs, n_times) for one channel.",
        )
    if not from_epochs:
        names, types, pos = _from_chs_info(chs_info, array.shape[1])
    if input_sfreq is None and (require_sfreq or target_sfreq is not None):
        raise InvalidParameterError(
            "The sampling rate of the array is unknown.",
            field="sfreq",
            value=None,
            fix="Pass sfreq=<rate in Hz> to the transformer, or give mne.Epochs.",
        )
    out_sfreq = input_sfreq
    input_n_times = array.shape[-1]
    if target_sfreq is not None:
        target = _check_rate(target_sfreq, "target_sfreq")
        if not np.isclose(target, input_sfreq):
            array = resample(array, input_sfreq, target, axis=-1)
        out_sfreq = target
    if array.shape[-1] < min_times:
        raise ModelInputError(
            f"Epochs of {array.shape[-1]} sample(s) are too short; at least {min_times} "
            "are needed.",
            field="X",
            value=array.shape,
            fix="Use longer epochs (or shorter analysis windows).",
        )
    return EpochsInput(
        data=np.ascontiguousarray(array, dtype=np.float64),
        sfreq=out_sfreq,
        input_sfreq=input_sfreq,
        ch_names=names,
        ch_types=types,
        ch_pos=pos,
        from_epochs=from_epochs,
        input_ndim=input_ndim,
        input_n_times=input_n_times,
    )


class EpochsTransformer(TransformerMixin, BaseEstimator):
    """Base class of ieegrep's transformers of epoched iEEG (not used directly).

    Subclasses call :meth:`_fit_input` in ``fit`` and :meth:`_transform_input` in
    ``transform``; these run :func:`check_epochs_input` and keep the fitted
    input description (``_transform_input`` also checks that the estimator is
    fitted and that the rate, channels and epoch length are those of fit):

    Attributes
    ----------
    n_features_in_ : int
        Size of axis 1 of the input at fit (channels; samples for 2-D input).
    n_channels_in_ : int
        Number of channels.
    n_times_in_ : int
        Samples per epoch of the input at fit (before resampling).
    sfreq_in_ : float | None
        Sampling rate of the input at fit, Hz.
    sfreq_ : float | None
        Sampling rate after resampling, Hz.
    ch_names_ : list of str | None
        Channel names, when known (Epochs or ``chs_info``).
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.two_d_array = True
        return tags

    # the subclass says which rate it resamples to and whether it needs one
    def _target_sfreq(self):
        return getattr(self, "target_sfreq", None)

    def _requires_sfreq(self) -> bool:
        return False

    def _chs_info(self):
        return getattr(self, "chs_info", None)

    def _fit_input(self, X) -> EpochsInput:
        inputs = check_epochs_input(
            X,
            sfreq=getattr(self, "sfreq", None),
            target_sfreq=self._target_sfreq(),
            estimator=self,
            reset=True,
            require_sfreq=self._requires_sfreq(),
            chs_info=self._chs_info(),
        )
        self.n_channels_in_ = inputs.n_channels
        self.n_times_in_ = inputs.input_n_times
        self.sfreq_in_ = inputs.input_sfreq
        self.sfreq_ = inputs.sfreq
        self.ch_names_ = inputs.ch_names
        return inputs

    def _transform_input(self, X) -> EpochsInput:
        check_is_fitted(self)
        inputs = check_epochs_input(
            X,
            sfreq=getattr(self, "sfreq", None),
            target_sfreq=self._target_sfreq(),
            estimator=self,
            reset=False,
            require_sfreq=self._requires_sfreq(),
            chs_info=self._chs_info(),
        )
        if self.sfreq_in_ is not None and inputs.input_sfreq is not None:
            if not np.isclose(inputs.input_sfreq, self.sfreq_in_):
                raise ModelInputError(
                    f"X is sampled at {inputs.input_sfreq:g} Hz but the transformer was fitted "
                    f"on {self.sfreq_in_:g} Hz.",
                    field="sfreq",
                    value=inputs.input_sfreq,
                    fix="Transform data at the rate used for fit (or resample it first).",
                )
        if self.ch_names_ is not None and inputs.ch_names is not None:
            if list(inputs.ch_names) != list(self.ch_names_):
                raise ModelInputError(
                    "X has other channels (or another channel order) than at fit.",
                    field="ch_names",
                    value=_diff_names(self.ch_names_, inputs.ch_names),
                    fix="Pick and order the channels as at fit (epochs.reorder_channels).",
                )
        self._check_length(inputs)
        return inputs

    def _too_short(self, inputs: EpochsInput, problem, fix):
        """Raise: the epochs are too short for this transformer's front end."""
        # sklearn's generic checks read 2-D input; say what the "features" are there
        raise ModelInputError(
            f"Epochs of {inputs.n_times} sample(s) at {inputs.sfreq:g} Hz are too short for "
            f"{type(self).__name__} ({problem}). With 2-D input each row is one channel, so "
            f"n_features = {inputs.input_n_times} is the number of samples.",
            field="X",
            value=inputs.data.shape,
            fix=fix,
        )

    def _maybe_flatten(self, out: np.ndarray) -> np.ndarray:
        """``(n_epochs, n_features_out_)`` if ``self.flatten``, else ``out`` unchanged."""
        return out.reshape(out.shape[0], -1) if self.flatten else out

    def _check_length(self, inputs: EpochsInput) -> None:
        """Raise unless the epochs have the length seen at fit (fixed-size outputs)."""
        if inputs.input_n_times != self.n_times_in_:
            raise ModelInputError(
                f"X has epochs of {inputs.input_n_times} samples but {type(self).__name__} "
                f"was fitted on epochs of {self.n_times_in_} samples.",
                field="X",
                value=inputs.data.shape,
                fix="Transform epochs of the length used at fit (the number of features "
                "depends on it).",
            )


def _diff_names(expected, got):
    missing = [n for n in expected if n not in set(got)]
    extra = [n for n in got if n not in set(expected)]
    if not missing and not extra:
        return "same channels, other order"
    return {"missing": missing[:10], "unexpected": extra[:10]}
