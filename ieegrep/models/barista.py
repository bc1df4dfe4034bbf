"""BaRISTA: a spatiotemporal encoder of intracranial EEG with multi-scale spatial embeddings.

A clean-room implementation of the encoder of Oganesian, Hashemi & Shanechi,
"Brain Scale Informed Spatiotemporal Representation of Human Intracranial
Neural Activity" (NeurIPS 2025), written from ieegrep's technical digest and
checked against numbers produced by the authors' model classes
(``barista_reference.npz``). None of their code is used.

Architecture
------------
* **Tokenizer.** Each channel's segment is cut into non-overlapping 250 ms
  patches (512 samples at 2048 Hz). Every patch goes, alone, through a dilated
  residual 1-D CNN (``cnn_depth + 1`` blocks of width ``cnn_hidden``, the last
  of width 1, kernel 3, dilation ``2**i``; each convolution followed by a
  parameter-free layer norm over time and an exact GELU), then a bias-free
  ``Linear(patch_samples, d_model)`` makes it one token.
* **Spatial embedding.** A learned vector per channel, at one *scale*:
  ``"channel"`` sums rows of three 200-row tables indexed by the channel's
  integer ``(L, I, P)`` grid coordinates; ``"parcel"`` and ``"lobe"`` take one
  row of a table indexed by a :class:`~ieegrep.preprocessing.vocabulary.SpatialVocabulary`
  row (row 0, ``"Unknown"``, is held at zero). It is added to every token of
  the channel.
* **Transformer.** Pre-norm layers (RMSNorm, eps 1e-8) with rotary position
  embeddings on the *patch index* only (all channels of a patch share it), one
  joint attention over all ``n_patches * n_channels`` tokens of a segment, and a
  gated-GELU MLP ``down(GELU(gate(x)) * up(x))``; a final RMSNorm.

Tokens are time-major, as in :mod:`ieegrep.preprocessing.tokens`: token
``n = t * C + c`` is patch ``t`` of channel ``c``. Segments with different
channel counts share a batch by padding channels and passing ``channel_mask``;
padded channels are never attended to, and their outputs are zero.

The parameter names equal those of the authors' released checkpoints, so those
weights load with strict name and shape matching (:meth:`Barista.from_pretrained`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..exceptions import CheckpointError, InvalidParameterError, ModelInputError
from ..preprocessing.tokens import _SCALE_ALIASES
from ..preprocessing.tokens import patch_samples as _patch_samples
from ..preprocessing.vocabulary import GRID_SIZE, MISSING_GRID_INDEX, SpatialVocabulary
from ..verbosity import logger, verbose
from .checkpoints import (
    Checkpoint,
    PretrainedModel,
    read_checkpoint,
)

__all__ = ["Barista", "BARISTA_PRESETS", "AUTHORS_LICENCE", "authors_vocabulary"]


#: Architecture presets. ``"barista"`` is the authors' published model (about
#: 0.84-0.87 M parameters); ``"small"`` keeps its width with 2 layers, for CPU
#: pretraining runs of minutes; ``"tiny"`` is for quick CPU tests.
BARISTA_PRESETS = {
    "barista": {
        "d_model": 64,
        "n_layers": 12,
        "n_heads": 4,
        "mlp_ratio": 4,
        "dropout": 0.1,
        "cnn_hidden": 5,
        "cnn_depth": 4,
    },
    "small": {
        "d_model": 64,
        "n_layers": 2,
        "n_heads": 4,
        "mlp_ratio": 2,
        "dropout": 0.0,
        "cnn_hidden": 4,
        "cnn_depth": 2,
    },
    "tiny": {
        "d_model": 32,
        "n_layers": 2,
        "n_heads": 2,
        "mlp_ratio": 2,
        "dropout": 0.0,
        "cnn_hidden": 4,
        "cnn_depth": 2,
    },
}

#: Shown whenever the authors' released weights are loaded.
AUTHORS_LICENCE = (
    "These are the BaRISTA authors' released weights (ShanechiLab/BaRISTA). They are under "
    "the University of Southern California academic/non-commercial licence: research and "
    "non-commercial use only; commercial use needs a licence from USC Stevens. ieegrep does "
    "not bundle or re-host them. They were pretrained on Brain Treebank sessions that are "
    "Neuroprobe evaluation sessions, so they cannot be used for Neuroprobe submissions."
)

# rows 11 and 12 of the authors' lobe table are reserved for occipital lobes that
# their data never had: untrained, so channels there are sent to Unknown instead
_RESERVED_LOBE_ROWS = {11: "RESERVED_OCCIPITAL_LEFT", 12: "RESERVED_OCCIPITAL_RIGHT"}


def _scale_name(scale) -> str:
    key = _SCALE_ALIASES.get(str(scale).lower()) if isinstance(scale, str) else None
    if key is None:
        raise InvalidParameterError(
            "Unknown spatial scale.",
            field="scale",
            value=scale,
            fix="Use 'channel' (L/I/P grid coordinates), 'parcel' (Destrieux) or 'lobe'.",
        )
    return key


# ------------------------------------------------------------------ vocabularies
def authors_vocabulary(source, scale: str) -> SpatialVocabulary:
    """Build the vocabulary of the BaRISTA authors' released embedding tables.

    Parameters
    ----------
    source : path-like | dict
        ``barista_vocabulary.json`` (the path, or its parsed content), which
        lists the row of each region label in the released tables. ieegrep
        does not bundle it.
    scale : ``"parcel"`` | ``"lobe"``
        Which table (``"destrieux"``/``"lobes"`` are accepted).

    Returns
    -------
    vocabulary : SpatialVocabulary
        121 rows (parcel) or 21 rows (lobe), row 0 ``"Unknown"``. Labels match
        after :func:`~ieegrep.preprocessing.vocabulary.normalise_label`, so
        FreeSurfer spellings work. The lobe vocabulary also accepts every
        Desikan-Killiany label the authors mapped (as aliases) and, through the
        lobe rule, region labels of other atlases. Its rows 11 and 12
        (occipital, never trained by the authors) are renamed
        ``RESERVED_OCCIPITAL_*`` so no channel lands on them: occipital
        channels get row 0.
    """
    scale = _scale_name(scale)
    if scale == "channel":
        raise InvalidParameterError(
            "The channel scale has no label vocabulary: it is indexed by grid coordinates.",
            field="scale",
            value=scale,
            fix="Use ieegrep.preprocessing.vocabulary.grid_coordinates for the channel scale.",
        )
    where = None
    if isinstance(source, dict):
        data = source
    else:
        where = Path(source)
        if not where.is_file():
            raise InvalidParameterError(
                "The BaRISTA vocabulary file does not exist.",
                field="vocabulary",
                value=str(source),
                fix="Pass the path of barista_vocabulary.json (ieegrep does not bundle it).",
            )
        try:
            data = json.loads(where.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise InvalidParameterError(
                f"The BaRISTA vocabulary file is not valid JSON ({error}).",
                field="vocabulary",
                value=str(where),
                fix="Pass the unmodified barista_vocabulary.json.",
            ) from None
    try:
        if scale == "parcel":
            table = data["parcel_scale_destrieux"]
            mapping = {str(k): int(v) for k, v in table["label_to_row"].items()}
            n_rows = int(table["table_rows"])
            rows = {row: label for label, row in mapping.items()}
            aliases = {}
        else:
            table = data["lobe_scale"]
            n_rows = int(table["table_rows"])
            rows = {int(k): str(v) for k, v in table["rows"].items()}
            rows.update(_RESERVED_LOBE_ROWS)
            aliases = {
                str(label): rows[int(row)]
                for label, row in table.get("desikan_killiany_label_to_row", {}).items()
                if int(row) not in (0, *_RESERVED_LOBE_ROWS)
            }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidParameterError(
            "The BaRISTA vocabulary does not have the expected layout.",
            file=where,
            field="parcel_scale_destrieux" if scale == "parcel" else "lobe_scale",
            value=f"{type(error).__name__}: {error}",
            fix="Pass the unmodified barista_vocabulary.json.",
        ) from None
    if sorted(rows) != list(range(n_rows)):
        raise InvalidParameterError(
            "The BaRISTA vocabulary does not give exactly one label per table row.",
            file=where,
            field="table_rows",
            value=n_rows,
            fix="Pass the unmodified barista_vocabulary.json.",
        )
    labels = [rows[i] for i in range(n_rows)]
    # drop aliases that are already row labels (identical after normalisation)
    vocab = SpatialVocabulary(labels, scale=scale, name=f"barista-authors:{scale}")
    aliases = {k: v for k, v in aliases.items() if k not in vocab}
    return SpatialVocabulary(labels, scale=scale, name=f"barista-authors:{scale}", aliases=aliases)


def _as_vocabulary(vocabulary, scale):
    if vocabulary is None:
        return None
    if isinstance(vocabulary, SpatialVocabulary):
        return vocabulary
    if isinstance(vocabulary, dict) and vocabulary.get("format") == "ieegrep.SpatialVocabulary":
        return SpatialVocabulary.from_dict(vocabulary)
    if isinstance(vocabulary, dict) and (
        "parcel_scale_destrieux" in vocabulary or "lobe_scale" in vocabulary
    ):
        return authors_vocabulary(vocabulary, scale)
    if isinstance(vocabulary, (str, Path)):
        text = Path(vocabulary).read_text(encoding="utf-8") if Path(vocabulary).is_file() else ""
        try:
            data = json.loads(text) if text else None
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            return _as_vocabulary(data, scale)
    raise InvalidParameterError(
        "vocabulary is not a SpatialVocabulary, its to_dict() form, or barista_vocabulary.json.",
        field="vocabulary",
        value=vocabulary if isinstance(vocabulary, (str, Path)) else type(vocabulary).__name__,
        fix="Pass SpatialVocabulary.parcels()/.lobes(), a stored vocabulary, or the path of "
        "the BaRISTA authors' barista_vocabulary.json.",
    )


# ------------------------------------------------------------------ tokenizer
class _CPUConv1d(torch.autograd.Function):
    """'Same'-padded dilated conv1d whose backward pass avoids PyTorch's CPU convolution backward.

    On CPU, with the tokenizer's handful of channels, ``F.conv1d`` runs forward in
    about 2 ms on a batch of 816 patches, but its backward takes about 40 ms.
    Here the input gradient is another ``F.conv1d`` (flipped, transposed weights)
    and the weight gradient one long matrix product per tap, over all
    patches at once: about 4x faster forward and backward together.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, dilation, padding):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        ctx.dilation, ctx.padding = dilation, padding
        return F.conv1d(x, weight, bias, padding=padding, dilation=dilation)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        dilation, padding = ctx.dilation, ctx.padding
        n, in_channels, length = x.shape
        out_channels, _, kernel = weight.shape
        grad_x = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            flipped = weight.transpose(0, 1).flip(-1)
            grad_x = F.conv1d(grad, flipped, padding=padding, dilation=dilation)
        if ctx.needs_input_grad[1]:
            # channels first, patches laid end to end with their padding: tap t of every
            # output sample is the input sample t * dilation further along the same row
            padded = length + 2 * padding
            flat_x = F.pad(x.transpose(0, 1), (padding, padding)).reshape(in_channels, -1)
            flat_grad = F.pad(grad.transpose(0, 1), (0, 2 * padding)).reshape(out_channels, -1)
            span = (n - 1) * padded + length
            head = flat_grad[:, :span]
            taps = [head @ flat_x[:, t * dilation : t * dilation + span].T for t in range(kernel)]
            grad_weight = torch.stack(taps, dim=-1)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_bias = grad.sum((0, 2))
        return grad_x, grad_weight, grad_bias, None, None


def _conv1d(x, weight, bias, dilation=1, padding=0):
    """``F.conv1d`` (stride 1); on CPU, 1x1 kernels as a product, others via :class:`_CPUConv1d`."""
    if x.device.type != "cpu":
        return F.conv1d(x, weight, bias, padding=padding, dilation=dilation)
    if weight.shape[-1] == 1:  # 1x1: CPU conv1d takes ~20 ms here, the product ~1 ms
        out = torch.einsum("oi,nil->nol", weight[:, :, 0], x)
        return out if bias is None else out + bias[None, :, None]
    return _CPUConv1d.apply(x, weight, bias, dilation, padding)


class _Conv(nn.Module):
    """A 'same'-padded dilated 1-D convolution stored as a (1, k) Conv2d (the authors' layout)."""

    def __init__(self, in_channels, out_channels, kernel_size, dilation):
        super().__init__()
        self.dilation = dilation
        self.padding = dilation * (kernel_size - 1) // 2
        self.conv = nn.Conv2d(
            in_channels,
            out_channels,
            (1, kernel_size),
            padding=(0, self.padding),
            dilation=(1, dilation),
        )

    def forward(self, x):  # (N, in, L) -> (N, out, L)
        weight = self.conv.weight.squeeze(2)
        return _conv1d(x, weight, self.conv.bias, self.dilation, self.padding)


class _ConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, dilation, final):
        super().__init__()
        self.conv1 = _Conv(in_channels, out_channels, kernel_size, dilation)
        self.conv2 = _Conv(out_channels, out_channels, kernel_size, dilation)
        self.projector = (
            nn.Conv2d(in_channels, out_channels, 1)
            if in_channels != out_channels or final
            else None
        )

    def forward(self, x):
        if self.projector is None:
            residual = x
        else:
            residual = _conv1d(x, self.projector.weight.squeeze(2), self.projector.bias)
        length = (x.shape[-1],)
        h = F.gelu(F.layer_norm(self.conv1(x), length, eps=1e-5))
        h = F.gelu(F.layer_norm(self.conv2(h), length, eps=1e-5))
        return h + residual


class _DilatedConvNet(nn.Module):
    def __init__(self, hidden, depth, kernel_size):
        super().__init__()
        widths = [1] + [hidden] * depth + [1]
        self.net = nn.ModuleList(
            _ConvBlock(widths[i], widths[i + 1], kernel_size, 2**i, final=i == depth)
            for i in range(depth + 1)
        )

    def forward(self, x):
        for block in self.net:
            x = block(x)
        return x


class _TemporalEncoder(nn.Module):
    def __init__(self, hidden, depth, kernel_size):
        super().__init__()
        self.feature_extractor = _DilatedConvNet(hidden, depth, kernel_size)

    def forward(self, patches):  # (N, L) -> (N, L)
        return self.feature_extractor(patches.unsqueeze(1)).squeeze(1)


class _Pooler(nn.Module):
    def __init__(self, patch_samples, d_model):
        super().__init__()
        self.final_layer = nn.Linear(patch_samples, d_model, bias=False)

    def forward(self, x):
        return self.final_layer(x)


class _SpatialEncoder(nn.Module):
    def __init__(self, n_tables, n_rows, d_model, padding_row, init_scale):
        super().__init__()
        self.padding_row = padding_row
        self.subcomponent_embeddings = nn.ModuleList(
            nn.Embedding(n_rows, d_model, padding_idx=padding_row) for _ in range(n_tables)
        )
        for table in self.subcomponent_embeddings:
            nn.init.normal_(table.weight, std=init_scale)
            if padding_row is not None:
                with torch.no_grad():
                    table.weight[padding_row].zero_()

    def forward(self, index, absent):
        """Embed ``index`` ``(B, C, k)``; rows flagged ``absent`` ``(B, C)`` get zeros."""
        safe = index.clamp(min=0).masked_fill(absent.unsqueeze(-1), 0)
        out = sum(table(safe[..., k]) for k, table in enumerate(self.subcomponent_embeddings))
        return out.masked_fill(absent.unsqueeze(-1), 0.0)


class _Tokenizer(nn.Module):
    def __init__(self, config):
        super().__init__()
        channel = config["scale"] == "channel"
        self.temporal_encoder = _TemporalEncoder(
            config["cnn_hidden"], config["cnn_depth"], config["cnn_kernel"]
        )
        self.temporal_pooler = _Pooler(config["patch_samples"], config["d_model"])
        self.spatial_encoder = _SpatialEncoder(
            3 if channel else 1,
            config["spatial_rows"],
            config["d_model"],
            None if channel else 0,
            config["embedding_init_scale"],
        )


# ------------------------------------------------------------------ transformer
class _RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return (self.weight * h).to(x.dtype)


class _Rotary(nn.Module):
    def __init__(self, head_dim, base):
        super().__init__()
        inv_freq = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer("inv_freq", inv_freq)

    def forward(self, positions):
        """Return cos and sin tables ``(S, head_dim)`` for integer positions ``(S,)``."""
        angle = positions.to(self.inv_freq.dtype)[:, None] * self.inv_freq[None, :]
        angle = torch.cat((angle, angle), dim=-1)
        return angle.cos(), angle.sin()


def _rotate_half(x):
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


class _Attention(nn.Module):
    def __init__(self, d_model, n_heads, base, dropout):
        super().__init__()
        self.n_heads = n_heads
        self.head_dim = d_model // n_heads
        self.qkv_proj = nn.Linear(d_model, 3 * d_model)
        self.o_proj = nn.Linear(d_model, d_model)
        self.rotary_emb = _Rotary(self.head_dim, base)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, cos, sin, attn_mask):
        batch, length, _ = x.shape
        qkv = self.qkv_proj(x).view(batch, length, 3, self.n_heads, self.head_dim)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # each (B, H, S, hd)
        cos, sin = cos.to(q.dtype), sin.to(q.dtype)
        q = q * cos + _rotate_half(q) * sin
        k = k * cos + _rotate_half(k) * sin
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        out = out.transpose(1, 2).reshape(batch, length, -1)
        return self.dropout(self.o_proj(out))


class _GatedMLP(nn.Module):
    def __init__(self, d_model, hidden, dropout):
        super().__init__()
        self.gate_proj = nn.Linear(d_model, hidden)
        self.up_proj = nn.Linear(d_model, hidden)
        self.down_proj = nn.Linear(hidden, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.dropout(self.down_proj(F.gelu(self.gate_proj(x)) * self.up_proj(x)))


class _Layer(nn.Module):
    def __init__(self, config):
        super().__init__()
        d = config["d_model"]
        self.norm1 = _RMSNorm(d, config["norm_eps"])
        self.attention = _Attention(d, config["n_heads"], config["rope_base"], config["dropout"])
        self.norm2 = _RMSNorm(d, config["norm_eps"])
        self.mlp = _GatedMLP(d, config["mlp_ratio"] * d, config["dropout"])

    def forward(self, x, positions, attn_mask=None):
        cos, sin = self.attention.rotary_emb(positions)
        x = x + self.attention(self.norm1(x), cos, sin, attn_mask)
        return x + self.mlp(self.norm2(x))


class _Backbone(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layers = nn.ModuleList(_Layer(config) for _ in range(config["n_layers"]))
        self.norm = _RMSNorm(config["d_model"], config["norm_eps"])

    def forward(self, x, positions, attn_mask=None):
        for layer in self.layers:
            x = layer(x, positions, attn_mask)
        return self.norm(x)


# ------------------------------------------------------------------ the model
def _check_int(name, value, low=1):
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= low
    if not ok:
        raise InvalidParameterError(
            f"{name} must be an integer >= {low}.",
            field=name,
            value=value,
            fix=f"Pass e.g. {name}={max(low, 1)}.",
        )
    return int(value)


def _check_float(name, value, *, positive=True, low_inclusive=None, high_exclusive=None):
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
    ok = ok and math.isfinite(float(value))
    if ok and positive:
        ok = float(value) > 0
    if ok and low_inclusive is not None:
        ok = low_inclusive <= float(value) < high_exclusive
    if not ok:
        raise InvalidParameterError(
            f"{name} has an invalid value.",
            field=name,
            value=value,
            fix=f"Pass a finite number{' > 0' if positive else ''}"
            + (f" in [{low_inclusive}, {high_exclusive})" if low_inclusive is not None else "")
            + ".",
        )
    return float(value)


class Barista(PretrainedModel, nn.Module):
    """BaRISTA encoder: dilated-CNN patch tokens, multi-scale spatial embeddings, joint attention.

    Parameters
    ----------
    scale : ``"channel"`` | ``"parcel"`` | ``"lobe"``
        Spatial encoding scale (the authors' ``"coords"``, ``"destrieux"``,
        ``"lobes"`` are accepted). Default ``"parcel"``.
    n_times : int
        Nominal segment length, samples (default 6144: 3 s at 2048 Hz). Any
        multiple of ``patch_samples`` up to ``max_position`` patches is accepted
        by :meth:`encode`.
    sfreq : float
        Sampling frequency the model expects, Hz (default 2048, the authors').
    patch_samples : int | None
        Samples per patch; default ``round(0.25 * sfreq)`` (512 at 2048 Hz).
    d_model : int
        Token width (default 64).
    n_layers : int
        Transformer layers (default 12).
    n_heads : int
        Attention heads; must divide ``d_model`` into an even head width (default 4).
    mlp_ratio : int
        Hidden width of the gated MLP over ``d_model`` (default 4).
    dropout : float
        Dropout on the attention and MLP outputs during training (default 0.1).
    norm_eps : float
        RMSNorm epsilon (default 1e-8).
    cnn_hidden : int
        Width of the tokenizer CNN (default 5).
    cnn_depth : int
        Blocks of width ``cnn_hidden``; one final block of width 1 follows
        (default 4: dilations 1, 2, 4, 8, 16).
    cnn_kernel : int
        Odd kernel size of the CNN (default 3).
    rope_base : float
        Rotary embedding base (default 10000).
    max_position : int
        Largest number of patches per segment (default 1024).
    embedding_init_scale : float
        Standard deviation of the spatial embeddings at initialisation (default 1).
    spatial_rows : int | None
        Rows of the spatial table(s). Default: 200 (``GRID_SIZE``) per table at
        the channel scale, ``len(vocabulary)`` otherwise.
    vocabulary : SpatialVocabulary | dict | path-like | None
        Parcel or lobe vocabulary whose rows index the table; default the open
        :meth:`SpatialVocabulary.parcels` (190 rows) or
        :meth:`SpatialVocabulary.lobes` (40 rows). A dict from
        :meth:`SpatialVocabulary.to_dict` or the authors'
        ``barista_vocabulary.json`` is accepted. ``None`` together with
        ``spatial_rows`` builds a table without labels. Unused at the channel
        scale.
    preset : ``"barista"`` | ``"small"`` | ``"tiny"`` | None
        Fill the architecture arguments left at None from :data:`BARISTA_PRESETS`
        (default ``"barista"``, the authors' size).

    Attributes
    ----------
    config : dict
        The resolved, JSON-able constructor arguments (``cls(**config)`` rebuilds
        the model).
    vocabulary : SpatialVocabulary | None
        The vocabulary of the spatial table (parcel and lobe scales).
    tokenizer, backbone : torch.nn.Module
        Parameter names follow the authors' checkpoints.

    Notes
    -----
    The spatial index of a channel at the channel scale is its ``(L, I, P)``
    grid coordinate (:func:`~ieegrep.preprocessing.vocabulary.grid_coordinates`);
    a channel without a position (``-1, -1, -1``) gets no spatial embedding.
    At the parcel and lobe scales it is a vocabulary row; row 0 (Unknown) is a
    zero vector, as in the authors' model.
    """

    model_name = "barista"

    def __init__(
        self,
        scale: str = "parcel",
        *,
        n_times: int = 6144,
        sfreq: float = 2048.0,
        patch_samples: int | None = None,
        d_model: int | None = None,
        n_layers: int | None = None,
        n_heads: int | None = None,
        mlp_ratio: int | None = None,
        dropout: float | None = None,
        norm_eps: float = 1e-8,
        cnn_hidden: int | None = None,
        cnn_depth: int | None = None,
        cnn_kernel: int = 3,
        rope_base: float = 10000.0,
        max_position: int = 1024,
        embedding_init_scale: float = 1.0,
        spatial_rows: int | None = None,
        vocabulary=None,
        preset: str | None = "barista",
    ):
        super().__init__()
        scale = _scale_name(scale)
        if preset is not None and preset not in BARISTA_PRESETS:
            raise InvalidParameterError(
                "Unknown Barista preset.",
                field="preset",
                value=preset,
                fix=f"Use one of {sorted(BARISTA_PRESETS)} or None.",
            )
        base = dict(BARISTA_PRESETS[preset or "barista"])
        given = {
            "d_model": d_model,
            "n_layers": n_layers,
            "n_heads": n_heads,
            "mlp_ratio": mlp_ratio,
            "dropout": dropout,
            "cnn_hidden": cnn_hidden,
            "cnn_depth": cnn_depth,
        }
        arch = {k: base[k] if v is None else v for k, v in given.items()}
        sfreq = _check_float("sfreq", sfreq)
        if patch_samples is None:
            patch_samples = _patch_samples(sfreq)
        config = {
            "scale": scale,
            "n_times": _check_int("n_times", n_times),
            "sfreq": sfreq,
            "patch_samples": _check_int("patch_samples", patch_samples),
            "d_model": _check_int("d_model", arch["d_model"]),
            "n_layers": _check_int("n_layers", arch["n_layers"]),
            "n_heads": _check_int("n_heads", arch["n_heads"]),
            "mlp_ratio": _check_int("mlp_ratio", arch["mlp_ratio"]),
            "dropout": _check_float(
                "dropout", arch["dropout"], positive=False, low_inclusive=0.0, high_exclusive=1.0
            ),
            "norm_eps": _check_float("norm_eps", norm_eps),
            "cnn_hidden": _check_int("cnn_hidden", arch["cnn_hidden"]),
            "cnn_depth": _check_int("cnn_depth", arch["cnn_depth"], low=0),
            "cnn_kernel": _check_int("cnn_kernel", cnn_kernel),
            "rope_base": _check_float("rope_base", rope_base),
            "max_position": _check_int("max_position", max_position),
            "embedding_init_scale": _check_float(
                "embedding_init_scale", embedding_init_scale, positive=False
            ),
        }
        head_dim, rest = divmod(config["d_model"], config["n_heads"])
        if rest or head_dim % 2:
            raise InvalidParameterError(
                "d_model must split into n_heads heads of even width (rotary embeddings).",
                field="n_heads",
                value=f"d_model={config['d_model']}, n_heads={config['n_heads']}",
                fix="Choose n_heads dividing d_model with an even quotient, e.g. 64 and 4.",
            )
        if config["cnn_kernel"] % 2 == 0:
            raise InvalidParameterError(
                "cnn_kernel must be odd ('same' padding).",
                field="cnn_kernel",
                value=cnn_kernel,
                fix="Use cnn_kernel=3.",
            )
        if config["n_times"] % config["patch_samples"]:
            raise InvalidParameterError(
                f"n_times ({config['n_times']}) is not a multiple of the patch length "
                f"({config['patch_samples']} samples).",
                field="n_times",
                value=n_times,
                fix=f"Use a multiple of {config['patch_samples']}, e.g. "
                f"{12 * config['patch_samples']} (12 patches).",
            )
        if scale == "channel":
            vocab = None
            rows = GRID_SIZE if spatial_rows is None else _check_int("spatial_rows", spatial_rows)
        else:
            if vocabulary is None and spatial_rows is None:
                vocab = (
                    SpatialVocabulary.parcels() if scale == "parcel" else SpatialVocabulary.lobes()
                )
            else:
                vocab = _as_vocabulary(vocabulary, scale)
            if vocab is None:
                rows = _check_int("spatial_rows", spatial_rows, low=2)
            else:
                rows = len(vocab)
                if spatial_rows is not None and spatial_rows != rows:
                    raise InvalidParameterError(
                        "spatial_rows disagrees with the vocabulary's number of rows.",
                        field="spatial_rows",
                        value=f"spatial_rows={spatial_rows}, vocabulary has {rows} rows",
                        fix="Leave spatial_rows=None when passing a vocabulary.",
                    )
        config["spatial_rows"] = int(rows)
        config["vocabulary"] = None if vocab is None else vocab.to_dict()
        self.config = config
        self.vocabulary = vocab
        self.tokenizer = _Tokenizer(config)
        self.backbone = _Backbone(config)
        self._init_weights()

    # ------------------------------------------------------------ construction
    def _init_weights(self):
        for module in self.tokenizer.temporal_encoder.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight)
                nn.init.zeros_(module.bias)

    @classmethod
    def from_preset(cls, preset: str = "barista", scale: str = "parcel", **overrides) -> Barista:
        """Build a model from a named architecture preset.

        Parameters
        ----------
        preset : ``"barista"`` | ``"small"`` | ``"tiny"``, default ``"barista"``
            ``"barista"``: the authors' published size (12 layers, d = 64,
            4 heads, CNN width 5 over 5 blocks; 869,800 parameters at the
            channel scale with 200-row tables). ``"small"``: the same width
            with 2 layers and a CNN of width 4 over 3 blocks, for CPU
            pretraining runs of minutes. ``"tiny"``: 2 layers, d = 32, for CPU
            tests.
        scale : ``"channel"`` | ``"parcel"`` | ``"lobe"``, default ``"parcel"``
            Spatial encoding scale.
        **overrides
            Any other constructor argument.

        Returns
        -------
        model : Barista
            A freshly initialised (untrained) model.
        """
        return cls(scale, preset=preset, **overrides)

    @property
    def scale(self) -> str:
        """The spatial encoding scale: ``"channel"``, ``"parcel"`` or ``"lobe"``."""
        return self.config["scale"]

    @property
    def patch_samples(self) -> int:
        """Samples per patch."""
        return self.config["patch_samples"]

    @property
    def d_model(self) -> int:
        """Token width."""
        return self.config["d_model"]

    # ------------------------------------------------------------ validation
    def _check_x(self, x):
        if not isinstance(x, torch.Tensor):
            x = torch.as_tensor(np.asarray(x))
        if x.ndim != 3:
            raise ModelInputError(
                "x must have shape (batch, n_channels, n_times).",
                field="x",
                value=tuple(x.shape),
                fix="Add a batch axis, e.g. x[None] for one segment.",
            )
        if not x.is_floating_point():
            raise ModelInputError(
                "x must hold floating-point, z-scored samples.",
                field="x",
                value=str(x.dtype),
                fix="Pass float32 segments z-scored per channel (zscore_segments).",
            )
        n_times = int(x.shape[-1])
        length = self.patch_samples
        if n_times == 0 or n_times % length:
            raise ModelInputError(
                f"n_times ({n_times}) is not a positive multiple of the patch length "
                f"({length} samples = 250 ms at {self.config['sfreq']:g} Hz).",
                field="x",
                value=tuple(x.shape),
                fix=f"Cut segments of a multiple of {length} samples, e.g. "
                f"{self.config['n_times']}, at {self.config['sfreq']:g} Hz.",
            )
        if n_times // length > self.config["max_position"]:
            raise ModelInputError(
                "Segments are longer than the model's largest patch position.",
                field="x",
                value=tuple(x.shape),
                fix=f"Use at most {self.config['max_position'] * length} samples per segment.",
            )
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ModelInputError(
                "x has no segment or no channel.",
                field="x",
                value=tuple(x.shape),
                fix="Pass at least one segment with at least one channel.",
            )
        return x

    def _check_mask(self, channel_mask, batch, n_channels, device):
        if channel_mask is None:
            return None
        mask = torch.as_tensor(channel_mask, device=device)
        if mask.shape != (batch, n_channels) or mask.dtype != torch.bool:
            raise ModelInputError(
                "channel_mask must be a bool tensor of shape (batch, n_channels), True at "
                "padded channels.",
                field="channel_mask",
                value=f"{tuple(mask.shape)} {mask.dtype}",
                fix=f"Pass a bool tensor of shape ({batch}, {n_channels}).",
            )
        if mask.all(dim=1).any():
            raise ModelInputError(
                "A segment has every channel padded.",
                field="channel_mask",
                value=torch.nonzero(mask.all(dim=1)).flatten().tolist(),
                fix="Each segment needs at least one real (False) channel.",
            )
        return mask

    def _check_segments(self, x, channel_mask):
        """Validate ``x`` and ``channel_mask``; return ``(x zeroed at padded channels, mask)``."""
        x = self._check_x(x)
        mask = self._check_mask(channel_mask, x.shape[0], x.shape[1], x.device)
        if mask is not None:
            x = x.masked_fill(mask[:, :, None], 0.0)
        if not bool(torch.isfinite(x).all()):
            raise ModelInputError(
                "x holds NaN or infinite samples.",
                field="x",
                value=torch.nonzero(~torch.isfinite(x))[:5].tolist(),
                fix="Drop or repair segments with missing data before encoding.",
            )
        return x, mask

    def _check_index(self, spatial_index, batch, n_channels, mask, device):
        """Return ``(index (B, C, k) long, absent (B, C) bool)``."""
        index = torch.as_tensor(spatial_index, device=device)
        tables = 3 if self.scale == "channel" else 1
        shape = tuple(index.shape)
        if tables == 1 and index.ndim == 3 and shape[-1] == 1:
            index = index[..., 0]
        expected = (batch, n_channels, 3) if tables == 3 else (batch, n_channels)
        if tuple(index.shape) != expected:
            what = (
                "(batch, n_channels, 3) L/I/P grid coordinates"
                if tables == 3
                else ("(batch, n_channels) vocabulary rows")
            )
            raise ModelInputError(
                f"spatial_index must have shape {what} at the {self.scale} scale.",
                field="spatial_index",
                value=shape,
                fix=f"Pass shape {expected}: RegionTokens.spatial_index['{self.scale}'] per segment.",
            )
        if index.is_floating_point():
            if not torch.equal(index, index.round()) or not torch.isfinite(index).all():
                raise ModelInputError(
                    "spatial_index must hold integers (table rows or grid coordinates).",
                    field="spatial_index",
                    value=index.flatten()[:6].tolist(),
                    fix="Use integer grid coordinates (grid_coordinates) or vocabulary rows, "
                    "not positions in mm.",
                )
        elif index.dtype == torch.bool or index.is_complex():
            raise ModelInputError(
                "spatial_index must hold integers.",
                field="spatial_index",
                value=str(index.dtype),
                fix="Pass a long tensor.",
            )
        index = index.long()
        if tables == 1:
            index = index.unsqueeze(-1)
        padded = (
            torch.zeros(batch, n_channels, dtype=torch.bool, device=device)
            if mask is None
            else mask
        )
        rows = self.config["spatial_rows"]
        if tables == 3:
            missing = (index == MISSING_GRID_INDEX).all(-1)
            partial = (index == MISSING_GRID_INDEX).any(-1) & ~missing
        else:
            missing = torch.zeros_like(padded)
            partial = missing
        out_of_range = ((index < 0) | (index >= rows)).any(-1) & ~missing
        bad = (out_of_range | partial) & ~padded
        if bad.any():
            where = torch.nonzero(bad)[:5].tolist()
            raise ModelInputError(
                f"spatial_index is outside the model's table of {rows} rows.",
                field="spatial_index",
                value={f"[{b}, {c}]": index[b, c].tolist() for b, c in where},
                fix="At the channel scale use grid coordinates in [0, 200) (or -1, -1, -1 for "
                "a channel without a position); at the parcel and lobe scales index with "
                "the model's own vocabulary (Barista.region_tokens).",
            )
        return index, missing | padded

    # ------------------------------------------------------------ forward pieces
    def patch(self, x):
        """Cut segments into time-major patches.

        Parameters
        ----------
        x : torch.Tensor, shape (B, C, n_times)
            Segments.

        Returns
        -------
        patches : torch.Tensor, shape (B, n_patches * C, patch_samples)
            Token ``n = t * C + c`` holds patch ``t`` of channel ``c``.
        """
        x = self._check_x(x)
        batch, n_channels, n_times = x.shape
        n_patches = n_times // self.patch_samples
        patches = x.reshape(batch, n_channels, n_patches, self.patch_samples).transpose(1, 2)
        return patches.reshape(batch, n_patches * n_channels, self.patch_samples)

    def tokenize_patches(self, patches, tokenizer=None):
        """Run the tokenizer (CNN + projection) on patches, independently of each other.

        Parameters
        ----------
        patches : torch.Tensor, shape (..., patch_samples)
            Patches of z-scored signal.
        tokenizer : torch.nn.Module | None, default None
            A module with ``temporal_encoder`` and ``temporal_pooler`` (e.g. an
            EMA copy); None uses this model's.

        Returns
        -------
        tokens : torch.Tensor, shape (..., d_model)
            One token per patch, without spatial embedding.
        """
        tokenizer = self.tokenizer if tokenizer is None else tokenizer
        lead = patches.shape[:-1]
        flat = patches.reshape(-1, patches.shape[-1])
        out = tokenizer.temporal_pooler(tokenizer.temporal_encoder(flat))
        return out.reshape(*lead, out.shape[-1])

    def tokenize(self, x):
        """Tokenizer output: one token per patch and channel, without spatial embedding.

        Parameters
        ----------
        x : torch.Tensor, shape (B, C, n_times)
            Z-scored segments at ``sfreq``.

        Returns
        -------
        tokens : torch.Tensor, shape (B, n_patches * C, d_model)
            Time-major (token ``n = t * C + c``).
        """
        return self.tokenize_patches(self.patch(x))

    def spatial_embedding(self, spatial_index, channel_mask=None):
        """Spatial embedding of each channel.

        Parameters
        ----------
        spatial_index : torch.Tensor, shape (B, C) or (B, C, 3)
            Vocabulary rows (parcel, lobe) or ``(L, I, P)`` grid coordinates
            (channel scale).
        channel_mask : torch.Tensor of bool, shape (B, C) | None, default None
            True at padded channels (their index is ignored, embedding zero);
            None: no padding.

        Returns
        -------
        embedding : torch.Tensor, shape (B, C, d_model)
            The vector added to every token of each channel; zero at padded
            channels and channels without a position.
        """
        index = torch.as_tensor(spatial_index)
        if index.ndim < 2:
            raise ModelInputError(
                "spatial_index must have shape (batch, n_channels[, 3]).",
                field="spatial_index",
                value=tuple(index.shape),
                fix="Add a batch axis, e.g. spatial_index[None].",
            )
        batch, n_channels = int(index.shape[0]), int(index.shape[1])
        device = self.backbone.norm.weight.device
        mask = self._check_mask(channel_mask, batch, n_channels, device)
        index, absent = self._check_index(index, batch, n_channels, mask, device)
        return self.tokenizer.spatial_encoder(index, absent)

    def attention_mask(self, channel_mask, n_patches, key_mask=None):
        """Boolean SDPA mask that hides padded channels' tokens as keys.

        Parameters
        ----------
        channel_mask : torch.Tensor of bool, shape (B, C) | None
            True at padded channels.
        n_patches : int
            Patches per channel.
        key_mask : torch.Tensor of bool, shape (B, C) | None, default None
            True at further channels whose tokens are hidden as keys.

        Returns
        -------
        mask : torch.Tensor of bool, shape (B, 1, 1, n_patches * C) | None
            True where attention is allowed; None when nothing is hidden.
        """
        hidden = channel_mask
        if key_mask is not None:
            hidden = key_mask if hidden is None else hidden | key_mask
        if hidden is None or not bool(hidden.any()):
            return None
        valid = ~hidden.repeat(1, n_patches)  # time-major: token t*C + c -> channel c
        return valid[:, None, None, :]

    def contextualize(self, tokens, n_channels: int, channel_mask=None, key_mask=None):
        """Run the transformer on time-major tokens (spatial embedding already added).

        Parameters
        ----------
        tokens : torch.Tensor, shape (B, n_patches * C, d_model)
            Input tokens.
        n_channels : int
            ``C``.
        channel_mask : torch.Tensor of bool, shape (B, C) | None, default None
            True at padded channels: never attended to; outputs zero there.
            None: no padding.
        key_mask : torch.Tensor of bool, shape (B, C) | None, default None
            True at channels whose tokens no token attends to, though their own
            outputs are computed: masked pretraining hides the mask tokens this
            way, since they carry no signal. Each segment needs one channel
            that is neither padded nor hidden. None: hide nothing more.

        Returns
        -------
        hidden : torch.Tensor, shape (B, n_patches * C, d_model)
            After the final RMSNorm.
        """
        batch, length, _ = tokens.shape
        if length % n_channels:
            raise ModelInputError(
                "The token axis is not a multiple of n_channels.",
                field="tokens",
                value=tuple(tokens.shape),
                fix="Pass tokens of shape (B, n_patches * C, d_model) in time-major order.",
            )
        n_patches = length // n_channels
        positions = torch.arange(n_patches, device=tokens.device).repeat_interleave(n_channels)
        attn_mask = self.attention_mask(channel_mask, n_patches, key_mask)
        if key_mask is not None and attn_mask is not None and not bool(attn_mask.any(-1).all()):
            raise ModelInputError(
                "A segment has no channel left to attend to.",
                field="key_mask",
                value=f"{int(key_mask.sum())} hidden channel(s)",
                fix="Leave at least one real channel of every segment out of key_mask.",
            )
        hidden = self.backbone(tokens, positions, attn_mask)
        if channel_mask is not None and bool(channel_mask.any()):
            padded = channel_mask.repeat(1, n_patches)
            hidden = hidden.masked_fill(padded[..., None], 0.0)
        return hidden

    def encode(self, x, spatial_index, channel_mask=None):
        """Encode segments into contextual tokens.

        Parameters
        ----------
        x : torch.Tensor, shape (B, C, n_times)
            Segments z-scored per channel (:func:`~ieegrep.preprocessing.tokens.zscore_segments`)
            at ``sfreq`` (2048 Hz for the authors' model); ``n_times`` a
            multiple of ``patch_samples``.
        spatial_index : torch.Tensor, shape (B, C) or (B, C, 3)
            Rows of the model's spatial table (parcel, lobe scales), or
            ``(L, I, P)`` grid coordinates (channel scale; ``-1`` rows: no
            position). Values at padded channels are ignored.
        channel_mask : torch.Tensor of bool, shape (B, C) | None, default None
            True at padded channels, for batches mixing recordings with
            different channel counts. None: no padding.

        Returns
        -------
        hidden : torch.Tensor, shape (B, n_patches * C, d_model)
            Time-major: token ``n = t * C + c`` is patch ``t`` of channel ``c``.
            Zero at padded channels.
        """
        x, mask = self._check_segments(x, channel_mask)
        batch, n_channels, _ = x.shape
        index, absent = self._check_index(spatial_index, batch, n_channels, mask, x.device)
        tokens = self.tokenize(x)
        space = self.tokenizer.spatial_encoder(index, absent).to(tokens.dtype)
        n_patches = tokens.shape[1] // n_channels
        tokens = tokens + space.repeat(1, n_patches, 1)
        return self.contextualize(tokens, n_channels, mask)

    def forward(self, x, spatial_index, channel_mask=None):
        """Encode segments into contextual tokens (alias of :meth:`encode`).

        Parameters
        ----------
        x : torch.Tensor, shape (B, C, n_times)
            Segments z-scored per channel, at ``sfreq``, as for :meth:`encode`.
        spatial_index : torch.Tensor, shape (B, C) or (B, C, 3)
            Spatial table rows or grid coordinates, as for :meth:`encode`.
        channel_mask : torch.Tensor of bool, shape (B, C) | None, default None
            True at padded channels; None: no padding.

        Returns
        -------
        hidden : torch.Tensor, shape (B, n_patches * C, d_model)
            Time-major contextual tokens, zero at padded channels.
        """
        return self.encode(x, spatial_index, channel_mask)

    # ------------------------------------------------------------ regions
    def region_tokens(self, source=None, **kwargs):
        """Spatial indices of a recording's channels for this model's scale and vocabulary.

        Parameters
        ----------
        source : Recording | pandas.DataFrame | None, default None
            As for :func:`ieegrep.preprocessing.tokens.region_tokens`.
        **kwargs
            Passed to :func:`~ieegrep.preprocessing.tokens.region_tokens`
            (``picks``, ``coords_mm``, ``parcels``, ...); ``scales`` and
            ``vocabularies`` are set from the model.

        Returns
        -------
        tokens : RegionTokens
            ``tokens.spatial_index[model.scale]`` indexes this model's table.
        """
        from ..preprocessing.tokens import region_tokens

        vocabularies = {}
        if self.scale != "channel":
            if self.vocabulary is None:
                raise InvalidParameterError(
                    "This model has no vocabulary, so region labels cannot be mapped to its rows.",
                    field="vocabulary",
                    value=None,
                    fix="Load the authors' weights with vocabulary='.../barista_vocabulary.json'.",
                )
            vocabularies[self.scale] = self.vocabulary
        return region_tokens(source, scales=[self.scale], vocabularies=vocabularies, **kwargs)

    # ------------------------------------------------------------ checkpoints
    @classmethod
    def _convert_checkpoint(cls, checkpoint: Checkpoint) -> tuple[dict, dict]:
        if checkpoint.format == "ieegrep":
            return super()._convert_checkpoint(checkpoint)
        if checkpoint.format != "state-dict":
            raise CheckpointError(
                "Barista cannot load a checkpoint in this format.",
                file=checkpoint.path,
                field="format",
                value=checkpoint.format,
                fix="Pass an ieegrep Barista checkpoint or the BaRISTA authors' released "
                "weights (a weights-only state dict).",
            )
        state_dict = _strip_prefix(checkpoint.state_dict)
        return _authors_config(state_dict, checkpoint.path), state_dict

    @classmethod
    @verbose
    def from_pretrained(cls, path, *, vocabulary=None, verbose=None, **overrides) -> Barista:
        """Build a model from a checkpoint and load its weights with strict matching.

        Parameters
        ----------
        path : path-like
            ieegrep's own checkpoint (:meth:`save_pretrained`), or one of the
            BaRISTA authors' released weights-only state dicts
            (``chans_chans.ckpt``, ``parcels_chans.ckpt``, ``lobes_chans.ckpt``),
            which ieegrep never bundles. For the latter, the scale and
            architecture are inferred from the tensors (3 tables of 200 rows:
            channel; 121 rows: parcel; 21 rows: lobe).
        vocabulary : path-like | dict | SpatialVocabulary | None, default None
            For the authors' parcel and lobe weights: ``barista_vocabulary.json``
            (path or content) mapping region labels onto their table rows, so
            :meth:`region_tokens` indexes any BIDS dataset for them. Without it
            the model loads, but spatial indices must be the authors' rows.
            Ignored for ieegrep checkpoints (they carry their vocabulary).
        verbose : bool | str | int | None, default None
            Logging level. The authors' licence terms are logged at WARNING.
        **overrides
            Constructor arguments replacing the checkpoint's (e.g. ``dropout=0.0``).

        Returns
        -------
        model : Barista
            In eval mode, with ``checkpoint_sha256_``, ``checkpoint_path_`` and
            ``provenance_`` set.
        """
        checkpoint = read_checkpoint(path)
        config, state_dict = cls._convert_checkpoint(checkpoint)
        authors = checkpoint.format == "state-dict"
        if authors:
            logger.warning("%s\n  file: %s", AUTHORS_LICENCE, checkpoint.path)
            if vocabulary is not None and config["scale"] != "channel":
                vocab = _as_vocabulary(vocabulary, config["scale"])
                if len(vocab) != config["spatial_rows"]:
                    raise CheckpointError(
                        "The vocabulary does not have as many rows as the checkpoint's table.",
                        file=checkpoint.path,
                        field="vocabulary",
                        value=f"{len(vocab)} rows vs {config['spatial_rows']} in the table",
                        fix="Pass the barista_vocabulary.json that belongs to these weights.",
                    )
                config["vocabulary"] = vocab.to_dict()
                config.pop("spatial_rows")
            elif config["scale"] != "channel":
                logger.warning(
                    "No vocabulary given for the authors' %s-scale weights: spatial_index must "
                    "hold their table rows. Pass vocabulary='.../barista_vocabulary.json' to "
                    "map region labels.",
                    config["scale"],
                )
        model = cls._build_from_checkpoint(checkpoint, {**config, **overrides}, state_dict)
        if authors:
            model.provenance_["licence"] = AUTHORS_LICENCE
        return model


_PREFIXES = ("model.", "module.", "encoder.", "barista.")


def _strip_prefix(state_dict) -> dict:
    """State dict under the model's names: drop a wrapper prefix shared by every key."""
    state = dict(state_dict)
    for _ in range(3):
        if any(key.startswith("tokenizer.") for key in state):
            break
        for prefix in _PREFIXES:
            if state and all(key.startswith(prefix) for key in state):
                state = {key[len(prefix) :]: value for key, value in state.items()}
                break
        else:
            break
    return state


def _authors_config(state: dict, path) -> dict:
    """Infer scale and architecture from an authors' state dict (prefix already stripped)."""
    table = "tokenizer.spatial_encoder.subcomponent_embeddings.{}.weight"
    try:
        n_tables = sum(1 for k in state if k.startswith(table.format("")[:-7]))
        first = state[table.format(0)]
        pool = state["tokenizer.temporal_pooler.final_layer.weight"]
        layers = {int(k.split(".")[2]) for k in state if k.startswith("backbone.layers.")}
        gate = state["backbone.layers.0.mlp.gate_proj.weight"]
        inv_freq = state.get("backbone.layers.0.attention.rotary_emb.inv_freq")
        blocks = {
            int(k.split(".")[4])
            for k in state
            if k.startswith("tokenizer.temporal_encoder.feature_extractor.net.")
        }
        conv = state["tokenizer.temporal_encoder.feature_extractor.net.0.conv1.conv.weight"]
    except (KeyError, IndexError, ValueError) as error:
        raise CheckpointError(
            "The state dict does not hold a BaRISTA encoder under the authors' parameter names.",
            file=path,
            field="state_dict",
            value=f"missing {error}; keys start {sorted(state)[:5]}",
            fix="Pass one of the authors' released checkpoints or an ieegrep Barista checkpoint.",
        ) from None
    scale = "channel" if n_tables == 3 else ("parcel" if first.shape[0] == 121 else "lobe")
    if n_tables == 1 and first.shape[0] not in (121, 21):
        logger.warning(
            "A single spatial table of %d rows is neither the authors' parcel (121) nor "
            "lobe (21) table; loading it at the parcel scale.",
            first.shape[0],
        )
        scale = "parcel"
    d_model = int(pool.shape[0])
    head_dim = 2 * int(inv_freq.shape[0]) if inv_freq is not None else 16
    config = {
        "scale": scale,
        "patch_samples": int(pool.shape[1]),
        "d_model": d_model,
        "n_layers": len(layers),
        "n_heads": max(1, d_model // head_dim),
        "mlp_ratio": int(gate.shape[0]) // d_model,
        "cnn_hidden": int(conv.shape[0]),
        "cnn_depth": len(blocks) - 1,
        "cnn_kernel": int(conv.shape[-1]),
        "spatial_rows": int(first.shape[0]),
        "preset": None,
        "dropout": 0.1,
    }
    config["n_times"] = 12 * config["patch_samples"]
    if scale != "channel":
        config["vocabulary"] = None
    return config
