"""A message under a field of the trading panel, coloured for what it is.

``error`` (the palette's warning red) is for what stops the order; ``soft`` (the
palette's placeholder grey) for hints and progress ("Enter a price…", "Loading…");
``notice`` (amber) for warnings that do not stop it; ``plain`` for text to read
(roundings, the estimate). Red then keeps meaning "this is wrong".
"""

from __future__ import annotations

from vault_app.gui.qt import QtCore, QtGui, QtWidgets
from vault_app.gui.theme import is_dark, warning_color
from vault_app.gui.trading.trade_colors import notice_color
from vault_app.gui.widgets import WrapLabel


def current_app() -> QtWidgets.QApplication:
    """The running application (its palette decides the colours)."""
    app = QtWidgets.QApplication.instance()
    assert isinstance(app, QtWidgets.QApplication)
    return app


def sentence(text: str) -> str:
    """``text`` with its first letter capitalised, the rest as the core wrote it."""
    return text[:1].upper() + text[1:]


class FieldMessage(WrapLabel):
    """Hidden when empty; its colour follows the palette (light or dark)."""

    KINDS = ("error", "soft", "notice", "plain")

    def __init__(self, name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName(name)
        self.kind = "error"
        self._painting = False
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str, kind: str = "error") -> None:
        assert kind in self.KINDS, kind
        self.kind = kind
        self.setText(sentence(text))
        self.setAccessibleDescription(self.text())
        self._paint()
        self.setVisible(bool(text))

    def _paint(self) -> None:
        self._painting = True  # a style sheet changes the palette: no recursion
        try:
            self.setStyleSheet(self.style_sheet())
        finally:
            self._painting = False

    def style_sheet(self) -> str:
        app = current_app()
        if self.kind == "error":
            return f"color: {warning_color(app)};"
        if self.kind == "notice":
            return f"color: {notice_color(is_dark(app))};"
        if self.kind == "soft":
            # The application's grey, not this label's palette: a red style sheet set
            # for an earlier error has already tinted that one.
            grey = app.palette().color(QtGui.QPalette.ColorRole.PlaceholderText).name()
            return f"color: {grey};"
        return ""

    def minimumSizeHint(self) -> QtCore.QSize:
        """Never squeezed below its wrapped height: a message cut in half misleads."""
        hint = super().minimumSizeHint()
        if self.text() and self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if (event.type() == QtCore.QEvent.Type.PaletteChange and self.text()
                and not self._painting):
            self._paint()
