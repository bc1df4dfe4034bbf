"""``ieegrep pretrain``: both models end to end on a tiny simulated dataset, resume, errors."""

from __future__ import annotations

import pandas as pd
import pytest

from ieegrep.cli import main
from ieegrep.datasets import make_synthetic_bids


@pytest.fixture(scope="module")
def bids_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli") / "ds"
    return make_synthetic_bids(
        root, n_subjects=2, n_sessions=1, duration=10.0, max_channels=10, n_bad=0, seed=2
    )


def _args(root, out, cache, *extra):
    return [
        "pretrain", str(root), "--out", str(out), "--cache-dir", str(cache),
        "--size", "tiny", "--batch-size", "2", "--checkpoint-every", "1", *extra,
    ]  # fmt: skip


@pytest.mark.slow
def test_barista_pretrain_resume_and_refusals(bids_root, tmp_path, capsys):
    from ieegrep.models.barista import Barista

    out, cache = tmp_path / "run", tmp_path / "cache"
    args = _args(bids_root, out, cache, "--model", "barista", "--scale", "channel",
                 "--masking-scale", "parcel", "--steps", "3", "--exclude", "sub-02")  # fmt: skip
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "trivial predictor" in text and "1 held out" in text
    history = pd.read_csv(out / "history.tsv", sep="\t")
    assert list(history["step"]) == [1, 2, 3]
    assert {"loss", "baseline_loss", "lr"} <= set(history.columns)
    assert (out / "loss.png").stat().st_size > 1000
    model = Barista.from_pretrained(out / "model.pt")
    assert model.scale == "channel"
    provenance = model.provenance_
    assert provenance["excluded_sessions"] == ["sub-02"]
    assert provenance["recordings"] == ["sub-01_ses-01_task-movie_run-01_ieeg.vhdr"]
    assert provenance["training"]["steps"] == 3
    assert provenance["init"] == "mimetic"

    # a finished run resumes to itself; a fresh run over it is refused
    assert main([*args, "--resume"]) == 0
    assert len(pd.read_csv(out / "history.tsv", sep="\t")) == 3
    assert main(args) == 2
    assert "OutputExistsError" in capsys.readouterr().err
    # other settings are refused on resume, naming the field
    assert main([*args, "--resume", "--lr", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "TrainingStateError" in err and "field: lr" in err


def test_brainbert_pretrain_two_steps(bids_root, tmp_path, capsys):
    from ieegrep.models.brainbert import BrainBERT

    out = tmp_path / "run"
    args = _args(bids_root, out, tmp_path / "cache", "--model", "brainbert", "--steps", "2")
    assert main([*args, "--subjects", "01"]) == 0
    assert "final loss" in capsys.readouterr().out
    model = BrainBERT.from_pretrained(out / "model.pt")
    assert model.config["d_model"] == 192
    assert model.provenance_["preprocessing"]["kind"] == "brainbert"
    assert model.provenance_["init"] == "mimetic"


def test_init_option_sets_the_starting_weights(bids_root, tmp_path, monkeypatch):
    import ieegrep.models.initialisation as initialisation

    calls = []
    real = initialisation.mimetic_init
    monkeypatch.setattr(
        initialisation, "mimetic_init", lambda model, **kw: calls.append(kw) or real(model, **kw)
    )
    for init, expected in (("default", 0), ("mimetic", 1)):
        out = tmp_path / init
        args = _args(bids_root, out, tmp_path / "cache", "--model", "brainbert", "--steps", "1")
        assert main([*args, "--subjects", "01", "--init", init, "--seed", "3"]) == 0
        assert len(calls) == expected
    assert calls == [{"seed": 3}]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "barista", "--size", "large"], "InvalidParameterError"),
        (["--model", "brainbert", "--subjects", "09"], "NoRecordingsError"),
        (["--model", "brainbert", "--steps", "0"], "InvalidParameterError"),
    ],
)
def test_errors_exit_2(bids_root, tmp_path, capsys, extra, message):
    args = _args(bids_root, tmp_path / "run", tmp_path / "cache", *extra)
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_missing_dataset_exits_2(tmp_path, capsys):
    args = _args(tmp_path / "nowhere", tmp_path / "run", tmp_path / "cache", "--model", "barista")
    assert main(args) == 2
    assert "DatasetNotFoundError" in capsys.readouterr().err


@pytest.mark.parametrize(("size", "d_model", "n_layers"), [("small", 64, 2), ("base", 64, 12)])
def test_barista_sizes(size, d_model, n_layers):
    from argparse import Namespace

    from ieegrep.cli import _build_objective

    args = Namespace(
        model="barista", size=size, seed=0, init="default", scale="channel",
        masking_scale="channel",
    )  # fmt: skip
    model, objective, name = _build_objective(args)
    assert name == size
    assert (model.config["d_model"], model.config["n_layers"]) == (d_model, n_layers)
    assert objective.config["attend_to_masked"] is False
