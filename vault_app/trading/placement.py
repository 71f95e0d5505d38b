"""Journal-first submit: PENDING is durable before the request leaves, and no resend.

1. For an exchange whose signed request takes ``timestamp`` and ``recvWindow`` from
   the call's params (``pins_request``: Binance), both are chosen now: the timestamp
   is ccxt's ``nonce()`` (this computer's clock corrected by the measured offset to
   the exchange's, if any), the window the instance's ``recvWindow`` option or
   Binance's default of 5 s.
2. The order (never a credential) is appended to the journal as PENDING, with that
   timestamp and window; ``append`` returns only once it is on disk. It is appended
   only if the journal has no record of its client order id yet, decided under the
   journal's exclusive lock: a preview is placed at most once, by any process.
   If the append took so long (waiting for another process's lock, a slow disk)
   that more than ``SAFE_WINDOW_PART`` of the window has passed since the
   timestamp (by the same clock that chose it), the request is not sent: the order
   is recorded NOT_PLACED (it would likely be refused as late, and a request that
   close to its deadline is the one whose fate is hardest to tell).
3. ccxt's ``create_order`` is called once, with the client order id of the preview
   and the chosen ``timestamp`` and ``recvWindow`` as params. Just before the request
   leaves, it is checked to carry exactly those (else it is not sent: NOT_PLACED).
   The exchange accepts it only until ``timestamp + recvWindow`` by its own clock,
   however long this process was held up (suspended, stopped, waiting for ccxt's
   rate limiter) between the journal write and the send; later it answers -1021.
4. The answer is recorded, lazily (a crash that loses it leaves PENDING, which
   ``reconcile`` settles): the exchange's state (OPEN, FILLED, ...) with its order
   id; REJECTED with the reason when the exchange refused it; UNKNOWN when the
   request may have reached the exchange and no usable answer came
   (``outcome_unknown``: timeout, dropped connection, HTTP 5xx, a garbled answer).
   An UNKNOWN order is never sent again: ``reconcile`` finds out what happened.
   Recording the answer may fail (the disk is full, the journal was moved aside or
   replaced by another process): the order is then still what the exchange said, the
   ``Placement`` carries that and a warning, and the journal keeps PENDING, which
   ``reconcile`` settles. If the journal holding the PENDING record was moved aside
   or replaced, nothing is written (no new journal is started without the order's
   details) and ``Placement.journal_moved`` says so: the app cannot look the order up
   until the journal is put back. An answer that is not an order is an unknown outcome.
5. After the exchange accepted, the key's ``last_used_at`` is updated (``on_accepted``).

``place`` raises only before the request could leave (nothing was sent; the order may
be journaled PENDING if the failure came after that record, and ``reconcile`` then
settles it NOT_PLACED or finds it). Once the request may have left, it returns a
``Placement``, whatever goes wrong afterwards.

An interruption (Ctrl-C: ``KeyboardInterrupt``) after the PENDING record records the
order UNKNOWN (best effort) and raises ``SendInterrupted``, which says the order may
have been sent: it is never reported as "nothing was written".

A crash between 2 and 4 leaves PENDING, which ``reconcile`` treats like UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from vault_app.core.errors import VaultError
from vault_app.core.model import format_ts, utcnow
from vault_app.trading.errors import (
    UNKNOWN_OUTCOME,
    ClockSkew,
    ExchangeProblem,
    NetworkProblem,
    OrderNotAllowed,
    TradingError,
    translate,
)
from vault_app.trading.journal import Journal
from vault_app.trading.order_log import (
    NOT_PLACED,
    ORDER_FIELDS,
    PENDING,
    REJECTED,
    UNKNOWN,
    JournalMoved,
    LoggedOrder,
    append_state,
    apply_state,
    exchange_fields,
    state_of,
)
from vault_app.trading.orders import require_trade
from vault_app.trading.preview import fetch_replaced
from vault_app.trading.remedies import LOOK_UP_ORDERS, PREVIEW_AGAIN

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient
    from vault_app.trading.preview import OrderPreview

DEFAULT_RECV_WINDOW_MS = 5_000  # Binance's default when a request names none
MAX_RECV_WINDOW_MS = 60_000  # Binance refuses a larger one (-1131)
SAFE_WINDOW_PART = 0.5
"""The part of recvWindow that may pass between the timestamp and the send."""
PINNING_CLASSES = frozenset({"binance"})
"""ccxt classes (and their subclasses: binanceus, ...) whose ``sign()`` (ccxt 4.5.90)
builds a private request as ``extend({'timestamp': nonce()}, params)`` and then takes
``recvWindow`` from the params over ``options``: the request carries what we give."""


@dataclass(frozen=True)
class RequestWindow:
    """The ``timestamp`` and ``recvWindow`` an order's request is signed with."""

    timestamp_ms: int
    recv_window_ms: int

    @property
    def deadline_ms(self) -> int:
        """After this moment on the exchange's clock, the exchange refuses the request."""
        return self.timestamp_ms + self.recv_window_ms

    def params(self) -> dict[str, int]:
        return {"timestamp": self.timestamp_ms, "recvWindow": self.recv_window_ms}


class SendInterrupted(KeyboardInterrupt):
    """Ctrl-C after an order's PENDING record: the order may have been sent."""

    remedy = LOOK_UP_ORDERS

    def __init__(self, client_order_id: str) -> None:
        self.client_order_id = client_order_id
        self.message = (f"interrupted: the order {client_order_id} may have been sent; "
                        "look up the key's orders to find out (it is never resent)")
        super().__init__(self.message)


@dataclass(frozen=True)
class Placement:
    """What happened to one order: its journal view and, if any, the problem."""

    order: LoggedOrder
    exchange_order: dict[str, Any] | None = None
    problem: TradingError | None = None
    warnings: list[str] = field(default_factory=list)  # after an accepted order
    journal_moved: bool = False
    """The order journal holding the order was moved aside or replaced before its answer
    was recorded: the app cannot look the order up until the journal is put back."""


def pins_request(exchange: Any) -> bool:
    """Whether the request's ``timestamp`` and ``recvWindow`` can be chosen by us."""
    return any(cls.__name__ in PINNING_CLASSES and cls.__module__.startswith("ccxt.")
               for cls in type(exchange).__mro__)


def request_window(client: ExchangeClient) -> RequestWindow | None:
    """A new timestamp (ccxt's ``nonce()``, in the exchange's clock as far as it is
    known) and the window, for an exchange that ``pins_request``; else None."""
    exchange = client.exchange
    if not pins_request(exchange):
        return None
    options = exchange.options if isinstance(exchange.options, dict) else {}
    window = options.get("recvWindow")
    if not isinstance(window, int) or isinstance(window, bool) \
            or not 0 < window <= MAX_RECV_WINDOW_MS:
        window = DEFAULT_RECV_WINDOW_MS
    error: TradingError
    try:
        return RequestWindow(int(exchange.nonce()), window)
    except Exception as exc:  # ccxt's nonce() needs options["timeDifference"]
        error = translate(exc, ())
    raise error  # outside the handler: nothing of ccxt's text in a traceback


def pending_record(entry: KeyEntry, preview: OrderPreview, window: RequestWindow | None
                   ) -> dict[str, Any]:
    checked = preview.checked
    request = checked.request
    now = format_ts(utcnow())
    return {
        "kind": "order", "state": PENDING, "client_order_id": preview.client_order_id,
        "key_id": entry.id, "exchange": entry.exchange, "environment": entry.environment,
        "symbol": checked.symbol, "side": request.side, "type": request.type,
        "amount": checked.amount, "price": checked.price, "stop_price": checked.stop_price,
        "time_in_force": checked.time_in_force, "post_only": request.post_only,
        "created_at": now, "time": now,
        "request_timestamp_ms": window.timestamp_ms if window else None,
        "recv_window_ms": window.recv_window_ms if window else None,
    }


def signed_params(url: str, body: object) -> dict[str, str]:
    """The parameters of a request (query, then form body)."""
    pairs = parse_qsl(urlsplit(url).query)
    if isinstance(body, str):
        pairs += parse_qsl(body)
    return dict(pairs)


def carries(window: RequestWindow, url: str, body: object) -> bool:
    """Whether a signed request carries exactly this timestamp and recvWindow."""
    sent = signed_params(url, body)
    return (sent.get("timestamp"), sent.get("recvWindow")) == \
        (str(window.timestamp_ms), str(window.recv_window_ms))


def place(client: ExchangeClient, journal: Journal, entry: KeyEntry, preview: OrderPreview,
          *, on_accepted: Callable[[], object] = lambda: None) -> Placement:
    """Send one previewed order, once. Raises only before the request could leave
    (nothing was sent); afterwards it always returns a ``Placement``."""
    require_trade(entry)
    if preview.checked.request.key_id != entry.id:
        raise OrderNotAllowed("this preview was made for another key; nothing was sent")
    with client.lock:  # the timestamp is chosen, journaled and sent in one go
        window = request_window(client)
        record = pending_record(entry, preview, window)
        # Durable: only now may the request leave. Never twice for one client order id.
        if journal.append_if_absent(record, key="client_order_id") is None:
            raise OrderNotAllowed(
                f"the order {preview.client_order_id} of this preview is already in the "
                "order journal: a preview is placed at most once; nothing was sent",
                fix="see it in the key's orders; make a new preview to place another order",
                remedy=PREVIEW_AGAIN)
        order = LoggedOrder(preview.client_order_id,
                            {name: record.get(name) for name in ORDER_FIELDS}, PENDING,
                            updated_at=record["time"], history=[(record["time"], PENDING)],
                            request_timestamp_ms=record["request_timestamp_ms"])
        try:
            return _send(client, journal, preview, order, window, on_accepted)
        except KeyboardInterrupt:
            _interrupted(journal, order)
            raise SendInterrupted(order.client_order_id) from None


def _send(client: ExchangeClient, journal: Journal, preview: OrderPreview,
          order: LoggedOrder, window: RequestWindow | None,
          on_accepted: Callable[[], object]) -> Placement:
    """Send the journaled order once (under ``client.lock``) and record the answer.
    Never raises (but ``KeyboardInterrupt``): the request may have left."""
    if window is not None:
        late = _too_late(client, window)
        if late is not None:
            return _record(journal, order, Placement(order, problem=late), NOT_PLACED,
                           reason=late.message)
    args = preview.checked.create_order_args(
        preview.client_order_id, window.params() if window else None)
    exchange = client.exchange
    real = exchange.fetch
    held_back: list[str] = []

    def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None
              ) -> Any:
        if window is not None and not carries(window, url, body):
            held_back.append(url)
            raise RuntimeError("not sent: another timestamp than the journal's")
        return real(url, method, headers, body)

    try:
        with fetch_replaced(exchange, fetch):
            answer = client.call("create_order", *args)
    except ExchangeProblem as exc:
        return _failed(journal, order, exc, not_sent=bool(held_back))
    except Exception as exc:  # not ccxt's: nothing says whether the request left
        return _record(journal, order, Placement(order, problem=_odd(
            f"sending the order failed unexpectedly ({type(exc).__name__})")),
            UNKNOWN, reason="sending failed unexpectedly; it may have reached the exchange")
    try:
        state, fields = state_of(answer), exchange_fields(answer)
    except Exception:  # an answer that is not an order: placed or not, it is unknown
        return _record(journal, order, Placement(order, problem=_odd(
            "the exchange's answer to the order could not be read")), UNKNOWN,
            reason="the exchange's answer could not be read")
    placed = _record(journal, order, Placement(order, exchange_order=answer), state,
                     **fields)
    try:
        on_accepted()
    except Exception as exc:  # the order stands; only the key's "last used" is late
        placed.warnings.append(f"the key's last use could not be recorded ({exc})")
    return placed


def _odd(message: str) -> ExchangeProblem:
    """An outcome-unknown problem for what went wrong after the request may have left."""
    return NetworkProblem(message, fix=UNKNOWN_OUTCOME, remedy=LOOK_UP_ORDERS)


def _record(journal: Journal, order: LoggedOrder, placement: Placement, state: str,
            **extra: Any) -> Placement:
    """Record ``state`` in the journal; if that fails, the order is still in ``state``
    (the ``Placement`` says so, with a warning) and the journal keeps PENDING, which
    ``reconcile`` settles. Never raises."""
    try:
        append_state(journal, order, state, sync=False, **extra)
    except JournalMoved as exc:
        apply_state(order, state, format_ts(utcnow()), **extra)
        placement.warnings.append(
            f"the order is {state}, but its answer could not be recorded: {exc}. Until "
            "then the app cannot look it up or know it: check it on the exchange")
        return replace(placement, journal_moved=True)
    except Exception as exc:
        apply_state(order, state, format_ts(utcnow()), **extra)
        why = str(exc) if isinstance(exc, VaultError) else type(exc).__name__
        placement.warnings.append(
            f"the order is {state}, but that could not be recorded in the order journal "
            f"({why}); the journal still has it as unresolved, and it is looked up on "
            "the exchange the next time the key's orders are")
    return placement


def _too_late(client: ExchangeClient, window: RequestWindow) -> OrderNotAllowed | None:
    """Why the request is not sent, if too much of its window passed before the send."""
    try:
        now = int(client.exchange.nonce())  # the clock (and offset) that chose it
    except Exception:
        return None  # it was read a moment ago; the exchange still checks the window
    spent = now - window.timestamp_ms
    if spent <= window.recv_window_ms * SAFE_WINDOW_PART:
        return None
    return OrderNotAllowed(
        f"the order was not sent: {spent} ms passed between choosing its timestamp and "
        f"sending it (writing the order journal was held up), more than half of its "
        f"{window.recv_window_ms} ms validity; it is recorded NOT_PLACED",
        fix="place it again; if this repeats, another vault-app process may be holding "
            "the order journal, or the disk is slow")


def _interrupted(journal: Journal, order: LoggedOrder) -> None:
    """Ctrl-C after the PENDING record: say the outcome is unknown, if it still is."""
    if order.state != PENDING:
        return  # the answer is recorded
    try:
        append_state(journal, order, UNKNOWN, reason="interrupted (Ctrl-C) while it was "
                     "being sent; it may have reached the exchange")
    except BaseException:  # a second Ctrl-C: PENDING says as much
        pass


def _failed(journal: Journal, order: LoggedOrder, exc: ExchangeProblem, *,
            not_sent: bool) -> Placement:
    """Record why an order has no answer: never sent, refused, or outcome unknown."""
    if not_sent:
        problem = ExchangeProblem(
            "the order was not sent: ccxt signed its request with another timestamp than "
            "the one journaled", fix="report this; the installed ccxt may have changed")
        return _record(journal, order, Placement(order, problem=problem), NOT_PLACED,
                       reason=problem.message)
    if exc.outcome_unknown:  # it may have reached the exchange: reconcile, never resend
        return _record(journal, order, Placement(order, problem=exc), UNKNOWN,
                       reason=exc.message)
    if isinstance(exc, ClockSkew) and order.request_timestamp_ms is not None:
        # Its timestamp was chosen before the journal write: the request may also have
        # been held up (the computer suspended, the process stopped) past its window.
        exc = ClockSkew(f"{exc.message}; it reached the exchange more than recvWindow "
                        "after its timestamp, because this computer's clock is off or "
                        "the app was held up before sending it", fix=exc.fix)
    return _record(journal, order, Placement(order, problem=exc), REJECTED,
                   reason=exc.message)
