"""The pretraining runner: AdamW, a warm-up schedule, atomic checkpoints, exact resume.

:func:`pretrain` (or :class:`Pretrainer`) trains any *objective* on any map-style
dataset. An objective is a :class:`torch.nn.Module` with

``objective(batch, generator) -> dict``
    ``batch`` is a dict of tensors (the dataset's ``collate``), ``generator`` a
    :class:`torch.Generator` that is the only source of the objective's own
    randomness (masks). The result holds ``"loss"`` (optimised),
    ``"baseline_loss"`` (a trivial predictor's loss, detached) and any other
    detached scalar metrics.
``objective.after_step(step, total_steps)`` (optional)
    Called after every optimiser step with the index of that step (counting
    from 0) and the run's number of steps (EMA updates, ramps).
``objective.model``
    The encoder saved at the end (``model.pt``, ieegrep's checkpoint format);
    an objective with a ``pretrained_encoder()`` method saves what it returns
    instead (BaRISTA's encoder with the EMA tokenizer).

Everything a run needs to continue is saved atomically to ``out_dir/state.pt``
every ``checkpoint_every`` steps, at the end, and when the run is interrupted
(Ctrl-C or SIGTERM, taken at the next step boundary so the state is
consistent): the objective's state (model, EMA copies, mask tokens, ...), the
optimiser and scheduler, the random states (torch CPU and CUDA, NumPy, Python
``random`` and the objective's generator; of every rank), the data position
(epoch and index into that epoch's seeded permutation), the history and the
settings. The file holds only plain Python types and tensors, so it loads with
``torch.load(weights_only=True)``. A run with ``resume=True`` continues from
it and ends bitwise equal to an uninterrupted run on CPU (tested); a state
saved with other settings is refused with a
:class:`~ieegrep.exceptions.TrainingStateError` naming the field that differs.

Data order: epoch ``e`` visits the examples in the permutation
``numpy.random.default_rng([seed, e]).permutation(n)``; batches are
consecutive slices, running on into the next epoch's permutation when an epoch
ends. The learning-rate schedule is a pure function of the step
(:func:`lr_factor`).
"""

from __future__ import annotations

import contextlib
import math
import random
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .. import __version__
from ..atomic import atomic_write
from ..exceptions import InvalidParameterError, OutputExistsError, TrainingStateError
from ..verbosity import logger, verbose
from . import distributed as dist_tools

__all__ = ["Pretrainer", "pretrain", "TrainingResult", "lr_factor", "SCHEDULES", "load_state"]

#: Learning-rate schedules after the linear warm-up.
SCHEDULES = ("cosine", "constant", "step")
STATE_FORMAT = "ieegrep-training-state"
STATE_VERSION = 1


def lr_factor(
    step: int,
    *,
    n_steps: int,
    warmup_steps: int,
    schedule: str = "cosine",
    min_lr_ratio: float = 0.0,
    step_gamma: float = 0.99,
    n_decays: int = 100,
) -> float:
    """Multiplier of the base learning rate at a step.

    Parameters
    ----------
    step : int
        Optimiser step, counting from 0.
    n_steps : int
        Steps of the run.
    warmup_steps : int
        Linear warm-up: step ``k < warmup_steps`` uses ``(k + 1) / warmup_steps``
        (so the first step already moves the weights).
    schedule : ``"cosine"`` | ``"constant"`` | ``"step"``, default ``"cosine"``
        After the warm-up: ``"cosine"`` half-cosine from 1 down to
        ``min_lr_ratio`` at the last step; ``"constant"`` 1; ``"step"``
        BrainBERT's ``RampUp`` (brainbert.md §7.2): multiplied by
        ``step_gamma`` every ``(n_steps - warmup_steps) // n_decays`` steps.
    min_lr_ratio : float
        Floor of the cosine schedule, as a fraction of the base rate (default 0).
    step_gamma : float
        Decay factor of the ``"step"`` schedule (default 0.99).
    n_decays : int
        Number of decays of the ``"step"`` schedule over the run (default 100).

    Returns
    -------
    factor : float
        The learning rate at ``step`` divided by the base rate.
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    after = step - warmup_steps
    span = max(n_steps - warmup_steps, 1)
    if schedule == "constant":
        return 1.0
    if schedule == "step":
        period = max(span // n_decays, 1)
        return float(step_gamma ** (after // period))
    progress = min(after / max(span - 1, 1), 1.0)
    return min_lr_ratio + (1.0 - min_lr_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


@dataclass
class TrainingResult:
    """What a call to :func:`pretrain` did.

    Attributes
    ----------
    out_dir : pathlib.Path
        The run folder.
    step : int
        Steps completed so far (equals ``n_steps`` when the run is complete).
    n_steps : int
        Steps of the whole run.
    history : pandas.DataFrame
        One row per step: ``step`` (1-based), ``loss``, ``baseline_loss``, the
        objective's other metrics, ``lr`` and ``time_s`` (wall time of the step).
    state_path : pathlib.Path
        The training state (``state.pt``).
    model_path : pathlib.Path | None, default None
        The final model (``model.pt``); None until the run is complete.
    settings : dict, optional
        The run's ``Pretrainer.settings`` (empty by default): everything
        that must match for the run to be resumed.
    """

    out_dir: Path
    step: int
    n_steps: int
    history: pd.DataFrame
    state_path: Path
    model_path: Path | None = None
    settings: dict = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        """Whether all ``n_steps`` steps are done."""
        return self.step >= self.n_steps

    def final_losses(self, last: int = 50) -> dict:
        """Mean loss and baseline loss over the last steps.

        Parameters
        ----------
        last : int
            Number of final steps averaged (default 50).

        Returns
        -------
        losses : dict
            ``{"loss": float, "baseline_loss": float, "steps": int}``.
        """
        tail = self.history.tail(last)
        return {
            "loss": float(tail["loss"].mean()) if len(tail) else float("nan"),
            "baseline_loss": float(tail["baseline_loss"].mean()) if len(tail) else float("nan"),
            "steps": len(tail),
        }


# ------------------------------------------------------------------------- helpers
def _check_positive_int(value, name, fix):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidParameterError(
            f"{name} must be a positive integer.", field=name, value=value, fix=fix
        )
    return int(value)


def _numpy_state() -> dict:
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "name": name,
        "keys": torch.from_numpy(keys.astype(np.int64)),
        "pos": int(pos),
        "has_gauss": int(has_gauss),
        "cached_gaussian": float(cached),
    }


def _set_numpy_state(state: dict) -> None:
    np.random.set_state(
        (
            state["name"],
            state["keys"].numpy().astype(np.uint32),
            state["pos"],
            state["has_gauss"],
            state["cached_gaussian"],
        )
    )


def _rng_state(generator: torch.Generator, device: torch.device) -> dict:
    state = {
        "torch": torch.get_rng_state(),
        "numpy": _numpy_state(),
        "python": random.getstate(),
        "generator": generator.get_state(),
    }
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def _set_rng_state(state: dict, generator: torch.Generator, device: torch.device) -> None:
    torch.set_rng_state(state["torch"])
    _set_numpy_state(state["numpy"])
    random.setstate(state["python"])
    generator.set_state(state["generator"])
    if device.type == "cuda" and "cuda" in state:
        torch.cuda.set_rng_state(state["cuda"], device)


def _to_device(batch, device, non_blocking=False):
    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=non_blocking)
    if isinstance(batch, dict):
        return {k: _to_device(v, device, non_blocking) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(v, device, non_blocking) for v in batch)
    return batch


def _scalar(value) -> float:
    if isinstance(value, torch.Tensor):
        return float(value.detach().float().mean())
    return float(value)


def _plain(value):
    """Convert settings to plain JSON-like types (comparable, weights-only loadable)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


class _DeferredInterrupt:
    """Hold SIGINT/SIGTERM during a step; the loop stops at the next step boundary."""

    def __init__(self):
        self.signal = None
        self._old = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        if self.signal is not None:  # second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self.signal = signum
        logger.warning("Interrupted: saving the training state after this step ...")

    def __exit__(self, *exc):
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        return False


# -------------------------------------------------------------------------- runner
class Pretrainer:
    """Train an objective on a dataset, with periodic checkpoints and exact resume.

    Parameters
    ----------
    objective : torch.nn.Module
        The objective (see the module docstring): ``objective(batch, generator)``
        returns a dict with ``"loss"`` and ``"baseline_loss"``; optional
        ``after_step(step, total_steps)``; ``objective.model`` is saved at the end.
    dataset : torch.utils.data.Dataset
        Map-style dataset (``len`` and integer indexing). Its ``collate``
        method, if any, builds batches (else :func:`torch.utils.data.default_collate`);
        its ``provenance()`` and ``fingerprint``, if any, go into the
        checkpoint and the resume check.
    out_dir : path-like
        Run folder: ``state.pt``, ``history.tsv``, ``model.pt``.
    n_steps : int
        Optimiser steps of the whole run (default 1000).
    batch_size : int
        Examples per step *per process* (default 32); the global batch is
        ``batch_size * world_size``.
    lr : float
        Peak learning rate (default 1e-4, BrainBERT's; BaRISTA used 1e-3).
    weight_decay : float
        AdamW decoupled weight decay (default 0.01; BaRISTA's).
    betas : tuple of float
        AdamW betas (default (0.9, 0.999)).
    eps : float
        AdamW epsilon (default 1e-8).
    warmup_steps : int | None
        Linear warm-up steps (default ``int(0.025 * n_steps)``, BrainBERT's
        fraction, at least 1).
    schedule : ``"cosine"`` | ``"constant"`` | ``"step"``
        Schedule after warm-up (default ``"cosine"``; ``"step"`` is
        BrainBERT's); see :func:`lr_factor`.
    min_lr_ratio : float
        Floor of the cosine schedule (default 0).
    grad_clip : float | None
        Global L2 norm clip (default 1.0, BrainBERT's); None disables it.
    seed : int
        Seed of everything random in the run (default 0): data order, the
        objective's generator, dropout. The model's initial weights are the
        caller's: seed before building it.
    checkpoint_every : int
        Save the state every this many steps (default 500).
    device : str | torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ... (default ``"cpu"``). Under
        ``torchrun`` with CUDA, each rank takes ``cuda:LOCAL_RANK``.
    bf16 : bool
        bfloat16 autocast of the forward pass on CUDA (default True; never on CPU,
        so CPU runs stay exactly reproducible).
    provenance : dict | None, default None
        Extra provenance stored with the final model (merged over the dataset's).
    progress : bool
        Show a tqdm progress bar with the loss (default True; rank 0 only).
    step_hook : callable | None, default None
        ``step_hook(step, objective, metrics)`` after each completed step
        (``step`` 1-based) — for monitoring and tests.
    overwrite : bool
        Start afresh in a folder that holds a previous run's state (default
        False: refuse unless ``resume``).
    """

    def __init__(
        self,
        objective,
        dataset,
        *,
        out_dir,
        n_steps: int = 1000,
        batch_size: int = 32,
        lr: float = 1e-4,
        weight_decay: float = 0.01,
        betas=(0.9, 0.999),
        eps: float = 1e-8,
        warmup_steps: int | None = None,
        schedule: str = "cosine",
        min_lr_ratio: float = 0.0,
        grad_clip: float | None = 1.0,
        seed: int = 0,
        checkpoint_every: int = 500,
        device="cpu",
        bf16: bool = True,
        provenance: dict | None = None,
        progress: bool = True,
        step_hook=None,
        overwrite: bool = False,
    ):
        if not isinstance(objective, torch.nn.Module) or not callable(objective):
            raise InvalidParameterError(
                "The objective must be a torch.nn.Module called as objective(batch, generator).",
                field="objective",
                value=type(objective).__name__,
                fix="Pass e.g. MaskedSpectrogramObjective(BrainBERT(...)).",
            )
        try:
            n_examples = len(dataset)
        except TypeError:
            raise InvalidParameterError(
                "The dataset must be map-style (len() and integer indexing).",
                field="dataset",
                value=type(dataset).__name__,
                fix="Use ieegrep.training.SpectrogramDataset or SegmentDataset.",
            ) from None
        if n_examples < 1:
            raise InvalidParameterError(
                "The dataset holds no example.",
                field="dataset",
                value=n_examples,
                fix="Check the recordings selected and the window length.",
            )
        self.n_steps = _check_positive_int(n_steps, "n_steps", "Pass e.g. n_steps=1000.")
        self.batch_size = _check_positive_int(batch_size, "batch_size", "Pass e.g. batch_size=32.")
        self.checkpoint_every = _check_positive_int(
            checkpoint_every, "checkpoint_every", "Pass e.g. checkpoint_every=500."
        )
        if schedule not in SCHEDULES:
            raise InvalidParameterError(
                "Unknown learning-rate schedule.",
                field="schedule",
                value=schedule,
                fix=f"Use one of {', '.join(repr(s) for s in SCHEDULES)}.",
            )
        for name, value in (("lr", lr), ("eps", eps)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise InvalidParameterError(
                    f"{name} must be a positive number.",
                    field=name,
                    value=value,
                    fix="Pass e.g. lr=1e-4." if name == "lr" else "Pass e.g. eps=1e-8.",
                )
        if not (np.isfinite(weight_decay) and weight_decay >= 0):
            raise InvalidParameterError(
                "weight_decay must be a non-negative number.",
                field="weight_decay",
                value=weight_decay,
                fix="Pass e.g. weight_decay=0.01.",
            )
        if grad_clip is not None and not (np.isfinite(grad_clip) and grad_clip > 0):
            raise InvalidParameterError(
                "grad_clip must be a positive number or None.",
                field="grad_clip",
                value=grad_clip,
                fix="Pass e.g. grad_clip=1.0, or None to disable clipping.",
            )
        if warmup_steps is None:
            warmup_steps = max(int(0.025 * self.n_steps), 1)
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, (int, np.integer)):
            raise InvalidParameterError(
                "warmup_steps must be an integer.",
                field="warmup_steps",
                value=warmup_steps,
                fix="Pass e.g. warmup_steps=100, or None for 2.5% of n_steps.",
            )
        if warmup_steps < 0 or warmup_steps > self.n_steps:
            raise InvalidParameterError(
                "warmup_steps must lie between 0 and n_steps.",
                field="warmup_steps",
                value=warmup_steps,
                fix=f"Pass an integer in [0, {self.n_steps}].",
            )
        self.objective = objective
        self.dataset = dataset
        self.n_examples = int(n_examples)
        self.out_dir = Path(out_dir)
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.betas = tuple(float(b) for b in betas)
        self.eps = float(eps)
        self.warmup_steps = int(warmup_steps)
        self.schedule = schedule
        self.min_lr_ratio = float(min_lr_ratio)
        self.grad_clip = None if grad_clip is None else float(grad_clip)
        self.seed = int(seed)
        self.bf16 = bool(bf16)
        self.extra_provenance = dict(provenance or {})
        self.progress = bool(progress)
        self.step_hook = step_hook
        self.overwrite = bool(overwrite)
        self.ctx = dist_tools.init_distributed(device)
        device = torch.device(device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", self.ctx.local_rank if self.ctx.distributed else 0)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise InvalidParameterError(
                "CUDA was asked for but is not available.",
                field="device",
                value=str(device),
                fix="Pass device='cpu', or install a CUDA build of PyTorch on a GPU machine.",
            )
        self.device = device
        self.collate = getattr(dataset, "collate", None) or torch.utils.data.default_collate
        self._permutations: dict[int, np.ndarray] = {}

    # ---- settings
    @property
    def settings(self) -> dict:
        """Everything that must match for a state to be resumed (plain types)."""
        model = getattr(self.objective, "model", None)
        return _plain(
            {
                "objective": type(self.objective).__name__,
                "model": type(model).__name__ if model is not None else None,
                "model_config": getattr(model, "config", None),
                "dataset": type(self.dataset).__name__,
                "dataset_fingerprint": getattr(self.dataset, "fingerprint", None),
                "n_examples": self.n_examples,
                "n_steps": self.n_steps,
                "batch_size": self.batch_size,
                "world_size": self.ctx.world_size,
                "lr": self.lr,
                "weight_decay": self.weight_decay,
                "betas": self.betas,
                "eps": self.eps,
                "warmup_steps": self.warmup_steps,
                "schedule": self.schedule,
                "min_lr_ratio": self.min_lr_ratio,
                "grad_clip": self.grad_clip,
                "seed": self.seed,
                "bf16": self.bf16 and self.device.type == "cuda",
            }
        )

    @property
    def state_path(self) -> Path:
        """``out_dir / "state.pt"``."""
        return self.out_dir / "state.pt"

    @property
    def history_path(self) -> Path:
        """``out_dir / "history.tsv"``."""
        return self.out_dir / "history.tsv"

    @property
    def model_path(self) -> Path:
        """``out_dir / "model.pt"``."""
        return self.out_dir / "model.pt"

    # ---- data order
    def _permutation(self, epoch: int) -> np.ndarray:
        if epoch not in self._permutations:
            if len(self._permutations) > 4:
                self._permutations.pop(min(self._permutations))
            rng = np.random.default_rng([self.seed, epoch])
            self._permutations[epoch] = rng.permutation(self.n_examples)
        return self._permutations[epoch]

    def _take(self, epoch: int, index: int, count: int):
        out = []
        while len(out) < count:
            order = self._permutation(epoch)
            take = min(count - len(out), self.n_examples - index)
            out.extend(order[index : index + take].tolist())
            index += take
            if index >= self.n_examples:
                epoch, index = epoch + 1, 0
        return out, epoch, index

    # ---- state
    def _check_settings(self, saved: dict) -> None:
        current = self.settings
        for key in sorted(set(current) | set(saved)):
            if current.get(key) != saved.get(key):
                raise TrainingStateError(
                    "The saved training state was made with other settings; it cannot be resumed.",
                    file=self.state_path,
                    field=key,
                    value={"saved": saved.get(key), "now": current.get(key)},
                    fix="Resume with the saved settings, or start a new run in another "
                    "folder (or overwrite=True / --overwrite).",
                )

    def _save_state(self, step, epoch, index, history, optimizer, scheduler, generator):
        rng = dist_tools.all_gather(_rng_state(generator, self.device), self.ctx)
        if not self.ctx.is_main:
            dist_tools.barrier(self.ctx)
            return
        objective = dist_tools.unwrap(self.objective)
        state = {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "ieegrep_version": __version__,
            "settings": self.settings,
            "step": int(step),
            "data": {"epoch": int(epoch), "index": int(index)},
            "objective": {k: v.detach().cpu() for k, v in objective.state_dict().items()},
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "rng": rng,
            "history": {k: list(v) for k, v in history.items()},
        }
        with atomic_write(self.state_path, "wb") as fid:
            torch.save(state, fid)
        self._write_history(history)
        logger.info("Saved the training state at step %d to %s", step, self.state_path)
        dist_tools.barrier(self.ctx)

    def _write_history(self, history) -> None:
        table = pd.DataFrame(history)
        with atomic_write(self.history_path, newline="") as fid:
            table.to_csv(fid, sep="\t", index=False, float_format="%.8g")

    def _save_model(self, step) -> Path | None:
        if not self.ctx.is_main:
            return None
        objective = dist_tools.unwrap(self.objective)
        # an objective may assemble the kept encoder (BaRISTA keeps its EMA tokenizer)
        encoder = getattr(objective, "pretrained_encoder", None)
        model = encoder() if callable(encoder) else getattr(objective, "model", None)
        if model is None:
            logger.warning("The objective has no .model; no model.pt written.")
            return None
        provenance = {}
        describe = getattr(self.dataset, "provenance", None)
        if callable(describe):
            provenance.update(describe())
        provenance.update(self.extra_provenance)
        provenance.update(
            {
                "training": {
                    "objective": type(objective).__name__,
                    "steps": int(step),
                    "seed": self.seed,
                    "settings": self.settings,
                    "state_file": str(self.state_path),
                    "history_file": str(self.history_path),
                },
                "ieegrep_version": __version__,
            }
        )
        provenance = _plain(provenance)
        if hasattr(model, "save_pretrained"):
            model.save_pretrained(self.model_path, provenance=provenance)
        else:  # a plain module: same format, family from its class name
            from ..models.checkpoints import save_checkpoint

            save_checkpoint(
                self.model_path,
                model=getattr(model, "model_name", "") or type(model).__name__.lower(),
                config=_plain(dict(getattr(model, "config", {}))),
                state_dict=model.state_dict(),
                provenance=provenance,
            )
        logger.info("Saved the model to %s", self.model_path)
        return self.model_path

    # ---- main loop
    @verbose
    def run(
        self, *, resume: bool = False, max_steps_this_call: int | None = None, verbose=None
    ) -> TrainingResult:
        """Train until ``n_steps`` (or ``max_steps_this_call`` more steps).

        Parameters
        ----------
        resume : bool
            Continue from ``out_dir/state.pt`` if it exists (default False:
            start afresh; a folder holding a state is then refused unless
            ``overwrite``).
        max_steps_this_call : int | None, default None
            Stop (saving the state) after this many steps in this call — to
            split a run over several jobs. None: run to ``n_steps``.
        verbose : bool | str | int | None, default None
            Log level.

        Returns
        -------
        result : TrainingResult
            Steps done, history and paths of the state and (once complete) the
            final model.

        Raises
        ------
        ieegrep.exceptions.TrainingStateError
            The saved state does not fit (other settings, other objective).
        KeyboardInterrupt
            After saving the state, when interrupted.
        """
        if max_steps_this_call is not None:
            max_steps_this_call = _check_positive_int(
                max_steps_this_call, "max_steps_this_call", "Pass a positive integer or None."
            )
        if self.ctx.is_main:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        dist_tools.barrier(self.ctx)
        objective = self.objective.to(self.device)
        generator = torch.Generator(device="cpu")
        params = [p for p in objective.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(
            params, lr=self.lr, betas=self.betas, eps=self.eps, weight_decay=self.weight_decay
        )

        def factor(k):
            return lr_factor(
                k,
                n_steps=self.n_steps,
                warmup_steps=self.warmup_steps,
                schedule=self.schedule,
                min_lr_ratio=self.min_lr_ratio,
            )

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
        step, epoch, index = 0, 0, 0
        saved_step = -1  # the step whose state is on disk
        history: dict[str, list] = {}
        if resume and self.state_path.exists():
            state = load_state(self.state_path)
            self._check_settings(state["settings"])
            try:
                objective.load_state_dict(state["objective"])
            except RuntimeError as err:
                raise TrainingStateError(
                    "The saved objective state does not fit this objective.",
                    file=self.state_path,
                    field="objective",
                    value=str(err).splitlines()[0],
                    fix="Resume with the same model and objective settings.",
                ) from None
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            step = int(state["step"])
            epoch, index = int(state["data"]["epoch"]), int(state["data"]["index"])
            history = {k: list(v) for k, v in state["history"].items()}
            _set_rng_state(state["rng"][self.ctx.rank], generator, self.device)
            saved_step = step
            logger.info("Resuming at step %d of %d from %s", step, self.n_steps, self.state_path)
        else:
            if not resume and not self.overwrite and self.state_path.exists():
                raise OutputExistsError(
                    "The run folder holds the state of a previous run.",
                    file=self.state_path,
                    fix="Pass resume=True (--resume) to continue it, overwrite=True "
                    "(--overwrite) to start afresh, or choose another folder.",
                )
            torch.manual_seed(self.seed)
            np.random.seed(self.seed % 2**32)
            random.seed(self.seed)
            generator.manual_seed(dist_tools.rank_seed(self.seed, self.ctx.rank))
        trainable = dist_tools.wrap(objective, self.ctx, self.device)
        inner = dist_tools.unwrap(trainable)
        after_step = getattr(inner, "after_step", None)
        stop_at = self.n_steps
        if max_steps_this_call is not None:
            stop_at = min(self.n_steps, step + max_steps_this_call)
        global_batch = self.batch_size * self.ctx.world_size
        autocast = (
            torch.autocast("cuda", dtype=torch.bfloat16)
            if self.bf16 and self.device.type == "cuda"
            else contextlib.nullcontext()
        )
        from tqdm.auto import tqdm

        bar = tqdm(
            total=self.n_steps,
            initial=step,
            desc="Pretraining",
            unit="step",
            disable=not (self.progress and self.ctx.is_main),
        )
        interrupted = False
        try:
            with _DeferredInterrupt() as interrupt:
                while step < stop_at:
                    tic = time.perf_counter()
                    indices, next_epoch, next_index = self._take(epoch, index, global_batch)
                    local = dist_tools.shard(indices, self.ctx)
                    batch = self.collate([self.dataset[i] for i in local])
                    batch = _to_device(batch, self.device, non_blocking=True)
                    trainable.train()
                    optimizer.zero_grad(set_to_none=True)
                    with autocast:
                        out = trainable(batch, generator)
                    loss = out["loss"]
                    if not torch.isfinite(loss.detach()).all():
                        raise InvalidParameterError(
                            "The loss is not finite; training cannot go on.",
                            field="lr",
                            value=self.lr,
                            fix="Lower the learning rate, keep gradient clipping on, and check "
                            "the data for NaN or constant segments.",
                        )
                    loss.backward()
                    if self.grad_clip is not None:
                        torch.nn.utils.clip_grad_norm_(params, self.grad_clip)
                    lr_now = optimizer.param_groups[0]["lr"]
                    optimizer.step()
                    scheduler.step()
                    if after_step is not None:
                        after_step(step, self.n_steps)
                    step += 1
                    epoch, index = next_epoch, next_index
                    metrics = {k: _scalar(v) for k, v in out.items()}
                    metrics = dist_tools.mean_over_ranks(metrics, self.ctx)
                    row = {"step": step, **metrics, "lr": lr_now}
                    row["time_s"] = time.perf_counter() - tic
                    for key, value in row.items():
                        history.setdefault(key, [float("nan")] * (step - 1)).append(value)
                    for key in history:
                        if len(history[key]) < step:
                            history[key].append(float("nan"))
                    bar.update(1)
                    bar.set_postfix(
                        loss=f"{metrics['loss']:.4f}",
                        baseline=f"{metrics.get('baseline_loss', float('nan')):.4f}",
                        refresh=False,
                    )
                    if step % self.checkpoint_every == 0 or step == stop_at:
                        self._save_state(
                            step, epoch, index, history, optimizer, scheduler, generator
                        )
                        saved_step = step
                    if self.step_hook is not None:
                        self.step_hook(step, inner, metrics)
                    if interrupt.signal is not None:
                        interrupted = True
                        break
        except KeyboardInterrupt:
            interrupted = True
        finally:
            bar.close()
        if interrupted:
            if saved_step != step:
                self._save_state(step, epoch, index, history, optimizer, scheduler, generator)
            logger.warning(
                "Stopped at step %d of %d; the state is in %s (resume to continue).",
                step,
                self.n_steps,
                self.state_path,
            )
            raise KeyboardInterrupt
        if saved_step != step and step > 0:
            self._save_state(step, epoch, index, history, optimizer, scheduler, generator)
        model_path = None
        if step >= self.n_steps:
            model_path = self._save_model(step)
            dist_tools.barrier(self.ctx)
        return TrainingResult(
            out_dir=self.out_dir,
            step=step,
            n_steps=self.n_steps,
            history=pd.DataFrame(history),
            state_path=self.state_path,
            model_path=model_path,
            settings=self.settings,
        )


def load_state(path) -> dict:
    """Read a training state written by :class:`Pretrainer` (weights only, no code run).

    Parameters
    ----------
    path : path-like
        A ``state.pt`` file.

    Returns
    -------
    state : dict
        ``settings``, ``step``, ``data`` (``epoch``, ``index``), ``objective``,
        ``optimizer``, ``scheduler``, ``rng`` (one dict per rank), ``history``.

    Raises
    ------
    ieegrep.exceptions.TrainingStateError
        The file cannot be read or is not an ieegrep training state.
    """
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any failure means the file is unusable
        raise TrainingStateError(
            "The training state cannot be read.",
            file=path,
            value=f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}",
            fix="Delete the file and start the run afresh (the state may be from a "
            "killed write of an older ieegrep, or not a state at all).",
        ) from None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise TrainingStateError(
            "The file is not an ieegrep training state.",
            file=path,
            field="format",
            value=state.get("format") if isinstance(state, dict) else type(state).__name__,
            fix="Point to the state.pt written by ieegrep pretrain.",
        )
    if state.get("version") != STATE_VERSION:
        raise TrainingStateError(
            "The training state has an unsupported version.",
            file=path,
            field="version",
            value=state.get("version"),
            fix=f"Use the ieegrep version that wrote it ({state.get('ieegrep_version')}).",
        )
    return state


@verbose
def pretrain(
    objective,
    dataset,
    *,
    out_dir,
    resume: bool = False,
    max_steps_this_call: int | None = None,
    verbose=None,
    **settings,
) -> TrainingResult:
    """Pretrain an objective on a dataset (a :class:`Pretrainer` run).

    Parameters
    ----------
    objective : torch.nn.Module
        The objective (see :mod:`ieegrep.training.runner`).
    dataset : torch.utils.data.Dataset
        Map-style dataset, e.g. :class:`~ieegrep.training.SpectrogramDataset`.
    out_dir : path-like
        Run folder.
    resume : bool
        Continue from ``out_dir/state.pt`` (default False).
    max_steps_this_call : int | None, default None
        Stop after this many steps in this call (state saved); None: run to
        ``n_steps``.
    verbose : bool | str | int | None, default None
        Log level.
    **settings
        :class:`Pretrainer` options: ``n_steps``, ``batch_size``, ``lr``,
        ``weight_decay``, ``betas``, ``eps``, ``warmup_steps``, ``schedule``,
        ``min_lr_ratio``, ``grad_clip``, ``seed``, ``checkpoint_every``,
        ``device``, ``bf16``, ``provenance``, ``progress``, ``step_hook``,
        ``overwrite``.

    Returns
    -------
    result : TrainingResult
        Steps done, history and paths of the state and (once complete) the
        final model.
    """
    trainer = Pretrainer(objective, dataset, out_dir=out_dir, **settings)
    return trainer.run(resume=resume, max_steps_this_call=max_steps_this_call)
