"""How the portfolio's numbers read: values rounded for their quote currency, prices
that keep small coins visible, amounts exactly as the exchange gave them."""

from __future__ import annotations

from decimal import Decimal

from vault_app.trading.order_limits import USD_QUOTES, plain


def value_decimals(quote: str) -> int:
    """Decimals a value in ``quote`` is shown with: 2 for a dollar, 8 otherwise."""
    return 2 if quote.upper() in USD_QUOTES else 8


def format_value(value: Decimal | None, quote: str) -> str:
    """A value as shown: rounded to ``value_decimals``; "no price" for None."""
    if value is None:
        return "no price"
    places = Decimal(1).scaleb(-value_decimals(quote))
    return f"{value.quantize(places):,f}"


PRICE_DIGITS = 6
"""Significant digits a price below 1000 is shown with (0.00001234, 3000.2)."""


def format_price(price: Decimal | None, quote: str) -> str:
    """A price as shown: like a value from 1000 up, else to ``PRICE_DIGITS`` significant
    digits (a coin worth 0.00001234 USDT is not shown as 0.00); "no price" for None."""
    if price is None:
        return "no price"
    if price >= 1000:
        return format_value(price, quote)
    digits = price.adjusted() + 1  # before the point (0 or less below 1)
    places = Decimal(1).scaleb(min(digits - PRICE_DIGITS, 0))
    return plain(price.quantize(places))


def format_amount(amount: Decimal) -> str:
    """An amount exactly as the exchange gave it, grouped by thousands, without exponent
    or trailing zeros: "100,000", "0.12345678"."""
    return f"{amount.normalize():,f}"
