"""The selected key's balances: every currency with a non-zero total, refreshable."""

from __future__ import annotations

from collections.abc import Sequence

from vault_app.gui.qt import Qt, QtGui, QtWidgets, Signal
from vault_app.gui.trading.orders_panel import FOCUS_RING
from vault_app.trading.money import money_text
from vault_app.trading.session import Balance

HEADERS = ("Currency", "Free", "In orders", "Total")


class BalancesPanel(QtWidgets.QWidget):
    refresh_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("balances")
        self.model = QtGui.QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.table = QtWidgets.QTableView(self)
        self.table.setObjectName("balancesTable")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        self.table.setStyleSheet(FOCUS_RING)  # where the keyboard is, visibly
        self.refresh = QtWidgets.QPushButton("Refresh balances", self)
        self.refresh.setObjectName("balancesRefresh")
        self.refresh.setToolTip("Ask the exchange again (F5)")
        self.problem = QtWidgets.QLabel(self)
        self.problem.setObjectName("balancesProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # the exchange's words: never HTML
        self.problem.hide()
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.refresh)
        top.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.problem)
        layout.addWidget(self.table, 1)
        self.refresh.clicked.connect(self.refresh_requested.emit)

    def set_loading(self, loading: bool) -> None:
        self.refresh.setEnabled(not loading)
        self.refresh.setText("Loading…" if loading else "Refresh balances")

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_balances(self, balances: Sequence[Balance]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for balance in balances:
            items = [QtGui.QStandardItem(balance.currency)]
            for value in (balance.free, balance.used, balance.total):
                item = QtGui.QStandardItem(money_text(value, pad=False))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
                items.append(item)
            self.model.appendRow(items)
        self.table.resizeColumnsToContents()
        self.show_problem("")

    def clear(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self.show_problem("")
