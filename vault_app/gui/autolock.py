"""Lock the vault after N idle minutes, and optionally when minimised."""

from __future__ import annotations

from vault_app.gui.qt import QtCore, QtGui, Signal

_ACTIVITY = frozenset({
    QtCore.QEvent.Type.KeyPress, QtCore.QEvent.Type.MouseButtonPress,
    QtCore.QEvent.Type.MouseMove, QtCore.QEvent.Type.Wheel,
    QtCore.QEvent.Type.TouchBegin,
})


class IdleWatcher(QtCore.QObject):
    """Watches user input application-wide; emits ``idle`` after the timeout."""

    idle = Signal()

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self._msecs = 0
        app = QtGui.QGuiApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_timeout(self, msecs: int) -> None:
        """0 disables the watcher."""
        self._msecs = msecs
        self.restart()

    def restart(self) -> None:
        if self._msecs > 0:
            self._timer.start(self._msecs)
        else:
            self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start(self._msecs)
        return False
