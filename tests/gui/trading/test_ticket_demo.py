"""The ticket's request goes through the real core to the real demo exchange over HTTP:
typed, reviewed, previewed, confirmed, received once; a read key's ticket sends nothing.

The session calls run in the test's thread (the background flow is the trading view's);
what is tested here is that what the ticket emits is what the core previews and places.
"""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from tests.e2e.trading_support import Desk, demo, desk
from tests.gui.helpers import click, type_into
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.gui.trading.ticket import OrderTicket
from vault_app.trading.money import grouped
from vault_app.trading.orders import OrderRequest, last_price
from vault_app.trading.session import TradingSession

__all__ = ["demo", "desk"]  # fixtures


def ticket_for(qtbot: QtBot, session: TradingSession) -> OrderTicket:
    client = session.client
    ticket = OrderTicket()
    qtbot.addWidget(ticket)
    ticket.set_key(session.entry)
    ticket.set_market(client.exchange, "BTC/USDT")
    ticket.set_last_price(last_price(client, "BTC/USDT"))
    ticket.set_balances({b.currency: b.free for b in session.balances()})
    with qtbot.waitExposed(ticket):
        ticket.show()
    return ticket


def test_a_reviewed_and_confirmed_ticket_is_received_once(
        qtbot: QtBot, desk: Desk, app_state: QtWidgets.QApplication) -> None:
    session = TradingSession(desk.vault, desk.vault.find("trader"))
    ticket = ticket_for(qtbot, session)
    last = ticket._last
    assert last is not None
    price = (last * Decimal("0.95")).quantize(Decimal("0.01"))  # rests on the book
    type_into(qtbot, ticket.price, str(price))
    click(qtbot, ticket.findChild(QtWidgets.QPushButton, "pct25"))
    assert ticket.amount.text()
    with qtbot.waitSignal(ticket.review_requested) as reviewed:
        click(qtbot, ticket.findChild(QtWidgets.QPushButton, "reviewOrder"))
    request = reviewed.args[0]
    assert isinstance(request, OrderRequest)
    preview = session.preview(request)
    assert ticket.assessment is not None
    assert (preview.checked.amount, preview.checked.price) == (ticket.assessment.amount,
                                                               ticket.assessment.price)
    shown = PreviewDialog(preview)
    qtbot.addWidget(shown)
    shown.open()
    assert "/api/v3/order" in shown.request_text.toPlainText()
    with qtbot.waitSignal(shown.accepted):
        click(qtbot, shown.proceed)
    confirm = ConfirmDialog(preview)
    qtbot.addWidget(confirm)
    confirm.open()
    assert not confirm.banner.live  # the demo exchange is on loopback
    with qtbot.waitSignal(confirm.accepted):
        click(qtbot, confirm.proceed)
    assert desk.order_posts() == []  # nothing left before the placement
    session.place(preview)
    [posted] = desk.order_posts()
    assert posted.signed is not None  # the server verified the signature
    assert posted.params["newClientOrderId"] == preview.client_order_id
    assert [o["clientOrderId"] for o in session.open_orders()] == [preview.client_order_id]
    session.close()


def test_a_read_keys_ticket_sends_nothing(qtbot: QtBot, desk: Desk,
                                          app_state: QtWidgets.QApplication) -> None:
    session = TradingSession(desk.vault, desk.vault.find("watcher"))
    ticket = ticket_for(qtbot, session)
    emitted: list[object] = []
    ticket.review_requested.connect(emitted.append)
    type_into(qtbot, ticket.price, "100")
    type_into(qtbot, ticket.amount, "0.01")
    qtbot.keyClick(ticket.amount, Qt.Key.Key_Return)
    assert not ticket.findChild(QtWidgets.QPushButton, "reviewOrder").isEnabled()
    assert emitted == [] and desk.order_posts() == []
    session.close()


def test_a_far_price_the_user_allows_is_reviewed_with_the_cores_warning(
        qtbot: QtBot, desk: Desk, app_state: QtWidgets.QApplication) -> None:
    session = TradingSession(desk.vault, desk.vault.find("trader"))
    ticket = ticket_for(qtbot, session)
    last = ticket._last
    assert last is not None
    far = (last * Decimal("0.3")).quantize(Decimal("0.01"))  # 70 % below: a typo, mostly
    type_into(qtbot, ticket.price, str(far))
    type_into(qtbot, ticket.amount, "0.001")
    review = ticket.findChild(QtWidgets.QPushButton, "reviewOrder")
    allow = ticket.findChild(QtWidgets.QCheckBox, "allowFarPrice")
    assert not review.isEnabled() and allow.isVisible()
    click(qtbot, allow)
    with qtbot.waitSignal(ticket.review_requested) as reviewed:
        click(qtbot, review)
    request = reviewed.args[0]
    assert isinstance(request, OrderRequest) and request.allow_far_price
    preview = session.preview(request)  # the core accepts it, with its warning
    confirm = ConfirmDialog(preview)
    qtbot.addWidget(confirm)
    confirm.open()
    [warning] = [label.text() for label in
                 confirm.findChildren(QtWidgets.QLabel, "reviewWarning")]
    # The demo's prices move a little between the ticket and the preview: about 70 %.
    assert f"The limit price {grouped(far)} is 6" in warning \
        or f"The limit price {grouped(far)} is 7" in warning
    assert " % below the last price" in warning
    assert confirm.findChildren(QtWidgets.QLabel, "reviewWarning")[0].font().bold()
    assert desk.order_posts() == []
    session.close()
