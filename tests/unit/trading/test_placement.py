"""Once the order's request may have left, ``place`` returns a ``Placement``: a failure
to record the exchange's answer (the journal moved aside and replaced by another
process, a disk error) never reads as "nothing was sent". Real ccxt over real HTTP to
the demo exchange."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_KDF, PASSWORD
from tests.e2e.trading_support import ORDER_PATH, demo_entry
from vault_app.core.vault import Vault
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest
from vault_app.trading.journal import journal_path
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession

Hook = Callable[[ReceivedRequest, int], None]


@pytest.fixture
def hooks() -> list[Hook]:
    return []


@pytest.fixture
def demo(hooks: list[Hook]) -> Iterator[DemoExchange]:
    def on_request(request: ReceivedRequest, status: int) -> None:
        for hook in list(hooks):
            hook(request, status)

    with DemoExchange(seed=1, on_request=on_request) as exchange:
        yield exchange


@pytest.fixture
def session(demo: DemoExchange, vault_path: Path) -> Iterator[TradingSession]:
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    vault.add(demo_entry(demo, "trader", demo.trading_key, ("read", "trade")))
    session = TradingSession(vault, vault.find("trader"), sleep=lambda _: None, backoff=())
    yield session
    session.close()
    vault.lock()


def posts(demo: DemoExchange) -> list[ReceivedRequest]:
    return [r for r in demo.requests if r.method == "POST" and r.path == ORDER_PATH]


def replace_journal_when_answered(path: Path) -> Hook:
    def hook(request: ReceivedRequest, status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH and status == 200:
            os.replace(path, path.with_name(path.name + ".old"))
            path.write_bytes(b"not a journal")
    return hook


def test_an_accepted_order_whose_answer_cannot_be_recorded_is_still_placed(
        session: TradingSession, demo: DemoExchange, hooks: list[Hook],
        vault_path: Path) -> None:
    preview = session.preview(parse_order(session.entry.id, "BTC/USDT", "buy", "limit",
                                          "0.001", "50000"))
    hooks.append(replace_journal_when_answered(journal_path(vault_path)))
    placement = session.place(preview)  # must not raise: the order is on the exchange
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "NEW" and len(posts(demo)) == 1
    assert placement.problem is None
    assert placement.order.state == "OPEN"
    assert placement.order.order_id == str(held.order_id)
    assert placement.exchange_order is not None
    [warning] = placement.warnings
    assert "could not be recorded in the order journal" in warning
    assert "unresolved" in warning


def test_an_unknown_outcome_that_cannot_be_recorded_is_still_unknown(
        session: TradingSession, demo: DemoExchange, hooks: list[Hook],
        vault_path: Path) -> None:
    preview = session.preview(parse_order(session.entry.id, "BTC/USDT", "buy", "limit",
                                          "0.001", "50000"))
    demo.faults.drop_after_accept = 1
    hooks.append(replace_journal_when_answered(journal_path(vault_path)))
    placement = session.place(preview)
    assert len(demo.orders_for(demo.trading_key.api_key)) == 1
    assert placement.problem is not None and placement.problem.outcome_unknown
    assert placement.order.state == "UNKNOWN"
    assert any("could not be recorded" in text for text in placement.warnings)


def test_the_lookup_schedule_backs_off_to_a_cap() -> None:
    from vault_app.trading.reconcile import LOOK_AGAIN, look_again_after

    delays = [look_again_after(attempt) for attempt in range(9)]
    assert delays[:6] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    assert delays[6:] == [60.0] * 3 and max(LOOK_AGAIN) == 60.0
    assert look_again_after(5, (0.0,)) == 0.0 and look_again_after(3, ()) == 0.0


def test_keep_looking_only_while_a_look_may_settle_an_order() -> None:
    from vault_app.trading.order_log import LoggedOrder
    from vault_app.trading.reconcile import Resolution, keep_looking

    order = LoggedOrder("va-1", {}, "UNKNOWN")
    assert keep_looking([Resolution(order, False, "down")])
    assert not keep_looking([Resolution(order, False, "check it", needs_user=True)])
    assert not keep_looking([Resolution(order, True, "found")])
    assert not keep_looking([])


def test_a_refused_order_says_recorded_while_confirming_only_when_it_was(
        session: TradingSession, demo: DemoExchange) -> None:
    from vault_app.trading.errors import OrderNotAllowed
    from vault_app.trading.placement import pending_record

    def limit() -> Any:
        return session.preview(parse_order(session.entry.id, "BTC/USDT", "buy", "limit",
                                           "0.001", "50000"))

    journal = session.journal(create=True)
    assert journal is not None
    old = limit()
    journal.append(dict(pending_record(session.entry, old, None),
                        created_at="2020-01-01T00:00:00Z"))  # long before the preview
    with pytest.raises(OrderNotAllowed) as before:
        session.place(limit())
    assert "unknown outcome" in before.value.message
    assert "while you were confirming" not in before.value.message
    fresh = limit()
    journal.append(pending_record(session.entry, limit(), None))  # after that preview
    with pytest.raises(OrderNotAllowed) as during:
        session.place(fresh)
    assert "recorded while you were confirming" in during.value.message
    assert posts(demo) == []
