"""Find out what happened to orders whose answer never came (PENDING or UNKNOWN).

Nothing is ever sent again. For each unresolved order of the key, in turn:

1. ask the exchange's clock (``fetch_time``, public), then look the order up by its
   client order id (``fetch_order``), and if that finds nothing, among the open
   orders of its symbol. Found: record the exchange's state and order id.
2. Not found: an exchange may not show a new order at once, so try again after
   0.5, 1, 2 and 4 s (``backoff``; the sleep is injectable for tests).
3. An order whose PENDING record holds the ``timestamp`` and ``recvWindow`` its
   request was signed with (chosen before the record was written: see
   ``placement``) can be accepted by the exchange only until ``timestamp +
   recvWindow`` by the exchange's clock, however late the request left. A lookup
   that finds nothing, made when the exchange's clock (read before the lookup) is
   past that deadline by ``SETTLE_MS`` more (time for an order accepted at the last
   moment to show), is final: NOT_PLACED. Before that, the order stays UNKNOWN and
   the next command tries again.
4. An order without them (an exchange whose request cannot be pinned) is never
   concluded NOT_PLACED here, however long ago it was sent: nothing bounds when
   the exchange may still accept it. It stays UNKNOWN, and the message says it was
   not resent, to check it on the exchange, and that the user can settle it by hand
   (``mark_not_placed``; the CLI's ``order resolve --not-placed``).
5. If the exchange cannot be reached (or refuses the lookup), the order stays as it
   is, and the reason is said; the next trading command for the key reconciles again.

A front end that keeps a key open looks again on the schedule of ``look_again_after``
(2, 4, 8, ... s, at most a minute apart) while ``keep_looking`` says an order is left
that a later look may settle.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.core.model import format_ts
from vault_app.trading.error_context import NO_ORDER_SENT
from vault_app.trading.errors import ExchangeProblem, OrderInputError, OrderNotFound
from vault_app.trading.journal import Journal, JournalRecord
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

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient

BACKOFF = (0.5, 1.0, 2.0, 4.0)
LOOK_AGAIN = (2.0, 4.0, 8.0, 16.0, 32.0, 60.0)
"""Seconds between two looks at a key's orders of unknown outcome (then the last one)."""
SETTLE_MS = 1_000
"""How long after an order's deadline the exchange's clock must be before "not found"
is final: an order accepted at the last moment may take a moment to be found."""
MARKED_BY_USER = "marked not placed by the user"


@dataclass(frozen=True)
class Resolution:
    order: LoggedOrder
    resolved: bool
    message: str
    needs_user: bool = False
    """Unknown, and nothing proves it will ever be known without the user: check the
    order on the exchange, then settle it by hand (``mark_not_placed``)."""


def deadline_ms(order: LoggedOrder) -> int | None:
    """When the exchange's clock makes the order's request unacceptable for good: its
    pinned ``timestamp + recvWindow`` from the PENDING record; None if it has none."""
    stamp = order.request_timestamp_ms
    window = order.fields.get("recv_window_ms")
    if not isinstance(stamp, int) or not isinstance(window, int):
        return None
    return stamp + window


def lookup(client: ExchangeClient, order: LoggedOrder) -> dict[str, Any] | None:
    """The exchange's view of the order by client order id, or None if it has none."""
    cid = order.client_order_id
    try:
        found: dict[str, Any] = client.call("fetch_order", None, order.symbol,
                                            {"clientOrderId": cid})
        return found
    except OrderNotFound:
        pass
    candidates = client.call("fetch_open_orders", order.symbol)
    for candidate in candidates if isinstance(candidates, list) else ():
        if isinstance(candidate, dict) and candidate.get("clientOrderId") == cid:
            return dict(candidate)
    return None


def server_time(client: ExchangeClient) -> int:
    """The exchange's clock in ms (``fetch_time``); an answer that is not a plausible
    time is ``ExchangeProblem`` (the exchange could not be asked), never a crash."""
    value = client.call("fetch_time")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        value = None
    try:
        ms = int(Decimal(str(value).strip())) if value is not None else None
    except (ArithmeticError, ValueError):
        ms = None
    if ms is None or not 0 < ms < 10 ** 14:
        raise ExchangeProblem(f"its time answer is not a time ({str(value)[:40]!r})",
                              fix="try again later; if it repeats, the API URL may not "
                                  "be the exchange's")
    return ms


def _when(ms: int) -> str:
    from datetime import UTC, datetime

    return format_ts(datetime.fromtimestamp(ms / 1000, UTC))


def resolve(client: ExchangeClient, journal: Journal, order: LoggedOrder, *,
            sleep: Callable[[float], object] = time.sleep,
            backoff: Sequence[float] = BACKOFF) -> Resolution:
    """Settle one unresolved order, or leave it UNKNOWN and say why."""
    if not order.symbol:  # never asked for with no symbol: the exchange's error misleads
        return Resolution(order, False, (
            f"order {order.client_order_id}: outcome unknown, and the order journal has "
            "lost its details (no PENDING record with its symbol: was the journal moved "
            "aside or replaced while it was sent? Put the old one back). It was not "
            "resent. Check it on the exchange; if it is not there, settle it by hand as "
            "not placed"), needs_user=True)
    deadline = deadline_ms(order)
    can_time = bool(client.exchange.has.get("fetchTime"))
    server_ms: int | None = None
    for delay in (0.0, *backoff):
        if delay:
            sleep(delay)
        try:
            server_ms = server_time(client) if can_time else None
            found = lookup(client, order)
        except ExchangeProblem as exc:
            why = exc.message.removesuffix(NO_ORDER_SENT)  # the lookup's, not the order's
            _mark_unknown(journal, order, f"reconcile could not ask the exchange: {why}")
            return Resolution(order, False, (
                f"order {order.client_order_id}: outcome still unknown; the exchange could "
                f"not be asked ({why}). It was not resent, and is looked up again "
                "later"))
        if found is not None:
            state = state_of(found)
            append_state(journal, order, state, **exchange_fields(found),
                         reason="found on the exchange by its client order id")
            return Resolution(order, True, f"order {order.client_order_id} was placed: "
                                           f"{state} (exchange id {order.order_id})")
        if deadline is not None and server_ms is not None \
                and server_ms > deadline + SETTLE_MS:
            append_state(journal, order, NOT_PLACED, reason=(
                f"not on the exchange, and its clock ({_when(server_ms)}) is past the "
                f"request's timestamp + recvWindow ({_when(deadline)}), after which the "
                "exchange never accepts it"))
            return Resolution(order, True, f"order {order.client_order_id} was not placed "
                                           "(the exchange does not have it, and never will)")
    if deadline is None:
        _mark_unknown(journal, order, "not found on the exchange; its outcome is unknown")
        return Resolution(order, False, (
            f"order {order.client_order_id}: outcome unknown: the exchange does not show "
            "it, but nothing proves it never will. It was not resent. Check it on the "
            "exchange; if it is not there, settle it by hand as not placed"),
            needs_user=True)
    _mark_unknown(journal, order, "not found on the exchange yet")
    return Resolution(order, False, (
        f"order {order.client_order_id}: not found on the exchange yet; it could still "
        f"appear until {_when(deadline + SETTLE_MS)} (the exchange's clock). It was not "
        "resent, and is looked up again later"))


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


def look_again_after(attempt: int, schedule: Sequence[float] = LOOK_AGAIN) -> float:
    """How many seconds to wait before the next look (``attempt`` counts the looks
    already made, from 0): the schedule's, then its last; 0 for an empty schedule."""
    if not schedule:
        return 0.0
    return float(schedule[min(max(attempt, 0), len(schedule) - 1)])


def keep_looking(resolutions: Sequence[Resolution]) -> bool:
    """Whether a later look may settle an order these left unresolved (one that needs
    the user never settles by looking again)."""
    return any(not r.resolved and not r.needs_user for r in resolutions)


def unresolved_orders(journal: Journal, entry: KeyEntry) -> list[LoggedOrder]:
    return [order for order in fold(journal.read().records, entry.id) if order.unresolved]


def reconcile(client: ExchangeClient, journal: Journal, entry: KeyEntry, *,
              sleep: Callable[[float], object] = time.sleep,
              backoff: Sequence[float] = BACKOFF) -> list[Resolution]:
    """Settle every unresolved order of ``entry``; nothing is sent when there is none."""
    return [resolve(client, journal, order, sleep=sleep, backoff=backoff)
            for order in unresolved_orders(journal, entry)]


def mark_not_placed(client: ExchangeClient, journal: Journal, entry: KeyEntry,
                    client_order_id: str) -> LoggedOrder:
    """Settle an unresolved order of ``entry`` as NOT_PLACED on the user's word (after
    checking the exchange). Refused for an order whose state is already known.

    The exchange is asked once more first (by client order id): an order it has is not
    marked; its state is recorded instead, and the refusal says so. Only an exchange
    that cannot be asked, or an order the journal lost the symbol of, takes the user's
    word alone. The last check (still unresolved) and the record are made under the
    journal's lock, so another process that settled it meanwhile is not overwritten."""
    ref = client_order_id.strip()
    order = next((o for o in fold(journal.read().records, entry.id)
                  if o.client_order_id == ref), None)
    if order is None:
        raise OrderInputError(f"the journal has no order '{ref}' for the key "
                              f"'{entry.label}' (give its client id, va-...)", field="id")
    if not order.unresolved:
        raise OrderInputError(f"order {ref} is {order.state}: its state is known, so it "
                              "was left as it is", field="id")
    if order.symbol:
        try:
            found = lookup(client, order)
        except ExchangeProblem:
            found = None  # cannot be asked: the user's word, who checked, stands
        if found is not None:
            state = state_of(found)
            append_state(journal, order, state, **exchange_fields(found),
                         reason="found on the exchange by its client order id")
            raise OrderInputError(
                f"order {ref} is on the exchange ({state}), so it was not marked as not "
                f"placed; its state {state} is recorded", field="id")

    def still_unresolved(records: Sequence[JournalRecord]) -> bool:
        latest = next((o for o in fold(records, entry.id) if o.client_order_id == ref),
                      None)
        return latest is not None and latest.unresolved

    if not append_state(journal, order, NOT_PLACED, when=still_unresolved,
                        reason=MARKED_BY_USER):
        raise OrderInputError(f"order {ref} was settled meanwhile (by another window or "
                              "process), so it was left as it is", field="id")
    return order
