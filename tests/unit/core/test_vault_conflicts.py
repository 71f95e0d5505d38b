"""Resolving an edit conflict in the core: Vault.update(..., resolving=, choices=)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from vault_app.core.edits import MINE, THEIRS
from vault_app.core.errors import EditConflict, ValidationError
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault


def conflict_on_notes(vault: Vault,
                      vault_path: Path) -> tuple[Vault, KeyEntry, EditConflict]:
    """Window B edits notes and tags of key 0 while window A changed its notes."""
    key = vault.entries[0]
    window_b = Vault.open(vault_path, PASSWORD)
    vault.update(key.id, {"notes": "from A"}, base=key)
    with pytest.raises(EditConflict) as caught:
        window_b.update(key.id, {"notes": "from B", "tags": "b"}, base=key)
    return window_b, key, caught.value


@pytest.mark.parametrize(("choice", "notes"), [(MINE, "from B"), (THEIRS, "from A")])
def test_choices_resolve_the_conflict_under_the_lock(vault: Vault, vault_path: Path,
                                                     choice: str, notes: str) -> None:
    window_b, key, conflict = conflict_on_notes(vault, vault_path)
    assert [c.name for c in conflict.conflicts] == ["notes"]
    saved = window_b.update(key.id, conflict.changes, base=key, resolving=conflict,
                            choices={"notes": choice})
    stored = Vault.open(vault_path, PASSWORD).get(key.id)
    assert (stored.notes, stored.tags) == (notes, ("b",))
    assert saved == stored == window_b.get(key.id)


def test_a_new_change_on_disk_since_the_conflict_is_a_new_conflict(
        vault: Vault, vault_path: Path) -> None:
    """The dialog's answers cover the fields it showed, nothing the disk changed since."""
    window_b, key, conflict = conflict_on_notes(vault, vault_path)
    vault.update(key.id, {"tags": "a"}, base=vault.get(key.id))  # A again, another field
    before = vault_path.read_bytes()
    with pytest.raises(EditConflict) as caught:
        window_b.update(key.id, conflict.changes, base=key, resolving=conflict,
                        choices={"notes": MINE})
    again = caught.value
    assert [c.name for c in again.conflicts] == ["tags"]
    assert vault_path.read_bytes() == before
    assert isinstance(again.base, KeyEntry)
    window_b.update(key.id, again.changes, base=again.base, resolving=again,
                    choices={"tags": THEIRS})
    stored = Vault.open(vault_path, PASSWORD).get(key.id)
    assert (stored.notes, stored.tags) == ("from B", ("a",))


def test_a_chosen_field_changed_again_on_disk_is_asked_again(vault: Vault,
                                                            vault_path: Path) -> None:
    """'Keep mine' was said against the value the dialog showed; a value written on
    disk after it was never seen, so it is not overwritten without asking."""
    window_b, key, conflict = conflict_on_notes(vault, vault_path)
    vault.update(key.id, {"notes": "from A, again"}, base=vault.get(key.id))
    before = vault_path.read_bytes()
    with pytest.raises(EditConflict) as caught:
        window_b.update(key.id, conflict.changes, base=key, resolving=conflict,
                        choices={"notes": MINE})
    assert [(c.name, c.theirs) for c in caught.value.conflicts] == [("notes", "from A, again")]
    assert vault_path.read_bytes() == before


def test_choices_need_the_conflict_and_a_base(vault: Vault, vault_path: Path) -> None:
    with pytest.raises(ValidationError, match="base"):
        vault.update(vault.entries[0].id, {"notes": "x"}, choices={"notes": MINE})
    _, key, conflict = conflict_on_notes(vault, vault_path)
    with pytest.raises(ValidationError, match="the conflict"):
        vault.update(key.id, conflict.changes, base=key, resolving=conflict)
