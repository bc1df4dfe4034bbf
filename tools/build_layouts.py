"""Build ``ieegrep/datasets/data/btbank_layouts.tsv`` from the Brain Treebank layouts.

The input is the folder ``../shared/data/btbank_coords`` with one CSV per
Brain Treebank subject (``btbank{1..10}_mni_coords.csv``: columns
``btbank_id, electrode_label, name, num, hem, type, mni305_x/y/z,
mni152_x/y/z``, ...). The output is one small TSV with the columns
``subject, name, shaft, contact, hemisphere, mni152_x, mni152_y, mni152_z,
mni305_x, mni305_y, mni305_z``: coordinates in millimetres, rounded to 0.01 mm,
rows in the order of the source files.

The layouts are MIT-licensed (Copyright (c) 2025 Andrii Zahorodnii,
collaborators and contributors; Brain Treebank / Neuroprobe); the licence text
is in ``../shared/data/btbank_coords/LICENSE``.

Run from the repository root::

    python tools/build_layouts.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ieegrep.electrodes import parse_contact_name  # noqa: E402

OUT = ROOT / "ieegrep" / "datasets" / "data" / "btbank_layouts.tsv"
N_SUBJECTS = 10
COLUMNS = [
    "subject",
    "name",
    "shaft",
    "contact",
    "hemisphere",
    "mni152_x",
    "mni152_y",
    "mni152_z",
    "mni305_x",
    "mni305_y",
    "mni305_z",
]
COORDS = COLUMNS[5:]


def read_subject(folder: Path, subject: int) -> pd.DataFrame:
    source = pd.read_csv(folder / f"btbank{subject}_mni_coords.csv")
    if not (source["btbank_id"] == subject).all():
        raise SystemExit(f"btbank{subject}: btbank_id column does not say {subject}")
    if not (source["type"] == "D").all():
        raise SystemExit(f"btbank{subject}: expected depth electrodes only (type D)")
    table = pd.DataFrame(
        {
            "subject": subject,
            "name": source["electrode_label"].astype(str),
            "shaft": source["name"].astype(str),
            "contact": source["num"].astype(int),
            "hemisphere": source["hem"].astype(str),
        }
    )
    for column in COORDS:
        table[column] = source[column].astype(float).round(2)
    # the names must split into the given shaft and contact, as ieegrep parses them
    for row in table.itertuples(index=False):
        parsed = parse_contact_name(row.name)
        if (parsed.shaft, parsed.number) != (row.shaft, row.contact):
            raise SystemExit(f"btbank{subject}: {row.name!r} parses as {parsed}")
    if table["name"].duplicated().any():
        raise SystemExit(f"btbank{subject}: duplicated contact names")
    if not table["hemisphere"].isin(["L", "R"]).all():
        raise SystemExit(f"btbank{subject}: hemisphere must be L or R")
    return table


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"), type=Path)
    args = parser.parse_args(argv)
    folder = Path(args.shared) / "data" / "btbank_coords"
    table = pd.concat(
        [read_subject(folder, s) for s in range(1, N_SUBJECTS + 1)], ignore_index=True
    )[COLUMNS]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT, sep="\t", index=False, float_format="%.2f", lineterminator="\n")
    counts = table.groupby("subject").size()
    print(
        f"wrote {OUT.relative_to(ROOT)}: {len(table)} contacts, {OUT.stat().st_size / 1024:.1f} KiB"
    )
    print("contacts per subject:", ", ".join(f"{s}: {n}" for s, n in counts.items()))


if __name__ == "__main__":
    main()
