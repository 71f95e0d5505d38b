"""The key form's fields: exchange search order, secrets in a fixed-pitch font, a PEM
key edited over several lines, the eye button, and names the font can draw."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.monospace import is_monospace
from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.secret_text import SecretTextField
from vault_app.gui.widgets import PasswordField
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    click,
    fill_form,
    open_add_form,
    open_form,
    reactivate,
    save_form,
    select,
    type_into,
)

PEM_LINES = [
    "-----BEGIN PRIVATE KEY-----",
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g",
    "-----END PRIVATE KEY-----",
]
PEM = "\n".join(PEM_LINES)


def stored(path: Path) -> dict[str, KeyEntry]:
    return {entry.label: entry for entry in Vault.open(path, PASSWORD).entries}


@pytest.mark.parametrize(("typed", "first"), [
    ("okx", "okx"), ("OKX", "okx"), ("binance", "binance"), ("coinbase", "coinbase"),
    ("kraken", "kraken"), ("eea", "myokx"),
])
def test_typing_an_exchange_then_down_enter_picks_the_best_match(
        qtbot: QtBot, unlocked: MainWindow, typed: str, first: str) -> None:
    form = open_add_form(qtbot, unlocked)
    type_into(qtbot, form.exchange.lineEdit(), typed)
    popup = form.exchange.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    offered = [popup.model().index(row, 0).data() for row in range(popup.model().rowCount())]
    expected = [form.exchange.itemText(form.exchange.findData(info.id))
                for info in load_catalog().search(typed)]
    assert offered == expected  # the core's ranking, in its order
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    reactivate(qtbot, form)
    assert form.exchange.currentData() == first
    assert form.exchange_info() is not None and form.exchange_info().id == first


def test_credentials_are_in_a_fixed_pitch_font(qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="okx")
    for name, field in form.credential_fields.items():
        font = field.font() if not isinstance(field, SecretTextField) else field.masked.font()
        metrics = QtGui.QFontMetrics(font)
        assert is_monospace(font), name
        assert metrics.horizontalAdvance("l") == metrics.horizontalAdvance("I") \
            == metrics.horizontalAdvance("1") == metrics.horizontalAdvance("W"), name
    assert not is_monospace(form.label.font()), "only credentials change font"
    form.reject()

    select(qtbot, unlocked, "OKX main")
    for row in unlocked.detail.rows.values():
        assert is_monospace(row.field.font()), row.name


def paste_into(qtbot: QtBot, field: QtWidgets.QWidget, text: str) -> None:
    QtGui.QGuiApplication.clipboard().setText(text)
    field.setFocus()
    target = field.focusProxy() or field
    qtbot.keyClick(target, Qt.Key.Key_V, CTRL)


def test_a_pasted_pem_key_keeps_its_line_breaks_through_save_and_edit(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    window = unlocked
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="binance", label="Binance ed25519",
              credentials={"apiKey": "bn-ed25519-key"})
    secret = form.credential_fields["secret"]
    assert isinstance(secret, SecretTextField)
    paste_into(qtbot, secret, PEM)
    assert secret.masked.isVisible() and not secret.editor.isVisible()
    assert secret.masked.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    assert secret.text() == PEM

    click(qtbot, secret.reveal)  # shown over three lines, in the multi-line editor
    qtbot.waitUntil(secret.editor.isVisible)
    assert not secret.masked.isVisible() and secret.masked.text() == ""
    assert secret.editor.toPlainText() == PEM
    assert secret.editor.document().blockCount() == len(PEM_LINES)
    assert is_monospace(secret.editor.font())
    click(qtbot, secret.reveal)  # hidden again: the editor no longer holds it
    qtbot.waitUntil(secret.masked.isVisible)
    assert secret.editor.toPlainText() == "" and secret.text() == PEM
    QtGui.QGuiApplication.clipboard().clear()

    save_form(qtbot, window, form)
    assert dict(stored(vault_path)["Binance ed25519"].credentials) == {
        "apiKey": "bn-ed25519-key", "secret": PEM}

    select(qtbot, window, "Binance ed25519")
    window.act_edit.trigger()
    form = open_form(qtbot, window)
    secret = form.credential_fields["secret"]
    assert isinstance(secret, SecretTextField) and secret.text() == PEM
    click(qtbot, secret.reveal)
    assert secret.editor.document().blockCount() == len(PEM_LINES)
    type_into(qtbot, form.label, "Binance ed25519 bot")
    save_form(qtbot, window, form)
    assert stored(vault_path)["Binance ed25519 bot"].credentials["secret"] == PEM


def test_wipe_clears_a_revealed_multiline_secret(qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="revolutx")  # its private key is a PEM key
    key = form.credential_fields["privateKey"]
    assert isinstance(key, SecretTextField)
    key.setText(PEM)
    click(qtbot, key.reveal)
    form.wipe()
    assert key.editor.toPlainText() == "" and key.masked.text() == ""


def eye_button(field: QtWidgets.QLineEdit) -> QtWidgets.QToolButton:
    [button] = [b for b in field.findChildren(QtWidgets.QToolButton) if b.isVisible()]
    return button


def test_the_eye_button_shows_an_eye_and_the_dots_stay_clear_of_it(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="okx")
    secret = form.credential_fields["secret"]
    assert isinstance(secret, PasswordField)
    type_into(qtbot, secret, "S" * 300)  # far wider than the field: the dots run to its end
    secret.repaint()  # a line edit scrolls its text when it paints
    button = eye_button(secret)
    shown = secret.reveal_action.icon()
    assert not shown.isNull()
    assert secret.cursorRect().center().x() < button.geometry().left(), "dots under the eye"
    click(qtbot, button)
    assert secret.echoMode() == QtWidgets.QLineEdit.EchoMode.Normal
    assert secret.reveal_action.icon().cacheKey() != shown.cacheKey(), "eye not struck out"
    secret.repaint()
    assert secret.cursorRect().center().x() < button.geometry().left(), "text under the eye"

    fill_form(qtbot, form, exchange="binance")
    pem = form.credential_fields["secret"]
    assert isinstance(pem, SecretTextField)
    assert not pem.reveal.icon().isNull()
    assert not pem.reveal.geometry().intersects(pem.masked.geometry())


def test_the_reveal_button_keeps_its_width(qtbot: QtBot, unlocked: MainWindow) -> None:
    select(qtbot, unlocked, "OKX main")
    row = unlocked.detail.rows["secret"]
    width, field_width = row.reveal.width(), row.field.width()
    assert row.reveal.text() == "Reveal" and not row.reveal.icon().isNull()
    click(qtbot, row.reveal)
    assert row.reveal.text() == "Hide"
    QtWidgets.QApplication.processEvents()
    assert (row.reveal.width(), row.field.width()) == (width, field_width)
    assert row.reveal.width() >= row.reveal.sizeHint().width(), "its text is cut off"


def test_the_plain_spelling_of_an_exchange_name_finds_it(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    shown = form.exchange.itemText(form.exchange.findData("binanceusdm"))
    assert shown in ("Binance USD\u24c8-M (binanceusdm)", "Binance USDS-M (binanceusdm)")
    type_into(qtbot, form.exchange.lineEdit(), "usds")  # the plain spelling finds it
    popup = form.exchange.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert popup.model().index(0, 0).data() == shown


def tab_walk(qtbot: QtBot, start: QtWidgets.QWidget, steps: int) -> list[QtWidgets.QWidget]:
    start.setFocus()
    qtbot.waitUntil(start.hasFocus)
    walked = []
    for _ in range(steps):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
        walked.append(QtWidgets.QApplication.focusWidget())
    return walked


def test_tab_walks_a_pem_secret_in_visual_order_hidden_and_revealed(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="binance")
    secret = form.credential_fields["secret"]
    assert isinstance(secret, SecretTextField)
    after = [form.load_buttons["secret"], form.permission_boxes["read"]]
    assert tab_walk(qtbot, form.label, 5) == [
        form.credential_fields["apiKey"], secret.masked, secret.reveal, *after]
    secret.set_revealed(True)
    assert tab_walk(qtbot, form.label, 5) == [
        form.credential_fields["apiKey"], secret.editor, secret.reveal, *after]
