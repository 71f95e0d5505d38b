"""The symbol picker: a busy indicator while markets load, a search that filters and
picks with the keyboard, markets from the disk cache the second time; and an error of
the exchange shown in plain words with its fix."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from tests.gui.helpers import unlock
from tests.gui.trading.support import (
    TIMEOUT,
    fill_limit,
    idle,
    open_trading,
    order_posts,
    review_and_confirm,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange

MARKETS_PATH = "/api/v3/exchangeInfo"


def test_markets_load_with_a_busy_indicator_then_come_from_the_disk_cache(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    window = trading_window
    window.show_trading()
    view = window.sections.trading
    assert view is not None
    assert view.symbols.busy.isVisible() and "Loading the markets" in view.symbols.status.text()
    assert view.symbols.model.rowCount() == 0 and view.ticket.review.isEnabled() is False
    qtbot.waitUntil(lambda: view.symbols.chosen is not None, timeout=TIMEOUT)
    assert not view.symbols.busy.isVisible()
    assert view.symbols.model.stringList() == ["BTC/USDT", "ETH/BTC", "ETH/USDT"]
    idle(qtbot, window)
    assert [r.path for r in demo.requests].count(MARKETS_PATH) == 1

    window.lock()
    unlock(qtbot, window)
    view = open_trading(qtbot, window)
    assert view.symbols.model.rowCount() == 3
    assert [r.path for r in demo.requests].count(MARKETS_PATH) == 1  # from the disk cache


def test_the_search_filters_symbols_and_enter_picks_one(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    picker = view.symbols
    picker.search.setFocus()
    qtbot.keyClicks(picker.search, "ethu")  # no slash needed
    shown = [picker.proxy.index(row, 0).data() for row in range(picker.proxy.rowCount())]
    assert shown == ["ETH/USDT"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert picker.chosen == "ETH/USDT"
    assert view.ticket.title.text().endswith("ETH/USDT")
    idle(qtbot, trading_window)
    assert view.ticket.last_price.text().endswith("USDT") and view.ticket.amount_unit.text() \
        == "ETH"


def test_an_order_the_exchange_refuses_is_said_with_its_fix_and_not_as_open(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    qtbot.waitUntil(lambda: "100,000 USDT" in view.ticket.available.text(), timeout=TIMEOUT)
    # Spent elsewhere after the ticket read the balance (the ticket's own balance check
    # would say a larger order inline): only the exchange knows, and refuses.
    with demo._backend.lock:
        demo._backend.state.ledger.accounts[demo.trading_key.api_key].balance("USDT").free \
            = Decimal("1000")
    fill_limit(qtbot, view, "50000", "1")  # 50,000 USDT: more than the 1,000 now held
    qtbot.waitUntil(view.ticket.review.isEnabled)
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: "REJECTED" in view.status.text(), timeout=TIMEOUT)
    idle(qtbot, trading_window)
    text = view.status.text()
    assert "\n" in text, text  # the message, then its fix on a line of its own
    assert "Traceback" not in text
    assert view.open_orders.orders() == []
    assert len(order_posts(demo)) == 1
    assert [order["state"] for order in view.history.orders()] == ["REJECTED"]
    assert view.ticket.review.isEnabled()  # the ticket keeps the numbers to fix them


def test_markets_that_cannot_load_say_why_and_load_again_on_request(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    from tests.gui.helpers import click

    demo.faults.unavailable = True  # HTTP 503 to everything
    window = trading_window
    window.show_trading()
    view = window.sections.trading
    assert view is not None
    qtbot.waitUntil(view.symbols.retry.isVisible, timeout=TIMEOUT)
    idle(qtbot, window)
    text = view.symbols.status.text()
    assert text.startswith("The markets could not be loaded: ") and "\n" in text, text
    assert "Traceback" not in text and view.symbols.model.rowCount() == 0
    assert not view.ticket.review.isEnabled()
    demo.faults.unavailable = False
    click(qtbot, view.symbols.retry)
    qtbot.waitUntil(lambda: view.symbols.chosen == "BTC/USDT", timeout=TIMEOUT)
    assert not view.symbols.retry.isVisible() and not view.symbols.busy.isVisible()
    idle(qtbot, window)
