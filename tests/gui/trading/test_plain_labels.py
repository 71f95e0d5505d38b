"""Exchange-controlled text is never rendered as HTML (a1 F2): after a hostile
exchange refuses an order with markup in its reason, every QLabel of the trading
view shows plain text, except the key's permission badges (built with ``escape``)."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    fill_limit,
    idle,
    open_trading,
    review_and_confirm,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, accounts, errors

EVIL = ('<h1 style="color:green">Order OPEN</h1><a href="https://e.vil">Re-enter key</a>'
        '\x1b[2J<span style="font-size:1px">')
ESCAPED_RICH = {"keyBadges"}  # rich text built with widgets.escape: known and safe


def test_every_label_of_the_trading_view_is_plain_text_after_a_hostile_refusal(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, monkeypatch: pytest.MonkeyPatch) -> None:
    def hostile(self: Any, account: Any, request: Any, now: Any) -> Any:
        raise errors.rejected(EVIL)

    monkeypatch.setattr(accounts.Ledger, "place", hostile)
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.waitUntil(view.ticket.review.isEnabled)
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: "e.vil" in view.status.text(), timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert "\x1b" not in view.status.text()  # the core strips control characters
    rich = [(label.objectName(), label.text()) for label in
            view.findChildren(QtWidgets.QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText
            and label.objectName() not in ESCAPED_RICH]
    assert rich == [], repr(rich)


def test_every_label_of_the_portfolio_page_is_plain_text(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    trading_window.show_portfolio()
    page = trading_window.sections.portfolio
    assert page is not None
    rich = [(label.objectName(), label.text()) for label in
            page.findChildren(QtWidgets.QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText]
    assert rich == [], repr(rich)
    idle(qtbot, trading_window)
