"""The order journal moved aside while an order is sent (what the journal-full message
tells the user to do; another process): the answer's state record never starts a new
journal without the order's details, and the window says the answer could not be
recorded instead of "reconciling…" forever or "never left" (a2 N2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.e2e.trading_support import ORDER_PATH
from tests.gui.trading.conftest import Hook
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    fill_limit,
    idle,
    open_trading,
    order_posts,
    review_and_confirm,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest
from vault_app.trading.journal import journal_path


@pytest.mark.parametrize("lost", [True, False], ids=["answer-lost", "answer-received"])
def test_a_journal_moved_during_the_send_is_not_replaced(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook], vault_path: Path,
        lost: bool) -> None:
    journal = journal_path(vault_path)
    aside = journal.with_name(journal.name + ".full-1")

    def move_aside(request: ReceivedRequest, status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            os.replace(journal, aside)

    request_hooks.append(move_aside)
    view = open_trading(qtbot, trading_window, "trader")
    demo.faults.drop_after_accept = 1 if lost else 0
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: "could not be recorded" in view.status.text(),
                    timeout=TIMEOUT)
    idle(qtbot, trading_window)
    text = view.status.text()
    assert "moved aside or replaced" in text and "Put the journal back" in text
    assert "never left" not in text and "Not sent" not in text
    assert not view.submit.lookups.watching  # not looked up forever without its journal
    assert not journal.exists() and aside.exists()  # no new journal without the details
    assert [o.status for o in demo.orders_for(demo.trading_key.api_key)] == ["NEW"]
    assert len(order_posts(demo)) == 1
