"""What a failed request was doing, added to its error: only an order request can leave
an order's outcome unknown.

``translate`` knows ccxt's exception, not the call: a connection that dropped while
the app asked for the ticker says nothing about an order, and one that was refused
says the exchange is not running. ``in_context`` rewrites the error for the call:

- the order request itself (``create_order``, ``edit_order``): a failure after which
  the order may exist (``outcome_unknown``) says so in its fix (``UNKNOWN_OUTCOME``);
- a cancel: its effect is unknown, the order list tells;
- any other call (markets, ticker, balance, order lists): the error names what was
  being asked and the endpoint, and says that no order was sent.

A connection that could not be opened (refused, or a host name that does not resolve)
reached nothing; its fix says where to look (``is the exchange running at URL?``). For a
key whose URL the user never typed (the exchange's own, live or sandbox), that is said
in the user's words: "Binance could not be reached", "check your internet connection"
(no endpoint, no API URL, and nothing about orders: nothing reached the exchange).
"""

from __future__ import annotations

from vault_app.trading.errors import UNKNOWN_OUTCOME, TradingError
from vault_app.trading.remedies import LOOK_UP_OPEN_ORDERS

ORDER_REQUESTS = frozenset({"create_order", "edit_order"})
NO_ORDER_SENT = "; no order was sent"
"""Ends the message of a failed request that was not an order's (``removesuffix`` it
where the sentence is about an earlier order, as reconcile's is)."""
REFUSED = "refused"
NO_HOST = "no-host"

_DOING = {
    "load_markets": "loading its markets",
    "fetch_markets": "loading its markets",
    "fetch_ticker": "asking for the last price",
    "fetch_tickers": "asking for prices",
    "fetch_order_book": "asking for the order book",
    "fetch_balance": "asking for the balances",
    "fetch_open_orders": "listing the open orders",
    "fetch_closed_orders": "listing orders",
    "fetch_canceled_orders": "listing orders",
    "fetch_orders": "listing orders",
    "fetch_order": "looking up an order",
    "fetch_my_trades": "listing trades",
    "fetch_order_trades": "listing an order's trades",
    "fetch_time": "asking for its time",
    "load_time_difference": "asking for its time",
    "fetch_trading_fee": "asking for the fees",
    "fetch_trading_fees": "asking for the fees",
}


def connection_failure(exc: BaseException) -> str | None:
    """``REFUSED`` or ``NO_HOST`` when ``exc`` (ccxt's) comes from a connection that was
    never opened, so nothing reached the exchange; else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return REFUSED
        names = {cls.__name__ for cls in type(current).__mro__}
        if "NameResolutionError" in names:
            return NO_HOST
        if "NewConnectionError" in names:
            return REFUSED if "refused" in str(current).lower() else NO_HOST
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            current = reason  # urllib3's MaxRetryError keeps the cause in .reason
            continue
        args = getattr(current, "args", ())
        if args and isinstance(args[0], BaseException) and id(args[0]) not in seen:
            current = args[0]  # requests' ConnectionError wraps MaxRetryError in args
            continue
        current = current.__cause__ or current.__context__
    return None


UNREACHED_FIX = "check your internet connection"


def in_context(error: TradingError, call: str, endpoint: str, api_url: str | None,
               failure: str | None, exchange_name: str = "") -> TradingError:
    """``error`` for the ccxt method ``call`` of a key at ``endpoint`` (see above);
    ``api_url`` is the custom URL the user typed (None: the exchange's own URL), and
    ``exchange_name`` the exchange's name as its users know it ("Binance")."""
    where = api_url or endpoint
    if api_url is None and failure in (REFUSED, NO_HOST) and call not in ORDER_REQUESTS \
            and call != "cancel_order":
        name = exchange_name or "the exchange"
        return _copy(error, f"{name} could not be reached", UNREACHED_FIX if failure == NO_HOST
                     else f"{UNREACHED_FIX}; {name} may be down")
    if failure == REFUSED:
        fix = f"is the exchange (or the demo exchange) running at {where}?" if api_url \
            else "check the network connection; the exchange may be down"
    elif failure == NO_HOST:
        fix = f"check the API URL ({where}) and the network connection"
    else:
        fix = error.fix
    if call in ORDER_REQUESTS:
        if not error.outcome_unknown:
            return error
        return _copy(error, error.message, f"{fix}; {UNKNOWN_OUTCOME}" if fix
                     else UNKNOWN_OUTCOME)
    if call == "cancel_order":
        if not error.outcome_unknown:
            return error
        if not fix:
            return _copy(error, error.message, "")
        fresh = type(error)(  # the front end says where to see the open orders
            error.message, fix=f"{fix}; the order may or may not be canceled: the "
            "exchange's open orders tell", remedy=LOOK_UP_OPEN_ORDERS,
            remedy_args={"before": fix})
        fresh.ccxt_error = error.ccxt_error
        return fresh
    if not error.outcome_unknown and failure is None:
        return error  # a refusal of the request: its own words say it
    doing = _DOING.get(call, "asking it")
    return _copy(error, f"{error.message} while {doing} ({endpoint}){NO_ORDER_SENT}", fix)


def _copy(error: TradingError, message: str, fix: str) -> TradingError:
    return error.like(message, fix)

