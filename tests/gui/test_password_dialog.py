"""Change the master password through the dialog: afterwards the old password opens
neither the vault nor any kept version, the new one opens all of them unchanged, and
the second folder's copies can be refreshed to the new password."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.backups.copies import copies_in, write_copy
from vault_app.core import crypto
from vault_app.core.errors import WrongPassword
from vault_app.core.kdf import derive_kek
from vault_app.core.schema import decode_payload
from vault_app.core.vault import Vault
from vault_app.core.vault_format import KeySlot, parse
from vault_app.core.version_rekey import PasswordChange
from vault_app.gui.password_dialog import (
    JOURNAL_NOTE,
    OLD_COPIES_WARNING,
    REFRESHED_WARNING,
    SAME_PASSWORD_NOTE,
    PasswordDialog,
)
from vault_app.gui.qt import Qt
from vault_app.gui.settings import SecondFolder
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, type_into, wait_for_dialog

NEW_PASSWORD = "tangerine orbit velvet cascade 42 harbour"
KDF_TIMEOUT = 120_000  # the production KDF (256 MiB) runs: a busy machine is slow


def open_dialog(qtbot: QtBot, window: MainWindow) -> PasswordDialog:
    window.act_change_password.trigger()
    dialog = window.vault_dialog
    assert isinstance(dialog, PasswordDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog


def files_of(vault_path: Path) -> list[Path]:
    folder = vault_path.with_name(vault_path.name + ".versions")
    return [vault_path, *sorted(folder.glob("*.vault"))]


def dek_for(slot: KeySlot, password: str) -> bytes:
    """The data key ``password`` unwraps from ``slot`` (WrongPassword if it does not)."""
    kek = derive_kek(password, slot.salt, slot.kdf)
    return crypto.unwrap_dek(kek, slot.wrapped_dek, slot.wrap_nonce, slot.kdf_header())


def test_password_change_locks_the_old_password_out_of_every_version(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    vault = unlocked.vault
    assert vault is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    old_copy = write_copy(vault, usb, keep=5).path
    unlocked.settings.set_second_folder(vault.given_path, SecondFolder(usb, 0, 5))
    contents = {path.name: vault.entries_of(path.read_bytes()) for path in files_of(vault.path)}
    assert len(contents) == 4  # the vault and three versions

    dialog = open_dialog(qtbot, unlocked)
    type_into(qtbot, dialog.current, PASSWORD)
    type_into(qtbot, dialog.fields.password, NEW_PASSWORD)
    type_into(qtbot, dialog.fields.confirm, NEW_PASSWORD)
    with qtbot.waitSignal(dialog.changed, timeout=KDF_TIMEOUT) as changed:
        click(qtbot, dialog.submit)
    change = changed.args[0]
    # the three versions, and the one this change kept of the vault it replaced
    assert isinstance(change, PasswordChange) and change.resealed == 4 and not change.left
    assert dialog.pages.currentWidget() is dialog.result_page
    assert "4 previous versions re-sealed" in dialog.result.text()
    assert OLD_COPIES_WARNING in dialog.result.text()
    assert JOURNAL_NOTE in dialog.result.text()  # what the change does not re-key
    assert dialog.current.text() == "" and dialog.fields.password.text() == ""

    slot = parse(vault.path.read_bytes()).slot
    with pytest.raises(WrongPassword):
        dek_for(slot, PASSWORD)
    dek = dek_for(slot, NEW_PASSWORD)
    after = files_of(vault.path)
    assert len(after) == 5 and {p.name for p in after} >= set(contents)
    for path in after:  # every file under the one new slot, its entries unchanged
        parsed = parse(path.read_bytes())
        assert parsed.slot == slot, path.name
        plain = crypto.open_payload(dek, parsed.payload_nonce, parsed.ciphertext,
                                    parsed.header)
        entries = decode_payload(plain)[1]
        assert entries == contents.get(path.name, contents[vault.path.name]), path.name

    # the old copy in the second folder still opens with the old password: refresh it
    assert dialog.refresh.isVisible()
    click(qtbot, dialog.refresh)
    qtbot.waitUntil(lambda: "Wrote" in dialog.refresh_note.text(), timeout=SIGNAL_TIMEOUT)
    assert not old_copy.exists()
    fresh = copies_in(usb, vault)  # (the save itself made one too: removed as well)
    assert len(fresh) == 1 and parse(fresh[0].path.read_bytes()).slot == slot
    assert fresh[0].path.name in dialog.refresh_note.text()
    assert OLD_COPIES_WARNING not in dialog.result.text()  # no stale "copies still open"
    assert REFRESHED_WARNING in dialog.result.text()


def test_a_wrong_current_password_changes_nothing(qtbot: QtBot, unlocked: MainWindow) -> None:
    vault = unlocked.vault
    assert vault is not None
    before = vault.path.read_bytes()
    dialog = open_dialog(qtbot, unlocked)
    type_into(qtbot, dialog.current, "not the password at all")
    type_into(qtbot, dialog.fields.password, NEW_PASSWORD)
    type_into(qtbot, dialog.fields.confirm, NEW_PASSWORD)
    with qtbot.waitSignal(dialog.failed, timeout=KDF_TIMEOUT):
        click(qtbot, dialog.submit)
    assert "Wrong master password" in dialog.error.text()
    assert vault.path.read_bytes() == before
    assert Vault.open(vault.path, PASSWORD).entries == vault.entries


def test_locking_wipes_and_closes_the_dialog(qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_dialog(qtbot, unlocked)
    type_into(qtbot, dialog.current, PASSWORD)
    type_into(qtbot, dialog.fields.password, NEW_PASSWORD)
    unlocked.lock()
    assert unlocked.vault_dialog is None and not dialog.isVisible()
    assert dialog.current.text() == "" and dialog.fields.password.text() == ""


def test_a_strength_only_change_does_not_warn_about_an_old_password(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    """The password is the same: saying old backups "still open with the old password"
    alarms for nothing (u1 M4). And the progress line is not in the error's red (L4)."""
    dialog = open_dialog(qtbot, unlocked)
    click(qtbot, dialog.keep_password)
    click(qtbot, dialog.kdf_default)
    type_into(qtbot, dialog.current, PASSWORD)
    with qtbot.waitSignal(dialog.changed, timeout=KDF_TIMEOUT) as changed:
        qtbot.keyClick(dialog.current, Qt.Key.Key_Return)  # Enter changes the strength
        assert dialog.progress.isVisible() and not dialog.error.isVisible()
    assert changed.args[0].password_changed is False
    text = dialog.result.text()
    assert text.startswith("The key derivation strength was changed.")
    assert SAME_PASSWORD_NOTE in text and OLD_COPIES_WARNING not in text
    assert "old password" not in text


def test_enter_with_a_wrong_current_password_keeps_the_dialog(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_dialog(qtbot, unlocked)
    type_into(qtbot, dialog.current, "not the password at all")
    type_into(qtbot, dialog.fields.password, NEW_PASSWORD)
    type_into(qtbot, dialog.fields.confirm, NEW_PASSWORD)
    with qtbot.waitSignal(dialog.failed, timeout=KDF_TIMEOUT):
        qtbot.keyClick(dialog.fields.confirm, Qt.Key.Key_Return)
    assert "Wrong master password" in dialog.error.text()
    assert unlocked.vault_dialog is dialog and dialog.isVisible()
    assert dialog.submit.isDefault()
