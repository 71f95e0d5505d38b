"""The price walk and the filters, without HTTP."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vault_app.trading.demo_exchange.errors import BinanceError
from vault_app.trading.demo_exchange.market import PriceBook


def walk(seed: int, steps: int) -> list[dict[str, Decimal]]:
    book = PriceBook(seed)
    seen = []
    for _ in range(steps):
        book.step()
        seen.append(dict(book.prices))
    return seen


def test_the_walk_is_deterministic_per_seed() -> None:
    assert walk(7, 50) == walk(7, 50)
    assert walk(7, 50) != walk(8, 50)


def test_the_walk_moves_prices_on_ticks_within_bounds() -> None:
    book = PriceBook(3)
    start = dict(book.prices)
    for _ in range(200):
        book.step()
    for symbol in book.symbols.values():
        price = book.prices[symbol.id]
        assert price != start[symbol.id]
        assert price % symbol.tick_size == 0 and price >= symbol.min_price
        assert abs(price / start[symbol.id] - 1) < Decimal("0.05")
        assert all(isinstance(p, Decimal) for p in book.prices.values())


def test_pinned_prices_stay() -> None:
    book = PriceBook(1)
    btc = book.symbol("BTC/USDT")
    book.pinned.add(btc.id)
    book.set(btc, Decimal("12345.67"))
    book.step()
    assert book.prices["BTCUSDT"] == Decimal("12345.67")
    assert book.prices["ETHUSDT"] != Decimal("3000")


@pytest.mark.parametrize(("check", "value", "name"), [
    ("check_price", "0.001", "PRICE_FILTER"),
    ("check_price", "100.005", "PRICE_FILTER"),
    ("check_price", "2000000", "PRICE_FILTER"),
    ("check_quantity", "0", "LOT_SIZE"),
    ("check_quantity", "0.000011", "LOT_SIZE"),
    ("check_quantity", "9001", "LOT_SIZE"),
])
def test_filters(check: str, value: str, name: str) -> None:
    symbol = PriceBook(0).symbol("BTCUSDT")
    with pytest.raises(BinanceError) as caught:
        getattr(symbol, check)(Decimal(value))
    assert (caught.value.code, caught.value.msg) == (-1013, f"Filter failure: {name}")
    symbol.check_price(Decimal("100.01"))
    symbol.check_quantity(Decimal("0.00002"))


def test_unknown_symbol_is_1121() -> None:
    with pytest.raises(BinanceError) as caught:
        PriceBook(0).symbol("XRP/USDT")
    assert caught.value.code == -1121
