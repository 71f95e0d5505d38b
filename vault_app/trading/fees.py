"""What an order is estimated to cost in fees: the market's (or the exchange's
default) maker or taker rate, in the currency ccxt says it is charged in.

The rate is maker for a post-only order or a limit priced to rest on the book, taker
otherwise (``pays_maker``). The markets cache keeps no fee of the key's own tier, so
the figure is an estimate and says which rate it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from vault_app.trading.money import grouped, places
from vault_app.trading.order_limits import number, plain
from vault_app.trading.orders import CheckedOrder


def pays_maker(kind: str, side: str, post_only: bool, price: str | None,
               last_price: Decimal | None) -> bool:
    """Whether the order pays the maker rate: post-only, or a limit priced to rest on
    the book (a buy below the last price, a sell above). Otherwise taker: a limit that
    crosses fills at once, and with no last price the higher rate is the safe guess."""
    if kind != "limit":
        return False
    if post_only:
        return True
    if price is None or last_price is None:
        return False
    buy = side.strip().lower() == "buy"
    return Decimal(price) < last_price if buy else Decimal(price) > last_price


@dataclass(frozen=True)
class Fee:
    cost: Decimal
    currency: str
    rate: Decimal
    basis: str


def fee_rate(exchange: Any, market: Mapping[str, Any],
             maker: bool) -> tuple[Decimal, str] | None:
    """The market's taker (or maker) rate, else the exchange's default trading rate
    (``exchange.fees['trading']``: the markets cache keeps no fee of a key's tier),
    and which of them it is."""
    which = "maker" if maker else "taker"
    rate = number(market.get(which))
    if rate is not None and market.get("percentage", True) is not False:
        return rate, f"the {market['symbol']} market's {which} rate"
    trading = ((getattr(exchange, "fees", None) or {}).get("trading") or {})
    rate = number(trading.get(which))
    if rate is not None and trading.get("percentage", True) is not False:
        exchange_id = getattr(exchange, "id", "the exchange")
        return rate, f"{exchange_id}'s default {which} rate (not your account's tier)"
    return None


def fee_side(exchange: Any, market: Mapping[str, Any]) -> str:
    """ccxt's ``feeSide``: get, give, quote or base (quote when nobody says)."""
    trading = ((getattr(exchange, "fees", None) or {}).get("trading") or {})
    return str(market.get("feeSide") or trading.get("feeSide") or "quote")


def fee_currency(side: str, feeside: str, base: str, quote: str) -> str:
    buy = side.strip().lower() == "buy"
    if feeside == "get":
        return base if buy else quote
    if feeside == "give":
        return quote if buy else base
    return base if feeside == "base" else quote


def estimated_fee(exchange: Any, market: Mapping[str, Any], side: str, maker: bool,
                  amount: str | None, cost: Decimal | None) -> Fee | None:
    """The fee at the exchange's rate (taker unless post-only: a limit that crosses the
    book pays the taker rate), in the currency ccxt says it is charged in."""
    found = fee_rate(exchange, market, maker)
    if found is None or amount is None:
        return None
    rate, basis = found
    base, quote = str(market["base"]), str(market["quote"])
    currency = fee_currency(side, fee_side(exchange, market), base, quote)
    if currency == base:
        charged = Decimal(amount) * rate
    elif cost is not None:
        charged = cost * rate
    else:
        return None
    return Fee(cost=charged, currency=currency, rate=rate, basis=basis)


def order_fee(exchange: Any, checked: CheckedOrder) -> str:
    """The estimated fee of a checked order, for its confirmation: ``≈ 0.5 USDT (0.1 %,
    the BTC/USDT market's maker rate)``; "" when the exchange publishes no rate."""
    market = (getattr(exchange, "markets", None) or {}).get(checked.symbol)
    if not isinstance(market, Mapping):
        return ""
    request = checked.request
    maker = pays_maker(request.type, request.side, request.post_only, checked.price,
                       checked.last_price)
    fee = estimated_fee(exchange, market, request.side, maker, checked.amount,
                        checked.notional)
    if fee is None:
        return ""
    quote_places = places(market, "price", getattr(exchange, "precisionMode", None))
    shown = grouped(fee.cost, quote_places if fee.currency == str(market["quote"]) else 8)
    return f"≈ {shown} {fee.currency} ({plain(fee.rate * 100)} %, {fee.basis})"
