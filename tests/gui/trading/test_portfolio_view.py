"""The Portfolio page against the demo exchange over HTTP: the real widget, the real
window's ops, real ccxt. Balances of two keys summed, a failing key named with its
reason while the others show, rows as exchanges finish, export, and lock."""

from __future__ import annotations

import csv
import dataclasses
import io
import stat
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import FAST_KDF, PASSWORD
from tests.e2e.trading_support import demo_entry as any_entry
from tests.gui.helpers import SIGNAL_TIMEOUT, click, type_into, unlock
from tests.gui.trading.conftest import Hook
from tests.unit.trading.refused_port import refused_url
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.trading.portfolio_tree import COL_AMOUNT, COL_NAME, COL_VALUE, TEST_HEADER
from vault_app.gui.trading.portfolio_view import PortfolioView
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest

BTC, ETH = Decimal(50000), Decimal(2500)


def demo_entry(*args: Any, **fields: Any) -> KeyEntry:
    """A key of the demo exchange, tagged as the demo vault's keys are: test money in
    the portfolio (a key on another URL of this computer counts as real money)."""
    return any_entry(*args, **{"tags": ("demo",), **fields})


@pytest.fixture(autouse=True)
def _never_import_ccxt() -> Iterator[None]:
    """Overrides the GUI folder's guard: a refresh loads ccxt (the demo's binance)."""
    yield


@pytest.fixture
def demo(request_hooks: list[Hook]) -> Iterator[DemoExchange]:
    """The folder's demo exchange (its ``request_hooks`` apply), with pinned prices."""
    def on_request(request: ReceivedRequest, status: int) -> None:
        for hook in list(request_hooks):
            hook(request, status)

    with DemoExchange(seed=1, on_request=on_request) as exchange:
        exchange.set_price("BTC/USDT", BTC)  # pinned: the walk leaves them
        exchange.set_price("ETH/USDT", ETH)
        yield exchange


@pytest.fixture
def make_view(qtbot: QtBot, vault_path: Path, make_window: Callable[..., MainWindow]
              ) -> Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]:
    """A window unlocked on a vault of ``entries``, and the page on its own beside it."""

    def make(entries: list[KeyEntry]) -> tuple[MainWindow, PortfolioView]:
        vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
        for entry in entries:
            vault.add(entry)
        vault.lock()
        window = make_window()
        unlock(qtbot, window)
        view = PortfolioView(window)
        qtbot.addWidget(view)
        view.resize(1000, 560)
        view.show()
        qtbot.waitExposed(view)
        return window, view

    return make


def refresh(qtbot: QtBot, view: PortfolioView) -> None:
    """Refresh, or wait for the refresh of the page's first showing."""
    with qtbot.waitSignal(view.refreshed, timeout=SIGNAL_TIMEOUT * 3):
        if not view.busy:
            click(qtbot, view.refresh_button)


TEST_MONEY = "Test money (not real): "


def asset_rows(view: PortfolioView) -> dict[str, tuple[str, str]]:
    """Asset -> (amount, value) as shown."""
    rows = {}
    for index in range(view.table.topLevelItemCount()):
        item = view.table.topLevelItem(index)
        assert item is not None
        if item.data(COL_NAME, Qt.ItemDataRole.UserRole) != TEST_HEADER:
            rows[item.text(COL_NAME)] = (item.text(COL_AMOUNT), item.text(COL_VALUE))
    return rows


def key_rows(view: PortfolioView, asset: str) -> dict[str, str]:
    """Key label -> amount, under ``asset``."""
    for index in range(view.table.topLevelItemCount()):
        item = view.table.topLevelItem(index)
        assert item is not None
        if item.text(COL_NAME) == asset:
            return {item.child(i).text(COL_NAME): item.child(i).text(COL_AMOUNT)
                    for i in range(item.childCount())}
    raise AssertionError(f"{asset} is not shown")


def failures_shown(view: PortfolioView) -> list[str]:
    return view.failures.texts()


def test_two_keys_are_summed_and_a_failing_key_says_why(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    third = demo.add_key(("read",), {"USDT": "250.5", "BTC": "0.5"})
    _window, view = make_view([
        demo_entry(demo, "watcher", demo.read_key, ("read",)),
        demo_entry(demo, "forged", demo.trading_key, ("read", "trade"), secret="f" * 64),
        demo_entry(demo, "third", third, ("read",)),
    ])
    refresh(qtbot, view)  # on its first showing

    # 100000 USDT, 1 BTC, 10 ETH (watcher) and 250.5 USDT, 0.5 BTC (third).
    assert asset_rows(view) == {"USDT": ("100,250.5", "100,250.50"),
                                "BTC": ("1.5", "75,000.00"), "ETH": ("10", "25,000.00")}
    assert key_rows(view, "BTC") == {"watcher": "1.0", "third": "0.5"}  # one asset's decimals
    assert view.summary.text() == f"{TEST_MONEY}200,250.50 USDT"  # the demo's: not real
    assert "2 of 3 keys answered, as of " in view.details.text()
    [failure] = failures_shown(view)
    assert failure.startswith(f"forged (binance, {demo.url}): the exchange refused the API "
                              "key or secret")
    assert "whitelisted" in failure and "f" * 16 not in failure
    assert view.failures.isVisible()
    assert view.export_button.isEnabled()


def test_rows_appear_as_each_exchange_is_done_and_the_window_stays_responsive(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    arrived, release = threading.Event(), threading.Event()

    def hold(_request: ReceivedRequest, _status: int) -> None:
        arrived.set()
        release.wait(30)  # the slow exchange answers once the checks below are done

    with DemoExchange(seed=2, on_request=hold) as slow:
        try:
            window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",)),
                                      demo_entry(slow, "slow", slow.read_key, ("read",))])
            click(qtbot, view.refresh_button)
            assert view.busy and window.ops.busy  # the fetch runs through the window's ops
            assert window.ops._network.activeThreadCount() >= 1  # in the network pool
            assert not view.refresh_button.isEnabled() and view.progress.isVisible()

            # The fast exchange's rows show while the slow one holds its answer, and
            # the window takes typing meanwhile.
            qtbot.waitUntil(lambda: "USDT" in asset_rows(view), timeout=SIGNAL_TIMEOUT)
            assert arrived.is_set() and view.busy
            assert view.summary.text().endswith("so far…")
            type_into(qtbot, window.search, "watch")
            assert window.search.text() == "watch"
            assert view.busy and key_rows(view, "USDT") == {"watcher": "100,000"}
        finally:
            release.set()

        with qtbot.waitSignal(view.refreshed, timeout=SIGNAL_TIMEOUT * 3):
            pass
        assert not view.busy and view.refresh_button.isEnabled()
        assert key_rows(view, "USDT") == {"watcher": "100,000", "slow": "100,000"}
        assert not view.progress.isVisible()


def test_a_read_key_and_a_trade_key_of_one_account_are_counted_once(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    # (The vault refuses a second entry of one API key; a file from another writer may
    # hold one: the core's tests cover that case.)
    reader = demo.add_key(("read",), account_of=demo.trading_key)
    _window, view = make_view([demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
                               demo_entry(demo, "reader", reader, ("read",))])

    refresh(qtbot, view)

    # One account: 100000 USDT, 1 BTC, 10 ETH once, though two keys read it.
    assert asset_rows(view) == {"USDT": ("100,000", "100,000.00"),
                                "BTC": ("1", "50,000.00"), "ETH": ("10", "25,000.00")}
    assert key_rows(view, "BTC") == {"trader + reader": "1"}
    assert view.summary.text() == f"{TEST_MONEY}175,000.00 USDT"  # the demo's: not real
    details = view.details.text()
    assert "2 of 2 keys answered, as of " in details
    assert f"One account on {demo.url}, counted once: 'trader', 'reader'." in details
    assert not view.failures.isVisible()


def test_an_unreachable_key_is_listed_and_the_others_shown(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    with refused_url() as url:  # bound, never listening: refused while the test runs
        gone = dataclasses.replace(demo_entry(demo, "gone", demo.add_key(("read",)),
                                              ("read",)), api_url=url)
        _window, view = make_view([gone, demo_entry(demo, "watcher", demo.read_key,
                                                    ("read",))])

        refresh(qtbot, view)

    [failure] = failures_shown(view)
    assert failure.startswith(f"gone (binance, {url}): the exchange could not be reached")
    assert key_rows(view, "USDT") == {"watcher": "100,000"}
    # The box is as tall as its reason, not a fixed block under the table.
    box = view.failures.area
    assert box.height() <= box.widget().sizeHint().height() + 2 * box.frameWidth() + 2


def test_an_asset_without_a_price_says_so_and_a_read_less_key_is_not_asked(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    odd = demo.add_key(("read",), {"USDT": "10", "XYZ": "5"})
    _window, view = make_view([demo_entry(demo, "odd", odd, ("read",)),
                               demo_entry(demo, "bot", demo.add_key(("trade",)), ("trade",))])

    refresh(qtbot, view)

    assert asset_rows(view) == {"USDT": ("10", "10.00"), "XYZ": ("5", "no price")}
    assert key_rows(view, "XYZ") == {"odd": "5"}
    xyz = view.table.topLevelItem(2)  # under the test money's row
    assert xyz is not None and xyz.isExpanded() and xyz.text(COL_NAME) == "XYZ"
    assert xyz.child(0).text(COL_VALUE) == "no price"
    assert "not in the total" in xyz.child(0).toolTip(COL_VALUE)
    assert view.summary.text() == f"{TEST_MONEY}10.00 USDT"  # the demo's: not real
    assert "Not valued (no price in USDT): XYZ." in view.details.text()
    assert "Not asked (not labelled read): bot." in view.details.text()
    assert not view.failures.isVisible()


def test_values_in_another_quote_and_a_bad_quote_is_refused(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    demo.set_price("ETH/BTC", "0.05")
    _window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    type_into(qtbot, view.quote.lineEdit(), "btc")

    refresh(qtbot, view)

    assert view.quote.currentText() == "BTC"
    assert asset_rows(view) == {"USDT": ("100,000", "2.00000000"),
                                "BTC": ("1", "1.00000000"), "ETH": ("10", "0.50000000")}
    header = view.table.headerItem()
    assert header.text(COL_VALUE) == "Value (BTC)"

    requests = len(demo.requests)
    type_into(qtbot, view.quote.lineEdit(), "=1+1")
    click(qtbot, view.refresh_button)
    assert "quote currency must be" in view.details.text()
    assert not view.busy and len(demo.requests) == requests


def test_no_bold_zero_when_no_key_answered_and_nothing_to_export(
        qtbot: QtBot,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    """u1: "Total: 0.00 USDT" in bold, Export enabled, with the only (LIVE) key offline."""
    from tests.conftest import make_entry

    with refused_url() as url:
        live = make_entry("main", "binance", environment="custom",
                          api_url=url.replace("http://127.0.0.1", "https://0.0.0.0"),
                          permissions=("read",))
        _window, view = make_view([live])
        refresh(qtbot, view)

    assert view.summary.text() == "No balance could be read"
    assert "0 of 1 key answered" in view.details.text()  # one key (u2 N6)
    assert len(failures_shown(view)) == 1 and not view.export_button.isEnabled()


def test_the_page_refreshes_on_its_first_showing_and_says_when(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    _window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    # Nobody clicks Refresh:
    qtbot.waitUntil(lambda: view.portfolio is not None, timeout=SIGNAL_TIMEOUT * 3)
    assert "as of " in view.details.text() and view.export_button.isEnabled()
    header = view.table.topLevelItem(0)
    assert header is not None and header.data(COL_NAME, Qt.ItemDataRole.UserRole) == TEST_HEADER
    assert "not real money" in header.text(COL_NAME)
    usdt = key_rows(view, "USDT")
    assert usdt == {"watcher": "100,000"}


def test_export_writes_the_csv_through_a_save_dialog(
        qtbot: QtBot, demo: DemoExchange, tmp_path: Path,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    _window, view = make_view([demo_entry(demo, "=watcher", demo.read_key, ("read",))])
    refresh(qtbot, view)
    click(qtbot, view.export_button)
    dialog = view.export_dialog
    assert isinstance(dialog, QtWidgets.QFileDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert "not encrypted" in dialog.windowTitle()
    note = dialog.findChild(QtWidgets.QLabel, "notEncryptedNote")
    assert note is not None and note.isVisible() and "not encrypted" in note.text()
    target = tmp_path / "mine.csv"

    dialog.selectFile(str(target))
    dialog.accept()
    qtbot.waitUntil(lambda: "Exported to" in view.details.text(), timeout=SIGNAL_TIMEOUT)

    assert "not encrypted" in view.details.text()
    assert "as of " in view.details.text()  # the time of the exported balances stays
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["row", "asset"]
    assert rows[1][0] == "as of" and rows[1][10].endswith(" UTC")
    usdt = next(r for r in rows if r[0] == "test key" and r[1] == "USDT")
    assert usdt[4] == "'=watcher"  # a label a spreadsheet would run is made text
    assert view.export_dialog is None


def test_export_never_replaces_the_vault_and_the_dialog_says_why(
        qtbot: QtBot, demo: DemoExchange, vault_path: Path,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    """a1 F3: the vault picked in the save dialog was replaced by the CSV (every key lost)."""
    window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    refresh(qtbot, view)
    before = vault_path.read_bytes()
    click(qtbot, view.export_button)
    dialog = view.export_dialog
    assert isinstance(dialog, QtWidgets.QFileDialog)
    qtbot.waitUntil(dialog.isVisible)

    dialog.selectFile(str(vault_path))
    dialog.accept()  # what the user's Export does

    refused = dialog.findChild(QtWidgets.QLabel, "exportRefusal")
    assert refused is not None and refused.isVisible()
    assert "would lose every key" in refused.text() and dialog.isVisible()
    view.export_to(vault_path)  # past the dialog too (the core refuses it)
    qtbot.waitUntil(lambda: "Not exported" in view.details.text(), timeout=SIGNAL_TIMEOUT)
    assert "would lose every key" in view.details.text()
    assert vault_path.read_bytes() == before
    window.lock()
    Vault.open(vault_path, PASSWORD).lock()


def test_a_huge_balance_is_shown_and_a_negative_one_is_refused_with_its_reason(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    """a1 item 8: 1e24 BTC (a value past 1e26) left the page empty, "Refreshing…" for
    ever; -5 BTC lowered the total without a word."""
    from tests.unit.trading.test_portfolio import give

    third = demo.add_key(("read",), {"USDT": "1"})
    give(demo, demo.read_key, "BTC", "1" + "0" * 24)
    give(demo, third, "BTC", "-5")
    _window, view = make_view([
        demo_entry(demo, "watcher", demo.read_key, ("read",)),
        demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
        demo_entry(demo, "third", third, ("read",))])

    refresh(qtbot, view)

    assert not view.busy and view.refresh_button.text() == "&Refresh"
    assert key_rows(view, "BTC")["watcher"] == "1," + ",".join(["000"] * 8)
    assert "trader" in key_rows(view, "USDT")
    [failure] = failures_shown(view)
    assert failure.startswith("third") and "odd balance: total -5" in failure
    assert "BTC (negative)" in failure


def test_clear_forgets_everything_and_ignores_a_fetch_in_flight(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    refresh(qtbot, view)
    click(qtbot, view.export_button)
    dialog = view.export_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)

    view.clear()  # what the window calls when it locks

    assert view.table.topLevelItemCount() == 0 and view.portfolio is None
    assert view.export_dialog is None and not dialog.isVisible()
    assert view.summary.text() == "No balances fetched yet."
    assert not view.export_button.isEnabled()

    demo.faults.latency = 0.5
    click(qtbot, view.refresh_button)
    assert view.busy
    view.clear()  # locked while fetching: the answer must not come back on screen
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=SIGNAL_TIMEOUT)
    assert view.table.topLevelItemCount() == 0 and view.portfolio is None
    assert not view.busy


def test_locking_the_window_clears_the_page_and_unlocking_allows_a_refresh(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    refresh(qtbot, view)
    assert view.table.topLevelItemCount() == 4  # the test money's row, then 3 assets

    window.lock()

    assert view.table.topLevelItemCount() == 0 and view.portfolio is None
    assert not view.refresh_button.isEnabled()  # no vault, no keys
    unlock(qtbot, window)
    assert view.refresh_button.isEnabled()
    refresh(qtbot, view)
    assert key_rows(view, "USDT") == {"watcher": "100,000"}


def test_every_control_is_reached_by_tab(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    _window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    refresh(qtbot, view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is view)
    view.refresh_button.setFocus()
    seen = []
    for _ in range(6):
        seen.append(QtWidgets.QApplication.focusWidget())
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
    names = {widget.objectName() for widget in seen if widget is not None}
    assert {"refreshPortfolio", "exportPortfolio", "portfolioTable"} <= names
    assert view.quote.lineEdit() in seen or view.quote in seen
    # Mnemonics: Alt+U the quote, Alt+R refresh (none is taken by the window's menus).
    qtbot.keyClick(view, "u", Qt.KeyboardModifier.AltModifier)
    assert QtWidgets.QApplication.focusWidget() in (view.quote, view.quote.lineEdit())
    with qtbot.waitSignal(view.refreshed, timeout=SIGNAL_TIMEOUT * 3):
        qtbot.keyClick(view, "r", Qt.KeyboardModifier.AltModifier)


def test_an_entry_of_an_api_key_asked_under_another_is_named_under_the_total() -> None:
    # A vault file from another writer may hold one API key twice (the app refuses to).
    from vault_app.gui.trading.portfolio_view import details_text
    from vault_app.trading.portfolio import KeyRef, SameKey, assemble

    first = KeyRef("a", "trader", "binance", "LIVE binance", True, "LIVE: real money")
    copy = KeyRef("b", "trader copy", "binance", "LIVE binance", True, "LIVE: real money")
    portfolio = assemble([], "USDT", keys_asked=1, same_key=[SameKey(copy, first)])

    assert "Not asked, counted once: 'trader copy' (same API key as 'trader')." in \
        details_text(portfolio, final=True)


def test_the_portfolio_waits_for_the_trading_views_request_of_the_same_key(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange, request_hooks: list[Hook]) -> None:
    """One request at a time per API key in the process, whichever page's client sends
    it (a nonce-signing exchange refuses requests that race): the trading view's
    balance request of ``trader`` is held at the server; the portfolio's request of the
    same key is not sent until it is answered."""
    from tests.gui.trading.support import idle, open_trading

    trader = demo.trading_key.api_key
    view = open_trading(qtbot, trading_window, "trader")
    held, release, second = threading.Event(), threading.Event(), threading.Event()
    lock = threading.Lock()
    in_flight, most = [0], [0]

    def count(request: ReceivedRequest, _status: int) -> None:
        if {k.lower(): v for k, v in request.headers.items()}.get("x-mbx-apikey") != trader:
            return
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
            first = not held.is_set()
            held.set()
        try:
            if first:
                release.wait(30)  # the trading view's request, in flight meanwhile
            else:
                second.set()
        finally:
            with lock:
                in_flight[0] -= 1

    request_hooks.append(count)
    try:
        view.load_balances()  # the trading view asks with trader's key...
        qtbot.waitUntil(held.is_set, timeout=SIGNAL_TIMEOUT)
        trading_window.show_portfolio()
        page = trading_window.sections.portfolio_view()
        page.refresh()  # ...and the portfolio asks with it too (trader, then watcher)
        # A bounded wait for what must not happen: trader's second request while the
        # first is unanswered.
        assert not second.wait(1.0)
    finally:
        release.set()
    with qtbot.waitSignal(page.refreshed, timeout=SIGNAL_TIMEOUT * 3):
        pass
    idle(qtbot, trading_window)
    assert second.is_set() and most[0] == 1  # it went, after the first was answered
    assert key_rows(page, "USDT") == {"trader": "100,000", "watcher": "100,000"}


def test_test_money_without_a_price_says_so_in_words(
        qtbot: QtBot, demo: DemoExchange,
        make_view: Callable[[list[KeyEntry]], tuple[MainWindow, PortfolioView]]) -> None:
    """u2 N7: "Test money: no price EUR, not real money"."""
    _window, view = make_view([demo_entry(demo, "watcher", demo.read_key, ("read",))])
    type_into(qtbot, view.quote.lineEdit(), "eur")
    refresh(qtbot, view)
    headers = [item.text(COL_NAME) for index in range(view.table.topLevelItemCount())
               if (item := view.table.topLevelItem(index)) is not None
               and item.data(COL_NAME, Qt.ItemDataRole.UserRole) == TEST_HEADER]
    assert len(headers) == 1
    assert headers[0].startswith("Test money") and ": not valued in EUR, not real money" \
        in headers[0] and "no price EUR" not in headers[0]
