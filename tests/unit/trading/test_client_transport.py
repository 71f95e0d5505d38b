"""The answers that are not answers: redirects, gateway timeouts, garbled bodies.

Real ccxt over real HTTP against ``stub_exchange``, which answers whatever a test
sets. Each of these once came out as a refusal (or as success), so placement would
have marked an order that may exist as REJECTED, or as placed with no id.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from tests.conftest import make_entry
from tests.unit.trading.stub_exchange import (
    API_KEY,
    SECRET,
    StubExchange,
    binance,
    stub_exchange,
)
from vault_app.trading import errors
from vault_app.trading.client import ExchangeClient
from vault_app.trading.markets_cache import MarketsCache

ORDER = ("BTC/USDT", "limit", "buy", 0.001, 20000)
ORDER_PATH = "/api/v3/order"


@pytest.fixture
def stub() -> Iterator[StubExchange]:
    with stub_exchange() as server:
        yield server


@pytest.fixture
def other() -> Iterator[StubExchange]:
    """Another host, where a redirect would send the key."""
    with stub_exchange() as server:
        yield server


@pytest.fixture
def client(stub: StubExchange, tmp_path: Path) -> Iterator[ExchangeClient]:
    made = ExchangeClient(binance(stub.url), markets_cache=MarketsCache(tmp_path / "m"),
                          timeout_ms=5_000)
    made.load_markets()
    yield made
    made.close()


def _posts(stub: StubExchange) -> int:
    return sum(1 for r in stub.requests if r.method == "POST")


def _place(client: ExchangeClient) -> errors.TradingError:
    with pytest.raises(errors.TradingError) as info:
        client.call("create_order", *ORDER)
    error = info.value
    assert error.__context__ is None and error.__cause__ is None
    printed = "".join(traceback.format_exception(error))
    for secret in (API_KEY, SECRET, "signature"):
        assert secret not in printed
    return error


# --- 1. redirects are never followed ----------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("where", ["same", "other"])
def test_a_redirect_is_not_followed_and_the_outcome_is_unknown(
        client: ExchangeClient, stub: StubExchange, other: StubExchange, status: int,
        where: str) -> None:
    target = ORDER_PATH if where == "same" else f"{other.url}{ORDER_PATH}"
    stub.answers[ORDER_PATH] = (status, "", {"Location": target})
    error = _place(client)
    assert isinstance(error, errors.NetworkProblem) and error.outcome_unknown
    assert "redirect" in error.message and f"HTTP {status}" in error.message
    assert "looked up, never sent again" in error.fix
    assert _posts(stub) == 1  # sent once, never again
    assert other.requests == []  # the key went nowhere else


def test_a_redirect_of_a_read_is_not_followed_either(client: ExchangeClient,
                                                     stub: StubExchange,
                                                     other: StubExchange) -> None:
    stub.answers["/api/v3/account"] = (302, "", {"Location": f"{other.url}/api/v3/account"})
    with pytest.raises(errors.NetworkProblem, match="redirect"):
        client.call("fetch_balance")
    assert other.requests == []


def test_the_session_is_checked_before_every_call(client: ExchangeClient,
                                                  stub: StubExchange) -> None:
    client.exchange.session.max_redirects = 30
    with pytest.raises(errors.ExchangeProblem, match="reconfigured") as info:
        client.call("fetch_balance")
    assert not info.value.outcome_unknown
    import requests

    client.exchange.session = requests.Session()
    with pytest.raises(errors.ExchangeProblem, match="reconfigured"):
        client.call("fetch_balance")
    assert stub.requests[-1].path == "/api/v3/exchangeInfo"  # nothing sent since


# --- 2. transport failures after the request left ----------------------------------------


@pytest.mark.parametrize(("status", "body", "headers"), [
    (524, "<html>A timeout occurred</html>", {"Content-Type": "text/html"}),
    (505, "", {"Content-Type": "text/plain"}),
    (523, "", {"Content-Type": "text/plain"}),
    (599, "x", {"Content-Type": "text/plain"}),
])
def test_a_gateway_failure_after_an_order_is_outcome_unknown(
        client: ExchangeClient, stub: StubExchange, status: int, body: str,
        headers: dict[str, str]) -> None:
    stub.answers[ORDER_PATH] = (status, body, headers)
    error = _place(client)
    assert isinstance(error, errors.ExchangeUnavailable) and error.outcome_unknown
    assert f"HTTP {status}" in error.message
    assert _posts(stub) == 1


def test_a_body_that_cannot_be_decoded_is_outcome_unknown(client: ExchangeClient,
                                                          stub: StubExchange) -> None:
    stub.answers[ORDER_PATH] = (200, "not gzip at all", {"Content-Encoding": "gzip"})
    error = _place(client)
    assert isinstance(error, errors.NetworkProblem) and error.outcome_unknown
    assert _posts(stub) == 1


def test_a_plain_refusal_stays_a_refusal(client: ExchangeClient, stub: StubExchange) -> None:
    stub.answers[ORDER_PATH] = (400, '{"code":-1013,"msg":"Filter failure: NOTIONAL"}')
    error = _place(client)
    assert isinstance(error, errors.OrderRejected) and not error.outcome_unknown


# --- 3. an order answer that is not an order ---------------------------------------------


@pytest.mark.parametrize(("body", "headers"), [
    ("", {}),
    ("<html>ok</html>", {"Content-Type": "text/html"}),
    ('{"symbol":"BTCUSDT","orderId":12', {}),
    ("{}", {}),
    ("[]", {}),
])
def test_a_garbled_200_to_an_order_is_outcome_unknown(client: ExchangeClient,
                                                      stub: StubExchange, body: str,
                                                      headers: dict[str, str]) -> None:
    stub.answers[ORDER_PATH] = (200, body, headers)
    error = _place(client)
    assert isinstance(error, errors.NetworkProblem) and error.outcome_unknown
    assert "could not be understood" in error.message or "ccxt failed" in error.message
    assert _posts(stub) == 1


def test_a_garbled_200_to_a_cancel_is_outcome_unknown(client: ExchangeClient,
                                                      stub: StubExchange) -> None:
    stub.answers[ORDER_PATH] = (200, "{}")
    with pytest.raises(errors.NetworkProblem) as info:
        client.call("cancel_order", "123", "BTC/USDT")
    assert info.value.outcome_unknown


# --- 4. a hostile error body ---------------------------------------------------------------


@pytest.mark.parametrize("body", ['{"a":' + "[" * 100_000, '{"msg":' + "[" * 5_000 + "1"])
def test_a_deeply_nested_error_body_is_a_typed_error(client: ExchangeClient,
                                                     stub: StubExchange, body: str) -> None:
    stub.answers["/api/v3/account"] = (401, body, {"Content-Type": "text/plain"})
    with pytest.raises(errors.ExchangeProblem) as info:
        client.call("fetch_balance")
    error = info.value
    assert error.__context__ is None and error.__cause__ is None
    printed = "".join(traceback.format_exception(error))
    signature = parse_qs(stub.requests[-1].query)["signature"][0]
    for secret in (API_KEY, SECRET, signature, "signature="):
        assert secret not in printed


# --- 8g, 8h: where requests go, and which calls run -------------------------------------


def test_a_request_for_another_host_is_refused_before_it_leaves(
        client: ExchangeClient, stub: StubExchange, other: StubExchange) -> None:
    client.exchange.urls["api"]["private"] = f"{other.url}/api/v3"
    with pytest.raises(errors.ExchangeProblem, match="another host") as info:
        client.call("fetch_balance")
    assert not info.value.outcome_unknown
    assert other.requests == []


@pytest.mark.parametrize("name", ["withdraw", "transfer", "request", "fetch",
                                  "set_sandbox_mode", "privatePostOrder", "fetch_deposit_address",
                                  "sapiPostAssetTransfer"])
def test_only_the_apps_calls_run(client: ExchangeClient, stub: StubExchange,
                                 name: str) -> None:
    before = len(stub.requests)
    with pytest.raises(ValueError, match="not a ccxt method"):
        client.call(name)
    assert len(stub.requests) == before


# --- 8d: no signing over plain http to another computer ----------------------------------


def test_an_old_http_url_to_another_host_opens_but_never_signs(tmp_path: Path) -> None:
    """An entry from an older file (validation now refuses it) keeps its URL."""
    entry = replace(binance("https://10.0.0.1:8080"), api_url="http://10.0.0.1:8080")
    client = ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "m"))
    assert client.is_live and client.describe_endpoint() == "LIVE http://10.0.0.1:8080"
    for attempt in (lambda: client.call("fetch_balance"), lambda: client.exchange,
                    lambda: client.load_markets()):
        with pytest.raises(errors.OrderNotAllowed) as info:
            attempt()
        assert info.value.fix == "change the API URL to https"
        assert not info.value.outcome_unknown


# --- 6: the environment's proxy, for every key that is not loopback -----------------------


class _Proxy(BaseHTTPRequestHandler):
    seen: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_CONNECT(self) -> None:
        self.seen.append(f"CONNECT {self.path}")
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Proxy", (_Proxy,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(("environment", "api_url", "host"), [
    ("live", None, "api.binance.com:443"),
    ("sandbox", None, "testnet.binance.vision:443"),
    ("custom", "https://eu.example.com:8443", "eu.example.com:8443"),
])
def test_a_key_that_is_not_loopback_goes_through_the_environments_proxy(
        proxy: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        environment: str, api_url: str | None, host: str) -> None:
    url, seen = proxy
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", url)
    monkeypatch.setenv("https_proxy", url)
    entry = make_entry("p", "binance", environment=environment, api_url=api_url,
                       credentials={"apiKey": API_KEY, "secret": SECRET})
    client = ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "m"))
    assert client.exchange.session.trust_env is False  # no ~/.netrc
    with pytest.raises(errors.NetworkProblem):
        client.call("fetch_balance")
    assert seen == [f"CONNECT {host}"]


def test_a_5xx_with_a_code_ccxt_does_not_know_is_outcome_unknown(stub: StubExchange,
                                                                  tmp_path: Path) -> None:
    """okx's handler raises a bare ExchangeError for an unknown code, even on a 500."""
    entry = make_entry("o", "okx", environment="custom", api_url=stub.url,
                       credentials={"apiKey": "okx-key", "secret": "okx-secret",
                                    "password": "okx-pass"})
    client = ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "m"))
    client.exchange.set_markets({"BTC/USDT": {
        "id": "BTC-USDT", "symbol": "BTC/USDT", "base": "BTC", "quote": "USDT",
        "baseId": "BTC", "quoteId": "USDT", "type": "spot", "spot": True, "active": True,
        "precision": {"amount": 0.00001, "price": 0.01}, "limits": {}, "info": {}}})
    stub.answers["/api/v5/trade/batch-orders"] = (500, '{"code":"-1000","msg":"Internal error"}')
    with pytest.raises(errors.ExchangeUnavailable, match="HTTP 500") as info:
        client.call("create_order", *ORDER)
    assert info.value.outcome_unknown
    stub.answers["/api/v5/trade/batch-orders"] = (400, '{"code":"-1000","msg":"Bad thing"}')
    with pytest.raises(errors.ExchangeProblem) as refused:
        client.call("create_order", *ORDER)
    assert not refused.value.outcome_unknown
    assert _posts(stub) == 2


def test_a_failure_to_translate_is_still_a_typed_error(client: ExchangeClient,
                                                       stub: StubExchange,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever breaks while reading ccxt's exception, the caller gets ours, unchained."""
    import vault_app.trading.client as client_module

    def broken(exc: BaseException, secrets: object = ()) -> errors.TradingError:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(client_module, "translate", broken)
    stub.answers["/api/v3/account"] = (401, '{"code":-2015,"msg":"Invalid API-key"}')
    with pytest.raises(errors.NetworkProblem) as info:
        client.call("fetch_balance")
    assert info.value.outcome_unknown
    assert info.value.__context__ is None and info.value.__cause__ is None
