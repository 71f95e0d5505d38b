"""Orders as the journal tells them: the states, the records, the latest state of each.

Every record of an order is a JSON object with ``"kind": "order"``, its
``client_order_id``, the ``key_id`` and a ``state``. The first is ``PENDING`` and
carries the whole order (never a credential); each later one a state change:

- ``PENDING``: written and made durable before the request leaves the machine. For
  an exchange whose signed request takes its ``timestamp`` and ``recvWindow`` from
  us (Binance), it holds both (``request_timestamp_ms``, ``recv_window_ms``): the
  request is valid on the exchange only until their sum, by the exchange's clock.
- ``OPEN``, ``PARTIALLY_FILLED``, ``FILLED``, ``CANCELED``, ``EXPIRED``: what the
  exchange says the order is (``order_id`` is the exchange's id).
- ``REJECTED``: the exchange answered and refused it (``reason``).
- ``UNKNOWN``: sent, but no answer (timeout, dropped connection, HTTP 5xx). It is
  never resent; ``reconcile`` finds out.
- ``NOT_PLACED``: the exchange does not hold it and never will: reconcile proved it
  (its ``timestamp + recvWindow`` has passed on the exchange's clock), the request
  was never sent, or the user said so (``order resolve --not-placed``).

A PENDING or UNKNOWN order is *unresolved*; every other state is known.

Once the exchange has shown an order (OPEN, PARTIALLY_FILLED, FILLED, CANCELED,
EXPIRED), a later record saying it was never accepted (REJECTED, NOT_PLACED) or
that its outcome is unknown (PENDING, UNKNOWN) cannot be true of that order: the
fold keeps the accepted state and lists the record in the order's ``anomalies``
(say, a second request with the same client order id, refused as a duplicate).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from vault_app.core.errors import VaultWriteError
from vault_app.core.model import format_ts, utcnow
from vault_app.trading.journal import Journal, JournalGone, JournalRecord

if TYPE_CHECKING:
    from vault_app.core.vault import Vault

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
MAX_DIGITS = 30
"""Powers of ten beyond which a number from the exchange is not taken as one."""
ACCEPTED = frozenset({OPEN, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED})
"""The exchange held the order: no later record can make it never placed."""
ANSWER_FIELDS = ("order_id", "filled", "average", "cost", "fees", "reason")
"""What a later record may set: from the exchange's answer (``exchange_fields``), or why."""
ORDER_FIELDS = ("key_id", "exchange", "environment", "symbol", "side", "type", "amount",
                "price", "stop_price", "time_in_force", "post_only", "created_at",
                "recv_window_ms")


@dataclass
class LoggedOrder:
    """The latest view of one order, folded from its journal records."""

    client_order_id: str
    fields: dict[str, Any]
    state: str
    order_id: str | None = None
    filled: str | None = None
    average: str | None = None
    """The average fill price (a decimal string, in the quote currency), once filled."""
    cost: str | None = None
    """What the fills came to (amount x price), in the quote currency."""
    fees: list[dict[str, str]] | None = None
    """The exchange's fees: ``[{"cost": "0.00001", "currency": "BTC"}]``."""
    reason: str | None = None
    updated_at: str | None = None
    request_timestamp_ms: int | None = None
    """The ``timestamp`` its request was signed with, chosen before its PENDING record
    (from that record only; None if the exchange's request could not be pinned)."""
    history: list[tuple[str, str]] = field(default_factory=list)  # (time, state)
    anomalies: list[str] = field(default_factory=list)
    """Records that contradict an accepted state, kept out of ``state`` (see above)."""

    @property
    def symbol(self) -> str:
        symbol = self.fields.get("symbol")
        return str(symbol) if symbol else ""  # never "None": an order without its details

    @property
    def unresolved(self) -> bool:
        return self.state in UNRESOLVED

    def public(self) -> dict[str, Any]:
        """What ``order list --json`` prints (no credential is ever in the journal)."""
        return {"client_order_id": self.client_order_id, "order_id": self.order_id,
                "state": self.state, "filled": self.filled, "average": self.average,
                "cost": self.cost, "fees": self.fees or [], "reason": self.reason,
                "updated_at": self.updated_at, "anomalies": list(self.anomalies),
                **{name: self.fields.get(name) for name in ORDER_FIELDS
                   if name != "recv_window_ms"}}


def fold(records: Iterable[JournalRecord], key_id: str | None = None) -> list[LoggedOrder]:
    """Each order's latest state, oldest order first; only ``key_id``'s if given."""
    orders: dict[str, LoggedOrder] = {}
    fold_into(orders, records, key_id)
    return list(orders.values())


def fold_into(orders: dict[str, LoggedOrder], records: Iterable[JournalRecord],
              key_id: str | None = None) -> None:
    """``fold``, continued: ``orders`` (client order id -> order, as folded from the
    records before these) is brought up to date with ``records``."""
    for record in records:
        data = record.data
        if data.get("kind") != "order" or (key_id is not None and data.get("key_id") != key_id):
            continue
        cid = str(data.get("client_order_id"))
        state = str(data.get("state"))
        known = orders.get(cid)
        if known is None:
            stamp = data.get("request_timestamp_ms")
            known = orders[cid] = LoggedOrder(
                cid, {name: data.get(name) for name in ORDER_FIELDS}, state,
                request_timestamp_ms=stamp if isinstance(stamp, int) else None)
        if known.state in ACCEPTED and state not in ACCEPTED:
            known.anomalies.append(
                f"{data.get('time')}: a later record says {state}"
                + (f" ({data['reason']})" if data.get("reason") else "")
                + f"; the exchange had accepted it ({known.state}), so that stands")
            continue
        known.state = state
        for name in ANSWER_FIELDS:
            if data.get(name) is not None:
                setattr(known, name, data[name])
        known.updated_at = data.get("time")
        known.history.append((str(data.get("time")), state))


def decimal_or_none(value: object) -> Decimal | None:
    """A number from the exchange's answer as a Decimal; None if it is not a finite
    number (an odd or hostile answer is never a crash)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    # An amount beyond any market's (1E+999999 is a finite Decimal) is not an amount.
    return result if result.is_finite() and abs(result.adjusted()) <= MAX_DIGITS else None


def state_of(order: Mapping[str, Any]) -> str:
    """Our state for a ccxt order structure."""
    status = order.get("status")
    filled = decimal_or_none(order.get("filled")) or Decimal(0)
    if status == "open":
        return PARTIALLY_FILLED if filled > 0 else OPEN
    return {"closed": FILLED, "canceled": CANCELED, "cancelled": CANCELED,
            "expired": EXPIRED, "rejected": REJECTED}.get(str(status), OPEN)


def append_state(journal: Journal, order: LoggedOrder, state: str, *, sync: bool = True,
                 when: Callable[[Sequence[JournalRecord]], bool] | None = None,
                 **extra: Any) -> bool:
    """Record a state change (and update ``order`` to match). ``sync=False``: the
    record may be written lazily (spec 9.4), for an answer whose loss leaves the
    order PENDING, which reconcile settles.

    A state record never starts a journal, and goes only to the journal that holds
    the order's PENDING record: one moved aside or replaced meanwhile raises
    ``JournalMoved`` (nothing written). ``when`` (checked under the journal's lock
    with every record): if false, nothing is written and False is returned."""
    record: dict[str, Any] = {"kind": "order", "client_order_id": order.client_order_id,
                              "key_id": order.fields.get("key_id"), "state": state,
                              "time": format_ts(utcnow())}
    record.update({name: value for name, value in extra.items() if value is not None})
    cid = order.client_order_id
    held = [True]

    def check(records: Sequence[JournalRecord]) -> bool:
        held[0] = any(r.data.get("client_order_id") == cid for r in records)
        return held[0] and (when is None or when(records))

    try:
        seq = journal.append_if(record, check, sync=sync)
    except JournalGone:
        raise JournalMoved(journal, cid) from None
    if seq is None:
        if not held[0]:
            raise JournalMoved(journal, cid)
        return False
    apply_state(order, state, record["time"], **extra)
    return True


class JournalMoved(VaultWriteError):
    """The order journal that holds an order is not at its name any more."""

    def __init__(self, journal: Journal, client_order_id: str) -> None:
        super().__init__(
            f"the order journal {journal.path} was moved aside or replaced after order "
            f"{client_order_id} was recorded in it; nothing was written. Put the journal "
            "back where it was (its moved copy holds the order), then the app looks the "
            "order up again")


def apply_state(order: LoggedOrder, state: str, time: str, **extra: Any) -> None:
    """Update ``order`` (in memory only) to a state change made at ``time``."""
    order.state = state
    for name in ANSWER_FIELDS:
        if extra.get(name) is not None:
            setattr(order, name, extra[name])
    order.updated_at = time
    order.history.append((time, state))


def exchange_fields(order: Mapping[str, Any]) -> dict[str, Any]:
    """The journal fields of a ccxt order structure: its id, how much filled, and once
    something filled, the average price, the cost and the fees (decimal strings)."""
    filled = decimal_or_none(order.get("filled"))
    some = filled is not None and filled > 0
    average = decimal_or_none(order.get("average")) if some else None
    cost = decimal_or_none(order.get("cost")) if some else None
    return {"order_id": None if order.get("id") is None else str(order["id"]),
            "filled": _text(filled),
            "average": _text(average) if average else None,
            "cost": _text(cost) if cost else None,
            "fees": fees_of(order) or None}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def fees_of(order: Mapping[str, Any]) -> list[dict[str, str]]:
    """ccxt's ``fees`` (or its one ``fee``), summed per currency: ``[{"cost": "0.5",
    "currency": "USDT"}]``; a fee without a number or a currency is left out."""
    listed = order.get("fees")
    if not isinstance(listed, list) or not listed:
        listed = [order.get("fee")]
    totals: dict[str, Decimal] = {}
    for fee in listed:
        if not isinstance(fee, Mapping):
            continue
        cost, currency = decimal_or_none(fee.get("cost")), fee.get("currency")
        if cost is not None and isinstance(currency, str) and currency:
            totals[currency] = totals.get(currency, Decimal(0)) + cost
    return [{"cost": str(_text(cost)), "currency": currency}
            for currency, cost in totals.items()]


def unresolved_of_key(vault: Vault, entry_id: str) -> list[LoggedOrder]:
    """The key's orders whose outcome the journal does not know (none without one)."""
    from vault_app.trading.journal import journal_path

    key = vault.meta.journal_key
    if key is None or not journal_path(vault.path).exists():
        return []
    return [order for order in fold(Journal(journal_path(vault.path), key).read().records,
                                    entry_id) if order.unresolved]


def removal_warning(vault: Vault, entry_id: str) -> str | None:
    """A sentence for a question about removing the key, if orders of the key have an
    unknown outcome (or the journal cannot be read to tell); None otherwise."""
    from vault_app.core.errors import VaultError

    try:
        pending = unresolved_of_key(vault, entry_id)
    except VaultError:
        return ("The order journal could not be read: orders of this key whose outcome "
                "is unknown would be forgotten.")
    if not pending:
        return None
    if len(pending) == 1:
        return ("An order of this key has an unknown outcome: removing the key forgets "
                "it, and the same order could be placed twice. Check it on the exchange "
                "first.")
    return (f"{len(pending)} orders of this key have an unknown outcome: removing the "
            "key forgets them, and the same order could be placed twice. Check them on "
            "the exchange first.")
