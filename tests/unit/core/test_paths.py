"""Where the vault lives by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from vault_app.core import paths


def test_environment_variable_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(paths.VAULT_ENV, str(tmp_path / "elsewhere.vault"))
    assert paths.default_vault_path() == tmp_path / "elsewhere.vault"


def test_environment_variable_expands_the_home_folder(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    monkeypatch.setenv(paths.VAULT_ENV, "~/vaults/mine.vault")
    assert paths.default_vault_path() == isolated_home / "vaults" / "mine.vault"


@pytest.mark.parametrize("value", [None, ""])
def test_default_is_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, isolated_home: Path, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(paths.VAULT_ENV, raising=False)
    else:
        monkeypatch.setenv(paths.VAULT_ENV, value)
    expected = isolated_home / ".local" / "share" / "vault-app" / "vault.vault"
    assert paths.default_vault_path() == expected
    assert paths.data_dir() == expected.parent
