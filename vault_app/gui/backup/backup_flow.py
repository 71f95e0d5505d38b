"""The window's side of backups: opening the dialogs, asking before a file is
replaced, running export, restore and merge in the background op helper, and
showing the outcome in plain words.

One backup dialog at a time, kept on the window (``window.backup_dialog``) so that
locking closes and wipes it (``close_backup_dialog``). Every callback checks that
the vault it started with is still the open one and that its dialog is still on
show: a result arriving after a lock is dropped (and a vault it opened is locked).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_app.core import errors
from vault_app.core.vault import Vault
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets

if TYPE_CHECKING:
    from vault_app.backups.merge import MergeReport
    from vault_app.backups.restore import Backup, Restored
    from vault_app.gui.backup.export_dialog import ExportDialog
    from vault_app.gui.backup.merge_dialog import MergeDialog
    from vault_app.gui.backup.restore_dialog import RestoreDialog
    from vault_app.gui.window import MainWindow

VAULT_FILES = "Vault files (*.vault);;All files (*)"
WRONG_BACKUP_PASSWORD = ("Wrong password for this backup. Type the password it was "
                         "exported with (check Caps Lock). Nothing was changed.")
DAMAGED_BACKUP = ("This backup file is damaged or is not a vault-app backup, so it cannot "
                  "be restored. Nothing was changed. Keep the file; try another backup.")
STALE = ("This vault was changed (in another window or process) since the plan was "
         "shown, so nothing was merged. The plan below is made again from the vault as "
         "it is now: check the choices, then merge again.")


def close_backup_dialog(window: MainWindow) -> None:
    """On lock: wipe (passwords, labels) and close the backup dialog on show."""
    dialog, window.backup_dialog = window.backup_dialog, None
    if dialog is not None:
        dialog.wipe()  # type: ignore[attr-defined]  # each backup dialog has wipe()


def _keep(window: MainWindow, dialog: QtWidgets.QDialog) -> None:
    close_backup_dialog(window)
    window.backup_dialog = dialog

    def finished(_result: int) -> None:
        if window.backup_dialog is dialog:
            window.backup_dialog = None
            dialog.wipe()  # type: ignore[attr-defined]
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


def _on_show(window: MainWindow, dialog: QtWidgets.QDialog, vault: Vault) -> bool:
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


# --- export ------------------------------------------------------------------------------
def open_export(window: MainWindow) -> None:
    vault = window.vault
    if vault is None:
        return
    from vault_app.gui.backup.export_dialog import ExportDialog

    selected = window.current_entry()
    stamp = time.strftime("%Y-%m-%d")
    default = vault.path.parent / f"{vault.path.stem} backup {stamp}.vault"
    dialog = ExportDialog(vault.entries, [selected.id] if selected else [], default, window)
    dialog.choose_file_requested.connect(lambda: _choose_export_file(dialog))
    dialog.export_requested.connect(
        lambda path, password, ids, master: _confirm_export(window, dialog, vault, path,
                                                            password, ids, master))
    _keep(window, dialog)


def _choose_export_file(dialog: ExportDialog) -> None:
    # Replacing a file is asked by us (default No), after the file dialog, so that the
    # answer reaches export_backup(overwrite=...).
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        dialog, "Export backup to", dialog.path.text(), VAULT_FILES,
        options=QtWidgets.QFileDialog.Option.DontConfirmOverwrite)
    if path:
        dialog.path.setText(path)


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
        if replace and _on_show(window, dialog, vault):
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
            Vault.open(vault.path, password).lock()
        return export_backup(vault, path, password, entry_ids=ids, overwrite=overwrite)

    def done(report: ExportReport) -> None:
        if window.vault is not vault:
            return
        records = report.journal_records
        text = (f"Backup verified: {report.key_count} key{'s' if report.key_count != 1 else ''}"
                f", {records} journal record{'s' if records != 1 else ''}, {report.path}")
        window.statusBar().showMessage(text)  # told even if the dialog was closed meanwhile
        if _on_show(window, dialog, vault):
            dialog.show_done(text)

    def failed(exc: BaseException) -> None:
        if _on_show(window, dialog, vault):
            dialog.show_error(export_error(exc, master))
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


# --- restore -----------------------------------------------------------------------------
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
    _keep(window, dialog)


def _choose_backup(dialog: RestoreDialog, folder: Path) -> None:
    path, _ = QtWidgets.QFileDialog.getOpenFileName(dialog, "Backup to restore", str(folder),
                                                    VAULT_FILES)
    if path:
        dialog.backup_path.setText(path)


def _choose_new(dialog: RestoreDialog, folder: Path) -> None:
    path, _ = QtWidgets.QFileDialog.getSaveFileName(
        dialog, "New vault from the backup", str(folder / "restored.vault"), VAULT_FILES,
        options=QtWidgets.QFileDialog.Option.DontConfirmOverwrite)  # we never overwrite
    if path:
        dialog.new_path.setText(path)


def restore_error(exc: BaseException) -> str:
    if isinstance(exc, errors.WrongPassword):
        return WRONG_BACKUP_PASSWORD
    if isinstance(exc, errors.VaultDamaged | errors.UnsupportedVersion
                  | errors.KdfParamsOutOfRange):
        return f"{DAMAGED_BACKUP}\n({error_message(exc)})"
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
        if not _on_show(window, dialog, vault):
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
            _show_plan(window, vault, path.name, backup, plan)

    def failed(exc: BaseException) -> None:
        if _on_show(window, dialog, vault):
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
        if switch and _on_show(window, dialog, vault):
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


# --- merge -------------------------------------------------------------------------------
def _show_plan(window: MainWindow, vault: Vault, name: str, backup: Backup,
               plan: Any) -> None:
    from vault_app.gui.backup.merge_dialog import MergeDialog

    dialog = MergeDialog(name, window)
    dialog.set_plan(plan, backup.made_at)
    dialog.merge_requested.connect(lambda: _confirm_merge(window, dialog, vault, backup))
    _keep(window, dialog)  # replaces (and wipes) the restore dialog


def _confirm_merge(window: MainWindow, dialog: MergeDialog, vault: Vault,
                   backup: Backup) -> None:
    from vault_app.gui.backup.merge_dialog import summary

    plan = dialog.plan
    if plan is None or window.read_only:
        return
    choices = dialog.choices()
    box = ask(dialog, "Merge the backup?", f"{summary(plan, choices)}.\n\nThis is one save "
              "of this vault; the keys and choices are those shown.", "&Merge")
    dialog.question = box

    def answered() -> None:
        dialog.question = None
        go = box.buttonRole(box.clickedButton()) == QtWidgets.QMessageBox.ButtonRole.YesRole
        if go and _on_show(window, dialog, vault):
            _merge(window, dialog, vault, backup, plan, choices)

    box.finished.connect(lambda _result: answered())
    box.finished.connect(lambda _result: box.deleteLater())
    box.open()


def _merge(window: MainWindow, dialog: MergeDialog, vault: Vault, backup: Backup, plan: Any,
           choices: dict[str, str]) -> None:
    from vault_app.backups.errors import MergeStale
    from vault_app.backups.merge import apply_merge, plan_merge
    from vault_app.gui.vault_page import refresh

    dialog.set_busy(True)

    def done(report: MergeReport) -> None:
        refresh(window)
        problem = f" {report.journal_problem}." if report.journal_problem else ""
        window.statusBar().showMessage(
            f"Merged the backup: {merged_text(report)}; saved at "
            f"{time.strftime('%H:%M:%S')}.{problem}")
        if window.backup_dialog is dialog:
            dialog.accept()

    def replanned(new_plan: Any) -> None:
        if _on_show(window, dialog, vault):
            refresh(window)
            dialog.set_busy(False)
            dialog.set_plan(new_plan, backup.made_at)
            dialog.error.show_message(STALE)

    def failed(exc: BaseException) -> None:
        if not _on_show(window, dialog, vault):
            return
        if isinstance(exc, MergeStale):
            def again() -> Any:  # from the vault as it is now on disk
                vault.reload()
                return plan_merge(vault, backup)

            window.ops.run(again, replanned, lambda e: _merge_failed(dialog, e), writes=True)
        else:
            _merge_failed(dialog, exc)

    window.save(lambda v: apply_merge(v, plan, choices), done, failed, announce=False)


def _merge_failed(dialog: MergeDialog, exc: BaseException) -> None:
    dialog.set_busy(False)
    dialog.error.show_message(f"Nothing was merged: {error_message(exc)}")


def merged_text(report: MergeReport) -> str:
    """"added 3, replaced 1, kept both 1, skipped 2, 4 order records"."""
    parts = [f"added {len(report.added)}"]
    parts += [f"{what} {len(done)}" for what, done in (
        ("replaced", report.replaced), ("kept both", report.copied),
        ("skipped", report.skipped)) if done]
    if report.journal_records:
        parts.append(f"{report.journal_records} order record"
                     f"{'s' if report.journal_records != 1 else ''}")
    return ", ".join(parts)
