"""ieegrep reads what its simulator writes, and finds the planted regions again."""

import numpy as np
import pytest

from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import load_btbank_layout, make_synthetic_bids, planted_effects


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    root = tmp_path_factory.mktemp("sim") / "ds"
    return make_synthetic_bids(
        root,
        n_subjects=2,
        n_sessions=2,
        duration=12.0,
        sfreq=1024.0,
        seed=3,
        max_channels=30,
        line_freq=50,
    )


def test_find_all_recordings(simulated):
    paths = find_recordings(simulated)
    assert [(p.subject, p.session) for p in paths] == [
        ("01", "01"),
        ("01", "02"),
        ("02", "01"),
        ("02", "02"),
    ]
    assert len(find_recordings(simulated, session="02")) == 2


def test_regions_match_the_simulator(simulated):
    rec = load_recording(find_recordings(simulated, subject="02", session="02")[0])
    table = rec.electrodes
    layout = load_btbank_layout(2).set_index("name").loc[table["name"]]
    assert rec.provenance["space"] == "MNI152NLin6Asym"
    assert rec.provenance["space_family"] == "MNI152"
    assert rec.provenance["electrodes_file"].endswith(
        "sub-02_ses-02_space-MNI152NLin6Asym_electrodes.tsv"
    )
    np.testing.assert_allclose(table["mni152_x"], layout["mni152_x"], atol=0.006)
    assert (table["shaft"].to_numpy() == layout["shaft"].to_numpy()).all()
    assert (table["contact"].to_numpy() == layout["contact"].to_numpy()).all()
    assert (table["hemisphere"].to_numpy() == layout["hemisphere"].to_numpy()).all()
    effects = planted_effects(table["region"])
    assert (effects != "none").any() and (effects == "none").any()


def test_signal_sidecars_and_events(simulated):
    rec = load_recording(find_recordings(simulated, subject="01", session="01")[0])
    assert rec.line_freq == 50.0 and rec.sfreq == 1024.0
    assert len(rec.raw.info["bads"]) == 2
    assert rec.electrodes["bad"].sum() == 2
    assert set(rec.electrodes["channel_type"]) == {"seeg"}
    words = rec.events[rec.events["trial_type"] == "word_onset"]
    assert len(words) > 5
    assert {"word_index", "sentence_id"} <= set(rec.events.columns)
    assert set(rec.raw.annotations.description) == {"word_onset", "sentence_onset"}
