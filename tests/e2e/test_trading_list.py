"""``order list`` against the demo exchange: the journal's orders are shown even when the
exchange cannot be reached, and they are refreshed with one open-orders request per
symbol, not one request per order."""

from __future__ import annotations

import json

import pytest

from tests.e2e.support import assert_ok
from tests.e2e.trading_support import Desk, demo, desk
from vault_app.trading import session as session_module
from vault_app.trading.session import TradingSession

__all__ = ["demo", "desk"]  # fixtures


def limit(symbol: str, price: str, amount: str = "0.01") -> tuple[str, ...]:
    return ("--symbol", symbol, "--side", "buy", "--type", "limit", "--amount", amount,
            "--price", price)


def place(desk: Desk, *order: str) -> None:
    assert_ok(desk.cli("order", "place", "--key", "trader", *order, "--yes",
                       "--ignore-foreign-orders"))


def test_an_outage_still_lists_the_journal_with_one_attempt_and_exit_7(desk: Desk) -> None:
    place(desk, *limit("BTC/USDT", "50000"))
    place(desk, *limit("BTC/USDT", "49000"))
    desk.demo.faults.unavailable = True
    seen = len(desk.demo.requests)
    result = desk.cli("order", "list", "--key", "trader", "--json")
    assert result.code == 7, result
    assert [(o["state"], o["price"]) for o in json.loads(result.out)] == \
        [("OPEN", "50000"), ("OPEN", "49000")]
    assert "could not refresh from the exchange" in result.err
    assert "showing the journal's last known states" in result.err
    assert "Traceback" not in result.err
    assert len(desk.demo.requests) - seen == 1  # one attempt, not one per order
    table = desk.cli("order", "list", "--key", "trader")
    assert table.code == 7 and table.out.count("OPEN") == 2, table


def test_a_stopped_exchange_still_lists_the_journal(desk: Desk) -> None:
    place(desk, *limit("BTC/USDT", "50000"))
    desk.demo.stop()
    result = desk.cli("order", "list", "--key", "trader", "--json")
    assert result.code == 7, result
    assert [o["state"] for o in json.loads(result.out)] == ["OPEN"]
    assert "could not refresh from the exchange" in result.err


def test_open_orders_are_refreshed_with_one_request_per_symbol(desk: Desk) -> None:
    for price in ("50000", "49000", "48000"):
        place(desk, *limit("BTC/USDT", price))
    place(desk, *limit("ETH/USDT", "2000", "0.1"))
    seen = len(desk.demo.requests)
    listed = desk.cli_json("order", "list", "--key", "trader")
    assert [o["state"] for o in listed] == ["OPEN"] * 4
    assert sorted(desk.requests_since(seen)) == ["GET /api/v3/openOrders"] * 2
    desk.demo.set_price("BTC/USDT", "49500")  # fills the 50000 buy only
    seen = len(desk.demo.requests)
    listed = desk.cli_json("order", "list", "--key", "trader")
    assert [o["state"] for o in listed] == ["FILLED", "OPEN", "OPEN", "OPEN"]
    assert listed[0]["filled"] == "0.01"
    assert sorted(desk.requests_since(seen)) == \
        ["GET /api/v3/openOrders"] * 2 + ["GET /api/v3/order"]


def test_orders_no_longer_open_are_looked_up_newest_first_and_bounded(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    for price in ("50000", "49900", "49800"):
        place(desk, *limit("BTC/USDT", price))
    desk.demo.set_price("BTC/USDT", "49000")  # fills all three
    monkeypatch.setattr(session_module, "MAX_CLOSED_LOOKUPS", 2)
    session = TradingSession(desk.vault, desk.vault.find("trader"))
    first = session.history(refresh=True)
    assert [o.state for o in first] == ["OPEN", "FILLED", "FILLED"]
    assert [o.client_order_id for o in session.unchecked] == [first[0].client_order_id]
    assert session.refresh_problem is None
    assert [o.state for o in session.history(refresh=True)] == ["FILLED"] * 3
    assert session.unchecked == []


@pytest.mark.parametrize(("typed", "market_line"), [
    ("btcusdt", "Market:    BTC/USDT spot (you typed 'btcusdt')"),
    ("BTC-USDT", "Market:    BTC/USDT spot (you typed 'BTC-USDT')"),
    ("BTC/USDT", "Market:    BTC/USDT spot\n"),
])
def test_the_preview_names_the_market_it_resolved(desk: Desk, typed: str,
                                                  market_line: str) -> None:
    result = assert_ok(desk.cli("order", "preview", "--key", "trader",
                                *limit(typed, "50000"), "--ignore-foreign-orders"))
    assert market_line in result.out


def test_a_market_of_another_coin_is_never_suggested(desk: Desk) -> None:
    result = desk.cli("order", "preview", "--key", "trader", *limit("XRP/USDT", "0.5"))
    assert result.code == 1, result
    assert "no XRP market" in result.err and "did you mean" not in result.err
    assert desk.order_posts() == []


STOP_BUY = ("--symbol", "BTC/USDT", "--side", "buy", "--type", "stop-limit", "--amount",
            "0.01", "--price", "61000", "--stop-price", "60500")


def test_a_stop_limit_is_described_and_listed_with_its_stop(desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "60000")
    preview = assert_ok(desk.cli("order", "preview", "--key", "trader", *STOP_BUY))
    assert "stop-limit GTC, triggers when the last price rises to 60,500 USDT" in preview.out
    place(desk, *STOP_BUY)
    for args in ((), ("--open",)):
        header, line = assert_ok(desk.cli("order", "list", "--key", "trader", *args)) \
            .out.splitlines()
        columns = header.split()
        assert columns[columns.index("PRICE") + 1] == "STOP", header
        words = line.split()
        assert words[words.index("stop-limit"):][:5] == \
            ["stop-limit", "0.01", "BTC/USDT", "61000", "60500"], (args, line)


@pytest.mark.parametrize(("side", "stop", "where"), [
    ("buy", "59000", "at or below"), ("sell", "61000", "at or above"),
    ("buy", "60000", "at or below")])
def test_a_stop_the_market_already_reached_is_refused_before_any_order_request(
        desk: Desk, side: str, stop: str, where: str) -> None:
    desk.demo.set_price("BTC/USDT", "60000")
    result = desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT", "--side",
                      side, "--type", "stop-limit", "--amount", "0.01", "--price", stop,
                      "--stop-price", stop, "--yes")
    assert result.code == 1, result
    assert f"the stop {stop} is {where} the last price 60000 USDT" in result.err
    assert "would trigger at once" in result.err
    assert desk.order_posts() == []
