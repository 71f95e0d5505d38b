"""Small reusable widgets: password fields that wipe themselves, inline errors.

Vault text (labels, notes, tags, URLs, error messages naming them) comes from a
file another program may have written: it is shown as plain text
(``plain_label``), or passed through ``escape`` where a label needs rich text.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from vault_app.core.plain_text import escape as escape_controls
from vault_app.gui.icons import eye_icon
from vault_app.gui.monospace import monospace_font
from vault_app.gui.qt import QtCore, QtGui, QtWidgets


def escape(text: str) -> str:
    """``text`` for a rich-text label: shown literally, never as markup."""
    return html.escape(text, quote=False)


def isolated(text: str) -> str:
    """Text from a file (a label of the vault, a backup, a version) for a sentence or a
    cell: control and bidi characters shown escaped (``\\u202e``), and the rest in a
    first-strong isolate, so that right-to-left letters in it never reorder the words
    around it (a1 #5)."""
    return f"\u2068{escape_controls(text)}\u2069"


def plain_label(text: str, parent: QtWidgets.QWidget | None = None) -> QtWidgets.QLabel:
    """A label that shows ``text`` literally, even if it looks like HTML."""
    label = QtWidgets.QLabel(text, parent)
    label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    return label


def plain_message_box(parent: QtWidgets.QWidget, icon: QtWidgets.QMessageBox.Icon, title: str,
                      text: str) -> QtWidgets.QMessageBox:
    """A message box whose text is shown literally (it may quote vault data)."""
    box = QtWidgets.QMessageBox(icon, title, text, QtWidgets.QMessageBox.StandardButton.NoButton,
                                parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    return box


class _EnterFilter(QtCore.QObject):
    def __init__(self, field: QtWidgets.QWidget, action: Callable[[], object]) -> None:
        super().__init__(field)
        self._action = action

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() == QtCore.QEvent.Type.KeyPress and isinstance(event, QtGui.QKeyEvent) \
                and event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter):
            self._action()
            return True  # consumed: the dialog's default button never sees this Enter
        return False


def on_enter(field: QtWidgets.QWidget, action: Callable[[], object]) -> None:
    """Enter in ``field`` runs ``action`` and goes no further.

    ``returnPressed`` is not enough: QLineEdit lets the same key event on to the
    dialog, which clicks its default button, and by then that may be Cancel (the
    action disabled itself while busy, and focus fell on Cancel: u1 H1).
    """
    field.installEventFilter(_EnterFilter(field, action))


def wipe(field: QtWidgets.QLineEdit) -> None:
    """Overwrite a field's text before clearing it (after Electrum)."""
    length = len(field.text())
    if length:
        field.setText("\0" * length)
    field.clear()


class PasswordField(QtWidgets.QLineEdit):
    """A masked line edit with an eye button to show/hide it. Its text is never logged.

    The eye is a line-edit action: Qt keeps the text (and the dots) clear of it.
    ``monospace`` shows the text in a fixed-pitch font, for secrets read character by
    character (l, I and 1 differ).
    """

    def __init__(self, placeholder: str = "", parent: QtWidgets.QWidget | None = None,
                 *, monospace: bool = False) -> None:
        super().__init__(parent)
        self.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(False)
        if monospace:
            self.setFont(monospace_font(self.font()))
        self.reveal_action = self.addAction(
            eye_icon(self, revealed=False), QtWidgets.QLineEdit.ActionPosition.TrailingPosition)
        self.reveal_action.setCheckable(True)
        self.reveal_action.setToolTip("Show")
        self.reveal_action.toggled.connect(self.set_revealed)

    def set_revealed(self, revealed: bool) -> None:
        self.setEchoMode(QtWidgets.QLineEdit.EchoMode.Normal if revealed
                         else QtWidgets.QLineEdit.EchoMode.Password)
        self.reveal_action.setToolTip("Hide" if revealed else "Show")
        self.reveal_action.setIcon(eye_icon(self, revealed))
        if self.reveal_action.isChecked() != revealed:
            self.reveal_action.setChecked(revealed)

    def wipe(self) -> None:
        self.set_revealed(False)
        wipe(self)


class WrapLabel(QtWidgets.QLabel):
    """A word-wrapped label whose size hint is its height at the width it has.

    QLabel's own hint is for a width it picks itself (two short lines, say); a
    QFormLayout then gives the label that height even when it is laid out wider,
    leaving gaps around one-line messages.
    """

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # never markup, whatever it holds

    def sizeHint(self) -> QtCore.QSize:
        hint = super().sizeHint()
        if self.wordWrap() and self.width() > 0 and self.text():
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the hint follows the width


class InlineError(WrapLabel):
    """A red message under a field; hidden when empty."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, *,
                 reserve: bool = False) -> None:
        super().__init__("", parent)
        self.setObjectName("inlineError")
        self.setStyleSheet("color: #c62828;")
        if reserve:  # its line is kept while hidden: the fields above never move (u1 L7)
            policy = self.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.setSizePolicy(policy)
            self.setMinimumHeight(self.fontMetrics().lineSpacing())
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        self.setAccessibleDescription(text)
