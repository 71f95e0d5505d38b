"""A writer killed with SIGKILL at any moment leaves the old file or the new one.

``tests/e2e/crash_writer.py`` opens a vault holding a few thousand keys (a save
writes about 1 MB and fsyncs it, which takes milliseconds) and saves in a loop,
printing the entry count after each completed save. We kill it at a random
moment, half of the time as soon as its temp file appears (mid-save), and
check that the vault opens with either the last printed count or one more.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO
from tests.e2e.support import (
    LineReader,
    assert_private,
    binance_entry,
    build_big_vault,
    child_env,
    temp_files,
)
from vault_app.core.vault import Vault

ENTRIES = 3000
RUNS = 50
LINE_TIMEOUT = 30.0


def wait_for_temp_file(path: Path, proc: subprocess.Popen[str], timeout: float) -> None:
    """Return as soon as a save of ``path`` has created its temp file."""
    deadline = time.monotonic() + timeout
    while not temp_files(path):
        assert proc.poll() is None, "the writer exited"
        assert time.monotonic() < deadline, "the writer never started a save"


@pytest.mark.slow
def test_sigkill_at_a_random_moment_leaves_the_old_or_the_new_vault(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    path = tmp_path / "big.vault"
    build_big_vault(path, ENTRIES)
    seed = int.from_bytes(os.urandom(4), "big")
    record_property("seed", seed)
    rng = random.Random(seed)
    ids = [e.id for e in Vault.open(path, PASSWORD).entries]
    stats: Counter[str] = Counter()
    started = time.monotonic()

    for run in range(RUNS):
        mid_save = run % 2 == 0
        err_path = tmp_path / "writer.err"
        with err_path.open("w") as err, subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.crash_writer", str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
            cwd=REPO, env=child_env(),
        ) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            reader = LineReader(proc.stdout)
            try:
                proc.stdin.write(f"{PASSWORD}\n")
                proc.stdin.close()
                assert int(reader.next_line(LINE_TIMEOUT)) == len(ids), f"run {run}"
                for _ in range(rng.randrange(3)):  # let a few saves complete
                    reader.next_line(LINE_TIMEOUT)
                if mid_save:
                    wait_for_temp_file(path, proc, LINE_TIMEOUT)
                else:
                    time.sleep(rng.uniform(0, 0.015))  # a random moment, about two saves
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(LINE_TIMEOUT)
                printed = reader.rest(LINE_TIMEOUT)
        assert proc.returncode == -signal.SIGKILL, (run, err_path.read_text())
        assert err_path.read_text() == "", run
        last = int(printed[-1])

        stray = temp_files(path)
        stats["left a temp file"] += bool(stray)
        vault = Vault.open(path, PASSWORD)  # must open: never damaged, never a mix
        count = len(vault)
        assert count in (last, last + 1), (run, last, count)
        stats["new contents not yet reported"] += count == last + 1
        # Old or new contents: everything saved before, then this writer's keys in order.
        entries = vault.entries
        assert [e.id for e in entries[:len(ids)]] == ids, run
        assert [e.label for e in entries[len(ids):]] == \
            [f"writer {proc.pid} #{n}" for n in range(1, count - len(ids) + 1)], run

        # The next save removes whatever temp file the killed writer left.
        vault.add(binance_entry(f"check {run}", f"check-{run}"))
        assert temp_files(path) == [], (run, stray)
        assert_private(path)
        ids = [e.id for e in Vault.open(path, PASSWORD).entries]
        assert len(ids) == count + 1

    elapsed = time.monotonic() - started
    record_property("stats", dict(stats))
    print(f"\n{RUNS} writers killed in {elapsed:.1f} s (seed {seed}): {dict(stats)}")
    assert len(ids) > ENTRIES + RUNS


def test_a_save_removes_a_temp_file_left_by_a_killed_writer(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    vault = new_vault(1)
    before = vault_path.read_bytes()
    # What a writer killed mid-save leaves: a partial temp file next to the vault.
    stale = vault_path.with_name(f".{vault_path.name}.tmp-{os.urandom(6).hex()}")
    stale.write_bytes(before[:100])
    other = vault_path.with_name("unrelated.tmp-keep")  # not ours: left alone
    other.write_bytes(b"x")
    assert Vault.open(vault_path, PASSWORD).entries == vault.entries  # reading ignores it
    assert stale.exists()

    vault.add(binance_entry("after the crash", "after"))
    assert not stale.exists()
    assert other.exists()
    assert temp_files(vault_path) == []
    assert [e.label for e in Vault.open(vault_path, PASSWORD).entries] == \
        ["key 0", "after the crash"]
