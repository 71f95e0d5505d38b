"""Real ccxt trades against the demo exchange over HTTP: the happy paths."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from vault_app.trading.demo_exchange import DemoExchange


def test_markets_carry_binance_filters(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    assert {"BTC/USDT", "ETH/USDT", "ETH/BTC"} <= set(exchange.symbols)
    market = exchange.market("BTC/USDT")
    assert market["spot"] and market["active"]
    assert market["precision"]["amount"] == 0.00001
    assert market["precision"]["price"] == 0.01
    assert market["limits"]["amount"]["min"] == 0.00001
    assert market["limits"]["cost"]["min"] == 5
    assert "STOP_LOSS_LIMIT" in market["info"]["orderTypes"]
    assert [r.path for r in demo.requests] == ["/api/v3/exchangeInfo"]


def test_balance_and_a_market_buy_with_a_client_order_id(demo: DemoExchange,
                                                        connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    before = exchange.fetch_balance()
    assert before["USDT"]["free"] == 100000 and before["BTC"]["free"] == 1
    order = exchange.create_order("BTC/USDT", "market", "buy", 0.01,
                                  params={"newClientOrderId": "my-buy-1"})
    assert order["status"] == "closed" and order["filled"] == 0.01
    assert order["clientOrderId"] == "my-buy-1"
    assert len(order["trades"]) == 1  # newOrderRespType=FULL returns the fills
    (held,) = demo.orders_for(demo.trading_key.api_key)
    assert held.client_order_id == "my-buy-1" and held.status == "FILLED"
    price = held.fills[0].price
    after = demo.balances_for(demo.trading_key.api_key)
    assert after["USDT"].free == Decimal(100000) - price * Decimal("0.01")
    assert after["BTC"].free == Decimal("1.01") - Decimal("0.00001")  # 0.1 % commission
    fetched = exchange.fetch_balance()
    assert Decimal(str(fetched["BTC"]["free"])) == after["BTC"].free
    trades = exchange.fetch_my_trades("BTC/USDT")
    assert [t["order"] for t in trades] == [order["id"]]
    assert trades[0]["fee"] == {"cost": 0.00001, "currency": "BTC"}


def test_market_buy_by_quote_amount(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    order = exchange.create_order("ETH/USDT", "market", "buy", None,
                                  params={"quoteOrderQty": "300"})
    assert demo.requests[-1].params["quoteOrderQty"] == "300"
    assert order["status"] == "closed"
    assert 0 < order["cost"] <= 300


def test_limit_order_rests_locks_funds_and_cancels(demo: DemoExchange,
                                                    connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    order = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                                  params={"newClientOrderId": "rest-1", "timeInForce": "GTC"})
    assert order["status"] == "open"
    usdt = demo.balances_for(demo.trading_key.api_key)["USDT"]
    assert (usdt.free, usdt.locked) == (Decimal(99700), Decimal(300))
    found = exchange.fetch_order(None, "BTC/USDT", params={"origClientOrderId": "rest-1"})
    assert found["id"] == order["id"] and found["status"] == "open"
    assert [o["id"] for o in exchange.fetch_open_orders("BTC/USDT")] == [order["id"]]
    cancelled = exchange.cancel_order(order["id"], "BTC/USDT")
    assert cancelled["status"] == "canceled"
    assert exchange.fetch_open_orders("BTC/USDT") == []
    assert [o["status"] for o in exchange.fetch_orders("BTC/USDT")] == ["canceled"]
    usdt = demo.balances_for(demo.trading_key.api_key)["USDT"]
    assert (usdt.free, usdt.locked) == (Decimal(100000), Decimal(0))


def test_a_resting_limit_fills_when_the_price_crosses_it(demo: DemoExchange,
                                                         connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    order = exchange.create_order("BTC/USDT", "limit", "sell", 0.1, 70000)
    assert order["status"] == "open"
    demo.set_price("BTC/USDT", "69999")
    assert exchange.fetch_order(order["id"], "BTC/USDT")["status"] == "open"
    demo.set_price("BTC/USDT", "70000.5")
    filled = exchange.fetch_order(order["id"], "BTC/USDT")
    assert filled["status"] == "closed" and filled["average"] == 70000  # at its own price
    balances = demo.balances_for(demo.trading_key.api_key)
    assert balances["BTC"].free == Decimal("0.9") and balances["BTC"].locked == 0
    assert balances["USDT"].free == Decimal(100000) + Decimal(7000) - Decimal(7)
    (trade,) = exchange.fetch_my_trades("BTC/USDT")
    assert trade["takerOrMaker"] == "maker"


def test_stop_limit_waits_for_its_trigger(demo: DemoExchange,
                                          connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    demo.set_price("BTC/USDT", "60000")
    order = exchange.create_order("BTC/USDT", "limit", "sell", 0.01, 54000,
                                  params={"stopPrice": 55000})
    assert demo.requests[-1].params["type"] == "STOP_LOSS_LIMIT"
    demo.set_price("BTC/USDT", "56000")
    assert exchange.fetch_order(order["id"], "BTC/USDT")["status"] == "open"
    demo.set_price("BTC/USDT", "54500")  # triggers; 54500 >= 54000 fills at once
    done = exchange.fetch_order(order["id"], "BTC/USDT")
    assert done["status"] == "closed" and done["average"] == 54500


def test_immediate_or_cancel_that_cannot_fill_expires(demo: DemoExchange,
                                                      connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    order = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                                  params={"timeInForce": "IOC"})
    assert order["status"] == "expired"
    assert demo.balances_for(demo.trading_key.api_key)["USDT"].locked == 0


def test_ack_and_result_answers(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    ack = exchange.create_order("BTC/USDT", "limit", "buy", 0.01, 30000,
                                params={"newOrderRespType": "ACK"})
    assert ack["id"] and ack["status"] is None
    result = exchange.create_order("BTC/USDT", "market", "buy", 0.01,
                                   params={"newOrderRespType": "RESULT"})
    assert result["status"] == "closed" and result["trades"] == []


def test_read_key_reads_and_api_restrictions_tell_the_rights(
        demo: DemoExchange, connect: Callable[..., Any]) -> None:
    reader = connect(demo.read_key)
    assert reader.fetch_balance()["USDT"]["total"] == 100000
    assert reader.sapiGetAccountApiRestrictions()["enableSpotAndMarginTrading"] is False
    trader = connect(demo.trading_key)
    restrictions = trader.sapiGetAccountApiRestrictions()
    assert restrictions["enableReading"] and restrictions["enableSpotAndMarginTrading"]
    assert restrictions["enableWithdrawals"] is False
    assert trader.privateGetAccount()["canTrade"] is True


def test_tickers(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    exchange = connect(demo.trading_key)
    demo.set_price("ETH/BTC", "0.04321")
    assert exchange.fetch_ticker("ETH/BTC")["last"] is not None
    assert set(exchange.fetch_tickers()) == {"BTC/USDT", "ETH/USDT", "ETH/BTC"}
    prices = exchange.publicGetTickerPrice()
    assert {p["symbol"] for p in prices} == {"BTCUSDT", "ETHUSDT", "ETHBTC"}
    assert exchange.fetch_time() > 0


def test_keys_have_separate_accounts(demo: DemoExchange, connect: Callable[..., Any]) -> None:
    key = demo.add_key(balances={"USDT": "50"})
    exchange = connect(key)
    assert exchange.fetch_balance()["total"] == {"USDT": 50}
    exchange.create_order("BTC/USDT", "limit", "buy", 0.001, 40000)
    assert len(demo.orders_for(key.api_key)) == 1
    assert demo.orders_for(demo.trading_key.api_key) == []
    assert len(key.api_key) == len(key.secret) == 64
    assert key.secret not in repr(key)


def test_a_second_key_of_an_account_shares_its_money_with_rights_of_its_own(
        demo: DemoExchange, connect: Callable[..., Any]) -> None:
    import ccxt

    reader = demo.add_key(("read",), account_of=demo.trading_key)
    trader, watcher, alone = (connect(demo.trading_key), connect(reader),
                              connect(demo.read_key))
    trader.create_order("BTC/USDT", "limit", "buy", 0.001, 40000)

    seen = watcher.fetch_balance()
    assert seen["total"] == trader.fetch_balance()["total"]
    assert seen["used"]["USDT"] == 40  # the order the other key placed locks it here too
    assert [o["id"] for o in watcher.fetch_open_orders("BTC/USDT")] == \
        [str(o.order_id) for o in demo.orders_for(demo.trading_key.api_key)]
    # ccxt keeps Binance's answer in "info": its uid names the account, not the key.
    uid = seen["info"]["uid"]
    assert trader.fetch_balance()["info"]["uid"] == uid
    assert alone.fetch_balance()["info"]["uid"] != uid
    # Its own rights: read only (-2015; ccxt calls it DDoSProtection once the key has
    # been accepted before).
    with pytest.raises(ccxt.BaseError, match="-2015"):
        watcher.create_order("BTC/USDT", "market", "buy", 0.001)
    assert len(demo.orders_for(reader.api_key)) == 1
    with pytest.raises(ValueError, match="shares its account"):
        demo.add_key(("read",), {"USDT": "1"}, account_of=demo.trading_key)


def test_a_shared_accounts_orders_fill_once(demo: DemoExchange,
                                            connect: Callable[..., Any]) -> None:
    demo.add_key(("read",), account_of=demo.trading_key)
    trader = connect(demo.trading_key)
    before = demo.balances_for(demo.trading_key.api_key)["BTC"].free
    trader.create_order("BTC/USDT", "limit", "buy", 0.001, 40000)

    demo.set_price("BTC/USDT", "39000")  # reaches the order: filled once, not per key

    [trade] = demo.trades_for(demo.trading_key.api_key)
    assert trade.qty == Decimal("0.001")
    assert demo.balances_for(demo.trading_key.api_key)["BTC"].free == \
        before + Decimal("0.001") - trade.commission


def test_client_order_id_lookups_and_cancel_all(demo: DemoExchange,
                                                connect: Callable[..., Any]) -> None:
    import ccxt

    exchange = connect(demo.trading_key)
    exchange.create_order("ETH/BTC", "limit", "buy", 1, 0.01, {"clientOrderId": "c-1"})
    exchange.create_order("ETH/BTC", "limit", "buy", 1, 0.011, {"clientOrderId": "c-2"})
    assert exchange.fetch_order(None, "ETH/BTC", {"clientOrderId": "c-1"})["price"] == 0.01
    assert exchange.cancel_order(None, "ETH/BTC", {"clientOrderId": "c-1"})["status"] == \
        "canceled"
    # As on Binance, a cancel answer's clientOrderId is the cancel's own; the order's is
    # origClientOrderId.
    cancelled = exchange.cancel_all_orders("ETH/BTC")
    assert [o["info"]["origClientOrderId"] for o in cancelled] == ["c-2"]
    assert demo.balances_for(demo.trading_key.api_key)["BTC"].locked == 0
    with pytest.raises(ccxt.OrderNotFound):
        exchange.cancel_all_orders("ETH/BTC")
