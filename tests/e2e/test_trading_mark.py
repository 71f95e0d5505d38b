"""Marking an order "not placed" by hand: the core asks the exchange once more first,
and never settles NOT_PLACED an order the exchange has (a2 N1). Real ccxt over real
HTTP to the demo exchange."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_trading_pinned import market_buy, session_for
from tests.e2e.trading_support import Desk, demo, desk
from vault_app.trading.errors import OrderInputError
from vault_app.trading.journal import Journal, journal_path
from vault_app.trading.order_log import fold

__all__ = ["demo", "desk"]  # fixtures


def test_an_order_the_exchange_has_is_not_marked_not_placed(desk: Desk) -> None:
    session = session_for(desk)
    desk.demo.faults.drop_after_accept = 1  # the exchange takes it; the answer is lost
    done = session.place(market_buy(session))
    assert done.order.state == "UNKNOWN"
    cid = done.order.client_order_id
    with pytest.raises(OrderInputError, match=re.escape(
            "is on the exchange (FILLED), so it was not marked")):
        session.mark_not_placed(cid)
    key = desk.vault.meta.journal_key
    assert key is not None
    [order] = fold(Journal(journal_path(desk.path), key).read().records)
    assert order.state == "FILLED"
    assert "NOT_PLACED" not in [state for _, state in order.history]
    assert len(desk.order_posts()) == 1


def test_a_mark_that_another_process_settled_meanwhile_is_refused(desk: Desk) -> None:
    session = session_for(desk)
    desk.demo.faults.drop_after_accept = 1
    cid = session.place(market_buy(session)).order.client_order_id
    other = session_for(desk)
    other.reconcile()  # settles it FILLED in the journal
    desk.demo.faults.unavailable = True  # the marking session cannot ask: the journal decides
    with pytest.raises(OrderInputError, match="FILLED: its state is known"):
        session.mark_not_placed(cid)
