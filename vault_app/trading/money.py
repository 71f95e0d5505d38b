"""Money as every front end writes it: thousands grouped, as many decimals as the market
trades (or as the value has), never an exponent.

``grouped`` is the one formatter of the ticket, the review dialogs, the balances and
the portfolio: the same balance reads the same everywhere. ``places`` turns a market's
precision (a step such as 0.01, or a number of decimals) into how many decimals to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from vault_app.trading.order_limits import number, plain

DECIMAL_PLACES, SIGNIFICANT_DIGITS, TICK_SIZE = 2, 3, 4  # ccxt's precision modes


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
