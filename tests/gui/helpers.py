"""Ways to drive the real widgets the way a user does: typing, clicking, shortcuts."""

from __future__ import annotations

from collections.abc import Mapping

import shiboken6
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.gui.key_form import KeyForm
from vault_app.gui.keys_model import COL_LABEL
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SIGNAL_TIMEOUT = 10_000


def closed(widget: QtWidgets.QWidget) -> bool:
    """Hidden, or already deleted (a finished form or dialog is wiped and deleted)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def click(qtbot: QtBot, widget: QtWidgets.QWidget) -> None:
    assert widget.isVisible(), f"{widget!r} is not visible: a user could not click it"
    assert widget.isEnabled(), f"{widget!r} is disabled: a user could not click it"
    qtbot.mouseClick(widget, LEFT)


def type_into(qtbot: QtBot, field: QtWidgets.QWidget, text: str) -> None:
    """Focus the field, select what is there and type over it."""
    field.setFocus()
    editors = QtWidgets.QLineEdit | QtWidgets.QAbstractSpinBox | QtWidgets.QPlainTextEdit
    while not isinstance(field, editors) and field.focusProxy() is not None:
        field = field.focusProxy()  # a composite field (a secret with an eye) types in its editor
    if isinstance(field, QtWidgets.QLineEdit | QtWidgets.QAbstractSpinBox):
        field.selectAll()
    qtbot.keyClicks(field, text)


def unlock(qtbot: QtBot, window: MainWindow, password: str = PASSWORD) -> None:
    page = window.unlock_page
    assert window.stack.currentWidget() is page
    type_into(qtbot, page.password, password)
    with qtbot.waitSignal(window.unlocked, timeout=SIGNAL_TIMEOUT):
        click(qtbot, page.unlock)
    assert window.stack.currentWidget() is window.vault_page


def row_of(window: MainWindow, label: str) -> int:
    """The table (proxy) row showing ``label``, or -1."""
    for row in range(window.proxy.rowCount()):
        if window.proxy.index(row, COL_LABEL).data() == label:
            return row
    return -1


def labels_shown(window: MainWindow) -> list[str]:
    return [window.proxy.index(row, COL_LABEL).data() for row in range(window.proxy.rowCount())]


def select(qtbot: QtBot, window: MainWindow, label: str) -> None:
    """Click the key's row in the table."""
    row = row_of(window, label)
    assert row >= 0, f"{label!r} is not in the table: {labels_shown(window)}"
    index = window.proxy.index(row, COL_LABEL)
    window.table.scrollTo(index)
    qtbot.mouseClick(window.table.viewport(), LEFT,
                     pos=window.table.visualRect(index).center())
    entry = window.current_entry()
    assert entry is not None and entry.label == label
    assert window.detail.entry is not None and window.detail.entry.label == label
    assert list(window.detail.rows) == list(entry.credentials)
    qtbot.waitUntil(lambda: all(row.isVisible() for row in window.detail.rows.values()))


def wait_for_dialog(qtbot: QtBot, dialog: QtWidgets.QDialog) -> None:
    """Wait until the dialog is on screen and has the keyboard, as for a user."""
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is dialog)


def reactivate(qtbot: QtBot, window: QtWidgets.QWidget) -> None:
    """Give the keyboard back to ``window`` once a dialog or popup above it has closed.

    A desktop window manager does this; the offscreen platform leaves no (or the closed)
    window active, so key presses would go nowhere.
    """
    QtWidgets.QApplication.processEvents()  # queued window-system (activation) events
    if QtWidgets.QApplication.activeWindow() is not window:
        window.activateWindow()
        qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is window)


def open_form(qtbot: QtBot, window: MainWindow) -> KeyForm:
    """The key form the window just opened."""
    form = window.form
    assert isinstance(form, KeyForm)
    wait_for_dialog(qtbot, form)
    return form


def open_add_form(qtbot: QtBot, window: MainWindow) -> KeyForm:
    window.act_add.trigger()
    return open_form(qtbot, window)


def choose_exchange(qtbot: QtBot, form: KeyForm, exchange_id: str) -> None:
    """Type the exchange into the box and pick it in the completer's popup, as a user does."""
    index = form.exchange.findData(exchange_id)
    assert index >= 0, exchange_id
    wanted = form.exchange.itemText(index)
    type_into(qtbot, form.exchange.lineEdit(), exchange_id)
    popup = form.exchange.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    model = popup.model()
    offered = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert wanted in offered, offered
    with qtbot.assertNotEmitted(form.submitted):
        for _ in range(offered.index(wanted) + 1):
            qtbot.keyClick(popup, Qt.Key.Key_Down)
        qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    reactivate(qtbot, form)  # offscreen, the closed popup stays the active window
    assert form.exchange.currentData() == exchange_id
    info = form.exchange_info()
    assert info is not None and info.id == exchange_id
    # fields added to a shown dialog appear once the event loop runs
    qtbot.waitUntil(lambda: all(field.isVisible() for field in form.credential_fields.values()))
    assert list(form.credential_fields) == list(info.required)
    assert not [name for name, error in form.errors.items() if error.isVisible()]


def fill_form(qtbot: QtBot, form: KeyForm, *, exchange: str | None = None,
              label: str | None = None, credentials: Mapping[str, str] = (),
              ips: str | None = None, permissions: Mapping[str, bool] = ()) -> None:
    if exchange is not None:
        choose_exchange(qtbot, form, exchange)
    if label is not None:
        type_into(qtbot, form.label, label)
    for name, value in dict(credentials).items():
        field = form.credential_fields[name]
        type_into(qtbot, field, value)
    for name, wanted in dict(permissions).items():
        box = form.permission_boxes[name]
        if box.isChecked() != wanted:
            click(qtbot, box)
        assert box.isChecked() == wanted
    if ips is not None:
        type_into(qtbot, form.ips, ips)


def save_button(form: KeyForm) -> QtWidgets.QPushButton:
    button = form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save)
    assert button is not None
    return button


def save_form(qtbot: QtBot, window: MainWindow, form: KeyForm) -> None:
    """Click Save and wait for the write worker to finish the save."""
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT), \
            qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, save_button(form))
    assert not form.isVisible()
    assert window.form is None
    reactivate(qtbot, window)
