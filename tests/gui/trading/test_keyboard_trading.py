"""A keyboard-only user places, reviews, confirms and cancels an order: only key
presses (Ctrl+T, mnemonics, typing, Tab, Enter, arrows), no click."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import reactivate, wait_for_dialog
from tests.gui.test_keyboard_access import duplicates, mnemonic
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    cancels,
    idle,
    order_posts,
    states_shown,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange

ALT = Qt.KeyboardModifier.AltModifier


def focused() -> QtWidgets.QWidget | None:
    return QtWidgets.QApplication.focusWidget()


def press(qtbot: QtBot, key: Qt.Key | str,
          modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard is (the focused widget of the active window)."""
    target = focused() or QtWidgets.QApplication.activeWindow()
    assert target is not None
    qtbot.keyClick(target, key, modifier)


def tab_to(qtbot: QtBot, widget: QtWidgets.QWidget, limit: int = 40) -> None:
    for _ in range(limit):
        if focused() is widget:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {widget.objectName()}; at {focused()!r}")


def test_place_review_confirm_and_cancel_with_the_keyboard_alone(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry],
        demo: DemoExchange) -> None:
    window = trading_window
    reactivate(qtbot, window)
    press(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    view = window.sections.trading
    assert view is not None and view.isVisible()
    assert focused() is view.keys.combo and view.keys.combo.currentText().startswith("trader")
    qtbot.waitUntil(lambda: view.symbols.chosen == "BTC/USDT", timeout=TIMEOUT)
    idle(qtbot, window)

    press(qtbot, "p", ALT)  # &Price
    assert focused() is view.ticket.price
    qtbot.keyClicks(view.ticket.price, RESTING_PRICE)
    press(qtbot, "a", ALT)  # &Amount
    assert focused() is view.ticket.amount
    qtbot.keyClicks(view.ticket.amount, "0.001")
    press(qtbot, Qt.Key.Key_Return)  # Enter in a field reviews the order

    qtbot.waitUntil(lambda: isinstance(window.trading_dialog, PreviewDialog), timeout=TIMEOUT)
    preview = window.trading_dialog
    assert isinstance(preview, PreviewDialog)
    wait_for_dialog(qtbot, preview)
    assert focused() is preview.cancel  # the safe answer has the keyboard
    press(qtbot, "c", ALT)  # &Continue…
    qtbot.waitUntil(lambda: isinstance(window.trading_dialog, ConfirmDialog), timeout=TIMEOUT)
    confirm = window.trading_dialog
    assert isinstance(confirm, ConfirmDialog)
    wait_for_dialog(qtbot, confirm)
    assert focused() is confirm.cancel
    press(qtbot, "p", ALT)  # &Place BUY order
    qtbot.waitUntil(lambda: states_shown(view) == ["OPEN"], timeout=TIMEOUT)
    idle(qtbot, window)
    assert len(order_posts(demo)) == 1

    reactivate(qtbot, window)
    press(qtbot, "l", ALT)  # Ba&lances
    assert view.tabs.currentWidget() is view.balances
    asked = [r.path for r in demo.requests].count("/api/v3/account")
    press(qtbot, Qt.Key.Key_F5)  # refreshes the tab on show
    idle(qtbot, window)
    assert [r.path for r in demo.requests].count("/api/v3/account") == asked + 1
    press(qtbot, "d", ALT)  # Open or&ders
    assert view.tabs.currentWidget() is view.open_orders
    tab_to(qtbot, view.open_orders.table)
    press(qtbot, Qt.Key.Key_Down)
    assert view.open_orders.selected() is not None
    assert view.open_orders.cancel.isEnabled()
    press(qtbot, "c", ALT)  # &Cancel order… (a mnemonic clicks after a short animation)
    qtbot.waitUntil(lambda: window.trading_dialog is not None)
    box = window.trading_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    press(qtbot, "y", ALT)  # &Yes, cancel the order
    qtbot.waitUntil(lambda: view.open_orders.orders() == [], timeout=TIMEOUT)
    idle(qtbot, window)
    [held] = demo.orders_for(demo.trading_key.api_key)
    assert held.status == "CANCELED" and len(cancels(demo)) == 1


def every_mnemonic(root: QtWidgets.QWidget) -> list[str]:
    """Buddy labels and buttons under ``root``, shown or not (the worst case: the far-price
    checkbox, the stop price and "Load markets again" appear only at times)."""
    texts = [label.text() for label in root.findChildren(QtWidgets.QLabel)
             if label.buddy() is not None]
    texts += [button.text() for button in root.findChildren(QtWidgets.QAbstractButton)
              if not isinstance(button, QtWidgets.QToolButton)]
    return [key for key in map(mnemonic, texts) if key]


def test_no_alt_letter_is_ambiguous_on_the_trading_page(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    window = trading_window
    window.show_trading()
    view = window.sections.trading
    assert view is not None
    menu = [mnemonic(action.text()) for action in window.menuBar().actions()]
    tabs = [mnemonic(view.tabs.tabText(index)) for index in range(view.tabs.count())]
    always = [key for key in (*menu, *tabs) if key] + every_mnemonic(view.keys) \
        + every_mnemonic(view.symbols) + every_mnemonic(view.ticket)
    for index in range(view.tabs.count()):
        keys_shown = always + every_mnemonic(view.tabs.widget(index))
        assert duplicates(keys_shown) == [], (view.tabs.tabText(index), sorted(keys_shown))
    idle(qtbot, window)
