import pytest

from ieegrep.atomic import atomic_directory, atomic_write
from ieegrep.exceptions import OutputExistsError


def test_atomic_write_replaces_only_on_success(tmp_path):
    target = tmp_path / "table.tsv"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fid:
            fid.write("half")
            raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.tsv"]
    with atomic_write(target) as fid:
        fid.write("new")
    assert target.read_text() == "new"


def test_atomic_write_refuses_overwrite(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("keep")
    with pytest.raises(OutputExistsError) as info:
        with atomic_write(target, overwrite=False) as fid:
            fid.write("no")
    assert info.value.fix and target.read_text() == "keep"


def test_atomic_directory(tmp_path):
    target = tmp_path / "dataset"
    with atomic_directory(target) as tmp:
        (tmp / "a.txt").write_text("1")
        assert not target.exists()
    assert (target / "a.txt").read_text() == "1"
    with pytest.raises(OutputExistsError):
        with atomic_directory(target):
            pass
    with pytest.raises(ValueError):
        with atomic_directory(target, overwrite=True) as tmp:
            (tmp / "b.txt").write_text("2")
            raise ValueError("interrupted")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]  # old content intact
    with atomic_directory(target, overwrite=True) as tmp:
        (tmp / "b.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]  # no leftovers
