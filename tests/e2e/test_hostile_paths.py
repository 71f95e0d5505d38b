"""The CLI against hostile paths: special files, planted lock links, linked vaults, odd umasks,
full disks (issue 6, items 1, 2, 4, 7).

Every refusal must come quickly (a subprocess timeout guards against hangs), with one
readable error line and the right exit code, and leave every file involved byte-identical.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO, CliResult
from tests.e2e.support import (
    assert_fails,
    assert_ok,
    assert_private,
    child_env,
    folder_state,
    run_python,
)
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]

NEW_PASSWORD = "quartz-lantern-mosaic-47-orbit"
VICTIM = b"export PATH=$HOME/bin:$PATH  # the owner's ~/.bashrc\n"
WARNING = "vault-app-cli: warning: "


def lines(*values: str) -> str:
    return "".join(f"{value}\n" for value in values)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- 2. special files at the vault path -----------------------------------------------


@pytest.mark.parametrize("command", ["list", "inspect"])
def test_fifo_is_refused_instead_of_hanging(cli: Cli, vault_path: Path, command: str) -> None:
    os.mkfifo(vault_path)
    result = cli(command, stdin=lines(PASSWORD), timeout=30)
    assert_fails(result, 5, "FIFO", str(vault_path), "not a vault file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", ["list", "inspect"])
def test_endless_devices_are_refused_instead_of_read(cli: Cli, vault_path: Path,
                                                     device: str, command: str) -> None:
    vault_path.symlink_to(device)
    result = cli(command, stdin=lines(PASSWORD), timeout=30)
    assert_fails(result, 5, "character device", f"{vault_path} (a link to {device})")


MEASURE = """
import resource, subprocess, sys
proc = subprocess.run([sys.executable, "-m", "vault_app.cli", *sys.argv[1:]],
                      input="x\\n", capture_output=True, text=True, timeout=60)
print(proc.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(proc.stderr)
"""


@pytest.mark.parametrize("command", ["list", "inspect"])
def test_a_2_gb_sparse_file_is_refused_without_being_read(tmp_path: Path,
                                                          command: str) -> None:
    big = tmp_path / "big.vault"
    with open(big, "wb") as handle:
        handle.truncate(2 * 1024**3)
    done = run_python(MEASURE, "--vault", str(big), command, cwd=REPO)
    code, max_rss_kib = (int(v) for v in done.stdout.split())
    assert code == 3, done
    assert "larger than any vault (256 MiB)" in done.stderr, done
    assert "Traceback" not in done.stderr
    assert max_rss_kib < 300 * 1024  # the old reader held all 2 GiB in memory


# --- 1. the lock file and the folder ------------------------------------------------


@pytest.fixture
def one_key(new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    new_vault(count=1)  # the key is labelled "key 0"
    return vault_path


def test_lock_link_to_the_owners_file_is_refused_and_the_file_untouched(
    cli: Cli, one_key: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "home" / ".bashrc"
    victim.write_bytes(VICTIM)
    lock = one_key.with_name(one_key.name + ".lock")
    lock.unlink()
    lock.symlink_to(victim)
    before = one_key.read_bytes()
    result = cli("remove", "--yes", "key 0", stdin=lines(PASSWORD))
    assert_fails(result, 5, "lock file", "symbolic link", "nothing was written")
    assert victim.read_bytes() == VICTIM
    assert one_key.read_bytes() == before
    assert lock.is_symlink()


def test_dangling_lock_link_does_not_create_its_target(cli: Cli, one_key: Path,
                                                       tmp_path: Path) -> None:
    planted = tmp_path / "home" / ".config" / "autostart-evil"
    lock = one_key.with_name(one_key.name + ".lock")
    lock.unlink()
    lock.symlink_to(planted)
    result = cli("remove", "--yes", "key 0", stdin=lines(PASSWORD))
    assert_fails(result, 5, "symbolic link")
    assert not os.path.lexists(planted)


def test_folder_writable_by_others_is_warned_on_every_command(
    cli: Cli, new_vault: Callable[..., Vault], tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    path = shared / "v.vault"
    new_vault(count=1, path=path)
    for args in (["list"], ["inspect"], ["show", "key 0"], ["remove", "--yes", "key 0"]):
        result = assert_ok(cli("--vault", str(path), *args, stdin=lines(PASSWORD)))
        warnings = [line for line in result.err.splitlines() if line.startswith(WARNING)]
        assert len(warnings) == 1, (args, result)
        assert str(shared) in warnings[0] and "writable by all users" in warnings[0]


def test_private_folder_gets_no_warning(cli: Cli, one_key: Path) -> None:
    assert WARNING not in assert_ok(cli("list", stdin=lines(PASSWORD))).err


# --- 4. a vault linked into a synced folder -------------------------------------------


@pytest.fixture
def linked(new_vault: Callable[..., Vault], tmp_path: Path, vault_path: Path) -> Path:
    """``vault_path`` is a link to a one-key vault in ``synced/``; returns the real file."""
    synced = tmp_path / "synced"
    synced.mkdir(mode=0o700)
    real = synced / "v.vault"
    new_vault(count=1, path=real)
    vault_path.symlink_to(real)
    return real


def test_saving_through_a_link_keeps_the_link_and_updates_its_target(
    cli: Cli, linked: Path, vault_path: Path
) -> None:
    assert_ok(cli("remove", "--yes", "key 0", stdin=lines(PASSWORD)))
    assert vault_path.is_symlink()
    assert os.readlink(vault_path) == str(linked)
    assert len(Vault.open(linked, PASSWORD)) == 0
    assert_private(linked)
    assert not os.path.lexists(vault_path.with_name(vault_path.name + ".lock"))
    assert linked.with_name(linked.name + ".lock").is_file()


def test_inspect_shows_the_real_path_and_the_link(cli: Cli, linked: Path,
                                                  vault_path: Path) -> None:
    text = assert_ok(cli("inspect")).out
    assert f"File            {linked}\n" in text
    assert f"Link            {vault_path} " in text
    data = json.loads(assert_ok(cli("inspect", "--json")).out)
    assert data["path"] == str(linked)
    assert data["link"] == str(vault_path)


def test_a_dangling_vault_link_gets_a_clear_error(cli: Cli, vault_path: Path,
                                                  tmp_path: Path) -> None:
    missing = tmp_path / "unmounted" / "v.vault"
    vault_path.symlink_to(missing)
    for command in ("list", "inspect"):
        assert_fails(cli(command, stdin=lines(PASSWORD)), 1, "symbolic link",
                     str(missing), "does not exist")
    result = cli("init", stdin=lines(NEW_PASSWORD, NEW_PASSWORD))
    assert_fails(result, 1, "symbolic link", str(missing), "does not exist",
                 "nothing was created")
    assert "already exists" not in result.err
    assert not (tmp_path / "unmounted").exists()
    assert vault_path.is_symlink()


# --- 7. init: folder modes, full disk -------------------------------------------------


def run_cli(*args: str, stdin: str, umask: str = "077") -> CliResult:
    """The CLI under a given umask (``cli`` inherits the test runner's)."""
    proc = subprocess.run(
        ["sh", "-c", f'umask {umask}; exec "$0" "$@"', sys.executable, "-m", "vault_app.cli",
         *args], input=stdin, capture_output=True, text=True, env=child_env(), timeout=120,
        cwd=REPO,
    )
    return CliResult(proc)


@pytest.mark.slow
def test_init_with_umask_000_creates_private_parent_folders(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    outer.chmod(0o755)
    path = outer / "a" / "b" / "v.vault"
    assert_ok(run_cli("--vault", str(path), "init", stdin=lines(NEW_PASSWORD, NEW_PASSWORD),
                      umask="000"))
    assert mode(outer / "a") == 0o700
    assert mode(outer / "a" / "b") == 0o700
    assert mode(outer) == 0o755
    assert_private(path)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A tiny tmpfs filled to the last block (needs root and mount rights)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                           str(mount)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while os.write(fd, b"\0" * 1024):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.slow
def test_init_on_a_full_disk_says_nothing_was_created_and_leaves_nothing(
    full_disk: Path
) -> None:
    path = full_disk / "v.vault"
    before = folder_state(path)
    result = run_cli("--vault", str(path), "init", stdin=lines(NEW_PASSWORD, NEW_PASSWORD))
    assert_fails(result, 5, "disk is full", "nothing was created")
    assert "intact" not in result.err
    assert folder_state(path) == before
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]  # no .lock, no temp
