"""Open orders, history and balances of the chosen key, against the demo exchange over
HTTP; cancel asks first, No by default."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.gui.helpers import click, wait_for_dialog
from tests.gui.trading.support import (
    cancels,
    choose_key,
    idle,
    open_trading,
    order_posts,
    place_with_core,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange


def test_the_view_shows_the_keys_balances_and_an_order_placed_elsewhere(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, vault_path: Path) -> None:
    cid = place_with_core(vault_path)
    view = open_trading(qtbot, trading_window, "trader")
    assert view.symbols.chosen == "BTC/USDT"
    balances = {view.balances.model.item(row, 0).text():
                view.balances.model.item(row, 3).text()
                for row in range(view.balances.model.rowCount())}
    held = demo.balances_for(demo.trading_key.api_key)
    assert set(balances) == {asset for asset, b in held.items() if b.free + b.locked}
    [shown] = view.open_orders.orders()
    assert shown["client_order_id"] == cid and shown["state"] == "OPEN"
    [logged] = view.history.orders()
    assert logged["client_order_id"] == cid
    assert view.keys.environment.text().startswith("Custom URL: http://127.0.0.1:")


def test_cancel_asks_first_no_is_the_default_and_yes_cancels_on_the_server(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, vault_path: Path) -> None:
    cid = place_with_core(vault_path)
    view = open_trading(qtbot, trading_window, "trader")
    panel = view.open_orders
    assert not panel.cancel.isEnabled()  # nothing selected yet
    panel.table.selectRow(0)
    click(qtbot, panel.cancel)
    box = trading_window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    assert box.defaultButton().text().replace("&", "").startswith("No")
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: keep the order
    qtbot.waitUntil(lambda: trading_window.trading_dialog is None)
    idle(qtbot, trading_window)
    assert cancels(demo) == []

    panel.table.selectRow(0)
    click(qtbot, panel.cancel)
    box = trading_window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    yes = next(b for b in box.buttons() if b.text().replace("&", "").startswith("Yes"))
    click(qtbot, yes)
    qtbot.waitUntil(lambda: panel.orders() == [], timeout=20_000)
    idle(qtbot, trading_window)
    assert len(cancels(demo)) == 1 and cancels(demo)[0].signed is not None
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.client_order_id == cid and held.status == "CANCELED"
    assert "Cancelled" in view.status.text()
    assert [order["state"] for order in view.history.orders()] == ["CANCELED"]
    assert len(order_posts(demo)) == 1  # the core's own order, nothing else


def test_a_read_key_views_orders_but_cannot_cancel(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, vault_path: Path) -> None:
    place_with_core(vault_path)
    view = open_trading(qtbot, trading_window, "watcher")
    assert "read-only" in view.keys.rights.text()
    assert view.open_orders.orders() == []  # the watcher's account has none
    choose_key(qtbot, view, "trader")
    idle(qtbot, trading_window)
    assert len(view.open_orders.orders()) == 1
    view.open_orders.table.selectRow(0)
    assert view.open_orders.cancel.isEnabled()
    choose_key(qtbot, view, "watcher")
    idle(qtbot, trading_window)
    assert not view.open_orders.cancel.isEnabled()


def test_locking_closes_the_cancel_question_and_forgets_everything_shown(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, vault_path: Path) -> None:
    place_with_core(vault_path)
    view = open_trading(qtbot, trading_window, "trader")
    view.open_orders.table.selectRow(0)
    click(qtbot, view.open_orders.cancel)
    box = trading_window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    trading_window.lock()
    assert trading_window.trading_dialog is None
    qtbot.waitUntil(lambda: not box.isVisible())
    assert view.open_orders.orders() == [] and view.history.orders() == []
    assert view.balances.model.rowCount() == 0
    assert view.keys.combo.count() == 0 and view.entry is None
    assert len(trading_window.sessions) == 0
    idle(qtbot, trading_window)
    assert cancels(demo) == []
