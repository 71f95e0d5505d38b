"""Three-way merge of an edit with the entry on disk, and 'what the user changed'."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.conftest import make_entry
from vault_app.core.edits import changed_fields, differing_fields, merge_edit, restored_entry
from vault_app.core.errors import EditConflict, ValidationError
from vault_app.core.exchanges import load_catalog

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
