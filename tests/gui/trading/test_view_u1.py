"""The trading view as u1 met it: the last price keeps up (D10), the market list points
at the ticket's market (D5), one reason is said once (D34), Ctrl+2 (D29), Ctrl+L from a
review dialog (D30), unlocking resumes where the lock was (D16), a tab's mnemonic
moves into its table (D25)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import CTRL, click, reactivate, unlock, wait_for_dialog
from tests.gui.trading.support import TIMEOUT, choose_key, idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.sections import KEYS, TRADING
from vault_app.gui.trading.review_dialogs import PreviewDialog
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange

ALT = Qt.KeyboardModifier.AltModifier


def tickers(demo: DemoExchange) -> int:
    return sum(1 for r in demo.requests if "ticker" in r.path)


def test_the_last_price_is_asked_again_while_the_view_shows(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    view.ticker.setInterval(20)  # 5 s in use
    asked = tickers(demo)
    qtbot.waitUntil(lambda: tickers(demo) >= asked + 2, timeout=TIMEOUT)
    trading_window.show_keys()  # hidden: no more asking
    idle(qtbot, trading_window)
    assert not view.ticker.isActive()


def test_the_market_list_never_points_at_another_market_than_the_ticket(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    picker = view.symbols
    assert picker.chosen == "BTC/USDT"
    picker.search.setFocus()
    qtbot.keyClicks(picker.search, "eth")
    assert view.ticket.title.text().endswith("BTC/USDT")
    assert picker.list.selectionModel().selectedIndexes() == []  # BTC/USDT is hidden
    picker.search.clear()
    assert picker.list.currentIndex().data() == "BTC/USDT"
    assert [i.data() for i in picker.list.selectionModel().selectedIndexes()] == ["BTC/USDT"]


def test_an_unreachable_exchange_is_explained_once(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    demo.faults.unavailable = True
    trading_window.show_trading()
    view = trading_window.sections.trading
    assert view is not None
    qtbot.waitUntil(view.symbols.retry.isVisible, timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert view.symbols.status.text().startswith("The markets could not be loaded: ")
    assert view.open_orders.problem.text() == \
        "Open orders could not be loaded: the same problem as under Market."
    assert "could not be loaded:" not in view.ticket.messages["symbol"].text()


def test_ctrl_2_opens_trading(qtbot: QtBot, trading_window: MainWindow,
                              keys: dict[str, KeyEntry]) -> None:
    qtbot.keyClick(trading_window, Qt.Key.Key_2, CTRL)
    assert trading_window.sections.currentIndex() == TRADING
    idle(qtbot, trading_window)


def test_ctrl_l_locks_from_the_review_dialog(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    from tests.gui.trading.support import RESTING_PRICE, fill_limit

    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.waitUntil(view.ticket.review.isEnabled)
    click(qtbot, view.ticket.review)
    qtbot.waitUntil(lambda: isinstance(trading_window.trading_dialog, PreviewDialog),
                    timeout=TIMEOUT)
    dialog = trading_window.trading_dialog
    assert dialog is not None
    wait_for_dialog(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_L, CTRL)
    assert trading_window.vault is None
    assert not dialog.isVisible() and trading_window.trading_dialog is None
    idle(qtbot, trading_window)


def test_unlocking_resumes_the_section_and_key_of_the_lock(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    choose_key(qtbot, view, "watcher")
    idle(qtbot, trading_window)
    view.symbols.choose("ETH/USDT")
    idle(qtbot, trading_window)
    qtbot.keyClick(trading_window, Qt.Key.Key_L, CTRL)
    assert trading_window.vault is None
    idle(qtbot, trading_window)
    unlock(qtbot, trading_window)
    assert trading_window.sections.currentIndex() == TRADING
    assert view.entry is not None and view.entry.label == "watcher"
    idle(qtbot, trading_window)
    # and the market of the lock, not BTC/USDT (u2 N8)
    qtbot.waitUntil(lambda: view.symbols.chosen == "ETH/USDT")
    assert view.ticket.title.text() == "Order · ETH/USDT"
    trading_window.show_keys()
    qtbot.keyClick(trading_window, Qt.Key.Key_L, CTRL)
    unlock(qtbot, trading_window)
    assert trading_window.sections.currentIndex() == KEYS


def test_a_tabs_mnemonic_moves_into_its_table_which_shows_the_focus(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    reactivate(qtbot, trading_window)
    view.ticket.amount.setFocus()
    qtbot.keyClick(trading_window, Qt.Key.Key_H, ALT)  # &History
    qtbot.waitUntil(view.history.table.hasFocus)
    assert view.tabs.currentWidget() is view.history
    qtbot.keyClick(trading_window, Qt.Key.Key_D, ALT)  # Open or&ders
    qtbot.waitUntil(view.open_orders.table.hasFocus)
    assert "QTableView:focus" in view.open_orders.table.styleSheet()
    assert isinstance(QtWidgets.QApplication.focusWidget(), QtWidgets.QTableView)
