"""A Binance-compatible spot exchange on 127.0.0.1 for tests, demos and benchmarks.

It speaks the subset of Binance's REST API that ccxt's ``binance`` class uses for
spot trading, checks what Binance checks (key, HMAC signature, timestamp window,
permissions, filters, balances) and answers with Binance's own error codes (``errors``).
Prices follow a seeded random walk, one step per request received, so a run is
deterministic for a seed and a sequence of requests.

Modules: ``market`` (symbols, filters, the price walk), ``accounts`` (keys, balances,
orders, matching), ``auth`` (signature, time and permission checks), ``call`` (one
parsed call), ``market_endpoints``, ``order_endpoints``, ``account_endpoints``, ``api``
(the routing table), ``server`` (HTTP, faults, the request log) and ``demo``
(``DemoExchange``).
"""

from __future__ import annotations

from vault_app.trading.demo_exchange.accounts import Balance, DemoKey, Order, Trade
from vault_app.trading.demo_exchange.demo import DemoExchange, PortInUse
from vault_app.trading.demo_exchange.server import Faults, ReceivedRequest

__all__ = ["Balance", "DemoExchange", "DemoKey", "Faults", "Order", "PortInUse",
           "ReceivedRequest", "Trade"]
