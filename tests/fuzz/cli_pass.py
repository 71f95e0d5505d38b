"""The fuzz's CLI-level pass: real ``vault-app-cli list`` and ``inspect`` processes.

Each run must exit 0, 2, 3, 4 or 5; a failing run prints exactly one
``vault-app-cli: error:`` line; nothing prints a traceback; the file is left
byte-identical. Files whose KDF is above the fuzz cap are only inspected.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import PASSWORD, REPO

ALLOWED_EXITS = frozenset({0, 2, 3, 4, 5})
ERROR_PREFIX = "vault-app-cli: error: "
TIMEOUT_SECONDS = 60
WORKERS = 2  # the machine has 2 cores


@dataclass(frozen=True)
class CliCase:
    name: str  # "files:12" or "payloads:7"
    data: bytes = field(repr=False)
    run_list: bool  # False when the KDF is above the fuzz cap


@dataclass
class CliReport:
    runs: int = 0
    exits: Counter[str] = field(default_factory=Counter)
    bugs: list[tuple[str, str, str]] = field(default_factory=list)  # (class, case, detail)


def _command() -> list[str]:
    script = Path(sys.executable).with_name("vault-app-cli")
    return [str(script)] if script.exists() else [sys.executable, "-m", "vault_app.cli"]


def _run(case: CliCase, command: str, folder: Path) -> tuple[str, str | None, str]:
    """(command: exit, bug class or None, detail)."""
    path = folder / "fuzz.vault"
    path.write_bytes(case.data)
    env = dict(os.environ, HOME=str(folder / "home"), XDG_CONFIG_HOME=str(folder / "config"),
               XDG_DATA_HOME=str(folder / "data"), XDG_CACHE_HOME=str(folder / "cache"))
    try:
        proc = subprocess.run([*_command(), "--vault", str(path), command],
                              input=PASSWORD + "\n", capture_output=True, text=True,
                              errors="replace", env=env, cwd=REPO, timeout=TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        return f"{command}: timeout", f"BUG cli {command} hangs", f"> {TIMEOUT_SECONDS} s"
    label = f"{command}: exit {proc.returncode}"
    errors = [line for line in proc.stderr.splitlines() if line.startswith(ERROR_PREFIX)]
    last = proc.stderr.strip().splitlines()[-1:] or [""]
    if "Traceback" in proc.stderr + proc.stdout:
        return label, f"BUG cli {command} prints a traceback", last[0][:200]
    if proc.returncode not in ALLOWED_EXITS:
        return label, f"BUG cli {command} exit {proc.returncode}", last[0][:200]
    if proc.returncode != 0 and len(errors) != 1:
        return label, f"BUG cli {command} error lines != 1", proc.stderr[:200]
    if path.read_bytes() != case.data:
        return label, f"BUG cli {command} changed the file", ""
    return label, None, ""


def _check(case: CliCase, root: Path) -> list[tuple[str, str | None, str]]:
    folder = Path(tempfile.mkdtemp(dir=root))
    try:
        commands = ("inspect", "list") if case.run_list else ("inspect",)
        return [_run(case, command, folder) for command in commands]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_cli_pass(cases: Sequence[CliCase], root: Path) -> CliReport:
    report = CliReport()
    with ThreadPoolExecutor(WORKERS) as pool:
        for case, results in zip(cases, pool.map(lambda c: _check(c, root), cases),
                                 strict=True):
            for label, bug, detail in results:
                report.runs += 1
                report.exits[label] += 1
                if bug is not None:
                    report.bugs.append((bug, case.name, detail))
    return report
