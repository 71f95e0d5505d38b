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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vault_app.core.errors import VaultLocked
from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.trading.error_text import trading_error_text
from vault_app.gui.trading.orders_panel import RECONCILING
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.gui.widgets import plain_message_box
from vault_app.trading.errors import (
    ExchangeProblem,
    OrderInputError,
    OrderNotAllowed,
    TradingError,
)
from vault_app.trading.order_log import ACCEPTED, PENDING, UNKNOWN, LoggedOrder
from vault_app.trading.order_view import describe
from vault_app.trading.reconcile import LOOK_AGAIN, keep_looking, look_again_after
from vault_app.trading.remedies import LOOK_UP_ORDERS, PREVIEW_AGAIN

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.gui.trading.view import TradingView
    from vault_app.trading.orders import OrderRequest
    from vault_app.trading.placement import Placement
    from vault_app.trading.preview import OrderPreview
    from vault_app.trading.reconcile import Resolution
    from vault_app.trading.session import TradingSession

PREVIEWING, REVIEWING, PLACING, RECONCILING_STAGE = ("previewing", "reviewing", "placing",
                                                     "reconciling")
NOT_SENT_TYPES: tuple[type[BaseException], ...] = (OrderNotAllowed, OrderInputError,
                                                   VaultLocked, ExchangeProblem)
"""What ``session.place`` raises before the order is journaled (the core never raises
once the request may have left: ``placement``): nothing was sent. Anything else raised
after the confirmation is taken as "may have been placed", and looked up."""


def explain(exc: BaseException) -> str:
    """An error in plain words, then its fix as a user of the app does it, on a line of
    its own (``error_text.trading_error_text``: never a CLI flag)."""
    return "\n".join(_sentence(part) for part in trading_error_text(exc) if part)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def not_sent(exc: BaseException) -> bool:
    """Whether ``place`` raising ``exc`` means the order was not sent (see above)."""
    if getattr(exc, "remedy", None) == PREVIEW_AGAIN:
        return False  # this preview's order is in the journal already: placed once
    return isinstance(exc, NOT_SENT_TYPES)


def look_up_work(session: TradingSession, client_order_id: str | None
                 ) -> tuple[list[Resolution], LoggedOrder | None]:
    """In the key's queue: settle its orders of unknown outcome, then the journal's
    view of ``client_order_id`` (None: never journaled, so never sent)."""
    resolutions = session.reconcile()
    return resolutions, (session.logged(client_order_id) if client_order_id else None)


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
        self.schedule: Sequence[float] = LOOK_AGAIN
        """Seconds between looks at orders of unknown outcome (tests pass zeros)."""
        self._watched: str | None = None  # the order of unknown outcome this flow waits for
        self._chain = 0  # each ``look_up`` starts a chain of looks; a newer one ends it
        self._attempt = 0

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
        dialog.accepted.connect(lambda: self._confirm(preview, entry, dialog))
        dialog.rejected.connect(lambda: self._dropped(dialog))
        self._open(dialog)

    def _confirm(self, preview: OrderPreview, entry: KeyEntry,
                 previewed: QtWidgets.QDialog) -> None:
        if previewed is not self.dialog or self.stage != REVIEWING:
            return  # a second accept of the same dialog
        self._close_dialog()
        self.view.ticket.set_busy(True, "Confirm the order…")
        dialog = ConfirmDialog(preview, self.view.window_)
        dialog.accepted.connect(lambda: self._place(preview, entry, dialog))
        dialog.rejected.connect(lambda: self._dropped(dialog))
        self._open(dialog)

    def _place(self, preview: OrderPreview, entry: KeyEntry,
               dialog: QtWidgets.QDialog) -> None:
        if dialog is not self.dialog or self.stage != REVIEWING:
            return  # a second accept of the same confirmation: sent once, said once
        self._close_dialog()
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
        warnings = "".join(f"\n{_sentence(text)}" for text in placement.warnings)
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
            view.show_status(f"The order sent with “{entry.label}” is {outcome}.{warnings}",
                             error=problem is not None)
            return
        if problem is None:
            self._finish()
            view.ticket.clear()  # the numbers went: not sent twice by a second Enter
            view.open_orders.track(order.public())
            view.show_status(f"Order {order.state}: {describe(order.public())}.{warnings}")
            self._after_change()
        elif problem.outcome_unknown:  # no second order until this one is known
            self._unknown(order.public(), "The exchange's answer was lost: the order may "
                          "have been placed. It is being looked up, never sent again."
                          + warnings)
        else:
            self._finish()
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
            self._finish()
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
        self._finish()
        field = getattr(exc, "field", None)
        text = explain(exc)
        self.view.show_status(f"Not sent: {text}", error=True)
        self.view.ticket.show_error(field if isinstance(field, str) else None,
                                    text.split("\n")[0])
        if getattr(exc, "remedy", None) == LOOK_UP_ORDERS:
            self.look_up()  # what the fix says: the key's orders are looked up

    # --- unknown outcomes ------------------------------------------------------------

    def _unknown(self, public: dict[str, Any], text: str) -> None:
        """An order whose outcome is unknown: "reconciling…" (no second order meanwhile)
        until the core knows its state."""
        view = self.view
        self.stage = RECONCILING_STAGE
        view.ticket.set_busy(True, RECONCILING)
        view.open_orders.track(dict(public, state=UNKNOWN), RECONCILING)
        view.show_status(f"{RECONCILING} {text}", error=True)
        self.look_up(str(public.get("client_order_id")))

    def look_up(self, client_order_id: str | None = None) -> None:
        """Settle the chosen key's orders of unknown outcome now, and again on the
        core's schedule (``reconcile.look_again_after``) while one is left that looking
        again may settle and the key is still chosen. ``client_order_id``: the order
        this flow waits for (the ticket is free again once it is known)."""
        entry = self.view.entry
        if entry is None:
            return
        if client_order_id is not None:
            self._watched = client_order_id
        self._chain += 1
        self._attempt = 0
        self._look(self._chain, entry)

    def _look(self, chain: int, entry: KeyEntry) -> None:
        view = self.view
        if chain != self._chain or view.entry is None or view.entry.id != entry.id:
            return
        watched = self._watched

        def done(result: tuple[list[Resolution], LoggedOrder | None]) -> None:
            if chain != self._chain:
                return
            resolutions, order = result
            for resolution in resolutions:
                self.resolved(resolution)
            if watched is not None and watched == self._watched:
                self._watched_is(watched, order)
            if keep_looking(resolutions):
                self._again(chain, entry)

        def failed(exc: BaseException) -> None:
            if chain != self._chain:
                return
            view.show_status(f"{RECONCILING} The key's orders of unknown outcome could not "
                             f"be looked up yet: {explain(exc)}\nThey are looked up again "
                             "shortly.", error=True)
            self._again(chain, entry)

        view.run(lambda session: look_up_work(session, watched), done, failed, entry=entry)

    def _again(self, chain: int, entry: KeyEntry) -> None:
        delay = look_again_after(self._attempt, self.schedule)
        self._attempt += 1
        QtCore.QTimer.singleShot(int(delay * 1000), self.view,
                                 lambda: self._look(chain, entry))

    def _watched_is(self, cid: str, order: LoggedOrder | None) -> None:
        """What the journal says of the order this flow waits for, after a look."""
        view = self.view
        if order is None:  # never journaled: it never left (placement is journal-first)
            self._watched = None
            view.open_orders.forget(cid)
            self._finish()
            view.show_status("Not sent: the order journal has no record of the order, so "
                             "it never left. Review the order again to place it.",
                             error=True)
            return
        if order.unresolved:
            return  # its resolution (if any) was shown; looked up again on the schedule
        self._watched = None
        if self.stage == RECONCILING_STAGE:
            self._finish()
        self._show_known(order, ours=True, how="")

    def resolved(self, resolution: Resolution) -> None:
        """Show what the core found out about an order of unknown outcome."""
        order = resolution.order
        view = self.view
        ours = order.client_order_id == self._watched
        if not resolution.resolved:
            if resolution.needs_user:
                if ours:
                    self._watched = None
                    if self.stage == RECONCILING_STAGE:
                        self._finish()
                view.show_status(f"{resolution.message[:1].upper()}{resolution.message[1:]}."
                                 "\nIf it is not on the exchange, choose it in History, "
                                 "then “Mark as not placed…”.", error=True)
            else:
                view.show_status(f"{RECONCILING} {resolution.message}.", error=True)
            return
        if ours:
            self._watched = None
            if self.stage == RECONCILING_STAGE:
                self._finish()
        self._show_known(order, ours=ours)

    def _show_known(self, order: LoggedOrder, *, ours: bool,
                    how: str = " (found after the answer was lost)") -> None:
        view = self.view
        if ours and order.state in ACCEPTED:
            view.ticket.clear()  # the numbers went: not sent twice by a second Enter
        view.open_orders.track(order.public())
        if order.state in ACCEPTED:
            view.show_status(f"Order {order.state}{how}: {describe(order.public())}.")
        else:
            reason = f" ({order.reason})" if order.reason else ""
            view.show_status(f"Order {order.state}{reason}.", error=True)
        self._after_change()

    def mark_not_placed(self, order: dict[str, Any]) -> None:
        """History's "Mark as not placed…": ask first (No is the default), then settle
        the order as NOT_PLACED on the user's word (``session.mark_not_placed``)."""
        view = self.view
        entry = view.entry
        cid = str(order.get("client_order_id") or "")
        if entry is None or not cid or self.dialog is not None:
            return
        box = plain_message_box(
            view.window_, QtWidgets.QMessageBox.Icon.Warning, "Mark as not placed",
            f"Mark this order of unknown outcome as not placed?\n\n{describe(order)}\n"
            f"Client order id {cid}\n\nOnly do this if you checked on {entry.exchange} "
            "(its website or app) that the order is not there, open or filled. If it is "
            "there after all, the app will not know about it.")
        box.setObjectName("markNotPlacedDialog")
        yes = box.addButton("&Yes, I checked: it is not there",
                            QtWidgets.QMessageBox.ButtonRole.YesRole)
        no = box.addButton("&No", QtWidgets.QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)

        def answered() -> None:
            if self.dialog is not box:
                return  # wiped (locked) meanwhile
            self._close_dialog()
            if box.clickedButton() is not yes:
                return

            def done(marked: LoggedOrder) -> None:
                view.show_status(f"Order {cid} marked as not placed.")
                if self._watched == cid:
                    self._watched = None
                view.open_orders.forget(cid)
                view.load_history(refresh=False)

            def failed(exc: BaseException) -> None:
                view.show_status(f"Not marked: {explain(exc)}", error=True)

            view.run(lambda session: session.mark_not_placed(cid), done, failed)

        box.finished.connect(lambda _result: answered())
        self._open(box)

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
        self._chain += 1  # the previous key's looks stop
        self._watched = None
        if self.stage in (PREVIEWING, RECONCILING_STAGE):
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
            self.view.show_status("Review closed; nothing was sent.")

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
        self._chain += 1
        self._watched = None
        self.stage = None

