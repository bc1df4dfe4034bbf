"""Leak-free splitters and AUROC evaluation."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from ieegrep.decoding.splits import (
    ContiguousSplit,
    CrossSessionSplit,
    CrossSubjectSplit,
    DecodingResult,
    GroupedSplit,
    compare_auroc,
    cross_validate_auroc,
)
from ieegrep.exceptions import IeegrepWarning, InvalidParameterError


def _folds(cv, X=None, y=None, groups=None):
    return [(tr.tolist(), te.tolist()) for tr, te in cv.split(X, y, groups)]


# ---- ContiguousSplit ----------------------------------------------------------------------


def test_contiguous_without_gap_is_unshuffled_kfold():
    X = np.zeros((23, 2))
    ours = _folds(ContiguousSplit(4), X)
    theirs = [(tr.tolist(), te.tolist()) for tr, te in KFold(4).split(X)]
    assert ours == theirs
    assert ContiguousSplit(4).get_n_splits() == 4


def test_contiguous_gap_in_samples_and_sessions():
    sessions = np.array(["a"] * 6 + ["b"] * 6)
    folds = _folds(ContiguousSplit(2, gap=1), np.zeros(12), groups=sessions)
    # fold 0 tests the first half of each session; its neighbour (index 3 / 9) is dropped
    assert folds[0] == ([4, 5, 10, 11], [0, 1, 2, 6, 7, 8])
    assert folds[1] == ([0, 1, 6, 7], [3, 4, 5, 9, 10, 11])


def test_contiguous_gap_in_seconds_orders_by_onset():
    rng = np.random.default_rng(0)
    onsets = rng.permutation(np.arange(40) * 0.5)  # 1-s windows every 0.5 s, shuffled
    cv = ContiguousSplit(4, gap=1.0, onsets=onsets)
    for train, test in cv.split(np.zeros(40)):
        t_test = onsets[test]
        assert np.ptp(t_test) == pytest.approx(4.5)  # one contiguous block of 10 windows
        # no training window starts less than 1 s from the test block: no overlap at all
        distance = np.maximum(t_test.min() - onsets[train], onsets[train] - t_test.max())
        assert distance.min() >= 1.0
        assert set(train).isdisjoint(test)


@pytest.mark.parametrize(
    ("cv", "n", "match"),
    [
        (ContiguousSplit(1), 10, "n_splits"),
        (ContiguousSplit(2, gap=-1), 10, "gap"),
        (ContiguousSplit(2, gap=0.5), 10, "whole number"),
        (ContiguousSplit(2, onsets=[0.0, 1.0]), 10, "onsets"),
        (ContiguousSplit(20), 10, "fewer than n_splits"),
    ],
)
def test_contiguous_bad_arguments(cv, n, match):
    with pytest.raises(InvalidParameterError, match=match):
        list(cv.split(np.zeros(n)))


def test_contiguous_split_keeps_neighbouring_windows_apart():
    """On autocorrelated data a shuffled K-fold leaks; contiguous folds do not."""
    rng = np.random.default_rng(0)
    n = 400
    X = np.cumsum(rng.standard_normal((n, 3)), axis=0)  # slow drifts
    y = (np.arange(n) // 25) % 2  # labels in blocks, unrelated to X's content
    knn = KNeighborsClassifier(1)
    shuffled = cross_val_score(knn, X, y, cv=KFold(5, shuffle=True, random_state=0))
    contiguous = cross_val_score(knn, X, y, cv=ContiguousSplit(5, gap=25))
    assert shuffled.mean() > 0.8  # neighbours in training give the label away
    assert contiguous.mean() < 0.65
    assert shuffled.mean() - contiguous.mean() > 0.25


# ---- cross-session / cross-subject --------------------------------------------------------


def _recordings():
    rows = []
    for subject, sessions in (("1", ["1", "2"]), ("2", ["0", "4"]), ("3", ["0"])):
        for session in sessions:
            rows += [(subject, session)] * 4
    return pd.DataFrame(rows, columns=["subject", "session"])


def test_cross_session_trains_on_the_other_session_of_the_subject():
    groups = _recordings()
    folds = list(CrossSessionSplit().split(np.zeros(len(groups)), groups=groups))
    assert len(folds) == 4  # subject 3 has one session: not tested
    assert CrossSessionSplit().get_n_splits(groups=groups) == 4
    for train, test in folds:
        test_keys = set(map(tuple, groups.iloc[test].to_numpy()))
        train_keys = set(map(tuple, groups.iloc[train].to_numpy()))
        assert len(test_keys) == 1
        (subject, session) = test_keys.pop()
        assert train_keys == {(subject, s) for s in groups.session[groups.subject == subject]} - {
            (subject, session)
        }
    only = list(CrossSessionSplit(test_sessions=[("2", "4")]).split(groups=groups.to_numpy()))
    assert len(only) == 1 and set(groups.iloc[only[0][1]].session) == {"4"}


def test_cross_session_needs_two_sessions():
    groups = pd.DataFrame({"subject": ["1", "2"], "session": ["a", "b"]})
    with pytest.raises(InvalidParameterError, match="two sessions"):
        list(CrossSessionSplit().split(groups=groups))
    with pytest.raises(InvalidParameterError, match="subject and the session"):
        list(CrossSessionSplit().split(np.zeros(2), groups=["1", "2"]))


def test_cross_subject_neuroprobe_protocol_and_leave_one_subject_out():
    groups = _recordings()
    # Neuroprobe: train on subject 2, trial 4; test every session of the other subjects
    folds = list(CrossSubjectSplit(2, train_session=4).split(groups=groups))
    assert len(folds) == 3
    for train, test in folds:
        assert set(map(tuple, groups.iloc[train].to_numpy())) == {("2", "4")}
        assert len(set(map(tuple, groups.iloc[test].to_numpy()))) == 1
        assert "2" not in set(groups.subject.iloc[test])
    loso = list(CrossSubjectSplit(per_session=False).split(groups=groups.subject.to_numpy()))
    assert len(loso) == 3
    for train, test in loso:
        assert set(groups.subject.iloc[train]).isdisjoint(groups.subject.iloc[test])
    with pytest.raises(InvalidParameterError, match="train_subject"):
        list(CrossSubjectSplit("9").split(groups=groups))
    with pytest.raises(InvalidParameterError, match="no session"):
        list(CrossSubjectSplit("2", train_session="7").split(groups=groups))
    with pytest.raises(InvalidParameterError, match="two subjects"):
        list(CrossSubjectSplit().split(groups=["a", "a"]))


# ---- GroupedSplit -------------------------------------------------------------------------


def test_grouped_split_holds_out_whole_groups_with_both_classes():
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(10), 6)
    y = np.tile([0, 0, 1, 1, 0, 1], 10)
    folds = list(GroupedSplit(5, shuffle=True, random_state=0).split(np.zeros(60), y, groups))
    assert len(folds) == 5
    tested = np.concatenate([te for _, te in folds])
    assert sorted(tested) == list(range(60))
    for train, test in folds:
        assert set(groups[train]).isdisjoint(groups[test])
        assert set(y[test]) == {0, 1}
    del rng


def test_grouped_split_single_class_fold_raises_or_warns():
    groups = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])  # every group is a single class
    cv = GroupedSplit(4, stratify=False)
    with pytest.raises(InvalidParameterError, match="only class"):
        list(cv.split(None, y, groups))
    with pytest.warns(IeegrepWarning, match="only class"):
        folds = list(GroupedSplit(4, on_single_class="warn").split(None, y, groups))
    assert len(folds) == 4
    with pytest.raises(InvalidParameterError, match="fewer than n_splits"):
        list(GroupedSplit(5).split(None, y, groups))
    with pytest.raises(InvalidParameterError, match="needs groups"):
        list(GroupedSplit(2).split(np.zeros(8), y))


def test_splitters_work_in_grid_search():
    rng = np.random.default_rng(2)
    y = np.tile([0, 1], 30)
    X = rng.standard_normal((60, 4)) + 0.8 * y[:, None]
    groups = np.repeat(np.arange(12), 5)
    search = GridSearchCV(
        LogisticRegression(), {"C": [0.1, 1.0]}, cv=GroupedSplit(3), scoring="roc_auc"
    )
    search.fit(X, y, groups=groups)
    assert search.best_score_ > 0.8


# ---- evaluation ---------------------------------------------------------------------------


def test_cross_validate_auroc_reports_mean_and_sem():
    rng = np.random.default_rng(3)
    y = np.tile([0, 1], 40)
    X = rng.standard_normal((80, 5)) + 0.7 * y[:, None]
    groups = np.repeat(np.arange(8), 10)
    result = cross_validate_auroc(
        LogisticRegression(), X, y, cv=GroupedSplit(4), groups=groups, return_train_score=True
    )
    assert isinstance(result, DecodingResult)
    scores = result.scores
    assert scores.size == 4 and result.mean > 0.8
    assert result.mean == pytest.approx(scores.mean())
    assert result.sem == pytest.approx(scores.std(ddof=1) / 2)
    frame = result.to_frame()
    assert list(frame.columns[:2]) == ["name", "fold"]
    assert (frame.train_auroc >= 0.5).all()
    assert all(len(g.split(",")) == 2 for g in frame.test_groups)
    assert "±" in str(result) and "LogisticRegression" in str(result)
    # chance-level data stays near chance
    noise = cross_validate_auroc(LogisticRegression(), rng.standard_normal((80, 5)), y)
    assert abs(noise.mean - 0.5) < 0.2


def test_cross_validate_auroc_refuses_undefined_folds():
    y = np.array([0] * 10 + [1] * 10)
    X = np.zeros((20, 2))
    with pytest.raises(InvalidParameterError, match="only class"):
        cross_validate_auroc(LogisticRegression(), X, y, cv=ContiguousSplit(2))
    with pytest.raises(InvalidParameterError, match="two classes"):
        cross_validate_auroc(LogisticRegression(), X, np.arange(20) % 3, cv=ContiguousSplit(2))


def test_compare_auroc_uses_the_same_folds():
    rng = np.random.default_rng(4)
    y = np.tile([0, 1], 30)
    X = rng.standard_normal((60, 3)) + y[:, None]
    table = compare_auroc(
        {"strong": LogisticRegression(), "weak": LogisticRegression(C=1e-6)},
        X,
        y,
        cv=ContiguousSplit(3),
    )
    assert list(table.name) == ["strong", "weak"] and (table.n_folds == 3).all()
    results = table.attrs["results"]
    assert results["strong"].folds.n_test.tolist() == results["weak"].folds.n_test.tolist()


@pytest.mark.shared
def test_real_seizure_clips_need_grouping_that_mixes_classes(shared):
    data = np.load(shared / "data" / "labelled" / "kaggle_dog1_detect.npz")
    y, event = data["y"], data["event_id"]
    # naive: every interictal clip in one group (-1) -> single-class folds, caught
    with pytest.raises(InvalidParameterError, match="only class"):
        list(GroupedSplit(3, stratify=False).split(None, y, event))
    # whole seizures held out, interictal clips grouped in blocks of consecutive clips
    groups = np.where(event >= 0, event, 1000 + data["clip_index"] // 40)
    folds = list(GroupedSplit(3).split(None, y, groups))
    for train, test in folds:
        assert set(event[test][event[test] >= 0]).isdisjoint(event[train][event[train] >= 0])


def test_grouped_split_gap_drops_training_neighbours_of_test_windows():
    onsets = np.arange(24, dtype=float)  # 1-s windows in 3-s blocks
    y = np.tile([0, 1], 12)
    groups = np.repeat(np.arange(8), 3)
    plain = list(GroupedSplit(4).split(None, y, groups))
    gapped = list(GroupedSplit(4, gap=1.5, onsets=onsets).split(None, y, groups))
    for (train, test), (train_gap, test_gap) in zip(plain, gapped):
        np.testing.assert_array_equal(test, test_gap)
        distance = np.abs(onsets[train_gap][:, None] - onsets[test][None, :]).min(axis=1)
        assert (distance >= 1.5).all()
        assert set(train_gap) == {i for i in train if np.abs(onsets[i] - onsets[test]).min() >= 1.5}
        assert len(train_gap) < len(train)  # a neighbour of a test block was dropped
    with pytest.raises(InvalidParameterError, match="onset"):
        list(GroupedSplit(4, gap=1.0).split(None, y, groups))
