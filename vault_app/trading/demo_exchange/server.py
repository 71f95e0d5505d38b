"""HTTP plumbing: the threaded server on 127.0.0.1, routing, faults and the request log."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from vault_app.trading.demo_exchange import api, auth, errors

HOST = "127.0.0.1"
MAX_BODY = 1 << 20
IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may stay silent
MAX_CONNECTIONS = 128  # served at once; more wait in the listen queue
LINGER = 1.0  # seconds, at most, spent discarding what a refused request still sends
LINGER_BYTES = 1 << 18  # bytes, at most, discarded so
ACCEPT_WAIT = 0.05  # seconds the accept loop waits for a free slot before it looks again


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
        """Log ``request`` (``status`` 0: no answer could be sent). A failing ``on_request``
        is ignored: it runs on a server thread and must not cost the client its answer."""
        with self.lock:
            self.log.append(request)
        if self.on_request is not None:
            try:
                self.on_request(request, status)
            except Exception:  # whatever it is, the answer goes out
                pass

    def handle(self, method: str, path: str, raw_query: str, raw_body: str,
               headers: dict[str, str]) -> tuple[int, object, auth.SignedPayload | None]:
        """(HTTP status, JSON answer, what was verified) for one request."""
        route = api.ROUTES.get((method, path))
        if route is None:
            raise errors.unknown_path(method, path)
        handler, permission = route
        params = {**parameters(raw_body), **parameters(raw_query)}
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


def parameters(raw: str) -> dict[str, str]:
    """The non-empty parameters of a query string or form body. A name given twice is
    Binance's -1101 (the query and the body may share one: the query's wins)."""
    pairs = parse_qsl(raw, keep_blank_values=True)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise errors.duplicate_parameter()
    return {name: value for name, value in pairs if value}


def request_target(target: str) -> tuple[str, str]:
    """(path, query) of a request target, however malformed (never raises)."""
    path, _, query = target.partition("?")
    return path.partition("#")[0], query.partition("#")[0]


JSON = "application/json;charset=UTF-8"


def error_json(code: int, msg: str) -> bytes:
    return json.dumps({"code": code, "msg": msg}, separators=(",", ":")).encode()


class Handler(BaseHTTPRequestHandler):
    """Answers every request it can read, and logs each exactly once: a malformed one
    (bad request line, bad Content-Length, a body cut short, a bug in an endpoint) gets
    an error answer and a log entry like any other."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle holds the body
    # until the client's delayed ACK (~40 ms on Linux), every request.
    disable_nagle_algorithm = True
    default_request_version = "HTTP/1.0"  # not 0.9: even a bare line gets a status line
    server_version = "vault-app-demo-exchange"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    backend: Backend  # set on the subclass the server builds

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log and ``on_request`` report instead."""

    def setup(self) -> None:
        super().setup()
        self._unread_input = False

    def finish(self) -> None:
        """After an answer to a request not read to its end, close gracefully: say we are
        done, then discard what the client still sends (for a moment), so that closing
        with unread data does not reset the connection before the client reads the
        answer."""
        super().finish()
        if not self._unread_input:
            return
        try:
            self.connection.shutdown(socket.SHUT_WR)
            deadline, discarded = time.monotonic() + LINGER, 0
            while discarded < LINGER_BYTES and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                discarded += len(chunk)
        except OSError:
            pass

    def handle_one_request(self) -> None:
        self.raw_requestline = b""
        self.headers = HTTPMessage()
        self._recorded = False
        self._status: int | None = None
        try:
            super().handle_one_request()
        finally:
            if self.raw_requestline and not self._recorded:
                self._answer_cut_request()

    def _answer_cut_request(self) -> None:
        """A request read in part, then a timeout or a broken connection: log it, and
        answer 408 if nothing was sent yet and the connection still takes it."""
        self.close_connection = self._unread_input = True
        status = self._status or 0
        if self._status is None:
            try:
                self._send(408, JSON, error_json(
                    -1000, "Timed out waiting for the rest of the request."))
                status = 408
            except (OSError, ValueError):
                pass
        self._record("", None, status)

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """The standard library's answer to what it cannot parse: logged, then sent."""
        self.close_connection = self._unread_input = True
        self._record("", None, code)
        super().send_error(code, message, explain)

    def _record(self, body: str, signed: auth.SignedPayload | None, status: int) -> None:
        if self._recorded:
            return
        self._recorded = True
        words = self.raw_requestline.decode("iso-8859-1").split()
        method = words[0] if words else ""
        path, query = request_target(words[1] if len(words) > 1 else "")
        headers = {name: value for name, value in self.headers.items()}
        self.backend.record(ReceivedRequest(method, path, query, headers, body, time.time(),
                                            signed), status)

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _body_length(self) -> int:
        """The body's length, from a Content-Length the server can trust."""
        lengths = self.headers.get_all("Content-Length") or []
        if "Transfer-Encoding" in self.headers:
            raise Refused(411, "Send the body with a Content-Length header.")
        if len(set(lengths)) > 1:
            raise Refused(400, "The request has conflicting Content-Length headers.")
        if not lengths:
            return 0
        if not re.fullmatch(r"[0-9]+", lengths[0]):
            raise Refused(400, "The Content-Length header is malformed.")
        length = int(lengths[0]) if len(lengths[0]) <= 19 else MAX_BODY + 1
        if length > MAX_BODY:
            raise Refused(413, f"The request body is larger than {MAX_BODY} bytes.")
        return length

    def _serve(self) -> None:
        backend = self.backend
        try:
            body = self.rfile.read(self._body_length()).decode("utf-8", "replace")
        except TimeoutError:
            self.close_connection = self._unread_input = True
            self._record("", None, 408)
            self._send(408, JSON, error_json(-1000, "Timed out waiting for the request body."))
            return
        except Refused as refusal:
            # What is left unread would spoil the next request.
            self.close_connection = self._unread_input = True
            self._record("", None, refusal.status)
            self._send(refusal.status, JSON, error_json(-1000, refusal.msg))
            return
        signed = None
        path, query = request_target(self.path)
        if backend.faults.unavailable:
            status, payload = 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>"
            content_type = "text/html"
        else:
            content_type = JSON
            try:
                status, answer, signed = backend.handle(self.command, path, query, body,
                                                        dict(self.headers.items()))
                payload = json.dumps(answer, separators=(",", ":")).encode()
            except errors.BinanceError as exc:
                status, payload = exc.status, error_json(exc.code, exc.msg)
            except Exception:  # a bug or a case not foreseen: still an answer
                status, payload = 400, error_json(-1000, "An unknown error occurred while "
                                                         "processing the request.")
        self._record(body, signed, status)
        drop = (status == 200 and self.command == "POST" and path == "/api/v3/order"
                and backend.faults.take_drop())
        latency = backend.faults.latency
        if latency > 0:
            time.sleep(latency)
        if drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(status, content_type, payload)


class Refused(Exception):
    """A request the server will not read the body of: an HTTP status and why."""

    def __init__(self, status: int, msg: str) -> None:
        super().__init__(msg)
        self.status = status
        self.msg = msg


class DemoServer(ThreadingHTTPServer):
    """Binds 127.0.0.1 only; serves at most ``MAX_CONNECTIONS`` connections at once (one
    more waits in the listen queue until one closes); tracks them so ``close_connections``
    can end them all."""

    daemon_threads = True
    # A restart on the same port must not wait for TIME_WAIT. (Not on Windows, where
    # SO_REUSEADDR would let a second server take a port that is in use.)
    allow_reuse_address = sys.platform != "win32"
    request_queue_size = 128

    def __init__(self, port: int, backend: Backend) -> None:
        handler = type("BoundHandler", (Handler,), {"backend": backend})
        self.connections: set[socket.socket] = set()
        self.max_connections = MAX_CONNECTIONS
        self.peak_connections = 0
        self._connections_changed = threading.Condition()
        super().__init__((HOST, port), handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection, unless ``max_connections`` are open: then wait a moment for
        one to close, and if none does, raise OSError, which ``serve_forever`` takes as
        "nothing to accept" (it checks for ``shutdown`` and comes back)."""
        with self._connections_changed:
            if len(self.connections) >= self.max_connections:
                self._connections_changed.wait(ACCEPT_WAIT)
                if len(self.connections) >= self.max_connections:
                    raise OSError("connection limit reached")
        return super().get_request()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._connections_changed:
            self.connections.add(request)
            self.peak_connections = max(self.peak_connections, len(self.connections))
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_changed:
            self.connections.discard(request)
            self._connections_changed.notify_all()
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: a client that hangs up (a timeout, a dropped answer) is no error here."""

    def close_connections(self) -> None:
        with self._connections_changed:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
