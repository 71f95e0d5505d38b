"""Placing, querying and cancelling orders."""

from __future__ import annotations

import re

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.accounts import Order, OrderRequest, random_token
from vault_app.trading.demo_exchange.call import Call, State
from vault_app.trading.demo_exchange.market import ORDER_TYPES, Symbol

SIDES = ("BUY", "SELL")
TIME_IN_FORCE = ("GTC", "IOC", "FOK")
RESPONSE_TYPES = ("ACK", "RESULT", "FULL")


def order_request(state: State, call: Call) -> OrderRequest:
    """The new order's parameters, checked for form and filters as Binance does."""
    symbol = state.book.symbol(call.need("symbol"))
    side = call.need("side")
    if side not in SIDES:
        raise errors.BinanceError(-1117, "Invalid side.")
    kind = call.need("type")
    if kind not in ORDER_TYPES:
        raise errors.BinanceError(-1116, "Invalid orderType.")
    tif = call.params.get("timeInForce")
    if kind in ("LIMIT", "STOP_LOSS_LIMIT"):
        if call.need("timeInForce") not in TIME_IN_FORCE:
            raise errors.BinanceError(-1115, "Invalid timeInForce.")
    elif tif is not None:
        raise errors.not_required("timeInForce")
    quantity, quote_qty = call.decimal("quantity"), call.decimal("quoteOrderQty")
    price, stop = call.decimal("price"), call.decimal("stopPrice")
    if kind == "MARKET":
        if price is not None:
            raise errors.not_required("price")
        if quantity is None and quote_qty is None:
            raise errors.one_of("quantity", "quoteOrderQty")
        if quantity is not None and quote_qty is not None:
            raise errors.not_required("quoteOrderQty")
    else:
        if quote_qty is not None:
            raise errors.not_required("quoteOrderQty")
        for name, value in (("quantity", quantity), ("price", price)):
            if value is None:
                raise errors.mandatory(name)
    if kind == "STOP_LOSS_LIMIT" and stop is None:
        raise errors.mandatory("stopPrice")
    if kind != "STOP_LOSS_LIMIT" and stop is not None:
        raise errors.not_required("stopPrice")
    for value in (price, stop):
        if value is not None:
            symbol.check_price(value)
    if quantity is not None:
        symbol.check_quantity(quantity)
    client_id = call.params.get("newClientOrderId")
    if client_id is not None and not re.fullmatch(errors.CLIENT_ID_PATTERN, client_id):
        raise errors.illegal("newClientOrderId", errors.CLIENT_ID_PATTERN)
    return OrderRequest(symbol=symbol, side=side, type=kind,
                        client_order_id=client_id or random_token(22), time_in_force=tif,
                        quantity=quantity, quote_order_qty=quote_qty, price=price,
                        stop_price=stop)


def _response_type(call: Call, kind: str) -> str:
    default = "FULL" if kind in ("MARKET", "LIMIT") else "ACK"
    answer = call.params.get("newOrderRespType", default)
    if answer not in RESPONSE_TYPES:
        raise errors.BinanceError(-1100, "Illegal characters found in parameter "
                                         "'newOrderRespType'; legal range is 'ACK, RESULT, "
                                         "FULL'.")
    return answer


def new_order(state: State, call: Call) -> object:
    request = order_request(state, call)
    answer = _response_type(call, request.type)
    order = state.ledger.place(call.me, request, call.now)
    return order_answer(order, answer, call.now)


def validate_order(state: State, call: Call) -> object:
    order_request(state, call)
    _response_type(call, call.need("type"))
    return {}


def order_answer(order: Order, answer: str, now: int) -> dict[str, object]:
    ack: dict[str, object] = {"symbol": order.symbol.id, "orderId": order.order_id,
                              "orderListId": -1, "clientOrderId": order.client_order_id,
                              "transactTime": now}
    if answer == "ACK":
        return ack
    full = order.to_binance()
    for name in ("clientOrderId", "icebergQty", "time", "updateTime", "isWorking"):
        full.pop(name)
    if order.type != "STOP_LOSS_LIMIT":
        full.pop("stopPrice")
    result = {**ack, **full}
    if answer == "FULL":
        result["fills"] = [trade.fill() for trade in order.fills]
    return result


def _which_order(state: State, call: Call) -> tuple[Symbol, int | None, str | None]:
    symbol = state.book.symbol(call.need("symbol"))
    order_id = call.integer("orderId")
    client_id = call.params.get("origClientOrderId")
    if order_id is None and not client_id:
        raise errors.one_of("origClientOrderId", "orderId")
    return symbol, order_id, client_id


def query_order(state: State, call: Call) -> object:
    return state.ledger.find(call.me, *_which_order(state, call)).to_binance()


def cancel_order(state: State, call: Call) -> object:
    order = state.ledger.cancel(call.me, *_which_order(state, call), call.now)
    return _cancel_answer(order, call)


def _cancel_answer(order: Order, call: Call) -> dict[str, object]:
    answer = order.to_binance()
    for name in ("icebergQty", "time", "updateTime", "isWorking", "workingTime"):
        answer.pop(name)
    if order.type != "STOP_LOSS_LIMIT":
        answer.pop("stopPrice")
    return {"symbol": order.symbol.id, "origClientOrderId": order.client_order_id,
            **answer, "clientOrderId": call.params.get("newClientOrderId") or random_token(22),
            "transactTime": call.now}


def open_orders(state: State, call: Call) -> object:
    symbol = state.book.symbol(call.params["symbol"]) if "symbol" in call.params else None
    return [o.to_binance() for o in call.me.orders.values()
            if o.is_open and (symbol is None or o.symbol == symbol)]


def cancel_open_orders(state: State, call: Call) -> object:
    symbol = state.book.symbol(call.need("symbol"))
    chosen = [o for o in call.me.orders.values() if o.is_open and o.symbol == symbol]
    if not chosen:
        raise errors.unknown_order()  # what Binance answers when nothing is open
    return [_cancel_answer(state.ledger.cancel(call.me, symbol, o.order_id, None, call.now),
                           call) for o in chosen]
