"""One view of an order for front ends, whether from the journal or from the exchange.

``order list`` (the journal) and ``order list --open`` (the exchange's open orders,
placed here or elsewhere) print the same columns and the same JSON object: the keys of
``LoggedOrder.public``, every number a decimal string, never a float.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vault_app.trading.order_log import (
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
