"""The ``ieegrep`` command line.

``ieegrep demo``
    Reads the bundled real sample, prints each recording's channels per region
    and saves the figures and the full table.
``ieegrep regions BIDS_ROOT``
    Prints, per recording, the channels per region and the ``Unknown`` ones;
    ``--output regions.tsv`` writes the full electrode tables.

Errors about the input are printed as ieegrep's explanation (file, field,
value, fix) with exit status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd

from . import __version__
from .atlas import DEFAULT_RADIUS_MM, available_atlases
from .atlas.lobes import UNKNOWN
from .atomic import atomic_write
from .bids import ECOG_RADIUS_MM, Recording, find_recordings, load_recording
from .exceptions import IeegrepError, IeegrepWarning
from .verbosity import set_log_level
from .viz import plot_electrodes

__all__ = ["main"]


def _show_warning(message, category, filename, lineno, file=None, line=None):
    sys.stdout.flush()
    print(f"warning: {category.__name__}: {message}", file=sys.stderr, flush=True)


def _print_regions(recording: Recording, level: str, width: int = 100) -> None:
    provenance = recording.provenance
    print(f"  {recording.summary().splitlines()[0].split(': ', 1)[1]}")
    print(
        f"  regions from {provenance['region_source']}; space {provenance['space']}"
        + (f" ({provenance['space_note']})" if provenance.get("space_note") else "")
    )
    table = recording.channels_per_region(level)
    known = table[table[level] != UNKNOWN]
    if len(known):
        name_width = max(len(level), *(len(str(v)) for v in known[level]))
        print(f"  {level:<{name_width}}  hemi  n    channels")
        for row in known.itertuples(index=False):
            channels = textwrap.shorten(
                row.channels, width=max(20, width - name_width - 16), placeholder=" ..."
            )
            print(
                f"  {getattr(row, level):<{name_width}}  {row.hemisphere:<4}  "
                f"{row.n_channels:<3}  {channels}"
            )
    unknown = recording.unknown_channels
    print(
        f"  Unknown ({len(unknown)}): "
        + (textwrap.shorten(", ".join(unknown), width=width, placeholder=" ...") or "none")
    )


def _table(recordings: list[Recording]) -> pd.DataFrame:
    frames = []
    for rec in recordings:
        frame = rec.electrodes.copy()
        ids = {
            "recording": rec.name,
            "subject": rec.subject,
            "session": rec.session,
            "task": rec.task,
            "run": rec.bids_path.run,
        }
        for position, (key, value) in enumerate(ids.items()):
            frame.insert(position, key if key not in frame.columns else f"{key}_", value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _load_and_print(root, args) -> list[Recording]:
    """Load each recording and print its regions right away, so warnings sit next to it."""
    recordings = []
    for path in find_recordings(root, subject=args.subject, session=args.session, task=args.task):
        print(f"\n{path.basename}", flush=True)
        recording = load_recording(
            path,
            atlas=args.atlas,
            space=args.space,
            radius=args.radius,
            ecog_radius=args.ecog_radius,
        )
        _print_regions(recording, args.level)
        recordings.append(recording)
    return recordings


def _save_figures(recordings, folder: Path, level: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for rec in recordings:
        fig = plot_electrodes(rec, color_by=level, title=rec.name)
        path = folder / f"{rec.name}_regions.png"
        with atomic_write(path, "wb") as fid:
            fig.savefig(fid, format="png", dpi=110)
        plt.close(fig)
        saved.append(path)
    return saved


def _write_table(recordings, output: Path) -> None:
    table = _table(recordings)
    with atomic_write(output, newline="") as fid:
        table.to_csv(fid, sep="\t", index=False, na_rep="n/a")
    print(f"\nwrote {len(table)} rows to {output}")


def _cmd_regions(args) -> int:
    recordings = _load_and_print(args.bids_root, args)
    if args.output:
        _write_table(recordings, Path(args.output))
    if args.plot:
        for path in _save_figures(recordings, Path(args.plot), args.level):
            print(f"saved {path}")
    return 0


def _cmd_demo(args) -> int:
    from .datasets import sample_path

    root = sample_path()
    print(f"ieegrep {__version__} demo on the bundled real sample ({root})")
    recordings = _load_and_print(root, args)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    _write_table(recordings, out / "regions.tsv")
    if not args.no_plot:
        for path in _save_figures(recordings, out, args.level):
            print(f"saved {path}")
    return 0


def _add_common(parser, *, subject=True):
    parser.add_argument(
        "--atlas",
        default="desikan-killiany",
        help=f"atlas: {', '.join(available_atlases())} (default: %(default)s)",
    )
    parser.add_argument(
        "--space",
        default=None,
        help="electrodes.tsv space to use when several exist (default: MNI first)",
    )
    parser.add_argument(
        "--radius",
        type=float,
        default=DEFAULT_RADIUS_MM,
        help="search radius for sEEG/DBS contacts, mm (default: %(default)s)",
    )
    parser.add_argument(
        "--ecog-radius",
        type=float,
        default=ECOG_RADIUS_MM,
        help="search radius for ECoG contacts, mm (default: %(default)s)",
    )
    parser.add_argument(
        "--level",
        choices=("region", "lobe"),
        default="region",
        help="group channels by atlas region or lobe (default: %(default)s)",
    )
    if subject:
        parser.add_argument("--subject", nargs="+", help="only these subjects")
        parser.add_argument("--session", nargs="+", help="only these sessions")
        parser.add_argument("--task", nargs="+", help="only these tasks")
    else:
        parser.set_defaults(subject=None, session=None, task=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ieegrep",
        description="Self-supervised representation learning for intracranial EEG on BIDS.",
    )
    parser.add_argument("--version", action="version", version=f"ieegrep {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the main job on the bundled real sample")
    demo.add_argument(
        "--output",
        default="ieegrep-demo",
        help="folder for the figures and the table (default: %(default)s)",
    )
    demo.add_argument("--no-plot", action="store_true", help="do not draw figures")
    _add_common(demo, subject=False)
    demo.set_defaults(func=_cmd_demo)

    regions = sub.add_parser("regions", help="channels per atlas region, per recording")
    regions.add_argument("bids_root", help="root of the BIDS dataset")
    regions.add_argument("--output", help="write the full electrode tables to this TSV file")
    regions.add_argument("--plot", metavar="DIR", help="save one figure per recording here")
    _add_common(regions)
    regions.set_defaults(func=_cmd_regions)
    return parser


def main(argv=None) -> int:
    """Run the ``ieegrep`` command line.

    Parameters
    ----------
    argv : list of str | None
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 when the input is at fault (the message says why).
    """
    args = _parser().parse_args(argv)
    set_log_level("info" if args.verbose else "warning")
    with warnings.catch_warnings():
        warnings.simplefilter("always", IeegrepWarning)
        warnings.showwarning = _show_warning
        try:
            return args.func(args)
        except IeegrepError as err:
            print(f"error: {type(err).__name__}: {err}", file=sys.stderr)
            return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
