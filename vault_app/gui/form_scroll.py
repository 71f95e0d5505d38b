"""A scroll area for a dialog's form body: it asks for the whole body, and scrolls
only when the screen (or the user) leaves less room.

QScrollArea's own size hint is capped (about 24 lines) and ignores height-for-width,
so a dialog built on it would neither grow with its content nor give wrapped labels
their height. This one reports the body's height for the width it actually has, and
a minimum that keeps the body's full width (no horizontal scrolling, nothing cut off
at the side) and a few lines of height.
"""

from __future__ import annotations

from vault_app.gui.qt import Qt, QtCore, QtWidgets

MIN_LINES = 14  # the least height the body keeps before the dialog refuses to shrink
MIN_CHARS = 56  # and the least width, so fields stay wide enough to read a key in
PREFERRED_CHARS = 84  # the width it asks for: a 64-character key shows whole


class FormScrollArea(QtWidgets.QScrollArea):
    def __init__(self, body: QtWidgets.QWidget, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from field to field
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QtWidgets.QAbstractScrollArea.SizeAdjustPolicy.AdjustIgnored)
        self.setWidget(body)

    def _extra_width(self) -> int:
        """Frame plus a vertical scroll bar, reserved so it never covers the body."""
        bar = self.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent,
                                       None, self)
        return 2 * self.frameWidth() + bar

    def body_height(self, width: int) -> int:
        """The height the body needs at ``width`` (its height-for-width when it has one)."""
        body = self.widget()
        height = body.heightForWidth(width) if body.hasHeightForWidth() else -1
        return height if height > 0 else body.sizeHint().height()

    def sizeHint(self) -> QtCore.QSize:
        body = self.widget()
        preferred = self.fontMetrics().horizontalAdvance("x") * PREFERRED_CHARS
        width = max(body.sizeHint().width(), body.minimumSizeHint().width(), preferred)
        inner = self.viewport().width() if self.isVisible() else width
        inner = max(inner, body.minimumSizeHint().width())
        return QtCore.QSize(width + self._extra_width(),
                            self.body_height(inner) + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QtCore.QSize:
        body = self.widget()
        lines = self.fontMetrics().lineSpacing() * MIN_LINES
        height = min(lines, self.sizeHint().height())
        floor = self.fontMetrics().horizontalAdvance("x") * MIN_CHARS
        width = max(body.minimumSizeHint().width() + self._extra_width(), floor)
        return QtCore.QSize(width, height + 2 * self.frameWidth())
