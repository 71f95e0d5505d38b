"""Render resources/icons/vault-app.svg to PNGs: resources/icons/vault-app-<N>.png.

Run with the project's venv; it needs no display (Qt's offscreen platform):
``.venv/bin/python resources/make_icons.py [SIZE ...]``.
The SVG is the source; the PNGs are committed for the hicolor icon theme
(see packaging/README.md) and for platforms that want raster icons.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
ICONS = Path(__file__).resolve().parent / "icons"
SOURCE = ICONS / "vault-app.svg"


def main(argv: list[str] | None = None) -> int:
    sizes = [int(arg) for arg in (sys.argv[1:] if argv is None else argv)] or list(SIZES)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtCore, QtGui, QtSvg

    _app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication([])
    renderer = QtSvg.QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"error: {SOURCE} is not a valid SVG", file=sys.stderr)
        return 1
    for size in sizes:
        image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(image)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QtCore.QRectF(0, 0, size, size))
        painter.end()
        out = ICONS / f"vault-app-{size}.png"
        if not image.save(str(out), "PNG"):
            print(f"error: could not write {out}", file=sys.stderr)
            return 1
        print(f"wrote {out.relative_to(ICONS.parent.parent)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
