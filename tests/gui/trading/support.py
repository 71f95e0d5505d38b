"""Driving the trading view as a user does, and placing an order "elsewhere" (through
the core, as another front end would) for the view to find."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.e2e.trading_support import ORDER_PATH
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt
from vault_app.gui.trading.view import TradingView
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession

TIMEOUT = 20_000
RESTING_PRICE = "50000"  # a limit buy below the demo's BTC/USDT price: it rests


def idle(qtbot: QtBot, window: MainWindow) -> None:
    """Every op delivered (markets, prices, balances, orders)."""
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=TIMEOUT)


def open_trading(qtbot: QtBot, window: MainWindow, label: str | None = None) -> TradingView:
    """Ctrl+T, then (if given) pick the key ``label`` in the picker; wait until its
    markets, price, balances and orders are loaded."""
    from tests.gui.helpers import reactivate

    reactivate(qtbot, window)  # offscreen, a closed dialog may keep the keyboard
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    view = window.sections.trading
    assert view is not None and view.isVisible()
    if label is not None:
        choose_key(qtbot, view, label)
    qtbot.waitUntil(lambda: view.symbols.chosen is not None, timeout=TIMEOUT)
    idle(qtbot, window)
    return view


def choose_key(qtbot: QtBot, view: TradingView, label: str) -> None:
    combo = view.keys.combo
    texts = [combo.itemText(index) for index in range(combo.count())]
    wanted = next(index for index, text in enumerate(texts) if text.startswith(f"{label} "))
    combo.setFocus()
    while combo.currentIndex() != wanted:
        key = Qt.Key.Key_Down if combo.currentIndex() < wanted else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)
    assert view.entry is not None and view.entry.label == label


def order_posts(demo: DemoExchange) -> list[ReceivedRequest]:
    return [r for r in demo.requests if r.method == "POST" and r.path == ORDER_PATH]


def cancels(demo: DemoExchange) -> list[ReceivedRequest]:
    return [r for r in demo.requests if r.method == "DELETE" and r.path == ORDER_PATH]


def place_with_core(vault_path: Path, label: str = "trader", amount: str = "0.001",
                    price: str = RESTING_PRICE) -> str:
    """Place a resting limit buy through the core (another front end); its client id."""
    vault = Vault.open(vault_path, PASSWORD)
    try:
        entry = vault.find(label)
        session = TradingSession(vault, entry)
        preview = session.preview(parse_order(entry.id, "BTC/USDT", "buy", "limit", amount,
                                              price))
        placement = session.place(preview)
        session.close()
        assert placement.problem is None, placement.problem
        return placement.order.client_order_id
    finally:
        vault.lock()


def fill_limit(qtbot: QtBot, view: TradingView, price: str, amount: str) -> None:
    """Buy, type Limit (the default), the price and the amount, typed as a user does."""
    from tests.gui.helpers import click, type_into

    ticket = view.ticket
    if not ticket.buy.isChecked():
        click(qtbot, ticket.buy)
    assert ticket.order_type.currentData() in (None, "limit") or \
        ticket.order_type.currentText() == "Limit"
    type_into(qtbot, ticket.price, price)
    type_into(qtbot, ticket.amount, amount)


def review_and_confirm(qtbot: QtBot, window: MainWindow) -> None:
    """Click Review, then Continue in the signed request's dialog, then Place."""
    from tests.gui.helpers import click, wait_for_dialog
    from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog

    view = window.sections.trading
    assert view is not None
    click(qtbot, view.ticket.review)
    qtbot.waitUntil(lambda: isinstance(window.trading_dialog, PreviewDialog), timeout=TIMEOUT)
    preview = window.trading_dialog
    assert isinstance(preview, PreviewDialog)
    wait_for_dialog(qtbot, preview)
    assert preview.cancel.isDefault()
    click(qtbot, preview.proceed)
    qtbot.waitUntil(lambda: isinstance(window.trading_dialog, ConfirmDialog), timeout=TIMEOUT)
    confirm = window.trading_dialog
    assert isinstance(confirm, ConfirmDialog)
    wait_for_dialog(qtbot, confirm)
    assert confirm.cancel.isDefault()
    click(qtbot, confirm.proceed)


def states_shown(view: TradingView) -> list[str]:
    return [str(order.get("state")) for order in view.open_orders.orders()]
