"""Restore a previous version from the dialog: the vault then holds exactly that
version's keys, and the state before the restore is itself a version (undo)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.versions_dialog import VersionsDialog, local, version_text, zone
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, labels_shown, type_into, wait_for_dialog


def open_versions(qtbot: QtBot, window: MainWindow) -> VersionsDialog:
    with qtbot.waitSignal(window.ops.busy_changed, timeout=SIGNAL_TIMEOUT):
        window.act_versions.trigger()
    dialog = window.vault_dialog
    assert isinstance(dialog, VersionsDialog)
    wait_for_dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.table.topLevelItemCount() > 0, timeout=SIGNAL_TIMEOUT)
    return dialog


def choose(qtbot: QtBot, dialog: VersionsDialog, keys: int) -> str:
    """Select the newest version holding ``keys`` keys; wait for its difference."""
    for row in range(dialog.table.topLevelItemCount()):
        item = dialog.table.topLevelItem(row)
        if item.text(2) == str(keys):
            dialog.table.setCurrentItem(item)  # (it may be selected already: the newest)
            summary = dialog.selected()
            assert summary is not None
            name = summary.name
            qtbot.waitUntil(lambda n=name: dialog.diff_for == n, timeout=SIGNAL_TIMEOUT)
            return name
    raise AssertionError(f"no version with {keys} keys")


def test_restore_a_previous_version(qtbot: QtBot, unlocked: MainWindow) -> None:
    vault = unlocked.vault
    assert vault is not None
    before = vault.entries  # key 0, key 1, OKX main: the version with 2 keys lacks OKX
    dialog = open_versions(qtbot, unlocked)
    name = choose(qtbot, dialog, 2)
    shown = dialog.changes.toPlainText()
    assert "remove 1 key added since" in shown and "\u2068OKX main\u2069 (okx)" in shown
    assert "(s)" not in shown
    wanted = vault.version_entries(name)
    click(qtbot, dialog.restore_button)
    box = dialog.question
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    assert box.defaultButton().text() == "&Keep the vault as it is"  # the safe default
    restore = next(b for b in box.buttons() if b.text() == "&Restore")
    with qtbot.waitSignal(dialog.restored, timeout=SIGNAL_TIMEOUT):
        click(qtbot, restore)
    assert "restore that one to undo" in dialog.status.text()
    on_disk = Vault.open(vault.path, PASSWORD)
    assert list(on_disk.entries) == wanted
    assert list(vault.entries) == wanted
    # the key list and the details show the restored keys at once (u1 H2)
    assert sorted(labels_shown(unlocked)) == sorted(e.label for e in wanted)
    assert "OKX main" not in labels_shown(unlocked)
    newest = vault.versions()[0]
    assert vault.version_entries(newest.name) == list(before)  # the undo is there
    qtbot.waitUntil(lambda: dialog.table.topLevelItemCount() == len(vault.versions()))
    note = dialog.table.topLevelItem(0).text(4)  # the undo is marked (u1 L9)
    assert note.startswith("before restoring the state saved") and "undo" in note


def test_declining_restores_nothing_and_lock_closes_the_dialog(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    vault = unlocked.vault
    assert vault is not None
    before = vault.path.read_bytes()
    dialog = open_versions(qtbot, unlocked)
    choose(qtbot, dialog, 2)
    click(qtbot, dialog.restore_button)
    box = dialog.question
    assert isinstance(box, QtWidgets.QMessageBox)
    wait_for_dialog(qtbot, box)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # the default: keep the vault as it is
    qtbot.waitUntil(lambda: dialog.question is None)
    assert vault.path.read_bytes() == before
    unlocked.lock()
    assert unlocked.vault_dialog is None and not dialog.isVisible()


def test_settings_show_the_versions_folder_and_save_the_count(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    from .test_settings import open_settings

    vault = unlocked.vault
    assert vault is not None
    dialog = open_settings(qtbot, unlocked)
    box = dialog.vault_box
    assert box is not None and box.keep_versions.value() == 10
    qtbot.waitUntil(lambda: "3 previous versions kept" in box.usage.text(),
                    timeout=SIGNAL_TIMEOUT)
    type_into(qtbot, box.keep_versions, "1")
    before = vault.path.read_bytes()
    dialog.accept()  # lowering the count deletes versions: asked first (u1 M5)
    qtbot.waitUntil(lambda: dialog.question is not None)
    question = dialog.question
    assert question is not None
    wait_for_dialog(qtbot, question)
    assert question.text().startswith("3 previous versions will be deleted now")
    assert question.defaultButton().text() == "&Keep them"
    qtbot.keyClick(question, Qt.Key.Key_Return)  # the default: nothing deleted
    qtbot.waitUntil(lambda: dialog.question is None)
    assert dialog.isVisible() and vault.path.read_bytes() == before
    assert len(vault.versions()) == 3

    dialog.accept()
    qtbot.waitUntil(lambda: dialog.question is not None)
    question = dialog.question
    delete = next(b for b in question.buttons() if b.text() == "&Delete them")
    with qtbot.waitSignal(unlocked.saved, timeout=SIGNAL_TIMEOUT):
        click(qtbot, delete)
    assert Vault.open(vault.path, PASSWORD).meta.keep_versions == 1
    assert len(vault.versions()) == 1  # the save itself pruned to the new count


def test_a_version_that_cannot_be_kept_is_told_and_the_save_made(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    import shutil

    from .test_second_folder import add_key

    vault = unlocked.vault
    assert vault is not None
    folder = vault.path.with_name(vault.path.name + ".versions")
    shutil.rmtree(folder)
    folder.write_text("not a folder")  # the versions folder cannot be made
    told: list[str] = []
    unlocked.statusBar().messageChanged.connect(told.append)
    add_key(qtbot, unlocked, "kept anyway")
    qtbot.waitUntil(lambda: any("no previous version was kept" in t for t in told),
                    timeout=SIGNAL_TIMEOUT)
    assert "kept anyway" in [e.label for e in Vault.open(vault.path, PASSWORD).entries]


def test_the_difference_names_fields_in_the_editors_words() -> None:
    from vault_app.core.entry_diff import ChangedEntry, EntryRef, VersionDiff
    from vault_app.gui.versions_dialog import diff_text

    shown = diff_text(VersionDiff(
        added=(EntryRef("1", "Gate treasury", "gate"),), removed=(),
        changed=(ChangedEntry("2", "OKX grid", ("ip_whitelist", "max_notional", "notes")),
                 ChangedEntry("3", "Kraken", ("rotate_days",)))))
    text = shown.replace("\u2068", "").replace("\u2069", "")  # the labels' isolates
    assert "+ Gate treasury (gate)" in text
    assert "~ OKX grid: IP whitelist, max order notional, notes" in text
    assert "~ Kraken: rotation reminder" in text
    assert "_" not in text


def test_the_list_dates_each_state_when_it_was_saved_and_says_the_time_zone(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    """Not only when a save replaced it (the KeePassXC ".old" confusion, u1 M1)."""
    vault = unlocked.vault
    assert vault is not None
    dialog = open_versions(qtbot, unlocked)
    header = dialog.table.headerItem()
    assert header.text(0).startswith("State saved (") and header.text(1) == "Replaced"
    for row, summary in enumerate(vault.versions()):
        item = dialog.table.topLevelItem(row)
        assert summary.state_saved_at is not None
        assert item.text(0) == local(summary.state_saved_at)
        assert item.text(1) == local(summary.saved_at)
    assert zone() in version_text(vault.versions()[0])


def test_a_versions_labels_are_shown_escaped_and_isolated() -> None:
    """A label a file holds may carry a right-to-left override (a1 #5)."""
    from vault_app.core.entry_diff import EntryRef, VersionDiff
    from vault_app.gui.versions_dialog import diff_text

    text = diff_text(VersionDiff(added=(EntryRef("1", "Gate\u202e treasury", "gate"),),
                                 removed=(), changed=()))
    assert "\u202e" not in text and "+ \u2068Gate\\u202e treasury\u2069 (gate)" in text
