"""A ccxt ``binance`` instance with three spot markets set from Binance-shaped data, offline.

The raw symbols are what ``GET /api/v3/exchangeInfo`` answers (trimmed to the fields
ccxt reads); ccxt's own ``parse_market`` turns them into markets, so precision and
limits are exactly what the real class computes.
"""

from __future__ import annotations

from typing import Any

ORDER_TYPES = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"]


def raw_symbol(base: str, quote: str, *, tick: str, step: str, min_qty: str, max_qty: str,
               min_notional: str, status: str = "TRADING") -> dict[str, Any]:
    return {
        "symbol": base + quote, "status": status, "baseAsset": base, "quoteAsset": quote,
        "baseAssetPrecision": 8, "quotePrecision": 8, "quoteAssetPrecision": 8,
        "orderTypes": ORDER_TYPES, "icebergAllowed": True, "ocoAllowed": True,
        "isSpotTradingAllowed": True, "isMarginTradingAllowed": False,
        "permissions": [], "permissionSets": [["SPOT"]],
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "1000000.00000000",
             "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": min_qty, "maxQty": max_qty, "stepSize": step},
            {"filterType": "NOTIONAL", "minNotional": min_notional, "applyMinToMarket": True,
             "maxNotional": "9000000.00000000", "applyMaxToMarket": False,
             "avgPriceMins": 5},
        ],
    }


RAW_SYMBOLS = [
    raw_symbol("BTC", "USDT", tick="0.01000000", step="0.00001000", min_qty="0.00001000",
               max_qty="9000.00000000", min_notional="5.00000000"),
    raw_symbol("ETH", "USDT", tick="0.01000000", step="0.00010000", min_qty="0.00010000",
               max_qty="9000.00000000", min_notional="5.00000000"),
    raw_symbol("ETH", "BTC", tick="0.00001000", step="0.00010000", min_qty="0.00100000",
               max_qty="100000.00000000", min_notional="0.00010000"),
    raw_symbol("LUNA", "USDT", tick="0.00010000", step="0.01000000", min_qty="0.01000000",
               max_qty="9000000.00000000", min_notional="5.00000000", status="BREAK"),
]


def offline_binance() -> Any:
    from ccxt.binance import binance  # tests may import ccxt; the app's code may not

    exchange = binance({"options": {"fetchMarkets": {"types": ["spot"]}, "fetchMargins": False}})
    exchange.options["crossMarginPairsData"] = []
    exchange.options["isolatedMarginPairsData"] = []
    exchange.set_markets([exchange.parse_market(raw) for raw in RAW_SYMBOLS])
    return exchange
