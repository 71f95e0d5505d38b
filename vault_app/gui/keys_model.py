"""The key list: a table model over the vault's entries, and its filter proxy.

The model never holds credentials in a role: views can only ever show labels
and metadata. Search matches label, exchange (id and name), permissions,
environment, tags and notes through a precomputed text per entry, never a
credential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any

from vault_app.core.model import KeyEntry, utcnow
from vault_app.gui.badge_colors import badge_colors, row_background
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets

COLUMNS = ("Label", "Exchange", "Permissions", "Environment", "Rotation", "Last used")
COL_LABEL, COL_EXCHANGE, COL_PERMISSIONS, COL_ENV, COL_ROTATION, COL_LAST_USED = range(6)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
PERMISSIONS_ROLE = Qt.ItemDataRole.UserRole + 4
_ROOT = QtCore.QModelIndex()


def rotation_text(entry: KeyEntry, now: datetime) -> str:
    due = entry.rotation_due_at
    if now >= due:
        return f"Overdue by {(now - due).days} d"
    days = (due - now).days
    if days <= 14:
        return f"Due in {days} d"
    age = entry.age_days(now)
    return "Rotated today" if age == 0 else f"{age} d old"


def last_used_text(entry: KeyEntry) -> str:
    return entry.last_used_at.strftime("%Y-%m-%d") if entry.last_used_at else "Never"


def _no_name(exchange_id: str) -> str:
    return exchange_id


def search_text(entry: KeyEntry, exchange_name: str) -> str:
    """What the search box matches: never a credential."""
    environment = entry.environment
    if environment == "sandbox":
        environment = "sandbox testnet"
    elif environment == "custom":
        environment = f"custom {entry.api_url or ''}"
    return (f"{entry.label} {entry.exchange} {exchange_name} {' '.join(entry.permissions)} "
            f"{environment} {' '.join(entry.tags)} {entry.notes}").casefold()


@dataclass(frozen=True)
class KeyRows:
    """Entries in display order with their search texts: plain Python, no Qt.

    Built by ``prepare_rows``, which may run on a worker thread, so that sorting
    and indexing 10,000 keys never holds up the GUI thread.
    """

    entries: list[KeyEntry]
    by_label: list[KeyEntry]  # the base order of every sort, kept for header clicks
    search: dict[str, str]  # entry id -> search text
    rows: dict[str, int]    # entry id -> row
    sort_column: int
    sort_order: Qt.SortOrder


def prepare_rows(entries: Iterable[KeyEntry], exchange_names: Mapping[str, str],
                 column: int, order: Qt.SortOrder) -> KeyRows:
    """Sort and index ``entries`` for ``KeyTableModel.set_rows``. Safe on a worker thread.

    A pure function: it touches no widget, model or font. ``exchange_names`` maps
    exchange ids to display names (built on the GUI thread); an id it lacks is
    searched by id only.
    """
    by_label = sort_by_label(entries)
    ordered = sort_entries(by_label, column, order, utcnow())
    return KeyRows(ordered, by_label,
                   {e.id: search_text(e, exchange_names.get(e.exchange, e.exchange))
                    for e in ordered},
                   {e.id: row for row, e in enumerate(ordered)}, column, order)


def sort_by_label(entries: Iterable[KeyEntry]) -> list[KeyEntry]:
    """Case-insensitively by label, then by id: the tie-break of every other order."""
    ordered = sorted(entries, key=_ID)
    ordered.sort(key=_folded_label)  # stable: equal labels stay in id order
    return ordered


def sort_entries(by_label: list[KeyEntry], column: int, order: Qt.SortOrder,
                 now: datetime) -> list[KeyEntry]:
    """``by_label`` (see ``sort_by_label``) by ``column``; ties stay in label order."""
    descending = order == Qt.SortOrder.DescendingOrder
    if column == COL_LABEL:
        return by_label[::-1] if descending else list(by_label)
    return sorted(by_label, key=_sort_key(column, now), reverse=descending)


_ID = attrgetter("id")


def _folded_label(entry: KeyEntry) -> str:
    return entry.label.casefold()


def _sort_key(column: int, now: datetime) -> Callable[[KeyEntry], Any]:
    if column == COL_PERMISSIONS:
        return lambda e: len(e.permissions) + (10 if e.can_withdraw else 0)
    if column == COL_ROTATION:
        return lambda e: e.rotation_due_at.timestamp()
    if column == COL_LAST_USED:
        return lambda e: e.last_used_at.timestamp() if e.last_used_at else 0.0
    return lambda e: display_text(e, column, now).casefold()


def display_text(entry: KeyEntry, column: int, now: datetime) -> str:
    if column == COL_LABEL:
        return entry.label
    if column == COL_EXCHANGE:
        return entry.exchange
    if column == COL_PERMISSIONS:
        return ", ".join(entry.permissions)
    if column == COL_ENV:
        return "custom URL" if entry.environment == "custom" else entry.environment
    if column == COL_ROTATION:
        return rotation_text(entry, now)
    return last_used_text(entry)


class KeyTableModel(QtCore.QAbstractTableModel):
    """The entries in display order.

    The model sorts itself, in Python, once per change (a few ms for 10,000 keys),
    so the proxy above it only filters: a proxy that sorts calls ``data()`` from C++
    some 150,000 times for 10,000 keys. Ties are broken by label, then id, so the
    order is the same every time and filtering never reorders what stays.
    """

    def __init__(self, parent: QtCore.QObject | None = None,
                 exchange_name: Callable[[str], str] = _no_name) -> None:
        super().__init__(parent)
        self._entries: list[KeyEntry] = []
        self._by_label: list[KeyEntry] = []
        self._search: dict[str, str] = {}  # entry id -> search text
        self._rows: dict[str, int] = {}
        self._sort_column = COL_LABEL
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._exchange_name = exchange_name
        self._now = utcnow()
        self._warning = QtGui.QBrush(QtGui.QColor("#c62828"))

    # --- content ---------------------------------------------------------------
    @property
    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    def prepare(self, entries: Iterable[KeyEntry]) -> KeyRows:
        """Sort and index ``entries`` for ``set_rows``, here on the GUI thread.

        Off the GUI thread, call ``prepare_rows`` with names built beforehand.
        """
        entries = list(entries)
        names = {e.exchange: self._exchange_name(e.exchange) for e in entries}
        return prepare_rows(entries, names, *self.sort_state)

    def set_rows(self, rows: KeyRows) -> None:
        """Show prepared rows; cheap, since the work was done by ``prepare``."""
        if (rows.sort_column, rows.sort_order) != (self._sort_column, self._sort_order):
            rows = self.prepare(rows.entries)  # the user sorted meanwhile
        self.beginResetModel()
        self._now = utcnow()
        self._entries, self._search, self._rows = list(rows.entries), rows.search, rows.rows
        self._by_label = list(rows.by_label)
        self.endResetModel()

    def set_entries(self, entries: Iterable[KeyEntry]) -> None:
        self.set_rows(self.prepare(entries))

    def replace_entry(self, entry: KeyEntry) -> bool:
        """Show an entry changed in place (same label) in its row, without a reset or a
        re-sort. False if it is not in the model."""
        row = self._rows.get(entry.id, -1)
        if row < 0:
            return False
        old = self._entries[row]
        self._entries[row] = entry
        self._by_label = [entry if e is old else e for e in self._by_label]
        self._search[entry.id] = search_text(entry, self._exchange_name(entry.exchange))
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    def clear(self) -> None:
        self.set_entries([])

    def entry(self, row: int) -> KeyEntry:
        return self._entries[row]

    def row_of(self, entry_id: str) -> int:
        return self._rows.get(entry_id, -1)

    # --- sorting ---------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or (column, order) == (self._sort_column,
                                                                  self._sort_order):
            return  # already in this order (QTableView.sortByColumn asks twice)
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        before = self._entries
        self._entries = sort_entries(self._by_label, column, order, self._now)
        self._rows = {e.id: row for row, e in enumerate(self._entries)}
        moved = self.persistentIndexList()  # the view's selection and current row
        self.changePersistentIndexList(moved, [
            self.index(self._rows[before[index.row()].id], index.column()) for index in moved
        ])
        self.layoutChanged.emit()

    # --- Qt interface ----------------------------------------------------------
    def rowCount(self, parent: QtCore.QModelIndex | QtCore.QPersistentModelIndex
                 = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QtCore.QModelIndex | QtCore.QPersistentModelIndex
                    = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QtCore.QModelIndex | QtCore.QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            return display_text(entry, column, self._now)
        if role == ID_ROLE:
            return entry.id
        if role == PERMISSIONS_ROLE:
            return entry.permissions
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == COL_ROTATION and entry.rotation_overdue(self._now):
                return self._warning
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_PERMISSIONS and entry.can_withdraw:
                return "This key can withdraw funds. Exchanges advise disabling withdrawals."
            if column == COL_ROTATION:
                return f"Rotated {entry.rotated_at:%Y-%m-%d}; every {entry.rotate_days} days"
        return None


class KeyFilterProxy(QtCore.QSortFilterProxyModel):
    """Filters the key list by the search text; the source model does the sorting.

    One Python call per row, a substring test on the precomputed text: several
    times faster than Qt's own filter asking ``data()`` for a role per row.
    """

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._keys: KeyTableModel | None = None

    def setSourceModel(self, model: QtCore.QAbstractItemModel) -> None:
        assert isinstance(model, KeyTableModel)
        self._keys = model
        super().setSourceModel(model)

    def set_search(self, text: str) -> None:
        needle = " ".join(text.split()).casefold()
        if needle != self._needle:
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QtCore.QModelIndex | QtCore.QPersistentModelIndex
                         ) -> bool:
        needle, keys = self._needle, self._keys
        if not needle or keys is None:
            return True
        return needle in keys._search[keys._entries[source_row].id]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort the source, in Python; this proxy keeps its order."""
        if self._keys is not None:
            self._keys.sort(column, order)


def draw_badges(painter: QtGui.QPainter, opt: QtWidgets.QStyleOptionViewItem,
                permissions: tuple[str, ...], x: int) -> None:
    """Paint ``permissions`` as badges from ``x`` on, in the row of ``opt`` (the key list,
    the trading view's key picker): withdraw as a warning."""
    painter.save()
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    font = QtGui.QFont(opt.font)
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setBold(True)
    painter.setFont(font)
    metrics = QtGui.QFontMetrics(font)
    background = row_background(opt).name()
    height = metrics.height() + 2
    y = opt.rect.y() + (opt.rect.height() - height) // 2
    for name in permissions:
        text = ("⚠ " if name == "withdraw" else "") + name
        width = metrics.horizontalAdvance(text) + 10
        rect = QtCore.QRectF(x, y, width, height)
        colors = badge_colors(name, background)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(colors.fill))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QtGui.QColor(colors.text))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        x += width + 4
    painter.restore()


class PermissionBadgeDelegate(QtWidgets.QStyledItemDelegate):
    """Draws read / trade / withdraw as badges; withdraw as a warning."""

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem,
              index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> None:
        permissions = index.data(PERMISSIONS_ROLE) or ()
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QtWidgets.QApplication.style()
        style.drawControl(QtWidgets.QStyle.ControlElement.CE_ItemViewItem, opt, painter,
                          opt.widget)
        draw_badges(painter, opt, permissions, opt.rect.x() + 4)

    def sizeHint(self, option: QtWidgets.QStyleOptionViewItem,
                 index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> QtCore.QSize:
        hint = super().sizeHint(option, index)
        metrics = QtGui.QFontMetrics(option.font)
        permissions = index.data(PERMISSIONS_ROLE) or ()
        width = sum(metrics.horizontalAdvance(p) + 18 for p in permissions) + 20
        return QtCore.QSize(max(hint.width(), width), hint.height())
