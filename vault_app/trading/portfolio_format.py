"""How the portfolio's numbers read: values rounded for their quote currency, prices
that keep small coins visible, amounts as the exchange gave them (padded to the
decimals of their asset, so a column of one asset lines up).

Every formatter here goes through ``money.grouped`` and never raises, whatever an
exchange answered (1e30, a price of 1e-40): a page that cannot be drawn hides every
other key's balances.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from vault_app.trading.money import money_text
from vault_app.trading.order_limits import USD_QUOTES

if TYPE_CHECKING:
    from vault_app.trading.portfolio import Portfolio

MAX_AMOUNT_DECIMALS = 12
"""Decimals an amount column is padded to at most (an amount with more keeps them)."""


def value_decimals(quote: str) -> int:
    """Decimals a value in ``quote`` is shown with: 2 for a dollar, 8 otherwise."""
    return 2 if quote.upper() in USD_QUOTES else 8




def format_value(value: Decimal | None, quote: str) -> str:
    """A value as shown: rounded to ``value_decimals``; "no price" for None."""
    if value is None:
        return "no price"
    return money_text(value, value_decimals(quote))


PRICE_DIGITS = 6
"""Significant digits a price below 1000 is shown with (0.00001234, 3000.2)."""


def format_price(price: Decimal | None, quote: str) -> str:
    """A price as shown: like a value from 1000 up, else to ``PRICE_DIGITS`` significant
    digits (a coin worth 0.00001234 USDT is not shown as 0.00); "no price" for None."""
    if price is None:
        return "no price"
    if not price.is_finite() or price >= 1000:
        return format_value(price, quote)
    digits = price.adjusted() + 1  # before the point (0 or less below 1)
    return money_text(price, max(PRICE_DIGITS - digits, 0), pad=False)


def decimals_of(amount: Decimal) -> int:
    """Decimals ``amount`` has once its trailing zeros are dropped."""
    if not amount.is_finite():
        return 0
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def amount_decimals(amounts: Iterable[Decimal]) -> int:
    """The decimals one asset's amounts are shown with: the most any of them has (up to
    ``MAX_AMOUNT_DECIMALS``), so they line up."""
    return min(max((decimals_of(a) for a in amounts), default=0), MAX_AMOUNT_DECIMALS)


def format_amount(amount: Decimal, places: int = 0) -> str:
    """An amount exactly as the exchange gave it, grouped by thousands, never an
    exponent, padded with zeros to ``places`` decimals: "100,000", "0.12345678"."""
    text = money_text(amount, None, pad=False)
    if places and amount.is_finite() and "E" not in text:
        whole, _, fraction = text.partition(".")
        text = f"{whole}.{fraction.ljust(places, '0')}"
    return text


TEST_MONEY = "Test money"
"""How holdings of sandbox and demo keys are named (``Endpoint.test_money``)."""


def total_text(portfolio: Portfolio, *, final: bool = True) -> str:
    """The total as the page's headline says it: real money first; test money on a line
    of its own, never added to it. Never a bold zero for what could not be read or
    valued: "No balance could be read", "Nothing could be valued in EUR"."""
    quote = portfolio.quote
    more = "" if final else " so far…"
    nothing_read = final and portfolio.keys_asked > 0 and portfolio.keys_answered == 0
    if nothing_read:
        return "No balance could be read"
    lines = []
    if portfolio.assets or not portfolio.test_assets:
        if portfolio.assets and not portfolio.valued:
            lines.append(f"Nothing could be valued in {quote}")
        else:
            lines.append(f"Total: {format_value(portfolio.total_value, quote)} {quote}{more}")
    if portfolio.test_assets:
        if portfolio.test_valued:
            value = f"{format_value(portfolio.test_total_value, quote)} {quote}"
        else:
            value = f"nothing could be valued in {quote}"
        aside = ", not in the total" if portfolio.assets else ""
        lines.append(f"{TEST_MONEY} (not real{aside}): {value}{more}")
    return "\n".join(lines)


def has_rows(portfolio: Portfolio) -> bool:
    """Whether there is anything to export (an asset, real or test, or a key's row)."""
    return bool(portfolio.assets or portfolio.test_assets)


def as_of_text(portfolio: Portfolio) -> str:
    """"as of 18:52:07" in local time; "" while still fetching."""
    if portfolio.as_of is None:
        return ""
    return f"as of {portfolio.as_of.astimezone().strftime('%H:%M:%S')}"
