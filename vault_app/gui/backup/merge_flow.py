"""Merge a backup into the open vault: the plan on show, the summary asked before
the one save, the save in the write worker, and a new plan when the vault changed
under it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from vault_app.core.vault import Vault
from vault_app.gui.backup.backup_flow import ask, keep_on_window, on_show
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets

if TYPE_CHECKING:
    from vault_app.backups.merge import MergeReport
    from vault_app.backups.restore import Backup
    from vault_app.gui.backup.merge_dialog import MergeDialog
    from vault_app.gui.window import MainWindow

STALE = ("This vault was changed (in another window or process) since the plan was "
         "shown, so nothing was merged. The plan below is made again from the vault as "
         "it is now: check the choices, then merge again.")


def show_plan(window: MainWindow, vault: Vault, name: str, backup: Backup,
              plan: Any) -> None:
    from vault_app.gui.backup.merge_dialog import MergeDialog

    dialog = MergeDialog(name, window)
    dialog.set_plan(plan, backup.made_at)
    dialog.merge_requested.connect(lambda: _confirm_merge(window, dialog, vault, backup))
    keep_on_window(window, dialog)  # replaces (and wipes) the restore dialog


def _confirm_merge(window: MainWindow, dialog: MergeDialog, vault: Vault,
                   backup: Backup) -> None:
    from vault_app.gui.backup.merge_dialog import summary

    plan = dialog.plan
    if plan is None or window.read_only:
        return
    choices = dialog.choices()
    box = ask(dialog, "Merge the backup?", f"{summary(plan, choices)}\n\nThis is one save "
              "of this vault; the keys and choices are those shown.", "&Merge")
    dialog.question = box

    def answered() -> None:
        dialog.question = None
        go = box.buttonRole(box.clickedButton()) == QtWidgets.QMessageBox.ButtonRole.YesRole
        if go and on_show(window, dialog, vault):
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
        if on_show(window, dialog, vault):
            refresh(window)
            dialog.set_busy(False)
            dialog.set_plan(new_plan, backup.made_at)
            dialog.error.show_message(STALE)

    def failed(exc: BaseException) -> None:
        if not on_show(window, dialog, vault):
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
