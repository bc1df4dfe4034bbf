"""Decoding a planted task on simulated sEEG: baselines, BrainBERT and BaRISTA at two scales.

Run ``python benchmarks/bench_simulated_decoding.py --out FOLDER`` (``--help`` for
sizes; about 10 minutes on 2 CPU cores with the defaults). It

1. writes a **decoding dataset** (:func:`ieegrep.datasets.make_synthetic_bids`,
   ``seed``, sub-01..sub-04, the layouts of Brain Treebank subjects 1-4) whose
   recordings carry the planted effects of :data:`ieegrep.datasets.simulator.PLANTED_EFFECTS`;
2. writes a separate **pretraining dataset** (``seed + 1``, eight subjects) and
   pretrains on its sub-05..sub-08 only (Brain Treebank layouts 5-8): other
   electrode layouts, other subject parameters, other noise and events. No
   recording, layout or subject of the decoding dataset is seen in pretraining;
3. pretrains, with the same steps, batch and seed, a tiny BaRISTA at the
   **channel** scale and one at the **parcel** scale (both with channel masking,
   the paper's best masking for either encoding), and a small BrainBERT;
4. runs :func:`ieegrep.decoding.decode_bids` on the planted task, **sentence
   onsets against the other word onsets** (``trial_type=sentence_onset``; the
   other words of the column are the negatives, words at a sentence onset are
   dropped), on the decoding subjects whose contacts lie where the sentence
   effect is planted (frontal lobe), with every feature set on the same
   contiguous within-session folds; then the same encoders randomly
   initialised, and the baselines on the control subjects that have no contact
   in the frontal lobe (chance expected).

Both classes carry the word-locked effects (temporal high gamma, N400), so only
the frontal 6 Hz sentence burst separates them. The table gives AUROC mean ±
s.e.m. over folds (5 per subject) and the per-subject means; the plot is saved
as ``decoding.png`` in ``--out``. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from ieegrep.bids import find_recordings, load_recording  # noqa: E402
from ieegrep.datasets import make_synthetic_bids  # noqa: E402
from ieegrep.datasets.simulator import PLANTED_EFFECTS, planted_effects  # noqa: E402
from ieegrep.decoding import DecodingResult, decode_bids  # noqa: E402
from ieegrep.models.barista import Barista  # noqa: E402
from ieegrep.models.brainbert import BrainBERT  # noqa: E402
from ieegrep.training import SegmentDataset, SpectrogramDataset, pretrain  # noqa: E402
from ieegrep.training.latent_reconstruction import LatentReconstructionObjective  # noqa: E402
from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective  # noqa: E402
from ieegrep.viz import plot_decoding  # noqa: E402

TASK = "trial_type=sentence_onset"
EFFECT = "sentence_theta"
N_DECODING_SUBJECTS = 4
PRETRAINING_SUBJECTS = ["05", "06", "07", "08"]
# small enough to embed every window of every channel in a few seconds on one core
BRAINBERT_SIZE = {"d_model": 64, "n_layers": 2, "n_heads": 4, "d_ff": 256}


def _contacts(root):
    """Contacts of every subject with their region and planted effect."""
    rows = []
    for path in find_recordings(root):
        recording = load_recording(path)
        table = recording.electrodes[["name", "region"]].copy()
        bads = set(recording.raw.info["bads"])
        table = table[~table["name"].isin(bads)]
        table["effect"] = planted_effects(table["region"].fillna("").astype(str))
        table["subject"] = str(recording.subject)
        rows.append(table)
    return pd.concat(rows, ignore_index=True).drop_duplicates(["subject", "name"])


def _print_regions(contacts):
    spec = PLANTED_EFFECTS[EFFECT]
    print(f"\nPlanted effect decoded: {EFFECT} (after {spec['event']}): {spec['description']}")
    for name, other in PLANTED_EFFECTS.items():
        if name != EFFECT:
            print(f"  also planted, in both classes: {name} (after {other['event']})")
    print("Contacts (good ones) per subject and planted effect:")
    counts = pd.crosstab(contacts["subject"], contacts["effect"])
    print("  " + counts.to_string().replace("\n", "\n  "))
    for subject, part in contacts[contacts["effect"] == EFFECT].groupby("subject"):
        regions = part["region"].value_counts()
        listed = ", ".join(f"{region} ({n})" for region, n in regions.items())
        print(f"  sub-{subject} {EFFECT} regions: {listed}")


def _pretrain_barista(root, out, scale, *, steps, seed, cache):
    dataset = SegmentDataset(
        root, scale=scale, masking_scale="channel", subjects=PRETRAINING_SUBJECTS, cache_dir=cache
    )
    torch.manual_seed(seed)
    model = Barista.from_preset("tiny", scale=scale)
    objective = LatentReconstructionObjective(model, masking_scale="channel")
    tic = time.perf_counter()
    result = pretrain(
        objective, dataset, out_dir=out / f"barista_{scale}", n_steps=steps, batch_size=8,
        lr=1e-3, warmup_steps=max(1, steps // 14), schedule="cosine", seed=seed,
        checkpoint_every=max(50, steps), overwrite=True, progress=False,
    )  # fmt: skip
    _print_training(
        f"BaRISTA tiny, {scale} scale", result, time.perf_counter() - tic, dataset, model
    )
    return result.model_path


def _pretrain_brainbert(root, out, *, steps, seed, cache):
    dataset = SpectrogramDataset(root, subjects=PRETRAINING_SUBJECTS, cache_dir=cache)
    torch.manual_seed(seed)
    model = BrainBERT.from_config("tiny", **BRAINBERT_SIZE)
    objective = MaskedSpectrogramObjective(model)
    tic = time.perf_counter()
    result = pretrain(
        objective, dataset, out_dir=out / "brainbert", n_steps=steps, batch_size=32,
        lr=5e-4, warmup_steps=max(1, steps // 20), schedule="cosine", seed=seed,
        checkpoint_every=max(50, steps), overwrite=True, progress=False,
    )  # fmt: skip
    _print_training("BrainBERT", result, time.perf_counter() - tic, dataset, model)
    return result.model_path


def _print_training(name, result, seconds, dataset, model):
    last = max(1, min(50, result.n_steps // 5))
    tail = result.history.tail(last)
    head = result.history.head(last)
    print(
        f"  {name} ({sum(p.numel() for p in model.parameters()):,} parameters): "
        f"{result.n_steps} steps in {seconds:.0f} s on {len(dataset):,} examples; "
        f"loss first {last}: {head['loss'].mean():.3f}, last {last}: {tail['loss'].mean():.3f} "
        f"(trivial predictor {tail['baseline_loss'].mean():.3f}, ratio "
        f"{tail['loss'].mean() / tail['baseline_loss'].mean():.2f})",
        flush=True,
    )


def _print_summary(title, summary):
    results = summary.attrs["results"]
    subjects = sorted({s for r in results.values() for s in r.folds["subject"]})
    print(f"\n{title}")
    print(
        f"  {summary['n_windows'].iloc[0]} windows ({summary['n_positive'].iloc[0]} positive), "
        f"subjects {', '.join('sub-' + s for s in subjects)}"
    )
    per_subject = "  ".join(f"{'sub-' + s:>7}" for s in subjects)
    print(f"  {'feature set':<22} {'AUROC mean ± s.e.m.':>20} {'n folds':>8}   {per_subject}")
    for name, result in results.items():
        means = result.folds.groupby("subject")["auroc"].mean()
        cells = "  ".join(f"{means.get(s, np.nan):7.3f}" for s in subjects)
        print(
            f"  {name:<22} {result.mean:>11.3f} ± {result.sem:.3f} {result.scores.size:>8d}   "
            f"{cells}",
            flush=True,
        )


def run(
    out, *, minutes=6.0, pretrain_minutes=3.0, max_channels=32, barista_steps=120,
    brainbert_steps=300, window=(0.0, 1.0), n_splits=5, seed=0, random_init=True, control=True,
):  # fmt: skip
    out = Path(out)
    cache = out / "cache"
    started = time.perf_counter()

    tic = time.perf_counter()
    decode_root = out / "bids_decoding"
    if not decode_root.exists():
        make_synthetic_bids(
            decode_root, n_subjects=N_DECODING_SUBJECTS, duration=minutes * 60, seed=seed,
            max_channels=max_channels,
        )  # fmt: skip
    pretrain_root = out / "bids_pretraining"
    if not pretrain_root.exists():
        make_synthetic_bids(
            pretrain_root, n_subjects=int(PRETRAINING_SUBJECTS[-1]),
            duration=pretrain_minutes * 60, seed=seed + 1, max_channels=max_channels,
        )  # fmt: skip
    print(
        f"Simulated in {time.perf_counter() - tic:.0f} s: decoding dataset (seed {seed}, "
        f"{N_DECODING_SUBJECTS} subjects x {minutes:g} min, Brain Treebank layouts "
        f"1-{N_DECODING_SUBJECTS}); pretraining dataset (seed {seed + 1}, subjects "
        f"sub-{PRETRAINING_SUBJECTS[0]}..sub-{PRETRAINING_SUBJECTS[-1]} x {pretrain_minutes:g} min, "
        f"layouts {int(PRETRAINING_SUBJECTS[0])}-{int(PRETRAINING_SUBJECTS[-1])}); at most "
        f"{max_channels} contacts per subject",
        flush=True,
    )

    contacts = _contacts(decode_root)
    _print_regions(contacts)
    carriers = sorted(contacts.loc[contacts["effect"] == EFFECT, "subject"].unique())
    others = sorted(set(contacts["subject"]) - set(carriers))
    pretraining_contacts = _contacts(pretrain_root)
    pretraining_contacts = pretraining_contacts[
        pretraining_contacts["subject"].isin(PRETRAINING_SUBJECTS)
    ]
    shared = set(pretraining_contacts["region"]) & set(
        contacts.loc[contacts["subject"].isin(carriers), "region"]
    )
    print(
        f"  pretraining subjects: {len(pretraining_contacts)} contacts, "
        f"{(pretraining_contacts['effect'] == EFFECT).sum()} of them {EFFECT}; "
        f"{len(shared)} region(s) in common with the decoded subjects"
    )

    print("\nPretraining (same steps, batch and seed for both BaRISTA scales; channel masking):")
    checkpoints = {
        "brainbert": _pretrain_brainbert(
            pretrain_root, out, steps=brainbert_steps, seed=seed, cache=cache
        ),
        "barista:channel": _pretrain_barista(
            pretrain_root, out, "channel", steps=barista_steps, seed=seed, cache=cache
        ),
        "barista:parcel": _pretrain_barista(
            pretrain_root, out, "parcel", steps=barista_steps, seed=seed, cache=cache
        ),
    }

    options = {"events": TASK, "window": window, "cv": "contiguous", "n_splits": n_splits,
               "random_state": 42, "overwrite": True}  # fmt: skip
    tic = time.perf_counter()
    summary = decode_bids(
        decode_root, subjects=carriers,
        feature_sets=("raw", "stft", "laplacian_stft", "brainbert", "barista:channel",
                      "barista:parcel"),
        checkpoints=checkpoints, out_dir=out / "decoding", **options,
    )  # fmt: skip
    _print_summary(
        f"Sentence onset vs other words, {window[0]:g}-{window[1]:g} s windows, pretrained "
        f"encoders ({time.perf_counter() - tic:.0f} s)",
        summary,
    )
    figures = {"pretrained": summary}

    if random_init:
        torch.manual_seed(seed)
        random_models = {
            "brainbert": BrainBERT.from_config("tiny", **BRAINBERT_SIZE),
            "barista:channel": Barista.from_preset("tiny", scale="channel"),
            "barista:parcel": Barista.from_preset("tiny", scale="parcel"),
        }
        tic = time.perf_counter()
        figures["random"] = decode_bids(
            decode_root, subjects=carriers, feature_sets=tuple(random_models),
            checkpoints=random_models, out_dir=out / "decoding_random_init", **options,
        )  # fmt: skip
        _print_summary(
            f"The same encoders randomly initialised, same folds "
            f"({time.perf_counter() - tic:.0f} s)",
            figures["random"],
        )

    if control and others:
        tic = time.perf_counter()
        figures["control"] = decode_bids(
            decode_root, subjects=others, feature_sets=("stft", "laplacian_stft",
                                                         "barista:parcel"),
            checkpoints=checkpoints, out_dir=out / "decoding_control", **options,
        )  # fmt: skip
        _print_summary(
            f"Control: subjects without a contact carrying {EFFECT} (chance expected, "
            f"{time.perf_counter() - tic:.0f} s)",
            figures["control"],
        )

    results = dict(summary.attrs["results"])
    if "random" in figures:
        for name, result in figures["random"].attrs["results"].items():
            label = f"{name} (random)"
            results[label] = DecodingResult(name=label, folds=result.folds)
    figure = plot_decoding(
        results,
        title=f"Simulated sEEG: sentence onset vs other words "
        f"({', '.join('sub-' + s for s in carriers)})",
    )
    figure.savefig(out / "decoding.png", dpi=110)
    print(f"\nplot: {out / 'decoding.png'}; tables: {out / 'decoding'}")
    print(f"total {time.perf_counter() - started:.0f} s")
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=None,
        help="folder (default: a temporary one); simulated datasets already in it are reused",
    )  # fmt: skip
    parser.add_argument("--minutes", type=float, default=6.0, help="minutes per decoding subject")
    parser.add_argument("--pretrain-minutes", type=float, default=3.0,
                        help="minutes per pretraining subject")  # fmt: skip
    parser.add_argument("--max-channels", type=int, default=32, help="contacts per subject")
    parser.add_argument("--barista-steps", type=int, default=120)
    parser.add_argument("--brainbert-steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-random-init", action="store_true")
    parser.add_argument("--no-control", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )
    options = {
        "minutes": args.minutes, "pretrain_minutes": args.pretrain_minutes,
        "max_channels": args.max_channels, "barista_steps": args.barista_steps,
        "brainbert_steps": args.brainbert_steps, "seed": args.seed,
        "random_init": not args.no_random_init, "control": not args.no_control,
    }  # fmt: skip
    if args.out is None:
        with tempfile.TemporaryDirectory() as tmp:
            return run(tmp, **options)
    args.out.mkdir(parents=True, exist_ok=True)
    return run(args.out, **options)


if __name__ == "__main__":
    main()
