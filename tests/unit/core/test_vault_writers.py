"""Writers of one process queue for the vault file (r1 8): the desktop app's write
worker saving an edit and a trading worker recording a key's use meet at the file's
flock, which a second thread of the same process would give up on after
LOCK_WAIT_SECONDS (VaultInUse: "an edit saved while an order is accepted fails")."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from vault_app.core import vault_lock
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault


def test_a_second_writer_thread_waits_for_the_first(
        vault: Vault, vault_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault_lock, "LOCK_WAIT_SECONDS", 0.0)  # no grace: queue or fail
    worker_view = Vault.open(vault_path, PASSWORD)  # the trading session's vault object
    first, second = vault.entries
    inside, release = threading.Event(), threading.Event()
    outcome: list[object] = []

    def slow_edit(entries: list[KeyEntry]) -> list[KeyEntry]:
        inside.set()
        assert release.wait(30)
        return [e if e.id != first.id else replace(e, notes="edited") for e in entries]

    editor = threading.Thread(target=lambda: vault._commit(slow_edit))
    editor.start()
    assert inside.wait(30)  # the edit holds the file's lock now

    def use() -> None:
        try:
            outcome.append(worker_view.mark_used(second.id))
        except Exception as exc:  # VaultInUse without the process-wide lock
            outcome.append(exc)

    user = threading.Thread(target=use)
    user.start()
    user.join(0.5)  # unfixed, it fails at once; fixed, it waits for the edit
    release.set()
    editor.join(30)
    user.join(30)
    assert outcome == [True]
    stored = Vault.open(vault_path, PASSWORD)
    assert stored.get(first.id).notes == "edited"
    assert stored.get(second.id).last_used_at is not None


def test_revision_follows_saves_and_reloads(vault: Vault, vault_path: Path) -> None:
    before = vault.revision
    vault.mark_used(vault.entries[0].id)
    assert vault.revision == before + 1
    other = Vault.open(vault_path, PASSWORD)
    other.update(other.entries[1].id, {"notes": "from elsewhere"})
    assert vault.reload() and vault.revision == before + 2
