"""Contact names, shafts and neighbours.

Clinical sEEG and ECoG contacts are named *shaft* + *contact number*: ``LA1``
(left amygdala shaft, deepest contact), ``L'12`` (French style, the prime marks
the left hemisphere), ``T1aIb4`` (Brain Treebank style, with the target encoded
in the shaft name), ``RAHP 2`` (space before the number), ``LPT10``, and grids or
strips ``C1`` … ``C64``. The number is the run of digits at the end of the name;
the shaft is everything before it, stripped of separators. Recorder prefixes and
reference suffixes (``"EEG LA1-Ref"``, ``"POL LA1"``) are removed first.

The re-referencing step uses :func:`shaft_neighbours` (same-shaft contacts with
numbers ±1), so the parsing lives here, below the preprocessing layer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from .exceptions import ContactNameError

__all__ = [
    "ContactName",
    "parse_contact_name",
    "parse_contact_names",
    "group_shafts",
    "shaft_neighbours",
]

# Prefixes that recorders (Natus, Nihon Kohden, EDF exports) put before the label.
_PREFIX = re.compile(r"^(?:EEG|POL|SEEG)\s+", re.IGNORECASE)
# Reference suffixes: "LA1-Ref", "LA1-REF", "LA1 Ref", "LA1-avg".
_SUFFIX = re.compile(r"[\s_-]+(?:ref|avg|ave|cz|ground|gnd)$", re.IGNORECASE)
_NAME = re.compile(r"^(?P<shaft>.*?\D)(?P<number>\d+)$")
_SEPARATORS = " \t_-.#*"


@dataclass(frozen=True)
class ContactName:
    """A contact name split into its shaft and contact number.

    Attributes
    ----------
    name : str
        The name as given.
    shaft : str
        The shaft (depth electrode), grid or strip it belongs to, e.g. ``"L'"``.
    number : int
        The contact number on that shaft (usually 1 = deepest for sEEG).
    """

    name: str
    shaft: str
    number: int

    def __str__(self) -> str:
        return f"{self.shaft}{self.number}"


def parse_contact_name(name: str) -> ContactName:
    """Split a contact name into shaft and contact number.

    Parameters
    ----------
    name : str
        A channel or electrode name, e.g. ``"L'12"``, ``"LA1"``, ``"T1aIb4"``,
        ``"RAHP 2"``, ``"LPT10"``, ``"C64"``, ``"EEG LA1-Ref"``.

    Returns
    -------
    contact : ContactName
        ``contact.shaft`` and ``contact.number``.

    Raises
    ------
    ieegrep.exceptions.ContactNameError
        If the name does not end in a contact number after a non-empty shaft
        (``"EKG"``, ``"12"``), or looks like a bipolar pair (``"LA1-LA2"``).

    Examples
    --------
    >>> parse_contact_name("T1aIb4")
    ContactName(name='T1aIb4', shaft='T1aIb', number=4)
    >>> parse_contact_name("RAHP 2").shaft
    'RAHP'
    """
    if not isinstance(name, str):
        raise ContactNameError(
            "Contact names must be strings.",
            field="name",
            value=name,
            fix="Pass the channel names, e.g. raw.ch_names.",
        )
    text = _SUFFIX.sub("", _PREFIX.sub("", name.strip()))
    if re.fullmatch(r".*\D\d+\s*-\s*\D.*\d+", text):
        raise ContactNameError(
            "This looks like a bipolar pair, not a single contact.",
            field="name",
            value=name,
            fix="Parse the two contacts of the pair separately.",
        )
    match = _NAME.match(text)
    shaft = match["shaft"].strip(_SEPARATORS) if match else ""
    if not match or not shaft:
        raise ContactNameError(
            "Cannot split the name into a shaft and a contact number.",
            field="name",
            value=name,
            fix="Contact names must end with the contact number, e.g. 'LA1' or \"L'12\".",
        )
    return ContactName(name=name, shaft=shaft, number=int(match["number"]))


def parse_contact_names(names: Iterable[str]) -> pd.DataFrame:
    """Parse many contact names; names that do not parse get missing values.

    Parameters
    ----------
    names : iterable of str
        Channel or electrode names.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``name``, ``shaft`` (str; missing when the name does not parse)
        and ``contact`` (nullable ``Int64``), one row per name, in order.
    """
    rows = []
    for name in names:
        try:
            parsed = parse_contact_name(name)
        except ContactNameError:
            rows.append((name, None, pd.NA))
        else:
            rows.append((name, parsed.shaft, parsed.number))
    table = pd.DataFrame(rows, columns=["name", "shaft", "contact"])
    table["contact"] = table["contact"].astype("Int64")
    return table


def group_shafts(names: Iterable[str], shafts: Sequence[str] | None = None) -> dict:
    """Group contacts by shaft, each shaft's contacts sorted by number.

    Parameters
    ----------
    names : iterable of str
        Contact names.
    shafts : sequence of str | None, default None
        Shaft of each name when known from elsewhere (e.g. the ``group`` column
        of ``electrodes.tsv``); ``None`` parses the names.

    Returns
    -------
    groups : dict of str to list of str
        Shaft name → contact names ordered by contact number, shafts in order
        of first appearance. Names that do not parse are left out.
    """
    names = list(names)
    table = parse_contact_names(names)
    if shafts is not None:
        table["shaft"] = list(shafts)
    table = table.dropna(subset=["shaft", "contact"])
    groups: dict[str, list[str]] = {}
    for shaft, rows in table.groupby("shaft", sort=False):
        groups[shaft] = rows.sort_values("contact", kind="stable")["name"].tolist()
    return groups


def shaft_neighbours(names: Sequence[str], shafts: Sequence[str] | None = None) -> pd.DataFrame:
    """Find each contact's same-shaft neighbours (contact number − 1 and + 1).

    Parameters
    ----------
    names : sequence of str
        Contact names.
    shafts : sequence of str | None, default None
        Shaft of each name if known (see :func:`group_shafts`).

    Returns
    -------
    neighbours : pandas.DataFrame
        Indexed by name, with columns ``shaft``, ``contact``, ``previous`` and
        ``next`` (neighbour names, or ``None`` when the shaft has no contact with
        that number, e.g. at the ends or after a removed contact).
    """
    table = parse_contact_names(names)
    if shafts is not None:
        table["shaft"] = list(shafts)
    lookup = {
        (shaft, int(number)): name
        for name, shaft, number in table.itertuples(index=False)
        if not pd.isna(shaft) and not pd.isna(number)
    }
    previous, following = [], []
    for _name, shaft, number in table.itertuples(index=False):
        if pd.isna(shaft) or pd.isna(number):
            previous.append(None)
            following.append(None)
            continue
        previous.append(lookup.get((shaft, int(number) - 1)))
        following.append(lookup.get((shaft, int(number) + 1)))
    table["previous"] = previous
    table["next"] = following
    return table.set_index("name")
