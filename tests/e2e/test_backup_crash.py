"""An export killed with SIGKILL at any moment leaves the previous backup or the new
one under the chosen name, never a mix, and never a plaintext file beside it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO
from tests.e2e.support import LineReader, child_env
from tests.unit.backups.support import fields, vault_with_orders
from vault_app.backups.restore import read_backup
from vault_app.core.vault_format import MAGIC

RUNS = 12
LINE_TIMEOUT = 30.0


@pytest.mark.slow
def test_sigkill_during_exports_leaves_the_old_or_the_new_backup(
        tmp_path: Path, vault_path: Path, record_property: Callable[[str, object], None]) -> None:
    vault = vault_with_orders(vault_path)
    entries = vault.entries
    target = tmp_path / "backups" / "keys.backup"
    target.parent.mkdir()
    seed = int.from_bytes(os.urandom(4), "big")
    record_property("seed", seed)
    rng = random.Random(seed)
    for run in range(RUNS):
        with subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.backup_writer", str(vault_path),
                 str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, cwd=REPO, env=child_env()) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            reader = LineReader(proc.stdout)
            try:
                proc.stdin.write(f"{PASSWORD}\n")
                proc.stdin.close()
                reader.next_line(LINE_TIMEOUT)  # one export done: a backup exists
                time.sleep(rng.uniform(0, 0.02))  # a random moment, about an export
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(LINE_TIMEOUT)
                printed = reader.rest(LINE_TIMEOUT)
        assert proc.returncode == -signal.SIGKILL, run
        last = int(printed[-1])
        backup = read_backup(target, PASSWORD)  # always opens: the old or the new file
        count = len(backup.entries)
        assert count in (last, last % 3 + 1), (run, seed, last, count)
        assert fields(backup.entries) == fields(entries[:count]), (run, seed)
        for stray in target.parent.iterdir():  # a killed export's temp: sealed, never plain
            head = stray.read_bytes()[:len(MAGIC)]
            assert MAGIC.startswith(head), (run, stray.name)  # empty if killed at once
            if stray != target:
                stray.unlink()
