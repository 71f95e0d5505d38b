"""Restore from a backup: the dialog, reading the backup in the background, then
a new vault (and the offer to switch to it) or the merge plan (``merge_flow``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_app.core import errors
from vault_app.core.vault import Vault
from vault_app.gui.backup.backup_flow import ask, choose_file, keep_on_window, on_show
from vault_app.gui.backup.merge_flow import show_plan
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets

if TYPE_CHECKING:
    from vault_app.backups.restore import Restored
    from vault_app.gui.backup.restore_dialog import RestoreDialog
    from vault_app.gui.window import MainWindow

WRONG_BACKUP_PASSWORD = ("Wrong password for this backup. Type the password it was "
                         "exported with (check Caps Lock). Nothing was changed.")
DAMAGED_BACKUP = ("This backup file is damaged or is not a vault-app backup, so it cannot "
                  "be restored. Nothing was changed. Keep the file; try another backup.")


def open_restore(window: MainWindow) -> None:
    vault = window.vault
    if vault is None:
        return
    from vault_app.gui.backup.restore_dialog import RestoreDialog

    dialog = RestoreDialog(vault.path.name, window)
    dialog.merge.setEnabled(not window.read_only and not window.in_demo_vault)
    if not dialog.merge.isEnabled():
        dialog.merge.setText(dialog.merge.text() + " — not possible: it is read-only")
        dialog.new.setChecked(True)
    dialog.choose_backup_requested.connect(lambda: _choose_backup(dialog, vault.path.parent))
    dialog.choose_new_requested.connect(lambda: _choose_new(dialog, vault.path.parent))
    dialog.restore_requested.connect(
        lambda path, password, new: _read(window, dialog, vault, path, password, new))
    keep_on_window(window, dialog)


def _choose_backup(dialog: RestoreDialog, folder: Path) -> None:
    choose_file(dialog, "Backup to restore", folder / "backup.vault", dialog.backup_path.setText,
                save=False)


def _choose_new(dialog: RestoreDialog, folder: Path) -> None:
    choose_file(dialog, "New vault from the backup", folder / "restored.vault",
                dialog.new_path.setText, save=True)  # an existing file is refused, never replaced


def restore_error(exc: BaseException) -> str:
    """In a backup's words: never "the vault file" or "magic bytes" for a backup (L6)."""
    if isinstance(exc, errors.WrongPassword):
        return WRONG_BACKUP_PASSWORD
    if isinstance(exc, errors.NotAVaultFile):
        return f"{DAMAGED_BACKUP}\n(It does not start like a file vault-app writes.)"
    if isinstance(exc, errors.VaultNotFound):
        return "There is no backup file there. Check the name, or choose it with Choose…."
    if isinstance(exc, errors.VaultDamaged | errors.UnsupportedVersion
                  | errors.KdfParamsOutOfRange):
        detail = error_message(exc).replace("the vault file", "the file").replace(
            "the vault content", "its content")
        return f"{DAMAGED_BACKUP}\n({detail})"
    if isinstance(exc, errors.VaultExists):
        return f"{error_message(exc)} Nothing was written; choose another file."
    return error_message(exc)


def _read(window: MainWindow, dialog: RestoreDialog, vault: Vault, path: Path, password: str,
          new: Path | None) -> None:
    from vault_app.backups.merge import plan_merge
    from vault_app.backups.restore import Restored, read_backup, restore_new

    if new is not None and os.path.lexists(new):
        dialog.show_error(f"{new} already exists. vault-app never overwrites a file: "
                          "choose another name for the new vault.")
        return
    dialog.set_busy(True)

    def work() -> Any:
        backup = read_backup(path, password)
        if new is not None:
            return restore_new(backup, new, password)
        return backup, plan_merge(vault, backup)

    def done(result: Any) -> None:
        if not on_show(window, dialog, vault):
            if isinstance(result, Restored):
                result.vault.lock()
                if window.vault is vault:  # the dialog was closed meanwhile
                    window.statusBar().showMessage(
                        f"Restored the backup into {result.vault.path}")
            return
        dialog.set_busy(False)
        if isinstance(result, Restored):
            _restored(window, dialog, vault, result)
        else:
            backup, plan = result
            dialog.password.wipe()
            show_plan(window, vault, path.name, backup, plan)

    def failed(exc: BaseException) -> None:
        if on_show(window, dialog, vault):
            dialog.show_error(restore_error(exc),
                              wrong_password=isinstance(exc, errors.WrongPassword))

    window.ops.run(work, done, failed)


def _restored(window: MainWindow, dialog: RestoreDialog, vault: Vault,
              restored: Restored) -> None:
    """The new vault is written: offer to switch to it (default: stay here)."""
    new = restored.vault
    dialog.password.wipe()
    keys = len(new.entries)
    problem = f"\n\nBut: {restored.journal_problem}." if restored.journal_problem else ""
    records = restored.journal_records
    what = f"{keys} key{'s' if keys != 1 else ''}" + (
        f" and {records} order record{'s' if records != 1 else ''}" if records else "")
    box = ask(dialog, "Backup restored",
              f"Restored {what} into a new vault:\n{new.path}{problem}\n\nIt opens with the "
              f"backup's password. Switch to it now? This vault ({vault.path.name}) is locked "
              "if you do.", "&Switch to it")
    box.setIcon(QtWidgets.QMessageBox.Icon.Information)
    stay = box.defaultButton()
    stay.setText("&Stay here")
    dialog.question = box
    window.statusBar().showMessage(f"Restored the backup into {new.path}", 8000)

    def answered() -> None:
        dialog.question = None
        switch = box.buttonRole(box.clickedButton()) == QtWidgets.QMessageBox.ButtonRole.YesRole
        if switch and on_show(window, dialog, vault):
            dialog.accept()
            window.lock(f"Locked {vault.path.name} to switch to the restored vault.")
            window._opened(new)  # the window's own way to show a vault
            window.statusBar().showMessage(f"Now working in {new.path}.")
        else:
            new.lock()
            if window.backup_dialog is dialog:
                dialog.accept()

    box.finished.connect(lambda _result: answered())
    box.finished.connect(lambda _result: box.deleteLater())
    box.open()
