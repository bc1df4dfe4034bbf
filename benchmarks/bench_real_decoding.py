"""Decoding benchmark on the real labelled sets: baselines vs. BrainBERT embeddings (pretrained elsewhere).

Run::

    python benchmarks/bench_real_decoding.py [--cache DIR] [--steps N] [--out DIR]

Data (``../shared/data/labelled``, see its README):

* ``bern_barcelona_50.npz``: human intracranial EEG, 100 bipolar channel
  pairs of 20 s at 512 Hz, focal vs non-focal. There are no patient ids, so
  each pair is its own group: whole pairs are held out (their two channels
  never go to different folds).
* ``kaggle_dog1_detect.npz``: canine iEEG, 596 one-second clips of 16
  channels at 399.6 Hz, ictal vs interictal. Ictal clips are grouped by
  seizure (``event_id``); interictal clips by contiguous blocks of
  ``clip_index`` (neighbouring clips share signal), so whole seizures and
  whole blocks are held out.

Feature sets, all followed by ``StandardScaler → LogisticRegression`` and
evaluated on the same stratified group folds (:class:`ieegrep.decoding.GroupedSplit`):

* raw linear, STFT linear (Neuroprobe's baselines);
* BrainBERT embeddings (centre pooling) of an encoder pretrained **only on
  other data**: a simulated BIDS dataset (``ieegrep.datasets.make_synthetic_bids``),
  the bundled real sample and the py_neuromodulation test recording, with
  :func:`ieegrep.training.pretrain`; the checkpoint is cached under
  ``--cache`` and reused;
* the same architecture randomly initialised (same seed scheme, no training);
* BaRISTA at channel and parcel scale only where electrode positions exist:
  neither labelled set has positions or regions, so they are reported as
  not applicable.

Bern-Barcelona's 20-s records are cut into four 5-s windows (BrainBERT's
pretraining length) whose embeddings are averaged per record. AUROC is printed
as mean ± s.e.m. over folds, with a table and a plot. Timings are printed for
information only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ieegrep.datasets import make_synthetic_bids, sample_path
from ieegrep.decoding.embedders import BrainBERTEmbedder
from ieegrep.decoding.features import neuroprobe_stft_baseline, raw_voltage_baseline
from ieegrep.decoding.splits import GroupedSplit, cross_validate_auroc
from ieegrep.models.brainbert import BrainBERT
from ieegrep.models.checkpoints import file_sha256
from ieegrep.training.data import SpectrogramDataset, default_cache_dir
from ieegrep.training.masked_spectrogram import MaskedSpectrogramObjective
from ieegrep.training.runner import pretrain

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
#: Small BrainBERT that pretrains in a few CPU minutes.
ARCH = {"d_model": 32, "n_layers": 2, "n_heads": 4, "d_ff": 128, "dropout": 0.1}
MODEL_SEED = 0


class _Concat(torch.utils.data.ConcatDataset):
    """Several SpectrogramDatasets as one, keeping their collate and provenance."""

    collate = staticmethod(SpectrogramDataset.collate)

    def provenance(self):
        return {"datasets": [d.provenance() for d in self.datasets]}


def pretrained_brainbert(cache: Path, steps: int, batch_size: int) -> Path:
    """Pretrain (or reuse) the small BrainBERT on simulated and unlabelled real recordings."""
    run_dir = cache / f"brainbert_d{ARCH['d_model']}_l{ARCH['n_layers']}_s{steps}"
    model_path = run_dir / "model.pt"
    if model_path.is_file():
        print(f"Reusing the pretrained checkpoint {model_path}")
        return model_path
    roots = [sample_path()]
    simulated = cache / "simulated_bids"
    if not (simulated / "dataset_description.json").is_file():
        make_synthetic_bids(simulated, n_subjects=2, duration=60.0, max_channels=40, seed=7)
    roots.append(simulated)
    other = SHARED / "py_neuromodulation_testsub"
    if other.is_dir():
        roots.append(other)
    datasets = []
    for root in roots:
        datasets.append(SpectrogramDataset(root, cache_dir=cache / "spectrograms"))
        print(f"  pretraining data: {root} ({len(datasets[-1])} spectrograms)")
    dataset = _Concat(datasets)
    torch.manual_seed(MODEL_SEED)
    model = BrainBERT(**ARCH)
    objective = MaskedSpectrogramObjective(model)
    start = time.perf_counter()
    result = pretrain(
        objective,
        dataset,
        out_dir=run_dir,
        n_steps=steps,
        batch_size=batch_size,
        lr=5e-4,
        warmup_steps=max(steps // 20, 1),
        checkpoint_every=max(steps, 1),
        progress=False,
        provenance={"purpose": "bench_real_decoding", "sources": [str(r) for r in roots]},
    )
    losses = result.final_losses(50)
    print(
        f"  pretrained {steps} steps in {time.perf_counter() - start:.0f} s: loss "
        f"{losses['loss']:.3f} vs baseline {losses['baseline_loss']:.3f}"
    )
    return result.model_path


def random_brainbert() -> BrainBERT:
    """The same architecture, randomly initialised (seeded, never trained)."""
    torch.manual_seed(MODEL_SEED + 1)
    return BrainBERT(**ARCH)


def load_sets(max_dog_clips: int | None):
    """Return {name: (X, y, groups, sfreq, n_windows_per_record)}."""
    sets = {}
    bern = np.load(SHARED / "labelled" / "bern_barcelona_50.npz")
    X = bern["X"].astype(np.float64)
    sets["Bern-Barcelona (focal vs non-focal)"] = (
        X, bern["y"].astype(int), np.arange(len(X)), float(bern["fs"]), 4
    )  # fmt: skip
    dog = np.load(SHARED / "labelled" / "kaggle_dog1_detect.npz")
    X, y = dog["X"].astype(np.float64), dog["y"].astype(int)
    groups = np.where(y == 1, np.char.add("seizure-", dog["event_id"].astype(str)), "")
    interictal = np.flatnonzero(y == 0)
    order = interictal[np.argsort(dog["clip_index"][interictal], kind="stable")]
    blocks = np.array_split(order, 10)  # 10 contiguous blocks of interictal clips
    for k, block in enumerate(blocks):
        groups[block] = f"interictal-block-{k}"
    if max_dog_clips is not None and max_dog_clips < len(y):
        keep = np.sort(np.random.default_rng(0).choice(len(y), max_dog_clips, replace=False))
        X, y, groups = X[keep], y[keep], groups[keep]
        print(f"  Kaggle dog subsampled to {max_dog_clips} clips (--max-dog-clips)")
    sets["Kaggle Dog_1 (ictal vs interictal)"] = (X, y, groups, float(dog["fs"]), 1)
    return sets


def _classifier():
    return make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=10000, tol=1e-3, random_state=42)
    )


def embed(embedder, X, n_windows):
    """Embed records, averaging the embeddings of ``n_windows`` equal windows per record."""
    n, c, t = X.shape
    usable = (t // n_windows) * n_windows
    windows = X[..., :usable].reshape(n, c, n_windows, usable // n_windows)
    windows = windows.transpose(0, 2, 1, 3).reshape(n * n_windows, c, -1)
    features = embedder.fit(windows).transform(windows)
    return features.reshape(n, n_windows, -1).mean(axis=1)


def run(args):
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else cache
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    print("Pretraining BrainBERT on other data (simulated + unlabelled real recordings)")
    checkpoint = pretrained_brainbert(cache, args.steps, args.batch_size)
    print(f"  checkpoint {checkpoint} (sha256 {file_sha256(checkpoint)[:12]}...)")
    rows, results = [], {}
    for name, (X, y, groups, sfreq, n_windows) in load_sets(args.max_dog_clips).items():
        print(f"\n{name}: {X.shape[0]} records, {X.shape[1]} channel(s), {X.shape[2]} samples "
              f"at {sfreq:g} Hz, {int(y.sum())} positive, {len(set(groups))} groups")  # fmt: skip
        cv = GroupedSplit(args.n_splits)
        folds = list(cv.split(None, y, groups))
        estimators = {
            "raw linear": (raw_voltage_baseline(sfreq=sfreq), X),
            "STFT linear": (neuroprobe_stft_baseline(sfreq=sfreq), X),
        }
        for label, source in (
            ("BrainBERT pretrained (other data)", {"checkpoint": str(checkpoint)}),
            ("BrainBERT random init", {"model": random_brainbert()}),
        ):
            tic = time.perf_counter()
            embedder = BrainBERTEmbedder(**source, sfreq=sfreq, batch_size=512)
            features = embed(embedder, X, n_windows)
            print(f"  {label}: embeddings {features.shape} in {time.perf_counter() - tic:.0f} s")
            estimators[label] = (_classifier(), features)
        for label, (estimator, data) in estimators.items():
            result = cross_validate_auroc(estimator, data, y, cv=folds, groups=groups, name=label)
            results[f"{name}: {label}"] = result
            rows.append({"dataset": name, "features": label, "auroc_mean": result.mean,
                         "auroc_sem": result.sem, "n_folds": result.scores.size})  # fmt: skip
        for scale in ("channel", "parcel"):
            rows.append({"dataset": name, "features": f"BaRISTA {scale} scale",
                         "auroc_mean": np.nan, "auroc_sem": np.nan, "n_folds": 0})  # fmt: skip
    table = pd.DataFrame(rows)
    print("\nAUROC, mean ± s.e.m. over held-out group folds")
    for dataset, part in table.groupby("dataset", sort=False):
        print(f"\n{dataset}")
        for row in part.itertuples():
            if row.n_folds:
                print(f"  {row.features:<36s} {row.auroc_mean:.3f} ± {row.auroc_sem:.3f}"
                      f"  ({row.n_folds} folds)")  # fmt: skip
            else:
                print(f"  {row.features:<36s} n/a: no electrode positions or regions in this "
                      "set (BaRISTA's spatial embedding needs them)")  # fmt: skip
    table.to_csv(out / "bench_real_decoding.tsv", sep="\t", index=False, float_format="%.4f")
    try:
        import matplotlib

        matplotlib.use("Agg")
        from ieegrep.viz.decoding import plot_decoding

        fig = plot_decoding(results, title="Real labelled sets: AUROC per fold")
        fig.savefig(out / "bench_real_decoding.png", dpi=120, bbox_inches="tight")
        print(f"\nTable and plot: {out / 'bench_real_decoding.tsv'}, "
              f"{out / 'bench_real_decoding.png'}")  # fmt: skip
    except ImportError as err:  # matplotlib is optional for the benchmark
        print(f"\nNo plot ({err}); table: {out / 'bench_real_decoding.tsv'}")
    print(f"Total wall time {time.perf_counter() - start:.0f} s (information only)")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--cache",
        default=str(default_cache_dir() / "bench_real_decoding"),
        help="folder for the simulated data, spectrogram cache and checkpoint",
    )
    parser.add_argument("--out", default=None, help="folder of the table and plot (default: cache)")
    parser.add_argument("--steps", type=int, default=300, help="pretraining steps (default 300)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument(
        "--max-dog-clips",
        type=int,
        default=None,
        help="subsample the Kaggle dog clips (default: all 596)",
    )
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    run(parser.parse_args(argv))  # fmt: skip


if __name__ == "__main__":
    main()
