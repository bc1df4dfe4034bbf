"""Check that a built site shows every gallery example with its figures.

Usage: ``python check_build.py [BUILD_HTML_DIR]`` (default ``_build/html``; run
by ``make check`` after ``make html``). For each ``examples/plot_*.py`` the page
``auto_examples/<name>.html`` must exist and hold at least one ``<img>`` whose
``src`` is one of sphinx-gallery's figures of that example
(``_images/sphx_glr_<name>_NNN.png``), and every such image must exist on disk.
Exits 1 and lists the problems otherwise.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"


class _ImageSources(HTMLParser):
    """Collect the ``src`` of every ``<img>`` of a page."""

    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):  # noqa: D102
        if tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.sources.append(src)


def check(html_dir: Path) -> list[str]:
    """Return the problems found in the built site ``html_dir`` (empty: all good)."""
    scripts = sorted(EXAMPLES.glob("plot_*.py"))
    if not scripts:
        return [f"no examples/plot_*.py under {EXAMPLES}"]
    problems = []
    for script in scripts:
        page = html_dir / "auto_examples" / f"{script.stem}.html"
        if not page.is_file():
            problems.append(f"{script.name}: no page {page}")
            continue
        parser = _ImageSources()
        parser.feed(page.read_text(encoding="utf-8"))
        figure = re.compile(rf"(^|/)_images/sphx_glr_{re.escape(script.stem)}_\d+\.png$")
        figures = [src for src in parser.sources if figure.search(urlsplit(src).path)]
        if not figures:
            problems.append(f"{script.name}: {page.name} shows none of the example's figures")
        for src in figures:
            target = (page.parent / unquote(urlsplit(src).path)).resolve()
            if not target.is_file():
                problems.append(f"{script.name}: {page.name} points at missing {src}")
        print(f"{script.stem}: {len(figures)} figure(s)")
    return problems


def main(argv=None) -> int:
    """Check the site given on the command line; print the problems; 1 if any."""
    argv = sys.argv[1:] if argv is None else argv
    html_dir = Path(argv[0]) if argv else HERE / "_build" / "html"
    problems = check(html_dir)
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
