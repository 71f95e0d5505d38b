"""Locking while an order is at the exchange: the lock does not wait for it (the UI
thread never blocks), the order is not abandoned (placement is journal-first and
finishes in its worker), its result is said in the status bar, and after unlocking
the journal shows it. The key's "last used" cannot be recorded on a locked vault:
that must not turn an accepted order into a failure. Choosing another key while an
order is at the exchange does not lose its answer either."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from tests.e2e.trading_support import ORDER_PATH
from tests.gui.helpers import reactivate, unlock
from tests.gui.trading.conftest import Hook
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    choose_key,
    fill_limit,
    idle,
    open_trading,
    order_posts,
    review_and_confirm,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest


def test_an_order_at_the_exchange_when_the_vault_locks_completes_and_is_reported(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    arrived = threading.Event()
    release = threading.Event()
    released_in_time: list[bool] = []

    def hold(request: ReceivedRequest, _status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            arrived.set()
            released_in_time.append(release.wait(15))

    request_hooks.append(hold)
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(arrived.is_set, timeout=TIMEOUT)  # the order is at the server

    messages: list[str] = []
    trading_window.statusBar().messageChanged.connect(messages.append)
    trading_window.lock()  # returns at once: nothing waits for the held answer
    assert trading_window.vault is None
    assert view.open_orders.orders() == [] and view.entry is None
    release.set()
    qtbot.waitUntil(lambda: any("before the vault was locked" in m for m in messages),
                    timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert released_in_time == [True]
    said = next(m for m in messages if "before the vault was locked" in m)
    assert "accepted by the exchange" in said, said
    assert len(order_posts(demo)) == 1
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "NEW"

    unlock(qtbot, trading_window)
    view = open_trading(qtbot, trading_window, "trader")
    [logged] = view.history.orders()
    assert logged["client_order_id"] == held.client_order_id
    assert logged["state"] == "OPEN"
    assert [order["client_order_id"] for order in view.open_orders.orders()] == \
        [held.client_order_id]


def test_an_order_sent_before_another_key_was_chosen_is_still_reported(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    arrived = threading.Event()
    release = threading.Event()

    def hold(request: ReceivedRequest, _status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            arrived.set()
            release.wait(15)

    request_hooks.append(hold)
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(arrived.is_set, timeout=TIMEOUT)
    reactivate(qtbot, trading_window)
    choose_key(qtbot, view, "watcher")
    assert not view.ticket.review.isEnabled()
    release.set()
    qtbot.waitUntil(lambda: "“trader”" in view.status.text(), timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert view.status.text() == "The order sent with “trader” is OPEN."
    assert not view.submit.in_flight
    assert len(order_posts(demo)) == 1
