"""The ``ieegrep`` command line.

``ieegrep demo``
    Reads the bundled real sample, prints each recording's channels per region
    and saves the figures and the full table.
``ieegrep regions BIDS_ROOT``
    Prints, per recording, the channels per region and the ``Unknown`` ones;
    ``--output regions.tsv`` writes the full electrode tables.
``ieegrep pretrain BIDS_ROOT --model brainbert|barista --out DIR``
    Self-supervised pretraining on a BIDS dataset (resumable with ``--resume``;
    under ``torchrun`` it runs data-parallel); prints the final loss against
    the trivial predictor's and saves ``loss.png``, ``history.tsv``,
    ``state.pt`` and the model, ``model.pt``.

Errors about the input are printed as ieegrep's explanation (file, field,
value, fix) with exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd

from . import __version__
from .atlas import DEFAULT_RADIUS_MM, available_atlases
from .atlas.lobes import UNKNOWN
from .atomic import atomic_write
from .bids import ECOG_RADIUS_MM, Recording, find_recordings, load_recording
from .exceptions import IeegrepError, IeegrepWarning
from .verbosity import set_log_level
from .viz import plot_electrodes

__all__ = ["main"]


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stdout.flush()
    print(f"warning: {category.__name__}: {message}", file=sys.stderr, flush=True)


def _print_regions(recording: Recording, level: str, width: int = 100) -> None:
    provenance = recording.provenance
    print(f"  {recording.summary().splitlines()[0].split(': ', 1)[1]}")
    print(
        f"  regions from {provenance['region_source']}; space {provenance['space']}"
        + (f" ({provenance['space_note']})" if provenance.get("space_note") else "")
    )
    table = recording.channels_per_region(level)
    known = table[table[level] != UNKNOWN]
    if len(known):
        name_width = max(len(level), *(len(str(v)) for v in known[level]))
        print(f"  {level:<{name_width}}  hemi  n    channels")
        for row in known.itertuples(index=False):
            channels = textwrap.shorten(
                row.channels, width=max(20, width - name_width - 16), placeholder=" ..."
            )
            print(
                f"  {getattr(row, level):<{name_width}}  {row.hemisphere:<4}  "
                f"{row.n_channels:<3}  {channels}"
            )
    unknown = recording.unknown_channels
    print(
        f"  Unknown ({len(unknown)}): "
        + (textwrap.shorten(", ".join(unknown), width=width, placeholder=" ...") or "none")
    )


def _table(recordings: list[Recording]) -> pd.DataFrame:
    frames = []
    for rec in recordings:
        frame = rec.electrodes.copy()
        ids = {
            "recording": rec.name,
            "subject": rec.subject,
            "session": rec.session,
            "task": rec.task,
            "run": rec.bids_path.run,
        }
        for position, (key, value) in enumerate(ids.items()):
            frame.insert(position, key if key not in frame.columns else f"{key}_", value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _load_and_print(root, args) -> list[Recording]:
    """Load each recording and print its regions right away, so warnings sit next to it."""
    recordings = []
    for path in find_recordings(root, subject=args.subject, session=args.session, task=args.task):
        print(f"\n{path.basename}", flush=True)
        recording = load_recording(
            path,
            atlas=args.atlas,
            space=args.space,
            radius=args.radius,
            ecog_radius=args.ecog_radius,
        )
        _print_regions(recording, args.level)
        recordings.append(recording)
    return recordings


def _save_figures(recordings, folder: Path, level: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for rec in recordings:
        fig = plot_electrodes(rec, color_by=level, title=rec.name)
        path = folder / f"{rec.name}_regions.png"
        with atomic_write(path, "wb") as fid:
            fig.savefig(fid, format="png", dpi=110)
        plt.close(fig)
        saved.append(path)
    return saved


def _write_table(recordings, output: Path) -> None:
    table = _table(recordings)
    with atomic_write(output, newline="") as fid:
        table.to_csv(fid, sep="\t", index=False, na_rep="n/a")
    print(f"\nwrote {len(table)} rows to {output}")


def _cmd_regions(args) -> int:
    recordings = _load_and_print(args.bids_root, args)
    if args.output:
        _write_table(recordings, Path(args.output))
    if args.plot:
        for path in _save_figures(recordings, Path(args.plot), args.level):
            print(f"saved {path}")
    return 0


def _cmd_demo(args) -> int:
    from .datasets import sample_path

    root = sample_path()
    print(f"ieegrep {__version__} demo on the bundled real sample ({root})")
    recordings = _load_and_print(root, args)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    _write_table(recordings, out / "regions.tsv")
    if not args.no_plot:
        for path in _save_figures(recordings, out, args.level):
            print(f"saved {path}")
    return 0


# ------------------------------------------------------------------ pretrain
_BARISTA_SIZES = {"tiny": "tiny", "base": "barista"}
_DEFAULTS = {
    # model: (size, lr, weight decay, schedule, warm-up fraction)
    "brainbert": ("large", 1e-4, 0.0, "step", 0.025),
    "barista": ("base", 1e-3, 1e-2, "cosine", 5 / 70),
}


def _build_objective(args):
    """Model and objective for the command's options (weights seeded by --seed)."""
    import torch

    from .exceptions import InvalidParameterError

    size = args.size or _DEFAULTS[args.model][0]
    torch.manual_seed(args.seed)
    if args.model == "brainbert":
        from .models.brainbert import BrainBERT
        from .training.masked_spectrogram import MaskedSpectrogramObjective

        model = BrainBERT.from_config(size)
        return model, MaskedSpectrogramObjective(model), size
    from .models.barista import Barista
    from .training.latent_reconstruction import LatentReconstructionObjective

    if size not in _BARISTA_SIZES:
        raise InvalidParameterError(
            "BaRISTA has no model of this size.",
            field="--size",
            value=size,
            fix="Use --size base (the authors' architecture, about 0.85 M parameters) or tiny.",
        )
    model = Barista.from_preset(_BARISTA_SIZES[size], scale=args.scale)
    objective = LatentReconstructionObjective(model, masking_scale=args.masking_scale)
    return model, objective, size


def _build_dataset(args, model):
    from .training.data import SegmentDataset, SpectrogramDataset

    common = dict(
        subjects=args.subject,
        sessions=args.session,
        tasks=args.task,
        exclude=args.exclude,
        cache_dir=args.cache_dir,
        atlas=args.atlas,
    )
    if args.model == "brainbert":
        return SpectrogramDataset(args.bids_root, **common)
    vocabularies = {}
    if getattr(model, "vocabulary", None) is not None and model.scale != "channel":
        vocabularies[model.scale] = model.vocabulary
    return SegmentDataset(
        args.bids_root,
        scale=args.scale,
        masking_scale=args.masking_scale,
        vocabularies=vocabularies,
        **common,
    )


def _save_loss_curve(history, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    from .viz.training import plot_training_history

    fig = plot_training_history(history, title=title)
    with atomic_write(path, "wb") as fid:
        fig.savefig(fid, format="png", dpi=110)
    plt.close(fig)


def _cmd_pretrain(args) -> int:
    from .training import distributed
    from .training.runner import Pretrainer

    ctx = distributed.init_distributed(args.device)
    model, objective, size = _build_objective(args)
    if not ctx.is_main:  # rank 0 fills the preprocessing cache first
        distributed.barrier(ctx)
    dataset = _build_dataset(args, model)
    if ctx.is_main:
        distributed.barrier(ctx)
        print(
            f"{args.model} ({size}), {sum(p.numel() for p in model.parameters()):,} parameters; "
            f"{len(dataset):,} examples from {len(dataset.recordings)} recording(s)"
            + (f", {len(dataset.excluded_recordings)} held out" if args.exclude else ""),
            flush=True,
        )
    _, lr, weight_decay, schedule, warmup = _DEFAULTS[args.model]
    steps = args.steps
    trainer = Pretrainer(
        objective,
        dataset,
        out_dir=args.out,
        n_steps=steps,
        batch_size=args.batch_size,
        lr=args.lr if args.lr is not None else lr,
        weight_decay=args.weight_decay if args.weight_decay is not None else weight_decay,
        warmup_steps=args.warmup_steps
        if args.warmup_steps is not None
        else max(1, int(warmup * steps)),
        schedule=args.schedule or schedule,
        seed=args.seed,
        checkpoint_every=args.checkpoint_every,
        device=args.device,
        provenance={
            "model_family": args.model,
            "size": size,
            "objective_config": dict(getattr(objective, "config", {})),
        },
        overwrite=args.overwrite,
    )
    try:
        result = trainer.run(resume=args.resume)
    except KeyboardInterrupt:
        if ctx.is_main:
            print(
                f"\ninterrupted; the training state is saved in {trainer.state_path}\n"
                "run the same command with --resume to continue",
                file=sys.stderr,
            )
        return 130
    if not ctx.is_main:
        return 0
    losses = result.final_losses(last=max(1, min(50, steps // 10)))
    ratio = losses["loss"] / losses["baseline_loss"] if losses["baseline_loss"] else float("nan")
    print(
        f"\nfinal loss (mean of the last {losses['steps']} steps): {losses['loss']:.4f}\n"
        f"trivial predictor:                       {losses['baseline_loss']:.4f}  "
        f"(ratio {ratio:.3f})"
    )
    curve = Path(args.out) / "loss.png"
    _save_loss_curve(result.history, curve, f"{args.model} pretraining")
    print(f"saved {result.model_path}\nsaved {curve}\nhistory in {trainer.history_path}")
    return 0


def _add_pretrain(sub):
    parser = sub.add_parser(
        "pretrain",
        help="self-supervised pretraining of BrainBERT or BaRISTA on a BIDS dataset",
        description="Pretrain an encoder on the iEEG recordings of a BIDS dataset. The "
        "preprocessed windows are cached; the run can be interrupted (Ctrl-C) and resumed "
        "with --resume; under torchrun it runs data-parallel.",
    )
    parser.add_argument("bids_root", help="root of the BIDS dataset")
    parser.add_argument("--model", choices=("brainbert", "barista"), required=True)
    parser.add_argument("--out", required=True, metavar="DIR", help="run folder")
    parser.add_argument(
        "--scale",
        choices=("channel", "parcel", "lobe"),
        default="parcel",
        help="BaRISTA spatial encoding scale (default: %(default)s)",
    )
    parser.add_argument(
        "--masking-scale",
        choices=("channel", "parcel", "lobe"),
        default="channel",
        help="BaRISTA masking scale (default: %(default)s)",
    )
    parser.add_argument(
        "--size",
        choices=("tiny", "small", "base", "large"),
        default=None,
        help="model size (default: large for BrainBERT, the released model; base for "
        "BaRISTA, the authors' architecture; BaRISTA has tiny and base)",
    )
    parser.add_argument("--steps", type=int, default=1000, help="optimiser steps (default: 1000)")
    parser.add_argument(
        "--batch-size", type=int, default=32, help="examples per step and process (default: 32)"
    )
    parser.add_argument(
        "--lr", type=float, default=None, help="peak learning rate (default: 1e-4 / 1e-3)"
    )
    parser.add_argument(
        "--weight-decay", type=float, default=None, help="AdamW weight decay (default: 0 / 0.01)"
    )
    parser.add_argument(
        "--warmup-steps", type=int, default=None, help="linear warm-up steps (default: 2.5%% / 7%%)"
    )
    parser.add_argument(
        "--schedule",
        choices=("cosine", "constant", "step"),
        default=None,
        help="schedule after warm-up (default: step for BrainBERT, cosine for BaRISTA)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument(
        "--overwrite", action="store_true", help="start afresh over a previous run in --out"
    )
    parser.add_argument(
        "--checkpoint-every",
        type=int,
        default=200,
        help="save the training state every N steps (default: %(default)s)",
    )
    parser.add_argument(
        "--device", default="cpu", help="cpu, cuda or cuda:N (default: %(default)s)"
    )
    parser.add_argument("--cache-dir", default=None, help="preprocessing cache folder")
    parser.add_argument(
        "--atlas",
        default="desikan-killiany",
        help=f"atlas of the region labels: {', '.join(available_atlases())} (default: %(default)s)",
    )
    parser.add_argument("--subject", "--subjects", nargs="+", help="only these subjects")
    parser.add_argument("--session", "--sessions", nargs="+", help="only these sessions")
    parser.add_argument("--task", nargs="+", help="only these tasks")
    parser.add_argument(
        "--exclude",
        nargs="+",
        metavar="SESSION",
        help="held-out sessions, e.g. sub-01_ses-02 or sub-03 (all its sessions)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")
    parser.set_defaults(func=_cmd_pretrain)


def _add_common(parser, *, subject=True):
    parser.add_argument(
        "--atlas",
        default="desikan-killiany",
        help=f"atlas: {', '.join(available_atlases())} (default: %(default)s)",
    )
    parser.add_argument(
        "--space",
        default=None,
        help="electrodes.tsv space to use when several exist (default: MNI first)",
    )
    parser.add_argument(
        "--radius",
        type=float,
        default=DEFAULT_RADIUS_MM,
        help="search radius for sEEG/DBS contacts, mm (default: %(default)s)",
    )
    parser.add_argument(
        "--ecog-radius",
        type=float,
        default=ECOG_RADIUS_MM,
        help="search radius for ECoG contacts, mm (default: %(default)s)",
    )
    parser.add_argument(
        "--level",
        choices=("region", "lobe"),
        default="region",
        help="group channels by atlas region or lobe (default: %(default)s)",
    )
    if subject:
        parser.add_argument("--subject", nargs="+", help="only these subjects")
        parser.add_argument("--session", nargs="+", help="only these sessions")
        parser.add_argument("--task", nargs="+", help="only these tasks")
    else:
        parser.set_defaults(subject=None, session=None, task=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ieegrep",
        description="Self-supervised representation learning for intracranial EEG on BIDS.",
    )
    parser.add_argument("--version", action="version", version=f"ieegrep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the main job on the bundled real sample")
    demo.add_argument(
        "--output",
        default="ieegrep-demo",
        help="folder for the figures and the table (default: %(default)s)",
    )
    demo.add_argument("--no-plot", action="store_true", help="do not draw figures")
    _add_common(demo, subject=False)
    demo.set_defaults(func=_cmd_demo)

    regions = sub.add_parser("regions", help="channels per atlas region, per recording")
    regions.add_argument("bids_root", help="root of the BIDS dataset")
    regions.add_argument("--output", help="write the full electrode tables to this TSV file")
    regions.add_argument("--plot", metavar="DIR", help="save one figure per recording here")
    _add_common(regions)
    regions.set_defaults(func=_cmd_regions)

    _add_pretrain(sub)
    return parser


def main(argv=None) -> int:
    """Run the ``ieegrep`` command line.

    Parameters
    ----------
    argv : list of str | None
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 when the input is at fault (the message says why).
    """
    args = _parser().parse_args(argv)
    set_log_level("info" if args.verbose else "warning")
    with warnings.catch_warnings():
        warnings.simplefilter("always", IeegrepWarning)
        warnings.showwarning = _show_warning
        try:
            return args.func(args)
        except IeegrepError as err:
            print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
            return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
