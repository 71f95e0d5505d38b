"""Previous versions: every save first keeps the file it replaces (docs/versions.md).

Layout: ``<vault file name>.versions/`` beside the real vault file, mode 0700, holding
``YYYYMMDDTHHMMSS.ffffffZ.vault`` files (UTC, ``-N`` appended on a collision), 0600.
Anything else in the folder is not ours and is ignored; nothing inside is followed
if it is a link.

Order inside ``Vault._commit``, all under the vault's lock:

1. ``keep``: remove temp files a killed copy left, then hard-link the current vault
   file in under its version name (O(1); a copy through a fsynced temp and a rename
   when the file system refuses links), then fsync the folder. A SIGKILL before the
   link leaves no version; after it, a complete one (a link or a rename is atomic).
2. ``storage.atomic_write`` replaces the vault (old or new file at any moment).
3. ``prune``: only now, with the new vault file in place, remove the oldest versions
   beyond ``keep_versions`` and give the newest its 0600 mode (a hard link shares the
   vault's inode and mode until the rename). A SIGKILL between 2 and 3 leaves one
   version too many, removed by the next save.

So at every moment the vault opens and every version is a complete former vault file.
A problem with the folder (a symbolic link, a file, a folder of another user or
writable by others, a full disk) never fails the save: ``keep`` returns a warning
and keeps no version.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vault_app.core import folders, storage
from vault_app.core.errors import (
    FolderRefused,
    NotARegularFile,
    VaultIOError,
    VaultNotFound,
    VaultWriteError,
)
from vault_app.core.os_messages import describe_os_error
from vault_app.core.vault_format import HEAD_MAX, KeySlot, slot_of_head

SUFFIX = ".versions"
TEMP_PREFIX = ".version.tmp-"
_NAME = re.compile(r"^(\d{8}T\d{6}\.\d{6})Z(?:-(\d{1,6}))?\.vault$")
_STAMP = "%Y%m%dT%H%M%S.%f"
# A version name dated later than now by more than this is not followed (see ``keep``).
FUTURE_SLACK = timedelta(days=1)
READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC


@dataclass(frozen=True)
class VersionFile:
    """``saved_at`` (from the name) is when this state was *replaced* by a save;
    ``state_saved_at`` (the file's mtime: the version is a hard link of the vault file
    it replaced, and copies and re-seals keep that mtime) is when this state itself was
    written. The difference is the KeePassXC ``.old`` confusion: show both."""

    name: str
    saved_at: datetime
    size: int
    path: Path
    mtime_ns: int = 0

    @property
    def state_saved_at(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, UTC)


def folder_of(vault_path: Path) -> Path:
    return vault_path.parent / f"{vault_path.name}{SUFFIX}"


def parse_name(name: str) -> tuple[datetime, int] | None:
    """The UTC time and collision number of a version name, None if not one."""
    match = _NAME.match(name)
    if match is None:
        return None
    try:
        when = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return when, int(match.group(2) or 0)


def new_name(now: datetime, taken: set[str]) -> str:
    base = now.astimezone(UTC).strftime(_STAMP) + "Z"
    name, number = f"{base}.vault", 0
    while name in taken:
        number += 1
        name = f"{base}-{number}.vault"
    return name


def check_folder(folder: Path) -> None:
    """Raise FolderRefused unless ``folder`` is a real folder of ours no one else writes."""
    try:
        info = os.lstat(folder)
    except OSError as exc:
        raise FolderRefused(f"cannot read {folder}: {describe_os_error(exc)}") from None
    if stat.S_ISLNK(info.st_mode):
        raise FolderRefused(f"{folder} is a symbolic link, which vault-app never follows; "
                            "no previous version was kept there")
    if not stat.S_ISDIR(info.st_mode):
        raise FolderRefused(f"{folder} is not a folder; no previous version was kept there")
    if info.st_uid != os.geteuid():
        raise FolderRefused(f"{folder} belongs to another user; no previous version was "
                            "kept there")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise FolderRefused(f"{folder} is writable by other users; no previous version was "
                            f"kept there (chmod 700 '{folder}')")


def open_folder(vault_path: Path, *, create: bool) -> Path | None:
    """The checked versions folder, made (0700) if ``create``; None if absent."""
    folder = folder_of(vault_path)
    if not os.path.lexists(folder):
        if not create:
            return None
        folders.make_private_folders(folder)
    check_folder(folder)
    return folder


def is_far_ahead(when: datetime, now: datetime | None = None) -> bool:
    """Whether a version's name is dated more than ``FUTURE_SLACK`` after ``now``: saved
    while the clock was far ahead (or planted); its date says nothing of its order."""
    return when > (now or datetime.now(UTC)) + FUTURE_SLACK


def list_versions(vault_path: Path, now: datetime | None = None) -> list[VersionFile]:
    """The versions kept, newest first. Links, non-files and others' files are skipped.

    A version dated more than a day after ``now`` counts as older than every other
    (among themselves, by name): it was saved while the clock was far ahead, so before
    the clock was set right and before every save named since. Without this, such a
    version would stay "newest" for years and pruning would take the real ones.
    """
    folder = open_folder(vault_path, create=False)
    if folder is None:
        return []
    moment = now or datetime.now(UTC)
    found: list[tuple[tuple[bool, datetime, int], VersionFile]] = []
    for name in os.listdir(folder):
        parsed = parse_name(name)
        if parsed is None:
            continue
        try:
            info = os.lstat(folder / name)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            continue
        order = (not is_far_ahead(parsed[0], moment), *parsed)
        found.append((order, VersionFile(name, parsed[0], info.st_size, folder / name,
                                         info.st_mtime_ns)))
    found.sort(key=lambda item: item[0], reverse=True)
    return [version for _, version in found]


def removed_by_keep(kept: int, keep: int) -> int:
    """How many of ``kept`` versions go when the count to keep is set to ``keep``: that
    setting is a save, which first keeps the current file as one more version (none
    when ``keep`` is 0), then prunes the oldest down to ``keep``."""
    return kept if keep == 0 else max(0, kept + 1 - keep)


def usage(vault_path: Path) -> tuple[int, int]:
    """How many versions are kept, and their total size in bytes."""
    try:
        kept = list_versions(vault_path)
    except VaultIOError:
        return 0, 0
    return len(kept), sum(version.size for version in kept)


def read_version(vault_path: Path, name: str) -> bytes:
    """The bytes of one version, never through a link; VaultNotFound if there is none."""
    if parse_name(name) is None:
        raise VaultNotFound(f"'{name}' is not the name of a previous version")
    folder = open_folder(vault_path, create=False)
    if folder is None:
        raise VaultNotFound(f"no previous versions are kept for {vault_path}")
    try:
        return read_file(folder / name)
    except FileNotFoundError:
        raise VaultNotFound(f"no previous version named {name}") from None


def read_file(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_VAULT_SIZE``, never through a link
    and never blocking (a FIFO); FileNotFoundError if absent, else typed errors."""
    try:
        fd = os.open(path, READ_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotARegularFile(f"{path} is a symbolic link; it was not read") from None
        raise VaultIOError(f"cannot read {path}: {describe_os_error(exc)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > storage.MAX_VAULT_SIZE:
            raise NotARegularFile(f"{path} is not a version file; it was not read")
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1024 * 1024):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise VaultIOError(f"cannot read {path}: {describe_os_error(exc)}") from None
    finally:
        os.close(fd)


def remove_temps(folder: Path) -> None:
    """Temp files a killed copy or re-seal left (call under the vault's lock)."""
    storage.remove_stale_temps(folder, TEMP_PREFIX)


def write_private(folder: Path, name: str, data: bytes, *, replace: bool,
                  mtime_ns: int | None = None) -> None:
    """``data`` into ``folder/name`` (0600) through a fsynced temp and a rename, then
    the folder flushed (``storage``'s helpers). ``replace=False`` links instead of
    renaming, so an existing name is never replaced. ``mtime_ns``: the modification
    time the file gets (a version's keeps saying when its state was written,
    ``VersionFile.state_saved_at``; only a date: not failing the write if refused).
    Raises VaultWriteError."""
    temp = storage.write_temp(folder / name, data, prefix=TEMP_PREFIX)
    if mtime_ns is not None:
        with contextlib.suppress(OSError):
            os.utime(temp, ns=(mtime_ns, mtime_ns), follow_symlinks=False)
    if replace:
        storage.replace_with_temp(temp, folder / name)
    else:
        storage.link_temp(temp, folder / name)


def keep(vault_path: Path, keep_versions: int, slot: KeySlot | None = None,
         now: datetime | None = None) -> str:
    """Keep the current vault file as a version (step 1 above); return its name.

    Names are monotonic: never earlier than the newest version sealed under ``slot``
    (the key slot of the file being kept; None: every version of ours) plus 1 µs, so
    the order by name is the order of saves even after the clock was set back, and
    pruning (by name) never takes the version just kept for the oldest. Only those
    versions count: a file of another user or under another key (a leftover, a
    planted name) never sets the name. A name more than ``FUTURE_SLACK`` after now is
    not followed either (the clock was far ahead, or the name is made up; it is
    listed as the oldest, see ``list_versions``): the version is named by now, ``-N``
    appended if that name is taken. So no name in the folder can make a save fail.

    Call under the vault's lock, before the vault is replaced. Raises VaultIOError
    (the caller reports it as a warning; the save goes on).
    """
    folder = open_folder(vault_path, create=True)
    assert folder is not None
    remove_temps(folder)
    taken = set(os.listdir(folder))
    moment = now or datetime.now(UTC)
    candidates = list_versions(vault_path, moment) if slot is None else _ours(vault_path, slot)
    newest = max((v.saved_at for v in candidates if not is_far_ahead(v.saved_at, moment)),
                 default=None)
    if newest is not None and newest >= moment:
        with contextlib.suppress(OverflowError):
            moment = newest + timedelta(microseconds=1)
    name = new_name(moment, taken)
    try:
        try:
            os.link(vault_path, folder / name, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in (errno.EEXIST, errno.ENOENT):
                raise
            # No hard links here (another file system, FAT, a sandbox): a copy, renamed
            # to its name (unique: we hold the lock and listed the folder).
            write_private(folder, name, storage.read_bytes(vault_path), replace=True,
                          mtime_ns=os.stat(vault_path).st_mtime_ns)
        storage.fsync_folder(folder)
    except OSError as exc:
        raise VaultWriteError(f"could not keep a previous version in {folder}: "
                              f"{describe_os_error(exc)}") from None
    return name


def discard(vault_path: Path, name: str) -> None:
    """Remove the version ``keep`` just made, when the save then failed."""
    with contextlib.suppress(OSError):
        os.unlink(folder_of(vault_path) / name)


def slot_of(path: Path) -> KeySlot | None:
    """The key slot a version is sealed under, from its header only (cheap); None if
    it cannot be read or is no vault file."""
    try:
        fd = os.open(path, READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return slot_of_head(os.read(fd, HEAD_MAX))
    except OSError:
        return None
    finally:
        os.close(fd)


def prune(vault_path: Path, keep_versions: int, slot: KeySlot,
          just_kept: str | None = None) -> None:
    """Step 3 above: after the new vault file is in place, keep the newest ones only.

    Only versions sealed under ``slot`` (the vault's current key slot) count and are
    ever removed: a version under another key (another vault's, left by an earlier
    vault of the same name, or one a password change could not re-seal) may hold
    the only copy of someone's keys; it is listed as such, never pruned by count.
    ``just_kept`` (the version this save kept) is never removed.
    """
    folder = open_folder(vault_path, create=False)
    if folder is None:
        return
    remove_temps(folder)  # also when keep_versions is 0 and ``keep`` did not run
    for version in beyond(vault_path, keep_versions, slot):
        if version.name != just_kept:
            with contextlib.suppress(OSError):
                os.unlink(version.path)
    for version in _ours(vault_path, slot)[:max(keep_versions, 0)]:
        _make_private(version.path)
    with contextlib.suppress(OSError):
        storage.fsync_folder(folder)


def _ours(vault_path: Path, slot: KeySlot) -> list[VersionFile]:
    return [v for v in list_versions(vault_path) if slot_of(v.path) == slot]


def beyond(vault_path: Path, keep_versions: int, slot: KeySlot) -> list[VersionFile]:
    """The versions under ``slot`` that keeping ``keep_versions`` removes (oldest)."""
    return _ours(vault_path, slot)[max(keep_versions, 0):]


def _make_private(path: Path) -> None:
    """Mode 0600 on a version no longer linked to the vault (its mode was the vault's)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, READ_FLAGS)
        try:
            info = os.fstat(fd)
            if info.st_nlink == 1 and stat.S_IMODE(info.st_mode) != 0o600:
                os.fchmod(fd, 0o600)
        finally:
            os.close(fd)
