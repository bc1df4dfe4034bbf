"""BrainBERT and BaRISTA embedders: sklearn contract, values, spatial indices, persistence."""

import copy
import pickle
import warnings

import mne
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from ieegrep.decoding.embedders import BaristaEmbedder, BrainBERTEmbedder
from ieegrep.decoding.splits import ContiguousSplit
from ieegrep.exceptions import InvalidParameterError, ModelInputError
from ieegrep.models.barista import Barista
from ieegrep.models.brainbert import BrainBERT
from ieegrep.models.checkpoints import file_sha256
from ieegrep.preprocessing import (
    SpatialVocabulary,
    grid_coordinates,
    resample,
    stft_spectrogram,
    zscore_segments,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _tiny_brainbert(n_freqs=2, seed=0):
    torch.manual_seed(seed)
    return BrainBERT(n_freqs=n_freqs, d_model=8, n_layers=1, n_heads=2, d_ff=16, max_len=400)


def _tiny_barista(scale="channel", seed=0, **overrides):
    torch.manual_seed(seed)
    options = {"d_model": 8, "n_heads": 2, "n_layers": 1, "cnn_hidden": 2, "cnn_depth": 1}
    options.update(overrides)
    return Barista(scale, preset="tiny", **options)


# sklearn's generic checks feed 2-D arrays of a few columns, read as one channel of a
# few samples at 100 Hz: the STFT window is 2 samples, BaRISTA's patches 2 samples.
_CHECK_STFT = {"target_sfreq": None, "window_duration": 0.02, "hop_duration": 0.01,
               "trim_frames": 0}  # fmt: skip
CHECKED = [
    BrainBERTEmbedder(model=_tiny_brainbert(), sfreq=100.0, pooling="mean", **_CHECK_STFT),
    BrainBERTEmbedder(
        model=_tiny_brainbert(), sfreq=100.0, pooling="center", n_center=1, **_CHECK_STFT
    ),
    BaristaEmbedder(
        model=_tiny_barista(sfreq=100.0, patch_samples=2, n_times=4),
        sfreq=100.0,
        missing_positions="ignore",
    ),
]
# check_estimators_overwrite_params compares joblib.hash of every parameter before and
# after fit. joblib hashes torch tensors by pickled identity, not content: a deep copy of
# an untouched module hashes differently, so the check fails for any torch-module
# parameter. test_model_parameter_is_not_mutated checks the same property (weights,
# training flag, device unchanged) by content.
EXPECTED_FAILED = {
    "check_estimators_overwrite_params": "joblib.hash of a torch.nn.Module is not "
    "content-based; non-mutation is tested in test_model_parameter_is_not_mutated"
}


@parametrize_with_checks(CHECKED, expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _state(module):
    return {k: v.clone() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("kind", ["brainbert", "barista"])
def test_model_parameter_is_not_mutated(kind):
    X = np.random.default_rng(0).standard_normal((3, 2, 2048))
    if kind == "brainbert":
        model = BrainBERT(d_model=8, n_layers=1, n_heads=2, d_ff=16).train()
        embedder = BrainBERTEmbedder(model=model, sfreq=2048.0)
    else:
        model = _tiny_barista().train()
        embedder = BaristaEmbedder(model=model, sfreq=2048.0, missing_positions="ignore")
    before = _state(model)
    embedder.fit(X).transform(X)
    assert embedder.model is model and model.training  # still in train mode
    assert not embedder.encoder_.training and embedder.encoder_ is not model
    assert all(p.requires_grad for p in model.parameters())
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_brainbert_values_match_the_model_and_spectrogram():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 2, 1024))  # 1 s at 1024 Hz
    model = BrainBERT(d_model=16, n_layers=2, n_heads=2, d_ff=32).eval()
    embedder = BrainBERTEmbedder(model=model, sfreq=1024.0, flatten=False).fit(X)
    out = embedder.transform(X)
    spec = stft_spectrogram(resample(X, 1024.0, 2048.0), 2048.0, n_freqs=40)
    assert embedder.n_frames_ == spec.shape[-2] and embedder.sfreq_ == 2048.0
    with torch.no_grad():
        hidden = model.encode(torch.from_numpy(spec.reshape(6, *spec.shape[-2:])))
    m = spec.shape[-2] // 2
    expected = hidden[:, m - 5 : m + 5].mean(1).numpy().reshape(3, 2, 16)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    assert out.dtype == np.float32 and embedder.output_shape_ == (2, 16)
    flat = BrainBERTEmbedder(model=model, sfreq=1024.0).fit_transform(X)
    np.testing.assert_allclose(flat, expected.reshape(3, 32), rtol=1e-4, atol=1e-5)
    mean = BrainBERTEmbedder(model=model, sfreq=1024.0, pooling="mean").fit_transform(X)
    np.testing.assert_allclose(mean.reshape(3, 2, 16), hidden.mean(1).numpy().reshape(3, 2, 16),
                               rtol=1e-4, atol=1e-5)  # fmt: skip
    frames = BrainBERTEmbedder(model=model, sfreq=1024.0, pooling="frames", flatten=False)
    assert frames.fit_transform(X).shape == (3, 2, spec.shape[-2], 16)


def test_brainbert_bfloat16_is_close_but_not_identical():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3, 2, 2048))
    torch.manual_seed(0)
    model = BrainBERT(d_model=32, n_layers=2, n_heads=4, d_ff=64).eval()
    exact = BrainBERTEmbedder(model=model, sfreq=2048.0).fit_transform(X)
    fast = BrainBERTEmbedder(model=model, sfreq=2048.0, precision="bfloat16").fit_transform(X)
    assert fast.dtype == np.float32 and fast.shape == exact.shape
    assert not np.array_equal(fast, exact)  # the bf16 path really ran
    np.testing.assert_allclose(fast, exact, atol=0.1 * np.abs(exact).mean())
    with pytest.raises(InvalidParameterError, match="precision"):
        BrainBERTEmbedder(model=model, sfreq=2048.0, precision="float16").fit(X)


def _epochs(n_epochs=4, n_channels=3, n_times=2048, sfreq=1024.0, positions=None, seed=0):
    rng = np.random.default_rng(seed)
    volts = rng.standard_normal((n_epochs, n_channels, n_times)) * 50e-6
    names = [f"LA{i + 1}" for i in range(n_channels)]
    info = mne.create_info(names, sfreq, "seeg")
    epochs = mne.EpochsArray(volts, info, verbose=False)
    if positions is not None:
        montage = mne.channels.make_dig_montage(
            dict(zip(names, np.asarray(positions) / 1000.0)), coord_frame="mni_tal"
        )
        with warnings.catch_warnings():  # MNI positions have no fiducials, by design
            warnings.simplefilter("ignore", RuntimeWarning)
            epochs.set_montage(montage, verbose=False)
    return epochs, volts * 1e6


def test_epochs_and_arrays_give_the_same_embeddings():
    epochs, microvolts = _epochs()
    model = BrainBERT(d_model=16, n_layers=1, n_heads=2, d_ff=32)
    from_epochs = BrainBERTEmbedder(model=model).fit(epochs)
    assert from_epochs.ch_names_ == ["LA1", "LA2", "LA3"]
    from_arrays = BrainBERTEmbedder(model=model, sfreq=1024.0).fit(microvolts)
    np.testing.assert_allclose(
        from_epochs.transform(epochs), from_arrays.transform(microvolts), rtol=1e-5, atol=1e-6
    )


def test_checkpoint_loading_clone_pickle_and_grid_search(tmp_path):
    model = BrainBERT(d_model=16, n_layers=1, n_heads=2, d_ff=32)
    path = model.save_pretrained(tmp_path / "model.pt")
    rng = np.random.default_rng(2)
    X = rng.standard_normal((12, 2, 1024))
    y = np.tile([0, 1], 6)
    X[y == 1, 0] += np.sin(2 * np.pi * 20 * np.arange(1024) / 1024)  # 20 Hz in channel 0
    embedder = BrainBERTEmbedder(str(path), sfreq=1024.0).fit(X)
    assert embedder.checkpoint_sha256_ == file_sha256(path)
    np.testing.assert_allclose(
        embedder.transform(X),
        BrainBERTEmbedder(model=model, sfreq=1024.0).fit_transform(X),
        rtol=1e-5,
        atol=1e-6,
    )
    restored = pickle.loads(pickle.dumps(embedder))
    np.testing.assert_array_equal(restored.transform(X), embedder.transform(X))
    cloned = clone(embedder)
    assert cloned.checkpoint == str(path) and not hasattr(cloned, "encoder_")
    pipe = make_pipeline(
        BrainBERTEmbedder(model=model, sfreq=1024.0), StandardScaler(), LogisticRegression()
    )
    search = GridSearchCV(
        pipe, {"brainbertembedder__pooling": ["center", "mean"]}, cv=ContiguousSplit(2),
        scoring="roc_auc",
    )  # fmt: skip
    search.fit(X, y)
    assert search.best_params_["brainbertembedder__pooling"] in ("center", "mean")
    assert search.predict(X).shape == (12,)


def test_brainbert_errors():
    X = np.zeros((2, 1, 2048))
    with pytest.raises(InvalidParameterError, match="needs an encoder"):
        BrainBERTEmbedder(sfreq=2048.0).fit(X)
    model = BrainBERT(d_model=8, n_layers=1, n_heads=2, d_ff=16)
    with pytest.raises(InvalidParameterError, match="not both"):
        BrainBERTEmbedder("x.pt", model=model, sfreq=2048.0).fit(X)
    with pytest.raises(InvalidParameterError, match="BrainBERT instance"):
        BrainBERTEmbedder(model=_tiny_barista(), sfreq=2048.0).fit(X)
    with pytest.raises(InvalidParameterError, match="pooling"):
        BrainBERTEmbedder(model=model, sfreq=2048.0, pooling="max").fit(X)
    with pytest.raises(ModelInputError, match="n_center"):  # 0.5 s leaves < 10 frames
        BrainBERTEmbedder(model=model, sfreq=2048.0).fit(np.zeros((2, 1, 1024)))
    with pytest.raises(ModelInputError, match="too short"):  # no frame left at all
        BrainBERTEmbedder(model=model, sfreq=2048.0).fit(np.zeros((2, 1, 820)))
    with pytest.raises(InvalidParameterError, match="sampling rate"):
        BrainBERTEmbedder(model=model).fit(X)


# --------------------------------------------------------------------- BaRISTA

POSITIONS = [[-62.0, -22.0, 4.0], [-25.0, -20.0, -14.0], [40.0, 30.0, 20.0]]


def test_barista_spatial_index_from_montage_coords_and_labels():
    epochs, microvolts = _epochs(positions=POSITIONS, sfreq=2048.0)
    channel = BaristaEmbedder(model=_tiny_barista("channel")).fit(epochs)
    np.testing.assert_array_equal(channel.spatial_index_, grid_coordinates(POSITIONS))
    same = BaristaEmbedder(model=_tiny_barista("channel"), sfreq=2048.0, coords_mm=POSITIONS)
    np.testing.assert_array_equal(same.fit(microvolts).spatial_index_, channel.spatial_index_)
    parcel = BaristaEmbedder(model=_tiny_barista("parcel"), scale="parcel").fit(epochs)
    vocab = SpatialVocabulary.parcels()
    assert parcel.region_labels_[:2] == ["ctx_lh_G_temp_sup-Plan_tempo", "Left-Hippocampus"]
    np.testing.assert_array_equal(parcel.spatial_index_[:2], vocab.index(parcel.region_labels_[:2]))
    labels = ["ctx_lh_G_temp_sup-Lateral", "Left-Hippocampus", "n/a"]
    given = BaristaEmbedder(model=_tiny_barista("parcel"), sfreq=2048.0, regions=labels)
    given.fit(microvolts)
    assert given.spatial_index_[0] == vocab.index(["ctx_lh_G_temp_sup-Lateral"])[0]
    assert given.spatial_index_[2] == 0 and given.n_unknown_ == 1


def test_barista_values_match_the_model():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((3, 2, 1100)) * 40  # not a whole number of patches
    model = _tiny_barista("channel").eval()
    coords = POSITIONS[:2]
    embedder = BaristaEmbedder(model=model, sfreq=2048.0, coords_mm=coords, flatten=False)
    out = embedder.fit_transform(X)
    assert embedder.n_patches_ == 2 and out.shape == (3, 2, 8)
    x = torch.from_numpy(zscore_segments(X[..., :1024]).astype(np.float32))
    index = torch.as_tensor(grid_coordinates(coords))[None].expand(3, -1, -1)
    with torch.no_grad():
        hidden = model.encode(x, index).reshape(3, 2, 2, 8)
    np.testing.assert_allclose(out, hidden.mean(1).numpy(), rtol=1e-4, atol=1e-5)
    mean = BaristaEmbedder(model=model, sfreq=2048.0, coords_mm=coords, pooling="mean")
    np.testing.assert_allclose(mean.fit_transform(X), hidden.mean((1, 2)).numpy(), rtol=1e-4,
                               atol=1e-5)  # fmt: skip
    tokens = BaristaEmbedder(model=model, sfreq=2048.0, coords_mm=coords, pooling="tokens")
    assert tokens.fit_transform(X).shape == (3, 2 * 2 * 8)
    restored = pickle.loads(pickle.dumps(embedder))
    np.testing.assert_array_equal(restored.transform(X), out)


def test_barista_electrode_table_and_errors():
    import pandas as pd

    X = np.random.default_rng(4).standard_normal((2, 2, 1024))
    table = pd.DataFrame(
        {"name": ["B1", "A1", "C1"], "region": ["n/a"] * 3,
         "mni152_x": [-25.0, -62.0, 0.0], "mni152_y": [-20.0, -22.0, 0.0],
         "mni152_z": [-14.0, 4.0, 0.0]}
    )  # fmt: skip
    fitted = BaristaEmbedder(
        model=_tiny_barista("channel"), sfreq=2048.0, chs_info=["A1", "B1"], regions=table
    ).fit(X)
    np.testing.assert_array_equal(fitted.spatial_index_, grid_coordinates(POSITIONS[:2]))
    with pytest.raises(InvalidParameterError, match="not in the electrode table"):
        BaristaEmbedder(model=_tiny_barista(), sfreq=2048.0, chs_info=["A1", "Z9"],
                        regions=table).fit(X)  # fmt: skip
    with pytest.raises(ModelInputError, match="No channel has a known place"):
        BaristaEmbedder(model=_tiny_barista(), sfreq=2048.0).fit(X)
    with pytest.raises(InvalidParameterError, match="trained at the channel scale"):
        BaristaEmbedder(model=_tiny_barista(), scale="parcel", sfreq=2048.0,
                        missing_positions="ignore").fit(X)  # fmt: skip
    with pytest.raises(InvalidParameterError, match="regions has 3 labels"):
        BaristaEmbedder(model=_tiny_barista("parcel"), sfreq=2048.0,
                        regions=["a", "b", "c"]).fit(X)  # fmt: skip
    with pytest.raises(ModelInputError, match="too short"):
        BaristaEmbedder(model=_tiny_barista(), sfreq=2048.0, missing_positions="ignore").fit(
            X[..., :300]
        )
    fitted_copy = copy.deepcopy(fitted)
    with pytest.raises(ModelInputError, match="other channels"):
        fitted_copy.set_params(chs_info=["B1", "A1"]).transform(X)
