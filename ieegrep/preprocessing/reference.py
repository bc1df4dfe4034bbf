"""Re-referencing from the shaft structure: shaft Laplacian, bipolar, common average, none.

Every scheme is a linear map of the channels, ``referenced = W @ data``, built
once from the contact names (:func:`reference_matrix`) and then applied to a
whole recording or to chunks of it (streaming gives the same numbers).

``"laplacian"``
    Each contact minus the mean of its two same-shaft neighbours (contact
    numbers n − 1 and n + 1), as BrainBERT and BaRISTA do. Contacts lacking a
    neighbour are dropped (logged), as in the references; with
    ``allow_one_neighbour=True`` a contact with one neighbour is kept and
    references to it alone. Contacts without any neighbour are always dropped.
``"bipolar"``
    Differences of neighbouring contacts on a shaft, named ``"A1-A2"``
    (contact n minus contact n + 1). A bipolar channel sits at the midpoint of
    its two contacts and gets its own region look-up there.
``"average"``
    Common average reference: each contact minus the mean of the good contacts
    of its shaft or grid (``scope="shaft"``) or of all good iEEG contacts
    (``scope="global"``).
``"none"`` (or ``None``)
    The iEEG channels unchanged.

Bad channels never serve as references: with ``exclude_bads=True`` (default)
they are removed first, so a contact next to a bad one loses that neighbour.
Channels that are not iEEG (ECG, DC, triggers) are left out of the output.
"""

from __future__ import annotations

from dataclasses import dataclass

import mne
import numpy as np
import pandas as pd

from ..atlas import Atlas
from ..atlas.lobes import UNKNOWN, lobe_of
from ..bids import Recording, ieeg_picks, split_recording
from ..electrodes import parse_contact_names
from ..exceptions import InvalidParameterError
from ..verbosity import logger, verbose

__all__ = [
    "ReferenceScheme",
    "reference_matrix",
    "recording_scheme",
    "rereference",
    "referenced_recording",
    "METHODS",
]

#: Re-referencing schemes accepted by :func:`rereference`.
METHODS = ("laplacian", "bipolar", "average", "none")


@dataclass(frozen=True)
class ReferenceScheme:
    """A re-referencing scheme as a matrix over input channels.

    Attributes
    ----------
    matrix : ndarray, shape (n_outputs, n_inputs)
        ``referenced = matrix @ data``; rows sum to zero except for ``"none"``.
    inputs : list of str
        Input channel names (columns), in order.
    outputs : list of str
        Output channel names (rows): the contact name, or ``"A1-A2"`` for bipolar.
    sources : list of tuple of str
        For each output, the input contacts it is made of (the contact itself
        first; for bipolar, the two contacts).
    dropped : list of str
        Input contacts that produce no output (no neighbour, or bad).
    method : str
        The scheme's name.
    """

    matrix: np.ndarray
    inputs: list
    outputs: list
    sources: list
    dropped: list
    method: str

    def apply(self, data: np.ndarray) -> np.ndarray:
        """Re-reference signals with this scheme's matrix.

        Parameters
        ----------
        data : ndarray, shape (..., n_inputs, n_times)
            Signals of the scheme's ``inputs`` channels, in that order (any unit;
            the output has the same unit).

        Returns
        -------
        referenced : ndarray, shape (..., n_outputs, n_times)
            ``matrix @ data`` over the channel axis, one row per ``outputs`` channel.
        """
        return np.einsum("oi,...it->...ot", self.matrix, data, optimize=True)


def _check_method(method):
    method = "none" if method is None else method
    if method not in METHODS:
        raise InvalidParameterError(
            "Unknown re-referencing method.",
            field="method",
            value=method,
            fix=f"Use one of {', '.join(repr(m) for m in METHODS)}.",
        )
    return method


def reference_matrix(
    names,
    method: str = "laplacian",
    *,
    shafts=None,
    bads=(),
    scope: str = "shaft",
    allow_one_neighbour: bool = False,
) -> ReferenceScheme:
    """Build the linear map of a re-referencing scheme from contact names.

    Parameters
    ----------
    names : sequence of str
        iEEG contact names, e.g. ``raw.ch_names`` restricted to sEEG/ECoG.
    method : ``"laplacian"`` | ``"bipolar"`` | ``"average"`` | ``"none"``, default 'laplacian'
        The scheme (see the module docstring).
    shafts : sequence of str | None, default None
        Shaft (or grid) of each contact when known (e.g. the ``shaft`` column of
        a recording's electrode table); ``None`` parses the names.
    bads : collection of str, default ()
        Contacts that must not be used (they produce no output).
    scope : ``"shaft"`` | ``"global"``, default 'shaft'
        Averaging scope of ``"average"`` (per shaft/grid, or all contacts).
    allow_one_neighbour : bool
        ``"laplacian"`` only: keep contacts with a single neighbour (referenced
        to it) instead of dropping them (default False, as the references).

    Returns
    -------
    scheme : ReferenceScheme
        The matrix with its input, output, source and dropped channel names.
    """
    method = _check_method(method)
    if scope not in ("shaft", "global"):
        raise InvalidParameterError(
            "Unknown averaging scope.",
            field="scope",
            value=scope,
            fix="Use 'shaft' (per shaft or grid) or 'global'.",
        )
    names = list(names)
    parsed = parse_contact_names(names)
    if shafts is not None:
        parsed["shaft"] = list(shafts)
    bads = set(bads)
    good = [n not in bads for n in names]
    index = {n: i for i, n in enumerate(names)}
    position = {
        (shaft, int(number)): name
        for name, shaft, number, ok in zip(names, parsed["shaft"], parsed["contact"], good)
        if ok and not pd.isna(shaft) and not pd.isna(number)
    }
    rows, outputs, sources, dropped = [], [], [], [n for n, ok in zip(names, good) if not ok]

    def row(weights):
        vector = np.zeros(len(names))
        for name, weight in weights.items():
            vector[index[name]] += weight
        return vector

    if method == "none":
        for name, ok in zip(names, good):
            if ok:
                rows.append(row({name: 1.0}))
                outputs.append(name)
                sources.append((name,))
    elif method in ("laplacian", "bipolar"):
        for name, shaft, number, ok in zip(names, parsed["shaft"], parsed["contact"], good):
            if not ok:
                continue
            if pd.isna(shaft) or pd.isna(number):
                dropped.append(name)
                continue
            before = position.get((shaft, int(number) - 1))
            after = position.get((shaft, int(number) + 1))
            if method == "bipolar":
                if after is not None:
                    rows.append(row({name: 1.0, after: -1.0}))
                    outputs.append(f"{name}-{after}")
                    sources.append((name, after))
                elif before is None:
                    dropped.append(name)  # isolated contact: in no pair
                continue
            neighbours = [n for n in (before, after) if n is not None]
            if len(neighbours) == 2 or (neighbours and allow_one_neighbour):
                weights = {name: 1.0}
                for neighbour in neighbours:
                    weights[neighbour] = weights.get(neighbour, 0.0) - 1.0 / len(neighbours)
                rows.append(row(weights))
                outputs.append(name)
                sources.append((name, *neighbours))
            else:
                dropped.append(name)
    else:  # average
        groups = parsed["shaft"].fillna("").tolist() if scope == "shaft" else [""] * len(names)
        members: dict = {}
        for name, group, ok in zip(names, groups, good):
            if ok:
                members.setdefault(group, []).append(name)
        for name, group, ok in zip(names, groups, good):
            if not ok:
                continue
            pool = members[group]
            weights = {name: 1.0}
            for other in pool:
                weights[other] = weights.get(other, 0.0) - 1.0 / len(pool)
            rows.append(row(weights))
            outputs.append(name)
            sources.append((name, *[p for p in pool if p != name]))
    matrix = np.array(rows).reshape(len(rows), len(names))
    return ReferenceScheme(matrix, names, outputs, sources, dropped, method)


def recording_scheme(
    raw,
    recording,
    method="laplacian",
    *,
    scope="shaft",
    allow_one_neighbour=False,
    exclude_bads=True,
):
    """Build the scheme for a recording's iEEG channels (shafts from its table).

    Parameters
    ----------
    raw : mne.io.Raw
        The signal. Only its iEEG channels (sEEG, ECoG, DBS) enter the scheme;
        its ``info["bads"]`` are the bad channels.
    recording : Recording | None
        Its recording, whose electrode table gives the shafts (its ``shaft``
        column, looked up by channel name); ``None`` parses the shafts from the
        channel names.
    method : ``"laplacian"`` | ``"bipolar"`` | ``"average"`` | ``"none"``, default 'laplacian'
        The scheme (see :func:`rereference`); ``None`` means ``"none"``.
    scope : ``"shaft"`` | ``"global"``, default 'shaft'
        Averaging scope of ``"average"`` (per shaft/grid, or all good contacts).
    allow_one_neighbour : bool, default False
        ``"laplacian"`` only: keep contacts with a single neighbour (referenced
        to it) instead of dropping them.
    exclude_bads : bool, default True
        Leave the channels of ``raw.info["bads"]`` out, so they produce no output
        and never serve as references.

    Returns
    -------
    scheme : ReferenceScheme
        The matrix over the iEEG channels of ``raw``, with its output, source and
        dropped channel names.
    picks : list of int
        Indices in ``raw`` of the scheme's input channels (all the iEEG channels,
        bad ones included, in order): ``scheme.apply(raw.get_data(picks=picks))``
        re-references them.

    Raises
    ------
    InvalidParameterError
        If ``method`` or ``scope`` is unknown, or the scheme leaves no channel.
    """
    method = _check_method(method)
    picks = ieeg_picks(raw)
    names = [raw.ch_names[i] for i in picks]
    shafts = None
    if recording is not None:
        shafts = recording.electrodes.set_index("name").loc[names, "shaft"].tolist()
    scheme = reference_matrix(
        names,
        method,
        shafts=shafts,
        bads=raw.info["bads"] if exclude_bads else (),
        scope=scope,
        allow_one_neighbour=allow_one_neighbour,
    )
    if scheme.dropped:
        logger.info(
            "%s reference: %d contact(s) dropped (bad or without neighbours): %s",
            method,
            len(scheme.dropped),
            ", ".join(scheme.dropped),
        )
    if not scheme.outputs:
        raise InvalidParameterError(
            f"The {method} reference leaves no channel.",
            field="method",
            value=method,
            fix="Check that contact names carry shaft and number (e.g. 'LA1'), or use "
            "allow_one_neighbour=True, method='average' or method='none'.",
        )
    return scheme, picks


@verbose
def rereference(
    inst,
    method: str = "laplacian",
    *,
    scope: str = "shaft",
    allow_one_neighbour: bool = False,
    exclude_bads: bool = True,
    verbose=None,
):
    """Re-reference the iEEG channels of a recording.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        The recording. For a :class:`~ieegrep.bids.Recording`, shafts come from
        its electrode table and the table is re-aligned to the new channels;
        for a Raw, shafts are parsed from the channel names.
    method : ``"laplacian"`` | ``"bipolar"`` | ``"average"`` | ``"none"``
        The scheme (default ``"laplacian"``, as BrainBERT and BaRISTA).
    scope : ``"shaft"`` | ``"global"``, default 'shaft'
        Averaging scope for ``"average"``.
    allow_one_neighbour : bool
        Laplacian: keep contacts with one neighbour (default False: drop them).
    exclude_bads : bool
        Leave bad channels out, so they never serve as references (default True).
    verbose : bool | str | int | None, default None
        Log level; INFO lists the dropped contacts.

    Returns
    -------
    out : Recording | mne.io.Raw
        A new object of the input's type holding only the re-referenced iEEG
        channels (volts). A Recording's electrode table keeps its columns; bipolar
        rows sit at the contacts' midpoint with a region looked up there (or the
        contacts' shared region when positions cannot be looked up); a
        ``sources`` column names the contacts each channel is made of. For a
        Recording, ``provenance["reference"]`` records the scheme and the dropped
        contacts.
    """
    raw, recording = split_recording(inst)
    scheme, picks = recording_scheme(
        raw,
        recording,
        method,
        scope=scope,
        allow_one_neighbour=allow_one_neighbour,
        exclude_bads=exclude_bads,
    )
    data = scheme.apply(raw.get_data(picks=picks))
    return referenced_recording(
        recording, scheme, data, raw=raw, scope=scope, allow_one_neighbour=allow_one_neighbour
    )


def referenced_recording(
    recording, scheme, data, *, sfreq=None, raw=None, scope="shaft", allow_one_neighbour=False
):
    """Wrap re-referenced data as a Raw (and Recording) with aligned metadata.

    Parameters
    ----------
    recording : Recording | None
        The source recording, or None for a bare Raw (then ``raw`` is required).
    scheme : ReferenceScheme
        The scheme that produced ``data``; its outputs name the channels.
    data : ndarray, shape (n_outputs, n_times)
        Re-referenced signals (volts), one row per ``scheme.outputs``.
    sfreq : float | None, default None
        Their sampling frequency in Hz, when it differs from the source's (e.g.
        after resampling); ``None`` takes the source Raw's. The first sample
        index is rescaled to it.
    raw : mne.io.Raw | None, default None
        The source Raw, whose channel types, line frequency, measurement date,
        annotations, bad channels and montage carry over; ``None`` takes
        ``recording.raw``.
    scope : ``"shaft"`` | ``"global"``, default 'shaft'
        The averaging scope the scheme was built with, recorded in the
        provenance (for ``"average"`` only).
    allow_one_neighbour : bool, default False
        Whether the scheme was built keeping one-neighbour contacts, recorded in
        the provenance.

    Returns
    -------
    out : Recording | mne.io.Raw
        A Recording when ``recording`` is given, else a Raw. The Raw holds
        ``data`` with a channel marked bad when its first source contact is bad,
        and contact positions carried over (midpoints for bipolar). The
        Recording's electrode table is aligned to the new channels (see
        :func:`rereference`) and ``provenance["reference"]`` records the scheme
        and its dropped contacts.
    """
    raw = recording.raw if raw is None else raw
    sfreq = raw.info["sfreq"] if sfreq is None else sfreq
    types = dict(zip(raw.ch_names, raw.get_channel_types()))
    info = mne.create_info(
        scheme.outputs, sfreq, [types[s[0]] for s in scheme.sources], verbose=False
    )
    with info._unlock():
        info["line_freq"] = raw.info["line_freq"]
    first_samp = int(round(raw.first_samp * sfreq / raw.info["sfreq"]))
    out_raw = mne.io.RawArray(data, info, first_samp=first_samp, verbose=False)
    out_raw.set_meas_date(raw.info["meas_date"])
    out_raw.set_annotations(raw.annotations.copy())
    out_raw.info["bads"] = [
        o for o, s in zip(scheme.outputs, scheme.sources) if s[0] in raw.info["bads"]
    ]
    table = _referenced_table(recording, scheme) if recording is not None else None
    _set_positions(out_raw, raw, scheme)
    if recording is None:
        return out_raw
    provenance = dict(recording.provenance)
    provenance["reference"] = {
        "method": scheme.method,
        "scope": scope if scheme.method == "average" else None,
        "allow_one_neighbour": allow_one_neighbour,
        "dropped": list(scheme.dropped),
    }
    table.attrs["ieegrep"] = provenance
    return Recording(
        raw=out_raw,
        electrodes=table,
        events=recording.events,
        channels=recording.channels,
        bids_path=recording.bids_path,
        provenance=provenance,
    )


def _referenced_table(recording: Recording, scheme: ReferenceScheme) -> pd.DataFrame:
    table = recording.electrodes.set_index("name", drop=False)
    if scheme.method != "bipolar":
        out = table.loc[scheme.outputs].reset_index(drop=True)
        out["sources"] = [", ".join(s) for s in scheme.sources]
        return out
    rows = []
    for output, (anode, cathode) in zip(scheme.outputs, scheme.sources):
        row = table.loc[anode].copy()
        other = table.loc[cathode]
        row["name"] = output
        for column in ("x", "y", "z", "mni152_x", "mni152_y", "mni152_z"):
            if column in table.columns:
                row[column] = (float(row[column]) + float(other[column])) / 2
        row["bad"] = bool(row["bad"]) or bool(other["bad"])
        row["sources"] = f"{anode}, {cathode}"
        rows.append(row)
    out = pd.DataFrame(rows).reset_index(drop=True)
    _relabel_midpoints(out, table, scheme, recording.provenance)
    return out


def _relabel_midpoints(out, table, scheme, provenance):
    """Give each bipolar channel its own region at the midpoint."""
    mni = out[["mni152_x", "mni152_y", "mni152_z"]].to_numpy(float)
    located = np.isfinite(mni).all(axis=1)
    atlas_name = provenance.get("atlas")
    can_look_up = (
        provenance.get("space_family") in ("MNI152", "MNI305")
        and "look-up" in str(provenance.get("region_source"))
        and located.any()
    )
    if can_look_up:
        atlas = Atlas.load(atlas_name)
        radii = (provenance.get("radius_mm", 3.0), provenance.get("ecog_radius_mm", 10.0))
        found = atlas.lookup_contacts(
            mni, out["channel_type"].to_numpy(), "MNI152", radius=radii[0], ecog_radius=radii[1]
        )
        out["region"] = found["region"].to_numpy()
        out["region_distance_mm"] = found["distance_mm"].to_numpy()
    else:  # positions cannot be looked up: keep a region only if both contacts share it
        regions = []
        for anode, cathode in scheme.sources:
            a, c = table.loc[anode, "region"], table.loc[cathode, "region"]
            regions.append(a if a == c else UNKNOWN)
        out["region"] = regions
        if "region_distance_mm" in out.columns:
            out["region_distance_mm"] = np.nan
    out["lobe"] = [lobe_of(r) for r in out["region"]]


def _set_positions(out_raw, raw, scheme):
    montage = raw.get_montage()
    if montage is None:
        return
    positions = montage.get_positions()
    ch_pos = positions["ch_pos"]
    new = {}
    for output, source in zip(scheme.outputs, scheme.sources):
        if scheme.method == "bipolar":
            a, c = ch_pos.get(source[0]), ch_pos.get(source[1])
            if a is not None and c is not None and np.isfinite(a).all() and np.isfinite(c).all():
                new[output] = (np.asarray(a) + np.asarray(c)) / 2
        elif source[0] in ch_pos and np.isfinite(ch_pos[source[0]]).all():
            new[output] = np.asarray(ch_pos[source[0]])
    if new:
        out_raw.set_montage(
            mne.channels.make_dig_montage(ch_pos=new, coord_frame=positions["coord_frame"]),
            on_missing="ignore",
            verbose="error",
        )
