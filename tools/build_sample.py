"""Build the real iEEG-BIDS sample bundled in ``ieegrep/datasets/data/sample``.

Source: ``../shared/data/bids_ieeg_mini`` (real clinical sEEG + ECoG snippets from
mne-misc-data, BSD-3-Clause) and the electrode tables of
``../shared/data/mne_misc_2020`` (same licence). Changes, all recorded in the
sample's README:

- sub-01 (sEEG, EDF): cropped to the first 10 s (a 20 s original).
- sub-02 (ECoG, BrainVision): samples stored as 16-bit integers with a
  per-channel resolution (< 0.3 µV) instead of 32-bit floats; not cropped, so the
  seizure onset at 10.229 s keeps 10 s of signal on either side.
- sub-02 gains the positions of its 64 grid contacts (``space-fsaverage``, from
  mne-misc-data's ``sample_ecog_electrodes.tsv``); the two strips have none.
- sub-01 gains a second electrode table in the patient's own space
  (``space-Other``) with the patient's FreeSurfer Desikan-Killiany and Destrieux
  labels as columns (from ``sample_seeg_electrodes_orig.tsv``; the three marker
  rows that are not electrodes are left out).

Run from the repository root: ``python tools/build_sample.py [--shared ../shared]``.
The result must pass ``bids-validator-deno`` with 0 errors.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pybv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ieegrep.atomic import atomic_directory  # noqa: E402

OUT = ROOT / "ieegrep" / "datasets" / "data" / "sample"
CROP_S = 10.0


def write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def build(shared: Path, out: Path) -> None:
    src = shared / "data" / "bids_ieeg_mini"
    misc = shared / "data" / "mne_misc_2020"
    for name in ("participants.tsv", "participants.json"):
        shutil.copy(src / name, out / name)
    description = json.loads((src / "dataset_description.json").read_text())
    description["Name"] = (
        "ieegrep sample: real clinical sEEG and ECoG snippets (mne-misc-data, BSD-3-Clause)"
    )
    description["GeneratedBy"] = [
        {
            "Name": "ieegrep",
            "Description": "tools/build_sample.py: crop, int16 storage, electrode tables added",
            "CodeURL": "https://github.com/ieegrep/ieegrep",
        },
    ] + description.get("GeneratedBy", [])
    description["Acknowledgements"] = (
        "Recordings and electrode positions from mne-misc-data (MNE-Python developers, "
        "BSD-3-Clause)."
    )
    write_json(out / "dataset_description.json", description)
    shutil.copy(misc / "LICENSE", out / "LICENSE")
    readme = (src / "README").read_text()
    (out / "README").write_text(
        "ieegrep sample dataset\n======================\n\n"
        "Two real recordings, small enough to ship inside the ieegrep package:\n\n"
        "- sub-01: clinical sEEG, 88 contacts on 6 left shafts (plus 8 DC and 2 ECG "
        "channels), 1000 Hz, first 10 s of a resting recording (EDF). Electrode positions "
        "in fsaverage space (approximate: some contacts fall outside the brain), and in the "
        "patient's own space with the patient's FreeSurfer atlas labels.\n"
        "- sub-02: clinical ECoG, 8x8 grid plus two 6-contact temporal strips (plus 2 ECG), "
        "999.41 Hz, 21.7 s around a seizure onset (events.tsv, 10.229 s). Grid positions in "
        "fsaverage space (approximate); strips without positions.\n\n"
        "Source: mne-misc-data (MNE-Python developers), BSD-3-Clause (see LICENSE), via "
        "the bids_ieeg_mini test set. Changes: sub-01 cropped to 10 s; sub-02 stored as "
        "16-bit integers with per-channel resolution below 0.3 uV; electrode tables added "
        "for sub-02 (grid) and for sub-01 (patient space). Built by tools/build_sample.py.\n\n"
        + readme,
        encoding="utf-8",
    )

    # ---- sub-01: sEEG, EDF, cropped
    s1_src, s1 = src / "sub-01" / "ieeg", out / "sub-01" / "ieeg"
    s1.mkdir(parents=True)
    raw = mne.io.read_raw_edf(
        s1_src / "sub-01_task-rest_acq-seeg_ieeg.edf", preload=True, verbose="error"
    )
    raw.crop(0, CROP_S - 1.0 / raw.info["sfreq"])
    # set types so the EDF export keeps physical units for all channels
    mne.export.export_raw(
        s1 / "sub-01_task-rest_acq-seeg_ieeg.edf",
        raw,
        fmt="edf",
        physical_range="channelwise",
        overwrite=True,
        verbose="error",
    )
    for name in (
        "sub-01_task-rest_acq-seeg_channels.tsv",
        "sub-01_acq-seeg_space-fsaverage_coordsystem.json",
        "sub-01_acq-seeg_space-fsaverage_electrodes.tsv",
        "sub-01_acq-seeg_space-fsaverage_electrodes.json",
    ):
        shutil.copy(s1_src / name, s1 / name)
    sidecar = json.loads((s1_src / "sub-01_task-rest_acq-seeg_ieeg.json").read_text())
    sidecar["RecordingDuration"] = round(raw.times[-1], 6)
    write_json(s1 / "sub-01_task-rest_acq-seeg_ieeg.json", sidecar)
    shutil.copy(src / "sub-01" / "sub-01_scans.tsv", out / "sub-01" / "sub-01_scans.tsv")

    channels = pd.read_csv(s1 / "sub-01_task-rest_acq-seeg_channels.tsv", sep="\t")
    orig = pd.read_csv(misc / "seeg_2020" / "sample_seeg_electrodes_orig.tsv", sep="\t")
    orig = orig[orig["name"].isin(channels["name"])].rename(
        columns={"destriuex": "destrieux", "desikan-killiany": "desikan_killiany"}
    )
    orig["size"] = "n/a"
    orig.to_csv(
        s1 / "sub-01_acq-seeg_space-Other_electrodes.tsv",
        sep="\t",
        index=False,
        na_rep="n/a",
        float_format="%.5f",
    )
    write_json(
        s1 / "sub-01_acq-seeg_space-Other_electrodes.json",
        {
            "destrieux": {
                "Description": "Destrieux label of the contact from the patient's own "
                "FreeSurfer parcellation (aparc.a2009s+aseg)."
            },
            "desikan_killiany": {
                "Description": "Desikan-Killiany label of the contact from the "
                "patient's own FreeSurfer parcellation (aparc+aseg)."
            },
        },
    )
    write_json(
        s1 / "sub-01_acq-seeg_space-Other_coordsystem.json",
        {
            "iEEGCoordinateSystem": "Other",
            "iEEGCoordinateUnits": "mm",
            "iEEGCoordinateSystemDescription": "The patient's own anatomical space (FreeSurfer "
            "surface RAS of the patient's T1), not a template.",
        },
    )

    # ---- sub-02: ECoG, BrainVision as int16
    s2_src, s2 = src / "sub-02" / "ieeg", out / "sub-02" / "ieeg"
    s2.mkdir(parents=True)
    raw = mne.io.read_raw_brainvision(
        s2_src / "sub-02_task-ictal_acq-ecog_ieeg.vhdr", preload=True, verbose="error"
    )
    data_uv = raw.get_data() * 1e6
    resolution = np.maximum(np.abs(data_uv).max(axis=1) / 32000.0, 1e-3)
    resolution = np.ceil(resolution * 1e4) / 1e4  # round up to 0.1 nV steps
    onset = pd.read_csv(s2_src / "sub-02_task-ictal_acq-ecog_events.tsv", sep="\t")
    events = np.array([[int(s), 1] for s in onset["sample"]])
    pybv.write_brainvision(
        data=data_uv / 1e6,
        sfreq=raw.info["sfreq"],
        ch_names=raw.ch_names,
        fname_base="sub-02_task-ictal_acq-ecog_ieeg",
        folder_out=str(s2),
        events=events,
        resolution=resolution,
        unit="µV",
        fmt="binary_int16",
        overwrite=True,
    )
    for name in (
        "sub-02_task-ictal_acq-ecog_channels.tsv",
        "sub-02_task-ictal_acq-ecog_ieeg.json",
        "sub-02_task-ictal_acq-ecog_events.tsv",
        "sub-02_task-ictal_acq-ecog_events.json",
    ):
        shutil.copy(s2_src / name, s2 / name)
    shutil.copy(src / "sub-02" / "sub-02_scans.tsv", out / "sub-02" / "sub-02_scans.tsv")
    grid = pd.read_csv(misc / "ecog_2020" / "sample_ecog_electrodes.tsv", sep="\t")
    grid["size"] = "n/a"
    grid.to_csv(
        s2 / "sub-02_acq-ecog_space-fsaverage_electrodes.tsv",
        sep="\t",
        index=False,
        float_format="%.4f",
    )
    write_json(
        s2 / "sub-02_acq-ecog_space-fsaverage_coordsystem.json",
        {
            "iEEGCoordinateSystem": "fsaverage",
            "iEEGCoordinateUnits": "m",
            "iEEGCoordinateSystemDescription": "FreeSurfer fsaverage (MNI305) surface RAS; "
            "approximate positions of the 64 grid contacts from mne-misc-data.",
        },
    )
    error = np.abs(
        mne.io.read_raw_brainvision(
            s2 / "sub-02_task-ictal_acq-ecog_ieeg.vhdr", preload=True, verbose="error"
        ).get_data()
        * 1e6
        - data_uv
    ).max()
    print(f"sub-02 int16 storage: max abs error {error:.3f} uV")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args(argv)
    with atomic_directory(OUT, overwrite=True) as tmp:
        build(Path(args.shared), tmp)
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
