"""The one table of user-facing names for an entry's fields, for every front end.

The editor's form, its conflict dialog, the previous-versions dialog, the merge
dialog and the CLI all name a field with these words, so that "max order notional"
never reads "order limit" elsewhere. ``FIELD_TITLES`` lists the editable fields in
the form's order (``edits`` merges in that order); ``title`` names any member of an
entry, a credential or a field of a newer release too.
"""

from __future__ import annotations

from collections.abc import Iterable

from vault_app.core.exchanges import CREDENTIAL_TITLES

FIELD_TITLES: dict[str, str] = {
    "label": "Label",
    "exchange": "Exchange",
    "credentials": "Credentials",
    "permissions": "Permissions",
    "ip_whitelist": "IP whitelist",
    "environment": "Environment",
    "api_url": "API URL",
    "rotate_days": "Rotation reminder",
    "max_notional": "Max order notional",
    "tags": "Tags",
    "notes": "Notes",
}

# Members the user does not edit, but sees change (a version, a backup).
RECORD_TITLES: dict[str, str] = {
    "id": "Key id",
    "created_at": "Added",
    "rotated_at": "Rotated",
    "updated_at": "Last changed",
    "last_used_at": "Last used",
    "credential_history": "Previous credentials",
    "verification": "Verified with the exchange",
    "extra": "Fields of a newer release",
}


def title(name: str) -> str:
    """The title of a field, credential or stored member (capitalized, as in a form)."""
    known = FIELD_TITLES.get(name) or RECORD_TITLES.get(name) or CREDENTIAL_TITLES.get(name)
    return known or name.replace("_", " ").capitalize()


def in_sentence(name: str) -> str:
    """``title`` as a word inside a sentence: "notes", but "IP whitelist", "API key"."""
    text = title(name)
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def names_text(names: Iterable[str]) -> str:
    """Field names for a sentence: "label, IP whitelist, notes"."""
    return ", ".join(in_sentence(name) for name in names)
