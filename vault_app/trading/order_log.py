"""Orders as the journal tells them: the states, the records, the latest state of each.

Every record of an order is a JSON object with ``"kind": "order"``, its
``client_order_id``, the ``key_id`` and a ``state``. The first is ``PENDING`` and
carries the whole order (never a credential); each later one a state change:

- ``PENDING``: written and made durable before the request leaves the machine.
- ``OPEN``, ``PARTIALLY_FILLED``, ``FILLED``, ``CANCELED``, ``EXPIRED``: what the
  exchange says the order is (``order_id`` is the exchange's id).
- ``REJECTED``: the exchange answered and refused it (``reason``).
- ``UNKNOWN``: sent, but no answer (timeout, dropped connection, HTTP 5xx). It is
  never resent; ``reconcile`` finds out.
- ``NOT_PLACED``: reconcile proved the exchange does not hold it and never will
  (its ``timestamp + recvWindow`` has passed on the exchange's clock).

A PENDING or UNKNOWN order is *unresolved*; every other state is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vault_app.core.model import format_ts, utcnow
from vault_app.trading.journal import Journal, JournalRecord

PENDING = "PENDING"
OPEN = "OPEN"
PARTIALLY_FILLED = "PARTIALLY_FILLED"
FILLED = "FILLED"
CANCELED = "CANCELED"
EXPIRED = "EXPIRED"
REJECTED = "REJECTED"
UNKNOWN = "UNKNOWN"
NOT_PLACED = "NOT_PLACED"
UNRESOLVED = frozenset({PENDING, UNKNOWN})
LIVE_ON_EXCHANGE = frozenset({OPEN, PARTIALLY_FILLED})
ORDER_FIELDS = ("key_id", "exchange", "environment", "symbol", "side", "type", "amount",
                "price", "stop_price", "time_in_force", "post_only", "created_at",
                "sent_after_ms", "recv_window_ms")


@dataclass
class LoggedOrder:
    """The latest view of one order, folded from its journal records."""

    client_order_id: str
    fields: dict[str, Any]
    state: str
    order_id: str | None = None
    filled: str | None = None
    reason: str | None = None
    updated_at: str | None = None
    request_timestamp_ms: int | None = None
    history: list[tuple[str, str]] = field(default_factory=list)  # (time, state)

    @property
    def symbol(self) -> str:
        return str(self.fields.get("symbol", ""))

    @property
    def unresolved(self) -> bool:
        return self.state in UNRESOLVED

    def public(self) -> dict[str, Any]:
        """What ``order list --json`` prints (no credential is ever in the journal)."""
        return {"client_order_id": self.client_order_id, "order_id": self.order_id,
                "state": self.state, "filled": self.filled, "reason": self.reason,
                "updated_at": self.updated_at,
                **{name: self.fields.get(name) for name in ORDER_FIELDS
                   if name not in ("sent_after_ms", "recv_window_ms")}}


def fold(records: Iterable[JournalRecord], key_id: str | None = None) -> list[LoggedOrder]:
    """Each order's latest state, oldest order first; only ``key_id``'s if given."""
    orders: dict[str, LoggedOrder] = {}
    for record in records:
        data = record.data
        if data.get("kind") != "order" or (key_id is not None and data.get("key_id") != key_id):
            continue
        cid = str(data.get("client_order_id"))
        state = str(data.get("state"))
        known = orders.get(cid)
        if known is None:
            known = orders[cid] = LoggedOrder(
                cid, {name: data.get(name) for name in ORDER_FIELDS}, state)
        known.state = state
        for name in ("order_id", "filled", "reason", "request_timestamp_ms"):
            if data.get(name) is not None:
                setattr(known, name, data[name])
        known.updated_at = data.get("time")
        known.history.append((str(data.get("time")), state))
    return list(orders.values())


def state_of(order: Mapping[str, Any]) -> str:
    """Our state for a ccxt order structure."""
    status = order.get("status")
    filled = Decimal(str(order.get("filled") or 0))
    if status == "open":
        return PARTIALLY_FILLED if filled > 0 else OPEN
    return {"closed": FILLED, "canceled": CANCELED, "cancelled": CANCELED,
            "expired": EXPIRED, "rejected": REJECTED}.get(str(status), OPEN)


def append_state(journal: Journal, order: LoggedOrder, state: str, **extra: Any) -> None:
    """Record a state change (and update ``order`` to match)."""
    record: dict[str, Any] = {"kind": "order", "client_order_id": order.client_order_id,
                              "key_id": order.fields.get("key_id"), "state": state,
                              "time": format_ts(utcnow())}
    record.update({name: value for name, value in extra.items() if value is not None})
    journal.append(record)
    order.state = state
    for name in ("order_id", "filled", "reason", "request_timestamp_ms"):
        if extra.get(name) is not None:
            setattr(order, name, extra[name])
    order.updated_at = record["time"]
    order.history.append((record["time"], state))


def exchange_fields(order: Mapping[str, Any]) -> dict[str, Any]:
    """The journal fields of a ccxt order structure: its id and how much filled."""
    filled = order.get("filled")
    return {"order_id": None if order.get("id") is None else str(order["id"]),
            "filled": None if filled is None else format(Decimal(str(filled)).normalize(), "f")}
