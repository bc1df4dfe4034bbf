"""Reading a recording's signal and its sidecars (JSON, channels.tsv, events.tsv).

The files are read here with pandas and MNE's readers rather than through
``mne_bids.read_raw_bids``, so that every malformed input is reported by an
ieegrep exception naming the file, the field, the value and the fix.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import mne
import numpy as np
import pandas as pd
from mne_bids import BIDSPath

from ..exceptions import (
    ChannelsFileError,
    CorruptRecordingError,
    EventsFileError,
    SidecarError,
    SidecarMismatchError,
    SidecarWarning,
)
from ..verbosity import warn

__all__: list = []


#: Extensions of iEEG data files (BrainVision is found by its header ``.vhdr``).
DATA_EXTENSIONS = (".edf", ".EDF", ".vhdr", ".bdf", ".set", ".nwb", ".mefd")

_BIDS_TO_MNE_TYPES = {
    "SEEG": "seeg",
    "ECOG": "ecog",
    "DBS": "dbs",
    "EEG": "eeg",
    "ECG": "ecg",
    "EKG": "ecg",
    "EMG": "emg",
    "EOG": "eog",
    "VEOG": "eog",
    "HEOG": "eog",
    "TRIG": "stim",
    "AUDIO": "misc",
    "PD": "misc",
    "EYEGAZE": "eyegaze",
    "PUPIL": "pupil",
    "MISC": "misc",
    "SYSCLOCK": "misc",
    "ADC": "misc",
    "DAC": "misc",
    "REF": "misc",
    "GSR": "gsr",
    "RESP": "resp",
    "TEMP": "temperature",
    "BIO": "bio",
}


def _read_json(path: Path, error=SidecarError) -> dict:
    try:
        with open(path, encoding="utf-8-sig") as fid:
            content = json.load(fid)
    except json.JSONDecodeError as err:
        raise error(
            f"Invalid JSON (line {err.lineno}, column {err.colno}: {err.msg}).",
            file=path,
            fix="Repair the JSON syntax (e.g. trailing commas, unquoted keys).",
        ) from err
    if not isinstance(content, dict):
        raise error(
            "The JSON file must hold an object ({...}).",
            file=path,
            value=type(content).__name__,
            fix="Wrap the keys in one JSON object.",
        )
    return content


def _read_tsv(path: Path, error) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as err:
        raise error(
            "The file is empty.",
            file=path,
            fix="Write a header row and one row per entry, tab-separated.",
        ) from err
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise error(
            f"Cannot parse the TSV file ({err}).",
            file=path,
            fix="Use tab separators and the same number of columns on every row.",
        ) from err
    table.columns = [c.strip() for c in table.columns]
    return table


def _sidecar(bids_path: BIDSPath, suffix: str, extension: str) -> Path | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = bids_path.find_matching_sidecar(
                suffix=suffix, extension=extension, on_error="ignore"
            )
        except RuntimeError:  # several candidates: mne-bids cannot choose
            found = None
    return None if found is None else Path(found)


def _read_signal(fname: Path, preload: bool) -> mne.io.BaseRaw:
    if fname.suffix in (".mefd", ".nwb"):
        raise CorruptRecordingError(
            f"MNE cannot read {fname.suffix} recordings.",
            file=fname,
            field="format",
            value=fname.suffix,
            fix="Convert the recording to EDF or BrainVision (e.g. with mne_bids.write_raw_bids).",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return mne.io.read_raw(fname, preload=preload, verbose="error")
    except Exception as err:  # readers raise ValueError, OSError, struct.error, ...
        raise CorruptRecordingError(
            f"The signal file cannot be read ({type(err).__name__}: {err}).",
            file=fname,
            fix="The file is damaged or truncated, or its format does not match its "
            "extension; re-export it from the recording system.",
        ) from err


def _apply_channels(raw, channels: pd.DataFrame, path: Path | None, ieeg_json: dict) -> None:
    if channels.empty:
        guess = (
            "ecog"
            if ieeg_json.get("ECOGChannelCount") and not ieeg_json.get("SEEGChannelCount")
            else "seeg"
        )
        warn(
            SidecarWarning(
                f"No channels.tsv: channel types are unknown, EEG-typed channels are read as "
                f"{guess.upper()}.",
                file=path,
                field="channels.tsv",
                fix="Add channels.tsv with name, type, units (and status) columns.",
            )
        )
        raw.set_channel_types(
            {ch: guess for ch, t in zip(raw.ch_names, raw.get_channel_types()) if t == "eeg"},
            on_unit_change="ignore",
        )
        return
    for column in ("name", "type"):
        if column not in channels.columns:
            raise ChannelsFileError(
                f"channels.tsv has no '{column}' column.",
                file=path,
                field=column,
                value=list(channels.columns),
                fix="channels.tsv must have the columns name, type, units (BIDS).",
            )
    names = channels["name"].str.strip()
    duplicated = sorted(set(names[names.duplicated()]))
    if duplicated:
        raise ChannelsFileError(
            "Channel names are not unique.",
            file=path,
            field="name",
            value=duplicated,
            fix="Give every channel a unique name in channels.tsv and in the data file.",
        )
    in_tsv, in_file = list(names), list(raw.ch_names)
    if set(in_tsv) != set(in_file):
        only_tsv = sorted(set(in_tsv) - set(in_file))
        only_file = sorted(set(in_file) - set(in_tsv))
        raise ChannelsFileError(
            "channels.tsv and the data file list different channels.",
            file=path,
            field="name",
            value={"only in channels.tsv": only_tsv[:10], "only in data file": only_file[:10]},
            fix="Make channels.tsv list exactly the channels of the data file (same names).",
        )
    types = {}
    for name, bids_type in zip(in_tsv, channels["type"].str.strip().str.upper()):
        mne_type = _BIDS_TO_MNE_TYPES.get(bids_type)
        if mne_type is None:
            warn(
                SidecarWarning(
                    "Unknown channel type; the channel is read as MISC.",
                    file=path,
                    field=f"type (channel {name!r})",
                    value=bids_type,
                    fix=f"Use a BIDS type: {', '.join(sorted(_BIDS_TO_MNE_TYPES))}.",
                )
            )
            mne_type = "misc"
        types[name] = mne_type
    raw.set_channel_types(types, on_unit_change="ignore")
    if "status" in channels.columns:
        status = channels["status"].str.strip().str.lower()
        odd = sorted(set(status) - {"good", "bad", "n/a", ""})
        if odd:
            warn(
                SidecarWarning(
                    "Unknown channel status values are read as 'good'.",
                    file=path,
                    field="status",
                    value=odd,
                    fix="Use 'good', 'bad' or 'n/a'.",
                )
            )
        raw.info["bads"] = [n for n, s in zip(in_tsv, status) if s == "bad"]


def _read_events(path: Path | None, raw) -> pd.DataFrame:
    if path is None:
        return pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float)})
    table = _read_tsv(path, EventsFileError)
    if "onset" not in table.columns:
        raise EventsFileError(
            "events.tsv has no 'onset' column.",
            file=path,
            field="onset",
            value=list(table.columns),
            fix="events.tsv must start with the columns onset and duration.",
        )
    for column in ("onset", "duration"):
        if column not in table.columns:
            table[column] = "n/a"
        values = pd.to_numeric(table[column].replace({"n/a": np.nan, "": np.nan}), errors="coerce")
        bad = table[column][values.isna() & ~table[column].isin(["n/a", ""])]
        if len(bad):
            raise EventsFileError(
                f"events.tsv has a non-numeric {column}.",
                file=path,
                field=f"{column} (row {bad.index[0] + 2})",
                value=bad.iloc[0],
                fix=f"Write {column} in seconds as a number, or 'n/a'.",
            )
        table[column] = values
    for column in table.columns:
        if column in ("onset", "duration"):
            continue
        numeric = pd.to_numeric(table[column].replace({"n/a": np.nan}), errors="coerce")
        if numeric.notna().sum() == (table[column] != "n/a").sum() and numeric.notna().any():
            table[column] = numeric
    if "trial_type" in table.columns:
        description = table["trial_type"].astype(str)
    elif "value" in table.columns:
        description = table["value"].astype(str)
    else:
        description = pd.Series(["n/a"] * len(table))
    keep = table["onset"].notna()
    annotations = mne.Annotations(
        onset=table.loc[keep, "onset"].to_numpy(float) + raw.first_time,
        duration=table.loc[keep, "duration"].fillna(0.0).to_numpy(float),
        description=description[keep].tolist(),
        orig_time=raw.info["meas_date"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # events past the end are dropped
        raw.set_annotations(annotations, verbose="error")
    return table


def _check_sampling_rate(raw, ieeg_json: dict, path: Path | None, data_file: Path):
    declared = ieeg_json.get("SamplingFrequency")
    if declared is None:
        warn(
            SidecarWarning(
                "The sidecar has no SamplingFrequency.",
                file=path,
                field="SamplingFrequency",
                fix=f'Add "SamplingFrequency": {raw.info["sfreq"]:g}.',
            )
        )
        return
    try:
        declared = float(declared)
    except (TypeError, ValueError) as err:
        raise SidecarError(
            "SamplingFrequency is not a number.",
            file=path,
            field="SamplingFrequency",
            value=declared,
            fix=f"Write the rate in Hz, e.g. {raw.info['sfreq']:g}.",
        ) from err
    if not np.isclose(declared, raw.info["sfreq"], rtol=1e-4, atol=1e-3):
        raise SidecarMismatchError(
            f"The sidecar's sampling rate disagrees with the data file "
            f"({data_file.name}: {raw.info['sfreq']:g} Hz).",
            file=path,
            field="SamplingFrequency",
            value=declared,
            fix=f"Set SamplingFrequency to {raw.info['sfreq']:g} (the rate stored in the data "
            "file), or re-export the data at the declared rate.",
        )
