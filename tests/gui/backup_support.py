"""Driving the backup dialogs as a user does: open from the Vault menu, type, click,
answer the questions."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from vault_app.gui.backup.export_dialog import ExportDialog
from vault_app.gui.backup.merge_dialog import MergeDialog
from vault_app.gui.backup.restore_dialog import RestoreDialog
from vault_app.gui.qt import QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import click, wait_for_dialog

YES = QtWidgets.QMessageBox.ButtonRole.YesRole


def open_export(qtbot: QtBot, window: MainWindow) -> ExportDialog:
    window.act_export_backup.trigger()
    dialog = window.backup_dialog
    assert isinstance(dialog, ExportDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog


def open_restore(qtbot: QtBot, window: MainWindow) -> RestoreDialog:
    window.act_restore_backup.trigger()
    dialog = window.backup_dialog
    assert isinstance(dialog, RestoreDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog


def question_of(qtbot: QtBot, dialog: QtWidgets.QDialog) -> QtWidgets.QMessageBox:
    qtbot.waitUntil(lambda: getattr(dialog, "question", None) is not None)
    box = dialog.question  # type: ignore[attr-defined]
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    return box


def answer_yes(qtbot: QtBot, box: QtWidgets.QMessageBox) -> None:
    [yes] = [button for button in box.buttons() if box.buttonRole(button) == YES]
    click(qtbot, yes)


def answer_default(qtbot: QtBot, box: QtWidgets.QMessageBox) -> None:
    """The safe answer: what Enter does."""
    default = box.defaultButton()
    assert default is not None and box.buttonRole(default) != YES
    click(qtbot, default)


def wait_merge_dialog(qtbot: QtBot, window: MainWindow) -> MergeDialog:
    qtbot.waitUntil(lambda: isinstance(window.backup_dialog, MergeDialog), timeout=10_000)
    dialog = window.backup_dialog
    assert isinstance(dialog, MergeDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog
