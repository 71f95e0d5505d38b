"""Adding, editing and deleting keys through the real dialogs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.key_form import WITHDRAW_WARNING, KeyForm
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    SIGNAL_TIMEOUT,
    click,
    closed,
    fill_form,
    labels_shown,
    open_add_form,
    open_form,
    save_button,
    save_form,
    select,
    unlock,
)


def stored(path: Path) -> dict[str, object]:
    """label -> entry, read back from the file with the master password."""
    return {entry.label: entry for entry in Vault.open(path, PASSWORD).entries}


def buddy_text(form: KeyForm, field: QtWidgets.QWidget) -> str:
    labels = [label.text() for label in form.findChildren(QtWidgets.QLabel)
              if label.buddy() is field]
    assert len(labels) == 1, labels
    return labels[0]


def test_add_okx_and_binance_keys(qtbot: QtBot, new_vault: Callable[..., Vault],
                                  make_window: Callable[..., MainWindow],
                                  vault_path: Path) -> None:
    new_vault(0).lock()
    window = make_window()
    unlock(qtbot, window)
    assert window.proxy.rowCount() == 0

    form = open_add_form(qtbot, window)
    assert form.windowTitle() == "Add key"
    assert form.credential_fields == {}, "credentials shown before choosing an exchange"
    fill_form(qtbot, form, exchange="okx", label="OKX grid")
    assert list(form.credential_fields) == ["apiKey", "secret", "password"]
    passphrase = form.credential_fields["password"]
    assert passphrase.isVisible()
    assert buddy_text(form, passphrase) == "Passphrase:"
    assert passphrase.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    fill_form(qtbot, form, credentials={"apiKey": "okx-key-1", "secret": "okx-secret-1",
                                        "password": "okx-pass-1"},
              permissions={"read": True, "trade": True}, ips="203.0.113.7")
    save_form(qtbot, window, form)
    assert labels_shown(window) == ["OKX grid"]

    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="binance", label="Binance spot")
    assert list(form.credential_fields) == ["apiKey", "secret"]
    assert "password" not in form.credential_fields
    assert not [label for label in form.findChildren(QtWidgets.QLabel)
                if label.isVisible() and label.text() == "Passphrase:"]
    fill_form(qtbot, form, credentials={"apiKey": "bn-key-1", "secret": "bn-secret-1"})
    save_form(qtbot, window, form)
    assert sorted(labels_shown(window)) == ["Binance spot", "OKX grid"]
    assert window.current_entry() is not None
    assert window.current_entry().label == "Binance spot"  # the new key is selected

    window.close()
    entries = stored(vault_path)
    assert set(entries) == {"OKX grid", "Binance spot"}
    okx, binance = entries["OKX grid"], entries["Binance spot"]
    assert okx.exchange == "okx"
    assert dict(okx.credentials) == {"apiKey": "okx-key-1", "secret": "okx-secret-1",
                                     "password": "okx-pass-1"}
    assert okx.permissions == ("read", "trade")
    assert okx.ip_whitelist == ("203.0.113.7",)
    assert binance.exchange == "binance"
    assert dict(binance.credentials) == {"apiKey": "bn-key-1", "secret": "bn-secret-1"}
    assert binance.permissions == ("read",)


def test_switching_exchange_swaps_the_credential_fields_and_keeps_what_was_typed(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="okx", credentials={"apiKey": "typed-key",
                                                        "password": "typed-pass"})
    fill_form(qtbot, form, exchange="binance")
    assert list(form.credential_fields) == ["apiKey", "secret"]
    assert form.credential_fields["apiKey"].text() == "typed-key"
    fill_form(qtbot, form, exchange="okx")
    assert form.credential_fields["password"].isVisible()


def test_withdraw_shows_the_inline_warning_and_unchecking_hides_it(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    warning = form.withdraw_warning
    withdraw = form.permission_boxes["withdraw"]
    assert warning.text() == WITHDRAW_WARNING
    assert not withdraw.isChecked()
    assert not warning.isVisible() and not warning.isVisibleTo(form)

    click(qtbot, withdraw)
    assert withdraw.isChecked()
    assert warning.isVisible() and warning.isVisibleTo(form)

    click(qtbot, withdraw)
    assert not withdraw.isChecked()
    assert not warning.isVisible() and not warning.isVisibleTo(form)

    # with the keyboard too: focus the box and press Space
    withdraw.setFocus()
    qtbot.keyClick(withdraw, Qt.Key.Key_Space)
    assert warning.isVisible()


VALID_BINANCE = {"apiKey": "fresh-key", "secret": "fresh-secret"}


@pytest.mark.parametrize(("case", "exchange", "label", "credentials", "ips", "field",
                          "fragment", "fix"), [
    ("empty required credential", "okx", "OKX new",
     {"apiKey": "okx-new-key", "secret": "okx-new-secret"}, "", "password",
     "requires the Passphrase", {"credentials": {"password": "okx-new-pass"}}),
    ("whitespace-only credential", "binance", "Binance new",
     {"apiKey": "fresh-key", "secret": "   "}, "", "secret",
     "requires the Secret", {"credentials": {"secret": "fresh-secret"}}),
    ("duplicate label", "binance", "KEY 0", VALID_BINANCE, "", "label",
     "already exists", {"label": "key 9"}),
    ("duplicate API key", "binance", "Binance new",
     {"apiKey": "apiKey-key 0-value", "secret": "fresh-secret"}, "", "apiKey",
     "already stored as 'key 0'", {"credentials": {"apiKey": "another-key"}}),
    ("bad IP", "binance", "Binance new", VALID_BINANCE, "203.0.113.7, 300.1.2.3",
     "ip_whitelist", "'300.1.2.3' is not an IPv4/IPv6", {"ips": "203.0.113.7"}),
    ("IP with host bits", "binance", "Binance new", VALID_BINANCE, "10.0.0.1/8",
     "ip_whitelist", "did you mean 10.0.0.0/8", {"ips": "10.0.0.0/8"}),
])
def test_validation_errors_are_inline_and_keep_the_dialog_open(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, case: str, exchange: str,
        label: str, credentials: dict[str, str], ips: str, field: str, fragment: str,
        fix: dict[str, object]) -> None:
    window = unlocked
    before = vault_path.read_bytes()
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange=exchange, label=label, credentials=credentials, ips=ips,
              permissions={"trade": True})
    typed = form.values()
    at_fault = {"label": form.label, "ip_whitelist": form.ips}.get(field) \
        or form.credential_fields[field]

    with qtbot.assertNotEmitted(window.saved):
        click(qtbot, save_button(form))
        error = form.errors[field]
        qtbot.waitUntil(error.isVisible, timeout=SIGNAL_TIMEOUT)  # some checks run in the worker
        qtbot.waitUntil(lambda: not window.ops.busy)
    assert fragment in error.text(), (case, error.text())
    assert [name for name, label_ in form.errors.items() if label_.isVisible()] == [field]
    assert at_fault.hasFocus(), "the field at fault should get the keyboard focus"
    assert form.isVisible(), "the dialog closed on an error"
    assert window.form is form
    assert save_button(form).isEnabled(), "Save stays disabled after a failed save"
    assert form.values() == typed, "the dialog lost what the user typed"
    assert vault_path.read_bytes() == before
    assert sorted(labels_shown(window)) == sorted(("key 0", "key 1", "OKX main"))

    # fixing the field and saving again works
    fill_form(qtbot, form, **fix)  # type: ignore[arg-type]
    save_form(qtbot, window, form)
    assert len(labels_shown(window)) == 4


def test_surrounding_whitespace_is_trimmed_and_the_user_is_told(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    window = unlocked
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="binance", label="Trimmed",
              credentials={"apiKey": "  padded-key\t", "secret": "clean-secret"})
    save_form(qtbot, window, form)
    message = window.statusBar().currentMessage()
    assert "Saved “Trimmed”" in message
    assert "Removed surrounding spaces from: API key" in message
    assert "Secret" not in message.split("Removed surrounding spaces from:")[1]
    assert dict(stored(vault_path)["Trimmed"].credentials) == {"apiKey": "padded-key",
                                                               "secret": "clean-secret"}


def test_a_clean_save_does_not_mention_trimming(qtbot: QtBot, unlocked: MainWindow) -> None:
    form = open_add_form(qtbot, unlocked)
    fill_form(qtbot, form, exchange="binance", label="Clean", credentials=VALID_BINANCE)
    save_form(qtbot, unlocked, form)
    assert "Removed surrounding spaces" not in unlocked.statusBar().currentMessage()


def test_edit_a_key_persists_label_and_permissions(qtbot: QtBot, unlocked: MainWindow,
                                                   vault_path: Path) -> None:
    window = unlocked
    original = stored(vault_path)["key 1"]
    select(qtbot, window, "key 1")
    assert window.act_edit.isEnabled()
    qtbot.keyClick(window.table, Qt.Key.Key_E, CTRL)
    form = open_form(qtbot, window)
    assert form.windowTitle() == "Edit key"
    assert form.label.text() == "key 1"
    assert form.exchange.currentData() == "binance"
    assert form.credential_fields["apiKey"].text() == "apiKey-key 1-value"
    assert [n for n, box in form.permission_boxes.items() if box.isChecked()] == ["read"]

    fill_form(qtbot, form, label="Binance renamed", permissions={"trade": True})
    save_form(qtbot, window, form)
    assert sorted(labels_shown(window)) == ["Binance renamed", "OKX main", "key 0"]
    assert window.current_entry() is not None
    assert window.current_entry().label == "Binance renamed"
    assert window.detail.entry is not None and window.detail.entry.label == "Binance renamed"

    window.close()
    entries = stored(vault_path)
    assert set(entries) == {"key 0", "Binance renamed", "OKX main"}
    edited = entries["Binance renamed"]
    assert edited.id == original.id
    assert edited.permissions == ("read", "trade")
    assert edited.credentials == original.credentials
    assert edited.rotated_at == original.rotated_at  # credentials untouched: not rotated


def delete_dialog(qtbot: QtBot, window: MainWindow) -> QtWidgets.QMessageBox:
    """The delete question, once it shows (the journal is read off the UI thread first)."""
    qtbot.waitUntil(lambda: isinstance(window.delete_dialog, QtWidgets.QMessageBox)
                    and window.delete_dialog.isVisible())
    box = window.delete_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    return box


def test_delete_asks_first_cancel_keeps_the_key_delete_removes_it(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    window = unlocked
    before = vault_path.read_bytes()
    select(qtbot, window, "key 0")
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    box = delete_dialog(qtbot, window)
    assert "“key 0”" in box.text()
    cancel = box.button(QtWidgets.QMessageBox.StandardButton.Cancel)
    assert box.defaultButton() is cancel, "Enter must not delete"
    with qtbot.assertNotEmitted(window.saved), \
            qtbot.waitSignal(box.finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, cancel)
    assert not window.ops.busy
    assert vault_path.read_bytes() == before
    assert "key 0" in labels_shown(window)

    window.act_delete.trigger()
    box = delete_dialog(qtbot, window)
    [delete] = [b for b in box.buttons() if b.text() == "Delete"]
    with qtbot.waitSignal(window.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, delete)
    assert closed(box)
    assert sorted(labels_shown(window)) == ["OKX main", "key 1"]
    assert "Deleted “key 0”" in window.statusBar().currentMessage()
    assert window.detail.entry is None or window.detail.entry.label != "key 0"
    assert set(stored(vault_path)) == {"key 1", "OKX main"}


def test_enter_after_the_first_pem_line_does_not_store_a_cut_off_key(
        qtbot: QtBot, new_vault: Callable[..., Vault], make_window: Callable[..., MainWindow],
        vault_path: Path) -> None:
    """Found under Xvfb: Enter in the masked PEM field saved just its BEGIN line."""
    new_vault(0).lock()
    window = make_window()
    unlock(qtbot, window)
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="binance", label="Binance spot",
              credentials={"apiKey": "bn-key-1", "secret": "-----BEGIN PRIVATE KEY-----"})
    secret = form.credential_fields["secret"]
    with qtbot.assertNotEmitted(form.submitted):
        qtbot.keyClick(secret.focusProxy(), Qt.Key.Key_Return)
    qtbot.waitUntil(form.errors["secret"].isVisible)
    assert "END PRIVATE KEY" in form.errors["secret"].text()
    assert form.isVisible()
    window.close()
    assert stored(vault_path) == {}
