"""``ieegrep decode`` and ``ieegrep embed`` on a small simulated dataset with a planted effect."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch

from ieegrep.cli import main
from ieegrep.datasets import demo_checkpoint_path, make_synthetic_bids
from ieegrep.derivatives import find_embeddings, read_embeddings
from ieegrep.models.brainbert import BrainBERT

# Simulated subject 3 carries a sentence-locked theta burst in frontal cortex
# (PLANTED_EFFECTS["sentence_theta"]); most of its first 16 contacts are frontal.
TASK = "trial_type=sentence_onset"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = tmp_path_factory.mktemp("sim") / "bids"
    return make_synthetic_bids(
        root, n_subjects=3, duration=120.0, sfreq=1024.0, max_channels=16, n_bad=1, seed=3
    )


@pytest.fixture(scope="module")
def brainbert_path(tmp_path_factory):
    torch.manual_seed(0)
    model = BrainBERT(d_model=16, n_layers=1, n_heads=2, d_ff=32, max_len=256)
    return model.save_pretrained(tmp_path_factory.mktemp("ckpt") / "bert.pt")


def _decode_args(root, out, *extra):
    return ["decode", str(root), "--events", TASK, "--subject", "03", "--n-splits", "3",
            "--out", str(out), *extra]  # fmt: skip


@pytest.mark.slow
def test_decode_prints_and_writes_the_planted_task(simulated, brainbert_path, tmp_path, capsys):
    out = tmp_path / "dec"
    args = _decode_args(
        simulated,
        out,
        "--features",
        "stft,brainbert",
        "--checkpoint",
        f"brainbert={brainbert_path}",
    )
    assert main(args) == 0
    text = capsys.readouterr().out
    summary = pd.read_csv(out / "decoding_summary.tsv", sep="\t").set_index("name")
    assert list(summary.index) == ["stft", "brainbert"]
    assert (summary["n_folds"] == 3).all()
    assert summary.loc["stft", "auroc_mean"] > 0.8, summary  # the planted effect is found
    for name, row in summary.iterrows():  # the printed table is the written one
        line = re.search(rf"^{re.escape(name)}\s+(\S+) ± (\S+)\s+(\d+)$", text, re.M)
        assert line is not None, text
        assert float(line[1]) == pytest.approx(row["auroc_mean"], abs=6e-4)
        assert float(line[2]) == pytest.approx(row["auroc_sem"], abs=6e-4)
    folds = pd.read_csv(out / "decoding_folds.tsv", sep="\t")
    assert len(folds) == 6 and folds["auroc"].between(0, 1).all()
    assert (out / "decoding.json").is_file()
    assert (out / "decoding.png").stat().st_size > 5000

    # outputs are not replaced without --overwrite; with it they are
    assert main(args) == 2
    assert "OutputExistsError" in capsys.readouterr().err
    # --model is the spelling of --features
    assert main([*_decode_args(simulated, out, "--model", "stft", "--overwrite")]) == 0
    assert list(pd.read_csv(out / "decoding_summary.tsv", sep="\t")["name"]) == ["stft"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--features", "wavelets"], "Unknown feature set"),
        (["--features", "brainbert"], "needs an encoder checkpoint"),
        (["--features", "brainbert", "--checkpoint", "model.pt"], "FEATURE_SET=PATH"),
        (["--cv", "grouped"], "group_by"),
        (["--events", "trial_type"], "COLUMN=VALUE"),
        (["--events", "nosuchcolumn=x"], "no column 'nosuchcolumn'"),
    ],
)
def test_decode_errors_exit_2(simulated, tmp_path, capsys, extra, message):
    assert main(_decode_args(simulated, tmp_path / "dec", *extra)) == 2
    err = capsys.readouterr().err
    assert "InvalidParameterError" in err and message in err and "Traceback" not in err
    assert not (tmp_path / "dec" / "decoding.png").exists()


def test_embed_writes_derivatives_with_the_bundled_checkpoint(
    tmp_path, capsys, validate_bids, monkeypatch
):
    root = make_synthetic_bids(
        tmp_path / "bids", n_subjects=1, duration=12.0, sfreq=1024.0, max_channels=8, n_bad=1
    )
    monkeypatch.chdir(tmp_path)  # a relative BIDS root, as typed at a prompt
    args = ["embed", "bids", "--checkpoint", str(demo_checkpoint_path()), "--window", "2"]
    assert main(args) == 0
    text = capsys.readouterr().out
    paths = find_embeddings(root, desc="brainbert")
    assert len(paths) == 1 and paths[0].name in text and "1 recording(s) embedded" in text
    embeddings = read_embeddings(paths[0])
    n_windows = 6  # 12 s in non-overlapping 2-s windows
    assert embeddings.data.shape[0] == n_windows and embeddings.data.shape[2] == 64
    assert np.isfinite(embeddings.data).all()
    assert str(embeddings.data.shape) in text
    np.testing.assert_allclose(embeddings.onsets, np.arange(n_windows) * 2.0, atol=1e-3)
    report = validate_bids(root / "derivatives" / "ieegrep")
    assert report["errors"] == []

    assert main(args) == 2  # existing embeddings are kept
    assert "OutputExistsError" in capsys.readouterr().err
    assert main([*args, "--stride", "1", "--overwrite"]) == 0
    assert read_embeddings(paths[0]).data.shape[0] == 11


def test_embed_errors_exit_2(tmp_path, capsys):
    assert main(["embed", str(tmp_path / "none"), "--checkpoint", "x.pt"]) == 2
    assert "DatasetNotFoundError" in capsys.readouterr().err
