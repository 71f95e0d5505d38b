"""Balances across every ``read`` key, valued in one quote currency: what a fetch gives
(the types below) and how it is valued. What the Portfolio view shows and exports;
nothing of it is written to disk.

The fetch is in ``portfolio_fetch`` (which keys are asked: ``portfolio_keys``), the
text of amounts and values in ``portfolio_format``, the CSV in ``portfolio_export``.

An asset is valued on its own exchange: the quote itself is 1; else the market
ASSET/QUOTE's last price, else QUOTE/ASSET's inverse; an asset with neither has no
price, and its value is unknown (never 0). The grand total is the sum of what could
be valued; ``Portfolio.unpriced`` names the rest.

Only real money is in the total: holdings of sandbox and demo keys
(``endpoints.describe(entry).test_money``) are summed apart, as test money. A custom
URL on this computer (an SSH tunnel or a local proxy may lead to a real exchange) is
counted as real money, its URL shown (``Portfolio.test_assets``, ``Portfolio.test_total_value``).

Money is counted once per exchange account: an API key stored twice in the vault is
asked once (``Portfolio.same_key``), and keys whose exchange names the same account
(Binance's ``uid``) have their holdings counted once (``Portfolio.shared``). Two keys
whose exchange names no account are two holdings: nothing is guessed (equal balances
are not proof of one account).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from vault_app.core.errors import ValidationError
from vault_app.trading.order_limits import number

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry

DEFAULT_QUOTE = "USDT"
MAX_QUOTE = 16


# --- what a fetch gives ------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRef:
    """A key as the portfolio names it: never its credentials."""

    id: str
    label: str
    exchange: str
    endpoint: str
    """Where it talks to, as ``endpoints.describe(entry).text`` says it ("LIVE binance",
    "sandbox binance", "http://127.0.0.1:8765")."""
    live: bool
    """Counted as real money (``not endpoints.describe(entry).test_money``): only these
    are in the total. Required: a default would silently count test money as real, or
    real money as test."""
    badge: str
    """``endpoints.describe(entry).badge``: "LIVE: real money", "DEMO: fake money", ..."""


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
    shared_with: tuple[KeyRef, ...] = ()
    """Other keys of the same exchange account (the exchange named the same account):
    their balances are these, counted once, under ``key``."""

    @property
    def labels(self) -> str:
        """``key``'s label, and those of the keys it shares its account with."""
        return " + ".join(key.label for key in (self.key, *self.shared_with))

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
    """One key done: its balances (non-zero totals), or why it failed. A key of an
    account an earlier key of its group already answered for has no balances of its
    own here: ``same_account_as`` names that key."""

    key: KeyRef
    balances: tuple[Holding, ...]
    failure: KeyFailure | None
    same_account_as: KeyRef | None = None


@dataclass(frozen=True)
class SameKey:
    """A vault entry with the same API key (and exchange, environment and URL) as one
    that is asked: not asked, so its balances are not counted twice."""

    key: KeyRef
    same_as: KeyRef

    @property
    def reason(self) -> str:
        return f"same API key as '{self.same_as.label}': not asked, counted once"


@dataclass(frozen=True)
class SharedAccount:
    """Keys whose exchange named the same account: its balances are counted once,
    under the first key (``keys[0]``)."""

    endpoint: str
    keys: tuple[KeyRef, ...]

    @property
    def labels(self) -> str:
        return ", ".join(f"'{key.label}'" for key in self.keys)


@dataclass(frozen=True)
class GroupResult:
    """The keys of one exchange (and environment and URL), valued."""

    exchange: str
    endpoint: str
    holdings: tuple[Holding, ...]
    failures: tuple[KeyFailure, ...]
    price_problem: KeyFailure | None
    """Why the prices could not be fetched (its holdings then have none)."""
    shared: tuple[SharedAccount, ...] = ()
    """Accounts more than one key of the group reads."""


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
    """The sum of every value known of real money (live keys): assets without a price
    are not in it, nor test money."""
    failures: tuple[KeyFailure, ...]
    """Keys whose balances are missing, and exchanges whose prices are."""
    skipped: tuple[KeyRef, ...]
    """Keys not labelled ``read``: not asked."""
    keys_asked: int
    """Keys asked: labelled ``read``, less those in ``same_key``."""
    same_key: tuple[SameKey, ...] = ()
    """Entries of an API key another entry is asked with: not asked."""
    shared: tuple[SharedAccount, ...] = ()
    """Accounts more than one key reads: counted once each."""
    test_assets: tuple[AssetTotal, ...] = ()
    """Like ``assets``, of the keys of test money (sandbox, demo)."""
    test_total_value: Decimal = Decimal(0)
    """The sum of ``test_assets``' values: test money, never in ``total_value``."""
    as_of: datetime | None = None
    """When the balances were asked (UTC); None for a portfolio still being fetched."""

    @property
    def unpriced(self) -> tuple[str, ...]:
        """Assets (some of) whose amount has no price: not in ``total_value``."""
        return tuple(asset.asset for asset in self.assets if asset.unpriced)

    @property
    def test_unpriced(self) -> tuple[str, ...]:
        """Test assets (some of) whose amount has no price."""
        return tuple(asset.asset for asset in self.test_assets if asset.unpriced)

    @property
    def valued(self) -> bool:
        """Whether some real money has a value (False: "nothing could be valued")."""
        return any(asset.value is not None for asset in self.assets)

    @property
    def test_valued(self) -> bool:
        return any(asset.value is not None for asset in self.test_assets)

    @property
    def keys_answered(self) -> int:
        return self.keys_asked - len({f.key.id for f in self.failures if f.kind != PRICES})


PRICES = "prices"
"""``KeyFailure.kind`` of a group whose prices could not be fetched (its balances were)."""


def key_ref(entry: KeyEntry) -> KeyRef:
    from vault_app.trading.endpoints import describe

    where = describe(entry)
    return KeyRef(entry.id, entry.label, entry.exchange, where.text, not where.test_money,
                  where.badge)


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
             keys_asked: int | None = None, same_key: Sequence[SameKey] = (),
             as_of: datetime | None = None) -> Portfolio:
    """The portfolio of the groups done so far (the view calls it as groups finish)."""
    groups = list(groups)
    failures: list[KeyFailure] = []
    for group in groups:
        failures.extend(group.failures)
        if group.price_problem is not None:
            failures.append(group.price_problem)
    holdings = [h for group in groups for h in group.holdings]
    assets = _asset_totals(h for h in holdings if h.key.live)
    test_assets = _asset_totals(h for h in holdings if not h.key.live)
    asked = keys_asked if keys_asked is not None else \
        len({h.key.id for g in groups for h in g.holdings} |
            {k.id for g in groups for s in g.shared for k in s.keys} |
            {f.key.id for g in groups for f in g.failures})
    return Portfolio(quote=quote, assets=assets, total_value=_sum_values(assets),
                     failures=tuple(failures), skipped=tuple(skipped), keys_asked=asked,
                     same_key=tuple(same_key),
                     shared=tuple(shared for g in groups for shared in g.shared),
                     test_assets=test_assets, test_total_value=_sum_values(test_assets),
                     as_of=as_of)


def _asset_totals(holdings: Iterable[Holding]) -> tuple[AssetTotal, ...]:
    by_asset: dict[str, list[Holding]] = {}
    for holding in holdings:
        by_asset.setdefault(holding.asset, []).append(holding)
    assets = []
    for asset, held in by_asset.items():
        values = [h.value for h in held if h.value is not None]
        assets.append(AssetTotal(
            asset=asset, total=sum((h.total for h in held), Decimal(0)),
            value=sum(values, Decimal(0)) if values else None,
            unpriced=sum((h.total for h in held if h.price is None), Decimal(0)),
            holdings=tuple(held)))
    assets.sort(key=lambda a: (a.value is None, -(a.value or 0), a.asset))
    return tuple(assets)


def _sum_values(assets: Iterable[AssetTotal]) -> Decimal:
    return sum((a.value for a in assets if a.value is not None), Decimal(0))


PLAIN_ASSET = re.compile(r"[A-Za-z0-9._-]{1,32}")


def plain_asset(asset: str) -> bool:
    """Whether an exchange's currency code is a plain one (letters, digits, ``._-``,
    at most 32): anything else is shown as it is but exported as text."""
    return PLAIN_ASSET.fullmatch(asset) is not None


def clean_quote(text: str) -> str:
    """The quote currency as typed, upper-cased; ``ValidationError`` unless it is 1 to
    ``MAX_QUOTE`` letters or digits (a currency code as ccxt writes it)."""
    quote = text.strip().upper()
    if not quote or len(quote) > MAX_QUOTE or not (quote.isascii() and quote.isalnum()):
        raise ValidationError(f"the quote currency must be 1 to {MAX_QUOTE} letters or "
                              "digits, e.g. USDT", field="quote")
    return quote
