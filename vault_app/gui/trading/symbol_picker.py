"""A searchable list of a key's market symbols, with a busy indicator while they load.

Type to filter (any part of the symbol, case-insensitive, "btcusdt" finds "BTC/USDT");
Down moves into the list, Enter picks. ``symbol_chosen(symbol)`` when the user picks.
"""

from __future__ import annotations

from collections.abc import Sequence

from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal


def _plain(text: str) -> str:
    """What a search compares: letters and digits, folded ("BTC/USDT" -> "btcusdt")."""
    return "".join(char for char in text.casefold() if char.isalnum())


class _SymbolFilter(QtCore.QSortFilterProxyModel):
    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.wanted = ""

    def set_wanted(self, text: str) -> None:
        wanted = _plain(text)
        if wanted != self.wanted:
            self.beginFilterChange()
            self.wanted = wanted
            self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QtCore.QModelIndex | QtCore.QPersistentModelIndex
                         ) -> bool:
        if not self.wanted:
            return True
        model = self.sourceModel()
        text = model.index(source_row, 0, source_parent).data() or ""
        return self.wanted in _plain(str(text))


class SymbolPicker(QtWidgets.QWidget):
    symbol_chosen = Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QtWidgets.QLabel("&Market:", self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.search = QtWidgets.QLineEdit(self)
        self.search.setObjectName("symbolSearch")
        self.search.setPlaceholderText("Search symbols, e.g. BTC/USDT")
        self.search.setAccessibleName("Search symbols")
        self.search.setClearButtonEnabled(True)
        label.setBuddy(self.search)
        self.busy = QtWidgets.QProgressBar(self)
        self.busy.setObjectName("marketsBusy")
        self.busy.setRange(0, 0)  # an indeterminate bar: markets are loading
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.hide()
        self.status = QtWidgets.QLabel(self)
        self.status.setObjectName("marketsStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # the exchange's words: never HTML
        self.retry = QtWidgets.QPushButton("Load markets a&gain", self)
        self.retry.setObjectName("marketsRetry")
        self.retry.hide()
        self.model = QtCore.QStringListModel(self)
        self.proxy = _SymbolFilter(self)
        self.proxy.setSourceModel(self.model)
        self.list = QtWidgets.QListView(self)
        self.list.setObjectName("symbolList")
        self.list.setAccessibleName("Symbols")
        self.list.setModel(self.proxy)
        self.list.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        for widget in (label, self.search, self.busy, self.status, self.retry):
            layout.addWidget(widget)
        layout.addWidget(self.list, 1)
        self._chosen: str | None = None
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._pick_first)
        self.list.activated.connect(self._pick)
        self.list.clicked.connect(self._pick)
        down = QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Down), self.search)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        down.activated.connect(self._into_list)

    @property
    def chosen(self) -> str | None:
        return self._chosen

    def set_loading(self, loading: bool, message: str = "", *, failed: bool = False) -> None:
        """Show the busy indicator (``loading``), or ``message``; ``failed``: with a
        button to load them again."""
        self.busy.setVisible(loading)
        self.retry.setVisible(failed and not loading)
        self.status.setText(message or ("Loading markets…" if loading else ""))
        self.status.setVisible(bool(self.status.text()))

    def set_symbols(self, symbols: Sequence[str] | None, keep: str | None = None) -> None:
        """The symbols to offer (None: none yet); ``keep`` stays chosen if offered."""
        self.model.setStringList(sorted(symbols or ()))
        self._chosen = None
        if keep and symbols and keep in symbols:
            self.choose(keep)

    def choose(self, symbol: str) -> None:
        """Pick ``symbol`` (as the user would) and show it in the list."""
        rows = self.model.stringList()
        if symbol not in rows:
            return
        self.search.clear()
        index = self.proxy.mapFromSource(self.model.index(rows.index(symbol), 0))
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        self._chosen = symbol
        self.symbol_chosen.emit(symbol)

    def _filter(self, text: str) -> None:
        """Filter the list; the highlight stays on the ticket's market (or none, if the
        filter hides it): the list never points at a market the ticket is not on. Enter
        picks the first match; Down moves into the list."""
        self.proxy.set_wanted(text)
        self._highlight_chosen()

    def _highlight_chosen(self) -> None:
        rows = self.model.stringList()
        index = QtCore.QModelIndex()
        if self._chosen in rows:
            index = self.proxy.mapFromSource(self.model.index(rows.index(self._chosen), 0))
        selection = self.list.selectionModel()
        if index.isValid():
            self.list.setCurrentIndex(index)
            self.list.scrollTo(index)
        else:
            selection.clear()
            selection.setCurrentIndex(QtCore.QModelIndex(),
                                      QtCore.QItemSelectionModel.SelectionFlag.NoUpdate)

    def _pick_first(self) -> None:
        """Enter in the search: the first match."""
        if self.proxy.rowCount():
            self._pick(self.proxy.index(0, 0))

    def _into_list(self) -> None:
        if self.proxy.rowCount():
            self.list.setFocus()
            if not self.list.currentIndex().isValid():
                self.list.setCurrentIndex(self.proxy.index(0, 0))

    def _pick(self, index: QtCore.QModelIndex) -> None:
        symbol = index.data()
        if isinstance(symbol, str) and symbol != self._chosen:
            self._chosen = symbol
            self._highlight_chosen()
            self.symbol_chosen.emit(symbol)
