"""Money as every front end writes it: thousands grouped, as many decimals as the market
trades (or as the value has), never an exponent.

``grouped`` is the one formatter of the ticket, the review dialogs, the balances and
the portfolio: the same balance reads the same everywhere. ``money_text`` is it for
what an exchange answered (a balance of 1e30, NaN): it never raises, so one odd
number cannot keep a page from being drawn. ``places`` turns a market's
precision (a step such as 0.01, or a number of decimals) into how many decimals to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from vault_app.trading.order_limits import number, plain

DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE = 2, 3, 4  # ccxt's precision modes
MAX_PRECISION = 10_000
"""Digits ``money_text`` formats with at most (beyond, ``grouped`` shows it unrounded)."""


def grouped(value: Decimal, places: int | None = None, *, down: bool = False) -> str:
    """``50000`` as ``50,000``; with ``places``, rounded to that many decimals (half up,
    or ``down``: a balance is never shown larger than it is) and trailing zeros
    dropped; without, the decimals kept as they are (``0.00012345``)."""
    if places is not None and places >= 0:
        try:
            value = value.quantize(Decimal(1).scaleb(-places),
                                   rounding=ROUND_DOWN if down else ROUND_HALF_UP)
        except InvalidOperation:  # too many digits to quantize: shown as it is
            pass
    text = plain(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    whole = f"{int(whole):,}"
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def money_text(value: Decimal, places: int | None = None, *, pad: bool = True) -> str:
    """``value`` grouped by thousands, rounded to ``places`` and, with ``pad``, padded
    to them ("75,000.00"); never raises (a non-finite value is written as it is)."""
    if not value.is_finite():
        return str(value)
    digits = len(value.as_tuple().digits) + max(value.adjusted(), 0) + (places or 0) + 2
    try:
        with localcontext() as context:  # every digit kept: 28 would round 1e30's
            context.prec = max(context.prec, min(digits, MAX_PRECISION))
            text = grouped(value, places)
    except (ArithmeticError, ValueError):
        return str(value)
    if pad and places:
        whole, _, fraction = text.partition(".")
        text = f"{whole}.{fraction.ljust(places, '0')}"
    return text


def places(market: Mapping[str, Any] | None, which: str,
           precision_mode: int | None = None) -> int | None:
    """Decimals of the market's ``which`` precision ("price": the quote's, "amount": the
    base's); None when the market does not say (or counts significant digits)."""
    if market is None:
        return None
    precision = number((market.get("precision") or {}).get(which))
    if precision is None or precision <= 0 or precision_mode == SIGNIFICANT_DIGITS:
        return None
    if precision_mode == DECIMAL_PLACES:
        return int(precision)
    exponent = precision.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else None
