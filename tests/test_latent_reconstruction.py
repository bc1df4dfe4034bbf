"""BaRISTA pretraining objective: spatial masking, EMA targets, losses against trivial baselines."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ieegrep.exceptions import InvalidParameterError, ModelInputError
from ieegrep.models.barista import Barista
from ieegrep.preprocessing.tokens import group_ids as make_group_ids
from ieegrep.preprocessing.tokens import zscore_segments
from ieegrep.training.latent_reconstruction import LatentReconstructionObjective, spatial_mask


def _objective(scale="lobe", **kwargs):
    torch.manual_seed(0)
    model = Barista.from_preset("tiny", scale)
    kwargs.setdefault("predictor_dropout", 0.0)
    return LatentReconstructionObjective(model, **kwargs)


def test_mask_takes_whole_groups_until_the_ratio():
    generator = torch.Generator().manual_seed(3)
    groups = torch.tensor([[0, 0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 5, -1, -1]])
    padded = groups < 0
    fractions = []
    for _ in range(200):
        masked = spatial_mask(groups, padded, mask_ratio=0.3, generator=generator)[0]
        assert not masked[padded[0]].any()
        chosen = set(groups[0][masked].tolist())
        for group in chosen:  # whole groups only
            assert masked[groups[0] == group].all()
        assert 0 < len(chosen) < 6
        fractions.append(masked.sum().item() / 12)
    fractions = np.array(fractions)
    assert fractions.min() >= 0.3 - 1e-9  # ceil(0.3 * 12) = 4 channels at least
    assert fractions.max() <= 0.3 + 3 / 12 + 1e-9  # overshoot by less than a group
    assert 0.3 <= fractions.mean() < 0.45
    # different draws choose different groups
    assert len(set(np.round(fractions, 3))) > 1


def test_mask_is_drawn_from_the_generator_only():
    groups = torch.arange(10).repeat(4, 1)
    a = spatial_mask(groups, generator=torch.Generator().manual_seed(5))
    torch.manual_seed(123)
    b = spatial_mask(groups, generator=torch.Generator().manual_seed(5))
    assert torch.equal(a, b)
    assert a.sum(1).tolist() == [3, 3, 3, 3]  # channel groups: exactly 30 %


def test_mask_keeps_one_group_visible():
    generator = torch.Generator().manual_seed(0)
    masked = spatial_mask(torch.tensor([[0, 0, 0, 1]]), mask_ratio=0.9, generator=generator)
    assert 0 < masked.sum() < 4
    alone = spatial_mask(torch.tensor([[0, 0, 0]]), mask_ratio=0.3, generator=generator)
    assert alone.all()


def test_ema_ramp():
    objective = _objective(ema_ramp_fraction=0.1)
    total = 1000
    values = [objective.ema_momentum(step, total) for step in (0, 50, 100, 500, 999)]
    assert values == pytest.approx([0.0, 0.498, 0.996, 0.996, 0.996])
    # after_step applies it: momentum 0 copies the online tokenizer
    online = objective.model.tokenizer.temporal_pooler.final_layer.weight
    target = objective.target_tokenizer.temporal_pooler.final_layer.weight
    with torch.no_grad():
        online.add_(1.0)
    objective.after_step(0, total)
    assert torch.equal(target, online)
    before = target.clone()
    with torch.no_grad():
        online.add_(1.0)
    objective.after_step(50, total)
    torch.testing.assert_close(target, 0.498 * before + 0.502 * online)
    assert not target.requires_grad
    assert objective.last_ema_momentum.item() == pytest.approx(0.498)
    state = objective.state_dict()
    assert "target_tokenizer.temporal_pooler.final_layer.weight" in state
    assert "mask_token" in state


def _batch(n_channels=(6, 4), n_times=512, seed=0):
    rng = np.random.default_rng(seed)
    size = max(n_channels)
    t = np.arange(n_times) / 2048
    x = np.zeros((len(n_channels), size, n_times))
    for b, c in enumerate(n_channels):
        f = rng.uniform(2, 20, 2)
        phase = rng.uniform(0, 2 * np.pi, 2)
        common = np.sin(2 * np.pi * f[0] * t + phase[0]) + 0.5 * np.sin(
            2 * np.pi * f[1] * t + phase[1]
        )
        x[b, :c] = common
    x = torch.from_numpy(zscore_segments(x).astype(np.float32))
    mask = torch.ones(len(n_channels), size, dtype=torch.bool)
    for b, c in enumerate(n_channels):
        mask[b, :c] = False
    index = torch.from_numpy(rng.integers(1, 30, (len(n_channels), size)))
    groups = torch.arange(size).repeat(len(n_channels), 1).masked_fill(mask, -1)
    return {"x": x, "spatial_index": index, "group_ids": groups, "channel_mask": mask}


def test_padded_channels_are_neither_masked_nor_attended():
    objective = _objective().eval()
    batch = _batch()
    out = objective(batch, torch.Generator().manual_seed(1))
    changed = dict(batch)
    changed["x"] = batch["x"].clone()
    changed["x"][1, 4:] = 5.0
    changed["spatial_index"] = batch["spatial_index"].clone()
    changed["spatial_index"][1, 4:] = 999
    again = objective(changed, torch.Generator().manual_seed(1))
    for key in out:
        torch.testing.assert_close(out[key], again[key])
    assert set(out) >= {
        "loss",
        "baseline_loss",
        "latent_loss",
        "latent_baseline",
        "reconstruction_loss",
        "reconstruction_baseline",
    }
    assert out["loss"].requires_grad and not out["baseline_loss"].requires_grad
    assert out["masked_fraction"].item() == pytest.approx(4 / 10)  # 2 of 6 and 2 of 4


def test_encoding_and_masking_scales_are_independent():
    # a channel-scale encoder masked by lobes: the mask follows the lobe groups
    objective = _objective("channel", masking_scale="lobe")
    assert objective.model.scale == "channel" and objective.masking_scale == "lobe"
    lobes = make_group_ids([5, 5, 9, 9, 9, 13, 13, 2])
    coords = torch.randint(0, 200, (1, 8, 3))
    batch = {
        "x": torch.randn(1, 8, 512),
        "spatial_index": coords,
        "group_ids": torch.from_numpy(lobes)[None],
    }
    seen = set()
    generator = torch.Generator().manual_seed(0)
    for _ in range(20):
        masked = spatial_mask(batch["group_ids"], generator=generator)[0]
        for group in set(lobes[masked.numpy()].tolist()):
            assert masked[torch.from_numpy(lobes == group)].all()
        seen.add(tuple(masked.tolist()))
    assert len(seen) > 2
    out = objective(batch, torch.Generator().manual_seed(0))
    assert torch.isfinite(out["loss"])
    with pytest.raises(InvalidParameterError, match="masking scale"):
        LatentReconstructionObjective(objective.model, masking_scale="voxel")


def test_batch_validation():
    objective = _objective()
    batch = _batch()
    with pytest.raises(ModelInputError, match="group_ids"):
        objective({**batch, "group_ids": batch["group_ids"][:, :3]}, torch.Generator())
    with pytest.raises(ModelInputError, match="required"):
        objective({"x": batch["x"]}, torch.Generator())
    with pytest.raises(ModelInputError, match="outside"):
        objective({**batch, "spatial_index": batch["spatial_index"] + 100}, torch.Generator())


@pytest.mark.slow
def test_short_training_beats_the_trivial_predictors():
    torch.manual_seed(0)
    objective = _objective()
    head = list(objective.reconstruction_head.parameters())
    rest = [
        p
        for name, p in objective.named_parameters()
        if p.requires_grad and not name.startswith("reconstruction_head")
    ]
    # the paper's split: a faster rate for the linear reconstruction layer
    optimiser = torch.optim.AdamW([{"params": rest, "lr": 3e-4}, {"params": head, "lr": 1e-2}])
    generator = torch.Generator().manual_seed(0)
    steps, history = 160, []
    for step in range(steps):
        batch = _batch(n_channels=(6, 6, 5, 6, 4, 6, 6, 5), seed=step)
        out = objective(batch, generator)
        optimiser.zero_grad()
        out["loss"].backward()
        for group, rate in zip(optimiser.param_groups, (3e-4, 1e-2)):
            group["lr"] = rate * min(1.0, (step + 1) / 10)  # warm-up
        optimiser.step()
        objective.after_step(step, steps)
        history.append({k: float(v.detach()) for k, v in out.items()})
    last = {k: np.mean([h[k] for h in history[-15:]]) for k in history[-1]}
    first = {k: np.mean([h[k] for h in history[:5]]) for k in history[-1]}
    assert first["latent_loss"] > first["latent_baseline"]  # untrained: worse than the mean
    assert last["latent_loss"] < 0.9 * last["latent_baseline"]
    assert last["reconstruction_loss"] < last["reconstruction_baseline"]
    assert last["loss"] < last["baseline_loss"]
    encoder = objective.pretrained_encoder()
    torch.testing.assert_close(
        encoder.tokenizer.temporal_pooler.final_layer.weight,
        objective.target_tokenizer.temporal_pooler.final_layer.weight,
    )
    assert encoder.tokenizer.spatial_encoder is not objective.model.tokenizer.spatial_encoder


def test_masked_tokens_are_hidden_as_keys():
    """By default no token attends to the mask tokens, which still get outputs."""
    objective = _objective("lobe").eval()
    model = objective.model
    batch = _batch(n_channels=(6, 6))
    generator = torch.Generator().manual_seed(2)
    masked = spatial_mask(batch["group_ids"], generator=torch.Generator().manual_seed(2))
    out = objective(batch, generator)
    # another mask token changes the masked positions only: the loss (masked) moves,
    # the visible tokens' outputs do not
    tokens = model.tokenize(batch["x"]) + 0.0
    n_patches = tokens.shape[1] // 6
    key_mask = masked.clone()
    fill = masked.repeat(1, n_patches)[..., None]
    first = model.contextualize(torch.where(fill, 1.0, tokens), 6, None, key_mask)
    second = model.contextualize(torch.where(fill, -3.0, tokens), 6, None, key_mask)
    visible = ~masked.repeat(1, n_patches)
    torch.testing.assert_close(first[visible], second[visible])
    assert not torch.allclose(first[~visible], second[~visible])
    # attending to them is the other choice, and changes the loss
    both = _objective("lobe", attend_to_masked=True).eval()
    both.load_state_dict(objective.state_dict())
    other = both(batch, torch.Generator().manual_seed(2))
    assert not torch.isclose(out["latent_loss"], other["latent_loss"])
    assert objective.config["attend_to_masked"] is False


def test_segment_with_every_channel_masked_keeps_them_as_keys():
    objective = _objective("lobe").eval()
    batch = _batch(n_channels=(4, 4))
    batch["group_ids"] = torch.zeros_like(batch["group_ids"])  # one group: all masked
    out = objective(batch, torch.Generator().manual_seed(0))
    assert out["masked_fraction"].item() == 1.0
    assert torch.isfinite(out["loss"])
    model = objective.model
    tokens = model.tokenize(batch["x"])
    with pytest.raises(ModelInputError, match="no channel left"):
        model.contextualize(tokens, 4, None, torch.ones(2, 4, dtype=torch.bool))
