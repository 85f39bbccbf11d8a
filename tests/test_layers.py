"""The core model imports nothing from the layers above it (batch, fit, plots, view, cli, and
regions: the core reads only the scenario files the region builder writes)."""

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"
UPPER = ("sim.batch", "sim.fit", "sim.plots", "sim.view", "sim.cli", "sim.regions")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
    return names


@pytest.mark.parametrize("path", sorted((SIM / "model").rglob("*.py")), ids=lambda p: p.name)
def test_core_model_imports_no_upper_layer(path):
    bad = [n for n in _imports(path) if n.startswith(UPPER) or n == "sim"]
    assert not bad, f"{path.relative_to(SIM.parent)} imports {bad}"


def test_the_check_sees_an_upper_import(tmp_path):
    fake = tmp_path / "x.py"
    fake.write_text("from sim.batch.runner import Design\n")
    assert any(n.startswith(UPPER) for n in _imports(fake))
