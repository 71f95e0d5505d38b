"""The key list follows what trading workers write to the vault (r1 8): the order's
key is recorded as used by the worker that placed it, and the Keys page shows it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.gui.helpers import row_of
from tests.gui.trading.support import (
    RESTING_PRICE,
    TIMEOUT,
    fill_limit,
    idle,
    open_trading,
    review_and_confirm,
)
from vault_app.core.model import KeyEntry
from vault_app.gui.window import MainWindow


def test_a_placed_orders_key_shows_as_used_in_the_key_list(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    def shown_use() -> object:
        row = trading_window.model.row_of(keys["trader"].id)
        return trading_window.model.entry(row).last_used_at

    assert shown_use() is None
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, RESTING_PRICE, "0.001")
    qtbot.waitUntil(view.ticket.review.isEnabled)
    review_and_confirm(qtbot, trading_window)
    qtbot.waitUntil(lambda: "OPEN" in view.status.text(), timeout=TIMEOUT)
    idle(qtbot, trading_window)
    assert trading_window.vault is not None
    assert trading_window.vault.get(keys["trader"].id).last_used_at is not None
    assert shown_use() is not None
    trading_window.show_keys()
    assert row_of(trading_window, "trader") >= 0
