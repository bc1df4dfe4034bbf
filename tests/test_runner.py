"""The pretraining runner: schedule, checkpoints, exact resume after kill/interrupt, settings check.

A toy objective (below) follows the objective protocol and uses every random
stream the runner must restore: its mask generator, dropout (torch's global
RNG), the data order, and an EMA buffer updated in ``after_step``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from ieegrep.exceptions import (
    InvalidParameterError,
    OutputExistsError,
    TrainingStateError,
)
from ieegrep.training.runner import Pretrainer, load_state, lr_factor, pretrain

TESTS = Path(__file__).resolve().parent


class ToyDataset(torch.utils.data.Dataset):
    """37 examples of 8 features, feature 1 predictable from feature 0."""

    def __init__(self, n=37, d=8, seed=0):
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((n, d)).astype(np.float32)
        self.x[:, 1] = 0.9 * self.x[:, 0]
        self.fingerprint = f"toy-{n}-{d}-{seed}"

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"x": torch.from_numpy(self.x[i]), "index": torch.tensor(i)}

    def provenance(self):
        return {"dataset": "toy", "n_examples": len(self)}


class ToyModel(nn.Module):
    def __init__(self, d=8, hidden=16, dropout=0.1):
        super().__init__()
        self.config = {"d": d, "hidden": hidden, "dropout": dropout}
        self.net = nn.Sequential(
            nn.Linear(d, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, d)
        )

    def forward(self, x):
        return self.net(x)


class ToyObjective(nn.Module):
    """Masked feature reconstruction; the baseline predicts 0 (the mean)."""

    def __init__(self, model, p=0.3):
        super().__init__()
        self.model = model
        self.p = p
        self.register_buffer("ema", torch.zeros(()))

    def forward(self, batch, generator):
        x = batch["x"]
        mask = torch.rand(x.shape, generator=generator) < self.p
        mask[:, 1] = True
        pred = self.model(x.masked_fill(mask, 0.0))
        return {
            "loss": ((pred - x) ** 2)[mask].mean(),
            "baseline_loss": (x**2)[mask].mean().detach(),
            "mask_ratio": mask.float().mean(),
        }

    def after_step(self, step, total_steps):
        with torch.no_grad():
            self.ema.mul_(0.5).add_(float(step) / total_steps)


SETTINGS = dict(
    n_steps=20, batch_size=8, lr=1e-2, checkpoint_every=4, seed=3, warmup_steps=3, progress=False
)


def make_objective(seed=0):
    torch.manual_seed(seed)
    return ToyObjective(ToyModel())


def assert_same_objective(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key], sb[key]), key


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """An uninterrupted run with SETTINGS."""
    out = tmp_path_factory.mktemp("reference")
    objective = make_objective()
    result = pretrain(objective, ToyDataset(), out_dir=out, **SETTINGS)
    return objective, result


# ---------------------------------------------------------------------------- schedule
def test_lr_schedule_shapes():
    f = [lr_factor(k, n_steps=100, warmup_steps=10) for k in range(100)]
    assert f[0] == pytest.approx(0.1) and f[9] == pytest.approx(1.0)
    assert f[10] == pytest.approx(1.0) and f[-1] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(f[10:]) <= 0)
    s = [lr_factor(k, n_steps=1100, warmup_steps=100, schedule="step") for k in range(1100)]
    # BrainBERT's RampUp: x0.99 every (1100 - 100) / 100 = 10 steps after the warm-up
    assert s[100] == 1.0 and s[109] == 1.0 and s[110] == pytest.approx(0.99)
    assert s[-1] == pytest.approx(0.99**99)
    assert lr_factor(50, n_steps=100, warmup_steps=0, schedule="constant") == 1.0


def test_history_and_files(reference_run):
    objective, result = reference_run
    assert result.completed and result.step == SETTINGS["n_steps"]
    table = pd.read_csv(result.out_dir / "history.tsv", sep="\t")
    assert list(table["step"]) == list(range(1, 21))
    for column in ("loss", "baseline_loss", "mask_ratio", "lr", "time_s"):
        assert column in table.columns
    expected_lr = [
        SETTINGS["lr"] * lr_factor(k, n_steps=20, warmup_steps=3, schedule="cosine")
        for k in range(20)
    ]
    np.testing.assert_allclose(table["lr"], expected_lr, rtol=1e-6)
    # the toy learns feature 1 from feature 0: well under the trivial predictor
    assert table["loss"].tail(5).mean() < table["baseline_loss"].tail(5).mean()
    assert result.model_path.exists()


def test_state_is_weights_only_and_complete(reference_run):
    _, result = reference_run
    state = torch.load(result.state_path, weights_only=True)
    assert state["step"] == 20
    # 20 steps x 8 examples = 160 = 4 epochs of 37 + 12
    assert state["data"] == {"epoch": 4, "index": 12}
    assert {"torch", "numpy", "python", "generator"} <= set(state["rng"][0])
    assert "model.net.0.weight" in state["objective"] and "ema" in state["objective"]
    assert state["optimizer"]["state"] and state["scheduler"]["last_epoch"] == 20


def test_final_model_checkpoint(reference_run):
    from ieegrep.models.checkpoints import read_checkpoint

    objective, result = reference_run
    checkpoint = read_checkpoint(result.model_path)
    assert checkpoint.config == objective.model.config
    for key, value in objective.model.state_dict().items():
        assert torch.equal(checkpoint.state_dict[key], value)
    training = checkpoint.provenance["training"]
    assert training["steps"] == 20 and training["seed"] == 3
    assert checkpoint.provenance["dataset"] == "toy"
    assert "ieegrep_version" in checkpoint.provenance


def test_deterministic_per_seed(reference_run, tmp_path):
    objective, result = reference_run
    again = make_objective()
    second = pretrain(again, ToyDataset(), out_dir=tmp_path / "a", **SETTINGS)
    assert_same_objective(objective, again)
    pd.testing.assert_series_equal(second.history["loss"], result.history["loss"])
    other = make_objective()
    pretrain(other, ToyDataset(), out_dir=tmp_path / "b", **{**SETTINGS, "seed": 4})
    assert not torch.equal(other.model.net[0].weight, objective.model.net[0].weight)


def test_resume_after_max_steps_is_bitwise_equal(reference_run, tmp_path):
    objective, result = reference_run
    resumed = make_objective()
    first = pretrain(resumed, ToyDataset(), out_dir=tmp_path, max_steps_this_call=7, **SETTINGS)
    assert first.step == 7 and not first.completed and first.model_path is None
    # a fresh process would start from new objects, with other weights and RNG states
    torch.manual_seed(1234)
    np.random.seed(99)
    resumed = make_objective(seed=42)
    second = pretrain(resumed, ToyDataset(), out_dir=tmp_path, resume=True, **SETTINGS)
    assert second.completed
    assert_same_objective(objective, resumed)
    pd.testing.assert_frame_equal(
        second.history.drop(columns="time_s"), result.history.drop(columns="time_s")
    )


def test_crash_between_checkpoints_resumes_from_last_state(reference_run, tmp_path):
    objective, _ = reference_run

    def crash(step, obj, metrics):
        if step == 10:
            raise RuntimeError("simulated crash")

    with pytest.raises(RuntimeError, match="simulated"):
        pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, step_hook=crash, **SETTINGS)
    assert load_state(tmp_path / "state.pt")["step"] == 8  # last periodic checkpoint
    assert len(pd.read_csv(tmp_path / "history.tsv", sep="\t")) == 8
    resumed = make_objective(seed=5)
    pretrain(resumed, ToyDataset(), out_dir=tmp_path, resume=True, **SETTINGS)
    assert_same_objective(objective, resumed)


def test_keyboard_interrupt_saves_state(reference_run, tmp_path):
    objective, _ = reference_run

    def interrupt(step, obj, metrics):
        if step == 6:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, step_hook=interrupt, **SETTINGS)
    assert load_state(tmp_path / "state.pt")["step"] == 6  # not the last checkpoint (4)
    resumed = make_objective(seed=5)
    pretrain(resumed, ToyDataset(), out_dir=tmp_path, resume=True, **SETTINGS)
    assert_same_objective(objective, resumed)


_CHILD = """
import sys, time, torch
sys.path.insert(0, {tests!r})
from test_runner import SETTINGS, ToyDataset, make_objective
from ieegrep.training.runner import pretrain

def slow(step, obj, metrics):
    print("step", step, flush=True)
    if step >= 5:
        time.sleep(0.25)  # leave the parent time to kill us mid-run

pretrain(make_objective(), ToyDataset(), out_dir={out!r}, step_hook=slow, **SETTINGS)
"""


def _run_child_until(out: Path, min_step: int, sig) -> subprocess.Popen:
    code = _CHILD.format(tests=str(TESTS), out=str(out))
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    for line in child.stdout:
        if line.startswith("step") and int(line.split()[1]) >= min_step:
            break
        assert time.monotonic() < deadline
    os.kill(child.pid, sig)
    child.communicate(timeout=60)
    return child


def test_sigkill_then_resume_is_bitwise_equal(reference_run, tmp_path):
    objective, _ = reference_run
    child = _run_child_until(tmp_path, 9, signal.SIGKILL)
    assert child.returncode == -signal.SIGKILL
    state = load_state(tmp_path / "state.pt")
    assert 8 <= state["step"] < SETTINGS["n_steps"]  # killed partway, after a checkpoint
    assert not (tmp_path / "model.pt").exists()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    resumed = make_objective(seed=7)
    pretrain(resumed, ToyDataset(), out_dir=tmp_path, resume=True, **SETTINGS)
    assert_same_objective(objective, resumed)
    assert all(name.endswith(".tmp") for name in leftovers)


def test_sigint_saves_state_at_step_boundary(reference_run, tmp_path):
    objective, _ = reference_run
    child = _run_child_until(tmp_path, 6, signal.SIGINT)
    assert child.returncode != 0
    step = load_state(tmp_path / "state.pt")["step"]
    assert 6 <= step < SETTINGS["n_steps"]
    resumed = make_objective(seed=7)
    pretrain(resumed, ToyDataset(), out_dir=tmp_path, resume=True, **SETTINGS)
    assert_same_objective(objective, resumed)


# ------------------------------------------------------------------------ refusals
@pytest.mark.parametrize(
    ("change", "field"),
    [({"lr": 2e-2}, "lr"), ({"batch_size": 4}, "batch_size"), ({"seed": 9}, "seed")],
)
def test_resume_refuses_other_settings(tmp_path, change, field):
    pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, max_steps_this_call=2, **SETTINGS)
    with pytest.raises(TrainingStateError) as info:
        pretrain(
            make_objective(), ToyDataset(), out_dir=tmp_path, resume=True, **{**SETTINGS, **change}
        )
    assert info.value.field == field


def test_resume_refuses_other_dataset(tmp_path):
    pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, max_steps_this_call=2, **SETTINGS)
    with pytest.raises(TrainingStateError) as info:
        pretrain(make_objective(), ToyDataset(n=40), out_dir=tmp_path, resume=True, **SETTINGS)
    assert info.value.field == "dataset_fingerprint"


def test_fresh_run_refuses_existing_state(tmp_path):
    pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, max_steps_this_call=1, **SETTINGS)
    with pytest.raises(OutputExistsError):
        pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, **SETTINGS)
    result = pretrain(
        make_objective(), ToyDataset(), out_dir=tmp_path, overwrite=True, max_steps_this_call=1,
        **SETTINGS,
    )  # fmt: skip
    assert result.step == 1


def test_corrupt_state_is_reported(tmp_path):
    (tmp_path / "state.pt").write_bytes(b"not a state")
    with pytest.raises(TrainingStateError, match="cannot be read"):
        pretrain(make_objective(), ToyDataset(), out_dir=tmp_path, resume=True, **SETTINGS)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("n_steps", 0),
        ("batch_size", -1),
        ("lr", 0.0),
        ("schedule", "linear"),
        ("warmup_steps", 50),
        ("grad_clip", -1.0),
    ],
)
def test_invalid_settings(tmp_path, option, value):
    with pytest.raises(InvalidParameterError) as info:
        Pretrainer(make_objective(), ToyDataset(), out_dir=tmp_path, **{**SETTINGS, option: value})
    assert info.value.field == option


def test_non_finite_loss_stops(tmp_path):
    data = ToyDataset()
    data.x[:] = np.nan
    with pytest.raises(InvalidParameterError, match="not finite"):
        pretrain(make_objective(), data, out_dir=tmp_path, **SETTINGS)
