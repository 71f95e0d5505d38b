"""The selected key's orders: open ones on the exchange (cancel asks first), and the
order history from the journal. Rows are ``LoggedOrder.public`` views
(``order_view``), the same columns as ``order list``; an order being placed shows at
once, PENDING, then its state (or "reconciling…" while its outcome is unknown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.theme import is_dark
from vault_app.gui.trading.trade_colors import side_text
from vault_app.trading.order_log import LIVE_ON_EXCHANGE, UNRESOLVED
from vault_app.trading.order_view import COLUMNS, merge_open, row, track_placing

RECONCILING = "reconciling…"
SHOWN = ("TIME", "STATE", "SIDE", "TYPE", "AMOUNT", "SYMBOL", "PRICE", "STOP", "FILLED",
         "AVG PRICE", "EXCHANGE ID", "CLIENT ID", "REASON")
_INDEXES = [COLUMNS.index(name) for name in SHOWN]
TIME, SIDE, REASON = SHOWN.index("TIME"), SHOWN.index("SIDE"), SHOWN.index("REASON")
IDS = (SHOWN.index("EXCHANGE ID"), SHOWN.index("CLIENT ID"))
ORDER_ROLE = Qt.ItemDataRole.UserRole + 1
FOCUS_RING = "QTableView:focus { border: 2px solid palette(highlight); }"
MAX_COLUMN = 260  # px: a long reason or id is cut (the whole text is its tooltip)


def local_time(text: str, now: datetime | None = None) -> str:
    """The journal's UTC time ("2026-11-21T18:05:58Z") in local time: "18:05:58"
    today, "2026-11-20 18:05" another day; anything else as it is."""
    try:
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return text
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    return local.strftime("%H:%M:%S") if local.date() == today else \
        local.strftime("%Y-%m-%d %H:%M")


class OrderTable(QtWidgets.QWidget):
    """A table of orders with a Refresh button, a busy state and a problem line."""

    refresh_requested = Signal()

    def __init__(self, name: str, refresh_text: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.model = QtGui.QStandardItemModel(0, len(SHOWN), self)
        self.model.setHorizontalHeaderLabels([name.title() for name in SHOWN])
        self.table = QtWidgets.QTableView(self)
        self.table.setObjectName(f"{name}Table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(False)  # spare width: none
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere
        self.table.resizeColumnsToContents()  # the titles' widths before any row (u2 N6)
        self.table.setStyleSheet(FOCUS_RING)  # where the keyboard is, visibly
        # The keyboard's row is the selected one (Tab into the table selects a row).
        self.table.selectionModel().currentRowChanged.connect(self._select_current)
        self.refresh = QtWidgets.QPushButton(refresh_text, self)
        self.refresh.setObjectName(f"{name}Refresh")
        self.refresh.setToolTip("Ask the exchange again (F5)")
        self.problem = QtWidgets.QLabel(self)
        self.problem.setObjectName(f"{name}Problem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # the exchange's words: never HTML
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        self.buttons = QtWidgets.QHBoxLayout()
        self.buttons.addWidget(self.refresh)
        self.buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        self._refresh_text = refresh_text
        self.refresh.clicked.connect(self.refresh_requested.emit)

    def _select_current(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex
                        ) -> None:
        if current.isValid():
            self.table.selectRow(current.row())

    def set_loading(self, loading: bool) -> None:
        self.refresh.setEnabled(not loading)
        self.refresh.setText("Loading…" if loading else self._refresh_text)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_rows(self, orders: Sequence[Mapping[str, Any]]) -> None:
        selected = self.selected()
        keep = selected.get("client_order_id") or selected.get("order_id") if selected else None
        self.model.removeRows(0, self.model.rowCount())
        app = QtWidgets.QApplication.instance()
        dark = isinstance(app, QtWidgets.QApplication) and is_dark(app)
        for public in orders:
            cells = row(public)
            items = []
            for column, index in enumerate(_INDEXES):
                text = cells[index]
                item = QtGui.QStandardItem(local_time(text) if column == TIME else text)
                item.setData(dict(public), ORDER_ROLE)
                if column == TIME and text:
                    item.setToolTip(f"{text} (UTC)")
                elif column in (REASON, *IDS) and text:
                    item.setToolTip(text)  # cut at MAX_COLUMN with "…": the whole text
                elif column == SIDE and text in ("buy", "sell"):
                    item.setText(text.upper())
                    item.setForeground(QtGui.QColor(side_text(text, dark)))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                items.append(item)
            self.model.appendRow(items)
            if keep and keep in (public.get("client_order_id"), public.get("order_id")):
                self.table.selectRow(self.model.rowCount() - 1)
        self.table.resizeColumnsToContents()
        for column in range(self.model.columnCount()):
            if self.table.columnWidth(column) > MAX_COLUMN:
                self.table.setColumnWidth(column, MAX_COLUMN)

    def orders(self) -> list[dict[str, Any]]:
        return [self.model.item(r, 0).data(ORDER_ROLE) for r in range(self.model.rowCount())]

    def selected(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        value = self.model.item(index.row(), 0).data(ORDER_ROLE)
        return value if isinstance(value, dict) else None

    def clear(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self.show_problem("")


class OpenOrdersPanel(OrderTable):
    """The exchange's open orders of the key, and the orders being placed from here."""

    cancel_requested = Signal(object)  # the public view of the order

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("openOrders", "Refresh open orders", parent)
        self.cancel = QtWidgets.QPushButton("&Cancel order…", self)
        self.cancel.setObjectName("cancelOrder")
        self.cancel.setEnabled(False)
        self.buttons.insertWidget(1, self.cancel)
        self.can_cancel = False
        self._listed: list[dict[str, Any]] = []
        self._placing: dict[str, dict[str, Any]] = {}  # client order id -> public view
        self._labels: dict[str, str] = {}  # client order id -> what its state shows
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self.cancel.clicked.connect(self._cancel_clicked)

    def set_orders(self, orders: Sequence[Mapping[str, Any]]) -> None:
        """The exchange's open orders (public views), merged with those being placed
        from here (``order_view.merge_open``)."""
        rows, self._placing = merge_open(orders, self._placing)
        self._listed = rows[:len(rows) - len(self._placing)]
        self._show()

    def track(self, public: Mapping[str, Any], label: str | None = None) -> None:
        """Show an order being placed from here (its journal view); ``label`` (e.g.
        "reconciling…") is shown in place of its state while it is unresolved."""
        cid = str(public.get("client_order_id"))
        self._listed, self._placing = track_placing(self._listed, self._placing, public)
        if label is not None and cid in self._placing:
            self._labels[cid] = label
        else:
            self._labels.pop(cid, None)
        self._show()

    def forget(self, client_order_id: str) -> None:
        self._placing.pop(client_order_id, None)
        self._labels.pop(client_order_id, None)
        self._show()

    def clear(self) -> None:
        self._listed = []
        self._placing = {}
        self._labels = {}
        super().clear()
        self._update()

    def _show(self) -> None:
        self._labels = {cid: label for cid, label in self._labels.items()
                        if cid in self._placing}
        placing = [dict(view, state=self._labels[cid]) if cid in self._labels else view
                   for cid, view in self._placing.items()]
        self.show_rows([*self._listed, *placing])
        self._update()

    def _update(self) -> None:
        order = self.selected()
        self.cancel.setEnabled(self.can_cancel and order is not None
                               and order.get("state") in LIVE_ON_EXCHANGE
                               and bool(order.get("order_id")))

    def _cancel_clicked(self) -> None:
        order = self.selected()
        if order is not None:
            self.cancel_requested.emit(order)


class HistoryPanel(OrderTable):
    """The key's orders from the journal, newest first. An order of unknown outcome
    that looking up cannot settle can be marked not placed, on the user's word."""

    mark_requested = Signal(object)  # the public view of the order

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("history", "Refresh history", parent)
        self.mark = QtWidgets.QPushButton("Mark as not pla&ced…", self)
        self.mark.setObjectName("markNotPlaced")
        self.mark.setToolTip("For an order of unknown outcome that you checked is not on "
                             "the exchange")
        self.mark.setEnabled(False)
        self.buttons.insertWidget(1, self.mark)
        self.can_mark = False
        self.markable: frozenset[str] = frozenset()
        """Client ids the core said looking up cannot settle (``needs_user``)."""
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.model.modelReset.connect(self._update)
        self.mark.clicked.connect(self._mark_clicked)

    def _update(self) -> None:
        order = self.selected()
        self.mark.setEnabled(self.can_mark and order is not None
                             and order.get("state") in UNRESOLVED
                             and order.get("client_order_id") in self.markable)

    def set_markable(self, ids: set[str]) -> None:
        """Only these orders may be marked not placed: never one still looked up."""
        self.markable = frozenset(ids)
        self._update()

    def _mark_clicked(self) -> None:
        order = self.selected()
        if order is not None:
            self.mark_requested.emit(order)

    def set_orders(self, orders: Sequence[Mapping[str, Any]]) -> None:
        self.show_rows(list(reversed(orders)))
        self._update()
