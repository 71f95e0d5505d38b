"""The Portfolio page's table: an asset per row (total, value), its holdings per key
beneath (amount, price, value). Keys of one exchange account share one row ("trader +
watcher"): the exchange named the same account, and its balances count once.

Text from an exchange or the vault (asset names, labels) is shown through
``core.plain_text.escape``: no control or bidi character reaches the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.core.plain_text import escape
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.trading.portfolio_format import (
    TEST_MONEY,
    amount_decimals,
    format_amount,
    format_price,
    format_value,
)

if TYPE_CHECKING:
    from vault_app.trading.portfolio import AssetTotal, Holding, Portfolio

COL_NAME, COL_WHERE, COL_AMOUNT, COL_PRICE, COL_VALUE = range(5)
NO_PRICE_TIP = ("No market on this exchange values {asset} in {quote} ({asset}/{quote} or "
                "{quote}/{asset}): it is not in the total.")
SHARED_TIP = ("Keys of one exchange account ({labels}): the exchange named the same account "
              "for each, so its balances are counted once.")
NAME_WIDTH = 170
"""Pixels of the first column at least (it takes the width left)."""
WHERE_WIDTH = 250
"""Pixels of the Exchange column ("binance · DEMO: fake money"; the URL in its tooltip)."""
TEST_KEY = "test:"
"""Prefix of a test asset's key (its row's user data): test BTC is not real BTC."""
TEST_HEADER = "test money"
"""The user data of the row above test money."""
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class PortfolioTree(QtWidgets.QTreeWidget):
    """The table; ``show_portfolio`` fills it, keeping the assets the user collapsed."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("portfolioTable")
        self.setAccessibleName("Balances by asset")
        self.setColumnCount(5)
        self.setRootIsDecorated(True)
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_NAME, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        for column, width in ((COL_WHERE, WHERE_WIDTH), (COL_AMOUNT, 170), (COL_PRICE, 130),
                              (COL_VALUE, 170)):
            self.setColumnWidth(column, width)
        self.set_quote("USDT")

    def set_quote(self, quote: str) -> None:
        shown = escape(quote)
        self.setHeaderLabels(["Asset / key", "Exchange", "Amount", f"Price ({shown})",
                              f"Value ({shown})"])
        for column in (COL_AMOUNT, COL_PRICE, COL_VALUE):
            self.headerItem().setTextAlignment(column, RIGHT)

    def show_portfolio(self, portfolio: Portfolio) -> None:
        quote = portfolio.quote
        self.set_quote(quote)
        collapsed = {self._item_key(item) for item in self._top_items()
                     if not item.isExpanded()}  # by the user: kept; new assets open
        self.clear()
        for asset in portfolio.assets:
            item = self._asset_item(asset, quote)
            self.addTopLevelItem(item)
            item.setExpanded(asset.asset not in collapsed)
        if portfolio.test_assets:
            header = self._test_header(portfolio)
            self.addTopLevelItem(header)
            header.setFirstColumnSpanned(True)  # only once in the tree
        for asset in portfolio.test_assets:
            item = self._asset_item(asset, quote, test=True)
            self.addTopLevelItem(item)
            item.setExpanded(f"{TEST_KEY}{asset.asset}" not in collapsed)

    def _top_items(self) -> list[QtWidgets.QTreeWidgetItem]:
        items = (self.topLevelItem(i) for i in range(self.topLevelItemCount()))
        return [item for item in items if item is not None]

    @staticmethod
    def _item_key(item: QtWidgets.QTreeWidgetItem | None) -> str:
        return "" if item is None else str(item.data(COL_NAME, Qt.ItemDataRole.UserRole))

    def _test_header(self, portfolio: Portfolio) -> QtWidgets.QTreeWidgetItem:
        """The row above test money: what it is, and its own total."""
        badges = sorted({h.key.badge or h.key.endpoint for a in portfolio.test_assets
                         for h in a.holdings})
        value = (f"{format_value(portfolio.test_total_value, portfolio.quote)} "
                 f"{escape(portfolio.quote)}" if portfolio.test_valued
                 else f"not valued in {escape(portfolio.quote)}")  # not "no price EUR"
        item = QtWidgets.QTreeWidgetItem(
            [f"{TEST_MONEY}: {value}, not real money"
             + (", not in the total" if portfolio.assets else "")
             + f" ({escape(', '.join(badges))})"])
        item.setData(COL_NAME, Qt.ItemDataRole.UserRole, TEST_HEADER)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = item.font(COL_NAME)
        font.setBold(True)
        font.setItalic(True)
        item.setFont(COL_NAME, font)
        return item

    def _asset_item(self, asset: AssetTotal, quote: str, *, test: bool = False
                    ) -> QtWidgets.QTreeWidgetItem:
        exchanges = {h.key.endpoint for h in asset.holdings}
        keys = sum(1 + len(h.shared_with) for h in asset.holdings)
        where = (f"{keys} key{'s' if keys != 1 else ''}"
                 + (f" on {len(exchanges)} exchanges" if len(exchanges) > 1 else ""))
        places = amount_decimals([asset.total, *(h.total for h in asset.holdings)])
        item = QtWidgets.QTreeWidgetItem([
            escape(asset.asset), where, format_amount(asset.total, places), "",
            format_value(asset.value, quote)])
        item.setData(COL_NAME, Qt.ItemDataRole.UserRole,
                     f"{TEST_KEY}{asset.asset}" if test else asset.asset)
        bold = item.font(COL_NAME)
        bold.setBold(True)
        for column in (COL_NAME, COL_VALUE):
            item.setFont(column, bold)
        _align_numbers(item)
        if asset.unpriced:
            unpriced = format_amount(asset.unpriced)
            item.setToolTip(COL_VALUE, f"{unpriced} {escape(asset.asset)} has no price in "
                                       f"{escape(quote)}: not in the value or the total.")
            if asset.value is not None:
                item.setText(COL_VALUE, f"{format_value(asset.value, quote)} + no price")
            _dim(item, COL_VALUE)
        for holding in asset.holdings:
            item.addChild(_holding_item(holding, quote, places))
        return item


def _holding_item(holding: Holding, quote: str, places: int) -> QtWidgets.QTreeWidgetItem:
    key = holding.key
    child = QtWidgets.QTreeWidgetItem([
        escape(holding.labels), f"{escape(key.exchange)} · {escape(key.badge or key.endpoint)}",
        format_amount(holding.total, places), format_price(holding.price, quote),
        format_value(holding.value, quote)])
    child.setData(COL_NAME, Qt.ItemDataRole.UserRole, key.id)
    child.setToolTip(COL_WHERE, f"{escape(key.exchange)} · {escape(key.endpoint)}")
    if holding.shared_with:
        labels = ", ".join(f"'{escape(k.label)}'" for k in (key, *holding.shared_with))
        child.setToolTip(COL_NAME, SHARED_TIP.format(labels=labels))
    child.setToolTip(COL_AMOUNT, f"free {format_amount(holding.free)}, in orders "
                                 f"{format_amount(holding.used)}")
    _align_numbers(child)
    if holding.price is None:
        tip = NO_PRICE_TIP.format(asset=escape(holding.asset), quote=escape(quote))
        for column in (COL_PRICE, COL_VALUE):
            child.setToolTip(column, tip)
            _dim(child, column)
    return child


def _align_numbers(item: QtWidgets.QTreeWidgetItem) -> None:
    for column in (COL_AMOUNT, COL_PRICE, COL_VALUE):
        item.setTextAlignment(column, RIGHT)


def _dim(item: QtWidgets.QTreeWidgetItem, column: int) -> None:
    font = item.font(column)
    font.setItalic(True)
    item.setFont(column, font)
