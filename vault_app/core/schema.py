"""The decrypted payload: JSON <-> model, and the schema upgrade chain.

See docs/vault-format.md, section 6. Entries are encoded one per line so that a
save re-encodes only the entries that changed (section 6.2); any valid JSON
with the same content decodes too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vault_app.core.errors import UnsupportedVersion, VaultDamaged
from vault_app.core.model import ENVIRONMENTS, PERMISSIONS, KeyEntry, format_ts, parse_ts, utcnow

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
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
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


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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
    if not isinstance(value, str):
        raise _damaged(f"field '{key}' is not text")
    return value


def _str_list(obj: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _damaged(f"field '{key}' is not a list of text")
    return tuple(value)


def _ts(obj: Mapping[str, Any], key: str, optional: bool = False) -> datetime | None:
    value = obj.get(key)
    if value is None and optional:
        return None
    try:
        return parse_ts(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _damaged(f"field '{key}' is not a timestamp") from None


def entry_from_dict(obj: Any) -> KeyEntry:
    if not isinstance(obj, dict):
        raise _damaged("an entry is not an object")
    credentials = obj.get("credentials")
    if not isinstance(credentials, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in credentials.items()
    ):
        raise _damaged("an entry's credentials are not text")
    permissions = _str_list(obj, "permissions")
    if not set(permissions) <= set(PERMISSIONS):
        raise _damaged("an entry has an unknown permission")
    environment = _str(obj, "environment")
    if environment not in ENVIRONMENTS:
        raise _damaged("an entry has an unknown environment")
    api_url = obj.get("api_url")
    if api_url is not None and not isinstance(api_url, str):
        raise _damaged("field 'api_url' is not text")
    rotate_days = obj.get("rotate_days")
    if isinstance(rotate_days, bool) or not isinstance(rotate_days, int):
        raise _damaged("field 'rotate_days' is not a number")
    created_at = _ts(obj, "created_at")
    rotated_at = _ts(obj, "rotated_at")
    assert created_at is not None and rotated_at is not None
    return KeyEntry(
        id=_str(obj, "id"),
        label=_str(obj, "label"),
        exchange=_str(obj, "exchange"),
        credentials=credentials,
        permissions=permissions,
        ip_whitelist=_str_list(obj, "ip_whitelist"),
        environment=environment,
        api_url=api_url,
        created_at=created_at,
        rotated_at=rotated_at,
        last_used_at=_ts(obj, "last_used_at", optional=True),
        rotate_days=rotate_days,
        notes=_str(obj, "notes"),
        tags=_str_list(obj, "tags"),
        extra={k: v for k, v in obj.items() if k not in _ENTRY_KEYS},
    )


def _meta_from_dict(obj: Any) -> VaultMeta:
    if not isinstance(obj, dict):
        raise _damaged("'vault' is not an object")
    created_at = _ts(obj, "created_at")
    assert created_at is not None
    return VaultMeta(
        id=_str(obj, "id"),
        created_at=created_at,
        extra={k: v for k, v in obj.items() if k not in ("id", "created_at")},
    )


def _fast_lines(plaintext: bytes) -> tuple[dict[str, Any], list[bytes]] | None:
    """Split our own one-entry-per-line layout; None if the text is laid out otherwise."""
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
            or head.get("schema") != SCHEMA_VERSION:
        return None
    return head, [line.rstrip(b",") for line in body]


def decode_payload(plaintext: bytes) -> tuple[VaultMeta, list[KeyEntry]]:
    fast = _fast_lines(plaintext)
    if fast is not None:
        head, lines = fast
        try:
            raw_entries = [json.loads(line) for line in lines]
        except ValueError:
            raise _damaged("an entry is not valid JSON") from None
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
