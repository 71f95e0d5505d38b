"""The demo vault (published password "demo", in a temporary folder) never takes a real
key through Edit key: what connects a key to an exchange account is read-only in the
form there, and refused by the save path itself (a1 F1)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.gui.helpers import CTRL, SIGNAL_TIMEOUT, open_form, save_form, select, type_into
from tests.gui.test_demo_mode import _never_import_ccxt, start, temp  # noqa: F401  (fixtures)
from vault_app.core.vault import Vault
from vault_app.gui import edit_flow
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_vault import DEMO_PASSWORD, TRADING_LABEL


def _stored(window: MainWindow, label: str) -> object:
    assert window.vault is not None
    entries = {e.label: e for e in Vault.open(window.vault.path, DEMO_PASSWORD).entries}
    return entries[label]


def test_the_form_keeps_a_demo_keys_exchange_and_credentials_read_only(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:  # noqa: F811
    start(qtbot, window, window.start_demo)
    window.show_keys()
    select(qtbot, window, TRADING_LABEL)
    before = _stored(window, TRADING_LABEL)
    qtbot.keyClick(window.table, Qt.Key.Key_E, CTRL)
    form = open_form(qtbot, window)
    for widget in (form.exchange, form.environment, form.api_url, form.credentials_box):
        assert not widget.isEnabled()
    for field in form.credential_fields.values():
        assert not field.isEnabledTo(form)
    note = form.findChild(QtWidgets.QLabel, "connectionLocked")
    assert note is not None and "cannot be changed" in note.text()
    # The label and notes stay editable, and saving them works.
    type_into(qtbot, form.label, "My demo trader")
    save_form(qtbot, window, form)
    after = _stored(window, "My demo trader")
    assert (after.exchange, after.environment, after.api_url, dict(after.credentials)) == (
        before.exchange, before.environment, before.api_url, dict(before.credentials))


def test_the_save_path_refuses_a_real_key_in_the_demo_vault(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:  # noqa: F811
    start(qtbot, window, window.start_demo)
    window.show_keys()
    select(qtbot, window, TRADING_LABEL)
    entry = window.current_entry()
    assert entry is not None
    qtbot.keyClick(window.table, Qt.Key.Key_E, CTRL)
    form = open_form(qtbot, window)
    refused: list[BaseException] = []
    done: list[object] = []
    for changes in ({"exchange": "kraken"}, {"environment": "live"},
                    {"api_url": "https://api.kraken.com"},
                    {"credentials": {"apiKey": "REAL", "secret": "UkVBTA=="}}):
        edit_flow._save_edit(window, form, changes, entry, done.append, refused.append)
    assert len(refused) == 4 and not done
    assert all("cannot be changed" in str(exc) for exc in refused)
    window.ops.wait_idle(SIGNAL_TIMEOUT)
    stored = _stored(window, TRADING_LABEL)
    assert stored.exchange == entry.exchange  # type: ignore[attr-defined]
    assert dict(stored.credentials) == dict(entry.credentials)  # type: ignore[attr-defined]
