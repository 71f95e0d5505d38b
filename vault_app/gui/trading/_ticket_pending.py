"""TEMPORARY stand-ins until t1-ticket's review dialogs are merged."""

from __future__ import annotations

from typing import Any

from vault_app.gui.qt import QtWidgets


class PreviewDialog(QtWidgets.QDialog):
    def __init__(self, preview: Any, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)


ConfirmDialog = PreviewDialog
