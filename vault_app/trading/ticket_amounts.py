"""The ticket's amounts from a balance: the 25/50/75/100 % buttons and "Available".

``fraction_amount`` is a share of the free balance as an amount the market accepts,
rounded down to its step; ``ticket_fraction`` the same for the ticket as typed (at the
price a percentage uses, with the reason when there is none); ``available`` and
``available_line`` what an order of a side spends and how much of it is free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from vault_app.trading.errors import OrderInputError
from vault_app.trading.fees import fee_currency
from vault_app.trading.money import DECIMAL_PLACES, SIGNIFICANT_DIGITS, grouped, places
from vault_app.trading.order_limits import number, plain
from vault_app.trading.orders import parse_decimal
from vault_app.trading.ticket import TicketFields, order_kind


def fraction_amount(fraction: Decimal, side: str, market: Mapping[str, Any],
                    free: Mapping[str, Decimal], price: Decimal | None, *,
                    precision_mode: int | None = None) -> str | None:
    """``fraction`` (0.25 for 25 %) of the free balance as an amount to type: a buy
    spends the quote balance at ``price`` (leaving room for the fee when it is charged
    in the quote), a sell the base balance; rounded down to the market's amount step
    (``precision_mode``: ccxt's ``exchange.precisionMode``, tick size when None).
    None when it cannot be computed: no price for a buy, no balance, nothing left after
    rounding."""
    if not Decimal(0) < fraction <= 1:
        return None
    base, quote = str(market["base"]), str(market["quote"])
    buy = side.strip().lower() == "buy"
    spent = quote if buy else base
    balance = free.get(spent)
    if balance is None or balance <= 0:
        return None
    budget = balance * fraction
    feeside = str(market.get("feeSide") or "quote")
    if fee_currency(side, feeside, base, quote) == spent:
        rate = max(number(market.get("taker")) or Decimal(0),
                   number(market.get("maker")) or Decimal(0))
        budget = budget / (1 + rate)
    if buy:
        if price is None or price <= 0:
            return None
        budget = budget / price
    amount = round_down(budget, market, precision_mode)
    if amount is None or amount <= 0:
        return None
    return plain(amount)


def round_down(value: Decimal, market: Mapping[str, Any],
               precision_mode: int | None) -> Decimal | None:
    """``value`` truncated to the market's amount precision; None when it has none."""
    precision = number((market.get("precision") or {}).get("amount"))
    if precision is None:
        return None
    try:
        if precision_mode == DECIMAL_PLACES:
            return value.quantize(Decimal(1).scaleb(-int(precision)), rounding=ROUND_DOWN)
        if precision_mode == SIGNIFICANT_DIGITS:
            digits = int(precision)
            if digits <= 0 or value == 0:
                return None
            exponent = value.adjusted() - digits + 1
            return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_DOWN)
        if precision <= 0:
            return None
        return (value // precision) * precision
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Fraction:
    """A percentage button's amount, or why there is none."""

    amount: str | None
    reason: str = ""


def fraction_price(fields: TicketFields, last_price: Decimal | None) -> Decimal | None:
    """The price a percentage of a buy is computed at: the last price for a market
    order, the typed limit price otherwise (None while it is not a valid number)."""
    if order_kind(fields.type) == "market":
        return last_price
    try:
        return parse_decimal(fields.price, "price", "price")
    except OrderInputError:
        return None


def available(side: str, market: Mapping[str, Any],
              free: Mapping[str, Decimal] | None) -> tuple[str, Decimal | None]:
    """The currency an order of ``side`` spends (a buy the quote, a sell the base) and
    how much of it is free (None while the balances are unknown; 0 if none is held)."""
    spent = str(market["quote"] if side.strip().lower() == "buy" else market["base"])
    if free is None:
        return spent, None
    return spent, free.get(spent, Decimal(0))


def available_line(side: str, market: Mapping[str, Any] | None,
                   free: Mapping[str, Decimal] | None,
                   precision_mode: int | None = None) -> str:
    """``Available: 98,500.34 USDT`` (rounded down: never more than there is)."""
    if market is None:
        return ""
    spent, have = available(side, market, free)
    if have is None:
        return "Available: —"
    which = "price" if spent == str(market["quote"]) else "amount"
    return f"Available: {grouped(have, places(market, which, precision_mode), down=True)} {spent}"


def ticket_fraction(fraction: Decimal, fields: TicketFields, market: Mapping[str, Any],
                    free: Mapping[str, Decimal], last_price: Decimal | None, *,
                    precision_mode: int | None = None) -> Fraction:
    """``fraction_amount`` for the ticket as typed: at the price ``fraction_price``
    says, with the reason when no amount can be given."""
    price = fraction_price(fields, last_price)
    amount = fraction_amount(fraction, fields.side, market, free, price,
                             precision_mode=precision_mode)
    if amount is not None:
        return Fraction(amount)
    spent, _ = available(fields.side, market, free)
    if fields.side.strip().lower() == "buy" and price is None:
        if order_kind(fields.type) == "market":
            return Fraction(None, "no last price yet: how much it buys is unknown")
        return Fraction(None, "type a valid price first: how much a share of your "
                              f"{spent} buys depends on it")
    return Fraction(None, f"no {spent} available (or less than the market's smallest step)")
