"""The bundled Brain Treebank electrode layouts."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ieegrep.datasets import load_btbank_layout
from ieegrep.electrodes import parse_contact_name
from ieegrep.exceptions import InvalidParameterError

COLUMNS = [
    "subject",
    "name",
    "shaft",
    "contact",
    "hemisphere",
    "mni152_x",
    "mni152_y",
    "mni152_z",
    "mni305_x",
    "mni305_y",
    "mni305_z",
]


def test_all_subjects():
    layout = load_btbank_layout()
    assert layout.columns.tolist() == COLUMNS
    assert sorted(layout["subject"].unique().tolist()) == list(range(1, 11))
    assert layout["hemisphere"].isin(["L", "R"]).all()
    assert not layout.isna().any().any()
    coords = layout[COLUMNS[5:]].to_numpy()
    assert np.abs(coords).max() < 120  # millimetres, inside a head
    # rounded to 0.01 mm
    np.testing.assert_allclose(coords, np.round(coords, 2), atol=1e-9)
    # the file stays small
    from importlib import resources

    data = resources.files("ieegrep.datasets") / "data"
    size = sum(f.stat().st_size for f in Path(str(data)).glob("btbank_layouts.*"))
    assert size < 150_000


@pytest.mark.parametrize("subject", range(1, 11))
def test_one_subject(subject):
    layout = load_btbank_layout(subject)
    assert (layout["subject"] == subject).all()
    assert layout.index.tolist() == list(range(len(layout)))
    assert layout["name"].is_unique
    assert 100 <= len(layout) <= 250
    for name, shaft, contact in layout[["name", "shaft", "contact"]].itertuples(index=False):
        parsed = parse_contact_name(name)
        assert (parsed.shaft, parsed.number) == (shaft, contact)
    # every shaft lies in one hemisphere
    assert (layout.groupby("shaft")["hemisphere"].nunique() == 1).all()


def test_copy_is_returned():
    first = load_btbank_layout(1)
    first.loc[0, "name"] = "changed"
    assert load_btbank_layout(1).loc[0, "name"] != "changed"


@pytest.mark.shared
@pytest.mark.parametrize("subject", range(1, 11))
def test_matches_shared_csv(shared, subject):
    source = pd.read_csv(shared / "data" / "btbank_coords" / f"btbank{subject}_mni_coords.csv")
    layout = load_btbank_layout(subject)
    assert len(layout) == len(source)
    assert layout["name"].tolist() == source["electrode_label"].tolist()
    assert layout["shaft"].tolist() == source["name"].tolist()
    assert layout["contact"].tolist() == source["num"].tolist()
    assert layout["hemisphere"].tolist() == source["hem"].tolist()
    for column in COLUMNS[5:]:
        np.testing.assert_allclose(layout[column], source[column], atol=0.005 + 1e-9)


@pytest.mark.parametrize("subject", [0, 11, -1, 2.0, "3", True])
def test_invalid_subject(subject):
    with pytest.raises(InvalidParameterError) as info:
        load_btbank_layout(subject)
    assert info.value.field == "subject"
    assert info.value.value == subject
    assert "1 to 10" in info.value.fix
