"""Weight initialisation for pretraining from scratch: mimetic attention.

Self-supervised reconstruction asks a masked token to gather what its *neighbours*
hold: nearby frames for BrainBERT, same-time tokens of nearby contacts for BaRISTA.
From PyTorch's default (Xavier) initialisation, attention is nearly uniform and a
short run spends most of its steps finding those neighbours: the loss stays at the
trivial predictor's for hundreds of steps.

*Mimetic initialisation* (Trockman & Kolter, "Mimetic initialization of
self-attention layers", ICML 2023) starts every head with ``W_q W_kᵀ ≈ α₁ Z + β₁ I``
and the value-output product ``W_o W_v ≈ α₂ Z − β₂ I`` (``Z`` a random Gaussian
matrix of variance ``1/d``): each token first attends to the tokens that resemble it
— the same position through sinusoidal or rotary codes, contacts with similar
spatial embeddings — which is where the information of a masked token lies. On
ieegrep's simulated dataset it brings the masked-reconstruction loss well under the
trivial predictor's within a few CPU minutes, where the default initialisation stays
close to it (``benchmarks/bench_pretraining.py`` prints both).

It only sets starting weights: the architectures, and the forward passes of loaded
checkpoints, are untouched.
"""

from __future__ import annotations

import logging

import torch
from torch import nn

from ..exceptions import InvalidParameterError
from ..verbosity import verbose

logger = logging.getLogger("ieegrep")

__all__ = ["mimetic_init"]

#: Trockman & Kolter's value-output setting (alpha_2, beta_2).
_PAPER_VO = (0.4, 0.4)


def _attention_blocks(model: nn.Module):
    """(qkv weight (3D, D), output weight (D, D), n_heads, pre-norm?) of every attention layer."""
    for module in model.modules():
        n_heads = getattr(module, "n_heads", None)
        if n_heads is None:
            continue
        if isinstance(getattr(module, "in_proj_weight", None), nn.Parameter):  # BrainBERT
            yield module.in_proj_weight, module.out_proj.weight, n_heads, False
        elif isinstance(getattr(module, "qkv_proj", None), nn.Linear):  # BaRISTA
            yield module.qkv_proj.weight, module.o_proj.weight, n_heads, True


def _check_pair(value, name):
    ok = (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and all(v >= 0 for v in value)
    )
    if not ok:
        raise InvalidParameterError(
            f"{name} must be a pair (alpha, beta) of non-negative numbers.",
            field=name,
            value=value,
            fix=f"Pass e.g. {name}=(0.7, 0.7), or {name}=None to leave those weights as they are.",
        )
    return float(value[0]), float(value[1])


def _gaussian(size: int, generator) -> torch.Tensor:
    """Return a ``(size, size)`` Gaussian matrix of variance ``1 / size`` (float64)."""
    return torch.randn(size, size, generator=generator, dtype=torch.float64) / size**0.5


def _factor(matrix: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``A (n, rank)``, ``B (n, rank)``: ``A Bᵀ`` is the best rank-``rank`` fit of ``matrix``."""
    u, s, vh = torch.linalg.svd(matrix)
    root = s[:rank].sqrt()
    return u[:, :rank] * root, vh[:rank].T * root


@verbose
def mimetic_init(model, *, qk=(0.7, 0.7), vo="auto", seed=0, verbose=None):
    """Give every self-attention layer of ``model`` a mimetic initialisation, in place.

    For each head ``h`` (head size ``d_h``), the query and key weights are set so that
    ``W_q^h W_k^hᵀ`` is the best rank-``d_h`` fit of ``α₁ Z_h + β₁ I``; the value and
    output weights so that ``W_o W_v = α₂ Z − β₂ I`` (Trockman & Kolter, ICML 2023).
    ``Z`` are Gaussian with variance ``1 / d_model``. Biases and every other weight are
    left as they are. Use it on a freshly built model, before pretraining from scratch.

    Parameters
    ----------
    model : BrainBERT | Barista | torch.nn.Module
        A model whose attention layers are ieegrep's (BrainBERT's ``in_proj_weight`` /
        ``out_proj``, BaRISTA's ``qkv_proj`` / ``o_proj``).
    qk : tuple of float | None, default=(0.7, 0.7)
        ``(α₁, β₁)`` of the query-key product; ``None`` leaves those weights unchanged.
    vo : tuple of float | None | "auto", default="auto"
        ``(α₂, β₂)`` of the value-output product; ``None`` leaves those weights
        unchanged. ``"auto"`` is the paper's ``(0.4, 0.4)`` for BaRISTA's pre-norm layers
        and ``None`` for BrainBERT's post-norm ones: on the simulated benchmark the
        value-output part helps BaRISTA (loss ratio 0.86 vs 0.93 after 1,000 steps) and
        cancels the gain of BrainBERT (0.85 vs 0.71 after 1,200 steps).
    seed : int | None, default=0
        Seed of the random parts ``Z`` (``None``: torch's global generator).
    verbose : bool | str | int | None, default=None
        Logging level for this call (see :func:`ieegrep.set_log_level`).

    Returns
    -------
    model : torch.nn.Module
        The same model, for chaining.

    Raises
    ------
    InvalidParameterError
        When ``model`` has no attention layer ieegrep knows, or ``qk`` / ``vo`` is not
        a pair of non-negative numbers.

    Examples
    --------
    >>> from ieegrep.models import BrainBERT, mimetic_init
    >>> model = mimetic_init(BrainBERT.from_config("tiny"))
    """
    qk = None if qk is None else _check_pair(qk, "qk")
    auto = isinstance(vo, str) and vo == "auto"
    vo = None if vo is None or auto else _check_pair(vo, "vo")
    blocks = list(_attention_blocks(model))
    if not blocks:
        raise InvalidParameterError(
            f"{type(model).__name__} has no self-attention layer that mimetic_init knows.",
            field="model",
            value=type(model).__name__,
            fix="Pass an ieegrep BrainBERT or Barista model.",
        )
    generator = None if seed is None else torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for qkv, out, n_heads, pre_norm in blocks:
            d_model = qkv.shape[1]
            head_dim = d_model // n_heads
            eye = torch.eye(d_model, dtype=torch.float64)

            if qk is not None:
                for h in range(n_heads):
                    rows = slice(h * head_dim, (h + 1) * head_dim)
                    w_q, w_k = _factor(
                        qk[0] * _gaussian(d_model, generator) + qk[1] * eye, head_dim
                    )
                    qkv[rows] = w_q.T.to(qkv.dtype)
                    qkv[d_model:][rows] = w_k.T.to(qkv.dtype)
            layer_vo = _PAPER_VO if auto and pre_norm else vo
            if layer_vo is not None:
                w_o, w_v = _factor(
                    layer_vo[0] * _gaussian(d_model, generator) - layer_vo[1] * eye, d_model
                )
                out.copy_(w_o.to(out.dtype))
                qkv[2 * d_model :] = w_v.T.to(qkv.dtype)
        logger.info(
            "Mimetic initialisation of %d attention layer(s) (qk=%s, vo=%s).",
            len(blocks),
            qk,
            "auto" if auto else vo,
        )
    return model
