"""The trading view against the demo exchange: `make bench` prints the figures.

Targets (issue 9) are printed, never asserted:
- opening the trading view (``MainWindow.show_trading``, what Ctrl+T calls) to a
  usable symbol list, the markets cache cold (a fresh ``$VAULT_APP_CACHE_DIR``: the
  markets come from the server) and cached (target <= 100 ms); median of several
  runs, each on a freshly unlocked vault (locking drops the key's session, so each
  run builds its client: the ccxt instance, then the markets). Once with the demo's
  three markets, once with 2,000 more added to it (Binance lists 1,500-3,000 spot
  markets: its exchangeInfo is megabytes; that demo runs in a process of its own,
  see ``RemoteDemo``), and the first Ctrl+T of a fresh process (the view built,
  ccxt's binance module imported), cold and on a second start;
- confirm (``ConfirmDialog`` accepted) to the order shown as accepted in the open
  orders, versus the core alone (``TradingSession.preview``, the same pause, then
  ``place`` timed, as ``bench_trading.py`` does), interleaved runs;
- the UI thread's largest gap: a 20 ms QTimer's ticks while the markets load (cold)
  and an order is reviewed, confirmed and sent, the server answering each request
  after 300 ms (target < 200 ms); as the first Ctrl+T of the process (the view is
  built, ccxt's exchange module imported), on a later visit, and on a later visit
  with the 2,000 more markets (their parsing shares the interpreter with the UI).

The demo exchange runs in a thread of this process (the Binance-sized one in a process
of its own), on 127.0.0.1; Qt is offscreen.
Orders are limit buys far below the market, so they rest and no balance runs out.
The dialogs are accepted as a click on their button would (``accept()``); typing
goes through QTest, so the ticket checks each key press as it would a user's.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks._util import PASSWORD, report
from vault_app.core.exchanges import load_catalog
from vault_app.core.kdf import KdfParams
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.vault import Vault
from vault_app.trading.demo_exchange import DemoExchange, DemoKey
from vault_app.trading.markets_cache import CACHE_ENV

REPO = Path(__file__).resolve().parent.parent

OPEN_RUNS = 7
FRESH_RUNS = 3
EXTRA_MARKETS = 2_000
ORDER_RUNS = 15
PAUSE = 0.15  # seconds between the confirmation showing and its acceptance (a human: more)
LATENCY = 0.3  # the server's added answer time for the UI-thread figure
TICK_MS = 20
RESTING_PRICE = "50000"  # below the demo's BTC/USDT price: a limit buy rests
AMOUNT = "0.001"
FAST_KDF = KdfParams(memory_kib=64, iterations=1, parallelism=1)
BALANCES = {"USDT": "1000000000", "BTC": "1000"}
TIMEOUT_S = 60.0


def demo_entry(demo: DemoExchange, label: str, key: DemoKey) -> KeyEntry:
    return new_entry(label=label, exchange="binance", catalog=load_catalog(),
                     permissions=("read", "trade"), environment="custom", api_url=demo.url,
                     credentials={"apiKey": key.api_key, "secret": key.secret})


class Bench:
    """A window unlocked on a vault whose ``trader`` key points at the demo exchange."""

    def __init__(self, folder: Path, path: Path, entry_id: str, demo: Any = None) -> None:
        from vault_app.gui.qt import QtCore, QtWidgets
        from vault_app.gui.settings import Settings
        from vault_app.gui.window import MainWindow

        self.folder = folder
        self.demo = demo  # None: it runs in another process
        self.path = path
        self.entry_id = entry_id
        self.app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["vault-app"])
        settings = Settings(QtCore.QSettings(str(folder / "settings.ini"),
                                             QtCore.QSettings.Format.IniFormat))
        self.window = MainWindow(settings, self.path)
        self.window.resize(1200, 760)
        self.window.show()
        self.caches = 0

    # --- the event loop ---------------------------------------------------------------

    def settle(self, seconds: float) -> None:
        from vault_app.gui.qt import QtCore

        loop = QtCore.QEventLoop()
        QtCore.QTimer.singleShot(max(1, round(seconds * 1000)), loop.quit)
        loop.exec()

    def wait_until(self, condition: Callable[[], object], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"bench_trading_gui: gave up waiting for {what}")
            self.settle(0.002)

    def idle(self) -> None:
        self.wait_until(lambda: not self.window.ops.busy, "every op to finish")

    # --- the window -------------------------------------------------------------------

    def fresh_cache(self) -> Path:
        """Point the markets cache at a new, empty folder (read when a client is built)."""
        self.caches += 1
        folder = self.folder / f"cache-{self.caches}"
        os.environ[CACHE_ENV] = str(folder)
        return folder

    def unlock(self) -> None:
        self.window.unlock(self.path, PASSWORD)
        self.wait_until(lambda: self.window.vault is not None, "the vault to unlock")
        self.idle()

    def relock(self) -> None:
        """Lock (drops the key's session and its client) and unlock again."""
        self.idle()
        self.window.lock()
        self.idle()
        self.unlock()

    def open_trading(self) -> float:
        """Seconds from ``show_trading`` to the key's symbols listed (in the model that the
        list shows), stamped by the model's reset; then waits until every load is done."""
        view = self.window.sections.trading_view()
        model = view.symbols.model
        stamp: list[float] = []

        def listed() -> None:
            if not stamp and model.rowCount():
                stamp.append(time.perf_counter())

        model.modelReset.connect(listed)
        try:
            start = time.perf_counter()
            self.window.show_trading(self.entry_id)
            self.wait_until(lambda: stamp, "the symbol list")
        finally:
            model.modelReset.disconnect(listed)
        self.wait_until(lambda: view.symbols.chosen is not None, "a market to be chosen")
        self.idle()
        return stamp[0] - start

    def place(self, pause: float) -> float:
        """Type a limit buy, review, confirm; seconds from the confirmation accepted to the
        order shown accepted (OPEN) in the open orders, stamped as its row is inserted."""
        from PySide6.QtTest import QTest

        from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
        from vault_app.trading.order_log import ACCEPTED

        window = self.window
        view = window.sections.trading_view()
        ticket = view.ticket
        if not ticket.buy.isChecked():
            ticket.buy.click()
        for edit, text in ((ticket.price, RESTING_PRICE), (ticket.amount, AMOUNT)):
            edit.setFocus()
            edit.selectAll()
            QTest.keyClicks(edit, text)
        self.wait_until(ticket.review.isEnabled, "the ticket to allow a review")
        ticket.review.click()
        self.wait_until(lambda: isinstance(window.trading_dialog, PreviewDialog),
                        "the signed request's dialog")
        assert window.trading_dialog is not None
        window.trading_dialog.accept()
        self.wait_until(lambda: isinstance(window.trading_dialog, ConfirmDialog),
                        "the confirmation")
        confirm = window.trading_dialog
        assert isinstance(confirm, ConfirmDialog)
        client_order_id = confirm.preview.client_order_id
        model = view.open_orders.model
        stamp: list[float] = []

        def shown(*_args: object) -> None:
            if not stamp and any(order.get("client_order_id") == client_order_id
                                 and order.get("state") in ACCEPTED
                                 for order in view.open_orders.orders()):
                stamp.append(time.perf_counter())

        self.settle(pause)
        model.rowsInserted.connect(shown)
        try:
            start = time.perf_counter()
            confirm.accept()
            self.wait_until(lambda: stamp, "the order shown as accepted")
        finally:
            model.rowsInserted.disconnect(shown)
        if WORKER_PLACES:
            began, ended = WORKER_PLACES[-1]
            SPLITS.append((began - start, ended - began, stamp[0] - ended))
        self.idle()
        return stamp[0] - start

    def largest_gap(self, first: bool) -> tuple[float, int, str]:
        """A 20 ms timer's largest gap (and its ticks) while the trading view opens on a
        cold markets cache and an order is sent, the server answering after 300 ms."""
        from vault_app.gui.qt import Qt, QtCore

        ticks: list[tuple[float, str]] = []
        phase = ["opening the view"]
        timer = QtCore.QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(TICK_MS)
        timer.timeout.connect(lambda: ticks.append((time.perf_counter(), phase[0])))
        if not first:
            self.window.show_keys()
            self.relock()
        self.fresh_cache()
        assert self.demo is not None
        self.demo.faults.latency = LATENCY
        timer.start()
        try:
            self.settle(0.1)
            self.open_trading()
            phase[0] = "sending an order"
            self.place(PAUSE)
            self.settle(0.1)
        finally:
            timer.stop()
            self.demo.faults.latency = 0.0
        gaps = [(later[0] - earlier[0], later[1]) for earlier, later in pairwise(ticks)]
        gap, where = max(gaps)
        return gap, len(ticks), where

    def close(self) -> None:
        self.idle()
        self.window.close()
        self.window.ops.wait_idle(10_000)


def make_vault(folder: Path, name: str, demo: Any, key: DemoKey) -> tuple[Path, str]:
    """A vault (negligible KDF) whose ``trader`` key is ``key`` on ``demo``; its path, id."""
    path = folder / f"{name}.vault"
    vault = Vault.create(path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    entry = vault.add(demo_entry(demo, "trader", key))
    vault.lock()
    return path, entry.id


class RemoteDemo:
    """The demo exchange with ``EXTRA_MARKETS`` more markets, in a process of its own
    (this script with ``--serve-big``). Its exchangeInfo is built and serialized in
    Python: in this process that work would hold the interpreter lock for 100-200 ms
    and stall the UI thread as no real exchange, which runs elsewhere, does.
    ``faults.latency`` is set over its stdin."""

    def __init__(self) -> None:
        import subprocess

        self.proc = subprocess.Popen([sys.executable, __file__, "--serve-big"], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url, api_key, secret = self.proc.stdout.readline().split()
        self.key = DemoKey(api_key, secret, ("read", "trade"))
        self.faults = self
        self._latency = 0.0

    @property
    def latency(self) -> float:
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"latency {seconds}\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline().strip() != "ok":
            raise SystemExit("bench_trading_gui: the demo exchange's process stopped")
        self._latency = seconds

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def serve_big() -> None:
    """``RemoteDemo``'s side: serve until stdin closes."""
    with DemoExchange(seed=7, volatility="0") as demo:
        grow_markets(demo, EXTRA_MARKETS)
        key = demo.add_key(balances=BALANCES)
        print(demo.url, key.api_key, key.secret, flush=True)
        for line in sys.stdin:
            demo.faults.latency = float(line.split()[1])
            print("ok", flush=True)


def grow_markets(demo: DemoExchange, count: int) -> None:
    """Add ``count`` spot markets to the demo's book (before any request), so that its
    exchangeInfo is Binance-sized. The benchmark reaches into the running demo: the
    demo exchange has no option for it."""
    from decimal import Decimal

    from vault_app.trading.demo_exchange.market import Stats, Symbol

    book = demo._backend.state.book  # private, but a benchmark's fixture
    quotes = ("USDT", "BTC", "ETH", "FDUSD", "TRY", "EUR")
    for i in range(count):
        base, quote = f"C{i:04d}", quotes[i % len(quotes)]
        symbol = Symbol(id=f"{base}{quote}", base=base, quote=quote,
                        start_price=Decimal("1.5"), tick_size=Decimal("0.0001"),
                        min_price=Decimal("0.0001"), max_price=Decimal("1000000"),
                        step_size=Decimal("0.01"), min_qty=Decimal("0.01"),
                        max_qty=Decimal("9000000"), min_notional=Decimal("5"),
                        max_notional=Decimal("9000000"))
        book.symbols[symbol.id] = symbol
        book.prices[symbol.id] = symbol.start_price
        book.stats[symbol.id] = Stats(symbol.start_price, symbol.start_price,
                                      symbol.start_price)


def open_times(bench: Bench) -> tuple[list[float], list[float]]:
    """Cold and cached openings of the trading view, each after an unlock."""
    cold, cached = [], []
    for _ in range(OPEN_RUNS):
        bench.window.show_keys()
        bench.relock()
        warm = bench.fresh_cache()
        cold.append(bench.open_trading())
        bench.window.show_keys()
        bench.relock()
        os.environ[CACHE_ENV] = str(warm)  # the copy the cold run saved
        cached.append(bench.open_trading())
    return cold, cached


def first_open_child(path: Path, entry_id: str, cache: Path) -> float:
    """This script in a fresh interpreter: unlock, then the first Ctrl+T's seconds to the
    symbol list (the view built, ccxt's exchange module imported, markets from ``cache``
    or the server)."""
    import json
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env[CACHE_ENV] = str(cache)
    proc = subprocess.run([sys.executable, __file__, "--first-open", str(path), entry_id],
                          capture_output=True, text=True, cwd=REPO, env=env, check=False,
                          timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"bench_trading_gui child failed: {proc.stderr.strip()[-800:]}")
    seconds: float = json.loads(proc.stdout.strip().splitlines()[-1])
    return seconds


def first_open(path: Path, entry_id: str) -> None:
    """The child's side of ``first_open_child``."""
    import json

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        bench = Bench(folder, path, entry_id)
        bench.unlock()
        assert not any(name.split(".")[0] == "ccxt" for name in sys.modules)
        start = time.perf_counter()
        bench.window.sections.trading_view()  # built as the first Ctrl+T does
        built = time.perf_counter() - start
        seconds = built + bench.open_trading()
        bench.close()
    print(json.dumps(seconds))


def core_place(session: Any, pause: float, *, recheck_price: bool | None) -> float:
    """``preview``, the same pause, then ``place`` timed (as bench_trading.py times it)."""
    from vault_app.trading.orders import parse_order

    request = parse_order(session.entry.id, "BTC/USDT", "buy", "limit", AMOUNT,
                          RESTING_PRICE)
    preview = session.preview(request)
    time.sleep(pause)
    start = time.perf_counter()
    done = session.place(preview, recheck_price=recheck_price)
    elapsed = time.perf_counter() - start
    assert done.problem is None, done.problem
    return elapsed


WORKER_PLACES: list[tuple[float, float]] = []
"""When ``TradingSession.place`` started and ended in the view's worker (``perf_counter``),
see ``time_worker_place``."""
SPLITS: list[tuple[float, float, float]] = []
"""Per view run: confirm to the worker's start, the worker's place, its end to the row."""


def time_worker_place() -> None:
    """Time ``TradingSession.place`` when a worker thread (the view's op) runs it, to split
    the view's figure into the core's call and the rest (the hand-offs, the table)."""
    import threading

    from vault_app.trading.session import TradingSession

    place = TradingSession.place

    def timed(self: TradingSession, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return place(self, *args, **kwargs)
        finally:
            if threading.current_thread() is not threading.main_thread():
                WORKER_PLACES.append((start, time.perf_counter()))

    TradingSession.place = timed  # type: ignore[method-assign]


def order_times(bench: Bench, folder: Path, demo: DemoExchange
                ) -> tuple[list[float], list[float], list[float]]:
    """Interleaved: the view's confirm-to-OPEN, the core's ``place`` as the view calls
    it, and the core's ``place`` as bench_trading.py times it."""
    from vault_app.trading.session import TradingSession

    core_vault = Vault.create(folder / "core.vault", PASSWORD, FAST_KDF,
                              enforce_kdf_minimum=False)
    core_entry = core_vault.add(demo_entry(demo, "core", demo.add_key(balances=BALANCES)))
    session = TradingSession(core_vault, core_entry)
    core_place(session, 0, recheck_price=None)  # warm: journal made, markets loaded
    bench.place(0)  # warm: the dialogs' first build
    SPLITS.clear()
    gui: list[float] = []
    checked: list[float] = []
    default: list[float] = []
    steps: list[Callable[[], None]] = [
        lambda: gui.append(bench.place(PAUSE)),
        lambda: checked.append(core_place(session, PAUSE, recheck_price=True)),
        lambda: default.append(core_place(session, PAUSE, recheck_price=None)),
    ]
    for run in range(ORDER_RUNS):  # interleaved: each sees the same machine
        for step in steps[run % 3:] + steps[:run % 3]:  # each goes first a third of runs
            step()
    session.close()
    core_vault.lock()
    return gui, checked, default


def quiet_offscreen_warnings() -> None:
    """The offscreen platform warns on every dialog shown; the figures are what matters."""
    from vault_app.gui.qt import QtCore

    def handler(_kind: Any, _context: Any, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    QtCore.qInstallMessageHandler(handler)


def show_open(title: str, cold: list[float], cached: list[float]) -> None:
    print(title)
    report("markets cache cold (from the server, then saved)", statistics.median(cold),
           note=f"(max {max(cold) * 1000:.0f} ms)")
    report("markets cache warm (a second visit after an unlock)", statistics.median(cached),
           0.100, note=f"(max {max(cached) * 1000:.0f} ms)")


def main() -> None:
    print("bench_trading_gui: the trading view against the demo exchange (offscreen Qt)")
    quiet_offscreen_warnings()
    time_worker_place()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
        os.environ["XDG_DATA_HOME"] = str(folder / "data")
        big = RemoteDemo()
        try:
            big_path, big_id = make_vault(folder, "big", big, big.key)
            fresh_cold, fresh_warm = [], []
            for run in range(FRESH_RUNS):
                cache = folder / f"fresh-cache-{run}"
                fresh_cold.append(first_open_child(big_path, big_id, cache))
                fresh_warm.append(first_open_child(big_path, big_id, cache))
            with DemoExchange(seed=7, volatility="0") as demo:
                path, entry_id = make_vault(folder, "gui", demo,
                                            demo.add_key(balances=BALANCES))
                bench = Bench(folder, path, entry_id, demo)
                bench.unlock()
                start = time.perf_counter()
                bench.window.sections.trading_view()
                built = time.perf_counter() - start
                first_gap = bench.largest_gap(first=True)  # the first Ctrl+T: imports ccxt
                later_gap = bench.largest_gap(first=False)
                small_cold, small_cached = open_times(bench)
                gui, core_checked, core_default = order_times(bench, folder, demo)
                bench.window.show_keys()
                bench.idle()
                bench.window.lock()
                bench.path, bench.entry_id, bench.demo = big_path, big_id, big
                bench.unlock()
                big_cold, big_cached = open_times(bench)
                big_gap = bench.largest_gap(first=False)
                bench.close()
        finally:
            big.close()

    print(f"Opening the trading view to a usable symbol list, median of {OPEN_RUNS} "
          "(each after an unlock: the key's client is built anew)")
    report("building the view (the first Ctrl+T of a session only)", built)
    show_open(" the demo's 3 markets", small_cold, small_cached)
    show_open(f" {EXTRA_MARKETS + 3:,} markets (Binance-sized; the server in its own process)",
              big_cold, big_cached)
    print(f" the first Ctrl+T of a fresh process, {EXTRA_MARKETS + 3:,} markets, median of "
          f"{FRESH_RUNS} (view built, ccxt's binance imported)")
    report("markets cache cold (the first start)", statistics.median(fresh_cold))
    report("markets cache warm (a second start)", statistics.median(fresh_warm), 0.100)
    print(f"Confirm to the order shown accepted (OPEN), {ORDER_RUNS} interleaved runs, "
          f"{PAUSE * 1000:.0f} ms after the confirmation showed, loopback")
    app = statistics.median(gui)
    report("the view: ConfirmDialog accepted -> OPEN in open orders", app,
           note=f"(max {max(gui) * 1000:.0f} ms)")
    for index, name in enumerate(("confirm to the worker's place() (UI: PENDING row, op)",
                                  "place() in the view's worker",
                                  "its end to the OPEN row (hand-off, UI callback)")):
        report(f"  {name}", statistics.median(split[index] for split in SPLITS))
    checked = statistics.median(core_checked)
    report("core alone: place(recheck_price=True), as the view calls it", checked,
           note="(a fresh ticker first)")
    report("core alone: place() (bench_trading.py's figure)", statistics.median(core_default))
    report("ratio view / core (same call)", app / checked, unit="x",
           note=f"= {app / checked:.3f}; view - core = {(app - checked) * 1000:.1f} ms")
    print(f"The UI thread's largest gap: a {TICK_MS} ms QTimer while the markets load (cold) "
          f"and an order is sent, server answering after {LATENCY * 1000:.0f} ms")
    for name, (gap, ticks, where) in (
            ("first Ctrl+T of the process (imports ccxt), 3 markets", first_gap),
            ("a later visit (view built, ccxt loaded), 3 markets", later_gap),
            (f"a later visit, {EXTRA_MARKETS + 3:,} markets (server apart)", big_gap)):
        report(name, gap, 0.200, note=f"({ticks} ticks; the largest while {where})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--first-open":
        first_open(Path(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--serve-big":
        serve_big()
    else:
        main()
