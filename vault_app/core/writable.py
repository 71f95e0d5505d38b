"""Can this vault be saved? The reasons a vault file is read-only.

A save writes a temp file in the vault's folder and renames it over the vault, so
it needs a writable folder and file system, not a writable file: without this
check a vault the user made read-only (``chmod 0400``) would be silently
replaced by a fresh 0600 file. Root passes every ``os.access`` test, so the
permission bits are checked too: a file or folder with no write bit at all is
read-only for everyone, root included.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from vault_app.core.errors import VaultReadOnly

_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def read_only_reason(path: Path) -> str | None:
    """Why ``path`` (an existing vault file) cannot be saved, or None if it can.

    A symbolic link is judged by the real file and its folder, where the save goes.
    """
    path = Path(os.path.realpath(path))
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"the file system holding {folder} is mounted read-only"
        mode = os.stat(path).st_mode
        folder_mode = os.stat(folder).st_mode
    except OSError:
        return None  # missing or unreadable: opening or saving reports that itself
    if not mode & _ANY_WRITE:
        return f"the vault file has no write permission (mode {stat.S_IMODE(mode):04o})"
    if not os.access(path, os.W_OK):
        return "you have no write permission on the vault file"
    if not folder_mode & _ANY_WRITE:
        return (f"its folder {folder} has no write permission "
                f"(mode {stat.S_IMODE(folder_mode):04o})")
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"you have no write permission in its folder {folder}"
    return None


def check_writable(path: Path) -> None:
    """Raise VaultReadOnly, before anything is written, if ``path`` cannot be saved."""
    reason = read_only_reason(path)
    if reason is not None:
        raise VaultReadOnly(
            f"{path} is read-only: {reason}; nothing was written. Save a copy "
            "elsewhere, or make it writable (for example chmod u+w) and try again."
        )
