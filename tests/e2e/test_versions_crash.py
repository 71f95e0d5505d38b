"""SIGKILL during saves and during password changes: the vault and every previous
version stay openable (core/versions.py, core/version_rekey.py)."""

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

from tests.conftest import PASSWORD, REPO, make_entry
from tests.e2e.support import LineReader, binance_entry, build_big_vault, child_env, temp_files
from vault_app.core import version_rekey, versions
from vault_app.core.errors import WrongPassword
from vault_app.core.vault import Vault

LINE_TIMEOUT = 30.0
OTHER = "the other master password"


def kill_at_random(module: str, path: Path, stdin: str, rng: random.Random,
                   tmp_path: Path, pause: float) -> list[str]:
    """Start ``module`` on ``path``, let it work a random while, SIGKILL it; its lines."""
    err_path = tmp_path / "child.err"
    with err_path.open("w") as err, subprocess.Popen(
        [sys.executable, "-m", module, str(path)], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO, env=child_env(),
    ) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        reader = LineReader(proc.stdout)
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
            reader.next_line(LINE_TIMEOUT)
            for _ in range(rng.randrange(3)):
                reader.next_line(LINE_TIMEOUT)
            time.sleep(rng.uniform(0, pause))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(LINE_TIMEOUT)
            printed = reader.rest(LINE_TIMEOUT)
    assert proc.returncode == -signal.SIGKILL, err_path.read_text()
    assert err_path.read_text() == ""
    return printed


def versions_folder(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


@pytest.mark.slow
def test_30_sigkills_during_saves_leave_the_vault_and_every_version_openable(
        tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    path = tmp_path / "big.vault"
    build_big_vault(path, 300)
    seed = int.from_bytes(os.urandom(4), "big")
    record_property("seed", seed)
    rng = random.Random(seed)
    for run in range(30):
        printed = kill_at_random("tests.e2e.crash_writer", path, f"{PASSWORD}\n", rng,
                                 tmp_path, 0.03)
        vault = Vault.open(path, PASSWORD)
        assert len(vault) in (int(printed[-1]), int(printed[-1]) + 1), run
        kept = versions.list_versions(path)
        # A writer killed between keeping a version and pruning leaves one too many,
        # pruned by the next completed save.
        assert kept, run
        for version in kept:
            opened = Vault.open(version.path, PASSWORD, read_only=True)
            assert len(opened) <= len(vault), (run, version.name)
        assert all(v.opens_with_current_key for v in vault.versions()), run
    # The next save removes what the killed writers left and prunes to 10.
    vault.add(binance_entry("last", "last"))
    assert len(versions.list_versions(path)) == 10
    assert temp_files(path) == []
    assert [n for n in os.listdir(versions_folder(path)) if n.startswith(".")] == []


@pytest.mark.slow
def test_20_sigkills_during_password_changes_leave_a_vault_one_password_opens(
        tmp_path: Path, new_vault: Callable[..., Vault], vault_path: Path,
        record_property: Callable[[str, object], None]) -> None:
    vault = new_vault()
    for index in range(12):
        vault.add(make_entry(label=f"key {index}", exchange="binance"))
    expected = list(vault.entries)
    passwords = [PASSWORD, OTHER]
    current = 0
    seed = int.from_bytes(os.urandom(4), "big")
    record_property("seed", seed)
    rng = random.Random(seed)
    outcomes = {"finished": 0, "pending": 0}
    for run in range(20):
        stdin = f"{passwords[current]}\n{passwords[1 - current]}\n"
        printed = kill_at_random("tests.e2e.rekey_writer", vault_path, stdin, rng,
                                 tmp_path, 0.02)
        last = passwords[current] if int(printed[-1]) == 0 else passwords[1 - current]
        record = versions_folder(vault_path) / version_rekey.RECORD_NAME
        outcomes["pending" if record.exists() else "finished"] += 1
        opened = None
        for password in (last, passwords[0] if last == passwords[1] else passwords[1]):
            try:
                opened = Vault.open(vault_path, password)  # for writing: finishes a change
            except WrongPassword:
                continue
            current = passwords.index(password)
            break
        assert opened is not None, run
        assert list(opened.entries) == expected, run
        assert opened.save_warning is None, (run, opened.save_warning)
        assert not record.exists(), run
        summaries = opened.versions()
        assert summaries and all(v.opens_with_current_key for v in summaries), run
        for summary in summaries:
            with pytest.raises(WrongPassword):
                Vault.open(versions_folder(vault_path) / summary.name,
                           passwords[1 - current], read_only=True)
    record_property("outcomes", outcomes)
    print(f"\n20 password changes killed (seed {seed}): {outcomes}")


# Where each deterministic kill leaves a change: the password that opens the vault
# (0: the old one, 1: the new one), and whether the pending record is on disk.
KILL_POINTS = {"kept": (0, False), "record": (0, True), "written": (1, True),
               "resealing": (1, True)}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_a_password_change_killed_at_each_dangerous_step_leaves_one_password_opening_all(
        tmp_path: Path, new_vault: Callable[..., Vault], vault_path: Path,
        point: str) -> None:
    vault = new_vault()
    for index in range(4):
        vault.add(make_entry(label=f"key {index}", exchange="binance"))
    expected = list(vault.entries)
    passwords = [PASSWORD, OTHER]
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.rekey_writer", str(vault_path)],
        input=f"{PASSWORD}\n{OTHER}\n", capture_output=True, text=True, cwd=REPO,
        env=child_env(VAULT_TEST_KILL_AT=point), timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.split() == ["0"]  # killed inside its first change
    opens, pending = KILL_POINTS[point]
    record = versions_folder(vault_path) / version_rekey.RECORD_NAME
    assert record.exists() == pending  # the kill landed in the window it names
    with pytest.raises(WrongPassword):
        Vault.open(vault_path, passwords[1 - opens], read_only=True)
    opened = Vault.open(vault_path, passwords[opens])  # for writing: finishes a change
    assert list(opened.entries) == expected
    assert not record.exists()
    summaries = opened.versions()
    assert summaries and all(v.opens_with_current_key for v in summaries)
    for summary in summaries:
        with pytest.raises(WrongPassword):
            Vault.open(versions_folder(vault_path) / summary.name, passwords[1 - opens],
                       read_only=True)
