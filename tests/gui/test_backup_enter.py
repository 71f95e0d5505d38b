"""Enter in a backup dialog's password field does the dialog's action, never Cancel
(u1 H1): the dialog stays, showing the error, the plan or the result. The dialogs
open with the keyboard where the user types first, and Tab goes file → password
(u1 M6)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.gui.backup.restore_flow import WRONG_BACKUP_PASSWORD
from vault_app.gui.qt import Qt
from vault_app.gui.window import MainWindow

from .backup_support import open_export, open_restore, question_of, wait_merge_dialog
from .helpers import click, type_into
from .test_backup_restore import backup_of, fill

ENTER = Qt.Key.Key_Return


def test_enter_with_a_wrong_backup_password_keeps_the_restore_dialog_and_says_why(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    backup = backup_of(vault_path, tmp_path / "b.vault")
    dialog = open_restore(qtbot, unlocked)
    fill(qtbot, dialog, backup, "not the password")
    qtbot.keyClick(dialog.password, ENTER)
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert dialog.error.text() == WRONG_BACKUP_PASSWORD
    assert unlocked.backup_dialog is dialog and dialog.isVisible()
    assert dialog.go.isDefault()  # Enter again tries again, never cancels
    assert dialog.password.hasFocus() and dialog.password.selectedText() == dialog.password.text()

    type_into(qtbot, dialog.password, PASSWORD)  # Enter with the right one: the plan
    qtbot.keyClick(dialog.password, ENTER)
    merge = wait_merge_dialog(qtbot, unlocked)
    assert merge.isVisible()


def test_enter_restoring_into_a_new_vault_asks_whether_to_switch(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    backup = backup_of(vault_path, tmp_path / "b.vault")
    dialog = open_restore(qtbot, unlocked)
    click(qtbot, dialog.new)
    type_into(qtbot, dialog.new_path, str(tmp_path / "new.vault"))
    fill(qtbot, dialog, backup, PASSWORD)
    qtbot.keyClick(dialog.password, ENTER)
    box = question_of(qtbot, dialog)
    assert "Restored 3 keys" in box.text()
    assert unlocked.backup_dialog is dialog


def test_restore_tab_goes_from_the_file_to_the_password(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_restore(qtbot, unlocked)
    assert dialog.backup_path.hasFocus()
    qtbot.keyClick(dialog.backup_path, Qt.Key.Key_Tab)
    assert dialog.password.hasFocus()


def test_enter_in_the_export_master_password_exports_and_keeps_the_dialog(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    dialog = open_export(qtbot, unlocked)
    assert dialog.master.hasFocus()  # typing at once goes into the password
    type_into(qtbot, dialog.path, str(tmp_path / "full.vault"))
    type_into(qtbot, dialog.master, "wrong")
    qtbot.keyClick(dialog.master, ENTER)
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert "not the master password" in dialog.error.text()
    assert unlocked.backup_dialog is dialog and dialog.isVisible()
    assert dialog.export_button.isDefault() and dialog.master.hasFocus()

    type_into(qtbot, dialog.master, PASSWORD)
    qtbot.keyClick(dialog.master, ENTER)
    qtbot.waitUntil(lambda: dialog.result_label.text().startswith("Backup verified"),
                    timeout=20_000)
    assert unlocked.backup_dialog is dialog and dialog.isVisible()
    assert dialog.close_button.isDefault()  # done: Enter closes, it does not export again
    assert (tmp_path / "full.vault").exists()


def test_enter_in_the_first_backup_password_moves_to_the_repeat(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    dialog = open_export(qtbot, unlocked)
    click(qtbot, dialog.use_separate)
    type_into(qtbot, dialog.path, str(tmp_path / "sep.vault"))
    type_into(qtbot, dialog.separate.password, "a separate backup passphrase for the usb")
    qtbot.keyClick(dialog.separate.password, ENTER)
    assert dialog.separate.confirm.hasFocus()
    assert not dialog.error.isVisible()  # not submitted half-typed
    assert dialog.export_button.isDefault()


def test_an_error_line_does_not_move_the_fields(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    """A second click landed on the wrong field when the error pushed them (u1 L7)."""
    dialog = open_export(qtbot, unlocked)
    type_into(qtbot, dialog.path, str(tmp_path / "x.vault"))
    before = (dialog.master.mapTo(dialog, dialog.master.rect().topLeft()),
              dialog.export_button.mapTo(dialog, dialog.export_button.rect().topLeft()))
    qtbot.keyClick(dialog.master, ENTER)  # no password: a one-line error
    assert dialog.error.text() == "Type the master password again."
    dialog.layout().activate()  # the layout the error asked for
    after = (dialog.master.mapTo(dialog, dialog.master.rect().topLeft()),
             dialog.export_button.mapTo(dialog, dialog.export_button.rect().topLeft()))
    assert after == before
