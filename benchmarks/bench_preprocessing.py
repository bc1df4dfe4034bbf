"""Preprocessing benchmark: speed against the reference way, and memory on long recordings.

Prints, in one run:

1. STFT front end for all 5-s windows at 1-s stride over 10 min of a generated
   128-channel recording at 2048 Hz — ieegrep vs the reference way (scipy STFT per
   channel per window, then the per-window normalisation): speed ratio and max
   abs diff (``bench_spectrograms.bench_stft``).
2. Superlet — ieegrep vs a direct implementation of the reference algorithm (one
   FFT convolution per wavelet per channel): speed ratio and max rel diff
   (``bench_spectrograms.bench_superlet``).
3. Peak resident memory of preprocessing a 1 h × 128-channel recording read from
   disk (notch, Laplacian, 5-s windows, STFT spectrograms written to a ``.npy``
   file), and of a 2 h one: it must stay under 1.5 GiB and not grow with
   the duration. Each run is a fresh process, and its peak is the kernel's high-water
   mark of resident memory (``VmHWM``), so it is its own.

Run from the repository root: ``python benchmarks/bench_preprocessing.py
[--quick] [--tmp DIR]``. ``--quick`` uses 10/20-minute recordings for the
memory part.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

N_CHANNELS, N_SHAFTS, SFREQ = 128, 8, 2048.0


def write_brainvision(folder: Path, duration: float, seed: int = 0) -> Path:
    """Write a long float32 BrainVision recording chunk by chunk (never all in memory)."""
    names = [
        f"{chr(65 + s)}{c}" for s in range(N_SHAFTS) for c in range(1, N_CHANNELS // N_SHAFTS + 1)
    ]
    stem = f"long_{int(duration)}s"
    header = folder / f"{stem}.vhdr"
    header.write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\n"
        f"Codepage=UTF-8\nDataFile={stem}.eeg\nMarkerFile={stem}.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels={len(names)}\n"
        f"SamplingInterval={1e6 / SFREQ}\n\n[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n\n"
        "[Channel Infos]\n" + "".join(f"Ch{i + 1}={n},,1,µV\n" for i, n in enumerate(names))
    )
    (folder / f"{stem}.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        f"Codepage=UTF-8\nDataFile={stem}.eeg\n\n[Marker Infos]\n"
    )
    rng = np.random.default_rng(seed)
    block = int(60 * SFREQ)
    t0 = 0
    n_total = int(duration * SFREQ)
    with open(folder / f"{stem}.eeg", "wb") as fid:
        while t0 < n_total:
            n = min(block, n_total - t0)
            t = (t0 + np.arange(n)) / SFREQ
            data = np.cumsum(rng.standard_normal((len(names), n)), axis=1) * 2.0
            data += 20 * np.sin(2 * np.pi * 60 * t)
            fid.write(np.ascontiguousarray(data.T, dtype="<f4").tobytes())
            t0 += n
    return header


CHILD = r"""
import json, sys, time
import numpy as np
import mne
from ieegrep.preprocessing.streaming import RecordingStream
from ieegrep.preprocessing.windows import sliding_windows

header, out = sys.argv[1], sys.argv[2]
start = time.perf_counter()
raw = mne.io.read_raw_brainvision(header, preload=False, verbose="error")
raw.set_channel_types({name: "seeg" for name in raw.ch_names})
raw.info["line_freq"] = 60.0
stream = RecordingStream(raw, reference="laplacian", notch="reference", chunk_duration=60.0)
windows = sliding_windows(raw, 5.0, 5.0)
stream.write_spectrograms(out, windows, method="stft", batch_size=16)
features = np.load(out, mmap_mode="r")
# VmHWM, not getrusage: ru_maxrss would include the parent's memory copied at fork
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
print(json.dumps({"peak_rss_bytes": peak, "windows": len(windows),
                  "shape": list(features.shape), "seconds": time.perf_counter() - start}))
"""


def bench_memory(durations=(3600.0, 7200.0), tmp: str | None = None) -> list[dict]:
    """Peak RSS of streaming preprocessing for each duration, each in a fresh process."""
    results = []
    with tempfile.TemporaryDirectory(dir=tmp) as folder:
        folder = Path(folder)
        for duration in durations:
            header = write_brainvision(folder, duration)
            out = folder / "features.npy"
            result = subprocess.run(
                [sys.executable, "-c", CHILD, str(header), str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            figures["duration_s"] = duration
            results.append(figures)
            for path in folder.iterdir():
                path.unlink()
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10/20-min memory runs")
    parser.add_argument("--tmp", default=None, help="folder for the generated recordings")
    parser.add_argument("--skip-speed", action="store_true", help="only the memory part")
    args = parser.parse_args(argv)

    if not args.skip_speed:
        from bench_spectrograms import main as speed

        speed([])
        print()

    durations = (600.0, 1200.0) if args.quick else (3600.0, 7200.0)
    t0 = time.perf_counter()
    memory = bench_memory(durations, args.tmp)
    print(
        f"Peak RSS, streaming preprocessing of 128 ch at 2048 Hz read from disk "
        f"(notch + Laplacian + 5-s windows + STFT written to .npy; {time.perf_counter() - t0:.0f} s):"
    )
    for figures in memory:
        print(
            f"  {figures['duration_s'] / 3600:.2f} h: {figures['peak_rss_bytes'] / 2**30:.2f} GiB "
            f"(target <= 1.5 GiB), {figures['windows']} windows -> {figures['shape']}, "
            f"{figures['seconds']:.0f} s"
        )
    ratio = memory[-1]["peak_rss_bytes"] / memory[0]["peak_rss_bytes"]
    print(f"  peak RSS ratio for double the duration: {ratio:.2f} (flat = 1.00)")


if __name__ == "__main__":
    main()
