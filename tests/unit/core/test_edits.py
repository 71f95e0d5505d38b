"""Three-way merge of an edit with the entry on disk, and 'what the user changed'."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.conftest import make_entry
from vault_app.core.edits import (
    MINE,
    THEIRS,
    changed_fields,
    differing_fields,
    merge_edit,
    restored_entry,
)
from vault_app.core.errors import EditConflict, ValidationError
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import edit_entry

from .test_vault import form_values

BASE = make_entry("OKX main", "okx", permissions="read,trade", ip_whitelist="203.0.113.7",
                  tags="bot, tax", notes="grid bot")


def test_an_untouched_form_changes_nothing() -> None:
    assert changed_fields(BASE, form_values(BASE)) == {}


def test_changed_fields_compares_what_would_be_stored() -> None:
    values = form_values(BASE, label="  OKX   main ", permissions=["trade", "read"],
                         ip_whitelist="203.0.113.7 ", tags="bot,tax,", notes="grid bot\n",
                         credentials={k: f" {v} " for k, v in BASE.credentials.items()},
                         api_url="")
    assert changed_fields(BASE, values) == {}


def test_changed_fields_returns_normalised_changes_and_invalid_input_as_typed() -> None:
    values = form_values(BASE, permissions=["read"], ip_whitelist="not-an-ip", notes=" new ")
    assert changed_fields(BASE, values) == {
        "permissions": ("read",), "ip_whitelist": "not-an-ip", "notes": "new"}


def test_credentials_merge_per_name() -> None:
    theirs = replace(BASE, credentials={**BASE.credentials, "secret": "rotated elsewhere"})
    mine = {"credentials": {**BASE.credentials, "password": "new passphrase"}}
    merged = merge_edit(BASE, mine, theirs)
    assert merged == {"credentials": {"apiKey": BASE.credentials["apiKey"],
                                      "secret": "rotated elsewhere",
                                      "password": "new passphrase"}}


def test_a_credential_changed_on_both_sides_is_a_masked_conflict() -> None:
    theirs = replace(BASE, credentials={**BASE.credentials, "secret": "their-secret"})
    with pytest.raises(EditConflict) as info:
        merge_edit(BASE, {"credentials": {**BASE.credentials, "secret": "my-secret"}}, theirs)
    [conflict] = info.value.conflicts
    assert (conflict.name, conflict.title, conflict.secret) == ("secret", "Secret", True)
    assert (conflict.mine, conflict.theirs) == ("my-secret", "their-secret")
    for text in (str(info.value), repr(info.value), repr(conflict)):
        assert "my-secret" not in text and "their-secret" not in text


def test_choices_resolve_each_conflict() -> None:
    theirs = replace(BASE, notes="theirs", tags=("theirs",),
                     credentials={**BASE.credentials, "secret": "their-secret"})
    mine = {"notes": "mine", "tags": "mine",
            "credentials": {**BASE.credentials, "secret": "my-secret"}}
    with pytest.raises(EditConflict) as info:
        merge_edit(BASE, mine, theirs)
    assert [c.name for c in info.value.conflicts] == ["secret", "tags", "notes"]  # form order
    with pytest.raises(EditConflict) as partly:
        merge_edit(BASE, mine, theirs, {"notes": "mine"})
    assert [c.name for c in partly.value.conflicts] == ["secret", "tags"]

    merged = merge_edit(BASE, mine, theirs, {"notes": "mine", "tags": "theirs",
                                             "secret": "mine"})
    assert merged == {"notes": "mine",
                      "credentials": {**BASE.credentials, "secret": "my-secret"}}
    # saved again with the disk's entry as the base, the resolution merges cleanly
    assert merge_edit(theirs, merged, theirs) == merged


def test_an_invalid_change_is_refused_by_the_merge() -> None:
    with pytest.raises(ValidationError) as info:
        merge_edit(BASE, {"ip_whitelist": "not-an-ip"}, BASE)
    assert info.value.field == "ip_whitelist"


def test_a_restored_entry_is_the_base_with_the_users_changes() -> None:
    restored = restored_entry(BASE, form_values(BASE, notes="still needed"), load_catalog())
    assert restored.notes == "still needed"
    assert (restored.id, restored.created_at, restored.rotated_at) == \
        (BASE.id, BASE.created_at, BASE.rotated_at)


def test_differing_fields_ignore_usage() -> None:
    used = replace(BASE, last_used_at=BASE.created_at)
    assert differing_fields(BASE, used) == []
    rotated = replace(used, notes="n", credentials={**BASE.credentials, "secret": "s"})
    assert differing_fields(BASE, rotated) == ["credentials", "notes"]


def test_updated_at_is_never_a_change_nor_a_conflict() -> None:
    """Both sides edited at different moments: their updated_at differ, yet the merge
    of unrelated fields is clean, and no listing of differences names it."""
    catalog = load_catalog()
    later = BASE.updated_at + timedelta(days=1)
    theirs = edit_entry(BASE, {"notes": "changed on disk"}, catalog, now=later)
    assert theirs.updated_at == later
    assert merge_edit(BASE, {"label": "renamed"}, theirs) == {"label": "renamed"}
    assert differing_fields(BASE, theirs) == ["notes"]
    assert differing_fields(BASE, replace(BASE, updated_at=later)) == []
    assert changed_fields(BASE, form_values(replace(BASE, updated_at=later))) == {}


# --- coupled fields merge as one unit ---------------------------------------------------

CUSTOM = replace(BASE, environment="custom", api_url="https://old.example")


def test_my_url_against_their_switch_to_live_is_a_conflict_not_a_silent_drop() -> None:
    """Per field, "keep mine" on api_url was dropped: edit_entry clears the URL of a
    live key. The environment and its URL are one choice."""
    theirs = replace(CUSTOM, environment="live", api_url=None)
    with pytest.raises(EditConflict) as info:
        merge_edit(CUSTOM, {"api_url": "https://mine.example"}, theirs)
    [conflict] = info.value.conflicts
    assert (conflict.name, conflict.title) == ("environment", "Environment and API URL")
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        ("custom", "https://old.example"), ("custom", "https://mine.example"), ("live",))
    assert merge_edit(CUSTOM, {"api_url": "https://mine.example"}, theirs,
                      {"environment": MINE}) == {"environment": "custom",
                                                 "api_url": "https://mine.example"}
    assert merge_edit(CUSTOM, {"api_url": "https://mine.example"}, theirs,
                      {"environment": THEIRS}) == {}


def test_a_url_changed_on_both_sides_conflicts_once() -> None:
    theirs = replace(CUSTOM, api_url="https://theirs.example")
    with pytest.raises(EditConflict) as info:
        merge_edit(CUSTOM, {"environment": "sandbox"}, theirs)
    assert [c.name for c in info.value.conflicts] == ["environment"]


def test_an_environment_change_merges_with_an_unrelated_change() -> None:
    theirs = replace(CUSTOM, notes="theirs")
    assert merge_edit(CUSTOM, {"environment": "live"}, theirs) == {
        "environment": "live", "api_url": None}


def test_another_exchange_and_rotated_credentials_are_one_conflict() -> None:
    """Per field, my new exchange merged with their rotated credentials for the old one
    (or the reverse): a key the exchange refuses, or one that fails validation."""
    rotated = {**BASE.credentials, "secret": "rotated elsewhere"}
    theirs = replace(BASE, credentials=rotated)
    mine = {"exchange": "binance", "credentials": {"apiKey": "bn-key", "secret": "bn-secret"}}
    with pytest.raises(EditConflict) as info:
        merge_edit(BASE, mine, theirs)
    [conflict] = info.value.conflicts
    assert (conflict.name, conflict.title) == ("exchange", "Exchange and credentials")
    assert conflict.mine[0] == "binance" and conflict.theirs[0] == "okx"
    for text in map(str, (conflict.base, conflict.mine, conflict.theirs)):
        assert "secret" not in text and "bn-key" not in text  # masked
    assert merge_edit(BASE, mine, theirs, {"exchange": MINE}) == mine
    assert merge_edit(BASE, mine, theirs, {"exchange": THEIRS}) == {}


def test_my_rotation_against_their_exchange_switch_is_a_conflict() -> None:
    theirs = replace(BASE, exchange="binance", credentials={"apiKey": "b", "secret": "b"})
    with pytest.raises(EditConflict) as info:
        merge_edit(BASE, {"credentials": {**BASE.credentials, "secret": "mine"}}, theirs)
    assert [c.name for c in info.value.conflicts] == ["exchange"]


def test_an_exchange_switch_merges_with_unrelated_changes() -> None:
    theirs = replace(BASE, notes="theirs")
    mine = {"exchange": "binance", "credentials": {"apiKey": "bn-key", "secret": "bn-secret"}}
    assert merge_edit(BASE, mine, theirs) == mine


def test_notes_are_compared_as_validation_stores_them() -> None:
    """A CRLF is stored as LF: the same notes typed on Windows are no change."""
    crlf = form_values(BASE, notes="line one\r\nline two")
    lf = replace(BASE, notes="line one\nline two")
    assert changed_fields(lf, crlf) == {}
    assert merge_edit(BASE, {"notes": "line one\r\nline two"}, lf) == {}
