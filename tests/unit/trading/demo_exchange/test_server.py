"""The HTTP layer: every request, however malformed, gets an answer and a log entry.

Tests elsewhere prove "no request reached the exchange" by counting ``demo.requests``; a
request the server dropped without logging would make them pass wrongly. These requests
are written byte by byte on a socket, as no well-behaved client would send them.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest, server

SAFETY_TIMEOUT = 10.0  # seconds: only so that a broken server fails a test, never a pass


class Connection:
    """One raw connection to the demo exchange."""

    def __init__(self, demo: DemoExchange) -> None:
        self.sock = socket.create_connection(("127.0.0.1", demo.port),
                                             timeout=SAFETY_TIMEOUT)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _more(self) -> bytes:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return chunk

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of the next answer."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._more():
                raise ConnectionError(f"closed without an answer; got {self.buffer!r}")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("iso-8859-1").split("\r\n")
        headers = {name.strip().lower(): value.strip()
                   for name, value in (line.split(":", 1) for line in lines)}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._more():
                raise ConnectionError("closed in the middle of the answer")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def closed_by_server(self) -> bool:
        """True if the server closed the connection with nothing more to say."""
        while self._more():
            pass
        return self.buffer == b""


@pytest.fixture
def connection(demo: DemoExchange) -> Iterator[Connection]:
    made = Connection(demo)
    yield made
    made.close()


def code_of(body: bytes) -> int:
    return int(json.loads(body)["code"])


def logged(demo: DemoExchange) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in demo.requests]


def still_serving(demo: DemoExchange) -> bool:
    again = Connection(demo)
    try:
        again.send(b"GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        return again.answer()[::2] == (200, b"{}")
    finally:
        again.close()


def signed_get(path: str, key: str, signature: bytes) -> bytes:
    return (f"GET {path}?timestamp=1&signature=".encode() + signature
            + f" HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: {key}\r\n\r\n".encode())


def signed_post(path: str, key: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: {key}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


# (what is sent, the answer's status, its Binance code, what is logged)
KEEP_ALIVE_CASES = {
    "symbols not a list": (b"GET /api/v3/ticker/price?symbols=5 HTTP/1.1\r\nHost: x\r\n\r\n",
                           400, -1100, ("GET", "/api/v3/ticker/price")),
    "symbols null": (b"GET /api/v3/ticker/24hr?symbols=null HTTP/1.1\r\nHost: x\r\n\r\n",
                     400, -1100, ("GET", "/api/v3/ticker/24hr")),
    "symbols nested deep": (b"GET /api/v3/exchangeInfo?symbols=" + b"[" * 5000
                            + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                            400, -1100, ("GET", "/api/v3/exchangeInfo")),
    "symbols not strings": (b'GET /api/v3/ticker/price?symbols=[["BTCUSDT"]] HTTP/1.1\r\n'
                            b"Host: x\r\n\r\n", 400, -1100, ("GET", "/api/v3/ticker/price")),
    "duplicate parameter": (b"GET /api/v3/ticker/price?symbol=BTCUSDT&symbol=ETHUSDT "
                            b"HTTP/1.1\r\nHost: x\r\n\r\n",
                            400, -1101, ("GET", "/api/v3/ticker/price")),
}


@pytest.mark.parametrize("case", list(KEEP_ALIVE_CASES))
def test_malformed_parameters_are_answered_and_logged(demo: DemoExchange,
                                                      connection: Connection,
                                                      case: str) -> None:
    request, status, code, entry = KEEP_ALIVE_CASES[case]
    connection.send(request)
    answer_status, _, body = connection.answer()
    assert (answer_status, code_of(body)) == (status, code)
    assert logged(demo) == [entry]
    assert still_serving(demo)


@pytest.mark.parametrize("signature", [b"\xe9", b"%C3%A9", b"g" * 64, b"0" * 63, b"0" * 65])
def test_a_signature_that_is_not_64_hex_digits_is_1022(demo: DemoExchange,
                                                       connection: Connection,
                                                       signature: bytes) -> None:
    connection.send(signed_get("/api/v3/account", demo.read_key.api_key, signature))
    status, _, body = connection.answer()
    assert (status, code_of(body)) == (400, -1022)
    assert logged(demo) == [("GET", "/api/v3/account")]


def test_a_non_ascii_signature_in_a_body_is_1022(demo: DemoExchange,
                                                 connection: Connection) -> None:
    body = "symbol=BTCUSDT&timestamp=1&signature=é".encode()
    connection.send(signed_post("/api/v3/order", demo.trading_key.api_key, body))
    status, _, answer = connection.answer()
    assert (status, code_of(answer)) == (400, -1022)
    assert logged(demo) == [("POST", "/api/v3/order")]
    assert demo.requests[0].body == "symbol=BTCUSDT&timestamp=1&signature=é"
    assert demo.orders_for(demo.trading_key.api_key) == []


# Requests the server cannot read to the end: answered, logged, then the connection closes.
CLOSING_CASES = {
    "Content-Length not ASCII digits": (
        b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\nab",
        400, ("POST", "/api/v3/order")),
    "Content-Length negative": (
        b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nab",
        400, ("POST", "/api/v3/order")),
    "Content-Length twice, differing": (
        b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        b"Content-Length: 3\r\n\r\nabc", 400, ("POST", "/api/v3/order")),
    "body over 1 MiB": (
        b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n"
        + b"a" * 10, 413, ("POST", "/api/v3/order")),
    "body just over 1 MiB": (
        b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
        % (server.MAX_BODY + 1) + b"a" * 10, 413, ("POST", "/api/v3/order")),
    "chunked body": (
        b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n", 411, ("POST", "/api/v3/order")),
    "method not served": (b"PATCH /api/v3/order HTTP/1.1\r\nHost: x\r\n\r\n", 501,
                          ("PATCH", "/api/v3/order")),
    "no request line": (b"HELLO\r\n\r\n", 400, ("HELLO", "")),
    "bad HTTP version": (b"GET /api/v3/ping HTTP/x.y\r\nHost: x\r\n\r\n", 400,
                         ("GET", "/api/v3/ping")),
    "request line over 64 KiB": (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414,
                                 ("GET", "/" + "a" * 65530)),
}


@pytest.mark.parametrize("case", list(CLOSING_CASES))
def test_unreadable_requests_are_answered_logged_and_closed(demo: DemoExchange,
                                                            connection: Connection,
                                                            case: str) -> None:
    request, status, (method, path) = CLOSING_CASES[case]
    connection.send(request)
    answer_status, headers, _ = connection.answer()
    assert answer_status == status
    assert headers.get("connection") == "close"
    assert connection.closed_by_server()  # nothing left unread is taken as a request
    ((logged_method, logged_path),) = logged(demo)
    assert logged_method == method and logged_path.startswith(path)
    assert demo.orders_for(demo.trading_key.api_key) == []
    assert still_serving(demo)


@pytest.mark.parametrize("request_bytes", [
    b"POST /api/v3/order HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nab",
    b"GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n",  # the headers never end
], ids=["body cut short", "headers cut short"])
def test_a_request_cut_short_is_answered_408_and_logged(monkeypatch: pytest.MonkeyPatch,
                                                        request_bytes: bytes) -> None:
    monkeypatch.setattr(server.Handler, "timeout", 0.2)  # seconds the server waits
    with DemoExchange(seed=1) as demo:
        connection = Connection(demo)
        connection.send(request_bytes)
        status, _, body = connection.answer()
        assert (status, code_of(body)) == (408, -1000)
        assert connection.closed_by_server()
        connection.close()
        method, path = request_bytes.split(b" ")[:2]
        assert logged(demo) == [(method.decode(), path.decode())]


def test_a_failing_on_request_costs_no_answer() -> None:
    seen: list[int] = []

    def broken(request: ReceivedRequest, status: int) -> None:
        seen.append(status)
        raise RuntimeError("a bug in the observer")

    with DemoExchange(seed=1, on_request=broken) as demo:
        assert still_serving(demo)
        assert seen == [200] and logged(demo) == [("GET", "/api/v3/ping")]


def test_a_restart_on_the_same_port_works_at_once() -> None:
    """Stopping closes kept-alive connections from the server's side, which leaves them
    in TIME_WAIT on that port; the next exchange must still be able to listen there."""
    first = DemoExchange(seed=1).start()
    port = first.port
    kept_alive = Connection(first)
    kept_alive.send(b"GET /api/v3/time HTTP/1.1\r\nHost: x\r\n\r\n")
    assert kept_alive.answer()[0] == 200
    first.stop()
    assert kept_alive.closed_by_server()
    kept_alive.close()
    with DemoExchange(seed=1, port=port) as second:
        assert second.port == port and still_serving(second)


def test_connections_beyond_the_cap_wait_for_a_free_one(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.setattr(server, "MAX_CONNECTIONS", 2)
    with DemoExchange(seed=1) as demo:
        held = [Connection(demo), Connection(demo)]
        for connection in held:  # each answered once, then idle and kept alive
            connection.send(b"GET /api/v3/ping HTTP/1.1\r\nHost: x\r\n\r\n")
            assert connection.answer()[0] == 200
        third = Connection(demo)  # waits in the listen queue
        third.send(b"GET /api/v3/time HTTP/1.1\r\nHost: x\r\n\r\n")
        held[0].close()  # frees a slot: the third is served
        assert third.answer()[0] == 200
        for connection in (held[1], third):
            connection.close()
        assert demo._server is not None and demo._server.peak_connections == 2
        assert logged(demo) == [("GET", "/api/v3/ping")] * 2 + [("GET", "/api/v3/time")]
