"""A previous version's restore refuses when what the user was shown no longer holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from vault_app.core import versions
from vault_app.core.errors import VersionStale
from vault_app.core.vault import Vault


def test_another_windows_new_value_in_a_field_already_in_the_diff_makes_it_stale(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(1)
    alpha = vault.entries[0]
    vault.update(alpha.id, {"notes": "v1"})
    name = versions.list_versions(vault_path)[0].name  # notes ""
    shown = vault.version_diff(name)
    assert [c.fields for c in shown.changed] == [("notes",)]
    other = Vault.open(vault_path, PASSWORD)
    other.update(alpha.id, {"notes": "typed in another window, never shown"})
    # The same field names differ, but not from what the user was shown.
    before = vault_path.read_bytes()
    with pytest.raises(VersionStale):
        vault.restore_version(name, expected_diff=shown)
    assert vault_path.read_bytes() == before
    assert Vault.open(vault_path, PASSWORD).get(alpha.id).notes.startswith("typed")


def test_a_use_recorded_meanwhile_does_not_make_it_stale(
        new_vault: Callable[..., Vault], vault_path: Path) -> None:
    vault = new_vault(1)
    alpha = vault.entries[0]
    vault.update(alpha.id, {"notes": "v1"})
    name = versions.list_versions(vault_path)[0].name
    shown = vault.version_diff(name)
    other = Vault.open(vault_path, PASSWORD)
    assert other.mark_used(alpha.id, alpha.created_at + timedelta(days=400))
    assert vault.restore_version(name, expected_diff=shown)
    assert Vault.open(vault_path, PASSWORD).get(alpha.id).notes == ""
