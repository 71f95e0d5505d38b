"""Rotation with history (issue 11, part 3): Vault.rotate, the expiry of old credentials
at every save, purge on demand, history_days, and recording a verification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, make_entry
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import EntryRemovedOnDisk, ValidationError, VaultChangedOnDisk
from vault_app.core.model import Verification
from vault_app.core.vault import Vault

NEW = {"apiKey": "new-api-key-5678", "secret": "new-secret-abc", "password": "new-pass"}


@pytest.fixture
def vault(new_vault: Callable[..., Vault]) -> Vault:
    v = new_vault()
    v.add(make_entry("main"))  # okx: apiKey, secret, password
    return v


def test_after_a_rotation_the_new_credentials_are_the_entrys_and_the_old_in_history(
        vault: Vault, vault_path: Path) -> None:
    before = vault.find("main")
    rotated = vault.rotate(before.id, NEW, base=before)
    reopened = Vault.open(vault_path, PASSWORD).find("main")
    for entry in (rotated, reopened):
        assert dict(entry.credentials) == NEW
        assert [dict(old.credentials) for old in entry.credential_history] == [
            dict(before.credentials)]
        assert entry.rotated_at >= before.rotated_at
        assert entry.credential_history[0].replaced_at == entry.rotated_at
        assert entry.updated_at == entry.rotated_at


def test_a_second_rotation_puts_the_newest_old_credentials_first(vault: Vault) -> None:
    first = vault.find("main")
    vault.rotate(first.id, NEW)
    third = {"apiKey": "third-key", "secret": "third-secret", "password": "p3"}
    entry = vault.rotate(first.id, third)
    assert [old.credentials["apiKey"] for old in entry.credential_history] == [
        "new-api-key-5678", first.credentials["apiKey"]]


def test_rotation_checks_the_credentials_the_exchange_needs(vault: Vault,
                                                            vault_path: Path) -> None:
    entry = vault.find("main")
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError, match=r"Passphrase|password"):
        vault.rotate(entry.id, {"apiKey": "k", "secret": "s"})
    with pytest.raises(ValidationError, match="already has"):
        vault.rotate(entry.id, dict(entry.credentials))
    assert vault_path.read_bytes() == before


def test_a_rotation_refuses_when_another_session_changed_the_credentials(
        vault: Vault, vault_path: Path) -> None:
    seen = vault.find("main")
    other = Vault.open(vault_path, PASSWORD)
    other.rotate(seen.id, NEW)
    with pytest.raises(VaultChangedOnDisk):
        vault.rotate(seen.id, {"apiKey": "x", "secret": "y", "password": "z"}, base=seen)
    assert dict(Vault.open(vault_path, PASSWORD).find("main").credentials) == NEW
    other.remove(seen.id)
    with pytest.raises(EntryRemovedOnDisk):
        vault.rotate(seen.id, {"apiKey": "x", "secret": "y", "password": "z"}, base=seen)


def test_the_history_is_dropped_by_a_save_after_history_days(vault: Vault,
                                                             vault_path: Path) -> None:
    entry = vault.find("main")
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    vault.rotate(entry.id, NEW, now=t0)
    vault.expire_history(now=t0 + timedelta(days=30))  # exactly 30 days: kept
    assert len(vault.find("main").credential_history) == 1
    vault.expire_history(now=t0 + timedelta(days=30, seconds=1))
    assert vault.find("main").credential_history == ()
    _, _, plaintext = unlock_bytes(vault_path.read_bytes(), PASSWORD)
    assert entry.credentials["secret"].encode() not in plaintext
    assert dict(vault.find("main").credentials) == NEW


def test_any_save_expires_old_credentials(vault: Vault) -> None:
    entry = vault.find("main")
    vault.rotate(entry.id, NEW, now=datetime.now(UTC) - timedelta(days=31))
    assert len(vault.find("main").credential_history) == 1
    vault.add(make_entry("other", exchange="binance"))  # an unrelated save
    assert vault.find("main").credential_history == ()


def test_set_history_days_keeps_longer_or_shorter(vault: Vault, vault_path: Path) -> None:
    entry = vault.find("main")
    vault.set_history_days(90)
    vault.rotate(entry.id, NEW, now=datetime.now(UTC) - timedelta(days=40))
    vault.add(make_entry("other", exchange="binance"))
    assert len(vault.find("main").credential_history) == 1  # 40 days < 90
    assert Vault.open(vault_path, PASSWORD).meta.history_days == 90
    vault.set_history_days(10)  # that save drops them at once
    assert vault.find("main").credential_history == ()
    for bad in (0, 3651, True):
        with pytest.raises(ValidationError):
            vault.set_history_days(bad)


def test_purge_history_on_demand(vault: Vault, vault_path: Path) -> None:
    entry = vault.find("main")
    vault.rotate(entry.id, NEW)
    other = vault.add(make_entry("other", exchange="binance"))
    vault.rotate(other.id, {"apiKey": "b2", "secret": "s2"})
    assert vault.purge_history(entry.id) == 1
    assert vault.find("main").credential_history == ()
    assert len(vault.find("other").credential_history) == 1
    assert vault.purge_history() == 1
    stamp = vault_path.stat().st_mtime_ns
    assert vault.purge_history() == 0  # nothing to purge: nothing written
    assert vault_path.stat().st_mtime_ns == stamp
    reopened = Vault.open(vault_path, PASSWORD)
    assert all(e.credential_history == () for e in reopened.entries)


def test_record_verification_and_apply_labels(vault: Vault, vault_path: Path) -> None:
    entry = vault.find("main")
    said = Verification(at=datetime(2026, 5, 1, tzinfo=UTC),
                        permissions=("read", "trade", "withdraw"), ip_restricted=True,
                        ips=("203.0.113.7",))
    recorded = vault.record_verification(entry.id, said)
    assert recorded.verification == said and recorded.permissions == entry.permissions
    assert recorded.updated_at == entry.updated_at
    labelled = vault.record_verification(entry.id, said, apply_labels=True)
    assert labelled.permissions == ("read", "trade", "withdraw")
    assert labelled.ip_whitelist == ("203.0.113.7",)
    assert Vault.open(vault_path, PASSWORD).find("main").verification == said


def test_new_credentials_through_an_edit_also_go_to_the_history(vault: Vault) -> None:
    entry = vault.find("main")
    edited = vault.update(entry.id, {"credentials": NEW}, base=entry)
    assert [dict(old.credentials) for old in edited.credential_history] == [
        dict(entry.credentials)]


def test_an_edit_merged_with_a_rotation_on_disk_keeps_the_history_and_no_conflict(
        vault: Vault, vault_path: Path) -> None:
    """edits.merge_edit compares editable fields only: the history and the verification
    another session wrote are neither a change of the user's nor a conflict."""
    seen = vault.find("main")
    other = Vault.open(vault_path, PASSWORD)
    other.rotate(seen.id, NEW)
    other.record_verification(seen.id, Verification(at=datetime(2026, 5, 1, tzinfo=UTC)))
    edited = vault.update(seen.id, {"notes": "mine"}, base=seen)
    assert edited.notes == "mine" and dict(edited.credentials) == NEW
    assert len(edited.credential_history) == 1 and edited.verification is not None


def test_new_credentials_drop_the_old_keys_verification(vault: Vault) -> None:
    """The exchange's answer was about the old key: the new one is not verified."""
    entry = vault.find("main")
    said = Verification(at=datetime(2026, 5, 1, tzinfo=UTC), permissions=("read",),
                        ip_restricted=True, ips=("203.0.113.7",))
    vault.record_verification(entry.id, said)
    assert vault.rotate(entry.id, NEW).verification is None
    vault.record_verification(entry.id, said)
    third = {"apiKey": "third-key", "secret": "third-secret", "password": "p3"}
    assert vault.update(entry.id, {"credentials": third}).verification is None
    vault.record_verification(entry.id, said)
    assert vault.update(entry.id, {"label": "renamed"}).verification == said
