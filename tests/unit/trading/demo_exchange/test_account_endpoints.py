"""Order history and trades: the ``limit`` parameter as Binance checks it."""

from __future__ import annotations

import pytest

from tests.unit.trading.demo_exchange.hand_signed import call
from vault_app.trading.demo_exchange import DemoExchange


@pytest.mark.parametrize("path", ["/api/v3/allOrders", "/api/v3/myTrades"])
@pytest.mark.parametrize("limit", ["0", "-1"])
def test_a_limit_below_one_is_1100(demo: DemoExchange, path: str, limit: str) -> None:
    status, answer = call(demo, "GET", path, f"symbol=BTCUSDT&limit={limit}")
    assert (status, answer["code"]) == (400, -1100)


def test_a_limit_keeps_the_latest(demo: DemoExchange) -> None:
    ids = []
    for _ in range(3):
        status, placed = call(demo, "POST", "/api/v3/order", body="symbol=BTCUSDT&side=BUY"
                              "&type=MARKET&quantity=0.001")
        assert status == 200
        ids.append(placed["orderId"])
    status, orders = call(demo, "GET", "/api/v3/allOrders", "symbol=BTCUSDT&limit=2")
    assert status == 200 and [o["orderId"] for o in orders] == ids[1:]
    status, trades = call(demo, "GET", "/api/v3/myTrades", "symbol=BTCUSDT&limit=1")
    assert status == 200 and [t["orderId"] for t in trades] == ids[2:]


def test_order_ids_do_not_start_over_at_one_after_a_restart() -> None:
    """They start at the start time in milliseconds: a restarted demo exchange never
    gives an id that an order of the earlier run had."""
    seen = []
    for _ in range(2):
        with DemoExchange(seed=1) as demo:
            for _ in range(2):
                status, placed = call(demo, "POST", "/api/v3/order", body="symbol=BTCUSDT"
                                      "&side=BUY&type=MARKET&quantity=0.001")
                assert status == 200
                seen.append(placed["orderId"])
    assert seen[0] > 1_000_000_000_000 and seen == sorted(set(seen))
