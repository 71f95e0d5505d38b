"""The detail pane shows every credential row whole, without scrolling sideways."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import select


def test_three_credentials_fit_without_a_horizontal_scroll_bar(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    """Found under Xvfb: at the default size an OKX key (API key, secret, passphrase)
    scrolled sideways and its Copy buttons were cut off at the pane's edge."""
    window = unlocked
    window.resize(1100, 680)
    select(qtbot, window, "OKX main")
    pane = window.detail
    assert list(pane.rows) == ["apiKey", "secret", "password"]
    body = pane.widget()
    qtbot.waitUntil(lambda: body.width() >= body.minimumSizeHint().width() > 100)  # laid out
    qtbot.waitUntil(lambda: pane.horizontalScrollBar().maximum() == 0)
    viewport = pane.viewport()
    for row in pane.rows.values():
        copy = row.findChild(QtWidgets.QToolButton, f"copy_{row.name}")
        assert copy is not None
        corner = copy.mapTo(viewport, QtCore.QPoint(copy.width(), copy.height()))
        assert viewport.rect().contains(corner - QtCore.QPoint(1, 1)), row.name
