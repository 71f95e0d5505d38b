"""*Rotate key…*: the new credentials from the dialog replace the key's, the old ones
show in the detail pane's history (masked), *Purge history…* asks (default No)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.qt import QtWidgets
from vault_app.gui.rotate_dialog import RotateDialog
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, select, type_into, wait_for_dialog

NEW = {"apiKey": "new-api-key-7777-zzzz", "secret": "new-secret-8888",
       "password": "new passphrase 9999"}


def purge_button(qtbot: QtBot, window: MainWindow) -> QtWidgets.QPushButton:
    def shown() -> bool:
        button = window.detail.findChild(QtWidgets.QPushButton, "purgeHistoryButton")
        return button is not None and button.isVisible()

    qtbot.waitUntil(shown)
    button = window.detail.findChild(QtWidgets.QPushButton, "purgeHistoryButton")
    assert isinstance(button, QtWidgets.QPushButton)
    return button


def open_rotate(qtbot: QtBot, window: MainWindow, label: str) -> RotateDialog:
    select(qtbot, window, label)
    assert window.act_rotate.isEnabled()
    window.act_rotate.trigger()
    dialog = window.vault_dialog
    assert isinstance(dialog, RotateDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog


def rotate(qtbot: QtBot, window: MainWindow) -> RotateDialog:
    dialog = open_rotate(qtbot, window, "OKX main")
    assert set(dialog.fields) == {"apiKey", "secret", "password"}  # what OKX requires
    for name, value in NEW.items():
        type_into(qtbot, dialog.fields[name], value)
    with qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.rotate_button)
    qtbot.waitUntil(lambda: dialog.done_text is not None, timeout=SIGNAL_TIMEOUT)
    return dialog


def test_rotate_replaces_the_credentials_and_keeps_the_old_in_history(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    old = Vault.open(vault_path, PASSWORD).find("OKX main")
    dialog = rotate(qtbot, unlocked)
    assert "delete the old key on OKX" in dialog.intro.text()
    assert not dialog.rotate_button.isVisible() and dialog.cancel_button.text() == "&Close"
    entry = Vault.open(vault_path, PASSWORD).find("OKX main")
    assert dict(entry.credentials) == NEW
    assert [dict(o.credentials) for o in entry.credential_history] == [dict(old.credentials)]
    click(qtbot, dialog.cancel_button)
    qtbot.waitUntil(lambda: unlocked.vault_dialog is None)
    items = unlocked.detail.findChildren(QtWidgets.QLabel, "detailHistoryItem")
    assert len(items) == 1
    assert "API key" in items[0].text() and old.credentials["apiKey"] not in items[0].text()
    assert old.credentials["apiKey"][:4] in items[0].text()


def test_a_refused_rotation_says_why_and_writes_nothing(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    dialog = open_rotate(qtbot, unlocked, "OKX main")
    type_into(qtbot, dialog.fields["apiKey"], "only-the-key")
    click(qtbot, dialog.rotate_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=SIGNAL_TIMEOUT)
    assert "requires" in dialog.error.text()
    assert vault_path.read_bytes() == before
    assert dialog.rotate_button.isEnabled()


def test_purge_history_asks_with_no_as_default(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    click(qtbot, rotate(qtbot, unlocked).cancel_button)
    qtbot.waitUntil(lambda: unlocked.vault_dialog is None)
    click(qtbot, purge_button(qtbot, unlocked))
    box = unlocked.purge_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    assert box.defaultButton() is box.button(QtWidgets.QMessageBox.StandardButton.No)
    click(qtbot, box.button(QtWidgets.QMessageBox.StandardButton.No))
    qtbot.waitUntil(lambda: unlocked.purge_dialog is None)
    assert len(Vault.open(vault_path, PASSWORD).find("OKX main").credential_history) == 1
    click(qtbot, purge_button(qtbot, unlocked))
    box = unlocked.purge_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    with qtbot.waitSignal(unlocked.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, box.button(QtWidgets.QMessageBox.StandardButton.Yes))
    assert Vault.open(vault_path, PASSWORD).find("OKX main").credential_history == ()
    qtbot.waitUntil(lambda: unlocked.detail.findChild(
        QtWidgets.QPushButton, "purgeHistoryButton") is None)


def test_locking_wipes_and_closes_the_rotate_dialog(qtbot: QtBot,
                                                    unlocked: MainWindow) -> None:
    dialog = open_rotate(qtbot, unlocked, "OKX main")
    type_into(qtbot, dialog.fields["secret"], "typed-secret")
    unlocked.lock()
    assert unlocked.vault_dialog is None
    assert dialog.fields["secret"].text() == ""
