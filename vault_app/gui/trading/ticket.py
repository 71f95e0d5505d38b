"""The order ticket: fields, inline messages as you type, and "Review order".

Every rule is the core's (``vault_app.trading.ticket``): on each edit the ticket reads
its fields, calls ``assess`` (pure, no request, no lock: fast enough for every
keystroke) and shows what it says: per-field messages, roundings, warnings, the
estimated cost and fee. "Review order" is enabled only when the assessment is ok and
the key can trade; it emits the request, nothing is sent from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.theme import is_dark
from vault_app.gui.trading.error_text import FAR_PRICE_CHECKBOX, trading_error_sentence
from vault_app.gui.trading.field_message import FieldMessage, current_app, sentence
from vault_app.gui.trading.ticket_layout import build_ticket
from vault_app.gui.trading.trade_colors import review_button_style, side_button_style
from vault_app.trading.errors import sentences
from vault_app.trading.money import grouped
from vault_app.trading.remedies import ALLOW_FAR_PRICE
from vault_app.trading.ticket import (
    Assessment,
    TicketFields,
    assess,
    estimate_lines,
    key_is_live,
)
from vault_app.trading.ticket import order_types as offered_types
from vault_app.trading.ticket_amounts import available_line, ticket_fraction

TYPE_NAMES = {"market": "Market", "limit": "Limit", "stop-limit": "Stop-limit"}
VIEW_ONLY = "This key can only view: choose a trading key to place orders."


class OrderTicket(QtWidgets.QWidget):
    """Side, type, stop price, price, amount, time in force, post-only, the 25-100 %
    buttons, the last price, the estimate and "Review BUY order…"."""

    review_requested = Signal(object)  # OrderRequest; only when assess() is ok
    edited = Signal()
    """The user changed a field: a result line about the previous order is stale."""

    # Built by ``ticket_layout.build_ticket``:
    title: QtWidgets.QLabel
    live_badge: QtWidgets.QLabel
    messages: dict[str, FieldMessage]
    buy: QtWidgets.QPushButton
    sell: QtWidgets.QPushButton
    form: QtWidgets.QFormLayout
    order_type: QtWidgets.QComboBox
    stop_price: QtWidgets.QLineEdit
    stop_unit: QtWidgets.QLabel
    stop_row: int
    price: QtWidgets.QLineEdit
    price_unit: QtWidgets.QLabel
    allow_far: QtWidgets.QCheckBox
    price_row: int
    amount: QtWidgets.QLineEdit
    amount_unit: QtWidgets.QLabel
    fraction_buttons: list[QtWidgets.QPushButton]
    available: QtWidgets.QLabel
    time_in_force: QtWidgets.QComboBox
    tif_row: int
    post_only: QtWidgets.QCheckBox
    post_row: int
    last_price: QtWidgets.QLabel
    estimate: FieldMessage
    notes: FieldMessage
    warnings: FieldMessage
    status: FieldMessage
    review: QtWidgets.QPushButton

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderTicket")
        self._entry: KeyEntry | None = None
        self._live = False
        self._exchange: Any | None = None
        self._symbol: str | None = None
        self._shown_symbol: str | None = None  # the last market the fields were typed for
        self._last: Decimal | None = None
        self._free: Mapping[str, Decimal] | None = None
        self._busy = False
        self._busy_message = ""
        self._tif_before_post_only: int | None = None  # restored when post-only is unticked
        self._notice = ""  # what changed under the user's hands ("key changed…")
        self._touched: set[str] = set()
        self._external: dict[str, str] = {}
        self._far_refused_outside = False  # a preview or placement refused a far price
        self.assessment: Assessment | None = None
        build_ticket(self)
        self._fill_types()
        self._restyle()
        self._refresh()

    def _message(self, name: str) -> FieldMessage:
        message = FieldMessage(f"{name}Error")
        self.messages[name] = message
        return message

    # -- public interface ---------------------------------------------------------------

    def set_key(self, entry: KeyEntry | None) -> None:
        """The key that would sign. Another key empties price and amount (they were
        typed for the other one) and says so, LIVE in red; no key (locked) resets the
        ticket to a limit order with empty fields; a key that can only view disables
        the ticket and says so in one line."""
        previous = self._entry
        self._entry = entry
        self._live = entry is not None and key_is_live(entry)
        self._external.clear()
        self._notice = ""
        if entry is None:
            self.reset()
        elif previous is not None and previous.id != entry.id:
            self._clear_numbers(keep_price=False)
            live = " — LIVE: real money" if self._live else ""
            self._notice = (f"Key changed to '{entry.label}'{live}: price and amount "
                            "cleared.")
        self.live_badge.setVisible(self._live)
        self._refresh()

    def set_market(self, exchange: Any | None, symbol: str | None) -> None:
        """The ccxt instance (markets set) and the market; None while they load. Another
        market empties price and amount: a BTC price never lands on an ETH ticket."""
        changed = symbol != self._symbol
        self._exchange, self._symbol = exchange, symbol
        if changed:
            self._last = None
            self._touched.clear()
            self._disallow_far_price()
        if symbol is not None and self._shown_symbol not in (None, symbol):
            self._clear_numbers(keep_price=False)
        if symbol is not None:
            self._shown_symbol = symbol
        if exchange is not None:
            self._fill_types()  # while loading, the type chosen stays
        self._external.clear()
        self._refresh()

    def set_last_price(self, price: Decimal | None) -> None:
        self._last = price
        self._refresh()

    def set_balances(self, free: Mapping[str, Decimal] | None) -> None:
        self._free = free
        self._refresh()

    def set_busy(self, busy: bool, message: str = "") -> None:
        """While an order is previewed or placed: no second review."""
        self._busy = busy
        self._busy_message = message
        self._refresh()

    def show_error(self, field: str | None, message: str | BaseException) -> None:
        """A refusal from preview or placement, under its field (or above Review). An
        error is said in the app's words (``trading_error_text``), under the field it
        names when ``field`` is None; a far price offers its checkbox."""
        if isinstance(message, BaseException):
            exc = message
            if getattr(exc, "remedy", None) == ALLOW_FAR_PRICE:
                field = "price"
                self._far_refused_outside = True
            field = field or getattr(exc, "field", None)
            message = self._words(exc)
        self._external[field if field in self.messages else ""] = message
        self._show()

    def clear(self) -> None:
        """After an order went: the amount is emptied (a second Enter sends nothing),
        the price kept for the next order, as exchange tickets do; post-only and the
        time in force back to their defaults. A refused order keeps every field, to be
        corrected."""
        self._clear_numbers(keep_price=True)
        self._external.clear()
        self._refresh()

    def reset(self) -> None:
        """The safe ticket (after a lock): buy, limit, every field empty, GTC."""
        self.buy.setChecked(True)
        index = self.order_type.findData("limit")
        if index >= 0:
            self.order_type.setCurrentIndex(index)
        self._clear_numbers(keep_price=False)
        self._shown_symbol = None
        self._notice = ""
        self._external.clear()
        self._refresh()

    def _clear_numbers(self, *, keep_price: bool) -> None:
        edits = [self.amount] if keep_price else [self.amount, self.price, self.stop_price]
        for edit in edits:
            edit.clear()
        self.post_only.setChecked(False)
        self.time_in_force.setCurrentIndex(0)
        self._disallow_far_price()
        self._touched.clear()

    # -- reading the fields -------------------------------------------------------------

    @property
    def side(self) -> str:
        return "sell" if self.sell.isChecked() else "buy"

    @property
    def kind(self) -> str:
        return str(self.order_type.currentData() or "limit")

    def fields(self) -> TicketFields:
        """The fields as typed: the core drops what the order type ignores."""
        return TicketFields(
            symbol=self._symbol or "", side=self.side, type=self.kind,
            amount=self.amount.text(), price=self.price.text(),
            stop_price=self.stop_price.text(),
            time_in_force=str(self.time_in_force.currentData()),
            post_only=self.post_only.isChecked(), allow_far_price=self.allow_far.isChecked())

    def _market(self) -> Mapping[str, Any] | None:
        markets = getattr(self._exchange, "markets", None) or {}
        market = markets.get(self._symbol) if self._symbol else None
        return market if isinstance(market, Mapping) else None

    @property
    def _precision_mode(self) -> int | None:
        return getattr(self._exchange, "precisionMode", None)

    # -- reacting -----------------------------------------------------------------------

    def _fill_types(self) -> None:
        current = self.kind
        types = offered_types(self._exchange)
        self.order_type.blockSignals(True)
        self.order_type.clear()
        for kind in types:
            self.order_type.addItem(TYPE_NAMES[kind], kind)
        self.order_type.setCurrentIndex(max(0, self.order_type.findData(
            current if current in types else "limit")))
        self.order_type.blockSignals(False)

    def set_side(self, side: str) -> None:
        """Choose buy or sell, as a click on its toggle would."""
        (self.sell if side == "sell" else self.buy).setChecked(True)

    def _side_toggled(self, button: QtWidgets.QPushButton, checked: bool) -> None:
        """Exactly one side is chosen: checking one unchecks the other, and the chosen
        one cannot be unchecked by clicking it again."""
        other = self.sell if button is self.buy else self.buy
        if checked:
            other.setChecked(False)
        elif not other.isChecked():
            button.setChecked(True)
            return
        for toggle in (self.buy, self.sell):
            toggle.setAccessibleDescription("selected" if toggle.isChecked() else "")
        self._restyle()
        self._edited("side")

    def _post_only_toggled(self, checked: bool) -> None:
        """Post-only orders rest on the book: the time in force is GTC, shown as such
        (never an IOC kept out of sight); unticked, the earlier choice is back (u2 N9)."""
        if checked:
            self._tif_before_post_only = self.time_in_force.currentIndex()
            self.time_in_force.setCurrentIndex(0)
        elif self._tif_before_post_only is not None:
            self.time_in_force.setCurrentIndex(self._tif_before_post_only)
            self._tif_before_post_only = None
        self._edited("post_only")

    def _edited(self, field: str) -> None:
        if field in ("amount", "price", "stop_price"):
            self._touched.add(field)
        if field == "price":
            self._disallow_far_price()  # allowed was that price, not the next one
        self._external.clear()
        self._notice = ""
        self._far_refused_outside = False
        self._refresh()
        self.edited.emit()

    def _disallow_far_price(self) -> None:
        self.allow_far.blockSignals(True)
        self.allow_far.setChecked(False)
        self.allow_far.blockSignals(False)

    def _left(self, field: str) -> None:
        """Leaving a field the user typed in: from now on "missing" is an error."""
        edit = {"amount": self.amount, "price": self.price,
                "stop_price": self.stop_price}[field]
        if edit.isModified():
            self._touched.add(field)
            self._show()

    def _use_fraction(self, fraction: Decimal) -> None:
        market = self._market()
        if market is None or self._free is None:
            return
        found = ticket_fraction(fraction, self.fields(), market, self._free, self._last,
                                precision_mode=self._precision_mode)
        if found.amount is None:
            self.messages["amount"].say(found.reason, "soft")
            return
        self.amount.setText(found.amount)
        self.amount.setModified(True)
        self._edited("amount")

    def _review_if_ready(self) -> None:
        if self.review.isEnabled():
            self._review()

    def _review(self) -> None:
        self._refresh()
        result = self.assessment
        if result is None or not result.ok or not self.review.isEnabled():
            return
        self.review_requested.emit(result.request)

    @property
    def can_order(self) -> bool:
        """A key that may trade is chosen (a view-only key disables the whole ticket)."""
        return self._entry is not None and self._entry.can_trade

    def _refresh(self) -> None:
        """Assess the fields again and show the result (every edit: it is pure)."""
        kind = self.kind
        self.form.setRowVisible(self.price_row, kind != "market")
        self.form.setRowVisible(self.stop_row, kind == "stop-limit")
        self.form.setRowVisible(self.post_row, kind == "limit")
        self.form.setRowVisible(self.tif_row, kind != "market")
        market = self._market()
        quote = str(market["quote"]) if market else ""
        for unit in (self.price_unit, self.stop_unit):
            unit.setText(quote)
        self.amount_unit.setText(str(market["base"]) if market else "")
        self.title.setText(f"Order · {self._symbol}" if self._symbol else "Order")
        if self._entry is not None:
            self.assessment = assess(self._entry, self.fields(), self._exchange, self._last,
                                     self._free)
        else:
            self.assessment = None
        self._show()

    def _words(self, exc: BaseException) -> str:
        """A refusal in the app's words; a far price points at the checkbox under it."""
        if getattr(exc, "remedy", None) == ALLOW_FAR_PRICE:
            return sentence(sentences(getattr(exc, "message", str(exc)),
                                      f"check the price; if you mean it, tick "
                                      f"“{FAR_PRICE_CHECKBOX}” below"))
        return trading_error_sentence(exc)

    def _show(self) -> None:
        result = self.assessment
        market = self._market()
        errors = {name: self._words(exc) for name, exc in
                  (result.refusals.items() if result else ())}
        missing = result.missing if result else frozenset()
        far = (result is not None and result.far_price_refused) or self._far_refused_outside
        self.allow_far.setVisible(self.kind != "market" and self.can_order
                                  and (far or self.allow_far.isChecked()))
        for name, message in self.messages.items():
            text, kind = self._message_of(name, errors, missing)
            message.say(text, kind)
        self._show_summary(result, market)
        ready = (result is not None and result.ok and self.can_order and not self._busy)
        self.review.setEnabled(ready)
        self.review.setText(f"&Review {self.side.upper()} order…")
        editable = self.can_order and market is not None
        for widget in (self.buy, self.sell, self.order_type, self.price, self.stop_price,
                       self.amount, self.time_in_force, self.post_only):
            widget.setEnabled(editable)
        self.time_in_force.setEnabled(editable and not self.post_only.isChecked())
        for button in self.fraction_buttons:
            button.setEnabled(editable and self._free is not None)
        self._show_status(result, missing)

    def _message_of(self, name: str, errors: Mapping[str, str],
                    missing: frozenset[str]) -> tuple[str, str]:
        """The text under field ``name`` and its kind (error, or soft for a hint)."""
        if name == "key":
            if self._entry is None:
                return "choose a key to trade with", "soft"
            if not self._entry.can_trade:
                return VIEW_ONLY, "soft"
        if name == "symbol" and name not in self._external:
            if self._entry is not None and self._exchange is None:
                return "loading the exchange's markets…", "soft"  # (a failed load says so)
            if self._exchange is not None and not self._symbol:
                return "choose a market", "soft"
        if self._entry is not None and not self._entry.can_trade:
            return "", "soft"  # one calm line, not a message per field
        text = self._external.get(name) or errors.get(name, "")
        if name in missing and name not in self._touched and name not in self._external:
            text = ""  # not typed yet: not an error to shout
        return text, "error"

    def _show_summary(self, result: Assessment | None,
                      market: Mapping[str, Any] | None) -> None:
        quote = str(market["quote"]) if market else ""
        self.last_price.setText(f"{grouped(self._last)} {quote}" if self._last is not None
                                else "—")
        self.available.setText(available_line(self.side, market, self._free,
                                              self._precision_mode))
        self.estimate.say("\n".join(estimate_lines(result, self._last)), "plain")
        notes = result.notes if result else ()
        # Roundings in the normal text colour: to be read, not shouted.
        self.notes.say("\n".join(f"Rounded: {note}" for note in notes), "plain")
        warnings = result.warnings if result else ()
        self.warnings.say("\n".join(sentence(w) for w in warnings), "notice")

    def _show_status(self, result: Assessment | None, missing: frozenset[str]) -> None:
        if self._busy:
            self.status.say(self._busy_message or "working…", "soft")
            return
        if "" in self._external:
            self.status.say(self._external[""])
            return
        if self._notice:
            self.status.say(self._notice, "notice" if self._live else "soft")
            return
        untyped = [name for name in ("stop_price", "price", "amount")
                   if name in missing and name not in self._touched]
        if result is not None and untyped and self.can_order:
            words = {"price": "a price", "stop_price": "a stop price", "amount": "an amount"}
            listed = " and ".join(words[name] for name in untyped)
            self.status.say(f"enter {listed} to review the order", "soft")
            return
        self.status.say("")

    # -- look ---------------------------------------------------------------------------

    def _restyle(self) -> None:
        dark = is_dark(current_app())
        focus = self.palette().color(QtGui.QPalette.ColorRole.Highlight).name()
        self.buy.setStyleSheet(side_button_style("buy", dark, focus))
        self.sell.setStyleSheet(side_button_style("sell", dark, focus))
        self.review.setStyleSheet(review_button_style(self.side, dark))

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._restyle()


