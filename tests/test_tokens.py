"""Patches, z-scoring, spatial vocabularies and region tokens (BaRISTA-style)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from ieegrep.atlas import LOBES, Atlas
from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import make_synthetic_bids, sample_path
from ieegrep.exceptions import InvalidParameterError, SuspiciousCoordinatesWarning
from ieegrep.preprocessing.tokens import (
    RegionTokens,
    group_ids,
    patch,
    patch_samples,
    region_tokens,
    tile_channels,
    unpatch,
    zscore_segments,
)
from ieegrep.preprocessing.vocabulary import (
    GRID_SIZE,
    MISSING_GRID_INDEX,
    SpatialVocabulary,
    grid_coordinates,
    normalise_label,
)

SFREQ = 2048.0


# ----------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def barista(shared):
    """The BaRISTA reference arrays, its JSON description and its released vocabularies."""
    fixtures = shared / "fixtures"
    with np.load(fixtures / "barista_reference.npz") as npz:
        keys = [k for k in npz.files if "/param/" not in k and "/buffer/" not in k]
        arrays = {k: npz[k] for k in keys if k.startswith(("layout/", "input/")) or "_ids" in k}
        arrays.update({k: npz[k] for k in keys if "spatial_index" in k})
    reference = json.loads((fixtures / "barista_reference.json").read_text())
    vocabulary = json.loads((fixtures / "barista_vocabulary.json").read_text())
    return arrays, reference, vocabulary


def _barista_vocabularies(vocabulary):
    parcel_rows = vocabulary["parcel_scale_destrieux"]["label_to_row"]
    parcel_labels = sorted(parcel_rows, key=parcel_rows.get)
    lobe_rows = vocabulary["lobe_scale"]["rows"]
    lobe_labels = [lobe_rows[str(i)] for i in range(len(lobe_rows))]
    parcels = SpatialVocabulary.from_labels(parcel_labels, scale="parcel", name="barista")
    lobes = SpatialVocabulary.from_labels(lobe_labels, scale="lobe", name="barista")
    return parcels, lobes


@pytest.fixture(scope="module")
def seeg_recording():
    path = [p for p in find_recordings(sample_path()) if "seeg" in str(p.fpath)][0]
    with pytest.warns(SuspiciousCoordinatesWarning):
        return load_recording(path)


@pytest.fixture(scope="module")
def simulated_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("sim") / "bids"
    return make_synthetic_bids(root, n_subjects=1, duration=12, max_channels=30)


@pytest.fixture(scope="module")
def simulated(simulated_root):
    return load_recording(find_recordings(simulated_root)[0], preload=True)


# ------------------------------------------------------------------ patches
def test_patch_samples():
    assert patch_samples(2048) == 512
    assert patch_samples(1000) == 250
    assert patch_samples(999.4121105232217) == 250
    assert patch_samples(1002) == 251  # 250.5: halves round up
    assert patch_samples(2048, 0.5) == 1024
    for bad in (0, -5, np.nan, "2048", None, True):
        with pytest.raises(InvalidParameterError, match="sfreq"):
            patch_samples(bad)
    with pytest.raises(InvalidParameterError, match="at least one sample"):
        patch_samples(100, 0.001)


@pytest.mark.shared
@pytest.mark.parametrize("sample", [0, 1])
def test_patch_matches_barista_layout(barista, sample):
    arrays, reference, _ = barista
    x = arrays[f"input/x_sample{sample}"].T  # stored (time, channel)
    n_channels = x.shape[0]
    tokens, patch_index, channel_index = patch(x, SFREQ)
    assert tokens.shape == (12 * n_channels, 512)
    assert reference["batch"]["channel_counts"][sample] == n_channels
    np.testing.assert_array_equal(patch_index, arrays[f"layout/patch_index_sample{sample}"])
    np.testing.assert_array_equal(channel_index, arrays[f"layout/channel_index_sample{sample}"])
    for n in range(len(tokens)):
        t, c = patch_index[n], channel_index[n]
        assert n == t * n_channels + c
        np.testing.assert_array_equal(tokens[n], x[c, t * 512 : (t + 1) * 512])


def test_patch_keeps_leading_axes_and_inverts():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 3, 4, 1024)).astype(np.float32)  # 2 x 3 segments, 4 channels
    out = patch(data, SFREQ)
    assert out.patches.shape == (2, 3, 2 * 4, 512)
    assert out.patches.dtype == np.float32
    np.testing.assert_array_equal(out.patches[1, 2, 1 * 4 + 3], data[1, 2, 3, 512:])
    np.testing.assert_array_equal(unpatch(out.patches, 4), data)
    assert out.patch_index.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert out.channel_index.tolist() == [0, 1, 2, 3] * 2


def test_patch_torch_tensor_stays_torch():
    data = torch.arange(2 * 3 * 1000, dtype=torch.float32).reshape(2, 3, 1000)
    tokens, patch_index, _ = patch(data, 1000.0)
    assert isinstance(tokens, torch.Tensor)
    assert tokens.shape == (2, 4 * 3, 250)
    np.testing.assert_array_equal(tokens.numpy(), patch(data.numpy(), 1000.0).patches)
    assert torch.equal(unpatch(tokens, 3), data)
    assert isinstance(patch_index, np.ndarray)


def test_patch_remainder_policy():
    data = np.zeros((3, 1100))
    with pytest.raises(InvalidParameterError, match="not a multiple"):
        patch(data, 1000.0)
    tokens, patch_index, _ = patch(data, 1000.0, remainder="drop")
    assert tokens.shape == (4 * 3, 250)
    assert patch_index.max() == 3
    with pytest.raises(InvalidParameterError, match="shorter than one patch"):
        patch(np.zeros((3, 100)), 1000.0, remainder="drop")
    with pytest.raises(InvalidParameterError, match="remainder"):
        patch(data, 1000.0, remainder="pad")
    with pytest.raises(InvalidParameterError, match="n_channels, n_times"):
        patch(np.zeros(1024), SFREQ)
    with pytest.raises(InvalidParameterError, match="multiple of n_channels"):
        unpatch(np.zeros((7, 512)), 2)


def test_tile_channels_follows_token_order():
    values = np.array([[1, 2, 3], [4, 5, 6]])
    tiled = tile_channels(values, 3)
    assert tiled.shape == (6, 3)
    _, patch_index, channel_index = patch(np.zeros((2, 3 * 512)), SFREQ)
    np.testing.assert_array_equal(tiled, values[channel_index])
    with pytest.raises(InvalidParameterError):
        tile_channels(values, 0)


# ------------------------------------------------------------------ z-score
def test_zscore_segments_per_segment_and_channel():
    rng = np.random.default_rng(1)
    data = rng.normal(5.0, 3.0, size=(4, 3, 6144)).astype(np.float32)
    data[2] *= 100.0  # segments are normalised independently
    out = zscore_segments(data)
    assert out.dtype == np.float32 and out.shape == data.shape
    np.testing.assert_allclose(out.mean(axis=-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=-1), 1.0, atol=1e-5)  # ddof=0
    x = data[1, 2].astype(np.float64)
    np.testing.assert_allclose(out[1, 2], (x - x.mean()) / x.std(ddof=0), rtol=1e-5, atol=1e-6)
    assert zscore_segments(np.arange(8).reshape(2, 4)).dtype == np.float64


def test_zscore_segments_flat_channels_are_zero():
    data = np.stack([np.full(6144, 0.1), np.zeros(6144), np.sin(np.arange(6144.0))])
    out = zscore_segments(data)
    assert np.all(out[0] == 0) and np.all(out[1] == 0)  # 0.1 is not exact in binary
    assert np.isclose(out[2].std(), 1.0)
    with pytest.raises(InvalidParameterError):
        zscore_segments(np.zeros((2, 0)))


@pytest.mark.shared
def test_zscore_segments_reproduces_barista_input(barista):
    arrays, _, _ = barista
    for sample in (0, 1):
        x = arrays[f"input/x_sample{sample}"].T  # already z-scored per channel over 3 s
        np.testing.assert_allclose(zscore_segments(x), x, atol=2e-6)
        np.testing.assert_allclose(zscore_segments(3.0 * x + 7.0), x, atol=5e-6)


# ---------------------------------------------------------------- group ids
def test_group_ids_first_appearance():
    assert group_ids([5, 5, 3, 0, 3, 0]).tolist() == [0, 0, 1, 2, 1, 2]
    assert group_ids([0, 5, 0, 5], unknown_groups="separate").tolist() == [0, 1, 2, 1]
    assert group_ids([[1, 2, 3], [1, 2, 4], [1, 2, 3]]).tolist() == [0, 1, 0]
    assert group_ids(np.zeros(0, int)).tolist() == []
    with pytest.raises(InvalidParameterError, match="unknown_groups"):
        group_ids([1], unknown_groups="each")


@pytest.mark.shared
@pytest.mark.parametrize("scale", ["coords", "destrieux", "lobes"])
def test_group_ids_match_barista(barista, scale):
    arrays, _, _ = barista
    for sample in (0, 1):
        index = arrays[f"{scale}/spatial_index_sample{sample}"]
        expected = arrays[f"{scale}/group_ids_sample{sample}"]
        found = group_ids(index[:, 0] if index.shape[1] == 1 else index)
        np.testing.assert_array_equal(found, expected)


@pytest.mark.shared
def test_region_tokens_reproduce_barista_indices_and_groups(barista):
    """From the fixture's localisation tables, with BaRISTA's released vocabularies."""
    arrays, reference, vocabulary = barista
    parcels, lobes = _barista_vocabularies(vocabulary)
    tables = reference["batch"]["localization_tables"]
    for sample, table in enumerate(tables):
        tokens = region_tokens(
            parcels=table["Destrieux"],
            regions=table["DesikanKilliany"],
            vocabularies={"parcel": parcels, "lobe": lobes},
        )
        for scale, key in (("parcel", "destrieux"), ("lobe", "lobes")):
            np.testing.assert_array_equal(
                tokens.spatial_index[scale], arrays[f"{key}/spatial_index_sample{sample}"][:, 0]
            )
            np.testing.assert_array_equal(
                tokens.group_ids[scale], arrays[f"{key}/group_ids_sample{sample}"]
            )
        # the channel scale: one group per channel, as BaRISTA's coords groups
        np.testing.assert_array_equal(
            tokens.group_ids["channel"], arrays[f"coords/group_ids_sample{sample}"]
        )
        lip = np.column_stack([table["L"], table["I"], table["P"]])
        np.testing.assert_array_equal(lip, arrays[f"coords/spatial_index_sample{sample}"])
    # sample 0, channel 1 is 'Unknown' at both atlas scales: row 0, its own group
    first = region_tokens(parcels=tables[0]["Destrieux"], regions=tables[0]["DesikanKilliany"])
    assert first.unknown["parcel"] == ["ch1"] and first.unknown["lobe"] == ["ch1"]


@pytest.mark.shared
def test_barista_lobe_vocabulary_reproduces_dk_table(barista):
    _, _, vocabulary = barista
    _, lobes = _barista_vocabularies(vocabulary)
    table = vocabulary["lobe_scale"]["desikan_killiany_label_to_row"]
    np.testing.assert_array_equal(lobes.index(list(table)), list(table.values()))
    assert len(lobes) == vocabulary["lobe_scale"]["table_rows"] == 21


# --------------------------------------------------------------- vocabulary
def test_open_vocabularies_are_deterministic():
    parcels, lobes = SpatialVocabulary.parcels(), SpatialVocabulary.lobes()
    assert len(parcels) == 190 and len(lobes) == 40
    assert parcels == SpatialVocabulary.parcels() and lobes == SpatialVocabulary.lobes()
    assert parcels.fingerprint == SpatialVocabulary.parcels().fingerprint
    atlas = Atlas.load("destrieux")
    assert parcels.labels == ["Unknown"] + [atlas.labels[i] for i in sorted(atlas.labels) if i]
    assert parcels.labels[1] == "Left-Cerebral-White-Matter"
    assert parcels.labels[-1] == "ctx_rh_S_temporal_transverse"
    assert lobes.labels[:5] == [
        "Unknown",
        "Left-frontal",
        "Right-frontal",
        "Left-parietal",
        "Right-parietal",
    ]
    pairs = [f"{side}-{lobe}" for lobe in LOBES if lobe != "Unknown" for side in ("Left", "Right")]
    assert set(pairs) <= set(lobes.labels)
    assert [x for x in lobes.labels if x not in pairs] == [
        "Unknown",
        "brainstem",
        "white-matter",
        "ventricle",
    ]


def test_vocabulary_serialisation_round_trip(tmp_path):
    for vocabulary in (SpatialVocabulary.parcels(), SpatialVocabulary.lobes()):
        data = json.loads(json.dumps(vocabulary.to_dict()))
        again = SpatialVocabulary.from_dict(data)
        assert again == vocabulary and again.labels == vocabulary.labels
        assert again.scale == vocabulary.scale and again.name == vocabulary.name
        assert SpatialVocabulary.from_json(vocabulary.to_json()) == vocabulary
        path = tmp_path / f"{vocabulary.scale}.json"
        vocabulary.to_json(path)
        assert SpatialVocabulary.from_json(path) == vocabulary
        labels = ["Left-Thalamus", "CTX_LH_G_FRONT_SUP", "Brain-Stem", "frontal"]
        np.testing.assert_array_equal(
            again.index(labels, ["L"] * 4), vocabulary.index(labels, ["L"] * 4)
        )
    data = SpatialVocabulary.lobes().to_dict()
    data["labels"][1], data["labels"][2] = data["labels"][2], data["labels"][1]
    with pytest.raises(InvalidParameterError, match="checksum"):
        SpatialVocabulary.from_dict(data)
    with pytest.raises(InvalidParameterError, match="not a stored"):
        SpatialVocabulary.from_dict({"labels": ["a"]})
    with pytest.raises(InvalidParameterError, match="not found"):
        SpatialVocabulary.from_json(tmp_path / "missing.json")
    with pytest.raises(InvalidParameterError, match="not valid JSON"):
        SpatialVocabulary.from_json("{not json")


def test_normalisation_freesurfer_and_barista_spellings():
    parcels = SpatialVocabulary.parcels()
    assert normalise_label("ctx_lh_G_temp_sup-Lateral") == "CTX_LH_G_TEMP_SUP_LATERAL"
    spellings = [
        "ctx_lh_G_temp_sup-Lateral",
        "CTX_LH_G_TEMP_SUP_LATERAL",
        "ctx-lh-g-temp-sup-lateral",
        " ctx_lh_G_temp_sup Lateral ",
    ]
    rows = parcels.index(spellings)
    assert rows[0] > 0 and np.all(rows == rows[0])
    assert parcels[rows[0]] == "ctx_lh_G_temp_sup-Lateral"
    assert parcels.index("Left-Inf-Lat-Vent") == parcels.index("LEFT_INF_LAT_VENT") > 0
    assert parcels.index("Left-Thalamus") == parcels.index("Left-Thalamus-Proper") > 0  # FS 7
    assert parcels.index(["G_front_sup"], ["R"])[0] == parcels.index("ctx_rh_G_front_sup")
    assert "left_amygdala" in parcels and "ctx-lh-superiortemporal" not in parcels


def test_lobe_resolution():
    lobes = SpatialVocabulary.lobes()
    labels = [
        "ctx-rh-superiortemporal",  # DK
        "ctx_lh_G_front_sup",  # Destrieux
        "LEFT_INF_LAT_VENT",  # BaRISTA row: merged into the left ventricles
        "Brain-Stem",  # no hemisphere: midline row
        "CC_Central",
        "Left-Cerebral-White-Matter",
        "temporal",  # bare lobe: hemisphere from the argument
        "superiortemporal",  # bare DK region: hemisphere from the argument
        "temporal",  # ... which is missing here
        "RIGHT_CINGULATE",
    ]
    hemispheres = [None, "R", None, "R", "L", "R", "lh", "right", "n/a", None]
    rows, unmatched = lobes.index(labels, hemispheres, return_unmatched=True)
    assert lobes.label_of(rows) == [
        "Right-temporal",
        "Left-frontal",  # the label's own hemisphere wins
        "Left-ventricle",
        "brainstem",
        "white-matter",
        "Left-white-matter",
        "Left-temporal",
        "Right-temporal",
        "Unknown",
        "Right-cingulate",
    ]
    assert unmatched.tolist() == [False] * 8 + [True, False]


def test_unknown_labels_map_to_row_zero():
    parcels = SpatialVocabulary.parcels()
    labels = ["Unknown", "UNKNOWN", "n/a", "", None, np.nan, "ctx-lh-insula", "Martian-Gyrus"]
    rows, unmatched = parcels.index(labels, return_unmatched=True)
    assert rows.tolist() == [0] * 8
    assert unmatched.tolist() == [False] * 6 + [True, True]  # only real labels are counted
    assert parcels.index("nowhere") == 0
    assert parcels.label_of([0]) == ["Unknown"]
    with pytest.raises(InvalidParameterError, match="Rows"):
        parcels.label_of([190])
    with pytest.raises(InvalidParameterError, match="one hemisphere per label"):
        parcels.index(["a", "b"], ["L"])


@pytest.mark.shared
def test_every_barista_label_has_an_open_row(barista):
    _, _, vocabulary = barista
    parcels, lobes = SpatialVocabulary.parcels(), SpatialVocabulary.lobes()
    parcel_labels = [
        k for k in vocabulary["parcel_scale_destrieux"]["label_to_row"] if k != "UNKNOWN"
    ]
    rows = parcels.index(parcel_labels)
    assert np.all(rows > 0), [label for label, r in zip(parcel_labels, rows) if r == 0]
    # the same region, not just any row
    assert [normalise_label(parcels[r]) for r in rows] == parcel_labels
    lobe_labels = [v for k, v in vocabulary["lobe_scale"]["rows"].items() if k != "0"]
    lobe_labels += list(vocabulary["lobe_scale"]["desikan_killiany_label_to_row"])[1:]
    rows = lobes.index(lobe_labels)
    assert np.all(rows > 0), [label for label, r in zip(lobe_labels, rows) if r == 0]
    # BaRISTA's INF_LAT_VENT lobe rows fall into the open ventricle rows
    assert lobes.label_of(lobes.index(["LEFT_INF_LAT_VENT", "RIGHT_INF_LAT_VENT"])) == [
        "Left-ventricle",
        "Right-ventricle",
    ]


def test_custom_vocabulary_rules():
    vocabulary = SpatialVocabulary.from_labels(["A", "B-c"], aliases={"alpha": "A"})
    assert vocabulary.labels == ["Unknown", "A", "B-c"]
    assert vocabulary.index(["a", "B_C", "ALPHA", "d"]).tolist() == [1, 2, 1, 0]
    assert SpatialVocabulary.from_labels(["UNKNOWN", "A"]).labels == ["Unknown", "A"]
    with pytest.raises(InvalidParameterError, match="not unique"):
        SpatialVocabulary.from_labels(["A-b", "a_B"])
    with pytest.raises(InvalidParameterError, match="only be row 0"):
        SpatialVocabulary.from_labels(["A", "Unknown"])
    with pytest.raises(InvalidParameterError, match="alias"):
        SpatialVocabulary.from_labels(["A"], aliases={"x": "Z"})
    with pytest.raises(InvalidParameterError, match="scale"):
        SpatialVocabulary.from_labels(["A"], scale="voxel")
    with pytest.raises(InvalidParameterError, match="sequence"):
        SpatialVocabulary.from_labels("A")


# ----------------------------------------------------------- channel scale
def test_grid_coordinates_formula_and_orientation():
    coords = np.array(
        [
            [0.0, -18.0, 18.0],  # the grid centre
            [-10.0, -18.0, 18.0],  # 10 mm to the left
            [0.0, -28.0, 18.0],  # 10 mm posterior
            [0.0, -18.0, 8.0],  # 10 mm inferior
            [0.4, -18.6, 17.5],  # rounds to the nearest mm, halves up
            [-300.0, 300.0, 18.0],  # outside: clipped
            [np.nan, 0.0, 0.0],  # no position
        ]
    )
    grid = grid_coordinates(coords)
    assert grid.dtype == np.int64
    assert grid.tolist() == [
        [100, 100, 100],
        [110, 100, 100],
        [100, 100, 110],
        [100, 110, 100],
        [100, 101, 101],
        [GRID_SIZE - 1, 100, 0],
        [MISSING_GRID_INDEX] * 3,
    ]
    with pytest.raises(InvalidParameterError, match="n_channels, 3"):
        grid_coordinates(np.zeros((3, 2)))


@pytest.mark.shared
def test_grid_holds_every_brain_treebank_contact(shared):
    table = pd.concat(
        pd.read_csv(path) for path in sorted((shared / "data" / "btbank_coords").glob("*.csv"))
    )
    coords = table[["mni152_x", "mni152_y", "mni152_z"]].to_numpy(float)
    grid = grid_coordinates(coords)
    assert len(grid) > 1000
    assert grid.min() >= 5 and grid.max() <= GRID_SIZE - 6  # well inside, nothing clipped
    # L increases to the left: left-hemisphere contacts sit above the midline index 100
    left = table["hem"].to_numpy() == "L"
    assert left.any() and (~left).any()
    assert np.mean(grid[left, 0] > 100) > 0.95 and np.mean(grid[~left, 0] < 100) > 0.95


# ------------------------------------------------------------ region tokens
def test_region_tokens_from_arrays():
    coords = [[-62, -22, 4], [-25, -20, -14], [np.nan] * 3, [30.0, -15.0, -20.0]]
    tokens = region_tokens(names=["A1", "B1", "C1", "D1"], coords_mm=coords)
    assert isinstance(tokens, RegionTokens)
    assert tokens.scales == ("channel", "parcel", "lobe")
    assert tokens.spatial_index["channel"].shape == (4, 3)
    assert tokens.spatial_index["channel"][2].tolist() == [-1, -1, -1]
    assert tokens.unknown["channel"] == ["C1"]
    assert tokens.labels["parcel"].tolist()[:3] == [
        "ctx_lh_G_temp_sup-Plan_tempo",
        "Left-Hippocampus",
        "Unknown",
    ]
    assert tokens.labels["lobe"].tolist()[:3] == ["Left-temporal", "Left-hippocampus", "Unknown"]
    assert tokens.group_ids["channel"].tolist() == [0, 1, 2, 3]
    assert tokens.unknown["parcel"] == ["C1"] and tokens.unmatched["parcel"] == {}
    assert tokens.provenance["parcel_source"][2] == "none"
    frame = tokens.to_frame()
    assert list(frame.columns[:5]) == ["name", "grid_L", "grid_I", "grid_P", "channel_group"]
    assert tokens.table_size("parcel") == 190 and tokens.table_size("channel") == 200
    assert tokens.per_token("lobe", 12).shape == (48,)
    assert "4 channels" in repr(tokens)


def test_region_tokens_unknown_groups_and_unmatched():
    parcels = ["Left-Hippocampus", "Martian-Gyrus", "Unknown", "Left-Hippocampus", "n/a"]
    shared = region_tokens(parcels=parcels, scales=["parcel"])
    assert shared.spatial_index["parcel"][[1, 2, 4]].tolist() == [0, 0, 0]
    assert shared.group_ids["parcel"].tolist() == [0, 1, 1, 0, 1]
    assert shared.unknown["parcel"] == ["ch1", "ch2", "ch4"]
    assert shared.unmatched["parcel"] == {"ch1": "Martian-Gyrus"}
    separate = region_tokens(parcels=parcels, scales="destrieux", unknown_groups="separate")
    assert separate.group_ids["parcel"].tolist() == [0, 1, 2, 0, 3]
    assert separate.scales == ("parcel",) and set(separate.vocabularies) == {"parcel"}


def test_region_tokens_ecog_takes_nearest_cortex():
    atlas = Atlas.load("destrieux")
    point = [[-55.0, -15.0, 0.0]]  # white matter under the superior temporal cortex
    seeg = region_tokens(coords_mm=point, channel_types=["seeg"], scales=["parcel"])
    ecog = region_tokens(coords_mm=point, channel_types=["ecog"], scales=["parcel"])
    assert seeg.labels["parcel"][0] == "Left-Cerebral-White-Matter"
    expected = atlas.lookup(point, radius=10.0, cortex_only=True)["region"][0]
    assert ecog.labels["parcel"][0] == expected and expected.startswith("ctx_lh_")


def test_region_tokens_mni305_coordinates():
    point = np.array([[-25.0, -20.0, -14.0]])
    native = region_tokens(coords_mm=point, scales=["channel"])
    shifted = region_tokens(coords_mm=point, space="fsaverage", scales=["channel"])
    assert native.spatial_index["channel"].tolist() != shifted.spatial_index["channel"].tolist()
    with pytest.raises(InvalidParameterError, match="template space"):
        region_tokens(coords_mm=point, space="ACPC")


def test_region_tokens_bad_input():
    with pytest.raises(InvalidParameterError, match="scale"):
        region_tokens(parcels=["a"], scales=["voxel"])
    with pytest.raises(InvalidParameterError, match="No spatial scale"):
        region_tokens(parcels=["a"], scales=[])
    with pytest.raises(InvalidParameterError, match="different lengths"):
        region_tokens(parcels=["a", "b"], names=["x"])
    with pytest.raises(InvalidParameterError, match="Nothing"):
        region_tokens()
    with pytest.raises(InvalidParameterError, match="vocabularies"):
        region_tokens(parcels=["a"], vocabularies={"parcel": ["a"]})
    with pytest.raises(InvalidParameterError, match="unknown_groups"):
        region_tokens(parcels=["a"], unknown_groups="each")
    with pytest.raises(InvalidParameterError, match="source"):
        region_tokens(np.zeros((3, 3)))
    with pytest.raises(InvalidParameterError, match="'name' column"):
        region_tokens(pd.DataFrame({"region": ["x"]}))
    with pytest.raises(InvalidParameterError, match="Picked"):
        region_tokens(parcels=["a"], picks=["nope"])
    with pytest.raises(InvalidParameterError, match="only read when source is None"):
        region_tokens(pd.DataFrame({"name": ["x"]}), parcels=["a"])


def test_real_seeg_recording(seeg_recording):
    rec = seeg_recording
    assert rec.provenance["atlas"] == "desikan-killiany"
    tokens = region_tokens(rec)
    n = len(rec.ch_names)
    assert tokens.channel_names == rec.ch_names
    assert tokens.spatial_index["channel"].shape == (n, 3)
    for scale in ("parcel", "lobe"):
        assert tokens.spatial_index[scale].shape == tokens.group_ids[scale].shape == (n,)
        ids = tokens.group_ids[scale]
        # renumbered 0..G-1 in order of first appearance, equal index <=> equal group
        first = np.unique(ids, return_index=True)[1]
        assert np.all(np.diff(first) > 0) and ids[0] == 0
        index = tokens.spatial_index[scale]
        assert np.all((index[:, None] == index[None]) == (ids[:, None] == ids[None]))
    # DK recording: Destrieux parcels from the MNI152 positions, same radius rules
    electrodes = rec.electrodes
    mni = electrodes[["mni152_x", "mni152_y", "mni152_z"]].to_numpy(float)
    expected = Atlas.load("destrieux").lookup(mni, radius=rec.provenance["radius_mm"])["region"]
    assert tokens.labels["parcel"].tolist() == expected.tolist()
    assert set(tokens.provenance["parcel_source"]) == {"atlas lookup"}
    # lobes from the recording's own (DK) labels
    known = electrodes["lobe"] != "Unknown"
    assert known.any()
    for label, lobe, hemi in zip(
        tokens.labels["lobe"][known], electrodes["lobe"][known], electrodes["hemisphere"][known]
    ):
        assert label == f"{'Left' if hemi == 'L' else 'Right'}-{lobe}"
    assert tokens.unknown["lobe"] == rec.unknown_channels
    # same from the table, and a pick of channels reorders every array
    table_tokens = region_tokens(electrodes)
    for scale in tokens.scales:
        np.testing.assert_array_equal(
            table_tokens.spatial_index[scale], tokens.spatial_index[scale]
        )
    picks = rec.ch_names[::-3]
    picked = region_tokens(rec, picks=picks)
    order = [rec.ch_names.index(p) for p in picks]
    np.testing.assert_array_equal(
        picked.spatial_index["channel"], tokens.spatial_index["channel"][order]
    )
    assert picked.channel_names == picks


def test_simulated_recording_tokens(simulated, simulated_root):
    rec = simulated
    tokens = region_tokens(rec)
    assert tokens.unknown == {"channel": [], "parcel": [], "lobe": []}
    mni = rec.electrodes[["mni152_x", "mni152_y", "mni152_z"]].to_numpy(float)
    expected = Atlas.load("destrieux").lookup(mni, radius=3.0)["region"].tolist()
    assert tokens.labels["parcel"].tolist() == expected
    np.testing.assert_array_equal(tokens.spatial_index["channel"], grid_coordinates(mni))
    # a Destrieux-labelled load of the same recording gives the same parcels, from its column
    destrieux = load_recording(find_recordings(simulated_root)[0], atlas="destrieux")
    from_column = region_tokens(destrieux, scales=["parcel"])
    assert set(from_column.provenance["parcel_source"]) == {"region column"}
    np.testing.assert_array_equal(
        from_column.spatial_index["parcel"], tokens.spatial_index["parcel"]
    )
    # a 3 s segment of the signal, end to end: z-score, patch, per-token groups
    good = [n for n in rec.ch_names if n not in rec.raw.info["bads"]]
    data = rec.raw.get_data(picks=good, start=0, stop=int(3 * rec.sfreq))[None]
    patches, patch_index, channel_index = patch(zscore_segments(data), rec.sfreq)
    good_tokens = region_tokens(rec, picks=good)
    assert patches.shape == (1, 12 * len(good), 512)
    token_groups = good_tokens.per_token("parcel", 12)
    np.testing.assert_array_equal(token_groups, good_tokens.group_ids["parcel"][channel_index])
    restored = unpatch(patches, len(good))
    np.testing.assert_allclose(restored.std(axis=-1), 1.0, atol=1e-6)


def test_vocabulary_of_a_model_is_reused(simulated):
    """Indices of a new recording under a stored vocabulary equal those under the original."""
    vocabulary = SpatialVocabulary.from_json(SpatialVocabulary.parcels().to_json())
    a = region_tokens(simulated, scales=["parcel"])
    b = region_tokens(simulated, scales=["parcel"], vocabularies={"parcels": vocabulary})
    np.testing.assert_array_equal(a.spatial_index["parcel"], b.spatial_index["parcel"])
    assert b.vocabularies["parcel"] is vocabulary


def test_region_tokens_hemispheres_complete_bare_labels():
    tokens = region_tokens(
        parcels=["G_front_sup", "Left-Amygdala"],
        regions=["temporal", "Left-Amygdala"],
        hemispheres=["R", "R"],  # the label's own hemisphere wins for the second
        scales=("parcel", "lobe"),
    )
    assert tokens.labels["parcel"].tolist() == ["ctx_rh_G_front_sup", "Left-Amygdala"]
    assert tokens.labels["lobe"].tolist() == ["Right-temporal", "Left-amygdala"]
    assert tokens.provenance["lobe_source"] == "region column"
