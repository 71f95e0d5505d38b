"""The guards between an order and the exchange, end to end: the key's maximum notional
when the ticker has no price or the market is not quoted in dollars, the market's price
and value limits, huge numbers, a stop that would trigger at once, and an accepted answer
without an id. The CLI as a subprocess, real ccxt over real HTTP to the demo exchange in
a thread (a route replaced where the exchange must misbehave)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.support import assert_fails, assert_ok
from tests.e2e.trading_support import Desk, demo, desk, warm
from vault_app.trading.demo_exchange import api
from vault_app.trading.demo_exchange import market_endpoints as market
from vault_app.trading.demo_exchange import order_endpoints as orders
from vault_app.trading.errors import for_order_type
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession

__all__ = ["demo", "desk"]  # fixtures

MARKET_BUY = ("--symbol", "BTC/USDT", "--side", "buy", "--type", "market")
PRICES = ("lastPrice", "prevClosePrice", "weightedAvgPrice", "openPrice", "highPrice",
          "lowPrice")


def replace_route(monkeypatch: pytest.MonkeyPatch, method: str, path: str,
                  handler: Callable[[Any, Any], object]) -> None:
    _, permission = api.ROUTES[(method, path)]
    monkeypatch.setitem(api.ROUTES, (method, path), (handler, permission))


def ticker_without(*fields: str) -> Callable[[Any, Any], object]:
    def handler(state: Any, call: Any) -> object:
        answer = market.ticker_24hr(state, call)
        assert isinstance(answer, dict)
        return {name: value for name, value in answer.items() if name not in fields}
    return handler


def test_a_limited_key_refuses_a_market_order_it_cannot_value(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_ok(desk.cli("edit", "trader", "--max-notional", "100"))
    warm(desk)
    replace_route(monkeypatch, "GET", "/api/v3/ticker/24hr",
                  ticker_without(*PRICES, "bidPrice", "askPrice"))
    result = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--amount", "0.5",
                      "--yes")
    assert_fails(result, 1, "no last price and no best bid or ask", "maximum of 100 usd",
                 "nothing was sent")
    assert desk.order_posts() == []


def test_without_a_last_price_a_market_buy_is_valued_at_the_best_ask(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_ok(desk.cli("edit", "trader", "--max-notional", "100"))
    desk.demo.set_price("BTC/USDT", "60000")
    warm(desk)
    replace_route(monkeypatch, "GET", "/api/v3/ticker/24hr", ticker_without(*PRICES))
    result = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--amount", "0.5",
                      "--yes")
    # The best ask is one tick above the last price: 0.5 x 60000.01.
    assert_fails(result, 1, "about 30000.005 usdt, is above the key's maximum of 100 usd")
    assert desk.order_posts() == []
    small = assert_ok(desk.cli("order", "preview", "--key", "trader", *MARKET_BUY,
                               "--amount", "0.001"))
    # 60.00001 at the quote's decimals, as the ticket and the dialogs write it (u2 N4)
    assert "≈ 60 USDT" in small.out and "WARNING" not in small.out


def test_a_limited_key_refuses_a_market_not_quoted_in_dollars(desk: Desk) -> None:
    assert_ok(desk.cli("edit", "trader", "--max-notional", "100"))
    seen = warm(desk)
    result = desk.cli("order", "place", "--key", "trader", "--symbol", "ETH/BTC", "--side",
                      "sell", "--type", "market", "--amount", "9", "--yes")
    assert_fails(result, 1, "maximum of 100 usd per order", "quoted in btc",
                 "cannot be checked", "nothing was sent")
    assert desk.requests_since(seen) == []
    # Without a limit the same market trades.
    assert_ok(desk.cli("edit", "trader", "--max-notional", ""))
    assert_ok(desk.cli("order", "preview", "--key", "trader", "--symbol", "ETH/BTC",
                       "--side", "sell", "--type", "market", "--amount", "9"))


@pytest.mark.parametrize(("args", "fragment"), [
    (("--amount", "1000000000000000000000000"), "amount '1000000000000000000000000' is too "
                                                "large"),
    (("--amount", "123456789012345678901234"), "too large"),
    (("--price", "100000000000000000000000000000"), "price '100000000000000000000000000000' "
                                                    "is too large"),
    (("--amount", "0." + "0" * 25 + "1"), "too small"),
    (("--price", "2000000"), "above the market's highest price of 1000000 usdt"),
    (("--amount", "9000", "--price", "999999"), "above the market's maximum of 9000000 usdt"),
    (("--type", "stop-limit", "--stop-price", "1000001"),
     "stop price 1000001 usdt is above the market's highest price"),
])
def test_numbers_outside_the_markets_limits_are_refused_with_no_request(
        desk: Desk, args: tuple[str, ...], fragment: str) -> None:
    seen = warm(desk)
    options = {"--symbol": "BTC/USDT", "--side": "buy", "--type": "limit",
               "--amount": "0.01", "--price": "50000"}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [item for pair in options.items() for item in pair]
    for action in ("preview", "place"):
        result = desk.cli("order", action, "--key", "trader", *flat,
                          *(("--yes",) if action == "place" else ()))
        assert_fails(result, 1, fragment)  # never exit 70
    assert desk.requests_since(seen) == []


def test_the_stop_price_rounding_is_noted(desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "60000")
    result = assert_ok(desk.cli("order", "preview", "--key", "trader", "--symbol", "BTC/USDT",
                                "--side", "sell", "--type", "stop-limit", "--amount", "0.01",
                                "--price", "50000", "--stop-price", "51000.004"))
    assert "Note:      stop price 51000.004 rounded to 51000 (the market's tick 0.01)" \
        in result.out


def test_a_stop_that_would_trigger_at_once_is_refused_before_sending(desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "60000")
    result = desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT", "--side",
                      "sell", "--type", "stop-limit", "--amount", "0.001", "--price", "65000",
                      "--stop-price", "64000", "--yes")
    assert_fails(result, 1, "a sell stop-limit triggers when the last price falls to",
                 "would trigger at once")
    assert desk.order_posts() == []


def test_a_stop_the_market_reached_after_the_preview_gets_the_exchanges_stop_advice(
        desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "66000")
    entry = desk.vault.find("trader")
    session = TradingSession(desk.vault, entry)
    preview = session.preview(parse_order(entry.id, "BTC/USDT", "sell", "stop-limit", "0.001",
                                          "65000", stop_price="64000"),
                              ignore_foreign_orders=True)
    desk.demo.set_price("BTC/USDT", "60000")  # the stop is now above the market
    placement = session.place(preview, recheck_price=False)
    assert placement.problem is not None
    message = str(for_order_type(placement.problem, "stop-limit"))
    assert "stop order whose stop price would trigger at once" in message
    assert "a sell stop's below it" in message and "post-only" not in message
    assert len(desk.order_posts()) == 1


def test_an_accepted_answer_without_an_order_id_says_so(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    def without_id(state: Any, call: Any) -> object:
        answer = orders.new_order(state, call)
        assert isinstance(answer, dict)
        return {name: value for name, value in answer.items() if name != "orderId"}

    replace_route(monkeypatch, "POST", "/api/v3/order", without_id)
    result = assert_ok(desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT",
                                "--side", "buy", "--type", "limit", "--amount", "0.01",
                                "--price", "50000", "--yes"))
    assert "Placed: OPEN, no exchange id in the answer, client id va-" in result.out
    assert "None" not in result.out
