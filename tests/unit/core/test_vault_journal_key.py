"""The order journal's key in the vault payload: made once, saved once, never replaced."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from tests.e2e.support import write_payload_vault
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import VaultLocked, VaultReadOnly
from vault_app.core.schema import VaultMeta, encode_payload
from vault_app.core.vault import Vault


def stored_journal_key(path: Path, password: str = PASSWORD) -> object:
    _, _, plaintext = unlock_bytes(path.read_bytes(), password)
    return json.loads(plaintext)["vault"]["journal_key"]


def write_schema_1_vault(path: Path) -> bytes:
    """A vault as the schema-1 release wrote it: no journal key (spec 6.4)."""
    document = json.loads(encode_payload(VaultMeta(), [make_entry("a")]))
    document["schema"] = 1
    del document["vault"]["journal_key"], document["vault"]["keep_versions"]
    del document["entries"][0]["max_notional"], document["entries"][0]["updated_at"]
    return write_payload_vault(path, json.dumps(document).encode())


def test_a_new_vault_has_a_random_journal_key(new_vault: Callable[..., Vault],
                                              tmp_path: Path) -> None:
    first = new_vault()
    second = new_vault(path=tmp_path / "second.vault")
    key = first.meta.journal_key
    assert key is not None and len(key) == 32
    assert second.meta.journal_key != key  # random, not derived from the password
    stamp = os.stat(first.path).st_mtime_ns
    assert first.ensure_journal_key() == key
    assert os.stat(first.path).st_mtime_ns == stamp  # nothing written
    assert Vault.open(first.path, PASSWORD, read_only=True).meta.journal_key == key
    assert stored_journal_key(first.path) is not None


def test_an_upgraded_vault_gets_one_key_saved_once(vault_path: Path) -> None:
    write_schema_1_vault(vault_path)
    vault = Vault.open(vault_path, PASSWORD)
    assert vault.meta.journal_key is None
    key = vault.ensure_journal_key()
    assert len(key) == 32 and vault.meta.journal_key == key
    data = vault_path.read_bytes()
    assert vault.ensure_journal_key() == key
    assert vault_path.read_bytes() == data  # the second call writes nothing
    reopened = Vault.open(vault_path, PASSWORD)
    assert reopened.meta.journal_key == key
    assert [e.label for e in reopened.entries] == ["a"]


def test_a_key_saved_by_another_session_meanwhile_is_the_one_used(vault_path: Path) -> None:
    """Both sessions opened the vault without a key. The second one asks for a key just
    after the first saved one (between its snapshot and its lock): it must take the key
    on disk and write nothing, never save a second key over it."""
    write_schema_1_vault(vault_path)
    first, second = Vault.open(vault_path, PASSWORD), Vault.open(vault_path, PASSWORD)
    keys: list[bytes] = []
    real_check = second.check_writable

    def first_session_saves_meanwhile() -> None:
        if not keys:
            keys.append(first.ensure_journal_key())
        real_check()

    second.check_writable = first_session_saves_meanwhile  # type: ignore[method-assign]
    key = second.ensure_journal_key()
    assert keys and key == keys[0]
    data_before = vault_path.read_bytes()
    assert Vault.open(vault_path, PASSWORD).meta.journal_key == key
    assert second.ensure_journal_key() == key and first.ensure_journal_key() == key
    assert vault_path.read_bytes() == data_before


def test_a_session_with_an_old_view_takes_the_key_on_disk(vault_path: Path) -> None:
    write_schema_1_vault(vault_path)
    first, second = Vault.open(vault_path, PASSWORD), Vault.open(vault_path, PASSWORD)
    key = first.ensure_journal_key()
    data = vault_path.read_bytes()
    assert second.ensure_journal_key() == key
    assert vault_path.read_bytes() == data  # taken from the disk, nothing written


def test_sessions_racing_on_threads_end_with_one_key(vault_path: Path) -> None:
    write_schema_1_vault(vault_path)
    sessions = [Vault.open(vault_path, PASSWORD) for _ in range(4)]
    start = threading.Barrier(len(sessions))
    keys: list[bytes] = []
    errors: list[BaseException] = []

    def run(vault: Vault) -> None:
        try:
            start.wait(10)
            keys.append(vault.ensure_journal_key())
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(vault,)) for vault in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and len(keys) == len(sessions)
    assert len(set(keys)) == 1
    assert Vault.open(vault_path, PASSWORD).meta.journal_key == keys[0]


def test_a_read_only_vault_without_a_key_refuses_and_writes_nothing(vault_path: Path) -> None:
    data = write_schema_1_vault(vault_path)
    with pytest.raises(VaultReadOnly, match="read-only"):
        Vault.open(vault_path, PASSWORD, read_only=True).ensure_journal_key()
    vault_path.chmod(0o400)
    try:
        with pytest.raises(VaultReadOnly):
            Vault.open(vault_path, PASSWORD).ensure_journal_key()
    finally:
        vault_path.chmod(0o600)
    assert vault_path.read_bytes() == data


def test_a_read_only_vault_with_a_key_returns_it(new_vault: Callable[..., Vault]) -> None:
    vault = new_vault()
    data = vault.path.read_bytes()
    read_only = Vault.open(vault.path, PASSWORD, read_only=True)
    assert read_only.ensure_journal_key() == vault.meta.journal_key
    assert vault.path.read_bytes() == data


def test_lock_forgets_the_journal_key(new_vault: Callable[..., Vault]) -> None:
    vault = new_vault()
    assert vault.meta.journal_key is not None
    vault.lock()
    assert vault.meta.journal_key is None
    with pytest.raises(VaultLocked):
        vault.ensure_journal_key()


def test_a_password_change_keeps_the_journal_key(new_vault: Callable[..., Vault]) -> None:
    """Spec 6.2: the key is not derived from the password, so the journal stays readable."""
    vault = new_vault(count=1)
    key = vault.ensure_journal_key()
    vault.change_password(PASSWORD, "a new password", FAST_KDF, enforce_kdf_minimum=False)
    reopened = Vault.open(vault.path, "a new password")
    assert reopened.meta.journal_key == key
    assert reopened.ensure_journal_key() == key
