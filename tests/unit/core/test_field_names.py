"""core/field_names.py: one set of words for an entry's fields, in every front end."""

from __future__ import annotations

from dataclasses import fields

from vault_app.core import edits, field_names
from vault_app.core.model import EDITABLE_FIELDS, KeyEntry


def test_every_member_of_an_entry_has_words_and_no_raw_name_shows() -> None:
    for item in fields(KeyEntry):
        if item.name in ("encoded", "source"):
            continue
        assert "_" not in field_names.title(item.name), item.name
    assert field_names.names_text(["ip_whitelist", "max_notional", "notes", "apiKey"]) \
        == "IP whitelist, max order notional, notes, API key"


def test_the_editor_and_everyone_else_share_one_table() -> None:
    assert edits.FIELD_TITLES is field_names.FIELD_TITLES
    assert set(EDITABLE_FIELDS) <= set(field_names.FIELD_TITLES)
