"""Labels and notes are shown literally, never rendered as HTML.

A vault file may come from another program: a label like ``<h1>x</h1>`` or a
note like ``<img src=file:///etc/passwd>`` used to be rendered as rich text by
QLabel's AutoText in the detail pane and in the delete and conflict dialogs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD, make_entry
from tests.gui.test_key_form import delete_dialog
from vault_app.core.vault import Vault
from vault_app.gui.conflict_dialog import ConflictDialog
from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, open_form, reactivate, select, type_into, unlock
from .helpers import wait_for_dialog as wait_for

LABEL = "<h1>big</h1> & <b>bold"
NOTES = "<img src=file:///etc/passwd> see <a href='x'>here</a>"


def shown(label: QtWidgets.QLabel | QtWidgets.QMessageBox) -> str:
    """The text a user reads: markup rendered if the label treats it as rich text."""
    text, form = label.text(), label.textFormat()
    rich = form == Qt.TextFormat.RichText or (
        form == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text))
    if not rich:
        return text
    document = QtGui.QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def test_html_in_a_label_or_notes_is_shown_literally(
        qtbot: QtBot, new_vault: Callable[..., Vault], vault_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    vault = new_vault(0)
    vault.add(make_entry(LABEL, "binance", notes=NOTES))
    vault.lock()
    window = make_window()
    unlock(qtbot, window)
    select(qtbot, window, LABEL)

    title = window.detail.findChild(QtWidgets.QLabel, "detailTitle")
    [notes] = [label for label in window.detail.findChildren(QtWidgets.QLabel)
               if label.text() == NOTES]
    assert shown(title) == LABEL
    assert shown(notes) == NOTES

    window.act_delete.trigger()  # the delete dialog names the key
    box = delete_dialog(qtbot, window)  # shown once the journal was read off the UI thread
    wait_for(qtbot, box)
    assert f"Delete “{LABEL}”" in shown(box)
    with qtbot.waitSignal(box.finished, timeout=SIGNAL_TIMEOUT):
        box.reject()
    reactivate(qtbot, window)

    window.act_edit.trigger()  # the conflict dialog shows the label and both notes
    form = open_form(qtbot, window)
    other = Vault.open(vault_path, PASSWORD)
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.update(other.find(LABEL).id, {"notes": f"{NOTES} <hr>"})
    reactivate(qtbot, form)
    form.notes.clear()
    type_into(qtbot, form.notes, "<i>mine</i>")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    dialog = window.conflict_dialog
    assert isinstance(dialog, ConflictDialog)
    wait_for(qtbot, dialog)
    intro = dialog.findChild(QtWidgets.QLabel, "conflictIntro")
    assert f"“{LABEL}”" in shown(intro)
    mine, theirs = dialog.values["notes"]
    assert (shown(mine), shown(theirs)) == ("<i>mine</i>", f"{NOTES} <hr>")
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT):
        window.lock()


def test_the_read_only_banner_shows_its_reason_literally(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    assert window.vault is not None
    window.vault.read_only_reason = "<b>folder</b> & <i>file</i>"
    window._show_read_only()
    assert "<b>folder</b> & <i>file</i>" in shown(window.read_only_label)
