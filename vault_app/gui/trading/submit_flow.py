"""Review, confirm and send one order, never two at once.

``review(request)`` (the ticket's ``review_requested``): the core previews the order in
the key's queue (``session.preview``: checks it, signs it, sends nothing); the
signed request is shown (``PreviewDialog``), then the confirmation
(``ConfirmDialog``); both default to Cancel. Confirmed: the order shows at once,
PENDING, in the open orders, and ``session.place`` sends it (journal-first, after
checking again what may have changed). Its state follows; an answer that never came
(``outcome_unknown``) shows "reconciling…" while ``session.reconcile`` finds out
what the exchange did: such an order is never called failed, and never resent.
"Not sent" is said only for the typed refusals ``place`` raises before the order is
journaled (``not_sent``); anything else may have been placed, and the journal says.

The key's orders of unknown outcome are looked up when the key is chosen, when a
tab is refreshed and after such an answer, then again on the core's schedule
(``reconcile.look_again_after``) while one is left that a later look may settle;
the journal's state ends "reconciling…", also when another process settled the
order. One that looking up cannot settle is marked not placed from History, on the
user's word.

A placement outlives a lock: the order was journaled and may be on its way; its
result is said in the status bar, and the journal has it for the next unlock.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.core.errors import VaultLocked
from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.error_text import explain as explain
from vault_app.gui.trading.error_text import sentence
from vault_app.gui.trading.lookups import Lookups
from vault_app.gui.trading.orders_panel import RECONCILING
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.trading.errors import (
    ExchangeProblem,
    OrderInputError,
    OrderNotAllowed,
    TradingError,
)
from vault_app.trading.order_log import PENDING, UNKNOWN
from vault_app.trading.order_view import describe
from vault_app.trading.preview import estimate_moved
from vault_app.trading.remedies import LOOK_UP_ORDERS, PREVIEW_AGAIN

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.gui.trading.view import TradingView
    from vault_app.trading.orders import OrderRequest
    from vault_app.trading.placement import Placement
    from vault_app.trading.preview import OrderPreview

PREVIEWING, REVIEWING, PLACING, RECONCILING_STAGE = ("previewing", "reviewing", "placing",
                                                     "reconciling")
NOT_SENT_TYPES: tuple[type[BaseException], ...] = (OrderNotAllowed, OrderInputError,
                                                   VaultLocked, ExchangeProblem)
"""What ``session.place`` raises before the order is journaled (the core never raises
once the request may have left: ``placement``): nothing was sent. Anything else raised
after the confirmation is taken as "may have been placed", and looked up."""


def not_sent(exc: BaseException) -> bool:
    """Whether ``place`` raising ``exc`` means the order was not sent (see above)."""
    if getattr(exc, "remedy", None) == PREVIEW_AGAIN:
        return False  # this preview's order is in the journal already: placed once
    return isinstance(exc, NOT_SENT_TYPES)


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
        self.lookups = Lookups(self)
        """The key's orders of unknown outcome, looked up until they are known."""

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
        assessed = view.ticket.assessment
        shown = assessed.estimated_cost if assessed is not None else None
        view.ticket.set_busy(True, "Checking the order…")
        view.show_status("")
        view.run(lambda session: session.preview(request),
                 lambda preview: self._show_preview(preview, entry, shown), self._not_sent)

    def _show_preview(self, preview: OrderPreview, entry: KeyEntry,
                      shown: Decimal | None = None) -> None:
        # The dialogs say it when their estimate is not the ticket's (a fresh price).
        preview = replace(preview, estimate_moved=estimate_moved(preview.checked, shown))
        self.stage = REVIEWING
        self.view.ticket.set_busy(True, "Review the signed request…")
        dialog = PreviewDialog(preview, self.view.window_)
        dialog.accepted.connect(lambda: self._confirm(preview, entry, dialog))
        dialog.rejected.connect(lambda: self._dropped(dialog))
        self.open_dialog(dialog)

    def _confirm(self, preview: OrderPreview, entry: KeyEntry,
                 previewed: QtWidgets.QDialog) -> None:
        if previewed is not self.dialog or self.stage != REVIEWING:
            return  # a second accept of the same dialog
        self.close_dialog()
        self.view.ticket.set_busy(True, "Confirm the order…")
        dialog = ConfirmDialog(preview, self.view.window_)
        dialog.accepted.connect(lambda: self._place(preview, entry, dialog))
        dialog.rejected.connect(lambda: self._dropped(dialog))
        self.open_dialog(dialog)

    def _place(self, preview: OrderPreview, entry: KeyEntry,
               dialog: QtWidgets.QDialog) -> None:
        if dialog is not self.dialog or self.stage != REVIEWING:
            return  # a second accept of the same confirmation: sent once, said once
        self.close_dialog()
        view = self.view
        view.open_orders.track(pending_view(preview, entry))
        view.tabs.setCurrentWidget(view.open_orders)
        view.tabs.tabBar().setFocus()  # not the table: no order is chosen for Cancel
        self.stage = PLACING
        view.ticket.set_busy(True, "Sending the order…")
        view.show_status(f"Sending: {preview.summary}…")
        generation = view.window_.sessions.generation
        view.run(lambda session: session.place(preview, recheck_price=True),
                 lambda placement: self._placed(placement, generation, entry),
                 lambda exc: self._place_failed(exc, preview, generation, entry),
                 entry=entry, after_lock=True)

    def _placed(self, placement: Placement, generation: int, entry: KeyEntry) -> None:
        order = placement.order
        problem = placement.problem
        view = self.view
        warnings = "".join(f"\n{sentence(text)}" for text in placement.warnings)
        if self._after_lock(generation, None):
            outcome = ("accepted by the exchange" if problem is None else
                       "of unknown outcome: it will be looked up after unlocking"
                       if problem.outcome_unknown else "not placed")
            view.window_.statusBar().showMessage(
                f"The order sent before the vault was locked is {outcome}.")
            return
        if view.entry is None or view.entry.id != entry.id:  # another key chosen meanwhile
            self.finish()
            outcome = (order.state if problem is None or not problem.outcome_unknown
                       else "of unknown outcome: it is looked up when the key is chosen again")
            view.show_status(f"The order sent with “{entry.label}” is {outcome}.{warnings}",
                             error=problem is not None)
            return
        if problem is None:
            self.finish()
            view.ticket.clear()  # the numbers went: not sent twice by a second Enter
            view.open_orders.track(order.public())
            view.show_status(f"Order {order.state}: {describe(order.public())}.{warnings}")
            self.after_change()
        elif problem.outcome_unknown and placement.journal_moved:
            self.finish()  # it cannot be looked up without its journal: say so, not loop
            view.ticket.clear()  # not sent twice by a second Enter
            view.open_orders.track(order.public())
            view.show_status("The exchange's answer was lost: the order may have been "
                             f"placed.{warnings}", error=True)
            view.load_history(refresh=False)
        elif problem.outcome_unknown:  # no second order until this one is known
            self._unknown(order.public(), "The exchange's answer was lost: the order may "
                          "have been placed. It is being looked up, never sent again."
                          + warnings)
        else:
            self.finish()
            view.open_orders.forget(order.client_order_id)
            view.show_status(f"Order {order.state}: {explain(problem)}{warnings}", error=True)
            view.ticket.show_error(None, problem.message)
            view.load_history(refresh=False)

    def _place_failed(self, exc: BaseException, preview: OrderPreview, generation: int,
                      entry: KeyEntry) -> None:
        """``place`` raised: before the order was journaled (a typed refusal: nothing
        was sent), or something unforeseen that may have come after: looked up."""
        view = self.view
        cid = preview.client_order_id
        if self._after_lock(generation, None):
            view.window_.statusBar().showMessage(
                "The order was not sent: the vault was locked before it left."
                if not_sent(exc) else "The order sent before the vault was locked may have "
                "been placed: it is looked up after unlocking.")
            return
        if view.entry is None or view.entry.id != entry.id:
            self.finish()
            view.show_status(f"The order with “{entry.label}” was not sent: {explain(exc)}"
                             if not_sent(exc) else f"The order sent with “{entry.label}” "
                             "may have been placed: it is looked up when the key is chosen "
                             "again.", error=True)
            return
        if not_sent(exc):
            view.open_orders.forget(cid)
            if isinstance(exc, VaultLocked):
                exc = TradingError("the vault was locked before the order left; nothing "
                                   "was sent")
            self._not_sent(exc)
            return
        # Already journaled (this preview was placed), or an unforeseen failure: the
        # journal says whether the order left; never "not sent" on a guess.
        self._unknown(pending_view(preview, entry),
                      f"The order may have been placed ({explain(exc)}). It is being "
                      "looked up in the order journal and on the exchange; look at the "
                      "open orders.")

    def _not_sent(self, exc: BaseException) -> None:
        self.finish()
        field = getattr(exc, "field", None)
        text = explain(exc)
        self.view.show_status(f"Not sent: {text}", error=True)
        self.view.ticket.show_error(field if isinstance(field, str) else None,
                                    text.split("\n")[0])
        if getattr(exc, "remedy", None) == LOOK_UP_ORDERS:
            self.lookups.look_up()  # what the fix says: the key's orders are looked up

    # --- unknown outcomes ------------------------------------------------------------

    def _unknown(self, public: dict[str, Any], text: str) -> None:
        """An order whose outcome is unknown: "reconciling…" (no second order meanwhile)
        until the core knows its state."""
        view = self.view
        self.stage = RECONCILING_STAGE
        view.ticket.set_busy(True, RECONCILING)
        view.open_orders.track(dict(public, state=UNKNOWN), RECONCILING)
        view.show_status(f"{RECONCILING} {text}", error=True)
        self.lookups.look_up(str(public.get("client_order_id")))

    # --- helpers -----------------------------------------------------------------------

    def after_change(self) -> None:
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
        self.lookups.stop()  # the previous key's looks stop
        if self.stage in (PREVIEWING, RECONCILING_STAGE):
            self.finish()

    def open_dialog(self, dialog: QtWidgets.QDialog) -> None:
        self.dialog = dialog
        self.view.window_.trading_dialog = dialog
        dialog.open()

    def close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if self.view.window_.trading_dialog is dialog:
            self.view.window_.trading_dialog = None
        if dialog is not None:
            dialog.deleteLater()

    def _dropped(self, dialog: QtWidgets.QDialog) -> None:
        if dialog is self.dialog:
            self.close_dialog()
            self.finish()
            self.view.show_status("Review closed; nothing was sent.")

    def finish_reconciling(self) -> None:
        """The order waited for is known: the ticket may review another."""
        if self.stage == RECONCILING_STAGE:
            self.finish()

    def finish(self) -> None:
        self.stage = None
        self.view.ticket.set_busy(False)

    def wipe(self) -> None:
        """The vault is being locked: close the dialogs; a send under way goes on (its
        result is said in the status bar). The ticket is freed: after unlocking it
        reviews again (an order still unsettled then is refused by the core's recheck)."""
        dialog = self.dialog
        self.dialog = None
        if dialog is not None:
            dialog.reject()
            dialog.deleteLater()
        self.lookups.stop()
        self.finish()

