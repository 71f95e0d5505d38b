"""The unlocked vault's page: the banners, the search, the key table and the detail pane,
and keeping the table's selection, placeholder and rows in step with the vault."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.core.model import KeyEntry
from vault_app.gui.actions import update_actions
from vault_app.gui.detail_pane import DetailPane
from vault_app.gui.key_table import KeyTable
from vault_app.gui.keys_model import (
    COL_ENV,
    COL_EXCHANGE,
    COL_LABEL,
    COL_PERMISSIONS,
    COL_ROTATION,
    ID_ROLE,
    KeyFilterProxy,
    KeyTableModel,
    PermissionBadgeDelegate,
)
from vault_app.gui.pages import warning_banner
from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.rotate_dialog import purge_history

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow


def build_vault_page(window: MainWindow) -> QtWidgets.QWidget:
    page = QtWidgets.QWidget(window)
    page.setObjectName("vaultPage")
    layout = QtWidgets.QVBoxLayout(page)
    layout.addWidget(_build_read_only_banner(window, page))
    window.folder_banner = warning_banner("folderWarningBanner", page)
    layout.addWidget(window.folder_banner)
    window.search = QtWidgets.QLineEdit(page)
    window.search.setPlaceholderText(
        "Search labels, exchanges, permissions, environments, tags, notes (Ctrl+F)")
    window.search.setAccessibleName("Search keys")
    window.search.setClearButtonEnabled(True)
    escape = QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Escape), window.search)
    escape.setContext(Qt.ShortcutContext.WidgetShortcut)
    escape.activated.connect(lambda: _escape_in_search(window))
    layout.addWidget(window.search)
    splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal, page)
    layout.addWidget(splitter, 1)
    window.model = KeyTableModel(window, exchange_name=window._exchange_name)
    window.proxy = KeyFilterProxy(window)
    window.proxy.setSourceModel(window.model)
    window.search.textChanged.connect(lambda text: _search_changed(window, text))
    for signal in (window.proxy.modelReset, window.proxy.rowsInserted, window.proxy.rowsRemoved,
                   window.proxy.layoutChanged):
        signal.connect(lambda *_: update_placeholder(window))
    window.table = KeyTable(splitter)
    window.table.setObjectName("keyTable")
    window.table.setAccessibleName("Keys")
    window.table.setModel(window.proxy)
    window.table.setSortingEnabled(True)
    window.table.sortByColumn(COL_LABEL, Qt.SortOrder.AscendingOrder)
    window.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    window.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    window.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    window.table.setAlternatingRowColors(True)
    window.table.verticalHeader().hide()
    window.table.horizontalHeader().setStretchLastSection(True)
    window.table.setItemDelegateForColumn(COL_PERMISSIONS, PermissionBadgeDelegate(window.table))
    for column, width in ((COL_LABEL, 170), (COL_EXCHANGE, 90), (COL_PERMISSIONS, 175),
                          (COL_ENV, 95), (COL_ROTATION, 105)):
        window.table.setColumnWidth(column, width)
    window.table.activated.connect(lambda _index: window.edit_key())  # Enter or double-click
    window.table.selectionModel().currentRowChanged.connect(lambda *_: selection_changed(window))
    window.detail = DetailPane(window.catalog, splitter)
    window.detail.copy_requested.connect(window.copy_credential)
    window.detail.purge_requested.connect(lambda: purge_history(window))
    splitter.addWidget(window.table)
    splitter.addWidget(window.detail)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([770, 430])
    window.search.returnPressed.connect(window.table.setFocus)
    return page


def _build_read_only_banner(window: MainWindow, page: QtWidgets.QWidget) -> QtWidgets.QFrame:
    banner = QtWidgets.QFrame(page)
    banner.setObjectName("readOnlyBanner")
    banner.setStyleSheet(
        "#readOnlyBanner { background: #fff4ce; border: 1px solid #c99a00;"
        " border-radius: 4px; } #readOnlyBanner QLabel { color: #3d2e00; }")
    row = QtWidgets.QHBoxLayout(banner)
    window.read_only_label = QtWidgets.QLabel(banner)
    window.read_only_label.setObjectName("readOnlyMessage")
    window.read_only_label.setWordWrap(True)
    window.read_only_label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse)
    row.addWidget(window.read_only_label, 1)
    window.save_copy_button = QtWidgets.QPushButton("Save a cop&y as…", banner)
    window.save_copy_button.setObjectName("saveCopyButton")
    window.save_copy_button.clicked.connect(window.save_copy)
    row.addWidget(window.save_copy_button)
    banner.hide()
    window.read_only_banner = banner
    return banner


def selected_entry(window: MainWindow) -> KeyEntry | None:
    if window.vault is None:
        return None
    index = window.table.currentIndex()
    if not index.isValid():
        return None
    row = window.model.row_of(index.siblingAtColumn(COL_LABEL).data(ID_ROLE))
    return window.model.entry(row) if row >= 0 else None


def selection_changed(window: MainWindow) -> None:
    window.detail.show_entry(window.current_entry())
    update_actions(window)


def refresh(window: MainWindow, select_id: str | None = None) -> None:
    assert window.vault is not None
    window._shown_revision = window.vault.revision  # what the list now shows (sync_keys)
    current = window.current_entry()
    keep = select_id or (current.id if current else None)
    window.model.set_entries(window.vault.entries)
    if keep:
        row = window.model.row_of(keep)
        if row >= 0:
            index = window.proxy.mapFromSource(window.model.index(row, COL_LABEL))
            window.table.setCurrentIndex(index)
            window.table.scrollTo(index)
    selection_changed(window)


def select_row(window: MainWindow, row: int) -> None:
    """Select the table row ``row``, or the last one if there are fewer."""
    row = min(row, window.proxy.rowCount() - 1)
    if row >= 0:
        index = window.proxy.index(row, COL_LABEL)
        window.table.setCurrentIndex(index)
        window.table.scrollTo(index)
    selection_changed(window)


def _search_changed(window: MainWindow, text: str) -> None:
    window.proxy.set_search(text)
    update_placeholder(window)


def _escape_in_search(window: MainWindow) -> None:
    """Escape clears the search; on an empty search it goes back to the list."""
    if window.search.text():
        window.search.clear()
    else:
        window.table.setFocus()


def update_placeholder(window: MainWindow) -> None:
    """What to do next, painted over a table with no rows."""
    text = ""
    if window.vault is not None and window.model.rowCount() == 0:
        text = ("This vault holds no keys." if window.read_only
                else "No keys yet: Add key, Ctrl+N")
    elif window.vault is not None and window.proxy.rowCount() == 0:
        text = f"No key matches '{window.search.text().strip()}': Esc clears the search"
    window.table.set_placeholder(text)
