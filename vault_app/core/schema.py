"""The decrypted payload: JSON <-> model, and the schema upgrade chain.

See docs/vault-format.md, section 6. Entries are encoded one per line, and each
entry keeps its encoded text (``KeyEntry.encoded``) so that a save re-encodes
only the entries that changed (section 6.5). Decoding never reads that layout:
any valid JSON with the same content decodes the same way.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gc
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter, is_, itemgetter
from typing import Any

from vault_app.core import strict_json
from vault_app.core.backup_section import (
    BACKUP_MEMBER,
    BackupSection,
    backup_from_json,
    backup_to_json,
)
from vault_app.core.errors import UnsupportedVersion, VaultDamaged
from vault_app.core.model import (
    ENVIRONMENTS,
    MAX_ROTATE_DAYS,
    PERMISSIONS,
    KeyEntry,
    OldCredentials,
    Verification,
    format_notional,
    format_ts,
    notional_from_text,
    notional_text_ok,
    parse_ts,
    utcnow,
)
from vault_app.core.strict_json import DECODER, DECODER_NO_PAIRS_HOOK, MAX_DEPTH, too_deep

SCHEMA_VERSION = 4

_ENTRY_KEYS = (
    "id", "label", "exchange", "credentials", "permissions", "ip_whitelist", "environment",
    "api_url", "created_at", "rotated_at", "updated_at", "last_used_at", "rotate_days", "notes",
    "tags", "max_notional", "credential_history", "verification",
)
JOURNAL_KEY_LENGTH = 32  # bytes (spec 6.2: vault.journal_key)
DEFAULT_KEEP_VERSIONS = 10  # spec 6.2: vault.keep_versions
MAX_KEEP_VERSIONS = 1000
DEFAULT_HISTORY_DAYS = 30  # spec 6.2: vault.history_days
MAX_HISTORY_DAYS = 3650


@dataclass(frozen=True)
class VaultMeta:
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=utcnow)
    # The key of the order journal (spec 6.2 and 9), random, never derived from the
    # password; None in a vault upgraded from schema 1 until ``Vault.ensure_journal_key``.
    journal_key: bytes | None = field(default=None, repr=False)
    # How many previous versions of the file a save keeps (spec 6.2), 0 to 1000.
    keep_versions: int = DEFAULT_KEEP_VERSIONS
    # How many days old credentials stay in an entry's history (spec 6.2), 1 to 3650.
    history_days: int = DEFAULT_HISTORY_DAYS
    # Present only in a backup file (spec 6.2, ``core.backup_section``).
    backup: BackupSection | None = field(default=None, repr=False)
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Top-level members of the payload this release does not know (spec 6).
    document_extra: Mapping[str, Any] = field(default_factory=dict, compare=False)


# --- upgrade chain ---------------------------------------------------------------
# UPGRADES[n] turns a schema-n document into a schema-(n+1) document. Name each
# step _upgrade_vN. tests/fixtures holds a real schema-1 file that every later
# release must open. A step runs on a parsed document whose content is not checked
# yet: it must not fail on wrong types (the schema-(n+1) checks report those).
Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


def _upgrade_v1(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 -> 2 (spec 6.4): ``vault.journal_key`` and every entry's ``max_notional``
    become required; both start null. A member of either name that a schema-1 file
    already holds (unknown to schema 1) is kept, and then checked as schema 2 says."""
    vault = document.get("vault")
    if type(vault) is dict:
        vault.setdefault("journal_key", None)
    entries = document.get("entries")
    if type(entries) is list:
        for entry in entries:
            if type(entry) is dict:
                entry.setdefault("max_notional", None)
    return document


def _upgrade_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 2 -> 3 (spec 6.4): ``vault.keep_versions`` (10) and every entry's
    ``updated_at`` become required. An entry's ``updated_at`` is a copy of the later
    of its ``created_at`` and ``rotated_at`` as written (``rotated_at`` when they are
    the same instant), added only when both are timestamps: otherwise the entry is
    damaged anyway. Members of either name already present are kept as they are."""
    vault = document.get("vault")
    if type(vault) is dict:
        vault.setdefault("keep_versions", DEFAULT_KEEP_VERSIONS)
    entries = document.get("entries")
    if type(entries) is list:
        for entry in entries:
            if type(entry) is dict and "updated_at" not in entry:
                later = _later_timestamp(entry.get("created_at"), entry.get("rotated_at"))
                if later is not None:
                    entry["updated_at"] = later
    return document


def _upgrade_v3(document: dict[str, Any]) -> dict[str, Any]:
    """Schema 3 -> 4 (spec 6.4): ``vault.history_days`` (30), every entry's
    ``credential_history`` (empty) and ``verification`` (null) become required.
    Members of those names already present are kept, and checked as schema 4 says."""
    vault = document.get("vault")
    if type(vault) is dict:
        vault.setdefault("history_days", DEFAULT_HISTORY_DAYS)
    entries = document.get("entries")
    if type(entries) is list:
        for entry in entries:
            if type(entry) is dict:
                entry.setdefault("credential_history", [])
                entry.setdefault("verification", None)
    return document


def _later_timestamp(created: Any, rotated: Any) -> str | None:
    """The text of the later of two timestamps (``rotated`` on a tie), or None if
    either is not a timestamp."""
    try:
        later: str = created if parse_ts(created) > parse_ts(rotated) else rotated
    except (TypeError, ValueError, OverflowError):
        return None
    return later


UPGRADES: dict[int, Upgrade] = {1: _upgrade_v1, 2: _upgrade_v2, 3: _upgrade_v3}


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


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# The C encoder behind _ENCODER, built once: JSONEncoder.encode rebuilds it on every call,
# a quarter of the cost of encoding 10,000 entries one by one.
_c_encode = getattr(json.encoder, "c_make_encoder", None)
_iterencode = _c_encode(None, None, json.encoder.encode_basestring, None, ":", ",",
                        False, False, False) if _c_encode else None


def _dumps(value: Any) -> bytes:
    if _iterencode is not None:
        return "".join(_iterencode(value, 0)).encode("utf-8")
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
        "updated_at": format_ts(entry.updated_at),
        "last_used_at": format_ts(entry.last_used_at) if entry.last_used_at else None,
        "rotate_days": entry.rotate_days,
        "notes": entry.notes,
        "tags": list(entry.tags),
        "max_notional": None if entry.max_notional is None
        else format_notional(entry.max_notional),
        "credential_history": [
            {"credentials": dict(old.credentials), "replaced_at": format_ts(old.replaced_at)}
            for old in entry.credential_history],
        "verification": _verification_to_json(entry.verification),
    })
    return data


def _verification_to_json(verification: Verification | None) -> dict[str, Any] | None:
    if verification is None:
        return None
    return {"at": format_ts(verification.at), "permissions": list(verification.permissions),
            "ip_restricted": verification.ip_restricted, "ips": list(verification.ips)}


def _journal_key_text(key: bytes | None) -> str | None:
    return None if key is None else base64.b64encode(key).decode("ascii")


def _encoded(entry: KeyEntry) -> bytes:
    if entry.encoded is None:
        source = entry.source if entry.source is not None else entry_to_dict(entry)
        object.__setattr__(entry, "encoded", _dumps(source))
        object.__setattr__(entry, "source", None)
    assert entry.encoded is not None
    return entry.encoded


def encode_payload(meta: VaultMeta, entries: Iterable[KeyEntry],
                   reuse: EntriesText | None = None) -> bytes:
    """The payload in this implementation's layout (spec 6.5).

    With ``reuse`` (see ``entries_text``) and ``entries`` starting with its entries,
    those are written as the text they were decoded from instead of encoded again.
    """
    head = dict(meta.extra)
    head.update({"id": meta.id, "created_at": format_ts(meta.created_at),
                 "journal_key": _journal_key_text(meta.journal_key),
                 "keep_versions": meta.keep_versions,
                 "history_days": meta.history_days})
    others: dict[str, Any] = {}
    if meta.backup is not None:
        others[BACKUP_MEMBER] = backup_to_json(meta.backup)
    others.update((k, v) for k, v in meta.document_extra.items() if k not in _KNOWN_TOP_KEYS)
    entries = list(entries)
    if reuse is not None and reuse.starts(entries):
        lines = [reuse.text, *(_encoded(entry) for entry in entries[len(reuse.entries):])]
    else:
        lines = [_encoded(entry) for entry in entries]
    body = b",\n".join(lines)
    return (
        b'{"schema":' + str(SCHEMA_VERSION).encode() + b',"vault":' + _dumps(head)
        + (b"," + _dumps(others)[1:-1] if others else b"")
        + b',"entries":[\n' + body + (b"\n" if lines else b"") + b"]}"
    )


@dataclass(frozen=True)
class EntriesText:
    """The inside of a decoded payload's entries array, as the text it was read from.

    ``entries_text`` makes one only where that text is proven to be exactly the
    array the decoder accepted (no second verdict), so the first save after
    opening can write it back instead of encoding every entry again. It holds
    secrets, like the entries: drop it with them.
    """

    entries: tuple[KeyEntry, ...]
    text: bytes = field(repr=False)

    def starts(self, entries: list[KeyEntry]) -> bool:
        """Whether ``entries`` begins with these very entry objects (none edited)."""
        return len(entries) >= len(self.entries) and all(map(is_, self.entries, entries))


_PAYLOAD_END = b"]}"


def entries_text(plaintext: bytes, meta: VaultMeta,
                 entries: list[KeyEntry]) -> EntriesText | None:
    """The text of the entries ``decode_payload(plaintext)`` returned, or None.

    Only when ``plaintext`` starts with the bytes ``encode_payload`` writes before the
    entries (the top-level members but ``entries``, then ``"entries":[``) and ends with
    ``]}``. The decoder accepted the whole text, so: that prefix leaves a parser
    inside the top-level ``entries`` array; every other top-level member is in it, so
    none can follow the array (a second one would be a duplicate name); so the final
    ``]`` closes that array, and what lies between is exactly its elements, which
    decode to ``entries``. Not when an entry was normalised while decoding (it must
    be written as decoded, spec 6.3) or when there are none.
    """
    if not entries or None in map(_SOURCE, entries):
        return None
    head = encode_payload(meta, [])[:-len(_EMPTY_ENTRIES_END)]
    if not (plaintext.startswith(head) and plaintext.endswith(_PAYLOAD_END)):
        return None
    text = plaintext[len(head):-len(_PAYLOAD_END)].strip(b" \t\n\r")
    return EntriesText(tuple(entries), text)


_SOURCE = attrgetter("source")
_EMPTY_ENTRIES_END = b"\n]}"  # what follows "entries":[ in a payload without entries


# --- decoding --------------------------------------------------------------------
# One decoder, one verdict (spec sections 5 and 6): every command opens a payload
# through decode_payload, which either returns content that re-encodes losslessly
# or raises VaultDamaged/UnsupportedVersion. Nothing is cached from the text: the
# save cache (KeyEntry.encoded) is filled by the first save, from the decoded values
# (KeyEntry.source: the checked JSON object itself, when that is lossless).

def _damaged(what: str) -> VaultDamaged:
    return VaultDamaged(f"the vault content is damaged: {what}")


def _parse(plaintext: bytes, decoder: json.JSONDecoder = DECODER) -> Any:
    """Strict RFC 8259 JSON as spec section 6.1 restricts it: anything else is damaged."""
    try:
        return strict_json.parse(plaintext, decoder)
    except strict_json.NotJson as exc:
        raise _damaged(str(exc)) from None


def _extra(obj: dict[str, Any], known: frozenset[str], depth: int) -> dict[str, Any]:
    """The members of ``obj`` (at ``depth``) this release does not know, kept as they are."""
    extra = {k: v for k, v in obj.items() if k not in known}
    if extra and too_deep(extra, depth):
        raise _damaged(f"it nests deeper than {MAX_DEPTH} levels")
    return extra


_new_entry = object.__new__
_PERMISSION_SET = frozenset(PERMISSIONS)
_ENVIRONMENT_SET = frozenset(ENVIRONMENTS)
_ENTRY_KEY_SET = frozenset(_ENTRY_KEYS)
_META_KEY_SET = frozenset(("id", "created_at", "journal_key", "keep_versions",
                           "history_days"))
_TOP_KEY_SET = frozenset(("schema", "vault", "entries"))  # required
_KNOWN_TOP_KEYS = _TOP_KEY_SET | {BACKUP_MEMBER}


def _journal_key(value: Any) -> bytes | None:
    """``vault.journal_key`` (spec 6.2): null, or standard base64 with padding of
    exactly 32 bytes, in the one form that encodes them (so it is written back as read)."""
    if value is None:
        return None
    if type(value) is not str or len(value) != 44 or not value.isascii():
        raise _damaged("'vault.journal_key' is not the base64 text of 32 bytes")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _damaged("'vault.journal_key' is not the base64 text of 32 bytes") from None
    if len(key) != JOURNAL_KEY_LENGTH or base64.b64encode(key).decode("ascii") != value:
        raise _damaged("'vault.journal_key' is not the base64 text of 32 bytes")
    return key


def _list_fault(credentials: Any, permissions: Any, ips: Any, tags: Any) -> str:
    """What is wrong with an entry's credentials or lists (the rare path)."""
    if type(credentials) is not dict or any(type(v) is not str for v in credentials.values()):
        return "an entry's credentials are not text"
    if type(permissions) is not list or any(type(p) is not str for p in permissions) \
            or not _PERMISSION_SET.issuperset(permissions):
        return "an entry has an unknown permission"
    name = "ip_whitelist" if type(ips) is not list or any(type(i) is not str for i in ips) \
        else "tags"
    return f"field '{name}' is not a list of text"


def _history_from_json(value: Any) -> tuple[OldCredentials, ...]:
    """An entry's ``credential_history`` (spec 6.2): an array of objects with exactly
    ``credentials`` (names to text) and ``replaced_at`` (a timestamp)."""
    if type(value) is not list:
        raise _damaged("field 'credential_history' is not an array")
    if not value:
        return ()
    history = []
    for item in value:
        if type(item) is not dict or set(item) != {"credentials", "replaced_at"} \
                or type(item["credentials"]) is not dict \
                or any(type(v) is not str for v in item["credentials"].values()):
            raise _damaged("an entry's credential history holds something else than "
                           "credentials and the time they were replaced")
        try:
            replaced_at = parse_ts(item["replaced_at"])
        except (TypeError, ValueError, OverflowError):
            raise _damaged("an entry's credential history has a malformed timestamp") from None
        history.append(OldCredentials(credentials=item["credentials"], replaced_at=replaced_at))
    return tuple(history)


def _verification_from_json(value: Any) -> Verification | None:
    """An entry's ``verification`` (spec 6.2): null, or exactly ``at``, ``permissions``,
    ``ip_restricted`` and ``ips``."""
    if value is None:
        return None
    fault = _damaged("field 'verification' is neither null nor what the exchange said "
                     "(at, permissions, ip_restricted, ips)")
    if type(value) is not dict or set(value) != {"at", "permissions", "ip_restricted", "ips"}:
        raise fault
    permissions, restricted, ips = value["permissions"], value["ip_restricted"], value["ips"]
    if type(permissions) is not list or any(type(p) is not str for p in permissions) \
            or (restricted is not None and type(restricted) is not bool) \
            or type(ips) is not list \
            or any(type(i) is not str for i in ips):
        raise fault
    try:
        at = parse_ts(value["at"])
    except (TypeError, ValueError, OverflowError):
        raise fault from None
    return Verification(at=at, permissions=tuple(permissions), ip_restricted=restricted,
                        ips=tuple(ips))


def entry_from_dict(obj: Any) -> KeyEntry:
    """Build an entry from stored JSON, checking every rule of spec 6.3 (damage, not a crash).

    This runs once per entry on every unlock, so the checks are inlined.
    """
    if type(obj) is not dict:
        raise _damaged("an entry is not an object")
    try:
        entry_id, label, exchange, notes = obj["id"], obj["label"], obj["exchange"], obj["notes"]
        credentials, environment = obj["credentials"], obj["environment"]
        api_url, rotate_days, last_used = obj["api_url"], obj["rotate_days"], obj["last_used_at"]
        max_notional = obj["max_notional"]
        history, verification = obj["credential_history"], obj["verification"]
        permissions, ips, tags = obj["permissions"], obj["ip_whitelist"], obj["tags"]
        created_at, rotated_at = parse_ts(obj["created_at"]), parse_ts(obj["rotated_at"])
        updated_at = parse_ts(obj["updated_at"])
        last_used_at = None if last_used is None else parse_ts(last_used)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise _damaged("an entry lacks a field or has a malformed timestamp") from None
    if not (type(entry_id) is type(label) is type(exchange) is type(notes) is str):
        raise _damaged("an entry's id, label, exchange or notes is not text")
    try:  # "".join takes only str items (JSON makes no str subclass): one C call a list
        lists_ok = type(credentials) is dict and type(permissions) is list \
            and type(ips) is list and type(tags) is list
        if lists_ok:
            "".join(credentials.values()), "".join(permissions), "".join(ips), "".join(tags)
    except TypeError:
        lists_ok = False
    if not lists_ok or not _PERMISSION_SET.issuperset(permissions):
        raise _damaged(_list_fault(credentials, permissions, ips, tags))
    if type(environment) is not str or environment not in _ENVIRONMENT_SET:
        raise _damaged("an entry has an unknown environment")
    if environment == "custom" and type(api_url) is not str:
        raise _damaged("a custom-environment entry has no API URL")
    source: dict[str, Any] | None = obj  # decoding it again gives this same entry...
    if environment != "custom" and api_url is not None:
        if type(api_url) is not str:
            raise _damaged("field 'api_url' is neither text nor null")
        api_url = source = None  # ...unless this normalises it. Spec 6.3: ignored here
    if type(rotate_days) is not int or not 1 <= rotate_days <= MAX_ROTATE_DAYS:
        raise _damaged(f"field 'rotate_days' is not an integer from 1 to {MAX_ROTATE_DAYS}")
    if max_notional is not None:
        if type(max_notional) is not str or not notional_text_ok(max_notional):
            raise _damaged("field 'max_notional' is neither null nor a positive decimal "
                           "string (digits, at most one point)")
        max_notional = notional_from_text(max_notional)
    credential_history = _history_from_json(history)
    verification = _verification_from_json(verification)
    entry = _new_entry(KeyEntry)  # a frozen dataclass's __init__ is 3x slower: bypass it
    entry.__dict__.update(
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
        updated_at=updated_at,
        last_used_at=last_used_at,
        rotate_days=rotate_days,
        notes=notes,
        tags=tuple(tags),
        max_notional=max_notional,
        credential_history=credential_history,
        verification=verification,
        extra=_extra(obj, _ENTRY_KEY_SET, 3) if len(obj) != len(_ENTRY_KEYS) else {},
        encoded=None,  # the save cache, filled by the first save (from source if set)
        source=source,
    )
    return entry


def _meta_from_document(document: dict[str, Any]) -> VaultMeta:
    if not _TOP_KEY_SET.issubset(document):
        raise _damaged("'schema', 'vault' or 'entries' is missing")
    obj = document["vault"]
    if type(obj) is not dict:
        raise _damaged("'vault' is not an object")
    vault_id = obj.get("id")
    if type(vault_id) is not str:
        raise _damaged("'vault.id' is not text")
    try:
        created_at = parse_ts(obj["created_at"])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise _damaged("'vault.created_at' is not a timestamp") from None
    if "journal_key" not in obj:
        raise _damaged("'vault.journal_key' is missing")
    keep_versions = obj.get("keep_versions")
    if type(keep_versions) is not int or not 0 <= keep_versions <= MAX_KEEP_VERSIONS:
        raise _damaged(f"'vault.keep_versions' is not an integer from 0 to {MAX_KEEP_VERSIONS}")
    history_days = obj.get("history_days")
    if type(history_days) is not int or not 1 <= history_days <= MAX_HISTORY_DAYS:
        raise _damaged(f"'vault.history_days' is not an integer from 1 to {MAX_HISTORY_DAYS}")
    backup = backup_from_json(document[BACKUP_MEMBER]) if BACKUP_MEMBER in document else None
    return VaultMeta(id=vault_id, created_at=created_at,
                     journal_key=_journal_key(obj["journal_key"]),
                     keep_versions=keep_versions, history_days=history_days, backup=backup,
                     extra=_extra(obj, _META_KEY_SET, 2),
                     document_extra=_extra(document, _KNOWN_TOP_KEYS, 1))


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


def decode_payload(plaintext: bytes) -> tuple[VaultMeta, list[KeyEntry]]:
    """Decode a payload (spec checks 12 and 13), or raise VaultDamaged/UnsupportedVersion."""
    with _gc_paused():
        decoded = _decode_quickly(plaintext)
        if decoded is not None:
            return decoded
        return _decode(_parse(plaintext))  # the strict path: its verdict is the verdict


def _decode(document: Any) -> tuple[VaultMeta, list[KeyEntry]]:
    if type(document) is not dict:
        raise _damaged("it is not a JSON object")
    if type(document.get("schema")) is int and document["schema"] > SCHEMA_VERSION \
            and too_deep(document, 1):
        raise _damaged(f"it nests deeper than {MAX_DEPTH} levels")
    document = upgrade(document)
    items = document.get("entries")
    if type(items) is not list:
        raise _damaged("'entries' is not an array")
    meta = _meta_from_document(document)
    entries = [entry_from_dict(raw) for raw in items]
    if len({entry.id for entry in entries}) != len(entries):
        # Spec 6.3: front ends find an entry by its id; with two, selecting one would
        # show, copy, edit or delete the other.
        raise _damaged("two entries have the same id")
    return meta, entries


def _decode_quickly(plaintext: bytes) -> tuple[VaultMeta, list[KeyEntry]] | None:
    """What the strict path returns, about a fifth faster, or None (then it runs).

    It parses without the duplicate-name hook, builds the content with the same
    checks, then proves that no member was dropped: every '"' byte of a JSON text
    delimits a string (two per string) or is an escaped quote inside one, and each
    string of the text is a name or a string value of the parsed document unless a
    duplicate name dropped its member. So the text holds exactly twice as many '"'
    bytes as the document holds strings only when nothing was dropped (and no
    string holds an escaped quote). Anything else, valid or not, goes the strict way.
    """
    try:
        document = _parse(plaintext, DECODER_NO_PAIRS_HOOK)
        if type(document) is not dict or type(document.get("schema")) is not int \
                or document["schema"] != SCHEMA_VERSION:  # no upgrade may change it
            return None
        decoded = _decode(document)
    except (VaultDamaged, UnsupportedVersion):
        return None
    if plaintext.count(b'"') != 2 * _strings_in_content(document):
        return None
    return decoded


def _strings_in(value: Any) -> int:
    """How many strings ``value`` is or holds, member names included."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            count += 1
        elif type(item) is dict:
            count += len(item)
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return count


_CREDENTIALS = itemgetter("credentials")
_STRING_LISTS = (itemgetter("permissions"), itemgetter("ip_whitelist"), itemgetter("tags"))
_NULLABLE_STRINGS = (itemgetter("api_url"), itemgetter("last_used_at"),
                     itemgetter("max_notional"))
# Strings in every entry besides its names, credentials and lists: id, label, exchange,
# notes, environment, created_at, rotated_at and updated_at.
_FIXED_STRINGS = 8


def _strings_in_content(document: dict[str, Any]) -> int:
    """``_strings_in(document)`` for content ``_decode`` accepted, without a Python
    step per string: every entry's known members have the types it checked."""
    items: list[dict[str, Any]] = document["entries"]
    count = len(document) + sum(_strings_in(value) for name, value in document.items()
                                if name != "entries")
    count += _FIXED_STRINGS * len(items) + sum(map(len, items))
    count += 2 * sum(map(len, map(_CREDENTIALS, items)))
    for field_of in _STRING_LISTS:
        count += sum(map(len, map(field_of, items)))
    for field_of in _NULLABLE_STRINGS:
        count += len(items) - list(map(field_of, items)).count(None)
    for obj in items:
        if obj["credential_history"] or obj["verification"] is not None:
            count += _strings_in(obj["credential_history"]) + _strings_in(obj["verification"])
        if len(obj) != len(_ENTRY_KEYS):  # unknown members, kept as they are
            count += sum(_strings_in(value) for name, value in obj.items()
                         if name not in _ENTRY_KEY_SET)
    return count
