"""BrainBERT: a Transformer encoder over per-electrode spectrograms.

A clean-room implementation of the model of Wang et al., "BrainBERT:
Self-supervised representation learning for intracranial recordings" (ICLR
2023), written from ieegrep's technical notes. The parameter names are those of
the reference implementation, so its released weights load directly
(:meth:`BrainBERT.from_pretrained`).

Architecture, for a spectrogram ``(B, T, F)`` (``F = 40`` frequency bins, one frame
every 50 samples at 2048 Hz):

1. input encoding: ``Linear(F, D)`` → + fixed sinusoidal positions → LayerNorm → dropout;
2. ``n_layers`` post-norm Transformer layers (self-attention and a feed-forward block,
   each followed by residual add and LayerNorm), with no final LayerNorm;
3. reconstruction head: ``Linear(D, D)`` → activation → LayerNorm → ``Linear(D, F)``.

The encoder runs batch-first with fused :func:`torch.nn.functional.scaled_dot_product_attention`.
CPU inference (no gradients) runs large batches a few windows at a time, and
:meth:`BrainBERT.embed` evaluates the last layer only at the pooled frames.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from ..exceptions import CheckpointError, InvalidParameterError, ModelInputError
from .checkpoints import Checkpoint, PretrainedModel

__all__ = ["BrainBERT", "pool", "PRESETS"]

#: Named sizes. ``"large"`` is the released BrainBERT model; ``"base"`` and
#: ``"small"`` are the reference's other configs; ``"tiny"`` is the size of the
#: checkpoint fixture (d = 192, feed-forward 600).
PRESETS: dict[str, dict] = {
    "large": {"d_model": 768, "n_layers": 6, "n_heads": 12, "d_ff": 3072},
    "base": {"d_model": 768, "n_layers": 3, "n_heads": 12, "d_ff": 3072},
    "small": {"d_model": 384, "n_layers": 3, "n_heads": 12, "d_ff": 1200},
    "tiny": {"d_model": 192, "n_layers": 3, "n_heads": 12, "d_ff": 600},
}

_ACTIVATIONS = {"gelu": F.gelu, "relu": F.relu}

# frames per piece when CPU inference splits a batch (BrainBERT._inference_chunks)
_CPU_CHUNK_FRAMES = 640

# model_cfg field of an official checkpoint -> BrainBERT constructor argument
_OFFICIAL_FIELDS = {
    "input_dim": "n_freqs",
    "hidden_dim": "d_model",
    "layer_dim_feedforward": "d_ff",
    "layer_activation": "activation",
    "nhead": "n_heads",
    "encoder_num_layers": "n_layers",
}
_OFFICIAL_NAMES = ("masked_tf_model", "debug_model")  # older runs stored debug_model


def _sinusoids(max_len: int, d_model: int) -> Tensor:
    position = torch.arange(max_len, dtype=torch.float32)[:, None]
    # 10000^(-2i/d) written as exp(-2i ln(10000)/d), the usual stable form
    inverse = torch.exp(
        torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model)
    )
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(position * inverse)
    table[:, 1::2] = torch.cos(position * inverse[: d_model // 2])
    return table[None]


class _PositionalEncoding(nn.Module):
    def __init__(self, d_model: int, max_len: int):
        super().__init__()
        # persistent so the official state dict (which stores it) loads strictly
        self.register_buffer("pe", _sinusoids(max_len, d_model))


class _InputEncoding(nn.Module):
    def __init__(self, n_freqs, d_model, max_len, dropout, eps):
        super().__init__()
        self.in_proj = nn.Linear(n_freqs, d_model)
        self.positional_encoding = _PositionalEncoding(d_model, max_len)
        self.layer_norm = nn.LayerNorm(d_model, eps=eps)
        self.dropout = dropout

    def forward(self, spec: Tensor) -> Tensor:
        x = self.in_proj(spec)
        x = x + self.positional_encoding.pe[:, : spec.shape[1]]
        x = self.layer_norm(x)
        return F.dropout(x, self.dropout, self.training)


class _SelfAttention(nn.Module):
    """Multi-head self-attention with Q, K, V packed in one projection (q, k, v rows)."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model))
        self.out_proj = nn.Linear(d_model, d_model)
        nn.init.xavier_uniform_(self.in_proj_weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, x, attn_mask, dropout_p, queries=None):
        """Attend from ``queries`` (default: every frame of ``x``) to every frame of ``x``.

        ``queries`` (B, Q, D) lets the last layer of a pooled embedding skip the
        frames that are not pooled.
        """
        batch, n_frames, d_model = x.shape
        heads, head_dim = self.n_heads, d_model // self.n_heads
        if queries is None:
            qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)
            q, k, v = qkv.view(batch, n_frames, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
        else:
            w_q, w_kv = self.in_proj_weight.split([d_model, 2 * d_model])
            b_q, b_kv = self.in_proj_bias.split([d_model, 2 * d_model])
            q = F.linear(queries, w_q, b_q).view(batch, -1, heads, head_dim).transpose(1, 2)
            kv = F.linear(x, w_kv, b_kv)
            k, v = kv.view(batch, n_frames, 2, heads, head_dim).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p)
        out = out.transpose(1, 2).reshape(batch, -1, d_model)
        return self.out_proj(out)

    def attend_few(self, x, attn_mask, queries):
        """Attention from a few ``queries`` (B, Q, D) to ``x`` (B, T, D), without dropout.

        Equal to :meth:`forward` with ``dropout_p=0``, but keys and values are never
        projected: each head's query is moved into input space (``q W_k``), so the
        scores are ``(q W_k) x^T`` (the key bias shifts a row of scores by a constant,
        which softmax ignores) and the output is ``(p x) W_v^T + b_v`` (the weights
        ``p`` of a row sum to 1). With Q much smaller than T this costs O(Q T D)
        instead of the O(T D^2) of projecting every frame.
        """
        batch, n_queries, d_model = queries.shape
        heads, head_dim = self.n_heads, d_model // self.n_heads
        _, w_k, w_v = self.in_proj_weight.view(3, heads, head_dim, d_model).unbind(0)
        b_v = self.in_proj_bias[2 * d_model :].view(heads, head_dim)
        q = F.linear(queries, self.in_proj_weight[:d_model], self.in_proj_bias[:d_model])
        q = q.view(batch, n_queries, heads, head_dim) * head_dim**-0.5
        # heads x queries rows per item, each a vector in input space: (B, H * Q, D)
        q = torch.einsum("bqhd,hde->bhqe", q, w_k).reshape(batch, heads * n_queries, d_model)
        scores = torch.bmm(q, x.transpose(1, 2)).view(batch, heads, n_queries, -1)
        if attn_mask is not None:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        weights = scores.softmax(dim=-1).view(batch, heads * n_queries, -1)
        mixed = torch.bmm(weights, x).view(batch, heads, n_queries, d_model)
        out = torch.einsum("bhqe,hde->bqhd", mixed, w_v) + b_v
        return self.out_proj(out.reshape(batch, n_queries, d_model))


class _EncoderLayer(nn.Module):
    """Post-norm Transformer layer (the layout of PyTorch's default ``TransformerEncoderLayer``)."""

    def __init__(self, d_model, n_heads, d_ff, dropout, activation, eps):
        super().__init__()
        self.self_attn = _SelfAttention(d_model, n_heads)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.dropout = dropout
        self.activation = _ACTIVATIONS[activation]

    def forward(self, x: Tensor, attn_mask: Tensor | None, queries: Tensor | None = None):
        p = self.dropout if self.training else 0.0
        residual = x if queries is None else queries
        if queries is not None and not p:
            attended = self.self_attn.attend_few(x, attn_mask, queries)
        else:
            attended = self.self_attn(x, attn_mask, p, queries)
        x = self.norm1(residual + F.dropout(attended, p, self.training))
        hidden = F.dropout(self.activation(self.linear1(x)), p, self.training)
        return self.norm2(x + F.dropout(self.linear2(hidden), p, self.training))


class _Encoder(nn.Module):
    def __init__(self, n_layers, **layer_kwargs):
        super().__init__()
        self.layers = nn.ModuleList(_EncoderLayer(**layer_kwargs) for _ in range(n_layers))


class _PredictionHead(nn.Module):
    def __init__(self, d_model, n_freqs, activation, eps):
        super().__init__()
        self.hidden_layer = nn.Linear(d_model, d_model)
        self.layer_norm = nn.LayerNorm(d_model, eps=eps)
        self.output = nn.Linear(d_model, n_freqs)
        self.activation = _ACTIVATIONS[activation]

    def forward(self, hidden: Tensor) -> Tensor:
        return self.output(self.layer_norm(self.activation(self.hidden_layer(hidden))))


class BrainBERT(PretrainedModel, nn.Module):
    """BrainBERT spectrogram encoder with its masked-reconstruction head.

    Parameters
    ----------
    n_freqs : int
        Frequency bins per frame ``F`` (default 40, as the released model).
    d_model : int
        Hidden size ``D`` (default 768).
    n_layers : int
        Transformer layers (default 6).
    n_heads : int
        Attention heads; must divide ``d_model`` (default 12).
    d_ff : int
        Feed-forward inner size (default 3072).
    dropout : float
        Dropout on the input encoding, attention weights, feed-forward inner
        activations and both residual branches, in training mode (default 0.1).
    activation : ``"gelu"`` | ``"relu"``
        Feed-forward and head activation (default ``"gelu"``, exact erf GELU).
    max_len : int
        Longest input in frames, i.e. rows of the positional table (default 5000,
        about 122 s at 50-sample hops and 2048 Hz).
    layer_norm_eps : float
        LayerNorm epsilon (default 1e-5).

    Attributes
    ----------
    config : dict
        The constructor arguments, to rebuild the model.
    checkpoint_sha256_ : str | None
        SHA-256 of the checkpoint the weights come from, after ``from_pretrained``.

    Notes
    -----
    Freshly built weights use PyTorch's default initialisation with zero
    Linear biases and LayerNorm ``(weight 1, bias 0)``. The reference
    implementation instead sets every LayerNorm bias to 1 and starts all layers
    identical; that quirk only matters to reproduce its random-init control and is
    not copied.

    Examples
    --------
    >>> import torch
    >>> model = BrainBERT.from_config("tiny", n_layers=1).eval()
    >>> spec = torch.randn(2, 186, 40)
    >>> model.encode(spec).shape
    torch.Size([2, 186, 192])
    >>> model(spec).shape
    torch.Size([2, 186, 40])
    >>> model.embed(spec, pool="center").shape
    torch.Size([2, 192])
    """

    model_name = "brainbert"

    def __init__(
        self,
        n_freqs: int = 40,
        d_model: int = 768,
        n_layers: int = 6,
        n_heads: int = 12,
        d_ff: int = 3072,
        dropout: float = 0.1,
        activation: str = "gelu",
        max_len: int = 5000,
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        for name, value in (
            ("n_freqs", n_freqs),
            ("d_model", d_model),
            ("n_layers", n_layers),
            ("n_heads", n_heads),
            ("d_ff", d_ff),
            ("max_len", max_len),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidParameterError(
                    "A BrainBERT size must be a positive integer.",
                    field=name,
                    value=value,
                    fix=f"Pass {name} as an int >= 1.",
                )
        if d_model % n_heads or d_model % 2:
            raise InvalidParameterError(
                "d_model must be even and divisible by n_heads.",
                field="n_heads",
                value=(d_model, n_heads),
                fix="Pick n_heads dividing d_model (e.g. 768 and 12).",
            )
        if not 0.0 <= float(dropout) < 1.0:
            raise InvalidParameterError(
                "dropout must lie in [0, 1).",
                field="dropout",
                value=dropout,
                fix="Pass e.g. dropout=0.1.",
            )
        if activation not in _ACTIVATIONS:
            raise InvalidParameterError(
                "Unknown activation.",
                field="activation",
                value=activation,
                fix=f"Use one of {sorted(_ACTIVATIONS)}.",
            )
        self.config = {
            "n_freqs": n_freqs,
            "d_model": d_model,
            "n_layers": n_layers,
            "n_heads": n_heads,
            "d_ff": d_ff,
            "dropout": float(dropout),
            "activation": activation,
            "max_len": max_len,
            "layer_norm_eps": float(layer_norm_eps),
        }
        self.input_encoding = _InputEncoding(n_freqs, d_model, max_len, dropout, layer_norm_eps)
        self.transformer = _Encoder(
            n_layers,
            d_model=d_model,
            n_heads=n_heads,
            d_ff=d_ff,
            dropout=dropout,
            activation=activation,
            eps=layer_norm_eps,
        )
        self.spec_prediction_head = _PredictionHead(d_model, n_freqs, activation, layer_norm_eps)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_config(cls, name: str = "large", **overrides) -> BrainBERT:
        """Build a model of a named size.

        Parameters
        ----------
        name : ``"large"`` | ``"base"`` | ``"small"`` | ``"tiny"``, default ``"large"``
            ``"large"`` (768 / 6 layers / 12 heads / FF 3072) is the released
            BrainBERT; ``"base"`` has 3 layers; ``"small"`` is 384 / 3 / 12 / 1200;
            ``"tiny"`` is 192 / 3 / 12 / 600.
        **overrides
            Any constructor argument (e.g. ``dropout=0.0``).

        Returns
        -------
        model : BrainBERT
            A freshly initialised (untrained) model.
        """
        if name not in PRESETS:
            raise InvalidParameterError(
                "Unknown BrainBERT size.",
                field="name",
                value=name,
                fix=f"Use one of {list(PRESETS)} and override single sizes as keywords.",
            )
        return cls(**{**PRESETS[name], **overrides})

    @classmethod
    def _convert_checkpoint(cls, checkpoint: Checkpoint) -> tuple[dict, dict]:
        if checkpoint.format != "brainbert-official":
            return super()._convert_checkpoint(checkpoint)
        cfg = checkpoint.config
        if cfg.get("name") not in _OFFICIAL_NAMES:
            raise CheckpointError(
                "The official checkpoint holds a model other than BrainBERT's masked_tf_model.",
                file=checkpoint.path,
                field="model_cfg.name",
                value=cfg.get("name"),
                fix="Pass a BrainBERT pretraining checkpoint (e.g. stft_large_pretrained.pth).",
            )
        missing = [key for key in _OFFICIAL_FIELDS if key not in cfg]
        if missing:
            raise CheckpointError(
                "The official checkpoint's model_cfg lacks required fields.",
                file=checkpoint.path,
                field="model_cfg",
                value=missing,
                fix="Pass an unmodified BrainBERT checkpoint.",
            )
        config = {ours: cfg[theirs] for theirs, ours in _OFFICIAL_FIELDS.items()}
        pe = checkpoint.state_dict.get("input_encoding.positional_encoding.pe")
        if pe is not None and pe.ndim == 3:
            config["max_len"] = int(pe.shape[1])
        return config, checkpoint.state_dict

    # ------------------------------------------------------------------ validation

    def _check(self, spec, padding_mask):
        if not isinstance(spec, Tensor):
            raise ModelInputError(
                "BrainBERT expects a torch tensor.",
                field="spec",
                value=type(spec).__name__,
                fix="Convert with torch.as_tensor(spec, dtype=torch.float32).",
            )
        if spec.ndim != 3:
            raise ModelInputError(
                "BrainBERT expects a spectrogram batch of shape (batch, frames, freqs).",
                field="spec",
                value=tuple(spec.shape),
                fix="Add a batch axis with spec[None] for a single spectrogram.",
            )
        batch, n_frames, n_freqs = spec.shape
        if n_freqs != self.config["n_freqs"]:
            raise ModelInputError(
                "The spectrogram has the wrong number of frequency bins.",
                field="spec.shape[2]",
                value=n_freqs,
                fix=f"This model takes {self.config['n_freqs']} bins; check that the last "
                "axis is frequency (batch, frames, freqs).",
            )
        if n_frames < 1 or n_frames > self.config["max_len"]:
            raise ModelInputError(
                "The spectrogram has more frames than the model's positional table (or none).",
                field="spec.shape[1]",
                value=n_frames,
                fix=f"Cut inputs into windows of at most {self.config['max_len']} frames.",
            )
        if not spec.is_floating_point():
            raise ModelInputError(
                "The spectrogram must be floating point.",
                field="spec.dtype",
                value=str(spec.dtype),
                fix="Convert with spec.float().",
            )
        if padding_mask is None:
            return None
        if not isinstance(padding_mask, Tensor) or padding_mask.shape != (batch, n_frames):
            raise ModelInputError(
                "padding_mask must be a tensor of shape (batch, frames).",
                field="padding_mask",
                value=tuple(padding_mask.shape)
                if isinstance(padding_mask, Tensor)
                else type(padding_mask).__name__,
                fix=f"Pass a bool tensor of shape {(batch, n_frames)}, True at padded frames.",
            )
        if padding_mask.dtype != torch.bool:
            raise ModelInputError(
                "padding_mask must be boolean (True at padded frames).",
                field="padding_mask.dtype",
                value=str(padding_mask.dtype),
                fix="Convert with padding_mask.bool().",
            )
        if bool(padding_mask.all(dim=1).any()):
            raise ModelInputError(
                "A batch row is padding only.",
                field="padding_mask",
                value=torch.nonzero(padding_mask.all(dim=1)).flatten().tolist(),
                fix="Drop empty rows before calling the model.",
            )
        return padding_mask

    @staticmethod
    def _attention_mask(padding_mask):
        # an all-valid batch needs no mask, which keeps SDPA on its fastest kernel
        if padding_mask is None or not bool(padding_mask.any()):
            return None
        return ~padding_mask[:, None, None, :]

    # ------------------------------------------------------------------ forward paths

    def encode(self, spec: Tensor, padding_mask: Tensor | None = None, *, all_layers: bool = False):
        """Per-frame hidden states of the last encoder layer.

        Parameters
        ----------
        spec : torch.Tensor, shape (B, T, F)
            Z-scored spectrograms, float.
        padding_mask : torch.Tensor of bool, shape (B, T) | None, default None
            True at padded frames, which no frame attends to. Their own outputs
            are computed but meaningless. None: no padding.
        all_layers : bool, default False
            If True, also return the input encoding and every layer's output.

        Returns
        -------
        hidden : torch.Tensor, shape (B, T, D)
            Last layer output (no final LayerNorm).
        layers : list of torch.Tensor, shape (B, T, D)
            Only with ``all_layers=True``: the input encoding then each layer's output.
        """
        padding_mask = self._check(spec, padding_mask)
        if all_layers:
            return self._encode(spec, padding_mask, all_layers=True)
        return _concat(
            [self._encode(*chunk) for chunk in self._inference_chunks(spec, padding_mask)]
        )

    def _encode(self, spec, padding_mask, all_layers=False):
        attn_mask = self._attention_mask(padding_mask)
        x = self.input_encoding(spec)
        layers = [x]
        for layer in self.transformer.layers:
            x = layer(x, attn_mask)
            layers.append(x)
        return (x, layers) if all_layers else x

    def _inference_chunks(self, spec, padding_mask, *rows):
        """Split a batch (and any per-row tensors) for CPU inference; else one piece.

        With a few windows at a time, every intermediate of a layer stays in cache
        and under the C allocator's mmap threshold. Whole large batches allocate
        fresh buffers of tens to hundreds of MB per layer, whose page faults cost
        about a tenth of a BrainBERT-large forward on CPU. Training (gradients
        enabled) and other devices keep whole batches.
        """
        step = max(1, _CPU_CHUNK_FRAMES // spec.shape[1])
        if spec.device.type != "cpu" or torch.is_grad_enabled() or spec.shape[0] <= step:
            return [(spec, padding_mask, *rows)]
        return [
            (spec[i : i + step], None if padding_mask is None else padding_mask[i : i + step])
            + tuple(row[i : i + step] for row in rows)
            for i in range(0, spec.shape[0], step)
        ]

    def forward(self, spec: Tensor, padding_mask: Tensor | None = None) -> Tensor:
        """Reconstruct the spectrogram from the encoder's hidden states.

        Parameters
        ----------
        spec : torch.Tensor, shape (B, T, F)
            (Masked) z-scored spectrograms.
        padding_mask : torch.Tensor of bool, shape (B, T) | None, default None
            True at padded frames; None: no padding.

        Returns
        -------
        reconstruction : torch.Tensor, shape (B, T, F)
            The prediction head's spectrogram, frame by frame.
        """
        return self.spec_prediction_head(self.encode(spec, padding_mask))

    def embed(
        self,
        spec: Tensor,
        padding_mask: Tensor | None = None,
        *,
        pool: str = "center",
        n_center: int = 10,
    ) -> Tensor:
        """One embedding per spectrogram: pooled last-layer hidden states.

        With ``pool="center"`` the last layer is evaluated only at the pooled
        frames (their attention still sees every frame), which gives the same
        numbers as pooling :meth:`encode`'s output for less work.

        Parameters
        ----------
        spec : torch.Tensor, shape (B, T, F)
            Z-scored spectrograms.
        padding_mask : torch.Tensor of bool, shape (B, T) | None, default None
            True at padded frames; each row's centre is that of its valid frames.
            None: no padding.
        pool : ``"center"`` | ``"mean"``, default ``"center"``
            ``"center"``: mean of the ``n_center`` frames around each row's centre
            (the paper's embedding); ``"mean"``: mean over valid frames.
        n_center : int
            Frames averaged by ``"center"`` (default 10).

        Returns
        -------
        embedding : torch.Tensor, shape (B, D)
            The pooled last-layer hidden state of each spectrogram.
        """
        if pool != "center":
            return _pool(self.encode(spec, padding_mask), pool, padding_mask, n_center)
        padding_mask = self._check(spec, padding_mask)
        index = _center_index(spec.shape[0], spec.shape[1], padding_mask, n_center, spec.device)
        chunks = self._inference_chunks(spec, padding_mask, index)
        return _concat([self._embed_center(*chunk) for chunk in chunks])

    def _embed_center(self, spec, padding_mask, index):
        attn_mask = self._attention_mask(padding_mask)
        x = self.input_encoding(spec)
        *layers, last = self.transformer.layers
        for layer in layers:
            x = layer(x, attn_mask)
        queries = torch.gather(x, 1, index[:, :, None].expand(-1, -1, x.shape[2]))
        return last(x, attn_mask, queries).mean(dim=1)


def _concat(pieces: list[Tensor]) -> Tensor:
    return pieces[0] if len(pieces) == 1 else torch.cat(pieces)


def _center_index(batch, n_frames, padding_mask, n_center, device) -> Tensor:
    """Frame indices (B, n_center) of each row's centre window."""
    if isinstance(n_center, bool) or not isinstance(n_center, int) or n_center < 1:
        raise InvalidParameterError(
            "n_center must be a positive integer.",
            field="n_center",
            value=n_center,
            fix="Pass e.g. n_center=10 (the paper's choice).",
        )
    if padding_mask is None:
        lengths = torch.full((batch,), n_frames, device=device, dtype=torch.long)
    else:
        lengths = (~padding_mask).sum(dim=1)
    if bool((lengths < n_center).any()):
        raise ModelInputError(
            "A row has fewer valid frames than the centre window.",
            field="n_center",
            value={"n_center": n_center, "shortest_row_frames": int(lengths.min())},
            fix="Use longer windows or a smaller n_center.",
        )
    # the window is frames m - n//2 ... m + n - n//2 - 1 around m = length // 2
    start = lengths // 2 - n_center // 2
    return start[:, None] + torch.arange(n_center, device=device)


def pool(
    hidden: Tensor,
    mode: str = "center",
    padding_mask: Tensor | None = None,
    n_center: int = 10,
) -> Tensor:
    """Pool per-frame hidden states into one vector per row.

    Parameters
    ----------
    hidden : torch.Tensor, shape (B, T, D)
        Output of :meth:`BrainBERT.encode`.
    mode : ``"center"`` | ``"mean"`` | ``"none"``, default ``"center"``
        ``"center"``: mean over frames ``m - n_center//2 … m + n_center - n_center//2 - 1``
        with ``m = length // 2`` (the paper: 10 frames, ``m-5 … m+4``); ``"mean"``:
        mean over valid frames; ``"none"``: return ``hidden`` unchanged.
    padding_mask : torch.Tensor of bool, shape (B, T) | None, default None
        True at padded frames; each row's length is its number of valid frames.
        None uses ``T`` for every row (the reference fine-tuning convention on a
        padded batch).
    n_center : int
        Frames in the centre window (default 10).

    Returns
    -------
    pooled : torch.Tensor, shape (B, D) (or (B, T, D) for ``"none"``)
        One vector per row (``hidden`` itself for ``"none"``).
    """
    if not isinstance(hidden, Tensor) or hidden.ndim != 3:
        raise ModelInputError(
            "pool expects hidden states of shape (batch, frames, features).",
            field="hidden",
            value=tuple(hidden.shape) if isinstance(hidden, Tensor) else type(hidden).__name__,
            fix="Pass the output of BrainBERT.encode.",
        )
    batch, n_frames, _ = hidden.shape
    if padding_mask is not None and (
        not isinstance(padding_mask, Tensor)
        or padding_mask.shape != (batch, n_frames)
        or padding_mask.dtype != torch.bool
    ):
        raise ModelInputError(
            "padding_mask must be a bool tensor of shape (batch, frames).",
            field="padding_mask",
            value=tuple(padding_mask.shape)
            if isinstance(padding_mask, Tensor)
            else type(padding_mask).__name__,
            fix=f"Pass a bool tensor of shape {(batch, n_frames)}, True at padded frames.",
        )
    if mode == "none":
        return hidden
    if mode == "center":
        index = _center_index(batch, n_frames, padding_mask, n_center, hidden.device)
        return torch.gather(hidden, 1, index[:, :, None].expand(-1, -1, hidden.shape[2])).mean(1)
    if mode == "mean":
        if padding_mask is None:
            return hidden.mean(dim=1)
        valid = (~padding_mask).to(hidden.dtype)[:, :, None]
        return (hidden * valid).sum(dim=1) / valid.sum(dim=1).clamp_min(1.0)
    raise InvalidParameterError(
        "Unknown pooling mode.",
        field="mode",
        value=mode,
        fix='Use "center" (paper), "mean" or "none".',
    )


_pool = pool  # BrainBERT.embed has an argument named pool
