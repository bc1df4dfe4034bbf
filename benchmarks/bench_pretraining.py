"""Short CPU pretraining of both encoders on a simulated BIDS dataset: loss vs the trivial predictor.

Run ``python benchmarks/bench_pretraining.py`` (``--help`` for sizes). It writes a
simulated dataset (:func:`ieegrep.datasets.make_synthetic_bids`), pretrains

* BrainBERT (masked spectrogram modelling, :mod:`ieegrep.training.masked_spectrogram`)
  on per-channel STFT windows, and
* BaRISTA (spatially masked latent reconstruction,
  :mod:`ieegrep.training.latent_reconstruction`) on multi-channel segments,

with :func:`ieegrep.training.pretrain`, and prints for each the loss of the first and
last steps next to the trivial predictor's loss on the same masked positions
(predicting the z-scored mean), the ratio, and steps/s. The loss curves are saved as
PNGs next to ``history.tsv`` in ``--out``. Timings are printed, never asserted.

Defaults: both models start from a mimetic attention initialisation
(:func:`ieegrep.models.mimetic_init`; ``--init default`` for PyTorch's). BrainBERT
tiny without dropout, batch 8, learning rate 3e-3, 1,200 steps; BaRISTA small (the
authors' width, 2 layers) at channel scale, predictor without dropout, batch 4,
learning rate 1e-3, 2,000 steps, encoder also trained through the
channel-reconstruction head, masked tokens hidden as attention keys (the objective's
default). From the default initialisation a masked token must
first learn to find its neighbours (nearby frames; same-time tokens of nearby
contacts), and the loss stays near the trivial predictor's for hundreds of steps.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import torch  # noqa: E402

from ieegrep.datasets import make_synthetic_bids  # noqa: E402
from ieegrep.models.barista import Barista  # noqa: E402
from ieegrep.models.brainbert import BrainBERT  # noqa: E402
from ieegrep.models.initialisation import mimetic_init  # noqa: E402
from ieegrep.training import SegmentDataset, SpectrogramDataset, pretrain  # noqa: E402
from ieegrep.training.latent_reconstruction import LatentReconstructionObjective  # noqa: E402
from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective  # noqa: E402
from ieegrep.viz import plot_training_history  # noqa: E402


def _summary(name, result, seconds, n_steps, first=20, last=50):
    history = result.history
    head = history.iloc[:first]
    tail = history.iloc[-last:]
    rows = [("loss", "baseline_loss")]
    extra = [c for c in ("reconstruction_loss", "reconstruction_baseline") if c in history]
    if len(extra) == 2:
        rows.append(tuple(extra))
    print(
        f"\n{name}: {n_steps} steps in {seconds:.1f} s ({n_steps / seconds:.2f} steps/s)",
        flush=True,
    )
    for loss, baseline in rows:
        print(
            f"  {loss:<22} first {first}: {head[loss].mean():.4f}  last {last}: "
            f"{tail[loss].mean():.4f}   trivial predictor, last {last}: "
            f"{tail[baseline].mean():.4f}   ratio {tail[loss].mean() / tail[baseline].mean():.3f}"
        )
    return {
        "steps_per_s": n_steps / seconds,
        "ratio": float(tail["loss"].mean() / tail["baseline_loss"].mean()),
    }


def _pretrain_and_report(name, title, objective, dataset, folder, n_steps, **settings):
    """Pretrain through the runner, print the loss summary and save the loss curve."""
    tic = time.perf_counter()
    result = pretrain(
        objective, dataset, out_dir=folder, n_steps=n_steps, schedule="cosine",
        checkpoint_every=50, overwrite=True, progress=False, **settings,
    )  # fmt: skip
    summary = _summary(name, result, time.perf_counter() - tic, n_steps)
    plot_training_history(result.history, title=title).savefig(folder / "loss.png", dpi=110)
    return summary


def _initialise(model, init):
    return mimetic_init(model, seed=0) if init == "mimetic" else model


def run(
    out, *, brainbert_steps=1200, barista_steps=2000, minutes=2.0, n_subjects=2, seed=0,
    brainbert_size="tiny",
    max_channels=32,
    brainbert_lr=3e-3,
    brainbert_batch=8,
    brainbert_dropout=0.0,
    init="mimetic",
    barista_batch=4,
    barista_scale="channel",
    barista_lr=1e-3,
    barista_size="small",
    barista_predictor_dropout=0.0,
    barista_detach=False,
):  # fmt: skip
    out = Path(out)
    root = out / "bids"
    if not root.exists():
        make_synthetic_bids(
            root, n_subjects=n_subjects, duration=minutes * 60, seed=seed, max_channels=max_channels
        )
    torch.manual_seed(seed)
    figures = {}

    if brainbert_steps > 0:
        dataset = SpectrogramDataset(root, cache_dir=out / "cache")
        model = _initialise(BrainBERT.from_config(brainbert_size, dropout=brainbert_dropout), init)
        figures[f"brainbert ({brainbert_size})"] = _pretrain_and_report(
            f"BrainBERT {brainbert_size} ({sum(p.numel() for p in model.parameters()):,} parameters, "
            f"dropout {brainbert_dropout:g}, {init} init, {len(dataset):,} spectrogram windows)",
            "BrainBERT pretraining", MaskedSpectrogramObjective(model), dataset,
            out / "brainbert", brainbert_steps, batch_size=brainbert_batch, lr=brainbert_lr,
            warmup_steps=brainbert_steps // 20, seed=seed,
        )  # fmt: skip

    if barista_steps > 0:
        dataset = SegmentDataset(
            root, scale=barista_scale, masking_scale=barista_scale, cache_dir=out / "cache"
        )
        model = _initialise(Barista.from_preset(barista_size, scale=barista_scale), init)
        objective = LatentReconstructionObjective(
            model,
            masking_scale=barista_scale,
            detach_reconstruction=barista_detach,
            predictor_dropout=barista_predictor_dropout,
        )
        figures[f"barista ({barista_size}, {barista_scale})"] = _pretrain_and_report(
            f"BaRISTA {barista_size}, {barista_scale} scale "
            f"({sum(p.numel() for p in model.parameters()):,} parameters, predictor dropout "
            f"{barista_predictor_dropout:g}, {init} init, {len(dataset):,} segments)",
            "BaRISTA pretraining", objective, dataset, out / "barista", barista_steps,
            batch_size=barista_batch, lr=barista_lr, warmup_steps=barista_steps // 14, seed=seed,
        )  # fmt: skip
    print(f"\ncurves: {out / 'brainbert' / 'loss.png'}, {out / 'barista' / 'loss.png'}")
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder (default: a temporary one)")
    parser.add_argument("--brainbert-steps", type=int, default=1200, help="0 skips BrainBERT")
    parser.add_argument("--brainbert-lr", type=float, default=3e-3)
    parser.add_argument("--brainbert-batch", type=int, default=8)
    parser.add_argument("--brainbert-dropout", type=float, default=0.0)
    parser.add_argument(
        "--init",
        choices=("mimetic", "default"),
        default="mimetic",
        help="attention initialisation (ieegrep.models.mimetic_init, or PyTorch's default)",
    )
    parser.add_argument("--barista-steps", type=int, default=2000, help="0 skips BaRISTA")
    parser.add_argument("--barista-size", default="small", help="Barista preset")
    parser.add_argument("--barista-predictor-dropout", type=float, default=0.0)
    parser.add_argument("--barista-scale", default="channel", help="encoding and masking scale")
    parser.add_argument("--barista-lr", type=float, default=1e-3)
    parser.add_argument(
        "--barista-latent-only",
        action="store_true",
        help="train the reconstruction head on detached predictions (the paper's pretraining)",
    )
    parser.add_argument("--minutes", type=float, default=2.0, help="simulated minutes per subject")
    parser.add_argument("--max-channels", type=int, default=32, help="contacts per subject")
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    options = dict(
        brainbert_steps=args.brainbert_steps, barista_steps=args.barista_steps,
        brainbert_lr=args.brainbert_lr, brainbert_batch=args.brainbert_batch,
        brainbert_dropout=args.brainbert_dropout, init=args.init,
        minutes=args.minutes, max_channels=args.max_channels, barista_scale=args.barista_scale,
        barista_lr=args.barista_lr, barista_size=args.barista_size,
        barista_predictor_dropout=args.barista_predictor_dropout,
        barista_detach=args.barista_latent_only,
    )  # fmt: skip
    if args.out is None:
        with tempfile.TemporaryDirectory() as tmp:
            return run(tmp, **options)
    args.out.mkdir(parents=True, exist_ok=True)
    return run(args.out, **options)


if __name__ == "__main__":
    main()
