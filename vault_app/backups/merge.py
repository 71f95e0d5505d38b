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
  says which date is not trusted). An entry the merge stores (added, replacing, or a
  copy) has each date more than a day ahead stored as the plan's time instead
  (``future_dates.clamp_dates``; ``MergePlan.warnings`` names the additions so dated).

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
content of one at most, under ``NEWER`` the first; the other counts as skipped. Two
backup entries of one API key are never both added: the second is a ``same_api_key``
conflict with the first. A ``NEWER`` replacement that would take the API key of
another vault entry is refused (ValidationError, nothing written): choose both or
skip for it.

``preview(plan, choices)`` counts what ``apply_merge`` will do (added, replaced, the
vault's kept, both kept, skipped) by the same rule, for a confirmation.

The plan itself (the dataclasses, ``plan_merge``) lives in ``merge_plan`` and is
re-exported here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from vault_app.backups.errors import MergeStale
from vault_app.backups.future_dates import clamp_dates
from vault_app.backups.journal_records import append_to_vault, records_for
from vault_app.backups.merge_plan import (
    BOTH,
    FUTURE_SLACK,
    NEWER,
    OURS,
    POLICIES,
    SAME,
    SAME_API_KEY,
    SAME_ID,
    SAME_LABEL,
    SKIP,
    THEIRS,
    UNKNOWN,
    Conflict,
    MergePlan,
    MergeReport,
    check_choices,
    newer_side,
    plan_entries,
    plan_merge,
    signature,
)
from vault_app.core.credential_history import kept_on_merge
from vault_app.core.entry_diff import content
from vault_app.core.errors import ValidationError
from vault_app.core.model import MAX_LABEL, KeyEntry, identity_credential
from vault_app.core.plain_text import escape
from vault_app.core.vault import Vault

__all__ = ["BOTH", "FUTURE_SLACK", "NEWER", "OURS", "POLICIES", "SAME", "SAME_API_KEY",
           "SAME_ID", "SAME_LABEL", "SKIP", "THEIRS", "UNKNOWN", "Conflict", "MergeCounts",
           "MergePlan", "MergeReport", "apply_merge", "check_choices", "distinct_label",
           "new_id", "newer_side", "plan_merge", "preview"]

RESTORED = "restored"
# What becomes of a conflict (``decide``).
REPLACE, KEEP_OURS, KEEP_BOTH, LEAVE_OUT = "replace", "keep ours", "keep both", "skip"


@dataclass(frozen=True)
class MergeCounts:
    """What applying a plan with some choices does, counted (``preview``)."""

    add: int
    replace: int
    keep_ours: int
    keep_both: int
    skip: int

    def text(self) -> str:
        """"Merge: add 3, replace 1, keep both 1, skip 2" (counts of 0 left out, but
        the additions)."""
        parts = [f"add {self.add}"]
        parts += [f"{what} {count}" for what, count in (
            ("replace", self.replace), ("keep this vault's", self.keep_ours),
            ("keep both", self.keep_both), ("skip", self.skip)) if count]
        return "Merge: " + ", ".join(parts)


def decide(conflict: Conflict, choice: str, replaced: set[str]) -> str:
    """What ``choice`` does with ``conflict``: ``REPLACE`` (NEWER, the backup's newer,
    the vault entry not replaced yet in this merge), ``KEEP_BOTH``, ``KEEP_OURS`` (NEWER,
    the vault's newer, the same moment or unknown), else ``LEAVE_OUT``."""
    if choice == NEWER and conflict.newer == THEIRS:
        return REPLACE if conflict.ours.id not in replaced else LEAVE_OUT
    if choice == BOTH:
        return KEEP_BOTH
    return KEEP_OURS if choice == NEWER else LEAVE_OUT


def preview(plan: MergePlan, choices: Mapping[str, str]) -> MergeCounts:
    """What ``apply_merge(vault, plan, choices)`` will do, counted; a conflict with no
    choice yet counts as skipped."""
    replaced: set[str] = set()
    counts = {REPLACE: 0, KEEP_OURS: 0, KEEP_BOTH: 0, LEAVE_OUT: 0}
    for conflict in plan.conflicts:
        what = decide(conflict, choices.get(conflict.key, SKIP), replaced)
        if what == REPLACE:
            replaced.add(conflict.ours.id)
        counts[what] += 1
    return MergeCounts(len(plan.additions), counts[REPLACE], counts[KEEP_OURS],
                       counts[KEEP_BOTH], counts[LEAVE_OUT])


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
        entry = clamp_dates(entry, plan.planned_at)
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
        what = decide(conflict, choice, replaced)
        if what == REPLACE:
            _check_identity_free(theirs, ours.id, result)
            current = result[index[ours.id]]  # as on disk: a use recorded since counts
            last_used = max((d for d in (current.last_used_at, theirs.last_used_at) if d),
                            default=None)
            taken = labels_but(ours.id)
            label = theirs.label
            if label.casefold() in {other.casefold() for other in taken}:
                label = distinct_label(label, taken)
            new = clamp_dates(replace(theirs, id=ours.id, label=label, last_used_at=last_used),
                              plan.planned_at)
            new = kept_on_merge(current, new, plan.planned_at)
            result[index[ours.id]] = new
            replaced.add(ours.id)
            outcome.replaced.append(new)
            outcome.key_ids[theirs.id] = ours.id
        elif what == KEEP_BOTH:
            copy_id = theirs.id if theirs.id not in ids else new_id(ids | backup_ids)
            copy = clamp_dates(replace(theirs, id=copy_id,
                                       label=distinct_label(theirs.label, labels_but(None))),
                               plan.planned_at)
            result.append(copy)
            index[copy.id] = len(result) - 1
            ids.add(copy.id)
            outcome.copied.append(copy)
            if conflict.kind != SAME_ID:
                outcome.key_ids[theirs.id] = copy.id
        else:  # SKIP; NEWER with the vault's entry as new or newer, or replaced already
            outcome.skipped.append(theirs)
    return result


def _check_identity_free(theirs: KeyEntry, ours_id: str, result: list[KeyEntry]) -> None:
    """Refuse a replacement that would give ``ours_id`` the API key of another entry."""
    identity = identity_credential(theirs)
    if identity is None:
        return
    for other in result:
        if other.id != ours_id and identity_credential(other) == identity:
            raise ValidationError(
                f"the backup's '{escape(theirs.label)}' holds the API key of "
                f"'{escape(other.label)}' in the vault: keeping the newer would store that "
                "key twice. Nothing was written; choose both or skip for it",
                field="choices")


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
    longer give the plan the user chose on; ValidationError (nothing written) if a
    choice is missing, or a NEWER replacement would take another entry's API key.

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
        fresh = plan_entries(entries, plan.backup, plan.planned_at)
        if signature(fresh) != signature(plan):
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
