"""The unlocked window's Keys / Trading / Portfolio switch: shortcuts, the key actions
only on the Keys page, and ``show_trading(entry_id)`` for other parts of the app."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.trading.support import TIMEOUT, idle
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt
from vault_app.gui.sections import KEYS, PORTFOLIO, TRADING
from vault_app.gui.window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def key_actions(window: MainWindow) -> dict[str, bool]:
    return {action.text(): action.isEnabled() for action in (
        window.act_add, window.act_edit, window.act_delete, window.act_copy_key,
        window.act_copy_secret, window.act_reveal, window.act_search)}


def test_ctrl_1_t_3_switch_sections_and_key_actions_work_only_on_the_keys_page(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    window = trading_window
    assert window.sections.currentIndex() == KEYS
    window.table.selectRow(0)
    assert all(key_actions(window).values()), key_actions(window)

    qtbot.keyClick(window, Qt.Key.Key_T, CTRL)
    assert window.sections.currentIndex() == TRADING
    assert not any(key_actions(window).values()), key_actions(window)
    assert window.act_lock.isEnabled()
    view = window.sections.trading
    assert view is not None
    qtbot.waitUntil(lambda: view.symbols.chosen is not None, timeout=TIMEOUT)
    idle(qtbot, window)

    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    assert window.sections.currentIndex() == PORTFOLIO
    assert not any(key_actions(window).values())
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    assert window.sections.currentIndex() == KEYS
    assert all(key_actions(window).values()), key_actions(window)


def test_show_trading_with_a_key_chooses_it_and_locking_returns_to_the_keys(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    window = trading_window
    window.show_trading(keys["watcher"].id)
    view = window.sections.trading
    assert view is not None and view.entry is not None
    assert view.entry.id == keys["watcher"].id
    qtbot.waitUntil(lambda: view.symbols.chosen is not None, timeout=TIMEOUT)
    idle(qtbot, window)
    window.lock()
    assert not window.act_show_trading.isEnabled()
    window.show_trading()  # locked: nothing happens
    assert window.vault is None and view.entry is None


def test_the_portfolio_page_is_p1s_view_built_on_first_visit(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    from vault_app.gui.trading.portfolio_view import PortfolioView

    window = trading_window
    assert window.sections.portfolio is None
    window.show_portfolio()
    page = window.sections.currentWidget()
    assert isinstance(page, PortfolioView) and page is window.sections.portfolio
    assert page.isVisible()
