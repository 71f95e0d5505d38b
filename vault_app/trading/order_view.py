"""One view of an order for front ends, whether from the journal or from the exchange.

``order list`` (the journal) and ``order list --open`` (the exchange's open orders,
placed here or elsewhere) print the same columns and the same JSON object: the keys of
``LoggedOrder.public``, every number a decimal string, never a float.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vault_app.trading.money import grouped
from vault_app.trading.order_log import (
    LIVE_ON_EXCHANGE,
    OPEN,
    UNRESOLVED,
    LoggedOrder,
    decimal_or_none,
    exchange_fields,
    state_of,
)

COLUMNS = ("TIME", "STATE", "SIDE", "TYPE", "AMOUNT", "SYMBOL", "PRICE", "STOP", "FILLED",
           "AVG PRICE", "COST", "FEE", "EXCHANGE ID", "CLIENT ID", "REASON")


def _decimal_text(value: object) -> str | None:
    number = decimal_or_none(value)
    return None if number is None else format(number.normalize(), "f")


def exchange_order_public(order: Mapping[str, Any], key_id: str, exchange: str,
                          environment: str) -> dict[str, Any]:
    """A ccxt order structure (from the exchange) as ``LoggedOrder.public`` has it."""
    fields = exchange_fields(order)
    info = order.get("info")
    params: Mapping[str, Any] = info if isinstance(info, Mapping) else {}
    tif = order.get("timeInForce")
    return {
        "client_order_id": order.get("clientOrderId") or None,
        "order_id": fields["order_id"], "state": state_of(order),
        "filled": fields["filled"], "average": fields["average"], "cost": fields["cost"],
        "fees": fields["fees"] or [], "reason": None,
        "updated_at": _iso(order.get("lastUpdateTimestamp")), "anomalies": [],
        "key_id": key_id, "exchange": exchange, "environment": environment,
        "symbol": order.get("symbol"), "side": order.get("side"),
        "type": _type(order, params),
        "amount": _decimal_text(order.get("amount")),
        "price": _decimal_text(order.get("price")) if order.get("type") != "market" else None,
        "stop_price": _decimal_text(order.get("triggerPrice") or order.get("stopPrice")),
        "time_in_force": tif if isinstance(tif, str) and tif != "PO" else None,
        "post_only": bool(order.get("postOnly")),
        "created_at": _iso(order.get("timestamp")),
    }


def _type(order: Mapping[str, Any], info: Mapping[str, Any]) -> str | None:
    kind = order.get("type")
    if order.get("triggerPrice") or order.get("stopPrice"):
        return "stop-limit" if kind in ("limit", "stop_loss_limit", "take_profit_limit") \
            or str(info.get("type", "")).endswith("_LIMIT") else str(kind)
    return None if kind is None else str(kind)


def _iso(milliseconds: object) -> str | None:
    if not isinstance(milliseconds, int | float) or isinstance(milliseconds, bool):
        return None
    from datetime import UTC, datetime

    try:
        moment = datetime.fromtimestamp(milliseconds / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def row(public: Mapping[str, Any]) -> tuple[str, ...]:
    """A table row (``COLUMNS``) of a ``public`` order view."""
    fees = " + ".join(f"{fee['cost']} {fee['currency']}" for fee in public.get("fees") or ())
    return tuple(str(value) if value not in (None, "") else "" for value in (
        public.get("created_at"), public.get("state"), public.get("side"),
        public.get("type"), public.get("amount"), public.get("symbol"),
        public.get("price") or ("market" if public.get("type") == "market" else ""),
        public.get("stop_price"),
        public.get("filled"), public.get("average"), public.get("cost"), fees,
        public.get("order_id"), public.get("client_order_id"), public.get("reason")))


def describe_fill(order: LoggedOrder) -> str:
    """", filled 0.01 at 59991.3 USDT on average (cost 599.913 USDT, fee 0.00001 BTC)",
    or "" if nothing filled."""
    if order.filled in (None, "0"):
        return ""
    quote = order.symbol.partition("/")[2].split(":")[0]
    text = f", filled {order.filled}"
    if order.average:
        text += f" at {order.average} {quote} on average"
    details = [f"cost {order.cost} {quote}"] if order.cost else []
    if order.fees:
        details.append("fee " + " + ".join(f"{fee['cost']} {fee['currency']}"
                                           for fee in order.fees))
    return text + (f" ({', '.join(details)})" if details else "")


def describe(public: Mapping[str, Any]) -> str:
    """What an order is and where it stands, in words: "BUY 0.5 ETH/USDT at 2,900 (on
    the exchange's book)", "SELL 10 ETH/USDT at 3,100 (waiting for its trigger at
    2,950)", "BUY 0.5 ETH/USDT, filled 0.5 at 2,999.31 USDT on average (cost 1,499.655
    USDT, fee 0.0005 ETH)"."""
    price = _grouped(public.get("price"))
    text = (f"{str(public.get('side') or '').upper()} {public.get('amount')} "
            f"{public.get('symbol')}" + (f" at {price}" if price else ""))
    state = public.get("state")
    stop = _grouped(public.get("stop_price"))
    if state == OPEN and stop:
        text += f" (waiting for its trigger at {stop})"
    elif state in LIVE_ON_EXCHANGE:
        text += " (on the exchange's book)"
    return text + fill_text(public)


def fill_text(public: Mapping[str, Any]) -> str:
    """", filled 0.01 at 59,991.3 USDT on average (cost 599.913 USDT, fee 0.00001 BTC)",
    as the exchange reported it; "" if nothing filled."""
    filled = public.get("filled")
    if filled in (None, "", "0"):
        return ""
    quote = str(public.get("symbol") or "").partition("/")[2].split(":")[0]
    text = f", filled {filled}"
    average = _grouped(public.get("average"))
    if average:
        text += f" at {average} {quote} on average"
    cost = _grouped(public.get("cost"))
    details = [f"cost {cost} {quote}"] if cost else []
    fees = public.get("fees") or ()
    if fees:
        details.append("fee " + " + ".join(f"{fee.get('cost')} {fee.get('currency')}"
                                           for fee in fees))
    return text + (f" ({', '.join(details)})" if details else "")


def _grouped(value: object) -> str | None:
    number = decimal_or_none(value)
    return None if number is None else grouped(number)


def merge_open(listed: Sequence[Mapping[str, Any]], placing: Mapping[str, Mapping[str, Any]]
               ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The open orders to show once the exchange's listing (``listed``: public views)
    came, and which orders being placed from here (``placing``: client order id ->
    public view) still show beside it. A listing is asked for in the key's queue, after
    the answers of the orders placed before it: it speaks for every order it had the
    chance to list. One that it lists is shown as listed; one the exchange accepted
    (OPEN, PARTIALLY_FILLED) and that it does not list was filled or cancelled
    meanwhile; only those still unresolved (PENDING, UNKNOWN: the answer is awaited or
    being looked up) stay. Returns (the rows, the orders still being placed)."""
    rows = [dict(order) for order in listed]
    seen = {order.get("client_order_id") for order in rows}
    still = {cid: dict(order) for cid, order in placing.items()
             if cid not in seen and order.get("state") in UNRESOLVED}
    return [*rows, *still.values()], still


def track_placing(listed: Sequence[Mapping[str, Any]],
                  placing: Mapping[str, Mapping[str, Any]], public: Mapping[str, Any]
                  ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """An order being placed from here has news (``public``: PENDING, its answer, or its
    state once looked up), newer than the last listing: it shows in place of the
    listing's row of it while it is open or unresolved, and not at all once it ended
    (filled, cancelled, refused, not placed). Returns (the listing, the orders being
    placed)."""
    cid = str(public.get("client_order_id"))
    still = {key: dict(order) for key, order in placing.items() if key != cid}
    if public.get("state") in LIVE_ON_EXCHANGE | UNRESOLVED:
        still[cid] = dict(public)
    rows = [dict(order) for order in listed if order.get("client_order_id") != cid]
    return rows, still
