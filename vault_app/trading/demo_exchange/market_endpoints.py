"""Public market data: ping, time, exchangeInfo and the tickers."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.call import Call, State
from vault_app.trading.demo_exchange.market import Symbol, text


def ping(state: State, call: Call) -> object:
    return {}


def server_time(state: State, call: Call) -> object:
    return {"serverTime": call.now}


_SYMBOLS_PATTERN = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}")*)]$'
_SYMBOLS_LIST = re.compile(r'\[("[A-Z0-9_.-]{1,20}"(,"[A-Z0-9_.-]{1,20}")*)?]')


def _symbols(state: State, call: Call) -> list[Symbol] | Symbol:
    if "symbol" in call.params:
        return state.book.symbol(call.params["symbol"])
    if "symbols" in call.params:
        names = call.params["symbols"]
        if not _SYMBOLS_LIST.fullmatch(names):  # checked before parsing: only strings
            raise errors.illegal("symbols", _SYMBOLS_PATTERN)
        return [state.book.symbol(name) for name in json.loads(names)]
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
