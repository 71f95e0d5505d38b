"""The unlocked vault: create, open, change, save, re-key, lock."""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core import crypto, kdf, storage, vault_lock
from vault_app.core.edits import changed_fields
from vault_app.core.envelope import unlock_bytes
from vault_app.core.errors import (
    EditConflict,
    EntryRemovedOnDisk,
    KdfParamsOutOfRange,
    NotAVaultFile,
    ValidationError,
    VaultChangedOnDisk,
    VaultDamaged,
    VaultExists,
    VaultInUse,
    VaultLocked,
    VaultNotFound,
    VaultWriteError,
    WrongPassword,
)
from vault_app.core.file_info import inspect
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.core.vault_format import SALT_LENGTH, parse

NEW_PASSWORD = "a different, equally long passphrase"
MIN_KDF = KdfParams(memory_kib=19 * 1024, iterations=2, parallelism=1)  # OWASP minimum


@pytest.fixture
def kdf_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count real Argon2 runs."""
    calls: list[int] = []
    real = kdf.hash_secret_raw

    def counting(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kdf, "hash_secret_raw", counting)
    yield calls


def enospc(*args: object, **kwargs: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def on_disk(path: Path, password: str = PASSWORD) -> Vault:
    return Vault.open(path, password)


# --- create / open --------------------------------------------------------------------


def test_create_writes_an_empty_vault_with_mode_0600(vault_path: Path) -> None:
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert vault.entries == () and len(vault) == 0
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o600
    reopened = on_disk(vault_path)
    assert reopened.entries == ()
    assert reopened.meta == vault.meta
    assert reopened.kdf == FAST_KDF
    assert len(parse(vault_path.read_bytes()).slot.salt) == SALT_LENGTH == 32


def test_create_makes_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "v.vault"
    Vault.create(path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert on_disk(path).entries == ()


def test_create_refuses_an_existing_file(vault_path: Path) -> None:
    vault_path.write_bytes(b"precious")
    with pytest.raises(VaultExists):
        Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert vault_path.read_bytes() == b"precious"


def test_create_refuses_an_existing_vault(new_vault: Callable[..., Vault],
                                          vault_path: Path) -> None:
    new_vault(count=1)
    before = vault_path.read_bytes()
    with pytest.raises(VaultExists):
        Vault.create(vault_path, "other password", FAST_KDF, enforce_kdf_minimum=False)
    assert vault_path.read_bytes() == before


def test_create_refuses_a_weak_kdf_unless_told_not_to(vault_path: Path) -> None:
    with pytest.raises(KdfParamsOutOfRange):
        Vault.create(vault_path, PASSWORD, FAST_KDF)
    assert not vault_path.exists()
    Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert on_disk(vault_path).kdf == FAST_KDF


def test_create_with_the_owasp_minimum(vault_path: Path) -> None:
    assert Vault.create(vault_path, PASSWORD, MIN_KDF).kdf == MIN_KDF
    assert inspect(vault_path).kdf == MIN_KDF


def test_create_never_exceeds_the_reading_caps(vault_path: Path) -> None:
    with pytest.raises(KdfParamsOutOfRange):
        Vault.create(vault_path, PASSWORD, KdfParams(64, 17, 1), enforce_kdf_minimum=False)
    assert not vault_path.exists()


def test_create_refuses_an_empty_password(vault_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        Vault.create(vault_path, "", FAST_KDF, enforce_kdf_minimum=False)
    assert info.value.field == "password"
    assert not vault_path.exists()


def test_create_while_another_process_holds_the_lock(vault_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_lock, "LOCK_WAIT_SECONDS", 0.0)  # refused at once
    with vault_lock.VaultLock(vault_path), pytest.raises(VaultInUse):
        Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert not vault_path.exists()


@pytest.mark.slow
def test_create_uses_the_production_default_kdf(vault_path: Path) -> None:
    """The only test that runs the production KDF (256 MiB, t=3, p=4)."""
    Vault.create(vault_path, PASSWORD)
    info = inspect(vault_path)
    assert (info.kdf.memory_kib, info.kdf.iterations, info.kdf.parallelism) == (262_144, 3, 4)
    assert info.salt_length == 32
    assert on_disk(vault_path).entries == ()


def test_open_with_a_wrong_password(vault: Vault, vault_path: Path) -> None:
    with pytest.raises(WrongPassword):
        Vault.open(vault_path, PASSWORD + " ")
    with pytest.raises(WrongPassword):
        Vault.open(vault_path, PASSWORD.upper())


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFound):
        Vault.open(tmp_path / "none.vault", PASSWORD)


def test_open_damaged_and_foreign_files(vault: Vault, vault_path: Path) -> None:
    data = vault_path.read_bytes()
    vault_path.write_bytes(data[:-1])
    with pytest.raises(VaultDamaged):
        Vault.open(vault_path, PASSWORD)
    vault_path.write_bytes(b"%PDF-1.7\n" + data)
    with pytest.raises(NotAVaultFile):
        Vault.open(vault_path, PASSWORD)


def test_inspect_needs_no_password(vault: Vault, vault_path: Path) -> None:
    info = inspect(vault_path)
    assert info.kdf == FAST_KDF
    assert info.format_version == 1
    assert info.size == vault_path.stat().st_size
    assert info.salt_length == 32
    assert info.payload_length == info.size - 104 - 32 - 32


def test_repr_shows_no_secret(vault: Vault) -> None:
    text = repr(vault)
    assert "2 keys" in text
    for entry in vault.entries:
        for value in entry.credentials.values():
            assert value not in text


# --- add / update / remove ------------------------------------------------------------


def test_add_update_remove_persist(new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault()
    a = vault.add(make_entry("alpha"))
    b = vault.add(make_entry("beta", exchange="binance", permissions="read,trade",
                             ip_whitelist="10.0.0.0/8", tags="bot", notes="n"))
    assert on_disk(vault_path).entries == (a, b)

    edited = vault.update(a.id, {"label": "alpha 2", "permissions": "read,trade"})
    assert edited.label == "alpha 2" and edited.permissions == ("read", "trade")
    assert on_disk(vault_path).entries == (edited, b)
    assert vault.entries == (edited, b)

    assert vault.remove(b.id) == b
    assert on_disk(vault_path).entries == (edited,)
    assert vault.entries == (edited,)


def test_add_many_is_all_or_nothing(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    batch = [make_entry("n1"), make_entry("n2"), make_entry("KEY 0")]  # last one clashes
    with pytest.raises(ValidationError):
        vault.add_many(batch)
    assert vault_path.read_bytes() == before
    assert len(vault) == 2
    vault.add_many(batch[:2])
    assert [e.label for e in on_disk(vault_path).entries] == ["key 0", "key 1", "n1", "n2"]


def test_add_many_refuses_duplicates_within_the_batch(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError) as info:
        vault.add_many([make_entry("same"), make_entry("SAME")])
    assert info.value.field == "label"
    assert vault_path.read_bytes() == before


def test_duplicate_label_is_refused_case_insensitively(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError, match="key 0") as info:
        vault.add(make_entry("KEY 0", exchange="okx"))
    assert info.value.field == "label"
    assert vault_path.read_bytes() == before
    assert len(vault) == 2


def test_renaming_onto_another_label_is_refused(vault: Vault, vault_path: Path) -> None:
    _, second = vault.entries
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError) as info:
        vault.update(second.id, {"label": "Key 0"})
    assert info.value.field == "label"
    assert vault_path.read_bytes() == before
    assert vault.update(second.id, {"label": "KEY 1"}).label == "KEY 1"  # its own label, recased


def test_duplicate_api_key_is_refused(vault: Vault, vault_path: Path) -> None:
    existing = vault.entries[0]
    before = vault_path.read_bytes()
    clone = make_entry("another label", exchange="binance",
                       credentials={"apiKey": existing.credentials["apiKey"], "secret": "s2"})
    with pytest.raises(ValidationError, match="key 0") as info:
        vault.add(clone)
    assert info.value.field == "apiKey"
    assert vault_path.read_bytes() == before


def test_adding_the_same_entry_twice_is_refused(vault: Vault, vault_path: Path) -> None:
    """A repeated add (double-clicked Save, a retried import) must not store the
    entry twice under one id; get/update/remove would then only see the first."""
    entry = make_entry("once")
    vault.add(entry)
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError):
        vault.add(entry)
    assert vault_path.read_bytes() == before
    assert [e.id for e in on_disk(vault_path).entries].count(entry.id) == 1


def test_update_validates(vault: Vault, vault_path: Path) -> None:
    entry = vault.entries[0]
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError) as info:
        vault.update(entry.id, {"ip_whitelist": "not-an-ip"})
    assert info.value.field == "ip_whitelist"
    assert vault_path.read_bytes() == before
    assert vault.entries[0] == entry


def test_update_sets_rotated_at_only_for_new_credentials(vault: Vault, vault_path: Path) -> None:
    entry = vault.entries[0]
    renamed = vault.update(entry.id, {"label": "renamed"})
    assert renamed.rotated_at == entry.rotated_at
    rotated = vault.update(entry.id, {"credentials": {"apiKey": "fresh-key", "secret": "s"}})
    assert rotated.rotated_at >= entry.rotated_at
    assert on_disk(vault_path).get(entry.id).credentials["apiKey"] == "fresh-key"


def test_unknown_ids_and_labels(vault: Vault) -> None:
    for action in (lambda: vault.get("nope"), lambda: vault.remove("nope"),
                   lambda: vault.update("nope", {"notes": "x"}), lambda: vault.mark_used("nope")):
        with pytest.raises(ValidationError) as info:
            action()
        assert info.value.field == "id"
    with pytest.raises(ValidationError) as info:
        vault.find("missing")
    assert info.value.field == "label"


def test_find_prefers_exact_then_case_insensitive(vault: Vault) -> None:
    assert vault.find("key 0").label == "key 0"
    assert vault.find("  KEY   1 ").label == "key 1"


def test_mark_used_sets_last_used_at(vault: Vault, vault_path: Path) -> None:
    entry = vault.entries[0]
    assert entry.last_used_at is None
    when = datetime(2020, 5, 4, 3, 2, 1, tzinfo=UTC)
    vault.mark_used(entry.id, when)
    assert vault.get(entry.id).last_used_at == when
    assert on_disk(vault_path).get(entry.id).last_used_at == when
    vault.mark_used(entry.id)
    assert on_disk(vault_path).get(entry.id).last_used_at > when


def test_a_save_keeps_the_files_mode(vault: Vault, vault_path: Path) -> None:
    """Issue 7: a vault the user made group-readable stays so; it used to become 0600."""
    vault_path.chmod(0o640)
    vault.add(make_entry("x"))
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o640
    vault.update(vault.entries[0].id, {"notes": "again"})
    assert stat.S_IMODE(vault_path.stat().st_mode) == 0o640


def test_secrets_are_not_in_the_file_in_clear(vault: Vault, vault_path: Path) -> None:
    data = vault_path.read_bytes()
    for entry in vault.entries:
        for value in entry.credentials.values():
            assert value.encode() not in data
        assert entry.label.encode() not in data


def test_every_save_uses_a_fresh_payload_nonce(vault: Vault, vault_path: Path) -> None:
    nonces = set()
    for index in range(3):
        vault.add(make_entry(f"n{index}"))
        nonces.add(parse(vault_path.read_bytes()).payload_nonce)
    assert len(nonces) == 3


# --- the KDF runs only when it must ---------------------------------------------------


def test_saving_never_reruns_the_kdf(vault: Vault, vault_path: Path, kdf_calls: list[int]) -> None:
    slot_before = parse(vault_path.read_bytes()).slot
    for index in range(3):
        added = vault.add(make_entry(f"extra {index}"))
    vault.update(added.id, {"notes": "x"})
    vault.mark_used(added.id)
    vault.remove(added.id)
    vault.add_many([make_entry("m1"), make_entry("m2")])
    assert kdf_calls == []
    assert parse(vault_path.read_bytes()).slot == slot_before  # salt, wrap unchanged
    Vault.open(vault_path, PASSWORD)
    assert kdf_calls == [1]


# --- change_password ------------------------------------------------------------------


def test_change_password_makes_a_new_salt_and_a_new_dek(vault: Vault, vault_path: Path) -> None:
    old_data = vault_path.read_bytes()
    old_slot = parse(old_data).slot
    _, old_dek, _ = unlock_bytes(old_data, PASSWORD)

    vault.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF, enforce_kdf_minimum=False)

    new_data = vault_path.read_bytes()
    new_parsed, new_dek, _ = unlock_bytes(new_data, NEW_PASSWORD)
    assert new_parsed.slot.salt != old_slot.salt
    assert new_parsed.slot.wrap_nonce != old_slot.wrap_nonce
    assert new_parsed.slot.wrapped_dek != old_slot.wrapped_dek
    assert new_dek != old_dek
    with pytest.raises(VaultDamaged):  # the old data key no longer opens the payload
        crypto.open_payload(old_dek, new_parsed.payload_nonce, new_parsed.ciphertext,
                            new_parsed.header)

    with pytest.raises(WrongPassword):
        Vault.open(vault_path, PASSWORD)
    reopened = Vault.open(vault_path, NEW_PASSWORD)
    assert reopened.entries == vault.entries
    assert len(reopened) == 2
    # and the session goes on saving under the new keys
    vault.add(make_entry("after"))
    assert len(Vault.open(vault_path, NEW_PASSWORD)) == 3


def test_change_password_with_a_wrong_old_password_writes_nothing(
    vault: Vault, vault_path: Path
) -> None:
    before = vault_path.read_bytes()
    with pytest.raises(WrongPassword):
        vault.change_password("not the password", NEW_PASSWORD, FAST_KDF,
                              enforce_kdf_minimum=False)
    assert vault_path.read_bytes() == before
    vault.add(make_entry("still works"))
    assert len(Vault.open(vault_path, PASSWORD)) == 3


def test_change_password_refuses_an_empty_or_weak_new_setting(
    vault: Vault, vault_path: Path
) -> None:
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError):
        vault.change_password(PASSWORD, "", FAST_KDF, enforce_kdf_minimum=False)
    with pytest.raises(KdfParamsOutOfRange):
        vault.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF)
    assert vault_path.read_bytes() == before


def test_change_password_keeps_a_strong_enough_kdf(new_vault: Callable[..., Vault],
                                                   vault_path: Path) -> None:
    vault = Vault.create(vault_path, PASSWORD, MIN_KDF)
    vault.change_password(PASSWORD, NEW_PASSWORD)
    assert inspect(vault_path).kdf == MIN_KDF


def test_change_password_upgrades_a_kdf_below_todays_minimum(
    vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stronger = KdfParams(memory_kib=20 * 1024, iterations=2, parallelism=1)
    monkeypatch.setattr(KdfParams, "default", classmethod(lambda cls: stronger))
    vault.change_password(PASSWORD, NEW_PASSWORD)
    assert inspect(vault_path).kdf == stronger
    assert vault.kdf == stronger


def test_change_password_runs_the_kdf_twice(vault: Vault, kdf_calls: list[int]) -> None:
    vault.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert len(kdf_calls) == 2


# --- failed saves ---------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_failed_save_leaves_memory_and_disk_unchanged(
    vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    before_bytes = vault_path.read_bytes()
    before_entries = vault.entries
    monkeypatch.setattr(os, failing, enospc)
    with pytest.raises(VaultWriteError, match="disk is full"):
        vault.add(make_entry("lost"))
    with pytest.raises(VaultWriteError):
        vault.remove(before_entries[0].id)
    with pytest.raises(VaultWriteError):
        vault.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    monkeypatch.undo()

    assert vault.entries == before_entries
    assert vault_path.read_bytes() == before_bytes
    assert sorted(p.name for p in vault_path.parent.iterdir()
                  if p.name.startswith(".vault.vault")) == []
    # the session is still usable, with the old password
    vault.add(make_entry("saved"))
    assert len(Vault.open(vault_path, PASSWORD)) == 3


def test_memory_matches_disk_when_only_the_folder_flush_fails(
    vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """atomic_write raises after the rename when the folder fsync fails: the new
    file is in place. The session must then show what is on disk."""

    def failing_dir_sync(folder: Path) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage, "_fsync_dir", failing_dir_sync)
    with pytest.raises(VaultWriteError):
        vault.add(make_entry("maybe"))
    monkeypatch.undo()
    assert vault.entries == Vault.open(vault_path, PASSWORD).entries


def test_a_held_lock_refuses_the_save(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    with vault_lock.VaultLock(vault_path), pytest.raises(VaultInUse, match="pid"):
        vault.add(make_entry("blocked"))
    assert vault_path.read_bytes() == before
    assert len(vault) == 2
    vault.add(make_entry("unblocked"))
    assert len(Vault.open(vault_path, PASSWORD)) == 3


def test_stale_temp_files_are_cleaned_on_save(vault: Vault, vault_path: Path) -> None:
    stale = vault_path.parent / ".vault.vault.tmp-deadbeef0000"
    stale.write_bytes(b"half a save")
    vault.add(make_entry("x"))
    assert not stale.exists()


# --- two sessions ---------------------------------------------------------------------


def test_two_sessions_never_overwrite_each_other(vault: Vault, vault_path: Path) -> None:
    other = Vault.open(vault_path, PASSWORD)
    a = vault.add(make_entry("from A"))
    b = other.add(make_entry("from B"))
    final = Vault.open(vault_path, PASSWORD)
    assert {e.label for e in final.entries} == {"key 0", "key 1", "from A", "from B"}
    assert a in other.entries and b in other.entries
    # the uniqueness check sees the other session's change
    with pytest.raises(ValidationError):
        vault.add(make_entry("FROM B"))


def test_removal_by_another_session_is_seen(vault: Vault, vault_path: Path) -> None:
    other = Vault.open(vault_path, PASSWORD)
    target = vault.entries[0]
    other.remove(target.id)
    with pytest.raises(ValidationError):
        vault.update(target.id, {"notes": "too late"})
    assert target not in vault.entries


def test_password_changed_elsewhere_refuses_to_save(vault: Vault, vault_path: Path) -> None:
    other = Vault.open(vault_path, PASSWORD)
    other.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    after_change = vault_path.read_bytes()
    with pytest.raises(VaultChangedOnDisk):
        vault.add(make_entry("stale session"))
    assert vault_path.read_bytes() == after_change
    with pytest.raises(VaultChangedOnDisk):
        vault.reload()


def form_values(entry: KeyEntry, **typed: object) -> dict[str, object]:
    """Every field as an edit form holds it (lists as text), with ``typed`` changes."""
    values: dict[str, object] = {
        "label": entry.label, "exchange": entry.exchange,
        "credentials": dict(entry.credentials), "permissions": list(entry.permissions),
        "ip_whitelist": ", ".join(entry.ip_whitelist), "environment": entry.environment,
        "api_url": entry.api_url, "rotate_days": entry.rotate_days, "notes": entry.notes,
        "tags": ", ".join(entry.tags),
    }
    values.update(typed)
    return values


def test_a_stale_edit_keeps_a_permission_removed_elsewhere(vault: Vault,
                                                           vault_path: Path) -> None:
    """Issue 7.1: A removes withdraw; B, opened before, edits only the notes."""
    key = vault.update(vault.entries[0].id, {"permissions": "read,trade,withdraw"})
    window_b = Vault.open(vault_path, PASSWORD)
    base_b = window_b.get(key.id)  # what B's form shows: withdraw on
    vault.update(key.id, changed_fields(key, form_values(key, permissions=["read", "trade"])),
                 base=key)

    changes = changed_fields(base_b, form_values(base_b, notes="moved to the bot server"))
    assert changes == {"notes": "moved to the bot server"}
    saved = window_b.update(key.id, changes, base=base_b)

    stored = on_disk(vault_path).get(key.id)
    assert stored.permissions == ("read", "trade")
    assert stored.notes == "moved to the bot server"
    assert saved == stored and window_b.get(key.id) == stored


def test_a_stale_edit_keeps_a_secret_rotated_elsewhere(vault: Vault, vault_path: Path) -> None:
    key = vault.entries[0]
    window_b = Vault.open(vault_path, PASSWORD)
    base_b = window_b.get(key.id)
    rotated = vault.update(key.id, {"credentials": {"apiKey": "new-api-key",
                                                   "secret": "new-secret"}}, base=key)

    window_b.update(key.id, changed_fields(base_b, form_values(base_b, notes="B's note")),
                    base=base_b)

    stored = on_disk(vault_path).get(key.id)
    assert dict(stored.credentials) == {"apiKey": "new-api-key", "secret": "new-secret"}
    assert stored.rotated_at == rotated.rotated_at
    assert stored.notes == "B's note"


def test_the_same_field_changed_on_both_sides_is_refused(vault: Vault,
                                                          vault_path: Path) -> None:
    key = vault.entries[0]
    window_b = Vault.open(vault_path, PASSWORD)
    base_b = window_b.get(key.id)
    vault.update(key.id, {"notes": "from A", "tags": "a"}, base=key)
    before = vault_path.read_bytes()

    with pytest.raises(EditConflict) as info:
        window_b.update(key.id, {"notes": "from B", "label": "renamed by B"}, base=base_b)

    assert vault_path.read_bytes() == before
    assert isinstance(info.value, VaultChangedOnDisk)  # exit code 4
    [conflict] = info.value.conflicts
    assert (conflict.name, conflict.base, conflict.mine, conflict.theirs) == \
        ("notes", "", "from B", "from A")
    assert "Notes" in str(info.value) and "nothing was written" in str(info.value).lower()
    assert info.value.theirs == on_disk(vault_path).get(key.id)
    assert window_b.get(key.id).notes == "from A"  # B's memory follows the disk


def test_the_same_change_on_both_sides_is_no_conflict(vault: Vault, vault_path: Path) -> None:
    key = vault.entries[0]
    window_b = Vault.open(vault_path, PASSWORD)
    base_b = window_b.get(key.id)
    vault.update(key.id, {"notes": "same", "tags": "x"}, base=key)
    window_b.update(key.id, {"notes": "same", "rotate_days": 30}, base=base_b)
    stored = on_disk(vault_path).get(key.id)
    assert (stored.notes, stored.tags, stored.rotate_days) == ("same", ("x",), 30)


def test_editing_a_key_deleted_elsewhere_is_refused(vault: Vault, vault_path: Path) -> None:
    key = vault.entries[0]
    window_b = Vault.open(vault_path, PASSWORD)
    vault.remove(key.id)
    before = vault_path.read_bytes()
    with pytest.raises(EntryRemovedOnDisk, match="was deleted by another window"):
        window_b.update(key.id, {"notes": "too late"}, base=key)
    assert vault_path.read_bytes() == before
    assert key not in window_b.entries


def test_reload_picks_up_another_sessions_change(vault: Vault, vault_path: Path) -> None:
    assert vault.reload() is False
    other = Vault.open(vault_path, PASSWORD)
    added = other.add(make_entry("elsewhere"))
    assert vault.reload() is True
    assert added in vault.entries
    assert vault.reload() is False


def test_may_have_changed_ignores_own_saves_and_sees_others(vault: Vault,
                                                            vault_path: Path) -> None:
    assert not vault.may_have_changed()
    vault.update(vault.entries[0].id, {"notes": "mine"})
    assert not vault.may_have_changed()  # our own save: no reload needed
    other = Vault.open(vault_path, PASSWORD)
    assert not other.may_have_changed()
    other.update(other.entries[0].id, {"notes": "theirs"})
    assert vault.may_have_changed()
    assert vault.reload() is True
    assert not vault.may_have_changed()


def test_reload_of_a_damaged_file_keeps_the_session(vault: Vault, vault_path: Path) -> None:
    before = vault.entries
    data = vault_path.read_bytes()
    vault_path.write_bytes(data[:-3] + b"xyz")
    with pytest.raises(VaultDamaged):
        vault.reload()
    assert vault.entries == before


# --- lock and read-only ---------------------------------------------------------------


def test_lock_drops_the_key_and_entries(vault: Vault, vault_path: Path) -> None:
    entry = vault.entries[0]
    before = vault_path.read_bytes()
    vault.lock()
    assert vault.is_locked
    assert len(vault) == 0
    assert "locked" in repr(vault)
    assert vault._dek is None and vault._entries == []
    for action in (
        lambda: vault.entries, lambda: vault.kdf, lambda: vault.get(entry.id),
        lambda: vault.find(entry.label), lambda: vault.add(make_entry("x")),
        lambda: vault.update(entry.id, {"notes": "x"}), lambda: vault.remove(entry.id),
        lambda: vault.mark_used(entry.id), vault.reload,
        lambda: vault.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF,
                                      enforce_kdf_minimum=False),
    ):
        with pytest.raises(VaultLocked):
            action()
    assert vault_path.read_bytes() == before


def test_read_only_vault_refuses_changes(vault: Vault, vault_path: Path) -> None:
    reader = Vault.open(vault_path, PASSWORD, read_only=True)
    assert reader.entries == vault.entries
    before = vault_path.read_bytes()
    for action in (lambda: reader.add(make_entry("x")),
                   lambda: reader.remove(reader.entries[0].id),
                   lambda: reader.mark_used(reader.entries[0].id)):
        with pytest.raises(VaultLocked, match="read-only"):
            action()
    assert vault_path.read_bytes() == before


def test_editing_one_of_two_keys_another_writer_left_alike_saves(vault_path: Path) -> None:
    # Spec 6.3: a reader accepts labels that are not unique. Every other command
    # saved such a vault, but an edit of the notes re-checked the unchanged label
    # (and API key) against the other entry and refused, so neither key could be
    # edited until the other was renamed or removed.
    from tests.e2e.support import write_payload_vault
    from vault_app.core.schema import VaultMeta, encode_payload

    first = make_entry("Binance", exchange="binance", credentials={"apiKey": "ak-1",
                                                                  "secret": "sk-1"})
    second = make_entry("BINANCE", exchange="binance", credentials={"apiKey": "ak-1",
                                                                   "secret": "sk-2"})
    third = make_entry("Kraken", exchange="kraken")
    write_payload_vault(vault_path, encode_payload(VaultMeta(), [first, second, third]))
    vault = Vault.open(vault_path, PASSWORD)
    edited = vault.update(first.id, {"notes": "old account"})
    assert edited.notes == "old account"
    with pytest.raises(ValidationError, match="already exists"):  # a change is still checked
        vault.update(first.id, {"label": "kraken"})
    assert [e.label for e in Vault.open(vault_path, PASSWORD).entries] == [
        "Binance", "BINANCE", "Kraken"]


def test_a_save_that_would_pass_the_size_cap_is_refused_before_writing(
        vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Spec 5.1: no vault is larger than 256 MiB, and a reader refuses a larger
    # file unread. A writer that produced one (thousands of keys with long
    # notes) would lock the owner out of every key on the next open.
    before = vault_path.read_bytes()
    monkeypatch.setattr(storage, "MAX_VAULT_SIZE", len(before) + 1000)
    with pytest.raises(ValidationError, match="larger than any vault"):
        vault.add(make_entry("long notes", exchange="binance", notes="n" * 2000))
    assert vault_path.read_bytes() == before
    assert [e.label for e in vault.entries] == [e.label for e in Vault.open(
        vault_path, PASSWORD).entries]
    vault.add(make_entry("short", exchange="binance"))  # what fits is still saved


def test_saves_after_open_write_the_entries_read_then_drop_their_text(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(3)
    vault = Vault.open(vault_path, PASSWORD)
    first, second, third = vault.entries
    assert vault._entries_text is not None  # the first save need not encode them again

    added = vault.add(make_entry("added"))
    assert on_disk(vault_path).entries == (first, second, third, added)
    assert vault._entries_text is not None  # still the start of the list
    changed = vault.update(second.id, {"notes": "changed"})
    assert on_disk(vault_path).entries == (first, changed, third, added)
    assert vault._entries_text is None  # an entry read was changed
    vault.remove(first.id)
    assert on_disk(vault_path).entries == (changed, third, added)


def test_locking_drops_the_entries_text(new_vault: Callable[..., Vault],
                                        vault_path: Path) -> None:
    new_vault(2)
    vault = Vault.open(vault_path, PASSWORD)
    assert vault._entries_text is not None
    vault.lock()
    assert vault._entries_text is None


def test_a_read_only_vault_keeps_no_entries_text(new_vault: Callable[..., Vault],
                                                 vault_path: Path) -> None:
    new_vault(2)
    assert Vault.open(vault_path, PASSWORD, read_only=True)._entries_text is None


def test_add_many_refuses_an_id_already_in_the_vault_or_the_batch(
        vault: Vault, vault_path: Path) -> None:
    # A vault with two entries of one id is damaged (spec 6.3): writing one would
    # lock the user out of every key on the next open.
    before = vault_path.read_bytes()
    taken = dataclasses.replace(make_entry("copy"), id=vault.entries[0].id)
    with pytest.raises(ValidationError, match="already in the vault"):
        vault.add_many([taken])
    twin = make_entry("twin")
    with pytest.raises(ValidationError, match="already in the vault"):
        vault.add_many([twin, dataclasses.replace(make_entry("twin 2"), id=twin.id)])
    assert vault_path.read_bytes() == before
