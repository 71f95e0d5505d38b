"""The window's side of backups, shared by ``export_flow``, ``restore_flow`` and
``merge_flow`` (which open the dialogs, ask before a file is replaced, run export,
restore and merge in the background op helper, and show the outcome in plain words).

One backup dialog at a time, kept on the window (``window.backup_dialog``) so that
locking closes and wipes it (``close_backup_dialog``). Every callback checks that
the vault it started with is still the open one and that its dialog is still on
show: a result arriving after a lock is dropped (and a vault it opened is locked).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.gui.qt import QtWidgets

if TYPE_CHECKING:
    from vault_app.core.vault import Vault
    from vault_app.gui.window import MainWindow

VAULT_FILES = "Vault files (*.vault);;All files (*)"


def close_backup_dialog(window: MainWindow) -> None:
    """On lock: wipe (passwords, labels) and close the backup dialog on show."""
    dialog, window.backup_dialog = window.backup_dialog, None
    if dialog is not None:
        dialog.wipe()  # type: ignore[attr-defined]  # each backup dialog has wipe()


def keep_on_window(window: MainWindow, dialog: QtWidgets.QDialog) -> None:
    close_backup_dialog(window)
    window.backup_dialog = dialog

    def finished(_result: int) -> None:
        if window.backup_dialog is dialog:
            window.backup_dialog = None
            dialog.wipe()  # type: ignore[attr-defined]
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


def on_show(window: MainWindow, dialog: QtWidgets.QDialog, vault: Vault) -> bool:
    return window.backup_dialog is dialog and window.vault is vault


def ask(parent: QtWidgets.QWidget, title: str, text: str, yes: str) -> QtWidgets.QMessageBox:
    """A question whose default (Enter, Escape) is the safe "No"/Cancel."""
    from vault_app.gui.widgets import plain_message_box

    box = plain_message_box(parent, QtWidgets.QMessageBox.Icon.Question, title, text)
    box.setObjectName("backupQuestion")
    box.addButton(yes, QtWidgets.QMessageBox.ButtonRole.YesRole)
    safe = box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(safe)
    box.setEscapeButton(safe)
    return box


def choose_file(parent: QtWidgets.QWidget, title: str, start: Path,
                chosen: Callable[[str], None], *, save: bool) -> QtWidgets.QFileDialog:
    """A file dialog opened with ``open()`` (no nested event loop: a lock while it is
    on show closes it with its parent), ``chosen(path)`` once a file is picked. For a
    file to write, Qt's own "replace?" is off: we ask, and the answer reaches the core."""
    chooser = QtWidgets.QFileDialog(parent, title, str(start.parent), VAULT_FILES)
    chooser.setObjectName("backupFileChooser")
    if save:
        chooser.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave)
        chooser.setOption(QtWidgets.QFileDialog.Option.DontConfirmOverwrite, True)
        chooser.selectFile(start.name)
    else:
        chooser.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
    chooser.fileSelected.connect(chosen)
    chooser.finished.connect(lambda _result: chooser.deleteLater())
    chooser.open()
    return chooser
