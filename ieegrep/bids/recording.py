"""The :class:`Recording`: a raw signal with its electrodes placed in atlas regions."""

from __future__ import annotations

from dataclasses import dataclass, field

import mne
import pandas as pd
from mne_bids import BIDSPath

from ..atlas.lobes import UNKNOWN
from ..exceptions import InvalidParameterError

__all__ = ["Recording", "split_recording"]


@dataclass(eq=False)
class Recording:
    """One iEEG recording with its electrodes placed in atlas regions.

    Made by :func:`load_recording`; not meant to be built by hand.

    Attributes
    ----------
    raw : mne.io.Raw
        The signal, volts. Channel types and ``info["bads"]`` come from
        ``channels.tsv``; ``info["line_freq"]`` from ``PowerLineFrequency``;
        annotations from ``events.tsv`` (onsets in seconds from the first sample).
    electrodes : pandas.DataFrame
        One row per iEEG channel (sEEG, ECoG, DBS) of ``raw``, in ``raw`` order.
        Every column of the chosen ``electrodes.tsv`` is kept (``name``, ``x``,
        ``y``, ``z`` in the file's units, ``size``, any atlas columns, ...); added
        columns are ``channel_type``, ``bad``, ``space``, ``shaft``, ``contact``,
        ``hemisphere`` (``"L"``, ``"R"`` or ``"n/a"``), ``region`` (atlas label or
        ``"Unknown"``), ``lobe`` (see :mod:`ieegrep.atlas.lobes`),
        ``region_distance_mm`` (0 inside a labelled voxel, the distance to the
        nearest one otherwise, NaN when no label) and ``mni152_x/y/z`` (mm; NaN
        outside template spaces). ``electrodes.attrs["ieegrep"]`` holds the
        provenance, as :attr:`provenance`.
    events : pandas.DataFrame
        ``events.tsv`` as read (every column; ``onset`` and ``duration`` in
        seconds); empty with those two columns when the recording has none.
    channels : pandas.DataFrame
        ``channels.tsv`` as read (every column), or an empty table.
    bids_path : mne_bids.BIDSPath
        Path of the data file.
    provenance : dict, default {}
        Where the regions come from: ``atlas``, ``space``, ``space_family``,
        ``transform``, ``radius_mm``, ``region_source``, ``electrodes_file``,
        ``coordsystem_file``, ``coordinate_units``, ``other_spaces``,
        ``unmatched_electrodes``, ``channels_without_position``.
    """

    raw: mne.io.BaseRaw
    electrodes: pd.DataFrame
    events: pd.DataFrame
    channels: pd.DataFrame
    bids_path: BIDSPath
    provenance: dict = field(default_factory=dict)

    # ---- identity
    @property
    def subject(self) -> str | None:
        """BIDS subject label."""
        return self.bids_path.subject

    @property
    def session(self) -> str | None:
        """BIDS session label (``None`` if the dataset has no sessions)."""
        return self.bids_path.session

    @property
    def task(self) -> str | None:
        """BIDS task label."""
        return self.bids_path.task

    @property
    def sfreq(self) -> float:
        """Sampling frequency, Hz."""
        return float(self.raw.info["sfreq"])

    @property
    def line_freq(self) -> float | None:
        """Power-line frequency, Hz (``PowerLineFrequency``), or ``None`` if unknown."""
        return self.raw.info["line_freq"]

    @property
    def ch_names(self) -> list[str]:
        """Names of the iEEG channels, in the order of :attr:`electrodes`."""
        return self.electrodes["name"].tolist()

    @property
    def name(self) -> str:
        """The BIDS file name without datatype suffix and extension."""
        return self.bids_path.copy().update(suffix=None, extension=None).basename

    # ---- summaries
    def channels_per_region(self, level: str = "region", include_bad: bool = True) -> pd.DataFrame:
        """Count channels per region (or lobe).

        Parameters
        ----------
        level : ``"region"`` | ``"lobe"``, default 'region'
            Group by atlas region or by lobe.
        include_bad : bool
            Count bad channels too (default True).

        Returns
        -------
        table : pandas.DataFrame
            Columns ``level``, ``hemisphere``, ``n_channels`` and ``channels``
            (comma-separated names), most populated first and ``"Unknown"`` last.
        """
        if level not in ("region", "lobe"):
            raise ValueError(f"level must be 'region' or 'lobe', got {level!r}")
        table = self.electrodes if include_bad else self.electrodes[~self.electrodes["bad"]]
        groups = []
        for (value, hemi), rows in table.groupby([level, "hemisphere"], sort=False, dropna=False):
            groups.append((value, hemi, len(rows), ", ".join(rows["name"])))
        out = pd.DataFrame(groups, columns=[level, "hemisphere", "n_channels", "channels"])
        out["_unknown"] = out[level] == UNKNOWN
        out = out.sort_values(["_unknown", "n_channels", level], ascending=[True, False, True])
        return out.drop(columns="_unknown").reset_index(drop=True)

    @property
    def unknown_channels(self) -> list[str]:
        """Names of iEEG channels whose region is ``"Unknown"``."""
        return self.electrodes.loc[self.electrodes["region"] == UNKNOWN, "name"].tolist()

    def summary(self) -> str:
        """Describe the recording and where its regions come from, in a few lines.

        Returns
        -------
        summary : str
            Channels by type, sampling rate (Hz), duration (s), line frequency
            (Hz), number of events, and the atlas, space and transform of the regions.
        """
        p = self.provenance
        types = self.electrodes["channel_type"].value_counts().to_dict()
        kinds = ", ".join(f"{n} {t}" for t, n in types.items()) or "no iEEG channels"
        n_regions = self.electrodes.loc[self.electrodes["region"] != UNKNOWN, "region"].nunique()
        lines = [
            f"{self.name}: {kinds} ({len(self.raw.info['bads'])} bad), "
            f"{self.sfreq:g} Hz, {self.raw.times[-1] + 1 / self.sfreq:.1f} s, "
            f"line {self.line_freq or 'unknown'} Hz, {len(self.events)} events",
            f"  regions: {p.get('region_source')}; space {p.get('space')} "
            f"({p.get('space_family')}, {p.get('transform')})"
            + (f"; other spaces: {', '.join(p['other_spaces'])}" if p.get("other_spaces") else ""),
            f"  {n_regions} distinct regions; {len(self.unknown_channels)} channel(s) Unknown",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = len(self.electrodes)
        n_regions = self.electrodes.loc[self.electrodes["region"] != UNKNOWN, "region"].nunique()
        return (
            f"<Recording {self.name} | {n} iEEG channels, {self.sfreq:g} Hz, "
            f"space {self.provenance.get('space')}, {self.provenance.get('atlas')}: "
            f"{n_regions} regions, {len(self.unknown_channels)} Unknown>"
        )

    def _repr_html_(self) -> str:
        table = self.channels_per_region("lobe").to_html(index=False)
        return f"<p><b>{self.name}</b></p><pre>{self.summary()}</pre>{table}"


def split_recording(inst) -> tuple:
    """Accept a :class:`Recording` or an :class:`mne.io.Raw`; return ``(raw, recording)``.

    Parameters
    ----------
    inst : Recording | mne.io.Raw
        What a function working on recordings was given.

    Returns
    -------
    raw : mne.io.Raw
        The signal (``inst`` itself, or the recording's ``raw``).
    recording : Recording | None
        ``None`` when ``inst`` is a bare Raw.
    """
    if isinstance(inst, Recording):
        return inst.raw, inst
    if isinstance(inst, mne.io.BaseRaw):
        return inst, None
    raise InvalidParameterError(
        "Expected a Recording or an mne.io.Raw.",
        field="inst",
        value=type(inst).__name__,
        fix="Pass ieegrep.bids.load_recording(...) or an mne.io.Raw.",
    )
