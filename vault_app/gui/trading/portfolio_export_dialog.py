"""The Portfolio page's save dialog for "Export CSV…": Qt's own file dialog (the same
on every desktop, so the warning fits in it), titled and noted "not encrypted"."""

from __future__ import annotations

from pathlib import Path

from vault_app.gui.qt import QtWidgets
from vault_app.gui.theme import warning_color
from vault_app.gui.widgets import plain_label

NOT_ENCRYPTED = "The CSV file is not encrypted: anyone who can read it sees your balances."


def export_dialog(parent: QtWidgets.QWidget) -> QtWidgets.QFileDialog:
    """A save dialog for ``portfolio.csv`` in the home folder, not yet open."""
    dialog = QtWidgets.QFileDialog(parent, "Export portfolio as CSV (not encrypted)")
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
        grid.addWidget(note, grid.rowCount(), 0, 1, grid.columnCount())
    return dialog
