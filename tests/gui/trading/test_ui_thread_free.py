"""The UI thread stays free while the exchange is slow: a 20 ms QTimer keeps ticking
while each request is at the server. Checked structurally, not against a clock: the
server's ``on_request`` hook (on the server's thread, once a request is handled and
before it is answered) holds the answer until the timer has ticked three more times.
If the UI thread waited for that answer, the timer could not tick at all: the hook
would give up (after 5 s, a guard against hanging, not a measurement) having seen 0.
The largest gap between ticks is a figure for the benchmarks, not asserted here."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from tests.e2e.trading_support import ORDER_PATH
from tests.gui.trading.conftest import Hook
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
from vault_app.gui.qt import QtCore
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest

TICKS_WANTED = 3
GIVE_UP_S = 5.0


class TickWatch:
    """Counts a 20 ms timer's ticks on the UI thread; the hook notes, per request, how
    many ticks happened while the server held its answer."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.ticks = 0
        self.paths = paths
        self.seen: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self.timer = QtCore.QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks += 1

    def hook(self, request: ReceivedRequest, _status: int) -> None:
        if request.path not in self.paths:
            return
        start = self.ticks
        deadline = time.monotonic() + GIVE_UP_S
        while self.ticks < start + TICKS_WANTED and time.monotonic() < deadline:
            time.sleep(0.005)
        with self._lock:
            self.seen.append((f"{request.method} {request.path}", self.ticks - start))


def test_the_ui_thread_ticks_while_markets_prices_and_balances_load(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    demo.faults.latency = 0.3
    watch = TickWatch(("/api/v3/exchangeInfo", "/api/v3/ticker/24hr", "/api/v3/account"))
    request_hooks.append(watch.hook)
    watch.timer.start()
    try:
        open_trading(qtbot, trading_window, "trader")
    finally:
        watch.timer.stop()
    paths = {path for path, _ in watch.seen}
    assert {"GET /api/v3/exchangeInfo", "GET /api/v3/ticker/24hr",
            "GET /api/v3/account"} <= paths, watch.seen
    assert all(ticks >= TICKS_WANTED for _, ticks in watch.seen), watch.seen


def test_the_ui_thread_ticks_while_an_order_is_previewed_sent_and_listed(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    demo.faults.latency = 0.3
    watch = TickWatch((ORDER_PATH, "/api/v3/openOrders", "/api/v3/allOrders"))
    request_hooks.append(watch.hook)
    watch.timer.start()
    try:
        review_and_confirm(qtbot, trading_window)
        qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
        idle(qtbot, trading_window)
    finally:
        watch.timer.stop()
    paths = [path for path, _ in watch.seen]
    assert f"POST {ORDER_PATH}" in paths, watch.seen
    assert "GET /api/v3/openOrders" in paths, watch.seen  # the preview's, the listing's
    assert all(ticks >= TICKS_WANTED for _, ticks in watch.seen), watch.seen
