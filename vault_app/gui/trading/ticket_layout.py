"""The order ticket's widgets, laid out: what ``OrderTicket`` shows, built once.

``build_ticket`` creates the controls as attributes of the ticket (their objectNames
are what tests and screen readers find) and connects them to the ticket's handlers.
Stop price comes before price: a stop-limit is read "when the price reaches the stop,
place a limit at the price".
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from vault_app.gui.qt import QtCore, QtGui, QtWidgets
from vault_app.gui.trading.error_text import FAR_PRICE_CHECKBOX
from vault_app.gui.trading.field_message import FieldMessage
from vault_app.gui.trading.trade_colors import live_badge_style
from vault_app.trading.orders import TIMES_IN_FORCE
from vault_app.trading.ticket import FIELDS

if TYPE_CHECKING:
    from vault_app.gui.trading.ticket import OrderTicket

FRACTIONS = (("pct25", "&25 %", "0.25"), ("pct50", "&50 %", "0.5"),
             ("pct75", "&75 %", "0.75"), ("pct100", "&100 %", "1"))
TIF_WORDS = ("GTC: good till cancelled", "IOC: immediate or cancel", "FOK: fill or kill")


class NumberEdit(QtWidgets.QLineEdit):
    """A price or an amount. Alt+letter is a button's mnemonic, never text: with the
    button disabled, Qt would otherwise type the letter into the field ("1.5r")."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setInputMethodHints(QtCore.Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self.setMaxLength(64)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        if event.modifiers() & QtCore.Qt.KeyboardModifier.AltModifier:
            event.ignore()
            return
        super().keyPressEvent(event)


def _unit() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel("")
    label.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    label.setMinimumWidth(QtGui.QFontMetrics(label.font()).horizontalAdvance("USDTX"))
    return label


def _row(ticket: OrderTicket, text: str, widget: QtWidgets.QWidget, field: str,
         unit: QtWidgets.QLabel | None = None,
         below: QtWidgets.QWidget | None = None) -> int:
    """A form row: the field (and its unit) with its message under it (and ``below``
    under that: what the user can do about the message)."""
    cell = QtWidgets.QWidget()
    column = QtWidgets.QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    line = QtWidgets.QHBoxLayout()
    line.addWidget(widget, 1)
    if unit is not None:
        line.addWidget(unit)
    column.addLayout(line)
    column.addWidget(ticket._message(field))
    if below is not None:
        column.addWidget(below)
    label = QtWidgets.QLabel(text)
    label.setBuddy(widget)
    ticket.form.addRow(label, cell)
    return ticket.form.rowCount() - 1


def _title(ticket: OrderTicket, outer: QtWidgets.QVBoxLayout) -> None:
    row = QtWidgets.QHBoxLayout()
    ticket.title = QtWidgets.QLabel("Order")
    ticket.title.setObjectName("ticketTitle")
    ticket.title.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    font = ticket.title.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    ticket.title.setFont(font)
    ticket.live_badge = QtWidgets.QLabel("LIVE — real money")
    ticket.live_badge.setObjectName("ticketLive")
    ticket.live_badge.setStyleSheet(live_badge_style())
    ticket.live_badge.hide()
    row.addWidget(ticket.title)
    row.addStretch(1)
    row.addWidget(ticket.live_badge)
    outer.addLayout(row)


def _sides(ticket: OrderTicket, outer: QtWidgets.QVBoxLayout) -> None:
    sides = QtWidgets.QHBoxLayout()
    ticket.buy = QtWidgets.QPushButton("&Buy")
    ticket.sell = QtWidgets.QPushButton("&Sell")
    # Two toggles, each reached by Tab (an exclusive button group would let Tab stop
    # at the checked one only); clicking either chooses its side.
    for button, name in ((ticket.buy, "buyButton"), (ticket.sell, "sellButton")):
        button.setObjectName(name)
        button.setCheckable(True)
        button.setAutoDefault(False)
        button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                             QtWidgets.QSizePolicy.Policy.Fixed)
        sides.addWidget(button)
    ticket.buy.setChecked(True)
    ticket.buy.toggled.connect(lambda checked: ticket._side_toggled(ticket.buy, checked))
    ticket.sell.toggled.connect(lambda checked: ticket._side_toggled(ticket.sell, checked))
    outer.addLayout(sides)
    outer.addWidget(ticket._message("side"))


def _numbers(ticket: OrderTicket) -> None:
    ticket.stop_price = NumberEdit("stopPriceEdit")
    ticket.stop_price.setToolTip("The order goes on the book when the last price "
                                 "reaches this price")
    ticket.stop_unit = _unit()
    ticket.stop_row = _row(ticket, "St&op price:", ticket.stop_price, "stop_price",
                           ticket.stop_unit)
    ticket.price = NumberEdit("priceEdit")
    ticket.price_unit = _unit()
    ticket.allow_far = QtWidgets.QCheckBox(FAR_PRICE_CHECKBOX.replace("Allow", "Allo&w"))
    ticket.allow_far.setObjectName("allowFarPrice")
    ticket.allow_far.setToolTip("The price is far from the last price, most often a typo. "
                                "Tick to place it anyway: the review shows it again")
    ticket.allow_far.hide()
    ticket.allow_far.toggled.connect(lambda _c: ticket._edited("allow_far_price"))
    ticket.price_row = _row(ticket, "&Price:", ticket.price, "price", ticket.price_unit,
                            below=ticket.allow_far)
    ticket.amount = NumberEdit("amountEdit")
    ticket.amount_unit = _unit()
    _row(ticket, "&Amount:", ticket.amount, "amount", ticket.amount_unit)


def _fractions(ticket: OrderTicket) -> None:
    fractions = QtWidgets.QWidget()
    row = QtWidgets.QHBoxLayout(fractions)
    row.setContentsMargins(0, 0, 0, 0)
    ticket.fraction_buttons = []
    for name, text, value in FRACTIONS:
        button = QtWidgets.QPushButton(text)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.setMinimumWidth(  # narrower than the style's default: four fit a panel
            button.fontMetrics().horizontalAdvance(" 100 % ") + 8)
        button.setToolTip(f"{text.replace('&', '')} of the available balance, "
                          "rounded down to the market's step")
        button.clicked.connect(lambda _=False, v=value: ticket._use_fraction(Decimal(v)))
        row.addWidget(button)
        ticket.fraction_buttons.append(button)
    ticket.available = QtWidgets.QLabel("")
    ticket.available.setObjectName("available")
    ticket.available.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box = QtWidgets.QWidget()
    column = QtWidgets.QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(fractions)
    column.addWidget(ticket.available)
    ticket.form.addRow("", box)


def _time_in_force(ticket: OrderTicket) -> None:
    ticket.time_in_force = QtWidgets.QComboBox()
    ticket.time_in_force.setObjectName("timeInForce")
    for tif, words in zip(TIMES_IN_FORCE, TIF_WORDS, strict=True):
        ticket.time_in_force.addItem(words, tif)
    ticket.time_in_force.currentIndexChanged.connect(
        lambda _i: ticket._edited("time_in_force"))
    ticket.tif_row = _row(ticket, "Time in &force:", ticket.time_in_force, "time_in_force")
    ticket.post_only = QtWidgets.QCheckBox("Post-o&nly (maker only: never fills at once; "
                                           "GTC)")
    ticket.post_only.setObjectName("postOnly")
    ticket.post_only.toggled.connect(ticket._post_only_toggled)
    ticket.post_row = _row(ticket, "", ticket.post_only, "post_only")


def _summary(ticket: OrderTicket, outer: QtWidgets.QVBoxLayout) -> None:
    summary = QtWidgets.QFormLayout()
    ticket.last_price = QtWidgets.QLabel("—")
    ticket.last_price.setObjectName("lastPrice")
    ticket.last_price.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    ticket.last_price.setTextInteractionFlags(
        QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    summary.addRow("Last price:", ticket.last_price)
    ticket.estimate = FieldMessage("estimate", ticket)  # a parent before say() shows it
    ticket.estimate.say("—", "plain")
    summary.addRow("Estimate:", ticket.estimate)
    outer.addLayout(summary)


def build_ticket(ticket: OrderTicket) -> None:
    """Every control of ``ticket``, in reading (and Tab) order."""
    outer = QtWidgets.QVBoxLayout(ticket)
    ticket.messages = {}
    _title(ticket, outer)
    for name in ("key", "symbol"):
        outer.addWidget(ticket._message(name))
    _sides(ticket, outer)
    ticket.form = QtWidgets.QFormLayout()
    ticket.form.setFieldGrowthPolicy(
        QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    ticket.order_type = QtWidgets.QComboBox()
    ticket.order_type.setObjectName("orderType")
    ticket.order_type.currentIndexChanged.connect(lambda _i: ticket._edited("type"))
    _row(ticket, "&Type:", ticket.order_type, "type")
    _numbers(ticket)
    _fractions(ticket)
    _time_in_force(ticket)
    outer.addLayout(ticket.form)
    _summary(ticket, outer)
    ticket.notes = FieldMessage("notes")
    ticket.warnings = FieldMessage("warnings")
    outer.addWidget(ticket.notes)
    outer.addWidget(ticket.warnings)
    ticket.status = FieldMessage("ticketStatus")
    outer.addWidget(ticket.status)
    ticket.review = QtWidgets.QPushButton("&Review BUY order…")
    ticket.review.setObjectName("reviewOrder")
    ticket.review.setAutoDefault(False)
    ticket.review.clicked.connect(ticket._review)
    outer.addWidget(ticket.review)
    outer.addStretch(1)
    for edit, name in ((ticket.price, "price"), (ticket.stop_price, "stop_price"),
                       (ticket.amount, "amount")):
        edit.textEdited.connect(lambda _t, n=name: ticket._edited(n))
        edit.editingFinished.connect(lambda n=name: ticket._left(n))
        edit.returnPressed.connect(ticket._review_if_ready)
    for name in FIELDS:
        if name not in ticket.messages:
            outer.insertWidget(outer.indexOf(ticket.notes), ticket._message(name))
    chain: list[QtWidgets.QWidget] = [
        ticket.buy, ticket.sell, ticket.order_type, ticket.stop_price, ticket.price,
        ticket.allow_far, ticket.amount, *ticket.fraction_buttons, ticket.time_in_force,
        ticket.post_only, ticket.review]
    for first, second in pairwise(chain):
        QtWidgets.QWidget.setTabOrder(first, second)
    _fixed_label_width(ticket.form)


def _fixed_label_width(form: QtWidgets.QFormLayout) -> None:
    """Every label as wide as the widest, hidden rows included: the field column stays
    put when Market hides "Time in force:" (u2 N3)."""
    labels = [item.widget() for row in range(form.rowCount())
              if (item := form.itemAt(row, QtWidgets.QFormLayout.ItemRole.LabelRole))
              is not None and isinstance(item.widget(), QtWidgets.QLabel)]
    width = max((label.sizeHint().width() for label in labels if label is not None),
                default=0)
    for label in labels:
        if label is not None:
            label.setMinimumWidth(width)
