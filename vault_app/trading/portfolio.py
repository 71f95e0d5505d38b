"""Balances across every ``read`` key, valued in one quote currency. What the Portfolio
view shows and exports; nothing of it is written to disk.

``fetch_portfolio(entries, quote)`` asks every key labelled ``read`` for its balances
(a key without that label is ``skipped``: the label says the key may read the
account, and an exchange refuses a key without it). Keys are grouped by where they
talk to (exchange, environment, API URL): groups run in parallel, a thread each from
a small pool; the keys of one group run one after another, each with its own client,
so one key never has two requests in flight. Each group then asks its exchange for
the prices it needs, once (``fetch_tickers`` with the symbols, or ``fetch_ticker``
per symbol where the exchange has no batch call), with a key of the group that
answered.

An asset is valued on its own exchange: the quote itself is 1; else the market
ASSET/QUOTE's last price, else QUOTE/ASSET's inverse; an asset with neither has no
price, and its value is unknown (never 0). The grand total is the sum of what could
be valued; ``Portfolio.unpriced`` names the rest.

A key that fails (refused key or secret, IP not whitelisted, unreachable, no answer
within ``key_timeout``) is reported with the core's sentence and fix, and never holds
up the other keys: a key's work runs in a thread of its own that the group waits for
at most ``key_timeout`` seconds (ccxt's own timeout applies per request; a server that
answers a byte at a time could hold a request far longer).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from vault_app.core.errors import ValidationError, VaultError
from vault_app.trading.error_context import NO_ORDER_SENT
from vault_app.trading.errors import (
    ExchangeTimeout,
    KeyLacksPermission,
    OrderRejected,
    TradingError,
)
from vault_app.trading.order_limits import USD_QUOTES, number, plain

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient

DEFAULT_QUOTE = "USDT"
KEY_TIMEOUT = 45.0
"""Seconds a key's balances (its markets and the balance request) may take, and the
prices of its group, before it is reported as not answering."""
MAX_GROUPS_AT_ONCE = 4
"""Exchanges asked at the same time (a thread each)."""
CANCEL_POLL = 0.1
"""Seconds between two looks at ``cancel`` while a key is being waited for."""
MAX_QUOTE = 16

T = TypeVar("T")


# --- what a fetch gives ------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRef:
    """A key as the portfolio names it: never its credentials."""

    id: str
    label: str
    exchange: str
    endpoint: str
    """Where it talks to, as ``ExchangeClient.describe_endpoint`` says it ("LIVE
    binance", "sandbox binance", "http://127.0.0.1:8765")."""


@dataclass(frozen=True)
class Holding:
    """One asset at one key."""

    asset: str
    key: KeyRef
    total: Decimal
    free: Decimal
    used: Decimal
    price: Decimal | None
    """One unit in the quote currency; None: the exchange has no market to value it."""

    @property
    def value(self) -> Decimal | None:
        return None if self.price is None else self.total * self.price


@dataclass(frozen=True)
class KeyFailure:
    """Why a key's balances (or its exchange's prices) could not be fetched."""

    key: KeyRef
    message: str
    fix: str
    kind: str
    """The error's class name: "AuthFailed", "NetworkProblem", "ExchangeTimeout", ..."""

    @property
    def text(self) -> str:
        from vault_app.trading.errors import sentences

        return sentences(self.message, self.fix)


@dataclass(frozen=True)
class KeyOutcome:
    """One key done: its balances (non-zero totals), or why it failed."""

    key: KeyRef
    balances: tuple[Holding, ...]
    failure: KeyFailure | None


@dataclass(frozen=True)
class GroupResult:
    """The keys of one exchange (and environment and URL), valued."""

    exchange: str
    endpoint: str
    holdings: tuple[Holding, ...]
    failures: tuple[KeyFailure, ...]
    price_problem: KeyFailure | None
    """Why the prices could not be fetched (its holdings then have none)."""


@dataclass(frozen=True)
class AssetTotal:
    """One asset across every key."""

    asset: str
    total: Decimal
    value: Decimal | None
    """The sum of its holdings that have a price; None when none has."""
    unpriced: Decimal
    """How much of ``total`` has no price (0: all of it is valued)."""
    holdings: tuple[Holding, ...]


@dataclass(frozen=True)
class Portfolio:
    quote: str
    assets: tuple[AssetTotal, ...]
    """By value, largest first; assets without any price last, by name."""
    total_value: Decimal
    """The sum of every value known: assets without a price are not in it."""
    failures: tuple[KeyFailure, ...]
    """Keys whose balances are missing, and exchanges whose prices are."""
    skipped: tuple[KeyRef, ...]
    """Keys not labelled ``read``: not asked."""
    keys_asked: int

    @property
    def unpriced(self) -> tuple[str, ...]:
        """Assets (some of) whose amount has no price: not in ``total_value``."""
        return tuple(asset.asset for asset in self.assets if asset.unpriced)

    @property
    def keys_answered(self) -> int:
        return self.keys_asked - len({f.key.id for f in self.failures if f.kind != PRICES})


PRICES = "prices"
"""``KeyFailure.kind`` of a group whose prices could not be fetched (its balances were)."""


# --- which keys ---------------------------------------------------------------------------


def key_ref(entry: KeyEntry) -> KeyRef:
    return KeyRef(entry.id, entry.label, entry.exchange, describe_endpoint(entry))


def describe_endpoint(entry: KeyEntry) -> str:
    """``ExchangeClient.describe_endpoint`` without building a client."""
    from vault_app.trading.endpoints import is_loopback_url

    if entry.environment == "sandbox":
        return f"sandbox {entry.exchange}"
    if entry.environment == "custom":
        url = entry.api_url or ""
        return url if is_loopback_url(url) else f"LIVE {url}"
    return f"LIVE {entry.exchange}"


def readable_keys(entries: Iterable[KeyEntry]) -> tuple[list[KeyEntry], list[KeyEntry]]:
    """(the keys labelled ``read``, in order; the others)."""
    chosen: list[KeyEntry] = []
    skipped: list[KeyEntry] = []
    for entry in entries:
        (chosen if "read" in entry.permissions else skipped).append(entry)
    return chosen, skipped


def group_keys(entries: Iterable[KeyEntry]) -> list[list[KeyEntry]]:
    """Keys that talk to the same place (exchange, environment, API URL), in order."""
    groups: dict[tuple[str, str, str | None], list[KeyEntry]] = {}
    for entry in entries:
        url = entry.api_url if entry.environment == "custom" else None
        groups.setdefault((entry.exchange, entry.environment, url), []).append(entry)
    return list(groups.values())


# --- valuation (no network) -------------------------------------------------------------


def price_symbol(asset: str, quote: str, markets: Mapping[str, Any]) -> tuple[str, bool] | None:
    """The market that values ``asset`` in ``quote`` and whether its price is inverted
    (QUOTE/ASSET); None for the quote itself and for an asset with no such market."""
    if asset == quote:
        return None
    for symbol, inverted in ((f"{asset}/{quote}", False), (f"{quote}/{asset}", True)):
        market = markets.get(symbol)
        if isinstance(market, Mapping) and market.get("active") is not False:
            return symbol, inverted
    return None


def ticker_price(ticker: object) -> Decimal | None:
    """A ticker's last price (else its close, else the middle of bid and ask); None
    unless it is a positive number."""
    if not isinstance(ticker, Mapping):
        return None
    for name in ("last", "close"):
        price = number(ticker.get(name))
        if price is not None and price > 0:
            return price
    bid, ask = number(ticker.get("bid")), number(ticker.get("ask"))
    if bid is not None and ask is not None and bid > 0 and ask > 0:
        return (bid + ask) / 2
    return None


def asset_price(asset: str, quote: str, markets: Mapping[str, Any],
                tickers: Mapping[str, Any]) -> Decimal | None:
    """One unit of ``asset`` in ``quote`` on this exchange (see the module), or None."""
    if asset == quote:
        return Decimal(1)
    found = price_symbol(asset, quote, markets)
    if found is None:
        return None
    symbol, inverted = found
    price = ticker_price(tickers.get(symbol))
    if price is None:
        return None
    if not inverted:
        return price
    try:
        return Decimal(1) / price
    except (ArithmeticError, InvalidOperation):
        return None


def assemble(groups: Iterable[GroupResult], quote: str, *, skipped: Sequence[KeyRef] = (),
             keys_asked: int | None = None) -> Portfolio:
    """The portfolio of the groups done so far (the view calls it as groups finish)."""
    groups = list(groups)
    by_asset: dict[str, list[Holding]] = {}
    failures: list[KeyFailure] = []
    for group in groups:
        for holding in group.holdings:
            by_asset.setdefault(holding.asset, []).append(holding)
        failures.extend(group.failures)
        if group.price_problem is not None:
            failures.append(group.price_problem)
    assets = []
    for asset, holdings in by_asset.items():
        values = [h.value for h in holdings if h.value is not None]
        assets.append(AssetTotal(
            asset=asset, total=sum((h.total for h in holdings), Decimal(0)),
            value=sum(values, Decimal(0)) if values else None,
            unpriced=sum((h.total for h in holdings if h.price is None), Decimal(0)),
            holdings=tuple(holdings)))
    assets.sort(key=lambda a: (a.value is None, -(a.value or 0), a.asset))
    asked = keys_asked if keys_asked is not None else \
        len({h.key.id for g in groups for h in g.holdings} |
            {f.key.id for g in groups for f in g.failures})
    return Portfolio(quote=quote, assets=tuple(assets),
                     total_value=sum((a.value for a in assets if a.value is not None),
                                     Decimal(0)),
                     failures=tuple(failures), skipped=tuple(skipped), keys_asked=asked)


def clean_quote(text: str) -> str:
    """The quote currency as typed, upper-cased; ``ValidationError`` unless it is 1 to
    ``MAX_QUOTE`` letters or digits (a currency code as ccxt writes it)."""
    quote = text.strip().upper()
    if not quote or len(quote) > MAX_QUOTE or not (quote.isascii() and quote.isalnum()):
        raise ValidationError(f"the quote currency must be 1 to {MAX_QUOTE} letters or "
                              "digits, e.g. USDT", field="quote")
    return quote


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


# --- fetching -------------------------------------------------------------------------


TRADE_RIGHTS = "the rights this request needs (trading)"
READ_RIGHTS = "the rights this request needs (reading the account)"
"""``errors.translate`` names trading in the fix of a refused key (most refusals are
of an order); a balance request needs the right to read."""
LACKS_READ_FIX = ("the key lacks the right to read the account on the exchange: enable "
                  "it there, or remove the key's read label")


def failure_of(key: KeyRef, exc: BaseException) -> KeyFailure:
    """The core's sentence and fix for why ``key`` failed; a bug's text is never shown."""
    if isinstance(exc, KeyLacksPermission):  # its fix is about trading; this was a read
        return KeyFailure(key, exc.message.removesuffix(NO_ORDER_SENT), LACKS_READ_FIX,
                          type(exc).__name__)
    if isinstance(exc, TradingError):  # no order is ever at stake here: not said
        fix = exc.fix.replace(TRADE_RIGHTS, READ_RIGHTS)
        return KeyFailure(key, exc.message.removesuffix(NO_ORDER_SENT), fix,
                          type(exc).__name__)
    if isinstance(exc, VaultError):
        return KeyFailure(key, str(exc), "", type(exc).__name__)
    return KeyFailure(key, f"unexpected error ({type(exc).__name__})",
                      "try again; the other keys are not affected", type(exc).__name__)


class Cancelled(Exception):
    """The fetch was cancelled (``cancel`` set) while a key was being asked."""


def within(seconds: float, fn: Callable[[], T], what: str,
           cancel: threading.Event | None = None) -> T:
    """``fn()`` in a thread of its own, waited for at most ``seconds`` (an
    ``ExchangeTimeout`` then) or until ``cancel`` is set (``Cancelled``); the thread
    then ends on its own (ccxt's timeout)."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="portfolio-key", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not done.wait(min(CANCEL_POLL, max(0.0, deadline - time.monotonic()))):
        if cancel is not None and cancel.is_set():
            raise Cancelled(what)
        if time.monotonic() < deadline:
            continue
        raise ExchangeTimeout(f"the exchange did not answer within {seconds:g} s ({what})",
                              fix="check the network connection and the exchange's status")
    if "error" in box:
        error: BaseException = box["error"]
        error.__traceback__ = None  # its frames hold the key's client
        raise error
    result: T = box["value"]
    return result


ClientFactory = Callable[["KeyEntry"], "ExchangeClient"]


def _new_client(entry: KeyEntry) -> ExchangeClient:
    from vault_app.trading.client import ExchangeClient

    return ExchangeClient(entry)


def _balances(client: ExchangeClient, key: KeyRef) -> tuple[Holding, ...]:
    from vault_app.trading.session import parse_balances

    client.load_markets(allow_stale=True)  # ccxt needs them; only names are used here
    return tuple(Holding(b.currency, key, b.total, b.free, b.used, None)
                 for b in parse_balances(client.call("fetch_balance")))


def _prices(client: ExchangeClient, assets: Iterable[str], quote: str
            ) -> dict[str, Decimal | None]:
    markets = client.exchange.markets or {}
    symbols = sorted({found[0] for asset in assets
                      if (found := price_symbol(asset, quote, markets)) is not None})
    tickers: dict[str, Any] = {}
    if symbols and client.exchange.has.get("fetchTickers"):
        answer = client.call("fetch_tickers", symbols)
        tickers = dict(answer) if isinstance(answer, Mapping) else {}
    else:
        for symbol in symbols:
            try:
                tickers[symbol] = client.call("fetch_ticker", symbol)
            except OrderRejected:  # BadSymbol, a closed market: that asset has no price
                continue
    return {asset: asset_price(asset, quote, markets, tickers) for asset in assets}


def fetch_group(entries: Sequence[KeyEntry], quote: str, *,
                on_key_done: Callable[[KeyOutcome], None] | None = None,
                key_timeout: float = KEY_TIMEOUT, cancel: threading.Event | None = None,
                make_client: ClientFactory = _new_client) -> GroupResult:
    """The keys of one group, one after another, then their prices (see the module)."""
    holdings: list[Holding] = []
    failures: list[KeyFailure] = []
    priced_by: ExchangeClient | None = None
    clients: list[ExchangeClient] = []
    try:
        for entry in entries:
            if cancel is not None and cancel.is_set():
                break
            key = key_ref(entry)
            try:
                client = make_client(entry)
                clients.append(client)
                found = within(key_timeout, functools.partial(_balances, client, key),
                               f"balances of '{entry.label}'", cancel)
            except Cancelled:
                break
            except BaseException as exc:  # one key's failure never stops the others
                failure = failure_of(key, exc)
                failures.append(failure)
                outcome = KeyOutcome(key, (), failure)
            else:
                holdings.extend(found)
                priced_by = client
                outcome = KeyOutcome(key, found, None)
            if on_key_done is not None:
                on_key_done(outcome)
        first = key_ref(entries[0])
        price_problem: KeyFailure | None = None
        if priced_by is not None and holdings and not (cancel is not None and cancel.is_set()):
            assets = sorted({h.asset for h in holdings})
            client = priced_by
            try:
                prices = within(key_timeout, lambda: _prices(client, assets, quote),
                                f"prices on {first.endpoint}", cancel)
            except Cancelled:
                prices = {}
            except BaseException as exc:
                problem = failure_of(key_ref(client.entry), exc)
                price_problem = KeyFailure(
                    problem.key, f"prices on {problem.key.endpoint} could not be fetched: "
                                 f"{problem.message}", problem.fix, PRICES)
                prices = {}
            holdings = [Holding(h.asset, h.key, h.total, h.free, h.used, prices.get(h.asset))
                        for h in holdings]
        return GroupResult(first.exchange, first.endpoint, tuple(holdings), tuple(failures),
                           price_problem)
    finally:
        for client in clients:
            _close_quietly(client)


def _close_quietly(client: ExchangeClient) -> None:
    # A client still in a hung request holds its lock: closing it would wait for that.
    if client.lock.acquire(blocking=False):
        try:
            with contextlib.suppress(Exception):  # a failed close has nothing to tell
                client.close()
        finally:
            client.lock.release()


def fetch_portfolio(entries: Iterable[KeyEntry], quote: str = DEFAULT_QUOTE, *,
                    on_key_done: Callable[[KeyOutcome], None] | None = None,
                    on_group_done: Callable[[GroupResult], None] | None = None,
                    key_timeout: float = KEY_TIMEOUT, cancel: threading.Event | None = None,
                    make_client: ClientFactory = _new_client,
                    max_groups: int = MAX_GROUPS_AT_ONCE) -> Portfolio:
    """Balances of every ``read`` key among ``entries``, valued in ``quote`` (see the
    module). ``on_key_done`` and ``on_group_done`` are called from the worker threads as
    keys and groups finish. Once ``cancel`` is set no further request is waited for or
    started, and what was fetched so far is returned.

    Raises:
        ValidationError: ``quote`` is not a currency code (``clean_quote``).
    """
    quote = clean_quote(quote)
    chosen, skipped = readable_keys(entries)
    groups = group_keys(chosen)
    results: list[GroupResult] = []
    if groups:
        with ThreadPoolExecutor(max_workers=max(1, min(max_groups, len(groups))),
                                thread_name_prefix="portfolio") as pool:
            def run(group: list[KeyEntry]) -> GroupResult:
                result = fetch_group(group, quote, on_key_done=on_key_done,
                                     key_timeout=key_timeout, cancel=cancel,
                                     make_client=make_client)
                if on_group_done is not None:
                    on_group_done(result)
                return result

            results = list(pool.map(run, groups))
    return assemble(results, quote, skipped=[key_ref(e) for e in skipped],
                    keys_asked=len(chosen))
