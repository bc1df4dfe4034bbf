"""Sphinx configuration of ieegrep's documentation site.

Build offline with ``make html`` (``sphinx-build -W --keep-going -b html . _build/html``):
every warning fails the build and every example under ``../examples`` is executed.
"""

import inspect
import os
import sys
from datetime import date

import matplotlib

# Examples must draw without a display; set before sphinx-gallery imports pyplot.
matplotlib.use("Agg")

import ieegrep  # noqa: E402

sys.path.insert(0, os.path.abspath("."))

project = "ieegrep"
author = "The ieegrep developers"
copyright = f"{date.today().year}, {author}"
release = ieegrep.__version__ if hasattr(ieegrep, "__version__") else "0.1.0.dev0"
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
default_role = "py:obj"

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_member_order = "bysource"
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False  # members come from the autosummary class template
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# The build machine has no network: no inventories are fetched.
intersphinx_mapping = {}

# -- Gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("ieegrep",),
    "reference_url": {"ieegrep": None},
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    "show_memory": False,
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# -- HTML ---------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "ieegrep"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "icon_links": [
        {
            "name": "GitHub",
            "url": "https://github.com/ieegrep/ieegrep",
            "icon": "fa-brands fa-github",
        }
    ],
}
html_show_sourcelink = False


def _drop_inherited_data_docstring(app, what, name, obj, options, lines):
    """Keep a constant's page from showing the docstring of its type (e.g. ndarray's)."""
    type_doc = type(obj).__doc__
    if what not in ("data", "attribute") or not isinstance(type_doc, str) or not type_doc:
        return
    own = [line.strip() for line in lines if line.strip()]
    inherited = [line.strip() for line in inspect.cleandoc(type_doc).splitlines() if line.strip()]
    if own and own[0] == inherited[0]:
        lines.clear()


def setup(app):  # noqa: D103
    # Before numpydoc (priority 500) rewrites the lines.
    app.connect("autodoc-process-docstring", _drop_inherited_data_docstring, priority=100)
