"""Files on disk: atomic replace, stale temp files, and the write lock."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from vault_app.core import folders, storage, vault_lock
from vault_app.core.errors import (
    VaultError,
    VaultExists,
    VaultInUse,
    VaultIOError,
    VaultNotFound,
    VaultWriteError,
)
from vault_app.core.storage import atomic_write, remove_stale_temps
from vault_app.core.vault_lock import VaultLock

OLD = b"old vault contents \x00\x01" * 100
NEW = b"new vault contents \xff" * 5000


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder (tmp_path also holds the isolated HOME)."""
    path = tmp_path / "store"
    path.mkdir()
    return path


def enospc(*args: object, **kwargs: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# --- read_bytes -----------------------------------------------------------------------


def test_read_bytes(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    target.write_bytes(OLD)
    assert storage.read_bytes(target) == OLD


def test_read_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFound, match="no vault file"):
        storage.read_bytes(tmp_path / "missing.vault")


def test_read_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VaultError, match="folder"):
        storage.read_bytes(tmp_path)


def test_read_other_os_errors_are_io_errors(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    target = tmp_path / "v.vault"
    target.write_bytes(OLD)
    monkeypatch.setattr(os, "open", denied)
    with pytest.raises(VaultIOError, match="permission denied"):
        storage.read_bytes(target)


# --- atomic_write ---------------------------------------------------------------------


def test_atomic_write_creates_the_file_with_mode_0600_even_with_umask_0(folder: Path) -> None:
    target = folder / "v.vault"
    previous = os.umask(0)
    try:
        atomic_write(target, NEW)
    finally:
        os.umask(previous)
    assert target.read_bytes() == NEW
    assert mode(target) == 0o600
    assert leftovers(folder, {"v.vault"}) == []


@pytest.mark.parametrize("bits", [0o640, 0o600, 0o644, 0o700])
def test_atomic_write_keeps_the_replaced_files_mode(tmp_path: Path, bits: int,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 7: saving never changes the file's mode behind the user's back. The mode is
    set before the first byte is written, whatever the umask."""
    target = tmp_path / "v.vault"
    target.write_bytes(OLD)
    target.chmod(bits)
    old_inode = target.stat().st_ino
    modes_at_first_write: list[int] = []
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        modes_at_first_write.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    previous = os.umask(0o077)
    try:
        atomic_write(target, NEW)
    finally:
        os.umask(previous)
    assert target.read_bytes() == NEW
    assert mode(target) == bits
    assert modes_at_first_write[0] == bits
    assert target.stat().st_ino != old_inode  # replaced by rename, not rewritten in place


def test_atomic_write_handles_short_writes(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    calls = []

    def short_write(fd: int, data: bytes) -> int:
        calls.append(len(data))
        return real_write(fd, bytes(data[:1000]))

    monkeypatch.setattr(os, "write", short_write)
    target = tmp_path / "v.vault"
    atomic_write(target, NEW)
    monkeypatch.undo()
    assert target.read_bytes() == NEW
    assert len(calls) > 1


@pytest.mark.parametrize("failing", ["write", "fsync", "replace", "fchmod"])
def test_failed_write_keeps_the_previous_file_and_no_temp(
    folder: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = folder / "v.vault"
    target.write_bytes(OLD)
    target.chmod(0o600)
    monkeypatch.setattr(os, failing, enospc)
    with pytest.raises(VaultWriteError) as info:
        atomic_write(target, NEW)
    monkeypatch.undo()
    message = str(info.value)
    assert "the disk is full" in message
    assert "previous vault file is intact" in message
    assert target.read_bytes() == OLD
    assert leftovers(folder, {"v.vault"}) == []


def test_failure_to_create_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "v.vault"
    with pytest.raises(VaultWriteError, match="intact"):
        atomic_write(target, NEW)
    assert not target.parent.exists()


def test_error_descriptions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for code, text in [(errno.EACCES, "permission denied"), (errno.EPERM, "permission denied"),
                       (errno.EROFS, "read-only"), (errno.EIO, os.strerror(errno.EIO))]:
        def fail(*args: object, code: int = code) -> int:
            raise OSError(code, os.strerror(code))

        monkeypatch.setattr(os, "write", fail)
        with pytest.raises(VaultWriteError, match=text):
            atomic_write(tmp_path / "v.vault", NEW)
        monkeypatch.undo()


def test_folder_fsync_failure_is_reported_after_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "v.vault"
    target.write_bytes(OLD)

    def failing_dir_sync(folder: Path) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage, "_fsync_dir", failing_dir_sync)
    with pytest.raises(VaultWriteError, match="saved") as info:
        atomic_write(target, NEW)
    assert "intact" not in str(info.value)  # it must not claim the old file survived
    assert target.read_bytes() == NEW


# --- stale temp files -----------------------------------------------------------------


def test_remove_stale_temps_removes_only_this_vaults_temps(folder: Path) -> None:
    target = folder / "v.vault"
    target.write_bytes(OLD)
    stale = [".v.vault.tmp-0a1b2c3d4e5f", ".v.vault.tmp-"]
    others = ["v.vault.lock", ".other.vault.tmp-0a1b2c", "v.vault.bak", ".v.vault"]
    for name in stale + others:
        (folder / name).write_bytes(b"x")
    remove_stale_temps(target.parent, storage.temp_prefix(target))
    assert sorted(p.name for p in folder.iterdir()) == sorted(["v.vault", *others])
    assert target.read_bytes() == OLD


def test_remove_stale_temps_by_prefix_and_age_and_only_regular_files(folder: Path) -> None:
    fresh, old = folder / ".export.tmp-fresh", folder / ".export.tmp-old"
    fresh.write_bytes(b"a live writer's")
    old.write_bytes(b"a killed writer's")
    os.utime(old, (1, 1))
    (folder / ".export.tmp-link").symlink_to(old)
    (folder / ".export.tmp-dir").mkdir()
    (folder / "export.tmp-not-ours").write_bytes(b"x")
    assert storage.remove_stale_temps(folder, ".export.tmp-", older_than=600) == [old.name]
    assert fresh.exists() and os.path.islink(folder / ".export.tmp-link")
    assert (folder / ".export.tmp-dir").is_dir() and (folder / "export.tmp-not-ours").exists()
    assert storage.remove_stale_temps(folder, ".export.tmp-") == [fresh.name]


def test_remove_stale_temps_in_a_missing_folder_is_harmless(tmp_path: Path) -> None:
    assert remove_stale_temps(tmp_path / "nowhere", ".v.vault.tmp-") == []


def test_temp_files_are_named_for_remove_stale_temps(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer killed mid-save leaves a temp file that remove_stale_temps recognises."""
    target = tmp_path / "v.vault"
    seen: list[str] = []
    real_open = os.open

    def spy_open(path: object, *args: object, **kwargs: object) -> int:
        seen.append(Path(str(path)).name)
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(os, "replace", enospc)
    with pytest.raises(VaultWriteError):
        atomic_write(target, NEW)
    monkeypatch.undo()
    temp_name = seen[0]
    (tmp_path / temp_name).write_bytes(b"left behind")
    remove_stale_temps(target.parent, storage.temp_prefix(target))
    assert not (tmp_path / temp_name).exists()


# --- the lock -------------------------------------------------------------------------


def test_lock_path_is_a_sidecar() -> None:
    assert vault_lock.lock_path(Path("/x/y/v.vault")) == Path("/x/y/v.vault.lock")


def test_second_lock_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    first = VaultLock(target)
    first.acquire()
    try:
        assert first.held
        lock_file = vault_lock.lock_path(target)
        assert mode(lock_file) == 0o600
        assert lock_file.read_text().strip() == str(os.getpid())
        second = VaultLock(target, wait=0)
        with pytest.raises(VaultInUse) as info:
            second.acquire()
        assert f"pid {os.getpid()}" in str(info.value)
        assert "nothing was written" in str(info.value)
        assert not second.held
    finally:
        first.release()
    assert not first.held


def test_lock_is_released_on_release_and_by_the_context_manager(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    with VaultLock(target) as lock:
        assert lock.held
        with pytest.raises(VaultInUse):
            VaultLock(target, wait=0).acquire()
    assert not lock.held
    again = VaultLock(target)
    again.acquire()  # free again
    again.release()
    again.release()  # releasing twice is harmless
    with VaultLock(target):
        pass


def test_lock_is_released_when_the_body_raises(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    with pytest.raises(RuntimeError), VaultLock(target):
        raise RuntimeError("boom")
    with VaultLock(target) as lock:
        assert lock.held


def test_lock_in_a_missing_folder_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(VaultWriteError, match="lock file"):
        VaultLock(tmp_path / "missing" / "v.vault").acquire()


def test_stale_lock_file_without_a_holder_does_not_block(tmp_path: Path) -> None:
    target = tmp_path / "v.vault"
    vault_lock.lock_path(target).write_text("999999\n")  # left by a killed process
    with VaultLock(target) as lock:
        assert lock.held


def test_atomic_create_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "vault.vault"
    target.write_bytes(b"someone else's file")
    with pytest.raises(VaultExists):
        storage.atomic_create(target, b"new vault")
    assert target.read_bytes() == b"someone else's file"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_vault_create_loses_the_race_safely(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that appears between the existence check and the write survives."""
    from tests.conftest import FAST_KDF, PASSWORD
    from vault_app.core.vault import Vault

    target = tmp_path / "vault.vault"
    real_link = os.link

    def link_after_someone_else(src: object, dst: object) -> None:
        target.write_bytes(b"created meanwhile")
        real_link(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link_after_someone_else)
    with pytest.raises(VaultExists):
        Vault.create(target, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert target.read_bytes() == b"created meanwhile"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


# --- waiting for the lock ---------------------------------------------------------------


class FakeTime:
    """The lock's clock and sleep: sleeping advances the clock, and may run ``at_sleep``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.at_sleep: list[object] = []
        monkeypatch.setattr(vault_lock, "_clock", lambda: self.now)
        monkeypatch.setattr(vault_lock, "_sleep", self.sleep)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.at_sleep:
            release = self.at_sleep.pop()
            assert callable(release)
            release()


def test_a_lock_held_for_a_moment_is_waited_for(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Two windows, or a window and the CLI, saving at the same moment is no error."""
    target = tmp_path / "v.vault"
    clock = FakeTime(monkeypatch)
    first = VaultLock(target)
    first.acquire()
    clock.at_sleep.append(first.release)  # the other writer finishes while we wait
    with VaultLock(target) as second:
        assert second.held
    assert len(clock.sleeps) == 1


def test_a_lock_held_longer_than_the_wait_is_refused(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "v.vault"
    clock = FakeTime(monkeypatch)
    with VaultLock(target), pytest.raises(VaultInUse, match=f"pid {os.getpid()}"):
        VaultLock(target).acquire()
    assert sum(clock.sleeps) == pytest.approx(vault_lock.LOCK_WAIT_SECONDS)
    assert len(clock.sleeps) > 3 and max(clock.sleeps) <= 0.25  # backs off, keeps trying
    assert clock.sleeps == sorted(clock.sleeps[:-1]) + clock.sleeps[-1:]


def test_wait_zero_refuses_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "v.vault"
    clock = FakeTime(monkeypatch)
    with VaultLock(target), pytest.raises(VaultInUse):
        VaultLock(target, wait=0).acquire()
    monkeypatch.setattr(vault_lock, "LOCK_WAIT_SECONDS", 0.0)
    with VaultLock(target), pytest.raises(VaultInUse):
        VaultLock(target).acquire()
    assert clock.sleeps == []


# --- new folders ------------------------------------------------------------------------


def test_a_link_swapped_in_after_mkdir_is_not_followed_by_the_chmod(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another user of the parent folder replaces the new folder with a link to one of
    the owner's folders: its mode must not become 0700 (nor anything else)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    elsewhere.chmod(0o755)
    new = tmp_path / "shared" / "vaults"
    (tmp_path / "shared").mkdir()
    real_mkdir = os.mkdir

    def mkdir_then_swap(path: object, mode: int = 0o777) -> None:
        real_mkdir(path, mode)  # type: ignore[call-overload]
        if Path(str(path)) == new:
            os.rmdir(new)
            os.symlink(elsewhere, new)

    monkeypatch.setattr(os, "mkdir", mkdir_then_swap)
    with pytest.raises(VaultWriteError, match="symbolic link"):
        folders.make_private_folders(new)
    assert mode(elsewhere) == 0o755
