"""Leak-free cross-validation for iEEG decoding, and AUROC with mean ± s.e.m.

Neighbouring windows of a recording share signal (slow drifts, overlapping
samples, the same seizure), so shuffled K-fold splits of windows inflate
decoding scores. The splitters here never put neighbours on both sides:

===================  =====================================================================
splitter             test fold / training set
===================  =====================================================================
ContiguousSplit      a contiguous block of each session / the rest of that session, minus
                     ``gap`` around the block (Neuroprobe "Within-Session": 2 folds)
CrossSessionSplit    one session / the other sessions of the same subject (Neuroprobe
                     "Cross-Session", its leaderboard split)
CrossSubjectSplit    one subject (or session) / the other subjects, or one fixed training
                     subject (Neuroprobe "Cross-Subject": train on subject 2, trial 4)
GroupedSplit         whole groups (pairs, seizures, recordings) of a dataset given as arrays;
                     every fold is checked to contain both classes
===================  =====================================================================

They follow sklearn's splitter protocol (``split(X, y, groups)``,
``get_n_splits``), so they work in :func:`~sklearn.model_selection.cross_val_score`,
:class:`~sklearn.model_selection.GridSearchCV` and :func:`cross_validate_auroc`.

``groups`` carries the recording structure. For :class:`CrossSessionSplit` and
:class:`CrossSubjectSplit` it gives the subject and session of every sample: a
:class:`pandas.DataFrame` with ``subject`` and ``session`` columns, or an array
of shape ``(n_samples, 2)`` (subject, session); :class:`CrossSubjectSplit` also
takes 1-D subject labels. For :class:`ContiguousSplit` it is the session label
(optional: all samples form one session), and for :class:`GroupedSplit` the
group label.

Neuroprobe halves every held-out fold into validation and test sets; here the
whole held-out fold is the test set, and model selection belongs in an inner
loop (e.g. :class:`~sklearn.model_selection.GridSearchCV` with one of these
splitters inside the training set).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, cross_validate
from sklearn.model_selection._split import BaseCrossValidator

from ..exceptions import IeegrepWarning, InvalidParameterError
from ..verbosity import logger, verbose, warn

__all__ = [
    "ContiguousSplit",
    "CrossSessionSplit",
    "CrossSubjectSplit",
    "GroupedSplit",
    "DecodingResult",
    "cross_validate_auroc",
    "compare_auroc",
]


# ------------------------------------------------------------------------------------------
# argument checks
# ------------------------------------------------------------------------------------------


def _check_n_splits(n_splits, minimum=2):
    ok = isinstance(n_splits, numbers.Integral) and not isinstance(n_splits, bool)
    if not ok or n_splits < minimum:
        raise InvalidParameterError(
            f"n_splits must be an integer of at least {minimum}.",
            field="n_splits",
            value=n_splits,
            fix="Pass n_splits=2 (Neuroprobe's within-session protocol) or more.",
        )
    return int(n_splits)


def _n_samples(X, y, groups):
    for candidate in (X, y, groups):
        if candidate is not None:
            return len(candidate)
    raise InvalidParameterError(
        "split() needs X, y or groups to know the number of samples.",
        field="X",
        value=None,
        fix="Pass X (and y, groups) as to cross_val_score.",
    )


def _labels(values, n_samples, name):
    array = np.asarray(values, dtype=object)
    if array.ndim != 1 or len(array) != n_samples:
        raise InvalidParameterError(
            f"{name} must have one label per sample ({n_samples}).",
            field=name,
            value=getattr(array, "shape", None),
            fix=f"Pass a 1-D array of {n_samples} labels.",
        )
    if pd.isna(array).any():
        raise InvalidParameterError(
            f"{name} contains missing labels.",
            field=name,
            value=int(pd.isna(array).sum()),
            fix="Give every sample a label.",
        )
    return array


def _subject_session(groups, n_samples, *, session_required=True):
    """Return (subjects, sessions) label arrays from the supported ``groups`` forms."""
    if groups is None:
        raise InvalidParameterError(
            "This splitter needs the subject and session of every sample.",
            field="groups",
            value=None,
            fix="Pass groups=DataFrame with 'subject' and 'session' columns (or an array "
            "(n_samples, 2)) to split() or cross_val_score().",
        )
    if isinstance(groups, pd.DataFrame):
        missing = [c for c in ("subject", "session") if c not in groups.columns]
        if "subject" in missing or (session_required and missing):
            raise InvalidParameterError(
                "The groups table lacks required columns.",
                field="groups",
                value=list(groups.columns),
                fix="Give groups 'subject' and 'session' columns.",
            )
        subjects = _labels(groups["subject"].to_numpy(), n_samples, "groups['subject']")
        sessions = (
            _labels(groups["session"].to_numpy(), n_samples, "groups['session']")
            if "session" in groups.columns
            else None
        )
        return subjects, sessions
    array = np.asarray(groups, dtype=object)
    if array.ndim == 2 and array.shape[1] == 2:
        return (
            _labels(array[:, 0], n_samples, "groups[:, 0]"),
            _labels(array[:, 1], n_samples, "groups[:, 1]"),
        )
    if array.ndim == 1 and not session_required:
        return _labels(array, n_samples, "groups"), None
    raise InvalidParameterError(
        "groups must give the subject and the session of every sample.",
        field="groups",
        value=getattr(array, "shape", None),
        fix="Pass a DataFrame with 'subject' and 'session' columns, or an array of shape "
        "(n_samples, 2).",
    )


def _key(subject, session):
    return (str(subject), None if session is None else str(session))


class _Splitter(BaseCrossValidator):
    """Common base: ``get_n_splits`` counts what ``split`` yields."""

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds.

        Parameters
        ----------
        X, y, groups : array-like | None, default None
            As for :meth:`split` (the data-dependent splitters need them).

        Returns
        -------
        n_splits : int
            Number of folds ``split`` yields for these data.
        """
        return sum(1 for _ in self._folds(X, y, groups))

    def split(self, X=None, y=None, groups=None):
        """Generate indices of the training and test sets of every fold.

        Parameters
        ----------
        X : array-like | mne.Epochs | None, default None, default None, default None, default None
            The samples (only their number is used).
        y : array-like | None, default None, default None, default None, default None
            Labels (used by :class:`GroupedSplit` to check classes).
        groups : array-like | pandas.DataFrame | None, default None, default None, default None, default None
            Recording structure; see the module docstring.

        Yields
        ------
        train, test : ndarray of int
            Sample indices of the fold.
        """
        for train, test in self._folds(X, y, groups):
            yield np.asarray(train, dtype=int), np.asarray(test, dtype=int)

    def _iter_test_indices(self, X=None, y=None, groups=None):  # pragma: no cover - unused
        for _, test in self._folds(X, y, groups):
            yield test


class _FixedSplitter(_Splitter):
    """A splitter whose number of folds is its ``n_splits`` parameter, whatever the data."""

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return ``n_splits``.

        Parameters
        ----------
        X, y, groups : object, default None
            Ignored; present for the sklearn API.

        Returns
        -------
        n_splits : int
            The ``n_splits`` parameter.
        """
        return _check_n_splits(self.n_splits)


# ------------------------------------------------------------------------------------------
# within session
# ------------------------------------------------------------------------------------------


class ContiguousSplit(_FixedSplitter):
    """K contiguous folds in time within every session, with an optional gap.

    Each session's samples, in time order, are cut into ``n_splits`` contiguous
    blocks of (nearly) equal size, as ``KFold(shuffle=False)`` does; fold ``k``
    tests block ``k`` of every session and trains on the rest of the sessions,
    minus the samples closer than ``gap`` to the test block. With
    ``n_splits=2`` this is Neuroprobe's Within-Session protocol.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2).
    gap : float, default=0
        Samples kept out of training on each side of the test block. Without
        ``onsets`` it counts samples (windows) in session order; with
        ``onsets`` it is in seconds: a training window whose onset is less
        than ``gap`` s from the onset of the first or last test window (or
        between them) is dropped. Set it to at least the window duration so
        that no training window overlaps a test window.
    onsets : array-like of float, shape (n_samples,) | None, default=None
        Onset of every sample (window) in seconds within its session. Samples
        are ordered by it within each session. None: the order of ``X`` is the
        time order.

    Notes
    -----
    ``groups`` (optional) labels the session of every sample; without it all
    samples form one session. Every session needs at least ``n_splits``
    samples.

    Examples
    --------
    >>> import numpy as np
    >>> cv = ContiguousSplit(n_splits=3, gap=1)
    >>> [test.tolist() for _, test in cv.split(np.zeros(9))]
    [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    >>> [train.tolist() for train, _ in cv.split(np.zeros(9))][1]
    [0, 1, 7, 8]
    """

    def __init__(self, n_splits=5, *, gap=0, onsets=None):
        self.n_splits = n_splits
        self.gap = gap
        self.onsets = onsets

    def _folds(self, X, y, groups):
        n_splits = _check_n_splits(self.n_splits)
        gap = self.gap
        ok = isinstance(gap, numbers.Real) and not isinstance(gap, bool)
        if not ok or not np.isfinite(gap) or gap < 0:
            raise InvalidParameterError(
                "gap must be a non-negative number.",
                field="gap",
                value=gap,
                fix="Pass gap=0, a number of samples, or seconds when onsets are given.",
            )
        n = _n_samples(X, y, groups)
        if self.onsets is None:
            if not float(gap).is_integer():
                raise InvalidParameterError(
                    "Without onsets, gap counts samples and must be a whole number.",
                    field="gap",
                    value=gap,
                    fix="Pass a whole number of samples, or give onsets (seconds).",
                )
            onsets = np.arange(n, dtype=float)
        else:
            onsets = np.asarray(self.onsets, dtype=float)
            if onsets.shape != (n,) or not np.isfinite(onsets).all():
                raise InvalidParameterError(
                    f"onsets must be {n} finite times in seconds, one per sample.",
                    field="onsets",
                    value=onsets.shape,
                    fix="Pass the onset of every window of X, in seconds.",
                )
        sessions = np.zeros(n, dtype=object) if groups is None else _labels(groups, n, "groups")
        blocks = []  # per session: (order, block bounds)
        for session in pd.unique(sessions):
            members = np.flatnonzero(sessions == session)
            order = members[np.argsort(onsets[members], kind="stable")]
            if order.size < n_splits:
                raise InvalidParameterError(
                    f"Session {session!r} has {order.size} sample(s), fewer than n_splits="
                    f"{n_splits}.",
                    field="n_splits",
                    value=n_splits,
                    fix="Lower n_splits or drop the session.",
                )
            sizes = np.full(n_splits, order.size // n_splits)
            sizes[: order.size % n_splits] += 1
            blocks.append((order, np.concatenate([[0], np.cumsum(sizes)])))
        for k in range(n_splits):
            train, test = [], []
            for order, bounds in blocks:
                lo, hi = bounds[k], bounds[k + 1]
                test.append(order[lo:hi])
                if self.onsets is None:
                    position = np.arange(order.size)
                    keep = (position < lo - gap) | (position >= hi + gap)
                else:
                    t = onsets[order]
                    first, last = t[lo], t[hi - 1]
                    keep = (t <= first - gap) | (t >= last + gap)
                    keep[lo:hi] = False
                keep[lo:hi] = False
                train.append(order[keep])
            yield np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


# ------------------------------------------------------------------------------------------
# across sessions and subjects
# ------------------------------------------------------------------------------------------


class CrossSessionSplit(_Splitter):
    """Train on other sessions of a subject, test on one session (Neuroprobe Cross-Session).

    Every session of a subject that has at least two sessions is tested once,
    by a model trained on that subject's other sessions. This is Neuroprobe's
    default leaderboard split (two sessions per subject in Neuroprobe Lite, so
    the training set is "the other session").

    Parameters
    ----------
    test_sessions : list | None, default=None
        Only these sessions are tested (labels as in ``groups``, or
        ``(subject, session)`` pairs); None tests every session that can be.

    Notes
    -----
    ``groups`` gives the subject and session of every sample (a DataFrame with
    ``subject`` and ``session`` columns, or an array ``(n_samples, 2)``).
    Subjects with a single session are skipped (logged at INFO level). Folds
    come in the order of (subject, session) labels.

    Examples
    --------
    >>> import numpy as np
    >>> groups = np.array([["1", "a"], ["1", "a"], ["1", "b"], ["2", "a"], ["2", "c"]])
    >>> [(tr.tolist(), te.tolist()) for tr, te in CrossSessionSplit().split(groups=groups)]
    [([2], [0, 1]), ([0, 1], [2]), ([4], [3]), ([3], [4])]
    """

    def __init__(self, *, test_sessions=None):
        self.test_sessions = test_sessions

    def _folds(self, X, y, groups):
        n = _n_samples(X, y, groups)
        subjects, sessions = _subject_session(groups, n)
        wanted = None
        if self.test_sessions is not None:
            wanted = {
                _key(*item) if isinstance(item, tuple) else ("*", str(item))
                for item in self.test_sessions
            }
        sub_str = np.array([str(s) for s in subjects], dtype=object)
        ses_str = np.array([str(s) for s in sessions], dtype=object)
        n_folds = 0
        for subject in sorted(set(sub_str)):
            own = sub_str == subject
            subject_sessions = sorted(set(ses_str[own]))
            if len(subject_sessions) < 2:
                logger.info("CrossSessionSplit: subject %s has one session; not tested.", subject)
                continue
            for session in subject_sessions:
                if wanted is not None and not (
                    (subject, session) in wanted or ("*", session) in wanted
                ):
                    continue
                test = own & (ses_str == session)
                train = own & (ses_str != session)
                n_folds += 1
                yield np.flatnonzero(train), np.flatnonzero(test)
        if n_folds == 0:
            raise InvalidParameterError(
                "No subject has two sessions to train and test on"
                + (" among the requested test_sessions." if wanted else "."),
                field="groups",
                value=sorted({_key(a, b) for a, b in zip(sub_str, ses_str)})[:10],
                fix="Use CrossSubjectSplit or ContiguousSplit, or check test_sessions.",
            )


class CrossSubjectSplit(_Splitter):
    """Test on subjects not seen in training (Neuroprobe Cross-Subject).

    Parameters
    ----------
    train_subject : str | int | None, default=None
        None: leave one subject out (each subject is tested by a model trained
        on all the others). A label: train always on this subject (Neuroprobe
        trains on subject 2) and test on every other subject.
    train_session : str | int | None, default=None
        With ``train_subject``: train on this session only (Neuroprobe: trial 4).
    per_session : bool, default=True
        When sessions are known, make one test fold per session of each test
        subject (as Neuroprobe scores each session); False: one per subject.

    Notes
    -----
    ``groups`` gives the subject of every sample (1-D labels) or the subject and
    session (DataFrame with ``subject``/``session`` columns, or an array
    ``(n_samples, 2)``). Labels are compared as strings, so ``2`` and ``"2"``
    are the same subject. Montages differ between subjects: features must be
    comparable across them (e.g. averaged within atlas regions, as Neuroprobe's
    linear baseline does).

    Examples
    --------
    >>> import numpy as np
    >>> subjects = np.array(["a", "a", "b", "c", "c"])
    >>> [te.tolist() for _, te in CrossSubjectSplit().split(groups=subjects)]
    [[0, 1], [2], [3, 4]]
    >>> [(tr.tolist(), te.tolist()) for tr, te in CrossSubjectSplit("a").split(groups=subjects)]
    [([0, 1], [2]), ([0, 1], [3, 4])]
    """

    def __init__(self, train_subject=None, *, train_session=None, per_session=True):
        self.train_subject = train_subject
        self.train_session = train_session
        self.per_session = per_session

    def _folds(self, X, y, groups):
        n = _n_samples(X, y, groups)
        subjects, sessions = _subject_session(groups, n, session_required=False)
        sub_str = np.array([str(s) for s in subjects], dtype=object)
        ses_str = None if sessions is None else np.array([str(s) for s in sessions], dtype=object)
        if self.train_session is not None and self.train_subject is None:
            raise InvalidParameterError(
                "train_session needs train_subject.",
                field="train_session",
                value=self.train_session,
                fix="Pass train_subject too, or leave train_session=None.",
            )
        if self.train_session is not None and ses_str is None:
            raise InvalidParameterError(
                "train_session is set but groups give no sessions.",
                field="groups",
                value=getattr(groups, "shape", None),
                fix="Pass groups with 'subject' and 'session' columns.",
            )
        all_subjects = sorted(set(sub_str))
        if len(all_subjects) < 2:
            raise InvalidParameterError(
                "Cross-subject splits need at least two subjects.",
                field="groups",
                value=all_subjects,
                fix="Use ContiguousSplit or CrossSessionSplit for one subject.",
            )
        if self.train_subject is None:
            for subject in all_subjects:
                for test in self._test_sets(sub_str == subject, ses_str):
                    yield np.flatnonzero(sub_str != subject), np.flatnonzero(test)
            return
        train_subject = str(self.train_subject)
        if train_subject not in all_subjects:
            raise InvalidParameterError(
                "train_subject is not among the subjects in groups.",
                field="train_subject",
                value=self.train_subject,
                fix=f"Choose one of {all_subjects[:10]}.",
            )
        train = sub_str == train_subject
        if self.train_session is not None:
            train = train & (ses_str == str(self.train_session))
            if not train.any():
                raise InvalidParameterError(
                    f"Subject {train_subject} has no session {self.train_session!r}.",
                    field="train_session",
                    value=self.train_session,
                    fix=f"Choose one of {sorted(set(ses_str[sub_str == train_subject]))}.",
                )
        for subject in all_subjects:
            if subject == train_subject:
                continue
            for test in self._test_sets(sub_str == subject, ses_str):
                yield np.flatnonzero(train), np.flatnonzero(test)

    def _test_sets(self, own, ses_str):
        if ses_str is None or not self.per_session:
            yield own
            return
        for session in sorted(set(ses_str[own])):
            yield own & (ses_str == session)


# ------------------------------------------------------------------------------------------
# grouped datasets given as arrays
# ------------------------------------------------------------------------------------------


class GroupedSplit(_FixedSplitter):
    """Group K-fold for datasets given as arrays, checking that folds hold both classes.

    Whole groups (channel pairs, seizures, recordings) are held out together:
    :class:`~sklearn.model_selection.StratifiedGroupKFold` when ``stratify`` and
    labels are given (it balances the classes across folds), else
    :class:`~sklearn.model_selection.GroupKFold`. Each fold's test and training
    sets must then contain every class, because AUROC is undefined otherwise.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2, at most the number of groups).
    stratify : bool, default=True
        Balance classes across folds when ``y`` is given.
    shuffle : bool, default=False
        Shuffle the groups before assigning them to folds.
    random_state : int | None, default=None
        Seed used when ``shuffle`` is True.
    on_single_class : ``"raise"`` | ``"warn"``, default="raise"
        What to do when a fold's training or test set has a single class:
        raise :class:`~ieegrep.exceptions.InvalidParameterError`, or warn
        (:class:`~ieegrep.exceptions.IeegrepWarning`) and yield the fold anyway.
    gap : float, default=0
        Seconds: training samples whose onset is less than ``gap`` from the
        onset of any test sample are dropped, because windows next to a held-out
        block still share slow signal with it. Needs ``onsets``.
    onsets : array-like of float, shape (n_samples,) | None, default=None
        Onset of every sample in seconds (e.g. a windows table's ``onset``).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1] * 6)
    >>> groups = np.repeat(np.arange(6), 2)  # each group holds both classes
    >>> cv = GroupedSplit(n_splits=3)
    >>> cv.get_n_splits(groups=groups)
    3
    >>> all(set(groups[tr]).isdisjoint(groups[te]) for tr, te in cv.split(None, y, groups))
    True
    """

    def __init__(
        self,
        n_splits=5,
        *,
        stratify=True,
        shuffle=False,
        random_state=None,
        on_single_class="raise",
        gap=0.0,
        onsets=None,
    ):
        self.n_splits = n_splits
        self.stratify = stratify
        self.shuffle = shuffle
        self.random_state = random_state
        self.on_single_class = on_single_class
        self.gap = gap
        self.onsets = onsets

    def _folds(self, X, y, groups):
        n_splits = _check_n_splits(self.n_splits)
        if self.on_single_class not in ("raise", "warn"):
            raise InvalidParameterError(
                "Unknown on_single_class.",
                field="on_single_class",
                value=self.on_single_class,
                fix='Pass "raise" or "warn".',
            )
        if groups is None:
            raise InvalidParameterError(
                "GroupedSplit needs groups: the pair, seizure or recording of every sample.",
                field="groups",
                value=None,
                fix="Pass groups=... to split() or cross_val_score().",
            )
        n = _n_samples(X, y, groups)
        labels = _labels(groups, n, "groups")
        codes = pd.factorize(pd.Series(labels).astype(str))[0]
        n_groups = int(codes.max()) + 1 if codes.size else 0
        if n_groups < n_splits:
            raise InvalidParameterError(
                f"There are {n_groups} groups, fewer than n_splits={n_splits}.",
                field="n_splits",
                value=n_splits,
                fix=f"Use n_splits <= {n_groups}, or finer groups.",
            )
        if self.stratify and y is not None:
            splitter = StratifiedGroupKFold(
                n_splits, shuffle=bool(self.shuffle), random_state=self._seed()
            )
        else:
            splitter = GroupKFold(n_splits, shuffle=bool(self.shuffle), random_state=self._seed())
        y_array = None if y is None else np.asarray(y)
        if y_array is not None and len(y_array) != n:
            raise InvalidParameterError(
                f"y has {len(y_array)} labels for {n} samples.",
                field="y",
                value=len(y_array),
                fix="Give one label per sample.",
            )
        onsets = self._check_gap(n)
        dummy = np.zeros((n, 1))
        for k, (train, test) in enumerate(splitter.split(dummy, y_array, codes)):
            if onsets is not None:
                distance = np.abs(onsets[train][:, None] - onsets[test][None, :]).min(axis=1)
                train = train[distance >= self.gap]
            if y_array is not None:
                _check_classes(y_array, train, test, k, labels, self.on_single_class)
            yield train, test

    def _check_gap(self, n):
        """Return the onsets when a gap is asked for, else None."""
        gap = self.gap
        if not isinstance(gap, int | float) or isinstance(gap, bool) or not gap >= 0:
            raise InvalidParameterError(
                "gap must be a number of seconds >= 0.",
                field="gap",
                value=gap,
                fix="Pass e.g. gap=1.0 (one window length), or 0.",
            )
        if gap == 0:
            return None
        onsets = None if self.onsets is None else np.asarray(self.onsets, dtype=float)
        if onsets is None or onsets.shape != (n,) or not np.isfinite(onsets).all():
            raise InvalidParameterError(
                "A gap needs the onset (s) of every sample.",
                field="onsets",
                value=None if onsets is None else f"shape {onsets.shape}",
                fix=f"Pass onsets=windows['onset'] with {n} finite values.",
            )
        return onsets

    def _seed(self):
        return self.random_state if self.shuffle else None


def _check_classes(y, train, test, fold, groups, action):
    classes = np.unique(y)
    for part, index in (("test", test), ("training", train)):
        present = np.unique(y[index])
        if present.size < classes.size:
            held = sorted({str(g) for g in groups[test]}) if groups is not None else []
            message = (
                f"Fold {fold}: the {part} set has only class(es) {present.tolist()} of "
                f"{classes.tolist()}; AUROC is undefined there."
            )
            fix = (
                "Use fewer folds, stratify=True, or groups that mix classes (e.g. group "
                "interictal clips by recording block, not as one group)."
            )
            if action == "warn":
                warn(IeegrepWarning(message, field="groups", value=held[:10], fix=fix))
            else:
                raise InvalidParameterError(message, field="groups", value=held[:10], fix=fix)


# ------------------------------------------------------------------------------------------
# evaluation
# ------------------------------------------------------------------------------------------


@dataclass
class DecodingResult:
    """AUROC of one estimator over the folds of a cross-validation.

    Attributes
    ----------
    name : str
        Label of the estimator (feature set).
    folds : pandas.DataFrame
        One row per fold: ``fold``, ``n_train``, ``n_test``, ``auroc``,
        ``train_auroc`` (NaN unless requested), ``fit_time`` (s) and
        ``test_groups`` (the held-out group labels, comma-separated; empty
        without groups).
    """

    name: str
    folds: pd.DataFrame = field(repr=False)

    @property
    def scores(self) -> np.ndarray:
        """Test AUROC of every fold."""
        return self.folds["auroc"].to_numpy(dtype=float)

    @property
    def mean(self) -> float:
        """Mean AUROC over folds."""
        return float(np.mean(self.scores))

    @property
    def sem(self) -> float:
        """Standard error of the mean over folds (``std(ddof=1) / sqrt(n)``; NaN for one fold)."""
        scores = self.scores
        if scores.size < 2:
            return float("nan")
        return float(np.std(scores, ddof=1) / np.sqrt(scores.size))

    def to_frame(self) -> pd.DataFrame:
        """Return the per-fold table with a ``name`` column first.

        Returns
        -------
        table : pandas.DataFrame
            One row per fold (the ``folds`` table), ``name`` first.
        """
        table = self.folds.copy()
        table.insert(0, "name", self.name)
        return table

    def summary(self) -> dict:
        """Return ``{"name", "auroc_mean", "auroc_sem", "n_folds"}``.

        Returns
        -------
        summary : dict
            Name, mean AUROC, its standard error over folds and the number of folds.
        """
        return {
            "name": self.name,
            "auroc_mean": self.mean,
            "auroc_sem": self.sem,
            "n_folds": int(self.scores.size),
        }

    def __str__(self) -> str:
        return (
            f"{self.name}: AUROC {self.mean:.3f} ± {self.sem:.3f} (mean ± s.e.m. over "
            f"{self.scores.size} folds)"
        )


def _check_binary(y):
    y = np.asarray(y)
    if y.ndim != 1:
        raise InvalidParameterError(
            "y must be a 1-D array of binary labels.",
            field="y",
            value=y.shape,
            fix="Pass one label (0/1) per sample.",
        )
    classes = np.unique(y)
    if classes.size != 2:
        raise InvalidParameterError(
            f"AUROC needs exactly two classes; y has {classes.size}.",
            field="y",
            value=classes.tolist()[:10],
            fix="Binarise the task (e.g. one class against the rest).",
        )
    return y


@verbose
def cross_validate_auroc(
    estimator,
    X,
    y,
    *,
    cv=None,
    groups=None,
    name=None,
    return_train_score=False,
    n_jobs=None,
    verbose=None,
):
    """Cross-validate a binary decoder and report AUROC per fold with mean ± s.e.m.

    Parameters
    ----------
    estimator : sklearn estimator
        A classifier with ``decision_function`` or ``predict_proba`` (usually a
        pipeline: features → scaler → logistic regression).
    X : mne.Epochs | array-like
        Samples, as the estimator takes them.
    y : array-like, shape (n_samples,)
        Binary labels.
    cv : splitter | iterable of (train, test) | None, default=None
        A splitter of this module (or any sklearn splitter). None:
        :class:`GroupedSplit` (5 folds) when ``groups`` is given, else
        :class:`ContiguousSplit` (5 folds, time order = order of ``X``). Never
        shuffled K-fold: neighbouring windows share signal.
    groups : array-like | pandas.DataFrame | None, default=None
        Passed to ``cv.split``.
    name : str | None, default=None
        Label of the result (default: the estimator's class name, or the last
        step's for a pipeline).
    return_train_score : bool, default=False
        Also compute the training AUROC (column ``train_auroc``).
    n_jobs : int | None, default=None
        Folds fitted in parallel (joblib).
    verbose : bool | str | int | None, default None
        Log level; INFO logs the summary.

    Returns
    -------
    result : DecodingResult
        Per-fold AUROC (``result.folds``, ``result.to_frame()``), ``result.mean``
        and ``result.sem``.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If ``y`` is not binary, or a fold's test or training set lacks a class
        (AUROC would be undefined).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> rng = np.random.default_rng(0)
    >>> y = np.tile([0, 1], 20)
    >>> X = rng.standard_normal((40, 3)) + y[:, None]
    >>> result = cross_validate_auroc(LogisticRegression(), X, y, cv=ContiguousSplit(4))
    >>> result.scores.size, result.mean > 0.8
    (4, True)
    """
    y = _check_binary(y)
    if cv is None:
        cv = GroupedSplit(5) if groups is not None else ContiguousSplit(5)
    if hasattr(cv, "split"):
        folds = list(cv.split(X, y, groups))
    else:
        folds = [(np.asarray(tr), np.asarray(te)) for tr, te in cv]
    labels = None
    if groups is not None:
        labels = _group_labels(groups, len(y))
    for k, (train, test) in enumerate(folds):
        _check_classes(y, train, test, k, labels, "raise")
    scores = cross_validate(
        estimator,
        X,
        y,
        cv=folds,
        scoring="roc_auc",
        return_train_score=return_train_score,
        n_jobs=n_jobs,
        error_score="raise",
    )
    table = pd.DataFrame(
        {
            "fold": np.arange(len(folds)),
            "n_train": [len(tr) for tr, _ in folds],
            "n_test": [len(te) for _, te in folds],
            "auroc": scores["test_score"],
            "train_auroc": scores["train_score"] if return_train_score else np.nan,
            "fit_time": scores["fit_time"],
            "test_groups": [
                "" if labels is None else ",".join(sorted({str(g) for g in labels[te]}))
                for _, te in folds
            ],
        }
    )
    if name is None:
        last = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
        name = type(last).__name__
    result = DecodingResult(name=str(name), folds=table)
    logger.info("%s", result)
    return result


def _group_labels(groups, n):
    if isinstance(groups, pd.DataFrame):
        return np.array(
            ["/".join(str(v) for v in row) for row in groups.itertuples(index=False)], dtype=object
        )
    array = np.asarray(groups, dtype=object)
    if array.ndim == 2:
        return np.array(["/".join(str(v) for v in row) for row in array], dtype=object)
    return _labels(array, n, "groups")


@verbose
def compare_auroc(estimators, X, y, *, cv=None, groups=None, n_jobs=None, verbose=None):
    """Cross-validate several decoders on the same folds and tabulate their AUROC.

    Parameters
    ----------
    estimators : dict of str to estimator
        Feature sets by name, e.g. ``{"raw linear": ..., "STFT linear": ...}``.
    X : mne.Epochs | array-like
        As in :func:`cross_validate_auroc`; every estimator gets the same X, so
        their inputs must agree.
    y : array-like, shape (n_samples,)
        Binary labels, as in :func:`cross_validate_auroc`.
    cv : splitter | iterable of (train, test) | None, default None
        As in :func:`cross_validate_auroc`; every estimator gets the same folds.
    groups : array-like | pandas.DataFrame | None, default None
        As in :func:`cross_validate_auroc`.
    n_jobs : int | None, default None
        As in :func:`cross_validate_auroc`.
    verbose : bool | str | int | None, default None
        Log level.

    Returns
    -------
    summary : pandas.DataFrame
        One row per estimator: ``name``, ``auroc_mean``, ``auroc_sem``,
        ``n_folds``. ``summary.attrs["results"]`` holds the
        :class:`DecodingResult` of each (per-fold scores).
    """
    if not isinstance(estimators, dict) or not estimators:
        raise InvalidParameterError(
            "estimators must be a non-empty dict of name to estimator.",
            field="estimators",
            value=type(estimators).__name__,
            fix='Pass e.g. {"STFT linear": neuroprobe_stft_baseline()}.',
        )
    y = _check_binary(y)
    if cv is None:
        cv = GroupedSplit(5) if groups is not None else ContiguousSplit(5)
    folds = list(cv.split(X, y, groups)) if hasattr(cv, "split") else list(cv)
    results = {
        name: cross_validate_auroc(est, X, y, cv=folds, groups=groups, name=name, n_jobs=n_jobs)
        for name, est in estimators.items()
    }
    summary = pd.DataFrame([r.summary() for r in results.values()])
    summary.attrs["results"] = results
    return summary
