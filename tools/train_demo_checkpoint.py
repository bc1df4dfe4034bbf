"""Train the small demo encoders that ship with ieegrep (``ieegrep demo``).

Usage::

    python tools/train_demo_checkpoint.py [--out ieegrep/datasets/data/demo_checkpoints]
        [--brainbert-steps 1500] [--barista-steps 0] [--seed 0] [--threads 1]

The encoders are ieegrep's own: trained from a random initialisation with
:func:`ieegrep.training.pretrain`, only on

* a simulated dataset (:func:`ieegrep.datasets.make_synthetic_bids`, fixed seed),
* the bundled real sample (:func:`ieegrep.datasets.sample_path`, BSD-3-Clause).

No third-party weights are read. Self-supervised objectives use no labels, so
the sample's seizure-onset event plays no part in training.

Written into ``--out``:

* ``brainbert_demo.pt``: BrainBERT, d_model 64, 2 layers, 4 heads, feed-forward
  256, positions for 512 frames (masked spectrogram modelling, 5-s windows);
* with ``--barista-steps N`` (N > 0), also ``barista_parcel_demo.pt``: BaRISTA
  ``tiny`` at parcel scale (latent reconstruction, channel masking, 3-s
  segments). It is small (about 200 KiB) but not bundled: on one CPU thread a
  step took about 11 s, too slow for a useful number of steps in this script's
  ten-minute budget;
* ``provenance.json``: command, seeds, data, settings, final loss against the
  trivial predictor's, SHA-256 and size of each file, versions, wall time.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

from ieegrep import __version__
from ieegrep.atomic import atomic_write
from ieegrep.datasets import make_synthetic_bids, sample_path
from ieegrep.models.barista import Barista
from ieegrep.models.brainbert import BrainBERT
from ieegrep.models.checkpoints import file_sha256
from ieegrep.training import SegmentDataset, SpectrogramDataset, pretrain
from ieegrep.training.latent_reconstruction import LatentReconstructionObjective
from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "ieegrep" / "datasets" / "data" / "demo_checkpoints"
BRAINBERT_CONFIG = {"d_model": 64, "n_layers": 2, "n_heads": 4, "d_ff": 256, "max_len": 512}
SIMULATION = {"n_subjects": 2, "n_sessions": 1, "duration": 60.0, "max_channels": 40, "seed": 0}


class Combined(torch.utils.data.ConcatDataset):
    """Several pretraining datasets of one kind as one (their collate, merged provenance)."""

    def __init__(self, datasets, names):
        super().__init__(datasets)
        self.names = names
        self.collate = datasets[0].collate
        self.fingerprint = "+".join(d.fingerprint for d in datasets)

    def provenance(self) -> dict:
        parts = {name: d.provenance() for name, d in zip(self.names, self.datasets)}
        for part in parts.values():  # temporary folders mean nothing later
            part.pop("dataset_root", None)
        return {
            "datasets": parts,
            "recordings": [r for d in self.datasets for r in d.recordings],
            "n_examples": len(self),
            "dataset_fingerprint": self.fingerprint,
        }


def _finish(result, path, *, name, settings, model, started):
    with open(result.model_path, "rb") as source, atomic_write(path, "wb") as fid:
        shutil.copyfileobj(source, fid)
    tail = result.final_losses(last=max(1, min(100, result.n_steps // 10)))
    first = result.history.head(max(1, min(100, result.n_steps // 10)))
    return {
        "file": path.name,
        "sha256": file_sha256(path),
        "bytes": path.stat().st_size,
        "model": name,
        "config": model.config,
        "n_parameters": sum(p.numel() for p in model.parameters()),
        "training": settings,
        "first_steps_loss": float(first["loss"].mean()),
        "final_loss": tail["loss"],
        "final_baseline_loss": tail["baseline_loss"],
        "final_ratio_to_baseline": tail["loss"] / tail["baseline_loss"],
        "final_steps_averaged": tail["steps"],
        "wall_time_s": round(time.time() - started, 1),
    }


def _pretrain(objective, data, run, settings, family):
    """Pretrain with the run settings of ``settings``, one checkpoint at the end."""
    steps = settings["n_steps"]
    return pretrain(
        objective,
        data,
        out_dir=run,
        n_steps=steps,
        batch_size=settings["batch_size"],
        lr=settings["lr"],
        weight_decay=settings["weight_decay"],
        schedule=settings["schedule"],
        warmup_steps=settings["warmup_steps"],
        seed=settings["seed"],
        checkpoint_every=steps,
        provenance={"purpose": "ieegrep demo encoder", "model_family": family},
        overwrite=True,
    )


def train_brainbert(sim_root, cache, run, out, steps, seed):
    started = time.time()
    datasets = [
        SpectrogramDataset(root, cache_dir=cache, duration=5.0)
        for root in (sim_root, sample_path())
    ]
    data = Combined(datasets, ["simulated", "bundled_sample"])
    torch.manual_seed(seed)
    model = BrainBERT(**BRAINBERT_CONFIG)
    settings = {
        "objective": "masked spectrogram modelling (MaskedSpectrogramObjective defaults)",
        "n_steps": steps,
        "batch_size": 32,
        "lr": 5e-4,
        "weight_decay": 0.0,
        "schedule": "cosine",
        "warmup_steps": max(1, steps // 20),
        "seed": seed,
        "window_s": 5.0,
        "n_examples": len(data),
    }
    result = _pretrain(MaskedSpectrogramObjective(model), data, run, settings, "brainbert")
    return _finish(
        result, out / "brainbert_demo.pt", name="BrainBERT", settings=settings, model=model,
        started=started,
    )  # fmt: skip


def train_barista(sim_root, cache, run, out, steps, seed):
    started = time.time()
    torch.manual_seed(seed)
    model = Barista.from_preset("tiny", scale="parcel")
    vocabularies = {"parcel": model.vocabulary}
    datasets = [
        SegmentDataset(root, scale="parcel", vocabularies=vocabularies, cache_dir=cache)
        for root in (sim_root, sample_path())
    ]
    data = Combined(datasets, ["simulated", "bundled_sample"])
    settings = {
        "objective": "latent reconstruction, channel masking (LatentReconstructionObjective)",
        "n_steps": steps,
        "batch_size": 16,
        "lr": 1e-3,
        "weight_decay": 1e-2,
        "schedule": "cosine",
        "warmup_steps": max(1, steps // 14),
        "seed": seed,
        "window_s": 3.0,
        "n_examples": len(data),
    }
    objective = LatentReconstructionObjective(model, masking_scale="channel")
    result = _pretrain(objective, data, run, settings, "barista")
    return _finish(
        result, out / "barista_parcel_demo.pt", name="BaRISTA (tiny, parcel scale)",
        settings=settings, model=model, started=started,
    )  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--brainbert-steps", type=int, default=1500)
    parser.add_argument("--barista-steps", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ieegrep-demo-ckpt-") as tmp:
        tmp = Path(tmp)
        sim_root = make_synthetic_bids(tmp / "simulated", n_bad=2, **SIMULATION)
        cache = tmp / "cache"
        models = [
            train_brainbert(
                sim_root, cache, tmp / "bert", args.out, args.brainbert_steps, args.seed
            )
        ]
        if args.barista_steps > 0:
            models.append(
                train_barista(
                    sim_root, cache, tmp / "barista", args.out, args.barista_steps, args.seed
                )  # fmt: skip
            )
    provenance = {
        "description": "Small encoders for 'ieegrep demo', trained by ieegrep from random "
        "initialisation on simulated data and the bundled real sample only; no third-party "
        "weights. Licence: BSD-3-Clause (ieegrep's).",
        "command": "python tools/train_demo_checkpoint.py " + " ".join(argv or sys.argv[1:]),
        "data": {
            "simulated": {"function": "ieegrep.datasets.make_synthetic_bids", **SIMULATION},
            "bundled_sample": "ieegrep.datasets.sample_path(): sub-01 sEEG (10 s), "
            "sub-02 ECoG (21.7 s); mne-misc-data, BSD-3-Clause",
        },
        "preprocessing": "notch ('reference', causal iirnotch), shaft/grid Laplacian, "
        "resampled to 2048 Hz (ieegrep.training datasets' defaults)",
        "models": models,
        "versions": {
            "ieegrep": __version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "torch_threads": args.threads,
        "total_wall_time_s": round(time.time() - started, 1),
    }
    with atomic_write(args.out / "provenance.json", overwrite=True) as fid:
        json.dump(provenance, fid, indent=2)
        fid.write("\n")
    for entry in models:
        print(
            f"{entry['file']}: {entry['bytes'] / 1024:.0f} KiB, {entry['n_parameters']:,} "
            f"parameters, loss {entry['final_loss']:.4f} vs trivial "
            f"{entry['final_baseline_loss']:.4f} (ratio {entry['final_ratio_to_baseline']:.3f})"
        )
    print(f"total {provenance['total_wall_time_s']:.0f} s; provenance in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
