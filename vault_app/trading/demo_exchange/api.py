"""The routing table: Binance's spot REST API as ccxt's ``binance`` class calls it."""

from __future__ import annotations

from vault_app.trading.demo_exchange import account_endpoints as account
from vault_app.trading.demo_exchange import market_endpoints as market
from vault_app.trading.demo_exchange import order_endpoints as orders
from vault_app.trading.demo_exchange.call import Call, Handler, State

__all__ = ["ANY_KEY", "PUBLIC", "ROUTES", "Call", "State"]


PUBLIC = ""
ANY_KEY = "any"

# (method, path) -> (handler, the key permission it needs: PUBLIC, ANY_KEY, "read", "trade")
ROUTES: dict[tuple[str, str], tuple[Handler, str]] = {
    ("GET", "/api/v3/ping"): (market.ping, PUBLIC),
    ("GET", "/api/v3/time"): (market.server_time, PUBLIC),
    ("GET", "/api/v3/exchangeInfo"): (market.exchange_info, PUBLIC),
    ("GET", "/api/v3/ticker/price"): (market.ticker_price, PUBLIC),
    ("GET", "/api/v3/ticker/24hr"): (market.ticker_24hr, PUBLIC),
    ("GET", "/api/v3/ticker/bookTicker"): (market.book_ticker, PUBLIC),
    ("GET", "/api/v3/account"): (account.account, "read"),
    ("POST", "/api/v3/order"): (orders.new_order, "trade"),
    ("POST", "/api/v3/order/test"): (orders.validate_order, "trade"),
    ("GET", "/api/v3/order"): (orders.query_order, "read"),
    ("DELETE", "/api/v3/order"): (orders.cancel_order, "trade"),
    ("GET", "/api/v3/openOrders"): (orders.open_orders, "read"),
    ("DELETE", "/api/v3/openOrders"): (orders.cancel_open_orders, "trade"),
    ("GET", "/api/v3/allOrders"): (account.all_orders, "read"),
    ("GET", "/api/v3/myTrades"): (account.my_trades, "read"),
    ("GET", "/sapi/v1/account/apiRestrictions"): (account.api_restrictions, ANY_KEY),
    ("GET", "/sapi/v1/account/apiRestrictions/ipRestriction"): (account.ip_restriction,
                                                                ANY_KEY),
}
