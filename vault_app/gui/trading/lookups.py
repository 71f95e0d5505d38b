"""The chosen key's orders of unknown outcome (PENDING, UNKNOWN: an answer that never
came), looked up until the core knows their state, and settled by hand from History.

``look_up`` settles them now in the key's queue (``session.reconcile``), then again
on the core's schedule (``reconcile.look_again_after``: 2, 4, 8 … 60 s) while one is
left that a later look may settle (``reconcile.keep_looking``) and the key is still
chosen. The order the submit flow waits for ends "reconciling…" with the journal's
state, also when another process settled it; if the journal has no record of it, it
never left (placement is journal-first). One that looking up cannot settle
(``needs_user``) is marked not placed from History, on the user's word, asked first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.trading.error_text import explain
from vault_app.gui.trading.orders_panel import RECONCILING
from vault_app.gui.widgets import plain_message_box
from vault_app.trading.endpoints import DEMO
from vault_app.trading.endpoints import describe as endpoint_of
from vault_app.trading.order_log import ACCEPTED, LoggedOrder
from vault_app.trading.order_view import describe
from vault_app.trading.reconcile import LOOK_AGAIN, keep_looking, look_again_after

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.gui.trading.submit_flow import SubmitFlow
    from vault_app.trading.reconcile import Resolution
    from vault_app.trading.session import TradingSession


def look_up_work(session: TradingSession, client_order_id: str | None
                 ) -> tuple[list[Resolution], LoggedOrder | None]:
    """In the key's queue: settle its orders of unknown outcome, then the journal's
    view of ``client_order_id`` (None: never journaled, so never sent)."""
    resolutions = session.reconcile()
    return resolutions, (session.logged(client_order_id) if client_order_id else None)


class Lookups:
    def __init__(self, flow: SubmitFlow) -> None:
        self.flow = flow
        self.view = flow.view
        self.schedule: Sequence[float] = LOOK_AGAIN
        """Seconds between looks (tests pass zeros)."""
        self._watched: str | None = None  # the order the submit flow waits for
        self._chain = 0  # each ``look_up`` starts a chain of looks; a newer one ends it
        self._attempt = 0
        self.needs_user: set[str] = set()
        """Client ids of the key's orders the core said looking up cannot settle: the
        only ones History may offer to mark as not placed."""

    @property
    def watching(self) -> bool:
        """An order of unknown outcome is being looked up for the line under the ticket."""
        return self._watched is not None

    def stop(self) -> None:
        """Another key was chosen, or the vault is being locked: no more looks."""
        self._chain += 1
        self._watched = None
        self._markable(set())

    def _markable(self, ids: set[str]) -> None:
        self.needs_user = ids
        self.view.history.set_markable(ids)

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
            resolutions, order = result  # facts of the key still chosen: always shown
            for resolution in resolutions:
                self.resolved(resolution)
            if watched is not None and watched == self._watched:
                self._watched_is(watched, order)
            if chain == self._chain and keep_looking(resolutions):
                self._again(chain, entry)  # a newer chain looks on its own schedule

        def failed(exc: BaseException) -> None:
            if chain != self._chain:
                return
            view.show_status(view.problem_text(
                f"{RECONCILING} The key's orders of unknown outcome could not be looked up "
                "yet", exc, "in the line under the ticket")
                + "\nThey are looked up again shortly.", error=True)
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
            self.flow.finish()
            view.show_status("Not sent: the order journal has no record of the order, so "
                             "it never left. Review the order again to place it.",
                             error=True)
            return
        if order.unresolved:
            return  # its resolution (if any) was shown; looked up again on the schedule
        self._watched = None
        self.flow.finish_reconciling()
        self._show_known(order, ours=True, how="")

    def resolved(self, resolution: Resolution) -> None:
        """Show what the core found out about an order of unknown outcome."""
        order = resolution.order
        view = self.view
        ours = order.client_order_id == self._watched
        if not resolution.resolved:
            if resolution.needs_user:
                self._markable(self.needs_user | {order.client_order_id})
                if ours:
                    self._watched = None
                    self.flow.finish_reconciling()
                view.show_status(f"{resolution.message[:1].upper()}{resolution.message[1:]}."
                                 "\nIf it is not on the exchange, choose it in History, "
                                 "then “Mark as not placed…”.", error=True)
            else:  # looked up again later: not to be marked meanwhile
                self._markable(self.needs_user - {order.client_order_id})
                view.show_status(f"{RECONCILING} {resolution.message}.", error=True)
            return
        self._markable(self.needs_user - {order.client_order_id})
        if ours:
            self._watched = None
            self.flow.finish_reconciling()
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
        self.flow.after_change()

    def mark_not_placed(self, order: dict[str, Any]) -> None:
        """History's "Mark as not placed…": ask first (No is the default), then settle
        the order as NOT_PLACED on the user's word (``session.mark_not_placed``)."""
        view = self.view
        entry = view.entry
        cid = str(order.get("client_order_id") or "")
        if entry is None or not cid or self.flow.dialog is not None \
                or cid not in self.needs_user or cid == self._watched:
            return  # only an order looking up cannot settle, never one being looked up
        where = ("the demo exchange (its Open orders)" if endpoint_of(entry).kind == DEMO
                 else f"{entry.exchange} (its website or app)")
        box = plain_message_box(
            view.window_, QtWidgets.QMessageBox.Icon.Warning, "Mark as not placed",
            f"Mark this order of unknown outcome as not placed?\n\n{describe(order)}\n"
            f"Client order id {cid}\n\nOnly do this if you checked on {where} that the "
            "order is not there, open or filled. The app asks the exchange once more "
            "first, and does not mark an order it has.")
        box.setObjectName("markNotPlacedDialog")
        yes = box.addButton("&Yes, I checked: it is not there",
                            QtWidgets.QMessageBox.ButtonRole.YesRole)
        no = box.addButton("&No", QtWidgets.QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)

        def answered() -> None:
            if self.flow.dialog is not box:
                return  # wiped (locked) meanwhile
            self.flow.close_dialog()
            if box.clickedButton() is not yes:
                return

            def done(marked: LoggedOrder) -> None:
                self._markable(self.needs_user - {cid})
                if self._watched == cid:
                    self._watched = None
                    self.flow.finish_reconciling()
                view.show_status(f"Order {cid} marked as not placed.")
                view.open_orders.forget(cid)
                view.load_history(refresh=False)
                self.flow.after_change()

            def failed(exc: BaseException) -> None:
                self._markable(self.needs_user - {cid})
                view.show_status(f"Not marked: {explain(exc)}", error=True)
                view.load_history(refresh=False)

            view.run(lambda session: session.mark_not_placed(cid), done, failed)

        box.finished.connect(lambda _result: answered())
        self.flow.open_dialog(box)
