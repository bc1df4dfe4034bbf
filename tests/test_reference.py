import numpy as np
import pytest

from ieegrep.bids import find_recordings, load_recording
from ieegrep.exceptions import InvalidParameterError, SuspiciousCoordinatesWarning
from ieegrep.preprocessing.reference import reference_matrix, rereference

NAMES = ["A1", "A2", "A3", "A4", "B1", "B2", "C7"]


def test_laplacian_matrix_drops_shaft_ends():
    scheme = reference_matrix(NAMES, "laplacian")
    assert scheme.outputs == ["A2", "A3"]
    assert scheme.dropped == ["A1", "A4", "B1", "B2", "C7"]
    data = np.arange(7.0)[:, None] ** 2
    out = scheme.apply(data)
    np.testing.assert_allclose(out[:, 0], [1 - (0 + 4) / 2, 4 - (1 + 9) / 2])
    np.testing.assert_allclose(scheme.matrix.sum(axis=1), 0)


def test_laplacian_one_neighbour_and_bads():
    scheme = reference_matrix(NAMES, "laplacian", allow_one_neighbour=True)
    assert scheme.outputs == ["A1", "A2", "A3", "A4", "B1", "B2"]
    assert scheme.sources[0] == ("A1", "A2")
    assert scheme.dropped == ["C7"]
    with_bad = reference_matrix(NAMES, "laplacian", bads={"A3"})
    assert with_bad.outputs == []  # A2 and A4 lose a neighbour
    assert "A3" in with_bad.dropped


def test_bipolar_pairs_named():
    scheme = reference_matrix(NAMES, "bipolar")
    assert scheme.outputs == ["A1-A2", "A2-A3", "A3-A4", "B1-B2"]
    assert scheme.sources[1] == ("A2", "A3")
    assert scheme.dropped == ["C7"]
    out = scheme.apply(np.arange(7.0)[:, None])
    np.testing.assert_allclose(out[:, 0], [-1, -1, -1, -1])


def test_average_scopes():
    shaft = reference_matrix(NAMES, "average")
    data = np.array([1.0, 2, 3, 4, 10, 20, 5])[:, None]
    np.testing.assert_allclose(shaft.apply(data)[:, 0], [-1.5, -0.5, 0.5, 1.5, -5, 5, 0])
    everything = reference_matrix(NAMES, "average", scope="global", bads={"C7"})
    assert "C7" not in everything.outputs
    np.testing.assert_allclose(everything.apply(data)[:, 0], data[:6, 0] - data[:6, 0].mean())


def test_none_and_errors():
    assert reference_matrix(NAMES, None).outputs == NAMES
    with pytest.raises(InvalidParameterError, match="re-referencing method"):
        reference_matrix(NAMES, "car")
    with pytest.raises(InvalidParameterError, match="scope"):
        reference_matrix(NAMES, "average", scope="grid")


@pytest.fixture(scope="module")
def mini_seeg(shared):
    path = find_recordings(shared / "data" / "bids_ieeg_mini", subject="01")[0]
    with pytest.warns(SuspiciousCoordinatesWarning):  # approximate positions
        return load_recording(path, preload=True)


@pytest.mark.shared
def test_laplacian_on_real_seeg_drops_exactly_shaft_ends(mini_seeg):
    out = rereference(mini_seeg, "laplacian")
    table = mini_seeg.electrodes
    ends = set()
    for _, rows in table.groupby("shaft"):
        ends |= {
            rows.loc[rows["contact"].idxmin(), "name"],
            rows.loc[rows["contact"].idxmax(), "name"],
        }
    assert set(out.provenance["reference"]["dropped"]) == ends
    assert len(ends) == 12  # 6 shafts
    assert out.raw.ch_names == [n for n in table["name"] if n not in ends]
    assert out.electrodes["name"].tolist() == out.raw.ch_names
    # the numbers: contact minus the mean of its neighbours
    data = mini_seeg.raw.get_data(picks=["F'3", "F'2", "F'4"])
    np.testing.assert_allclose(
        out.raw.get_data(picks="F'3")[0], data[0] - (data[1] + data[2]) / 2, atol=1e-12
    )
    assert out.raw.info["line_freq"] == 60.0
    assert len(out.raw.annotations) == len(mini_seeg.raw.annotations)


@pytest.mark.shared
def test_bipolar_real_seeg_midpoints_and_regions(mini_seeg):
    out = rereference(mini_seeg, "bipolar")
    table = out.electrodes.set_index("name")
    src = mini_seeg.electrodes.set_index("name")
    assert "F'2-F'3" in table.index
    np.testing.assert_allclose(
        table.loc["F'2-F'3", "mni152_x"],
        (src.loc["F'2", "mni152_x"] + src.loc["F'3", "mni152_x"]) / 2,
    )
    assert table.loc["F'2-F'3", "sources"] == "F'2, F'3"
    # each bipolar channel has its own look-up at the midpoint
    assert table["region"].notna().all()
    montage = out.raw.get_montage().get_positions()["ch_pos"]
    np.testing.assert_allclose(
        montage["F'2-F'3"], (np.array(table.loc["F'2-F'3", ["x", "y", "z"]], float))
    )


def test_rereference_raw_and_recording_metadata():
    import warnings

    from ieegrep.datasets import sample_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = load_recording(
            sample_path() / "sub-01" / "ieeg" / "sub-01_task-rest_acq-seeg_ieeg.edf",
            space="Other",
            preload=True,
        )
    out = rereference(rec.raw, "average")
    assert out.ch_names == rec.electrodes["name"].tolist()
    # regions from a label column: bipolar keeps the label both contacts share
    bipolar = rereference(rec, "bipolar").electrodes.set_index("name")
    src = rec.electrodes.set_index("name")
    for name in bipolar.index[:20]:
        a, c = name.split("-")
        expected = (
            src.loc[a, "region"] if src.loc[a, "region"] == src.loc[c, "region"] else "Unknown"
        )
        assert bipolar.loc[name, "region"] == expected
    with pytest.raises(InvalidParameterError, match="Recording or an mne.io.Raw"):
        rereference(np.zeros((3, 10)))
