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
from itertools import pairwise
from typing import Any

from vault_app.core.model import KeyEntry
from vault_app.gui.qt import QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.theme import is_dark, warning_color
from vault_app.gui.trading.error_text import FAR_PRICE_CHECKBOX, trading_error_sentence
from vault_app.gui.trading.trade_colors import notice_color, side_button_style
from vault_app.gui.widgets import WrapLabel
from vault_app.trading.errors import OrderInputError
from vault_app.trading.order_limits import plain
from vault_app.trading.orders import TIMES_IN_FORCE, parse_decimal
from vault_app.trading.preview import grouped, round_for_display
from vault_app.trading.remedies import ALLOW_FAR_PRICE
from vault_app.trading.ticket import FIELDS, Assessment, TicketFields, assess, fraction_amount
from vault_app.trading.ticket import order_types as offered_types

FRACTIONS = (("pct25", "&25 %", "0.25"), ("pct50", "&50 %", "0.5"),
             ("pct75", "&75 %", "0.75"), ("pct100", "&100 %", "1"))
TYPE_NAMES = {"market": "Market", "limit": "Limit", "stop-limit": "Stop-limit"}


def _app() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    assert isinstance(app, QtWidgets.QApplication)
    return app


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class FieldMessage(WrapLabel):
    """A message under a field: an error (red), a soft hint (grey) or a notice
    (amber); hidden when empty. Its colour follows the palette."""

    def __init__(self, name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName(name)
        self.kind = "error"
        self._painting = False
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str, kind: str = "error") -> None:
        self.kind = kind
        self.setText(_sentence(text))
        self.setAccessibleDescription(self.text())
        self._paint()
        self.setVisible(bool(text))

    def _paint(self) -> None:
        self._painting = True  # a style sheet changes the palette: no recursion
        try:
            self._apply_color()
        finally:
            self._painting = False

    def _apply_color(self) -> None:
        app = _app()
        if self.kind == "error":
            color = warning_color(app)
        elif self.kind == "notice":
            color = notice_color(is_dark(app))
        elif self.kind == "plain":
            self.setStyleSheet("")
            return
        else:
            color = self.palette().color(QtGui.QPalette.ColorRole.PlaceholderText).name()
        self.setStyleSheet(f"color: {color};")

    def minimumSizeHint(self) -> QtCore.QSize:
        """Never squeezed below its wrapped height: a message cut in half misleads."""
        hint = super().minimumSizeHint()
        if self.text() and self.width() > 0:
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if (event.type() == QtCore.QEvent.Type.PaletteChange and self.text()
                and not self._painting):
            self._paint()


class OrderTicket(QtWidgets.QWidget):
    """Side, type, price, stop price, amount, time in force, post-only, the 25-100 %
    buttons, the last price, the estimate and "Review order"."""

    review_requested = Signal(object)  # OrderRequest; only when assess() is ok

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderTicket")
        self._entry: KeyEntry | None = None
        self._exchange: Any | None = None
        self._symbol: str | None = None
        self._last: Decimal | None = None
        self._free: Mapping[str, Decimal] | None = None
        self._busy = False
        self._busy_message = ""
        self._touched: set[str] = set()
        self._external: dict[str, str] = {}
        self._far_refused_outside = False  # a preview or placement refused a far price
        self.assessment: Assessment | None = None
        self._build()
        self._fill_types()
        self._restyle()
        self._refresh()

    # -- construction -------------------------------------------------------------------

    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        self.title = QtWidgets.QLabel("Order")
        self.title.setObjectName("ticketTitle")
        self.title.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        outer.addWidget(self.title)
        self.messages: dict[str, FieldMessage] = {}
        for name in ("key", "symbol"):
            outer.addWidget(self._message(name))

        sides = QtWidgets.QHBoxLayout()
        self.buy = QtWidgets.QPushButton("&Buy")
        self.sell = QtWidgets.QPushButton("&Sell")
        # Two toggles, each reached by Tab (an exclusive button group would let Tab stop
        # at the checked one only); clicking either chooses its side.
        for button, name in ((self.buy, "buyButton"), (self.sell, "sellButton")):
            button.setObjectName(name)
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                 QtWidgets.QSizePolicy.Policy.Fixed)
            sides.addWidget(button)
        self.buy.setChecked(True)
        self.buy.toggled.connect(lambda checked: self._side_toggled(self.buy, checked))
        self.sell.toggled.connect(lambda checked: self._side_toggled(self.sell, checked))
        outer.addLayout(sides)
        outer.addWidget(self._message("side"))

        self.form = QtWidgets.QFormLayout()
        self.form.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.order_type = QtWidgets.QComboBox()
        self.order_type.setObjectName("orderType")
        self.order_type.currentIndexChanged.connect(self._type_changed)
        self._row("&Type:", self.order_type, "type")

        self.price = self._number_edit("priceEdit")
        self.price_unit = self._unit()
        self.allow_far = QtWidgets.QCheckBox(FAR_PRICE_CHECKBOX.replace("Allow", "A&llow"))
        self.allow_far.setObjectName("allowFarPrice")
        self.allow_far.setToolTip("The price is far from the last price, most often a typo. "
                                  "Tick to place it anyway: the review shows it again")
        self.allow_far.hide()
        self.allow_far.toggled.connect(lambda _c: self._edited("allow_far_price"))
        self.price_row = self._row("&Price:", self.price, "price", self.price_unit,
                                   below=self.allow_far)
        self.stop_price = self._number_edit("stopPriceEdit")
        self.stop_price.setToolTip("The order goes on the book when the last price "
                                   "reaches this price")
        self.stop_unit = self._unit()
        self.stop_row = self._row("St&op price:", self.stop_price, "stop_price",
                                  self.stop_unit)
        self.amount = self._number_edit("amountEdit")
        self.amount_unit = self._unit()
        self._row("&Amount:", self.amount, "amount", self.amount_unit)

        fractions = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(fractions)
        row.setContentsMargins(0, 0, 0, 0)
        self.fraction_buttons: list[QtWidgets.QPushButton] = []
        for name, text, value in FRACTIONS:
            button = QtWidgets.QPushButton(text)
            button.setObjectName(name)
            button.setAutoDefault(False)
            button.setMinimumWidth(  # narrower than the style's default: four fit a panel
                button.fontMetrics().horizontalAdvance(" 100 % ") + 8)
            button.setToolTip(f"{text.replace('&', '')} of the available balance, "
                              "rounded down to the market's step")
            button.clicked.connect(lambda _=False, v=value: self._use_fraction(Decimal(v)))
            row.addWidget(button)
            self.fraction_buttons.append(button)
        self.available = QtWidgets.QLabel("")
        self.available.setObjectName("available")
        self.available.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        box = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(fractions)
        column.addWidget(self.available)
        self.form.addRow("", box)

        self.time_in_force = QtWidgets.QComboBox()
        self.time_in_force.setObjectName("timeInForce")
        for tif, words in zip(TIMES_IN_FORCE, ("GTC: good till cancelled",
                                               "IOC: immediate or cancel",
                                               "FOK: fill or kill"), strict=True):
            self.time_in_force.addItem(words, tif)
        self.time_in_force.currentIndexChanged.connect(lambda _i: self._edited("time_in_force"))
        self.tif_row = self._row("Time in &force:", self.time_in_force, "time_in_force")
        self.post_only = QtWidgets.QCheckBox("Post-o&nly (maker only: never fills at once)")
        self.post_only.setObjectName("postOnly")
        self.post_only.toggled.connect(lambda _c: self._edited("post_only"))
        self.post_row = self._row("", self.post_only, "post_only")
        outer.addLayout(self.form)

        summary = QtWidgets.QFormLayout()
        self.last_price = QtWidgets.QLabel("—")
        self.last_price.setObjectName("lastPrice")
        self.last_price.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.last_price.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.addRow("Last price:", self.last_price)
        self.estimate = FieldMessage("estimate", self)  # a parent before say() shows it
        self.estimate.say("—", "plain")
        self.estimate.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.addRow("Estimate:", self.estimate)
        outer.addLayout(summary)

        self.notes = FieldMessage("notes")
        self.warnings = FieldMessage("warnings")
        outer.addWidget(self.notes)
        outer.addWidget(self.warnings)
        self.status = FieldMessage("ticketStatus")
        outer.addWidget(self.status)
        self.review = QtWidgets.QPushButton("&Review order…")
        self.review.setObjectName("reviewOrder")
        self.review.setAutoDefault(False)
        self.review.clicked.connect(self._review)
        outer.addWidget(self.review)
        outer.addStretch(1)
        for edit, name in ((self.price, "price"), (self.stop_price, "stop_price"),
                           (self.amount, "amount")):
            edit.textEdited.connect(lambda _t, n=name: self._edited(n))
            edit.editingFinished.connect(lambda n=name: self._left(n))
            edit.returnPressed.connect(self._review_if_ready)
        for name in FIELDS:
            if name not in self.messages:
                outer.insertWidget(outer.indexOf(self.notes), self._message(name))
        chain: list[QtWidgets.QWidget] = [
            self.buy, self.sell, self.order_type, self.price, self.allow_far, self.stop_price,
            self.amount,
            *self.fraction_buttons, self.time_in_force, self.post_only, self.review]
        for first, second in pairwise(chain):
            QtWidgets.QWidget.setTabOrder(first, second)

    def _message(self, name: str) -> FieldMessage:
        message = FieldMessage(f"{name}Error")
        self.messages[name] = message
        return message

    def _number_edit(self, name: str) -> QtWidgets.QLineEdit:
        edit = QtWidgets.QLineEdit()
        edit.setObjectName(name)
        edit.setInputMethodHints(QtCore.Qt.InputMethodHint.ImhFormattedNumbersOnly)
        edit.setMaxLength(64)
        return edit

    def _unit(self) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel("")
        label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        label.setMinimumWidth(QtGui.QFontMetrics(label.font()).horizontalAdvance("USDTX"))
        return label

    def _row(self, text: str, widget: QtWidgets.QWidget, field: str,
             unit: QtWidgets.QLabel | None = None,
             below: QtWidgets.QWidget | None = None) -> int:
        """A form row: the field (and its unit) with its message under it (and
        ``below`` under that: what the user can do about the message)."""
        cell = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        line = QtWidgets.QHBoxLayout()
        line.addWidget(widget, 1)
        if unit is not None:
            line.addWidget(unit)
        column.addLayout(line)
        column.addWidget(self._message(field))
        if below is not None:
            column.addWidget(below)
        label = QtWidgets.QLabel(text)
        label.setBuddy(widget)
        self.form.addRow(label, cell)
        return self.form.rowCount() - 1

    # -- public interface ---------------------------------------------------------------

    def set_key(self, entry: KeyEntry | None) -> None:
        """The key that would sign; a key without ``trade`` never reviews (says why)."""
        self._entry = entry
        self._external.clear()
        self._refresh()

    def set_market(self, exchange: Any | None, symbol: str | None) -> None:
        """The ccxt instance (markets set) and the market; None while they load."""
        changed = symbol != self._symbol
        self._exchange, self._symbol = exchange, symbol
        if changed:
            self._last = None
            self._touched.clear()
            self._disallow_far_price()
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
            message = trading_error_sentence(exc)
        self._external[field if field in self.messages else ""] = message
        self._show()

    def clear(self) -> None:
        """Empty the numbers (after an order went): side, type and market stay."""
        for edit in (self.amount, self.price, self.stop_price):
            edit.clear()
        self.post_only.setChecked(False)
        self.time_in_force.setCurrentIndex(0)
        self._disallow_far_price()
        self._touched.clear()
        self._external.clear()
        self._refresh()

    # -- reading the fields -------------------------------------------------------------

    @property
    def side(self) -> str:
        return "sell" if self.sell.isChecked() else "buy"

    @property
    def kind(self) -> str:
        return str(self.order_type.currentData() or "limit")

    def fields(self) -> TicketFields:
        kind = self.kind
        return TicketFields(
            symbol=self._symbol or "", side=self.side, type=kind,
            amount=self.amount.text(),
            price=self.price.text() if kind != "market" else "",
            stop_price=self.stop_price.text() if kind == "stop-limit" else "",
            time_in_force=(str(self.time_in_force.currentData())
                           if self.time_in_force.isEnabled() else None),
            post_only=kind == "limit" and self.post_only.isChecked(),
            allow_far_price=kind != "market" and self.allow_far.isChecked())

    def _market(self) -> Mapping[str, Any] | None:
        markets = getattr(self._exchange, "markets", None) or {}
        market = markets.get(self._symbol) if self._symbol else None
        return market if isinstance(market, Mapping) else None

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
        self._edited("side")

    def _type_changed(self, _index: int) -> None:
        self._edited("type")

    def _edited(self, field: str) -> None:
        if field in ("amount", "price", "stop_price"):
            self._touched.add(field)
        if field == "price":
            self._disallow_far_price()  # allowed was that price, not the next one
        self._external.clear()
        self._far_refused_outside = False
        self._refresh()

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
        price = self._fraction_price()
        amount = fraction_amount(fraction, self.side, market, self._free, price,
                                 precision_mode=getattr(self._exchange, "precisionMode",
                                                        None))
        if amount is None:
            self.messages["amount"].say(self._no_fraction_reason(market, price), "soft")
            return
        self.amount.setText(amount)
        self.amount.setModified(True)
        self._edited("amount")

    def _fraction_price(self) -> Decimal | None:
        if self.kind == "market":
            return self._last
        try:
            return parse_decimal(self.price.text(), "price", "price")
        except OrderInputError:
            return None

    def _no_fraction_reason(self, market: Mapping[str, Any], price: Decimal | None) -> str:
        spent = market["quote"] if self.side == "buy" else market["base"]
        if self.side == "buy" and price is None:
            return ("type a valid price first: how much a share of your "
                    f"{spent} buys depends on it" if self.kind != "market"
                    else "no last price yet: how much it buys is unknown")
        return f"no {spent} available (or less than the market's smallest step)"

    def _review_if_ready(self) -> None:
        if self.review.isEnabled():
            self._review()

    def _review(self) -> None:
        self._refresh()
        result = self.assessment
        if result is None or not result.ok or not self.review.isEnabled():
            return
        self.review_requested.emit(result.request)

    def _refresh(self) -> None:
        """Assess the fields again and show the result (every edit: it is pure)."""
        kind = self.kind
        self.form.setRowVisible(self.price_row, kind != "market")
        self.form.setRowVisible(self.stop_row, kind == "stop-limit")
        self.post_only.setEnabled(kind == "limit")
        self.form.setRowVisible(self.post_row, kind == "limit")
        self.time_in_force.setEnabled(kind != "market" and not self.post_only.isChecked())
        self.form.setRowVisible(self.tif_row, kind != "market")
        market = self._market()
        quote = str(market["quote"]) if market else ""
        base = str(market["base"]) if market else ""
        for unit in (self.price_unit, self.stop_unit):
            unit.setText(quote)
        self.amount_unit.setText(base)
        self.title.setText(f"Order · {self._symbol}" if self._symbol else "Order")
        if self._entry is not None:
            self.assessment = assess(self._entry, self.fields(), self._exchange, self._last)
        else:
            self.assessment = None
        self._show()

    def _show(self) -> None:
        result = self.assessment
        market = self._market()
        errors = dict(result.errors) if result else {}
        for name, exc in (result.refusals.items() if result else ()):
            errors[name] = trading_error_sentence(exc)  # in the app's words
        missing = result.missing if result else frozenset()
        far = (result is not None and result.far_price_refused) or self._far_refused_outside
        self.allow_far.setVisible(self.kind != "market" and (far or self.allow_far.isChecked()))
        for name, message in self.messages.items():
            text = self._external.get(name) or errors.get(name, "")
            kind = "error"
            if name in missing and name not in self._touched and name not in self._external:
                text = ""  # not typed yet: not an error to shout
            if name == "key" and self._entry is None:
                text, kind = "choose a key to trade with", "soft"
            if name == "symbol" and self._entry is not None and self._exchange is None \
                    and name not in self._external:  # (g1: a failed load says so instead)
                text, kind = "loading the exchange's markets…", "soft"
            if name == "symbol" and self._exchange is not None and not self._symbol:
                text, kind = "choose a market", "soft"
            message.say(text, kind)
        self._show_summary(result, market)
        ready = (result is not None and result.ok and self._entry is not None
                 and self._entry.can_trade and not self._busy)
        self.review.setEnabled(ready)
        balance_known = self._free is not None and market is not None
        for button in self.fraction_buttons:
            button.setEnabled(balance_known and self._entry is not None)
        editable = self._entry is not None and market is not None
        for widget in (self.buy, self.sell, self.order_type, self.price, self.stop_price,
                       self.amount):
            widget.setEnabled(editable)
        self._show_status(result, missing)

    def _show_summary(self, result: Assessment | None,
                      market: Mapping[str, Any] | None) -> None:
        quote = str(market["quote"]) if market else ""
        self.last_price.setText(f"{grouped(self._last)} {quote}" if self._last is not None
                                else "—")
        self._show_available(market)
        if result is None or result.estimated_cost is None:
            cost = "—"
            if result is not None and result.amount is not None and self._last is None:
                cost = "unknown until the last price is known"
        else:
            about = "≈ " if result.price is None else ""
            cost = f"{about}{grouped(round_for_display(result.estimated_cost))} {quote}"
        lines = [f"Total: {cost}"]
        if result is not None and result.estimated_fee is not None and result.fee_rate:
            lines.append(f"Fee: ≈ {plain(round_for_display(result.estimated_fee))} "
                         f"{result.fee_currency} ({plain(result.fee_rate * 100)} %, "
                         f"{result.fee_basis})")
        self.estimate.say("\n".join(lines), "plain")
        notes = result.notes if result else ()
        # Roundings in the normal text colour: to be read, not shouted.
        self.notes.say("\n".join(f"Rounded: {note}" for note in notes), "plain")
        warnings = result.warnings if result else ()
        self.warnings.say("\n".join(_sentence(w) for w in warnings), "notice")

    def _show_available(self, market: Mapping[str, Any] | None) -> None:
        if market is None or self._free is None:
            self.available.setText("Available: —" if market is not None else "")
            return
        spent = str(market["quote"] if self.side == "buy" else market["base"])
        free = self._free.get(spent)
        amount = grouped(free) if free is not None else "0"
        self.available.setText(f"Available: {amount} {spent}")

    def _show_status(self, result: Assessment | None, missing: frozenset[str]) -> None:
        if self._busy:
            self.status.say(self._busy_message or "working…", "soft")
            return
        if "" in self._external:
            self.status.say(self._external[""])
            return
        untyped = [name for name in ("price", "stop_price", "amount")
                   if name in missing and name not in self._touched]
        if result is not None and untyped and self._entry is not None:
            words = {"price": "a price", "stop_price": "a stop price", "amount": "an amount"}
            listed = " and ".join(words[name] for name in untyped)
            self.status.say(f"enter {listed} to review the order", "soft")
            return
        self.status.say("")

    # -- look ---------------------------------------------------------------------------

    def _restyle(self) -> None:
        dark = is_dark(_app())
        focus = self.palette().color(QtGui.QPalette.ColorRole.Highlight).name()
        self.buy.setStyleSheet(side_button_style("buy", dark, focus))
        self.sell.setStyleSheet(side_button_style("sell", dark, focus))

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._restyle()
