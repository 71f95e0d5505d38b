"""The unlocked window's sections: Keys, Trading, Portfolio and Audit, as tabs.

The Audit tab carries the badge: its title counts the high findings, in red, whatever
section is shown (the audit is cheap and re-run at each revision of the vault).

Ctrl+1 shows the keys, Ctrl+T (or Ctrl+2) the trading view, Ctrl+3 the portfolio (the actions
are in ``actions``). The trading and portfolio pages are built the first time they
are shown: nothing of the trading layer (and never ccxt) is loaded before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.gui.audit_view import AuditView
from vault_app.gui.qt import Qt, QtGui, QtWidgets

if TYPE_CHECKING:
    from vault_app.gui.trading.portfolio_view import PortfolioView
    from vault_app.gui.trading.view import TradingView
    from vault_app.gui.window import MainWindow

KEYS, TRADING, PORTFOLIO, AUDIT = range(4)


def _placeholder(name: str, text: str, parent: QtWidgets.QWidget) -> QtWidgets.QWidget:
    page = QtWidgets.QWidget(parent)
    page.setObjectName(name)
    layout = QtWidgets.QVBoxLayout(page)
    label = QtWidgets.QLabel(text, page)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout.addWidget(label)
    return page


class Sections(QtWidgets.QTabWidget):
    def __init__(self, window: MainWindow, keys_page: QtWidgets.QWidget) -> None:
        super().__init__(window)
        self.setObjectName("sections")
        self.window_ = window
        self.trading: TradingView | None = None
        self.portfolio: PortfolioView | None = None
        self.setDocumentMode(True)
        self.addTab(keys_page, "Keys")
        self.addTab(_placeholder("tradingPlaceholder", "Loading the trading view…", self),
                    "Trading")
        self.addTab(_placeholder("portfolioPlaceholder", "Loading the portfolio…", self),
                    "Portfolio")
        self.audit = AuditView(window, self)
        self.addTab(self.audit, "Audit")
        self._tab_color = self.tabBar().tabTextColor(AUDIT)
        self.audit.high_count_changed.connect(self._show_badge)
        window.unlocked.connect(self.audit.refresh)
        window.saved.connect(lambda _path: self.audit.refresh())
        window.reloaded.connect(self.audit.refresh)
        window.locked.connect(self.audit.clear)
        for index, shortcut in ((KEYS, "Ctrl+1"), (TRADING, "Ctrl+T or Ctrl+2"),
                                (PORTFOLIO, "Ctrl+3"), (AUDIT, "")):
            if shortcut:
                self.setTabToolTip(index, f"{self.tabText(index).replace('&', '')} ({shortcut})")
        self.currentChanged.connect(self._changed)

    def keys_changed(self) -> None:
        """The vault was saved or reloaded: the trading view offers its keys as they are."""
        if self.trading is not None and self.window_.vault is not None:
            self.trading.show_keys_of_vault()

    def _show_badge(self, high: int) -> None:
        """The count of high findings on the Audit tab, in red; the plain title at 0."""
        self.setTabText(AUDIT, f"Audit ({high} high)" if high else "Audit")
        self.tabBar().setTabTextColor(AUDIT, QtGui.QColor("#c62828") if high
                                      else self._tab_color)
        self.setTabToolTip(AUDIT, f"{high} high-severity finding(s) in the security audit"
                           if high else "Security audit: no high-severity finding")

    def show_section(self, index: int) -> None:
        self.setCurrentIndex(index)
        self._changed(index)

    def trading_view(self) -> TradingView:
        """The trading page, built on first use."""
        if self.trading is None:
            from vault_app.gui.trading.view import TradingView

            self.trading = TradingView(self.window_)
            self._replace(TRADING, self.trading, "Trading")
        return self.trading

    def portfolio_view(self) -> PortfolioView:
        """The portfolio page (p1's ``PortfolioView``), built on first use."""
        if self.portfolio is None:
            from vault_app.gui.trading.portfolio_view import PortfolioView
            from vault_app.gui.trading.view_layout import plain_text_labels

            self.portfolio = PortfolioView(self.window_)
            plain_text_labels(self.portfolio)  # exchange words are never HTML (a1 F2)
            self._replace(PORTFOLIO, self.portfolio, "Portfolio")
        return self.portfolio

    def _replace(self, index: int, page: QtWidgets.QWidget, title: str) -> None:
        current = self.currentIndex()
        with_blocked = self.blockSignals(True)
        old = self.widget(index)
        tip = self.tabToolTip(index)
        self.removeTab(index)
        self.insertTab(index, page, title)
        self.setTabToolTip(index, tip)
        self.setCurrentIndex(current)
        self.blockSignals(with_blocked)
        if old is not None:
            old.deleteLater()

    def _changed(self, index: int) -> None:
        from vault_app.gui.actions import update_actions

        if index == TRADING:
            self.trading_view().show_keys_of_vault()  # the keys may have changed
        elif index == PORTFOLIO:
            self.portfolio_view()
        elif index == AUDIT:
            self.audit.refresh()
        update_actions(self.window_)
