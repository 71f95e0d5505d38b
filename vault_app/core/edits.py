"""Edits that carry their base: what the user changed, merged with what is on disk.

An edit form (or the CLI) starts from an entry as it was then, the *base*. It
sends only the fields the user changed (``changed_fields``) together with that
base. When the edit is saved, the entry may have been changed by another window
or process meanwhile (*theirs*). ``merge_edit`` compares the three field by
field, like a three-way merge:

- a field changed only on disk keeps the disk's value;
- a field changed only in the edit takes the edit's value;
- a field changed on both sides to the same value is fine;
- a field changed on both sides to different values is a conflict:
  ``EditConflict`` names every such field and nothing is written.

Coupled fields merge as one unit, so a merge never combines halves that do not
belong together: ``environment`` with ``api_url`` (a URL only means something in
a custom environment) and, when either side changed the exchange, ``exchange``
with ``credentials`` (each exchange needs its own). A conflict on a unit is
named after its first field (``environment``, ``exchange``) and its values are
shown masked. Otherwise credentials merge per credential name (a rotated secret
on one side and an edited API key on the other do not clash). ``rotated_at``
follows the credentials: ``model.edit_entry`` sets it only when they differ
from the disk's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vault_app.core.errors import EditConflict, FieldConflict, ValidationError
from vault_app.core.exchanges import (
    CREDENTIAL_NAMES,
    CREDENTIAL_TITLES,
    SECRET_CREDENTIALS,
    Catalog,
)
from vault_app.core.field_names import FIELD_TITLES as FIELD_TITLES  # re-exported
from vault_app.core.model import (
    EDITABLE_FIELDS,
    KeyEntry,
    check_rotate_days,
    clean_label,
    clean_notes,
    edit_entry,
    mask_identifier,
    parse_ip_list,
    parse_max_notional,
    parse_permissions,
    parse_tags,
)

MINE = "mine"
THEIRS = "theirs"

# Conflicts on a unit of coupled fields carry these titles (named after the first field).
UNIT_TITLES: dict[str, str] = {
    "environment": "Environment and API URL",
    "exchange": "Exchange and credentials",
}


def _clean_credentials(value: Mapping[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, text in value.items():
        if not isinstance(text, str):
            raise ValidationError(f"{CREDENTIAL_TITLES.get(name, name)} must be text",
                                  field=name)
        if text.strip():
            cleaned[name] = text.strip()
    return cleaned


def _clean_api_url(value: Any) -> str | None:
    # Lenient on purpose: the URL matters only for a custom environment, and
    # ``model.edit_entry`` validates it then.
    text = str(value or "").strip().rstrip("/")
    return text or None


def normalize(name: str, value: Any) -> Any:
    """A field's value as ``model.validate`` would store it. Raises ValidationError."""
    if name == "label":
        return clean_label(value)
    if name == "exchange":
        return str(value).strip().lower()
    if name == "credentials":
        return _clean_credentials(value)
    if name == "permissions":
        return parse_permissions(value)
    if name == "ip_whitelist":
        return parse_ip_list(value)
    if name == "tags":
        return parse_tags(value)
    if name == "notes":
        return clean_notes(str(value))
    if name == "rotate_days":
        return check_rotate_days(value)
    if name == "api_url":
        return _clean_api_url(value)
    if name == "max_notional":
        return parse_max_notional(value)
    return value


def _stored(entry: KeyEntry, name: str) -> Any:
    value = getattr(entry, name)
    return dict(value) if name == "credentials" else value


def changed_fields(base: KeyEntry, values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``values`` (a form's contents) that differ from ``base``.

    Values that fail validation count as changed and are returned as typed, so
    that ``model.edit_entry`` reports them to the user.
    """
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS:
            changes[name] = value
            continue
        try:
            normal = normalize(name, value)
        except ValidationError:
            changes[name] = value
            continue
        if normal != _stored(base, name):
            changes[name] = normal
    return changes


def differing_fields(old: KeyEntry, new: KeyEntry) -> list[str]:
    """The editable fields (form order) that differ; usage dates are no edit."""
    return [name for name in FIELD_TITLES if _stored(old, name) != _stored(new, name)]


def _ordered(*mappings: Mapping[str, str]) -> list[str]:
    names = {name for mapping in mappings for name in mapping}
    known = [name for name in CREDENTIAL_NAMES if name in names]
    return known + sorted(names - set(known))


def merge_edit(base: KeyEntry, changes: Mapping[str, Any], theirs: KeyEntry,
               choices: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The changes to apply to ``theirs`` (the entry on disk) so that the edit of
    ``base`` keeps every change made on disk meanwhile.

    ``choices`` resolves conflicts: conflict name (a field, a credential name, or
    ``environment``/``exchange`` for a unit) -> ``"mine"`` or ``"theirs"``.
    Raises ``EditConflict`` naming every unresolved conflict.
    """
    choices = choices or {}
    result: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    mine: dict[str, Any] = {}
    for name, raw in changes.items():
        if name in EDITABLE_FIELDS:
            mine[name] = normalize(name, raw)
        else:
            result[name] = raw  # model.edit_entry refuses it with a clear message
    for name in FIELD_TITLES:  # conflicts are listed in the form's order
        if name == "exchange":
            _merge_exchange(base, mine, theirs, choices, result, conflicts)
        elif name == "environment":
            _merge_environment(base, mine, theirs, choices, result, conflicts)
        elif name in mine and name not in ("credentials", "api_url"):  # those in units
            old, now, value = _stored(base, name), _stored(theirs, name), mine[name]
            if value in (old, now):  # not changed in the edit, or the same change on disk
                continue
            if now == old or choices.get(name) == MINE:
                result[name] = value
            elif choices.get(name) != THEIRS:
                conflicts.append(FieldConflict(name, FIELD_TITLES[name], old, value, now))
    if conflicts:
        titles = ", ".join(conflict.title for conflict in conflicts)
        raise EditConflict(
            f"“{theirs.label}” was changed by another window or process while you edited "
            f"it; these fields were changed on both sides: {titles}. Nothing was written; "
            "choose which values to keep.",
            tuple(conflicts), theirs, base=base, changes=dict(changes))
    return result


def _merge_unit(name: str, old: object, value: object, now: object,
                choices: Mapping[str, str], conflicts: list[FieldConflict],
                view: Any) -> bool:
    """Three-way merge of one unit of coupled fields: True if the edit's value wins."""
    if value in (old, now):
        return False
    if now == old or choices.get(name) == MINE:
        return True
    if choices.get(name) != THEIRS:
        conflicts.append(FieldConflict(name, UNIT_TITLES[name], view(old), view(value),
                                       view(now)))
    return False


def _environment(entry: KeyEntry) -> tuple[str, str | None]:
    return entry.environment, entry.api_url if entry.environment == "custom" else None


def _merge_environment(base: KeyEntry, mine: Mapping[str, Any], theirs: KeyEntry,
                       choices: Mapping[str, str], result: dict[str, Any],
                       conflicts: list[FieldConflict]) -> None:
    """``environment`` and ``api_url`` as one unit: keeping my URL while the other side
    switched to live would silently drop it, or make an invalid pair."""
    if "environment" not in mine and "api_url" not in mine:
        return
    environment = mine.get("environment", base.environment)
    url = mine.get("api_url", base.api_url) if environment == "custom" else None
    choice = {"environment": choices.get("environment", choices.get("api_url", ""))}
    if _merge_unit("environment", _environment(base), (environment, url), _environment(theirs),
                   choice, conflicts, lambda pair: tuple(part for part in pair if part)):
        result["environment"], result["api_url"] = environment, url


def _exchange_view(pair: tuple[str, dict[str, str]]) -> tuple[str, ...]:
    """An exchange and its key as the user recognises them, never a secret."""
    exchange, credentials = pair
    api_key = credentials.get("apiKey")
    if api_key is None:
        return (exchange,)
    return exchange, f"{CREDENTIAL_TITLES['apiKey']} {mask_identifier(api_key)}"


def _merge_exchange(base: KeyEntry, mine: Mapping[str, Any], theirs: KeyEntry,
                    choices: Mapping[str, str], result: dict[str, Any],
                    conflicts: list[FieldConflict]) -> None:
    """``exchange`` with ``credentials``: as one unit when either side changed the
    exchange (each exchange needs its own credentials), else per credential name."""
    exchange = mine.get("exchange", base.exchange)
    if exchange == base.exchange == theirs.exchange:
        if "credentials" in mine:
            merged = _merge_credentials(base.credentials, mine["credentials"],
                                        theirs.credentials, choices, conflicts)
            if merged != dict(theirs.credentials):
                result["credentials"] = merged
        return
    if "exchange" not in mine and "credentials" not in mine:
        return
    credentials = mine.get("credentials", dict(base.credentials))
    if _merge_unit("exchange", (base.exchange, dict(base.credentials)), (exchange, credentials),
                   (theirs.exchange, dict(theirs.credentials)), choices, conflicts,
                   _exchange_view):
        result["exchange"], result["credentials"] = exchange, credentials


def _merge_credentials(base: Mapping[str, str], mine: Mapping[str, str],
                       theirs: Mapping[str, str], choices: Mapping[str, str],
                       conflicts: list[FieldConflict]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name in _ordered(base, mine, theirs):
        old, new, now = base.get(name), mine.get(name), theirs.get(name)
        value = now
        if new != old and new != now:
            if now == old or choices.get(name) == MINE:
                value = new
            elif choices.get(name) != THEIRS:
                conflicts.append(FieldConflict(
                    name, CREDENTIAL_TITLES.get(name, name), old, new, now,
                    secret=name in SECRET_CREDENTIALS))
        if value is not None:
            merged[name] = value
    return merged


def restored_entry(base: KeyEntry, values: Mapping[str, Any], catalog: Catalog) -> KeyEntry:
    """The entry to add back when the one being edited was deleted meanwhile.

    It is the base with the user's changes: same id, creation date and usage;
    ``rotated_at`` moves only if the credentials changed. Raises ValidationError.
    """
    return edit_entry(base, changed_fields(base, values), catalog)
