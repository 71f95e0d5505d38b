"""In the trading view, against the demo exchange: the ticket never carries an order
over a lock, to another key or to another market (u1: Market and 0.01 BTC survived a
lock; a BTC price landed on an ETH ticket)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import type_into, unlock
from tests.gui.trading.support import TIMEOUT, choose_key, fill_limit, idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange


def test_lock_and_unlock_bring_back_an_empty_limit_ticket(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    ticket = view.ticket
    ticket.order_type.setCurrentIndex(ticket.order_type.findData("market"))
    type_into(qtbot, ticket.amount, "0.01")
    trading_window.lock()
    unlock(qtbot, trading_window)
    view = open_trading(qtbot, trading_window, "trader")
    assert view.ticket.kind == "limit"
    assert (view.ticket.amount.text(), view.ticket.price.text()) == ("", "")


def test_another_key_or_market_empties_the_ticket(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    ticket = view.ticket
    fill_limit(qtbot, view, "59000", "0.01")
    view.symbols.choose("ETH/USDT")
    qtbot.waitUntil(lambda: ticket.title.text() == "Order · ETH/USDT", timeout=TIMEOUT)
    assert (ticket.amount.text(), ticket.price.text()) == ("", "")  # no BTC price on ETH
    idle(qtbot, trading_window)
    fill_limit(qtbot, view, "2900", "0.5")
    choose_key(qtbot, view, "watcher")
    qtbot.waitUntil(lambda: view.symbols.chosen is not None, timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert (ticket.amount.text(), ticket.price.text()) == ("", "")
    assert "can only view" in ticket.messages["key"].text()
    assert not ticket.amount.isEnabled()
