"""After each save: the automatic copy to the second folder (``backups.copies`` does the
work), and the save's warning if keeping a previous version failed (``save_warning``).

The copy runs in the background (one at a time: the ``second-folder`` op queue), after
the save it follows has completed, so the save never waits for it and never fails
because of it. A failure (folder missing, full, not writable) is told once in the
status bar, and not again until a copy succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.backups.copies import (
    CopyFailed,
    CopyReport,
    copy_due,
    refresh_copies,
    write_copy,
)
from vault_app.core.errors import VaultLocked
from vault_app.core.vault import Vault
from vault_app.core.vault_format import KeySlot
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtCore, Signal

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

QUEUE = "second-folder"


def failure_notice(folder: Path, exc: BaseException) -> str:
    if isinstance(exc, CopyFailed):  # its words say the vault is saved and what to do
        return f"Automatic copy to {folder} failed. {error_message(exc)}"
    why = error_message(exc).rstrip(".")
    return f"Automatic copy to {folder} failed: {why}; your vault is saved."


class SecondFolderCopies(QtCore.QObject):
    """Attached to the window: copies after its saves, and on request (a refresh)."""

    finished = Signal(object)  # a CopyReport, or the exception (tests wait on it)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.failing = False  # a failure was told and no copy succeeded since
        self.notice = ""  # the last failure told
        window.saved.connect(self.after_save)

    def after_save(self, _path: str = "") -> None:
        vault = self.window.vault
        if vault is None or self.window.in_demo_vault:
            return
        warning = vault.save_warning  # keeping a previous version failed: the save did not
        if warning:  # after the window's "Saved at…", which this save's result shows first
            QtCore.QTimer.singleShot(0, lambda: self.window.statusBar().showMessage(
                f"Saved, but no previous version was kept: {warning}."))
        config = self.window.settings.second_folder(vault.given_path)
        if config.folder is None:
            return
        interval = timedelta(minutes=config.interval_minutes) or None
        last = self.window.settings.last_copy_at(vault.given_path)
        if copy_due(last, interval, datetime.now(UTC)):
            self.copy(vault, config.folder, config.keep)

    def copy(self, vault: Vault, folder: Path, keep: int, *, refresh: bool = False,
             then: Callable[[CopyReport | BaseException], None] | None = None,
             earlier: tuple[KeySlot, ...] = ()) -> None:
        """Write a copy in the background (``refresh``: and remove every older one,
        those sealed under the ``earlier`` key slots of a password change too)."""
        def work() -> CopyReport:
            if refresh:
                return refresh_copies(vault, folder, earlier=earlier)
            return write_copy(vault, folder, keep)

        def done(report: CopyReport) -> None:
            self.window.settings.set_last_copy_at(vault.given_path, datetime.now(UTC))
            self.failing = False
            self._finish(report, then)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, VaultLocked) or self.window.vault is not vault:
                return  # locked meanwhile: nothing to tell
            if not self.failing:
                self.notice = failure_notice(folder, exc)
                self.window.statusBar().showMessage(self.notice)
                self.failing = True
            self._finish(exc, then)

        self.window.ops.run(work, done, failed, queue=QUEUE)

    def _finish(self, result: CopyReport | BaseException,
                then: Callable[[CopyReport | BaseException], None] | None) -> None:
        if then is not None:
            then(result)
        self.finished.emit(result)
