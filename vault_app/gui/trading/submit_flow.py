"""Review, confirm and send one order, never two at once.

``review(request)`` (the ticket's ``review_requested``): the core previews the order in
the key's queue (``session.preview``: checks it, signs it, sends nothing); the
signed request is shown (``PreviewDialog``), then the confirmation
(``ConfirmDialog``); both default to Cancel. Confirmed: the order shows at once,
PENDING, in the open orders, and ``session.place`` sends it (journal-first, after
checking again what may have changed). Its state follows; an answer that never came
(``outcome_unknown``) shows "reconciling…" while ``session.reconcile`` finds out
what the exchange did: such an order is never called failed, and never resent.

A placement outlives a lock: the order was journaled and may be on its way; its
result is said in the status bar, and the journal has it for the next unlock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vault_app.core.errors import VaultLocked
from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.trading.error_text import trading_error_text
from vault_app.gui.trading.orders_panel import RECONCILING
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.trading.errors import TradingError
from vault_app.trading.order_log import ACCEPTED, LIVE_ON_EXCHANGE, PENDING

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.gui.trading.view import TradingView
    from vault_app.trading.orders import OrderRequest
    from vault_app.trading.placement import Placement
    from vault_app.trading.preview import OrderPreview
    from vault_app.trading.reconcile import Resolution

PREVIEWING, REVIEWING, PLACING, RECONCILING_STAGE = ("previewing", "reviewing", "placing",
                                                     "reconciling")
RECONCILE_AGAIN_MS = 2_000
"""Between two lookups of an order whose outcome is still unknown."""


def explain(exc: BaseException) -> str:
    """An error in plain words, then its fix as a user of the app does it, on a line of
    its own (``error_text.trading_error_text``: never a CLI flag)."""
    return "\n".join(_sentence(part) for part in trading_error_text(exc) if part)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def pending_view(preview: OrderPreview, entry: KeyEntry) -> dict[str, Any]:
    """The order as the open-orders table shows it before any answer: PENDING."""
    checked = preview.checked
    request = checked.request
    return {"client_order_id": preview.client_order_id, "order_id": None,
            "state": PENDING, "key_id": entry.id, "exchange": entry.exchange,
            "environment": entry.environment, "symbol": checked.symbol,
            "side": request.side, "type": request.type, "amount": checked.amount,
            "price": checked.price, "stop_price": checked.stop_price, "fees": []}


class SubmitFlow:
    def __init__(self, view: TradingView) -> None:
        self.view = view
        self.stage: str | None = None
        """Where the order under way is (``PREVIEWING`` … ``RECONCILING_STAGE``); None:
        no order under way, the ticket may review another."""
        self.dialog: QtWidgets.QDialog | None = None
        self._reconciling: set[str] = set()  # client order ids looked up again

    @property
    def in_flight(self) -> bool:
        """A review, a confirmation, a send or its reconciliation is under way."""
        return self.stage is not None

    # --- the steps ---------------------------------------------------------------------

    def review(self, request: OrderRequest) -> None:
        view = self.view
        entry = view.entry
        if self.in_flight or entry is None:
            return
        self.stage = PREVIEWING
        view.ticket.set_busy(True, "Checking the order…")
        view.show_status("")
        view.run(lambda session: session.preview(request),
                 lambda preview: self._show_preview(preview, entry), self._not_sent)

    def _show_preview(self, preview: OrderPreview, entry: KeyEntry) -> None:
        self.stage = REVIEWING
        self.view.ticket.set_busy(True, "Review the signed request…")
        dialog = PreviewDialog(preview, self.view.window_)
        dialog.accepted.connect(lambda: self._confirm(preview, entry))
        dialog.rejected.connect(lambda: self._dropped(dialog))
        self._open(dialog)

    def _confirm(self, preview: OrderPreview, entry: KeyEntry) -> None:
        self._close_dialog()
        self.view.ticket.set_busy(True, "Confirm the order…")
        dialog = ConfirmDialog(preview, self.view.window_)
        dialog.accepted.connect(lambda: self._place(preview, entry))
        dialog.rejected.connect(lambda: self._dropped(dialog))
        self._open(dialog)

    def _place(self, preview: OrderPreview, entry: KeyEntry) -> None:
        self._close_dialog()
        view = self.view
        view.open_orders.track(pending_view(preview, entry))
        view.tabs.setCurrentWidget(view.open_orders)
        self.stage = PLACING
        view.ticket.set_busy(True, "Sending the order…")
        view.show_status(f"Sending: {preview.summary}…")
        generation = view.window_.sessions.generation
        view.run(lambda session: session.place(preview, recheck_price=True),
                 lambda placement: self._placed(placement, generation, entry),
                 lambda exc: self._place_failed(exc, preview, generation),
                 entry=entry, after_lock=True)

    def _placed(self, placement: Placement, generation: int, entry: KeyEntry) -> None:
        order = placement.order
        problem = placement.problem
        view = self.view
        if self._after_lock(generation, None):
            outcome = ("accepted by the exchange" if problem is None else
                       "of unknown outcome: it will be looked up after unlocking"
                       if problem.outcome_unknown else "not placed")
            view.window_.statusBar().showMessage(
                f"The order sent before the vault was locked is {outcome}.")
            return
        if view.entry is None or view.entry.id != entry.id:  # another key chosen meanwhile
            self._finish()
            outcome = (order.state if problem is None or not problem.outcome_unknown
                       else "of unknown outcome: it is looked up when the key is chosen again")
            view.show_status(f"The order sent with “{entry.label}” is {outcome}.",
                             error=problem is not None)
            return
        if problem is None:
            self._finish()
            view.ticket.clear()  # the numbers went: not sent twice by a second Enter
            view.open_orders.track(order.public())
            view.show_status(f"Order {order.state}: {_describe(order.public())}."
                             + "".join(f"\n{text}" for text in placement.warnings))
            self._after_change()
        elif problem.outcome_unknown:  # no second order until this one is known
            self.stage = RECONCILING_STAGE
            view.ticket.set_busy(True, RECONCILING)
            view.open_orders.track(order.public(), RECONCILING)
            view.show_status(f"{RECONCILING} The exchange's answer was lost: the order may "
                             "have been placed. It is being looked up, never sent again.",
                             error=True)
            self._reconcile(order.client_order_id)
        else:
            self._finish()
            view.open_orders.forget(order.client_order_id)
            view.show_status(f"Order {order.state}: {explain(problem)}", error=True)
            view.ticket.show_error(None, problem.message)
            view.load_history(refresh=False)

    def _place_failed(self, exc: BaseException, preview: OrderPreview,
                      generation: int) -> None:
        """``place`` raised before the order was journaled: nothing was sent."""
        if self._after_lock(generation, None):
            self.view.window_.statusBar().showMessage(
                "The order was not sent: the vault was locked before it left.")
            return
        self.view.open_orders.forget(preview.client_order_id)
        if isinstance(exc, VaultLocked):
            exc = TradingError("the vault was locked before the order left; nothing was "
                               "sent")
        self._not_sent(exc)

    def _not_sent(self, exc: BaseException) -> None:
        self._finish()
        field = getattr(exc, "field", None)
        text = explain(exc)
        self.view.show_status(f"Not sent: {text}", error=True)
        self.view.ticket.show_error(field if isinstance(field, str) else None,
                                    text.split("\n")[0])

    # --- unknown outcomes ------------------------------------------------------------

    def _reconcile(self, client_order_id: str) -> None:
        self._reconciling.add(client_order_id)

        def done(resolutions: list[Resolution]) -> None:
            for resolution in resolutions:
                self.resolved(resolution)
            if client_order_id in self._reconciling:
                QtCore.QTimer.singleShot(RECONCILE_AGAIN_MS, self.view,
                                         lambda: self._again(client_order_id))

        def failed(exc: BaseException) -> None:
            self.view.show_status(f"{RECONCILING} The order could not be looked up yet: "
                                  f"{explain(exc)}", error=True)
            QtCore.QTimer.singleShot(RECONCILE_AGAIN_MS, self.view,
                                     lambda: self._again(client_order_id))

        self.view.run(lambda session: session.reconcile(), done, failed)

    def _again(self, client_order_id: str) -> None:
        if client_order_id in self._reconciling and self.view.entry is not None:
            self._reconcile(client_order_id)

    def resolved(self, resolution: Resolution) -> None:
        """Show what the core found out about an order of unknown outcome."""
        order = resolution.order
        view = self.view
        ours = order.client_order_id in self._reconciling
        if resolution.resolved or resolution.needs_user:
            self._reconciling.discard(order.client_order_id)
            if ours and self.stage == RECONCILING_STAGE:
                self._finish()
        if not resolution.resolved:
            view.show_status(f"{RECONCILING} {resolution.message}", error=True)
            return
        if ours and order.state in ACCEPTED:
            view.ticket.clear()  # the numbers went: not sent twice by a second Enter
        view.open_orders.track(order.public())
        if order.state in ACCEPTED:
            view.show_status(f"Order {order.state} (found after the answer was lost): "
                             f"{_describe(order.public())}.")
        else:
            view.show_status(f"Order {order.state}: {resolution.message}", error=True)
        self._after_change()

    # --- helpers -----------------------------------------------------------------------

    def _after_change(self) -> None:
        self.view.load_open_orders()
        self.view.load_balances()
        self.view.load_history(refresh=False)

    def _after_lock(self, generation: int, entry: KeyEntry | None) -> bool:
        view = self.view
        return generation != view.window_.sessions.generation or view.window_.vault is None \
            or (entry is not None and (view.entry is None or view.entry.id != entry.id))

    def key_changed(self) -> None:
        """Another key was chosen: a preview or a lookup of the previous key's order is
        no longer waited for (the lookup runs again when that key is chosen). A send is:
        its answer is said whatever key is chosen then."""
        if self.stage in (PREVIEWING, RECONCILING_STAGE):
            self._reconciling.clear()
            self._finish()

    def _open(self, dialog: QtWidgets.QDialog) -> None:
        self.dialog = dialog
        self.view.window_.trading_dialog = dialog
        dialog.open()

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if self.view.window_.trading_dialog is dialog:
            self.view.window_.trading_dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _dropped(self, dialog: QtWidgets.QDialog) -> None:
        if dialog is self.dialog:
            self._close_dialog()
            self._finish()
            self.view.show_status("Not sent: the order was cancelled before it was sent.")

    def _finish(self) -> None:
        self.stage = None
        self.view.ticket.set_busy(False)

    def wipe(self) -> None:
        """The vault is being locked: close the dialogs; a send under way goes on."""
        dialog = self.dialog
        self.dialog = None
        if dialog is not None:
            dialog.reject()
            dialog.deleteLater()
        self._reconciling.clear()
        self.stage = None


def _describe(public: dict[str, Any]) -> str:
    price = f" at {public['price']}" if public.get("price") else ""
    live = " (on the exchange's book)" if public.get("state") in LIVE_ON_EXCHANGE else ""
    return (f"{str(public.get('side', '')).upper()} {public.get('amount')} "
            f"{public.get('symbol')}{price}{live}")
