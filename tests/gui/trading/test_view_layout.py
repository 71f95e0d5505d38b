"""The trading view shares its height sensibly (u1 D1, D12, D20, D26): the whole ticket
(rounding notes, Review, the result line) above, the spare height to the order tables;
in the smallest window, amount, estimate and Review show together once the amount has
the focus. The orders table: local time, the side in its colour, no greedy Reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from tests.gui.trading.support import choose_key, fill_limit, idle, open_trading
from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.trading.orders_panel import MAX_COLUMN, SIDE, TIME, local_time
from vault_app.gui.trading.view import TradingView
from vault_app.gui.window import MainWindow


def shown(view: TradingView, widget: QtWidgets.QWidget) -> bool:
    """``widget`` lies wholly inside the ticket's scroll viewport."""
    viewport = view.scroll.viewport()
    top_left = widget.mapTo(viewport, QtCore.QPoint(0, 0))
    rect = QtCore.QRect(top_left, widget.size())
    return widget.isVisible() and viewport.rect().contains(rect)


def settle(qtbot: QtBot, view: TradingView) -> None:
    qtbot.wait(1)  # the split is fitted once the layout settled (a zero-time timer)
    qtbot.waitUntil(lambda: view.split._stable == (sum(view.body.sizes()),
                                                   view.body.sizes()[0]))


def rows_shown(view: TradingView) -> float:
    """How many rows of the current tab's table its viewport has room for."""
    table = view.tabs.currentWidget().table  # type: ignore[attr-defined]
    return float(table.viewport().height() / table.verticalHeader().defaultSectionSize())


def test_the_ticket_is_whole_and_the_tables_get_the_spare_height(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    trading_window.resize(1200, 720)
    view = open_trading(qtbot, trading_window, "trader")
    settle(qtbot, view)
    assert shown(view, view.ticket.review) and shown(view, view.status)
    assert not view.scroll.verticalScrollBar().isVisible()  # no needless scrollbar (u2 N2)
    fill_limit(qtbot, view, "59500.123456", "0.0123456789")  # two rounding notes
    qtbot.waitUntil(view.ticket.review.isEnabled)
    view.show_status("Order OPEN: BUY 0.01234 BTC/USDT at 59500.12 (on the book).")
    settle(qtbot, view)
    assert rows_shown(view) >= 3  # the tables keep three rows; the ticket scrolls

    trading_window.resize(1600, 1000)
    settle(qtbot, view)
    assert view.body.sizes()[0] == view.ticket_height()  # the new height went below
    assert shown(view, view.ticket.review) and shown(view, view.status)
    assert view.middle.width() <= 760  # fields do not stretch across a wide screen


def test_the_tables_keep_three_rows_whatever_the_ticket_shows(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    """u2 N2: the far-price warning, the read-only key's line and messages used to
    squeeze the balances to their header."""
    trading_window.resize(1200, 720)
    view = open_trading(qtbot, trading_window, "trader")
    view.tabs.setCurrentIndex(view.tabs.count() - 1)
    fill_limit(qtbot, view, "6", "0.01")  # far price and below the minimum value
    qtbot.waitUntil(view.ticket.allow_far.isVisible)
    settle(qtbot, view)
    assert rows_shown(view) >= 3
    view.ticket.price.setFocus()
    view.ticket.amount.setFocus()
    qtbot.waitUntil(lambda: shown(view, view.ticket.review))  # the ticket scrolls
    choose_key(qtbot, view, "watcher")  # the read-only key's line
    idle(qtbot, trading_window)
    settle(qtbot, view)
    assert rows_shown(view) >= 3


def test_the_ticket_does_not_jump_between_types_and_sides(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    """u2 N3: the field column moved left on Market and the tabs moved up and down."""
    trading_window.resize(1200, 720)
    view = open_trading(qtbot, trading_window, "trader")
    settle(qtbot, view)

    def where() -> tuple[int, int]:
        field = view.ticket.amount.mapTo(view, QtCore.QPoint(0, 0)).x()
        return field, view.tabs.mapTo(view, QtCore.QPoint(0, 0)).y()

    def same(now: tuple[int, int], before: tuple[int, int]) -> bool:
        return now[0] == before[0] and abs(now[1] - before[1]) <= 4  # was 100 px

    before = where()
    for index in range(view.ticket.order_type.count()):
        view.ticket.order_type.setCurrentIndex(index)
        settle(qtbot, view)
        assert same(where(), before), view.ticket.order_type.currentText()
    view.ticket.sell.click()
    settle(qtbot, view)
    assert same(where(), before)


def test_in_the_smallest_window_amount_estimate_and_review_show_together(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    view = open_trading(qtbot, trading_window, "trader")
    fill_limit(qtbot, view, "59500.123456", "0.0123456789")
    qtbot.waitUntil(view.ticket.review.isEnabled)
    trading_window.resize(trading_window.minimumSizeHint())
    settle(qtbot, view)
    view.ticket.price.setFocus()
    view.ticket.amount.setFocus()
    qtbot.waitUntil(lambda: all(shown(view, w) for w in (
        view.ticket.amount, view.ticket.estimate, view.ticket.review)))


def test_the_orders_table_is_readable(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    today = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = now.astimezone()
    assert local_time(today, now) == local.strftime("%H:%M:%S")
    earlier = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert local_time(earlier, now) == (now - timedelta(days=3)).astimezone().strftime(
        "%Y-%m-%d %H:%M")
    assert local_time("", now) == ""

    view = open_trading(qtbot, trading_window, "trader")
    panel = view.open_orders
    panel.set_orders([{"client_order_id": "c1", "order_id": "1", "state": "OPEN",
                       "side": "sell", "type": "limit", "amount": "1", "symbol": "BTC/USDT",
                       "price": "70000", "created_at": today, "reason": "x" * 400}])
    idle(qtbot, trading_window)
    side = panel.model.item(0, SIDE)
    assert side.text() == "SELL" and side.foreground().color().red() > 150
    assert panel.model.item(0, TIME).toolTip() == f"{today} (UTC)"
    header = panel.table.horizontalHeader()
    assert not header.stretchLastSection()
    assert max(panel.table.columnWidth(c) for c in range(panel.model.columnCount())) \
        <= MAX_COLUMN


def test_an_empty_orders_table_is_as_wide_as_its_titles(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    """u2 N6: offline, no row ever came and every column was 100 px wide."""
    from vault_app.gui.trading.orders_panel import OrderTable

    table = OrderTable("probe", "Refresh")
    qtbot.addWidget(table)
    header = table.table.horizontalHeader()
    for column in range(table.model.columnCount()):
        assert table.table.columnWidth(column) == header.sectionSizeHint(column)


def test_the_result_line_is_aligned_with_the_ticket(
        qtbot: QtBot, trading_window: MainWindow, keys: dict[str, KeyEntry]) -> None:
    """u2 N7: the result line started 9 px left of the ticket's fields and title."""
    view = open_trading(qtbot, trading_window, "trader")
    view.show_status("Order OPEN: BUY 0.01 BTC/USDT at 59,000 (on the exchange's book).")
    settle(qtbot, view)
    title = view.ticket.title.mapTo(view, QtCore.QPoint(0, 0)).x()
    text_left = view.status.mapTo(view, view.status.contentsRect().topLeft()).x()
    assert text_left == title
