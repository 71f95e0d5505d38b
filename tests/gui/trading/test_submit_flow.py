"""An order entered in the ticket, reviewed, confirmed and sent, against the demo
exchange over HTTP: it arrives once, signed, and shows; a read key sends nothing;
invalid input sends nothing; an answer lost after the exchange accepted shows
"reconciling…", then the true state."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.e2e.trading_support import ORDER_PATH
from tests.gui.helpers import click, type_into, unlock
from tests.gui.trading.conftest import Hook
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    cancels,
    fill_limit,
    idle,
    open_trading,
    order_posts,
    review_and_confirm,
    states_shown,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.orders_panel import RECONCILING
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest


def test_a_limit_order_is_received_once_signed_shows_open_and_cancels(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.waitUntil(view.ticket.review.isEnabled)
    assert order_posts(demo) == []
    review_and_confirm(qtbot, trading_window)
    # At once, before any answer: the order is in the open orders, PENDING.
    assert states_shown(view) == ["PENDING"]
    assert view.ticket.review.isEnabled() is False  # no second submit while in flight
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, trading_window)
    [post] = order_posts(demo)
    assert post.signed is not None  # the server verified the signature
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "NEW" and str(held.price) == RESTING_PRICE
    [shown] = view.open_orders.orders()
    assert shown["client_order_id"] == held.client_order_id
    assert shown["order_id"] == str(held.order_id)
    assert "OPEN" in view.status.text()

    view.open_orders.table.selectRow(0)
    click(qtbot, view.open_orders.cancel)
    box = trading_window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    yes = next(b for b in box.buttons() if b.text().replace("&", "").startswith("Yes"))
    click(qtbot, yes)
    qtbot.waitUntil(lambda: view.open_orders.orders() == [], timeout=TIMEOUT)
    idle(qtbot, trading_window)
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "CANCELED"
    assert len(cancels(demo)) == 1 and len(order_posts(demo)) == 1


def test_a_read_keys_ticket_cannot_submit_and_nothing_reaches_the_server(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "watcher")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.keyClick(view.ticket.amount, "\r")  # Enter in a field reviews when it may
    idle(qtbot, trading_window)
    assert not view.ticket.review.isEnabled()
    assert "can only view" in view.ticket.messages["key"].text()
    assert not view.ticket.amount.isEnabled()  # the whole ticket is out of use
    assert trading_window.trading_dialog is None
    assert [r for r in demo.requests if r.path == ORDER_PATH] == []


def test_each_invalid_input_shows_its_message_inline_and_sends_nothing(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    ticket = view.ticket
    cases = [("amount", "abc", RESTING_PRICE), ("amount", "0.000001", RESTING_PRICE),
             ("price", "0.001", "-5"), ("amount", "0", RESTING_PRICE)]
    for field, amount, price in cases:
        fill_limit(qtbot, view, price, amount)
        qtbot.keyClick(ticket.amount, "\r")
        message = ticket.messages[field]
        qtbot.waitUntil(message.isVisible)
        assert message.text(), (field, amount, price)
        assert not ticket.review.isEnabled(), (field, amount, price)
        assert trading_window.trading_dialog is None
    idle(qtbot, trading_window)
    assert [r for r in demo.requests if r.path == ORDER_PATH] == []


def test_an_answer_lost_after_acceptance_shows_reconciling_then_the_true_state(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    seen_states: list[str] = []
    review_while_reconciling: list[bool] = []

    def rows_shown(*_args: object) -> None:
        seen_states.extend(states_shown(view))
        if RECONCILING in states_shown(view):
            review_while_reconciling.append(view.ticket.review.isEnabled())

    view.open_orders.model.rowsInserted.connect(rows_shown)
    messages: list[str] = []
    trading_window.statusBar().messageChanged.connect(messages.append)
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert RECONCILING in seen_states
    assert review_while_reconciling and not any(review_while_reconciling)  # no 2nd order
    assert view.ticket.review.isEnabled() is False  # the numbers went: the ticket is empty
    assert view.ticket.amount.text() == ""
    assert any(text.startswith(RECONCILING) for text in messages), messages
    assert not any("failed" in text.lower() for text in messages), messages
    assert len(order_posts(demo)) == 1
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "NEW"
    [shown] = view.open_orders.orders()
    assert shown["client_order_id"] == held.client_order_id
    assert "found after the answer was lost" in view.status.text()
    assert [order["state"] for order in view.history.orders()] == ["OPEN"]


def test_locking_while_confirming_closes_the_dialog_and_sends_nothing(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    click(qtbot, view.ticket.review)
    qtbot.waitUntil(lambda: trading_window.trading_dialog is not None, timeout=TIMEOUT)
    dialog = trading_window.trading_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    trading_window.lock()
    assert trading_window.trading_dialog is None
    qtbot.waitUntil(lambda: not dialog.isVisible())
    idle(qtbot, trading_window)
    assert order_posts(demo) == []
    # After unlocking, the ticket reviews orders again (u2 N1: it stayed on "Review the
    # signed request…" for good, its Review button greyed for every order).
    unlock(qtbot, trading_window)
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.waitUntil(view.ticket.review.isEnabled, timeout=TIMEOUT)


def test_reconciling_goes_on_until_the_exchange_answers_again(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    """The answer is lost and then the exchange is down: the order stays "reconciling…"
    (never "failed", never resent) and is looked up again until the exchange answers."""
    refused: list[str] = []

    def outage(request: ReceivedRequest, status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            demo.faults.unavailable = True  # from right after the order was accepted
        elif status == 503:
            refused.append(f"{request.method} {request.path}")

    request_hooks.append(outage)
    view = open_trading(qtbot, trading_window, "trader")
    view.submit.lookups.schedule = (0.0,)  # the core's delays (2 s … 60 s) are unit-tested
    demo.faults.drop_after_accept = 1
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: len(refused) >= 2, timeout=TIMEOUT)  # looked up, and again
    assert states_shown(view) == [RECONCILING]
    assert view.status.text().startswith(RECONCILING)
    assert not view.ticket.review.isEnabled()
    demo.faults.unavailable = False
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert len(order_posts(demo)) == 1
    assert len(demo.orders_for(demo.trading_key.api_key)) == 1


def test_typing_a_new_order_clears_the_last_ones_result_line(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    """u1 D21: an old "Order REJECTED" stayed under a ticket whose every field had
    changed. The line goes once the user types the next order."""
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert "OPEN" in view.status.text()
    type_into(qtbot, view.ticket.amount, "0.002")
    assert view.status.text() == ""
    assert len(order_posts(demo)) == 1
