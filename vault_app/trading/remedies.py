"""What a front end can do about a trading error, as data: each front end says it in its
own words (the CLI names its flags and commands, the desktop app its controls).

An error's ``message`` says what is wrong and its ``fix`` a neutral next step (that is
``str(error)``, for logs and any other caller); its ``remedy`` (one of these names, or
None) tells a front end which of its own ways to offer, and ``remedy_args`` what that
needs (``label``: the key's label; ``before``: the fix the remedy is added to).
"""

from __future__ import annotations

ALLOW_FAR_PRICE = "allow_far_price"
"""A limit price beyond the maximum deviation: allow it for this one order."""
IGNORE_FOREIGN_ORDERS = "ignore_foreign_orders"
"""The exchange holds orders of this app the journal does not know: place anyway."""
SYNC_CLOCK = "sync_clock"
"""The exchange refused the request's timestamp: sign with the exchange's time."""
ADD_TRADE_LABEL = "add_trade_label"
"""The key is not labelled trade: add the label (``label``)."""
RAISE_MAX_NOTIONAL = "raise_max_notional"
"""The order is worth more than the key's maximum: lower it, or raise the maximum."""
REMOVE_MAX_NOTIONAL = "remove_max_notional"
"""A key with a maximum trades USD-quoted markets only: or remove the maximum."""
LOOK_UP_ORDERS = "look_up_orders"
"""An order's outcome is unknown: look the key's orders up (that settles it)."""
LOOK_UP_OPEN_ORDERS = "look_up_open_orders"
"""Which orders are open is in doubt: look at the exchange's open orders."""
PREVIEW_AGAIN = "preview_again"
"""This preview was placed already: see the order, preview a new one for another."""
CHECK_KEY = "check_key"
"""The key changed or could not be read again: look at it, then place again."""
ENTER_FIELD = "enter_field"
"""A value is missing: the error's ``field`` names the one to enter."""

REMEDIES = (ALLOW_FAR_PRICE, IGNORE_FOREIGN_ORDERS, SYNC_CLOCK, ADD_TRADE_LABEL,
            RAISE_MAX_NOTIONAL, REMOVE_MAX_NOTIONAL, LOOK_UP_ORDERS, LOOK_UP_OPEN_ORDERS,
            PREVIEW_AGAIN, CHECK_KEY, ENTER_FIELD)
"""Every remedy: a front end's wording covers each one (a test checks)."""
