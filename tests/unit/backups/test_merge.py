"""Merge: the plan sorts each backup entry; each policy gives exactly its result, in one
save; a plan made stale by another session writes nothing; journal records follow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from tests.unit.backups.support import fields, journal_data, order_record, vault_with_orders
from vault_app.backups.errors import MergeStale
from vault_app.backups.merge import (
    BOTH,
    NEWER,
    OURS,
    SAME,
    SAME_API_KEY,
    SAME_ID,
    SAME_LABEL,
    SKIP,
    THEIRS,
    UNKNOWN,
    apply_merge,
    distinct_label,
    plan_merge,
    preview,
)
from vault_app.backups.restore import Backup
from vault_app.core.errors import ValidationError
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault

EARLY = datetime(2026, 1, 1, tzinfo=UTC)
LATE = EARLY + timedelta(days=30)


def backup_of(vault: Vault, entries: Sequence[KeyEntry],
              journal: Sequence[dict[str, Any]] = ()) -> Backup:
    return Backup(meta=vault.meta, entries=tuple(entries), journal=tuple(journal),
                  made_at=LATE, kdf=FAST_KDF)


@pytest.fixture
def vault(vault_path: Path) -> Vault:
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    vault.add_many([replace(make_entry("alpha", "binance"), updated_at=EARLY),
                    replace(make_entry("beta", "binance"), updated_at=EARLY)])
    return vault


def saved(vault: Vault, plan_choices: dict[str, str], backup: Backup) -> tuple[Any, int]:
    """Apply the merge; return its report and how many saves it made."""
    plan = plan_merge(vault, backup)
    before = vault.revision
    report = apply_merge(vault, plan, plan_choices)
    return report, vault.revision - before


def on_disk(vault: Vault) -> list[KeyEntry]:
    return list(Vault.open(vault.path, PASSWORD).entries)


# --- the plan ---------------------------------------------------------------------------


def test_the_plan_sorts_identical_additions_and_each_kind_of_conflict(vault: Vault) -> None:
    alpha, beta = vault.entries
    used = replace(alpha, last_used_at=LATE)  # a use is no change
    changed = replace(beta, notes="edited elsewhere", updated_at=LATE)
    new = make_entry("gamma", "binance")
    same_label = replace(make_entry("ALPHA", "okx"),  # another id; the label, any case
                         updated_at=EARLY - timedelta(days=1))
    same_key = replace(make_entry("delta", "binance"), credentials=dict(beta.credentials))

    plan = plan_merge(vault, backup_of(vault, [used, changed, new, same_label, same_key]))

    assert plan.identical == 1
    assert [e.id for e in plan.additions] == [new.id]
    assert [(c.key, c.kind, c.ours.id, c.newer) for c in plan.conflicts] == [
        (changed.id, SAME_ID, beta.id, THEIRS),
        (same_label.id, SAME_LABEL, alpha.id, OURS),
        (same_key.id, SAME_API_KEY, beta.id, THEIRS)]
    assert plan.conflicts[0].fields == ("notes",)


def test_the_same_moment_is_neither_newer(vault: Vault) -> None:
    alpha, _ = vault.entries
    plan = plan_merge(vault, backup_of(vault, [replace(alpha, notes="x")]))
    assert plan.conflicts[0].newer == SAME


FAR_AHEAD = datetime(9999, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize("side", ["backup", "vault"])
def test_a_date_far_ahead_of_the_clock_is_not_trusted_and_newer_keeps_the_vaults(
        vault: Vault, side: str) -> None:
    alpha, _ = vault.entries
    theirs = replace(alpha, notes="crafted", updated_at=FAR_AHEAD if side == "backup"
                     else LATE)
    if side == "vault":
        vault.transform(lambda entries: [replace(entries[0], updated_at=FAR_AHEAD),
                                         *entries[1:]])
    ours = vault.entries[0]
    plan = plan_merge(vault, backup_of(vault, [theirs]))
    [conflict] = plan.conflicts
    assert conflict.newer == UNKNOWN
    assert conflict.reason is not None and "9999-12-31" in conflict.reason
    assert conflict.reason in plan.warnings

    report, saves = saved(vault, {alpha.id: NEWER}, backup_of(vault, [theirs]))
    assert (report.replaced, saves) == ((), 0)
    assert on_disk(vault)[0] == ours


def test_an_addition_dated_far_ahead_is_stored_as_now_and_said_so(vault: Vault) -> None:
    crafted = replace(make_entry("gamma", "binance"), updated_at=FAR_AHEAD,
                      created_at=FAR_AHEAD, rotated_at=FAR_AHEAD, last_used_at=FAR_AHEAD)
    plan = plan_merge(vault, backup_of(vault, [crafted]))
    assert any("'gamma'" in w and "stored as now" in w for w in plan.warnings)
    apply_merge(vault, plan, {})
    [stored] = [e for e in on_disk(vault) if e.label == "gamma"]
    for when in (stored.updated_at, stored.created_at, stored.rotated_at,
                 stored.last_used_at):
        assert when is not None and abs(when - datetime.now(UTC)) < timedelta(hours=1)
    # A genuine backup edited since can then replace it by "newer".
    genuine = replace(stored, notes="a genuine edit",
                      updated_at=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))
    later = plan_merge(vault, backup_of(vault, [genuine]))
    assert [(c.newer, c.reason) for c in later.conflicts] == [(THEIRS, None)]
    report, _ = saved(vault, {genuine.id: NEWER}, backup_of(vault, [genuine]))
    assert [e.notes for e in report.replaced] == ["a genuine edit"]


def test_a_newer_replacement_or_a_copy_has_no_date_far_ahead(vault: Vault) -> None:
    alpha, beta = vault.entries
    theirs = replace(alpha, notes="newer", updated_at=LATE, created_at=FAR_AHEAD,
                     last_used_at=FAR_AHEAD)
    copy = replace(beta, notes="kept both", updated_at=LATE, rotated_at=FAR_AHEAD)
    report, _ = saved(vault, {alpha.id: NEWER, beta.id: BOTH}, backup_of(vault, [theirs, copy]))
    for entry in (*report.replaced, *report.copied):
        assert max(entry.created_at, entry.rotated_at, entry.last_used_at or EARLY) \
            < datetime.now(UTC) + timedelta(hours=1)
    assert len(report.replaced) == len(report.copied) == 1


def test_a_day_ahead_is_still_trusted(vault: Vault) -> None:
    alpha, _ = vault.entries
    soon = datetime.now(UTC) + timedelta(hours=23)
    plan = plan_merge(vault, backup_of(vault, [replace(alpha, notes="x", updated_at=soon)]))
    assert (plan.conflicts[0].newer, plan.conflicts[0].reason) == (THEIRS, None)


def test_labels_with_control_or_bidi_characters_are_shown_escaped(vault: Vault) -> None:
    alpha, _ = vault.entries
    added = replace(make_entry("binance", "okx"), label="Binance\u202e niam")
    clash = replace(alpha, label="alpha\x1b]0;owned\x07", notes="x")
    plan = plan_merge(vault, backup_of(vault, [added, clash]))
    shown = " ".join([*plan.addition_labels, *plan.conflicts[0].labels, *plan.warnings])
    assert "\u202e" not in shown and "\x1b" not in shown and "\x07" not in shown
    assert plan.addition_labels[0] == r"Binance\u202e niam"
    assert len(plan.warnings) == 2


def test_a_conflict_repr_shows_no_secret(vault: Vault) -> None:
    alpha, _ = vault.entries
    plan = plan_merge(vault, backup_of(vault, [replace(alpha, notes="x")]))
    assert all(value not in repr(plan) for value in alpha.credentials.values())


@pytest.mark.parametrize(("label", "taken", "expected"), [
    ("alpha", ["alpha"], "alpha (restored)"),
    ("alpha", ["alpha", "Alpha (Restored)"], "alpha (restored 2)"),
    ("alpha", ["alpha", "alpha (restored)", "alpha (restored 2)"], "alpha (restored 3)"),
    ("x" * 100, ["x" * 100], "x" * 89 + " (restored)"),
])
def test_a_distinct_label(label: str, taken: list[str], expected: str) -> None:
    assert distinct_label(label, taken) == expected
    assert len(distinct_label(label, taken)) <= 100


# --- each policy, in one save -----------------------------------------------------------


def test_additions_are_added_in_one_save(vault: Vault) -> None:
    new = [make_entry(f"new {i}", "binance") for i in range(3)]
    report, saves = saved(vault, {}, backup_of(vault, new))
    assert saves == 1
    assert fields(report.added) == fields(new)
    assert fields(on_disk(vault)) == fields([*vault.entries[:2], *new])


def test_a_backup_the_vault_holds_already_writes_nothing(vault: Vault) -> None:
    before = vault.path.read_bytes()
    report, saves = saved(vault, {}, backup_of(vault, vault.entries))
    assert saves == 0 and vault.path.read_bytes() == before
    assert (report.added, report.replaced, report.copied, report.skipped) == ((), (), (), ())


def test_newer_takes_the_backups_newer_content_under_the_same_id(vault: Vault) -> None:
    alpha, beta = vault.entries
    theirs = replace(alpha, notes="newer in the backup", updated_at=LATE)
    report, saves = saved(vault, {alpha.id: NEWER}, backup_of(vault, [theirs]))
    assert saves == 1
    assert fields(on_disk(vault)) == fields([theirs, beta])
    assert fields(report.replaced) == fields([theirs])


def test_newer_keeps_the_vaults_newer_content(vault: Vault) -> None:
    alpha, _ = vault.entries
    before = vault.path.read_bytes()
    theirs = replace(alpha, notes="older in the backup", updated_at=EARLY - timedelta(days=1))
    report, saves = saved(vault, {alpha.id: NEWER}, backup_of(vault, [theirs]))
    assert saves == 0 and vault.path.read_bytes() == before
    assert report.skipped == (theirs,)


def test_newer_under_another_id_keeps_the_vault_entrys_id(vault: Vault) -> None:
    alpha, beta = vault.entries
    theirs = replace(make_entry("alpha", "okx", notes="from the backup"), updated_at=LATE,
                     last_used_at=None)
    vault.mark_used(alpha.id, LATE)
    alpha = vault.entries[0]
    report, saves = saved(vault, {theirs.id: NEWER}, backup_of(vault, [theirs]))
    assert saves == 1
    merged = on_disk(vault)
    # the vault's credentials are never dropped: they go to the replaced entry's history
    assert [dict(o.credentials) for o in merged[0].credential_history] == [
        dict(alpha.credentials)]
    expected = replace(theirs, id=alpha.id, last_used_at=alpha.last_used_at,
                       credential_history=merged[0].credential_history)
    assert fields(merged) == fields([expected, beta])
    assert report.replaced[0].id == alpha.id


def test_both_keeps_a_copy_with_a_distinct_label_and_a_new_id(vault: Vault) -> None:
    alpha, beta = vault.entries
    theirs = replace(alpha, notes="changed in the backup", updated_at=LATE)
    report, saves = saved(vault, {alpha.id: BOTH}, backup_of(vault, [theirs]))
    assert saves == 1
    entries = on_disk(vault)
    assert fields(entries[:2]) == fields([alpha, beta])
    copy = entries[2]
    assert copy.label == "alpha (restored)" and copy.id not in (alpha.id, beta.id)
    assert fields([copy]) == fields([replace(theirs, id=copy.id, label=copy.label)])
    assert report.copied == (copy,)


def test_both_under_another_id_keeps_its_id_and_numbers_the_label(vault: Vault) -> None:
    vault.add(make_entry("alpha (restored)", "kraken"))
    theirs = make_entry("Alpha", "okx")
    _, saves = saved(vault, {theirs.id: BOTH}, backup_of(vault, [theirs]))
    assert saves == 1
    copy = on_disk(vault)[-1]
    assert (copy.id, copy.label) == (theirs.id, "Alpha (restored 2)")


def test_both_with_the_same_api_key_keeps_two_entries_of_it(vault: Vault) -> None:
    _, beta = vault.entries
    theirs = replace(make_entry("delta", "binance"), credentials=dict(beta.credentials))
    _, saves = saved(vault, {theirs.id: BOTH}, backup_of(vault, [theirs]))
    assert saves == 1
    assert [e.label for e in on_disk(vault)] == ["alpha", "beta", "delta (restored)"]


def test_skip_leaves_the_vault_as_it_was(vault: Vault) -> None:
    alpha, _ = vault.entries
    before = vault.path.read_bytes()
    theirs = replace(alpha, notes="x", updated_at=LATE)
    report, saves = saved(vault, {alpha.id: SKIP}, backup_of(vault, [theirs]))
    assert saves == 0 and vault.path.read_bytes() == before
    assert report.skipped == (theirs,)


def test_mixed_choices_are_one_save(vault: Vault) -> None:
    alpha, beta = vault.entries
    a = replace(alpha, notes="a", updated_at=LATE)
    b = replace(beta, notes="b", updated_at=LATE)
    new = make_entry("gamma", "binance")
    report, saves = saved(vault, {alpha.id: NEWER, beta.id: BOTH},
                          backup_of(vault, [a, b, new]))
    assert saves == 1
    assert [e.label for e in on_disk(vault)] == ["alpha", "beta", "gamma", "beta (restored)"]
    assert (len(report.added), len(report.replaced), len(report.copied)) == (1, 1, 1)


def test_every_conflict_needs_a_choice(vault: Vault) -> None:
    alpha, _ = vault.entries
    backup = backup_of(vault, [replace(alpha, notes="x")])
    plan = plan_merge(vault, backup)
    for choices in ({}, {alpha.id: "overwrite"}):
        with pytest.raises(ValidationError, match="nothing was written"):
            apply_merge(vault, plan, choices)


# --- a stale plan -----------------------------------------------------------------------


def test_a_plan_made_stale_by_another_session_writes_nothing(vault: Vault) -> None:
    alpha, _ = vault.entries
    plan = plan_merge(vault, backup_of(vault, [replace(alpha, notes="x", updated_at=LATE)]))
    other = Vault.open(vault.path, PASSWORD)
    other.update(alpha.id, {"notes": "changed by another window"})
    before = vault.path.read_bytes()

    with pytest.raises(MergeStale, match="nothing was written"):
        apply_merge(vault, plan, {alpha.id: NEWER})
    assert vault.path.read_bytes() == before


def test_an_addition_that_now_clashes_is_stale(vault: Vault) -> None:
    new = make_entry("gamma", "binance")
    plan = plan_merge(vault, backup_of(vault, [new]))
    Vault.open(vault.path, PASSWORD).add(make_entry("Gamma", "okx"))
    with pytest.raises(MergeStale):
        apply_merge(vault, plan, {})
    assert [e.label for e in on_disk(vault)] == ["alpha", "beta", "Gamma"]


def test_an_unrelated_change_meanwhile_is_kept_and_the_merge_goes_on(vault: Vault) -> None:
    new = make_entry("gamma", "binance")
    plan = plan_merge(vault, backup_of(vault, [new]))
    Vault.open(vault.path, PASSWORD).add(make_entry("other", "okx"))
    apply_merge(vault, plan, {})
    assert [e.label for e in on_disk(vault)] == ["alpha", "beta", "other", "gamma"]


def test_a_use_recorded_meanwhile_is_no_change_and_is_kept(vault: Vault) -> None:
    alpha, _ = vault.entries
    theirs = replace(alpha, notes="newer in the backup", updated_at=LATE)
    plan = plan_merge(vault, backup_of(vault, [theirs]))
    Vault.open(vault.path, PASSWORD).mark_used(alpha.id, LATE)

    apply_merge(vault, plan, {alpha.id: NEWER})
    merged = on_disk(vault)[0]
    assert (merged.notes, merged.last_used_at) == ("newer in the backup", LATE)


# --- the journal ------------------------------------------------------------------------


def test_records_follow_the_merged_keys_remapped_and_never_twice(tmp_path: Path) -> None:
    source = vault_with_orders(tmp_path / "source.vault", ("alpha", "beta", "gamma"))
    target = Vault.create(tmp_path / "target.vault", PASSWORD, FAST_KDF,
                          enforce_kdf_minimum=False)
    alpha, beta, _ = source.entries
    target.add(replace(alpha, updated_at=alpha.updated_at - timedelta(days=1), notes="old"))
    target.add(make_entry("beta", "okx"))  # same label, another id
    journal = [order_record(e.id, n) for n, e in enumerate(source.entries, 1)]
    backup = backup_of(source, source.entries, journal)
    plan = plan_merge(target, backup)

    report = apply_merge(target, plan, {alpha.id: SKIP, beta.id: BOTH})

    copy = report.copied[0]
    key = target.meta.journal_key
    assert key is not None
    assert journal_data(target.path, key) == [  # alpha's: skipped, but the same key
        journal[0], {**journal[1], "key_id": copy.id}, journal[2]]  # beta's copy, gamma's
    assert report.journal_records == 3
    again = apply_merge(target, plan_merge(target, backup), {alpha.id: SKIP, beta.id: SKIP})
    assert again.journal_records == 0  # merging again: every record there already
    assert len(journal_data(target.path, key)) == 3


@pytest.mark.parametrize("choice", [SKIP, NEWER, BOTH])
def test_a_same_id_keys_records_always_go_to_the_vault_under_its_id(tmp_path: Path,
                                                                    choice: str) -> None:
    source = vault_with_orders(tmp_path / "source.vault", ("alpha", "beta"))
    target = Vault.create(tmp_path / "target.vault", PASSWORD, FAST_KDF,
                          enforce_kdf_minimum=False)
    alpha, beta = source.entries
    # the vault's alpha is newer: NEWER keeps it, SKIP leaves the backup's out
    target.add(replace(alpha, updated_at=alpha.updated_at + timedelta(days=1), notes="ed"))
    journal = [order_record(alpha.id, 1), order_record(alpha.id, 2),
               order_record(beta.id, 3)]
    plan = plan_merge(target, backup_of(source, [alpha], journal))
    assert [c.kind for c in plan.conflicts] == [SAME_ID]

    report = apply_merge(target, plan, {alpha.id: choice})

    key = target.meta.journal_key
    assert key is not None
    assert journal_data(target.path, key) == journal[:2]  # under alpha's id, not beta's
    assert report.journal_records == 2
    assert on_disk(target)[0].notes == "ed"  # the vault's entry stays
    again = apply_merge(target, plan_merge(target, backup_of(source, [alpha], journal)),
                        {alpha.id: choice if choice != BOTH else SKIP})
    assert again.journal_records == 0
    assert len(journal_data(target.path, key)) == 2


def test_a_skipped_entry_of_another_key_leaves_its_records_out(vault: Vault) -> None:
    other = make_entry("alpha", "okx")  # another id: another key
    key = vault.ensure_journal_key()
    plan = plan_merge(vault, backup_of(vault, [other], [order_record(other.id, 1)]))
    assert [c.kind for c in plan.conflicts] in ([SAME_LABEL], [SAME_API_KEY])
    assert apply_merge(vault, plan, {other.id: SKIP}).journal_records == 0
    assert journal_data(vault.path, key) == []


def test_the_cli_names_differing_fields_in_words(vault: Vault) -> None:
    from vault_app.cli.commands.backup import describe

    alpha, _ = vault.entries
    theirs = replace(alpha, ip_whitelist=("192.0.2.1",), max_notional=500, notes="x")
    [conflict] = plan_merge(vault, backup_of(vault, [theirs])).conflicts
    assert set(conflict.fields) == {"ip_whitelist", "max_notional", "notes"}
    line = describe(conflict)
    assert "IP whitelist" in line and "max order notional" in line and "ip_whitelist" not in line


# --- preview, and one entry per API key --------------------------------------------------


def test_preview_counts_what_the_merge_does(vault: Vault) -> None:
    alpha, beta = vault.entries
    by_label = replace(make_entry("ALPHA", "okx"), updated_at=LATE)  # clashes with alpha
    by_key = replace(make_entry("delta", "binance"), credentials=dict(alpha.credentials),
                     updated_at=LATE)  # clashes with alpha too: one replacement at most
    older = replace(beta, notes="older", updated_at=EARLY - timedelta(days=1))
    new = make_entry("gamma", "binance")
    backup = backup_of(vault, [by_label, by_key, older, new])
    plan = plan_merge(vault, backup)
    choices = {by_label.id: NEWER, by_key.id: NEWER, older.id: NEWER}

    counts = preview(plan, choices)
    assert (counts.add, counts.replace, counts.keep_ours, counts.keep_both, counts.skip) == \
        (1, 1, 1, 0, 1)
    assert counts.text() == "Merge: add 1, replace 1, keep this vault's 1, skip 1"
    assert preview(plan, {}).text() == "Merge: add 1, skip 3"  # no choice yet: skipped

    report = apply_merge(vault, plan, choices)
    assert (len(report.added), len(report.replaced), len(report.copied),
            len(report.skipped)) == (counts.add, counts.replace, counts.keep_both,
                                     counts.keep_ours + counts.skip)


def test_two_additions_of_one_api_key_are_never_both_added(vault: Vault) -> None:
    first = make_entry("gamma", "okx")
    second = replace(make_entry("delta", "okx"), credentials=dict(first.credentials))
    plan = plan_merge(vault, backup_of(vault, [first, second]))
    assert [e.id for e in plan.additions] == [first.id]
    assert [(c.kind, c.ours.id) for c in plan.conflicts] == [(SAME_API_KEY, first.id)]
    apply_merge(vault, plan, {second.id: SKIP})
    assert [e.label for e in on_disk(vault)] == ["alpha", "beta", "gamma"]


def test_newer_never_takes_the_api_key_of_another_entry(vault: Vault) -> None:
    alpha, beta = vault.entries
    taking = replace(alpha, credentials=dict(beta.credentials), updated_at=LATE)
    plan = plan_merge(vault, backup_of(vault, [taking]))
    assert [c.kind for c in plan.conflicts] == [SAME_ID]
    before = vault.path.read_bytes()
    with pytest.raises(ValidationError, match="store that key twice"):
        apply_merge(vault, plan, {alpha.id: NEWER})
    assert vault.path.read_bytes() == before


def test_newer_backup_with_rotated_out_key_keeps_the_current_key(tmp_path):
    """r4 F1: the vault rotated A->B; a backup dated later still holds A. NEWER must not
    lose B (the live key): it goes to the history, and A stays reachable too."""
    from dataclasses import replace as _replace
    from datetime import UTC, datetime, timedelta

    from tests.conftest import FAST_KDF, PASSWORD, make_entry
    from vault_app.backups.merge import NEWER, apply_merge, plan_merge
    from vault_app.backups.restore import Backup
    from vault_app.core.vault import Vault

    # recent dates: a save drops history older than ``history_days`` by the real clock
    early = datetime.now(UTC) - timedelta(days=5)
    vault = Vault.create(tmp_path / "v.vault", PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    a = _replace(make_entry("alpha", "binance"), updated_at=early)
    vault.add_many([a])
    before = vault.entries[0]
    key_a = before.credentials["apiKey"]
    vault.rotate(a.id, {"apiKey": "B-KEY", "secret": "B-SECRET"}, now=early + timedelta(days=1))
    theirs = _replace(before, updated_at=early + timedelta(days=2),
                      max_notional=None if before.max_notional else 100)
    backup = Backup(meta=vault.meta, entries=(theirs,), journal=(),
                    made_at=early + timedelta(days=2), kdf=FAST_KDF)
    plan = plan_merge(vault, backup, now=early + timedelta(days=3))
    # the user is told the two sides hold other credentials (and another history)
    assert {"credentials", "credential_history"} <= set(plan.conflicts[0].fields)
    apply_merge(vault, plan, {c.key: NEWER for c in plan.conflicts})
    after = Vault.open(vault.path, PASSWORD).entries[0]
    keys = [after.credentials.get("apiKey")] + [
        o.credentials.get("apiKey") for o in after.credential_history]
    assert "B-KEY" in keys
    assert key_a in keys
    assert len(keys) == len(set(keys))
