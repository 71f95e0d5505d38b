"""The Portfolio page: balances of every ``read`` key, valued in one quote currency.

A thin front end over ``vault_app.trading.portfolio``: Refresh runs
``fetch_portfolio`` through the window's ``ops`` (never on the UI thread); rows
appear as each exchange's keys are done, failing keys are listed with the core's
reason and fix, and "Export CSV…" writes ``portfolio_export.portfolio_csv`` to a file
the user picks (not encrypted: the page says so). Nothing of it is cached; ``clear``
(called when the vault locks) cancels a fetch in flight and empties every widget.

Text that comes from an exchange or the vault (asset names, labels, reasons) is shown
through ``core.plain_text.escape``: no control or bidi character reaches the screen.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_app.core.plain_text import escape
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import Qt, QtGui, QtWidgets, Signal
from vault_app.gui.theme import warning_color
from vault_app.gui.widgets import WrapLabel, plain_label

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow
    from vault_app.trading.portfolio import (
        AssetTotal,
        GroupResult,
        Holding,
        KeyOutcome,
        KeyRef,
        Portfolio,
    )

QUOTES = ("USDT", "USDC", "BTC", "ETH", "EUR")
"""Offered in the quote box (any other code may be typed)."""

COL_NAME, COL_WHERE, COL_AMOUNT, COL_PRICE, COL_VALUE = range(5)
NOT_ENCRYPTED = "The CSV file is not encrypted: anyone who can read it sees your balances."
NO_PRICE_TIP = ("No market on this exchange values {asset} in {quote} ({asset}/{quote} or "
                "{quote}/{asset}): it is not in the total.")


class PortfolioView(QtWidgets.QWidget):
    """``PortfolioView(window)``: ``window.vault`` for the keys, ``window.ops`` to fetch."""

    refreshed = Signal()
    """A fetch ended and its result is on show (also when every key failed)."""
    _key_done = Signal(int, object)  # (generation, KeyOutcome), from a worker thread
    _group_done = Signal(int, object)  # (generation, GroupResult), from a worker thread

    def __init__(self, window: MainWindow, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)  # the window's page stack takes it in
        self.setObjectName("portfolioView")
        self.main = window
        self.portfolio: Portfolio | None = None
        self.export_dialog: QtWidgets.QFileDialog | None = None
        self._generation = 0
        self._cancel: threading.Event | None = None
        self._groups: list[GroupResult] = []
        self._skipped: list[KeyRef] = []
        self._asked = 0
        self._quote = "USDT"
        self._key_done.connect(self._on_key_done)
        self._group_done.connect(self._on_group_done)
        self._build()
        self.clear()
        window.unlocked.connect(self._update_buttons)
        window.locked.connect(self.clear)  # g1's window calls it too: clearing is idempotent

    # --- layout ----------------------------------------------------------------------

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        bar = QtWidgets.QHBoxLayout()
        self.refresh_button = QtWidgets.QPushButton("&Refresh", self)
        self.refresh_button.setObjectName("refreshPortfolio")
        self.refresh_button.setToolTip("Ask every key labelled read for its balances")
        self.refresh_button.clicked.connect(self.refresh)
        bar.addWidget(self.refresh_button)
        quote_label = QtWidgets.QLabel("Val&ue in", self)
        self.quote = QtWidgets.QComboBox(self)
        self.quote.setObjectName("quoteCurrency")
        self.quote.setEditable(True)
        self.quote.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.quote.addItems(QUOTES)
        self.quote.setAccessibleName("Quote currency")
        self.quote.setMinimumContentsLength(6)
        edit = self.quote.lineEdit()
        if edit is not None:
            edit.setMaxLength(16)
            edit.returnPressed.connect(self.refresh)
        quote_label.setBuddy(self.quote)
        bar.addWidget(quote_label)
        bar.addWidget(self.quote)
        self.progress = QtWidgets.QProgressBar(self)
        self.progress.setObjectName("portfolioProgress")
        self.progress.setMinimumWidth(140)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        bar.addWidget(self.progress)
        bar.addStretch(1)
        self.export_button = QtWidgets.QPushButton("E&xport CSV…", self)
        self.export_button.setObjectName("exportPortfolio")
        self.export_button.setToolTip(NOT_ENCRYPTED)
        self.export_button.clicked.connect(self.choose_export)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)

        self.summary = plain_label("", self)
        self.summary.setObjectName("portfolioTotal")
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.details = WrapLabel("", self)
        self.details.setObjectName("portfolioDetails")
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.details)

        splitter = QtWidgets.QSplitter(Qt.Orientation.Vertical, self)
        self.table = QtWidgets.QTreeWidget(splitter)
        self.table.setObjectName("portfolioTable")
        self.table.setAccessibleName("Balances by asset")
        self.table.setColumnCount(5)
        self.table.setRootIsDecorated(True)
        self.table.setAlternatingRowColors(True)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_WHERE, QtWidgets.QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_NAME, 170), (COL_AMOUNT, 150), (COL_PRICE, 130),
                              (COL_VALUE, 150)):
            self.table.setColumnWidth(column, width)
        failures = QtWidgets.QWidget(splitter)
        failures_layout = QtWidgets.QVBoxLayout(failures)
        failures_layout.setContentsMargins(0, 0, 0, 0)
        self.failures_title = plain_label("Keys that could not be read", failures)
        self.failures_title.setObjectName("portfolioFailuresTitle")
        bold = self.failures_title.font()
        bold.setBold(True)
        self.failures_title.setFont(bold)
        failures_layout.addWidget(self.failures_title)
        self.failures = QtWidgets.QListWidget(failures)
        self.failures.setObjectName("portfolioFailures")
        self.failures.setAccessibleName("Keys that could not be read")
        self.failures.setWordWrap(True)
        self.failures.setAlternatingRowColors(True)
        failures_layout.addWidget(self.failures)
        self.failures_box = failures
        splitter.addWidget(self.table)
        splitter.addWidget(failures)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.setTabOrder(self.refresh_button, self.quote)
        self.setTabOrder(self.quote, self.export_button)
        self.setTabOrder(self.export_button, self.table)
        self.setTabOrder(self.table, self.failures)

    # --- state -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._cancel is not None

    def clear(self) -> None:
        """Cancel a fetch in flight and forget everything shown (the vault locked)."""
        self._generation += 1
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None
        if self.export_dialog is not None:
            self.export_dialog.reject()
            self.export_dialog = None
        self.portfolio = None
        self._groups = []
        self._skipped = []
        self._asked = 0
        self.table.clear()
        self.failures.clear()
        self.failures_box.hide()
        self.progress.hide()
        self.progress.reset()
        self.summary.setText("No balances fetched yet.")
        self.details.setText("Refresh asks every key labelled read for its balances, each "
                             "exchange in parallel, and values them with that exchange's "
                             "prices.")
        self._set_headers("USDT")
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.refresh_button.setEnabled(not self.busy and self.main.vault is not None)
        self.refresh_button.setText("Refreshing…" if self.busy else "&Refresh")
        self.quote.setEnabled(not self.busy)
        self.export_button.setEnabled(not self.busy and self.portfolio is not None)

    def _set_headers(self, quote: str) -> None:
        shown = escape(quote)
        self.table.setHeaderLabels(["Asset / key", "Exchange", "Amount", f"Price ({shown})",
                                    f"Value ({shown})"])
        for column in (COL_AMOUNT, COL_PRICE, COL_VALUE):
            self.table.headerItem().setTextAlignment(
                column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    # --- fetching ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the balances again, in the background (nothing if already fetching)."""
        from vault_app.core.errors import ValidationError
        from vault_app.trading.portfolio import clean_quote, key_ref, readable_keys

        vault = self.main.vault
        if vault is None or self.busy:
            return
        try:
            quote = clean_quote(self.quote.currentText())
        except ValidationError as exc:
            self.details.setText(error_message(exc))
            self.quote.setFocus()
            return
        self.quote.setCurrentText(quote)
        entries = list(vault.entries)
        chosen, skipped = readable_keys(entries)
        self._generation += 1
        generation = self._generation
        cancel = threading.Event()
        self._cancel = cancel
        self._groups = []
        self._skipped = [key_ref(entry) for entry in skipped]
        self._asked = len(chosen)
        self._quote = quote
        self.progress.setRange(0, max(1, len(chosen)))
        self.progress.setValue(0)
        self.progress.setFormat(f"%v of {len(chosen)} keys")
        self.progress.setVisible(bool(chosen))
        self._update_buttons()
        if self.portfolio is None or self.portfolio.quote != quote:
            self.table.clear()
            self.failures.clear()
            self.failures_box.hide()
            self._set_headers(quote)
        self.summary.setText(f"Fetching balances with {len(chosen)} "
                             f"key{'s' if len(chosen) != 1 else ''}…")

        def work() -> Portfolio:  # a worker thread: no widget in here
            from vault_app.trading.portfolio import fetch_portfolio

            def key_done(outcome: KeyOutcome) -> None:
                if not cancel.is_set():  # cleared: the page may be gone with the window
                    self._key_done.emit(generation, outcome)

            def group_done(group: GroupResult) -> None:
                if not cancel.is_set():
                    self._group_done.emit(generation, group)

            return fetch_portfolio(entries, quote, cancel=cancel, on_key_done=key_done,
                                   on_group_done=group_done)

        def done(portfolio: Portfolio) -> None:
            if generation != self._generation:
                return  # cleared (locked) or refreshed again meanwhile
            self._cancel = None
            self.progress.hide()
            self.portfolio = portfolio
            self._show(portfolio, final=True)
            self._update_buttons()
            self.refreshed.emit()

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._cancel = None
            self.progress.hide()
            self.summary.setText("The balances could not be fetched.")
            self.details.setText(error_message(exc))
            self._update_buttons()
            self.refreshed.emit()

        self.main.ops.run(work, done, failed)

    def _on_key_done(self, generation: int, _outcome: KeyOutcome) -> None:
        if generation == self._generation and self.busy:
            self.progress.setValue(self.progress.value() + 1)

    def _on_group_done(self, generation: int, group: GroupResult) -> None:
        if generation != self._generation or not self.busy:
            return
        from vault_app.trading.portfolio import assemble

        self._groups.append(group)
        self._show(assemble(self._groups, self._quote, skipped=self._skipped,
                            keys_asked=self._asked), final=False)

    # --- showing -----------------------------------------------------------------------

    def _show(self, portfolio: Portfolio, *, final: bool) -> None:
        from vault_app.trading.portfolio import format_value

        quote = portfolio.quote
        self._set_headers(quote)
        collapsed = {self._item_key(item) for item in self._top_items()
                     if not item.isExpanded()}  # by the user: kept; new assets open
        self.table.clear()
        for asset in portfolio.assets:
            item = self._asset_item(asset, quote)
            self.table.addTopLevelItem(item)
            item.setExpanded(asset.asset not in collapsed)
        total = format_value(portfolio.total_value, quote)
        self.summary.setText(f"Total: {total} {escape(quote)}"
                             + ("" if final else " so far…"))
        self.details.setText(self._details_text(portfolio, final))
        self.failures.clear()
        for failure in portfolio.failures:
            key = failure.key
            text = (f"{escape(key.label)} ({escape(key.exchange)}, {escape(key.endpoint)}): "
                    f"{escape(failure.text)}")
            row = QtWidgets.QListWidgetItem(text)
            row.setForeground(QtGui.QColor(warning_color(_app())))
            row.setData(Qt.ItemDataRole.UserRole, key.id)
            self.failures.addItem(row)
        self.failures_box.setVisible(bool(portfolio.failures))

    def _top_items(self) -> list[QtWidgets.QTreeWidgetItem]:
        items = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return [item for item in items if item is not None]

    @staticmethod
    def _item_key(item: QtWidgets.QTreeWidgetItem | None) -> str:
        return "" if item is None else str(item.data(COL_NAME, Qt.ItemDataRole.UserRole))

    def _asset_item(self, asset: AssetTotal, quote: str) -> QtWidgets.QTreeWidgetItem:
        from vault_app.trading.portfolio import format_amount, format_value

        exchanges = {h.key.endpoint for h in asset.holdings}
        keys = len(asset.holdings)
        where = (f"{keys} key{'s' if keys != 1 else ''}"
                 + (f" on {len(exchanges)} exchanges" if len(exchanges) > 1 else ""))
        item = QtWidgets.QTreeWidgetItem([
            escape(asset.asset), where, format_amount(asset.total), "",
            format_value(asset.value, quote)])
        item.setData(COL_NAME, Qt.ItemDataRole.UserRole, asset.asset)
        bold = item.font(COL_NAME)
        bold.setBold(True)
        for column in (COL_NAME, COL_VALUE):
            item.setFont(column, bold)
        self._align_numbers(item)
        if asset.unpriced:
            unpriced = format_amount(asset.unpriced)
            item.setToolTip(COL_VALUE, f"{unpriced} {escape(asset.asset)} has no price in "
                                       f"{escape(quote)}: not in the value or the total.")
            if asset.value is not None:
                item.setText(COL_VALUE, f"{format_value(asset.value, quote)} + no price")
            self._dim(item, COL_VALUE)
        for holding in asset.holdings:
            item.addChild(self._holding_item(holding, quote))
        return item

    def _holding_item(self, holding: Holding, quote: str) -> QtWidgets.QTreeWidgetItem:
        from vault_app.trading.portfolio import format_amount, format_price, format_value

        key = holding.key
        price = format_price(holding.price, quote)
        child = QtWidgets.QTreeWidgetItem([
            escape(key.label), f"{escape(key.exchange)} · {escape(key.endpoint)}",
            format_amount(holding.total), price, format_value(holding.value, quote)])
        child.setData(COL_NAME, Qt.ItemDataRole.UserRole, key.id)
        child.setToolTip(COL_AMOUNT, f"free {format_amount(holding.free)}, in orders "
                                     f"{format_amount(holding.used)}")
        self._align_numbers(child)
        if holding.price is None:
            tip = NO_PRICE_TIP.format(asset=escape(holding.asset), quote=escape(quote))
            for column in (COL_PRICE, COL_VALUE):
                child.setToolTip(column, tip)
                self._dim(child, column)
        return child

    @staticmethod
    def _align_numbers(item: QtWidgets.QTreeWidgetItem) -> None:
        for column in (COL_AMOUNT, COL_PRICE, COL_VALUE):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight
                                  | Qt.AlignmentFlag.AlignVCenter)

    @staticmethod
    def _dim(item: QtWidgets.QTreeWidgetItem, column: int) -> None:
        font = item.font(column)
        font.setItalic(True)
        item.setFont(column, font)

    def _details_text(self, portfolio: Portfolio, final: bool) -> str:
        parts = []
        answered = portfolio.keys_answered
        if final:
            parts.append(f"{answered} of {portfolio.keys_asked} keys answered.")
        if portfolio.unpriced:
            parts.append(f"Not in the total (no price in {escape(portfolio.quote)}): "
                         f"{', '.join(escape(a) for a in portfolio.unpriced)}.")
        if portfolio.skipped:
            labels = ", ".join(escape(key.label) for key in portfolio.skipped)
            parts.append(f"Not asked (not labelled read): {labels}.")
        if final and not portfolio.keys_asked:
            parts.append("No key is labelled read: label a key read to see its balances.")
        return " ".join(parts)

    # --- export --------------------------------------------------------------------------

    def choose_export(self) -> None:
        """Ask where to save the CSV (a save dialog that says it is not encrypted)."""
        if self.portfolio is None:
            return
        dialog = QtWidgets.QFileDialog(self, "Export portfolio as CSV (not encrypted)")
        dialog.setObjectName("portfolioExportDialog")
        dialog.setAcceptMode(QtWidgets.QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QtWidgets.QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.setOption(QtWidgets.QFileDialog.Option.DontUseNativeDialog)
        dialog.setLabelText(QtWidgets.QFileDialog.DialogLabel.Accept, "Export")
        dialog.setDirectory(str(Path.home()))
        dialog.selectFile("portfolio.csv")
        grid = dialog.layout()  # Qt's own dialog: the warning goes under its fields
        if isinstance(grid, QtWidgets.QGridLayout):
            note = plain_label(NOT_ENCRYPTED, dialog)
            note.setObjectName("notEncryptedNote")
            note.setStyleSheet(f"color: {warning_color(_app())};")
            grid.addWidget(note, grid.rowCount(), 0, 1, grid.columnCount())
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.finished.connect(lambda _result: self._export_closed(dialog))
        self.export_dialog = dialog
        dialog.open()

    def _export_closed(self, dialog: QtWidgets.QFileDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None
        dialog.deleteLater()

    def export_to(self, path: Path) -> None:
        """Write the CSV of what is on show to ``path`` (in the background)."""
        portfolio = self.portfolio
        if portfolio is None:
            return
        from vault_app.trading.portfolio_export import portfolio_csv, write_csv

        generation = self._generation
        text = portfolio_csv(portfolio)

        def done(_result: Any) -> None:
            if generation == self._generation:
                self.details.setText(f"Exported to {path}. {NOT_ENCRYPTED}")

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.details.setText(f"Not exported: {error_message(exc)}")

        self.main.ops.run(lambda: write_csv(path, text), done, failed)


def _app() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    assert isinstance(app, QtWidgets.QApplication)
    return app


__all__ = ["PortfolioView"]
