"""Every place the trading core names a remedy, as the error it raises there: the
remedies' tests (the core's data, the CLI's words) and the desktop app's wording test
build them here, from the real functions (the session's against the demo exchange)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from ccxt.base import errors as ccxt_errors

from tests.conftest import FAST_KDF, PASSWORD, make_entry
from vault_app.core.vault import Vault
from vault_app.trading.client import ExchangeClient
from vault_app.trading.demo_exchange import DemoExchange
from vault_app.trading.error_context import in_context
from vault_app.trading.errors import translate
from vault_app.trading.journal import journal_path
from vault_app.trading.markets_cache import MarketsCache
from vault_app.trading.order_limits import check_cost, check_notional_currency
from vault_app.trading.orders import parse_order, price_warning, require_trade
from vault_app.trading.placement import SendInterrupted
from vault_app.trading.session import TradingSession

RESTING = ("BTC/USDT", "buy", "limit", "0.001", "30000")


def raised(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as exc:
        return exc
    raise AssertionError("nothing was raised")


def pure_sites() -> dict[str, BaseException]:
    """The sites that need no exchange, by name."""
    reader = make_entry("watcher", "binance", permissions=("read",))
    capped = make_entry("capped bot", "binance", permissions=("read", "trade"),
                        max_notional=Decimal("100"))
    far = parse_order("k", "BTC/USDT", "buy", "limit", "1", "500000")
    return {
        "missing price": raised(lambda: parse_order("k", "BTC/USDT", "buy", "limit", "1",
                                                    None)),
        "read key": raised(lambda: require_trade(reader)),
        "far price": raised(lambda: price_warning(far, Decimal("500000"), Decimal("50000"),
                                                  "USDT")),
        "key limit, not USD": raised(lambda: check_notional_currency(capped, "BTC")),
        "key limit exceeded": raised(lambda: check_cost(Decimal("500"), {}, "USDT", capped)),
        "clock": translate(ccxt_errors.InvalidNonce("binance timestamp outside recvWindow")),
        "clock, while asking": in_context(
            translate(ccxt_errors.InvalidNonce("binance -1021")), "fetch_balance",
            "https://api.binance.com", None, None),
        "cancel, no answer": in_context(
            translate(ccxt_errors.RequestTimeout("binance timed out")), "cancel_order",
            "https://api.binance.com", None, None),
        "interrupted send": SendInterrupted("va-0123456789abcdef"),
    }


@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1, volatility="0") as running:
        yield running


@pytest.fixture
def session(demo: DemoExchange, tmp_path: Path) -> Iterator[TradingSession]:
    key = demo.trading_key
    vault = Vault.create(tmp_path / "v.vault", PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    entry = vault.add(make_entry("trader", "binance", environment="custom", api_url=demo.url,
                                 permissions=("read", "trade"),
                                 credentials={"apiKey": key.api_key, "secret": key.secret}))
    client = ExchangeClient(entry, markets_cache=MarketsCache(tmp_path / "markets"),
                            timeout_ms=5_000)
    made = TradingSession(vault, entry, client=client)
    yield made
    made.close()


def session_sites(session: TradingSession) -> dict[str, BaseException]:
    """The sites in a session, against the demo exchange, by name."""
    sites: dict[str, BaseException] = {
        "cancel without id": raised(lambda: session.cancel(" ")),
        "cancel unknown": raised(lambda: session.cancel("va-nope")),
    }
    preview = session.preview(parse_order(session.entry.id, *RESTING))
    placed = session.place(preview)
    assert placed.problem is None, placed.problem
    sites["placed twice"] = raised(lambda: session.place(preview))
    journal = journal_path(session.vault.path)
    journal.rename(journal.with_name("moved-aside"))
    sites["foreign orders"] = raised(
        lambda: session.preview(parse_order(session.entry.id, *RESTING)))
    journal.with_name("moved-aside").rename(journal)

    second = session.preview(parse_order(session.entry.id, *RESTING))
    other = Vault.open(session.vault.path, PASSWORD)
    other.update(session.entry.id, {"permissions": ("read",)})
    sites["relabelled while confirming"] = raised(lambda: session.place(second))
    other.update(session.entry.id, {"permissions": ("read", "trade")})
    third = session.preview(parse_order(session.entry.id, *RESTING))
    other.remove(session.entry.id)
    sites["removed while confirming"] = raised(lambda: session.place(third))
    return sites
