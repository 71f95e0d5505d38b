"""Hostile paths beside the vault: planted lock links, special files, symlinked vaults.

Each of these was found by attacking the storage layer (issue 6, items 1, 2, 4, 7).
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core import folders, storage, vault_lock
from vault_app.core.errors import (
    BrokenLink,
    NotARegularFile,
    UnsafeLockFile,
    VaultExists,
    VaultInUse,
    VaultIOError,
    VaultTooLarge,
    VaultWriteError,
)
from vault_app.core.file_info import inspect
from vault_app.core.vault import Vault
from vault_app.core.vault_lock import VaultLock

DATA = b"the owner's precious file\n" * 10


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def create(path: Path) -> Vault:
    return Vault.create(path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)


def enospc(*args: object, **kwargs: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# --- 1. the lock file -----------------------------------------------------------------


def test_lock_file_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "bashrc"
    victim.write_bytes(DATA)
    target = tmp_path / "v.vault"
    vault_lock.lock_path(target).symlink_to(victim)
    with pytest.raises(UnsafeLockFile, match="symbolic link") as info:
        VaultLock(target).acquire()
    assert "nothing was written" in str(info.value)
    assert victim.read_bytes() == DATA


def test_dangling_lock_link_does_not_create_its_target(tmp_path: Path) -> None:
    planted = tmp_path / "planted-by-someone-else"
    target = tmp_path / "v.vault"
    vault_lock.lock_path(target).symlink_to(planted)
    with pytest.raises(UnsafeLockFile):
        VaultLock(target).acquire()
    assert not os.path.lexists(planted)


def test_lock_file_hard_link_to_another_file_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_bytes(DATA)
    target = tmp_path / "v.vault"
    os.link(victim, vault_lock.lock_path(target))
    with pytest.raises(UnsafeLockFile, match="2 hard links"):
        VaultLock(target).acquire()
    assert victim.read_bytes() == DATA


def test_lock_file_owned_by_another_user_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "v.vault"
    vault_lock.lock_path(target).write_bytes(DATA)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 4242)
    with pytest.raises(UnsafeLockFile, match="another user"):
        VaultLock(target).acquire()
    monkeypatch.undo()
    assert vault_lock.lock_path(target).read_bytes() == DATA


def test_fifo_as_lock_file_is_refused_without_blocking(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    os.mkfifo(vault_lock.lock_path(target))
    with pytest.raises(UnsafeLockFile, match="FIFO"):
        VaultLock(target).acquire()


def test_a_save_through_a_planted_lock_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    vault = create(target)
    before = target.read_bytes()
    victim = tmp_path / "victim"
    victim.write_bytes(DATA)
    lock = vault_lock.lock_path(target)
    lock.unlink()
    lock.symlink_to(victim)
    with pytest.raises(UnsafeLockFile):
        vault.add(make_entry())
    assert victim.read_bytes() == DATA
    assert target.read_bytes() == before


def test_lock_retries_when_the_file_is_removed_under_it(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A create that failed removes its lock file; a waiter must not lock the dead inode."""
    target = tmp_path / "v.vault"
    lock_file = vault_lock.lock_path(target)
    real_flock = vault_lock.fcntl.flock
    calls = []

    def flock_then_vanish(fd: int, op: int) -> None:
        real_flock(fd, op)
        if not calls:
            os.unlink(lock_file)  # as if the previous holder discarded it
        calls.append(fd)

    monkeypatch.setattr(vault_lock.fcntl, "flock", flock_then_vanish)
    with VaultLock(target) as lock:
        assert len(calls) == 2
        assert lock.held
        assert lock_file.exists()
        held = os.fstat(lock._fd or -1)
        assert (held.st_ino, held.st_dev) == (lock_file.stat().st_ino, lock_file.stat().st_dev)


def test_discard_removes_only_a_lock_file_it_created(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    lock = VaultLock(target)
    lock.acquire()
    assert lock.created
    lock.discard()
    assert not vault_lock.lock_path(target).exists()
    vault_lock.lock_path(target).write_text("")
    lock = VaultLock(target)
    lock.acquire()
    assert not lock.created
    lock.discard()
    assert vault_lock.lock_path(target).exists()


# --- 1. the folder warning ------------------------------------------------------------


def test_private_folder_has_no_warning(tmp_path: Path) -> None:
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    assert folders.folder_warning(folder / "v.vault") is None


@pytest.mark.parametrize(("folder_mode", "fragment"), [
    (0o777, "writable by all users: they can replace or delete"),
    (0o770, "writable by its group"),
    (0o1777, "sticky folder"),
])
def test_folder_writable_by_others_is_warned(tmp_path: Path, folder_mode: int,
                                             fragment: str) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(folder_mode)
    warning = folders.folder_warning(folder / "v.vault")
    assert warning is not None
    assert fragment in warning
    assert str(folder) in warning


def test_the_real_folder_of_a_linked_vault_is_checked(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "v.vault").symlink_to(shared / "v.vault")
    warning = folders.folder_warning(private / "v.vault")
    assert warning is not None and str(shared) in warning


# --- 2. special files -----------------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "v.vault"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile, match="FIFO"):
        storage.read_bytes(fifo)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_character_devices_are_refused(tmp_path: Path, device: str) -> None:
    link = tmp_path / "v.vault"
    link.symlink_to(device)
    with pytest.raises(NotARegularFile, match="character device"):
        storage.read_bytes(link)
    for action in (lambda: Vault.open(link, PASSWORD), lambda: inspect(link)):
        with pytest.raises(NotARegularFile) as info:
            action()
        assert f"{link} (a link to {device})" in str(info.value)


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "v.vault"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


def test_socket_is_refused(unix_socket: Path) -> None:
    with pytest.raises(NotARegularFile, match="socket"):
        storage.read_bytes(unix_socket)


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotARegularFile, match="folder"):
        storage.read_bytes(tmp_path)


def test_oversized_file_is_refused_before_reading(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "v.vault"
    with open(big, "wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: no disk used
    reads: list[int] = []
    real_read = os.read

    def spy_read(fd: int, size: int) -> bytes:
        reads.append(size)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", spy_read)
    with pytest.raises(VaultTooLarge, match="256 MiB") as info:
        storage.read_bytes(big)
    assert reads == []
    assert "2,147,483,648 bytes" in str(info.value)


def test_size_cap_is_inclusive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "MAX_VAULT_SIZE", 100)
    exact = tmp_path / "exact"
    exact.write_bytes(b"x" * 100)
    assert storage.read_bytes(exact) == b"x" * 100
    exact.write_bytes(b"x" * 101)
    with pytest.raises(VaultTooLarge):
        storage.read_bytes(exact)


def test_a_file_that_grows_while_read_is_in_use(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v.vault"
    path.write_bytes(DATA)
    real_read = os.read

    def read_then_grow(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        with open(path, "ab") as handle:
            handle.write(b"more")
        return data

    monkeypatch.setattr(os, "read", read_then_grow)
    with pytest.raises(VaultInUse, match="changed size"):
        storage.read_bytes(path)


def test_a_file_that_shrinks_while_read_is_in_use(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v.vault"
    path.write_bytes(DATA * 1000)
    real_fstat = os.fstat

    def fstat_then_shrink(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        os.truncate(path, 10)
        return info

    monkeypatch.setattr(os, "fstat", fstat_then_shrink)
    with pytest.raises(VaultInUse, match="changed size"):
        storage.read_bytes(path)


def test_read_opens_non_blocking_without_following_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v.vault"
    path.write_bytes(DATA)
    flags_seen: list[int] = []
    real_open = os.open

    def spy_open(name: object, flags: int, *args: object) -> int:
        flags_seen.append(flags)
        return real_open(name, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy_open)
    assert storage.read_bytes(path) == DATA
    wanted = os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    assert flags_seen and flags_seen[0] & wanted == wanted


# --- 4. symlinked vaults --------------------------------------------------------------


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """A vault in ``synced/`` and a link to it in ``home/``."""
    (tmp_path / "synced").mkdir()
    (tmp_path / "data").mkdir()
    real = tmp_path / "synced" / "v.vault"
    create(real)
    link = tmp_path / "data" / "v.vault"
    link.symlink_to(real)
    return link, real


def test_saving_a_linked_vault_keeps_the_link(linked: tuple[Path, Path]) -> None:
    link, real = linked
    vault = Vault.open(link, PASSWORD)
    assert vault.path == real
    vault.add(make_entry())
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert len(Vault.open(real, PASSWORD)) == 1
    assert vault_lock.lock_path(real).exists()  # the lock sits beside the real file
    assert not os.path.lexists(vault_lock.lock_path(link))
    assert sorted(p.name for p in link.parent.iterdir()) == ["v.vault"]


def test_relative_link_is_resolved(tmp_path: Path, linked: tuple[Path, Path]) -> None:
    _, real = linked
    relative = tmp_path / "data" / "rel.vault"
    relative.symlink_to(Path("..") / "synced" / "v.vault")
    vault = Vault.open(relative, PASSWORD)
    assert vault.path == real
    vault.add(make_entry())
    assert relative.is_symlink()


def test_inspect_shows_the_real_path_and_the_link(linked: tuple[Path, Path]) -> None:
    link, real = linked
    info = inspect(link)
    assert info.path == real
    assert info.link == link
    assert inspect(real).link is None


def test_opening_a_dangling_link_says_so(tmp_path: Path) -> None:
    link = tmp_path / "v.vault"
    link.symlink_to(tmp_path / "gone" / "v.vault")
    for action in (lambda: Vault.open(link, PASSWORD), lambda: inspect(link)):
        with pytest.raises(BrokenLink, match=r"symbolic link to .*which does not exist"):
            action()


def test_creating_through_a_dangling_link_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "v.vault"
    missing = tmp_path / "synced" / "v.vault"
    link.symlink_to(missing)
    with pytest.raises(BrokenLink) as info:
        create(link)
    message = str(info.value)
    assert "already exists" not in message
    assert "nothing was created" in message and str(missing) in message
    assert not (tmp_path / "synced").exists()
    assert link.is_symlink()


def test_creating_over_a_link_to_a_file_is_refused(linked: tuple[Path, Path]) -> None:
    link, real = linked
    before = real.read_bytes()
    with pytest.raises(VaultExists, match="a link to"):
        create(link)
    assert real.read_bytes() == before


def test_symlink_loop_is_an_io_error_not_a_crash(tmp_path: Path) -> None:
    loop = tmp_path / "v.vault"
    loop.symlink_to(loop)
    with pytest.raises(VaultIOError, match="symbolic links"):
        Vault.open(loop, PASSWORD)


# --- 7. init: folder modes and a full disk --------------------------------------------


def test_create_makes_missing_parents_0700_whatever_the_umask(tmp_path: Path) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    existing.chmod(0o755)
    target = existing / "a" / "b" / "v.vault"
    previous = os.umask(0)
    try:
        create(target)
    finally:
        os.umask(previous)
    assert mode(existing / "a") == 0o700
    assert mode(existing / "a" / "b") == 0o700
    assert mode(existing) == 0o755  # folders that existed keep their modes
    assert mode(target) == 0o600


def test_create_makes_parents_0700_with_a_restrictive_umask(tmp_path: Path) -> None:
    target = tmp_path / "a" / "v.vault"
    previous = os.umask(0o277)
    try:
        create(target)
    finally:
        os.umask(previous)
    assert mode(tmp_path / "a") == 0o700


@pytest.mark.parametrize("failing", ["write", "fsync", "link"])
def test_create_on_a_full_disk_says_nothing_was_created_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    target = folder / "v.vault"
    monkeypatch.setattr(os, failing, enospc)
    with pytest.raises(VaultWriteError) as info:
        create(target)
    monkeypatch.undo()
    message = str(info.value)
    assert "the disk is full" in message
    assert "nothing was created" in message
    assert "intact" not in message
    assert list(folder.iterdir()) == []  # no vault, no temp file, no lock file


def test_failed_create_keeps_a_lock_file_it_did_not_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "v.vault"
    vault_lock.lock_path(target).write_text("")
    monkeypatch.setattr(os, "write", enospc)
    with pytest.raises(VaultWriteError):
        create(target)
    monkeypatch.undo()
    assert vault_lock.lock_path(target).exists()
    assert not target.exists()


def test_open_and_create_report_the_folder_warning(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    created = create(shared / "v.vault")
    assert created.folder_warning is not None and str(shared) in created.folder_warning
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "v.vault").symlink_to(shared / "v.vault")
    opened = Vault.open(private / "v.vault", PASSWORD)
    assert opened.folder_warning is not None and str(shared) in opened.folder_warning
    assert Vault.open(create(private / "own.vault").path, PASSWORD).folder_warning is None


def test_failed_create_removes_the_folders_it_made(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    existing = tmp_path / "existing"
    existing.mkdir()
    monkeypatch.setattr(os, "write", enospc)
    with pytest.raises(VaultWriteError, match="nothing was created"):
        create(existing / "a" / "b" / "v.vault")
    monkeypatch.undo()
    assert list(existing.iterdir()) == []


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = os.mkdir
    made: list[str] = []

    def mkdir_twice(name: object, mode: int = 0o777) -> None:
        if made:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        made.append(str(name))
        real_mkdir(name, mode)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "mkdir", mkdir_twice)
    with pytest.raises(VaultWriteError, match=r"cannot create the folder .*nothing was created"):
        create(tmp_path / "a" / "b" / "v.vault")
    monkeypatch.undo()
    assert not (tmp_path / "a").exists()
