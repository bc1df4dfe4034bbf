"""Spectrogram and raw-voltage transformers: sklearn contract, Epochs input, values."""

import pickle

import mne
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from ieegrep.decoding.features import (
    RawTransformer,
    SpectrogramTransformer,
    neuroprobe_stft_baseline,
    raw_voltage_baseline,
)
from ieegrep.decoding.inputs import VOLTS_TO_MICROVOLTS, check_epochs_input
from ieegrep.decoding.splits import ContiguousSplit
from ieegrep.exceptions import InvalidParameterError, ModelInputError
from ieegrep.preprocessing import resample, stft_spectrogram, superlet_spectrogram

# sklearn's generic checks feed 2-D arrays of a few columns: each row is one channel of
# a few samples, so the instances checked use windows of a few samples (at 100 Hz).
CHECKED = [
    SpectrogramTransformer(
        sfreq=100.0, window_duration=0.02, hop_duration=0.01, fmax=50.0, trim_frames=0
    ),
    SpectrogramTransformer(
        "superlet",
        sfreq=100.0,
        hop_duration=0.01,
        fmin=1.0,
        fmax=40.0,
        n_freqs=5,
        order_max=5,
        trim_frames=0,
    ),
    RawTransformer(),
    RawTransformer(sfreq=100.0, target_sfreq=50.0),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _epochs(n_epochs=6, n_channels=3, n_times=512, sfreq=256.0, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((n_epochs, n_channels, n_times)) * 50e-6  # volts
    names = [f"LA{i + 1}" for i in range(n_channels)]
    info = mne.create_info(names + ["STI"], sfreq, ["seeg"] * n_channels + ["stim"])
    full = np.concatenate([data, np.zeros((n_epochs, 1, n_times))], axis=1)
    return mne.EpochsArray(full, info, verbose=False), data


def test_epochs_are_read_in_microvolts_with_their_rate_and_names():
    epochs, volts = _epochs()
    raw = RawTransformer(flatten=False).fit(epochs)
    assert raw.sfreq_in_ == 256.0
    assert raw.ch_names_ == ["LA1", "LA2", "LA3"]  # the stim channel is left out
    assert raw.n_features_in_ == 3
    np.testing.assert_allclose(raw.transform(epochs), volts * VOLTS_TO_MICROVOLTS)


def test_epochs_sfreq_conflict_and_channel_changes_are_refused():
    epochs, _ = _epochs()
    with pytest.raises(InvalidParameterError, match="disagrees"):
        RawTransformer(sfreq=1000.0).fit(epochs)
    fitted = RawTransformer().fit(epochs)
    reordered = epochs.copy().reorder_channels(["LA2", "LA1", "LA3", "STI"])
    with pytest.raises(ModelInputError, match="other channels"):
        fitted.transform(reordered)


def test_spectrogram_values_match_the_front_ends():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 2, 1024))
    spec = SpectrogramTransformer(sfreq=512.0, flatten=False).fit(X)
    np.testing.assert_array_equal(spec.transform(X), stft_spectrogram(X, 512.0))
    flat = SpectrogramTransformer(sfreq=512.0).fit_transform(X)
    np.testing.assert_array_equal(flat, stft_spectrogram(X, 512.0).reshape(3, -1))
    sl = SpectrogramTransformer("superlet", sfreq=512.0, flatten=False).fit(X)
    np.testing.assert_allclose(sl.transform(X), superlet_spectrogram(X, 512.0), atol=1e-6)
    assert sl.output_shape_ == (2, sl.times_.size, 40)


def test_two_d_input_is_one_channel():
    X = np.random.default_rng(2).standard_normal((4, 600))
    spec = SpectrogramTransformer(sfreq=300.0, flatten=False).fit(X)
    assert spec.n_features_in_ == 600 and spec.n_channels_in_ == 1
    three_d = SpectrogramTransformer(sfreq=300.0, flatten=False).fit(X[:, None, :])
    assert three_d.n_features_in_ == 1  # sklearn's rule: the size of axis 1
    np.testing.assert_array_equal(spec.transform(X), three_d.transform(X[:, None, :]))


def test_resampling_to_a_target_rate():
    X = np.random.default_rng(3).standard_normal((2, 2, 1000))
    raw = RawTransformer(sfreq=1000.0, target_sfreq=256.0, flatten=False).fit(X)
    np.testing.assert_allclose(raw.transform(X), resample(X, 1000.0, 256.0))
    assert raw.output_shape_ == (2, 256) and raw.sfreq_ == 256.0
    spec = SpectrogramTransformer(sfreq=1000.0, target_sfreq=2048.0).fit(X)
    assert spec.sfreq_ == 2048.0 and spec.freqs_[1] == pytest.approx(2048 / 400)


@pytest.mark.parametrize(
    ("transformer", "X", "error", "match"),
    [
        (SpectrogramTransformer(), np.zeros((2, 2, 512)), InvalidParameterError, "unknown"),
        (RawTransformer(target_sfreq=100.0), np.zeros((2, 2, 50)), InvalidParameterError, "sfreq"),
        (RawTransformer(), np.zeros((2, 2, 2, 8)), ModelInputError, "2 or 3 dimensions"),
        (RawTransformer(), np.full((2, 2, 8), np.nan), ModelInputError, "NaN"),
        (RawTransformer(), np.zeros((2, 2, 8), complex), ModelInputError, "Complex"),
        (
            SpectrogramTransformer("morlet", 100.0),
            np.zeros((2, 2, 64)),
            InvalidParameterError,
            "method",
        ),
        (
            SpectrogramTransformer("superlet", 100.0, window_duration=0.1),
            np.zeros((2, 2, 64)),
            InvalidParameterError,
            "window_duration",
        ),
        (SpectrogramTransformer(sfreq=2048.0), np.zeros((2, 1, 100)), ModelInputError, "too short"),
        (RawTransformer(flatten="yes"), np.zeros((2, 2, 8)), InvalidParameterError, "flatten"),
    ],
)
def test_bad_input_is_reported(transformer, X, error, match):
    with pytest.raises(error, match=match):
        transformer.fit(X)


def test_epochs_of_another_length_are_refused_at_transform():
    spec = SpectrogramTransformer(sfreq=256.0).fit(np.zeros((2, 2, 512)))
    with pytest.raises(ModelInputError, match="512 samples"):
        spec.transform(np.zeros((2, 2, 600)))
    with pytest.raises(Exception, match="not fitted"):
        RawTransformer().transform(np.zeros((2, 2, 8)))


def test_check_epochs_input_takes_chs_info_and_lists_of_epochs():
    epochs, volts = _epochs(n_epochs=4)
    parts = [epochs[i] for i in range(4)]  # what cross-validation passes for a subset
    inputs = check_epochs_input(parts)
    np.testing.assert_allclose(inputs.data, volts * 1e6)
    assert inputs.from_epochs and inputs.sfreq == 256.0 and inputs.ch_types == ["seeg"] * 3
    chs = [{"ch_name": "A1", "loc": [0.01, 0.02, 0.03]}, "A2"]
    inputs = check_epochs_input(np.zeros((1, 2, 10)), chs_info=chs)
    assert inputs.ch_names == ["A1", "A2"]
    np.testing.assert_allclose(inputs.ch_pos[0], [0.01, 0.02, 0.03])
    assert np.isnan(inputs.ch_pos[1]).all()
    with pytest.raises(InvalidParameterError, match="chs_info"):
        check_epochs_input(np.zeros((1, 3, 10)), chs_info=chs)


def _band_power_task(n_epochs=40, sfreq=512.0, seed=0):
    """Class 1 has a 40 Hz oscillation on channel 0; class 0 does not."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sfreq)) / sfreq
    y = np.tile([0, 1], n_epochs // 2)
    X = rng.standard_normal((n_epochs, 2, t.size))
    phase = rng.uniform(0, 2 * np.pi, n_epochs)
    X[:, 0] += 1.5 * y[:, None] * np.sin(2 * np.pi * 40 * t[None] + phase[:, None])
    return X, y


def test_pipelines_clone_pickle_and_grid_search():
    X, y = _band_power_task()
    pipe = make_pipeline(
        SpectrogramTransformer(sfreq=512.0, normalize=None, trim_frames=0),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )
    search = GridSearchCV(
        pipe,
        {"spectrogramtransformer__fmax": [60.0, 100.0]},
        cv=ContiguousSplit(2),
        scoring="roc_auc",
    )
    search.fit(X, y)
    assert search.best_score_ > 0.9
    copy = clone(pipe).fit(X, y)
    restored = pickle.loads(pickle.dumps(copy))
    np.testing.assert_array_equal(copy.decision_function(X), restored.decision_function(X))


def test_neuroprobe_baselines_decode_a_band_power_effect():
    X, y = _band_power_task()
    stft = cross_val_score(
        neuroprobe_stft_baseline(sfreq=512.0, target_sfreq=None),
        X,
        y,
        cv=ContiguousSplit(4),
        scoring="roc_auc",
    )
    assert stft.mean() > 0.9
    params = neuroprobe_stft_baseline().steps[0][1].get_params()
    assert params["window_duration"] == 0.25 and params["hop_duration"] == 0.0625
    assert params["fmax"] == 150.0 and params["normalize"] is None
    # raw voltages with random phase carry no linear signal: near chance, never perfect
    raw = cross_val_score(
        raw_voltage_baseline(sfreq=512.0), X, y, cv=ContiguousSplit(4), scoring="roc_auc"
    )
    assert raw.mean() < 0.8


def test_cross_validation_on_epochs():
    epochs, _ = _epochs(n_epochs=20, n_channels=2, n_times=256)
    y = np.tile([0, 1], 10)
    scores = cross_val_score(
        make_pipeline(SpectrogramTransformer(), LogisticRegression()),
        epochs,
        y,
        cv=ContiguousSplit(2),
        scoring="roc_auc",
    )
    assert scores.shape == (2,) and np.isfinite(scores).all()
