"""What differs between two entries, and between two lists of them: pure functions.

The one definition of "what differs" for every feature: ``content(entry)`` is what
makes an entry's content (compare two with ``==``), ``changed_fields(a, b)`` names the
fields that differ. Both leave out when the entry was last used (``last_used_at``: a
trading worker or a copy records a use; that is no change of the key, and must not
make a plan stale or a backup "differ") and when it was last changed (``updated_at``:
it moves whenever another field does, so it would only repeat the difference, and two
sides that made the same change at different moments hold the same key).

``diff(current, other)`` says what replacing ``current`` with ``other`` would do:
entries it would add, remove, and change (with the names of the fields that differ).
Used to show what restoring a previous version does, and to check, under the lock,
that the vault still is what that was computed from (``VersionDiff.base``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from vault_app.core.model import KeyEntry

NOT_CONTENT = frozenset({"last_used_at", "updated_at"})  # see the module's docstring
# Members that are no field of the stored entry (caches of its encoded form).
_SKIPPED = frozenset({"encoded", "source"}) | NOT_CONTENT
_CONTENT_FIELDS = tuple(item.name for item in fields(KeyEntry) if item.name not in _SKIPPED)


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
    # A digest of the content of every current entry the difference would remove or
    # change: what the user was shown a difference *from*. Two differences with the
    # same field names but another window's new value in one of them differ here.
    base: bytes = field(default=b"", repr=False)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _ref(entry: KeyEntry) -> EntryRef:
    return EntryRef(entry.id, entry.label, entry.exchange)


def content(entry: KeyEntry) -> tuple[object, ...]:
    """Every field that makes an entry's content, credentials and unknown members
    included; not when it was last used or changed. Compare two with ``==``."""
    return tuple(_value(entry, name) for name in _CONTENT_FIELDS)


def _value(entry: KeyEntry, name: str) -> object:
    value = getattr(entry, name)
    return dict(value) if name in ("credentials", "extra") else value


def changed_fields(a: KeyEntry, b: KeyEntry) -> tuple[str, ...]:
    """The fields whose content differs, in the entry's field order (``extra``: any
    member of a newer release); not when it was last used or changed."""
    return tuple(name for name in _CONTENT_FIELDS if _value(a, name) != _value(b, name))


def _digest(entries: Iterable[KeyEntry]) -> bytes:
    hashed = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.id):
        hashed.update(repr((entry.id, content(entry))).encode())
    return hashed.digest()


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
    involved = [ours[ref.id] for ref in removed] + [ours[item.id] for item in changed]
    return VersionDiff(added, removed, tuple(changed), _digest(involved))
