"""Helpers shared by the benchmark scripts: timing, fixtures, printing."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark horse battery staple"


def median_time(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def run_cli(vault: Path, *args: str, stdin: str) -> float:
    """Wall time of one real `vault-app-cli` process."""
    env = dict(os.environ, VAULT_APP_VAULT=str(vault))
    script = Path(sys.executable).with_name("vault-app-cli")  # what users run
    start = time.perf_counter()
    proc = subprocess.run([str(script), *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=REPO, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"vault-app-cli {' '.join(args)} failed: {proc.stderr.strip()}")
    return elapsed


def report(name: str, value: float, target: float | None = None, unit: str = "s",
           note: str = "") -> None:
    shown = f"{value * 1000:8.1f} ms" if unit == "s" else f"{value:8.1f} {unit}"
    goal = ""
    if target is not None:
        target_shown = f"{target * 1000:.0f} ms" if unit == "s" else f"{target:g} {unit}"
        verdict = "ok" if value <= target else "OVER TARGET"
        goal = f"  (target <= {target_shown}: {verdict})"
    print(f"  {name:<52}{shown}{goal}{'  ' + note if note else ''}")
