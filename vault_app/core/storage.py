"""Files on disk: read, atomic replace, and the exclusive write lock.

The save discipline (after Electrum's ``storage.py``): create a temp file in the
vault's folder and set its mode *before* writing a byte (0600 for a new vault,
the replaced file's permission bits for a save: the user's ``chmod`` is never
undone behind their back), write, fsync, rename it over the vault with
``os.replace``, then fsync the folder. A crash at any moment
leaves either the old file or the new one, never a mix.

The vault's folder may be shared with other users (a group folder, ``/tmp``), so
nothing here follows a symbolic link it did not resolve on purpose or reads a
file without checking what it is: the vault path is resolved once when the vault
is opened or created (a vault linked into a synced folder stays a link, and the
real file is saved in its own folder, as Qt's ``QSaveFile`` does); the vault is
read only if it is a regular file no larger than ``MAX_VAULT_SIZE``; the lock
file is used only if it is a regular file of this user with a single link.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from pathlib import Path

from vault_app.core.errors import (
    BrokenLink,
    NotARegularFile,
    UnsafeLockFile,
    VaultExists,
    VaultInUse,
    VaultIOError,
    VaultNotFound,
    VaultTooLarge,
    VaultWriteError,
)

TEMP_PREFIX = "."
TEMP_MARK = ".tmp-"

MAX_VAULT_SIZE = 256 * 1024 * 1024
"""No vault file is larger (docs/vault-format.md, section 5): bigger files are not read."""

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
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


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or type(exc).__name__


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))
    for test, name in kinds:
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def _check_readable(path: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(f"{path} is {kind_of(info.st_mode)}, not a vault file; "
                              "nothing was read")
    if info.st_size > MAX_VAULT_SIZE:
        raise VaultTooLarge(
            f"{path} is {info.st_size:,} bytes, larger than any vault "
            f"({MAX_VAULT_SIZE // (1024 * 1024)} MiB); it is not a vault file or it is "
            "damaged. Nothing was read."
        )


def read_bytes(path: Path, *, via: Path | None = None) -> bytes:
    """The whole vault file at ``path``, after resolving it (``resolve_existing``).

    Only a regular file of at most ``MAX_VAULT_SIZE`` bytes is read, without
    following a symbolic link and without blocking on a FIFO or a device; exactly
    the size ``fstat`` reports is read. A file that changes size meanwhile is
    being rewritten in place by another program: VaultInUse, try again.
    ``via`` is the path the user gave, if ``path`` was resolved from it: errors
    name both.
    """
    real = resolve_existing(path)
    given = via or path
    shown = str(real)
    if real != Path(os.path.abspath(given)):
        shown = f"{given} (a link to {real})"
    try:
        _check_readable(shown, os.stat(real, follow_symlinks=False))
        fd = os.open(real, _READ_FLAGS)
    except FileNotFoundError:
        raise VaultNotFound(f"no vault file at {shown}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a link after it was resolved
            raise NotARegularFile(f"{shown} became a symbolic link while being opened; "
                                  "nothing was read") from None
        raise VaultIOError(f"cannot read {shown}: {_describe(exc)}") from None
    try:
        info = os.fstat(fd)
        _check_readable(shown, info)  # the name may have been swapped since the stat
        chunks: list[bytes] = []
        remaining = info.st_size
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining or os.read(fd, 1):
            raise VaultInUse(f"{shown} changed size while being read: another program is "
                             "writing it in place; nothing was written, try again")
        return b"".join(chunks)
    except OSError as exc:
        raise VaultIOError(f"cannot read {shown}: {_describe(exc)}") from None
    finally:
        os.close(fd)


def resolve_existing(path: Path) -> Path:
    """The real file behind ``path``: absolute, every symbolic link followed.

    A vault linked into another folder is read, locked and saved there, so the
    link survives every save.
    """
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:
        if os.path.islink(path):
            raise BrokenLink(
                f"{path} is a symbolic link to {os.path.realpath(path)}, which does not "
                "exist; fix or remove the link"
            ) from None
        raise VaultNotFound(f"no vault file at {path}") from None
    except OSError as exc:
        raise VaultIOError(f"cannot open {path}: {_describe(exc)}") from None


def resolve_new(path: Path) -> Path:
    """Where a new vault named ``path`` is written: its absolute path, links in folders resolved.

    Refuses a name that is taken (VaultExists) and a symbolic link to a missing
    file (BrokenLink): creating a vault through a dangling link would write it
    wherever the link points, so the user is asked to name the target instead.
    """
    if os.path.islink(path):
        target = os.path.realpath(path)
        if not os.path.exists(path):
            raise BrokenLink(
                f"{path} is a symbolic link to {target}, which does not exist; nothing was "
                f"created. To create the vault there, name it directly (--vault {target}), "
                "or remove the link"
            )
        raise VaultExists(f"a vault already exists at {path} (a link to {target}); "
                          "refusing to overwrite it")
    if os.path.lexists(path):
        raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it")
    return Path(os.path.realpath(path))


def make_private_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and every missing parent with mode 0700, whatever the umask.

    Folders that already exist keep their modes. Returns the folders created,
    outermost first, for ``remove_folders`` if what was to go in them fails; on
    its own failure it removes them before raising.
    """
    missing: list[Path] = []
    current = folder.absolute()
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    created: list[Path] = []
    for name in reversed(missing):
        try:
            os.mkdir(name, 0o700)
        except FileExistsError:
            continue  # made meanwhile by someone else: not ours to change
        except OSError as exc:
            remove_folders(created)
            raise VaultWriteError(f"cannot create the folder {name}: {_describe(exc)}; "
                                  "nothing was created") from None
        created.append(name)
        try:
            _chmod_folder(name)  # the umask may have removed bits from 0700
        except OSError as exc:
            remove_folders(created)
            why = ("it was replaced by a symbolic link meanwhile" if exc.errno in
                   (errno.ELOOP, errno.ENOTDIR) else _describe(exc))
            raise VaultWriteError(f"cannot set the mode of {name}: {why}; "
                                  "nothing was created") from None
    return created


def _chmod_folder(name: Path) -> None:
    """Mode 0700 on the folder just made, through a descriptor: ``os.chmod`` would follow
    a symbolic link another user of the parent swapped in since the ``mkdir``."""
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.fchmod(fd, 0o700)
    finally:
        os.close(fd)


def remove_folders(created: list[Path]) -> None:
    """Remove folders ``make_private_folders`` created, innermost first, if still empty."""
    for name in reversed(created):
        with contextlib.suppress(OSError):
            os.rmdir(name)


def folder_warning(path: Path) -> str | None:
    """A warning when other users can write the vault's folder, else None.

    Whoever can write the folder can delete or replace the vault, or plant links
    beside it (even in a sticky folder such as /tmp, where they cannot touch the
    owner's files but can create new names). Both the folder named and, for a
    linked vault, the real file's folder are checked.
    """
    folders = [Path(os.path.abspath(path)).parent]
    real = Path(os.path.realpath(path)).parent
    if real != folders[0]:
        folders.append(real)
    for folder in folders:
        try:
            info = os.stat(folder)
        except OSError:
            continue
        euid = os.geteuid()
        if info.st_uid not in (euid, 0):
            return (f"the vault's folder {folder} belongs to another user, who can replace "
                    "or delete the vault; keep the vault in a folder of your own")
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            who = "all users" if info.st_mode & stat.S_IWOTH else "its group"
            if info.st_mode & stat.S_ISVTX:
                risk = ("they cannot change your files (sticky folder), but can plant "
                        "files and links beside the vault")
            else:
                risk = "they can replace or delete the vault"
            return (f"the vault's folder {folder} is writable by {who}: {risk}; keep the "
                    f"vault in a folder only you can write (chmod go-w '{folder}')")
    return None


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


_SAVE_FAILED = "could not save {path}: {why}; the previous vault file is intact"
_CREATE_FAILED = "could not create {path}: {why}; nothing was created"


def _write_temp(path: Path, data: bytes, failed: str = _SAVE_FAILED,
                mode: int = 0o600) -> Path:
    """A fsynced temp file beside ``path`` with permission bits ``mode``, holding ``data``."""
    temp = path.parent / f"{_temp_name(path)}{os.urandom(6).hex()}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise VaultWriteError(failed.format(path=path, why=_describe(exc))) from None
    try:
        try:
            os.fchmod(fd, mode)  # before any byte; also undoes the umask and an ACL
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        _unlink_quietly(temp)
        raise VaultWriteError(failed.format(path=path, why=_describe(exc))) from None
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
    """Replace ``path`` with ``data`` atomically and durably, keeping its permission bits.

    The mode is read from the file being replaced (call under the lock), 0600 if
    there is none. Raises VaultWriteError on any failure; the previous file is then
    untouched and no temp file is left behind.
    """
    try:
        mode = stat.S_IMODE(os.stat(path, follow_symlinks=False).st_mode) & 0o777
    except OSError:
        mode = 0o600
    temp = _write_temp(path, data, mode=mode)
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
    temp = _write_temp(path, data, _CREATE_FAILED)
    try:
        os.link(temp, path)
    except FileExistsError:
        raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it") \
            from None
    except OSError as exc:
        raise VaultWriteError(_CREATE_FAILED.format(path=path, why=_describe(exc))) from None
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
            if self._still_named(fd):
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
                f"cannot create the lock file {self.path}: {_describe(exc)}"
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
                        f"cannot lock {self.path}: {_describe(exc)}") from None
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

    def _still_named(self, fd: int) -> bool:
        """True if ``self.path`` still names the locked file (a holder may remove it)."""
        try:
            named = os.stat(self.path, follow_symlinks=False)
        except OSError:
            return False
        held = os.fstat(fd)
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

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
                if self._still_named(self._fd):
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

