"""A secret that may span lines, such as a PEM private key, masked until revealed.

While hidden, the value lives in a masked one-line edit (typing and pasting work,
line breaks are kept, screen readers get no text). Revealed, it moves to a
multi-line editor in a fixed-pitch font, so a PEM block reads as it was written.
Only one of the two holds the value at a time; the other is wiped.
"""

from __future__ import annotations

from vault_app.gui.icons import eye_icon
from vault_app.gui.monospace import monospace_font
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.widgets import wipe

EDITOR_LINES = 6  # a 256-bit EC or Ed25519 PEM key fits without scrolling


def wipe_text(editor: QtWidgets.QPlainTextEdit) -> None:
    length = len(editor.toPlainText())
    if length:
        editor.setPlainText("\0" * length)
    editor.clear()


class SecretTextField(QtWidgets.QWidget):
    def __init__(self, placeholder: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        font = monospace_font(self.font())
        self.masked = QtWidgets.QLineEdit(self)
        self.masked.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.masked.setPlaceholderText(placeholder)
        self.masked.setFont(font)
        layout.addWidget(self.masked, 1, Qt.AlignmentFlag.AlignTop)
        self.editor = QtWidgets.QPlainTextEdit(self)
        self.editor.setFont(font)
        self.editor.setTabChangesFocus(True)
        self.editor.setPlaceholderText(placeholder)
        self.editor.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.editor.setWordWrapMode(self.editor.wordWrapMode().WrapAnywhere)
        margins = self.editor.contentsMargins()
        self.editor.setFixedHeight(
            self.editor.fontMetrics().lineSpacing() * EDITOR_LINES
            + int(self.editor.document().documentMargin() * 2)
            + margins.top() + margins.bottom())
        self.editor.hide()
        layout.addWidget(self.editor, 1)
        self.reveal = QtWidgets.QToolButton(self)
        self.reveal.setCheckable(True)
        self.reveal.setIcon(eye_icon(self, revealed=False))
        self.reveal.setToolTip("Show")
        self.reveal.setAutoRaise(True)
        self.reveal.toggled.connect(self.set_revealed)
        layout.addWidget(self.reveal, 0, Qt.AlignmentFlag.AlignTop)
        self.setFocusProxy(self.masked)

    # the QLineEdit-like surface the form uses
    def text(self) -> str:
        return self.editor.toPlainText() if self.revealed else self.masked.text()

    def setText(self, text: str) -> None:
        if self.revealed:
            self.editor.setPlainText(text)
        else:
            self.masked.setText(text)

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.masked.setAccessibleName(name)
        self.editor.setAccessibleName(name)
        self.reveal.setAccessibleName(f"Show or hide {name}")

    @property
    def revealed(self) -> bool:
        return self.reveal.isChecked()

    def set_revealed(self, revealed: bool) -> None:
        if self.reveal.isChecked() != revealed:
            self.reveal.setChecked(revealed)  # comes back here through toggled
            return
        showing = self.editor if revealed else self.masked
        had_focus = self.masked.hasFocus() or self.editor.hasFocus()
        if revealed and not self.editor.isVisibleTo(self):
            self.editor.setPlainText(self.masked.text())
            wipe(self.masked)
            self.masked.hide()
            self.editor.show()
        elif not revealed and not self.masked.isVisibleTo(self):
            self.masked.setText(self.editor.toPlainText())
            wipe_text(self.editor)
            self.editor.hide()
            self.masked.show()
        self.setFocusProxy(showing)
        self.reveal.setIcon(eye_icon(self, revealed))
        self.reveal.setToolTip("Hide" if revealed else "Show")
        if had_focus:
            showing.setFocus(Qt.FocusReason.OtherFocusReason)

    def wipe(self) -> None:
        self.set_revealed(False)
        wipe(self.masked)
        wipe_text(self.editor)
