"""The foreign-order check of a preview, against the demo exchange (real ccxt, real
HTTP): the most recent orders first; the open orders too whenever the recent ones may
not hold them all; and before the ticker, so that ccxt's rate limiter holds the preview
up less (allOrders weighs more than a ticker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core.vault import Vault
from vault_app.trading import session as session_module
from vault_app.trading.client import ExchangeClient
from vault_app.trading.demo_exchange import DemoExchange
from vault_app.trading.errors import OrderNotAllowed
from vault_app.trading.journal import journal_path
from vault_app.trading.markets_cache import MarketsCache
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession

RESTING = ("BTC/USDT", "buy", "limit", "0.001", "30000")


@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1, volatility="0") as running:
        yield running


@pytest.fixture
def session(demo: DemoExchange, tmp_path: Path) -> Iterator[TradingSession]:
    key = demo.trading_key
    vault = Vault.create(tmp_path / "v.vault", PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    entry = vault.add(make_entry("trader", "binance", environment="custom", api_url=demo.url,
                                 permissions=("read", "trade"),
                                 credentials={"apiKey": key.api_key, "secret": key.secret}))
    client = ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "markets"),
                            timeout_ms=5_000)
    made = TradingSession(vault, entry, client=client)
    yield made
    made.close()


def place_one(session: TradingSession) -> str:
    preview = session.preview(parse_order(session.entry.id, *RESTING))
    placed = session.place(preview)
    assert placed.problem is None and placed.order.state == "OPEN"
    return preview.client_order_id


def paths_of_preview(demo: DemoExchange, session: TradingSession) -> tuple[list[str], str]:
    """The paths a refused preview asked for, and the refusal."""
    before = len(demo.requests)
    with pytest.raises(OrderNotAllowed) as refused:
        session.preview(parse_order(session.entry.id, *RESTING))
    return [r.path for r in demo.requests[before:]], str(refused.value)


def test_recent_orders_that_hold_every_order_find_a_foreign_one_alone(
        demo: DemoExchange, session: TradingSession) -> None:
    cid = place_one(session)
    journal = journal_path(session.vault.path)
    journal.rename(journal.with_name("moved-aside"))
    paths, refusal = paths_of_preview(demo, session)
    assert cid in refusal and "does not know" in refusal
    # Fewer than RECENT_ORDERS: every order, the open one included; no openOrders, and
    # the check ran before the ticker was asked for (then refused: no ticker at all).
    assert paths == ["/api/v3/allOrders"]
    assert "limit=500" in next(r.query for r in reversed(demo.requests)
                               if r.path == "/api/v3/allOrders")


def test_an_open_order_older_than_the_recent_ones_is_still_found(
        demo: DemoExchange, session: TradingSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "RECENT_ORDERS", 3)
    cid = place_one(session)  # open, and soon older than the 3 most recent orders
    for n in range(3):  # orders of another program on the same account (not va-)
        session.client.call("create_order", "BTC/USDT", "limit", "buy", 0.001, 30000,
                            {"newClientOrderId": f"other-{n}"})
    journal = journal_path(session.vault.path)
    journal.rename(journal.with_name("moved-aside"))
    paths, refusal = paths_of_preview(demo, session)
    assert paths == ["/api/v3/allOrders", "/api/v3/openOrders"]
    assert cid in refusal


def test_a_preview_with_no_foreign_order_asks_for_the_ticker_last(
        demo: DemoExchange, session: TradingSession) -> None:
    place_one(session)
    before = len(demo.requests)
    session.preview(parse_order(session.entry.id, *RESTING))
    assert [r.path for r in demo.requests[before:]] == \
        ["/api/v3/allOrders", "/api/v3/ticker/24hr"]
