"""The market's limits and the key's maximum notional, checked before anything is sent.

A market's limits (ccxt's ``market["limits"]``: amount, price and cost, each with a
min and a max) are the exchange's own filters; an order outside them would only be
refused by the exchange, so it is refused here, with zero requests.

A key's maximum notional (``KeyEntry.max_notional``) is in **US dollars**: it is
compared with the order's value only on a market quoted in USD or a USD stablecoin
(``USD_QUOTES``). On any other market (ETH/BTC, BTC/EUR) the value cannot be checked
against it, so a key with a limit is refused there: converting through a second
market's price would add a request and a price that may be stale or manipulated.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from vault_app.trading.errors import OrderInputError, OrderNotAllowed
from vault_app.trading.remedies import RAISE_MAX_NOTIONAL, REMOVE_MAX_NOTIONAL

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry

USD_QUOTES = frozenset({"USD", "USDT", "USDC", "FDUSD", "BUSD", "TUSD", "DAI"})
"""Quote currencies worth about one US dollar: a key's maximum notional applies there."""


def number(value: object) -> Decimal | None:
    """A ccxt number (float, int, str or None) as a Decimal, exactly as ccxt printed it."""
    if value is None:
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def plain(value: Decimal) -> str:
    """``Decimal('1E-5')`` as ``0.00001``; no exponent, no trailing zeros."""
    return format(value.normalize(), "f")


def check_notional_currency(entry: KeyEntry, quote: str) -> None:
    """A key with a maximum notional trades only markets quoted in US dollars."""
    ceiling = entry.max_notional
    if ceiling is None or quote.upper() in USD_QUOTES:
        return
    raise OrderNotAllowed(
        f"the key '{entry.label}' has a maximum of {plain(ceiling)} USD per order, and this "
        f"market is quoted in {quote}, so the order's value cannot be checked against it; "
        "nothing was sent",
        fix="trade a market quoted in USD or a USD stablecoin (USDT, USDC, ...), or remove "
            "the key's limit", remedy=REMOVE_MAX_NOTIONAL, remedy_args={"label": entry.label})


def check_amount_limits(amount: Decimal, limits: Mapping[str, Any], base: str) -> None:
    low, high = number(limits.get("min")), number(limits.get("max"))
    if low is not None and amount < low:
        raise OrderInputError(f"the amount {plain(amount)} {base} is below the market's "
                              f"minimum of {plain(low)} {base}", field="amount")
    if high is not None and high > 0 and amount > high:
        raise OrderInputError(f"the amount {plain(amount)} {base} is above the market's "
                              f"maximum of {plain(high)} {base}", field="amount")


def check_price_limits(price: Decimal, limits: Mapping[str, Any], quote: str, *,
                       what: str = "price", field: str = "price") -> None:
    low, high = number(limits.get("min")), number(limits.get("max"))
    if low is not None and low > 0 and price < low:
        raise OrderInputError(f"the {what} {plain(price)} {quote} is below the market's "
                              f"lowest price of {plain(low)} {quote}", field=field)
    if high is not None and high > 0 and price > high:
        raise OrderInputError(f"the {what} {plain(price)} {quote} is above the market's "
                              f"highest price of {plain(high)} {quote}", field=field)


def check_cost(cost: Decimal, limits: Mapping[str, Any], quote: str, entry: KeyEntry, *,
               estimated: bool = False) -> None:
    """The order's value against the market's minimum and maximum, then the key's limit
    (``check_notional_currency`` has already refused a market not quoted in USD).
    ``estimated``: a market order's value at the last price, not the exact one."""
    about = "about " if estimated else ""
    low, high = number(limits.get("min")), number(limits.get("max"))
    if low is not None and cost < low:
        raise OrderInputError(
            f"the order's value, {about}{plain(cost)} {quote}, is below the market's "
            f"minimum of {plain(low)} {quote}; raise the amount", field="amount")
    # Only an exact value meets the maximum: a market order's is an estimate, and Binance
    # applies its maximum notional to limit orders alone (``applyMaxToMarket``).
    if high is not None and high > 0 and cost > high and not estimated:
        raise OrderInputError(
            f"the order's value, {about}{plain(cost)} {quote}, is above the market's "
            f"maximum of {plain(high)} {quote}; lower the amount", field="amount")
    ceiling = entry.max_notional
    if ceiling is not None and cost > ceiling:
        raise OrderNotAllowed(
            f"the order's value, {about}{plain(cost)} {quote}, is above the key's maximum "
            f"of {plain(ceiling)} USD per order; nothing was sent",
            fix="lower the amount, or raise the key's maximum", remedy=RAISE_MAX_NOTIONAL,
            remedy_args={"label": entry.label})


def require_known_value(entry: KeyEntry, symbol: str) -> None:
    """A market order of a key with a limit, and no price to value it by: refused."""
    if entry.max_notional is None:
        return
    raise OrderNotAllowed(
        f"the exchange gave no last price and no best bid or ask for {symbol}, so this "
        f"market order's value cannot be checked against the key's maximum of "
        f"{plain(entry.max_notional)} USD per order; nothing was sent",
        fix="try again in a moment, or place a limit order (its value is amount x price)")
