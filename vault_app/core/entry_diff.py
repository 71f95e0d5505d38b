"""What differs between two lists of entries, by entry id: a pure function.

``diff(current, other)`` says what replacing ``current`` with ``other`` would do:
entries it would add, remove, and change (with the names of the fields that differ).
Used to show what restoring a previous version does, and to check, under the lock,
that the vault still is what that was computed from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from vault_app.core.model import KeyEntry

# Fields that hold the entry's content; ``extra`` (unknown members) is compared too.
_SKIPPED = frozenset({"encoded", "source"})


@dataclass(frozen=True)
class EntryRef:
    id: str
    label: str
    exchange: str


@dataclass(frozen=True)
class ChangedEntry:
    id: str
    label: str  # as in ``other``
    fields: tuple[str, ...]  # field names that differ, in the entry's field order


@dataclass(frozen=True)
class VersionDiff:
    added: tuple[EntryRef, ...]
    removed: tuple[EntryRef, ...]
    changed: tuple[ChangedEntry, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _ref(entry: KeyEntry) -> EntryRef:
    return EntryRef(entry.id, entry.label, entry.exchange)


def changed_fields(a: KeyEntry, b: KeyEntry) -> tuple[str, ...]:
    names = []
    for item in fields(KeyEntry):
        if item.name in _SKIPPED:
            continue
        left, right = getattr(a, item.name), getattr(b, item.name)
        if item.name in ("credentials", "extra"):
            left, right = dict(left), dict(right)
        if left != right:
            names.append(item.name)
    return tuple(names)


def diff(current: Iterable[KeyEntry], other: Iterable[KeyEntry]) -> VersionDiff:
    """What turning ``current`` into ``other`` adds, removes and changes, by entry id."""
    ours = {entry.id: entry for entry in current}
    theirs = {entry.id: entry for entry in other}
    added = tuple(_ref(e) for i, e in theirs.items() if i not in ours)
    removed = tuple(_ref(e) for i, e in ours.items() if i not in theirs)
    changed = []
    for entry_id, entry in theirs.items():
        if entry_id in ours:
            names = changed_fields(ours[entry_id], entry)
            if names:
                changed.append(ChangedEntry(entry_id, entry.label, names))
    return VersionDiff(added, removed, tuple(changed))
