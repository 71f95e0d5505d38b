"""Copy a secret to the clipboard, marked sensitive, and clear it again.

The copy carries ``x-kde-passwordManagerHint: secret`` so clipboard managers
(Klipper, GPaste, ...) do not keep it in their history. After the timeout the
clipboard is cleared, but only if it still holds our value: if the user copied
something else meanwhile, we leave it alone. Until then ``countdown`` reports
the whole seconds left, once a second, for the status bar.
"""

from __future__ import annotations

from vault_app.gui.qt import QtCore, QtGui, Signal

PASSWORD_MANAGER_HINT = "x-kde-passwordManagerHint"


class SecretClipboard(QtCore.QObject):
    copied = Signal(str, int)  # what was copied (a field name, not the value), seconds
    countdown = Signal(str, int)  # what was copied, whole seconds until it is cleared
    cleared = Signal()  # we cleared the clipboard
    released = Signal()  # the countdown ended without clearing (the user copied over it)

    def __init__(self, seconds: int, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.seconds = seconds
        self._value: str | None = None
        self._what = ""
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self._ticker = QtCore.QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)

    @staticmethod
    def _board() -> QtGui.QClipboard:
        return QtGui.QGuiApplication.clipboard()

    def copy(self, value: str, what: str) -> None:
        data = QtCore.QMimeData()
        data.setText(value)
        data.setData(PASSWORD_MANAGER_HINT, QtCore.QByteArray(b"secret"))
        self._board().setMimeData(data)
        self._value = value
        self._what = what
        self._timer.start(self.seconds * 1000)
        self._ticker.start()
        self.copied.emit(what, self.seconds)
        self.countdown.emit(what, self.seconds)

    @property
    def seconds_left(self) -> int:
        """Whole seconds until the clipboard is cleared, rounded up; 0 if nothing is held."""
        if self._value is None:
            return 0
        return max(0, -(-self._timer.remainingTime() // 1000))

    def _tick(self) -> None:
        if self._value is None:
            self._ticker.stop()
        elif self._board().text() != self._value:  # copied over: nothing left to clear
            self._stop()
            self.released.emit()
        elif self.seconds_left > 0:
            self.countdown.emit(self._what, self.seconds_left)

    @property
    def holds_secret(self) -> bool:
        return self._value is not None

    def clear(self) -> None:
        """Clear the clipboard if it still holds what we put there."""
        held = self._value is not None
        ours = held and self._board().text() == self._value
        self._stop()
        if ours:
            self._board().clear()
            self.cleared.emit()
        elif held:
            self.released.emit()

    def _stop(self) -> None:
        self._timer.stop()
        self._ticker.stop()
        self._value = None
        self._what = ""
