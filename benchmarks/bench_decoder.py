"""The payload decoder on 10,000 keys: today's strict decoder against the one before it.

`vault-app-cli list` minus the KDF is mostly AES-GCM plus this decoder. Both decoders
run on the same payload in the same process; the previous one (two paths, two
verdicts: issue 6 item 5) lives only in this file, for the comparison. If msgspec
happens to be installed, its decode of the same payload is timed too (it is not a
dependency: see docs/vault-format.md section 6 and the commit that chose the decoder).
"""

from __future__ import annotations

import contextlib
import gc
import json
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._util import median_time, report
from vault_app.core import crypto, schema
from vault_app.core.errors import VaultDamaged
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import KeyEntry, new_entry

KEYS = 10_000
RUNS = 9


# --- the decoder before issue 6 (copied from vault_app/core/schema.py, trimmed) ----------

def _old_parse_ts(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    return value.astimezone(UTC)


def _old_entry_from_dict(obj: Any) -> KeyEntry:
    try:
        entry_id, label, exchange, notes = obj["id"], obj["label"], obj["exchange"], obj["notes"]
        credentials, environment = obj["credentials"], obj["environment"]
        api_url, rotate_days, last_used = obj["api_url"], obj["rotate_days"], obj["last_used_at"]
        permissions, ips, tags = obj["permissions"], obj["ip_whitelist"], obj["tags"]
        created_at, rotated_at = _old_parse_ts(obj["created_at"]), _old_parse_ts(obj["rotated_at"])
        updated_at = _old_parse_ts(obj["updated_at"])  # schema 3, for a like comparison
        last_used_at = None if last_used is None else _old_parse_ts(last_used)
    except (KeyError, TypeError, ValueError, OverflowError):
        raise VaultDamaged("entry") from None
    if not (type(entry_id) is type(label) is type(exchange) is type(notes) is str):
        raise VaultDamaged("text")
    if type(credentials) is not dict or any(type(v) is not str for v in credentials.values()):
        raise VaultDamaged("credentials")
    if type(permissions) is not list or any(type(p) is not str for p in permissions) \
            or not frozenset(("read", "trade", "withdraw")).issuperset(permissions):
        raise VaultDamaged("permissions")
    for value in (ips, tags):
        if type(value) is not list or any(type(item) is not str for item in value):
            raise VaultDamaged("list")
    if type(environment) is not str or environment not in ("live", "sandbox", "custom"):
        raise VaultDamaged("environment")
    if api_url is not None and type(api_url) is not str:
        raise VaultDamaged("api_url")
    if type(rotate_days) is not int or not 1 <= rotate_days <= 3650:
        raise VaultDamaged("rotate_days")
    known = frozenset(schema._ENTRY_KEYS)
    return KeyEntry(
        id=entry_id, label=label, exchange=exchange, credentials=credentials,
        permissions=tuple(permissions), ip_whitelist=tuple(ips), environment=environment,
        api_url=api_url, created_at=created_at, rotated_at=rotated_at, updated_at=updated_at,
        last_used_at=last_used_at, rotate_days=rotate_days, notes=notes, tags=tuple(tags),
        extra={k: v for k, v in obj.items() if k not in known}
        if len(obj) != len(schema._ENTRY_KEYS) else {},
    )


_HEAD_SUFFIX = b'"entries":['
_TAIL_LINE = b"]}"
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _old_fast_lines(plaintext: bytes) -> tuple[dict[str, Any], list[bytes]] | None:
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
            or head.get("schema") != schema.SCHEMA_VERSION:
        return None
    return head, [line[:-1] if line.endswith(b",") else line for line in body]


def _old_scan_lines(lines: list[bytes]) -> list[Any] | None:
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
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def old_decode(plaintext: bytes, for_saving: bool) -> list[KeyEntry]:
    """``for_saving=False`` was `list`/`show`; True was every command that may save."""
    with _gc_paused():
        fast = _old_fast_lines(plaintext) if for_saving else None
        if fast is not None:
            raw_entries = _old_scan_lines(fast[1])
            if raw_entries is not None:
                entries = [_old_entry_from_dict(raw) for raw in raw_entries]
                for entry, line in zip(entries, fast[1], strict=True):
                    object.__setattr__(entry, "encoded", line)
                return entries
        document = json.loads(plaintext.decode("utf-8"))
        return [_old_entry_from_dict(raw) for raw in document["entries"]]


# --- the benchmark ------------------------------------------------------------------------


def payload() -> bytes:
    catalog = load_catalog()
    entries = [
        new_entry(label=f"bot {i:05d}", exchange="okx" if i % 3 == 0 else "binance",
                  credentials={"apiKey": secrets.token_hex(32), "secret": secrets.token_hex(32),
                               "password": "passphrase-" + str(i)},
                  catalog=catalog, permissions="read,trade", ip_whitelist="203.0.113.7",
                  notes="benchmark key", tags="bench")
        for i in range(KEYS)
    ]
    return schema.encode_payload(schema.VaultMeta(), entries)


def interleaved(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Time each function ``runs`` times, taking turns, so that a load spike on a shared
    machine hits every contender alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def main() -> None:
    print(f"Payload decoder, {KEYS:,} keys (list minus the KDF is AES-GCM + this)")
    plaintext = payload()
    print(f"  payload: {len(plaintext) / 1e6:.1f} MB; median of {RUNS} interleaved runs "
          "(fastest in brackets)")
    new_entries = schema.decode_payload(plaintext)[1]
    assert old_decode(plaintext, False) == new_entries == old_decode(plaintext, True)

    def first_save() -> bytes:  # the save cache is filled by the first save
        return schema.encode_payload(*schema.decode_payload(plaintext))

    def first_save_reusing() -> bytes:  # what Vault does: the entries' text as read
        meta, entries = schema.decode_payload(plaintext)
        return schema.encode_payload(meta, entries,
                                     schema.entries_text(plaintext, meta, entries))

    # `list` minus the KDF: AES-GCM opens the payload, then the decoder runs.
    dek, nonce, header = crypto.new_key(), crypto.new_nonce(), b"header as AAD"
    sealed = crypto.seal_payload(dek, nonce, plaintext, header)

    contenders: dict[str, Callable[[], object]] = {
        "list minus KDF, before: AES-GCM + read-only path":
            lambda: old_decode(crypto.open_payload(dek, nonce, sealed, header), False),
        "list minus KDF, now: AES-GCM + the strict decoder":
            lambda: schema.decode_payload(crypto.open_payload(dek, nonce, sealed, header)),
        "before: read-only path (list, show)": lambda: old_decode(plaintext, False),
        "before: read-write path (add, edit, ...)": lambda: old_decode(plaintext, True),
        "now: the one strict decoder (every command)": lambda: schema.decode_payload(plaintext),
        "now: decode + the first save's full encode": first_save,
        "now: decode + the first save reusing the entries' text": first_save_reusing,
    }
    try:
        import msgspec  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        msgspec = None

    if msgspec is not None:
        def with_msgspec() -> list[KeyEntry]:
            with _gc_paused():
                document = msgspec.json.decode(plaintext)
                return [schema.entry_from_dict(raw) for raw in document["entries"]]

        assert with_msgspec() == new_entries
        contenders["msgspec decode + the same entry builder"] = with_msgspec
        contenders["msgspec decode alone (no entries built)"] = \
            lambda: msgspec.json.decode(plaintext)
    contenders["stdlib json.loads alone (not strict)"] = lambda: json.loads(plaintext)
    contenders["strict stdlib parse alone"] = lambda: schema._parse(plaintext)
    for name, times in interleaved(contenders, RUNS).items():
        report(name, statistics.median(times), note=f"[{min(times) * 1000:.1f} ms]")

    meta, entries = schema.decode_payload(plaintext)
    schema.encode_payload(meta, entries)
    warm, _ = median_time(lambda: schema.encode_payload(meta, entries), RUNS)
    report("now: encode with every entry cached (later saves)", warm)
    if msgspec is None:
        print("  (msgspec is not installed, so it was not timed)")


if __name__ == "__main__":
    main()
