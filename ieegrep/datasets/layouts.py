"""Real sEEG electrode layouts of the 10 Brain Treebank subjects.

The file ``ieegrep/datasets/data/btbank_layouts.tsv`` holds the contact
positions of the 10 subjects of the Brain Treebank (Wang et al., NeurIPS 2024),
as distributed with Neuroprobe. It is built by ``tools/build_layouts.py`` from
``../shared/data/btbank_coords`` and has no signals: it is used to place
simulated recordings (:func:`ieegrep.datasets.make_synthetic_bids`) on real
montages, and to test atlas look-ups on real sEEG positions.

The layouts are under the MIT licence, Copyright (c) 2025 Andrii Zahorodnii,
collaborators and contributors; the full notice, which must travel with copies
of the layouts, is :data:`BTBANK_LICENSE`.
"""

from __future__ import annotations

import functools
import numbers
import re
from importlib import resources

import pandas as pd

from ..atlas import Atlas
from ..exceptions import InvalidParameterError

__all__ = [
    "load_btbank_layout",
    "shaft_targets",
    "target_agreement",
    "BTBANK_SUBJECTS",
    "BTBANK_LICENSE",
]

#: Brain Treebank subject numbers with a bundled layout.
BTBANK_SUBJECTS = tuple(range(1, 11))

#: Licence of the bundled layouts (Brain Treebank / Neuroprobe), to copy with them.
BTBANK_LICENSE = """\
MIT License

Copyright (c) 2025 Andrii Zahorodnii, collaborators and contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

_FILE = "btbank_layouts.tsv"
_DTYPES = {
    "subject": "int64",
    "name": "str",
    "shaft": "str",
    "contact": "int64",
    "hemisphere": "str",
    "mni152_x": "float64",
    "mni152_y": "float64",
    "mni152_z": "float64",
    "mni305_x": "float64",
    "mni305_y": "float64",
    "mni305_z": "float64",
}


@functools.lru_cache(maxsize=1)
def _read_all() -> pd.DataFrame:
    with resources.as_file(resources.files("ieegrep.datasets") / "data" / _FILE) as path:
        return pd.read_csv(path, sep="\t", dtype=_DTYPES, keep_default_na=False)


def load_btbank_layout(subject: int | None = None) -> pd.DataFrame:
    """Load the real sEEG electrode layout of a Brain Treebank subject.

    The layouts are the contact positions of the 10 subjects of the Brain
    Treebank (Wang et al., "Brain Treebank: Large-scale intracranial recordings
    from naturalistic language stimuli", NeurIPS 2024), as distributed with
    Neuroprobe under the MIT licence, Copyright (c) 2025 Andrii Zahorodnii,
    collaborators and contributors. All contacts are on depth electrodes
    (sEEG); no signal is bundled.

    Parameters
    ----------
    subject : int | None
        Brain Treebank subject number, 1 to 10. ``None`` (default) returns the
        contacts of all 10 subjects.

    Returns
    -------
    layout : pandas.DataFrame
        One row per contact, in the order of the Brain Treebank files, with
        columns ``subject`` (int), ``name`` (clinical contact name, e.g.
        ``"T1aIb4"``), ``shaft`` (depth electrode, e.g. ``"T1aIb"``),
        ``contact`` (int, contact number on the shaft), ``hemisphere``
        (``"L"`` or ``"R"``), ``mni152_x``, ``mni152_y``, ``mni152_z`` and
        ``mni305_x``, ``mni305_y``, ``mni305_z`` (millimetres, RAS, rounded to
        0.01 mm). A fresh copy is returned on each call.

    Raises
    ------
    ieegrep.exceptions.InvalidParameterError
        If ``subject`` is not ``None`` or an integer from 1 to 10.

    Examples
    --------
    >>> layout = load_btbank_layout(3)
    >>> layout.columns[:5].tolist()
    ['subject', 'name', 'shaft', 'contact', 'hemisphere']
    >>> sorted(load_btbank_layout()["subject"].unique().tolist()) == list(range(1, 11))
    True
    """
    table = _read_all()
    if subject is None:
        return table.copy()
    if (
        isinstance(subject, bool)
        or not isinstance(subject, numbers.Integral)
        or int(subject) not in BTBANK_SUBJECTS
    ):
        raise InvalidParameterError(
            "There is no bundled Brain Treebank layout for this subject.",
            field="subject",
            value=subject,
            fix="Pass an integer from 1 to 10, or None for all 10 subjects.",
        )
    return table[table["subject"] == int(subject)].reset_index(drop=True)


# Brain Treebank shaft names: entry point (lobe letter + gyrus number + letter, with an
# optional L/R prefix), then the targets, each an upper-case code with an optional
# lower-case index: "T2bHa" = temporal entry 2b aiming at hippocampus a.
_ENTRY = re.compile(r"^[LR]?[FTPO]\d+[a-z]?")
_TARGET = re.compile(r"(OF|OT|[AHIC])[a-z]?")
_TARGET_NAMES = {
    "H": "hippocampus",
    "A": "amygdala",
    "I": "insula",
    "C": "cingulate",
    "OF": "orbitofrontal",
    "OT": "occipitotemporal",
}


def shaft_targets(shaft: str) -> set[str]:
    """Targets encoded in a Brain Treebank shaft name.

    Parameters
    ----------
    shaft : str
        A shaft name such as ``"T2bHa"``, ``"LT2aA"`` or ``"F3bIaOFb"``.

    Returns
    -------
    targets : set of str
        Among ``"hippocampus"``, ``"amygdala"``, ``"insula"``, ``"cingulate"``,
        ``"orbitofrontal"``, ``"occipitotemporal"``; empty when the name encodes
        no target (``"T1b"``) or does not follow the convention.

    Examples
    --------
    >>> sorted(shaft_targets("F3bIaOFb"))
    ['insula', 'orbitofrontal']
    >>> shaft_targets("LT3bHa")
    {'hippocampus'}
    """
    entry = _ENTRY.match(shaft)
    if entry is None:
        return set()
    rest = shaft[entry.end() :]
    return {_TARGET_NAMES[code] for code in _TARGET.findall(rest)}


def target_agreement(
    atlas="desikan-killiany", *, deepest: int = 3, targets=("hippocampus", "amygdala", "insula")
) -> pd.DataFrame:
    """Check atlas labels against the targets encoded in Brain Treebank shaft names.

    The deepest contacts of a shaft aimed at a structure (contacts 1, 2, ... are
    the deepest) should lie in it. This labels those contacts of all 10 bundled
    layouts (MNI152 positions) with ``atlas`` and says whether the label's lobe
    level is the target.

    Parameters
    ----------
    atlas : str | ieegrep.atlas.Atlas
        Atlas to check (default ``"desikan-killiany"``).
    deepest : int
        How many of the deepest contacts of each shaft to check (default 3).
    targets : sequence of str, default ('hippocampus', 'amygdala', 'insula')
        Targets to check, among those of :func:`shaft_targets`.

    Returns
    -------
    table : pandas.DataFrame
        One row per checked contact: ``subject``, ``shaft``, ``contact``, ``rank``
        (1 = deepest), ``target``, ``region``, ``lobe`` and ``agrees`` (bool).
    """
    atlas = atlas if isinstance(atlas, Atlas) else Atlas.load(atlas)
    layout = load_btbank_layout()
    rank = layout.groupby(["subject", "shaft"])["contact"].rank(method="first")
    rows = []
    for (_, contact), r in zip(layout.iterrows(), rank):
        if r > deepest:
            continue
        for target in sorted(shaft_targets(contact["shaft"]) & set(targets)):
            rows.append(
                (
                    contact["subject"],
                    contact["shaft"],
                    contact["contact"],
                    int(r),
                    target,
                    contact["mni152_x"],
                    contact["mni152_y"],
                    contact["mni152_z"],
                )
            )
    table = pd.DataFrame(
        rows, columns=["subject", "shaft", "contact", "rank", "target", "x", "y", "z"]
    )
    found = atlas.lookup(table[["x", "y", "z"]].to_numpy(), space="MNI152")
    table["region"] = found["region"].to_numpy()
    table["lobe"] = found["lobe"].to_numpy()
    table["agrees"] = table["lobe"] == table["target"]
    return table.drop(columns=["x", "y", "z"])
