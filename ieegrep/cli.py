"""The ``ieegrep`` command line.

``ieegrep demo [--out DIR] [--pretrain-steps N]``
    The main job end to end on the bundled real sample (a copy in
    ``DIR/bids``): channels per region, preprocessing (notch, Laplacian,
    2048 Hz), a BrainBERT encoder (the bundled demo checkpoint, or N steps of
    pretraining on the sample), embeddings written as BIDS derivatives, a
    leak-free decoding score of the seizure onset (STFT linear vs BrainBERT),
    intrinsic dimensionality per region, figures and ``report.md``.
``ieegrep regions BIDS_ROOT``
    Prints, per recording, the channels per region and the ``Unknown`` ones;
    ``--output regions.tsv`` writes the full electrode tables.
``ieegrep pretrain BIDS_ROOT --model brainbert|barista --out DIR``
    Self-supervised pretraining on a BIDS dataset (resumable with ``--resume``;
    under ``torchrun`` it runs data-parallel); prints the final loss against
    the trivial predictor's and saves ``loss.png``, ``history.tsv``,
    ``state.pt`` and the model, ``model.pt``.
``ieegrep decode BIDS_ROOT --events COL=V[,V] [--features raw,stft,...] [--out DIR]``
    A task defined on BIDS events, decoded with several feature sets on the
    same leak-free folds; prints AUROC (mean ± s.e.m.), writes the tables and
    ``decoding.png`` (:func:`ieegrep.decoding.decode_bids`).
``ieegrep decode BIDS_ROOT --protocol neuroprobe [--subset lite|nano|full] [--split ...]``
    The Neuroprobe benchmark on a Brain Treebank import: 15 tasks, its splits,
    linear baselines and encoders; leaderboard-format ``population_<task>.json``
    files (:func:`ieegrep.decoding.neuroprobe.run_neuroprobe`).
``ieegrep import-braintreebank SOURCE_DIR BIDS_ROOT [--subjects ...]``
    The Brain Treebank release as an iEEG-BIDS dataset
    (:func:`ieegrep.bids.braintreebank.import_braintreebank`).
``ieegrep embed BIDS_ROOT --checkpoint PATH [--model brainbert|barista]``
    A frozen encoder's embeddings of every recording, written to
    ``BIDS_ROOT/derivatives/ieegrep`` (:func:`ieegrep.decoding.embed_bids`).

Errors about the input are printed as ieegrep's explanation (file, field,
value, fix) with exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .atlas import DEFAULT_RADIUS_MM, available_atlases
from .atlas.lobes import UNKNOWN
from .atomic import atomic_write
from .bids import ECOG_RADIUS_MM, Recording, find_recordings, load_recording
from .exceptions import IeegrepError, IeegrepWarning, InvalidParameterError, OutputExistsError
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


def _use_agg() -> None:
    """Draw off-screen; call before any figure is made (switching later closes figures)."""
    import matplotlib

    matplotlib.use("Agg", force=True)


def _save_figure(fig, path: Path) -> Path:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fid:
        fig.savefig(fid, format="png", dpi=110)
    plt.close(fig)
    return path


def _save_figures(recordings, folder: Path, level: str) -> list[Path]:
    _use_agg()
    return [
        _save_figure(
            plot_electrodes(rec, color_by=level, title=rec.name),
            folder / f"{rec.name}_regions.png",
        )
        for rec in recordings
    ]


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


# ------------------------------------------------------------------ demo
_DEMO_SFREQ = 2048.0
_DEMO_WINDOW_S = 1.0
_DEMO_BLOCK_WINDOWS = 3  # windows per held-out block (3 s)
_DEMO_SPLITS = 4
_DEMO_SEED = 0
_DEMO_MIN_SAMPLES = 30  # (window, channel) embeddings per region for its PCA


class _Progress:
    """Numbered step lines with the elapsed time, so a user sees where the demo is."""

    def __init__(self, n_steps: int):
        self.n_steps = n_steps
        self.step = 0
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        self.step += 1
        print(f"\n[{self.step}/{self.n_steps}] {text}  ({self.elapsed:.0f} s)", flush=True)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def _copy_sample(target: Path) -> Path:
    """Copy the bundled sample afresh (derivatives never go into the package)."""
    from .atomic import atomic_directory
    from .datasets import sample_path

    with atomic_directory(target, overwrite=True) as tmp:
        shutil.copytree(sample_path(), tmp, dirs_exist_ok=True, copy_function=shutil.copyfile)
        tmp.chmod(0o755)  # copytree gave it the package folder's mode
    return target


def _onset_windows(recording, onset: float, window_s: float, block: int) -> pd.DataFrame:
    """Non-overlapping windows tiled outwards from an onset, labelled pre (0) / post (1).

    Windows end at the onset (pre) or start at it (post), so none straddles
    it; ``block`` consecutive windows on one side form one group (a held-out
    block of the split).
    """
    sfreq = float(recording.sfreq)
    n_samples = int(round(window_s * sfreq))
    n_times = recording.raw.n_times
    at = int(round(onset * sfreq))
    rows = []
    for k in range(at // n_samples):  # k-th window before the onset
        start = at - (k + 1) * n_samples
        rows.append((start, 0, f"pre{k // block}", -(k + 1)))
    for k in range((n_times - at) // n_samples):
        rows.append((at + k * n_samples, 1, f"post{k // block}", k))
    table = pd.DataFrame(rows, columns=["start", "label", "block", "position"])
    table = table.sort_values("start").reset_index(drop=True)
    table["stop"] = table["start"] + n_samples
    table["onset"] = table["start"] / sfreq
    table["duration"] = n_samples / sfreq
    table.attrs.update(sfreq=sfreq, n_samples=n_samples)
    return table


def _buffered_block_folds(windows: pd.DataFrame, n_splits: int, gap_s: float) -> list:
    """Whole blocks held out, minus training windows within ``gap_s`` of a test window."""
    from .decoding import GroupedSplit

    # half a sample more: onsets on the sample grid are not exactly gap_s apart
    cv = GroupedSplit(
        n_splits,
        gap=gap_s + 0.5 / windows.attrs["sfreq"] + 1e-12,
        onsets=windows["onset"].to_numpy(float),
    )
    return list(cv.split(None, windows["label"].to_numpy(), windows["block"].to_numpy()))


def _feature_sets(checkpoint, random_model) -> dict:
    """Build the demo's feature extractors: Neuroprobe's linear baselines, BrainBERT."""
    from .decoding import BrainBERTEmbedder, RawTransformer, neuroprobe_stft_baseline

    return {
        "raw linear": RawTransformer(sfreq=_DEMO_SFREQ),
        "STFT linear": neuroprobe_stft_baseline(sfreq=_DEMO_SFREQ).steps[0][1],
        "BrainBERT": BrainBERTEmbedder(checkpoint=checkpoint, sfreq=_DEMO_SFREQ),
        "BrainBERT (random init)": BrainBERTEmbedder(model=random_model, sfreq=_DEMO_SFREQ),
    }


def _decode(X, y, folds, groups, transformers) -> pd.DataFrame:
    """AUROC of a scaled logistic regression on each feature set, on the same folds.

    The transformers are stateless (fixed spectrograms, frozen encoders), so
    each window's features are computed once; the scaler and the regression
    are fitted inside each fold, as ``decode_bids`` does.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .decoding import cross_validate_auroc

    classifier = make_pipeline(
        StandardScaler(), LogisticRegression(max_iter=10000, tol=1e-3, random_state=42)
    )
    results = {}
    for name, transformer in transformers.items():
        features = transformer.fit(X).transform(X)
        result = results[name] = cross_validate_auroc(
            classifier, features, y, cv=folds, groups=groups, name=name
        )
        print(
            f"  {name:<24} AUROC {result.mean:.3f} ± {result.sem:.3f}  ({result.scores.size} folds)"
        )
    summary = pd.DataFrame([r.summary() for r in results.values()])
    summary.attrs["results"] = results
    return summary


def _demo_encoder(args, bids_root: Path, out: Path):
    """Return the bundled demo checkpoint, or one pretrained on the sample (--pretrain-steps)."""
    import torch

    from .datasets import demo_checkpoint_path
    from .models.brainbert import BrainBERT

    bundled = demo_checkpoint_path("brainbert")
    config = BrainBERT.from_pretrained(bundled).config
    if not args.pretrain_steps:
        print(f"  bundled demo checkpoint {bundled.name} (trained by ieegrep on simulated data")
        print("  and this sample; tools/train_demo_checkpoint.py)")
        return bundled, config, None
    from .training import SpectrogramDataset, pretrain
    from .training.masked_spectrogram import MaskedSpectrogramObjective

    run = out / "pretrain"
    dataset = SpectrogramDataset(bids_root, cache_dir=run / "cache")
    torch.manual_seed(_DEMO_SEED)
    model = BrainBERT(**config)
    steps = args.pretrain_steps
    print(
        f"  pretraining BrainBERT ({sum(p.numel() for p in model.parameters()):,} parameters) "
        f"for {steps} steps on {len(dataset)} spectrograms of this sample",
        flush=True,
    )
    result = pretrain(
        MaskedSpectrogramObjective(model),
        dataset,
        out_dir=run,
        n_steps=steps,
        batch_size=16,
        lr=5e-4,
        weight_decay=0.0,
        schedule="cosine",
        warmup_steps=max(1, steps // 20),
        seed=_DEMO_SEED,
        checkpoint_every=steps,
        overwrite=True,
    )
    losses = result.final_losses(last=max(1, min(20, steps // 5)))
    print(f"  final loss {losses['loss']:.4f}, trivial predictor {losses['baseline_loss']:.4f}")
    return result.model_path, config, result


def _embed_recording(bids_root, recording, checkpoint, atlas):
    """BrainBERT embeddings of 1-s windows of a preprocessed recording, written as derivatives."""
    from .decoding import BrainBERTEmbedder
    from .derivatives import write_embeddings
    from .preprocessing import sliding_windows

    windows = sliding_windows(recording, _DEMO_WINDOW_S)
    names = list(recording.raw.ch_names)
    X = _window_data(recording, windows)
    embedder = BrainBERTEmbedder(checkpoint=checkpoint, sfreq=recording.sfreq, flatten=False)
    embeddings = embedder.fit_transform(X)
    regions = recording.electrodes.set_index("name").loc[names, "region"].astype(str).tolist()
    paths = write_embeddings(
        bids_root,
        recording,
        embeddings,
        desc="brainbert",
        model="BrainBERT (ieegrep demo encoder)",
        checkpoint_sha256=embedder.checkpoint_sha256_,
        preprocessing={
            "notch": "reference (causal iirnotch, line frequency and harmonics)",
            "reference": "laplacian",
            "resampled_to_hz": _DEMO_SFREQ,
            "window_s": _DEMO_WINDOW_S,
            "stride_s": _DEMO_WINDOW_S,
            "spectrogram": "BrainBERT STFT (400-sample Hann, hop 50, z-score, trim 10)",
            "pooling": "center",
            "unit": "uV",
        },
        atlas=atlas,
        channels=names,
        regions=regions,
        onsets=windows["onset"].to_numpy(float),
        durations=windows["duration"].to_numpy(float),
        sfreq=_DEMO_SFREQ,
        overwrite=True,
    )
    return embeddings, regions, paths


def _onset_channel_spectrogram(recording, onset):
    """STFT power of the channel that changes most at the onset, in dB re the pre-onset mean.

    BrainBERT's STFT front end without its z-score (400-sample window, hop 50,
    0-200 Hz); for the figure only, the channel is chosen by its power change.
    """
    from .preprocessing import stft_spectrogram

    data = recording.raw.get_data()
    at = int(round(onset * recording.sfreq))
    change = np.log(data[:, at:].var(axis=1) / data[:, :at].var(axis=1))
    channel = int(np.argmax(np.abs(change)))
    magnitude, times, freqs = stft_spectrogram(
        data[channel], recording.sfreq, normalize=None, return_axes=True
    )
    power = 20 * np.log10(np.maximum(magnitude, np.finfo(float).tiny))
    baseline = power[times < onset].mean(axis=0)
    return recording.raw.ch_names[channel], power - baseline, times, freqs


def _regions_table(recordings) -> pd.DataFrame:
    rows = []
    for rec in recordings:
        regions = rec.electrodes["region"].astype(str)
        rows.append(
            {
                "recording": rec.name,
                "channels": len(regions),
                "regions": int(regions[regions != UNKNOWN].nunique()),
                "Unknown": int((regions == UNKNOWN).sum()),
                "space": rec.provenance.get("space"),
            }
        )
    return pd.DataFrame(rows)


def _cmd_demo(args) -> int:
    import torch

    from .analysis.dimensionality import intrinsic_dimensionality
    from .datasets import sample_path
    from .models.brainbert import BrainBERT
    from .preprocessing import preprocess
    from .viz import plot_decoding, plot_dimensionality
    from .viz.report import plot_spectrogram
    from .viz.training import plot_training_history

    if args.pretrain_steps < 0:
        raise InvalidParameterError(
            "The number of pretraining steps cannot be negative.",
            field="--pretrain-steps",
            value=args.pretrain_steps,
            fix="Pass 0 (the bundled demo encoder) or a positive number, e.g. 200.",
        )
    _use_agg()
    step = _Progress(8)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    figures = out / "figures"
    draw = not args.no_plot
    print(f"ieegrep {__version__} demo on the bundled real sample ({sample_path()})")

    step(f"copying the sample to {out / 'bids'} (derivatives go there, not into the package)")
    bids_root = _copy_sample(out / "bids")

    step("reading BIDS: channels per atlas region")
    recordings = _load_and_print(bids_root, args)
    _write_table(recordings, out / "regions.tsv")
    region_figures = _save_figures(recordings, figures, args.level) if draw else []

    step(f"preprocessing: notch, Laplacian re-reference, resample to {_DEMO_SFREQ:g} Hz")
    clean = []
    for rec in recordings:
        processed = preprocess(rec, notch="reference", reference="laplacian", sfreq=_DEMO_SFREQ)
        clean.append(processed)
        print(
            f"  {rec.name}: {len(rec.raw.ch_names)} channels at {rec.sfreq:.2f} Hz -> "
            f"{len(processed.raw.ch_names)} Laplacian channels at {processed.sfreq:g} Hz, "
            f"{processed.raw.times[-1]:.1f} s"
        )

    step("encoder")
    checkpoint, config, training = _demo_encoder(args, bids_root, out)
    loss_figure = None
    if training is not None and draw:
        loss_figure = _save_figure(
            plot_training_history(training.history, title="BrainBERT pretraining on the sample"),
            figures / "pretraining_loss.png",
        )

    step(f"embeddings of {_DEMO_WINDOW_S:g}-s windows -> BIDS derivatives")
    embedded = []
    for rec in clean:
        embeddings, regions, paths = _embed_recording(bids_root, rec, checkpoint, args.atlas)
        embedded.append((rec, embeddings, regions))
        print(f"  {rec.name}: {embeddings.shape} -> {os.path.relpath(paths['embeddings'], out)}")

    step("decoding the seizure onset (pre vs post, whole 3-s blocks held out)")
    ictal = [
        (rec, row.onset)
        for rec in clean
        for row in rec.events.itertuples()
        if getattr(row, "trial_type", None) == "seizure_onset"
    ]
    if not ictal:
        raise InvalidParameterError(
            "The sample has no seizure_onset event.",
            file=bids_root,
            field="trial_type",
            fix="Reinstall ieegrep: its sub-02 events.tsv marks the seizure onset.",
        )
    rec, onset = ictal[0]
    windows = _onset_windows(rec, onset, _DEMO_WINDOW_S, _DEMO_BLOCK_WINDOWS)
    folds = _buffered_block_folds(windows, _DEMO_SPLITS, _DEMO_WINDOW_S)
    X = _window_data(rec, windows)
    y = windows["label"].to_numpy()
    torch.manual_seed(_DEMO_SEED)
    random_model = BrainBERT(**config)
    print(
        f"  {rec.name}: {len(windows)} windows ({int(y.sum())} after the onset at "
        f"{onset:.2f} s), {len(rec.raw.ch_names)} channels; {len(folds)} folds of "
        f"{min(len(te) for _, te in folds)}-{max(len(te) for _, te in folds)} test windows",
        flush=True,
    )
    summary = _decode(
        X, y, folds, windows["block"].to_numpy(), _feature_sets(checkpoint, random_model)
    )
    results = summary.attrs["results"]
    folds_table = pd.concat([r.to_frame() for r in results.values()], ignore_index=True)
    for path, table in ((out / "decoding_summary.tsv", summary), (out / "decoding_folds.tsv", folds_table)):  # fmt: skip
        with atomic_write(path, newline="") as fid:
            table.to_csv(fid, sep="\t", index=False, float_format="%.4f", lineterminator="\n")

    step("intrinsic dimensionality of the embeddings per region")
    rows, labels = [], []
    for _, embeddings, regions in embedded:
        rows.append(embeddings.reshape(-1, embeddings.shape[-1]))
        labels.extend(np.tile(np.asarray(regions, dtype=object), embeddings.shape[0]))
    labels = np.asarray(labels, dtype=object)
    known = labels != UNKNOWN
    dimensionality = intrinsic_dimensionality(
        np.concatenate(rows)[known], labels[known], min_samples=_DEMO_MIN_SAMPLES
    )
    channels = pd.Series([r for _, _, regions in embedded for r in regions]).value_counts()
    dimensionality["n_channels"] = dimensionality["region"].map(channels).astype(int)
    dimensionality = dimensionality.dropna(subset=["participation_ratio"]).reset_index(drop=True)
    with atomic_write(out / "dimensionality.tsv", newline="") as fid:
        dimensionality.to_csv(fid, sep="\t", index=False, float_format="%.3f", lineterminator="\n")
    print(
        f"  {len(dimensionality)} regions; participation ratio "
        f"{dimensionality['participation_ratio'].min():.1f}-"
        f"{dimensionality['participation_ratio'].max():.1f} of {config['d_model']} dimensions"
    )

    step("figures and report")
    figure_paths = {}
    if draw:
        figure_paths["decoding"] = _save_figure(
            plot_decoding(summary, title=f"{rec.name}: pre vs post seizure onset"),
            figures / "decoding.png",
        )
        figure_paths["dimensionality"] = _save_figure(
            plot_dimensionality(dimensionality, title="BrainBERT embeddings per region"),
            figures / "dimensionality.png",
        )
        channel, spec, times, freqs = _onset_channel_spectrogram(rec, onset)
        figure_paths["spectrogram"] = _save_figure(
            plot_spectrogram(
                spec, times, freqs, markers={"seizure onset": onset},
                title=f"{rec.name}, {channel} (Laplacian): STFT power", unit="dB re pre-onset",
            ),
            figures / "spectrogram.png",
        )  # fmt: skip
    report = _write_demo_report(
        out, args, recordings, clean, checkpoint, training, summary, windows, folds,
        dimensionality, figure_paths, region_figures, loss_figure, step.elapsed,
    )  # fmt: skip
    best = summary.iloc[0]
    print(
        f"\ndone in {step.elapsed:.0f} s.\n"
        f"  decoding (AUROC, mean ± s.e.m. over {int(best.n_folds)} folds): "
        + "; ".join(
            f"{r.name} {r.auroc_mean:.2f} ± {r.auroc_sem:.2f}" for r in summary.itertuples()
        )
        + f"\n  report:      {report}\n  figures:     {figures}\n"
        f"  derivatives: {bids_root / 'derivatives' / 'ieegrep'}\n"
        f"  tables:      {out / 'regions.tsv'}, {out / 'decoding_summary.tsv'}, "
        f"{out / 'dimensionality.tsv'}"
    )
    return 0


def _window_data(recording, windows) -> np.ndarray:
    """Every channel's samples in each window, in microvolts (the encoders' unit), float32."""
    from .decoding.inputs import VOLTS_TO_MICROVOLTS
    from .preprocessing import extract_windows

    data = recording.raw.get_data() * VOLTS_TO_MICROVOLTS
    return extract_windows(data, windows).astype(np.float32)


def _figure_block(figures: dict, key: str, caption: str) -> list:
    """Return the report block of one figure, or none when it was not drawn (--no-plot)."""
    return [(figures[key], caption)] if key in figures else []


def _write_demo_report(
    out, args, recordings, clean, checkpoint, training, summary, windows, folds,
    dimensionality, figures, region_figures, loss_figure, elapsed,
):  # fmt: skip
    from .models.checkpoints import file_sha256
    from .viz.report import write_markdown_report

    checkpoint = Path(checkpoint)
    decoding = summary[["name", "auroc_mean", "auroc_sem", "n_folds"]].rename(
        columns={"auroc_mean": "AUROC mean", "auroc_sem": "s.e.m.", "n_folds": "folds"}
    )
    n_train = [len(tr) for tr, _ in folds]
    n_test = [len(te) for _, te in folds]
    if training is None:
        encoder = (
            f"The bundled demo encoder `{checkpoint.name}` (BrainBERT, d_model 64, 2 layers; "
            "trained by ieegrep with `tools/train_demo_checkpoint.py` on simulated data and this "
            "sample, self-supervised, without labels; its `provenance.json` gives the command, "
            f"seed and final loss). SHA-256 `{file_sha256(checkpoint)}`."
        )
    else:
        losses = training.final_losses(last=max(1, min(20, training.n_steps // 5)))
        encoder = (
            f"BrainBERT (the demo encoder's architecture) pretrained here for "
            f"{training.n_steps} steps on this sample by masked spectrogram modelling: final "
            f"loss {losses['loss']:.4f} against {losses['baseline_loss']:.4f} for the trivial "
            f"predictor. Model: `{checkpoint}`."
        )
    blocks = [
        f"ieegrep {__version__}, {time.strftime('%Y-%m-%d %H:%M')}, {elapsed:.0f} s. "
        f"Data: the bundled real sample (mne-misc-data, BSD-3-Clause), copied to `bids/`.",
        "## Recordings and regions",
        f"Atlas `{args.atlas}`; full table in `regions.tsv`.",
        _regions_table(recordings),
        *[(path, f"electrodes of {path.stem}") for path in region_figures],
        "## Preprocessing",
        "Line-noise notch (causal `iirnotch` at the line frequency and harmonics), shaft/grid "
        f"Laplacian re-reference, resampling to {_DEMO_SFREQ:g} Hz: "
        + ", ".join(f"{c.name} {len(c.raw.ch_names)} channels" for c in clean)
        + ".",
        *_figure_block(figures, "spectrogram", "spectrogram around the seizure onset"),
        "## Encoder",
        encoder,
        *([(loss_figure, "pretraining loss")] if loss_figure else []),
        "## Decoding the seizure onset",
        f"Task: 1-s windows of the ECoG recording before (label 0) or after (label 1) the "
        f"`seizure_onset` event, tiled outwards from the onset so that no window straddles "
        f"it: {int((windows['label'] == 0).sum())} pre and {int(windows['label'].sum())} post. "
        f"Split: the windows form blocks of {_DEMO_BLOCK_WINDOWS} s on each side of the onset; "
        f"`GroupedSplit({_DEMO_SPLITS})` holds out whole blocks (each fold tests blocks of both "
        "classes), and training windows adjacent to a test window are dropped, so no training "
        f"window touches a test window ({min(n_train)}-{max(n_train)} training and "
        f"{min(n_test)}-{max(n_test)} test windows per fold). Each decoder is a "
        "StandardScaler and a logistic regression on the features, fitted inside each fold. "
        "Per-fold AUROC in `decoding_folds.tsv`.",
        decoding,
        *_figure_block(figures, "decoding", "AUROC per fold and mean ± s.e.m."),
        "With one seizure in one recording, the folds are not independent and anything "
        "that changes across the onset (including slow drifts) separates the classes: "
        "read the numbers as a working pipeline, not as a benchmark. The demo encoder has "
        "seen this recording during self-supervised pretraining (never its labels).",
        "## Derivatives",
        "BrainBERT embeddings (centre pooling, one 64-d vector per 1-s window and channel) "
        "of both recordings, with JSON provenance (checkpoint SHA-256, preprocessing, "
        "atlas, channels and regions, window onsets), in `bids/derivatives/ieegrep/`.",
        "## Intrinsic dimensionality per region",
        "PCA components for 95 % of the variance and participation ratio of the embeddings "
        "of each region's channels (all windows; regions with at least "
        f"{_DEMO_MIN_SAMPLES} samples; "
        "`Unknown` contacts left out). Table in `dimensionality.tsv`.",
        dimensionality,
        *_figure_block(figures, "dimensionality", "intrinsic dimensionality per region"),
    ]
    return write_markdown_report(out / "report.md", blocks, title="ieegrep demo report")


# ------------------------------------------------------------------ decode, embed
def _checkpoint_options(values) -> dict:
    checkpoints = {}
    for value in values or []:
        name, sep, path = str(value).partition("=")
        if not sep or not name or not path:
            raise InvalidParameterError(
                "A checkpoint must be given as FEATURE_SET=PATH.",
                field="--checkpoint",
                value=value,
                fix="Pass e.g. --checkpoint brainbert=runs/bert/model.pt "
                "barista:parcel=runs/barista/model.pt.",
            )
        checkpoints[name.strip()] = path.strip()
    return checkpoints


def _cmd_decode(args) -> int:
    from .decoding import decode_bids

    if args.protocol == "neuroprobe":
        return _cmd_neuroprobe(args)
    if not args.events:
        raise InvalidParameterError(
            "decode needs the positive events, or a benchmark protocol.",
            field="--events",
            value=None,
            fix="Pass e.g. --events trial_type=sentence_onset, or --protocol neuroprobe on a "
            "Brain Treebank import.",
        )
    features = _comma_list(args.features) or []
    checkpoints = _checkpoint_options(args.checkpoint)
    out = Path(args.out) if args.out else None
    figure = out / "decoding.png" if out else None
    if figure is not None and figure.exists() and not args.overwrite:
        raise OutputExistsError(
            "A decoding figure exists already in the output folder.",
            file=figure,
            fix="Pass --overwrite, or another --out folder.",
        )
    summary = decode_bids(
        args.bids_root,
        events=args.events,
        negative=args.negative,
        feature_sets=features,
        checkpoints=checkpoints,
        window=tuple(args.window),
        cv=args.cv,
        n_splits=args.n_splits,
        group_by=args.group_by,
        out_dir=out,
        **_selection_options(args),
    )
    n_windows, n_positive = int(summary["n_windows"].iloc[0]), int(summary["n_positive"].iloc[0])
    print(
        f"{args.events} vs {args.negative or 'other events (or rest)'}: {n_windows} windows, "
        f"{n_positive} positive; cv={args.cv}"
    )
    width = max(len("feature set"), *(len(n) for n in summary["name"]))
    print(f"\n{'feature set':<{width}}  AUROC mean ± s.e.m.  folds")
    for row in summary.itertuples(index=False):
        print(
            f"{row.name:<{width}}  {row.auroc_mean:.3f} ± {row.auroc_sem:.3f}        {row.n_folds}"
        )
    if out is not None:
        _use_agg()
        from .viz import plot_decoding

        _save_figure(plot_decoding(summary, title=args.events), figure)
        print(
            f"\nwrote {out / 'decoding_summary.tsv'}, {out / 'decoding_folds.tsv'}, "
            f"{out / 'decoding.json'} and {figure}"
        )
    return 0


_SPLIT_ALIASES = {
    "within_session": "within_session", "within-session": "within_session",
    "withinsession": "within_session", "ss-sm": "within_session",
    "cross_session": "cross_session", "cross-session": "cross_session",
    "crosssession": "cross_session", "ss-dm": "cross_session",
    "cross_subject": "cross_subject", "cross-subject": "cross_subject",
    "crosssubject": "cross_subject", "ds-dm": "cross_subject",
}  # fmt: skip


def _split_keys(values) -> list:
    keys = []
    for value in values:
        for item in str(value).split(","):
            item = item.strip()
            if not item:
                continue
            key = _SPLIT_ALIASES.get(item.lower())
            if key is None:
                raise InvalidParameterError(
                    "Unknown Neuroprobe split.",
                    field="--split",
                    value=item,
                    fix="Use within-session, cross-session or cross-subject.",
                )
            keys.append(key)
    return list(dict.fromkeys(keys))


def _comma_list(value):
    return [v.strip() for v in str(value).split(",") if v.strip()] if value else None


def _cmd_neuroprobe(args) -> int:
    from .decoding.neuroprobe import (
        NEUROPROBE_SPLITS,
        neuroprobe_leaderboard,
        neuroprobe_summary,
        run_neuroprobe,
    )

    features = _comma_list(args.features) or []
    if args.split:
        splits = _split_keys(args.split)
    elif args.subset == "nano":
        splits = ["within_session", "cross_subject"]
    else:
        splits = list(NEUROPROBE_SPLITS)
    out = Path(args.out) if args.out else None
    folds = run_neuroprobe(
        args.bids_root,
        features=features,
        subset=args.subset,
        splits=splits,
        tasks=_comma_list(args.neuroprobe_tasks),
        sessions=_comma_list(args.neuroprobe_sessions),
        checkpoints=_checkpoint_options(args.checkpoint),
        out_dir=out,
        author=args.author or "",
        organization=args.organization or "",
        organization_url=args.organization_url or "",
        device=args.device,
        batch_size=args.batch_size,
        overwrite=args.overwrite,
        resume=args.resume,
        progress=not args.no_progress,
    )
    summary = neuroprobe_summary(folds)
    published = {}
    if args.subset == "lite":
        board = neuroprobe_leaderboard()
        published = {(r.feature_set, r.split): r.overall for r in board.itertuples(index=False)}
    print(f"\nNeuroprobe-{args.subset.capitalize()}: test AUROC, mean over sessions x folds")
    width = max(len("feature set"), *(len(n) for n in summary["feature_set"]))
    print(
        f"{'feature set':<{width}}  {'split':<15}  overall  onset  speech  evals/task  "
        "leaderboard overall"
    )
    for row in summary.itertuples(index=False):
        board_value = published.get((row.feature_set, row.split))
        print(
            f"{row.feature_set:<{width}}  {NEUROPROBE_SPLITS[row.split]:<15}  "
            f"{row.overall:7.3f}  {row.onset:5.3f}  {row.speech:6.3f}  {row.n_evaluations:>10}  "
            + (f"{board_value:.3f}" if board_value is not None else "-")
        )
    if out is not None and len(summary):
        _use_agg()
        from .viz.neuroprobe import plot_neuroprobe

        shown = "cross_session" if "cross_session" in set(summary["split"]) else summary["split"][0]
        _save_figure(plot_neuroprobe(summary, split=shown), out / "neuroprobe.png")
        print(
            f"\nwrote population_<task>.json per feature set and split under {out}, "
            f"{out / 'neuroprobe.png'}, "
            f"{out / 'neuroprobe_summary.tsv'} and {out / 'neuroprobe_folds.tsv'}"
        )
    return 0


def _cmd_import_braintreebank(args) -> int:
    from .bids.braintreebank import import_braintreebank

    subjects = None
    if args.subject:
        subjects = [int(v) if str(v).isdigit() else v for v in args.subject]
    result = import_braintreebank(
        args.source_dir,
        args.bids_root,
        subjects=subjects,
        overwrite=args.overwrite,
        neuroprobe_dir=args.neuroprobe_dir,
        verbose="info" if args.verbose else None,
    )
    print(f"Brain Treebank imported to {args.bids_root}")
    if isinstance(result, (list, tuple)):
        print(f"{len(result)} session(s) written or already complete")
    return 0


def _add_import_braintreebank(sub):
    parser = sub.add_parser(
        "import-braintreebank",
        help="convert the Brain Treebank release to an iEEG-BIDS dataset",
        description="Convert the Brain Treebank release (per-session h5 files, electrode "
        "labels and localisation, word features and alignments) to iEEG-BIDS, streaming the "
        "signals; words and Neuroprobe's non-verbal chunks go to events.tsv. Resumable: "
        "complete sessions are kept.",
    )
    parser.add_argument("source_dir", help="folder of the downloaded release")
    parser.add_argument("bids_root", help="root of the BIDS dataset to write")
    parser.add_argument(
        "--subject", "--subjects", nargs="+", metavar="N",
        help="only these subjects (Brain Treebank numbers, e.g. 1 2 3)",
    )  # fmt: skip
    parser.add_argument(
        "--neuroprobe-dir", metavar="DIR",
        help="Neuroprobe's package data (braintreebank_features_time_alignment/, "
        "pitch_volume_features/), e.g. the installed neuroprobe package folder (default: "
        "look in SOURCE_DIR; without them words are aligned from the triggers)",
    )  # fmt: skip
    parser.add_argument(
        "--overwrite", action="store_true", help="rewrite sessions that exist already"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")
    parser.set_defaults(func=_cmd_import_braintreebank)


def _cmd_embed(args) -> int:
    from .decoding import embed_bids
    from .derivatives import derivatives_root

    window = args.window if args.window is not None else (5.0 if args.model == "brainbert" else 3.0)
    written = embed_bids(
        args.bids_root,
        checkpoint=args.checkpoint,
        model=args.model,
        window=window,
        stride=args.stride,
        reference=args.reference,
        pooling=args.pooling,
        **_selection_options(args),
    )
    root = derivatives_root(args.bids_root)
    for paths in written:
        shape = np.load(paths["embeddings"], mmap_mode="r").shape
        print(f"{os.path.relpath(paths['embeddings'], root)}  {shape}")
    print(f"\n{len(written)} recording(s) embedded; derivatives in {root}")
    return 0


def _add_bids_selection(parser):
    parser.add_argument("--subject", "--subjects", nargs="+", help="only these subjects")
    parser.add_argument("--session", "--sessions", nargs="+", help="only these sessions")
    parser.add_argument("--task", nargs="+", help="only these tasks")


def _add_selection(parser):
    _add_bids_selection(parser)
    parser.add_argument(
        "--device", default="cpu", help="cpu, cuda or cuda:N (default: %(default)s)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=None, help="encoder batch size (default: the model's)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")


def _selection_options(args) -> dict:
    """Return the keyword arguments of decode_bids / embed_bids set by _add_selection."""
    return {
        "subjects": args.subject,
        "sessions": args.session,
        "tasks": args.task,
        "device": args.device,
        "batch_size": args.batch_size,
        "overwrite": args.overwrite,
    }


def _add_decode(sub):
    from .decoding import FEATURE_SETS

    parser = sub.add_parser(
        "decode",
        help="decode a task defined on BIDS events with several feature sets, leak-free",
        description="Cross-validate decoders of events against a negative class with several "
        "feature sets on the same leak-free folds; print AUROC (mean ± s.e.m. over folds) and "
        "with --out write the tables and decoding.png.",
    )
    parser.add_argument("bids_root", help="root of the BIDS dataset")
    parser.add_argument(
        "--events", metavar="COL=V[,V]",
        help="positive events, e.g. trial_type=sentence_onset (not with --protocol)",
    )  # fmt: skip
    protocol = parser.add_argument_group("benchmark protocol")
    protocol.add_argument(
        "--protocol", choices=("neuroprobe",), default=None,
        help="run a benchmark instead of --events: neuroprobe (15 tasks of the Brain "
        "Treebank, leaderboard-format results)",
    )  # fmt: skip
    protocol.add_argument(
        "--subset", choices=("lite", "nano", "full"), default="lite",
        help="Neuroprobe subset (default: %(default)s, the leaderboard's)",
    )  # fmt: skip
    protocol.add_argument(
        "--split", nargs="+", metavar="SPLIT",
        help="within-session, cross-session, cross-subject (default: all; Nano has no "
        "cross-session)",
    )  # fmt: skip
    protocol.add_argument(
        "--neuroprobe-tasks", metavar="T[,T]", help="only these tasks (default: all 15)"
    )
    protocol.add_argument(
        "--neuroprobe-sessions", metavar="btbankS_T[,...]",
        help="only these test sessions (default: every session of the subset)",
    )  # fmt: skip
    protocol.add_argument(
        "--resume", action="store_true", help="keep result files in --out, compute the rest"
    )
    protocol.add_argument("--author", help="author field of the result files")
    protocol.add_argument("--organization", help="organization field of the result files")
    protocol.add_argument("--organization-url", help="organization_url field")
    protocol.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--negative", default=None, metavar="rest|COL=V",
        help="negative windows: rest, or events COL=V[,V] (default: the column's other "
        "events, else rest)",
    )  # fmt: skip
    parser.add_argument(
        "--features", "--model", dest="features", default="raw,stft,laplacian_stft",
        help=f"comma-separated feature sets (models) among {', '.join(FEATURE_SETS)} "
        "(default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--checkpoint", nargs="+", metavar="NAME=PATH",
        help="encoder of each embedding feature set, e.g. brainbert=model.pt "
        "barista:parcel=barista.pt ('barista' serves every scale)",
    )  # fmt: skip
    parser.add_argument(
        "--window", nargs=2, type=float, default=(0.0, 1.0), metavar=("PRE", "POST"),
        help="seconds before and after each onset (default: 0 1)",
    )  # fmt: skip
    parser.add_argument(
        "--cv", choices=("contiguous", "session", "subject", "grouped"), default="contiguous",
        help="cross-validation (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--n-splits", type=int, default=5, help="folds (default: %(default)s)")
    parser.add_argument("--group-by", metavar="COL", help="events column of --cv grouped")
    parser.add_argument("--out", metavar="DIR", help="write the tables and decoding.png here")
    _add_selection(parser)
    parser.set_defaults(func=_cmd_decode)


def _add_embed(sub):
    parser = sub.add_parser(
        "embed",
        help="write a frozen encoder's embeddings as BIDS derivatives",
        description="Embed every recording with a frozen encoder and write the embeddings, "
        "with provenance, to BIDS_ROOT/derivatives/ieegrep.",
    )
    parser.add_argument("bids_root", help="root of the BIDS dataset")
    parser.add_argument("--checkpoint", required=True, metavar="PATH", help="encoder checkpoint")
    parser.add_argument(
        "--model", choices=("brainbert", "barista"), default="brainbert",
        help="encoder family of the checkpoint (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--window", type=float, default=None, help="window, s (default: 5 BrainBERT, 3 BaRISTA)"
    )
    parser.add_argument("--stride", type=float, default=None, help="step, s (default: --window)")
    parser.add_argument(
        "--reference", choices=("laplacian", "bipolar", "average", "none"), default="laplacian",
        help="re-referencing before the encoder (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--pooling", default=None,
        help="embedder pooling (default: center for BrainBERT, channel for BaRISTA)",
    )  # fmt: skip
    _add_selection(parser)
    parser.set_defaults(func=_cmd_embed)


# ------------------------------------------------------------------ pretrain
_BARISTA_SIZES = {"tiny": "tiny", "small": "small", "base": "barista"}
_DEFAULTS = {
    # model: (size, lr, weight decay, schedule, warm-up fraction)
    "brainbert": ("large", 1e-4, 0.0, "step", 0.025),
    "barista": ("base", 1e-3, 1e-2, "cosine", 5 / 70),
}


def _initialise(model, args):
    """Apply ``--init`` to a freshly built model (a resumed run then loads its own weights)."""
    if args.init == "mimetic":
        from .models.initialisation import mimetic_init

        mimetic_init(model, seed=args.seed)
    return model


def _build_objective(args):
    """Model and objective for the command's options (weights seeded by --seed)."""
    import torch

    size = args.size or _DEFAULTS[args.model][0]
    torch.manual_seed(args.seed)
    if args.model == "brainbert":
        from .models.brainbert import BrainBERT
        from .training.masked_spectrogram import MaskedSpectrogramObjective

        model = _initialise(BrainBERT.from_config(size), args)
        return model, MaskedSpectrogramObjective(model), size
    from .models.barista import Barista
    from .training.latent_reconstruction import LatentReconstructionObjective

    if size not in _BARISTA_SIZES:
        raise InvalidParameterError(
            "BaRISTA has no model of this size.",
            field="--size",
            value=size,
            fix="Use --size base (the authors' architecture, about 0.85 M parameters), small "
            "or tiny.",
        )
    model = _initialise(Barista.from_preset(_BARISTA_SIZES[size], scale=args.scale), args)
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


def _neuroprobe_exclusions(args) -> dict:
    """Add Neuroprobe's evaluation sessions present in the dataset to ``args.exclude``."""
    from .datasets.neuroprobe import PRETRAINING_OFF_LIMITS_SESSIONS, is_neuroprobe_eval_session

    held_out = []
    for path in find_recordings(args.bids_root):
        try:
            evaluated = is_neuroprobe_eval_session(path.subject, path.session)
        except IeegrepError:  # labels that are not Brain Treebank numbers
            evaluated = False
        if evaluated:
            held_out.append(f"sub-{path.subject}_ses-{path.session}")
    held_out = sorted(set(held_out))
    args.exclude = list(args.exclude or []) + held_out
    if not held_out:
        print(
            "note: no Neuroprobe evaluation session (sub-S_ses-T of the Brain Treebank "
            "import) in this dataset; nothing to leave out",
            file=sys.stderr,
        )
    return {
        "exclude_neuroprobe_eval": True,
        "off_limits_sessions": [f"btbank{s}_{t}" for s, t in PRETRAINING_OFF_LIMITS_SESSIONS],
        "excluded_sessions": held_out,
    }


def _cmd_pretrain(args) -> int:
    from .training import distributed
    from .training.runner import Pretrainer

    ctx = distributed.init_distributed(args.device)
    neuroprobe = _neuroprobe_exclusions(args) if args.exclude_neuroprobe_eval else None
    model, objective, size = _build_objective(args)
    if not ctx.is_main:  # rank 0 fills the preprocessing cache first
        distributed.barrier(ctx)
    dataset = _build_dataset(args, model)
    if ctx.is_main:
        distributed.barrier(ctx)
        print(
            f"{args.model} ({size}), {sum(p.numel() for p in model.parameters()):,} parameters; "
            f"{len(dataset):,} examples from {len(dataset.recordings)} recording(s)"
            + (f", {len(dataset.excluded_recordings)} held out" if args.exclude else "")
            + (" (Neuroprobe's evaluation sessions excluded)" if neuroprobe else ""),
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
            "init": args.init,
            **({"neuroprobe": neuroprobe} if neuroprobe else {}),
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
    _use_agg()
    from .viz.training import plot_training_history

    curve = _save_figure(
        plot_training_history(result.history, title=f"{args.model} pretraining"),
        Path(args.out) / "loss.png",
    )
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
        "BaRISTA, the authors' architecture; BaRISTA has tiny, small and base)",
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
    parser.add_argument(
        "--init",
        choices=("mimetic", "default"),
        default="mimetic",
        help="attention initialisation of the new model: mimetic (Trockman & Kolter 2023; "
        "a short run learns far sooner) or PyTorch's default (default: %(default)s)",
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
    _add_bids_selection(parser)
    parser.add_argument(
        "--exclude",
        nargs="+",
        metavar="SESSION",
        help="held-out sessions, e.g. sub-01_ses-02 or sub-03 (all its sessions)",
    )
    parser.add_argument(
        "--exclude-neuroprobe-eval",
        action="store_true",
        help="leave out Neuroprobe's evaluation sessions (Brain Treebank import; recorded in "
        "the model's provenance)",
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

    demo = sub.add_parser(
        "demo",
        help="run the main job end to end on the bundled real sample",
        description="Regions, preprocessing, a BrainBERT encoder, embeddings as BIDS "
        "derivatives, a leak-free decoding score of the seizure onset, intrinsic "
        "dimensionality per region, figures and report.md, on the bundled real sample.",
    )
    demo.add_argument(
        "--out",
        "--output",
        dest="output",
        default="ieegrep-demo",
        help="output folder (default: %(default)s); its bids/ copy of the sample is replaced",
    )
    demo.add_argument(
        "--pretrain-steps",
        type=int,
        default=0,
        metavar="N",
        help="pretrain the encoder N steps on the sample instead of using the bundled demo "
        "checkpoint (default: 0, the bundled one)",
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
    _add_decode(sub)
    _add_embed(sub)
    _add_import_braintreebank(sub)
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
