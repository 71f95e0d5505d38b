"""History's "Mark as not placed…" is offered only for an order the core said looking
up cannot settle (``needs_user``), never while the app is still looking it up (a2 N1:
the order was NEW on the exchange and the journal said NOT_PLACED)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.e2e.trading_support import ORDER_PATH
from tests.gui.trading.conftest import Hook
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    fill_limit,
    open_trading,
    review_and_confirm,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest


def test_mark_is_not_offered_while_the_order_is_looked_up(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    window = trading_window
    refused: list[str] = []

    def outage(request: ReceivedRequest, status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            demo.faults.unavailable = True  # the answer is lost, the exchange goes down
        elif status == 503:
            refused.append(request.path)

    request_hooks.append(outage)
    view = open_trading(qtbot, window, "trader")
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, window)
    qtbot.waitUntil(lambda: len(refused) >= 1, timeout=TIMEOUT)
    view.load_history(refresh=False)
    qtbot.waitUntil(lambda: any(o["state"] in ("UNKNOWN", "PENDING")
                                for o in view.history.orders()), timeout=TIMEOUT)
    rows = view.history.orders()
    view.history.table.selectRow(next(i for i, o in enumerate(rows)
                                      if o["state"] in ("UNKNOWN", "PENDING")))
    assert view.submit.lookups.watching
    assert not view.history.mark.isEnabled()  # still looked up: never offered
    view.submit.lookups.mark_not_placed(view.history.selected() or {})
    assert window.trading_dialog is None  # nor asked by another route
    assert [o.status for o in demo.orders_for(demo.trading_key.api_key)] == ["NEW"]
