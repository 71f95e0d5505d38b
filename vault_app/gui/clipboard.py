"""Copy a secret to the clipboard, marked sensitive, and clear it again.

The copy carries ``x-kde-passwordManagerHint: secret`` so clipboard managers
(Klipper, GPaste, ...) do not keep it in their history. After the timeout the
clipboard is cleared, but only if it still holds our value: if the user copied
something else meanwhile, we leave it alone.
"""

from __future__ import annotations

from vault_app.gui.qt import QtCore, QtGui, Signal

PASSWORD_MANAGER_HINT = "x-kde-passwordManagerHint"


class SecretClipboard(QtCore.QObject):
    copied = Signal(str, int)  # what was copied (a field name, not the value), seconds
    cleared = Signal()

    def __init__(self, seconds: int, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.seconds = seconds
        self._value: str | None = None
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)

    @staticmethod
    def _board() -> QtGui.QClipboard:
        return QtGui.QGuiApplication.clipboard()

    def copy(self, value: str, what: str) -> None:
        data = QtCore.QMimeData()
        data.setText(value)
        data.setData(PASSWORD_MANAGER_HINT, QtCore.QByteArray(b"secret"))
        self._board().setMimeData(data)
        self._value = value
        self._timer.start(self.seconds * 1000)
        self.copied.emit(what, self.seconds)

    @property
    def holds_secret(self) -> bool:
        return self._value is not None

    def clear(self) -> None:
        """Clear the clipboard if it still holds what we put there."""
        self._timer.stop()
        if self._value is not None and self._board().text() == self._value:
            self._board().clear()
            self.cleared.emit()
        self._value = None
