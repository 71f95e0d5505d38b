"""The Qt binding itself must not corrupt the interpreter.

PySide6 6.12.0 on CPython 3.11 drops one reference to ``None`` on every call of a
method that returns nothing (``None`` is immortal only from 3.12 on). The count
reaches zero after a few thousand calls and the app aborts with "Fatal Python
error: none_dealloc", in the middle of a session. The pinned release must not.
"""

from __future__ import annotations

import sys

from vault_app.gui.qt import QtCore, QtGui, QtWidgets


def test_void_calls_keep_the_reference_count_of_none(qapp: QtWidgets.QApplication) -> None:
    label = QtWidgets.QLabel("x")
    image = QtGui.QImage(8, 8, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(200):
            label.setText("y")  # QWidget setter
            label.update()
            painter.save()  # QPainter, as a style's drawPrimitive calls it
            painter.drawRect(QtCore.QRectF(1, 1, 4, 4))
            painter.restore()
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # Other threads may hold or drop a few references meanwhile; a leak drops 1,000.
    assert abs(after - before) < 50, f"None lost {before - after} references in 1,000 calls"
