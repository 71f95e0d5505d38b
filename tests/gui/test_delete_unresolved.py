"""Deleting a key whose orders have an unknown outcome says so in the question."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtCore
from vault_app.gui.window import MainWindow
from vault_app.trading.journal import Journal, journal_path

from .helpers import unlock
from .test_key_form import delete_dialog, select


def test_the_delete_question_names_orders_of_unknown_outcome(
        qtbot: QtBot, sample_vault: Vault, make_window: Callable[..., MainWindow]) -> None:
    vault = Vault.open(sample_vault.path, PASSWORD)
    key_0 = vault.find("key 0")
    journal = Journal(journal_path(vault.path), vault.ensure_journal_key())
    journal.append({"kind": "order", "state": "PENDING", "client_order_id": "va-x",
                    "key_id": key_0.id, "symbol": "BTC/USDT", "time": "t0"})
    window = make_window()
    unlock(qtbot, window)
    select(qtbot, window, "key 0")
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert "unknown outcome" in delete_dialog(qtbot, window).text()
    box = window.delete_dialog
    assert box is not None
    with qtbot.waitSignal(box.finished):
        box.reject()
    qtbot.waitUntil(lambda: window.delete_dialog is None)
    select(qtbot, window, "key 1")
    window.act_delete.trigger()
    assert "unknown outcome" not in delete_dialog(qtbot, window).text()


def test_the_journal_is_read_off_the_ui_thread(
        qtbot: QtBot, sample_vault: Vault, make_window: Callable[..., MainWindow],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A journal of 10,000 orders takes about 90 ms to read: not on the UI thread."""
    from vault_app.trading import order_log

    threads: list[bool] = []
    real = order_log.removal_warning

    def recording(vault: Vault, entry_id: str) -> str | None:
        threads.append(QtCore.QThread.currentThread() is QtCore.QCoreApplication.instance()
                       .thread())
        return real(vault, entry_id)

    monkeypatch.setattr(order_log, "removal_warning", recording)
    window = make_window()
    unlock(qtbot, window)
    select(qtbot, window, "key 0")
    window.act_delete.trigger()
    window.act_delete.trigger()  # a second press while the journal is read: one question
    delete_dialog(qtbot, window)
    assert threads == [False]


def test_a_lock_while_the_journal_is_read_asks_nothing(
        qtbot: QtBot, sample_vault: Vault, make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    unlock(qtbot, window)
    select(qtbot, window, "key 0")
    window.act_delete.trigger()
    window.act_lock.trigger()  # before the journal's answer comes back
    qtbot.waitUntil(lambda: not window.ops.busy)  # the answer was delivered (finish())
    assert window.delete_dialog is None and window.vault is None
