import pandas as pd
import pytest

from ieegrep.cli import main
from ieegrep.datasets import sample_path


def test_regions_prints_per_recording(capsys):
    assert main(["regions", str(sample_path())]) == 0
    out, err = capsys.readouterr()
    assert "sub-01_task-rest_acq-seeg" in out and "sub-02_task-ictal_acq-ecog" in out
    assert "ctx-lh-superiorfrontal" in out
    assert "Unknown (46):" in out
    assert "SuspiciousCoordinatesWarning" in err  # warnings shown, not hidden


def test_regions_writes_full_table_atomically(tmp_path, capsys):
    output = tmp_path / "regions.tsv"
    assert (
        main(
            [
                "regions",
                str(sample_path()),
                "--subject",
                "02",
                "--output",
                str(output),
                "--level",
                "lobe",
            ]
        )
        == 0
    )
    table = pd.read_csv(output, sep="\t")
    assert len(table) == 76
    assert {"recording", "subject", "name", "x", "region", "lobe", "shaft"} <= set(table.columns)
    assert table["subject"].astype(str).str.zfill(2).unique().tolist() == ["02"]
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind
    out = capsys.readouterr().out
    assert "parietal" in out and "lobe" in out


def test_regions_plots(tmp_path):
    assert (
        main(["regions", str(sample_path()), "--subject", "01", "--plot", str(tmp_path / "figs")])
        == 0
    )
    figure = tmp_path / "figs" / "sub-01_task-rest_acq-seeg_regions.png"
    assert figure.stat().st_size > 10_000


def test_errors_exit_2_without_traceback(tmp_path, capsys):
    assert main(["regions", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "DatasetNotFoundError" in err and "fix:" in err and "Traceback" not in err
    assert main(["regions", str(sample_path()), "--atlas", "nope"]) == 2


def test_new_commands_are_listed(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("demo", "regions", "pretrain", "decode", "embed"):
        assert command in out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "ieegrep" in capsys.readouterr().out
