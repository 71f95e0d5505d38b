"""The delete question says how to undo a delete (restore the version it kept), not
"This cannot be undone", unless no versions are kept (u1 L3); a damaged or foreign
backup is told in a backup's words (u1 L6)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from vault_app.gui.backup.restore_flow import DAMAGED_BACKUP
from vault_app.gui.qt import QtWidgets
from vault_app.gui.window import MainWindow

from .backup_support import open_restore
from .helpers import SIGNAL_TIMEOUT, click, type_into
from .test_key_form import delete_dialog, select


def ask_delete(qtbot: QtBot, window: MainWindow) -> str:
    select(qtbot, window, "key 1")
    window.act_delete.trigger()
    text = delete_dialog(qtbot, window).text()
    box = window.delete_dialog
    assert box is not None
    with qtbot.waitSignal(box.finished):
        box.reject()
    qtbot.waitUntil(lambda: window.delete_dialog is None)
    return text


def test_the_delete_question_says_how_to_undo(qtbot: QtBot, unlocked: MainWindow) -> None:
    text = ask_delete(qtbot, unlocked)
    assert "cannot be undone" not in text and "Previous versions" in text
    vault = unlocked.vault
    assert vault is not None
    with qtbot.waitSignal(unlocked.saved, timeout=SIGNAL_TIMEOUT):
        unlocked.save(lambda v: v.set_keep_versions(0), lambda _r: None, lambda _e: None)
    assert "cannot be undone" in ask_delete(qtbot, unlocked)


def test_a_file_that_is_no_backup_is_told_in_plain_words(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    text_file = tmp_path / "notes.txt"
    text_file.write_text("just some notes, not a backup\n" * 20)
    dialog = open_restore(qtbot, unlocked)
    type_into(qtbot, dialog.backup_path, str(text_file))
    type_into(qtbot, dialog.password, "whatever")
    click(qtbot, dialog.go)
    qtbot.waitUntil(dialog.error.isVisible, timeout=SIGNAL_TIMEOUT)
    shown = dialog.error.text()
    assert shown.startswith(DAMAGED_BACKUP)
    assert "magic" not in shown and "vault file" not in shown
    assert isinstance(dialog, QtWidgets.QDialog) and dialog.isVisible()
