"""Locking never waits for a save in flight, and the window stays locked after it.

lock() used to call ops.wait_idle(), blocking the UI thread (up to 30 s per pool)
until the write worker was done. Now it returns at once; the save's callback
finds the vault no longer open, ignores the result and locks that vault again.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.errors import VaultLocked
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.window import MainWindow

from .helpers import click, fill_form, open_add_form, save_button


def test_lock_during_a_save_returns_at_once_and_stays_locked(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = unlocked
    entered, gate = threading.Event(), threading.Event()
    released: list[bool] = []
    add = Vault.add

    def slow_add(vault: Vault, entry: KeyEntry) -> KeyEntry:
        entered.set()
        released.append(gate.wait(10))  # False: nobody let it go, lock() waited for it
        return add(vault, entry)

    monkeypatch.setattr(Vault, "add", slow_add)
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="binance", label="In flight",
              credentials={"apiKey": "flight-key", "secret": "flight-secret"})
    click(qtbot, save_button(form))
    qtbot.waitUntil(entered.is_set)  # the save is in the write worker, held there
    vault = window.vault
    assert vault is not None

    window.lock()  # must not wait for the worker
    gate.set()
    qtbot.waitUntil(lambda: not window.ops.busy)  # the save's callback was delivered

    assert released == [True]
    assert window.vault is None
    assert window.stack.currentWidget() is window.unlock_page
    assert window.model.rowCount() == 0
    with pytest.raises(VaultLocked):  # the key the save put back is forgotten again
        _ = vault.entries
    assert "In flight" in {e.label for e in Vault.open(vault_path, PASSWORD).entries}
