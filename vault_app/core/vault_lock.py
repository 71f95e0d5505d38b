"""The exclusive write lock: an ``flock`` on ``<vault>.lock``, waited for briefly.

The lock file is used only if it is a regular file of this user with a single
link: the vault's folder may be shared with other users.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from pathlib import Path

from vault_app.core.errors import UnsafeLockFile, VaultInUse, VaultWriteError
from vault_app.core.os_messages import describe_os_error, kind_of
from vault_app.core.paths import still_named

_LOCK_FLAGS = os.O_RDWR | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
_LOCK_ATTEMPTS = 5

LOCK_WAIT_SECONDS = 2.0
"""How long ``VaultLock.acquire`` waits for another writer before VaultInUse: a save
takes milliseconds, so two windows (or a window and the CLI) saving at the same
moment is no error."""
_LOCK_FIRST_DELAY = 0.01
_LOCK_MAX_DELAY = 0.25
# The clock and the sleep of the lock's retries, replaced by tests.
_clock = time.monotonic
_sleep = time.sleep


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class VaultLock:
    """Exclusive advisory lock on ``<vault>.lock``, waited for briefly.

    ``acquire`` retries with a growing delay for up to ``wait`` seconds
    (``LOCK_WAIT_SECONDS`` when None) while another process holds the lock, then
    raises VaultInUse; ``wait=0`` refuses at once.

    The lock is an ``flock`` on a sidecar file, not on the vault itself, because
    every save replaces the vault's inode. The kernel drops it when the holder
    exits, even on SIGKILL, so a stale lock file is harmless.

    The lock file is opened without following a symbolic link and used only if
    it is a regular file owned by this user with a single link; anything else
    (a link planted by another user of the folder, a hard link to one of the
    owner's files, a FIFO) is left untouched and refused with UnsafeLockFile.
    """

    def __init__(self, path: Path, *, wait: float | None = None) -> None:
        self.path = lock_path(path)
        self.wait = wait
        self._fd: int | None = None
        self.created = False  # True if this lock made the lock file

    def acquire(self) -> None:
        for _ in range(_LOCK_ATTEMPTS):
            fd, created = self._open()
            try:
                self._check_safe(fd)
                self._flock(fd)
            except BaseException:
                os.close(fd)
                raise
            if still_named(self.path, fd):
                break
            os.close(fd)  # the file was removed or replaced meanwhile: lock the new one
        else:
            raise VaultInUse(f"the lock file {self.path} keeps being replaced by another "
                             "process; nothing was written, try again")
        self._fd, self.created = fd, created
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # checked above: our own private file
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)

    def _open(self) -> tuple[int, bool]:
        try:
            try:
                return os.open(self.path, _LOCK_FLAGS | os.O_CREAT | os.O_EXCL, 0o600), True
            except FileExistsError:
                return os.open(self.path, _LOCK_FLAGS), False
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnsafeLockFile(
                    f"the lock file {self.path} is a symbolic link, which vault-app never "
                    "follows (another user of the folder may have planted it); nothing was "
                    "written. Remove it if you did not make it, and keep the vault in a "
                    "folder only you can write"
                ) from None
            raise VaultWriteError(
                f"cannot create the lock file {self.path}: {describe_os_error(exc)}"
            ) from None

    def _check_safe(self, fd: int) -> None:
        info = os.fstat(fd)
        problem = None
        if not stat.S_ISREG(info.st_mode):
            problem = f"is {kind_of(info.st_mode)}"
        elif info.st_uid != os.geteuid():
            problem = f"belongs to another user (uid {info.st_uid})"
        elif info.st_nlink != 1:
            problem = f"has {info.st_nlink} hard links (it may be another file of yours)"
        if problem:
            raise UnsafeLockFile(
                f"the lock file {self.path} {problem}, so vault-app will not use it; it was "
                "left untouched and nothing was written. Remove it if you did not make it, "
                "and keep the vault in a folder only you can write"
            )

    def _flock(self, fd: int) -> None:
        deadline = _clock() + (LOCK_WAIT_SECONDS if self.wait is None else self.wait)
        delay = _LOCK_FIRST_DELAY
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise VaultWriteError(
                        f"cannot lock {self.path}: {describe_os_error(exc)}") from None
            remaining = deadline - _clock()
            if remaining <= 0:
                break
            _sleep(min(delay, remaining))
            delay = min(delay * 2, _LOCK_MAX_DELAY)
        holder = self._read_holder(fd)
        who = f" (pid {holder})" if holder else ""
        raise VaultInUse(
            f"the vault is being written by another process{who}; "
            "nothing was written, try again"
        )

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

    def discard(self) -> None:
        """Release, and remove the lock file if this lock created it (a failed create).

        It is removed while still locked; a process that opened it meanwhile sees
        that the name is gone once it gets the lock, and makes a new one.
        """
        if self._fd is not None and self.created:
            with contextlib.suppress(OSError):
                if still_named(self.path, self._fd):
                    os.unlink(self.path)
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> VaultLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
