"""Frozen self-supervised encoders as sklearn transformers: BrainBERT and BaRISTA embeddings.

:class:`BrainBERTEmbedder` and :class:`BaristaEmbedder` turn epoched iEEG
(:class:`mne.Epochs` or arrays ``(n_epochs, n_channels, n_times)`` with
``sfreq``, see :mod:`ieegrep.decoding.inputs`) into fixed-size embeddings for a
linear decoder, inside an sklearn :class:`~sklearn.pipeline.Pipeline`::

    make_pipeline(BrainBERTEmbedder("model.pt"), StandardScaler(), LogisticRegression())

The encoder is *frozen*: ``fit`` loads it (from ``checkpoint``, or copies the
in-memory ``model``) and checks the input; it never trains. Both follow the
sklearn contract: constructor arguments are stored as given and never
modified (an in-memory ``model`` is deep-copied at ``fit``, put in eval mode
and moved to ``device`` as ``encoder_``), so :func:`~sklearn.base.clone`,
:class:`~sklearn.model_selection.GridSearchCV` and pickling work (the fitted
encoder's weights travel with the pickle).

BrainBERT (per channel)
    resample to the model's 2048 Hz → BrainBERT's STFT per channel
    (:func:`~ieegrep.preprocessing.stft_spectrogram`: 400-sample Hann window,
    50-sample hop, per-frequency z-score, 10 frames trimmed each side) →
    :meth:`~ieegrep.models.brainbert.BrainBERT.encode` → pool the frames of
    each channel: ``"center"`` (the paper: mean of the 10 centre frames),
    ``"mean"`` (all frames) or ``"frames"`` (no pooling) → flatten channels
    (``(n_epochs, n_channels * d_model)``) or keep them.
BaRISTA (all channels jointly)
    resample to the model's rate → keep whole 250 ms patches → z-score each
    channel within the epoch (:func:`~ieegrep.preprocessing.zscore_segments`)
    → :meth:`~ieegrep.models.barista.Barista.encode` with each channel's
    spatial index at the model's scale → pool the tokens: per channel over
    patches (``"channel"``), over everything (``"mean"``) or none
    (``"tokens"``).

BaRISTA needs to know where the channels are. In order of precedence, the
spatial index comes from ``regions`` (per-channel labels, or an electrode table
such as :attr:`ieegrep.bids.Recording.electrodes` with ``name``, ``region`` and
``mni152_x/y/z`` columns), ``coords_mm`` (template positions in mm), or the
channel positions of the Epochs' montage (or of ``chs_info``), which MNE
stores in metres and are read as coordinates in ``space``. Positions go
through the bundled Destrieux atlas (parcel scale), the lobe rules (lobe
scale) or the 1 mm grid (channel scale), see
:func:`ieegrep.preprocessing.region_tokens`.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
import pandas as pd
import torch

from ..exceptions import InvalidParameterError, ModelInputError
from ..models.barista import Barista
from ..models.brainbert import BrainBERT
from ..preprocessing import stft_spectrogram, zscore_segments
from ..preprocessing.tokens import _SCALE_ALIASES
from ..verbosity import logger
from .inputs import EpochsTransformer, _check_bool

__all__ = ["BrainBERTEmbedder", "BaristaEmbedder"]

_BRAINBERT_POOLING = ("center", "mean", "frames")
_BARISTA_POOLING = ("channel", "mean", "tokens")
_MISSING = ("raise", "ignore")


# ------------------------------------------------------------------------------------------
# shared checks
# ------------------------------------------------------------------------------------------


def _check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise InvalidParameterError(
            f"Unknown {name}.",
            field=name,
            value=value,
            fix=f"Use one of {', '.join(repr(c) for c in choices)}.",
        )
    return value


def _check_positive_int(value, name, example):
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < 1:
        raise InvalidParameterError(
            f"{name} must be a positive integer.",
            field=name,
            value=value,
            fix=f"Pass e.g. {name}={example}.",
        )
    return int(value)


def _check_device(device):
    try:
        found = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidParameterError(
            "device is not a torch device.",
            field="device",
            value=device,
            fix='Pass device="cpu" or device="cuda".',
        ) from None
    if found.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(
            "CUDA was asked for but is not available.",
            field="device",
            value=str(device),
            fix='Pass device="cpu", or install a CUDA build of PyTorch on a GPU machine.',
        )
    return found


def _load_encoder(estimator, model_class, name):
    """Return a frozen, private copy of the encoder: from ``model`` or ``checkpoint``."""
    checkpoint, model = estimator.checkpoint, estimator.model
    if checkpoint is not None and model is not None:
        raise InvalidParameterError(
            "Give either a checkpoint or an in-memory model, not both.",
            field="checkpoint, model",
            value=(str(checkpoint), type(model).__name__),
            fix="Leave one of them None.",
        )
    if model is not None:
        if not isinstance(model, model_class):
            raise InvalidParameterError(
                f"model must be a {model_class.__name__} instance.",
                field="model",
                value=type(model).__name__,
                fix=f"Pass ieegrep.models.{model_class.__module__.rsplit('.', 1)[-1]}."
                f"{model_class.__name__}(...), or checkpoint=<path>.",
            )
        # the parameter stays untouched (sklearn contract): eval(), .to() act on a copy
        encoder = copy.deepcopy(model)
        sha = getattr(model, "checkpoint_sha256_", None)
    elif checkpoint is not None:
        encoder = model_class.from_pretrained(checkpoint)
        sha = getattr(encoder, "checkpoint_sha256_", None)
    else:
        raise InvalidParameterError(
            f"{name} needs an encoder: a checkpoint path or an in-memory model.",
            field="checkpoint",
            value=None,
            fix=f"Pass {name}('model.pt') (an ieegrep checkpoint"
            + (" or BrainBERT's official .pth" if model_class is BrainBERT else "")
            + f"), or {name}(model=...).",
        )
    encoder = encoder.to(_check_device(estimator.device)).eval()
    for parameter in encoder.parameters():
        parameter.requires_grad_(False)
    return encoder, sha


def _encode_in_batches(encoder, data, batch_size, forward, *, bfloat16=False):
    """Run ``forward`` on ``data`` in batches on the encoder's device; float32 NumPy out."""
    device = next(encoder.parameters()).device
    autocast = torch.autocast(device.type, dtype=torch.bfloat16, enabled=bfloat16)
    out = []
    with torch.inference_mode(), autocast:
        for start in range(0, data.shape[0], batch_size):
            batch = torch.from_numpy(np.ascontiguousarray(data[start : start + batch_size]))
            out.append(forward(batch.to(device)).float().cpu().numpy())
    return np.concatenate(out, axis=0)


class _EncoderTransformer(EpochsTransformer):
    """Common parts: the encoder as fitted state, tags and pickling to CPU."""

    def _requires_sfreq(self) -> bool:
        return True

    def __getstate__(self):
        state = super().__getstate__()
        encoder = state.get("encoder_")
        if encoder is not None and next(encoder.parameters()).device.type != "cpu":
            # a pickle must load on machines without the fitting GPU
            state["encoder_"] = copy.deepcopy(encoder).cpu()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        encoder = self.__dict__.get("encoder_")
        if encoder is not None:
            device = torch.device("cpu")
            try:
                device = _check_device(self.device)
            except InvalidParameterError:
                logger.info("Unpickled embedder: %s is not available, encoder kept on CPU.",
                            self.device)  # fmt: skip
            self.encoder_ = encoder.to(device)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags


# ------------------------------------------------------------------------------------------
# BrainBERT
# ------------------------------------------------------------------------------------------


class BrainBERTEmbedder(_EncoderTransformer):
    """BrainBERT embeddings of every channel of epoched iEEG (frozen encoder).

    Parameters
    ----------
    checkpoint : path-like | None, default=None
        An ieegrep BrainBERT checkpoint (``model.pt`` of
        :func:`ieegrep.training.pretrain`) or BrainBERT's official ``.pth``,
        loaded with :meth:`BrainBERT.from_pretrained` at ``fit``.
    model : BrainBERT | None, default=None
        An in-memory encoder instead of ``checkpoint`` (tests, demos, a random
        initialisation as control). It is deep-copied at ``fit``, never
        modified.
    sfreq : float | None, default=None
        Sampling rate of array input, Hz (Epochs carry their own).
    target_sfreq : float | None, default=2048.0
        Rate the spectrogram is computed at, Hz (BrainBERT's 2048 Hz). None
        keeps the input rate.
    pooling : ``"center"`` | ``"mean"`` | ``"frames"``, default="center"
        Per channel: mean of the ``n_center`` frames around the centre of the
        epoch (the paper's embedding), mean of all frames, or every frame.
    n_center : int, default=10
        Frames averaged by ``"center"`` pooling (10 frames = 0.24 s at 2048 Hz).
    flatten : bool, default=True
        True: ``(n_epochs, n_features_out_)``; False: ``(n_epochs, n_channels,
        d_model)`` (``(n_epochs, n_channels, n_frames, d_model)`` for
        ``"frames"``).
    window_duration, hop_duration : float | None, default=None
        STFT window and hop in seconds (None: BrainBERT's ``400 / 2048`` s and
        ``50 / 2048`` s). Change them only for a model trained so.
    trim_frames : int | None, default=None
        Frames dropped at each end of the spectrogram (None: 10, BrainBERT's).
    chs_info : list of dict | list of str | None, default=None
        Channel descriptions of array input (names are kept in ``ch_names_``).
    device : str, default="cpu"
        Torch device of the encoder (``"cpu"``, ``"cuda"``, ``"cuda:1"``).
    batch_size : int, default=256
        Spectrograms (channel epochs) encoded per forward pass.
    precision : {"float32", "bfloat16"}, default="float32"
        Arithmetic of the encoder's forward pass. ``"bfloat16"`` runs it under
        :func:`torch.autocast` (bf16 matrix products, float32 accumulation): on
        CPUs with AVX512-BF16/AMX or on GPUs about twice as fast
        (``benchmarks/bench_models.py``), with embeddings that differ by about
        1e-2 (cosine similarity > 0.9999); ``"float32"`` reproduces the reference.

    Attributes
    ----------
    encoder_ : BrainBERT
        The frozen encoder (eval mode, on ``device``).
    checkpoint_sha256_ : str | None
        SHA-256 of the checkpoint the weights come from.
    n_channels_in_, n_times_in_ : int
        Channels and samples per epoch at fit (before resampling).
    sfreq_in_, sfreq_ : float
        Input rate and the spectrogram's rate, Hz.
    ch_names_ : list of str | None
        Channel names (Epochs or ``chs_info``).
    n_frames_ : int
        Spectrogram frames per epoch.
    output_shape_ : tuple of int
        Shape of one epoch's embedding before flattening.
    n_features_out_ : int
        Number of output features when flattened.

    See Also
    --------
    BaristaEmbedder : joint spatio-temporal embeddings.
    ieegrep.decoding.SpectrogramTransformer : the spectrogram alone.

    Notes
    -----
    Channels are encoded independently (BrainBERT is a single-electrode
    model). With ``"center"`` pooling the last layer is evaluated only at the
    pooled frames (:meth:`BrainBERT.embed`), which gives the same numbers.
    Output is float32.

    Examples
    --------
    >>> import numpy as np
    >>> from ieegrep.models.brainbert import BrainBERT
    >>> model = BrainBERT(d_model=16, n_layers=1, n_heads=2, d_ff=32)
    >>> X = np.random.default_rng(0).standard_normal((4, 3, 2048))
    >>> BrainBERTEmbedder(model=model, sfreq=1024.0).fit_transform(X).shape
    (4, 48)
    """

    def __init__(
        self,
        checkpoint=None,
        *,
        model=None,
        sfreq=None,
        target_sfreq=2048.0,
        pooling="center",
        n_center=10,
        flatten=True,
        window_duration=None,
        hop_duration=None,
        trim_frames=None,
        chs_info=None,
        device="cpu",
        batch_size=256,
        precision="float32",
    ):
        self.checkpoint = checkpoint
        self.model = model
        self.sfreq = sfreq
        self.target_sfreq = target_sfreq
        self.pooling = pooling
        self.n_center = n_center
        self.flatten = flatten
        self.window_duration = window_duration
        self.hop_duration = hop_duration
        self.trim_frames = trim_frames
        self.chs_info = chs_info
        self.device = device
        self.batch_size = batch_size
        self.precision = precision

    def _check_params(self):
        _check_choice(self.pooling, "pooling", _BRAINBERT_POOLING)
        _check_choice(self.precision, "precision", ("float32", "bfloat16"))
        _check_positive_int(self.n_center, "n_center", 10)
        _check_bool(self.flatten, "flatten")
        _check_positive_int(self.batch_size, "batch_size", 256)
        _check_device(self.device)

    def _stft_kwargs(self, n_freqs):
        kwargs = {"n_freqs": n_freqs, "normalize": "zscore"}
        for name in ("window_duration", "hop_duration", "trim_frames"):
            if getattr(self, name) is not None:
                kwargs[name] = getattr(self, name)
        return kwargs

    def _spectrogram(self, inputs):
        n_freqs = self.encoder_.config["n_freqs"]
        try:
            return stft_spectrogram(inputs.data, inputs.sfreq, **self._stft_kwargs(n_freqs))
        except InvalidParameterError as err:
            if err.field not in ("data", "n_freqs"):
                raise
            self._too_short(inputs, err.problem, err.fix)

    def fit(self, X, y=None):
        """Load the encoder and check the input.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Training epochs (only their shape, rate and channels are used).
        y : None, default None
            Ignored.

        Returns
        -------
        self : BrainBERTEmbedder
            The fitted embedder.
        """
        self._check_params()
        encoder, sha = _load_encoder(self, BrainBERT, "BrainBERTEmbedder")
        inputs = self._fit_input(X)
        self.encoder_ = encoder
        self.checkpoint_sha256_ = sha
        first = type(inputs)(**{**inputs.__dict__, "data": inputs.data[:1, :1]})
        n_frames = self._spectrogram(first).shape[-2]
        if n_frames > encoder.config["max_len"]:
            raise ModelInputError(
                f"Epochs give {n_frames} spectrogram frames, more than the model's "
                f"{encoder.config['max_len']}.",
                field="X",
                value=inputs.data.shape,
                fix="Use shorter epochs.",
            )
        if self.pooling == "center" and n_frames < self.n_center:
            self._too_short(
                inputs,
                f"{n_frames} frame(s) after trimming, fewer than n_center={self.n_center}",
                "Use longer epochs (about 0.5 s more than n_center frames), or a smaller n_center.",
            )
        d_model = encoder.config["d_model"]
        self.n_frames_ = int(n_frames)
        if self.pooling == "frames":
            self.output_shape_ = (inputs.n_channels, self.n_frames_, d_model)
        else:
            self.output_shape_ = (inputs.n_channels, d_model)
        self.n_features_out_ = int(np.prod(self.output_shape_))
        return self

    def transform(self, X):
        """Embed every channel of every epoch.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Epochs with the channels, rate and length used at fit.

        Returns
        -------
        embeddings : ndarray of float32, shape ``(n_epochs, n_features_out_)`` or ``(n_epochs, *output_shape_)``
            Flattened in C order (channel, then [frame], then feature) if
            ``flatten``.
        """
        inputs = self._transform_input(X)
        spec = self._spectrogram(inputs)
        n_epochs, n_channels, n_frames, n_freqs = spec.shape
        flat = spec.reshape(n_epochs * n_channels, n_frames, n_freqs)
        encoder = self.encoder_

        def forward(batch):
            if self.pooling == "frames":
                return encoder.encode(batch)
            return encoder.embed(batch, pool=self.pooling, n_center=self.n_center)

        embeddings = _encode_in_batches(
            encoder, flat, self.batch_size, forward, bfloat16=self.precision == "bfloat16"
        )
        return self._maybe_flatten(embeddings.reshape(n_epochs, *self.output_shape_))


# ------------------------------------------------------------------------------------------
# BaRISTA
# ------------------------------------------------------------------------------------------


class BaristaEmbedder(_EncoderTransformer):
    """BaRISTA embeddings of epoched iEEG, with each channel's spatial index (frozen encoder).

    Parameters
    ----------
    checkpoint : path-like | None, default=None
        An ieegrep BaRISTA checkpoint (``model.pt`` of pretraining), or the
        authors' released weights, loaded with :meth:`Barista.from_pretrained`.
    model : Barista | None, default=None
        An in-memory encoder instead of ``checkpoint`` (deep-copied at ``fit``).
    scale : ``"channel"`` | ``"parcel"`` | ``"lobe"`` | None, default=None
        Spatial scale expected of the encoder. The scale is a property of the
        trained spatial table, so it is checked, not changed: a different
        scale raises (catches a wrong checkpoint in a grid search). None
        accepts the encoder's.
    sfreq : float | None, default=None
        Sampling rate of array input, Hz (Epochs carry their own). Epochs are
        resampled to the encoder's rate (2048 Hz for the published model).
    pooling : ``"channel"`` | ``"mean"`` | ``"tokens"``, default="channel"
        ``"channel"``: mean over the patches of each channel
        (``(n_channels, d_model)`` per epoch); ``"mean"``: mean over every
        token (``(d_model,)``, independent of the channel count); ``"tokens"``:
        no pooling (``(n_channels, n_patches, d_model)``).
    flatten : bool, default=True
        Flatten each epoch's embedding to one row.
    chs_info : list of dict | list of str | None, default=None
        Channel descriptions of array input: names, and positions in the
        ``loc`` field (metres, as MNE stores them).
    regions : list of str | pandas.DataFrame | None, default=None
        Where the channels are. A list: one label per channel, in channel
        order: Destrieux labels at the parcel scale, labels of any atlas (or
        lobes such as ``"Left-temporal"``) at the lobe scale. A table: an
        electrode table with a ``name`` column (e.g.
        :attr:`ieegrep.bids.Recording.electrodes`), matched to the channel
        names; its ``region``/``lobe``/``mni152_x/y/z`` columns are used.
    coords_mm : array-like, shape (n_channels, 3) | None, default=None
        Channel positions in mm in ``space`` (NaN rows where unknown), used
        when ``regions`` is None (and always at the channel scale when given).
    space : str, default="MNI152"
        Template space of ``coords_mm`` and of the Epochs'/``chs_info``
        positions (``"MNI152"``, ``"MNI305"``/``"fsaverage"``, ...).
    missing_positions : ``"raise"`` | ``"ignore"``, default="raise"
        What to do when no channel has a known place (every spatial index is
        "Unknown"/no position): raise, or go on without spatial embedding
        (e.g. for datasets without positions, or sklearn's generic checks).
    device : str, default="cpu"
        Torch device of the encoder.
    batch_size : int, default=16
        Epochs encoded per forward pass (all their channels attend jointly).

    Attributes
    ----------
    encoder_ : Barista
        The frozen encoder.
    checkpoint_sha256_ : str | None
        SHA-256 of its checkpoint.
    scale_ : str
        The encoder's spatial scale.
    spatial_index_ : ndarray of int64, shape (n_channels,) or (n_channels, 3)
        Vocabulary row (parcel, lobe) or grid coordinates (channel) of each
        channel.
    region_labels_ : list of str
        Each channel's label at the encoder's scale (``"Unknown"`` when not
        found; ``"L,I,P"`` at the channel scale).
    n_unknown_ : int
        Channels without a spatial index.
    n_patches_ : int
        Patches per epoch (the epoch is cut to whole patches).
    n_channels_in_, n_times_in_, sfreq_in_, sfreq_, ch_names_
        As for every ieegrep transformer.
    output_shape_ : tuple of int
        Shape of one epoch's embedding before flattening.
    n_features_out_ : int
        Number of output features when flattened.

    Notes
    -----
    Samples after the last whole patch (250 ms) of each epoch are dropped.
    Each channel is z-scored within each epoch, as the model was trained.
    Output is float32.

    Examples
    --------
    >>> import numpy as np
    >>> from ieegrep.models.barista import Barista
    >>> model = Barista.from_preset("tiny", scale="parcel")
    >>> X = np.random.default_rng(0).standard_normal((2, 2, 2048))
    >>> emb = BaristaEmbedder(model=model, sfreq=2048.0,
    ...                       regions=["ctx_lh_G_temp_sup-Lateral", "Left-Hippocampus"])
    >>> emb.fit_transform(X).shape
    (2, 64)
    """

    def __init__(
        self,
        checkpoint=None,
        *,
        model=None,
        scale=None,
        sfreq=None,
        pooling="channel",
        flatten=True,
        chs_info=None,
        regions=None,
        coords_mm=None,
        space="MNI152",
        missing_positions="raise",
        device="cpu",
        batch_size=16,
    ):
        self.checkpoint = checkpoint
        self.model = model
        self.scale = scale
        self.sfreq = sfreq
        self.pooling = pooling
        self.flatten = flatten
        self.chs_info = chs_info
        self.regions = regions
        self.coords_mm = coords_mm
        self.space = space
        self.missing_positions = missing_positions
        self.device = device
        self.batch_size = batch_size

    # the rate comes from the encoder, known once fit has loaded it
    def _target_sfreq(self):
        return self._model_sfreq

    def _check_params(self):
        _check_choice(self.pooling, "pooling", _BARISTA_POOLING)
        _check_choice(self.missing_positions, "missing_positions", _MISSING)
        _check_bool(self.flatten, "flatten")
        _check_positive_int(self.batch_size, "batch_size", 16)
        _check_device(self.device)
        if self.scale is not None and _SCALE_ALIASES.get(str(self.scale).lower()) is None:
            raise InvalidParameterError(
                "Unknown spatial scale.",
                field="scale",
                value=self.scale,
                fix="Use 'channel', 'parcel', 'lobe', or None (the encoder's).",
            )

    def fit(self, X, y=None):
        """Load the encoder, check the input and find every channel's spatial index.

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Training epochs (only their shape, rate, channels and positions are
            used).
        y : None, default None
            Ignored.

        Returns
        -------
        self : BaristaEmbedder
            The fitted embedder.
        """
        self._check_params()
        encoder, sha = _load_encoder(self, Barista, "BaristaEmbedder")
        if self.scale is not None and _SCALE_ALIASES[str(self.scale).lower()] != encoder.scale:
            raise InvalidParameterError(
                f"The encoder was trained at the {encoder.scale} scale, not {self.scale!r}.",
                field="scale",
                value=self.scale,
                fix=f"Pass scale={encoder.scale!r} (or None), or a checkpoint trained at the "
                f"{self.scale} scale.",
            )
        self._model_sfreq = float(encoder.config["sfreq"])
        inputs = self._fit_input(X)
        patch = encoder.patch_samples
        n_patches = inputs.n_times // patch
        if n_patches < 1:
            self._too_short(
                inputs,
                f"shorter than one patch of {patch} samples",
                f"Use epochs of at least {patch / self._model_sfreq:g} s.",
            )
        if n_patches > encoder.config["max_position"]:
            raise ModelInputError(
                f"Epochs hold {n_patches} patches, more than the model's "
                f"{encoder.config['max_position']}.",
                field="X",
                value=inputs.data.shape,
                fix="Use shorter epochs.",
            )
        index, labels = self._spatial_index(encoder, inputs)
        self.encoder_ = encoder
        self.checkpoint_sha256_ = sha
        self.scale_ = encoder.scale
        self.spatial_index_ = index
        self.region_labels_ = labels
        self.n_unknown_ = int(sum(label == "Unknown" for label in labels))
        self.n_patches_ = int(n_patches)
        d_model = encoder.d_model
        self.output_shape_ = {
            "channel": (inputs.n_channels, d_model),
            "mean": (d_model,),
            "tokens": (inputs.n_channels, self.n_patches_, d_model),
        }[self.pooling]
        self.n_features_out_ = int(np.prod(self.output_shape_))
        return self

    def _spatial_index(self, encoder, inputs):
        """Spatial index and label of every channel at the encoder's scale."""
        n_channels = inputs.n_channels
        names = inputs.ch_names or [f"ch{i}" for i in range(n_channels)]
        kwargs = {}
        if isinstance(self.regions, pd.DataFrame):
            table = self.regions
            if "name" not in table.columns:
                raise InvalidParameterError(
                    "The electrode table given as regions has no 'name' column.",
                    field="regions",
                    value=list(table.columns)[:10],
                    fix="Pass Recording.electrodes, or a list of one label per channel.",
                )
            missing = [n for n in names if n not in set(table["name"].astype(str))]
            if missing:
                raise InvalidParameterError(
                    "Channels of X are not in the electrode table given as regions.",
                    field="regions",
                    value=missing[:10],
                    fix="Pass the electrode table of the recording the epochs come from "
                    "(after re-referencing: the re-referenced Recording's electrodes).",
                )
            tokens = encoder.region_tokens(table, picks=names)
        else:
            coords = self.coords_mm
            if coords is None and inputs.ch_pos is not None:
                coords = inputs.ch_pos * 1000.0  # MNE stores metres
            if coords is not None:
                coords = np.asarray(coords, dtype=float)
                if coords.shape != (n_channels, 3):
                    raise InvalidParameterError(
                        f"coords_mm must have shape ({n_channels}, 3), one row per channel.",
                        field="coords_mm",
                        value=coords.shape,
                        fix="Give x, y, z in mm for every channel of X, in channel order "
                        "(NaN rows where unknown).",
                    )
                kwargs["coords_mm"] = coords
                kwargs["space"] = self.space
            if self.regions is not None:
                labels = list(np.asarray(self.regions, dtype=object).reshape(-1))
                if len(labels) != n_channels:
                    raise InvalidParameterError(
                        f"regions has {len(labels)} labels for {n_channels} channels.",
                        field="regions",
                        value=len(labels),
                        fix="Give one label per channel of X, in channel order.",
                    )
                kwargs["parcels" if encoder.scale == "parcel" else "regions"] = labels
            if not kwargs:
                kwargs["regions"] = [None] * n_channels
            tokens = encoder.region_tokens(None, names=names, **kwargs)
        index = np.asarray(tokens.spatial_index[encoder.scale], dtype=np.int64)
        labels = [str(v) for v in tokens.labels[encoder.scale]]
        if encoder.scale == "channel":
            unknown = (index < 0).all(axis=-1)
            labels = ["Unknown" if u else lab for u, lab in zip(unknown, labels)]
        else:
            unknown = index == 0
        if unknown.all() and self.missing_positions == "raise":
            raise ModelInputError(
                f"No channel has a known place at the {encoder.scale} scale, so BaRISTA's "
                "spatial embedding would be empty.",
                field="regions",
                value=names[:10],
                fix="Give Epochs with a montage, coords_mm=, regions= (labels or the "
                "Recording's electrode table), or missing_positions='ignore' to embed "
                "without spatial information.",
            )
        if unknown.any():
            logger.info(
                "BaristaEmbedder: %d of %d channel(s) without a place at the %s scale",
                int(unknown.sum()),
                n_channels,
                encoder.scale,
            )
        return index, labels

    def transform(self, X):
        """Embed every epoch (all channels jointly).

        Parameters
        ----------
        X : mne.Epochs | array-like, shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
            Epochs with the channels, rate and length used at fit.

        Returns
        -------
        embeddings : ndarray of float32, shape ``(n_epochs, n_features_out_)`` or ``(n_epochs, *output_shape_)``
            Flattened in C order if ``flatten``.
        """
        inputs = self._transform_input(X)
        encoder = self.encoder_
        n_patches, n_channels = self.n_patches_, inputs.n_channels
        usable = n_patches * encoder.patch_samples
        data = zscore_segments(inputs.data[..., :usable]).astype(np.float32)
        index = torch.as_tensor(self.spatial_index_, device=next(encoder.parameters()).device)

        def forward(x):
            hidden = encoder.encode(x, index.expand(x.shape[0], *index.shape))
            hidden = hidden.reshape(x.shape[0], n_patches, n_channels, -1)
            if self.pooling == "channel":
                return hidden.mean(dim=1)
            if self.pooling == "mean":
                return hidden.mean(dim=(1, 2))
            return hidden.transpose(1, 2)

        return self._maybe_flatten(_encode_in_batches(encoder, data, self.batch_size, forward))
