"""The order ticket as a user drives it: typing, clicking, the keyboard; real ccxt
markets (binance, set offline), the core's checks on every edit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from tests.gui.helpers import click, type_into
from tests.gui.trading.offline_market import LAST, offline_binance, trader, watcher
from vault_app.core.model import KeyEntry
from vault_app.gui.badge_colors import contrast_ratio
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.theme import apply_theme, warning_color
from vault_app.gui.trading import trade_colors
from vault_app.gui.trading.ticket import OrderTicket
from vault_app.trading.orders import OrderRequest, parse_order

FREE = {"USDT": Decimal("1000"), "BTC": Decimal("0.123456789"), "ETH": Decimal("2")}
MakeTicket = Callable[..., OrderTicket]


@pytest.fixture(scope="module")
def exchange() -> Any:
    return offline_binance()


@pytest.fixture
def make_ticket(qtbot: QtBot, exchange: Any,
                app_state: QtWidgets.QApplication) -> MakeTicket:
    def make(entry: KeyEntry | None = None, symbol: str = "BTC/USDT",
             last: Decimal | None = LAST) -> OrderTicket:
        ticket = OrderTicket()
        qtbot.addWidget(ticket)
        ticket.set_key(entry or trader())
        ticket.set_market(exchange, symbol)
        ticket.set_last_price(last)
        ticket.set_balances(FREE)
        ticket.resize(400, 700)
        with qtbot.waitExposed(ticket):
            ticket.show()
        return ticket
    return make


@pytest.fixture
def ticket(make_ticket: MakeTicket) -> OrderTicket:
    return make_ticket()


def error(ticket: OrderTicket, field: str) -> str:
    """The inline message under ``field``, if a user can see it."""
    label = ticket.findChild(QtWidgets.QLabel, f"{field}Error")
    assert label is not None, field
    return label.text() if label.isVisible() else ""


def review(ticket: OrderTicket) -> QtWidgets.QPushButton:
    button = ticket.findChild(QtWidgets.QPushButton, "reviewOrder")
    assert button is not None
    return button


def fill(qtbot: QtBot, ticket: OrderTicket, amount: str, price: str | None = None) -> None:
    if price is not None:
        type_into(qtbot, ticket.price, price)
    type_into(qtbot, ticket.amount, amount)


def requests_of(qtbot: QtBot, ticket: OrderTicket) -> list[OrderRequest]:
    emitted: list[OrderRequest] = []
    ticket.review_requested.connect(emitted.append)
    return emitted


def test_a_valid_limit_order_is_reviewed_as_the_cores_request(
        qtbot: QtBot, make_ticket: MakeTicket) -> None:
    key = trader()
    ticket = make_ticket(key)
    emitted = requests_of(qtbot, ticket)
    fill(qtbot, ticket, "0.01", "50000")
    assert review(ticket).isEnabled()
    assert all(error(ticket, name) == "" for name in ("amount", "price", "key", "symbol"))
    assert "500 USDT" in ticket.estimate.text()
    assert "0.1 %" in ticket.estimate.text() and "taker rate" in ticket.estimate.text()
    with qtbot.waitSignal(ticket.review_requested):
        click(qtbot, review(ticket))
    assert emitted == [parse_order(key.id, "BTC/USDT", "buy", "limit", "0.01", "50000",
                                   time_in_force="GTC")]


@pytest.mark.parametrize(("amount", "price", "field", "fragment"), [
    ("abc", "50000", "amount", "The amount 'abc' is not a number"),
    ("0.01", "5o000", "price", "The price '5o000' is not a number"),
    ("0.00005", "50000", "amount", "below the market's minimum of 5 USDT; raise the amount"),
    ("0.01", "90000", "price", "more than 50 % away: most likely a typo"),
    ("0.000001", "50000", "amount", "smaller than the market's smallest step (0.00001)"),
])
def test_each_invalid_input_is_said_inline_and_cannot_be_reviewed(
        qtbot: QtBot, ticket: OrderTicket, amount: str, price: str, field: str,
        fragment: str) -> None:
    emitted = requests_of(qtbot, ticket)
    fill(qtbot, ticket, amount, price)
    assert fragment in error(ticket, field)
    assert not review(ticket).isEnabled()
    qtbot.keyClick(ticket.amount, Qt.Key.Key_Return)  # Enter in a field reviews when ok
    assert emitted == []


def test_below_the_minimum_amount_is_said_before_a_price(qtbot: QtBot,
                                                         make_ticket: MakeTicket) -> None:
    ticket = make_ticket(symbol="ETH/BTC", last=Decimal("0.05"))
    type_into(qtbot, ticket.amount, "0.0005")
    assert "below the market's minimum of 0.001 ETH" in error(ticket, "amount")
    assert error(ticket, "price") == ""  # not typed yet: not shouted
    assert "enter a price" in ticket.status.text().lower()


def test_too_many_decimals_is_a_rounding_note_not_an_error(qtbot: QtBot,
                                                          ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.0123456", "50000.129")
    assert error(ticket, "amount") == "" and error(ticket, "price") == ""
    notes = ticket.notes.text()
    assert ticket.notes.isVisible()
    assert "amount 0.0123456 rounded down to 0.01234 (the market's step 0.00001)" in notes
    assert "price 50000.129 rounded to 50000.13" in notes
    assert review(ticket).isEnabled()


def test_a_field_not_typed_yet_is_not_an_error_until_left_empty(qtbot: QtBot,
                                                               ticket: OrderTicket) -> None:
    assert error(ticket, "amount") == "" and error(ticket, "price") == ""
    assert not review(ticket).isEnabled()
    assert "enter a price and an amount" in ticket.status.text().lower()
    type_into(qtbot, ticket.amount, "1")
    qtbot.keyClick(ticket.amount, Qt.Key.Key_Backspace)
    assert error(ticket, "amount") == "The amount is missing"


def test_a_crossing_price_warns_without_refusing(qtbot: QtBot, ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.01", "56000")
    assert "will fill at once" in ticket.warnings.text()
    assert ticket.warnings.isVisible() and review(ticket).isEnabled()


@pytest.mark.parametrize(("button", "side", "price", "expected"), [
    ("pct25", "buy", "50000", "0.005"),     # 250 USDT / 50000: binance takes the fee in BTC
    ("pct50", "buy", "30000", "0.01666"),   # 500 / 30000 = 0.016666.. rounded down
    ("pct75", "sell", "50000", "0.09259"),  # 0.0925925.. BTC rounded down
    ("pct100", "sell", "50000", "0.12345"),
])
def test_percentage_buttons_give_the_rounded_down_amount(
        qtbot: QtBot, ticket: OrderTicket, button: str, side: str, price: str,
        expected: str) -> None:
    if side == "sell":
        click(qtbot, ticket.sell)
    type_into(qtbot, ticket.price, price)
    click(qtbot, ticket.findChild(QtWidgets.QPushButton, button))
    assert ticket.amount.text() == expected
    assert error(ticket, "amount") == ""
    assert review(ticket).isEnabled()


def test_a_market_buy_percentage_uses_the_last_price(qtbot: QtBot, ticket: OrderTicket) -> None:
    ticket.order_type.setCurrentIndex(ticket.order_type.findData("market"))
    assert not ticket.price.isVisible()
    click(qtbot, ticket.findChild(QtWidgets.QPushButton, "pct100"))
    assert ticket.amount.text() == "0.02"  # 1000 USDT at 50000


def test_a_percentage_without_a_price_says_why(qtbot: QtBot, ticket: OrderTicket) -> None:
    click(qtbot, ticket.findChild(QtWidgets.QPushButton, "pct50"))
    assert ticket.amount.text() == ""
    assert "Type a valid price first" in error(ticket, "amount")


def test_percentages_wait_for_balances(make_ticket: MakeTicket) -> None:
    ticket = make_ticket()
    ticket.set_balances(None)
    assert not ticket.findChild(QtWidgets.QPushButton, "pct25").isEnabled()


def test_a_read_key_disables_the_ticket_with_one_calm_line(qtbot: QtBot,
                                                          make_ticket: MakeTicket) -> None:
    ticket = make_ticket(watcher())
    emitted = requests_of(qtbot, ticket)
    assert error(ticket, "key") == ("This key can only view: choose a trading key to place "
                                    "orders.")
    key_line = ticket.findChild(QtWidgets.QLabel, "keyError")
    assert warning_color(QtWidgets.QApplication.instance()) not in key_line.styleSheet()
    shown = [label.objectName() for label in ticket.findChildren(QtWidgets.QLabel)
             if label.objectName().endswith("Error") and label.isVisible()]
    assert shown == ["keyError"]  # one line, no message per field
    for widget in (ticket.buy, ticket.sell, ticket.order_type, ticket.price, ticket.amount,
                   ticket.time_in_force, ticket.post_only, *ticket.fraction_buttons):
        assert not widget.isEnabled(), widget.objectName()
    assert not review(ticket).isEnabled()
    ticket.price.setText("50000")
    ticket.amount.setText("0.01")
    qtbot.keyClick(ticket.amount, Qt.Key.Key_Return)
    ticket._review()  # even called directly, nothing is emitted
    assert emitted == []


def test_no_key_and_no_market_disable_the_ticket(qtbot: QtBot, ticket: OrderTicket) -> None:
    ticket.set_market(None, None)
    assert "loading" in error(ticket, "symbol").lower()
    assert not ticket.amount.isEnabled() and not review(ticket).isEnabled()
    ticket.set_key(None)
    assert "choose a key" in error(ticket, "key").lower()


def test_the_fields_follow_the_order_type(qtbot: QtBot, ticket: OrderTicket) -> None:
    kinds = [ticket.order_type.itemData(i) for i in range(ticket.order_type.count())]
    assert kinds == ["market", "limit", "stop-limit"]
    ticket.order_type.setCurrentIndex(kinds.index("market"))
    assert not ticket.price.isVisible() and not ticket.stop_price.isVisible()
    assert not ticket.time_in_force.isVisible() and not ticket.post_only.isVisible()
    ticket.order_type.setCurrentIndex(kinds.index("stop-limit"))
    assert ticket.price.isVisible() and ticket.stop_price.isVisible()
    assert not ticket.post_only.isVisible()
    fill(qtbot, ticket, "0.01", "51000")
    type_into(qtbot, ticket.stop_price, "49000")
    assert "would trigger at once" in error(ticket, "stop_price")
    type_into(qtbot, ticket.stop_price, "50500")
    assert review(ticket).isEnabled()
    ticket.order_type.setCurrentIndex(kinds.index("limit"))
    click(qtbot, ticket.post_only)
    assert not ticket.time_in_force.isEnabled()


def test_time_in_force_and_post_only_reach_the_request(qtbot: QtBot,
                                                      ticket: OrderTicket) -> None:
    emitted = requests_of(qtbot, ticket)
    fill(qtbot, ticket, "0.01", "49000")
    ticket.time_in_force.setCurrentIndex(ticket.time_in_force.findData("IOC"))
    click(qtbot, review(ticket))
    click(qtbot, ticket.post_only)
    click(qtbot, review(ticket))
    assert [(r.time_in_force, r.post_only) for r in emitted] == [("IOC", False), (None, True)]


def test_busy_allows_no_second_review(qtbot: QtBot, ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.01", "50000")
    ticket.set_busy(True, "Signing the preview…")
    assert not review(ticket).isEnabled()
    assert ticket.status.text() == "Signing the preview…"
    ticket.set_busy(False)
    assert review(ticket).isEnabled()


def test_an_error_from_the_preview_is_shown_until_the_next_edit(qtbot: QtBot,
                                                               ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.01", "50000")
    ticket.show_error("amount", "the exchange refused: insufficient balance")
    assert error(ticket, "amount") == "The exchange refused: insufficient balance"
    ticket.show_error(None, "the exchange could not be reached")
    assert ticket.status.text() == "The exchange could not be reached"
    type_into(qtbot, ticket.amount, "0.02")
    assert error(ticket, "amount") == "" and ticket.status.text() == ""


def test_clear_empties_the_numbers(qtbot: QtBot, ticket: OrderTicket) -> None:
    click(qtbot, ticket.sell)
    fill(qtbot, ticket, "0.01", "50000")
    ticket.clear()  # after an order went: the price stays for the next, the amount goes
    assert (ticket.amount.text(), ticket.price.text()) == ("", "50000")
    assert ticket.sell.isChecked() and error(ticket, "amount") == ""
    assert not review(ticket).isEnabled()  # a second Enter sends nothing


def test_every_control_is_reached_by_tab_and_mnemonics_choose_the_side(
        qtbot: QtBot, ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.01", "50000")
    ticket.activateWindow()
    qtbot.waitUntil(ticket.isActiveWindow)
    ticket.buy.setFocus()
    reached = []
    for _ in range(20):
        reached.append(QtWidgets.QApplication.focusWidget())
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
    wanted = [ticket.buy, ticket.sell, ticket.order_type, ticket.price, ticket.amount,
              *ticket.fraction_buttons, ticket.time_in_force, ticket.post_only, review(ticket)]
    assert [widget.objectName() for widget in wanted if widget not in reached] == []
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_S, alt)
    qtbot.waitUntil(ticket.sell.isChecked)  # a mnemonic animates the click
    assert not ticket.buy.isChecked()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_B, alt)
    qtbot.waitUntil(ticket.buy.isChecked)
    assert not ticket.sell.isChecked()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_A, alt)
    assert ticket.amount.hasFocus()  # "&Amount:" focuses its field
    with qtbot.waitSignal(ticket.review_requested):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_R, alt)


@pytest.mark.parametrize("dark", [False, True])
def test_side_colours_stay_readable(dark: bool) -> None:
    background = "#252526" if dark else "#efefef"
    for side in ("buy", "sell"):
        assert contrast_ratio(trade_colors.SOLID[side], "#ffffff") >= 4.5
        assert contrast_ratio(trade_colors.side_text(side, dark), background) >= 4.5
    live = trade_colors.environment_banner(True, dark)
    assert contrast_ratio(live.fill, live.text) >= 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot(qtbot: QtBot, make_ticket: MakeTicket, app_state: QtWidgets.QApplication,
                    tmp_path: Path, theme: str) -> None:
    """A picture to look at (saved to the test's folder); and nothing is clipped: every
    visible message fits its label."""
    apply_theme(app_state, theme)
    ticket = make_ticket()
    fill(qtbot, ticket, "0.0000123", "50000.129")
    ticket.resize(380, ticket.sizeHint().height())
    wrapped = [label for label in ticket.findChildren(QtWidgets.QLabel)
               if label.isVisible() and label.text() and label.wordWrap()]
    assert {"amountError", "notes"} <= {label.objectName() for label in wrapped}
    qtbot.waitUntil(lambda: all(label.height() >= label.heightForWidth(label.width())
                                for label in wrapped))  # laid out: no line cut off
    assert ticket.grab().save(str(tmp_path / f"ticket-{theme}.png"))


def test_exactly_one_side_is_chosen(qtbot: QtBot, ticket: OrderTicket) -> None:
    click(qtbot, ticket.buy)  # clicking the chosen side again keeps it
    assert ticket.buy.isChecked() and not ticket.sell.isChecked()
    click(qtbot, ticket.sell)
    assert ticket.sell.isChecked() and not ticket.buy.isChecked()
    ticket.set_side("buy")
    assert ticket.buy.isChecked() and not ticket.sell.isChecked()
    assert ticket.fields().side == "buy"


def test_the_order_type_survives_a_reload_of_the_markets(qtbot: QtBot, ticket: OrderTicket,
                                                         exchange: Any) -> None:
    ticket.order_type.setCurrentIndex(ticket.order_type.findData("stop-limit"))
    ticket.set_market(None, "BTC/USDT")
    ticket.set_market(exchange, "BTC/USDT")
    assert ticket.kind == "stop-limit" and ticket.stop_price.isVisible()


def far_box(ticket: OrderTicket) -> QtWidgets.QCheckBox:
    box = ticket.findChild(QtWidgets.QCheckBox, "allowFarPrice")
    assert box is not None
    return box


def test_a_far_price_is_refused_inline_with_the_apps_way_to_allow_it(
        qtbot: QtBot, ticket: OrderTicket) -> None:
    box = far_box(ticket)
    assert not box.isVisible()
    fill(qtbot, ticket, "0.001", str(LAST * 3))
    said = error(ticket, "price")
    assert "more than 50 % away" in said and "tick “Allow a price far" in said
    assert "in the ticket" not in said and "was sent" not in said  # the box is right below
    assert "--" not in said
    assert box.isVisible() and not box.isChecked() and not review(ticket).isEnabled()
    emitted = requests_of(qtbot, ticket)
    qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_W,
                   Qt.KeyboardModifier.AltModifier)  # its mnemonic
    qtbot.waitUntil(box.isChecked)  # a mnemonic animates the click
    assert error(ticket, "price") == ""
    assert review(ticket).isEnabled()
    click(qtbot, review(ticket))
    [request] = emitted
    assert request.allow_far_price and request.price == LAST * 3


def test_changing_the_price_unticks_the_far_price(qtbot: QtBot, ticket: OrderTicket) -> None:
    box = far_box(ticket)
    fill(qtbot, ticket, "0.001", str(LAST * 3))
    click(qtbot, box)
    assert box.isChecked()
    type_into(qtbot, ticket.price, str(LAST * 4))
    assert not box.isChecked() and box.isVisible()  # refused again: offered again
    assert not review(ticket).isEnabled()
    type_into(qtbot, ticket.price, str(LAST))
    assert not box.isVisible() and review(ticket).isEnabled()


def test_the_far_price_box_is_in_the_tab_order_after_the_price(
        qtbot: QtBot, ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.001", str(LAST * 3))
    ticket.price.setFocus()
    qtbot.keyClick(ticket.price, Qt.Key.Key_Tab)
    assert QtWidgets.QApplication.focusWidget() is far_box(ticket)
    qtbot.keyClick(far_box(ticket), Qt.Key.Key_Space)
    assert far_box(ticket).isChecked() and review(ticket).isEnabled()


def test_a_refusal_from_the_preview_is_said_in_the_apps_words(
        qtbot: QtBot, ticket: OrderTicket) -> None:
    from vault_app.trading.errors import OrderNotAllowed
    from vault_app.trading.orders import require_trade

    fill(qtbot, ticket, "0.01", str(LAST))
    try:
        require_trade(watcher())
    except OrderNotAllowed as exc:
        ticket.show_error(None, exc)
    status = ticket.findChild(QtWidgets.QLabel, "ticketStatus")
    assert status.isVisible() and "on the Keys page (Edit key…)" in status.text()
    assert "--permissions" not in status.text()


# --- the ticket never carries an order over to another key, market or session ---------

def test_a_lock_resets_the_ticket_to_an_empty_limit_order(qtbot: QtBot,
                                                         ticket: OrderTicket) -> None:
    ticket.order_type.setCurrentIndex(ticket.order_type.findData("market"))
    click(qtbot, ticket.sell)
    type_into(qtbot, ticket.amount, "0.01")
    ticket.set_key(None)  # the view, locking
    ticket.set_market(None, None)
    ticket.set_key(trader())  # unlocked again
    assert ticket.kind == "limit" and ticket.side == "buy"
    assert (ticket.amount.text(), ticket.price.text(), ticket.stop_price.text()) == ("", "", "")


def test_another_key_empties_price_and_amount_and_says_live(qtbot: QtBot,
                                                           ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "0.01", "50000")
    assert review(ticket).isEnabled()
    sandbox = make_entry(label="tester", exchange="binance", permissions=("read", "trade"),
                         environment="sandbox")
    ticket.set_key(sandbox)
    assert (ticket.amount.text(), ticket.price.text()) == ("", "")
    assert not review(ticket).isEnabled()
    badge = ticket.findChild(QtWidgets.QLabel, "ticketLive")
    assert not badge.isVisible()
    status = ticket.findChild(QtWidgets.QLabel, "ticketStatus")
    assert status.text() == "Key changed to 'tester': price and amount cleared."
    ticket.set_key(trader())  # live binance
    assert badge.isVisible() and badge.text() == "LIVE — real money"
    assert status.text() == ("Key changed to 'trader' — LIVE: real money: price and "
                             "amount cleared.")
    type_into(qtbot, ticket.amount, "0.02")
    assert "Key changed" not in status.text()  # said once, gone at the next edit


def test_another_market_empties_price_and_amount(qtbot: QtBot, ticket: OrderTicket,
                                                 exchange: Any) -> None:
    fill(qtbot, ticket, "0.01", "59000")
    ticket.set_market(None, None)  # loading
    ticket.set_market(exchange, "BTC/USDT")  # the same market again: kept
    assert (ticket.amount.text(), ticket.price.text()) == ("0.01", "59000")
    ticket.set_market(exchange, "ETH/USDT")
    assert (ticket.amount.text(), ticket.price.text()) == ("", "")


def test_post_only_shows_gtc_and_unticked_brings_back_the_earlier_choice(
        qtbot: QtBot, ticket: OrderTicket) -> None:
    """While ticked, GTC is shown (never an IOC kept out of sight); unticked, the FOK
    the user had chosen is back instead of silently gone (u2 N9)."""
    ticket.time_in_force.setCurrentIndex(ticket.time_in_force.findData("FOK"))
    click(qtbot, ticket.post_only)
    assert ticket.time_in_force.currentData() == "GTC"
    assert not ticket.time_in_force.isEnabled()
    click(qtbot, ticket.post_only)
    assert ticket.time_in_force.currentData() == "FOK" and ticket.time_in_force.isEnabled()
    click(qtbot, ticket.post_only)
    ticket.clear()  # after an order: the defaults, post-only off and GTC
    assert not ticket.post_only.isChecked() and ticket.time_in_force.currentData() == "GTC"


def test_an_alt_letter_never_types_into_a_number_field(qtbot: QtBot,
                                                      ticket: OrderTicket) -> None:
    type_into(qtbot, ticket.amount, "1,5")
    assert not review(ticket).isEnabled()
    assert "use a point (.) for decimals" in error(ticket, "amount")
    for key in (Qt.Key.Key_R, Qt.Key.Key_C):
        qtbot.keyClick(ticket.amount, key, Qt.KeyboardModifier.AltModifier)
    assert ticket.amount.text() == "1,5"


def test_a_hint_is_grey_even_after_an_error_was_red(qtbot: QtBot, ticket: OrderTicket) -> None:
    status = ticket.findChild(QtWidgets.QLabel, "ticketStatus")
    ticket.show_error(None, "The exchange refused the order.")
    red = warning_color(QtWidgets.QApplication.instance())
    assert red in status.styleSheet()
    type_into(qtbot, ticket.amount, "0.01")  # an edit: the refusal is old news
    assert status.text() == "Enter a price to review the order"
    assert red not in status.styleSheet()
    grey = status.palette().color(status.foregroundRole()).name()
    assert grey != red


def test_an_edit_tells_the_view_a_result_line_is_stale(qtbot: QtBot,
                                                       ticket: OrderTicket) -> None:
    with qtbot.waitSignal(ticket.edited):
        type_into(qtbot, ticket.amount, "0.01")


def test_review_names_the_side_and_the_stop_comes_before_the_price(
        qtbot: QtBot, ticket: OrderTicket) -> None:
    assert review(ticket).text() == "&Review BUY order…"
    click(qtbot, ticket.sell)
    assert review(ticket).text() == "&Review SELL order…"
    ticket.order_type.setCurrentIndex(ticket.order_type.findData("stop-limit"))
    assert ticket.stop_price.mapTo(ticket, ticket.stop_price.rect().topLeft()).y() < \
        ticket.price.mapTo(ticket, ticket.price.rect().topLeft()).y()
    ticket.order_type.setFocus()
    qtbot.keyClick(ticket.order_type, Qt.Key.Key_Tab)
    assert QtWidgets.QApplication.focusWidget() is ticket.stop_price


def test_the_sides_are_out_of_use_while_the_markets_load(ticket: OrderTicket) -> None:
    ticket.set_market(None, None)
    assert not ticket.buy.isEnabled() and not ticket.sell.isEnabled()
    assert "disabled" in ticket.buy.styleSheet()  # drawn out of use, not just inert


def test_an_order_over_the_balance_is_said_before_review(qtbot: QtBot,
                                                        ticket: OrderTicket) -> None:
    fill(qtbot, ticket, "100", "50000")
    assert error(ticket, "amount") == ("The total 5,000,000 USDT exceeds your available "
                                       "1,000 USDT")
    assert not review(ticket).isEnabled()
