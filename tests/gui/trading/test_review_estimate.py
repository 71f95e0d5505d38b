"""The review and the confirmation write the estimate as the ticket does (the quote's
decimals), and say so in one line when a fresh price moved it (u2 N4)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import click, type_into
from tests.gui.trading.support import TIMEOUT, idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.review_dialogs import PreviewDialog
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange.demo import DemoExchange


def test_a_fresh_price_is_said_in_the_review(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    demo.set_price("BTC/USDT", "60000.13")
    view = open_trading(qtbot, trading_window, "trader")
    idle(qtbot, trading_window)
    ticket = view.ticket
    ticket.order_type.setCurrentIndex(ticket.order_type.findData("market"))
    type_into(qtbot, ticket.amount, "0.01")
    qtbot.waitUntil(ticket.review.isEnabled, timeout=TIMEOUT)
    assert "600.0013" not in ticket.estimate.text()
    assert "600 USDT" in ticket.estimate.text()  # 600.0013 at the quote's 2 decimals
    demo.set_price("BTC/USDT", "61234.5678")  # moves before the review asks again
    click(qtbot, ticket.review)
    qtbot.waitUntil(lambda: isinstance(trading_window.trading_dialog, PreviewDialog),
                    timeout=TIMEOUT)
    dialog = trading_window.trading_dialog
    assert isinstance(dialog, PreviewDialog)
    assert dialog.preview.summary.endswith("≈ 612.35 USDT")
    moved = dialog.findChild(QtWidgets.QLabel, "estimateMoved")
    assert moved is not None
    assert moved.text() == "≈ 612.35 USDT at the latest price (the ticket showed 600)"
    dialog.reject()
