"""Garbage collection on the UI thread only (after pyqtgraph's ``GarbageCollector``).

Python collects cyclic garbage in whichever thread happens to allocate when a
generation's threshold is crossed: with workers running network calls, that is often
a worker. Collecting there frees Qt wrappers and PySide's slot connections (a lambda
connected to a signal), whose clean-up takes Qt's locks and then the interpreter's:
while the UI thread, holding the interpreter, waits for one of those Qt locks (a
window being destroyed), both wait forever. The test suite hung there once.

So automatic collection is switched off and a timer on the UI thread collects what
the thresholds ask for, as Python would have, a moment later. Objects without cycles
are still freed at once by reference counting; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc

from vault_app.gui.qt import QtCore

INTERVAL_MS = 250

_collector: _Collector | None = None


class _Collector(QtCore.QObject):
    def __init__(self, parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)

    def collect(self) -> None:
        """Collect the oldest generation whose threshold is crossed (as ``gc`` does)."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                gc.collect(generation)
                return


def install() -> None:
    """Collect on the UI thread from now on (once per process; call it on the UI thread
    with the application running: ``OpRunner`` does, before its first worker)."""
    global _collector
    app = QtCore.QCoreApplication.instance()
    if app is None:
        return
    if _collector is None or _collector.parent() is not app:
        _collector = _Collector(app)
    gc.disable()
    _collector.timer.start()


def uninstall() -> None:
    """Automatic collection again (tests, between windows)."""
    if _collector is not None:
        _collector.timer.stop()
    gc.enable()


def installed() -> bool:
    return _collector is not None and _collector.timer.isActive() and not gc.isenabled()
