"""BrainBERT masked spectrogram modelling: reference parity, generator sampler, objective."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from ieegrep.exceptions import InvalidParameterError, ModelInputError
from ieegrep.models.brainbert import BrainBERT
from ieegrep.training.masked_spectrogram import (
    KEEP,
    REPLACE,
    ZERO,
    MaskedSpectrogramObjective,
    MaskingConfig,
    mask_batch,
    mask_spectrogram_reference,
    masked_spectrogram_loss,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def ref(shared):
    return dict(np.load(shared / "fixtures" / "masking_reference.npz"))


def _reference_masks(ref, reference_bug):
    rng = random.Random(int(ref["seed"]))
    config = MaskingConfig(reference_bug=reference_bug)
    return [
        mask_spectrogram_reference(torch.from_numpy(ref["target"][i, :n]), rng, config)
        for i, n in enumerate(ref["lengths"])
    ]


def _collate(examples, n_frames):
    masked = torch.zeros(len(examples), n_frames, 40)
    label = torch.zeros(len(examples), n_frames, 40)
    for i, example in enumerate(examples):
        masked[i, : len(example.masked)] = example.masked
        label[i, : len(example.label)] = example.label
    return masked, label


@pytest.mark.shared
@pytest.mark.parametrize(
    ("reference_bug", "key"), [(True, "mask_label_reference"), (False, "mask_label_intended")]
)
def test_reference_masks_exact(ref, reference_bug, key):
    examples = _reference_masks(ref, reference_bug)
    masked, label = _collate(examples, ref["target"].shape[1])
    assert np.array_equal(masked.numpy(), ref["masked_input"])
    assert np.array_equal(label.numpy(), ref[key])
    for example, item in zip(examples, "ab"):
        assert example.time_intervals == [tuple(s) for s in ref[f"time_intervals_{item}"].tolist()]
        assert example.time_actions == ref[f"time_action_{item}"].tolist()
        assert example.time_sources == ref[f"time_replace_src_start_{item}"].tolist()
        assert example.freq_intervals == [tuple(s) for s in ref[f"freq_intervals_{item}"].tolist()]
        assert example.freq_actions == ref[f"freq_action_{item}"].tolist()
        assert example.freq_sources == ref[f"freq_replace_src_start_{item}"].tolist()
        assert example.n_draws == int(ref[f"n_random_draws_{item}"])


@pytest.mark.shared
def test_bug_columns_documented(ref):
    """Item a: frequency-masked columns unlabelled, time-span indices labelled as columns."""
    buggy = _reference_masks(ref, True)[0].label
    fixed = _reference_masks(ref, False)[0].label
    time_rows = torch.from_numpy(ref["time_masked_rows"][0, :186])
    assert torch.equal(
        fixed[~time_rows].amax(0).bool(), torch.from_numpy(ref["freq_masked_cols"][0])
    )
    assert torch.equal(buggy[~time_rows].amax(0).bool(), torch.from_numpy(ref["bug_label_cols"][0]))
    assert buggy[:, 35:39].min() == 1 and fixed[~time_rows][:, 35:39].max() == 0
    assert buggy[~time_rows][:, [9, 10, 16]].max() == 0 and fixed[:, [9, 10, 16]].min() == 1


@pytest.mark.shared
@pytest.mark.parametrize("variant", ["reference", "intended"])
def test_loss_from_stored_prediction(ref, variant):
    losses = masked_spectrogram_loss(
        torch.from_numpy(ref["prediction"]),
        torch.from_numpy(ref["target"]),
        torch.from_numpy(ref[f"mask_label_{variant}"]),
    )
    for ours, theirs in (
        ("loss", "total"),
        ("l1", "l1"),
        ("content_l1", "content_l1"),
        ("content_aware", "content_aware"),
    ):
        expected = float(ref[f"loss_{theirs}_{variant}"])
        assert float(losses[ours]) == pytest.approx(expected, rel=1e-5)


@pytest.mark.shared
def test_prediction_and_loss_with_our_model(ref, shared):
    model = BrainBERT.from_pretrained(shared / "fixtures" / "brainbert_small_official.pth")
    with torch.no_grad():
        prediction = model(
            torch.from_numpy(ref["masked_input"]), torch.from_numpy(ref["attn_mask"])
        )
    assert np.abs(prediction.numpy() - ref["prediction"]).max() <= 1e-4
    losses = masked_spectrogram_loss(
        prediction, torch.from_numpy(ref["target"]), torch.from_numpy(ref["mask_label_reference"])
    )
    assert float(losses["loss"]) == pytest.approx(float(ref["loss_total_reference"]), rel=1e-4)


def test_generator_sampler_statistics_and_rules():
    generator = torch.Generator().manual_seed(0)
    spec = torch.randn(256, 186, 40) + 5.0  # no zeros in the clean input
    padding = torch.zeros(256, 186, dtype=torch.bool)
    padding[1::2, 150:] = True
    masked, label = mask_batch(spec, generator, padding, MaskingConfig(time_mask_p=0.1))
    assert masked.shape == spec.shape and label.shape == spec.shape
    # padded frames untouched and unlabelled
    assert torch.equal(masked[padding], spec[padding])
    assert label[padding].sum() == 0
    # time spans: whole labelled rows, never touching, widths 1..5
    rows = label.amin(dim=2).bool()
    widths = []
    for row in rows[:64]:
        run = 0
        for value in row.tolist() + [False]:
            if value:
                run += 1
            elif run:
                widths.append(run)
                run = 0
    # adjacent spans are separated by at least one frame, so every run is one span
    assert min(widths) >= 1 and max(widths) <= 5
    assert set(widths) == {1, 2, 3, 4, 5}
    # 80 / 10 / 10 over span rows (frequency masking off so rows stay whole)
    only_time = MaskingConfig(time_mask_p=0.1, freq_mask_p=0.0)
    masked_t, label_t = mask_batch(spec, torch.Generator().manual_seed(2), padding, only_time)
    rows_t = label_t.amin(dim=2).bool()
    n = float(rows_t.sum())
    zeroed = float(((masked_t == 0).all(dim=2) & rows_t).sum()) / n
    kept = float(((masked_t == spec).all(dim=2) & rows_t).sum()) / n
    assert 0.75 < zeroed < 0.85 and 0.07 < kept < 0.13 and 0.07 < 1 - zeroed - kept < 0.13
    # frequency spans: whole labelled columns (fixed labels), widths 1..2
    only_freq = MaskingConfig(time_mask_p=0.0, freq_mask_p=0.2)
    masked_f, label_f = mask_batch(spec, torch.Generator().manual_seed(3), None, only_freq)
    cols = label_f.amin(dim=1).bool()
    assert torch.equal(cols, label_f.amax(dim=1).bool())
    zero_cols = float(((masked_f == 0).all(dim=1) & cols).sum()) / float(cols.sum())
    assert 0.72 < zero_cols < 0.88
    # same seed, same masks; different seed, different masks
    again = mask_batch(
        spec, torch.Generator().manual_seed(0), padding, MaskingConfig(time_mask_p=0.1)
    )
    assert torch.equal(again[0], masked) and torch.equal(again[1], label)
    other = mask_batch(
        spec, torch.Generator().manual_seed(1), padding, MaskingConfig(time_mask_p=0.1)
    )
    assert not torch.equal(other[1], label)


def test_generator_sampler_label_modes():
    spec = torch.randn(64, 100, 40)
    fixed = mask_batch(spec, torch.Generator().manual_seed(5))[1]
    buggy = mask_batch(
        spec, torch.Generator().manual_seed(5), config=MaskingConfig(reference_bug=True)
    )[1]
    time_rows = fixed.amin(dim=2).bool()
    assert torch.equal(time_rows, buggy.amin(dim=2).bool())
    # buggy columns are the time spans' indices (< 40) for every valid frame
    for b in range(8):
        cols = buggy[b][~time_rows[b]].amax(0).bool() if (~time_rows[b]).any() else None
        expected = time_rows[b, :40]
        if cols is not None:
            assert torch.equal(cols, expected)


def test_loss_guards_and_gradients():
    target = torch.tensor([[[0.5, 2.0], [0.1, -3.0]]])
    prediction = torch.zeros_like(target, requires_grad=True)
    label = torch.tensor([[[1.0, 1.0], [0.0, 0.0]]])
    losses = masked_spectrogram_loss(prediction, target, label)
    assert losses["l1"].item() == pytest.approx(1.25)
    assert losses["content_l1"].item() == pytest.approx(2.0)
    assert losses["loss"].item() == pytest.approx(5.25)
    losses["loss"].backward()
    assert prediction.grad is not None
    empty = masked_spectrogram_loss(prediction, target, torch.zeros_like(label))
    assert empty["loss"].item() == 0.0
    small = masked_spectrogram_loss(prediction, target * 0.1, label)
    assert small["content_l1"].item() == 0.0


STEPS = 60


def test_objective_learns_below_baseline():
    torch.manual_seed(0)
    model = BrainBERT.from_config(
        "tiny", n_layers=2, d_model=64, d_ff=128, n_heads=4, max_len=64, dropout=0.0
    )
    objective = MaskedSpectrogramObjective(model, time_mask_p=0.15, freq_mask_p=0.15)
    assert objective.model is model
    optimiser = torch.optim.Adam(objective.parameters(), lr=5e-3)
    generator = torch.Generator().manual_seed(0)
    data = torch.Generator().manual_seed(1)
    # smooth spectra: each row a random mixture of slow sinusoids over frequency and time
    freqs = torch.linspace(0, 1, 40)
    frames = torch.linspace(0, 1, 48)

    def make_batch():
        phase = torch.rand(8, 1, 1, generator=data) * 6.28
        slope = torch.rand(8, 1, 1, generator=data) * 3 + 1
        spec = torch.sin(slope * 6.28 * freqs[None, None, :] + phase) * torch.cos(
            3.14 * frames[None, :, None] + phase
        )
        spec = (spec - spec.mean(1, keepdim=True)) / spec.std(1, keepdim=True)
        return {"spec": spec.float()}

    history = []
    for step in range(STEPS):
        out = objective(make_batch(), generator)
        optimiser.zero_grad()
        out["loss"].backward()
        optimiser.step()
        objective.after_step(step, STEPS)
        history.append((out["loss"].item(), out["baseline_loss"].item()))
        assert not out["baseline_loss"].requires_grad
    late = history[-10:]
    loss = np.mean([h[0] for h in late])
    baseline = np.mean([h[1] for h in late])
    assert loss < 0.75 * baseline, history


def test_objective_resumable_and_padded():
    torch.manual_seed(0)
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=64, dropout=0.0)
    objective = MaskedSpectrogramObjective(model, reference_bug=True)
    spec = torch.randn(4, 50, 40)
    padding = torch.zeros(4, 50, dtype=torch.bool)
    padding[2, 30:] = True
    batch = {"spec": spec, "padding_mask": padding}
    generator = torch.Generator().manual_seed(3)
    state = generator.get_state()
    first = objective(batch, generator)
    generator.set_state(state)
    second = objective(batch, generator)
    for key in first:
        assert torch.equal(first[key], second[key]), key
    assert 0 < float(first["masked_fraction"]) < 0.5
    assert set(first) >= {"loss", "baseline_loss", "l1", "content_l1", "masked_fraction"}


def test_options_validated():
    model = BrainBERT.from_config("tiny", n_layers=1, max_len=64)
    with pytest.raises(InvalidParameterError, match="Unknown masking option"):
        MaskedSpectrogramObjective(model, time_p=0.1)
    with pytest.raises(InvalidParameterError):
        MaskingConfig(time_mask_p=1.5)
    with pytest.raises(InvalidParameterError):
        MaskingConfig(time_width=(0, 5))
    with pytest.raises(InvalidParameterError):
        MaskingConfig(keep_p=0.6, replace_p=0.6)
    with pytest.raises(InvalidParameterError):
        MaskedSpectrogramObjective(torch.nn.Linear(2, 2))
    with pytest.raises(ModelInputError):
        mask_batch(torch.zeros(3, 40), torch.Generator())
    assert (KEEP, REPLACE, ZERO) == (0, 1, 2)
