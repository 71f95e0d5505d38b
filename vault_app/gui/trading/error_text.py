"""A trading error in the desktop app's words: what is wrong, and the fix as a user of
the app does it (a checkbox in the ticket, the Keys page), never a CLI flag.

The core's message says what is wrong in neutral words; its ``remedy``
(``vault_app.trading.remedies``) says which of the app's ways to offer. The ticket's
inline messages and the trading view's submit flow both show ``trading_error_text``.
"""

from __future__ import annotations

from collections.abc import Callable

from vault_app.core.errors import VaultError
from vault_app.gui.error_text import error_message
from vault_app.trading import remedies
from vault_app.trading.errors import OrderInputError, TradingError, sentences

FAR_PRICE_CHECKBOX = "Allow a price far from the last price"
"""The ticket's checkbox that allows a far price for one order (its text, no mnemonic)."""

_FIXES: dict[str, Callable[[TradingError], str]] = {
    remedies.ALLOW_FAR_PRICE: lambda e: "check the price; if you mean it, tick "
                                        f"“{FAR_PRICE_CHECKBOX}” in the ticket",
    remedies.IGNORE_FOREIGN_ORDERS: lambda e: "cancel them in Open orders if you do not want "
                                              "them, or check them on the exchange (this key "
                                              "may be used from another vault, or this "
                                              "vault's order journal was replaced); the app "
                                              "places no order past them",
    remedies.SYNC_CLOCK: lambda e: "set this computer's clock right (turn on automatic date "
                                   "and time), then try again",
    remedies.ADD_TRADE_LABEL: lambda e: "if the exchange key has trading rights, add the "
                                        "trade label to the key on the Keys page (Edit key…)",
    remedies.RAISE_MAX_NOTIONAL: lambda e: "lower the amount, or raise the key's maximum per "
                                           "order on the Keys page (Edit key…)",
    remedies.REMOVE_MAX_NOTIONAL: lambda e: "trade a market quoted in USD or a USD "
                                            "stablecoin (USDT, USDC, ...), or remove the "
                                            "key's maximum per order on the Keys page "
                                            "(Edit key…)",
    remedies.LOOK_UP_ORDERS: lambda e: "the app is looking the key's orders up on the "
                                       "exchange to find out what it did (History shows "
                                       "them); place the order again once none is left "
                                       "unknown",
    remedies.LOOK_UP_OPEN_ORDERS: lambda e: f"{e.remedy_args.get('before', e.fix)}; the "
                                            "order may or may not be canceled: refresh the "
                                            "open orders to see",
    remedies.PREVIEW_AGAIN: lambda e: "it is in the key's order history; review a new order "
                                      "to place another",
    remedies.CHECK_KEY: lambda e: "look at the key on the Keys page, then review the order "
                                  "again if it is still what you want",
}

_INPUT_FIXES: dict[str, Callable[[OrderInputError], str]] = {
    remedies.ENTER_FIELD: lambda e: "",
    remedies.LOOK_UP_OPEN_ORDERS: lambda e: "refresh the open orders",
}


def trading_error_text(exc: BaseException) -> tuple[str, str]:
    """``(message, fix)`` for the user; ``fix`` is "" when there is nothing to do."""
    if isinstance(exc, TradingError):
        if exc.remedy in _FIXES:
            return exc.message, _FIXES[exc.remedy](exc)
        return exc.message, exc.fix
    if isinstance(exc, OrderInputError):
        fix = _INPUT_FIXES[exc.remedy](exc) if exc.remedy in _INPUT_FIXES else ""
        return exc.message, fix
    if isinstance(exc, VaultError) or (isinstance(exc, KeyboardInterrupt)
                                       and getattr(exc, "remedy", None)):
        return str(exc), ""  # an interrupted send (``SendInterrupted``) says it neutrally
    return error_message(exc), ""


def trading_error_sentence(exc: BaseException) -> str:
    """``trading_error_text`` as one or two sentences, the first capitalised."""
    text = sentences(*trading_error_text(exc))
    return text[:1].upper() + text[1:]


def explain(exc: BaseException) -> str:
    """An error in plain words, then its fix as a user of the app does it, on a line of
    its own (``trading_error_text``: never a CLI flag)."""
    return "\n".join(sentence(part) for part in trading_error_text(exc) if part)


def sentence(text: str) -> str:
    """``text`` as a sentence: capitalised, with a final stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")
