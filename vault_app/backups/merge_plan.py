"""The plan of a merge: how each entry of a backup stands against the vault's entries.

See ``merge`` (the rules, the choices, applying them). Everything here is a plain
function of entries: ``plan_entries`` is run once for the user, and again under the
lock against the entries on disk (``signature`` compares the two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vault_app.backups.restore import Backup
from vault_app.core.entry_diff import changed_fields, content
from vault_app.core.errors import ValidationError
from vault_app.core.model import KeyEntry, identity_credential, utcnow
from vault_app.core.plain_text import any_unsafe, escape
from vault_app.core.vault import Vault

NEWER, BOTH, SKIP = "newer", "both", "skip"
POLICIES = (NEWER, BOTH, SKIP)
SAME_ID, SAME_LABEL, SAME_API_KEY = "same_id", "same_label", "same_api_key"
OURS, THEIRS, SAME, UNKNOWN = "ours", "theirs", "same", "unknown"
FUTURE_SLACK = timedelta(days=1)
"""An ``updated_at`` further ahead of the clock than this is not trusted."""


@dataclass(frozen=True)
class Conflict:
    """A backup entry (``theirs``) that clashes with a vault entry (``ours``).

    ``key`` names it in ``choices`` (the backup entry's id, unique in the backup);
    ``kind`` is ``same_id``, ``same_api_key`` or ``same_label``; ``newer`` is
    ``ours``, ``theirs``, ``same`` (by ``updated_at``) or ``unknown`` (a date more than
    ``FUTURE_SLACK`` ahead: ``reason`` says which). The entries hold secrets: the repr
    names the labels only. Labels come from a file anyone may have written: show them
    through ``labels`` (control and bidi characters escaped).
    """

    key: str
    kind: str
    ours: KeyEntry
    theirs: KeyEntry
    newer: str
    reason: str | None = None

    @property
    def labels(self) -> tuple[str, str]:
        """The backup's label and the vault's, printable as they are (``escape``)."""
        return escape(self.theirs.label), escape(self.ours.label)

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the fields that differ (``credentials``, ``notes``, ...;
        ``field_names.title`` names them for people)."""
        return changed_fields(self.ours, self.theirs)


@dataclass(frozen=True)
class MergePlan:
    """``planned_at``: the clock the dates were judged against (applying judges again
    against it, so a plan does not go stale by the clock alone)."""

    additions: tuple[KeyEntry, ...]
    identical: int
    conflicts: tuple[Conflict, ...]
    backup: Backup
    planned_at: datetime = field(default_factory=utcnow)

    @property
    def addition_labels(self) -> tuple[str, ...]:
        """The labels of the entries to add, printable as they are (``escape``)."""
        return tuple(escape(entry.label) for entry in self.additions)

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a front end must say before the user chooses: labels that hold control
        or bidi characters (shown escaped: ``\\u202e``), dates not trusted."""
        found = [f"the backup's key '{escape(entry.label)}' has a label with control or "
                 "direction characters (shown escaped, as \\u202e): look at it before keeping it"
                 for entry in (*self.additions, *(c.theirs for c in self.conflicts))
                 if any_unsafe([entry.label])]
        found += [c.reason for c in self.conflicts if c.reason is not None]
        return tuple(found)

    @property
    def is_empty(self) -> bool:
        """Nothing to add and nothing to choose: the vault holds the backup already."""
        return not self.additions and not self.conflicts


@dataclass(frozen=True)
class MergeReport:
    """What ``apply_merge`` did: the entries as saved (``added``, ``replaced``: the vault
    entries' new content, ``copied``: the "(restored)" copies), the backup entries left
    out (``skipped``) and how many journal records were appended. ``journal_problem``:
    why the records could not be appended (the entries were saved), or None."""

    added: tuple[KeyEntry, ...]
    replaced: tuple[KeyEntry, ...]
    copied: tuple[KeyEntry, ...]
    skipped: tuple[KeyEntry, ...]
    journal_records: int
    journal_problem: str | None = None


def newer_side(ours: KeyEntry, theirs: KeyEntry,
               now: datetime | None = None) -> tuple[str, str | None]:
    """Whose ``updated_at`` is later (``OURS``, ``THEIRS``, ``SAME``), or ``UNKNOWN``
    with the reason when either is more than ``FUTURE_SLACK`` ahead of ``now``."""
    limit = (now or utcnow()) + FUTURE_SLACK
    for entry, whose in ((theirs, "the backup's"), (ours, "the vault's")):
        if entry.updated_at > limit:
            return UNKNOWN, (
                f"{whose} '{escape(entry.label)}' says it was changed on "
                f"{entry.updated_at:%Y-%m-%d}, more than a day from now: its date is not "
                "trusted, so which is newer is unknown and 'newer' keeps the vault's")
    if ours.updated_at == theirs.updated_at:
        return SAME, None
    return (OURS if ours.updated_at > theirs.updated_at else THEIRS), None


def plan_merge(vault: Vault, backup: Backup, *, now: datetime | None = None) -> MergePlan:
    """What merging ``backup`` into ``vault`` (as this session holds it) would do;
    dates are judged against ``now`` (the clock by default)."""
    return plan_entries(list(vault.entries), backup, now or utcnow())


def plan_entries(entries: Sequence[KeyEntry], backup: Backup, now: datetime) -> MergePlan:
    """The plan against ``entries``. An addition's API key counts as taken for the
    backup entries after it: a second backup entry of that key is a ``same_api_key``
    conflict with it, never a second addition (two entries of one key)."""
    by_id = {entry.id: entry for entry in entries}
    by_label: dict[str, KeyEntry] = {}
    by_identity: dict[tuple[str, str], KeyEntry] = {}
    for entry in entries:
        by_label.setdefault(entry.label.casefold(), entry)
        identity = identity_credential(entry)
        if identity is not None:
            by_identity.setdefault(identity, entry)
    additions: list[KeyEntry] = []
    conflicts: list[Conflict] = []
    identical = 0
    for theirs in backup.entries:
        ours = by_id.get(theirs.id)
        kind = SAME_ID
        if ours is not None and content(ours) == content(theirs):
            identical += 1
            continue
        if ours is None:
            identity = identity_credential(theirs)
            kind, ours = SAME_API_KEY, by_identity.get(identity) if identity else None
        if ours is None:
            kind, ours = SAME_LABEL, by_label.get(theirs.label.casefold())
        if ours is None:
            additions.append(theirs)
            identity = identity_credential(theirs)
            if identity is not None:
                by_identity.setdefault(identity, theirs)
        else:
            newer, reason = newer_side(ours, theirs, now)
            conflicts.append(Conflict(theirs.id, kind, ours, theirs, newer, reason))
    return MergePlan(tuple(additions), identical, tuple(conflicts), backup, now)


def signature(plan: MergePlan) -> tuple[object, ...]:
    """What the user chose on: which entries are added, how many are identical, and
    each conflict with the vault entry's content (a later recorded use is no change)."""
    return (tuple(entry.id for entry in plan.additions), plan.identical,
            tuple((c.key, c.kind, c.ours.id, content(c.ours), c.newer)
                  for c in plan.conflicts))


def check_choices(plan: MergePlan, choices: Mapping[str, str]) -> None:
    """Raise ValidationError unless every conflict has a known policy."""
    for conflict in plan.conflicts:
        choice = choices.get(conflict.key)
        if choice not in POLICIES:
            raise ValidationError(
                f"choose what to do with '{conflict.theirs.label}' from the backup "
                f"({', '.join(POLICIES)}); nothing was written", field="choices")
