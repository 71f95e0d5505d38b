"""The portfolio against the demo exchange over HTTP: real ccxt, the server's own balances
and prices, keys that fail without holding up the others."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.trading_support import demo_entry as any_entry
from tests.unit.trading.refused_port import refused_url
from vault_app.core.errors import ValidationError
from vault_app.core.model import KeyEntry
from vault_app.trading.client import ExchangeClient
from vault_app.trading.demo_exchange import DemoExchange, DemoKey, ReceivedRequest
from vault_app.trading.portfolio import (
    PRICES,
    GroupResult,
    Holding,
    KeyOutcome,
    KeyRef,
    Portfolio,
    assemble,
    asset_price,
    clean_quote,
    price_symbol,
    ticker_price,
)
from vault_app.trading.portfolio_fetch import fetch_portfolio
from vault_app.trading.portfolio_format import format_amount, format_price, format_value

PRICES_USDT = {"BTC/USDT": Decimal("50000"), "ETH/USDT": Decimal("2500"),
               "ETH/BTC": Decimal("0.05")}


def demo_entry(*args: Any, **fields: Any) -> KeyEntry:
    """A key of the demo exchange, tagged as the demo vault's keys are: test money in
    the portfolio (a key on another URL of this computer counts as real money)."""
    return any_entry(*args, **{"tags": ("demo",), **fields})


@pytest.fixture
def demo() -> Iterator[DemoExchange]:
    with DemoExchange(seed=1) as running:
        for symbol, price in PRICES_USDT.items():
            running.set_price(symbol, price)  # pinned: the random walk leaves them
        yield running


def held(demo: DemoExchange, key: DemoKey) -> dict[str, Decimal]:
    """What the server holds for ``key``: free plus locked, non-zero only."""
    return {asset: b.free + b.locked for asset, b in demo.balances_for(key.api_key).items()
            if b.free + b.locked}


@pytest.fixture
def refused() -> Iterator[str]:
    with refused_url() as url:
        yield url


def elsewhere(entry: KeyEntry, url: str) -> KeyEntry:
    """``entry`` as a key of its own whose API URL is ``url`` (no check of the URL)."""
    return dataclasses.replace(entry, id=f"{entry.id}-elsewhere", api_url=url)


def requests_with(demo: DemoExchange, key: DemoKey) -> int:
    return sum(1 for r in demo.requests
               if r.headers.get("X-MBX-APIKEY", r.headers.get("x-mbx-apikey")) == key.api_key)


def by_asset(portfolio: Portfolio) -> dict[str, Decimal]:
    """The demo's keys (loopback URLs) hold test money: never in the real total."""
    assert not portfolio.assets and not portfolio.total_value
    return {asset.asset: asset.total for asset in portfolio.test_assets}


# --- against the demo exchange ----------------------------------------------------------


def test_two_keys_are_summed_per_asset_with_the_split_by_key(demo: DemoExchange) -> None:
    third = demo.add_key(("read",), {"USDT": "1234.5", "BTC": "0.25"})
    trader = demo_entry(demo, "trader", demo.trading_key, ("read", "trade"))
    # An open order locks part of the trader's USDT: the total counts it (free + used).
    client = ExchangeClient(trader)
    try:
        client.call("create_order", "BTC/USDT", "limit", "buy", 0.01, 30000)
    finally:
        client.close()
    entries = [trader, demo_entry(demo, "watcher", demo.read_key, ("read",)),
               demo_entry(demo, "third", third, ("read",))]

    portfolio = fetch_portfolio(entries)

    expected: dict[str, Decimal] = {}
    for key in (demo.trading_key, demo.read_key, third):
        for asset, amount in held(demo, key).items():
            expected[asset] = expected.get(asset, Decimal(0)) + amount
    assert by_asset(portfolio) == expected
    assert portfolio.failures == () and portfolio.keys_answered == 3
    usdt = next(asset for asset in portfolio.test_assets if asset.asset == "USDT")
    split = {h.key.label: (h.total, h.free, h.used) for h in usdt.holdings}
    locked = demo.balances_for(demo.trading_key.api_key)["USDT"].locked
    assert locked == Decimal(300)
    assert split["trader"] == (Decimal(100000), Decimal(100000) - locked, locked)
    assert split["third"][0] == Decimal("1234.5")
    assert {h.key.endpoint for h in usdt.holdings} == {demo.url}


def test_a_read_key_and_a_trade_key_of_one_account_are_counted_once(demo: DemoExchange
                                                                    ) -> None:
    # The usual setup: a read-only key beside the trading key of the same account.
    reader = demo.add_key(("read",), account_of=demo.trading_key)
    entries = [demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               demo_entry(demo, "reader", reader, ("read",)),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]  # an account of its own
    keys: list[KeyOutcome] = []

    portfolio = fetch_portfolio(entries, on_key_done=keys.append)

    # Both keys were asked: only the exchange's answer (its uid) says they are one account.
    assert requests_with(demo, reader) >= 1
    expected = {a: held(demo, demo.trading_key)[a] + held(demo, demo.read_key)[a]
                for a in held(demo, demo.read_key)}
    assert by_asset(portfolio) == expected  # the trading account once, not twice
    assert portfolio.test_total_value == Decimal(2) * (100000 + 50000 + 10 * 2500)
    [shared] = portfolio.shared
    assert [key.label for key in shared.keys] == ["trader", "reader"]
    assert shared.endpoint == demo.url
    usdt = next(asset for asset in portfolio.test_assets if asset.asset == "USDT")
    assert [h.labels for h in usdt.holdings] == ["trader + reader", "watcher"]
    assert [k.label for k in usdt.holdings[0].shared_with] == ["reader"]
    assert portfolio.keys_asked == 3 and portfolio.keys_answered == 3
    same = next(outcome for outcome in keys if outcome.key.label == "reader")
    assert same.balances == () and same.same_account_as is not None
    assert same.same_account_as.label == "trader"


def test_the_same_key_stored_twice_is_asked_once(demo: DemoExchange) -> None:
    first = demo_entry(demo, "watcher", demo.read_key, ("read",))
    copy = dataclasses.replace(demo_entry(demo, "watcher (old)", demo.read_key, ("read",)),
                               id="copy")

    portfolio = fetch_portfolio([first, copy])

    assert by_asset(portfolio) == held(demo, demo.read_key)
    assert sum(1 for r in demo.requests if r.path == "/api/v3/account") == 1
    [same] = portfolio.same_key
    assert (same.key.label, same.same_as.label) == ("watcher (old)", "watcher")
    assert same.reason == "same API key as 'watcher': not asked, counted once"
    assert portfolio.keys_asked == 1 and portfolio.keys_answered == 1
    assert {h.key.label for a in portfolio.test_assets for h in a.holdings} == {"watcher"}


def test_keys_of_separate_accounts_are_summed(demo: DemoExchange) -> None:
    entries = [demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)

    assert portfolio.shared == () and portfolio.same_key == ()
    assert by_asset(portfolio) == {"USDT": Decimal(200000), "BTC": Decimal(2),
                                   "ETH": Decimal(20)}


def test_the_account_an_answer_names() -> None:
    from vault_app.trading.portfolio_keys import account_id

    assert account_id("binance", {"info": {"uid": 354937868}}) == "354937868"
    assert account_id("binance", {"info": {"balances": []}}) is None
    assert account_id("binance", {"info": {"uid": True}}) is None
    assert account_id("binance", None) is None
    assert account_id("kraken", {"info": {"uid": 1}}) is None  # not known to name one


def test_values_come_from_the_exchanges_prices(demo: DemoExchange) -> None:
    entries = [demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)  # USDT by default

    values = {asset.asset: asset.value for asset in portfolio.test_assets}
    # Two keys with 100000 USDT, 1 BTC and 10 ETH each, at the pinned prices.
    assert values == {"USDT": Decimal(200000), "BTC": Decimal(2) * 50000,
                      "ETH": Decimal(20) * 2500}
    assert portfolio.test_total_value == Decimal(350000)
    assert [asset.asset for asset in portfolio.test_assets] == ["USDT", "BTC", "ETH"]  # by value
    assert portfolio.unpriced == ()


def test_prices_are_asked_once_per_exchange_or_per_symbol_without_a_batch_call(
        demo: DemoExchange) -> None:
    entries = [demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]
    batch = fetch_portfolio(entries)
    tickers = [r for r in demo.requests if r.path.startswith("/api/v3/ticker")]
    assert len(tickers) == 1  # one fetch_tickers for the exchange, both keys' assets

    def without_batch(entry: KeyEntry) -> ExchangeClient:
        client = ExchangeClient(entry)
        client.exchange.has = {**client.exchange.has, "fetchTickers": False}
        return client

    before = len(demo.requests)
    single = fetch_portfolio(entries, make_client=without_batch)

    asked = [r.params.get("symbol") for r in demo.requests[before:]
             if r.path.startswith("/api/v3/ticker")]
    assert sorted(asked) == ["BTCUSDT", "ETHUSDT"]  # USDT is the quote itself: 1
    assert [(a.asset, a.value) for a in single.test_assets] == \
        [(a.asset, a.value) for a in batch.test_assets]


def test_an_asset_quoted_the_other_way_is_valued_at_the_inverse(demo: DemoExchange) -> None:
    entries = [demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries, "btc")

    assert portfolio.quote == "BTC"
    values = {asset.asset: asset.value for asset in portfolio.test_assets}
    assert values["BTC"] == Decimal(1)
    assert values["ETH"] == Decimal(10) * Decimal("0.05")  # ETH/BTC
    assert values["USDT"] == Decimal(100000) / Decimal(50000)  # BTC/USDT, inverted
    assert portfolio.test_total_value == Decimal("1") + Decimal("0.5") + Decimal("2")


def test_an_asset_without_a_market_has_no_price_and_no_value(demo: DemoExchange) -> None:
    odd = demo.add_key(("read",), {"USDT": "10", "XYZ": "5"})

    portfolio = fetch_portfolio([demo_entry(demo, "odd", odd, ("read",))])

    xyz = next(asset for asset in portfolio.test_assets if asset.asset == "XYZ")
    assert xyz.value is None and xyz.unpriced == Decimal(5)
    assert xyz.holdings[0].price is None and xyz.holdings[0].value is None
    assert portfolio.test_total_value == Decimal(10)  # never counted as 0 silently: named
    assert portfolio.test_unpriced == ("XYZ",)
    assert portfolio.test_assets[-1].asset == "XYZ"
    assert format_value(xyz.value, "USDT") == "no price"


def test_a_wrong_secret_fails_alone_with_the_cores_reason(demo: DemoExchange) -> None:
    entries = [demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               demo_entry(demo, "forged", demo.read_key, ("read",), secret="f" * 64),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)

    [failure] = portfolio.failures
    assert failure.key.label == "forged" and failure.kind == "AuthFailed"
    assert failure.message.startswith("the exchange refused the API key or secret")
    assert "whitelisted" in failure.fix
    assert "f" * 16 not in failure.text  # the secret is never shown
    assert portfolio.keys_asked == 3 and portfolio.keys_answered == 2
    both = {a: held(demo, demo.trading_key).get(a, Decimal(0)) + held(demo, demo.read_key)[a]
            for a in held(demo, demo.read_key)}
    assert by_asset(portfolio) == both
    assert {h.key.label for a in portfolio.test_assets for h in a.holdings} == {"trader", "watcher"}


def test_a_key_the_exchange_does_not_let_read_is_told_so(demo: DemoExchange) -> None:
    # Labelled read in the vault, but the exchange gave it trading rights only
    # (Binance's -2015 "Invalid API-key, IP, or permissions for action.").
    mislabelled = demo.add_key(("trade",))
    entries = [demo_entry(demo, "mislabelled", mislabelled, ("read",)),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)

    [failure] = portfolio.failures
    assert failure.kind == "AuthFailed" and "-2015" in failure.message
    assert "IP address is whitelisted" in failure.fix
    assert "(reading the account)" in failure.fix and "trading" not in failure.fix
    assert by_asset(portfolio) == held(demo, demo.read_key)


def test_lacking_permission_is_told_as_a_read_right() -> None:
    from vault_app.trading.errors import KeyLacksPermission
    from vault_app.trading.portfolio_fetch import failure_of

    key = KeyRef("a", "A", "okx", "LIVE okx", True, "LIVE: real money")
    failure = failure_of(key, KeyLacksPermission("the exchange refused the request: the key "
                                                 "lacks the right for it", fix="trade fix"))
    assert failure.kind == "KeyLacksPermission" and "read" in failure.fix
    assert "trade" not in failure.fix


def test_an_unreachable_exchange_says_why_and_the_others_are_summed(demo: DemoExchange,
                                                                    refused: str) -> None:
    url = refused
    gone = elsewhere(demo_entry(demo, "gone", demo.read_key, ("read",)), url)
    entries = [gone, demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)

    [failure] = portfolio.failures
    assert failure.key.label == "gone" and failure.kind == "NetworkProblem"
    assert failure.message.startswith("the exchange could not be reached")
    assert url in failure.message and url in failure.fix
    assert "no order" not in failure.text  # the portfolio never sends one: not said
    assert by_asset(portfolio) == held(demo, demo.read_key)


def held_exchange(seed: int) -> tuple[DemoExchange, threading.Event, threading.Event]:
    """A demo exchange that holds every answer until ``release`` is set; ``arrived`` is
    set by its first request. The caller starts it and sets ``release`` before stopping
    it."""
    arrived, release = threading.Event(), threading.Event()

    def hold(_request: ReceivedRequest, _status: int) -> None:
        arrived.set()
        release.wait(30)

    return DemoExchange(seed=seed, on_request=hold), arrived, release


def test_a_hung_exchange_is_given_up_after_the_key_timeout() -> None:
    slow, arrived, release = held_exchange(2)
    with slow:
        try:
            # Only the held key is asked: the timeout is reached by it alone, however
            # slow the machine (its answer never comes before the release below).
            portfolio = fetch_portfolio([demo_entry(slow, "slow", slow.read_key, ("read",))],
                                        key_timeout=0.5)
        finally:
            release.set()
    assert arrived.is_set()
    [failure] = portfolio.failures
    assert failure.key.label == "slow" and failure.kind == "ExchangeTimeout"
    assert "did not answer within 0.5 s" in failure.message
    assert portfolio.test_assets == () and portfolio.keys_answered == 0


def test_a_hung_exchange_does_not_hold_up_the_others(demo: DemoExchange) -> None:
    watcher = demo_entry(demo, "watcher", demo.read_key, ("read",))
    slow, arrived, release = held_exchange(2)
    groups: list[GroupResult] = []
    cancel = threading.Event()

    def group_done(group: GroupResult) -> None:
        groups.append(group)
        if group.endpoint == demo.url:  # the healthy exchange is done: stop waiting
            assert arrived.is_set() and not release.is_set()  # the other still hangs
            cancel.set()

    with slow:
        try:
            portfolio = fetch_portfolio(
                [demo_entry(slow, "slow", slow.read_key, ("read",)), watcher],
                on_group_done=group_done, cancel=cancel)
        finally:
            release.set()
    assert groups[0].endpoint == demo.url  # the healthy one first, while the other hung
    assert by_asset(portfolio) == held(demo, demo.read_key)
    assert portfolio.failures == ()  # cancelled, not failed: nothing said of it


def test_exchanges_are_asked_in_parallel() -> None:
    # Each exchange holds its first answer until the other has a request too: asked one
    # after the other, the first would wait in vain (and its key time out).
    arrived = {"a": threading.Event(), "b": threading.Event()}
    met: list[str] = []

    def meet(name: str, other: str) -> Callable[[ReceivedRequest, int], None]:
        def on_request(_request: ReceivedRequest, _status: int) -> None:
            arrived[name].set()
            if arrived[other].wait(8) and name not in met:
                met.append(name)
        return on_request

    with DemoExchange(seed=1, on_request=meet("a", "b")) as a, \
            DemoExchange(seed=2, on_request=meet("b", "a")) as b:
        portfolio = fetch_portfolio([demo_entry(a, "a", a.read_key, ("read",)),
                                     demo_entry(b, "b", b.read_key, ("read",))])

    assert sorted(met) == ["a", "b"]
    assert portfolio.failures == () and portfolio.keys_answered == 2


def test_only_keys_labelled_read_are_asked(demo: DemoExchange) -> None:
    trade_only = demo.add_key(("trade",))
    entries = [demo_entry(demo, "trade only", trade_only, ("trade",)),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)

    assert [key.label for key in portfolio.skipped] == ["trade only"]
    assert requests_with(demo, trade_only) == 0
    assert portfolio.keys_asked == 1 and portfolio.failures == ()


def test_progress_is_reported_per_key_and_per_group(demo: DemoExchange, refused: str) -> None:
    url = refused
    entries = [demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               elsewhere(demo_entry(demo, "gone", demo.read_key, ("read",)), url),
               demo_entry(demo, "watcher", demo.read_key, ("read",))]
    keys: list[KeyOutcome] = []
    groups: list[GroupResult] = []
    lock = threading.Lock()

    def key_done(outcome: KeyOutcome) -> None:
        with lock:
            keys.append(outcome)

    def group_done(group: GroupResult) -> None:
        with lock:
            groups.append(group)

    portfolio = fetch_portfolio(entries, on_key_done=key_done, on_group_done=group_done)

    assert sorted(outcome.key.label for outcome in keys) == ["gone", "trader", "watcher"]
    assert next(o for o in keys if o.key.label == "gone").failure is not None
    assert sorted(group.endpoint for group in groups) == sorted([demo.url, url])
    # What the view builds from the groups as they come is the final portfolio.
    assert assemble(groups, "USDT").test_assets == portfolio.test_assets
    # The keys of one group are asked one after another, in the vault's order.
    order = [o.key.label for o in keys if o.key.endpoint == demo.url]
    assert order == ["trader", "watcher"]


def test_nothing_is_asked_once_cancelled(demo: DemoExchange) -> None:
    cancel = threading.Event()
    cancel.set()

    portfolio = fetch_portfolio([demo_entry(demo, "watcher", demo.read_key, ("read",))],
                                cancel=cancel)

    assert portfolio.test_assets == () and demo.requests == []


def test_cancelling_stops_waiting_for_a_hung_key() -> None:
    slow, arrived, release = held_exchange(2)  # held until the end: only cancel ends it
    with slow:
        cancel = threading.Event()
        results: list[Portfolio] = []
        worker = threading.Thread(target=lambda: results.append(fetch_portfolio(
            [demo_entry(slow, "slow", slow.read_key, ("read",))], cancel=cancel)))
        try:
            worker.start()
            assert arrived.wait(15)  # the first request is at the server, unanswered
            cancel.set()
            worker.join(15)
            assert not worker.is_alive()
        finally:
            release.set()

    [portfolio] = results
    assert portfolio.test_assets == () and portfolio.failures == ()


def test_a_quote_must_be_a_currency_code(demo: DemoExchange) -> None:
    entries = [demo_entry(demo, "watcher", demo.read_key, ("read",))]
    for bad in ("", "US DT", "=1+1", "X" * 17, "ÜSD"):
        with pytest.raises(ValidationError, match="quote currency"):
            fetch_portfolio(entries, bad)
    assert demo.requests == []  # refused before any request
    assert clean_quote(" usdc ") == "USDC"


def test_a_key_that_cannot_build_a_client_fails_alone(demo: DemoExchange) -> None:
    # A plain-http URL that is not this computer: the client refuses to sign over it.
    far = elsewhere(demo_entry(demo, "far", demo.read_key, ("read",)), "http://192.0.2.1:80")
    entries = [far, demo_entry(demo, "watcher", demo.read_key, ("read",))]

    portfolio = fetch_portfolio(entries)

    [failure] = portfolio.failures
    assert failure.kind == "OrderNotAllowed" and "https" in failure.fix
    assert by_asset(portfolio) == held(demo, demo.read_key)


@pytest.mark.parametrize(("environment", "url"), [
    ("live", None), ("sandbox", None), ("custom", "http://127.0.0.1:8765"),
    ("custom", "https://eu.example.com")])
def test_the_endpoint_is_named_as_the_client_names_it(environment: str, url: str | None
                                                      ) -> None:
    from tests.conftest import make_entry
    from vault_app.trading.endpoints import describe
    from vault_app.trading.portfolio import key_ref

    entry = make_entry("k", "binance", environment=environment, api_url=url)
    key = key_ref(entry)
    assert key.endpoint == ExchangeClient(entry).describe_endpoint()
    assert (key.live, key.badge) == (not describe(entry).test_money, describe(entry).badge)


def test_a_custom_url_on_this_computer_is_counted_as_real_money() -> None:
    """An SSH tunnel or a local proxy to a real exchange: only sandbox and demo keys
    hold test money (a2 N3)."""
    from tests.conftest import make_entry
    from vault_app.trading.portfolio import Holding, assemble, key_ref

    tunnel = key_ref(make_entry("k", "binance", environment="custom",
                                api_url="https://127.0.0.1:8443"))
    assert tunnel.live and tunnel.badge == "Custom URL: https://127.0.0.1:8443"
    demo_key = key_ref(make_entry("d", "binance", environment="custom",
                                  api_url="http://127.0.0.1:1", tags=("demo",)))
    testnet = key_ref(make_entry("t", "binance", environment="sandbox"))
    assert not demo_key.live and not testnet.live
    btc = [Holding("BTC", key, Decimal(2), Decimal(2), Decimal(0), Decimal(60000))
           for key in (tunnel, demo_key)]
    portfolio = assemble([GroupResult("binance", "x", tuple(btc), (), None)], "USDT")
    assert portfolio.total_value == Decimal(120000)
    assert portfolio.test_total_value == Decimal(120000)


# --- valuation rules, without a network --------------------------------------------------

MARKETS = {"BTC/USDT": {"active": True}, "USDT/TRY": {"active": True},
           "OLD/USDT": {"active": False}}


@pytest.mark.parametrize(("asset", "found"), [
    ("BTC", ("BTC/USDT", False)), ("TRY", ("USDT/TRY", True)), ("USDT", None),
    ("OLD", None), ("XYZ", None)])
def test_the_market_that_values_an_asset(asset: str, found: tuple[str, bool] | None) -> None:
    assert price_symbol(asset, "USDT", MARKETS) == found


@pytest.mark.parametrize(("ticker", "price"), [
    ({"last": 5.5, "close": 6}, Decimal("5.5")), ({"last": None, "close": 6}, Decimal(6)),
    ({"last": 0, "bid": 1, "ask": 3}, Decimal(2)), ({"last": -1}, None),
    ({"bid": 1}, None), (None, None), ({"last": "nan"}, None)])
def test_a_tickers_price(ticker: object, price: Decimal | None) -> None:
    assert ticker_price(ticker) == price


def test_asset_prices_direct_inverse_and_missing() -> None:
    tickers = {"BTC/USDT": {"last": 40000.5}, "USDT/TRY": {"last": 32}}
    assert asset_price("BTC", "USDT", MARKETS, tickers) == Decimal("40000.5")
    assert asset_price("TRY", "USDT", MARKETS, tickers) == Decimal(1) / Decimal(32)
    assert asset_price("USDT", "USDT", MARKETS, tickers) == Decimal(1)
    assert asset_price("BTC", "USDT", MARKETS, {}) is None  # no ticker: no price


def test_assemble_keeps_a_partly_priced_asset_partly_valued() -> None:
    a = KeyRef("a", "A", "binance", "LIVE binance", True, "LIVE: real money")
    b = KeyRef("b", "B", "kraken", "LIVE kraken", True, "LIVE: real money")
    groups = [
        GroupResult("binance", "LIVE binance",
                    (Holding("DOT", a, Decimal(3), Decimal(3), Decimal(0), Decimal(5)),), (),
                    None),
        GroupResult("kraken", "LIVE kraken",
                    (Holding("DOT", b, Decimal(2), Decimal(2), Decimal(0), None),), (), None),
    ]
    [dot] = assemble(groups, "USDT").assets
    assert (dot.total, dot.value, dot.unpriced) == (Decimal(5), Decimal(15), Decimal(2))


def test_a_price_failure_is_reported_with_its_group() -> None:
    key = KeyRef("a", "A", "binance", "LIVE binance", True, "LIVE: real money")
    from vault_app.trading.portfolio import KeyFailure

    problem = KeyFailure(key, "prices on LIVE binance could not be fetched: x", "y", PRICES)
    portfolio = assemble([GroupResult("binance", "LIVE binance", (), (), problem)], "USDT",
                         keys_asked=1)
    assert portfolio.failures == (problem,) and portfolio.keys_answered == 1


def test_values_are_shown_rounded_for_the_quote() -> None:
    assert format_value(Decimal("1234567.891"), "USDT") == "1,234,567.89"
    assert format_value(Decimal("0.123456789"), "BTC") == "0.12345679"


@pytest.mark.parametrize(("price", "shown"), [
    ("60000.123", "60,000.12"), ("3000.25", "3,000.25"), ("999.1234567", "999.123"),
    ("0.0000123456789", "0.0000123457"),
    ("1", "1"), ("0.05", "0.05"), ("123.456789", "123.457")])
def test_prices_are_shown_without_losing_small_ones(price: str, shown: str) -> None:
    assert format_price(Decimal(price), "USDT") == shown
    assert format_price(None, "USDT") == "no price"


@pytest.mark.parametrize(("amount", "shown"), [
    ("100000.0", "100,000"), ("0.12345678", "0.12345678"), ("2500.750", "2,500.75"),
    ("1E-8", "0.00000001"), ("0", "0")])
def test_amounts_are_shown_exactly(amount: str, shown: str) -> None:
    assert format_amount(Decimal(amount)) == shown


def test_a_client_is_closed_once_its_keys_lock_frees(demo: DemoExchange) -> None:
    # The key's lock is shared with the trading view's client of the same key: busy
    # there when the portfolio is done, the portfolio's client is closed once it frees
    # (not left open, and not closed under another client's request).
    # An empty account: no prices are asked after its balances (they would wait too).
    watcher = demo_entry(demo, "empty", demo.add_key(("read",), {}), ("read",))
    closed = threading.Event()
    taken, give_back = threading.Event(), threading.Event()

    class Recorded(ExchangeClient):
        def close(self) -> None:
            super().close()
            closed.set()

    def trading_view() -> None:  # another client of the key, in a request
        with ExchangeClient(watcher).lock:
            taken.set()
            give_back.wait(30)

    holder = threading.Thread(target=trading_view)

    def key_done(_outcome: KeyOutcome) -> None:  # before the portfolio closes its client
        holder.start()
        assert taken.wait(10)

    try:
        portfolio = fetch_portfolio([watcher], on_key_done=key_done, make_client=Recorded)
        assert portfolio.keys_answered == 1
        assert not closed.is_set()  # the lock is busy: the close waits for it
    finally:
        give_back.set()
    assert closed.wait(10)
    holder.join(10)


def give(demo: DemoExchange, key: DemoKey, asset: str, amount: str) -> None:
    """The demo's ledger answers ``amount`` of ``asset`` for ``key`` (odd ones too)."""
    from vault_app.trading.demo_exchange.accounts import Balance

    with demo._backend.lock:
        demo._backend.state.ledger.accounts[key.api_key].balances[asset] = \
            Balance(free=Decimal(amount))


@pytest.mark.parametrize(("amount", "why"), [
    ("-5", "negative"), ("-0.00000001", "negative"), ("1e31", "implausible"),
    ("NaN", ""), ("Infinity", "")])  # ccxt itself fails on these: the key fails too
def test_an_odd_balance_fails_its_key_alone_and_never_lowers_the_total(
        demo: DemoExchange, amount: str, why: str) -> None:
    """a1 item 8: -5 BTC lowered the total by 250,000 USDT without a word."""
    give(demo, demo.read_key, "BTC", amount)
    portfolio = fetch_portfolio([
        demo_entry(demo, "watcher", demo.read_key, ("read",)),
        demo_entry(demo, "trader", demo.trading_key, ("read", "trade"))])

    [failure] = portfolio.failures
    assert failure.key.label == "watcher" and why in failure.message
    if why:
        assert "BTC" in failure.message and "other keys are not affected" in failure.fix
    assert by_asset(portfolio) == held(demo, demo.trading_key)
    assert all(a.total >= 0 for a in portfolio.test_assets)


def test_a_huge_balance_is_valued_and_shown_without_raising(demo: DemoExchange) -> None:
    """a1 item 8: a value of 1e26 or more made the formatter raise (page left empty)."""
    give(demo, demo.read_key, "BTC", "1" + "0" * 24)
    portfolio = fetch_portfolio([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    assert not portfolio.failures
    [btc] = [a for a in portfolio.test_assets if a.asset == "BTC"]
    assert btc.value is not None
    assert format_value(btc.value, "USDT").startswith("50,000,000,000,000,")


@pytest.mark.parametrize("value", ["1e26", "1e30", "123456789012345678901234567890.5",
                                   "1e-40", "NaN", "-Infinity", "1e99999"])
def test_formatting_never_raises(value: str) -> None:
    number = Decimal(value)
    for quote in ("USDT", "EUR"):
        assert format_value(number, quote)
        assert format_price(number, quote)
    assert format_amount(number, 4)

def test_huge_values_keep_every_digit() -> None:
    assert format_value(Decimal("1e30"), "USDT") == "1," + ",".join(["000"] * 10) + ".00"
    assert format_value(Decimal("123456789012345678901234567890.5"), "USDT") == \
        "123,456,789,012,345,678,901,234,567,890.50"  # every digit, not 28 of them


def test_amounts_are_padded_to_their_assets_decimals() -> None:
    from vault_app.trading.portfolio_format import amount_decimals

    amounts = [Decimal("1"), Decimal("0.5"), Decimal("2500.125")]
    places = amount_decimals(amounts)
    assert [format_amount(a, places) for a in amounts] == ["1.000", "0.500", "2,500.125"]



def test_test_money_is_never_in_the_real_total() -> None:
    """a1 item 11: 1 testnet BTC and the demo's USDT were added into the real total."""
    live = KeyRef("a", "main", "binance", "LIVE binance", True, "LIVE: real money")
    testnet = KeyRef("b", "testnet", "binance", "sandbox binance", False, "SANDBOX (testnet)")
    demo_key = KeyRef("c", "demo", "binance", "http://127.0.0.1:1", False, "DEMO: fake money")
    groups = [
        GroupResult("binance", "LIVE binance",
                    (Holding("BTC", live, Decimal("0.5"), Decimal("0.5"), Decimal(0),
                             Decimal(60000)),), (), None),
        GroupResult("binance", "sandbox binance",
                    (Holding("BTC", testnet, Decimal(1), Decimal(1), Decimal(0),
                             Decimal(95000)),), (), None),
        GroupResult("binance", "http://127.0.0.1:1",
                    (Holding("USDT", demo_key, Decimal(100000), Decimal(100000), Decimal(0),
                             Decimal(1)),), (), None)]
    portfolio = assemble(groups, "USDT")
    assert portfolio.total_value == Decimal(30000)
    assert [(a.asset, a.total) for a in portfolio.assets] == [("BTC", Decimal("0.5"))]
    assert portfolio.test_total_value == Decimal(195000)
    assert {a.asset for a in portfolio.test_assets} == {"BTC", "USDT"}
    from vault_app.trading.portfolio_format import total_text

    assert total_text(portfolio) == ("Total: 30,000.00 USDT\nTest money (not real, not in "
                                     "the total): 195,000.00 USDT")


def test_no_bold_zero_when_nothing_was_read_or_valued() -> None:
    """u1: "Total: 0.00 USDT" with no key answering; "0.00000000 EUR" with no EUR price."""
    from vault_app.trading.portfolio import KeyFailure
    from vault_app.trading.portfolio_format import has_rows, total_text

    live = KeyRef("a", "main", "binance", "LIVE binance", True, "LIVE: real money")
    failure = KeyFailure(live, "no answer", "check the network", "NetworkProblem")
    nothing = assemble([GroupResult("binance", "LIVE binance", (), (failure,), None)], "USDT",
                       keys_asked=1)
    assert total_text(nothing) == "No balance could be read" and not has_rows(nothing)
    unpriced = assemble([GroupResult("binance", "LIVE binance", (
        Holding("BTC", live, Decimal(1), Decimal(1), Decimal(0), None),), (), None)], "EUR")
    assert total_text(unpriced) == "Nothing could be valued in EUR" and has_rows(unpriced)
