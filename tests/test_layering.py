"""Imports point one way, along the data flow; nothing low imports something high."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ieegrep"

# lowest first; a module may import its own layer and any layer below it
LAYERS = [
    {"exceptions", "verbosity", "atomic"},
    {"electrodes", "atlas"},
    {"bids", "datasets"},
    {"preprocessing"},
    {"models"},
    {"training"},
    {"decoding", "derivatives", "analysis"},
    {"viz"},
    {"cli"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _top(module_path: Path) -> str:
    relative = module_path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package_parts[: len(package_parts) - node.level + 1])
                target = base + (node.module.split(".") if node.module else [])
                if node.module is None:
                    for alias in node.names:
                        yield node.lineno, target + [alias.name]
                    continue
            elif node.module and node.module.startswith("ieegrep"):
                target = node.module.split(".")
            else:
                continue
            yield node.lineno, target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ieegrep"):
                    yield node.lineno, alias.name.split(".")


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    source = _top(path)
    assert source in RANK, f"{source} has no layer: add it to LAYERS in this test"
    for lineno, target in _imports(path):
        if len(target) < 2 or target[0] != "ieegrep":
            continue
        imported = target[1]
        if imported in ("__version__",):
            continue
        assert imported in RANK, f"{path.name}:{lineno} imports unknown layer {imported}"
        assert RANK[imported] <= RANK[source], (
            f"{path.relative_to(PACKAGE)}:{lineno} ({source}) imports {imported}, "
            "which is higher in the data flow"
        )
