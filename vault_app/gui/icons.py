"""Small icons drawn from the SVGs in ``resources/icons``, in the palette's text colour.

The SVGs use ``currentColor``; it is replaced before rendering, so the icons follow
the light and dark themes. If an SVG cannot be read, a theme icon stands in.
"""

from __future__ import annotations

from functools import cache

from vault_app.gui.qt import QtCore, QtGui, QtSvg, QtWidgets
from vault_app.resources import resource_path

_SIZES = (16, 20, 24, 32, 48)


@cache
def _svg(name: str) -> str:
    try:
        return resource_path(f"icons/{name}.svg").read_text(encoding="utf-8")
    except OSError:
        return ""


def svg_icon(name: str, color: QtGui.QColor, fallback: str = "") -> QtGui.QIcon:
    """``resources/icons/<name>.svg`` drawn in ``color`` at the usual icon sizes."""
    text = _svg(name)
    renderer = QtSvg.QSvgRenderer(
        QtCore.QByteArray(text.replace("currentColor", color.name()).encode("utf-8")))
    if not text or not renderer.isValid():
        return QtGui.QIcon.fromTheme(fallback) if fallback else QtGui.QIcon()
    icon = QtGui.QIcon()
    for size in _SIZES:
        pixmap = QtGui.QPixmap(size, size)
        pixmap.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def eye_icon(widget: QtWidgets.QWidget, revealed: bool) -> QtGui.QIcon:
    """An open eye (press to show) or a struck-out eye (press to hide)."""
    color = widget.palette().color(QtGui.QPalette.ColorRole.ButtonText)
    if revealed:
        return svg_icon("eye-off", color, "view-hidden")
    return svg_icon("eye", color, "view-visible")
