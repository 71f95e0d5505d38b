"""Export from the Vault menu: the whole vault or the keys checked, under the master
password (typed again, and checked) or a separate one; verified; never over a file
without asking."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.unit.backups.support import vault_with_orders
from vault_app.backups.restore import read_backup
from vault_app.core.errors import WrongPassword
from vault_app.gui.backup.export_dialog import ExportDialog
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow

from .backup_support import answer_default, answer_yes, open_export, question_of
from .helpers import click, closed, select, type_into, unlock

BACKUP_PASSWORD = "a separate backup passphrase for the usb stick"


def check(dialog: ExportDialog, label: str) -> None:
    for row in range(dialog.key_list.count()):
        item = dialog.key_list.item(row)
        if item.text().startswith(f"\u2068{label}\u2069 ("):  # labels isolated (a1 #5)
            item.setCheckState(Qt.CheckState.Checked)
            return
    raise AssertionError(label)


def wait_verified(qtbot: QtBot, dialog: ExportDialog) -> str:
    qtbot.waitUntil(lambda: dialog.result_label.text().startswith("Backup verified")
                    or dialog.error.isVisible(), timeout=20_000)
    assert not dialog.error.isVisible(), dialog.error.text()
    return dialog.result_label.text()


def test_export_whole_vault_is_verified_and_opens_with_the_master_password(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "out" / "full.vault"
    target.parent.mkdir()
    dialog = open_export(qtbot, unlocked)
    assert dialog.whole.isChecked() and dialog.use_master.isChecked()
    type_into(qtbot, dialog.path, str(target))
    type_into(qtbot, dialog.master, PASSWORD)
    click(qtbot, dialog.export_button)
    text = wait_verified(qtbot, dialog)
    assert text == f"Backup verified: 3 keys, 0 journal records, {target}"
    assert dialog.master.text() == ""  # forgotten once used
    backup = read_backup(target, PASSWORD)
    assert sorted(e.label for e in backup.entries) == ["OKX main", "key 0", "key 1"]
    assert {e.id: e.credentials for e in backup.entries} == {
        e.id: e.credentials for e in unlocked.vault.entries}  # type: ignore[union-attr]
    assert target.stat().st_mode & 0o777 == 0o600


def test_export_of_checked_keys_under_a_separate_password(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "two.vault"
    select(qtbot, unlocked, "OKX main")
    dialog = open_export(qtbot, unlocked)
    checked = {item.text() for item in (dialog.key_list.item(r)
                                        for r in range(dialog.key_list.count()))
               if item.checkState() == Qt.CheckState.Checked}
    assert checked == {"\u2068OKX main\u2069 (okx)"}  # preselected from the key list
    click(qtbot, dialog.chosen)
    check(dialog, "key 0")
    type_into(qtbot, dialog.path, str(target))
    click(qtbot, dialog.use_separate)
    type_into(qtbot, dialog.separate.password, "short one")
    type_into(qtbot, dialog.separate.confirm, "short one")
    click(qtbot, dialog.export_button)
    assert "stronger" in dialog.error.text()  # rated like the master password
    assert not target.exists()
    type_into(qtbot, dialog.separate.password, BACKUP_PASSWORD)
    type_into(qtbot, dialog.separate.confirm, BACKUP_PASSWORD + "x")
    click(qtbot, dialog.export_button)
    assert dialog.error.text() == "The two backup passwords do not match."
    type_into(qtbot, dialog.separate.confirm, BACKUP_PASSWORD)
    click(qtbot, dialog.export_button)
    assert wait_verified(qtbot, dialog).startswith("Backup verified: 2 keys,")
    backup = read_backup(target, BACKUP_PASSWORD)
    assert sorted(e.label for e in backup.entries) == ["OKX main", "key 0"]
    with pytest.raises(WrongPassword):
        read_backup(target, PASSWORD)


def test_a_mistyped_master_password_writes_nothing(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "typo.vault"
    dialog = open_export(qtbot, unlocked)
    type_into(qtbot, dialog.path, str(target))
    type_into(qtbot, dialog.master, PASSWORD + "!")
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(dialog.error.isVisible, timeout=20_000)
    assert dialog.error.text().startswith("That is not the master password of this vault")
    assert not target.exists()


def test_an_existing_file_is_replaced_only_when_confirmed(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "taken.vault"
    target.write_bytes(b"something precious")
    dialog = open_export(qtbot, unlocked)
    type_into(qtbot, dialog.path, str(target))
    type_into(qtbot, dialog.master, PASSWORD)
    click(qtbot, dialog.export_button)
    answer_default(qtbot, question_of(qtbot, dialog))  # the default is No
    qtbot.waitUntil(lambda: dialog.question is None)
    assert not unlocked.ops.busy
    assert target.read_bytes() == b"something precious"
    assert not dialog.result_label.isVisible()

    click(qtbot, dialog.export_button)
    answer_yes(qtbot, question_of(qtbot, dialog))
    assert wait_verified(qtbot, dialog).startswith("Backup verified: 3 keys")
    assert len(read_backup(target, PASSWORD).entries) == 3


def test_lock_closes_the_export_dialog_and_wipes_its_password(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_export(qtbot, unlocked)
    type_into(qtbot, dialog.master, PASSWORD)
    unlocked.act_lock.trigger()
    assert unlocked.backup_dialog is None
    assert dialog.master.text() == ""  # wiped at once (deleted later)
    assert dialog.key_list.count() == 0
    qtbot.waitUntil(lambda: closed(dialog))
    assert closed(dialog)


def test_the_vault_itself_is_refused_without_a_question(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    before = vault_path.read_bytes()
    dialog = open_export(qtbot, unlocked)
    type_into(qtbot, dialog.path, str(vault_path))
    type_into(qtbot, dialog.master, PASSWORD)
    click(qtbot, dialog.export_button)
    assert dialog.error.isVisible() and dialog.question is None
    assert "vault" in dialog.error.text()
    assert not unlocked.ops.busy
    assert vault_path.read_bytes() == before


def test_an_export_finished_after_its_dialog_closed_is_still_told(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "late.vault"
    dialog = open_export(qtbot, unlocked)
    type_into(qtbot, dialog.path, str(target))
    type_into(qtbot, dialog.master, PASSWORD)
    click(qtbot, dialog.export_button)
    dialog.reject()  # before the worker's answer can arrive (it is queued to this thread)
    assert unlocked.backup_dialog is None
    qtbot.waitUntil(lambda: unlocked.statusBar().currentMessage().startswith(
        "Backup verified: 3 keys"), timeout=20_000)
    assert len(read_backup(target, PASSWORD).entries) == 3


def test_the_journal_records_of_the_checked_keys_go_with_them(
        qtbot: QtBot, vault_path: Path, tmp_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    vault_with_orders(vault_path, orders_each=2).lock()  # alpha, beta, gamma
    window = make_window()
    unlock(qtbot, window)
    target = tmp_path / "beta.vault"
    select(qtbot, window, "beta")
    dialog = open_export(qtbot, window)
    click(qtbot, dialog.chosen)
    type_into(qtbot, dialog.path, str(target))
    type_into(qtbot, dialog.master, PASSWORD)
    click(qtbot, dialog.export_button)
    assert wait_verified(qtbot, dialog) == (
        f"Backup verified: 1 key, 2 journal records, {target}")
    backup = read_backup(target, PASSWORD)
    [beta] = backup.entries
    assert beta.label == "beta"
    assert [record["key_id"] for record in backup.journal] == [beta.id, beta.id]


def chooser_of(qtbot: QtBot, dialog: QtWidgets.QDialog) -> QtWidgets.QFileDialog:
    qtbot.waitUntil(lambda: dialog.findChild(QtWidgets.QFileDialog, "backupFileChooser")
                    is not None)
    chooser = dialog.findChild(QtWidgets.QFileDialog, "backupFileChooser")
    assert isinstance(chooser, QtWidgets.QFileDialog)
    qtbot.waitUntil(chooser.isVisible)
    return chooser


def test_the_file_chosen_over_an_existing_one_is_asked_about_by_us(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    taken = tmp_path / "taken.vault"
    taken.write_bytes(b"something precious")
    dialog = open_export(qtbot, unlocked)
    click(qtbot, dialog.choose)
    chooser = chooser_of(qtbot, dialog)
    assert chooser.testOption(QtWidgets.QFileDialog.Option.DontConfirmOverwrite)
    chooser.selectFile(str(taken))
    chooser.accept()  # Qt asks nothing: the question is ours, so its answer reaches the core
    assert dialog.path.text() == str(taken)
    type_into(qtbot, dialog.master, PASSWORD)
    click(qtbot, dialog.export_button)
    answer_default(qtbot, question_of(qtbot, dialog))
    assert taken.read_bytes() == b"something precious"


def test_lock_closes_an_open_file_chooser_with_its_dialog(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_export(qtbot, unlocked)
    click(qtbot, dialog.choose)
    chooser = chooser_of(qtbot, dialog)
    unlocked.act_lock.trigger()
    qtbot.waitUntil(lambda: closed(chooser) and closed(dialog))
    assert unlocked.vault is None
