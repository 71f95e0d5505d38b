"""A backup carries each key's credential history and verification (schema 4) as part
of the key, and the vault's history_days, so a restore loses no old credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.backups.export import export_backup
from vault_app.backups.restore import read_backup, restore_new
from vault_app.core.credential_history import rotated
from vault_app.core.entry_diff import changed_fields
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import Verification
from vault_app.core.vault import Vault


def test_export_and_restore_keep_history_verification_and_days(
        vault_path: Path, tmp_path: Path) -> None:
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    entry = vault.add(make_entry("main"))
    vault.set_history_days(60)
    vault.rotate(entry.id, {"apiKey": "new-k", "secret": "new-s", "password": "new-p"})
    vault.record_verification(entry.id, Verification(at=datetime(2026, 5, 1, tzinfo=UTC),
                                                     permissions=("read",)))
    target = tmp_path / "b" / "keys.backup"
    target.parent.mkdir()
    export_backup(vault, target, PASSWORD)
    backup = read_backup(target, PASSWORD)
    assert backup.entries == tuple(vault.entries)
    restored = restore_new(backup, tmp_path / "new" / "keys.vault", PASSWORD, kdf=FAST_KDF,
                           enforce_kdf_minimum=False).vault
    got = restored.find("main")
    assert [dict(o.credentials) for o in got.credential_history] == [dict(entry.credentials)]
    assert got.verification == vault.find("main").verification
    assert restored.meta.history_days == 60


def test_a_history_difference_is_a_difference_of_the_key() -> None:
    """entry_diff (merges, previous versions) counts the history and the verification
    as the key's content, so a merge never silently drops either."""
    entry = make_entry("main")
    new = rotated(entry, {"apiKey": "a", "secret": "b", "password": "c"}, load_catalog())
    assert "credential_history" in changed_fields(entry, new)
