"""Print the anatomical checks of the region look-up, as tables for a closing note.

1. Brain Treebank layouts (bundled, real): do the deepest contacts of shafts aimed
   at the hippocampus, amygdala and insula get that label?
2. Real recordings: channels per region for the bundled sample and for
   ``../shared/data/py_neuromodulation_testsub`` (real ECoG + STN LFP).
3. Accurately localised fsaverage contacts (``mne_misc_2020/seeg_fsaverage``):
   label of the deepest contact of each shaft named after its target.

Run from the repository root: ``python tools/report_anatomy.py [--shared ../shared]``.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import pandas as pd

from ieegrep.atlas import Atlas
from ieegrep.bids import find_recordings, load_recording
from ieegrep.datasets import sample_path, target_agreement
from ieegrep.electrodes import parse_contact_names

ROOT = Path(__file__).resolve().parents[1]


def brain_treebank():
    print("## Brain Treebank layouts: deepest 3 contacts of target shafts (10 subjects)\n")
    print("| atlas | hippocampus | amygdala | insula | all | shafts reaching target* |")
    print("|---|---|---|---|---|---|")
    for atlas in ("desikan-killiany", "destrieux"):
        table = target_agreement(atlas)
        by = table.groupby("target")["agrees"].agg(["sum", "size"])
        cells = [
            f"{by.loc[t, 'sum']}/{by.loc[t, 'size']} ({by.loc[t, 'sum'] / by.loc[t, 'size']:.0%})"
            for t in ("hippocampus", "amygdala", "insula")
        ]
        shafts = table.groupby(["subject", "shaft", "target"])["agrees"].any()
        print(
            f"| {atlas} | {' | '.join(cells)} | {table['agrees'].mean():.0%} "
            f"({table['agrees'].sum()}/{len(table)}) | {shafts.mean():.0%} "
            f"({shafts.sum()}/{len(shafts)}) |"
        )
    print("\n*at least one of the 3 deepest contacts in the target.\n")
    misses = target_agreement("desikan-killiany")
    misses = misses[~misses["agrees"]].groupby("target")["lobe"].value_counts()
    print("DK labels of the disagreeing contacts:", misses.to_dict(), "\n")


def recordings(shared: Path):
    roots = [("bundled sample", sample_path())]
    if (shared / "data" / "py_neuromodulation_testsub").exists():
        roots.append(("py_neuromodulation_testsub", shared / "data" / "py_neuromodulation_testsub"))
    for title, root in roots:
        for path in find_recordings(root):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rec = load_recording(path)
            print(
                f"## {title}: {rec.name} ({rec.provenance['space']}, "
                f"{rec.provenance['region_source']})\n"
            )
            table = rec.channels_per_region()
            table["types"] = [
                ", ".join(
                    sorted(
                        set(
                            rec.electrodes.set_index("name").loc[
                                [c.strip() for c in chans.split(",")], "channel_type"
                            ]
                        )
                    )
                )
                for chans in table["channels"]
            ]
            print("| region | hemi | n | types | channels |")
            print("|---|---|---|---|---|")
            for row in table.itertuples(index=False):
                channels = row.channels if len(row.channels) <= 60 else row.channels[:57] + "..."
                print(
                    f"| {row.region} | {row.hemisphere} | {row.n_channels} | {row.types} | "
                    f"{channels} |"
                )
            print()


def fsaverage_targets(shared: Path):
    path = (
        shared
        / "data"
        / "mne_misc_2020"
        / "seeg_fsaverage"
        / "sample_seeg_electrodes_fsaverage.tsv"
    )
    if not path.exists():
        return
    table = pd.read_csv(path, sep="\t", index_col=0)
    parsed = parse_contact_names(table["name"])
    table["shaft"], table["number"] = parsed["shaft"].values, parsed["contact"].values
    deepest = table.sort_values("number").groupby("shaft", sort=True).head(1)
    print("## fsaverage (MNI305) positions of another patient: deepest contact per shaft\n")
    print("| shaft | desikan-killiany | destrieux |")
    print("|---|---|---|")
    labels = {
        a: Atlas.load(a).label(deepest[["R", "A", "S"]].to_numpy(), space="fsaverage")
        for a in ("desikan-killiany", "destrieux")
    }
    for i, shaft in enumerate(deepest["shaft"]):
        print(f"| {shaft} | {labels['desikan-killiany'][i]} | {labels['destrieux'][i]} |")
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args(argv)
    shared = Path(args.shared)
    brain_treebank()
    recordings(shared)
    fsaverage_targets(shared)


if __name__ == "__main__":
    main()
