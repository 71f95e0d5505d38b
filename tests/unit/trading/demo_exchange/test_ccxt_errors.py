"""Binance's error answers, and the ccxt exception class each one becomes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import ccxt
import pytest

from vault_app.trading.demo_exchange import DemoExchange, DemoKey


def raw(demo: DemoExchange, method: str, path: str) -> tuple[int, dict[str, Any]]:
    """A request outside ccxt (no rounding, no checks of its own)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(demo.url + path, method=method)) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_wrong_secret_is_an_authentication_error(demo: DemoExchange,
                                                 connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key, "x" * 64)
    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        exchange.fetch_balance()


def test_unknown_key_is_an_authentication_error(demo: DemoExchange,
                                                connect: Callable[..., Any]) -> None:
    exchange = connect(DemoKey("A" * 64, "B" * 64))
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        exchange.fetch_balance()
    assert demo.orders_for(demo.trading_key.api_key) == []


@pytest.mark.parametrize(("skew", "message"), [
    (10_000, "outside of the recvWindow"),   # the server is ahead: the request is late
    (-10_000, "1000ms ahead of the server"),  # the server is behind: the request is early
])
def test_clock_skew_is_an_invalid_nonce(demo: DemoExchange, connect: Callable[..., Any],
                                        skew: int, message: str) -> None:
    exchange = connect(demo.trading_key)
    demo.faults.clock_skew_ms = skew
    with pytest.raises(ccxt.InvalidNonce, match=message):
        exchange.fetch_balance()
    assert exchange.fetch_time() - exchange.milliseconds() == pytest.approx(skew, abs=2000)
    demo.faults.clock_skew_ms = 0
    exchange.fetch_balance()


def test_unavailable_is_exchange_not_available(demo: DemoExchange,
                                               connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    demo.faults.unavailable = True
    with pytest.raises(ccxt.ExchangeNotAvailable, match="503"):
        exchange.create_order("BTC/USDT", "market", "buy", 0.01)
    assert demo.orders_for(demo.trading_key.api_key) == []
    assert demo.requests[-1].path == "/api/v3/order"  # received, not handled
    demo.faults.unavailable = False
    exchange.fetch_balance()


def test_insufficient_balance(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order("BTC/USDT", "market", "buy", 10)
    with pytest.raises(ccxt.InsufficientFunds):
        exchange.create_order("ETH/USDT", "limit", "sell", 11, 3000)
    assert demo.orders_for(demo.trading_key.api_key) == []


def test_filter_failures(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    # ccxt rounds to precision itself, so LOT_SIZE and PRICE_FILTER are sent raw.
    with pytest.raises(ccxt.InvalidOrder, match="LOT_SIZE"):
        exchange.privatePostOrder({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                   "timeInForce": "GTC", "quantity": "0.000015",
                                   "price": "30000"})
    with pytest.raises(ccxt.InvalidOrder, match="PRICE_FILTER"):
        exchange.privatePostOrder({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                   "timeInForce": "GTC", "quantity": "0.01",
                                   "price": "30000.005"})
    # ccxt maps -1013 NOTIONAL to BadRequest (only LOT_SIZE / PRICE_FILTER by message).
    with pytest.raises(ccxt.BadRequest, match="Filter failure: NOTIONAL"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.0001, 30000)
    assert demo.orders_for(demo.trading_key.api_key) == []


def test_post_only_that_would_take_is_rejected(demo: DemoExchange,
                                               connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    demo.set_price("BTC/USDT", "60000")
    with pytest.raises(ccxt.OrderImmediatelyFillable):  # an InvalidOrder
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 61000, params={"postOnly": True})
    assert demo.requests[-1].params["type"] == "LIMIT_MAKER"
    order = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 59000,
                                  params={"postOnly": True})
    assert order["status"] == "open" and order["postOnly"]


def test_duplicate_open_client_order_id(demo: DemoExchange,
                                        connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    first = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                                  params={"newClientOrderId": "same"})
    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                              params={"newClientOrderId": "same"})
    exchange.cancel_order(first["id"], "BTC/USDT")
    exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                          params={"newClientOrderId": "same"})  # free again once closed
    assert len(demo.orders_for(demo.trading_key.api_key)) == 2


def test_unknown_orders(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        exchange.cancel_order("424242", "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        exchange.fetch_order("424242", "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        exchange.fetch_order(None, "BTC/USDT", params={"origClientOrderId": "nobody"})
    filled = exchange.create_order("BTC/USDT", "market", "buy", 0.01)
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):  # closed orders cannot cancel
        exchange.cancel_order(filled["id"], "BTC/USDT")


def test_read_only_key_cannot_trade(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    """Binance answers -2015 (HTTP 401): ccxt raises AuthenticationError, or
    DDoSProtection once the same instance has made a successful private call."""
    exchange = connect(demo.read_key)
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000)
    exchange.fetch_balance()
    with pytest.raises(ccxt.DDoSProtection, match="-2015"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000)
    assert demo.orders_for(demo.read_key.api_key) == []


def test_account_that_may_not_trade_is_permission_denied(
        demo: DemoExchange, connect: Callable[..., Any]) -> None:
    key = demo.add_key(can_trade=False)
    exchange = connect(key)
    with pytest.raises(ccxt.PermissionDenied):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000)
    assert exchange.privateGetAccount()["canTrade"] is False


def test_invalid_symbol_and_missing_parameters(demo: DemoExchange,
                                               connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    with pytest.raises(ccxt.BadSymbol, match="-1121"):
        exchange.privateGetOrder({"symbol": "DOGEUSDT", "orderId": 1})
    with pytest.raises(ccxt.BadRequest, match="-1102"):
        exchange.privateGetOrder({"symbol": "BTCUSDT"})
    with pytest.raises(ccxt.BadRequest, match=r"-1102.*timeInForce"):
        exchange.privatePostOrder({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
                                   "quantity": "0.01", "price": "30000"})
    with pytest.raises(ccxt.BadRequest, match="-1100"):
        exchange.privatePostOrder({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET",
                                   "quantity": "-1"})


def test_unsigned_and_unknown_requests(demo: DemoExchange) -> None:
    assert raw(demo, "GET", "/api/v3/ping") == (200, {})
    status, body = raw(demo, "GET", "/api/v3/account?timestamp=1")
    assert (status, body["code"]) == (401, -2014)
    status, body = raw(demo, "GET", "/api/v3/nothing")
    assert (status, body["code"]) == (404, -1020)


def test_dropped_answer_is_a_network_error_and_one_order(
        demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    demo.faults.drop_after_accept = 1
    with pytest.raises(ccxt.NetworkError):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                              params={"newClientOrderId": "dropped-1"})
    orders = demo.orders_for(demo.trading_key.api_key)
    assert [(o.client_order_id, o.status) for o in orders] == [("dropped-1", "NEW")]
    assert [r.path for r in demo.requests].count("/api/v3/order") == 1
    assert demo.faults.drop_after_accept == 0
    found = exchange.fetch_order(None, "BTC/USDT", params={"origClientOrderId": "dropped-1"})
    assert found["status"] == "open"  # what a reconciler learns afterwards


def test_latency_delays_the_answer_not_the_order(demo: DemoExchange,
                                                 connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    exchange.timeout = 1000  # ms
    demo.faults.latency = 3.0
    with pytest.raises(ccxt.RequestTimeout):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000)
    assert len(demo.orders_for(demo.trading_key.api_key)) == 1
    demo.faults.latency = 0
