"""The Portfolio page: balances of every ``read`` key, valued in one quote currency.

A thin front end over ``vault_app.trading.portfolio_fetch``: Refresh runs
``fetch_portfolio`` through the window's ``ops`` (never on the UI thread); rows
appear as each exchange's keys are done (``portfolio_tree``), failing keys are listed
with the core's reason and fix (``portfolio_failures``), and "Export CSV…" writes
``portfolio_export.portfolio_csv`` to a file the user picks (``portfolio_export_dialog``;
not encrypted: the page says so). Keys the core counts once (the same API key twice,
keys of one exchange account) are said under the total. Nothing of it is cached;
``clear`` (called when the vault locks) cancels a fetch in flight and empties every
widget.

Text that comes from an exchange or the vault (asset names, labels, reasons) is shown
through ``core.plain_text.escape``: no control or bidi character reaches the screen.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_app.core.plain_text import escape
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.trading.portfolio_export_dialog import NOT_ENCRYPTED, export_dialog
from vault_app.gui.trading.portfolio_failures import FailuresBox
from vault_app.gui.trading.portfolio_tree import PortfolioTree
from vault_app.gui.widgets import WrapLabel, plain_label
from vault_app.trading.portfolio_format import as_of_text, has_rows

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow
    from vault_app.trading.portfolio import GroupResult, KeyOutcome, KeyRef, Portfolio, SameKey

QUOTES = ("USDT", "USDC", "BTC", "ETH", "EUR")
"""Offered in the quote box (any other code may be typed)."""


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
        self._same_key: tuple[SameKey, ...] = ()
        self._asked = 0
        self._quote = "USDT"
        self._visited = False
        self._key_done.connect(self._on_key_done)
        self._group_done.connect(self._on_group_done)
        self._build()
        self.clear()
        window.unlocked.connect(self._update_buttons)
        window.locked.connect(self.clear)  # g1's window calls it too: clearing is idempotent

    # --- layout ----------------------------------------------------------------------

    def _build(self) -> None:
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self._build_bar())
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
        layout.addWidget(self.details)
        self.table = PortfolioTree(self)
        layout.addWidget(self.table, 1)
        self.failures = FailuresBox(self)
        layout.addWidget(self.failures)
        self.setTabOrder(self.refresh_button, self.quote)
        self.setTabOrder(self.quote, self.export_button)
        self.setTabOrder(self.export_button, self.table)

    def _build_bar(self) -> QtWidgets.QHBoxLayout:
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
        return bar

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
        self._visited = False
        self._groups = []
        self._skipped = []
        self._same_key = ()
        self._asked = 0
        self.table.clear()
        self.failures.clear()
        self.progress.hide()
        self.progress.reset()
        self.summary.setText("No balances fetched yet.")
        self.details.setText("Refresh asks every key labelled read for its balances, each "
                             "exchange in parallel, and values them with that exchange's "
                             "prices.")
        self.table.set_quote("USDT")
        self._update_buttons()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        """The first visit after an unlock refreshes: the page was opened to see numbers."""
        super().showEvent(event)
        if not self._visited and self.main.vault is not None:
            self._visited = True
            QtCore.QTimer.singleShot(0, self.refresh)

    def _update_buttons(self) -> None:
        self.refresh_button.setEnabled(not self.busy and self.main.vault is not None)
        self.refresh_button.setText("Refreshing…" if self.busy else "&Refresh")
        self.quote.setEnabled(not self.busy)
        self.export_button.setEnabled(not self.busy and self.portfolio is not None
                                      and has_rows(self.portfolio))

    # --- fetching ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the balances again, in the background (nothing if already fetching)."""
        from vault_app.core.errors import ValidationError
        from vault_app.trading.portfolio import clean_quote, key_ref
        from vault_app.trading.portfolio_keys import plan_keys

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
        plan = plan_keys(entries)
        asked = len(plan.asked)
        self._generation += 1
        generation = self._generation
        cancel = threading.Event()
        self._cancel = cancel
        self._groups = []
        self._skipped = [key_ref(entry) for entry in plan.skipped]
        self._same_key = plan.same_key
        self._asked = asked
        self._quote = quote
        self.progress.setRange(0, max(1, asked))
        self.progress.setValue(0)
        self.progress.setFormat(f"%v of {asked} keys")
        self.progress.setVisible(bool(asked))
        self._update_buttons()
        if self.portfolio is None or self.portfolio.quote != quote:
            self.table.clear()
            self.failures.clear()
            self.table.set_quote(quote)
        self.summary.setText(f"Fetching balances with {asked} key{'s' if asked != 1 else ''}…")

        def work() -> Portfolio:  # a worker thread: no widget in here
            from vault_app.trading.portfolio_fetch import fetch_portfolio

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
            try:
                self._show(portfolio, final=True)
            except Exception as exc:  # a page half drawn must not stay "Refreshing…"
                failed(exc, "shown")
                return
            self._cancel = None
            self.progress.hide()
            self.portfolio = portfolio
            self._update_buttons()
            self.refreshed.emit()

        def failed(exc: BaseException, what: str = "fetched") -> None:
            if generation != self._generation:
                return
            self._cancel = None
            self.portfolio = None
            self.progress.hide()
            self.table.clear()
            self.summary.setText(f"The balances could not be {what}; press Refresh to try "
                                 "again.")
            self.details.setText(error_message(exc))
            self._update_buttons()
            self.refreshed.emit()

        self.main.ops.run(work, done, failed, network=True)

    def _on_key_done(self, generation: int, _outcome: KeyOutcome) -> None:
        if generation == self._generation and self.busy:
            self.progress.setValue(self.progress.value() + 1)

    def _on_group_done(self, generation: int, group: GroupResult) -> None:
        if generation != self._generation or not self.busy:
            return
        from vault_app.trading.portfolio import assemble

        self._groups.append(group)
        with contextlib.suppress(Exception):  # the final result says what went wrong
            self._show(assemble(self._groups, self._quote, skipped=self._skipped,
                                keys_asked=self._asked, same_key=self._same_key), final=False)

    # --- showing -----------------------------------------------------------------------

    def _show(self, portfolio: Portfolio, *, final: bool) -> None:
        from vault_app.trading.portfolio_format import total_text

        self.table.show_portfolio(portfolio)
        self.summary.setText(total_text(portfolio, final=final))
        self.details.setText(details_text(portfolio, final))
        self.failures.show_failures(portfolio.failures)

    # --- export --------------------------------------------------------------------------

    def choose_export(self) -> None:
        """Ask where to save the CSV (a save dialog that says it is not encrypted)."""
        if self.portfolio is None:
            return
        from vault_app.trading.portfolio_export import refusal

        protected = self._protected()
        dialog = export_dialog(self, lambda path: refusal(path, protected))
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.finished.connect(lambda _result: self._export_closed(dialog))
        self.export_dialog = dialog
        dialog.open()

    def _export_closed(self, dialog: QtWidgets.QFileDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None
        dialog.deleteLater()

    def _protected(self) -> tuple[Path, ...]:
        """The open vault's files: an export never replaces them."""
        from vault_app.trading.portfolio_export import protected_files

        vault = self.main.vault
        return protected_files(Path(vault.path)) if vault is not None else ()

    def export_to(self, path: Path) -> None:
        """Write the CSV of what is on show to ``path`` (in the background)."""
        portfolio = self.portfolio
        if portfolio is None:
            return
        from vault_app.trading.portfolio_export import (
            portfolio_csv,
            write_csv,
        )

        generation = self._generation
        text = portfolio_csv(portfolio)
        protected = self._protected()

        def done(_result: Any) -> None:
            if generation == self._generation:
                # the "as of" line stays: the file holds the balances of that time (u2 N7)
                self.details.setText(f"{details_text(portfolio, True)} Exported to "
                                     f"{escape(str(path))}. {NOT_ENCRYPTED}")

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.details.setText(f"Not exported: {error_message(exc)}")

        self.main.ops.run(lambda: write_csv(path, text, protected=protected), done, failed)


def details_text(portfolio: Portfolio, final: bool) -> str:
    """The line under the total: keys answered, what is not in the total, keys not
    asked, keys counted once."""
    parts = []
    if final:
        when = as_of_text(portfolio)
        keys = "key" if portfolio.keys_asked == 1 else "keys"
        parts.append(f"{portfolio.keys_answered} of {portfolio.keys_asked} {keys} answered"
                     + (f", {when}." if when else "."))
    unpriced = dict.fromkeys((*portfolio.unpriced, *portfolio.test_unpriced))
    if unpriced:
        parts.append(f"Not valued (no price in {escape(portfolio.quote)}): "
                     f"{', '.join(escape(a) for a in unpriced)}.")
    for shared in portfolio.shared:
        parts.append(f"One account on {escape(shared.endpoint)}, counted once: "
                     f"{escape(shared.labels)}.")
    if portfolio.same_key:
        same = ", ".join(f"'{escape(s.key.label)}' (same API key as "
                         f"'{escape(s.same_as.label)}')" for s in portfolio.same_key)
        parts.append(f"Not asked, counted once: {same}.")
    if portfolio.skipped:
        labels = ", ".join(escape(key.label) for key in portfolio.skipped)
        parts.append(f"Not asked (not labelled read): {labels}.")
    if final and not portfolio.keys_asked:
        parts.append("No key is labelled read: label a key read to see its balances.")
    return " ".join(parts)


__all__ = ["PortfolioView", "details_text"]
