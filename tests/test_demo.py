"""``ieegrep demo`` end to end on the bundled real sample: every promised output, valid derivatives."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ieegrep import cli
from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import demo_checkpoint_path, sample_path
from ieegrep.derivatives import find_embeddings, read_embeddings
from ieegrep.exceptions import IeegrepWarning
from ieegrep.models.checkpoints import file_sha256
from ieegrep.preprocessing import preprocess

FEATURE_SETS = ["raw linear", "STFT linear", "BrainBERT", "BrainBERT (random init)"]
FIGURES = [
    "decoding.png",
    "dimensionality.png",
    "spectrogram.png",
    "sub-01_task-rest_acq-seeg_regions.png",
    "sub-02_task-ictal_acq-ecog_regions.png",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Run the demo once, as the README's main command does: no options, from a folder."""
    base = tmp_path_factory.mktemp("demo")
    out = base / "ieegrep-demo"  # the default output folder, relative to the working dir
    result = subprocess.run(
        [sys.executable, "-m", "ieegrep.cli", "demo"],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stdout


@pytest.mark.slow
def test_demo_writes_every_promised_output(demo):
    out, stdout = demo
    for name in ("report.md", "regions.tsv", "decoding_summary.tsv", "decoding_folds.tsv",
                 "dimensionality.tsv"):  # fmt: skip
        assert (out / name).stat().st_size > 100, name
    for name in FIGURES:
        assert (out / "figures" / name).stat().st_size > 10_000, name
    # the regions output of the first demo is still there
    assert "bundled real sample" in stdout
    assert "ctx-lh-superiorfrontal" in stdout and "Unknown (46):" in stdout
    assert len(pd.read_csv(out / "regions.tsv", sep="\t")) == 164
    assert re.search(r"\[8/8\] figures and report", stdout)
    assert "report:      ieegrep-demo/report.md" in stdout  # relative, as given


@pytest.mark.slow
def test_demo_report_holds_the_numbers_and_links(demo):
    out, stdout = demo
    report = (out / "report.md").read_text()
    summary = pd.read_csv(out / "decoding_summary.tsv", sep="\t")
    assert list(summary["name"]) == FEATURE_SETS
    assert summary["auroc_mean"].between(0, 1).all() and (summary["n_folds"] == 4).all()
    folds = pd.read_csv(out / "decoding_folds.tsv", sep="\t")
    for row in summary.itertuples():
        scores = folds.loc[folds["name"] == row.name, "auroc"].to_numpy()
        assert row.auroc_mean == pytest.approx(scores.mean(), abs=1e-3)
        # the report's table row and the printed line carry the same numbers
        assert f"| {row.name} | {row.auroc_mean:.3f} | {row.auroc_sem:.3f} | 4 |" in report
        assert f"{row.name:<24} AUROC {row.auroc_mean:.3f} ± {row.auroc_sem:.3f}" in stdout
    dims = pd.read_csv(out / "dimensionality.tsv", sep="\t")
    assert len(dims) >= 3 and "Unknown" not in set(dims["region"])
    assert dims["participation_ratio"].between(1, 64).all()
    for row in dims.itertuples():
        assert f"| {row.region} | {row.n_samples} |" in report
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
    assert sorted(Path(link).name for link in links) == sorted(FIGURES)
    assert all((out / link).is_file() for link in links)
    sha = re.search(r"SHA-256 `([0-9a-f]{64})`", report)
    assert sha is not None and sha[1] == file_sha256(demo_checkpoint_path())


@pytest.mark.slow
def test_demo_derivatives_are_valid_and_outside_the_package(demo, validate_bids):
    out, _ = demo
    paths = find_embeddings(out / "bids", desc="brainbert")
    assert [p.name.split("_desc")[0] for p in paths] == [
        "sub-01_task-rest_acq-seeg",
        "sub-02_task-ictal_acq-ecog",
    ]
    for path, n_windows in zip(paths, (10, 21)):
        embeddings = read_embeddings(path)
        assert embeddings.data.shape[0] == n_windows and embeddings.data.shape[2] == 64
        assert len(embeddings.regions) == embeddings.data.shape[1]
        assert embeddings.metadata["CheckpointSHA256"] == file_sha256(demo_checkpoint_path())
    assert validate_bids(out / "bids" / "derivatives" / "ieegrep")["errors"] == []
    assert validate_bids(out / "bids")["errors"] == []
    assert not (sample_path() / "derivatives").exists()


def test_onset_windows_and_buffered_folds_are_leak_free():
    with warnings.catch_warnings():  # the sample's known electrode warnings
        warnings.simplefilter("ignore", IeegrepWarning)
        raw = load_recording(find_recordings(sample_path(), subject="02")[0])
    recording = preprocess(raw, notch=None, reference="laplacian", sfreq=2048.0)
    onset = float(recording.events["onset"].iloc[0])
    windows = cli._onset_windows(recording, onset, 1.0, 3)
    begin = windows["onset"].to_numpy()
    end = begin + windows["duration"].to_numpy()
    labels = windows["label"].to_numpy()
    # no window straddles the onset; pre windows end at or before it, post start at or after it
    assert (end[labels == 0] <= onset + 1e-3).all() and (begin[labels == 1] >= onset - 1e-3).all()
    assert (np.diff(begin) >= 1.0 - 1e-3).all()  # non-overlapping
    assert (labels == 0).sum() == 10 and (labels == 1).sum() == 11
    folds = cli._buffered_block_folds(windows, 4, 1.0)
    assert len(folds) == 4
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested) == list(range(len(windows)))  # every window tested once
    blocks = windows["block"].to_numpy()
    for train, test in folds:
        assert set(labels[test]) == {0, 1} and set(labels[train]) == {0, 1}
        assert set(blocks[train]).isdisjoint(blocks[test])  # whole blocks held out
        gaps = np.abs(begin[train][:, None] - begin[test][None, :]).min(axis=1)
        assert gaps.min() > 1.5  # no training window touches a test window
    # dropping the buffer would put neighbours on both sides: the check above can fail
    from ieegrep.decoding import GroupedSplit

    plain = list(GroupedSplit(4).split(None, labels, blocks))
    assert min(
        np.abs(begin[tr][:, None] - begin[te][None, :]).min() for tr, te in plain
    ) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.slow
def test_demo_can_pretrain_its_own_encoder(tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out), "--pretrain-steps", "3", "--no-plot"]) == 0
    text = capsys.readouterr().out
    assert "pretraining BrainBERT" in text and "trivial predictor" in text
    history = pd.read_csv(out / "pretrain" / "history.tsv", sep="\t")
    assert list(history["step"]) == [1, 2, 3]
    report = (out / "report.md").read_text()
    assert "pretrained here for 3 steps" in report
    assert str(out / "pretrain" / "model.pt") in report
    assert not (out / "figures").exists()
    summary = pd.read_csv(out / "decoding_summary.tsv", sep="\t")
    assert list(summary["name"]) == FEATURE_SETS


def test_demo_refuses_a_bad_step_count(tmp_path, capsys):
    assert (
        cli.main(["demo", "--out", str(tmp_path / "d"), "--pretrain-steps", "-2", "--no-plot"]) == 2
    )
    assert "InvalidParameterError" in capsys.readouterr().err
