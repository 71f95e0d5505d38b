"""The order ticket's checks as the user types: pure, fast, no request, no lock.

``assess`` holds the ticket's text fields against the key and a ccxt instance whose
markets are set, with the same core checks a placement runs (``parse_order``,
``check_against_market``), and says per field what is wrong, what was rounded, and
what the order would cost. It never sends anything and never takes the client's lock:
a front end calls it on every keystroke, on its UI thread.

It also says an order over the free balance (when the balances are known), and
``estimate_lines`` is the estimate as text. The percentage buttons and "Available" are
``ticket_amounts``; the fee is ``fees``. ``order_types`` is what the ticket offers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.trading.endpoints import describe
from vault_app.trading.errors import OrderInputError, OrderNotAllowed, TradingError
from vault_app.trading.fees import Fee, estimated_fee, pays_maker
from vault_app.trading.money import grouped, places
from vault_app.trading.order_limits import (
    USD_QUOTES,
    check_amount_limits,
    check_cost,
    check_price_limits,
    plain,
)
from vault_app.trading.orders import (
    OrderRequest,
    check_against_market,
    find_market,
    parse_decimal,
    parse_order,
    price_warning,
    require_trade,
    round_to_market,
    supports_stop_limit,
)
from vault_app.trading.remedies import ALLOW_FAR_PRICE

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry

FIELDS = ("key", "symbol", "side", "type", "amount", "price", "stop_price", "time_in_force",
          "post_only")
"""Every field an error may be filed under."""



@dataclass(frozen=True)
class TicketFields:
    """The ticket's fields as typed."""

    symbol: str
    side: str
    type: str
    amount: str
    price: str = ""
    stop_price: str = ""
    time_in_force: str | None = None
    post_only: bool = False
    allow_far_price: bool = False
    """The user allowed a limit price beyond the maximum deviation, for this order."""


@dataclass(frozen=True)
class Assessment:
    """What the core says of the ticket as it stands."""

    request: OrderRequest | None
    """The order to preview; None unless every check passed."""
    errors: Mapping[str, str]
    """Field (``FIELDS``) -> the core's message (neutral words: ``str`` of the error)."""
    notes: tuple[str, ...] = ()
    """Roundings to the market's precision: shown, never silent."""
    warnings: tuple[str, ...] = ()
    amount: str | None = None  # after rounding
    price: str | None = None  # after rounding
    estimated_cost: Decimal | None = None  # amount x (limit price or last price), in quote
    estimated_fee: Decimal | None = None
    fee_currency: str | None = None
    fee_rate: Decimal | None = None
    fee_basis: str | None = None
    """Which rate ``fee_rate`` is: "the BTC/USDT market's taker rate", or the
    exchange's default when the market has none."""
    missing: frozenset[str] = field(default_factory=frozenset)
    """Fields with nothing typed in them (their error says "missing"): a front end may
    say so softly until the user has been there."""
    base: str | None = None
    quote: str | None = None
    refusals: Mapping[str, Exception] = field(default_factory=dict)
    """Field -> the core's error itself (``errors`` is its text): a front end says it,
    and its ``remedy``, in its own words."""
    maker: bool = False
    """The fee is the maker rate's: post-only, or a limit priced to rest on the book."""
    quote_places: int | None = None
    """Decimals the market prices in: how many a total in the quote is shown with."""

    @property
    def far_price_refused(self) -> bool:
        """The price is refused only for being far from the last price: the user may
        allow it (``TicketFields.allow_far_price``)."""
        return getattr(self.refusals.get("price"), "remedy", None) == ALLOW_FAR_PRICE

    @property
    def ok(self) -> bool:
        return self.request is not None and not self.errors


def key_is_live(entry: KeyEntry) -> bool:
    """Whether the key's orders move real money (``endpoints.describe``, the one rule)."""
    return describe(entry).live


def order_types(exchange: Any) -> tuple[str, ...]:
    """The order types the ticket offers: stop-limit only where the core accepts it."""
    if exchange is not None and supports_stop_limit(exchange):
        return ("market", "limit", "stop-limit")
    return ("market", "limit")


def _file(errors: dict[str, Exception], exc: OrderInputError) -> None:
    """The first error per field wins: it is the one the core would raise first."""
    errors.setdefault(exc.field if exc.field in FIELDS else "type", exc)


def order_kind(text: str) -> str:
    """The type as typed, normalised: ``Stop_Limit`` -> ``stop-limit``."""
    return text.strip().lower().replace("_", "-")


def _numbers(fields: TicketFields, kind: str, errors: dict[str, Exception],
             missing: set[str]) -> dict[str, Decimal]:
    """Each number on its own, so every bad field is named at once, not the first."""
    wanted = [("amount", fields.amount, "amount")]
    if kind in ("limit", "stop-limit"):
        wanted.append(("price", fields.price, "price"))
    if kind == "stop-limit":
        wanted.append(("stop_price", fields.stop_price, "stop price"))
    parsed: dict[str, Decimal] = {}
    for name, text, what in wanted:
        if not (text or "").strip():
            missing.add(name)
        try:
            parsed[name] = parse_decimal(text, what, name)
        except OrderInputError as exc:
            if "," in (text or "") and "not a number" in exc.message:
                exc = OrderInputError(f"the {what} '{text.strip()[:40]}' has a comma: use a "
                                      "point (.) for decimals, e.g. 1.5", field=name)
            _file(errors, exc)
    return parsed


def _parse(entry: KeyEntry, fields: TicketFields, kind: str) -> OrderRequest:
    limit = kind != "market"
    post_only = fields.post_only and kind == "limit"
    tif = fields.time_in_force if limit and not post_only else None
    return parse_order(entry.id, fields.symbol, fields.side, fields.type, fields.amount,
                       fields.price if limit else None,
                       stop_price=fields.stop_price if kind == "stop-limit" else None,
                       time_in_force=tif or None, post_only=post_only,
                       allow_far_price=fields.allow_far_price and limit)


def _texts(errors: Mapping[str, Exception]) -> dict[str, str]:
    return {name: str(exc) for name, exc in errors.items()}


_WAS_SENT = re.compile(r"[;,]\s*(?:nothing|no order) was sent\b")


def as_you_type(exc: Exception) -> Exception:
    """``exc`` in words for a field being typed: nothing was pressed yet, so "nothing
    was sent" is not said (the core's refusals say it for a command that was run)."""
    message = getattr(exc, "message", None)
    if not isinstance(message, str) or not _WAS_SENT.search(message):
        return exc
    quiet = _WAS_SENT.sub("", message)
    if isinstance(exc, TradingError):
        return exc.like(quiet)
    if isinstance(exc, OrderInputError):
        return OrderInputError(quiet, exc.field, remedy=exc.remedy)
    return exc


def _quiet(errors: Mapping[str, Exception]) -> dict[str, Exception]:
    return {name: as_you_type(exc) for name, exc in errors.items()}


def assess(entry: KeyEntry, fields: TicketFields, exchange: Any,
           last_price: Decimal | None,
           free: Mapping[str, Decimal] | None = None) -> Assessment:
    """The ticket against the key and the market (and, when ``free`` is known, the
    available balance); no request, no lock, no exception for anything the user can
    type. The fields are taken as typed: those the order type ignores are dropped
    here (a market order's price, a stop price unless stop-limit, the time in force of
    a post-only)."""
    errors: dict[str, Exception] = {}
    missing: set[str] = set()
    try:
        require_trade(entry)
    except OrderNotAllowed as exc:
        errors["key"] = exc
    kind = order_kind(fields.type)
    parsed = _numbers(fields, kind, errors, missing)
    request: OrderRequest | None = None
    try:
        request = _parse(entry, fields, kind)
    except OrderInputError as exc:
        _file(errors, exc)
    if not fields.symbol.strip():
        missing.add("symbol")
    markets = getattr(exchange, "markets", None) if exchange is not None else None
    market = None
    if not markets:
        errors.setdefault("symbol", OrderInputError("the exchange's markets are not loaded "
                                                    "yet", field="symbol"))
    elif fields.symbol.strip():
        try:
            market = find_market(fields.symbol.strip().upper(), markets, entry.exchange)
        except OrderInputError as exc:
            _file(errors, exc)
    if market is None:
        quiet = _quiet(errors)
        return Assessment(request=None, errors=_texts(quiet), refusals=quiet,
                          missing=frozenset(missing))
    return _with_market(entry, fields, exchange, market, last_price, request, parsed,
                        errors, frozenset(missing), free)


def _with_market(entry: KeyEntry, fields: TicketFields, exchange: Any, market: Any,
                 last_price: Decimal | None, request: OrderRequest | None,
                 parsed: Mapping[str, Decimal], errors: dict[str, Exception],
                 missing: frozenset[str], free: Mapping[str, Decimal] | None) -> Assessment:
    quote, base = str(market["quote"]), str(market["base"])
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    amount = price = None
    passed = False
    if request is not None:
        try:
            # A far price is the one refusal that depends on the last price alone; it is
            # asked separately below, so every other check still runs.
            checked = check_against_market(replace(request, allow_far_price=True), entry,
                                           exchange, market, lambda: last_price)
        except OrderInputError as exc:
            _file(errors, exc)
        except OrderNotAllowed as exc:
            errors.setdefault(_refused_field(entry, quote, request, last_price), exc)
        else:
            passed = True
            notes, warnings = checked.notes, checked.warnings
            amount, price = checked.amount, checked.price
    if not passed and "amount" in parsed:
        notes, amount, price = _partial(entry, fields, exchange, market, last_price, parsed,
                                        errors)
    kind = order_kind(fields.type)
    if _far_price(fields, kind, request, price, last_price, quote, errors):
        warnings = ()  # said by the error: what it would do there is moot
    cost = _estimated_cost(amount, price, last_price)
    maker = pays_maker(kind, fields.side, fields.post_only, price, last_price)
    fee = estimated_fee(exchange, market, fields.side, maker, amount, cost)
    _check_balance(fields.side, market, free, amount, cost, fee, errors)
    quiet = _quiet(errors)
    return Assessment(
        request=request if passed and not errors else None, errors=_texts(quiet),
        refusals=quiet, notes=notes,
        warnings=warnings, amount=amount, price=price, estimated_cost=cost,
        estimated_fee=fee.cost if fee else None, fee_currency=fee.currency if fee else None,
        fee_rate=fee.rate if fee else None, fee_basis=fee.basis if fee else None,
        missing=missing, base=base, quote=quote, maker=maker,
        quote_places=places(market, "price", getattr(exchange, "precisionMode", None)))


def _far_price(fields: TicketFields, kind: str, request: OrderRequest | None,
               price: str | None, last_price: Decimal | None, quote: str,
               errors: dict[str, Exception]) -> bool:
    """The far-price refusal, asked on its own: said beside any other field's message
    (a far price and a value below the minimum are both shown). True if refused."""
    if kind == "market" or price is None or last_price is None or last_price <= 0 \
            or "price" in errors:
        return False
    probe = request or OrderRequest(key_id="", symbol=fields.symbol, side=fields.side.strip()
                                    .lower(), type="limit", amount=Decimal(1),
                                    allow_far_price=fields.allow_far_price)
    try:
        price_warning(probe, Decimal(price), last_price, quote)
    except OrderNotAllowed as exc:
        errors["price"] = exc
        return True
    return False


def _check_balance(side: str, market: Mapping[str, Any], free: Mapping[str, Decimal] | None,
                   amount: str | None, cost: Decimal | None, fee: Fee | None,
                   errors: dict[str, Exception]) -> None:
    """An order that spends more than the free balance is said on the amount, before
    Review: the exchange would refuse it. Unknown balances say nothing."""
    if free is None or amount is None or "amount" in errors:
        return
    spent, needed = spending(side, market, Decimal(amount), cost)
    if needed is None:
        return
    if fee is not None and fee.currency == spent:
        needed += fee.cost
    have = free.get(spent, Decimal(0))
    if needed <= have:
        return
    digits = places(market, "price" if spent == str(market["quote"]) else "amount")
    what = "total" if spent == str(market["quote"]) else "amount"
    errors["amount"] = OrderInputError(
        f"the {what} {grouped(needed, digits)} {spent} exceeds your available "
        f"{grouped(have, digits, down=True)} {spent}", field="amount")


def spending(side: str, market: Mapping[str, Any], amount: Decimal,
             cost: Decimal | None) -> tuple[str, Decimal | None]:
    """What an order spends: a buy the quote (its cost, None if unknown), a sell the
    base (its amount)."""
    if side.strip().lower() == "buy":
        return str(market["quote"]), cost
    return str(market["base"]), amount


def _refused_field(entry: KeyEntry, quote: str, request: OrderRequest,
                   last_price: Decimal | None) -> str:
    """Where ``check_against_market``'s ``OrderNotAllowed`` belongs: the key's limit on a
    market not in USD, or with no price to value it, is the key's; over the limit, the
    amount's (lower it)."""
    if entry.max_notional is not None and quote.upper() not in USD_QUOTES:
        return "key"
    if request.price is None and last_price is None:
        return "key"
    return "amount"


def _partial(entry: KeyEntry, fields: TicketFields, exchange: Any, market: Any,
             last_price: Decimal | None, parsed: Mapping[str, Decimal],
             errors: dict[str, Exception]) -> tuple[tuple[str, ...], str | None, str | None]:
    """The checks that need only the numbers already valid, when the whole order is not:
    roundings, the amount's limits, the price's, and the order's value, said before
    the user has filled in everything."""
    kind = order_kind(fields.type)
    probe = OrderRequest(key_id=entry.id, symbol=str(market["symbol"]),
                         side=fields.side.strip().lower(),
                         type=kind if kind in ("market", "limit", "stop-limit") else "limit",
                         amount=parsed["amount"], price=parsed.get("price"),
                         stop_price=parsed.get("stop_price"))
    try:
        rounded = round_to_market(probe, exchange, market)
    except OrderInputError as exc:
        _file(errors, exc)
        return (), None, None
    limits = market.get("limits") or {}
    quote, base = str(market["quote"]), str(market["base"])
    try:
        check_amount_limits(Decimal(rounded.amount), limits.get("amount") or {}, base)
        if rounded.price is not None:
            check_price_limits(Decimal(rounded.price), limits.get("price") or {}, quote)
        value = rounded.price if rounded.price is not None else (
            last_price if kind == "market" else None)
        if value is not None:
            check_cost(Decimal(rounded.amount) * Decimal(value), limits.get("cost") or {},
                       quote, entry, estimated=rounded.price is None)
    except OrderInputError as exc:
        _file(errors, exc)
    except OrderNotAllowed as exc:
        errors.setdefault("amount", exc)
    return rounded.notes, rounded.amount, rounded.price


def _estimated_cost(amount: str | None, price: str | None,
                    last_price: Decimal | None) -> Decimal | None:
    if amount is None:
        return None
    value = Decimal(price) if price is not None else last_price
    return Decimal(amount) * value if value is not None else None


def estimate_lines(result: Assessment | None, last_price: Decimal | None) -> tuple[str, ...]:
    """The ticket's estimate: ``Total: ≈ 1,499.61 USDT`` and ``Fee: ≈ 1.5 USDT (0.1 %,
    maker rate ...)``; a market order's total is approximate (at the last price)."""
    if result is None or result.estimated_cost is None:
        cost = "—"
        if result is not None and result.amount is not None and last_price is None:
            cost = "unknown until the last price is known"
    else:
        about = "≈ " if result.price is None else ""
        cost = f"{about}{grouped(result.estimated_cost, result.quote_places)} {result.quote}"
    lines = [f"Total: {cost}"]
    if result is not None and result.estimated_fee is not None and result.fee_rate:
        fee_places = result.quote_places if result.fee_currency == result.quote else 8
        lines.append(f"Fee: ≈ {grouped(result.estimated_fee, fee_places)} "
                     f"{result.fee_currency} ({plain(result.fee_rate * 100)} %, "
                     f"{result.fee_basis})")
    return tuple(lines)


