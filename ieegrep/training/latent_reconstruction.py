"""BaRISTA pretraining: spatially masked latent reconstruction, with a channel-reconstruction head.

The BaRISTA authors released no pretraining code; this follows the paper's
description (Oganesian, Hashemi & Shanechi, NeurIPS 2025, §3.3 and App. B-C,
as summarised in ieegrep's digest):

1. **Spatial masking.** In each segment, whole spatial categories at the
   *masking scale* (channels, parcels or lobes: the ``group_ids`` of
   :func:`ieegrep.preprocessing.tokens.region_tokens`) are drawn in random order
   and masked, every patch of every channel in them, until at least
   ``mask_ratio`` (30 %) of the segment's tokens are masked. There is no
   temporal masking. The masking scale is independent of the model's encoding
   scale.
2. **Online branch.** Masked tokens are replaced by one learnable mask token;
   the channel's spatial embedding is still added and rotary positions apply as
   usual. Every token gets an output, but by default no token attends to the
   masked ones, which carry no signal (``attend_to_masked``; the paper does not
   say).
3. **Target branch.** An exponential moving average (EMA) of the *tokenizer
   only* (CNN and projection) encodes the masked patches, without gradient:
   the targets are non-contextual patch tokens. Its momentum rises linearly
   from 0 to 0.996 over the first ``ema_ramp_fraction`` of training (the
   paper: 10 of 70 epochs), then stays.
4. **Predictor.** A 5-layer MLP (GELU and dropout after each of the first four
   linear layers; the paper's GELU after the last is optional, off by default,
   see ``predictor_final_gelu``) maps the transformer outputs at masked
   positions to predicted tokens; the loss is their mean squared error to the
   targets.
5. **Channel reconstruction.** A ``Linear(d_model, patch_samples)`` head maps
   the predicted tokens back to the masked signal patches (the paper's
   reconstruction task). By default it learns on detached predictions, so it
   reads the encoder out without shaping it; ``detach_reconstruction=False``
   trains the encoder through it as well.

After pretraining, :meth:`LatentReconstructionObjective.pretrained_encoder`
returns the encoder with the EMA tokenizer, as the paper keeps.

Randomness: the masks come from the ``generator`` given to ``forward``; dropout
inside the modules uses torch's global generator (save and restore its state to
resume a run exactly).
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from ..exceptions import InvalidParameterError, ModelInputError
from ..models.barista import Barista
from ..preprocessing.tokens import _SCALE_ALIASES
from ..verbosity import logger

__all__ = ["LatentReconstructionObjective", "spatial_mask"]


def spatial_mask(group_ids, channel_mask=None, *, mask_ratio: float = 0.3, generator=None):
    """Choose whole spatial groups to mask until ``mask_ratio`` of each segment's channels are.

    Parameters
    ----------
    group_ids : torch.Tensor of int, shape (B, C)
        Masking group of each channel (``0 .. G-1``), ``-1`` at padded channels.
        Channels with ``-1`` are never masked.
    channel_mask : torch.Tensor of bool, shape (B, C) | None, default None
        True at padded channels; never masked, and not counted among a segment's
        real channels. ``None``: no channel is padded.
    mask_ratio : float, default 0.3
        Target fraction of a segment's real channels (hence tokens, since every
        patch of a masked channel is masked), in ``(0, 1)``.
    generator : torch.Generator | None, default None
        CPU generator for the random order of the groups; ``None`` uses torch's
        global generator.

    Returns
    -------
    masked : torch.Tensor of bool, shape (B, C)
        True at masked channels (on the device of ``group_ids``).

    Notes
    -----
    Groups are added in a random order until the masked channels reach
    ``ceil(mask_ratio * n_real_channels)``, so the fraction can overshoot by up
    to one group. At least one group is masked, and with two or more groups at
    least one stays visible.
    """
    groups = torch.as_tensor(group_ids)
    if groups.ndim != 2 or groups.is_floating_point() or groups.dtype == torch.bool:
        raise ModelInputError(
            "group_ids must be an integer tensor of shape (batch, n_channels).",
            field="group_ids",
            value=f"{tuple(groups.shape)} {groups.dtype}",
            fix="Pass RegionTokens.group_ids[masking_scale] per segment, -1 at padded channels.",
        )
    if not 0.0 < float(mask_ratio) < 1.0:
        raise InvalidParameterError(
            "mask_ratio must be between 0 and 1.",
            field="mask_ratio",
            value=mask_ratio,
            fix="Use e.g. mask_ratio=0.3 (the paper's 30 %).",
        )
    cpu = groups.detach().to("cpu", torch.long)
    padded = (
        torch.zeros_like(cpu, dtype=torch.bool)
        if channel_mask is None
        else torch.as_tensor(channel_mask).to("cpu", torch.bool)
    )
    if padded.shape != cpu.shape:
        raise ModelInputError(
            "channel_mask and group_ids must have the same shape.",
            field="channel_mask",
            value=f"{tuple(padded.shape)} vs {tuple(cpu.shape)}",
            fix="Pass one flag per channel, True at padded channels.",
        )
    masked = torch.zeros_like(cpu, dtype=torch.bool)
    for b in range(cpu.shape[0]):
        eligible = ~padded[b] & (cpu[b] >= 0)
        n_real = int((~padded[b]).sum())
        present = torch.unique(cpu[b][eligible])
        if len(present) == 0:
            continue
        target = max(1, math.ceil(float(mask_ratio) * n_real))
        order = torch.randperm(len(present), generator=generator)
        count = 0
        for position, j in enumerate(order.tolist()):
            if count and position == len(present) - 1:
                break  # keep one group visible
            members = eligible & (cpu[b] == present[j])
            masked[b] |= members
            count += int(members.sum())
            if count >= target:
                break
    return masked.to(groups.device)


class _TargetTokenizer(nn.Module):
    """EMA copy of a tokenizer's CNN and projection (no spatial embedding)."""

    def __init__(self, tokenizer):
        super().__init__()
        self.temporal_encoder = copy.deepcopy(tokenizer.temporal_encoder)
        self.temporal_pooler = copy.deepcopy(tokenizer.temporal_pooler)
        for parameter in self.parameters():
            parameter.requires_grad_(False)


def _predictor(d_model, hidden, dropout, final_gelu):
    layers = []
    width = d_model
    for _ in range(4):
        layers += [nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout)]
        width = hidden
    layers.append(nn.Linear(hidden, d_model))
    if final_gelu:
        layers.append(nn.GELU())
    # variance-preserving init: with PyTorch's default, the signal shrinks about
    # threefold per layer and a 5-layer predictor starts out nearly constant,
    # which traps it at predicting the mean target; the output layer starts small
    # so that the first predictions sit near zero instead of far off the targets
    linears = [layer for layer in layers if isinstance(layer, nn.Linear)]
    for layer in linears[:-1]:
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        nn.init.zeros_(layer.bias)
    nn.init.normal_(linears[-1].weight, std=0.1 / math.sqrt(hidden))
    nn.init.zeros_(linears[-1].bias)
    return nn.Sequential(*layers)


class LatentReconstructionObjective(nn.Module):
    """BaRISTA's spatially masked latent reconstruction, as a module the runner optimises.

    Parameters
    ----------
    model : Barista
        The encoder to pretrain (kept as ``self.model``), at any encoding scale.
    masking_scale : ``"channel"`` | ``"parcel"`` | ``"lobe"``
        Scale whose ``group_ids`` the runner must put in the batch (default
        ``"channel"``); independent of ``model.scale``.
    mask_ratio : float
        Fraction of tokens to mask, reached by whole groups (default 0.3).
    predictor_hidden : int | None
        Hidden width of the predictor MLP (default ``4 * d_model``; the paper
        does not state it).
    predictor_dropout : float
        Dropout after the predictor's hidden layers (default 0.1).
    predictor_final_gelu : bool
        GELU after the predictor's output layer, as the paper describes
        (default False). The targets are a bias-free linear projection and so
        signed, while a GELU cannot go below -0.17: with it, the predictions
        cannot follow targets whose mean drifts negative, and on test data the
        loss stayed far above the trivial predictor's. Set True to reproduce
        the paper's description.
    ema_momentum : float
        Final EMA momentum of the target tokenizer (default 0.996).
    ema_ramp_fraction : float
        Fraction of the training steps over which the momentum rises linearly
        from 0 (default 10/70: the paper's 10 of 70 epochs).
    reconstruction_weight : float
        Weight of the channel-reconstruction MSE in ``loss`` (default 1.0;
        0 leaves the head untrained).
    detach_reconstruction : bool
        Train the reconstruction head on detached predictions so that it does
        not shape the encoder (default True, the paper's pretraining is latent
        only).
    attend_to_masked : bool
        Whether tokens may attend to the masked tokens (default False). Those
        hold only the mask token and a spatial embedding, no signal, so by
        default they are hidden as attention keys (their own outputs, which
        the predictor reads, are still computed); the paper does not say. In
        a short CPU run this brought the masked-patch reconstruction from
        0.80 to 0.77 of the trivial predictor's loss after 2,000 steps.
        A segment whose real channels are all masked (one masking group) keeps
        them as keys.

    Attributes
    ----------
    model : Barista
    target_tokenizer : torch.nn.Module
        EMA copy of ``model``'s CNN and projection (``requires_grad`` False;
        in ``state_dict``).
    mask_token : torch.nn.Parameter, shape (d_model,)
    predictor : torch.nn.Sequential
    reconstruction_head : torch.nn.Linear
        ``d_model -> patch_samples``.
    config : dict
        The objective's arguments (JSON-able).
    """

    def __init__(
        self,
        model: Barista,
        *,
        masking_scale: str = "channel",
        mask_ratio: float = 0.3,
        predictor_hidden: int | None = None,
        predictor_dropout: float = 0.1,
        predictor_final_gelu: bool = False,
        ema_momentum: float = 0.996,
        ema_ramp_fraction: float = 10 / 70,
        reconstruction_weight: float = 1.0,
        detach_reconstruction: bool = True,
        attend_to_masked: bool = False,
    ):
        super().__init__()
        if not isinstance(model, Barista):
            raise InvalidParameterError(
                "LatentReconstructionObjective pretrains a Barista model.",
                field="model",
                value=type(model).__name__,
                fix="Pass ieegrep.models.barista.Barista(...).",
            )
        scale = _SCALE_ALIASES.get(str(masking_scale).lower())
        if scale is None:
            raise InvalidParameterError(
                "Unknown masking scale.",
                field="masking_scale",
                value=masking_scale,
                fix="Use 'channel', 'parcel' or 'lobe'.",
            )
        checks = (
            ("mask_ratio", mask_ratio, 0.0, 1.0, False),
            ("predictor_dropout", predictor_dropout, 0.0, 1.0, True),
            ("ema_momentum", ema_momentum, 0.0, 1.0, True),
            ("ema_ramp_fraction", ema_ramp_fraction, 0.0, 1.0, True),
        )
        for name, value, low, high, closed_low in checks:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok = ok and (low <= value if closed_low else low < value) and value <= high
            ok = ok and not (name == "mask_ratio" and value >= 1.0)
            if not ok:
                raise InvalidParameterError(
                    f"{name} is out of range.",
                    field=name,
                    value=value,
                    fix=f"Pass a number in {'[' if closed_low else '('}{low}, {high}].",
                )
        if not isinstance(reconstruction_weight, (int, float)) or reconstruction_weight < 0:
            raise InvalidParameterError(
                "reconstruction_weight must be a number >= 0.",
                field="reconstruction_weight",
                value=reconstruction_weight,
                fix="Pass e.g. 1.0, or 0 to leave the reconstruction head untrained.",
            )
        d_model = model.d_model
        hidden = 4 * d_model if predictor_hidden is None else int(predictor_hidden)
        self.model = model
        self.config = {
            "masking_scale": scale,
            "mask_ratio": float(mask_ratio),
            "predictor_hidden": hidden,
            "predictor_dropout": float(predictor_dropout),
            "predictor_final_gelu": bool(predictor_final_gelu),
            "ema_momentum": float(ema_momentum),
            "ema_ramp_fraction": float(ema_ramp_fraction),
            "reconstruction_weight": float(reconstruction_weight),
            "detach_reconstruction": bool(detach_reconstruction),
            "attend_to_masked": bool(attend_to_masked),
        }
        self.mask_token = nn.Parameter(torch.empty(d_model))
        nn.init.trunc_normal_(self.mask_token, std=0.02)
        self.target_tokenizer = _TargetTokenizer(model.tokenizer)
        self.predictor = _predictor(d_model, hidden, predictor_dropout, predictor_final_gelu)
        self.reconstruction_head = nn.Linear(d_model, model.patch_samples)
        # the momentum of the last EMA update, kept in state_dict for the record
        self.register_buffer("last_ema_momentum", torch.zeros((), dtype=torch.float64))

    @property
    def masking_scale(self) -> str:
        """Scale of the ``group_ids`` the batch must carry."""
        return self.config["masking_scale"]

    # ------------------------------------------------------------------ EMA
    def ema_momentum(self, step: int, total_steps: int) -> float:
        """EMA momentum after optimiser step ``step`` (0-based) of ``total_steps``.

        Parameters
        ----------
        step : int
            Index of the optimiser step just taken, from 0.
        total_steps : int
            Steps of the whole run.

        Returns
        -------
        momentum : float
            ``ema_momentum * min(1, step / ramp_steps)`` with ``ramp_steps =
            max(1, round(ema_ramp_fraction * total_steps))``: 0 at the first
            step (the target is then a copy of the online tokenizer).
        """
        if step < 0 or total_steps < 1:
            raise InvalidParameterError(
                "step must be >= 0 and total_steps >= 1.",
                field="step",
                value=(step, total_steps),
                fix="Pass the 0-based index of the step just taken and the run's step count.",
            )
        ramp = max(1, round(self.config["ema_ramp_fraction"] * total_steps))
        return self.config["ema_momentum"] * min(1.0, step / ramp)

    @torch.no_grad()
    def after_step(self, step: int, total_steps: int) -> None:
        """Move the target tokenizer towards the online one (call after each optimiser step).

        Parameters
        ----------
        step : int
            Index of the optimiser step just taken, from 0.
        total_steps : int
            Steps of the whole run (sets the momentum ramp).
        """
        momentum = self.ema_momentum(step, total_steps)
        online = self.model.tokenizer
        for target_module, online_module in (
            (self.target_tokenizer.temporal_encoder, online.temporal_encoder),
            (self.target_tokenizer.temporal_pooler, online.temporal_pooler),
        ):
            for target, source in zip(target_module.parameters(), online_module.parameters()):
                target.mul_(momentum).add_(source.detach(), alpha=1.0 - momentum)
        self.last_ema_momentum.fill_(momentum)

    # ------------------------------------------------------------------ forward
    def forward(self, batch: dict, generator: torch.Generator) -> dict:
        """Masked latent reconstruction loss of one batch.

        Parameters
        ----------
        batch : dict of str to torch.Tensor
            ``"x"`` ``(B, C, n_times)`` float z-scored segments;
            ``"spatial_index"`` ``(B, C)`` long (or ``(B, C, 3)`` grid
            coordinates at the channel scale) for ``model.scale``;
            ``"group_ids"`` ``(B, C)`` long masking groups at
            :attr:`masking_scale`, ``-1`` at padded channels;
            ``"channel_mask"`` ``(B, C)`` bool, True at padded channels
            (optional).
        generator : torch.Generator
            CPU generator drawing the masks.

        Returns
        -------
        out : dict of str to torch.Tensor
            ``"loss"`` (scalar with gradient): latent MSE plus
            ``reconstruction_weight`` times the reconstruction MSE;
            ``"baseline_loss"``: the same for trivial predictors (the mean
            target token of the batch; zero signal); and detached
            ``"latent_loss"``, ``"latent_baseline"``, ``"reconstruction_loss"``,
            ``"reconstruction_baseline"``, ``"masked_fraction"``.
        """
        for key in ("x", "spatial_index", "group_ids"):
            if key not in batch:
                raise ModelInputError(
                    "The batch lacks a required entry.",
                    field=key,
                    value=sorted(batch),
                    fix="Pass x, spatial_index, group_ids and (optionally) channel_mask.",
                )
        model = self.model
        x, mask = model._check_segments(batch["x"], batch.get("channel_mask"))
        n_batch, n_channels, _ = x.shape
        group_ids = torch.as_tensor(batch["group_ids"], device=x.device)
        if tuple(group_ids.shape) != (n_batch, n_channels):
            raise ModelInputError(
                "group_ids must have shape (batch, n_channels).",
                field="group_ids",
                value=tuple(group_ids.shape),
                fix=f"Pass shape ({n_batch}, {n_channels}), -1 at padded channels.",
            )
        masked_channels = spatial_mask(
            group_ids, mask, mask_ratio=self.config["mask_ratio"], generator=generator
        ).to(x.device)
        space = model.spatial_embedding(batch["spatial_index"], mask)  # validates the index
        patches = model.patch(x)
        n_patches = patches.shape[1] // n_channels
        masked = masked_channels.repeat(1, n_patches)  # (B, N*C), time-major

        tokens = model.tokenize_patches(patches)
        tokens = torch.where(masked[..., None], self.mask_token.to(tokens.dtype), tokens)
        tokens = tokens + space.to(tokens.dtype).repeat(1, n_patches, 1)
        key_mask = None
        if not self.config["attend_to_masked"]:
            unseen = masked_channels if mask is None else masked_channels | mask
            key_mask = masked_channels & ~unseen.all(dim=1, keepdim=True)
        hidden = model.contextualize(tokens, n_channels, mask, key_mask)
        predicted = self.predictor(hidden[masked])
        target_patches = patches[masked]
        with torch.no_grad():
            target = model.tokenize_patches(target_patches, tokenizer=self.target_tokenizer)
        predicted32, target32 = predicted.float(), target.float()
        latent = F.mse_loss(predicted32, target32)
        latent_baseline = (target32 - target32.mean(0, keepdim=True)).pow(2).mean()

        head_input = predicted.detach() if self.config["detach_reconstruction"] else predicted
        reconstruction = self.reconstruction_head(head_input).float()
        signal = target_patches.detach().float()
        reconstruction_loss = F.mse_loss(reconstruction, signal)
        reconstruction_baseline = signal.pow(2).mean()

        weight = self.config["reconstruction_weight"]
        loss = latent + weight * reconstruction_loss
        baseline = latent_baseline + weight * reconstruction_baseline
        real = (~mask).sum() if mask is not None else masked_channels.numel()
        return {
            "loss": loss,
            "baseline_loss": baseline.detach(),
            "latent_loss": latent.detach(),
            "latent_baseline": latent_baseline.detach(),
            "reconstruction_loss": reconstruction_loss.detach(),
            "reconstruction_baseline": reconstruction_baseline.detach(),
            "masked_fraction": (masked_channels.sum() / real).detach().float(),
        }

    # ------------------------------------------------------------------ result
    def pretrained_encoder(self) -> Barista:
        """Return the pretrained encoder as the paper keeps it: EMA tokenizer plus backbone.

        Returns
        -------
        model : Barista
            A copy of :attr:`model` whose CNN and projection are the EMA target
            tokenizer's; spatial tables and transformer are the online ones.
        """
        encoder = copy.deepcopy(self.model)
        encoder.tokenizer.temporal_encoder.load_state_dict(
            self.target_tokenizer.temporal_encoder.state_dict()
        )
        encoder.tokenizer.temporal_pooler.load_state_dict(
            self.target_tokenizer.temporal_pooler.state_dict()
        )
        for parameter in encoder.parameters():
            parameter.requires_grad_(True)
        logger.info("Pretrained BaRISTA encoder taken with the EMA tokenizer")
        return encoder
