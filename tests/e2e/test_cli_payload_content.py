"""The CLI on payloads that decrypt but break spec section 6 (issue 6, items 5 and 6).

Before, `list` and `add` decoded differently: a BOM made `list` say damaged while `add`
rewrote the file, a lone surrogate or deep nesting exited 70 with a traceback. Now every
command gives one verdict: exit 3 with one clear line and the file untouched, or success.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, CliResult, make_entry
from tests.e2e.support import assert_fails, assert_ok, folder_state, write_payload_vault
from tests.hostile_payloads import HOSTILE
from vault_app.core import schema
from vault_app.core.model import format_ts
from vault_app.core.vault import Vault

Cli = Any


def document(**vault_changes: Any) -> dict[str, Any]:
    entries = [make_entry("OKX main"), make_entry("Kraken", exchange="kraken",
                                                   environment="custom",
                                                   api_url="https://api.example.test")]
    doc = json.loads(schema.encode_payload(schema.VaultMeta(), entries))
    doc["vault"].update(vault_changes)
    return doc


def add(cli: Cli, label: str) -> CliResult:
    result: CliResult = cli("add", "--exchange", "binance", "--label", label,
                            stdin=f"{PASSWORD}\nak-{label}\nsk-{label}\n")
    return result


@pytest.mark.parametrize("name", list(HOSTILE))
def test_list_and_add_both_refuse_as_damaged_and_write_nothing(
        name: str, cli: Cli, vault_path: Path) -> None:
    write_payload_vault(vault_path, HOSTILE[name])
    before = folder_state(vault_path)
    assert_fails(cli("list", stdin=PASSWORD + "\n"), 3, "damaged")
    assert_fails(add(cli, "new key"), 3, "damaged")
    assert folder_state(vault_path) == before


@pytest.mark.parametrize("stamp", ["2026-11-21t09:30:00z", "2026-11-21T10:30:00.25+01:00"])
def test_rfc3339_forms_list_and_add(stamp: str, cli: Cli, vault_path: Path) -> None:
    write_payload_vault(vault_path, json.dumps(document(created_at=stamp)).encode())
    listed = assert_ok(cli("list", "--json", stdin=PASSWORD + "\n"))
    assert "OKX main" in listed.out
    assert_ok(add(cli, "new key"))
    vault = Vault.open(vault_path, PASSWORD, read_only=True)
    assert sorted(e.label for e in vault.entries) == ["Kraken", "OKX main", "new key"]
    assert format_ts(vault.meta.created_at) == "2026-11-21T09:30:00Z"


def _entry_changed(**fields: Any) -> bytes:
    doc = document()
    doc["entries"][0].update(fields)
    return json.dumps(doc).encode()


FOREIGN_BUT_VALID = {  # spec 6.3: a reader accepts these; this release refuses them as input
    "unknown-credential-name": _entry_changed(credentials={"apiKey": "ak-1", "secret": "sk-1",
                                                           "password": "pp", "subaccount": "s"}),
    "no-credentials": _entry_changed(credentials={}),
    "custom-empty-api-url": _entry_changed(environment="custom", api_url=""),
}


@pytest.mark.parametrize("name", list(FOREIGN_BUT_VALID))
def test_editing_another_field_of_a_foreign_entry_saves_and_keeps_it(
        name: str, cli: Cli, vault_path: Path) -> None:
    # Every other command opened and saved these, but `edit --notes` refused with
    # exit 1, naming a field the user did not touch: the entry could not be edited.
    write_payload_vault(vault_path, FOREIGN_BUT_VALID[name])
    stored = json.loads(FOREIGN_BUT_VALID[name])["entries"][0]
    assert_ok(cli("edit", "OKX main", "--notes", "cold wallet", stdin=PASSWORD + "\n"))
    entry = Vault.open(vault_path, PASSWORD, read_only=True).find("OKX main")
    assert entry.notes == "cold wallet"
    assert dict(entry.credentials) == stored["credentials"]
    assert (entry.environment, entry.api_url) == (stored["environment"], stored["api_url"])
