"""An order ticket's world without a network: ccxt's real binance class with its markets
set offline, keys that can and cannot trade, and previews signed by ccxt itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import make_entry
from tests.unit.trading.markets_fixture import offline_binance
from vault_app.core.model import KeyEntry
from vault_app.trading.endpoints import describe
from vault_app.trading.fees import order_fee
from vault_app.trading.orders import check_against_market, find_market, parse_order
from vault_app.trading.preview import (
    OrderPreview,
    build_preview,
    capture_create_order,
    new_client_order_id,
)

LAST = Decimal("50000")


def trader(**fields: object) -> KeyEntry:
    return make_entry(label="trader", exchange="binance", permissions=("read", "trade"),
                      **fields)


def watcher() -> KeyEntry:
    return make_entry(label="watcher", exchange="binance", permissions=("read",))


def signed_preview(exchange: Any, entry: KeyEntry, *, side: str = "buy",
                   amount: str = "0.0123456", price: str = "56000.129",
                   endpoint: str | None = None, live: bool | None = None) -> OrderPreview:
    """The preview the core builds: checked, signed by ccxt (nothing sent), masked.
    ``endpoint`` and ``live`` default to what ``endpoints.describe`` says of ``entry``."""
    where = describe(entry)
    exchange.apiKey = entry.credentials["apiKey"]
    exchange.secret = entry.credentials["secret"]
    request = parse_order(entry.id, "BTC/USDT", side, "limit", amount, price)
    market = find_market("BTC/USDT", exchange.markets, "binance")
    checked = check_against_market(request, entry, exchange, market, lambda: LAST)
    client_order_id = new_client_order_id()
    signed = capture_create_order(exchange, checked.create_order_args(client_order_id))
    return build_preview(checked, client_order_id, signed, entry,
                         endpoint=where.text if endpoint is None else endpoint,
                         live=where.live if live is None else live,
                         fee=order_fee(exchange, checked))


__all__ = ["LAST", "offline_binance", "signed_preview", "trader", "watcher"]
