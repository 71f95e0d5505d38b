"""TEMPORARY stand-ins until t1-ticket's OrderTicket and review dialogs are merged."""

from __future__ import annotations

from typing import Any

from vault_app.gui.qt import QtWidgets, Signal


class OrderTicket(QtWidgets.QLabel):
    review_requested = Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("The order ticket comes here.", parent)

    def set_key(self, entry: Any) -> None: ...
    def set_market(self, exchange: Any, symbol: Any) -> None: ...
    def set_last_price(self, price: Any) -> None: ...
    def set_balances(self, free: Any) -> None: ...
    def set_busy(self, busy: bool, message: str = "") -> None: ...
    def show_error(self, field: Any, message: str) -> None: ...
    def clear(self) -> None: ...


class PreviewDialog(QtWidgets.QDialog):
    def __init__(self, preview: Any, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)


ConfirmDialog = PreviewDialog
