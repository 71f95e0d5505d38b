"""Find out what happened to orders whose answer never came (PENDING or UNKNOWN).

Nothing is ever sent again. For each unresolved order of the key, in turn:

1. ask the exchange's clock (``fetch_time``, public), then look the order up by its
   client order id (``fetch_order``), and if that finds nothing, among the open
   orders of its symbol. Found: record the exchange's state and order id.
2. Not found: an exchange may not show a new order at once, so try again after
   0.5, 1, 2 and 4 s (``backoff``; the sleep is injectable for tests).
3. The request carried ``timestamp`` and ``recvWindow``: once the exchange's clock
   has passed ``timestamp + recvWindow``, the exchange will never accept it. A
   lookup that finds nothing after that moment (the clock is read before the
   lookup) is final: NOT_PLACED. When the timestamp is not known exactly (a crash
   before the answer), it is bounded by the PENDING record's time plus
   ``SIGN_GRACE_MS``. While the deadline has not passed, the order stays UNKNOWN
   and the next command tries again.
4. If the exchange cannot be reached (or refuses the lookup), the order stays as it
   is, and the reason is said; the next trading command for the key reconciles again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vault_app.core.model import format_ts
from vault_app.trading.errors import ExchangeProblem, OrderNotFound
from vault_app.trading.journal import Journal
from vault_app.trading.order_log import (
    NOT_PLACED,
    PENDING,
    UNKNOWN,
    LoggedOrder,
    append_state,
    exchange_fields,
    fold,
    state_of,
)
from vault_app.trading.placement import DEFAULT_RECV_WINDOW_MS

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient

BACKOFF = (0.5, 1.0, 2.0, 4.0)
SIGN_GRACE_MS = 5_000
"""How long after its PENDING record an order's request may have been signed at most
(ccxt's rate limiter may wait before signing); used only when the exact timestamp
was lost with a crash."""


@dataclass(frozen=True)
class Resolution:
    order: LoggedOrder
    resolved: bool
    message: str


def deadline_ms(order: LoggedOrder) -> int | None:
    """When the exchange's clock makes the order's request unacceptable for good."""
    window = order.fields.get("recv_window_ms") or DEFAULT_RECV_WINDOW_MS
    stamp = order.request_timestamp_ms
    if stamp is None:
        sent = order.fields.get("sent_after_ms")
        if not isinstance(sent, int):
            return None
        stamp = sent + SIGN_GRACE_MS
    return int(stamp) + int(window)


def lookup(client: ExchangeClient, order: LoggedOrder) -> dict[str, Any] | None:
    """The exchange's view of the order by client order id, or None if it has none."""
    cid = order.client_order_id
    try:
        found: dict[str, Any] = client.call("fetch_order", None, order.symbol,
                                            {"clientOrderId": cid})
        return found
    except OrderNotFound:
        pass
    for candidate in client.call("fetch_open_orders", order.symbol):
        if candidate.get("clientOrderId") == cid:
            return dict(candidate)
    return None


def _when(ms: int) -> str:
    from datetime import UTC, datetime

    return format_ts(datetime.fromtimestamp(ms / 1000, UTC))


def resolve(client: ExchangeClient, journal: Journal, order: LoggedOrder, *,
            sleep: Callable[[float], object] = time.sleep,
            backoff: Sequence[float] = BACKOFF) -> Resolution:
    """Settle one unresolved order, or leave it UNKNOWN and say why."""
    deadline = deadline_ms(order)
    can_time = bool(client.exchange.has.get("fetchTime"))
    server_ms: int | None = None
    for delay in (0.0, *backoff):
        if delay:
            sleep(delay)
        try:
            server_ms = int(client.call("fetch_time")) if can_time else None
            found = lookup(client, order)
        except ExchangeProblem as exc:
            _mark_unknown(journal, order, f"reconcile could not ask the exchange: {exc.message}")
            return Resolution(order, False, (
                f"order {order.client_order_id}: outcome still unknown; the exchange could "
                f"not be asked ({exc.message}). It was not resent; the next order command "
                "for this key tries again"))
        if found is not None:
            state = state_of(found)
            append_state(journal, order, state, **exchange_fields(found),
                         reason="found on the exchange by its client order id")
            return Resolution(order, True, f"order {order.client_order_id} was placed: "
                                           f"{state} (exchange id {order.order_id})")
        if deadline is not None and server_ms is not None and server_ms > deadline:
            append_state(journal, order, NOT_PLACED, reason=(
                f"not on the exchange, and its clock ({_when(server_ms)}) is past the "
                f"request's timestamp + recvWindow ({_when(deadline)}), after which the "
                "exchange never accepts it"))
            return Resolution(order, True, f"order {order.client_order_id} was not placed "
                                           "(the exchange does not have it, and never will)")
    _mark_unknown(journal, order, "not found on the exchange yet")
    until = f" until {_when(deadline)}" if deadline is not None else ""
    return Resolution(order, False, (
        f"order {order.client_order_id}: not found on the exchange yet; it could still "
        f"appear{until}. It was not resent; the next order command for this key checks "
        "again"))


def _mark_unknown(journal: Journal, order: LoggedOrder, reason: str) -> None:
    if order.state != PENDING:
        return
    # A PENDING order may be another process's, still waiting for its answer: if that
    # process recorded the answer meanwhile, it stands.
    latest = next((o for o in fold(journal.read().records)
                   if o.client_order_id == order.client_order_id), None)
    if latest is not None and not latest.unresolved:
        return
    append_state(journal, order, UNKNOWN, reason=reason)  # the answer is lost: say so


def unresolved_orders(journal: Journal, entry: KeyEntry) -> list[LoggedOrder]:
    return [order for order in fold(journal.read().records, entry.id) if order.unresolved]


def reconcile(client: ExchangeClient, journal: Journal, entry: KeyEntry, *,
              sleep: Callable[[float], object] = time.sleep,
              backoff: Sequence[float] = BACKOFF) -> list[Resolution]:
    """Settle every unresolved order of ``entry``; nothing is sent when there is none."""
    return [resolve(client, journal, order, sleep=sleep, backoff=backoff)
            for order in unresolved_orders(journal, entry)]
