"""An error as the CLI prints it: a trading error's remedy in the CLI's flags and commands.

The trading core says what is wrong in neutral words and names its remedy as data
(``vault_app.trading.remedies``); here each remedy becomes what a CLI user types:
``--allow-far-price``, ``edit 'LABEL' --permissions read,trade``, ``order list``.
Any other error is its ``str``.
"""

from __future__ import annotations

from collections.abc import Callable

from vault_app.trading import remedies
from vault_app.trading.errors import OrderInputError, TradingError, sentences

_FLAGS = {"price": "--price", "id": "--id", "amount": "--amount", "symbol": "--symbol",
          "side": "--side", "type": "--type", "stop_price": "--stop-price",
          "time_in_force": "--tif"}
"""The CLI's option for each field an ``OrderInputError`` may name."""


def _label(error: TradingError) -> str:
    return error.remedy_args.get("label", "LABEL")


_FIXES: dict[str, Callable[[TradingError], str]] = {
    remedies.ALLOW_FAR_PRICE: lambda e: "check the price; if you mean it, pass "
                                        "--allow-far-price",
    remedies.IGNORE_FOREIGN_ORDERS: lambda e: "check them on the exchange; to place anyway, "
                                              "pass --ignore-foreign-orders",
    remedies.SYNC_CLOCK: lambda e: f"{e.fix}: pass --sync-clock to sign with the exchange's "
                                   "time",
    remedies.ADD_TRADE_LABEL: lambda e: f"to trade with it, add the trade label (edit "
                                        f"'{_label(e)}' --permissions read,trade) if the "
                                        "exchange key has trading rights",
    remedies.RAISE_MAX_NOTIONAL: lambda e: f"lower the amount, or raise the key's maximum "
                                           f"(edit '{_label(e)}' --max-notional AMOUNT)",
    remedies.REMOVE_MAX_NOTIONAL: lambda e: "trade a market quoted in USD or a USD "
                                            "stablecoin (USDT, USDC, ...), or remove the "
                                            f"key's limit (edit '{_label(e)}' "
                                            '--max-notional "")',
    remedies.LOOK_UP_ORDERS: lambda e: "run 'order list' for the key: it finds out what the "
                                       "exchange did",
    remedies.LOOK_UP_OPEN_ORDERS: lambda e: f"{e.remedy_args.get('before', e.fix)}; the "
                                            "order may or may not be canceled: 'order list "
                                            "--open' tells",
    remedies.PREVIEW_AGAIN: lambda e: "see it with 'order list'; make a new preview to "
                                      "place another order",
    remedies.CHECK_KEY: lambda e: "check the key ('show'), then place the order again if it "
                                  "is still what you want",
}

_INPUT_HINTS: dict[str, Callable[[OrderInputError], str]] = {
    remedies.ENTER_FIELD: lambda e: f"({_FLAGS[e.field]})" if e.field in _FLAGS else "",
    remedies.LOOK_UP_OPEN_ORDERS: lambda e: "(see 'order list --open')",
}
"""An input error's remedy: a hint after its message."""


def cli_error_text(exc: BaseException) -> str:
    """``exc`` as the CLI prints it after ``vault-app-cli: error:`` (before escaping)."""
    if isinstance(exc, TradingError) and exc.remedy in _FIXES:
        return sentences(exc.message, _FIXES[exc.remedy](exc))
    if isinstance(exc, OrderInputError) and exc.remedy in _INPUT_HINTS:
        hint = _INPUT_HINTS[exc.remedy](exc)
        return f"{exc.message} {hint}" if hint else exc.message
    return str(exc)


def interrupt_text(exc: KeyboardInterrupt) -> str:
    """What a Ctrl-C says: an order's (``SendInterrupted``) that it may have been sent."""
    if getattr(exc, "remedy", None) == remedies.LOOK_UP_ORDERS:
        return (f"interrupted: the order {getattr(exc, 'client_order_id', '')} may have "
                "been sent; run 'order list' to find out (it is never resent)")
    return "interrupted; nothing was written"
