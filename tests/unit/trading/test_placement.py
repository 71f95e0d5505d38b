"""Once the order's request may have left, ``place`` returns a ``Placement``: a failure
to record the exchange's answer (the journal moved aside and replaced by another
process, a disk error) never reads as "nothing was sent". Real ccxt over real HTTP to
the demo exchange."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

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
