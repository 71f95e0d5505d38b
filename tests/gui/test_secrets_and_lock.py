"""Reveal, copy with automatic clearing, and locking (manual and idle)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.gui.test_key_form import delete_dialog
from vault_app.core.vault import Vault
from vault_app.gui.clipboard import PASSWORD_MANAGER_HINT
from vault_app.gui.detail_pane import MASK
from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    SIGNAL_TIMEOUT,
    click,
    closed,
    fill_form,
    labels_shown,
    open_add_form,
    open_form,
    save_button,
    select,
    unlock,
)

OKX_SECRET = "secret-OKX main-value"
OKX_VALUES = ("apiKey-OKX main-value", OKX_SECRET, "password-OKX main-value")


def board() -> QtGui.QClipboard:
    return QtGui.QGuiApplication.clipboard()


def visible_texts(widget: QtWidgets.QWidget) -> list[str]:
    """Every text a line edit or label under ``widget`` holds."""
    texts = [field.text() for field in widget.findChildren(QtWidgets.QLineEdit)]
    texts += [label.text() for label in widget.findChildren(QtWidgets.QLabel)]
    return texts


def copy_button(window: MainWindow, name: str) -> QtWidgets.QToolButton:
    button = window.detail.rows[name].findChild(QtWidgets.QToolButton, f"copy_{name}")
    assert isinstance(button, QtWidgets.QToolButton)
    return button


def test_reveal_shows_the_value_and_hide_masks_it_again(qtbot: QtBot,
                                                        unlocked: MainWindow) -> None:
    window = unlocked
    select(qtbot, window, "OKX main")
    rows = window.detail.rows
    assert list(rows) == ["apiKey", "secret", "password"]
    assert all(row.field.text() == MASK for row in rows.values())
    assert not any(value in text for value in OKX_VALUES
                   for text in visible_texts(window.detail)), "a credential is on screen"

    secret = rows["secret"]
    click(qtbot, secret.reveal)
    assert secret.field.text() == OKX_SECRET
    assert secret.reveal.text() == "Hide"
    assert rows["apiKey"].field.text() == MASK and rows["password"].field.text() == MASK

    click(qtbot, secret.reveal)
    assert secret.field.text() == MASK
    assert secret.reveal.text() == "Reveal"

    click(qtbot, secret.reveal)
    select(qtbot, window, "key 0")  # another key: everything masked again
    assert all(row.field.text() == MASK for row in window.detail.rows.values())
    assert not any(OKX_SECRET in text for text in visible_texts(window.detail))


def test_copy_marks_the_secret_and_clears_the_clipboard_after_the_timeout(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    window.clipboard.seconds = 1
    select(qtbot, window, "OKX main")
    with qtbot.waitSignal(window.clipboard.copied, timeout=SIGNAL_TIMEOUT) as copied:
        click(qtbot, copy_button(window, "secret"))
    copied_at = time.monotonic()
    assert copied.args == ["Secret of “OKX main”", 1]
    mime = board().mimeData()
    assert mime.text() == OKX_SECRET
    assert mime.hasFormat(PASSWORD_MANAGER_HINT)
    assert bytes(mime.data(PASSWORD_MANAGER_HINT).data()) == b"secret"
    assert window.clipboard.holds_secret
    message = window.clipboard_status.text()
    assert message == "Secret of “OKX main” copied; clears in 1 s."
    assert OKX_SECRET not in message
    assert window.detail.rows["secret"].field.text() == MASK, "copying must not reveal"

    with qtbot.waitSignal(window.clipboard.cleared, timeout=5_000):
        pass
    assert time.monotonic() - copied_at > 0.9, "cleared before the timeout"
    assert board().text() == ""
    mime = board().mimeData()
    assert mime is None or not mime.hasFormat(PASSWORD_MANAGER_HINT)
    assert not window.clipboard.holds_secret
    assert window.statusBar().currentMessage() == "Clipboard cleared."
    assert window.clipboard_status.text() == ""


def test_clipboard_is_left_alone_if_the_user_copied_something_else(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    window.clipboard.seconds = 1
    select(qtbot, window, "OKX main")
    click(qtbot, copy_button(window, "apiKey"))
    assert board().text() == "apiKey-OKX main-value"
    board().setText("my own clipboard text")
    with qtbot.assertNotEmitted(window.clipboard.cleared):
        qtbot.waitUntil(lambda: not window.clipboard.holds_secret, timeout=5_000)
    assert board().text() == "my own clipboard text"


def test_copy_shortcuts_copy_the_selected_keys_credentials(qtbot: QtBot,
                                                           unlocked: MainWindow) -> None:
    window = unlocked
    select(qtbot, window, "key 1")
    qtbot.keyClick(window.table, Qt.Key.Key_B, CTRL)
    assert board().text() == "apiKey-key 1-value"
    qtbot.keyClick(window.table, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert board().text() == "secret-key 1-value"
    assert board().mimeData().hasFormat(PASSWORD_MANAGER_HINT)


@pytest.mark.parametrize("how", ["ctrl+l", "lock action", "idle"])
def test_lock_forgets_the_vault_and_wipes_every_widget(qtbot: QtBot, unlocked: MainWindow,
                                                       how: str) -> None:
    window = unlocked
    vault = window.vault
    assert vault is not None
    select(qtbot, window, "OKX main")
    click(qtbot, window.detail.rows["secret"].reveal)
    click(qtbot, copy_button(window, "secret"))
    assert board().text() == OKX_SECRET
    qtbot.keyClicks(window.search, "OKX")
    assert labels_shown(window) == ["OKX main"]

    form: KeyForm | None = None
    if how == "ctrl+l":
        with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
            qtbot.keyClick(window.table, Qt.Key.Key_L, CTRL)
    else:
        # an edit form full of credentials is open (window-modal: no shortcut reaches
        # the main window, but the lock action and the idle timer do)
        window.act_edit.trigger()
        form = open_form(qtbot, window)
        assert form.credential_fields["secret"].text() == OKX_SECRET
        with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
            if how == "lock action":
                window.act_lock.trigger()
            else:
                window.idle.set_timeout(200)

    assert window.vault is None
    assert window.model.rowCount() == 0 and window.proxy.rowCount() == 0
    assert window.search.text() == ""
    assert window.detail.entry is None and window.detail.rows == {}
    assert not any(value in text for value in OKX_VALUES
                   for text in visible_texts(window.detail))
    assert window.form is None
    if form is not None:
        assert not form.isVisible()
        assert all(field.text() == "" for field in form.credential_fields.values())
    assert board().text() == "", "the copied secret is still on the clipboard"
    assert not window.clipboard.holds_secret
    assert window.stack.currentWidget() is window.unlock_page
    # the copy's "last used" save may still be in the write worker: the vault's key is
    # forgotten right after it, by that worker (lock never blocks the UI thread)
    qtbot.waitUntil(lambda: vault.is_locked)
    notice = window.unlock_page.notice
    assert notice.isVisible()
    assert ("without activity" if how == "idle" else "Locked.") in notice.text()
    assert window.windowTitle() == "vault-app"
    assert not window.idle.active
    for action in (window.act_add, window.act_edit, window.act_delete, window.act_lock,
                   window.act_copy_key, window.act_copy_secret):
        assert not action.isEnabled(), action.text()
    assert not window.toolbar.isVisible()

    unlock(qtbot, window)  # and it opens again
    assert sorted(labels_shown(window)) == ["OKX main", "key 0", "key 1"]


def test_idle_timer_restarts_on_activity(qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    assert window.idle.active, "auto-lock is not armed after unlocking"
    window.idle.set_timeout(300)
    with qtbot.assertNotEmitted(window.locked):
        for _ in range(4):  # keep typing for longer than the timeout
            # half the timeout passes (the lock would come here if activity were ignored)
            with qtbot.waitSignal(window.idle.idle, timeout=150, raising=False):
                pass
            qtbot.keyClick(window.search, Qt.Key.Key_A)
    assert window.vault is not None
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        pass


def test_lock_closes_the_delete_confirmation(qtbot: QtBot, unlocked: MainWindow,
                                             vault_path: Path) -> None:
    """A confirmation left open across an auto-lock must not survive it: it names a key of
    the locked vault, and answering Delete afterwards runs a save on no vault at all."""
    window = unlocked
    select(qtbot, window, "key 0")
    window.act_delete.trigger()
    box = delete_dialog(qtbot, window)  # shown once the journal was read off the UI thread
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        window.idle.set_timeout(100)
    assert not box.isVisible(), "the delete confirmation of a locked vault is still open"
    assert not window.ops.writes_pending  # no delete was started
    qtbot.waitUntil(lambda: not window.ops.busy)  # (the unlock page checks the folder)
    labels = {entry.label for entry in Vault.open(vault_path, PASSWORD).entries}
    assert "key 0" in labels, "closing the confirmation must not delete"


def test_a_save_finishing_after_lock_is_harmless(qtbot: QtBot, unlocked: MainWindow,
                                                vault_path: Path) -> None:
    """Lock (idle timer, minimise) can come while a save is in the write worker."""
    window = unlocked
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="binance", label="In flight",
              credentials={"apiKey": "flight-key", "secret": "flight-secret"})
    click(qtbot, save_button(form))  # the save is queued in the write worker ...
    window.lock("Locked after 5 minutes without activity.")  # ... and the lock comes first
    qtbot.waitUntil(lambda: not window.ops.busy)  # the save's callback is delivered
    assert window.vault is None
    assert window.model.rowCount() == 0
    assert window.stack.currentWidget() is window.unlock_page
    assert closed(form)
    assert window.form is None
    # the save itself completed before the lock: nothing the user typed is lost
    labels = {entry.label for entry in Vault.open(vault_path, PASSWORD).entries}
    assert "In flight" in labels
