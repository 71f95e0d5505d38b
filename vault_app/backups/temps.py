"""The names of export and copy temp files, and how old a stale one is.

Exports and copies write a fsynced temp file beside their target, then link or rename
it into place (``storage.write_temp``, ``storage.atomic_create``). A SIGKILL in between
leaves the temp: a complete file sealed under the password of the day, hidden by its
leading dot. Export temps carry a fixed prefix (``EXPORT_PREFIX``) whatever the target's
name, so the next export into the folder finds them even when it writes another name
(dated backup names are the common case); copy temps carry the vault's copy prefix.
``storage.remove_stale_temps`` (the one cleaner) removes them once older than
``STALE_AFTER``: no lock guards these writers, and a live one's temp is seconds old.
"""

from __future__ import annotations

from pathlib import Path

from vault_app.core import storage

STALE_AFTER = 600.0
"""Seconds after which a temp file of ours was left by a writer that was killed."""

EXPORT_PREFIX = f"{storage.TEMP_PREFIX}vault-app-export-"


def export_prefix(target: Path) -> str:
    """The temp name prefix of an export to ``target``:
    ``.vault-app-export-<target name>.tmp-``."""
    return f"{EXPORT_PREFIX}{target.name}{storage.TEMP_MARK}"


def remove_stale_exports(folder: Path, target: Path) -> list[str]:
    """Remove the temps of exports into ``folder`` killed mid-way, whatever name they
    wrote, and the ``.<target name>.tmp-*`` of earlier releases; return their names."""
    return [*storage.remove_stale_temps(folder, EXPORT_PREFIX, older_than=STALE_AFTER),
            *storage.remove_stale_temps(folder, storage.temp_prefix(target),
                                        older_than=STALE_AFTER)]
