"""Automatic copies to a second folder: one appears after a save and opens; a missing
folder never fails a save and is told once in the status bar."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.backups.copies import CopyReport, copies_in
from vault_app.core.vault import Vault
from vault_app.gui.settings import SecondFolder
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, fill_form, open_add_form, save_form, type_into
from .test_settings import open_settings


def add_key(qtbot: QtBot, window: MainWindow, label: str) -> None:
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="kraken", label=label,
              credentials={"apiKey": f"K-{label}-0123456789", "secret": f"S-{label}-abcdef"})
    save_form(qtbot, window, form)


def test_a_copy_appears_after_a_save_and_opens(qtbot: QtBot, unlocked: MainWindow,
                                               tmp_path: Path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_settings(qtbot, unlocked)
    box = dialog.vault_box
    assert box is not None
    type_into(qtbot, box.folder, str(usb))
    box.keep_copies.setValue(5)
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT) as first:
        dialog.accept()  # a folder newly chosen gets a copy at once
    assert isinstance(first.args[0], CopyReport)
    vault = unlocked.vault
    assert vault is not None
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT) as after:
        add_key(qtbot, unlocked, "copied key")
    report = after.args[0]
    assert isinstance(report, CopyReport)
    assert copies_in(usb, vault)[0].path == report.path
    copy = Vault.open(report.path, PASSWORD)
    assert "copied key" in [e.label for e in copy.entries]
    assert copy.entries == vault.entries


def test_a_missing_folder_never_fails_a_save_and_is_told_once(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    vault = unlocked.vault
    assert vault is not None
    usb = tmp_path / "unplugged"
    unlocked.settings.set_second_folder(vault.given_path, SecondFolder(usb, 0, 3))
    told: list[str] = []
    unlocked.statusBar().messageChanged.connect(
        lambda text: told.append(text) if "Automatic copy" in text else None)
    for label in ("first", "second"):
        with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT) as copy:
            add_key(qtbot, unlocked, label)
        assert not isinstance(copy.args[0], CopyReport)
    assert told == [f"Automatic copy to {usb} failed. The folder {usb} does not exist "
                    "(a drive not plugged in?). No copy was written; your vault itself is "
                    "saved. Plug the drive in, or choose another backup folder in the "
                    "vault's settings; the next save copies again."]
    labels = [e.label for e in Vault.open(vault.path, PASSWORD).entries]
    assert {"first", "second"} <= set(labels)  # both saves made it to disk
    assert not usb.exists()  # never created
    usb.mkdir()  # plugged in: copies resume, and a later failure is told again
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT) as copy:
        add_key(qtbot, unlocked, "third")
    assert isinstance(copy.args[0], CopyReport) and not unlocked.copies.failing
    shutil.rmtree(usb)
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT):
        add_key(qtbot, unlocked, "fourth")
    assert len(told) == 2


def test_at_most_every_n_minutes(qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    vault = unlocked.vault
    assert vault is not None
    usb = tmp_path / "usb"
    usb.mkdir()
    unlocked.settings.set_second_folder(vault.given_path, SecondFolder(usb, 60, 3))
    unlocked.settings.set_last_copy_at(vault.given_path,
                                       datetime.now(UTC) - timedelta(minutes=10))
    add_key(qtbot, unlocked, "too soon")
    qtbot.waitUntil(lambda: not unlocked.ops.busy, timeout=SIGNAL_TIMEOUT)
    assert copies_in(usb, vault) == []  # the last copy is 10 minutes old: none due
    unlocked.settings.set_last_copy_at(vault.given_path,
                                       datetime.now(UTC) - timedelta(minutes=61))
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT):
        add_key(qtbot, unlocked, "due")
    assert len(copies_in(usb, vault)) == 1


def test_one_ok_with_a_new_folder_and_a_new_count_writes_one_copy(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    """The folder newly chosen gets a copy, and so does the save of the count: one OK
    wrote two copies in the same second (u1 L8)."""
    usb = tmp_path / "usb"
    usb.mkdir()
    vault = unlocked.vault
    assert vault is not None
    dialog = open_settings(qtbot, unlocked)
    box = dialog.vault_box
    assert box is not None
    type_into(qtbot, box.folder, str(usb))
    box.when.setCurrentIndex(1)  # at most every 60 min: the save's copy is due anyway
    box.keep_copies.setValue(5)
    type_into(qtbot, box.keep_versions, "12")  # higher: no question
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT):
        dialog.accept()
    unlocked.ops.wait_idle()
    assert len(copies_in(usb, vault)) == 1
    assert Vault.open(vault.path, PASSWORD).meta.keep_versions == 12


def test_a_folder_that_is_not_there_is_said_in_the_settings(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    """Not only at the next save (u1 L8)."""
    dialog = open_settings(qtbot, unlocked)
    box = dialog.vault_box
    assert box is not None
    type_into(qtbot, box.folder, str(tmp_path / "unplugged"))
    with qtbot.waitSignal(box.folder_checked, timeout=SIGNAL_TIMEOUT):
        box.folder.editingFinished.emit()
    assert box.folder_note.isVisible()
    assert "not a folder here now" in box.folder_note.text()
    type_into(qtbot, box.folder, str(tmp_path))
    assert not box.folder_note.isVisible()
    with qtbot.waitSignal(box.folder_checked, timeout=SIGNAL_TIMEOUT):
        box.folder.editingFinished.emit()
    assert not box.folder_note.isVisible()
    dialog.reject()


def test_a_damaged_journal_still_gets_the_keys_copied_and_is_told(
        qtbot: QtBot, unlocked: MainWindow, tmp_path: Path) -> None:
    from vault_app.trading.journal import Journal, journal_path

    vault = unlocked.vault
    assert vault is not None
    journal = journal_path(vault.path)
    Journal(journal, vault.ensure_journal_key()).append({"kind": "order", "key_id": "x"})
    damaged = bytearray(journal.read_bytes())
    damaged[70] ^= 0xFF  # inside the record: damage, not a torn tail
    journal.write_bytes(bytes(damaged))
    usb = tmp_path / "usb"
    usb.mkdir()
    dialog = open_settings(qtbot, unlocked)
    box = dialog.vault_box
    assert box is not None
    type_into(qtbot, box.folder, str(usb))
    with qtbot.waitSignal(unlocked.copies.finished, timeout=SIGNAL_TIMEOUT) as done:
        dialog.accept()
    report = done.args[0]
    assert isinstance(report, CopyReport) and report.journal_problem is not None
    assert Vault.open(report.path, PASSWORD).entries == vault.entries
    message = unlocked.statusBar().currentMessage()
    assert "with your keys but without their order history" in message
