"""Each key's work runs in its own queue, one op at a time, and a result of a key no
longer chosen is never shown for the key chosen now. Real demo exchange over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from tests.gui.trading.conftest import Hook
from tests.gui.trading.support import TIMEOUT, choose_key, idle, open_trading, place_with_core
from vault_app.core.model import KeyEntry
from vault_app.gui.trading.view import TradingView
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest
from vault_app.trading.money import money_text

ACCOUNT = "/api/v3/account"


def usdt_shown(view: TradingView) -> tuple[str, ...] | None:
    model = view.balances.model
    for row in range(model.rowCount()):
        if model.item(row, 0).text() == "USDT":
            return tuple(model.item(row, column).text() for column in range(1, 4))
    return None


def usdt_of(demo: DemoExchange, api_key: str) -> tuple[str, ...]:
    balance = demo.balances_for(api_key)["USDT"]
    free, used = balance.free, balance.locked
    return tuple(money_text(value, pad=False) for value in (free, used, free + used))


def test_a_late_result_of_the_previous_key_is_not_shown_for_the_chosen_one(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook], vault_path: Path) -> None:
    window = trading_window
    place_with_core(vault_path)  # the trader's USDT is partly locked: the keys differ
    trader, watcher = usdt_of(demo, demo.trading_key.api_key), usdt_of(demo,
                                                                       demo.read_key.api_key)
    assert trader != watcher
    view = open_trading(qtbot, window, "watcher")
    assert usdt_shown(view) == watcher
    release = threading.Event()
    held: list[str] = []

    def hold_watchers_account(request: ReceivedRequest, status: int) -> None:
        if request.path == ACCOUNT and \
                request.headers.get("X-MBX-APIKEY") == demo.read_key.api_key:
            held.append(request.path)
            release.wait(TIMEOUT / 1000)

    request_hooks.append(hold_watchers_account)
    view.balances.refresh.click()  # the watcher's balances: held at the exchange
    qtbot.waitUntil(lambda: held != [], timeout=TIMEOUT)
    choose_key(qtbot, view, "trader")
    qtbot.waitUntil(lambda: usdt_shown(view) == trader, timeout=TIMEOUT)
    free_in_ticket = dict(view.ticket._free or {})
    release.set()  # the watcher's answer arrives now, for a key no longer chosen
    idle(qtbot, window)
    assert usdt_shown(view) == trader
    assert view.ticket._free == free_in_ticket
    assert view.ticket._free is not None
    assert view.ticket._free["USDT"] == Decimal(trader[0].replace(",", ""))
    assert view.entry is not None and view.entry.label == "trader"


def test_the_ops_of_one_key_run_one_at_a_time(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    window = trading_window
    assert window.vault is not None
    session = window.sessions.session(window.vault, window.vault.find("trader"))
    guard = threading.Lock()
    running = {"ops": 0, "requests": 0}
    most = {"ops": 0, "requests": 0}
    seen = {"ops": 0, "requests": 0}
    widen = threading.Event()  # never set: each op and request lasts a moment longer

    def enter(kind: str) -> None:
        with guard:
            running[kind] += 1
            seen[kind] += 1
            most[kind] = max(most[kind], running[kind])

    def leave(kind: str) -> None:
        with guard:
            running[kind] -= 1

    def counted(method: Callable[..., Any]) -> Callable[..., Any]:
        def op(*args: Any, **kwargs: Any) -> Any:
            enter("ops")
            try:
                widen.wait(0.05)
                return method(*args, **kwargs)
            finally:
                leave("ops")
        return op

    for name in ("balances", "open_orders", "history", "reconcile"):
        setattr(session, name, counted(getattr(session, name)))

    def in_flight(request: ReceivedRequest, status: int) -> None:
        if request.headers.get("X-MBX-APIKEY") == demo.trading_key.api_key:
            enter("requests")
            widen.wait(0.05)
            leave("requests")

    request_hooks.append(in_flight)
    view = open_trading(qtbot, window, "trader")
    for panel in (view.balances, view.open_orders, view.history):  # all at once
        panel.refresh.click()
    idle(qtbot, window)
    assert seen["ops"] >= 6 and seen["requests"] >= 4, seen
    assert most == {"ops": 1, "requests": 1}, most
