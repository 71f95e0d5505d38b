"""The app's reader and independent_decrypt.py reach the same verdict (issue 6, item 6).

Both run in this process over every vector and over a set of hostile payloads that
decrypt: content only a buggy or foreign writer holding the data key could produce.
Whatever the app opens must also re-encode losslessly (section 6.3's last rule).
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import make_entry
from tests.vectors.test_vectors import EXIT_CODES, VECTOR_FILES, load
from vault_app.core import schema
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import UnsupportedVersion, VaultDamaged, VaultError

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("independent_decrypt",
                                               HERE / "independent_decrypt.py")
assert _spec is not None and _spec.loader is not None
independent: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(independent)


def app_verdict(run: Any) -> str:
    try:
        run()
    except VaultDamaged:
        return "damaged"
    except UnsupportedVersion:
        return "unsupported"
    except VaultError as exc:
        return type(exc).__name__
    return "ok"


def independent_verdict(run: Any) -> str:
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            run()
    except SystemExit as exit_:
        message = stderr.getvalue()
        assert exit_.code in (2, 3) and message.count("\n") == 1, message
        for word, verdict in (("damaged", "damaged"), ("unsupported", "unsupported")):
            if word in message:
                return verdict
        return message.strip()
    return "ok"


def app_decrypt(data: bytes, password: str) -> None:
    _, _, plaintext = unlock_bytes(data, password)
    schema.decode_payload(plaintext)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[path.stem for path in VECTOR_FILES])
def test_both_readers_agree_on_every_vector(path: Path) -> None:
    vector = load(path)
    app = app_verdict(lambda: app_decrypt(vector.data, vector.password))
    other = independent_verdict(lambda: independent.decrypt(vector.data, vector.password))
    if EXIT_CODES[vector.expect] == 0 or vector.expect in ("damaged", "unsupported version"):
        assert app == other, (app, other)
    else:  # wrong password, not a vault file, KDF caps: named differently, same exit code
        assert app != "ok" and other != "ok"


# --- hostile payloads ------------------------------------------------------------------

TS = "2026-11-21T09:30:00Z"


def _document() -> dict[str, Any]:
    entries = [make_entry("OKX main"), make_entry("Kraken custom", exchange="kraken",
                                                   environment="custom",
                                                   api_url="https://api.example.test")]
    return json.loads(schema.encode_payload(schema.VaultMeta(id="v", created_at=schema.utcnow()),
                                            entries))


def _with(path: str, value: Any) -> bytes:
    """The sample document with one member set (``entries.0.label``, ``vault.x``...)."""
    document = _document()
    *parents, last = path.split(".")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[int(last) if isinstance(target, list) else last] = value
    return json.dumps(document, separators=(",", ":")).encode()


def _raw(path: str, text: str) -> bytes:
    return _with(path, "@@raw@@").replace(b'"@@raw@@"', text.encode("utf-8"))


def _twin_ids(change: Callable[[str], str]) -> bytes:
    """The sample document with the second entry's id made from the first one's."""
    document = _document()
    document["entries"][1]["id"] = change(document["entries"][0]["id"])
    return json.dumps(document, separators=(",", ":")).encode()


HOSTILE: dict[str, bytes] = {
    "bom": b"\xef\xbb\xbf" + _with("vault.x", 1),
    "bom-only": b"\xef\xbb\xbf",
    "utf16": _with("vault.x", 1).decode().encode("utf-16"),
    "nan": _raw("entries.0.x", "NaN"),
    "infinity": _raw("vault.x", "Infinity"),
    "minus-infinity": _raw("x", "-Infinity"),
    "nan-as-schema": _raw("schema", "NaN"),
    "lone-high-surrogate-label": _raw("entries.0.label", r'"a\ud800"'),
    "lone-low-surrogate-vault-id": _raw("vault.id", r'"\udfff"'),
    "lone-surrogate-in-member-name": _raw("entries.0.x", r'{"\ud800":1}'),
    "lone-surrogate-in-unknown": _raw("vault.x", r'["\ud800"]'),
    "reversed-pair": _raw("entries.0.notes", r'"\ude00\ud83d"'),
    "valid-pair": _raw("entries.0.notes", r'"\ud83d\ude00"'),
    "escaped-backslash-u-d800": _raw("entries.0.notes", r'"\\ud800"'),
    "raw-surrogate-bytes": _with("vault.x", "@").replace(b'"@"', b'"\xed\xa0\x80"'),
    "duplicate-entry-member": _raw("entries.0.label", '"a","label":"b"'),
    "duplicate-unknown-member": _raw("vault.x", '{"k":1,"k":1}'),
    "duplicate-schema": _raw("x", '1,"schema":1'),
    "equal-names-after-unescaping": _raw("vault.x", r'{"k":1,"\u006b":2}'),
    "depth-64": _raw("entries.0.x", "[" * 61 + "]" * 61),
    "depth-65": _raw("entries.0.x", "[" * 62 + "]" * 62),
    "depth-65-in-vault": _raw("vault.x", "{\"a\":" * 62 + "1" + "}" * 62),
    "depth-64-in-vault": _raw("vault.x", "{\"a\":" * 61 + "1" + "}" * 61),
    "depth-2000": _raw("x", "[" * 2000 + "]" * 2000),
    "depth-100000": _raw("x", "[" * 100_000 + "]" * 100_000),
    "depth-100000-unclosed": b"[" * 100_000,
    "depth-900-in-credentials": _raw("entries.0.credentials", "{\"a\":" * 900 + "1"
                                     + "}" * 900),
    "number-64-chars": _raw("x", "1" * 64),
    "number-65-chars": _raw("x", "1" * 65),
    "float-65-chars": _raw("x", "0." + "1" * 63),
    "number-5000-digits": _raw("x", "9" * 5000),
    "1e400": _raw("x", "1e400"),
    "-1e400": _raw("x", "-1e400"),
    "1e-400": _raw("x", "1e-400"),
    "schema-1e0": _raw("schema", "1e0"),
    "schema-1.0": _raw("schema", "1.0"),
    "schema-minus-0": _raw("schema", "-0"),
    "schema-true": _raw("schema", "true"),
    "schema-5-nan": _raw("schema", "5,\"y\":NaN"),
    "schema-5-depth-100": _raw("schema", "5,\"y\":" + "[" * 100 + "]" * 100),
    "schema-5-bad-content": _with("schema", 5).replace(b'"entries":[', b'"entries":[1,', 1),
    "schema-huge": _raw("schema", "9" * 40),
    "rotate-days-1e0": _raw("entries.0.rotate_days", "1e0"),
    "rotate-days-1.0": _raw("entries.0.rotate_days", "1.0"),
    "rotate-days-minus-0": _raw("entries.0.rotate_days", "-0"),
    "rotate-days-true": _raw("entries.0.rotate_days", "true"),
    "rotate-days-3650": _with("entries.0.rotate_days", 3650),
    "entries-object": _with("entries", {}),
    "entries-null": _with("entries", None),
    "entries-string": _with("entries", "[]"),
    "entry-array": _with("entries.0", []),
    "vault-array": _with("vault", []),
    "vault-id-int": _with("vault.id", 7),
    "vault-id-null": _with("vault.id", None),
    "vault-id-not-uuid": _with("vault.id", "x"),
    "vault-created-space": _with("vault.created_at", "2026-11-21 09:30:00Z"),
    "vault-created-lowercase": _with("vault.created_at", "2026-11-21t09:30:00z"),
    "top-level-array": b"[]",
    "top-level-string": b'"x"',
    "empty": b"",
    "whitespace-around": b" \t\r\n" + _with("x", 1) + b"\n ",
    "nbsp-after": _with("x", 1) + "\u00a0".encode(),
    "trailing-comma": _with("x", 1)[:-1] + b",}",
    "control-char-in-string": _with("entries.0.notes", "@").replace(b'"@"', b'"\x01"'),
    "custom-null-api-url": _with("entries.1.api_url", None),
    "custom-empty-api-url": _with("entries.1.api_url", ""),
    "live-api-url": _with("entries.0.api_url", "https://x.example"),
    "live-api-url-number": _with("entries.0.api_url", 5),
    "sandbox-api-url-null": _with("entries.0.environment", "sandbox"),
    "ts-lower-t": _with("entries.0.created_at", "2026-11-21t09:30:00Z"),
    "ts-lower-z": _with("entries.0.rotated_at", "2026-11-21T09:30:00z"),
    "ts-space": _with("entries.0.created_at", "2026-11-21 09:30:00Z"),
    "ts-fraction": _with("entries.0.created_at", "2026-11-21T09:30:00.123Z"),
    "ts-offset": _with("entries.0.created_at", "2026-11-21T10:30:00+01:00"),
    "ts-offset-24": _with("entries.0.created_at", "2026-11-21T10:30:00+24:00"),
    "ts-no-offset": _with("entries.0.created_at", "2026-11-21T09:30:00"),
    "ts-leap-second": _with("entries.0.last_used_at", "2016-12-31T23:59:60Z"),
    "ts-feb-29-2024": _with("entries.0.last_used_at", "2024-02-29T00:00:00Z"),
    "ts-feb-29-2026": _with("entries.0.last_used_at", "2026-02-29T00:00:00Z"),
    "ts-year-0": _with("entries.0.created_at", "0000-01-01T00:00:00Z"),
    "ts-year-1-utc": _with("entries.0.created_at", "0001-01-01T00:00:00Z"),
    "ts-before-year-1": _with("entries.0.created_at", "0001-01-01T00:59:59+01:00"),
    "ts-after-9999": _with("entries.0.created_at", "9999-12-31T23:59:59-00:01"),
    "ts-9999-end": _with("entries.0.created_at", "9999-12-31T23:59:59Z"),
    "ts-week-date": _with("entries.0.created_at", "2026-W47-6T09:30:00Z"),
    "ts-fullwidth-digit": _with("entries.0.created_at", "\uff12026-11-21T09:30:00Z"),
    "ts-number": _with("entries.0.created_at", 1_700_000_000),
    "credentials-number": _with("entries.0.credentials.apiKey", 1),
    "credentials-unknown-name": _with("entries.0.credentials.future", "kept"),
    "permission-admin": _with("entries.0.permissions", ["admin"]),
    "tags-nested": _with("entries.0.tags", [["a"]]),
    "label-empty": _with("entries.0.label", ""),
    "duplicate-ids": _twin_ids(str),
    "ids-differ-by-case": _twin_ids(str.upper),
    "unknown-everywhere": _with("x", {"deep": [1, 2.5, None, True, "s"]}),
    # schema 2 (spec 6.2, 6.3)
    "journal-key-32-bytes": _with("vault.journal_key", base64.b64encode(bytes(32)).decode()),
    "journal-key-31-bytes": _with("vault.journal_key", base64.b64encode(bytes(31)).decode()),
    "journal-key-33-bytes": _with("vault.journal_key", base64.b64encode(bytes(33)).decode()),
    "journal-key-pad-bits": _with("vault.journal_key", "A" * 42 + "B="),
    "journal-key-url-safe": _with("vault.journal_key", "_" * 43 + "="),
    "journal-key-no-padding": _with("vault.journal_key", "A" * 43),
    "journal-key-two-pads": _with("vault.journal_key", "A" * 42 + "=="),
    "journal-key-space": _with("vault.journal_key", " " + "A" * 42 + "="),
    "journal-key-number": _with("vault.journal_key", 32),
    "journal-key-bytes-list": _with("vault.journal_key", [0] * 32),
    "journal-key-empty": _with("vault.journal_key", ""),
    "max-notional-canonical": _with("entries.0.max_notional", "2500.5"),
    "max-notional-kept-form": _with("entries.1.max_notional", "0100.50"),
    "max-notional-36-digits": _with("entries.0.max_notional", "9" * 36),
    "max-notional-37-digits": _with("entries.0.max_notional", "9" * 37),
    "max-notional-37-with-zeros": _with("entries.0.max_notional", "0" * 36 + "1"),
    "max-notional-1e3": _with("entries.0.max_notional", "1e3"),
    "max-notional-minus-5": _with("entries.0.max_notional", "-5"),
    "max-notional-0": _with("entries.0.max_notional", "0"),
    "max-notional-0.0": _with("entries.0.max_notional", "0.0"),
    "max-notional-nan": _with("entries.0.max_notional", "NaN"),
    "max-notional-inf": _with("entries.0.max_notional", "Infinity"),
    "max-notional-number": _with("entries.0.max_notional", 1000),
    "max-notional-float": _with("entries.0.max_notional", 0.5),
    "max-notional-true": _with("entries.0.max_notional", True),
    "max-notional-point-5": _with("entries.0.max_notional", ".5"),
    "max-notional-5-point": _with("entries.0.max_notional", "5."),
    "max-notional-fullwidth": _with("entries.0.max_notional", "\uff15"),
    "max-notional-underscore": _with("entries.0.max_notional", "1_000"),
    "max-notional-newline": _with("entries.0.max_notional", "5\n"),
    # schema 3 (spec 6.2, 6.3)
    "keep-versions-0": _with("vault.keep_versions", 0),
    "keep-versions-1000": _with("vault.keep_versions", 1000),
    "keep-versions-minus-0": _raw("vault.keep_versions", "-0"),
    "keep-versions-minus-1": _with("vault.keep_versions", -1),
    "keep-versions-1001": _with("vault.keep_versions", 1001),
    "keep-versions-10.0": _raw("vault.keep_versions", "10.0"),
    "keep-versions-1e1": _raw("vault.keep_versions", "1e1"),
    "keep-versions-string": _with("vault.keep_versions", "10"),
    "keep-versions-true": _with("vault.keep_versions", True),
    "keep-versions-null": _with("vault.keep_versions", None),
    "updated-at-null": _with("entries.0.updated_at", None),
    "updated-at-space": _with("entries.0.updated_at", "2026-11-21 09:30:00Z"),
    "updated-at-offset": _with("entries.1.updated_at", "2026-11-21T10:30:00+01:00"),
    "updated-at-before-created": _with("entries.0.updated_at", "2001-01-01T00:00:00Z"),
    "backup": _with("backup", {"made_at": TS, "source_vault_id": "s",
                               "journal": [{"a": [1, 2.5]}, {}], "x": {"kept": None}}),
    "backup-empty-journal": _with("backup", {"made_at": TS, "source_vault_id": "",
                                             "journal": []}),
    "backup-array": _with("backup", []),
    "backup-null": _with("backup", None),
    "backup-string": _with("backup", "backup"),
    "backup-made-at-missing": _with("backup", {"source_vault_id": "s", "journal": []}),
    "backup-made-at-space": _with("backup", {"made_at": "2026-11-21 09:30:00Z",
                                             "source_vault_id": "s", "journal": []}),
    "backup-made-at-number": _with("backup", {"made_at": 1, "source_vault_id": "s",
                                              "journal": []}),
    "backup-source-id-number": _with("backup", {"made_at": TS, "source_vault_id": 1,
                                                "journal": []}),
    "backup-source-id-missing": _with("backup", {"made_at": TS, "journal": []}),
    "backup-journal-object": _with("backup", {"made_at": TS, "source_vault_id": "s",
                                              "journal": {"0": {}}}),
    "backup-journal-missing": _with("backup", {"made_at": TS, "source_vault_id": "s"}),
    "backup-journal-item-string": _with("backup", {"made_at": TS, "source_vault_id": "s",
                                                   "journal": [{}, "record"]}),
    "backup-journal-item-null": _with("backup", {"made_at": TS, "source_vault_id": "s",
                                                 "journal": [None]}),
    "backup-depth-65": _raw("backup", '{"made_at":"' + TS + '","source_vault_id":"s",'
                            '"journal":[{"a":' + "[" * 61 + "]" * 61 + "}]}"),
    "backup-depth-64": _raw("backup", '{"made_at":"' + TS + '","source_vault_id":"s",'
                            '"journal":[{"a":' + "[" * 60 + "]" * 60 + "}]}"),
    # schema 4 (spec 6.2, 6.3)
    "history-days-1": _with("vault.history_days", 1),
    "history-days-3650": _with("vault.history_days", 3650),
    "history-days-0": _with("vault.history_days", 0),
    "history-days-3651": _with("vault.history_days", 3651),
    "history-days-30.0": _raw("vault.history_days", "30.0"),
    "history-days-true": _with("vault.history_days", True),
    "history-days-null": _with("vault.history_days", None),
    "history-one": _with("entries.0.credential_history", [
        {"credentials": {"apiKey": "k", "secret": "s"}, "replaced_at": TS}]),
    "history-offset": _with("entries.0.credential_history", [
        {"credentials": {}, "replaced_at": "2026-11-21T10:30:00+01:00"}]),
    "history-object": _with("entries.0.credential_history", {}),
    "history-null": _with("entries.0.credential_history", None),
    "history-item-null": _with("entries.0.credential_history", [None]),
    "history-item-extra": _with("entries.0.credential_history", [
        {"credentials": {}, "replaced_at": TS, "x": 1}]),
    "history-item-no-time": _with("entries.0.credential_history", [{"credentials": {}}]),
    "history-credentials-list": _with("entries.0.credential_history", [
        {"credentials": ["k"], "replaced_at": TS}]),
    "history-credential-null": _with("entries.0.credential_history", [
        {"credentials": {"apiKey": None}, "replaced_at": TS}]),
    "history-time-space": _with("entries.0.credential_history", [
        {"credentials": {}, "replaced_at": "2026-11-21 09:30:00Z"}]),
    "verification": _with("entries.0.verification", {
        "at": TS, "permissions": ["read", "spot", "withdraw"], "ip_restricted": False,
        "ips": []}),
    "verification-ip-unknown": _with("entries.0.verification", {
        "at": TS, "permissions": ["read"], "ip_restricted": None, "ips": []}),
    "verification-array": _with("entries.0.verification", []),
    "verification-extra": _with("entries.0.verification", {
        "at": TS, "permissions": [], "ip_restricted": False, "ips": [], "x": 1}),
    "verification-restricted-1": _with("entries.0.verification", {
        "at": TS, "permissions": [], "ip_restricted": 1, "ips": []}),
    "verification-ips-number": _with("entries.0.verification", {
        "at": TS, "permissions": [], "ip_restricted": True, "ips": [1]}),
    "verification-at-null": _with("entries.0.verification", {
        "at": None, "permissions": [], "ip_restricted": True, "ips": []}),
    # schema 1, 2 and 3 (spec 6.4): upgraded, then checked as schema 4
    "schema-1-with-new-members": _with("schema", 1),
    "schema-2-with-new-members": _with("schema", 2),
    "schema-3-with-new-members": _with("schema", 3),
}
_missing = _document()
del _missing["entries"][0]["api_url"]
HOSTILE["api-url-missing"] = json.dumps(_missing).encode()
for _name, _drop in (("journal-key-missing", ("vault", "journal_key")),
                     ("max-notional-missing", ("entries", "max_notional")),
                     ("keep-versions-missing", ("vault", "keep_versions")),
                     ("updated-at-missing", ("entries", "updated_at")),
                     ("history-days-missing", ("vault", "history_days")),
                     ("history-missing", ("entries", "credential_history")),
                     ("verification-missing", ("entries", "verification"))):
    _missing = _document()
    _target = _missing["vault"] if _drop[0] == "vault" else _missing["entries"][1]
    del _target[_drop[1]]
    HOSTILE[_name] = json.dumps(_missing).encode()


def _schema_1(change: Callable[[dict[str, Any]], object] | None = None) -> bytes:
    """The sample document as a schema-1 writer wrote it (no journal_key, no max_notional)."""
    return _schema_2(lambda document: (
        document.update(schema=1), document["vault"].pop("journal_key"),
        [entry.pop("max_notional") for entry in document["entries"]],
        change(document) if change is not None else None))


def _schema_2(change: Callable[[dict[str, Any]], object] | None = None) -> bytes:
    """The sample document as a schema-2 writer wrote it (no keep_versions, no updated_at)."""
    document = _document()
    document["schema"] = 2
    del document["vault"]["keep_versions"]
    for entry in document["entries"]:
        del entry["updated_at"]
    if change is not None:
        change(document)
    return json.dumps(document, separators=(",", ":")).encode()


HOSTILE["schema-1"] = _schema_1()
HOSTILE["schema-1-unknown-members"] = _schema_1(lambda d: (
    d.update(x=[1]), d["vault"].update(x={"a": None}), d["entries"][0].update(x="kept")))
HOSTILE["schema-1-max-notional-member"] = _schema_1(
    lambda d: d["entries"][0].update(max_notional="750"))
HOSTILE["schema-1-bad-max-notional"] = _schema_1(
    lambda d: d["entries"][0].update(max_notional="1e3"))
HOSTILE["schema-1-journal-key-member"] = _schema_1(
    lambda d: d["vault"].update(journal_key=base64.b64encode(bytes(32)).decode()))
HOSTILE["schema-1-bad-journal-key"] = _schema_1(lambda d: d["vault"].update(journal_key=5))
HOSTILE["schema-1-rotate-days-0"] = _schema_1(lambda d: d["entries"][0].update(rotate_days=0))
HOSTILE["schema-1-vault-array"] = _schema_1(lambda d: d.update(vault=[]))
HOSTILE["schema-1-entry-array"] = _schema_1(lambda d: d["entries"].append([]))
HOSTILE["schema-2"] = _schema_2()
HOSTILE["schema-2-unknown-members"] = _schema_2(lambda d: (
    d.update(x=[1]), d["vault"].update(x={"a": None}), d["entries"][0].update(x="kept")))
HOSTILE["schema-2-created-later"] = _schema_2(lambda d: d["entries"][0].update(
    created_at="2026-11-21T10:30:00+00:30", rotated_at="2026-11-21T09:30:00Z"))
HOSTILE["schema-2-rotated-later"] = _schema_2(lambda d: d["entries"][0].update(
    created_at="2026-11-21T09:30:00Z", rotated_at="2026-11-22t09:30:00.5z"))
HOSTILE["schema-2-bad-created-at"] = _schema_2(lambda d: d["entries"][0].update(
    created_at="2026-11-21 09:30:00Z"))
HOSTILE["schema-2-created-at-missing"] = _schema_2(lambda d: d["entries"][0].pop("created_at"))
HOSTILE["schema-2-updated-at-member"] = _schema_2(lambda d: d["entries"][0].update(
    updated_at="2001-01-01T00:00:00Z"))
HOSTILE["schema-2-bad-updated-at-member"] = _schema_2(lambda d: d["entries"][0].update(
    updated_at=5))
HOSTILE["schema-2-keep-versions-member"] = _schema_2(lambda d: d["vault"].update(
    keep_versions=0))
HOSTILE["schema-2-bad-keep-versions-member"] = _schema_2(lambda d: d["vault"].update(
    keep_versions=1001))
HOSTILE["schema-2-backup"] = _schema_2(lambda d: d.update(
    backup={"made_at": TS, "source_vault_id": "s", "journal": []}))
HOSTILE["schema-2-rotate-days-0"] = _schema_2(lambda d: d["entries"][0].update(rotate_days=0))

EXPECTED_OPEN = {
    "valid-pair", "escaped-backslash-u-d800", "depth-64", "depth-64-in-vault",
    "number-64-chars", "1e-400", "rotate-days-3650", "vault-id-not-uuid",
    "vault-created-lowercase", "whitespace-around", "custom-empty-api-url", "live-api-url",
    "sandbox-api-url-null", "ts-lower-t", "ts-lower-z", "ts-fraction", "ts-offset",
    "ts-feb-29-2024", "ts-year-1-utc", "ts-9999-end", "credentials-unknown-name",
    "label-empty", "verification-ip-unknown", "unknown-everywhere", "ids-differ-by-case",
    "journal-key-32-bytes", "max-notional-canonical", "max-notional-kept-form",
    "max-notional-36-digits", "schema-1-with-new-members", "schema-1",
    "schema-1-unknown-members", "schema-1-max-notional-member", "schema-1-journal-key-member",
    "keep-versions-0", "keep-versions-1000", "keep-versions-minus-0", "updated-at-offset",
    "updated-at-before-created", "backup", "backup-empty-journal", "backup-depth-64",
    "schema-2-with-new-members", "schema-2", "schema-2-unknown-members",
    "schema-2-created-later", "schema-2-rotated-later", "schema-2-updated-at-member",
    "schema-2-keep-versions-member", "schema-2-backup",
    "history-days-1", "history-days-3650", "history-one", "history-offset", "verification",
    "schema-3-with-new-members",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_both_readers_agree_on_hostile_payloads(name: str) -> None:
    plaintext = HOSTILE[name]
    app = app_verdict(lambda: schema.decode_payload(plaintext))
    other = independent_verdict(lambda: independent.check_payload(plaintext))
    assert app == other, (app, other)
    assert app == ("ok" if name in EXPECTED_OPEN else
                   "unsupported" if name in ("schema-5-bad-content", "schema-huge")
                   else "damaged")


@pytest.mark.parametrize("name", sorted(EXPECTED_OPEN))
def test_what_opens_saves_losslessly(name: str) -> None:
    """Open, save, reopen: the same entries, meta and unknown members (spec 6.3)."""
    meta, entries = schema.decode_payload(HOSTILE[name])
    saved = schema.encode_payload(meta, entries)
    again_meta, again = schema.decode_payload(saved)
    assert (again_meta, again) == (meta, entries)
    assert dict(again_meta.extra) == dict(meta.extra)
    assert dict(again_meta.document_extra) == dict(meta.document_extra)
    if meta.backup is not None:
        assert again_meta.backup is not None
        assert dict(again_meta.backup.extra) == dict(meta.backup.extra)
    assert [dict(e.extra) for e in again] == [dict(e.extra) for e in entries]
    assert schema.encode_payload(again_meta, again) == saved


# --- random content: the two readers must still agree --------------------------------

TIMESTAMP_LIKE = st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,4})?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})?", fullmatch=True)
EDGE_TIMESTAMP = st.builds(
    "{}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}{}".format,
    st.sampled_from(["0000", "0001", "1900", "2000", "2024", "2026", "9999"]),
    st.integers(0, 13), st.integers(0, 32), st.sampled_from(["T", "t", " ", "x"]),
    st.integers(0, 24), st.integers(0, 60), st.integers(0, 61),
    st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00",
                     "+01:60", "+0100", "-12:00", "+14:00"]),
)
SETTINGS = settings(max_examples=300, deadline=None, database=None)


def _parses(text: str) -> bool:
    from vault_app.core.model import parse_ts

    try:
        parse_ts(text)
    except (ValueError, OverflowError):
        return False
    return True


@SETTINGS
@given(text=st.one_of(TIMESTAMP_LIKE, EDGE_TIMESTAMP))
def test_both_readers_agree_on_timestamps(text: str) -> None:
    assert _parses(text) == independent.is_timestamp(text), text


ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**70), 10**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5)
    | st.sampled_from(["2026-11-21T09:30:00Z", "custom", "live", "read", "https://x.test"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
FIELDS = st.sampled_from(["schema", "vault", "entries", "vault.id", "vault.created_at",
                          "vault.journal_key", "vault.keep_versions", "vault.x", "x",
                          "backup", "backup.made_at", "backup.source_vault_id",
                          "backup.journal", "backup.x",
                          "backup.journal.0.x",
                          *(f"entries.{i}.{key}" for i in (0, 1)
                            for key in (*schema._ENTRY_KEYS, "x"))])


def _set_if_present(target: Any, path: list[str], value: Any) -> None:
    """Set the member at ``path``, if what leads there still exists (an earlier
    change may have replaced ``entries`` or ``vault`` with something else)."""
    *parents, last = path
    for part in parents:
        if isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        elif isinstance(target, dict) and part in target:
            target = target[part]
        else:
            return
    if isinstance(target, dict):
        target[last] = value


@SETTINGS
@given(changes=st.lists(st.tuples(FIELDS, ANY_VALUE), min_size=1, max_size=3),
       with_backup=st.booleans())
def test_both_readers_agree_on_random_content(changes: list[tuple[str, Any]],
                                              with_backup: bool) -> None:
    document = _document()
    if with_backup:  # a backup file: the backup.* changes land in it
        document["backup"] = {"made_at": TS, "source_vault_id": "s", "journal": [{"k": 1}]}
    for path, value in changes:
        _set_if_present(document, path.split("."), value)
    plaintext = json.dumps(document).encode()  # NaN and Infinity included, as Python writes
    app = app_verdict(lambda: schema.decode_payload(plaintext))
    other = independent_verdict(lambda: independent.check_payload(plaintext))
    assert app == other, (app, other, plaintext[:300])
    if app == "ok":
        meta, entries = schema.decode_payload(plaintext)
        assert schema.decode_payload(schema.encode_payload(meta, entries)) == (meta, entries)
