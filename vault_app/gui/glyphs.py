"""Text the UI font can draw: a character the font lacks is replaced by its
compatibility form ("Binance USDⓈ-M" becomes "Binance USDS-M") instead of
showing as a box. Only names are changed for display; ids stay as they are."""

from __future__ import annotations

import dataclasses
import unicodedata

from vault_app.core.exchanges import Catalog
from vault_app.gui.qt import QtGui


def drawable(text: str, font: QtGui.QFont) -> str:
    metrics = QtGui.QFontMetrics(font)
    if all(ch.isascii() or metrics.inFontUcs4(ord(ch)) for ch in text):
        return text
    out = []
    for ch in text:
        if ch.isascii() or metrics.inFontUcs4(ord(ch)):
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKC", ch)
        out.append(plain if all(metrics.inFontUcs4(ord(c)) for c in plain) else ch)
    return "".join(out)


def drawable_catalog(catalog: Catalog, font: QtGui.QFont) -> Catalog:
    """``catalog`` with every exchange name made drawable in ``font``."""
    exchanges = {key: dataclasses.replace(info, name=drawable(info.name, font))
                 for key, info in catalog.exchanges.items()}
    return dataclasses.replace(catalog, exchanges=exchanges)
