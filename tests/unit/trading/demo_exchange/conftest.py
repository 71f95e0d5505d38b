"""Real ccxt ``binance`` instances pointed at a demo exchange running in a thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from vault_app.trading.demo_exchange import DemoExchange, DemoKey

SPOT_OPTIONS = {"defaultType": "spot", "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False, "fetchMargins": False}


def point_at(exchange: Any, base_url: str) -> None:
    """Replace the scheme and host of every API URL, keeping the paths."""
    for name, url in exchange.urls["api"].items():
        if isinstance(url, str) and url.startswith("http"):
            parts = urlsplit(url)
            exchange.urls["api"][name] = base_url + parts.path


@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1) as running:
        yield running


@pytest.fixture
def connect(demo: DemoExchange) -> Iterator[Callable[..., Any]]:
    """``connect(key, secret=None)``: a ccxt binance for ``key`` with markets loaded
    once per test (later instances reuse them, so they send only what a test asks)."""
    import ccxt

    made: list[Any] = []
    markets: dict[str, Any] = {}

    def build(key: DemoKey, secret: str | None = None, *, load: bool = True) -> Any:
        exchange = ccxt.binance({"apiKey": key.api_key, "secret": secret or key.secret,
                                 "options": dict(SPOT_OPTIONS)})
        point_at(exchange, demo.url)
        made.append(exchange)
        if load:
            if markets:
                exchange.set_markets(markets["value"])
            else:
                markets["value"] = list(exchange.load_markets().values())
        return exchange

    yield build
    for exchange in made:
        exchange.close()
