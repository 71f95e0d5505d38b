"""The one place the GUI imports Qt from, so that workarounds live here.

Only PySide6-Essentials modules are used (QtCore, QtGui, QtWidgets, QtSvg).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

Qt = QtCore.Qt
Signal = QtCore.Signal
Slot = QtCore.Slot

__all__ = ["Qt", "QtCore", "QtGui", "QtSvg", "QtWidgets", "Signal", "Slot"]
