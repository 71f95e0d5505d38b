"""Exchange names are shown in characters the UI font has, never as boxes."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from vault_app.core.exchanges import load_catalog
from vault_app.gui.glyphs import drawable
from vault_app.gui.qt import QtGui, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import open_add_form

CIRCLED_S = "\N{CIRCLED LATIN CAPITAL LETTER S}"


def missing(text: str, font: QtGui.QFont) -> list[str]:
    metrics = QtGui.QFontMetrics(font)
    return [ch for ch in text if not metrics.inFontUcs4(ord(ch))]


def test_a_missing_glyph_falls_back_to_its_plain_form(qapp: QtWidgets.QApplication) -> None:
    font = qapp.font()
    name = f"Binance USD{CIRCLED_S}-M"
    if missing(CIRCLED_S, font):
        assert drawable(name, font) == "Binance USDS-M"
    else:  # a font that has the glyph keeps the real name
        assert drawable(name, font) == name
    assert drawable("OKX (okx)", font) == "OKX (okx)"


def test_every_exchange_name_in_the_key_form_is_drawable(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    assert "binanceusdm" in load_catalog()  # the name with the circled S
    form = open_add_form(qtbot, window)
    combo = form.exchange
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert any("binanceusdm" in t for t in texts)
    undrawable = {t: missing(t, combo.font()) for t in texts if missing(t, combo.font())}
    assert undrawable == {}
    assert window.catalog().exchanges["binanceusdm"].id == "binanceusdm"  # ids unchanged
