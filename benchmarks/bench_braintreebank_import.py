"""Brain Treebank import benchmark: peak memory and time of importing a full-size session.

A real Brain Treebank session is about 2 h of ~150 channels at 2048 Hz (8.8 GB as float32). This
script

1. writes a replica release (:func:`ieegrep.datasets.braintreebank_replica.write_braintreebank_replica`)
   with one session of that size (subject 2, trial 4: 147 usable contacts + 1 corrupted + 2
   trigger channels = 150) to a folder on disk, in a fresh process (the generator streams too);
2. imports it with :func:`ieegrep.bids.braintreebank.import_braintreebank` in another fresh
   process,

and prints, for each step, the wall time and the peak resident memory (``VmHWM`` from
``/proc/self/status``: the process's own high-water mark, nothing inherited) against the 2 GiB
target. The folders are deleted at the end (``--keep`` keeps them).

Run from the repository root: ``python benchmarks/bench_braintreebank_import.py [--quick]
[--hours H] [--channels N] [--tmp DIR] [--keep]``. ``--quick`` uses 10 minutes. The disk must
hold about twice the session (h5 + BrainVision); if it does not, the duration is shortened to
the largest that fits and the script says so.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TARGET_BYTES = 2 * 1024**3
SUBJECT, TRIAL = 2, 4
N_EXTRA = 3  # one corrupted contact and two trigger channels

_PEAK = """
status = open("/proc/self/status").read()
# VmHWM, not getrusage: ru_maxrss would include the parent's memory copied at fork
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
"""

_GENERATE = (
    """
import json, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
from ieegrep.datasets.braintreebank_replica import write_braintreebank_replica
folder, n_electrodes, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
start = time.perf_counter()
write_braintreebank_replica(folder, sessions=[(SUBJECT, TRIAL)], n_electrodes=n_electrodes,
                            duration=duration, seed=0)
seconds = time.perf_counter() - start
PEAK
print(json.dumps({"seconds": seconds, "peak": peak}))
""".replace("SUBJECT", str(SUBJECT))
    .replace("TRIAL", str(TRIAL))
    .replace("PEAK", _PEAK)
)

_IMPORT = """
import json, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
from ieegrep.bids.braintreebank import import_braintreebank
source, root = sys.argv[1], sys.argv[2]
start = time.perf_counter()
paths = import_braintreebank(source, root)
seconds = time.perf_counter() - start
PEAK
print(json.dumps({"seconds": seconds, "peak": peak, "files": [str(p) for p in paths]}))
""".replace("PEAK", _PEAK)


def _run(code: str, *args) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-4000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench(hours: float, channels: int, tmp: str | None = None, keep: bool = False) -> dict:
    """Generate then import one replica session of ``hours`` x ``channels``; return figures."""
    work = Path(tempfile.mkdtemp(prefix="bench_btbank_", dir=tmp))
    duration = hours * 3600.0
    need = 2 * duration * 2048 * channels * 4 * 1.05
    free = shutil.disk_usage(work).free
    note = ""
    if need > free:
        duration = max(60.0, (free * 0.9) / (2 * 2048 * channels * 4 * 1.05))
        note = (
            f"disk holds {free / 1e9:.1f} GB, a {hours:g} h session needs {need / 1e9:.1f} GB: "
            f"shortened to {duration / 3600:.2f} h"
        )
        print(note, flush=True)
    try:
        release = work / "release"
        print(f"generating {duration / 3600:.2f} h x {channels} channels in {release} ...",
              flush=True)  # fmt: skip
        made = _run(_GENERATE, release, channels - N_EXTRA, duration)
        h5_bytes = _size(release)
        print(
            f"  generated {h5_bytes / 1e9:.2f} GB in {made['seconds']:.0f} s, "
            f"peak RSS {made['peak'] / 2**20:.0f} MiB",
            flush=True,
        )
        bids = work / "bids"
        done = _run(_IMPORT, release, bids)
        bids_bytes = _size(bids)
        print(
            f"  imported  {bids_bytes / 1e9:.2f} GB in {done['seconds']:.0f} s "
            f"({bids_bytes / 1e6 / done['seconds']:.0f} MB/s), "
            f"peak RSS {done['peak'] / 2**20:.0f} MiB (target < {TARGET_BYTES / 2**30:.0f} GiB: "
            f"{'OK' if done['peak'] < TARGET_BYTES else 'FAILED'})",
            flush=True,
        )
        return {
            "hours": duration / 3600,
            "channels": channels,
            "note": note,
            "generate_seconds": made["seconds"],
            "generate_peak_mib": made["peak"] / 2**20,
            "h5_gb": h5_bytes / 1e9,
            "import_seconds": done["seconds"],
            "import_peak_mib": done["peak"] / 2**20,
            "bids_gb": bids_bytes / 1e9,
            "under_target": done["peak"] < TARGET_BYTES,
        }
    finally:
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 minutes instead of 2 hours")
    parser.add_argument("--hours", type=float, default=2.0, help="session length (default 2)")
    parser.add_argument("--channels", type=int, default=150, help="channels (default 150)")
    parser.add_argument("--tmp", default=None, help="folder for the temporary files")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args(argv)
    hours = 10 / 60 if args.quick else args.hours
    result = bench(hours, args.channels, args.tmp, args.keep)
    print(json.dumps(result, indent=2))
    return 0 if result["under_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
