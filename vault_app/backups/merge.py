"""Merging a backup into an open vault: the plan, the user's choices, one atomic save.

``plan_merge(vault, backup)`` sorts every entry of the backup:

- *identical*: the vault holds an entry of the same id with the same content
  (``entry_diff.content``: every field but ``last_used_at`` and ``updated_at``; a
  recorded use is no change);
- *addition*: no entry of the vault has its id, its label (case-insensitive) or its
  API key (``model.identity_credential``);
- *conflict*, else: ``same_id`` (the same id, another content), otherwise
  ``same_api_key`` or ``same_label`` (another id), in that order: one conflict per
  backup entry, against the first vault entry it clashes with. ``Conflict.newer`` says
  whose ``updated_at`` is later, or ``unknown`` when either is more than a day ahead
  of the clock (``FUTURE_SLACK``): a crafted backup dated 9999 must not win "newer",
  nor stay in the vault to beat every genuine backup after it (``Conflict.reason``
  says which date is not trusted).

For each conflict the user chooses (``choices``: ``Conflict.key`` -> policy):

- ``NEWER``: the later ``updated_at`` wins. If it is the backup's, its content
  replaces the vault entry, which keeps its id (and the later of the two last uses);
  if it is the vault's, both are the same moment, or which is newer is unknown, the
  vault entry stays.
- ``BOTH``: the backup's entry is added as a copy beside the vault's, labelled
  "<label> (restored)" ("(restored 2)", ...), with a new id if its own is taken. The
  copy may hold the same API key as the vault's entry: the user asked for both.
- ``SKIP``: the backup's entry is left out.

Nothing is overwritten silently: a vault entry changes only under ``NEWER`` with a
newer backup entry. ``apply_merge`` makes the whole change in one
``Vault.transform``: under the lock it plans again against the entries on disk and
refuses with ``MergeStale`` (nothing written) if that plan differs from the one the
user chose on. Labels stay unique: an added or replacing entry whose label another
entry has meanwhile got in the merge gets the "(restored)" suffix too. Two backup
entries may clash with one vault entry (one by label, one by API key): it takes the
content of one at most, under ``NEWER`` the first; the other counts as skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from vault_app.backups.errors import MergeStale
from vault_app.backups.journal_records import append_to_vault, records_for
from vault_app.backups.restore import Backup
from vault_app.core.entry_diff import changed_fields, content
from vault_app.core.errors import ValidationError
from vault_app.core.model import MAX_LABEL, KeyEntry, identity_credential, utcnow
from vault_app.core.plain_text import any_unsafe, escape
from vault_app.core.vault import Vault

NEWER, BOTH, SKIP = "newer", "both", "skip"
POLICIES = (NEWER, BOTH, SKIP)
SAME_ID, SAME_LABEL, SAME_API_KEY = "same_id", "same_label", "same_api_key"
OURS, THEIRS, SAME, UNKNOWN = "ours", "theirs", "same", "unknown"
FUTURE_SLACK = timedelta(days=1)
"""An ``updated_at`` further ahead of the clock than this is not trusted."""
RESTORED = "restored"


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
    return _plan(list(vault.entries), backup, now or utcnow())


def _plan(entries: Sequence[KeyEntry], backup: Backup, now: datetime) -> MergePlan:
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
        else:
            newer, reason = newer_side(ours, theirs, now)
            conflicts.append(Conflict(theirs.id, kind, ours, theirs, newer, reason))
    return MergePlan(tuple(additions), identical, tuple(conflicts), backup, now)


def _signature(plan: MergePlan) -> tuple[object, ...]:
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


def distinct_label(label: str, taken: Iterable[str]) -> str:
    """``label`` with " (restored)", " (restored 2)", ... appended: the first that no
    label in ``taken`` has (case-insensitive), shortened to fit ``MAX_LABEL``."""
    folded = {other.casefold() for other in taken}
    number = 1
    while True:
        suffix = f" ({RESTORED})" if number == 1 else f" ({RESTORED} {number})"
        candidate = label[:MAX_LABEL - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in folded:
            return candidate
        number += 1


def new_id(taken: set[str]) -> str:
    while True:
        fresh = str(uuid.uuid4())
        if fresh not in taken:
            return fresh


class _Outcome:
    """What the mutation decided, filled in under the lock."""

    def __init__(self) -> None:
        self.added: list[KeyEntry] = []
        self.replaced: list[KeyEntry] = []
        self.copied: list[KeyEntry] = []
        self.skipped: list[KeyEntry] = []
        self.key_ids: dict[str, str] = {}  # backup entry id -> id in the vault


def _merged(entries: list[KeyEntry], plan: MergePlan, choices: Mapping[str, str],
            outcome: _Outcome) -> list[KeyEntry]:
    result = list(entries)
    index = {entry.id: i for i, entry in enumerate(result)}
    ids = set(index)
    backup_ids = {entry.id for entry in plan.backup.entries}
    for entry in plan.backup.entries:  # identical entries: their records belong here
        if entry.id in index and content(result[index[entry.id]]) == content(entry):
            outcome.key_ids[entry.id] = entry.id

    replaced: set[str] = set()  # a vault entry takes one backup entry's content at most

    def labels_but(skip: str | None) -> list[str]:
        return [e.label for e in result if e.id != skip]

    for entry in plan.additions:
        taken = labels_but(None)
        if entry.label.casefold() in {label.casefold() for label in taken}:
            entry = replace(entry, label=distinct_label(entry.label, taken))
        result.append(entry)
        index[entry.id] = len(result) - 1
        ids.add(entry.id)
        outcome.added.append(entry)
        outcome.key_ids[entry.id] = entry.id
    for conflict in plan.conflicts:
        choice, ours, theirs = choices[conflict.key], conflict.ours, conflict.theirs
        if conflict.kind == SAME_ID:  # the same key: its orders are the vault's orders
            outcome.key_ids[theirs.id] = ours.id
        if choice == NEWER and conflict.newer == THEIRS and ours.id not in replaced:
            current = result[index[ours.id]]  # as on disk: a use recorded since counts
            last_used = max((d for d in (current.last_used_at, theirs.last_used_at) if d),
                            default=None)
            taken = labels_but(ours.id)
            label = theirs.label
            if label.casefold() in {other.casefold() for other in taken}:
                label = distinct_label(label, taken)
            new = replace(theirs, id=ours.id, label=label, last_used_at=last_used)
            result[index[ours.id]] = new
            replaced.add(ours.id)
            outcome.replaced.append(new)
            outcome.key_ids[theirs.id] = ours.id
        elif choice == BOTH:
            copy_id = theirs.id if theirs.id not in ids else new_id(ids | backup_ids)
            copy = replace(theirs, id=copy_id,
                           label=distinct_label(theirs.label, labels_but(None)))
            result.append(copy)
            index[copy.id] = len(result) - 1
            ids.add(copy.id)
            outcome.copied.append(copy)
            if conflict.kind != SAME_ID:
                outcome.key_ids[theirs.id] = copy.id
        else:  # SKIP; NEWER with the vault's entry as new or newer, or replaced already
            outcome.skipped.append(theirs)
    return result


def apply_merge(vault: Vault, plan: MergePlan, choices: Mapping[str, str]) -> MergeReport:
    """Carry out ``plan`` with ``choices`` (``Conflict.key`` -> ``NEWER``, ``BOTH`` or
    ``SKIP``) in one ``Vault.transform``, then append the backup's journal records of
    the keys now in the vault from it (added, replacing, copied, identical) to the
    vault's journal, ``key_id`` changed to the id the key has in the vault; a record
    the journal already holds (the same object, before that change) is not appended
    again. The records of a ``same_id`` conflict's key always go to the vault's journal
    under that id, whatever the choice: it is the same key, whose entry differs only
    in content (notes, limits), and its orders are real orders of the vault's key.
    A ``same_label`` or ``same_api_key`` entry skipped is another key: its records are
    left out.

    Raises MergeStale (nothing written) if, under the lock, the vault's entries no
    longer give the plan the user chose on; ValidationError if a choice is missing.

    Crash safety: the entries are saved first (one atomic save: before it the vault
    is as it was, after it merged), then the records are appended one by one, each
    durable before the next. A crash in between leaves the merged vault with some or
    none of the backup's records in its journal: every key is there, and merging the
    same backup again appends only the records still missing (the entries are then
    identical). A journal that cannot be written (damaged, opens with no key) does not
    undo the merge: ``MergeReport.journal_problem`` says so.
    """
    check_choices(plan, choices)
    outcome = _Outcome()

    def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
        fresh = _plan(entries, plan.backup, plan.planned_at)
        if _signature(fresh) != _signature(plan):
            raise MergeStale(
                "the vault was changed by another window or process since the merge was "
                "planned; nothing was written. Look at the conflicts again and choose "
                "again.")
        merged = _merged(entries, plan, choices, outcome)
        changed = outcome.added or outcome.replaced or outcome.copied
        return merged if changed else entries

    vault.transform(mutate)
    records = records_for(plan.backup.journal, outcome.key_ids)
    appended, problem = append_to_vault(vault, records) if records else (0, None)
    return MergeReport(tuple(outcome.added), tuple(outcome.replaced), tuple(outcome.copied),
                       tuple(outcome.skipped), appended, problem)
