"""The client against the demo exchange: real ccxt, real HTTP, Binance's own refusals."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import make_entry
from vault_app.trading import errors
from vault_app.trading.client import ExchangeClient
from vault_app.trading.demo_exchange import DemoExchange, DemoKey
from vault_app.trading.markets_cache import MarketsCache

ORDER = ("BTC/USDT", "limit", "buy", 0.001, 20000)


@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1) as running:
        yield running


@pytest.fixture
def connect(demo: DemoExchange, tmp_path: Path) -> Iterator[Callable[..., ExchangeClient]]:
    made: list[ExchangeClient] = []
    cache = MarketsCache(tmp_path / "markets")

    def build(key: DemoKey, secret: str | None = None) -> ExchangeClient:
        entry = make_entry(f"demo {len(made)}", "binance", environment="custom",
                           api_url=demo.url, permissions=key.permissions,
                           credentials={"apiKey": key.api_key, "secret": secret or key.secret})
        client = ExchangeClient(entry, markets_cache=cache, timeout_ms=5_000)
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


def _posts(demo: DemoExchange) -> int:
    return sum(1 for r in demo.requests if r.method == "POST" and r.path == "/api/v3/order")


def test_an_order_is_placed_once_and_the_balance_moves(demo: DemoExchange,
                                                       connect: Callable[..., ExchangeClient]
                                                       ) -> None:
    client = connect(demo.trading_key)
    assert client.is_live is False
    client.load_markets()
    before = client.call("fetch_balance")["USDT"]["free"]
    order = client.call("create_order", *ORDER, {"newClientOrderId": "c1-test-1"})
    assert order["clientOrderId"] == "c1-test-1"
    assert _posts(demo) == 1
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.client_order_id == "c1-test-1"
    after = client.call("fetch_balance")["USDT"]["free"]
    assert after < before  # the limit order locks its cost
    client.call("cancel_order", order["id"], "BTC/USDT")
    assert client.call("fetch_open_orders", "BTC/USDT") == []


def test_a_wrong_secret_is_the_key_message(demo: DemoExchange,
                                           connect: Callable[..., ExchangeClient]) -> None:
    client = connect(demo.trading_key, secret="not-the-secret-" * 3)
    client.load_markets()
    with pytest.raises(errors.AuthFailed) as info:
        client.call("fetch_balance")
    assert "refused the API key or secret" in str(info.value)
    printed = "".join(traceback.format_exception(info.value))
    assert demo.trading_key.api_key not in printed and "not-the-secret" not in printed


def test_a_read_key_cannot_trade_on_the_exchange_either(
        demo: DemoExchange, connect: Callable[..., ExchangeClient]) -> None:
    client = connect(demo.read_key)
    client.load_markets()
    with pytest.raises(errors.ExchangeProblem) as info:
        client.call("create_order", *ORDER)
    assert isinstance(info.value, errors.AuthFailed | errors.KeyLacksPermission)
    assert demo.orders_for(demo.read_key.api_key) == []


def test_clock_skew_then_sync_clock(demo: DemoExchange,
                                    connect: Callable[..., ExchangeClient]) -> None:
    client = connect(demo.trading_key)
    client.load_markets()
    demo.faults.clock_skew_ms = -120_000  # the exchange's clock is two minutes behind
    with pytest.raises(errors.ClockSkew, match="Sync this computer's clock"):
        client.call("fetch_balance")
    offset = client.sync_clock()
    assert offset >= 110_000
    assert client.call("fetch_balance")["USDT"]["free"] > 0


def test_a_503_is_unavailable(demo: DemoExchange,
                              connect: Callable[..., ExchangeClient]) -> None:
    client = connect(demo.trading_key)
    client.load_markets()
    demo.faults.unavailable = True
    with pytest.raises(errors.ExchangeUnavailable):
        client.call("fetch_balance")


def test_accept_then_drop_is_a_network_problem_and_never_resent(
        demo: DemoExchange, connect: Callable[..., ExchangeClient]) -> None:
    client = connect(demo.trading_key)
    client.load_markets()
    demo.faults.drop_after_accept = 1
    with pytest.raises(errors.NetworkProblem) as info:
        client.call("create_order", *ORDER, {"newClientOrderId": "c1-drop-1"})
    assert "outcome is unknown" in str(info.value)
    assert _posts(demo) == 1
    assert [o.client_order_id for o in demo.orders_for(demo.trading_key.api_key)] == \
        ["c1-drop-1"]
    found = client.call("fetch_order", None, "BTC/USDT", {"origClientOrderId": "c1-drop-1"})
    assert found["clientOrderId"] == "c1-drop-1"


def test_an_unknown_order_is_order_not_found(demo: DemoExchange,
                                             connect: Callable[..., ExchangeClient]) -> None:
    client = connect(demo.trading_key)
    client.load_markets()
    with pytest.raises(errors.OrderNotFound):
        client.call("cancel_order", "987654", "BTC/USDT")


def test_markets_from_the_demo_are_spot_and_cached(demo: DemoExchange,
                                                   connect: Callable[..., ExchangeClient]
                                                   ) -> None:
    connect(demo.trading_key).load_markets()
    second = connect(demo.read_key)
    markets = second.load_markets()
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(markets)
    assert all(market["spot"] for market in markets.values())
    assert sum(1 for r in demo.requests if r.path == "/api/v3/exchangeInfo") == 1


def test_clients_of_one_key_send_one_request_at_a_time(demo: DemoExchange,
                                                       connect: Callable[..., ExchangeClient]
                                                       ) -> None:
    """The trading view and the portfolio each build a client of a key: while one holds
    the key's lock (a request in flight), the other's request waits for it. A nonce-signed
    exchange would otherwise see two requests race."""
    import threading

    first, second = connect(demo.trading_key), connect(demo.trading_key)
    other = connect(demo.read_key)
    assert first.lock is second.lock
    assert other.lock is not first.lock
    for client in (first, second, other):
        client.load_markets()
    started, done = threading.Event(), threading.Event()

    def balance() -> None:
        started.set()
        second.call("fetch_balance")
        done.set()

    with first.lock:  # as during first's own request
        before = len(demo.requests)
        worker = threading.Thread(target=balance)
        worker.start()
        assert started.wait(10)
        other.call("fetch_balance")  # another key is not held up
        # A bounded wait for something that must not happen: the second client's
        # request stays unsent while the key's lock is held.
        assert not done.wait(0.5)
        assert [r.path for r in demo.requests[before:]] == ["/api/v3/account"]
    worker.join(30)
    assert done.is_set()
    assert [r.path for r in demo.requests[before:]] == ["/api/v3/account"] * 2


def test_fresh_markets_in_the_instance_are_returned_untouched(
        demo: DemoExchange, connect: Callable[..., ExchangeClient]) -> None:
    """r1 10: the ticket reads the instance's markets on the UI thread while a preview
    in the key's queue calls load_markets; fresh markets must not be set (re-parsed)
    again under it, nor fetched again."""
    client = connect(demo.read_key)
    markets = client.load_markets()  # from the network, then cached on disk
    by_id = client.exchange.markets_by_id
    asked = len(demo.requests)
    assert client.load_markets() is markets
    assert client.exchange.markets is markets and client.exchange.markets_by_id is by_id
    assert len(demo.requests) == asked
    assert client.load_markets(refresh=True) is not markets  # an explicit refresh does
