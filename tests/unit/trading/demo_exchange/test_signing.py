"""What the server verifies is HMAC-SHA256 over the query followed by the body."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import ccxt
import pytest

from vault_app.trading.demo_exchange import DemoExchange
from vault_app.trading.demo_exchange.auth import signed_payload, without_signature


def hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def test_post_signature_covers_the_body(demo: DemoExchange,
                                        connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                          params={"newClientOrderId": "signed-1"})
    request = demo.requests[-1]
    assert (request.method, request.path, request.query) == ("POST", "/api/v3/order", "")
    assert request.headers["X-MBX-APIKEY"] == demo.trading_key.api_key
    body, signature = request.body.rsplit("&signature=", 1)
    assert request.signed is not None
    assert request.signed.payload == body
    assert request.signed.signature == signature == hmac_hex(demo.trading_key.secret, body)
    assert "newClientOrderId=signed-1" in body.split("&")


def test_get_signature_covers_the_query(demo: DemoExchange,
                                        connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    exchange.fetch_open_orders("BTC/USDT")
    request = demo.requests[-1]
    query, signature = request.query.rsplit("&signature=", 1)
    assert request.body == ""
    assert request.signed is not None and request.signed.payload == query
    assert signature == hmac_hex(demo.trading_key.secret, query)


def test_query_and_body_are_concatenated_without_separator() -> None:
    """Binance's own example: the query string, then the body, nothing between."""
    signed = signed_payload("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                            "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
                            "&signature=abc")
    assert signed is not None
    assert signed.payload == ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1"
                              "&price=0.1&recvWindow=5000&timestamp=1499827319559")
    assert signed.signature == "abc"
    assert without_signature("a=1&signature=x&b=2") == ("a=1&b=2", "x")
    assert signed_payload("a=1", "b=2") is None


def test_a_changed_parameter_breaks_the_signature(demo: DemoExchange,
                                                  connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    original_sign = exchange.sign

    def tamper(*args: Any, **kwargs: Any) -> Any:
        signed = original_sign(*args, **kwargs)
        if signed["body"]:
            signed["body"] = signed["body"].replace("quantity=0.01", "quantity=0.02")
        return signed

    exchange.sign = tamper
    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000)
    assert demo.orders_for(demo.trading_key.api_key) == []
