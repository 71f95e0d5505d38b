"""The key list: keyboard, selection after a delete, empty states, sort order, last use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD, make_entry
from tests.gui.test_key_form import delete_dialog
from vault_app.core.vault import Vault
from vault_app.gui.keys_model import COL_EXCHANGE, COL_LABEL, COL_LAST_USED
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    SIGNAL_TIMEOUT,
    click,
    labels_shown,
    reactivate,
    select,
    unlock,
    wait_for_dialog,
)

SHIFT = Qt.KeyboardModifier.ShiftModifier


def focused() -> QtWidgets.QWidget:
    widget = QtWidgets.QApplication.focusWidget()
    assert widget is not None
    return widget


def test_tab_leaves_the_table_without_changing_the_selected_key(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    select(qtbot, window, "key 0")
    window.table.setFocus()
    reached = []
    for _ in range(12):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        reached.append(focused())
        assert window.current_entry() is not None
        assert window.current_entry().label == "key 0", "Tab changed the selected key"
    rows = window.detail.rows
    assert window.table not in reached[:1], "Tab stayed in the table"
    for name in ("apiKey", "secret"):
        assert rows[name].reveal in reached, f"Tab never reaches Reveal {name}"
        copy = rows[name].findChild(QtWidgets.QToolButton, f"copy_{name}")
        assert copy in reached, f"Tab never reaches Copy {name}"
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab)  # and Shift+Tab goes back the same way
    assert focused() is reached[-2]


def test_reveal_and_passphrase_shortcuts(qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    select(qtbot, window, "OKX main")
    rows = window.detail.rows
    qtbot.keyClick(window.table, Qt.Key.Key_R, CTRL)
    assert rows["secret"].field.text() == "secret-OKX main-value"
    assert rows["password"].field.text() == "password-OKX main-value"
    qtbot.keyClick(window.table, Qt.Key.Key_R, CTRL)
    assert all(row.field.text() != row._value for row in rows.values()), "Ctrl+R hides again"
    qtbot.keyClick(window.table, Qt.Key.Key_P, CTRL | SHIFT)
    assert QtGui.QGuiApplication.clipboard().text() == "password-OKX main-value"
    select(qtbot, window, "key 0")  # binance: no passphrase
    assert not window.act_copy_passphrase.isEnabled()


def test_escape_in_the_search_box_clears_it_then_returns_to_the_list(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.search, "okx")
    assert labels_shown(window) == ["OKX main"]
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == "" and len(labels_shown(window)) == 3
    assert window.search.hasFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.table.hasFocus()


def delete_selected(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    box = delete_dialog(qtbot, window)  # shown once the journal was read off the UI thread
    wait_for_dialog(qtbot, box)
    delete = next(b for b in box.buttons() if b.text() == "Delete")
    with qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, delete)
    qtbot.waitUntil(lambda: not window.ops.busy)
    reactivate(qtbot, window)


def test_after_a_delete_the_next_key_is_selected_or_the_previous_at_the_end(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    assert labels_shown(window) == ["key 0", "key 1", "OKX main"]
    select(qtbot, window, "key 0")
    delete_selected(qtbot, window)
    assert labels_shown(window) == ["key 1", "OKX main"]
    assert window.current_entry().label == "key 1"  # the next one
    assert window.detail.entry is not None and window.detail.entry.label == "key 1"
    select(qtbot, window, "OKX main")
    delete_selected(qtbot, window)
    assert window.current_entry().label == "key 1"  # the last went: the previous one
    delete_selected(qtbot, window)
    assert window.current_entry() is None and window.detail.entry is None
    assert window.table.placeholder == "No keys yet: Add key, Ctrl+N"


def test_an_empty_vault_says_how_to_add_a_key(qtbot: QtBot, new_vault: Callable[..., Vault],
                                               make_window: Callable[..., MainWindow]) -> None:
    new_vault(0).lock()
    window = make_window()
    unlock(qtbot, window)
    assert window.table.placeholder == "No keys yet: Add key, Ctrl+N"
    assert window.table.placeholder_shown()
    empty = window.table.viewport().grab().toImage()
    window.table.set_placeholder("")
    blank = window.table.viewport().grab().toImage()
    assert empty != blank, "the hint is not painted"


def test_an_empty_search_result_says_how_to_clear_it(qtbot: QtBot,
                                                      unlocked: MainWindow) -> None:
    window = unlocked
    assert window.table.placeholder == "" and not window.table.placeholder_shown()
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.search, "kraken")
    assert labels_shown(window) == []
    assert window.table.placeholder == "No key matches 'kraken': Esc clears the search"
    assert window.table.placeholder_shown()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.table.placeholder == "" and len(labels_shown(window)) == 3


def many_keys(new_vault: Callable[..., Vault]) -> None:
    vault = new_vault(0)
    exchanges = ["okx", "binance", "kraken"]
    vault.add_many([make_entry(label, exchanges[i % 3], notes="odd" if i % 2 else "even")
                    for i, label in enumerate(
                        ["delta", "Alpha", "charlie", "bravo", "echo", "alpha 2", "Foxtrot"])])
    vault.lock()


def exchanges_shown(window: MainWindow) -> list[str]:
    return [window.proxy.index(r, COL_EXCHANGE).data() for r in range(window.proxy.rowCount())]


def test_sort_order_is_right_and_stable_under_filtering(
        qtbot: QtBot, new_vault: Callable[..., Vault],
        make_window: Callable[..., MainWindow]) -> None:
    many_keys(new_vault)
    window = make_window()
    unlock(qtbot, window)
    by_label = ["Alpha", "alpha 2", "bravo", "charlie", "delta", "echo", "Foxtrot"]
    assert labels_shown(window) == by_label  # case-insensitive, at unlock
    header = window.table.horizontalHeader()
    assert header.sortIndicatorSection() == COL_LABEL

    select(qtbot, window, "charlie")
    header_pos = header.sectionViewportPosition(COL_EXCHANGE) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QtCore.QPoint(header_pos, 5))
    # by exchange (a click on the header), ties by label
    expected = ["Alpha", "echo", "alpha 2", "charlie", "bravo", "delta", "Foxtrot"]
    assert exchanges_shown(window) == ["binance"] * 2 + ["kraken"] * 2 + ["okx"] * 3
    assert labels_shown(window) == expected
    assert window.current_entry().label == "charlie", "sorting lost the selected key"

    qtbot.keyClicks(window.search, "odd")  # filtering keeps the order of what stays
    assert labels_shown(window) == ["Alpha", "alpha 2", "bravo"]
    window.search.clear()
    assert labels_shown(window) == expected

    window.table.sortByColumn(COL_LABEL, Qt.SortOrder.DescendingOrder)
    assert labels_shown(window) == by_label[::-1]
    qtbot.keyClicks(window.search, "even")
    assert labels_shown(window) == ["Foxtrot", "echo", "delta", "charlie"]
    window.search.clear()
    select(qtbot, window, "bravo")
    window.table.sortByColumn(COL_LABEL, Qt.SortOrder.AscendingOrder)
    assert labels_shown(window) == by_label and window.current_entry().label == "bravo"


def test_copying_a_credential_records_its_last_use(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    window = unlocked
    select(qtbot, window, "OKX main")
    assert window.detail.last_used is not None and window.detail.last_used.text() == "Never"
    row = labels_shown(window).index("OKX main")
    assert window.proxy.index(row, COL_LAST_USED).data() == "Never"
    before = {e.label: e.last_used_at for e in Vault.open(vault_path, PASSWORD).entries}
    assert before == {"key 0": None, "key 1": None, "OKX main": None}

    with qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, window.detail.rows["secret"].findChild(QtWidgets.QToolButton,
                                                            "copy_secret"))
    qtbot.waitUntil(lambda: not window.ops.busy)
    on_disk = {e.label: e.last_used_at for e in Vault.open(vault_path, PASSWORD).entries}
    used = on_disk.pop("OKX main")
    assert used is not None and on_disk == {"key 0": None, "key 1": None}
    shown = used.strftime("%Y-%m-%d")
    assert window.detail.last_used.text() == shown
    assert window.proxy.index(row, COL_LAST_USED).data() == shown
    assert window.current_entry().last_used_at == used
    assert "copied" in window.clipboard_status.text(), "the clipboard notice stays"
