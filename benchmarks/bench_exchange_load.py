"""Loading ccxt for one key, and the symbol list from the markets cache.

`import ccxt` imports every exchange module; the loader (vault_app/trading/loader.py)
imports one. Each figure is the median of fresh interpreters: the wall time of the
import and the growth of the resident set (VmRSS) it causes. The symbol list is read
from a cache of Binance-sized spot markets (parsed by ccxt from a synthetic
exchangeInfo), as on a second start: without ccxt, then into a ccxt instance.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._util import REPO, median_time, report

RUNS = 7
MARKETS = 2_000  # Binance lists about 1,500-3,000 spot symbols

PROBE = """
import json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
import vault_app.core.exchanges, vault_app.trading.errors  # what the app has loaded anyway
vault_app.core.exchanges.load_catalog()
before, start = rss(), time.perf_counter()
if sys.argv[1] == "full":
    import ccxt
    cls = ccxt.binance
else:
    from vault_app.trading.loader import exchange_class
    cls = exchange_class("binance")
elapsed = time.perf_counter() - start
cls({"apiKey": "k", "secret": "s"})
modules = sum(1 for name in sys.modules if name.split(".")[0] == "ccxt")
print(json.dumps({"time": elapsed, "mb": rss() - before, "modules": modules}))
"""


SYMBOLS_PROBE = """
import json, sys, time
start = time.perf_counter()
from pathlib import Path
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import new_entry
from vault_app.trading.client import ExchangeClient
from vault_app.trading.markets_cache import MarketsCache
entry = new_entry(label="bench", exchange="binance", catalog=load_catalog(),
                  credentials={"apiKey": "k", "secret": "s"})
symbols = ExchangeClient(entry, markets_cache=MarketsCache(Path(sys.argv[1]))).cached_symbols()
elapsed = time.perf_counter() - start
assert symbols and "ccxt" not in sys.modules
print(json.dumps({"time": elapsed, "count": len(symbols)}))
"""


def _probe(mode: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True,
                          cwd=REPO, check=True)
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def _synthetic_markets(count: int) -> tuple[dict[str, Any], Any]:
    from vault_app.trading.loader import exchange_class

    exchange = exchange_class("binance")()
    exchange.options["crossMarginPairsData"] = []  # what fetch_markets sets before parsing
    exchange.options["isolatedMarginPairsData"] = []
    quotes = ["USDT", "BTC", "ETH", "FDUSD", "TRY", "EUR"]
    raw = []
    for i in range(count):
        base, quote = f"C{i:04d}", quotes[i % len(quotes)]
        raw.append({
            "symbol": f"{base}{quote}", "status": "TRADING", "baseAsset": base,
            "baseAssetPrecision": 8, "quoteAsset": quote, "quotePrecision": 8,
            "quoteAssetPrecision": 8, "baseCommissionPrecision": 8,
            "quoteCommissionPrecision": 8,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT",
                           "TAKE_PROFIT_LIMIT"],
            "icebergAllowed": True, "ocoAllowed": True, "otoAllowed": True,
            "quoteOrderQtyMarketAllowed": True, "allowTrailingStop": True,
            "cancelReplaceAllowed": True, "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False, "permissions": [], "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": "0.01000000",
                 "maxPrice": "1000000.00000000", "tickSize": "0.01000000"},
                {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000",
                 "stepSize": "0.00001000"},
                {"filterType": "ICEBERG_PARTS", "limit": 10},
                {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000",
                 "maxQty": "100.00000000", "stepSize": "0.00000000"},
                {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10,
                 "maxTrailingAboveDelta": 2000, "minTrailingBelowDelta": 10,
                 "maxTrailingBelowDelta": 2000},
                {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5",
                 "bidMultiplierDown": "0.2", "askMultiplierUp": "5",
                 "askMultiplierDown": "0.2", "avgPriceMins": 5},
                {"filterType": "NOTIONAL", "minNotional": "5.00000000",
                 "applyMinToMarket": True, "maxNotional": "9000000.00000000",
                 "applyMaxToMarket": False, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
            ],
        })
    markets = {}
    for item in raw:
        market = exchange.parse_market(item)
        markets[market["symbol"]] = market
    exchange.set_markets(markets)
    return exchange.markets, exchange


def main() -> None:
    print("Loading ccxt for one key, and the markets cache")
    full = [_probe("full") for _ in range(RUNS)]
    light = [_probe("light") for _ in range(RUNS)]
    for name, runs in (("import ccxt (every exchange)", full),
                       ("loader: binance alone", light)):
        seconds = statistics.median(run["time"] for run in runs)
        memory = statistics.median(run["mb"] for run in runs)
        modules = int(statistics.median(run["modules"] for run in runs))
        report(f"{name}, time", seconds, note=f"{modules} ccxt modules")
        report(f"{name}, memory", memory, unit="MB")

    from vault_app.core.exchanges import load_catalog
    from vault_app.core.model import new_entry
    from vault_app.trading.client import ExchangeClient
    from vault_app.trading.markets_cache import MarketsCache

    markets, exchange = _synthetic_markets(MARKETS)
    version = load_catalog().ccxt_version
    entry = new_entry(label="bench", exchange="binance", catalog=load_catalog(),
                      credentials={"apiKey": "k", "secret": "s"})
    with tempfile.TemporaryDirectory() as tmp:
        cache = MarketsCache(Path(tmp) / "markets")
        client = ExchangeClient(entry, markets_cache=cache)
        cache.save(client.cache_key, version, markets, exchange.currencies)
        size = cache.path(client.cache_key).stat().st_size
        print(f"  cache: {MARKETS:,} spot markets, {size / 1e6:.1f} MB; median of {RUNS}")
        symbols_time, _ = median_time(
            lambda: ExchangeClient(entry, markets_cache=cache).cached_symbols(), RUNS)
        report("symbol list from the cache (process running)", symbols_time, target=0.05)
        fresh_runs = [json.loads(subprocess.run(
            [sys.executable, "-c", SYMBOLS_PROBE, str(cache.folder)], capture_output=True,
            text=True, cwd=REPO, check=True).stdout)["time"] for _ in range(RUNS)]
        report("symbol list on a second start (imports included)",
               statistics.median(fresh_runs), target=0.05)
        times = []
        for _ in range(RUNS):
            fresh = ExchangeClient(entry, markets_cache=cache)
            fresh.exchange  # noqa: B018 - built first: the class load is measured above
            start = time.perf_counter()
            fresh.load_markets()
            times.append(time.perf_counter() - start)
            assert len(fresh.exchange.symbols) == MARKETS and not fresh.markets_stale
        markets_time = statistics.median(times)
        report("markets from the cache into ccxt (load_markets)", markets_time)


if __name__ == "__main__":
    main()
