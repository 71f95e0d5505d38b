"""Order placement through the app's core versus raw ccxt, on the same demo exchange.

Targets (issue 8):
- placing an order through ``TradingSession.place`` (PENDING appended and fsynced
  before the request, the answer appended lazily after: two journal writes, one
  fsync) costs at most 1.15 x a raw ccxt ``create_order`` on the same server, median
  of interleaved runs, each preceded by the same pause and each first half the time;
- the first order for a key, in a fresh interpreter (exchange module load, markets,
  the order), versus raw ccxt (``import ccxt``, ``load_markets``, the order);
- the symbol list on a second start, from the markets cache: <= 50 ms.

The demo exchange runs in a thread of this process, on 127.0.0.1. Orders are limit
buys far below the market, so they rest and no balance runs out.
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

from benchmarks._util import PASSWORD, REPO, report
from vault_app.core.exchanges import load_catalog
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.vault import Vault
from vault_app.trading.demo_exchange import DemoExchange, DemoKey
from vault_app.trading.journal import Journal
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession

RUNS = 40
PAUSE = 0.15  # seconds between preview and place (a human takes longer)
RTT = 0.020  # a nearby exchange's answer time, for the second placement figure
FRESH_RUNS = 5
FAST_KDF = KdfParams(memory_kib=64, iterations=1, parallelism=1)
BALANCES = {"USDT": "1000000000", "BTC": "1000"}


def entry_for(demo: DemoExchange, key: DemoKey) -> KeyEntry:
    return new_entry(label="bench", exchange="binance", catalog=load_catalog(),
                     permissions=("read", "trade"), environment="custom", api_url=demo.url,
                     credentials={"apiKey": key.api_key, "secret": key.secret})


def raw_ccxt(demo: DemoExchange, key: DemoKey) -> Any:
    """A plain ccxt binance instance on the demo server, as a ccxt user would make it."""
    from vault_app.trading.endpoints import rebase_urls
    from vault_app.trading.loader import exchange_class

    exchange = exchange_class("binance")({
        "apiKey": key.api_key, "secret": key.secret, "enableRateLimit": True,
        "options": {"fetchMarkets": {"types": ["spot"]}, "fetchCurrencies": False,
                    "fetchMargins": False}})
    exchange.urls["api"] = rebase_urls(exchange.urls["api"], demo.url)
    exchange.load_markets()
    return exchange


def placement(folder: Path, latency: float = 0.0) -> None:
    with DemoExchange(seed=7, volatility="0") as demo:
        key = demo.add_key(balances=BALANCES)
        vault = Vault.create(folder / "bench.vault", PASSWORD, FAST_KDF,
                             enforce_kdf_minimum=False)
        entry = vault.add(entry_for(demo, key))
        session = TradingSession(vault, entry)
        raw = raw_ccxt(demo, demo.add_key(balances=BALANCES))
        request = parse_order(entry.id, "BTC/USDT", "buy", "limit", "0.001", "50000")
        session.place(session.preview(request))  # warm: journal created, markets loaded
        raw.create_order("BTC/USDT", "limit", "buy", "0.001", "50000")
        demo.faults.latency = latency
        spare = Journal(folder / "spare.journal", bytes(32))  # same disk, same moment
        app_times, raw_times, preview_times, append_times = [], [], [], []
        for run in range(RUNS):  # interleaved, so both see the same machine
            start = time.perf_counter()
            preview = session.preview(request)
            preview_times.append(time.perf_counter() - start)
            steps = [(app_times, lambda p=preview: session.place(p)),
                     (raw_times, lambda: raw.create_order("BTC/USDT", "limit", "buy",
                                                          "0.001", "50000"))]
            if run % 2:  # the first request after a pause is slower (caches, the
                steps.reverse()  # server thread waking): each goes first half the time
            for times, step in steps:
                # The user reads the preview and confirms: ccxt's rate limiter (both
                # instances have it on) refills meanwhile, as it would in real use.
                time.sleep(PAUSE)
                start = time.perf_counter()
                done = step()
                times.append(time.perf_counter() - start)
                assert getattr(done, "problem", None) is None, done
            start = time.perf_counter()
            spare.append({"kind": "bench", "n": len(append_times)})
            append_times.append(time.perf_counter() - start)
    app, plain = statistics.median(app_times), statistics.median(raw_times)
    where = f"answering after {latency * 1000:.0f} ms, like a nearby exchange" if latency \
        else "answering at once, loopback"
    print(f"Order placement, {RUNS} interleaved runs on the demo exchange ({where})")
    report("raw ccxt create_order", plain)
    report("app place (journal PENDING + create_order + lazy answer)", app)
    report("ratio app / raw (median)", app / plain, 1.15, unit="x",
           note=f"= {app / plain:.3f}; app - raw = {(app - plain) * 1000:.2f} ms")
    report("one journal append (write + fsync), same runs", statistics.median(append_times),
           note="the place makes one, and one lazy (no fsync)")
    if not latency:
        report("app preview (checks, ticker, ccxt-signed capture)",
               statistics.median(preview_times), note="before the confirmation")


FIRST_APP = """
import json, sys, time
start = time.perf_counter()
from vault_app.core.vault import Vault
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession
vault = Vault.open(sys.argv[1], sys.argv[2])
entry = vault.find("bench")
session = TradingSession(vault, entry)
done = session.place(session.preview(parse_order(entry.id, "BTC/USDT", "buy", "limit",
                                                 "0.001", "50000")))
assert done.problem is None
print(json.dumps(time.perf_counter() - start))
"""

FIRST_RAW = """
import json, sys, time
start = time.perf_counter()
import ccxt
exchange = ccxt.binance({"apiKey": sys.argv[2], "secret": sys.argv[3],
                         "enableRateLimit": True,
                         "options": {"fetchMarkets": {"types": ["spot"]},
                                     "fetchCurrencies": False, "fetchMargins": False}})
def rebase(value):
    if isinstance(value, str):
        return value.replace("https://api.binance.com", sys.argv[1])
    if isinstance(value, dict):
        return {k: rebase(v) for k, v in value.items()}
    return value
exchange.urls["api"] = rebase(exchange.urls["api"])
exchange.load_markets()
exchange.create_order("BTC/USDT", "limit", "buy", "0.001", "50000")
print(json.dumps(time.perf_counter() - start))
"""

SYMBOLS = """
import json, sys, time
start = time.perf_counter()
from vault_app.core.vault import Vault
from vault_app.trading.client import ExchangeClient
entry = Vault.open(sys.argv[1], sys.argv[2]).find("bench")
opened = time.perf_counter()
symbols = ExchangeClient(entry).cached_symbols()
assert symbols and "BTC/USDT" in symbols
end = time.perf_counter()
print(json.dumps({"seconds": end - start, "cache": end - opened,
                  "ccxt": any(n.startswith("ccxt") for n in sys.modules)}))
"""


def child(code: str, *args: str, cache: Path) -> Any:
    import os

    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, cwd=REPO, env=env, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)


def first_order(folder: Path) -> None:
    with DemoExchange(seed=7, volatility="0") as demo:
        key = demo.add_key(balances=BALANCES)
        path = folder / "first.vault"
        Vault.create(path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False).add(
            entry_for(demo, key))
        raw_key = demo.add_key(balances=BALANCES)
        cold, warm, raw, symbols = [], [], [], []
        for run in range(FRESH_RUNS):
            cache = folder / f"cache-{run}"
            cold.append(child(FIRST_APP, str(path), PASSWORD, cache=cache))
            warm.append(child(FIRST_APP, str(path), PASSWORD, cache=cache))
            symbols.append(child(SYMBOLS, str(path), PASSWORD, cache=cache))
            raw.append(child(FIRST_RAW, demo.url, raw_key.api_key, raw_key.secret,
                             cache=cache))
    print(f"First order for a key in a fresh interpreter, {FRESH_RUNS} runs "
          "(imports, exchange load, markets, order; no KDF: a negligible one)")
    plain = statistics.median(raw)
    report("raw ccxt (import ccxt, load_markets, create_order)", plain)
    report("app, markets cache cold (loads them from the server)", statistics.median(cold))
    report("app, markets cache warm (second start)", statistics.median(warm))
    report("ratio app (cold) / raw", statistics.median(cold) / plain, unit="x")
    report("ratio app (warm) / raw", statistics.median(warm) / plain, unit="x")
    print("Symbol list on a second start, from the markets cache (fresh interpreter, "
          "vault open with a negligible KDF included)")
    report("symbols from the cache (vault already open)",
           statistics.median(s["cache"] for s in symbols), 0.050,
           note="ccxt imported: " + ("yes" if any(s["ccxt"] for s in symbols) else "no"))
    report("imports + vault open + symbols from the cache",
           statistics.median(s["seconds"] for s in symbols))


def main() -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        placement(folder)
        print()
        (folder / "rtt").mkdir()
        placement(folder / "rtt", RTT)
        print()
        first_order(folder)


if __name__ == "__main__":
    print("bench_trading: the trading core against the demo exchange")
    main()
