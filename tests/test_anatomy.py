"""Anatomical sanity of the region look-up on real electrode positions."""

import pandas as pd
import pytest

from ieegrep.atlas import Atlas
from ieegrep.datasets import shaft_targets, target_agreement
from ieegrep.electrodes import parse_contact_names


@pytest.mark.parametrize(
    "shaft, targets",
    [
        ("T2bHa", {"hippocampus"}),
        ("LT2aA", {"amygdala"}),
        ("T1aIb", {"insula"}),
        ("F3bIaOFb", {"insula", "orbitofrontal"}),
        ("RF1aCaOF", {"cingulate", "orbitofrontal"}),
        ("T3bOT", {"occipitotemporal"}),
        ("LT3a", set()),
        ("P2a", set()),
        ("XYZ", set()),
    ],
)
def test_shaft_targets(shaft, targets):
    assert shaft_targets(shaft) == targets


@pytest.mark.parametrize("atlas, minimum", [("desikan-killiany", 0.6), ("destrieux", 0.7)])
def test_brain_treebank_targets_agree(atlas, minimum):
    table = target_agreement(atlas)
    assert len(table) == 207  # 69 target shafts x 3 deepest contacts
    by_target = table.groupby("target")["agrees"].mean()
    assert by_target["hippocampus"] >= 0.9
    assert by_target["amygdala"] >= 0.95
    assert by_target["insula"] >= 0.5
    assert table["agrees"].mean() >= minimum
    reached = table.groupby(["subject", "shaft", "target"])["agrees"].any()
    assert reached.mean() >= 0.8


@pytest.mark.shared
def test_fsaverage_target_shafts(shared):
    path = (
        shared
        / "data"
        / "mne_misc_2020"
        / "seeg_fsaverage"
        / "sample_seeg_electrodes_fsaverage.tsv"
    )
    table = pd.read_csv(path, sep="\t", index_col=0)
    parsed = parse_contact_names(table["name"])
    table["shaft"], table["number"] = parsed["shaft"].values, parsed["contact"].values
    deepest = table.sort_values("number").groupby("shaft").head(1).set_index("shaft")
    labels = Atlas.load("desikan-killiany").label(
        deepest[["R", "A", "S"]].to_numpy(), space="fsaverage"
    )
    found = dict(zip(deepest.index, labels))
    assert found["LAMY"] == "Left-Amygdala"
    assert found["RAHP"] == "Right-Hippocampus"
    assert found["LPHG"] == "Left-Hippocampus"  # parahippocampal shaft ends in hippocampus
    assert found["LPCN"] == "ctx-lh-precuneus"
