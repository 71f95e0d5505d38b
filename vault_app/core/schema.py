"""The decrypted payload: JSON <-> model, and the schema upgrade chain.

See docs/vault-format.md, section 6. Entries are encoded one per line so that a
save re-encodes only the entries that changed (section 6.2); any valid JSON
with the same content decodes too.
"""

from __future__ import annotations

import contextlib
import gc
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vault_app.core.errors import UnsupportedVersion, VaultDamaged
from vault_app.core.model import (
    ENVIRONMENTS,
    MAX_ROTATE_DAYS,
    PERMISSIONS,
    KeyEntry,
    format_ts,
    parse_ts,
    utcnow,
)

SCHEMA_VERSION = 1

_ENTRY_KEYS = (
    "id", "label", "exchange", "credentials", "permissions", "ip_whitelist", "environment",
    "api_url", "created_at", "rotated_at", "last_used_at", "rotate_days", "notes", "tags",
)
_HEAD_SUFFIX = b'"entries":['
_TAIL_LINE = b"]}"


@dataclass(frozen=True)
class VaultMeta:
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=utcnow)
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


# --- upgrade chain ---------------------------------------------------------------
# UPGRADES[n] turns a schema-n document into a schema-(n+1) document. Name each
# step _upgrade_vN. Schema 1 is the first schema, so the chain is empty today;
# tests/fixtures holds a real schema-1 file that every later release must open.
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
UPGRADES: dict[int, Upgrade] = {}


def upgrade(document: dict[str, Any]) -> dict[str, Any]:
    version = document.get("schema")
    if type(version) is not int or version < 1:
        raise VaultDamaged("the vault payload has no valid schema version")
    if version > SCHEMA_VERSION:
        raise UnsupportedVersion(
            f"the vault content uses schema {version}, newer than this release "
            f"understands ({SCHEMA_VERSION}); update vault-app to open it"
        )
    while version < SCHEMA_VERSION:
        document = UPGRADES[version](document)
        version += 1
        document["schema"] = version
    return document


# --- encoding --------------------------------------------------------------------


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner, without json.loads' per-call wrapping


def _dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def entry_to_dict(entry: KeyEntry) -> dict[str, Any]:
    data: dict[str, Any] = dict(entry.extra)
    data.update({
        "id": entry.id,
        "label": entry.label,
        "exchange": entry.exchange,
        "credentials": dict(entry.credentials),
        "permissions": list(entry.permissions),
        "ip_whitelist": list(entry.ip_whitelist),
        "environment": entry.environment,
        "api_url": entry.api_url,
        "created_at": format_ts(entry.created_at),
        "rotated_at": format_ts(entry.rotated_at),
        "last_used_at": format_ts(entry.last_used_at) if entry.last_used_at else None,
        "rotate_days": entry.rotate_days,
        "notes": entry.notes,
        "tags": list(entry.tags),
    })
    return data


def _encoded(entry: KeyEntry) -> bytes:
    if entry.encoded is None:
        object.__setattr__(entry, "encoded", _dumps(entry_to_dict(entry)))
    assert entry.encoded is not None
    return entry.encoded


def encode_payload(meta: VaultMeta, entries: Iterable[KeyEntry]) -> bytes:
    head = dict(meta.extra)
    head.update({"id": meta.id, "created_at": format_ts(meta.created_at)})
    lines = [_encoded(entry) for entry in entries]
    body = b",\n".join(lines)
    return (
        b'{"schema":' + str(SCHEMA_VERSION).encode() + b',"vault":' + _dumps(head)
        + b"," + _HEAD_SUFFIX + b"\n" + body + (b"\n" if lines else b"") + _TAIL_LINE
    )


# --- decoding --------------------------------------------------------------------


def _damaged(what: str) -> VaultDamaged:
    return VaultDamaged(f"the vault content is damaged: {what}")


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if type(value) is not str:
        raise _damaged(f"field '{key}' is not text")
    return value


def _ts(obj: Mapping[str, Any], key: str) -> datetime:
    try:
        return parse_ts(obj[key])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise _damaged(f"field '{key}' is not a timestamp") from None


_PERMISSION_SET = frozenset(PERMISSIONS)
_ENVIRONMENT_SET = frozenset(ENVIRONMENTS)
_ENTRY_KEY_SET = frozenset(_ENTRY_KEYS)


def entry_from_dict(obj: Any) -> KeyEntry:
    """Build an entry from stored JSON, checking every type (damage, not a crash).

    This runs once per entry on every unlock, so the checks are inlined.
    """
    try:
        entry_id, label, exchange, notes = obj["id"], obj["label"], obj["exchange"], obj["notes"]
        credentials, environment = obj["credentials"], obj["environment"]
        api_url, rotate_days, last_used = obj["api_url"], obj["rotate_days"], obj["last_used_at"]
        permissions, ips, tags = obj["permissions"], obj["ip_whitelist"], obj["tags"]
        created_at, rotated_at = parse_ts(obj["created_at"]), parse_ts(obj["rotated_at"])
        last_used_at = None if last_used is None else parse_ts(last_used)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise _damaged("an entry lacks a field or has a malformed timestamp") from None
    if not (type(entry_id) is type(label) is type(exchange) is type(notes) is str):
        raise _damaged("an entry's id, label, exchange or notes is not text")
    if type(credentials) is not dict or any(type(v) is not str for v in credentials.values()):
        raise _damaged("an entry's credentials are not text")
    if type(permissions) is not list or any(type(p) is not str for p in permissions) \
            or not _PERMISSION_SET.issuperset(permissions):
        raise _damaged("an entry has an unknown permission")
    for name, value in (("ip_whitelist", ips), ("tags", tags)):
        if type(value) is not list or any(type(item) is not str for item in value):
            raise _damaged(f"field '{name}' is not a list of text")
    if type(environment) is not str or environment not in _ENVIRONMENT_SET:
        raise _damaged("an entry has an unknown environment")
    if api_url is not None and type(api_url) is not str:
        raise _damaged("field 'api_url' is not text")
    if type(rotate_days) is not int or not 1 <= rotate_days <= MAX_ROTATE_DAYS:
        raise _damaged(f"field 'rotate_days' is not a number from 1 to {MAX_ROTATE_DAYS}")
    return KeyEntry(
        id=entry_id,
        label=label,
        exchange=exchange,
        credentials=credentials,
        permissions=tuple(permissions),
        ip_whitelist=tuple(ips),
        environment=environment,
        api_url=api_url,
        created_at=created_at,
        rotated_at=rotated_at,
        last_used_at=last_used_at,
        rotate_days=rotate_days,
        notes=notes,
        tags=tuple(tags),
        extra={k: v for k, v in obj.items() if k not in _ENTRY_KEY_SET}
        if len(obj) != len(_ENTRY_KEYS) else {},
    )


def _meta_from_dict(obj: Any) -> VaultMeta:
    if not isinstance(obj, dict):
        raise _damaged("'vault' is not an object")
    return VaultMeta(
        id=_str(obj, "id"),
        created_at=_ts(obj, "created_at"),
        extra={k: v for k, v in obj.items() if k not in ("id", "created_at")},
    )


def _fast_lines(plaintext: bytes) -> tuple[dict[str, Any], list[bytes]] | None:
    """Split our own one-entry-per-line layout; None if the text is laid out otherwise.

    Splitting at line feeds is exact: JSON escapes line feeds inside strings.
    """
    lines = plaintext.split(b"\n")
    if len(lines) < 2 or lines[-1] != _TAIL_LINE or not lines[0].endswith(_HEAD_SUFFIX):
        return None
    body = lines[1:-1]
    if any(not line.endswith(b",") for line in body[:-1]) or (body and body[-1].endswith(b",")):
        return None
    try:
        head = json.loads(lines[0] + _TAIL_LINE)
    except ValueError:
        return None
    if not isinstance(head, dict) or head.get("entries") != [] \
            or type(head.get("schema")) is not int or head["schema"] != SCHEMA_VERSION:
        return None
    return head, [line[:-1] if line.endswith(b",") else line for line in body]


def _scan_lines(lines: list[bytes]) -> list[Any] | None:
    """Each line as one JSON value, or None if any line is not exactly one value."""
    values = []
    try:
        for line in lines:
            text = line.decode("utf-8")
            value, end = _scan(text, 0)
            if end != len(text):
                return None
            values.append(value)
    except (UnicodeDecodeError, ValueError, StopIteration):
        return None
    return values


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Building 10,000 entries triggers the cyclic GC dozens of times for nothing
    (they form no cycles): pausing it makes decoding about a quarter faster."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def decode_payload(plaintext: bytes, *, for_saving: bool = True
                   ) -> tuple[VaultMeta, list[KeyEntry]]:
    """Decode a payload. ``for_saving=False`` skips keeping each entry's encoded
    text (the save cache) and parses the document in one call, which is faster
    for a read-only session."""
    with _gc_paused():
        return _decode_payload(plaintext, for_saving)


def _decode_payload(plaintext: bytes, for_saving: bool) -> tuple[VaultMeta, list[KeyEntry]]:
    fast = _fast_lines(plaintext) if for_saving else None
    if fast is not None:
        head, lines = fast
        raw_entries = _scan_lines(lines)
        if raw_entries is not None:  # else: valid JSON laid out otherwise; parse it whole
            entries = [entry_from_dict(raw) for raw in raw_entries]
            for entry, line in zip(entries, lines, strict=True):
                object.__setattr__(entry, "encoded", line)
            return _meta_from_dict(head.get("vault")), entries
    try:
        document = json.loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _damaged("it is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise _damaged("it is not a JSON object")
    document = upgrade(document)
    items = document.get("entries")
    if not isinstance(items, list):
        raise _damaged("'entries' is not a list")
    return _meta_from_dict(document.get("vault")), [entry_from_dict(raw) for raw in items]
