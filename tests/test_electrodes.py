import pandas as pd
import pytest

from ieegrep.electrodes import (
    ContactName,
    group_shafts,
    parse_contact_name,
    parse_contact_names,
    shaft_neighbours,
)
from ieegrep.exceptions import ContactNameError


@pytest.mark.parametrize(
    "name, shaft, number",
    [
        ("L'12", "L'", 12),  # French style, prime = left hemisphere
        ("LA1", "LA", 1),
        ("T1aIb4", "T1aIb", 4),  # Brain Treebank style, digits inside the shaft name
        ("LF1aCaOF16", "LF1aCaOF", 16),
        ("RAHP 2", "RAHP", 2),  # space before the number
        ("LPT10", "LPT", 10),
        ("C1", "C", 1),  # grid
        ("C64", "C", 64),
        ("LA01", "LA", 1),  # zero padded
        ("LA-3", "LA", 3),
        ("LA_3", "LA", 3),
        ("EEG LA1-Ref", "LA", 1),  # recorder prefix and reference suffix
        ("POL X'16", "X'", 16),
        ("ECOG_RIGHT_0", "ECOG_RIGHT", 0),
        ("LFP_RIGHT_2", "LFP_RIGHT", 2),
        ("BTM6", "BTM", 6),
    ],
)
def test_parse_clinical_styles(name, shaft, number):
    parsed = parse_contact_name(name)
    assert parsed == ContactName(name=name, shaft=shaft, number=number)


@pytest.mark.parametrize("name", ["EKG", "12", "", "LA1-LA2", "L'1-L'2", "   "])
def test_unparseable_names_raise_with_fix(name):
    with pytest.raises(ContactNameError) as info:
        parse_contact_name(name)
    assert info.value.field == "name"
    assert info.value.fix
    assert repr(name) in str(info.value)


def test_non_string_name():
    with pytest.raises(ContactNameError, match="strings"):
        parse_contact_name(3)


def test_parse_many_keeps_order_and_marks_failures():
    table = parse_contact_names(["LA2", "EKG", "LA1"])
    assert table["name"].tolist() == ["LA2", "EKG", "LA1"]
    assert table["shaft"].isna().tolist() == [False, True, False]
    assert table["shaft"][0] == "LA"
    assert table["contact"].dtype == "Int64"
    assert table["contact"].isna().tolist() == [False, True, False]


def test_group_shafts_sorted_by_contact_number():
    groups = group_shafts(["B2", "A3", "A1", "B1", "A2", "DC1x"])
    assert groups == {"B": ["B1", "B2"], "A": ["A1", "A2", "A3"]}


def test_group_shafts_with_given_groups():
    groups = group_shafts(["x1", "y2", "z3"], shafts=["S", "S", "T"])
    assert groups == {"S": ["x1", "y2"], "T": ["z3"]}


def test_neighbours_on_shaft_with_gap():
    table = shaft_neighbours(["LA1", "LA2", "LA3", "LA5", "LB1", "EKG"])
    assert table.loc["LA2", "previous"] == "LA1" and table.loc["LA2", "next"] == "LA3"
    assert pd.isna(table.loc["LA1", "previous"])
    assert pd.isna(table.loc["LA3", "next"])  # LA4 missing
    assert pd.isna(table.loc["LA5", "previous"]) and pd.isna(table.loc["LA5", "next"])
    assert pd.isna(table.loc["LB1", "next"])
    assert pd.isna(table.loc["EKG", "shaft"])
