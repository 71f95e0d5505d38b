"""The open-orders merge and an order's words, as every front end shows them."""

from __future__ import annotations

from typing import Any

from vault_app.trading.order_view import describe, merge_open, track_placing


def view(cid: str, state: str, **fields: Any) -> dict[str, Any]:
    return {"client_order_id": cid, "state": state, "side": "buy", "amount": "0.5",
            "symbol": "ETH/USDT", "price": "2900", **fields}


def test_a_listing_shows_listed_orders_and_keeps_only_the_unresolved_ones_placing() -> None:
    listed = [view("a", "OPEN", order_id="1")]
    placing = {"a": view("a", "PENDING"), "b": view("b", "OPEN"), "c": view("c", "UNKNOWN"),
               "d": view("d", "PENDING")}
    rows, still = merge_open(listed, placing)
    # a: listed (the listing's row stands); b: accepted and not listed: it ended.
    assert [(r["client_order_id"], r["state"]) for r in rows] == \
        [("a", "OPEN"), ("c", "UNKNOWN"), ("d", "PENDING")]
    assert sorted(still) == ["c", "d"]


def test_an_order_being_placed_replaces_its_listed_row_and_goes_once_it_ended() -> None:
    listed = [view("a", "OPEN"), view("x", "OPEN")]
    rows, placing = track_placing(listed, {}, view("a", "PARTIALLY_FILLED"))
    assert [r["client_order_id"] for r in rows] == ["x"]
    assert placing["a"]["state"] == "PARTIALLY_FILLED"
    rows, placing = track_placing(rows, placing, view("a", "FILLED"))
    assert placing == {} and [r["client_order_id"] for r in rows] == ["x"]
    _, placing = track_placing(rows, placing, view("b", "PENDING"))
    assert list(placing) == ["b"]
    _, placing = track_placing(rows, placing, view("b", "REJECTED"))
    assert placing == {}


def test_describe_says_where_an_order_stands() -> None:
    assert describe(view("a", "OPEN")) == "BUY 0.5 ETH/USDT at 2,900 (on the exchange's book)"
    stop = view("s", "OPEN", side="sell", amount="10", price="3100", stop_price="2950")
    assert describe(stop) == "SELL 10 ETH/USDT at 3,100 (waiting for its trigger at 2,950)"
    filled = view("m", "FILLED", price=None, filled="0.5", average="2999.31",
                  cost="1499.655", fees=[{"cost": "0.0005", "currency": "ETH"}])
    assert describe(filled) == ("BUY 0.5 ETH/USDT, filled 0.5 at 2,999.31 USDT on average "
                                "(cost 1,499.655 USDT, fee 0.0005 ETH)")
    assert describe(view("r", "REJECTED")) == "BUY 0.5 ETH/USDT at 2,900"
