"""What the app says after the confirmation is true: an order the exchange accepted is
never "not sent"; a second accept of the confirmation sends and says nothing more; an
order of unknown outcome is looked up on the core's schedule until it is known (also
when another process settles it, or a lookup fails), and one that looking up cannot
settle can be marked not placed from History. Real demo exchange over HTTP."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.e2e.trading_support import ORDER_PATH
from tests.gui.helpers import click, wait_for_dialog
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
    states_shown,
)
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.orders_panel import RECONCILING
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.gui.trading.view import TradingView
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest
from vault_app.trading.journal import journal_path
from vault_app.trading.session import TradingSession

NOW = (0.0,)  # look again at once: the schedule's delays are the core's (unit-tested)


def outage_after_the_order(demo: DemoExchange, refused: list[str]) -> Hook:
    def hook(request: ReceivedRequest, status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            demo.faults.unavailable = True  # from right after the order was accepted
        elif status == 503:
            refused.append(f"{request.method} {request.path}")
    return hook


def test_an_accepted_order_whose_answer_cannot_be_journaled_is_shown_placed(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook], vault_path: Path) -> None:
    journal = journal_path(vault_path)

    def swap_journal(request: ReceivedRequest, status: int) -> None:
        # Another process moves the journal aside while the order is answered.
        if request.method == "POST" and request.path == ORDER_PATH and status == 200:
            os.replace(journal, journal.with_name(journal.name + ".old"))
            journal.write_bytes(b"not a journal")

    request_hooks.append(swap_journal)
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: view.status.text().startswith("Order OPEN"), timeout=TIMEOUT)
    request_hooks.clear()
    idle(qtbot, trading_window)
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "NEW" and len(order_posts(demo)) == 1
    text = view.status.text()
    assert "Not sent" not in text and "could not be recorded in the order journal" in text
    assert held.client_order_id in [o.get("client_order_id")
                                    for o in view.open_orders.orders()]


def test_a_second_accept_of_the_confirmation_sends_once_and_says_placed(
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
    wait_for_dialog(qtbot, preview)
    preview.proceed.click()
    preview.proceed.click()  # a second accept of the preview: one confirmation
    qtbot.waitUntil(lambda: isinstance(window.trading_dialog, ConfirmDialog), timeout=TIMEOUT)
    confirm = window.trading_dialog
    assert isinstance(confirm, ConfirmDialog)
    wait_for_dialog(qtbot, confirm)
    statuses: list[str] = []
    window.statusBar().messageChanged.connect(statuses.append)
    confirm.proceed.click()
    confirm.proceed.click()  # the second click of a double-click, already queued
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, window)
    assert len(order_posts(demo)) == 1
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "NEW"
    assert view.status.text().startswith("Order OPEN")
    assert not any(text.startswith("Not sent") for text in statuses), statuses


def test_no_order_is_chosen_for_cancel_after_placing(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    from tests.gui.helpers import reactivate

    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    reactivate(qtbot, trading_window)  # the keyboard back in the window, as on a desktop
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert not view.open_orders.table.hasFocus()
    assert view.open_orders.selected() is None
    assert not view.open_orders.cancel.isEnabled()


def test_an_order_settled_by_another_process_ends_reconciling(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook], vault_path: Path) -> None:
    refused: list[str] = []
    request_hooks.append(outage_after_the_order(demo, refused))
    view = open_trading(qtbot, trading_window, "trader")
    view.submit.lookups.schedule = NOW
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: len(refused) >= 1, timeout=TIMEOUT)
    assert states_shown(view) == [RECONCILING]
    held, release = threading.Event(), threading.Event()

    def hold_the_windows_next_lookup(request: ReceivedRequest, status: int) -> None:
        if not held.is_set():
            held.set()
            release.wait(TIMEOUT / 1000)

    request_hooks.append(hold_the_windows_next_lookup)
    qtbot.waitUntil(held.is_set, timeout=TIMEOUT)  # refused, and held at the exchange
    request_hooks.clear()
    demo.faults.unavailable = False
    # Another front end settles it through the core meanwhile.
    other = Vault.open(vault_path, PASSWORD)
    session = TradingSession(other, other.find("trader"), backoff=())
    [resolution] = session.reconcile()
    session.close()
    other.lock()
    assert resolution.resolved
    release.set()  # the window's lookup fails; the next one finds the journal's state
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: view.submit.stage is None, timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert "OPEN" in view.status.text() and RECONCILING not in view.status.text()
    assert len(order_posts(demo)) == 1


def test_a_failed_lookup_at_key_choice_is_tried_again_until_it_settles(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    window = trading_window
    refused: list[str] = []
    request_hooks.append(outage_after_the_order(demo, refused))
    view = open_trading(qtbot, window, "trader")
    view.submit.lookups.schedule = NOW
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, window)
    qtbot.waitUntil(lambda: len(refused) >= 1, timeout=TIMEOUT)
    choose_key(qtbot, view, "watcher")  # away and back while the exchange is down
    idle(qtbot, window)
    choose_key(qtbot, view, "trader")
    view.submit.lookups.schedule = NOW
    seen = len(refused)
    qtbot.waitUntil(lambda: len(refused) >= seen + 2, timeout=TIMEOUT)  # and again
    request_hooks.clear()
    demo.faults.unavailable = False  # back: the next look settles it, nothing pressed
    qtbot.waitUntil(lambda: [o["state"] for o in view.history.orders()] == ["OPEN"],
                    timeout=TIMEOUT)
    idle(qtbot, window)
    assert len(order_posts(demo)) == 1


def test_history_refresh_settles_unknown_orders_first(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    window = trading_window
    refused: list[str] = []
    request_hooks.append(outage_after_the_order(demo, refused))
    view = open_trading(qtbot, window, "trader")
    view.submit.lookups.schedule = (3600.0,)  # no look on the schedule: only the refresh
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, window)
    qtbot.waitUntil(lambda: len(refused) >= 1, timeout=TIMEOUT)
    choose_key(qtbot, view, "watcher")  # away and back while the exchange is down
    idle(qtbot, window)
    choose_key(qtbot, view, "trader")
    idle(qtbot, window)
    request_hooks.clear()
    demo.faults.unavailable = False
    assert [o["state"] for o in view.history.orders()] == ["UNKNOWN"]
    view.tabs.setCurrentWidget(view.history)
    click(qtbot, view.history.refresh)
    qtbot.waitUntil(lambda: [o["state"] for o in view.history.orders()] == ["OPEN"],
                    timeout=TIMEOUT)
    idle(qtbot, window)
    assert states_shown(view) == ["OPEN"]


def test_an_unknown_order_looking_up_cannot_settle_is_marked_not_placed_from_history(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, vault_path: Path) -> None:
    window = trading_window
    cid = unsettled_order(vault_path)  # journaled, never sent, no pinned window
    assert window.vault is not None
    window.sessions.session(window.vault, window.vault.find("trader"))._backoff = ()
    view = open_trading(qtbot, window, "trader")
    qtbot.waitUntil(lambda: "Mark as not placed" in view.status.text(), timeout=TIMEOUT)
    idle(qtbot, window)
    assert "next order command" not in view.status.text()
    view.tabs.setCurrentWidget(view.history)
    history = view.history
    assert [(o["client_order_id"], o["state"]) for o in history.orders()] == \
        [(cid, "UNKNOWN")]
    history.table.selectRow(0)
    assert history.mark.isEnabled()
    box = ask_mark(qtbot, window, view)
    no = next(b for b in box.buttons() if b.text().replace("&", "") == "No")
    assert box.defaultButton() is no
    click(qtbot, no)  # the default answer: nothing changes
    idle(qtbot, window)
    assert [o["state"] for o in history.orders()] == ["UNKNOWN"]
    history.table.selectRow(0)
    box = ask_mark(qtbot, window, view)
    assert "checked" in box.text() and "asks the exchange once more" in box.text()
    yes = next(b for b in box.buttons() if b.text().replace("&", "").startswith("Yes"))
    click(qtbot, yes)
    qtbot.waitUntil(lambda: [o["state"] for o in history.orders()] == ["NOT_PLACED"],
                    timeout=TIMEOUT)
    idle(qtbot, window)
    assert order_posts(demo) == []


def ask_mark(qtbot: QtBot, window: MainWindow, view: TradingView) -> QtWidgets.QMessageBox:
    click(qtbot, view.history.mark)
    box = window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    return box


def unsettled_order(vault_path: Path) -> str:
    """What a crash right after the PENDING record leaves, on an exchange whose request
    cannot be pinned (no deadline): looking up never proves it not placed."""
    from vault_app.trading.orders import parse_order
    from vault_app.trading.placement import pending_record

    vault = Vault.open(vault_path, PASSWORD)
    try:
        entry = vault.find("trader")
        session = TradingSession(vault, entry)
        preview = session.preview(parse_order(entry.id, "BTC/USDT", "buy", "limit",
                                              "0.001", RESTING_PRICE))
        journal = session.journal(create=True)
        assert journal is not None
        journal.append(pending_record(entry, preview, None))
        session.close()
        return preview.client_order_id
    finally:
        vault.lock()


def test_an_order_refused_for_an_unknown_one_looks_it_up_as_the_fix_says(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    window = trading_window
    refused: list[str] = []
    request_hooks.append(outage_after_the_order(demo, refused))
    view = open_trading(qtbot, window, "trader")
    view.submit.lookups.schedule = (3600.0,)  # no look on the schedule
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, window)
    qtbot.waitUntil(lambda: len(refused) >= 1, timeout=TIMEOUT)
    choose_key(qtbot, view, "watcher")  # away and back while the exchange is down
    idle(qtbot, window)
    choose_key(qtbot, view, "trader")
    idle(qtbot, window)
    request_hooks.clear()
    demo.faults.unavailable = False
    fill_limit(qtbot, view, RESTING_PRICE, "0.002")
    qtbot.waitUntil(view.ticket.review.isEnabled, timeout=TIMEOUT)
    review_and_confirm(qtbot, window)
    qtbot.waitUntil(lambda: view.status.text().startswith("Not sent"), timeout=TIMEOUT)
    refusal = view.status.text()
    assert "unknown outcome" in refusal and "looking the key's orders up" in refusal
    assert "while you were confirming" not in refusal  # it was recorded long before
    qtbot.waitUntil(lambda: [o["state"] for o in view.history.orders()] == ["OPEN"],
                    timeout=TIMEOUT)
    idle(qtbot, window)
    assert len(order_posts(demo)) == 1
