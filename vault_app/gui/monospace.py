"""Fonts for text a person must read exactly: secrets in a fixed-pitch font, and names
with symbols the interface font may lack."""

from __future__ import annotations

from functools import cache

from vault_app.gui.qt import QtGui

# Tried in order when the system's fixed font turns out not to be fixed-pitch.
_FALLBACKS = ("DejaVu Sans Mono", "Noto Mono", "Liberation Mono", "Cascadia Mono",
              "Consolas", "Menlo", "SF Mono", "Courier New", "Nimbus Mono PS")
_PROBE = "lI1|0OWm."  # look-alikes in a proportional font, all one width in a fixed one


def is_monospace(font: QtGui.QFont) -> bool:
    metrics = QtGui.QFontMetrics(font)
    return len({metrics.horizontalAdvance(char) for char in _PROBE}) == 1


@cache
def _monospace_family() -> str:
    font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
    if is_monospace(font):
        return QtGui.QFontInfo(font).family()
    installed = set(QtGui.QFontDatabase.families())
    for family in _FALLBACKS:
        if family in installed and is_monospace(QtGui.QFont(family)):
            return family
    return QtGui.QFontInfo(font).family()  # the best there is


def monospace_font(base: QtGui.QFont) -> QtGui.QFont:
    """``base`` (its size) in a fixed-pitch family, so l, I and 1 differ and line up."""
    font = QtGui.QFont(base)
    font.setFamilies([_monospace_family()])
    font.setStyleHint(QtGui.QFont.StyleHint.TypeWriter)
    font.setFixedPitch(True)
    return font
