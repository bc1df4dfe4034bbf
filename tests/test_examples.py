"""Every gallery example runs as a plain script (what sphinx-gallery executes).

Each ``examples/plot_*.py`` runs in its own subprocess with the Agg backend,
from a temporary working directory, so a broken example fails here without
building the documentation site.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))
TIMEOUT_S = 120  # each example is written to run in well under a minute


def test_examples_are_found():
    assert SCRIPTS, f"no examples/plot_*.py under {EXAMPLES}"
    assert (EXAMPLES / "README.txt").is_file(), "sphinx-gallery needs examples/README.txt"


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_example_runs(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    # examples put their data in tempfile.mkdtemp(); keep it inside tmp_path
    env["TMPDIR"] = str(tmp_path)
    completed = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert completed.returncode == 0, (
        f"{script.name} exited with {completed.returncode}\n"
        f"--- stdout (tail) ---\n{completed.stdout[-3000:]}\n"
        f"--- stderr (tail) ---\n{completed.stderr[-5000:]}"
    )
