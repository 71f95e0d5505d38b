"""A save never writes a file larger than readers accept (spec 5.1), nor a huge credential."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSWORD, make_entry
from vault_app.core import storage
from vault_app.core.errors import ValidationError, VaultFull
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import MAX_CREDENTIAL, edit_entry
from vault_app.core.vault import Vault


def test_a_save_past_the_size_cap_writes_nothing(vault: Vault, vault_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Written, the file would be refused as too large on the next open: every key lost."""
    before = vault_path.read_bytes()
    monkeypatch.setattr(storage, "MAX_VAULT_SIZE", len(before) + 600)
    with pytest.raises(VaultFull, match="nothing was written") as caught:
        vault.add(make_entry("big", notes="n" * 2000))
    assert isinstance(caught.value, ValidationError)  # CLI exit 1, a dialog in the GUI
    assert vault_path.read_bytes() == before
    assert [p.name for p in vault_path.parent.iterdir() if ".tmp-" in p.name] == []
    assert len(vault) == 2 and len(Vault.open(vault_path, PASSWORD)) == 2
    vault.add(make_entry("small"))  # what still fits is saved
    assert len(Vault.open(vault_path, PASSWORD)) == 3


def test_a_copy_past_the_size_cap_is_not_created(vault: Vault, vault_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage, "MAX_VAULT_SIZE", 100)
    copy = vault_path.with_name("copy.vault")
    with pytest.raises(VaultFull):
        vault.save_copy(copy)
    assert not copy.exists()


def test_a_file_exactly_at_the_cap_is_written_and_read(vault: Vault, vault_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    entry = make_entry("exact")
    vault.add(entry)
    size = vault_path.stat().st_size
    vault.remove(entry.id)
    monkeypatch.setattr(storage, "MAX_VAULT_SIZE", size)
    vault.add(make_entry("exact"))  # same length: exactly the cap, allowed
    assert len(Vault.open(vault_path, PASSWORD)) == 3


def test_a_credential_is_at_most_64_kib() -> None:
    """A PEM private key is about 3 KiB; 64 KiB is what the CLI reads in one line."""
    catalog = load_catalog()
    longest, too_long = "k" * MAX_CREDENTIAL, "s" * (MAX_CREDENTIAL + 1)
    make_entry("limit", "binance", credentials={"apiKey": longest, "secret": "s"})
    with pytest.raises(ValidationError, match="longer than 65,536") as caught:
        make_entry("huge", "binance", credentials={"apiKey": "k", "secret": too_long})
    assert caught.value.field == "secret"
    with pytest.raises(ValidationError) as caught:
        edit_entry(make_entry("edited", "binance"),
                   {"credentials": {"apiKey": too_long, "secret": "s"}}, catalog)
    assert caught.value.field == "apiKey"
