"""The vault's folders: create them private, remove them on failure, warn when shared."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from vault_app.core.errors import VaultWriteError
from vault_app.core.os_messages import describe_os_error


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
            raise VaultWriteError(f"cannot create the folder {name}: {describe_os_error(exc)}; "
                                  "nothing was created") from None
        created.append(name)
        try:
            _chmod_folder(name)  # the umask may have removed bits from 0700
        except OSError as exc:
            remove_folders(created)
            why = ("it was replaced by a symbolic link meanwhile" if exc.errno in
                   (errno.ELOOP, errno.ENOTDIR) else describe_os_error(exc))
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
