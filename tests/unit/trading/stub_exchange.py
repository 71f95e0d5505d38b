"""A tiny Binance-style HTTP server for the client's tests (the full one is the demo exchange).

It answers ``/api/v3/time``, ``/api/v3/exchangeInfo`` (BTC/USDT and ETH/USDT) and
``/api/v3/account``; ``answers[path] = (status, body)`` (or ``(status, body, headers)``)
makes a path answer anything else (an error, a 503, a redirect, a garbled 200). Every
request is recorded with its headers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import make_entry
from vault_app.core.model import KeyEntry

API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"


def binance(url: str | None = None, **fields: Any) -> KeyEntry:
    """A Binance key entry; with ``url``, in the custom environment at that URL."""
    if url is not None:
        fields.update(environment="custom", api_url=url)
    return make_entry("Binance main", "binance",
                      credentials={"apiKey": API_KEY, "secret": SECRET}, **fields)


def _symbol(base: str, quote: str) -> dict[str, Any]:
    return {
        "symbol": f"{base}{quote}", "status": "TRADING", "baseAsset": base,
        "baseAssetPrecision": 8, "quoteAsset": quote, "quotePrecision": 8,
        "quoteAssetPrecision": 8, "orderTypes": ["LIMIT", "MARKET"],
        "icebergAllowed": False, "ocoAllowed": False, "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False, "permissions": ["SPOT"],
        "permissionSets": [["SPOT"]],
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000.00",
             "tickSize": "0.01"},
            {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000.0",
             "stepSize": "0.00001"},
            {"filterType": "NOTIONAL", "minNotional": "5.0", "applyMinToMarket": True,
             "maxNotional": "9000000.0", "applyMaxToMarket": False, "avgPriceMins": 5},
        ],
    }


EXCHANGE_INFO = {"timezone": "UTC", "serverTime": 1_700_000_000_000, "rateLimits": [],
                 "symbols": [_symbol("BTC", "USDT"), _symbol("ETH", "USDT")]}
ACCOUNT = {"makerCommission": 10, "takerCommission": 10, "canTrade": True,
           "accountType": "SPOT", "updateTime": 0,
           "balances": [{"asset": "USDT", "free": "1000.0", "locked": "0.0"}],
           "permissions": ["SPOT"]}


@dataclass
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str


@dataclass
class StubExchange:
    url: str = ""
    answers: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    server_time: int = 1_700_000_000_000
    hold: threading.Event | None = None
    """If set, every request waits for it before being answered (a slow exchange)."""
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(stub: StubExchange) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _answer(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            with stub.lock:
                stub.requests.append(Received(self.command, parts.path, parts.query,
                                              dict(self.headers), body))
                stub.in_flight += 1
                stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
            try:
                if stub.hold is not None:
                    stub.hold.wait(30)
                status, text, *more = self._route(parts.path)
            finally:
                with stub.lock:
                    stub.in_flight -= 1
            headers = {"Content-Type": "application/json", **(more[0] if more else {})}
            data = text.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, path: str) -> tuple[Any, ...]:
            if path in stub.answers:
                return stub.answers[path]
            if path == "/api/v3/time":
                return 200, json.dumps({"serverTime": stub.server_time})
            if path == "/api/v3/exchangeInfo":
                return 200, json.dumps(EXCHANGE_INFO)
            if path == "/api/v3/account":
                return 200, json.dumps(ACCOUNT)
            return 404, json.dumps({"code": -1100, "msg": "unknown path"})

        do_GET = do_POST = do_DELETE = _answer  # noqa: N815 - http.server names them so

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) is expected


@contextmanager
def stub_exchange() -> Iterator[StubExchange]:
    stub = StubExchange()
    server = _QuietServer(("127.0.0.1", 0), _handler(stub))
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
