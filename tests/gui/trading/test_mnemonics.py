"""Every Alt+letter of the trading page does one thing (u2 N5: the Balances tab's
Alt+C was also Cancel order…, so it never reached the tab)."""

from __future__ import annotations

import re
from collections import defaultdict

from pytestqt.qtbot import QtBot

from tests.gui.trading.support import idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtWidgets
from vault_app.gui.window import MainWindow


def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def mnemonics(window: MainWindow, page: QtWidgets.QWidget) -> dict[str, list[str]]:
    """Alt+letter -> what uses it: the buttons (hidden ones too: the far-price box or a
    retry show in their time; not those of another order tab, never shown together),
    tabs and labels with a buddy of ``page``, the window's page tabs and its menus."""
    used: dict[str, list[str]] = defaultdict(list)
    tabs = page.findChild(QtWidgets.QTabWidget, "tradingTabs")
    assert tabs is not None
    elsewhere = [tabs.widget(i) for i in range(tabs.count()) if i != tabs.currentIndex()]

    def add(text: str) -> None:
        if (letter := mnemonic(text)) is not None:
            used[letter].append(text)

    for button in page.findChildren(QtWidgets.QAbstractButton):
        if not isinstance(button.parent(), QtWidgets.QTabBar) and not any(
                other is not None and other.isAncestorOf(button) for other in elsewhere):
            add(button.text())
    for label in page.findChildren(QtWidgets.QLabel):
        if label.buddy() is not None:
            add(label.text())
    for bar in window.findChildren(QtWidgets.QTabBar):
        if bar.isVisibleTo(window):
            for index in range(bar.count()):
                if bar.isTabVisible(index):
                    add(bar.tabText(index))
    for action in window.menuBar().actions():
        add(action.text())
    return used


def test_the_balances_tab_has_an_unmistakable_letter() -> None:
    """The underline of "Balanc&es" sat between c and e: read as Alt+C (Cancel order…)."""
    from vault_app.gui.trading.view import TAB_TITLES
    assert mnemonic(TAB_TITLES["balances"]) == "l"


def test_no_alt_letter_is_used_twice_on_the_trading_page(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    idle(qtbot, trading_window)
    for kind in range(view.ticket.order_type.count()):
        view.ticket.order_type.setCurrentIndex(kind)
        for tab in range(view.tabs.count()):
            view.tabs.setCurrentIndex(tab)
            twice = {k: v for k, v in mnemonics(trading_window, view).items() if len(v) > 1}
            assert not twice, (view.ticket.order_type.currentText(), twice)

