"""HTTP plumbing: the threaded server on 127.0.0.1, routing, faults and the request log."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from vault_app.trading.demo_exchange import api, auth, errors

HOST = "127.0.0.1"
MAX_BODY = 1 << 20
IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may stay silent


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it arrived. ``query`` and ``body`` are the raw text; ``signed`` is
    what the server verified (None for a public or refused-before-signing request)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    time: float
    signed: auth.SignedPayload | None = None

    @property
    def params(self) -> dict[str, str]:
        """The query's and the body's parameters; the query wins, as on Binance."""
        return {**dict(parse_qsl(self.body)), **dict(parse_qsl(self.query))}


class Faults:
    """Switches tests flip while the server runs (thread-safe).

    - ``latency``: seconds to wait before answering each request (after handling it,
      so an order is recorded even if the client gives up waiting);
    - ``drop_after_accept``: the next N accepted order POSTs are recorded, then the
      connection is closed without an answer;
    - ``unavailable``: every request gets HTTP 503 and is not handled;
    - ``clock_skew_ms``: added to the server's clock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latency = 0.0
        self._drops = 0
        self._unavailable = False
        self._skew = 0

    @property
    def latency(self) -> float:
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = float(seconds)

    @property
    def drop_after_accept(self) -> int:
        with self._lock:
            return self._drops

    @drop_after_accept.setter
    def drop_after_accept(self, count: int) -> None:
        with self._lock:
            self._drops = int(count)

    @property
    def unavailable(self) -> bool:
        with self._lock:
            return self._unavailable

    @unavailable.setter
    def unavailable(self, value: bool) -> None:
        with self._lock:
            self._unavailable = bool(value)

    @property
    def clock_skew_ms(self) -> int:
        with self._lock:
            return self._skew

    @clock_skew_ms.setter
    def clock_skew_ms(self, value: int) -> None:
        with self._lock:
            self._skew = int(value)

    def take_drop(self) -> bool:
        """Use up one drop, if any is left."""
        with self._lock:
            if self._drops <= 0:
                return False
            self._drops -= 1
            return True


class Backend:
    """What the handler needs from the exchange: state under a lock, faults, the log."""

    def __init__(self, state: api.State, faults: Faults,
                 on_request: Callable[[ReceivedRequest, int], None] | None = None,
                 log_limit: int | None = None) -> None:
        self.state = state
        self.faults = faults
        self.lock = threading.RLock()
        self.log: deque[ReceivedRequest] = deque(maxlen=log_limit)
        self.on_request = on_request

    def now(self) -> int:
        return int(time.time() * 1000) + self.faults.clock_skew_ms

    def record(self, request: ReceivedRequest, status: int) -> None:
        with self.lock:
            self.log.append(request)
        if self.on_request is not None:
            self.on_request(request, status)

    def handle(self, method: str, path: str, raw_query: str, raw_body: str,
               headers: dict[str, str]) -> tuple[int, object, auth.SignedPayload | None]:
        """(HTTP status, JSON answer, what was verified) for one request."""
        route = api.ROUTES.get((method, path))
        if route is None:
            raise errors.unknown_path(method, path)
        handler, permission = route
        params = {**dict(parse_qsl(raw_body)), **dict(parse_qsl(raw_query))}
        signed = auth.signed_payload(raw_query, raw_body) if permission else None
        with self.lock:
            now = self.now()
            self.state.book.step()
            self.state.ledger.match(now)
            account = None
            if permission:
                account = auth.find_account(self.state.ledger.accounts, headers)
                auth.check_signed(account, signed, params, now)
                if permission != api.ANY_KEY:
                    auth.require(account, permission)
            answer = handler(self.state, api.Call(params, now, account))
        return 200, answer, signed


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle holds the body
    # until the client's delayed ACK (~40 ms on Linux), every request.
    disable_nagle_algorithm = True
    server_version = "vault-app-demo-exchange"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    backend: Backend  # set on the subclass the server builds

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log and ``on_request`` report instead."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        backend = self.backend
        parts = urlsplit(self.path)
        length_text = self.headers.get("Content-Length") or "0"
        length = int(length_text) if length_text.isdigit() else 0
        if length > MAX_BODY or not length_text.isdigit():
            self.close_connection = True  # what is left unread would spoil the next request
        body = self.rfile.read(min(length, MAX_BODY)).decode("utf-8", "replace")
        headers = {name: value for name, value in self.headers.items()}
        signed = None
        if backend.faults.unavailable:
            status, payload = 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>"
            content_type = "text/html"
        else:
            content_type = "application/json;charset=UTF-8"
            try:
                status, answer, signed = backend.handle(self.command, parts.path, parts.query,
                                                        body, headers)
            except errors.BinanceError as exc:
                status, answer = exc.status, exc.body()
            payload = json.dumps(answer, separators=(",", ":")).encode()
        request = ReceivedRequest(self.command, parts.path, parts.query, headers, body,
                                  time.time(), signed)
        backend.record(request, status)
        drop = (status == 200 and self.command == "POST" and parts.path == "/api/v3/order"
                and backend.faults.take_drop())
        latency = backend.faults.latency
        if latency > 0:
            time.sleep(latency)
        if drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class DemoServer(ThreadingHTTPServer):
    """Binds 127.0.0.1 only; tracks its connections so ``close`` can end them all."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, port: int, backend: Backend) -> None:
        handler = type("BoundHandler", (Handler,), {"backend": backend})
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((HOST, port), handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a client that hangs up (a timeout, a dropped answer) is no error here."""

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
