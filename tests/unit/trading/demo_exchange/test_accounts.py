"""Balances, fills and order lookups as Binance keeps them."""

from __future__ import annotations

from decimal import Decimal

from tests.unit.trading.demo_exchange.hand_signed import call
from vault_app.trading.demo_exchange import DemoExchange

EIGHT = -8  # the smallest exponent a balance may have: 8 decimals


def reported(demo: DemoExchange, asset: str) -> tuple[Decimal, Decimal]:
    status, account = call(demo, "GET", "/api/v3/account")
    assert status == 200
    (balance,) = [b for b in account["balances"] if b["asset"] == asset]
    return Decimal(balance["free"]), Decimal(balance["locked"])


def test_a_fill_moves_at_most_eight_decimals(demo: DemoExchange) -> None:
    """0.0023 ETH x 0.05003 BTC = 0.000115069 BTC has 9 decimals: the account must not
    hold, nor report rounded up, what it cannot show."""
    key = demo.trading_key.api_key
    demo.set_price("ETH/BTC", "0.05003")
    status, order = call(demo, "POST", "/api/v3/order", body="symbol=ETHBTC&side=SELL"
                         "&type=MARKET&quantity=0.0023&newOrderRespType=RESULT")
    assert status == 200 and order["cummulativeQuoteQty"] == "0.00011506"
    btc = demo.balances_for(key)["BTC"].free
    fee = Decimal("0.00000012")  # 0.1 % of 0.00011506, rounded half up
    assert btc == Decimal(1) + Decimal("0.00011506") - fee
    assert btc.as_tuple().exponent >= EIGHT
    assert reported(demo, "BTC") == (btc, Decimal(0))
    (trade,) = demo.trades_for(key)
    assert trade.quote_qty == Decimal("0.00011506") and trade.commission == fee


def test_a_resting_buy_locks_at_most_eight_decimals(demo: DemoExchange) -> None:
    key = demo.trading_key.api_key
    demo.set_price("ETH/BTC", "0.05")
    status, _ = call(demo, "POST", "/api/v3/order", body="symbol=ETHBTC&side=BUY&type=LIMIT"
                     "&timeInForce=GTC&quantity=0.0027&price=0.04001")
    assert status == 200
    btc = demo.balances_for(key)["BTC"]
    assert btc.locked == Decimal("0.00010802")  # 0.000108027 rounded down
    assert btc.free + btc.locked == Decimal(1)
    assert reported(demo, "BTC") == (btc.free, btc.locked)
    demo.set_price("ETH/BTC", "0.04")  # fills it at its own price: exactly what was locked
    btc = demo.balances_for(key)["BTC"]
    assert (btc.free, btc.locked) == (Decimal(1) - Decimal("0.00010802"), Decimal(0))


def test_a_quote_amount_market_order_meets_the_notional_once_rounded(
        demo: DemoExchange) -> None:
    """5.1 USDT at 60000 buys 0.00008 BTC (step 0.00001), worth 4.80 < the minimum 5."""
    demo.set_price("BTC/USDT", "60000")
    status, answer = call(demo, "POST", "/api/v3/order",
                          body="symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=5.1")
    assert (status, answer) == (400, {"code": -1013, "msg": "Filter failure: NOTIONAL"})
    assert demo.orders_for(demo.trading_key.api_key) == []
    status, answer = call(demo, "POST", "/api/v3/order",
                          body="symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=5.4")
    assert status == 200 and answer["executedQty"] == "0.00009000"


def test_order_id_and_client_order_id_must_name_the_same_order(demo: DemoExchange) -> None:
    demo.set_price("BTC/USDT", "60000")
    status, placed = call(demo, "POST", "/api/v3/order", body="symbol=BTCUSDT&side=BUY"
                          "&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000"
                          "&newClientOrderId=mine-1")
    assert status == 200
    which = f"symbol=BTCUSDT&orderId={placed['orderId']}"
    status, answer = call(demo, "GET", "/api/v3/order", f"{which}&origClientOrderId=other")
    assert (status, answer["code"]) == (400, -2013)
    status, answer = call(demo, "DELETE", "/api/v3/order", f"{which}&origClientOrderId=other")
    assert (status, answer["code"]) == (400, -2011)
    assert [o.status for o in demo.orders_for(demo.trading_key.api_key)] == ["NEW"]
    status, answer = call(demo, "GET", "/api/v3/order", f"{which}&origClientOrderId=mine-1")
    assert status == 200 and answer["clientOrderId"] == "mine-1"
    status, answer = call(demo, "DELETE", "/api/v3/order", f"{which}&origClientOrderId=mine-1")
    assert status == 200 and answer["status"] == "CANCELED"


def test_a_parameter_sent_twice_places_nothing(demo: DemoExchange) -> None:
    status, answer = call(demo, "POST", "/api/v3/order", body="symbol=BTCUSDT&side=BUY"
                          "&type=MARKET&quantity=0.001&quantity=0.002")
    assert (status, answer["code"]) == (400, -1101)
    assert demo.orders_for(demo.trading_key.api_key) == []
    # The query and the body may share a name: the query's value wins, as on Binance.
    status, answer = call(demo, "POST", "/api/v3/order", "quantity=0.001", body="symbol=BTCUSDT"
                          "&side=BUY&type=MARKET&quantity=0.002")
    assert status == 200 and answer["executedQty"] == "0.00100000"

