"""The Portfolio page's save dialog for "Export CSV…": Qt's own file dialog (the same
on every desktop, so the warning fits in it), titled and noted "not encrypted"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vault_app.gui.qt import QtWidgets
from vault_app.gui.theme import warning_color
from vault_app.gui.widgets import plain_label

NOT_ENCRYPTED = "The CSV file is not encrypted: anyone who can read it sees your balances."


class ExportDialog(QtWidgets.QFileDialog):
    """Qt's save dialog that asks ``check(path)`` before it closes: a refusal (the vault
    itself, a file that is not an export) is said in the dialog, which stays open."""

    def __init__(self, parent: QtWidgets.QWidget, check: Callable[[Path], str | None]
                 ) -> None:
        super().__init__(parent, "Export portfolio as CSV (not encrypted)")
        self.check = check
        self.refusal = plain_label("", self)
        self.refusal.setObjectName("exportRefusal")
        self.refusal.setWordWrap(True)
        self.refusal.hide()

    def accept(self) -> None:
        chosen = self.selectedFiles()
        why = self.check(Path(chosen[0])) if chosen else None
        if why:
            self.refusal.setText(f"Not exported: {why}")
            self.refusal.show()
            return
        self.refusal.hide()
        super().accept()


def export_dialog(parent: QtWidgets.QWidget,
                  check: Callable[[Path], str | None] = lambda _path: None) -> ExportDialog:
    """A save dialog for ``portfolio.csv`` in the home folder, not yet open."""
    dialog = ExportDialog(parent, check)
    dialog.setObjectName("portfolioExportDialog")
    dialog.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QtWidgets.QFileDialog.FileMode.AnyFile)
    dialog.setNameFilter("CSV files (*.csv)")
    dialog.setDefaultSuffix("csv")
    dialog.setOption(QtWidgets.QFileDialog.Option.DontUseNativeDialog)
    dialog.setLabelText(QtWidgets.QFileDialog.DialogLabel.Accept, "Export")
    dialog.setDirectory(str(Path.home()))
    dialog.selectFile("portfolio.csv")
    grid = dialog.layout()  # Qt's own dialog: the warning goes under its fields
    if isinstance(grid, QtWidgets.QGridLayout):
        note = plain_label(NOT_ENCRYPTED, dialog)
        note.setObjectName("notEncryptedNote")
        app = QtWidgets.QApplication.instance()
        if isinstance(app, QtWidgets.QApplication):
            note.setStyleSheet(f"color: {warning_color(app)};")
            dialog.refusal.setStyleSheet(f"color: {warning_color(app)};")
        grid.addWidget(note, grid.rowCount(), 0, 1, grid.columnCount())
        grid.addWidget(dialog.refusal, grid.rowCount(), 0, 1, grid.columnCount())
    return dialog
