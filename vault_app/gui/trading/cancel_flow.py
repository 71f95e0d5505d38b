"""Cancel an open order: ask first (the default answer is No), then cancel in the key's
queue and show the exchange's answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.submit_flow import explain
from vault_app.gui.widgets import plain_message_box
from vault_app.trading.order_log import CANCELED, state_of
from vault_app.trading.order_view import describe

if TYPE_CHECKING:
    from vault_app.gui.trading.view import TradingView


class CancelFlow:
    def __init__(self, view: TradingView) -> None:
        self.view = view
        self.dialog: QtWidgets.QMessageBox | None = None
        self.in_flight = False

    def ask(self, order: dict[str, Any]) -> None:
        view = self.view
        entry = view.entry
        ref = order.get("order_id") or order.get("client_order_id")
        if entry is None or not ref or self.dialog is not None or self.in_flight:
            return
        what = describe(order)
        box = plain_message_box(view.window_, QtWidgets.QMessageBox.Icon.Question,
                                "Cancel order",
                                f"Cancel this open order on {entry.exchange}?\n\n{what}\n"
                                f"Order id {ref}")
        box.setObjectName("cancelOrderDialog")
        yes = box.addButton("&Yes, cancel the order", QtWidgets.QMessageBox.ButtonRole.YesRole)
        no = box.addButton("&No, keep it", QtWidgets.QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)

        def answered() -> None:
            if self.dialog is not box:
                return  # wiped (locked) meanwhile
            self.dialog = None
            if view.window_.trading_dialog is box:
                view.window_.trading_dialog = None
            box.deleteLater()
            if box.clickedButton() is yes:
                self._cancel(str(ref), describe(dict(order, state=None)))

        box.finished.connect(lambda _result: answered())
        self.dialog = box
        view.window_.trading_dialog = box
        box.open()

    def _cancel(self, ref: str, what: str) -> None:
        view = self.view

        def done(answer: dict[str, Any]) -> None:
            self.in_flight = False
            state = state_of(answer) if answer.get("status") else CANCELED
            view.show_status(f"Cancelled: {what}." if state == CANCELED else
                             f"Not cancelled: the exchange says the order is {state} "
                             f"({what}).", error=state != CANCELED)
            view.load_open_orders()
            view.load_history(refresh=False)
            view.load_balances()

        def failed(exc: BaseException) -> None:
            self.in_flight = False
            view.show_status(f"Not cancelled: {explain(exc)}", error=True)
            view.load_open_orders()

        if view.run(lambda session: session.cancel(ref), done, failed):
            self.in_flight = True
            view.show_status(f"Cancelling {what}…")

    def key_changed(self) -> None:
        """Another key was chosen: the cancel's answer for the previous one is dropped."""
        self.in_flight = False

    def wipe(self) -> None:
        box, self.dialog = self.dialog, None
        if box is not None:
            box.reject()
            box.deleteLater()
        self.in_flight = False
