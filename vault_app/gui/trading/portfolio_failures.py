"""The Portfolio page's "Keys that could not be read": a line per key with the core's
reason and fix, as tall as its text (a scroll bar past ``MAX_HEIGHT``), hidden when no
key failed. Labels and reasons are shown through ``core.plain_text.escape``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from vault_app.core.plain_text import escape
from vault_app.gui.qt import QtCore, QtGui, QtWidgets
from vault_app.gui.theme import warning_color
from vault_app.gui.trading.field_message import current_app
from vault_app.gui.widgets import WrapLabel, plain_label

if TYPE_CHECKING:
    from vault_app.trading.portfolio import KeyFailure

MAX_HEIGHT = 180
"""Pixels the reasons take at most; more scroll."""
MIN_HEIGHT = 40
"""Pixels they may be squeezed to in a short window (they scroll then)."""


def failure_line(failure: KeyFailure) -> str:
    key = failure.key
    where = key.endpoint if key.endpoint.endswith(f" {key.exchange}") \
        else f"{key.exchange}, {key.endpoint}"  # "LIVE binance", not "binance, LIVE binance"
    return f"{escape(key.label)} ({escape(where)}): {escape(failure.text)}"


class _Fitted(QtWidgets.QScrollArea):
    """A scroll area whose size hint is its content's height, up to ``MAX_HEIGHT``."""

    def sizeHint(self) -> QtCore.QSize:
        hint = super().sizeHint()
        inner = self.widget()
        if inner is not None:
            layout = inner.layout()
            width = self.viewport().width()
            height = (layout.heightForWidth(width) if layout is not None
                      and layout.hasHeightForWidth() and width > 0
                      else inner.sizeHint().height())
            hint.setHeight(min(height + 2 * self.frameWidth(), MAX_HEIGHT))
        return hint

    def minimumSizeHint(self) -> QtCore.QSize:
        # A scroll area's own minimum makes room for a whole vertical scroll bar (about
        # 70 px): a one-line reason would sit in a block that tall.
        hint = super().minimumSizeHint()
        hint.setHeight(min(self.sizeHint().height(), MIN_HEIGHT))
        return hint

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the text wraps differently: another height


class FailuresBox(QtWidgets.QWidget):
    """``show_failures(failures)``; ``texts()`` is what it shows."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("portfolioFailuresBox")
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                           QtWidgets.QSizePolicy.Policy.Maximum)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.title = plain_label("Keys that could not be read", self)
        self.title.setObjectName("portfolioFailuresTitle")
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        layout.addWidget(self.title)
        self.area = _Fitted(self)
        self.area.setObjectName("portfolioFailures")
        self.area.setAccessibleName("Keys that could not be read")
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                                QtWidgets.QSizePolicy.Policy.Maximum)
        inner = QtWidgets.QWidget(self.area)
        self._lines = QtWidgets.QVBoxLayout(inner)
        self._lines.setContentsMargins(4, 3, 4, 3)
        self._lines.setSpacing(4)
        self._lines.addStretch(1)  # lines at the top when the area is taller than them
        self.area.setWidget(inner)
        layout.addWidget(self.area)
        self._labels: list[QtWidgets.QLabel] = []

    def show_failures(self, failures: Sequence[KeyFailure]) -> None:
        self.clear()
        color = warning_color(current_app())
        for failure in failures:
            label = WrapLabel(failure_line(failure), self.area.widget())
            label.setObjectName("portfolioFailure")
            label.setStyleSheet(f"color: {color};")
            label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
                                          | QtCore.Qt.TextInteractionFlag.TextSelectableByKeyboard)
            label.setProperty("keyId", failure.key.id)
            self._lines.insertWidget(len(self._labels), label)
            self._labels.append(label)
        self.setVisible(bool(failures))
        self.area.updateGeometry()

    def clear(self) -> None:
        for label in self._labels:
            self._lines.removeWidget(label)
            label.deleteLater()
        self._labels = []
        self.hide()

    def texts(self) -> list[str]:
        return [label.text() for label in self._labels]

