"""The rules a change of the entries follows: unique ids, labels and API keys, and
when a recorded use is worth a save. Plain functions, run under the vault's lock on
the entries as they are on disk (``Vault``'s changes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vault_app.core.errors import ValidationError
from vault_app.core.model import KeyEntry, identity_credential, utcnow


def added_many(entries: list[KeyEntry], new: list[KeyEntry]) -> list[KeyEntry]:
    """``entries`` and then ``new``; ValidationError if one of ``new`` has the id, label
    or API key of another entry (of ``entries`` or of ``new``)."""
    labels = {e.label.casefold(): e for e in entries}
    identities = {identity_credential(e): e for e in entries}
    ids = {e.id for e in entries}
    for entry in new:
        if entry.id in ids:  # a file with two entries of one id does not open
            raise ValidationError("this key is already in the vault", field="id")
        ids.add(entry.id)
        clash = labels.get(entry.label.casefold())
        if clash is not None:
            raise ValidationError(f"a key labelled '{clash.label}' already exists",
                                  field="label")
        identity = identity_credential(entry)
        if identity is not None and identity in identities:
            raise ValidationError(
                f"this API key is already stored as '{identities[identity].label}'",
                field=identity[0])
        labels[entry.label.casefold()] = entry
        identities[identity] = entry
    return [*entries, *new]


def newer_use(stored: datetime | None, moment: datetime) -> bool:
    """Whether a use at ``moment`` replaces the recorded use ``stored``: if it is in a
    later UTC hour, or if ``stored`` lies in the future (a clock that was wrong, a file
    from another program), which would otherwise stop every use from being recorded."""
    if stored is None or stored > utcnow() + timedelta(hours=1):
        return True
    hour = moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return stored < hour


def index_of(entry_id: str, entries: list[KeyEntry]) -> int:
    for index, entry in enumerate(entries):
        if entry.id == entry_id:
            return index
    raise ValidationError("that key is no longer in the vault", field="id")


def check_unique(entry: KeyEntry, entries: list[KeyEntry], *,
                  before: KeyEntry | None = None) -> None:
    """Refuse a label or API key another entry has. For an edit (``before``: the entry
    as stored), only a changed label or API key is checked: a file from another writer
    may hold alike entries (spec 6.3), and editing one must not need the other renamed."""
    folded = entry.label.casefold()
    identity = identity_credential(entry)
    check_label = before is None or before.label.casefold() != folded
    if before is not None and identity_credential(before) == identity:
        identity = None
    for other in entries:
        if other.id == entry.id:
            continue
        if check_label and other.label.casefold() == folded:
            raise ValidationError(f"a key labelled '{other.label}' already exists",
                                  field="label")
        if identity is not None and identity_credential(other) == identity:
            raise ValidationError(
                f"this API key is already stored as '{other.label}'", field=identity[0]
            )
