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


def signed_get(demo: DemoExchange, path: str, query: str, *, secret: str | None = None,
               header: str = "X-MBX-APIKEY") -> tuple[int, dict[str, Any]]:
    """A hand-signed GET, outside ccxt."""
    import json
    import urllib.error
    import urllib.request

    key = demo.trading_key
    signature = hmac_hex(secret or key.secret, query)
    request = urllib.request.Request(f"{demo.url}{path}?{query}&signature={signature}",
                                     headers={header: key.api_key})
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def server_ms(demo: DemoExchange) -> int:
    import json
    import urllib.request

    with urllib.request.urlopen(demo.url + "/api/v3/time") as answer:
        return int(json.loads(answer.read())["serverTime"])


def test_hand_signed_requests_and_the_time_window(demo: DemoExchange) -> None:
    now = server_ms(demo)
    status, body = signed_get(demo, "/api/v3/account", f"timestamp={now}",
                              header="x-mbx-apikey")
    assert status == 200 and body["accountType"] == "SPOT"
    # The default recvWindow is 5000 ms; a larger one admits an older timestamp.
    assert signed_get(demo, "/api/v3/account", f"timestamp={now - 20_000}")[1]["code"] == -1021
    assert signed_get(demo, "/api/v3/account",
                      f"timestamp={now - 20_000}&recvWindow=60000")[0] == 200
    assert signed_get(demo, "/api/v3/account",
                      f"timestamp={now}&recvWindow=60001")[1]["code"] == -1131
    assert signed_get(demo, "/api/v3/account", "recvWindow=5000")[1]["code"] == -1102
    assert signed_get(demo, "/api/v3/account", f"timestamp={now}",
                      secret="s" * 64) == (400, {"code": -1022, "msg":
                                                  "Signature for this request is not valid."})
