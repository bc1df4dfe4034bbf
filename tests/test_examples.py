"""Every gallery example runs as a plain script and as sphinx-gallery's notebook.

Each ``examples/plot_*.py`` runs in its own subprocess with the Agg backend,
from a temporary working directory, so a broken example fails here without
building the documentation site. Each example is also converted to the
``.ipynb`` that sphinx-gallery offers for download (its own block splitter and
notebook writer, with the gallery configuration of ``docs/conf.py``) and that
notebook is executed cell by cell in a fresh ``python3`` kernel with nbclient:
a cell boundary that breaks the example (a name defined in a text block, a
trailing expression that only works as a script) fails here.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DOCS_CONF = REPO / "docs" / "conf.py"
SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))
TIMEOUT_S = 120  # each example is written to run in well under a minute
CELL_TIMEOUT_S = 120  # per notebook cell (kernel start-up included)


def _example_env(tmp_path):
    """Environment of an example: no display, one OpenMP thread, temp files in tmp_path."""
    return {
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        # examples put their data in tempfile.mkdtemp(); keep it inside tmp_path
        "TMPDIR": str(tmp_path),
    }


def test_examples_are_found():
    assert SCRIPTS, f"no examples/plot_*.py under {EXAMPLES}"
    assert (EXAMPLES / "README.txt").is_file(), "sphinx-gallery needs examples/README.txt"


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_example_runs(script, tmp_path):
    env = dict(os.environ, **_example_env(tmp_path))
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


def _docs_gallery_conf():
    """``sphinx_gallery_conf`` of docs/conf.py, read without running conf.py.

    The notebook must be the one the site offers, so the options that shape it
    (``remove_config_comments``, ``first_notebook_cell``, ...) come from there.
    """
    tree = ast.parse(DOCS_CONF.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "sphinx_gallery_conf" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{DOCS_CONF} defines no literal sphinx_gallery_conf")


def _gallery_notebook(script, target_dir):
    """Write the ``.ipynb`` sphinx-gallery generates for ``script``; return its path."""
    from sphinx_gallery import py_source_parser
    from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
    from sphinx_gallery.notebook import jupyter_notebook, save_notebook

    gallery_conf = {**DEFAULT_GALLERY_CONF, **_docs_gallery_conf()}
    gallery_conf["src_dir"] = str(DOCS_CONF.parent)
    _, blocks = py_source_parser.split_code_and_text_blocks(str(script))
    # What sphinx-gallery's gen_rst does before writing the notebook: ignore
    # blocks first, then config comments, then a now-empty last block.
    blocks = [
        py_source_parser.Block(label, py_source_parser.remove_ignore_blocks(content), line)
        for label, content, line in blocks
    ]
    if gallery_conf["remove_config_comments"]:
        blocks = [
            py_source_parser.Block(label, py_source_parser.remove_config_comments(content), line)
            for label, content, line in blocks
        ]
    if blocks[-1].content.isspace():
        blocks = blocks[:-1]
    notebook = jupyter_notebook(blocks, gallery_conf, target_dir)
    path = Path(target_dir) / f"{script.stem}.ipynb"
    save_notebook(notebook, path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_example_runs_as_notebook(script, tmp_path, monkeypatch):
    pytest.importorskip("sphinx_gallery", reason="the notebook is sphinx-gallery's")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel", reason="the notebook runs in a python3 kernel")

    path = _gallery_notebook(script, tmp_path)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code_cells) >= 2, f"{path.name}: sphinx-gallery found no cell breaks in {script}"

    # The kernel inherits this process's environment.
    for name, value in _example_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_S,
        startup_timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{script.name} failed as a notebook:\n{error}")
    executed = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in executed), f"{path.name}: a cell did not run"
