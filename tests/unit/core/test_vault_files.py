"""A vault's own files, named beside the real file, and the check every export makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from vault_app.core.errors import NotARegularFile, VaultIOError
from vault_app.core.vault_files import check_new_vault, check_target, own_files


class Refused(VaultIOError):
    pass


def test_own_files_sit_beside_the_real_file_of_a_linked_vault(tmp_path: Path) -> None:
    real = tmp_path / "real" / "keys.vault"
    real.parent.mkdir()
    real.write_bytes(b"VAULTAPP")
    link = tmp_path / "link.vault"
    link.symlink_to(real)
    assert own_files(link) == (real, real.with_name("keys.vault.journal"),
                               real.with_name("keys.vault.lock"),
                               real.with_name("keys.vault.versions"))


def test_a_missing_target_elsewhere_is_fine(tmp_path: Path) -> None:
    vault = tmp_path / "keys.vault"
    vault.write_bytes(b"")
    assert check_target(tmp_path / "backup", own_files(vault), writing="x",
                        refused=Refused) is None


@pytest.mark.parametrize("name", ["keys.vault", "keys.vault.journal", "keys.vault.lock",
                                  "keys.vault.versions/new"])
def test_own_names_and_the_versions_folder_are_refused(tmp_path: Path, name: str) -> None:
    vault = tmp_path / "keys.vault"
    vault.write_bytes(b"")
    (tmp_path / "keys.vault.versions").mkdir()
    with pytest.raises(Refused, match="your vault's"):
        check_target(tmp_path / name, own_files(vault), writing="x", refused=Refused)


def test_a_link_is_not_a_regular_file(tmp_path: Path) -> None:
    link = tmp_path / "backup"
    link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(NotARegularFile, match="symbolic link"):
        check_target(link, (), writing="x", refused=Refused)


@pytest.mark.parametrize("name", ["k.vault.journal", "k.vault.lock", "k.vault.versions",
                                  "k.vault.versions/a.vault", "k.vault.versions/x/y.vault"])
def test_a_new_vault_never_takes_a_vaults_own_name(tmp_path: Path, name: str) -> None:
    (tmp_path / "k.vault").write_bytes(b"a vault")
    (tmp_path / "k.vault.versions" / "x").mkdir(parents=True)
    with pytest.raises(VaultIOError, match="Nothing was written"):
        check_new_vault(tmp_path / name)


@pytest.mark.parametrize("name", ["k.vault", "other.journal", "k.vault2.journal",
                                  "folder.versions/a.vault", ".journal"])
def test_other_new_vault_names_are_fine(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder.versions").mkdir()  # a folder named so, no vault "folder" beside it
    (tmp_path / "k.vault").mkdir()  # a folder, not a vault: its ".journal" is no journal
    check_new_vault(tmp_path / name)
