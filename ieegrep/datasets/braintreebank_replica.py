"""A miniature replica of the Brain Treebank release: same files and formats, simulated signals.

The Brain Treebank release (braintreebank.dev) is several GB per session, so tests, examples
and benchmarks of :func:`ieegrep.bids.braintreebank.import_braintreebank` and of the Neuroprobe
protocol run on :func:`write_braintreebank_replica` instead: a few subjects, a few minutes, a
few electrodes, every file named and formatted as in the release, plus the Neuroprobe package
data (word alignment CSVs, pitch/volume JSONs) that the benchmark reads. Nothing in it is real
except the electrode names and positions (the subjects' real layouts,
:func:`ieegrep.datasets.load_btbank_layout`, MIT) and the session → movie table (Neuroprobe,
MIT).

Files written (``s`` subject, ``t`` trial id)::

    sub_{s}_trial{t:03}.h5                   group "data": electrode_0 ... (float32, µV, 2048 Hz)
    electrode_labels/sub_{s}/electrode_labels.json   labels in h5 order, some marked * or #
    corrupted_elec.json                      {"sub_{s}": [one corrupted contact]}
    localization/sub_{s}/depth-wm.csv        Electrode, L, I, P, Destrieux, DesikanKilliany
    localization/elec_coords_full.csv        Subject, Electrode, X, Y, Z
    subject_metadata/sub_{s}_trial{t:03}_metadata.json   {"title", "filename"}
    subject_timings/sub_{s}_trial{t:03}_timings.csv      type, movie_time, index (1 trigger/s)
    transcripts/<movie>/features.csv         one row per word, with its features
    braintreebank_features_time_alignment/subject{s}_trial{t}_{words,nonverbal}_df.csv
    pitch_volume_features/<movie>_pitch_volume_features.json

Each subject's channels are ``n_electrodes`` usable contacts (Neuroprobe Lite's electrodes of
the subject first, so the Lite subset is not empty, then its other contacts), one corrupted
contact, the first of Neuroprobe's "no coordinates" electrodes of the subject if it has any
(absent from the localisation tables, as in the release) and two trigger channels (``DC10``,
``TRIG1``).

Planted effects (so that decoding is above chance on some tasks, near chance on others, as
on the real data): every word onset evokes, on the first third of the usable contacts, a
broadband power burst and a slow deflection, larger for sentence-initial words (onset,
word_index), louder words (``rms``: volume, delta_volume) and, on the next quarter of the
contacts, higher-pitched words (``enhanced_pitch``: pitch) and verbs (part of speech). The
visual features (brightness, optical flow, faces) and the other word features have no
effect. Non-verbal chunks carry no response (onset and speech are the easiest tasks).
:data:`REPLICA_EFFECTS` lists them. On the default replica, a linear probe on STFT magnitudes
(Neuroprobe's cross-session split, subjects 1-3) scores AUROC about 0.95 (onset), 0.88 (speech),
0.66-0.68 (volume, pitch, word length), 0.5-0.58 on the other tasks; 0.61 overall.
"""

from __future__ import annotations

import json
import numbers
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_directory, atomic_write
from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose
from .layouts import BTBANK_SUBJECTS, load_btbank_layout
from .neuroprobe import (
    BRAINTREEBANK_MOVIES,
    NEUROPROBE_FULL_SESSIONS,
    NEUROPROBE_LITE_ELECTRODES,
    NEUROPROBE_LITE_SESSIONS,
    NEUROPROBE_MISSING_COORDINATE_ELECTRODES,
    SAMPLING_RATE,
)

__all__ = ["write_braintreebank_replica", "replica_sessions", "REPLICA_EFFECTS"]

#: What the replica's signals respond to: ``task: planted effect``.
REPLICA_EFFECTS = {
    "speech": "every word evokes a response on the speech contacts; nonverbal chunks do not",
    "onset": "sentence-initial words evoke 1.6x the response",
    "word_index": "first words of a sentence evoke 1.6x the response of second words",
    "volume": "response amplitude grows with the word's rms",
    "delta_volume": "through rms (delta_rms follows rms)",
    "pitch": "power burst on the pitch contacts grows with enhanced_pitch",
    "word_part_speech": "verbs evoke an extra deflection on the pitch contacts",
}

_TRIGGERS = ("DC10", "TRIG1")
_LEAD_S = 6.0  # recording time before the movie starts
_TAIL_S = 4.0  # recording time after the last trigger
_CHUNK = 60 * SAMPLING_RATE  # samples generated at a time

_ENTRY_REGIONS = {  # entry lobe + gyrus number -> (Desikan-Killiany, Destrieux)
    "T1": ("superiortemporal", "G_temp_sup-Lateral"),
    "T2": ("middletemporal", "G_temporal_middle"),
    "T3": ("inferiortemporal", "G_temporal_inf"),
    "F1": ("superiorfrontal", "G_front_sup"),
    "F2": ("rostralmiddlefrontal", "G_front_middle"),
    "F3": ("parsopercularis", "G_front_inf-Opercular"),
    "F10": ("lateralorbitofrontal", "G_orbital"),
    "P1": ("superiorparietal", "G_parietal_sup"),
    "P2": ("supramarginal", "G_pariet_inf-Supramar"),
    "O1": ("lateraloccipital", "G_and_S_occipital_inf"),
}
_TARGET_REGIONS = {
    "H": ("Hippocampus", "Hippocampus"),
    "A": ("Amygdala", "Amygdala"),
    "I": ("ctx-{h}h-insula", "ctx_{h}h_G_insular_short"),
    "C": ("ctx-{h}h-caudalanteriorcingulate", "ctx_{h}h_G_and_S_cingul-Ant"),
    "OF": ("ctx-{h}h-medialorbitofrontal", "ctx_{h}h_G_orbital"),
    "OT": ("ctx-{h}h-fusiform", "ctx_{h}h_G_oc-temp_lat-fusifor"),
}
_VOCABULARY = {
    "NOUN": ("ship", "plan", "team", "sun", "water", "crew", "planet", "door", "signal", "home"),
    "VERB": ("go", "run", "see", "make", "take", "find", "need", "know", "grow", "call"),
    "PRON": ("I", "you", "we", "they", "it", "he", "she"),
    "DET": ("the", "a", "this", "that", "every"),
    "ADJ": ("big", "red", "cold", "new", "dead", "fine"),
    "ADV": ("now", "here", "really", "just", "never"),
    "ADP": ("in", "on", "with", "from", "to"),
}
_POS_P = {"NOUN": 0.28, "VERB": 0.24, "PRON": 0.14, "DET": 0.12, "ADJ": 0.08, "ADV": 0.07,
          "ADP": 0.07}  # fmt: skip


def _regions(name: str, shaft: str, contact: int, hemisphere: str) -> tuple[str, str]:
    """Plausible (Desikan-Killiany, Destrieux) labels from the shaft's name convention."""
    h = "l" if hemisphere == "L" else "r"
    side = "Left" if hemisphere == "L" else "Right"
    core = shaft[1:] if shaft[:1] in "LR" and shaft[1:2] in "FTPO" else shaft
    entry = core[:3] if core[:3] == "F10" else core[:2]
    rest = core[len(entry) :].lstrip("abcdefgh")
    target = "OF" if rest.startswith("OF") else "OT" if rest.startswith("OT") else rest[:1]
    if contact <= 2 and target in _TARGET_REGIONS:
        dk, destrieux = _TARGET_REGIONS[target]
        if target in ("H", "A"):
            return f"{side}-{dk}", f"{side}-{destrieux}"
        return dk.format(h=h), destrieux.format(h=h)
    if contact <= 5 and target in _TARGET_REGIONS:
        return f"{side}-Cerebral-White-Matter", f"{side}-Cerebral-White-Matter"
    dk, destrieux = _ENTRY_REGIONS.get(entry, ("unknown", "Unknown"))
    if dk == "unknown":
        return "Unknown", "Unknown"
    return f"ctx-{h}h-{dk}", f"ctx_{h}h_{destrieux}"


def _check_int(value, field: str, low: int, high: int | None = None) -> int:
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f">= {low}"
        raise InvalidParameterError(
            f"{field} must be an integer {bound}.",
            field=field,
            value=value,
            fix=f"Pass an integer {bound}.",
        )
    return int(value)


def replica_sessions(subjects) -> list[tuple[int, int]]:
    """List the sessions the replica writes by default: each subject's Lite sessions.

    Parameters
    ----------
    subjects : sequence of int
        Brain Treebank subject numbers (1 to 10).

    Returns
    -------
    list of (int, int)
        ``(subject, trial)`` pairs: the subject's Lite sessions, or, for a subject Neuroprobe
        does not evaluate (5, 6, 8, 9), its first (at most two) sessions of the release.
    """
    out = []
    for subject in subjects:
        lite = [pair for pair in NEUROPROBE_LITE_SESSIONS if pair[0] == subject]
        full = [pair for pair in NEUROPROBE_FULL_SESSIONS if pair[0] == subject][:2]
        out.extend(lite or full)
    return out


def _transcript(movie: str, duration: float, seed: int) -> pd.DataFrame:
    """Words of a simulated movie: sentences, pauses and long silences, with features."""
    rng = np.random.default_rng([seed, zlib.crc32(movie.encode())])
    pos_names = list(_POS_P)
    pos_p = np.array(list(_POS_P.values()))
    pos_p = pos_p / pos_p.sum()
    rows = []
    t = rng.uniform(1.0, 3.0)
    brightness = rng.uniform(60, 180)
    sentence_id = 0
    while True:
        n_words = int(rng.integers(2, 10))
        words = []
        for _ in range(n_words):
            length = float(rng.uniform(0.15, 0.55))
            words.append((t, t + length))
            t += length + float(min(rng.exponential(0.09), 0.6)) + 0.01
        if t > duration:
            break
        tags = rng.choice(pos_names, size=n_words, p=pos_p)
        texts = [str(rng.choice(_VOCABULARY[tag])) for tag in tags]
        sentence = " ".join(texts) + "."
        loud = rng.normal(0.0, 0.5)  # speakers differ in loudness from sentence to sentence
        for k, ((start, end), tag, text) in enumerate(zip(words, tags, texts, strict=True)):
            brightness = float(np.clip(brightness + rng.normal(0, 4), 5, 250))
            rows.append(
                {
                    "start": round(start, 4),
                    "end": round(end, 4),
                    "text": text,
                    "sentence": sentence,
                    "pos": tag,
                    "is_onset": int(k == 0),
                    "is_offset": int(k == n_words - 1),
                    "idx_in_sentence": k,
                    "bin_head": int(rng.random() < 0.5),
                    "gpt2_surprisal": float(rng.gamma(2.0, 2.5)),
                    "word_length": round(end - start, 4),
                    "rms": float(np.exp(loud + rng.normal(-2.5, 0.45))),
                    "pitch": float(rng.uniform(90, 280)),
                    "mean_pixel_brightness": brightness,
                    "max_global_magnitude": float(rng.lognormal(0.5, 0.6)),
                    "max_vector_magnitude": float(rng.lognormal(1.5, 0.5)),
                    "face_num": int(rng.choice([0, 0, 1, 1, 2, 3])),
                    "sentence_id": sentence_id,
                }
            )
        sentence_id += 1
        # Long silences give Neuroprobe's non-verbal chunks (>= 5 s between words).
        t += float(rng.uniform(6.0, 11.0)) if rng.random() < 0.3 else float(rng.uniform(0.3, 2))
    table = pd.DataFrame(rows)
    table["delta_rms"] = table["rms"].diff().fillna(table["rms"])
    table["delta_pitch"] = table["pitch"].diff().fillna(0.0)
    table["word_diff"] = table["start"].diff()  # NaN on the first row, as in the release
    table["onset_diff"] = table["start"].where(table["is_onset"] == 1).diff()
    return table.drop(columns="sentence_id")


def _pitch_volume(features: pd.DataFrame, seed: int, movie: str) -> dict:
    rng = np.random.default_rng([seed, zlib.crc32(movie.encode()), 1])
    enhanced = features["pitch"].to_numpy() * 2.5 + rng.normal(0, 40, len(features))
    volume = features["rms"].to_numpy() * 0.2 + rng.normal(0, 0.002, len(features))
    raw_pitch = features["pitch"].to_numpy()
    raw_volume = features["rms"].to_numpy()

    def delta(x):
        return np.diff(x, prepend=0.0)

    values = {
        "enhanced_pitch": enhanced,
        "enhanced_volume": volume,
        "raw_pitch": raw_pitch,
        "raw_volume": raw_volume,
        "delta_enhanced_pitch": delta(enhanced),
        "delta_enhanced_volume": delta(volume),
        "delta_raw_pitch": delta(raw_pitch),
        "delta_raw_volume": delta(raw_volume),
    }
    out = {}
    for i, row in enumerate(features.itertuples(index=False)):
        entry = {"word": row.text, "start": float(row.start), "end": float(row.end)}
        entry.update({k: float(v[i]) for k, v in values.items()})
        out[repr(float(row.start))] = entry
    return out


def _timings(movie_duration: float, rng) -> pd.DataFrame:
    """One trigger per second of movie, on a slightly drifting recording clock."""
    movie_time = np.arange(0.0, movie_duration, 1.0)
    drift = 1.0 + rng.uniform(-2e-5, 2e-5)
    index = np.round((_LEAD_S + movie_time * drift) * SAMPLING_RATE).astype(np.int64)
    return pd.DataFrame({"type": "trigger", "movie_time": movie_time, "index": index})


def _word_table(features: pd.DataFrame) -> pd.DataFrame:
    """Neuroprobe's extra alignment columns: context, char_in_sentence, full_word."""
    context, char, full = [], [], []
    position, previous = 0, None
    for text, sentence in zip(features["text"], features["sentence"], strict=True):
        start = sentence.find(text, position if sentence == previous else 0)
        context.append(sentence[:start].strip())
        position = start + len(text)
        char.append(position)
        full.append(text)
        previous = sentence
    return pd.DataFrame(
        {"context": context, "char_in_sentence": char, "full_word": full}, index=features.index
    )


def _choose_channels(subject: int, n_electrodes: int):
    layout = load_btbank_layout(subject)
    names = layout["name"].tolist()
    lite = [n for n in NEUROPROBE_LITE_ELECTRODES.get(subject, ()) if n in set(names)]
    others = [n for n in names if n not in set(lite)]
    pool = lite + others
    if n_electrodes > len(pool) - 1:
        raise InvalidParameterError(
            f"Subject {subject}'s layout has {len(pool)} contacts; the replica needs one more "
            "than n_electrodes (one is made corrupted).",
            field="n_electrodes",
            value=n_electrodes,
            fix=f"Use n_electrodes <= {len(pool) - 1} for subject {subject}.",
        )
    usable = pool[:n_electrodes]
    corrupted = pool[n_electrodes]
    # h5 order: layout order, as in the release, with the extras among them
    order = [n for n in names if n in set(usable)]
    order.insert(min(3, len(order)), corrupted)
    missing = NEUROPROBE_MISSING_COORDINATE_ELECTRODES.get(subject, ())
    if missing:
        order.insert(min(7, len(order)), missing[0])
    order.extend(_TRIGGERS)
    return layout.set_index("name"), usable, corrupted, (missing[0] if missing else None), order


def _decorate(names, usable) -> list[str]:
    """Mark two usable contacts with ``*`` and ``#``, as some release labels are."""
    marked = list(names)
    if len(usable) >= 2:
        marked[marked.index(usable[1])] = usable[1] + "*"
        marked[marked.index(usable[-1])] = "#" + usable[-1]
    return marked


def _kernels():
    t = np.arange(SAMPLING_RATE) / SAMPLING_RATE
    erp = -np.sin(2 * np.pi * t / 0.6) * np.exp(-t / 0.18)  # slow deflection, ~0.5 s
    envelope = np.where(t < 0.5, np.sin(np.pi * t / 0.5), 0.0) ** 2  # power burst, 0-0.5 s
    return erp, envelope


def _write_signals(path: Path, n_samples: int, channels, roles, events, seed, key):
    """Write the h5 file electrode by electrode, ``_CHUNK`` samples at a time."""
    import h5py
    from scipy.signal import lfilter, oaconvolve

    erp_kernel, env_kernel = _kernels()
    k = len(erp_kernel)
    onsets = events["sample"]
    with h5py.File(path, "w") as handle:
        group = handle.create_group("data")
        for i, name in enumerate(channels):
            rng = np.random.default_rng([seed, *key, i])
            dataset = group.create_dataset(f"electrode_{i}", shape=(n_samples,), dtype="<f4")
            role = roles.get(name, "none")
            if role == "trigger":
                for begin in range(0, n_samples, _CHUNK):
                    stop = min(begin + _CHUNK, n_samples)
                    steps = np.zeros(stop - begin, dtype=np.float32)
                    rel = onsets[(onsets >= begin) & (onsets < stop)] - begin
                    steps[rel] = 1000.0
                    dataset[begin:stop] = steps
                continue
            scale = rng.uniform(20.0, 40.0)
            line = rng.uniform(0.5, 3.0)
            phase = rng.uniform(0, 2 * np.pi)
            if role == "speech":
                erp_w, hg_w = events["erp_speech"], events["hg_speech"]
            elif role == "pitch":
                erp_w, hg_w = events["erp_pitch"], events["hg_pitch"]
            else:
                erp_w = hg_w = None
            gain = rng.uniform(0.7, 1.3)
            state = np.zeros(1)
            for begin in range(0, n_samples, _CHUNK):
                stop = min(begin + _CHUNK, n_samples)
                n = stop - begin
                noise, state = lfilter([1.0], [1.0, -0.97], rng.normal(0, 1, n), zi=state)
                x = scale * 0.25 * noise + rng.normal(0, scale * 0.3, n)
                x += line * np.sin(2 * np.pi * 60 * np.arange(begin, stop) / SAMPLING_RATE + phase)
                if erp_w is not None:
                    lo = max(0, begin - k)
                    near = (onsets >= lo) & (onsets < stop)
                    span = stop - lo
                    impulses = np.zeros(span)
                    np.add.at(impulses, onsets[near] - lo, erp_w[near])
                    erp = oaconvolve(impulses, erp_kernel)[begin - lo : begin - lo + n]
                    impulses[:] = 0.0
                    np.add.at(impulses, onsets[near] - lo, hg_w[near])
                    env = oaconvolve(impulses, env_kernel)[begin - lo : begin - lo + n]
                    x += (
                        gain
                        * scale
                        * (0.8 * erp + np.sqrt(np.clip(env, 0, None)) * rng.normal(0, 0.5, n))
                    )
                dataset[begin:stop] = x.astype(np.float32)


def _event_weights(words: pd.DataFrame, features: pd.DataFrame, pitch: dict) -> dict:
    """Per-word amplitudes of the planted responses (see REPLICA_EFFECTS)."""
    rows = features.loc[words["original_index"].to_numpy()]
    rms = rows["rms"].to_numpy()
    loud = np.clip((np.log(rms) + 2.5) / 1.0, -1.5, 1.5)  # z-like log volume
    onset = rows["is_onset"].to_numpy() == 1
    speech = (1.0 + 0.5 * loud) * np.where(onset, 1.6, 1.0)
    enhanced = np.array([pitch[repr(float(s))]["enhanced_pitch"] for s in rows["start"]])
    z = (enhanced - enhanced.mean()) / (enhanced.std() + 1e-9)
    verb = rows["pos"].to_numpy() == "VERB"
    return {
        "sample": words["est_idx"].to_numpy(dtype=np.int64),
        "erp_speech": 0.6 * speech,
        "hg_speech": np.clip(speech, 0.05, None),
        "erp_pitch": 0.15 + 0.6 * verb,
        "hg_pitch": np.clip(0.6 + 0.3 * z, 0.05, None),
    }


def _write_csv(path: Path, table: pd.DataFrame, **kwargs) -> None:
    with atomic_write(path, "w", newline="") as fid:
        table.to_csv(fid, lineterminator="\n", **kwargs)


def _write_json(path: Path, content) -> None:
    with atomic_write(path, "w") as fid:
        json.dump(content, fid, indent=1)


@verbose
def write_braintreebank_replica(
    folder,
    *,
    subjects=(1, 2, 3),
    sessions=None,
    n_electrodes: int = 16,
    duration: float = 240.0,
    seed: int = 0,
    overwrite: bool = False,
    verbose=None,
) -> Path:
    """Write a miniature Brain Treebank release (files, formats and names of the real one).

    Parameters
    ----------
    folder : path-like
        Folder to create (the release root, Neuroprobe's ``ROOT_DIR_BRAINTREEBANK``). Built in a
        temporary sibling and moved into place when complete.
    subjects : sequence of int
        Brain Treebank subjects (1 to 10; default ``(1, 2, 3)``). Ignored when ``sessions``
        is given.
    sessions : sequence of (int, int) | None
        ``(subject, trial)`` pairs to write (each must be a session of the release, e.g.
        ``[(1, 1), (2, 4)]``). Default None: each subject's Neuroprobe Lite sessions
        (:func:`replica_sessions`), e.g. (1, 1), (1, 2), (2, 0), (2, 4), (3, 0), (3, 1).
    n_electrodes : int
        Usable sEEG contacts per subject (default 16). The subject's Lite electrodes come
        first. One corrupted contact, Neuroprobe's first "no coordinates" electrode of the
        subject (if any) and 2 trigger channels are added.
    duration : float
        Length of each recording in seconds (default 240; at least 60). The movie starts 6 s
        in.
    seed : int
        Seed of the simulation (default 0): equal seeds give identical files.
    overwrite : bool
        Replace ``folder`` if it exists and is not empty (default False: raise).
    verbose : bool | str | int | None, default None
        Logging level (see :mod:`ieegrep.verbosity`).

    Returns
    -------
    pathlib.Path
        ``folder``.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If a subject, session, ``n_electrodes`` or ``duration`` is out of range.
    ieegrep.exceptions.OutputExistsError
        If ``folder`` exists, is not empty and ``overwrite`` is False.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = write_braintreebank_replica(
    ...     pathlib.Path(tempfile.mkdtemp()) / "btbank", sessions=[(1, 1)], duration=60)
    >>> sorted(p.name for p in root.glob("*.h5"))
    ['sub_1_trial001.h5']
    """
    n_electrodes = _check_int(n_electrodes, "n_electrodes", 2)
    seed = _check_int(seed, "seed", 0)
    if not isinstance(duration, numbers.Real) or not np.isfinite(duration) or duration < 60:
        raise InvalidParameterError(
            "duration must be a number of seconds, at least 60.",
            field="duration",
            value=duration,
            fix="Use e.g. duration=240 (4 minutes per session).",
        )
    if sessions is None:
        for subject in subjects:
            _check_int(subject, "subjects", 1, 10)
        pairs = replica_sessions(subjects)
    else:
        pairs = []
        for pair in sessions:
            if (
                not isinstance(pair, tuple | list)
                or len(pair) != 2
                or tuple(pair) not in BRAINTREEBANK_MOVIES
            ):
                raise InvalidParameterError(
                    "A replica session must be a (subject, trial) pair of the Brain Treebank.",
                    field="sessions",
                    value=pair,
                    fix=f"Choose among {sorted(BRAINTREEBANK_MOVIES)}.",
                )
            pairs.append((int(pair[0]), int(pair[1])))
    pairs = sorted(set(pairs))
    if not pairs:
        raise InvalidParameterError(
            "No session to write.", field="subjects", value=subjects, fix="Name some subjects."
        )
    chosen = sorted({s for s, _ in pairs})
    for subject in chosen:
        if subject not in BTBANK_SUBJECTS:
            raise InvalidParameterError(
                "Unknown Brain Treebank subject.", field="subjects", value=subject,
                fix="Use subjects 1 to 10.",
            )  # fmt: skip
    n_samples = int(round(duration * SAMPLING_RATE))
    movie_duration = duration - _LEAD_S - _TAIL_S
    from ..bids.braintreebank import align_words, nonverbal_chunks

    with atomic_directory(folder, overwrite=overwrite) as root:
        for sub in (
            "localization",
            "subject_metadata",
            "subject_timings",
            "transcripts",
            "braintreebank_features_time_alignment",
            "pitch_volume_features",
        ):
            (root / sub).mkdir()  # fmt: skip
        coords_rows, corrupted = [], {}
        channels = {}
        for subject in chosen:
            layout, usable, bad, missing, order = _choose_channels(subject, n_electrodes)
            channels[subject] = (usable, order)
            labels_dir = root / "electrode_labels" / f"sub_{subject}"
            labels_dir.mkdir(parents=True)
            _write_json(labels_dir / "electrode_labels.json", _decorate(order, usable))
            corrupted[f"sub_{subject}"] = [bad]
            depth = []
            for name in order:
                if name not in layout.index or name == missing:
                    continue  # trigger channels; the release localises neither
                row = layout.loc[name]
                dk, destrieux = _regions(name, row["shaft"], int(row["contact"]), row["hemisphere"])
                depth.append(
                    {
                        "Electrode": name + ("*" if name == usable[0] else ""),
                        "L": int(round(128 - row["mni152_x"])),
                        "I": int(round(128 - row["mni152_z"])),
                        "P": int(round(128 - row["mni152_y"])),
                        "Destrieux": destrieux,
                        "DesikanKilliany": dk,
                    }
                )
                shift = np.array([row["mni152_x"], row["mni152_y"], row["mni152_z"]])
                surface = shift * (1 + 8 / max(np.linalg.norm(shift), 1.0))  # pushed outwards
                coords_rows.append(
                    {
                        "Subject": f"sub_{subject}",
                        "Electrode": name + ("*" if name == usable[1] else ""),
                        "X": round(float(surface[0]), 3),
                        "Y": round(float(surface[1]), 3),
                        "Z": round(float(surface[2]), 3),
                    }
                )
            loc_dir = root / "localization" / f"sub_{subject}"
            loc_dir.mkdir()
            _write_csv(loc_dir / "depth-wm.csv", pd.DataFrame(depth), index=False)
        _write_csv(root / "localization" / "elec_coords_full.csv", pd.DataFrame(coords_rows),
                   index=False)  # fmt: skip
        _write_json(root / "corrupted_elec.json", corrupted)
        transcripts = {}
        for subject, trial in pairs:
            movie = BRAINTREEBANK_MOVIES[(subject, trial)]
            if movie not in transcripts:
                features = _transcript(movie, movie_duration, seed)
                pitch = _pitch_volume(features, seed, movie)
                movie_dir = root / "transcripts" / movie
                movie_dir.mkdir()
                _write_csv(movie_dir / "features.csv", features)
                _write_json(
                    root / "pitch_volume_features" / f"{movie}_pitch_volume_features.json", pitch
                )
                transcripts[movie] = (features, pitch)
            features, pitch = transcripts[movie]
            stem = f"sub_{subject}_trial{trial:03}"
            _write_json(
                root / "subject_metadata" / f"{stem}_metadata.json",
                {"title": movie.replace("-", " ").title(), "filename": movie},
            )
            timings = _timings(movie_duration, np.random.default_rng([seed, subject, trial, 7]))
            _write_csv(root / "subject_timings" / f"{stem}_timings.csv", timings, index=False)
            words = align_words(features, timings)
            nonverbal = nonverbal_chunks(words, int(timings["index"].iloc[-1]))
            extra = _word_table(features).loc[words["original_index"].to_numpy()]
            words_df = pd.concat([words, extra.reset_index(drop=True)], axis=1)
            words_df[["est_idx", "est_end_idx"]] = words_df[["est_idx", "est_end_idx"]].astype(
                float
            )
            align = root / "braintreebank_features_time_alignment"
            _write_csv(align / f"subject{subject}_trial{trial}_words_df.csv", words_df, index=False)
            _write_csv(
                align / f"subject{subject}_trial{trial}_nonverbal_df.csv", nonverbal, index=False
            )
            usable, order = channels[subject]
            speech = set(usable[: max(1, len(usable) // 3)])
            pitchy = set(usable[len(speech) : len(speech) + max(1, len(usable) // 4)])
            roles = {n: "speech" for n in speech} | {n: "pitch" for n in pitchy}
            roles |= {n: "trigger" for n in _TRIGGERS}
            logger.info(
                "Replica sub_%d trial %03d (%s): %d channels, %d words, %d nonverbal chunks",
                subject, trial, movie, len(order), len(words), len(nonverbal),
            )  # fmt: skip
            _write_signals(
                root / f"{stem}.h5",
                n_samples,
                order,
                roles,
                _event_weights(words, features, pitch),
                seed,
                (subject, trial),
            )
    return Path(folder)
