"""The demo exchange's symbols, their Binance filters, and a seeded random walk of prices."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from vault_app.trading.demo_exchange import errors

ORDER_TYPES = ("LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT")
ASSET_PRECISION = 8
# One walk step moves a price by up to this fraction, either way (0.0002 = 0.02 %).
DEFAULT_VOLATILITY = Decimal("0.0002")
_WALK_GRANULARITY = 10_000


def text(value: Decimal) -> str:
    """A decimal as Binance writes it: fixed point with 8 decimals."""
    return f"{value:.8f}"


@dataclass(frozen=True)
class Symbol:
    """One spot market and the filters Binance publishes for it."""

    id: str
    base: str
    quote: str
    start_price: Decimal
    tick_size: Decimal
    min_price: Decimal
    max_price: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    max_notional: Decimal
    status: str = "TRADING"

    @property
    def unified(self) -> str:
        return f"{self.base}/{self.quote}"

    def exchange_info(self) -> dict[str, object]:
        """The entry of ``GET /api/v3/exchangeInfo`` for this symbol."""
        return {
            "symbol": self.id, "status": self.status,
            "baseAsset": self.base, "baseAssetPrecision": ASSET_PRECISION,
            "quoteAsset": self.quote, "quotePrecision": ASSET_PRECISION,
            "quoteAssetPrecision": ASSET_PRECISION,
            "baseCommissionPrecision": ASSET_PRECISION,
            "quoteCommissionPrecision": ASSET_PRECISION,
            "orderTypes": list(ORDER_TYPES),
            "icebergAllowed": False, "ocoAllowed": False, "otoAllowed": False,
            "quoteOrderQtyMarketAllowed": True, "allowTrailingStop": False,
            "cancelReplaceAllowed": False, "amendAllowed": False,
            "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": text(self.min_price),
                 "maxPrice": text(self.max_price), "tickSize": text(self.tick_size)},
                {"filterType": "LOT_SIZE", "minQty": text(self.min_qty),
                 "maxQty": text(self.max_qty), "stepSize": text(self.step_size)},
                {"filterType": "MARKET_LOT_SIZE", "minQty": text(Decimal(0)),
                 "maxQty": text(self.max_qty), "stepSize": text(Decimal(0))},
                {"filterType": "NOTIONAL", "minNotional": text(self.min_notional),
                 "applyMinToMarket": True, "maxNotional": text(self.max_notional),
                 "applyMaxToMarket": False, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            ],
            "permissions": [],
            "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER",
                                                "EXPIRE_BOTH"],
        }

    def check_price(self, price: Decimal) -> None:
        if price < self.min_price or price > self.max_price or \
                (price - self.min_price) % self.tick_size:
            raise errors.filter_failure("PRICE_FILTER")

    def check_quantity(self, qty: Decimal) -> None:
        if qty < self.min_qty or qty > self.max_qty or (qty - self.min_qty) % self.step_size:
            raise errors.filter_failure("LOT_SIZE")

    def check_notional(self, notional: Decimal, *, market: bool) -> None:
        if notional < self.min_notional or (not market and notional > self.max_notional):
            raise errors.filter_failure("NOTIONAL")

    def round_price(self, price: Decimal) -> Decimal:
        return max(self.min_price, price.quantize(self.tick_size, rounding=ROUND_DOWN))

    def floor_quantity(self, qty: Decimal) -> Decimal:
        return (qty / self.step_size).to_integral_value(rounding=ROUND_DOWN) * self.step_size


def _symbol(id: str, base: str, quote: str, start: str, tick: str, step: str, min_notional: str,
            max_price: str = "1000000", max_qty: str = "9000") -> Symbol:
    return Symbol(id=id, base=base, quote=quote, start_price=Decimal(start),
                  tick_size=Decimal(tick), min_price=Decimal(tick), max_price=Decimal(max_price),
                  step_size=Decimal(step), min_qty=Decimal(step), max_qty=Decimal(max_qty),
                  min_notional=Decimal(min_notional), max_notional=Decimal("9000000"))


# Filters as Binance publishes them for these markets (rounded figures).
SYMBOLS: tuple[Symbol, ...] = (
    _symbol("BTCUSDT", "BTC", "USDT", "60000", "0.01", "0.00001", "5"),
    _symbol("ETHUSDT", "ETH", "USDT", "3000", "0.01", "0.0001", "5"),
    _symbol("ETHBTC", "ETH", "BTC", "0.05", "0.00001", "0.0001", "0.0001", max_price="922327",
            max_qty="100000"),
)


@dataclass
class Stats:
    """What ``ticker/24hr`` reports, counted since the exchange started."""

    open: Decimal
    high: Decimal
    low: Decimal
    volume: Decimal = Decimal(0)
    quote_volume: Decimal = Decimal(0)
    count: int = 0


@dataclass
class PriceBook:
    """Last prices: a seeded random walk, one step per ``step()``, deterministic per seed."""

    seed: int
    volatility: Decimal = DEFAULT_VOLATILITY
    symbols: dict[str, Symbol] = field(default_factory=lambda: {s.id: s for s in SYMBOLS})
    prices: dict[str, Decimal] = field(init=False)
    pinned: set[str] = field(default_factory=set)  # ids whose price the walk leaves alone
    stats: dict[str, Stats] = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self.prices = {s.id: s.start_price for s in self.symbols.values()}
        self.stats = {s.id: Stats(s.start_price, s.start_price, s.start_price)
                      for s in self.symbols.values()}

    def symbol(self, name: str) -> Symbol:
        """By Binance id (``BTCUSDT``) or unified symbol (``BTC/USDT``)."""
        found = self.symbols.get(name.replace("/", "").upper())
        if found is None:
            raise errors.invalid_symbol()
        return found

    def step(self) -> None:
        """Move every price not pinned by a random fraction within ``volatility``."""
        for symbol in self.symbols.values():
            if symbol.id in self.pinned:
                continue
            move = Decimal(self._random.randint(-_WALK_GRANULARITY, _WALK_GRANULARITY))
            factor = 1 + self.volatility * move / _WALK_GRANULARITY
            self.set(symbol, symbol.round_price(self.prices[symbol.id] * factor))

    def set(self, symbol: Symbol, price: Decimal) -> None:
        self.prices[symbol.id] = price
        stats = self.stats[symbol.id]
        stats.high = max(stats.high, price)
        stats.low = min(stats.low, price)

    def record_trade(self, symbol: Symbol, qty: Decimal, quote: Decimal) -> None:
        stats = self.stats[symbol.id]
        stats.volume += qty
        stats.quote_volume += quote
        stats.count += 1
