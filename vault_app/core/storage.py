"""Files on disk: read, atomic replace, and the exclusive write lock.

The save discipline (after Electrum's ``storage.py``): create a temp file in the
vault's folder with mode 0600 *before* writing a byte, write, fsync, rename it
over the vault with ``os.replace``, then fsync the folder. A crash at any moment
leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from pathlib import Path

from vault_app.core.errors import (
    VaultError,
    VaultExists,
    VaultInUse,
    VaultIOError,
    VaultNotFound,
    VaultWriteError,
)

TEMP_PREFIX = "."
TEMP_MARK = ".tmp-"


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or type(exc).__name__


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise VaultNotFound(f"no vault file at {path}") from None
    except IsADirectoryError:
        raise VaultError(f"{path} is a folder, not a vault file") from None
    except OSError as exc:
        raise VaultIOError(f"cannot read {path}: {_describe(exc)}") from None


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _temp_name(path: Path) -> str:
    return f"{TEMP_PREFIX}{path.name}{TEMP_MARK}"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes) -> Path:
    """A fsynced 0600 temp file beside ``path``, holding ``data``."""
    temp = path.parent / f"{_temp_name(path)}{os.urandom(6).hex()}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise VaultWriteError(
            f"could not save {path}: {_describe(exc)}; the previous vault file is intact"
        ) from None
    try:
        try:
            os.fchmod(fd, 0o600)  # in case the umask or an ACL widened it
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        _unlink_quietly(temp)
        raise VaultWriteError(
            f"could not save {path}: {_describe(exc)}; the previous vault file is intact"
        ) from None
    return temp


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _flush_folder(path: Path) -> None:
    try:
        _fsync_dir(path.parent)
    except OSError as exc:
        # The new file is in place; only its durability across a power cut is unsure.
        raise VaultWriteError(
            f"saved {path}, but the folder could not be flushed to disk: {_describe(exc)}",
            replaced=True,
        ) from None


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably, mode 0600.

    Raises VaultWriteError on any failure; the previous file is then untouched
    and no temp file is left behind.
    """
    temp = _write_temp(path, data)
    try:
        os.replace(temp, path)
    except OSError as exc:
        _unlink_quietly(temp)
        raise VaultWriteError(
            f"could not save {path}: {_describe(exc)}; the previous vault file is intact"
        ) from None
    _flush_folder(path)


def atomic_create(path: Path, data: bytes) -> None:
    """Like ``atomic_write``, but fail with VaultExists if ``path`` exists.

    The final step is a hard link, which the kernel refuses when the name is
    taken, so an existing file is never overwritten, whoever created it.
    """
    temp = _write_temp(path, data)
    try:
        os.link(temp, path)
    except FileExistsError:
        raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it") \
            from None
    except OSError as exc:
        raise VaultWriteError(f"could not create {path}: {_describe(exc)}") from None
    finally:
        _unlink_quietly(temp)
    _flush_folder(path)


def remove_stale_temps(path: Path) -> None:
    """Delete temp files left by a writer that was killed mid-save.

    Call only while holding the lock, so that no live writer's file is removed.
    """
    prefix = _temp_name(path)
    with contextlib.suppress(OSError):
        for candidate in path.parent.iterdir():
            if candidate.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    candidate.unlink()


class VaultLock:
    """Exclusive, non-blocking advisory lock on ``<vault>.lock``.

    The lock is an ``flock`` on a sidecar file, not on the vault itself, because
    every save replaces the vault's inode. The kernel drops it when the holder
    exits, even on SIGKILL, so a stale lock file is harmless.
    """

    def __init__(self, path: Path) -> None:
        self.path = lock_path(path)
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise VaultWriteError(
                f"cannot create the lock file {self.path}: {_describe(exc)}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = self._read_holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                who = f" (pid {holder})" if holder else ""
                raise VaultInUse(
                    f"the vault is being written by another process{who}; "
                    "nothing was written, try again"
                ) from None
            raise VaultWriteError(f"cannot lock {self.path}: {_describe(exc)}") from None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    @staticmethod
    def _read_holder(fd: int) -> str:
        try:
            return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor releases the flock

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> VaultLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

