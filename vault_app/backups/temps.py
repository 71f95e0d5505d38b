"""Temp files of backups and second-folder copies, and the one cleaner of stale ones.

Exports and copies write a fsynced temp file beside their target, then link or rename
it into place (``storage.write_temp``, ``storage.atomic_create``). A SIGKILL in between
leaves the temp: a complete file sealed under the password of the day, hidden by its
leading dot. Export temps carry a fixed prefix (``EXPORT_PREFIX``) whatever the target's
name, so the next export into the folder finds them even when it writes another name
(dated backup names are the common case); copy temps carry the vault's copy prefix.
``remove_stale_temps`` removes ours, regular files only, once older than
``STALE_AFTER``: a live writer's temp is seconds old.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path

from vault_app.core import storage

STALE_AFTER = 600.0
"""Seconds after which a temp file of ours was left by a writer that was killed."""

EXPORT_NAME = "vault-app-export-"
EXPORT_PREFIX = f"{storage.TEMP_PREFIX}{EXPORT_NAME}"


def export_temp_base(target: Path) -> Path:
    """What ``storage.write_temp`` is given for an export to ``target``: its temp is
    then ``.vault-app-export-<target name>.tmp-<random>`` beside ``target``."""
    return target.with_name(EXPORT_NAME + target.name)


def remove_stale_temps(folder: Path, prefix: str, older_than: float = STALE_AFTER, *,
                       now: float | None = None) -> list[str]:
    """Remove the temp files in ``folder`` whose names start with ``prefix`` and hold
    ``storage.TEMP_MARK``, regular files (never a link or anything else) last written
    more than ``older_than`` seconds ago. Returns the names removed; a folder that
    cannot be listed removes nothing."""
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and storage.TEMP_MARK in name[len(prefix):]):
            continue
        with contextlib.suppress(OSError):
            info = os.stat(folder / name, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                os.unlink(folder / name)
                removed.append(name)
    return removed
