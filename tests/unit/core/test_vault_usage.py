"""mark_used records a use to the hour: copying a key again writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import PASSWORD, make_entry
from vault_app.core.vault import Vault

NINE = datetime(2026, 11, 21, 9, 0, 0, tzinfo=UTC)


def stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


def test_a_use_in_the_same_hour_writes_nothing(vault: Vault, vault_path: Path) -> None:
    """Each copy in the GUI rewrote the whole vault, woke every other window and made a
    concurrent CLI add exit 4."""
    entry = vault.entries[0]
    assert vault.mark_used(entry.id, NINE.replace(minute=5))
    before, written = vault_path.read_bytes(), stamp(vault_path)
    for minute in (5, 6, 59):
        assert not vault.mark_used(entry.id, NINE.replace(minute=minute, second=30))
    assert vault_path.read_bytes() == before and stamp(vault_path) == written
    assert vault.get(entry.id).last_used_at == NINE.replace(minute=5)
    assert not vault.may_have_changed()


def test_a_use_in_a_later_hour_is_recorded(vault: Vault, vault_path: Path) -> None:
    entry = vault.entries[0]
    vault.mark_used(entry.id, NINE.replace(minute=59))
    assert vault.mark_used(entry.id, NINE.replace(hour=10, minute=0))
    assert Vault.open(vault_path, PASSWORD).get(entry.id).last_used_at == NINE.replace(hour=10)
    assert not vault.mark_used(entry.id, NINE)  # an earlier use never moves it back


def test_a_use_recorded_by_another_session_is_not_written_again(
        vault: Vault, vault_path: Path) -> None:
    entry = vault.entries[0]
    Vault.open(vault_path, PASSWORD).mark_used(entry.id, NINE.replace(minute=1))
    written = stamp(vault_path)
    assert not vault.mark_used(entry.id, NINE.replace(minute=2))  # decided under the lock
    assert stamp(vault_path) == written
    assert vault.get(entry.id).last_used_at == NINE.replace(minute=1)  # and now shown


def test_a_key_added_by_another_session_can_be_marked_used(vault: Vault,
                                                           vault_path: Path) -> None:
    added = Vault.open(vault_path, PASSWORD).add(make_entry("elsewhere"))
    assert vault.mark_used(added.id, NINE)  # found on disk under the lock
    assert vault.get(added.id).last_used_at == NINE


def test_a_use_stored_in_the_future_is_replaced(vault: Vault, vault_path: Path) -> None:
    """A file from another program (or a clock that ran ahead) said the key was last
    used in 9999: with 'an earlier use never moves it back' alone, no use could ever
    be recorded again (found by make fuzz)."""
    entry = vault.entries[0]
    assert vault.mark_used(entry.id, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert vault.mark_used(entry.id, NINE)
    assert Vault.open(vault_path, PASSWORD).get(entry.id).last_used_at == NINE


def test_a_use_never_changes_updated_at(vault: Vault, vault_path: Path) -> None:
    """updated_at is when the user last changed the key (spec 6.2); a use is no change."""
    entry = vault.entries[0]
    assert vault.mark_used(entry.id, NINE)
    stored = Vault.open(vault_path, PASSWORD).get(entry.id)
    assert stored.last_used_at == NINE and stored.updated_at == entry.updated_at
