"""``edit --rotate`` keeps the old credentials in the key's history; ``history`` lists
them masked, purges them (asking first) and sets how long they are kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, CliResult, make_entry
from tests.e2e.support import assert_fails, assert_ok
from vault_app.core.vault import Vault

OLD = {"apiKey": "old-api-key-1111-aaaa", "secret": "old-secret-2222-bbbb",
       "password": "old-pass-3333"}
NEW = {"apiKey": "new-api-key-4444-cccc", "secret": "new-secret-5555-dddd",
       "password": "new-pass-6666"}
Cli = Callable[..., CliResult]


def lines(*values: str) -> str:
    return "".join(value + "\n" for value in values)


@pytest.fixture
def rotated(cli: Cli, new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    vault = new_vault(0)
    vault.add(make_entry("OKX main", "okx", credentials=OLD))
    result = assert_ok(cli("edit", "OKX main", "--rotate",
                           stdin=lines(PASSWORD, NEW["apiKey"], NEW["secret"],
                                       NEW["password"])))
    assert "Delete the old key on OKX now" in result.out
    assert "kept in the key's history for 30 days" in result.out
    for value in (*OLD.values(), *NEW.values()):
        assert value not in result.out + result.err
    return vault_path


def test_rotation_keeps_the_old_credentials_and_uses_the_new(rotated: Path) -> None:
    entry = Vault.open(rotated, PASSWORD).find("OKX main")
    assert dict(entry.credentials) == NEW
    assert [dict(old.credentials) for old in entry.credential_history] == [OLD]


def test_history_lists_when_replaced_and_the_masked_key_only(cli: Cli, rotated: Path) -> None:
    result = assert_ok(cli("history", "OKX main", stdin=lines(PASSWORD)))
    assert "API key old-…aaaa" in result.out and "replaced 20" in result.out
    for value in (*OLD.values(), *NEW.values()):
        assert value not in result.out + result.err
    listed = assert_ok(cli("history", "OKX main", "--json", stdin=lines(PASSWORD)))
    assert '"api_key": "old-…aaaa"' in listed.out and OLD["secret"] not in listed.out


def test_purge_asks_and_no_keeps_everything(cli: Cli, rotated: Path) -> None:
    assert_fails(cli("history", "OKX main", "--purge", stdin=lines(PASSWORD)), 1, "--yes")
    assert len(Vault.open(rotated, PASSWORD).find("OKX main").credential_history) == 1
    result = assert_ok(cli("history", "OKX main", "--purge", "--yes", stdin=lines(PASSWORD)))
    assert "Purged 1" in result.out
    assert Vault.open(rotated, PASSWORD).find("OKX main").credential_history == ()
    assert "keeps no previous credentials" in assert_ok(
        cli("history", "OKX main", stdin=lines(PASSWORD))).out


def test_days_sets_how_long_they_are_kept(cli: Cli, rotated: Path) -> None:
    assert_ok(cli("history", "--days", "90", stdin=lines(PASSWORD)))
    assert Vault.open(rotated, PASSWORD).meta.history_days == 90
    assert_fails(cli("history", "--days", "0", stdin=lines(PASSWORD)), 1, "1 to 3650")
    assert Vault.open(rotated, PASSWORD).meta.history_days == 90
