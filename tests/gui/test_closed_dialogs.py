"""Closed forms and dialogs do not keep secrets: they are wiped and deleted when answered.

A review probe found every Add/Edit form ever opened still alive under the window
after a lock, apiKey, secret and passphrase in clear, and conflict dialogs with
their revealed values. Each is now wiped and deleted once it is finished.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.conflict_dialog import ConflictDialog
from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import (
    SIGNAL_TIMEOUT,
    click,
    fill_form,
    open_add_form,
    open_form,
    reactivate,
    save_form,
    select,
    type_into,
    wait_for_dialog,
)

NEW = {"apiKey": "new-api-key-4711", "secret": "new-secret-4711"}
CANCELLED = {"apiKey": "cancelled-api-key-0815", "secret": "cancelled-secret-0815"}


def delete_deferred() -> None:
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete.value)


def texts_under(window: MainWindow) -> list[str]:
    shown: list[str] = []
    for edit in window.findChildren(QtWidgets.QLineEdit):
        shown.append(edit.text())
    for plain in window.findChildren(QtWidgets.QPlainTextEdit):
        shown.append(plain.toPlainText())
    for label in window.findChildren(QtWidgets.QLabel):
        shown.append(label.text())
    return shown


def test_after_save_cancel_conflict_and_lock_no_form_or_secret_is_left(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    form = open_add_form(qtbot, window)  # 1. a saved form
    fill_form(qtbot, form, exchange="binance", label="new key", credentials=NEW)
    save_form(qtbot, window, form)

    form = open_add_form(qtbot, window)  # 2. a cancelled form
    fill_form(qtbot, form, exchange="binance", label="dropped", credentials=CANCELLED)
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Cancel))
    reactivate(qtbot, window)

    select(qtbot, window, "key 0")  # 3. an edit that clashed, answered with revealed values
    window.act_edit.trigger()
    form = open_form(qtbot, window)
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.update(key.id, {"credentials": {**key.credentials, "secret": "their-secret-1"}},
                     base=key)
    reactivate(qtbot, form)
    type_into(qtbot, form.credential_fields["secret"], "my-secret-2")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    dialog = window.conflict_dialog
    assert isinstance(dialog, ConflictDialog)
    wait_for_dialog(qtbot, dialog)
    click(qtbot, dialog.reveal_buttons["secret"])
    click(qtbot, dialog.mine_buttons["secret"])
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT), \
            qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.save)
    qtbot.waitUntil(lambda: not window.ops.busy)

    secrets = {value for entry in Vault.open(vault_path, PASSWORD).entries
               for value in entry.credentials.values()}
    secrets |= {*NEW.values(), *CANCELLED.values(), "their-secret-1", "my-secret-2"}
    reactivate(qtbot, window)
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        window.act_lock.trigger()
    delete_deferred()

    assert window.findChildren(KeyForm) == []
    assert window.findChildren(ConflictDialog) == []
    assert window.findChildren(QtWidgets.QMessageBox) == []
    leaked = [text for text in texts_under(window) if any(s in text for s in secrets)]
    assert leaked == []
