"""Every public module, class and function of the package has a docstring."""

from __future__ import annotations

import ast
from pathlib import Path

import rapid_adoption

PACKAGE = Path(rapid_adoption.__file__).parent


def public_definitions_without_docstrings() -> list[str]:
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(PACKAGE.parent)
        if not ast.get_docstring(tree) and path.name != "__main__.py":
            missing.append(f"{relative}: module")
        # Module-level functions and classes, and the methods of public classes (nested helpers are private).
        nodes = list(tree.body)
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                nodes.extend(node.body)
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name.startswith("_"):
                    continue
                if not ast.get_docstring(node):
                    missing.append(f"{relative}:{node.lineno}: {node.name}")
    return missing


def test_every_public_definition_has_a_docstring():
    assert public_definitions_without_docstrings() == []
