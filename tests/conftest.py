"""Shared fixtures: the real data beside the repository, and copies to corrupt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ieegrep.datasets import sample_path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("IEEGREP_SHARED", REPO.parent / "shared"))


def pytest_collection_modifyitems(config, items):
    if (SHARED / "data").is_dir():
        return
    skip = pytest.mark.skip(reason=f"needs the shared data folder ({SHARED})")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ``../shared`` folder (tests using it carry the ``shared`` mark)."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"needs the shared data folder ({SHARED})")
    return SHARED


@pytest.fixture
def one_torch_thread():
    """Run the test on one torch thread (``pytestmark = usefixtures("one_torch_thread")``).

    Tiny models: on a shared CPU, thread start-up and OpenMP hand-off cost more
    than the arithmetic.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A writable copy of the bundled real sample, to damage in a test."""
    root = tmp_path / "sample"
    shutil.copytree(sample_path(), root)
    return root


@pytest.fixture
def seeg_dir(sample_copy) -> Path:
    """The ``ieeg`` folder of the sEEG recording (sub-01) in a writable copy."""
    return sample_copy / "sub-01" / "ieeg"


@pytest.fixture(scope="session")
def validate_bids():
    """Run the official ``bids-validator-deno`` on a folder; return its JSON report.

    ``report["errors"]`` lists the issues of severity ``error``.
    """
    found = shutil.which("bids-validator-deno")
    beside = Path(sys.executable).parent / "bids-validator-deno"
    executable = found or (str(beside) if beside.exists() else None)
    if executable is None:
        pytest.skip("bids-validator-deno is not installed (pip install -e '.[test]')")

    def run(root) -> dict:
        result = subprocess.run(
            [executable, str(root), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        report = json.loads(result.stdout)
        issues = report["issues"]["issues"]
        report["errors"] = [issue for issue in issues if issue["severity"] == "error"]
        return report

    return run
