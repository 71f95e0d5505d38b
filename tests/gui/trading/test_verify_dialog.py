"""*Verify with exchange…* against the demo exchange: the answer shown beside the labels,
a red warning for an unlabelled withdraw right, the answer recorded ("Last verified"),
and the labels updated only after a Yes (No is the default)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.e2e.trading_support import demo_entry
from tests.gui.helpers import click, select, unlock, wait_for_dialog
from tests.gui.trading.support import TIMEOUT, idle
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.qt import QtWidgets
from vault_app.gui.verify_dialog import VerifyDialog
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange

BOT = "bot"


def _add_understated_key(demo: DemoExchange, vault_path: Path) -> None:
    """A key labelled read that the exchange lets trade and withdraw from one address."""
    key = demo.add_key(("read", "trade", "withdraw"), ips=("203.0.113.7",))
    vault = Vault.open(vault_path, PASSWORD)
    vault.add(demo_entry(demo, BOT, key, ("read",)))
    vault.lock()


def _verify(qtbot: QtBot, window: MainWindow, label: str) -> VerifyDialog:
    select(qtbot, window, label)
    assert window.act_verify.isEnabled()
    window.act_verify.trigger()
    dialog = window.vault_dialog
    assert isinstance(dialog, VerifyDialog)
    wait_for_dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.busy.isVisible(), timeout=TIMEOUT)
    idle(qtbot, window)
    return dialog


def test_an_understated_key_warns_in_red_records_and_updates_on_yes(
        qtbot: QtBot, demo: DemoExchange, vault_path: Path, keys: dict[str, KeyEntry],
        make_window: Callable[..., MainWindow]) -> None:
    _add_understated_key(demo, vault_path)
    window = make_window()
    unlock(qtbot, window)
    dialog = _verify(qtbot, window, BOT)
    assert dialog.warning.isVisible()
    assert "can WITHDRAW funds" in dialog.warning.text()
    assert "#c62828" in dialog.warning.styleSheet()
    assert "read, trade, withdraw; restricted to 203.0.113.7" in dialog.status.text()
    assert "can also trade" in dialog.details.text()
    dialog.grab().save("/tmp/verify_dialog.png")
    # Recorded at once (the labels untouched), and shown in the detail pane.
    assert window.vault is not None
    shown = window.current_entry()
    assert shown is not None
    stored = window.vault.get(shown.id)
    assert stored.verification is not None
    assert stored.verification.permissions == ("read", "trade", "withdraw")
    assert stored.permissions == ("read",)
    verified = window.detail.findChild(QtWidgets.QLabel, "detailLastVerified")
    assert verified is not None
    assert "the exchange said read, trade, withdraw" in verified.text()
    assert "more than the labels say" in verified.text()
    # Update asks; No (the default) changes nothing, Yes applies the answer.
    assert dialog.update_button.isVisible()
    click(qtbot, dialog.update_button)
    box = dialog.question
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    no = box.button(QtWidgets.QMessageBox.StandardButton.No)
    assert box.defaultButton() is no
    click(qtbot, no)
    idle(qtbot, window)
    assert window.vault.get(stored.id).permissions == ("read",)
    click(qtbot, dialog.update_button)
    box = dialog.question
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    click(qtbot, box.button(QtWidgets.QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: not dialog.update_button.isVisible(), timeout=TIMEOUT)
    idle(qtbot, window)
    updated = Vault.open(vault_path, PASSWORD, read_only=True).get(stored.id)
    assert updated.permissions == ("read", "trade", "withdraw")
    assert updated.ip_whitelist == ("203.0.113.7",)
    assert "now say what the exchange says" in dialog.details.text()
    verified = window.detail.findChild(QtWidgets.QLabel, "detailLastVerified")
    assert verified is not None and "more than" not in verified.text()


def test_a_key_matching_its_labels_offers_no_update(qtbot: QtBot,
                                                    trading_window: MainWindow) -> None:
    dialog = _verify(qtbot, trading_window, "watcher")
    assert not dialog.warning.isVisible()
    assert "The labels match what the exchange says." in dialog.details.text()
    assert not dialog.update_button.isVisible()
    assert dialog.close_button.isDefault()


def test_locking_closes_the_dialog(qtbot: QtBot, trading_window: MainWindow) -> None:
    dialog = _verify(qtbot, trading_window, "trader")
    trading_window.lock()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert trading_window.vault_dialog is None


def test_an_unreachable_exchange_is_said_in_plain_words(
        qtbot: QtBot, trading_window: MainWindow, demo: DemoExchange) -> None:
    demo.faults.unavailable = True
    dialog = _verify(qtbot, trading_window, "trader")
    assert "could not be asked" in dialog.status.text()
    assert "Traceback" not in dialog.status.text()
    assert not dialog.update_button.isVisible()
