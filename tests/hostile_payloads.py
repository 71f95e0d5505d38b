"""Payloads that decrypt but break spec section 6, shared by the decoder tests
(tests/vectors/test_payload_content.py) and the CLI tests
(tests/e2e/test_cli_payload_content.py): each must read as damaged everywhere."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import make_entry
from vault_app.core import schema


def payload(**changes: Any) -> bytes:
    """A one-entry payload in our own layout, with some entry fields replaced."""
    entry = make_entry(label="OKX main", exchange="okx")
    meta = schema.VaultMeta()
    document = json.loads(schema.encode_payload(meta, [entry]))
    document["entries"][0].update(changes)
    return schema.encode_payload(meta, []).replace(
        b'"entries":[', b'"entries":[\n' + json.dumps(document["entries"][0]).encode(), 1)


def app_document(**vault_changes: Any) -> dict[str, Any]:
    document = json.loads(schema.encode_payload(schema.VaultMeta(), [make_entry("OKX main")]))
    document["vault"].update(vault_changes)
    return document


def with_raw(document: dict[str, Any], raw: str) -> bytes:
    """``document`` as JSON with the string "@@raw@@" replaced by raw JSON text."""
    return json.dumps(document).replace('"@@raw@@"', raw).encode("utf-8")


def label_raw(raw: str) -> bytes:
    document = app_document()
    document["entries"][0]["label"] = "@@raw@@"
    return with_raw(document, raw)


HOSTILE = {
    "nesting-100000": with_raw(app_document(x="@@raw@@"), "[" * 100_000 + "]" * 100_000),
    "surrogate-in-label": label_raw(r'"a\ud800"'),
    "surrogate-in-vault": with_raw(app_document(name="@@raw@@"), r'"\udc00"'),
    # In our own layout: `add` (the old line-splitting path) opened and rewrote it.
    "bom": b"\xef\xbb\xbf" + schema.encode_payload(schema.VaultMeta(), [make_entry("a")]),
    "nan": with_raw(app_document(x="@@raw@@"), "NaN"),
    "infinity": label_raw("Infinity"),
    "duplicate-label": label_raw('"a","label":"b"'),
    "timestamp-with-space": json.dumps(app_document(created_at="2026-11-21 09:30:00Z")).encode(),
    "vault-id-number": json.dumps(app_document(id=12345)).encode(),
    "rotate-days-1e0": payload().replace(b'"rotate_days": 90', b'"rotate_days": 1e0'),
    "rotate-days-90.0": payload().replace(b'"rotate_days": 90', b'"rotate_days": 90.0'),
    "custom-null-api-url": payload(environment="custom", api_url=None),
    # schema 3 (spec 6.3)
    "keep-versions-1001": json.dumps(app_document(keep_versions=1001)).encode(),
    "updated-at-missing": payload().replace(b'"updated_at": "', b'"x_updated_at": "', 1),
    "backup-journal-not-array": json.dumps({**app_document(), "backup": {
        "made_at": "2026-11-21T09:30:00Z", "source_vault_id": "s", "journal": {}}}).encode(),
}
