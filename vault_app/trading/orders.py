"""An order as the user typed it, and the checks it passes before anything is sent.

``parse_order`` turns text into an ``OrderRequest`` (or raises ``OrderInputError``
naming the field); it needs no exchange. ``check_order`` then holds the request
against the key and the market: the key's labels first (only ``trade`` submits,
checked before anything else), then the symbol, the market's precision and limits,
the key's maximum notional, and a warning when a limit price is far from the last
price. Every refusal happens before a private request; the only request it may
make is public (markets, if not cached, and the ticker for the last price), and
input that can be refused without them is refused before them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from vault_app.trading.errors import OrderInputError, OrderNotAllowed
from vault_app.trading.money import grouped, places
from vault_app.trading.order_limits import (
    check_amount_limits,
    check_cost,
    check_notional_currency,
    check_price_limits,
    require_known_value,
)
from vault_app.trading.order_limits import number as number  # re-exported
from vault_app.trading.order_limits import plain as plain  # re-exported
from vault_app.trading.remedies import ADD_TRADE_LABEL, ALLOW_FAR_PRICE, ENTER_FIELD

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient

SIDES = ("buy", "sell")
TYPES = ("market", "limit", "stop-limit")
TIMES_IN_FORCE = ("GTC", "IOC", "FOK")
DEFAULT_PRICE_BAND = Decimal("0.10")  # warn when a limit price is 10 % off the last price
DEFAULT_MAX_DEVIATION = Decimal("0.50")
"""A limit price more than this far from the last price is refused (a typo, most often:
an extra zero) unless the request says ``allow_far_price``."""
MAX_DIGITS = 30  # more significant digits than any exchange's precision: a typo
MAX_MAGNITUDE = 15  # at most 16 digits before the point: no market trades 10**16 of anything
MIN_MAGNITUDE = -20  # nor steps below 10**-20
_PLAIN_DECIMAL = re.compile(r"[0-9]*\.?[0-9]+|[0-9]+\.", re.ASCII)
_SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9._:/-]{0,63}", re.ASCII)


@dataclass(frozen=True)
class OrderRequest:
    """What the user asked for, syntactically valid; not yet checked against a market."""

    key_id: str
    symbol: str
    side: str  # buy | sell
    type: str  # market | limit | stop-limit
    amount: Decimal
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: str | None = None
    post_only: bool = False
    allow_far_price: bool = False
    """The user said a limit price beyond ``DEFAULT_MAX_DEVIATION`` is meant."""
    typed_symbol: str = ""
    """The symbol as the user typed it (``btcusdt``), to show beside the market found."""


def parse_decimal(text: str | None, what: str, field_name: str) -> Decimal:
    """A positive, finite number in plain decimal notation, or ``OrderInputError``."""
    value = (text or "").strip()
    if not value:
        raise OrderInputError(f"the {what} is missing", field=field_name)
    shown = value if len(value) <= 40 else value[:40] + "…"
    lowered = value.lower().lstrip("+-")
    if lowered in ("nan", "snan", "inf", "infinity"):
        raise OrderInputError(f"the {what} must be a finite number, not '{shown}'",
                              field=field_name)
    if value.startswith("-"):
        raise OrderInputError(f"the {what} must be positive, not '{shown}'", field=field_name)
    if not _PLAIN_DECIMAL.fullmatch(value.lstrip("+")):
        hint = (" (write it in plain decimal notation, e.g. 0.001)"
                if "e" in lowered else " (digits and one decimal point, e.g. 0.001)")
        raise OrderInputError(f"the {what} '{shown}' is not a number{hint}", field=field_name)
    try:
        number = Decimal(value.lstrip("+"))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise OrderInputError(f"the {what} '{shown}' is not a number",
                              field=field_name) from None
    digits = value.strip("+0").replace(".", "").strip("0")
    if len(digits) > MAX_DIGITS:
        raise OrderInputError(
            f"the {what} has more than {MAX_DIGITS} significant digits; check for a typo",
            field=field_name)
    if number == 0:
        raise OrderInputError(f"the {what} must be greater than zero", field=field_name)
    if number.adjusted() > MAX_MAGNITUDE:
        raise OrderInputError(f"the {what} '{shown}' is too large for any market; check for "
                              "a typo", field=field_name)
    if number.adjusted() < MIN_MAGNITUDE:
        raise OrderInputError(f"the {what} '{shown}' is too small for any market; check for "
                              "a typo", field=field_name)
    return number


def parse_order(key_id: str, symbol: str, side: str, type: str, amount: str,
                price: str | None = None, *, stop_price: str | None = None,
                time_in_force: str | None = None, post_only: bool = False,
                allow_far_price: bool = False) -> OrderRequest:
    """Check what can be checked without an exchange; raise ``OrderInputError``."""
    clean_symbol = symbol.strip().upper()
    if not _SYMBOL.fullmatch(clean_symbol):
        raise OrderInputError("the symbol must look like BTC/USDT", field="symbol")
    clean_side = side.strip().lower()
    if clean_side not in SIDES:
        raise OrderInputError("the side must be buy or sell", field="side")
    clean_type = type.strip().lower().replace("_", "-")
    if clean_type not in TYPES:
        raise OrderInputError("the type must be market, limit or stop-limit", field="type")
    number = parse_decimal(amount, "amount", "amount")
    limit = clean_type != "market"
    if limit and (price is None or not price.strip()):
        raise OrderInputError(f"a {clean_type} order needs a price", field="price",
                              remedy=ENTER_FIELD)
    if not limit and price is not None:
        raise OrderInputError("a market order takes no price; it fills at the market's price "
                              "(use a limit order to set one)", field="price")
    price_number = parse_decimal(price, "price", "price") if limit else None
    trigger = None
    if clean_type == "stop-limit":
        trigger = parse_decimal(stop_price, "stop price", "stop_price")
    elif stop_price is not None:
        raise OrderInputError("only a stop-limit order takes a stop price", field="stop_price")
    tif = time_in_force.strip().upper() if time_in_force is not None else None
    if tif is not None:
        if tif not in TIMES_IN_FORCE:
            raise OrderInputError("the time in force must be GTC, IOC or FOK",
                                  field="time_in_force")
        if not limit:
            raise OrderInputError("a market order takes no time in force", field="time_in_force")
    if post_only:
        if clean_type != "limit":
            raise OrderInputError("only a limit order can be post-only", field="post_only")
        if tif in ("IOC", "FOK"):
            raise OrderInputError(f"a post-only order rests on the book; it cannot be {tif}",
                                  field="post_only")
    return OrderRequest(key_id=key_id, symbol=clean_symbol, side=clean_side, type=clean_type,
                        amount=number, price=price_number, stop_price=trigger,
                        time_in_force=tif, post_only=post_only,
                        allow_far_price=allow_far_price, typed_symbol=symbol.strip())


@dataclass(frozen=True)
class CheckedOrder:
    """An order that passed every check: the exact strings to send, and what to tell."""

    request: OrderRequest
    symbol: str  # the unified ccxt symbol
    base: str
    quote: str
    amount: str  # after amount_to_precision
    price: str | None  # after price_to_precision
    stop_price: str | None
    last_price: Decimal | None
    notional: Decimal | None  # amount x (price or last price), in the quote currency
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # roundings
    params: Mapping[str, Any] = field(default_factory=dict)  # timeInForce, postOnly, ...
    market_type: str = "spot"  # ccxt's market type: spot, swap, future, ...
    quote_places: int | None = None  # decimals of the quote (the market's price step)

    @property
    def ccxt_type(self) -> str:
        return "market" if self.request.type == "market" else "limit"

    @property
    def time_in_force(self) -> str | None:
        if self.request.type == "market" or self.request.post_only:
            return None
        return self.request.time_in_force or "GTC"

    def create_order_args(self, client_order_id: str,
                          extra: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
        """The arguments of ccxt's ``create_order``, with our client order id (and
        ``extra`` params: the request's ``timestamp`` and ``recvWindow``)."""
        params = {**self.params, **(extra or {}), "clientOrderId": client_order_id}
        return (self.symbol, self.ccxt_type, self.request.side, self.amount, self.price, params)


def require_trade(entry: KeyEntry) -> None:
    """Only a key labelled ``trade`` may submit or cancel: checked before anything."""
    if not entry.can_trade:
        raise OrderNotAllowed(
            f"the key '{entry.label}' is labelled {', '.join(entry.permissions) or 'read'}, "
            "not trade; nothing was sent",
            fix="to trade with it, add the trade label to the key if the exchange key has "
                "trading rights", remedy=ADD_TRADE_LABEL, remedy_args={"label": entry.label})


def check_order(request: OrderRequest, entry: KeyEntry, client: ExchangeClient, *,
                price_band: Decimal = DEFAULT_PRICE_BAND,
                max_deviation: Decimal = DEFAULT_MAX_DEVIATION,
                before_price: Callable[[str], object] | None = None) -> CheckedOrder:
    """Hold the request against the key and its market; raise before anything is sent.
    ``before_price`` (given the market's symbol) is called once every check that needs
    no request passed, just before the last price is asked for."""
    require_trade(entry)
    if request.key_id != entry.id:
        raise OrderNotAllowed("this order was entered for another key; nothing was sent")
    markets = client.load_markets()
    exchange = client.exchange
    market = find_market(request.symbol, markets, entry.exchange)
    return check_against_market(request, entry, exchange, market,
                                lambda: _price_after(before_price, client, market["symbol"],
                                                     request.side),
                                price_band=price_band, max_deviation=max_deviation)


def _price_after(before_price: Callable[[str], object] | None, client: ExchangeClient,
                 symbol: str, side: str) -> Decimal | None:
    if before_price is not None:
        before_price(symbol)
    return last_price(client, symbol, side)


def find_market(symbol: str, markets: Mapping[str, Any], exchange_id: str) -> Any:
    """The market of a unified symbol (or of an exchange id such as BTCUSDT)."""
    market = markets.get(symbol)
    if market is None:
        compact = symbol.replace("/", "").replace("-", "")
        market = next((m for m in markets.values()
                       if str(m.get("id", "")).upper() == compact and m.get("spot")), None)
    if market is None:
        raise OrderInputError(f"{exchange_id} has no market '{symbol}'"
                              f"{suggestions(symbol, markets, exchange_id)}", field="symbol")
    if market.get("active") is False:
        raise OrderInputError(f"the market {market['symbol']} is not trading now "
                              "(halted or delisted)", field="symbol")
    return market


def suggestions(symbol: str, markets: Mapping[str, Any], exchange_id: str) -> str:
    """What to say after "has no market 'X'": close symbols of the same base currency
    only (a suggestion of another coin could be taken by mistake), or that the exchange
    has no market of that base currency at all."""
    base, separated, _ = symbol.replace("-", "/").partition("/")
    bases = {str(m.get("base", "")).upper() for m in markets.values() if m.get("base")}
    if not separated:  # BTCUSDX: the longest base currency it starts with
        base = max((b for b in bases if b and symbol.upper().startswith(b)), key=len,
                   default="")
    base = base.upper()
    if not base:
        return " (a unified symbol such as BTC/USDT)"
    same_base = [name for name, m in markets.items()
                 if str(m.get("base", "")).upper() == base and m.get("active") is not False]
    if not same_base:
        return f"; it has no {base} market at all"
    close = difflib.get_close_matches(symbol.upper().replace("-", "/"), same_base, n=3,
                                      cutoff=0.0)
    return f"; did you mean {' or '.join(close)}?"


def last_price(client: ExchangeClient, symbol: str, side: str = "buy") -> Decimal | None:
    """The ticker's last price; without one, the best ask for a buy (the best bid for a
    sell): what a market order would pay first. None if the ticker has none of them."""
    ticker = client.call("fetch_ticker", symbol)
    best = "ask" if side == "buy" else "bid"
    return number(ticker.get("last")) or number(ticker.get("close")) or \
        number(ticker.get(best))


def is_ccxt_error(exc: BaseException, name: str) -> bool:
    """Whether ``exc`` is ccxt's error class ``name`` (or a subclass), without importing
    ``ccxt.base.errors`` (whose package import would load every exchange)."""
    return any(kind.__name__ == name and kind.__module__.startswith("ccxt")
               for kind in type(exc).__mro__)


def _to_precision(exchange: Any, method: str, symbol: str, value: Decimal, what: str, *,
                  field: str | None = None) -> str:
    field = field or what
    try:
        return str(getattr(exchange, method)(symbol, plain(value)))
    except InvalidOperation:  # beyond the 28 digits of ccxt's decimal context
        raise OrderInputError(f"the {what} {plain(value)} cannot be rounded to the market's "
                              "precision; check for a typo", field=field) from None
    except Exception as exc:
        if not is_ccxt_error(exc, "InvalidOrder"):
            raise
        step = plain(number(exchange.market(symbol)["precision"][what]) or Decimal(0))
        raise OrderInputError(f"the {what} {plain(value)} is smaller than the market's "
                              f"smallest step ({step})", field=field) from None


def supports_stop_limit(exchange: Any) -> bool:
    """Whether ccxt can place a spot stop-limit (a trigger price) on this exchange."""
    spot = (exchange.features or {}).get("spot") or {}
    return bool((spot.get("createOrder") or {}).get("triggerPrice"))


@dataclass(frozen=True)
class Rounded:
    """The request's numbers rounded to the market's precision, as the strings to send,
    and a note for each rounding (never silent)."""

    amount: str
    price: str | None
    stop_price: str | None
    notes: tuple[str, ...]


def round_to_market(request: OrderRequest, exchange: Any, market: Any) -> Rounded:
    """``OrderInputError`` when a number cannot be rounded (below the smallest step)."""
    symbol = market["symbol"]
    notes: list[str] = []
    amount = _to_precision(exchange, "amount_to_precision", symbol, request.amount, "amount")
    if Decimal(amount) != request.amount:
        step = plain(number(market["precision"]["amount"]) or Decimal(0))
        notes.append(f"amount {plain(request.amount)} rounded down to {amount} "
                     f"(the market's step {step})")
    tick = plain(number(market["precision"]["price"]) or Decimal(0))
    price = stop = None
    if request.price is not None:
        price = _to_precision(exchange, "price_to_precision", symbol, request.price, "price")
        if Decimal(price) != request.price:
            notes.append(f"price {plain(request.price)} rounded to {price} "
                         f"(the market's tick {tick})")
    if request.stop_price is not None:
        stop = _to_precision(exchange, "price_to_precision", symbol, request.stop_price,
                             "price", field="stop_price")
        if Decimal(stop) != request.stop_price:
            notes.append(f"stop price {plain(request.stop_price)} rounded to {stop} "
                         f"(the market's tick {tick})")
    return Rounded(amount=amount, price=price, stop_price=stop, notes=tuple(notes))


def check_against_market(request: OrderRequest, entry: KeyEntry, exchange: Any,
                         market: Any, get_last_price: Any, *,
                         price_band: Decimal = DEFAULT_PRICE_BAND,
                         max_deviation: Decimal = DEFAULT_MAX_DEVIATION) -> CheckedOrder:
    """The market-dependent checks, on a ccxt instance whose markets are set.

    ``get_last_price`` (a callable) is called at most once, and only after every
    check that needs no price passed.
    """
    symbol = market["symbol"]
    base, quote = market["base"], market["quote"]
    params: dict[str, Any] = {}
    if request.type == "stop-limit" and not supports_stop_limit(exchange):
        raise OrderInputError(f"{entry.exchange} has no stop-limit orders through ccxt",
                              field="type")
    check_notional_currency(entry, quote)  # a limit in USD, a market in BTC: refused
    rounded = round_to_market(request, exchange, market)
    amount, price, stop = rounded.amount, rounded.price, rounded.stop_price
    notes = list(rounded.notes)
    limits = market.get("limits") or {}
    if price is not None:
        check_price_limits(Decimal(price), limits.get("price") or {}, quote)
    if stop is not None:
        check_price_limits(Decimal(stop), limits.get("price") or {}, quote,
                           what="stop price", field="stop_price")
        params["triggerPrice"] = stop
    if request.time_in_force is not None:
        params["timeInForce"] = request.time_in_force
    if request.post_only:
        params["postOnly"] = True
    check_amount_limits(Decimal(amount), limits.get("amount") or {}, base)
    if price is not None:  # refusable without the last price: before asking for it
        check_cost(Decimal(amount) * Decimal(price), limits.get("cost") or {}, quote, entry)
    last = get_last_price()
    if stop is not None and last is not None and last > 0:
        check_stop_side(request.side, Decimal(stop), last, quote)
    warnings: list[str] = []
    if price is None:
        notional = Decimal(amount) * last if last is not None else None
        if notional is not None:
            check_cost(notional, limits.get("cost") or {}, quote, entry, estimated=True)
        else:
            require_known_value(entry, symbol)  # a key with a limit: refused
            warnings.append("the exchange gave no last price; the order's value is unknown")
    else:
        notional = Decimal(amount) * Decimal(price)
        if last is not None and last > 0:
            warning = price_warning(request, Decimal(price), last, quote,
                                    price_band=price_band, max_deviation=max_deviation)
            if warning:
                warnings.append(warning)
    return CheckedOrder(request=request, symbol=symbol, base=base, quote=quote, amount=amount,
                        price=price, stop_price=stop, last_price=last, notional=notional,
                        warnings=tuple(warnings), notes=tuple(notes), params=params,
                        market_type=str(market.get("type") or "spot"),
                        quote_places=places(market, "price",
                                            getattr(exchange, "precisionMode", None)))


def trigger_words(side: str) -> str:
    """How a stop-limit of ``side`` triggers on Binance (STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT
    by the side of the market): a buy when the price rises to its stop, a sell when it
    falls to it."""
    return "rises to" if side == "buy" else "falls to"


def check_stop_side(side: str, stop: Decimal, last: Decimal, quote: str) -> None:
    """``OrderInputError`` (nothing sent) for a stop that the last price has already
    reached: the exchange would trigger it at once, or refuse it (Binance: "Stop price
    would trigger immediately")."""
    wrong = stop <= last if side == "buy" else stop >= last
    if wrong:
        where = "at or below" if side == "buy" else "at or above"
        raise OrderInputError(
            f"a {side} stop-limit triggers when the last price {trigger_words(side)} its "
            f"stop price, but the stop {plain(stop)} is {where} the last price "
            f"{plain(last)} {quote}: it would trigger at once (use a limit order for that)",
            field="stop_price")


def price_warning(request: OrderRequest, price: Decimal, last: Decimal, quote: str, *,
                  price_band: Decimal = DEFAULT_PRICE_BAND,
                  max_deviation: Decimal = DEFAULT_MAX_DEVIATION) -> str | None:
    """A warning when the limit ``price`` is more than ``price_band`` (a fraction) away
    from the ``last`` price, saying what the order will do there; ``OrderNotAllowed``
    beyond ``max_deviation`` unless the request allows a far price."""
    off = abs(price - last) / last
    if off <= price_band:
        return None
    above = price > last
    buy = request.side == "buy"
    direction = "above" if above else "below"
    if price * 100 < last or price > last * 100:  # "100.0 % below" says nothing (u2 N7)
        where = (f"the limit price is far {direction} the last price ({grouped(price)} vs "
                 f"{grouped(last)} {quote})")
    else:
        where = (f"the limit price {grouped(price)} is {off * 100:.1f} % {direction} the "
                 f"last price {grouped(last)} {quote}")
    if off > max_deviation and not request.allow_far_price:
        raise OrderNotAllowed(
            f"{where}, more than {plain(max_deviation * 100)} % away: most likely a typo; "
            "nothing was sent",
            fix="check the price; if you mean it, allow a far price for this order",
            remedy=ALLOW_FAR_PRICE)
    if request.post_only and buy == above:
        return (f"{where}: a post-only {request.side} there would fill at once, so the "
                "exchange will refuse it")
    if request.type == "limit" and buy == above:
        side = "buy" if buy else "sell"
        best = "up to" if buy else "down to"
        return (f"{where}: this {side} will fill at once, at the market's price, "
                f"{best} {grouped(price)} {quote}")
    if request.type == "limit":
        return (f"{where}: this {request.side} will rest on the book until the price "
                f"{'rises' if above else 'falls'} that far")
    if request.stop_price is not None:
        return (f"{where}: this {request.type} {request.side} goes on the book at that "
                f"price once the price reaches the stop price {grouped(request.stop_price)}")
    return where
