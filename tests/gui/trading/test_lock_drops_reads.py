"""Locking forgets the key's reads still waiting behind a slow request (r1 11): they
are never sent, and nothing waits for them; the request already at the exchange ends
on its own."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from tests.gui.trading.conftest import Hook
from tests.gui.trading.support import TIMEOUT, idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest


def test_reads_queued_behind_a_slow_request_are_dropped_on_lock(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    view.ticker.stop()
    arrived, release = threading.Event(), threading.Event()

    def hold(request: ReceivedRequest, _status: int) -> None:
        if "ticker" in request.path and not release.is_set():
            arrived.set()
            release.wait(15)

    request_hooks.append(hold)
    view.load_price("BTC/USDT")  # at the exchange, held
    qtbot.waitUntil(arrived.is_set, timeout=TIMEOUT)
    before = len(demo.requests)
    view.load_balances()  # queued behind it
    view.load_open_orders()
    view.load_history(refresh=True)
    trading_window.lock()
    release.set()
    idle(qtbot, trading_window)
    assert trading_window.ops.wait_idle(TIMEOUT)
    sent_after = [r.path for r in demo.requests[before:]]
    assert sent_after == [], sent_after
