"""entry_diff.diff: what replacing one list of entries with another does, by id."""

from __future__ import annotations

from dataclasses import replace

from tests.conftest import make_entry
from vault_app.core.entry_diff import ChangedEntry, EntryRef, changed_fields, content, diff


def test_added_removed_and_changed_by_id_with_the_fields_named() -> None:
    kept = make_entry(label="kept", exchange="binance")
    gone = make_entry(label="gone", exchange="binance")
    edited = make_entry(label="edited", exchange="binance")
    new = make_entry(label="new", exchange="okx")
    other_edit = replace(edited, label="renamed", notes="n",
                         credentials={**edited.credentials, "secret": "rotated"})
    result = diff([kept, gone, edited], [kept, other_edit, new])
    assert result.added == (EntryRef(new.id, "new", "okx"),)
    assert result.removed == (EntryRef(gone.id, "gone", "binance"),)
    assert result.changed == (ChangedEntry(edited.id, "renamed",
                                           ("label", "credentials", "notes")),)
    assert not result.is_empty


def test_identical_lists_and_reordering_give_an_empty_diff() -> None:
    a, b = make_entry(label="a", exchange="binance"), make_entry(label="b", exchange="binance")
    assert diff([a, b], [b, a]).is_empty
    assert diff([], []).is_empty


def test_a_label_kept_under_a_new_id_is_a_removal_and_an_addition() -> None:
    a = make_entry(label="same", exchange="binance")
    b = make_entry(label="same", exchange="binance")
    result = diff([a], [b])
    assert [r.id for r in result.added] == [b.id]
    assert [r.id for r in result.removed] == [a.id]
    assert result.changed == ()


def test_a_use_recorded_or_the_moment_of_a_change_is_no_difference() -> None:
    a = make_entry(label="a", exchange="binance")
    used = replace(a, last_used_at=a.created_at)
    assert diff([a], [used]).is_empty and content(a) == content(used)
    # The same edit made at another moment is the same key.
    later = replace(a, notes="n", updated_at=a.created_at.replace(year=2030))
    assert changed_fields(replace(a, notes="n"), later) == ()
    assert changed_fields(a, later) == ("notes",)


def test_content_holds_credentials_and_members_of_a_newer_release() -> None:
    a = make_entry(label="a", exchange="binance")
    assert content(a) != content(replace(a, credentials={**a.credentials, "secret": "x"}))
    assert content(a) != content(replace(a, extra={"future": 1}))
    assert changed_fields(a, replace(a, extra={"future": 1})) == ("extra",)
