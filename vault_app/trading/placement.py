"""Journal-first submit: PENDING is durable before the request leaves, and no resend.

1. The order (never a credential) is appended to the journal as PENDING; ``append``
   returns only once it is on disk.
2. ccxt's ``create_order`` is called once, with the client order id of the preview.
3. The answer is recorded: the exchange's state (OPEN, FILLED, ...) with its order id;
   REJECTED with the reason when the exchange answered with a refusal; UNKNOWN when
   no answer came (timeout, dropped connection, HTTP 5xx). An UNKNOWN order is never
   sent again: ``reconcile`` finds out what the exchange holds.
4. After the exchange accepted, the key's ``last_used_at`` is updated (``on_accepted``).

A crash between 1 and 3 leaves PENDING, which ``reconcile`` treats like UNKNOWN.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from vault_app.core.errors import VaultError
from vault_app.core.model import format_ts, utcnow
from vault_app.trading.errors import (
    ExchangeProblem,
    ExchangeUnavailable,
    NetworkProblem,
    OrderNotAllowed,
)
from vault_app.trading.journal import Journal
from vault_app.trading.order_log import (
    ORDER_FIELDS,
    PENDING,
    REJECTED,
    UNKNOWN,
    LoggedOrder,
    append_state,
    exchange_fields,
    state_of,
)
from vault_app.trading.orders import require_trade
from vault_app.trading.preview import fetch_replaced

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient
    from vault_app.trading.preview import OrderPreview

DEFAULT_RECV_WINDOW_MS = 5_000  # Binance's default when a request names none


@dataclass(frozen=True)
class Placement:
    """What happened to one order: its journal view and, if any, the exchange's problem."""

    order: LoggedOrder
    exchange_order: dict[str, Any] | None = None
    problem: ExchangeProblem | None = None
    warnings: list[str] = field(default_factory=list)  # after an accepted order


def pending_record(entry: KeyEntry, preview: OrderPreview, recv_window_ms: int | None
                   ) -> dict[str, Any]:
    checked = preview.checked
    request = checked.request
    return {
        "kind": "order", "state": PENDING, "client_order_id": preview.client_order_id,
        "key_id": entry.id, "exchange": entry.exchange, "environment": entry.environment,
        "symbol": checked.symbol, "side": request.side, "type": request.type,
        "amount": checked.amount, "price": checked.price, "stop_price": checked.stop_price,
        "time_in_force": checked.time_in_force, "post_only": request.post_only,
        "created_at": format_ts(utcnow()), "time": format_ts(utcnow()),
        "sent_after_ms": int(time.time() * 1000), "recv_window_ms": recv_window_ms,
    }


def signed_timestamp(url: str, body: object) -> int | None:
    """The ``timestamp`` a signed request carries (query or form body), if any."""
    pairs = parse_qsl(urlsplit(url).query)
    if isinstance(body, str):
        pairs += parse_qsl(body)
    for name, value in pairs:
        if name == "timestamp" and value.isdigit():
            return int(value)
    return None


@contextmanager
def timestamp_recorded(exchange: Any, seen: list[int]) -> Iterator[None]:
    """Note the timestamp of each request ccxt sends through ``exchange.fetch``: the
    exact moment its ``recvWindow`` counts from, for reconcile."""
    real = exchange.fetch

    def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        stamp = signed_timestamp(url, body)
        if stamp is not None:
            seen.append(stamp)
        return real(url, method, headers, body)

    with fetch_replaced(exchange, fetch):
        yield


def client_lock(client: ExchangeClient) -> Any:
    """The client's re-entrant lock: ``call`` may run inside it. Held while the
    instance's ``fetch`` is replaced, so no other thread's request goes through it."""
    return client._lock


def place(client: ExchangeClient, journal: Journal, entry: KeyEntry, preview: OrderPreview,
          *, on_accepted: Callable[[], object] = lambda: None) -> Placement:
    """Send one previewed order, once. Raises only before PENDING is written."""
    require_trade(entry)
    if preview.checked.request.key_id != entry.id:
        raise OrderNotAllowed("this preview was made for another key; nothing was sent")
    exchange = client.exchange
    window = exchange.options.get("recvWindow") if isinstance(exchange.options, dict) \
        else None
    record = pending_record(entry, preview, window if isinstance(window, int) else None)
    journal.append(record)  # durable: only now may the request leave
    order = LoggedOrder(preview.client_order_id,
                        {name: record.get(name) for name in ORDER_FIELDS}, PENDING,
                        updated_at=record["time"], history=[(record["time"], PENDING)])
    seen: list[int] = []
    args = preview.checked.create_order_args(preview.client_order_id)
    try:
        with client_lock(client), timestamp_recorded(exchange, seen):
            answer = client.call("create_order", *args)
    except (NetworkProblem, ExchangeUnavailable) as exc:
        append_state(journal, order, UNKNOWN, reason=exc.message,
                     request_timestamp_ms=seen[-1] if seen else None)
        return Placement(order, problem=exc)
    except ExchangeProblem as exc:
        append_state(journal, order, REJECTED, reason=exc.message)
        return Placement(order, problem=exc)
    append_state(journal, order, state_of(answer), **exchange_fields(answer),
                 request_timestamp_ms=seen[-1] if seen else None)
    placed = Placement(order, exchange_order=answer)
    try:
        on_accepted()
    except VaultError as exc:  # the order stands; only the key's "last used" is late
        placed.warnings.append(f"the key's last use could not be recorded ({exc})")
    return placed
