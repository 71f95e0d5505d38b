"""The core, the backups and the CLI stand without Qt and without ccxt.

A fresh interpreter imports every core and backups module and the CLI, runs the CLI's
``main()`` for ``add`` and ``list``, and must not have loaded PySide6,
shiboken6 or ccxt. A static check walks the source of the core, the backups (and of
the trading layer, if present) for forbidden imports.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO
from tests.e2e.support import run_python
from vault_app.core.vault import Vault

PACKAGE = REPO / "vault_app"
QT_PREFIXES = ("PySide6", "shiboken6", "PyQt")
BANNED_AT_RUNTIME = ("PySide6", "shiboken6", "ccxt")

PROBE = """
import importlib, io, json, pkgutil, sys

import vault_app.core
core = sorted(f"vault_app.core.{m.name}" for m in pkgutil.iter_modules(vault_app.core.__path__))
for name in core:
    importlib.import_module(name)
import vault_app.backups
backups = sorted(f"vault_app.backups.{m.name}"
                 for m in pkgutil.iter_modules(vault_app.backups.__path__))
for name in backups:
    importlib.import_module(name)
import vault_app.cli

vault, password = sys.argv[1], sys.stdin.readline().rstrip("\\n")

def run(args, *lines):
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("".join(f"{line}\\n" for line in (password, *lines)))
    code = vault_app.cli.main(["--vault", vault, *args], stdin=stdin, stdout=out, stderr=err)
    return {"code": code, "out": out.getvalue(), "err": err.getvalue()}

results = {
    "add": run(["add", "--exchange", "okx", "--label", "probe", "--permissions", "read,trade",
                "--ip", "192.0.2.1", "--api-url", "https://eea.okx.com"],
               "probe-key", "probe-secret", "probe-pass"),
    "list": run(["list"]),
    "list_json": run(["list", "--json"]),
    "show": run(["show", "probe"]),
}
banned = sorted(
    name for name in sys.modules
    if name.split(".")[0].startswith(("PySide6", "shiboken6", "ccxt", "PyQt"))
)
print(json.dumps({"core": core, "backups": backups, "results": results, "banned": banned}))
"""


@pytest.fixture
def probe(new_vault: Callable[..., Vault], vault_path: Path) -> dict[str, object]:
    new_vault(1)
    proc = run_python(PROBE, str(vault_path), cwd=REPO, stdin=f"{PASSWORD}\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    result: dict[str, object] = json.loads(proc.stdout)
    return result


def test_the_banned_packages_are_installed() -> None:
    """Otherwise the runtime check below would pass for the wrong reason."""
    for name in BANNED_AT_RUNTIME:
        assert importlib.util.find_spec(name) is not None, name


def test_core_and_cli_run_without_qt_or_ccxt(probe: dict[str, object],
                                            vault_path: Path) -> None:
    core = probe["core"]
    assert isinstance(core, list)
    assert {"vault_app.core.vault", "vault_app.core.storage", "vault_app.core.exchanges",
            "vault_app.core.model"} <= set(core)
    backups = probe["backups"]
    assert isinstance(backups, list)
    assert {f"vault_app.backups.{p.stem}" for p in (PACKAGE / "backups").glob("*.py")
            if p.stem != "__init__"} == set(backups)
    results = probe["results"]
    assert isinstance(results, dict)
    for name, result in results.items():
        assert result["code"] == 0, (name, result)
    assert "Added 'probe'" in results["add"]["out"]
    assert "probe" in results["list"]["out"]
    assert [item["label"] for item in json.loads(results["list_json"]["out"])] == \
        ["key 0", "probe"]
    assert "custom (https://eea.okx.com)" in results["show"]["out"]
    assert probe["banned"] == []
    assert len(Vault.open(vault_path, PASSWORD)) == 2


# --- static check ----------------------------------------------------------------------


def _imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    if isinstance(node, ast.Call):  # importlib.import_module("x"), __import__("x")
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else ""
        if name in ("import_module", "__import__") and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            return [node.args[0].value]
    return []


def imports(source: str, *, module_level_only: bool) -> list[tuple[int, str]]:
    """(line, module) of every import; with ``module_level_only``, only those that run
    when the module is imported (function bodies are skipped, class bodies are not)."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if module_level_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef |
                                            ast.Lambda):
            return
        found.extend((getattr(node, "lineno", 0), name) for name in _imported_names(node))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def python_files() -> list[Path]:
    folders = [PACKAGE / "core", PACKAGE / "backups", PACKAGE / "trading"]
    files = [f for folder in folders if folder.is_dir() for f in sorted(folder.rglob("*.py"))]
    return files


def test_python_files_are_found() -> None:
    names = {str(f.relative_to(PACKAGE)) for f in python_files()}
    assert {"core/vault.py", "core/storage.py", "core/crypto.py", "core/exchanges.py",
            "backups/export.py", "backups/merge.py", "backups/copies.py"} <= names


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_core_backups_and_trading_never_import_qt(path: Path) -> None:
    offending = [(line, name) for line, name in
                 imports(path.read_text(encoding="utf-8"), module_level_only=False)
                 if _top(name).startswith(QT_PREFIXES)]
    assert offending == []


@pytest.mark.parametrize("path", [p for p in python_files()
                                  if {"core", "backups"} & set(p.parts)],
                         ids=lambda p: str(p.relative_to(REPO)))
def test_core_and_backups_never_import_ccxt_at_module_level(path: Path) -> None:
    offending = [(line, name) for line, name in
                 imports(path.read_text(encoding="utf-8"), module_level_only=True)
                 if _top(name) == "ccxt"]
    assert offending == []


@pytest.mark.parametrize(("source", "module_level_only", "expected"), [
    ("import PySide6.QtCore", False, ["PySide6.QtCore"]),
    ("from shiboken6 import isValid", False, ["shiboken6"]),
    ("if True:\n    import ccxt", True, ["ccxt"]),
    ("try:\n    from ccxt.base import errors\nexcept ImportError:\n    pass", True,
     ["ccxt.base"]),
    ("class A:\n    import ccxt", True, ["ccxt"]),
    ("import importlib\nx = importlib.import_module('ccxt')", True, ["importlib", "ccxt"]),
    ("def f():\n    import ccxt", True, []),
    ("def f():\n    import ccxt", False, ["ccxt"]),
    ("from . import storage", False, []),
])
def test_the_import_scanner(source: str, module_level_only: bool, expected: list[str]) -> None:
    assert [name for _, name in imports(source, module_level_only=module_level_only)] == \
        expected
