"""The key list: a table model over the vault's entries, and its filter proxy.

The model never holds credentials in a role: views can only ever show labels
and metadata. Search matches label, exchange, tags and notes through a
precomputed haystack, so filtering 10,000 keys stays in Qt's C++ code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vault_app.core.model import KeyEntry, utcnow
from vault_app.gui.badge_colors import badge_colors, row_background
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets

COLUMNS = ("Label", "Exchange", "Permissions", "Environment", "Rotation", "Last used")
COL_LABEL, COL_EXCHANGE, COL_PERMISSIONS, COL_ENV, COL_ROTATION, COL_LAST_USED = range(6)

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 3
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


class KeyTableModel(QtCore.QAbstractTableModel):
    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[KeyEntry] = []
        self._search: list[str] = []
        self._now = utcnow()
        self._warning = QtGui.QBrush(QtGui.QColor("#c62828"))

    # --- content ---------------------------------------------------------------
    def set_entries(self, entries: tuple[KeyEntry, ...] | list[KeyEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._search = [
            " ".join((e.label, e.exchange, *e.tags, e.notes)).casefold() for e in self._entries
        ]
        self._now = utcnow()
        self.endResetModel()

    def clear(self) -> None:
        self.set_entries([])

    def entry(self, row: int) -> KeyEntry:
        return self._entries[row]

    def row_of(self, entry_id: str) -> int:
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return row
        return -1

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
        if role == ID_ROLE:
            return entry.id
        if role == SEARCH_ROLE:
            return self._search[index.row()]
        if role == PERMISSIONS_ROLE:
            return entry.permissions
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(entry, column)
        if role == SORT_ROLE:
            return self._sort_key(entry, column)
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

    def _display(self, entry: KeyEntry, column: int) -> str:
        if column == COL_LABEL:
            return entry.label
        if column == COL_EXCHANGE:
            return entry.exchange
        if column == COL_PERMISSIONS:
            return ", ".join(entry.permissions)
        if column == COL_ENV:
            return "custom URL" if entry.environment == "custom" else entry.environment
        if column == COL_ROTATION:
            return rotation_text(entry, self._now)
        return last_used_text(entry)

    def _sort_key(self, entry: KeyEntry, column: int) -> Any:
        if column == COL_LABEL:
            return entry.label.casefold()
        if column == COL_PERMISSIONS:
            return len(entry.permissions) + (10 if entry.can_withdraw else 0)
        if column == COL_ROTATION:
            return entry.rotation_due_at.timestamp()
        if column == COL_LAST_USED:
            return entry.last_used_at.timestamp() if entry.last_used_at else 0.0
        return self._display(entry, column).casefold()


class KeyFilterProxy(QtCore.QSortFilterProxyModel):
    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterRole(SEARCH_ROLE)
        self.setFilterKeyColumn(COL_LABEL)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        self.setFilterFixedString(text.strip().casefold())


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
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        font = QtGui.QFont(opt.font)
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
        font.setBold(True)
        painter.setFont(font)
        metrics = QtGui.QFontMetrics(font)
        background = row_background(opt).name()
        x = opt.rect.x() + 4
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

    def sizeHint(self, option: QtWidgets.QStyleOptionViewItem,
                 index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> QtCore.QSize:
        hint = super().sizeHint(option, index)
        metrics = QtGui.QFontMetrics(option.font)
        permissions = index.data(PERMISSIONS_ROLE) or ()
        width = sum(metrics.horizontalAdvance(p) + 18 for p in permissions) + 20
        return QtCore.QSize(max(hint.width(), width), hint.height())
