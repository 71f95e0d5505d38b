"""The result of an order says what the exchange reported: a filled market order its
average price, cost and fee; a stop-limit that it waits for its trigger; a cancel one
spelling; a closed review that nothing was sent. Real demo exchange over HTTP."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import click, type_into
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    fill_limit,
    idle,
    open_trading,
    review_and_confirm,
    states_shown,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.review_dialogs import PreviewDialog
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange
from vault_app.trading.preview import grouped


def choose_type(view: object, kind: str) -> None:
    combo = view.ticket.order_type  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(kind))


def test_a_filled_market_order_states_its_average_price_cost_and_fee(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    choose_type(view, "market")
    type_into(qtbot, view.ticket.amount, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: view.status.text().startswith("Order FILLED"), timeout=TIMEOUT)
    idle(qtbot, trading_window)
    [trade] = demo.trades_for(demo.trading_key.api_key)
    text = view.status.text()
    average, cost = grouped(trade.price), grouped(trade.quote_qty)
    assert f"filled 0.001 at {average} USDT on average (cost {cost} USDT, fee " in text, text
    fee = f"fee {format(trade.commission.normalize(), 'f')} {trade.commission_asset})"
    assert fee in text, text


def test_a_stop_limit_waits_for_its_trigger(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    click(qtbot, view.ticket.sell)
    choose_type(view, "stop-limit")
    type_into(qtbot, view.ticket.stop_price, "55000")
    type_into(qtbot, view.ticket.price, "54000")
    type_into(qtbot, view.ticket.amount, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: view.status.text().startswith("Order OPEN"), timeout=TIMEOUT)
    idle(qtbot, trading_window)
    text = view.status.text()
    assert "waiting for its trigger at 55,000" in text and "book" not in text, text


def test_a_cancel_and_a_closed_review_say_it_in_one_spelling(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    window = trading_window
    view = open_trading(qtbot, window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.waitUntil(view.ticket.review.isEnabled)
    click(qtbot, view.ticket.review)
    qtbot.waitUntil(lambda: isinstance(window.trading_dialog, PreviewDialog), timeout=TIMEOUT)
    preview = window.trading_dialog
    assert isinstance(preview, PreviewDialog)
    click(qtbot, preview.cancel)
    assert view.status.text() == "Review closed; nothing was sent."
    review_and_confirm(qtbot, window)
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, window)
    view.open_orders.table.selectRow(0)
    click(qtbot, view.open_orders.cancel)
    box = window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    yes = next(b for b in box.buttons() if b.text().replace("&", "").startswith("Yes"))
    click(qtbot, yes)
    qtbot.waitUntil(lambda: view.status.text().startswith("Cancelled"), timeout=TIMEOUT)
    idle(qtbot, window)
    assert view.status.text() == "Cancelled: BUY 0.001 BTC/USDT at 50,000."
