"""Vault.check_password: the master password checked against the held key slot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD
from vault_app.core.errors import VaultLocked, WrongPassword
from vault_app.core.vault import Vault


def test_the_master_password_passes(vault: Vault, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    assert vault.check_password(PASSWORD) is None
    assert vault_path.read_bytes() == before  # a check writes nothing


@pytest.mark.parametrize("typed", ["", PASSWORD + " ", PASSWORD.upper(), "x"])
def test_anything_else_is_a_wrong_password(vault: Vault, typed: str) -> None:
    with pytest.raises(WrongPassword):
        vault.check_password(typed)


def test_after_a_change_only_the_new_password_passes(vault: Vault) -> None:
    vault.change_password(PASSWORD, "the new one", FAST_KDF, enforce_kdf_minimum=False)
    vault.check_password("the new one")
    with pytest.raises(WrongPassword):
        vault.check_password(PASSWORD)


def test_it_checks_the_key_this_session_holds_not_the_file(vault: Vault,
                                                           vault_path: Path) -> None:
    """Another process changed the password: this session still seals with the key it
    holds (its saves are refused), so what it checks is the password of that key."""
    Vault.open(vault_path, PASSWORD).change_password(PASSWORD, "elsewhere", FAST_KDF,
                                                     enforce_kdf_minimum=False)
    vault.check_password(PASSWORD)
    with pytest.raises(WrongPassword):
        vault.check_password("elsewhere")


def test_a_locked_vault_checks_nothing(vault: Vault) -> None:
    vault.lock()
    with pytest.raises(VaultLocked):
        vault.check_password(PASSWORD)


def test_a_change_says_whether_the_password_changed(vault: Vault) -> None:
    """A KDF-only change keeps the password: nothing made before opens with a password
    that is now wrong, and the front ends must not warn as if it did (u1 M4)."""
    strength_only = vault.change_password(PASSWORD, PASSWORD, FAST_KDF,
                                          enforce_kdf_minimum=False)
    assert strength_only.password_changed is False
    changed = vault.change_password(PASSWORD, "the new one", FAST_KDF,
                                    enforce_kdf_minimum=False)
    assert changed.password_changed is True


def test_a_strength_only_change_never_speaks_of_an_old_password(vault: Vault) -> None:
    """What ``passwd --keep-password`` prints after the change (u1 M4)."""
    same = vault.change_password(PASSWORD, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    assert "old password" not in same.unchanged_text
    assert "password is the same" in same.unchanged_text
    changed = vault.change_password(PASSWORD, "the new one", FAST_KDF,
                                    enforce_kdf_minimum=False)
    assert "still open with the old password" in changed.unchanged_text
