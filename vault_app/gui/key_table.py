"""The key list's view: a table that says what to do next when it shows no rows.

Tab leaves the table (it does not walk cell by cell, changing the selected key),
so the keyboard reaches the search box, the detail pane and its buttons.
"""

from __future__ import annotations

from vault_app.gui.qt import Qt, QtGui, QtWidgets


class KeyTable(QtWidgets.QTableView):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabKeyNavigation(False)
        self._placeholder = ""

    @property
    def placeholder(self) -> str:
        """The hint painted over the table while it has no rows ("" for none)."""
        return self._placeholder

    def set_placeholder(self, text: str) -> None:
        if text != self._placeholder:
            self._placeholder = text
            self.setAccessibleDescription(text)
            self.viewport().update()

    def placeholder_shown(self) -> bool:
        model = self.model()
        return bool(self._placeholder) and model is not None and model.rowCount() == 0

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.placeholder_shown():
            return
        painter = QtGui.QPainter(self.viewport())
        color = self.palette().color(QtGui.QPalette.ColorGroup.Disabled,
                                     QtGui.QPalette.ColorRole.Text)
        painter.setPen(color)
        font = QtGui.QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         self._placeholder)
        painter.end()
