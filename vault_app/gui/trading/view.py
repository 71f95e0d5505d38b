"""The trading page: pick a key and a market, fill the order ticket, see the key's open
orders, history and balances. Everything slow runs in the key's queue of the op
helper (``Sessions.run``); each result is shown only if its key is still the one
chosen. The submit and cancel flows live beside it (``submit_flow``, ``cancel_flow``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.core.model import KeyEntry
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets
from vault_app.gui.theme import warning_color
from vault_app.gui.trading.balances_panel import BalancesPanel
from vault_app.gui.trading.cancel_flow import CancelFlow
from vault_app.gui.trading.field_message import current_app
from vault_app.gui.trading.key_picker import KeyPicker
from vault_app.gui.trading.orders_panel import HistoryPanel, OpenOrdersPanel
from vault_app.gui.trading.queued_work import (
    header_symbols_work,
    history_work,
    load_markets_work,
    open_orders_work,
)
from vault_app.gui.trading.submit_flow import SubmitFlow, explain
from vault_app.gui.trading.symbol_picker import SymbolPicker
from vault_app.gui.trading.ticket import OrderTicket
from vault_app.gui.trading.view_layout import TicketSplit, plain_text_labels

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow
    from vault_app.trading.session import Balance, TradingSession

PREFERRED_SYMBOL = "BTC/USDT"
# Each tab's Alt+letter is its own on the page (u2 N5: "Balanc&es" was read as Alt+C).
TAB_TITLES = {"open_orders": "Open or&ders", "history": "&History", "balances": "Ba&lances"}
TICKER_MS = 5_000  # the last price, asked again while the view shows and the key is idle


class TradingView(QtWidgets.QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("tradingView")
        self.window_ = window
        self.entry: KeyEntry | None = None
        self.exchange: Any = None  # the chosen key's ccxt instance, its markets loaded
        self.keys = KeyPicker(self)
        self.symbols = SymbolPicker(self)
        self.ticket = OrderTicket(self)
        self.status = QtWidgets.QLabel(self)
        self.status.setObjectName("orderStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # the exchange's words: never HTML
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_orders = OpenOrdersPanel(self)
        self.history = HistoryPanel(self)
        self.balances = BalancesPanel(self)
        self.tabs = QtWidgets.QTabWidget(self)
        self.tabs.setObjectName("tradingTabs")
        self.tabs.addTab(self.open_orders, TAB_TITLES["open_orders"])
        self.tabs.addTab(self.history, TAB_TITLES["history"])
        self.tabs.addTab(self.balances, TAB_TITLES["balances"])
        self.resume_symbol: str | None = None  # the market at the lock
        self.middle: QtWidgets.QWidget
        self.scroll: QtWidgets.QScrollArea
        self.body: QtWidgets.QSplitter
        self._layout()
        plain_text_labels(self)
        self.submit = SubmitFlow(self)
        self.cancel = CancelFlow(self)
        self.keys.key_changed.connect(self._key_changed)
        self.symbols.symbol_chosen.connect(self._symbol_chosen)
        self.symbols.retry.clicked.connect(lambda: self.load_markets(self.symbols.chosen))
        refresh = QtGui.QShortcut(QtGui.QKeySequence(QtGui.QKeySequence.StandardKey.Refresh),
                                  self)  # F5: the tab on show
        refresh.activated.connect(lambda: self._refresh_tab())
        # A refresh settles the orders of unknown outcome first (the key's queue keeps
        # the order: the lookup, then the listing).
        self.open_orders.refresh_requested.connect(self.reconcile)
        self.open_orders.refresh_requested.connect(self.load_open_orders)
        self.history.refresh_requested.connect(self.reconcile)
        self.history.refresh_requested.connect(lambda: self.load_history(refresh=True))
        self.history.mark_requested.connect(self.submit.lookups.mark_not_placed)
        self.balances.refresh_requested.connect(self.load_balances)
        self.ticket.review_requested.connect(self.submit.review)
        self.ticket.edited.connect(self._ticket_edited)
        self.open_orders.cancel_requested.connect(self.cancel.ask)
        self.in_flight = 0  # ops of the chosen key submitted and not delivered yet
        self._markets_load = 0  # counts load_markets calls: only the last one's results show
        self._listed = threading.Event()  # holds the markets load until the list shows
        self._problem: tuple[str, str] | None = None  # (reason, where): said once, not thrice
        self.ticker = QtCore.QTimer(self)
        self.ticker.setObjectName("lastPriceTicker")
        self.ticker.setInterval(TICKER_MS)
        self.ticker.timeout.connect(self._tick)

    def _layout(self) -> None:
        self.split = TicketSplit(self)  # sets .middle, .scroll and .body (the splitter)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.keys)
        layout.addWidget(self.body, 1)
        # Tab order: key, market search, list, the ticket, the tabs.
        QtWidgets.QWidget.setTabOrder(self.keys.combo, self.symbols.search)
        QtWidgets.QWidget.setTabOrder(self.symbols.search, self.symbols.list)

    def ticket_height(self) -> int:
        return self.split.ticket_height()

    def fit_split(self) -> None:
        self.split.fit()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        QtCore.QTimer.singleShot(0, self.split.fit)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        self.ticker.start()

    def hideEvent(self, event: QtGui.QHideEvent) -> None:
        super().hideEvent(event)
        self.ticker.stop()

    def _tick(self) -> None:
        """The last price again, if the view shows, a market is chosen and the key has
        nothing else under way (never in front of an order being reviewed or sent)."""
        symbol = self.symbols.chosen
        if (self.isVisible() and self.entry is not None and symbol is not None
                and self.exchange is not None and self.in_flight == 0
                and not self.submit.in_flight):
            self.load_price(symbol, quiet=True)

    def problem_text(self, what: str, exc: BaseException, where: str) -> str:
        """"<what>: <reason>", or, if that reason is already on show for this key (the
        exchange is down: markets, orders and balances fail alike), a pointer to
        ``where`` it was said first ("under Market", "in Open orders", …)."""
        reason = explain(exc)
        if self._problem and reason == self._problem[0]:
            return f"{what}: the same problem as {self._problem[1]}."
        self._problem = (reason, where)
        return f"{what}: {reason}"

    def _refresh_tab(self) -> None:
        panel = self.tabs.currentWidget()
        if isinstance(panel, BalancesPanel | OpenOrdersPanel | HistoryPanel) \
                and panel.refresh.isEnabled():
            panel.refresh.click()

    # --- what the window calls -----------------------------------------------------------

    def show_keys_of_vault(self, entry_id: str | None = None) -> None:
        """Offer the open vault's keys; choose ``entry_id`` if given (else keep the key)."""
        vault = self.window_.vault
        if vault is None:
            return
        self.keys.set_entries(vault.entries, keep=entry_id)

    def wipe(self) -> None:
        """Forget everything of the unlocked session (the vault is being locked)."""
        self._listed.set()
        self.submit.wipe()
        self.cancel.wipe()
        self.in_flight = 0  # their callbacks will not come: the sessions are dropped
        self._problem = None
        # Unlocking resumes this market, as the window resumes the page and key (u2 N8).
        self.resume_symbol = self.symbols.chosen or self.resume_symbol
        self.entry = None
        self.exchange = None
        with_blocked = self.keys.blockSignals(True)
        self.keys.clear()
        self.keys.blockSignals(with_blocked)
        self.symbols.set_symbols(None)
        self.symbols.set_loading(False)
        self.ticket.clear()
        self.ticket.set_key(None)
        self.ticket.set_market(None, None)
        self.ticket.set_balances(None)
        self.ticket.set_last_price(None)
        for panel in (self.open_orders, self.history, self.balances):
            panel.clear()
        self.status.clear()

    # --- background work ----------------------------------------------------------------

    def run(self, work: Callable[[TradingSession], Any], done: Callable[[Any], None],
            failed: Callable[[BaseException], None], *, entry: KeyEntry | None = None,
            after_lock: bool = False) -> bool:
        """Run ``work`` in the queue of ``entry`` (default: the chosen key); ``done`` or
        ``failed`` only if that key is still the chosen one (or ``after_lock``)."""
        entry = entry or self.entry
        vault = self.window_.vault
        if entry is None or vault is None:
            return False

        counted = entry.id == (self.entry.id if self.entry else None)
        if counted:
            self.in_flight += 1

        def still(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:
                chosen = self.entry is not None and self.entry.id == entry.id
                if counted and chosen:
                    self.in_flight = max(0, self.in_flight - 1)
                if after_lock or chosen:
                    callback(value)
                self.window_.sync_keys()  # the op may have saved or re-read the vault
            return deliver

        self.window_.sessions.run(vault, entry, work, still(done), still(failed),
                                  after_lock=after_lock)
        return True

    def _ticket_edited(self) -> None:
        """A new order is being typed: the last one's result line goes, unless an order
        is still on its way or its outcome is being looked up (that line must stay)."""
        if not self.submit.in_flight and not self.submit.lookups.watching:
            self.status.clear()
            self.status.setStyleSheet("")

    def show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        color = warning_color(current_app())  # the palette's red, readable in the dark too
        self.status.setStyleSheet(f"QLabel {{ color: {color}; }}" if error else "")
        self.window_.statusBar().showMessage(text.split("\n")[0], 15_000)

    # --- a key, then a market ------------------------------------------------------------

    def _key_changed(self, entry: KeyEntry | None) -> None:
        self._listed.set()  # the earlier key's markets load waits no longer
        self.entry = entry
        self.exchange = None
        self.in_flight = 0  # the earlier key's results are not counted (nor delivered)
        self._problem = None
        self.submit.key_changed()
        self.cancel.key_changed()
        self.ticket.set_key(entry)
        self.ticket.set_market(None, None)
        self.ticket.set_last_price(None)
        self.ticket.set_balances(None)
        self.open_orders.can_cancel = bool(entry and entry.can_trade)
        self.history.can_mark = bool(entry and entry.can_trade)
        for panel in (self.open_orders, self.history, self.balances):
            panel.clear()
        self.status.clear()
        keep = self.symbols.chosen or self.resume_symbol
        self.resume_symbol = None
        self.symbols.set_symbols(None)
        if entry is None:
            self.symbols.set_loading(False)
            return
        self.load_markets(keep)
        self.reconcile()
        self.load_open_orders()
        self.load_history(refresh=False)

    def load_markets(self, keep: str | None = None) -> None:
        """The key's markets (from the disk cache when fresh), then choose ``keep``, or
        BTC/USDT, or the first symbol. The list shows first from the cache's header (a
        fresh copy's symbols, read in the key's queue before the markets load): a market
        can be chosen meanwhile, its ticket says "loading…" until the markets are in
        (``self.exchange`` stays None until then: nothing is assessed against them)."""
        entry = self.entry
        if entry is None:
            return
        self._markets_load += 1
        load = self._markets_load
        self._listed.set()  # an earlier load waits no longer
        gate = self._listed = threading.Event()
        self.ticket.set_market(None, None)  # loading (and no earlier failure shown)
        self.symbols.set_loading(True, f"Loading the markets of {entry.exchange}…")

        def current() -> bool:
            return load == self._markets_load

        def choose(symbols: list[str], wanted: str | None) -> None:
            wanted = wanted if wanted in symbols else (
                PREFERRED_SYMBOL if PREFERRED_SYMBOL in symbols else
                (symbols[0] if symbols else None))
            if wanted:
                self.symbols.choose(wanted)

        def listed(symbols: list[str] | None) -> None:
            if current() and symbols and self.exchange is None:
                self.symbols.set_symbols(symbols)
                choose(symbols, keep)
            QtCore.QTimer.singleShot(0, gate.set)  # once the list is painted: the markets

        def loaded(result: tuple[Any, list[str], bool]) -> None:
            if not current():
                return
            exchange, symbols, stale = result
            self.exchange = exchange
            self.symbols.set_loading(False, "Markets from a stale copy: the exchange could "
                                     "not be reached." if stale else "")
            chosen = self.symbols.chosen
            if self.symbols.model.stringList() == symbols and chosen is not None:
                self.ticket.set_market(exchange, chosen)  # the header's list was right
                return
            self.symbols.set_symbols(symbols)
            choose(symbols, chosen or keep)

        def failed(exc: BaseException) -> None:
            if not current():
                return
            text = self.problem_text("The markets could not be loaded", exc, "under Market")
            self.symbols.set_loading(False, text, failed=True)
            self.ticket.show_error("symbol", "No market to trade: the markets could not "
                                   "be loaded (the reason is under Market).")

        self.run(lambda session: header_symbols_work(session, gate), listed,
                 lambda _exc: gate.set(), entry=entry)
        self.run(lambda session: load_markets_work(session, gate), loaded, failed, entry=entry)

    def _symbol_chosen(self, symbol: str) -> None:
        self.ticket.set_market(self.exchange, symbol)
        self.ticket.set_last_price(None)
        self.load_price(symbol)
        self.load_balances()

    def load_price(self, symbol: str, *, quiet: bool = False) -> None:
        """The last price of ``symbol`` into the ticket; ``quiet`` (the ticker): a failure
        keeps the price shown and says nothing (the next tick asks again)."""
        def done(price: Decimal | None) -> None:
            if self.symbols.chosen == symbol and (price is not None or not quiet):
                self.ticket.set_last_price(price)

        def failed(exc: BaseException) -> None:
            if self.symbols.chosen == symbol and not quiet:
                self.show_status(self.problem_text(
                    f"The last price of {symbol} could not be loaded", exc,
                    "in the line under the ticket"), error=True)

        from vault_app.trading.orders import last_price

        self.run(lambda session: last_price(session.client, symbol), done, failed)

    # --- the tabs ------------------------------------------------------------------------

    def load_balances(self) -> None:
        def done(balances: list[Balance]) -> None:
            self.balances.set_loading(False)
            self.balances.set_balances(balances)
            self.ticket.set_balances({row.currency: row.free for row in balances})

        def failed(exc: BaseException) -> None:
            self.balances.set_loading(False)
            self.balances.show_problem(self.problem_text("Balances could not be loaded", exc,
                                                        "in Balances"))

        if self.run(lambda session: session.balances(), done, failed):
            self.balances.set_loading(True)

    def load_open_orders(self) -> None:
        entry = self.entry

        def done(orders: list[dict[str, Any]]) -> None:
            self.open_orders.set_loading(False)
            self.open_orders.show_problem("")
            self.open_orders.set_orders(orders)

        def failed(exc: BaseException) -> None:
            self.open_orders.set_loading(False)
            self.open_orders.show_problem(self.problem_text("Open orders could not be loaded",
                                                            exc, "in Open orders"))

        if entry is not None and self.run(lambda s: open_orders_work(s, entry), done, failed):
            self.open_orders.set_loading(True)

    def load_history(self, *, refresh: bool) -> None:
        def done(result: tuple[list[dict[str, Any]], str]) -> None:
            orders, problem = result
            self.history.set_loading(False)
            self.history.set_orders(orders)
            self.history.show_problem(problem)

        def failed(exc: BaseException) -> None:
            self.history.set_loading(False)
            self.history.show_problem(self.problem_text(
                "The order history could not be read", exc, "in History"))

        if self.run(lambda session: history_work(session, refresh), done, failed):
            self.history.set_loading(True)

    def reconcile(self) -> None:
        """Settle the key's orders of unknown outcome (no request if there are none), and
        again on the core's schedule while any is left (``SubmitFlow.look_up``)."""
        self.submit.lookups.look_up()
