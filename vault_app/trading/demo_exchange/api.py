"""The endpoints: Binance's spot REST API as ccxt's ``binance`` class calls it.

Each handler takes the exchange state and one parsed call, and returns the JSON
value to answer or raises a ``BinanceError``. The server holds the state's lock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.accounts import (
    Account,
    Ledger,
    Order,
    OrderRequest,
    random_token,
)
from vault_app.trading.demo_exchange.market import ORDER_TYPES, PriceBook, Symbol, text

SIDES = ("BUY", "SELL")
TIME_IN_FORCE = ("GTC", "IOC", "FOK")
RESPONSE_TYPES = ("ACK", "RESULT", "FULL")
DEFAULT_LIMIT, MAX_LIMIT = 500, 1000


@dataclass
class State:
    """Everything the endpoints read and change."""

    book: PriceBook
    ledger: Ledger


@dataclass(frozen=True)
class Call:
    params: Mapping[str, str]
    now: int
    account: Account | None = None

    def need(self, name: str) -> str:
        value = self.params.get(name)
        if not value:
            raise errors.mandatory(name)
        return value

    @property
    def me(self) -> Account:
        assert self.account is not None
        return self.account

    def decimal(self, name: str) -> Decimal | None:
        value = self.params.get(name)
        if value is None:
            return None
        if not re.fullmatch(errors.QTY_PATTERN, value):
            raise errors.illegal(name, errors.QTY_PATTERN)
        number = Decimal(value)
        if -int(number.normalize().as_tuple().exponent) > 8:
            raise errors.too_precise(name)
        return number

    def integer(self, name: str) -> int | None:
        value = self.params.get(name)
        if value is None:
            return None
        if not re.fullmatch(r"-?[0-9]{1,19}", value):
            raise errors.BinanceError(-1100, f"Illegal characters found in parameter "
                                             f"'{name}'; legal range is '^-?[0-9]{{1,19}}$'.")
        return int(value)


Handler = Callable[[State, Call], object]


# --- public -------------------------------------------------------------------------


def ping(state: State, call: Call) -> object:
    return {}


def server_time(state: State, call: Call) -> object:
    return {"serverTime": call.now}


def _symbols(state: State, call: Call) -> list[Symbol] | Symbol:
    if "symbol" in call.params:
        return state.book.symbol(call.params["symbol"])
    if "symbols" in call.params:
        try:
            names = json.loads(call.params["symbols"])
        except ValueError:
            raise errors.illegal("symbols", "^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\")"
                                            "*)]$") from None
        return [state.book.symbol(str(name)) for name in names]
    return list(state.book.symbols.values())


def exchange_info(state: State, call: Call) -> object:
    chosen = _symbols(state, call)
    symbols = chosen if isinstance(chosen, list) else [chosen]
    return {
        "timezone": "UTC", "serverTime": call.now,
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": 6000},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
        ],
        "exchangeFilters": [],
        "symbols": [s.exchange_info() for s in symbols],
    }


def _each(state: State, call: Call, render: Callable[[Symbol], object]) -> object:
    chosen = _symbols(state, call)
    return [render(s) for s in chosen] if isinstance(chosen, list) else render(chosen)


def ticker_price(state: State, call: Call) -> object:
    return _each(state, call, lambda s: {"symbol": s.id, "price": text(state.book.prices[s.id])})


def ticker_24hr(state: State, call: Call) -> object:
    def render(s: Symbol) -> object:
        last, stats = state.book.prices[s.id], state.book.stats[s.id]
        change = last - stats.open
        return {
            "symbol": s.id, "priceChange": text(change),
            "priceChangePercent": f"{change * 100 / stats.open:.3f}",
            "weightedAvgPrice": text(stats.quote_volume / stats.volume if stats.volume
                                     else last),
            "prevClosePrice": text(stats.open), "lastPrice": text(last),
            "lastQty": text(Decimal(0)), "bidPrice": text(last - s.tick_size),
            "bidQty": "1.00000000", "askPrice": text(last + s.tick_size),
            "askQty": "1.00000000", "openPrice": text(stats.open),
            "highPrice": text(stats.high), "lowPrice": text(stats.low),
            "volume": text(stats.volume), "quoteVolume": text(stats.quote_volume),
            "openTime": call.now - 86_400_000, "closeTime": call.now,
            "firstId": 0 if stats.count else -1, "lastId": stats.count - 1 if stats.count else -1,
            "count": stats.count,
        }
    return _each(state, call, render)


def book_ticker(state: State, call: Call) -> object:
    def render(s: Symbol) -> object:
        last = state.book.prices[s.id]
        return {"symbol": s.id, "bidPrice": text(last - s.tick_size), "bidQty": "1.00000000",
                "askPrice": text(last + s.tick_size), "askQty": "1.00000000"}
    return _each(state, call, render)


# --- account ------------------------------------------------------------------------


def account(state: State, call: Call) -> object:
    me = call.me
    omit_zero = call.params.get("omitZeroBalances", "").lower() == "true"
    rate = text(state.ledger.commission)
    bps = int(state.ledger.commission * 10_000)
    return {
        "makerCommission": bps, "takerCommission": bps, "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {"maker": rate, "taker": rate, "buyer": text(Decimal(0)),
                            "seller": text(Decimal(0))},
        "canTrade": me.can_trade, "canWithdraw": "withdraw" in me.key.permissions,
        "canDeposit": True, "brokered": False, "requireSelfTradePrevention": False,
        "preventSor": False, "updateTime": call.now, "accountType": "SPOT",
        "balances": [
            {"asset": asset, "free": text(b.free), "locked": text(b.locked)}
            for asset, b in sorted(me.balances.items())
            if not (omit_zero and not b.free and not b.locked)
        ],
        "permissions": ["SPOT"], "uid": int(me.key.api_key.encode().hex()[:8], 16),
    }


def api_restrictions(state: State, call: Call) -> object:
    permissions = call.me.key.permissions
    return {
        "ipRestrict": False, "createTime": call.now, "enableReading": "read" in permissions,
        "enableSpotAndMarginTrading": "trade" in permissions,
        "enableWithdrawals": "withdraw" in permissions, "enableInternalTransfer": False,
        "enableMargin": False, "enableFutures": False, "permitsUniversalTransfer": False,
        "enableVanillaOptions": False, "enableFixApiTrade": False, "enableFixReadOnly": False,
        "enablePortfolioMarginTrading": False,
    }


# --- orders -------------------------------------------------------------------------


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


def test_order(state: State, call: Call) -> object:
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
    return [_cancel_answer(state.ledger.cancel(call.me, symbol, o.order_id, None, call.now),
                           call) for o in chosen]


def _window(call: Call, items: list[dict[str, object]], time_key: str,
            from_key: str | None, from_param: str) -> list[dict[str, object]]:
    start, end = call.integer("startTime"), call.integer("endTime")
    limit = min(call.integer("limit") or DEFAULT_LIMIT, MAX_LIMIT)
    first = call.integer(from_param)
    chosen = [item for item in items
              if (start is None or int(str(item[time_key])) >= start)
              and (end is None or int(str(item[time_key])) <= end)
              and (first is None or from_key is None or int(str(item[from_key])) >= first)]
    return chosen[:limit] if first is not None or start is not None else chosen[-limit:]


def all_orders(state: State, call: Call) -> object:
    symbol = state.book.symbol(call.need("symbol"))
    orders = [o.to_binance() for o in sorted(call.me.orders.values(), key=lambda o: o.order_id)
              if o.symbol == symbol]
    return _window(call, orders, "time", "orderId", "orderId")


def my_trades(state: State, call: Call) -> object:
    symbol = state.book.symbol(call.need("symbol"))
    order_id = call.integer("orderId")
    trades = [t.to_binance() for t in call.me.trades
              if t.symbol == symbol.id and (order_id is None or t.order_id == order_id)]
    return _window(call, trades, "time", "id", "fromId")


# --- the routing table ------------------------------------------------------------------

PUBLIC = ""
ANY_KEY = "any"

# (method, path) -> (handler, the key permission it needs: PUBLIC, ANY_KEY, "read", "trade")
ROUTES: dict[tuple[str, str], tuple[Handler, str]] = {
    ("GET", "/api/v3/ping"): (ping, PUBLIC),
    ("GET", "/api/v3/time"): (server_time, PUBLIC),
    ("GET", "/api/v3/exchangeInfo"): (exchange_info, PUBLIC),
    ("GET", "/api/v3/ticker/price"): (ticker_price, PUBLIC),
    ("GET", "/api/v3/ticker/24hr"): (ticker_24hr, PUBLIC),
    ("GET", "/api/v3/ticker/bookTicker"): (book_ticker, PUBLIC),
    ("GET", "/api/v3/account"): (account, "read"),
    ("POST", "/api/v3/order"): (new_order, "trade"),
    ("POST", "/api/v3/order/test"): (test_order, "trade"),
    ("GET", "/api/v3/order"): (query_order, "read"),
    ("DELETE", "/api/v3/order"): (cancel_order, "trade"),
    ("GET", "/api/v3/openOrders"): (open_orders, "read"),
    ("DELETE", "/api/v3/openOrders"): (cancel_open_orders, "trade"),
    ("GET", "/api/v3/allOrders"): (all_orders, "read"),
    ("GET", "/api/v3/myTrades"): (my_trades, "read"),
    ("GET", "/sapi/v1/account/apiRestrictions"): (api_restrictions, ANY_KEY),
}
