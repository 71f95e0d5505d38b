"""Export a backup from the window: the dialog, the question before replacing a
file, the export and its verification in the background, the outcome in words."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.core import errors
from vault_app.core.vault import Vault
from vault_app.gui.backup.backup_flow import ask, choose_file, keep_on_window, on_show
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets

if TYPE_CHECKING:
    from vault_app.gui.backup.export_dialog import ExportDialog
    from vault_app.gui.window import MainWindow


def open_export(window: MainWindow) -> None:
    vault = window.vault
    if vault is None:
        return
    from vault_app.gui.backup.export_dialog import ExportDialog

    selected = window.current_entry()
    stamp = time.strftime("%Y-%m-%d %H%M")  # a second export that day is another file (L2)
    default = vault.path.parent / f"{vault.path.stem} backup {stamp}.vault"
    dialog = ExportDialog(vault.entries, [selected.id] if selected else [], default, window)
    dialog.choose_file_requested.connect(lambda: _choose_export_file(dialog))
    dialog.export_requested.connect(
        lambda path, password, ids, master: _confirm_export(window, dialog, vault, path,
                                                            password, ids, master))
    keep_on_window(window, dialog)


def _choose_export_file(dialog: ExportDialog) -> None:
    # Replacing a file is asked by us (default No), after the file dialog, so that the
    # answer reaches export_backup(overwrite=...).
    start = Path(dialog.path.text().strip() or "backup.vault").expanduser()
    choose_file(dialog, "Export backup to", start, dialog.path.setText, save=True)


def _confirm_export(window: MainWindow, dialog: ExportDialog, vault: Vault, path: Path,
                    password: str, ids: list[str] | None, master: bool) -> None:
    from vault_app.backups.export import refusal

    refused = refusal(vault.path, path, overwrite=True)  # the vault's own files: never
    if refused is not None:
        dialog.show_error(refused[:1].upper() + refused[1:])
        return
    if not os.path.lexists(path):
        _export(window, dialog, vault, path, password, ids, master, overwrite=False)
        return
    box = ask(dialog, "Replace file?",
              f"{path} already exists.\n\nReplace it with this backup? What it holds now "
              "is lost (it is replaced only once the new backup is verified).", "&Replace")
    box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
    dialog.question = box

    def answered() -> None:
        dialog.question = None
        replace = box.buttonRole(box.clickedButton()) == QtWidgets.QMessageBox.ButtonRole.YesRole
        if replace and on_show(window, dialog, vault):
            _export(window, dialog, vault, path, dialog.password(), ids, master,
                    overwrite=True)

    box.finished.connect(lambda _result: answered())
    box.finished.connect(lambda _result: box.deleteLater())
    box.open()


def _export(window: MainWindow, dialog: ExportDialog, vault: Vault, path: Path,
            password: str, ids: list[str] | None, master: bool, *, overwrite: bool) -> None:
    from vault_app.backups.export import ExportReport, export_backup

    dialog.set_busy(True, "Writing the backup, then reading it back to check it…")

    def work() -> ExportReport:
        if master:  # typed again: a typo would seal the backup under a password nobody knows
            vault.check_password(password)  # one KDF run against the held key slot
        return export_backup(vault, path, password, entry_ids=ids, overwrite=overwrite)

    def done(report: ExportReport) -> None:
        if window.vault is not vault:
            return
        records = report.journal_records
        text = (f"Backup verified: {report.key_count} key{'s' if report.key_count != 1 else ''}"
                f", {records} journal record{'s' if records != 1 else ''}, {report.path}")
        window.statusBar().showMessage(text)  # told even if the dialog was closed meanwhile
        if on_show(window, dialog, vault):
            dialog.show_done(text)

    def failed(exc: BaseException) -> None:
        if on_show(window, dialog, vault):
            dialog.show_error(export_error(exc, master),
                              wrong_password=isinstance(exc, errors.WrongPassword))
        elif window.vault is vault:
            window.statusBar().showMessage(f"Backup not written: {export_error(exc, master)}")

    window.ops.run(work, done, failed)


def export_error(exc: BaseException, master: bool) -> str:
    """In plain words. BackupVerifyFailed's own message says the bad file was removed
    and that the vault is intact."""
    from vault_app.backups.errors import BackupExists

    if isinstance(exc, errors.WrongPassword) and master:
        return ("That is not the master password of this vault. Type it again, or choose a "
                "separate backup password. Nothing was written.")
    if isinstance(exc, BackupExists):  # created since we looked (its text names --force)
        return ("The file was created by something else meanwhile; it was left as it was and "
                "nothing was written. Export again to be asked whether to replace it.")
    return error_message(exc)
