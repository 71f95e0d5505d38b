"""The payload's optional top-level ``backup`` member (spec 6.2): what makes a vault
file a backup file.

A backup file is a vault file (its own salt and data key), so every reader opens
it like any vault. ``backups/export.py`` writes the section: when the backup was
made, the id of the vault it was made from, and the order-journal records of the
exported keys (each the decoded plaintext object of spec section 9, as
``JournalRecord.data``). A vault the user works in has no such member.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vault_app.core.errors import VaultDamaged
from vault_app.core.model import format_ts, parse_ts
from vault_app.core.strict_json import MAX_DEPTH, too_deep

BACKUP_MEMBER = "backup"
_KNOWN = frozenset(("made_at", "source_vault_id", "journal"))


@dataclass(frozen=True)
class BackupSection:
    """The ``backup`` member of a backup file's payload."""

    made_at: datetime
    source_vault_id: str
    # Order-journal records (spec 9), each one decoded record object; they may hold
    # order details but never a credential.
    journal: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    # Members of the ``backup`` object this release does not know, written back as is.
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


def _damaged(what: str) -> VaultDamaged:
    return VaultDamaged(f"the vault content is damaged: {what}")


def backup_from_json(value: Any) -> BackupSection:
    """The section from the parsed ``backup`` member (at depth 2), checked as spec 6.3
    says: an object with a timestamp ``made_at``, a string ``source_vault_id`` and an
    array of objects ``journal``. Anything else raises VaultDamaged."""
    if type(value) is not dict:
        raise _damaged("'backup' is not an object")
    if too_deep(value, 2):
        raise _damaged(f"it nests deeper than {MAX_DEPTH} levels")
    try:
        made_at = parse_ts(value["made_at"])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise _damaged("'backup.made_at' is not a timestamp") from None
    source = value.get("source_vault_id")
    if type(source) is not str:
        raise _damaged("'backup.source_vault_id' is not text")
    journal = value.get("journal")
    if type(journal) is not list:
        raise _damaged("'backup.journal' is not an array")
    if any(type(record) is not dict for record in journal):
        raise _damaged("a record in 'backup.journal' is not an object")
    extra = {name: item for name, item in value.items() if name not in _KNOWN}
    return BackupSection(made_at=made_at, source_vault_id=source, journal=tuple(journal),
                         extra=extra)


def backup_to_json(section: BackupSection) -> dict[str, Any]:
    """The ``backup`` member as it is written: unknown members kept, known ones after."""
    data: dict[str, Any] = dict(section.extra)
    data.update({
        "made_at": format_ts(section.made_at),
        "source_vault_id": section.source_vault_id,
        "journal": [dict(record) for record in section.journal],
    })
    return data
