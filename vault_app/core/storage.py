"""The vault file on disk: a safe read, and an atomic, durable replace or create.

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
read only if it is a regular file no larger than ``MAX_VAULT_SIZE``. The write
lock is in ``vault_lock``, path resolution in ``paths``, folders in ``folders``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from pathlib import Path

from vault_app.core.errors import (
    NotARegularFile,
    VaultExists,
    VaultInUse,
    VaultIOError,
    VaultNotFound,
    VaultTooLarge,
    VaultWriteError,
)
from vault_app.core.os_messages import describe_os_error, kind_of
from vault_app.core.paths import resolve_existing

TEMP_PREFIX = "."
TEMP_MARK = ".tmp-"

MAX_VAULT_SIZE = 256 * 1024 * 1024
"""No vault file is larger (docs/vault-format.md, section 5): bigger files are not read."""

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC


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
        raise VaultIOError(f"cannot read {shown}: {describe_os_error(exc)}") from None
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
        raise VaultIOError(f"cannot read {shown}: {describe_os_error(exc)}") from None
    finally:
        os.close(fd)


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
                mode: int = 0o600, prefix: str | None = None) -> Path:
    """A fsynced temp file beside ``path`` with permission bits ``mode``, holding ``data``."""
    temp = path.parent / f"{prefix or _temp_name(path)}{os.urandom(6).hex()}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise VaultWriteError(failed.format(path=path, why=describe_os_error(exc))) from None
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
        raise VaultWriteError(failed.format(path=path, why=describe_os_error(exc))) from None
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
            f"saved {path}, but the folder could not be flushed to disk: {describe_os_error(exc)}",
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
            f"could not save {path}: {describe_os_error(exc)}; the previous vault file is intact"
        ) from None
    _flush_folder(path)


def atomic_create(path: Path, data: bytes) -> None:
    """Like ``atomic_write``, but fail with VaultExists if ``path`` exists.

    The final step is a hard link, which the kernel refuses when the name is
    taken, so an existing file is never overwritten, whoever created it.
    """
    link_temp(write_temp(path, data), path)


def write_temp(path: Path, data: bytes, *, prefix: str | None = None) -> Path:
    """A private (0600), fsynced temp file beside ``path`` holding ``data``, named
    ``prefix`` + random (default: as a save's temp files are, ``temp_prefix(path)``),
    so ``remove_stale_temps`` knows them. The caller checks it if it likes, then gives
    it its name (``link_temp``, ``replace_with_temp``) or removes it. Raises
    VaultWriteError (nothing left behind)."""
    return _write_temp(path, data, _CREATE_FAILED, prefix=prefix)


def link_temp(temp: Path, path: Path) -> None:
    """Give the file ``temp`` the name ``path`` by a hard link, which fails with
    VaultExists if the name is taken (whoever took it), then drop the temp name (on
    failure too) and flush the folder."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise VaultExists(f"a vault already exists at {path}; refusing to overwrite it") \
            from None
    except OSError as exc:
        why = describe_os_error(exc)
        raise VaultWriteError(_CREATE_FAILED.format(path=path, why=why)) from None
    finally:
        _unlink_quietly(temp)
    _flush_folder(path)


def replace_with_temp(temp: Path, path: Path) -> None:
    """Rename the file ``temp`` over ``path`` (atomic: the file there stays intact until
    the rename; the temp is removed if it fails), then flush the folder."""
    try:
        os.replace(temp, path)
    except OSError as exc:
        _unlink_quietly(temp)
        raise VaultWriteError(f"could not write {path}: {describe_os_error(exc)}; the file "
                              "there is intact") from None
    _flush_folder(path)


def temp_prefix(path: Path) -> str:
    """How the temp files of a write to ``path`` are named: ``remove_stale_temps``'s
    ``prefix`` for them."""
    return _temp_name(path)


def remove_stale_temps(folder: Path, prefix: str, *, older_than: float = 0.0) -> list[str]:
    """Delete the temp files named ``prefix...`` in ``folder`` that a writer killed
    mid-write left; return their names. One cleaner for every writer (saves, versions,
    exports, copies), each with its own prefix.

    Only regular files are removed (never a link, a folder, a FIFO), and only those
    last modified more than ``older_than`` seconds ago: 0 (any age) only while holding
    the lock that every writer of these temps holds, so that no live writer's file is
    removed; a writer without such a lock passes an age no live write reaches.
    """
    removed: list[str] = []
    now = time.time()
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(prefix):
            continue
        with contextlib.suppress(OSError):
            info = os.lstat(folder / name)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= older_than:
                os.unlink(folder / name)
                removed.append(name)
    return removed


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a link or rename made in it) to disk; OSError if not."""
    _fsync_dir(folder)
