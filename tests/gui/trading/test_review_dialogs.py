"""The signed-request preview and the confirmation: what they show (the core's own
preview, signed by ccxt, nothing sent) and that every careless key press cancels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.gui.helpers import click
from tests.gui.trading.offline_market import offline_binance, signed_preview, trader
from vault_app.core.model import KeyEntry, mask_identifier
from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.theme import apply_theme
from vault_app.gui.trading.review_dialogs import ConfirmDialog, PreviewDialog
from vault_app.trading.preview import OrderPreview
from vault_app.trading.preview_masking import SIGNATURE_MASK

Dialog = PreviewDialog | ConfirmDialog
ENVIRONMENTS = [  # the key's environment -> the banner's headline and where it goes
    ({}, "LIVE — real money", "LIVE binance"),
    ({"environment": "sandbox"}, "SANDBOX — test funds", "sandbox binance"),
    ({"environment": "custom", "api_url": "http://127.0.0.1:8080"},
     "CUSTOM URL on this computer — http://127.0.0.1:8080", "this is real money"),
    ({"environment": "custom", "api_url": "http://127.0.0.1:8080", "tags": ("demo",)},
     "DEMO — fake money", "http://127.0.0.1:8080"),
    ({"environment": "custom", "api_url": "https://eu.example.com"},
     "LIVE — real money", "LIVE https://eu.example.com"),
]


@pytest.fixture(scope="module")
def exchange() -> Any:
    return offline_binance()


@pytest.fixture(scope="module")
def key() -> KeyEntry:
    return trader()


@pytest.fixture
def preview(exchange: Any, key: KeyEntry) -> Callable[..., OrderPreview]:
    def build(**kw: Any) -> OrderPreview:
        return signed_preview(exchange, key, **kw)
    return build


@pytest.fixture
def opened(qtbot: QtBot, app_state: QtWidgets.QApplication) -> Callable[..., Dialog]:
    def open_dialog(kind: type[Dialog], preview: OrderPreview) -> Dialog:
        dialog = kind(preview)
        qtbot.addWidget(dialog)
        with qtbot.waitExposed(dialog):
            dialog.open()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        return dialog
    return open_dialog


def text_of(dialog: QtWidgets.QDialog) -> str:
    """Everything a user can read in the dialog (word joiners are invisible)."""
    shown = [label.text() for label in dialog.findChildren(QtWidgets.QLabel)
             if label.isVisible()]
    shown += [edit.toPlainText() for edit in dialog.findChildren(QtWidgets.QPlainTextEdit)]
    return "\n".join(shown).replace("\u2060", "")


def test_the_preview_shows_the_signed_request_as_the_core_built_it(
        opened: Callable[..., Dialog], preview: Callable[..., OrderPreview],
        key: KeyEntry) -> None:
    built = preview()
    dialog = opened(PreviewDialog, built)
    request = dialog.findChild(QtWidgets.QPlainTextEdit, "signedRequest")
    assert request is not None and request.isReadOnly()
    lines = request.toPlainText().splitlines()
    assert lines[0] == f"{built.method} {built.url}" == "POST https://api.binance.com/api/v3/order"
    for name, value in built.headers:
        assert f"{name}: {value}" in lines
    assert built.body and lines[-1] == built.body
    assert f"newClientOrderId={built.client_order_id}" in built.body
    assert f"signature={SIGNATURE_MASK}" in built.body  # never a signature to replay
    shown = text_of(dialog)
    api_key = key.credentials["apiKey"]
    assert api_key not in shown and key.credentials["secret"] not in shown
    assert f"X-MBX-APIKEY: {mask_identifier(api_key)}" in lines
    assert built.client_order_id in shown
    assert "body parameter 'signature' (signed again" in shown
    assert built.summary in shown
    assert "trader (binance, read, trade)" in shown
    assert "Rounded: amount 0.0123456 rounded down to 0.01234" in shown
    assert "Warning: The limit price 56,000.13 is 12.0 % above the last price" in shown
    # One long body line, wrapped anywhere: quantity and price are on screen, no scrolling.
    assert request.lineWrapMode() == QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth
    assert request.wordWrapMode() == QtGui.QTextOption.WrapMode.WrapAnywhere
    assert request.horizontalScrollBar().maximum() == 0
    parameters = dialog.findChild(QtWidgets.QPlainTextEdit, "requestParameters")
    decoded = parameters.toPlainText().splitlines()
    assert "quantity = 0.01234" in decoded and "price = 56000.13" in decoded
    assert "timeInForce = GTC" in decoded
    assert "Estimated fee:" in shown and "taker rate" in dialog.findChild(
        QtWidgets.QLabel, "previewFee").text()


@pytest.mark.parametrize(("kind", "accept_text"), [(PreviewDialog, "&Continue…"),
                                                    (ConfirmDialog, "&Place BUY order")])
@pytest.mark.parametrize("key_name", ["Return", "Enter", "Escape"])
def test_enter_and_escape_cancel(qtbot: QtBot, opened: Callable[..., Dialog],
                                 preview: Callable[..., OrderPreview], kind: type[Dialog],
                                 accept_text: str, key_name: str) -> None:
    dialog = opened(kind, preview())
    assert dialog.cancel.isDefault() and dialog.cancel.hasFocus()
    assert not dialog.proceed.isDefault() and dialog.proceed.text() == accept_text
    with qtbot.waitSignal(dialog.finished) as finished:
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), getattr(Qt.Key, f"Key_{key_name}"))
    assert finished.args == [QtWidgets.QDialog.DialogCode.Rejected]


@pytest.mark.parametrize("kind", [PreviewDialog, ConfirmDialog])
def test_only_the_named_button_goes_on(qtbot: QtBot, opened: Callable[..., Dialog],
                                       preview: Callable[..., OrderPreview],
                                       kind: type[Dialog]) -> None:
    dialog = opened(kind, preview())
    with qtbot.waitSignal(dialog.finished) as finished:
        click(qtbot, dialog.proceed)
    assert finished.args == [QtWidgets.QDialog.DialogCode.Accepted]


def test_the_confirmation_is_one_sentence_with_everything(
        opened: Callable[..., Dialog], preview: Callable[..., OrderPreview]) -> None:
    dialog = opened(ConfirmDialog, preview(side="sell", amount="0.5", price="49000",
                                           endpoint="sandbox binance", live=False))
    assert isinstance(dialog, ConfirmDialog)
    sentence = dialog.sentence.text().replace("\u2060", "")  # joiners: invisible
    assert sentence == ("SELL 0.5 BTC at 49,000 USDT, limit GTC, ≈ 24,500 USDT, on "
                        "BTC/USDT spot, signed with the key trader (binance, read, trade), "
                        "sent to sandbox binance.")
    assert dialog.proceed.text() == "&Place SELL order"
    assert dialog.windowTitle() == "Place this SELL order?"
    live = opened(ConfirmDialog, preview())
    assert isinstance(live, ConfirmDialog)
    assert live.sentence.text().endswith("sent to LIVE binance (real money).")
    fee = live.findChild(QtWidgets.QLabel, "confirmFee")
    assert fee is not None and fee.isVisible()
    assert fee.text().startswith("Estimated fee: ≈ 0.00001234 BTC (0.1 %, the BTC/USDT "
                                 "market's taker rate)")


def test_a_resting_limit_is_confirmed_with_the_maker_fee(
        opened: Callable[..., Dialog], preview: Callable[..., OrderPreview]) -> None:
    dialog = opened(ConfirmDialog, preview(price="49000"))  # a buy below the last price
    assert "maker rate" in dialog.findChild(QtWidgets.QLabel, "confirmFee").text()


def test_a_url_is_never_cut_at_a_line_end(qtbot: QtBot, opened: Callable[..., Dialog],
                                          preview: Callable[..., OrderPreview]) -> None:
    url = "https://eu-west.demo-exchange.example.com/api"
    dialog = opened(ConfirmDialog, preview(endpoint=url, live=False))
    assert isinstance(dialog, ConfirmDialog)
    label = dialog.sentence
    for width in range(200, 560, 7):  # wherever the line ends, the URL is on one line
        layout = QtGui.QTextLayout(label.text(), label.font())
        option = QtGui.QTextOption()
        option.setWrapMode(QtGui.QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        lines = []
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines.append(label.text()[line.textStart():line.textStart() + line.textLength()])
        layout.endLayout()
        assert any(url in part.replace("\u2060", "") for part in lines), (width, lines)


@pytest.mark.parametrize(("fields", "headline", "endpoint"), ENVIRONMENTS)
@pytest.mark.parametrize("kind", [PreviewDialog, ConfirmDialog])
def test_the_live_banner_is_shown_only_for_live(
        opened: Callable[..., Dialog], exchange: Any, kind: type[Dialog],
        fields: dict[str, Any], headline: str, endpoint: str) -> None:
    """The banner follows the key's environment as the core describes it: the demo
    exchange says DEMO, a custom URL off this machine is LIVE."""
    dialog = opened(kind, signed_preview(exchange, trader(**fields)))
    banner = dialog.findChild(QtWidgets.QFrame, "liveBanner")
    shown = text_of(dialog)
    assert headline in shown
    assert endpoint in shown
    if headline.startswith("LIVE"):
        assert banner is not None and banner.isVisible()
    else:
        assert banner is None
        assert "LIVE" not in shown and "not live" not in shown


def test_warnings_are_shown_prominently(opened: Callable[..., Dialog],
                                        preview: Callable[..., OrderPreview]) -> None:
    dialog = opened(ConfirmDialog, preview(price="56000"))
    warnings = [label for label in dialog.findChildren(QtWidgets.QLabel, "reviewWarning")
                if label.isVisible()]
    assert len(warnings) == 1 and "will fill at once" in warnings[0].text()
    assert warnings[0].font().bold()
    calm = opened(ConfirmDialog, preview(price="50000"))
    assert calm.findChildren(QtWidgets.QLabel, "reviewWarning") == []


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("kind", [PreviewDialog, ConfirmDialog])
def test_screenshot(qtbot: QtBot, opened: Callable[..., Dialog],
                    preview: Callable[..., OrderPreview], app_state: QtWidgets.QApplication,
                    tmp_path: Path, theme: str, kind: type[Dialog]) -> None:
    """A picture to look at; and no wrapped text is cut off."""
    apply_theme(app_state, theme)
    dialog = opened(kind, preview())
    wrapped = [label for label in dialog.findChildren(QtWidgets.QLabel)
               if label.isVisible() and label.wordWrap() and label.text()]
    qtbot.waitUntil(lambda: all(label.height() >= label.heightForWidth(label.width())
                                for label in wrapped))
    assert dialog.grab().save(str(tmp_path / f"{kind.__name__}-{theme}.png"))


def test_the_demos_dialogs_give_the_url_once(
        opened: Callable[..., Dialog]) -> None:
    """u2 N7: "This order goes to http://127.0.0.1:35715. (the offline demo exchange)",
    then "…sent to http://127.0.0.1:35715." in the sentence under it."""
    from dataclasses import replace

    from vault_app.gui.trading.review_dialogs import environment_words
    from vault_app.trading.endpoints import DEMO

    preview = replace(signed_preview(offline_binance(), trader()), live=False,
                      environment=DEMO, endpoint="http://127.0.0.1:35715")
    headline, detail = environment_words(preview)
    assert headline == "DEMO — fake money"
    assert detail == "This order goes to the offline demo exchange at http://127.0.0.1:35715."
    confirm = opened(ConfirmDialog, preview)
    assert text_of(confirm).count("127.0.0.1:35715") == 1
    assert confirm.sentence.text().endswith("sent to the demo exchange.")
