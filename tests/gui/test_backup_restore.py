"""Restore from the Vault menu: into a new vault (and switch to it), or merged into
this one with a choice per conflict; a wrong password and a damaged backup said in
plain words; a merge planned on a vault changed since is refused and planned again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD, make_entry
from tests.unit.backups.support import journal_data, vault_with_orders
from vault_app.backups.export import export_backup
from vault_app.backups.merge import BOTH, NEWER, SKIP
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.backup.merge_dialog import MergeDialog
from vault_app.gui.backup.merge_flow import STALE
from vault_app.gui.backup.restore_dialog import RestoreDialog
from vault_app.gui.backup.restore_flow import DAMAGED_BACKUP, WRONG_BACKUP_PASSWORD
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow

from .backup_support import answer_default, answer_yes, open_restore, question_of, wait_merge_dialog
from .helpers import click, closed, labels_shown, type_into, unlock
from .test_keyboard_access import accessible_problems, duplicates, page_mnemonics


def backup_of(vault_path: Path, target: Path) -> Path:
    vault = Vault.open(vault_path, PASSWORD)
    export_backup(vault, target, PASSWORD)
    vault.lock()
    return target


def fill(qtbot: QtBot, dialog: RestoreDialog, backup: Path, password: str) -> None:
    type_into(qtbot, dialog.backup_path, str(backup))
    type_into(qtbot, dialog.password, password)


def test_restore_into_a_new_vault_and_switch_to_it(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    backup = backup_of(vault_path, tmp_path / "b.vault")
    new = tmp_path / "restored.vault"
    dialog = open_restore(qtbot, unlocked)
    fill(qtbot, dialog, backup, PASSWORD)
    click(qtbot, dialog.new)
    type_into(qtbot, dialog.new_path, str(new))
    assert dialog.go.text() == "&Restore"
    click(qtbot, dialog.go)
    box = question_of(qtbot, dialog)
    assert "Restored 3 keys" in box.text()
    assert box.defaultButton().text() == "&Stay here"
    with qtbot.waitSignal(unlocked.unlocked, timeout=10_000):
        answer_yes(qtbot, box)
    assert unlocked.vault is not None and unlocked.vault.path == new.resolve()
    assert sorted(labels_shown(unlocked)) == ["OKX main", "key 0", "key 1"]
    reopened = Vault.open(new, PASSWORD)
    assert sorted(e.id for e in reopened.entries) == sorted(
        e.id for e in Vault.open(vault_path, PASSWORD).entries)


def test_wrong_password_and_damaged_backup_in_plain_words(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    backup = backup_of(vault_path, tmp_path / "b.vault")
    dialog = open_restore(qtbot, unlocked)
    fill(qtbot, dialog, backup, "not the password")
    click(qtbot, dialog.go)
    qtbot.waitUntil(dialog.error.isVisible, timeout=10_000)
    assert dialog.error.text() == WRONG_BACKUP_PASSWORD

    damaged = tmp_path / "damaged.vault"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    fill(qtbot, dialog, damaged, PASSWORD)
    click(qtbot, dialog.go)
    qtbot.waitUntil(lambda: dialog.error.text().startswith(DAMAGED_BACKUP), timeout=10_000)
    assert unlocked.backup_dialog is dialog  # still there to try another file


def edited(vault: Vault, changes: dict[str, tuple[str, int]],
           new: tuple[KeyEntry, ...] = ()) -> None:
    """Label -> (notes, hours from now): edits dated apart (timestamps are in seconds),
    and ``new`` entries added, in one save."""
    def mutate(entries: list[KeyEntry]) -> list[KeyEntry]:
        changed = [replace(e, notes=changes[e.label][0],
                           updated_at=hours_on(changes[e.label][1]))
                   if e.label in changes else e for e in entries]
        return changed + list(new)

    vault.transform(mutate)


def hours_on(hours: int) -> datetime:
    """``hours`` after now: later than the sample keys' own dates."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)


def diverged(vault_path: Path, tmp_path: Path) -> Path:
    """A backup sharing the sample vault's keys, then changed on both sides:

    - "key 0" changed in the backup after the copy (the backup's is newer);
    - "key 1" changed in the backup, then later in the vault (the vault's is newer);
    - "Twin": a label both have, for two different keys (the vault's added later);
    - "Kraken new": only in the backup (an addition); "OKX main" identical.
    """
    source = Vault.open(vault_path, PASSWORD)
    copy = source.save_copy(tmp_path / "copy.vault")
    twin_there = replace(make_entry("Twin", "kraken", credentials={
        "apiKey": "kraken-twin-key", "secret": "kraken-twin-secret"}),
        updated_at=hours_on(1))
    edited(copy, {"key 1": ("from the backup", 1), "key 0": ("newer in the backup", 2)},
           (twin_there, make_entry("Kraken new", "kraken")))
    twin_here = replace(make_entry("Twin", "okx"), updated_at=hours_on(2))
    edited(source, {"key 1": ("newer here", 3)}, (twin_here,))
    backup = tmp_path / "diverged.vault"
    export_backup(copy, backup, PASSWORD)
    copy.lock()
    source.lock()
    return backup


@pytest.fixture
def diverged_window(qtbot: QtBot, sample_vault: Vault, vault_path: Path, tmp_path: Path,
                    make_window: Callable[..., MainWindow]) -> tuple[MainWindow, Path]:
    """The sample vault as ``diverged`` left it, unlocked in a window; the backup."""
    backup = diverged(vault_path, tmp_path)
    window = make_window()
    unlock(qtbot, window)
    return window, backup


def open_merge(qtbot: QtBot, window: MainWindow, backup: Path) -> MergeDialog:
    dialog = open_restore(qtbot, window)
    assert dialog.merge.isChecked()
    fill(qtbot, dialog, backup, PASSWORD)
    click(qtbot, dialog.go)
    return wait_merge_dialog(qtbot, window)


def plain(text: str) -> str:
    """Text as read: without the isolates that keep each label's direction to itself."""
    return text.replace("\u2068", "").replace("\u2069", "")


def rows(dialog: MergeDialog) -> dict[str, tuple[str, str]]:
    """Key column -> (kind, newer) as shown."""
    return {plain(dialog.table.item(r, 0).text()): (dialog.table.item(r, 1).text(),
                                                    dialog.table.item(r, 5).text())
            for r in range(dialog.table.rowCount())}


def choose(dialog: MergeDialog, label: str, choice: str) -> None:
    [key] = [c.key for c in dialog.plan.conflicts if c.theirs.label == label]  # type: ignore[union-attr]
    box = dialog.choice_boxes[key]
    box.setCurrentIndex(box.findData(choice))


def merge(qtbot: QtBot, window: MainWindow, dialog: MergeDialog, summary: str) -> None:
    click(qtbot, dialog.merge_button)
    box = question_of(qtbot, dialog)
    assert plain(box.text()).startswith(summary + "\n"), box.text()
    with qtbot.waitSignal(window.saved, timeout=10_000):
        answer_yes(qtbot, box)


def test_merge_shows_the_plan_and_applies_each_choice(
        qtbot: QtBot, diverged_window: tuple[MainWindow, Path], vault_path: Path) -> None:
    unlocked, backup = diverged_window
    dialog = open_merge(qtbot, unlocked, backup)
    assert "1 key to add: “Kraken new”. 1 key identical" in plain(dialog.counts.text())
    assert rows(dialog) == {
        "key 0": ("same key, changed", "the backup's"),
        "key 1": ("same key, changed", "this vault's"),
        "Twin": ("same label, another key", "this vault's"),
    }
    assert set(dialog.choices().values()) == {SKIP}  # nothing overwritten unless chosen
    assert accessible_problems(dialog) == []  # each row's choice is named and reachable
    assert duplicates(page_mnemonics(dialog)) == []

    click(qtbot, dialog.merge_button)  # the summary's default is Cancel
    answer_default(qtbot, question_of(qtbot, dialog))
    qtbot.waitUntil(lambda: dialog.question is None)
    assert "Kraken new" not in [e.label for e in Vault.open(vault_path, PASSWORD).entries]

    choose(dialog, "key 0", NEWER)
    choose(dialog, "key 1", NEWER)
    choose(dialog, "Twin", BOTH)
    merge(qtbot, unlocked, dialog, "Merge: add 1, replace 1, keep this vault's 1, keep both 1")
    on_disk = {e.label: e for e in Vault.open(vault_path, PASSWORD).entries}
    assert on_disk["key 0"].notes == "newer in the backup"  # the backup's was newer
    assert on_disk["key 1"].notes == "newer here"  # this vault's was newer: kept
    assert on_disk["Twin"].exchange == "okx"
    assert on_disk["Twin (restored)"].exchange == "kraken"
    assert "Kraken new" in on_disk
    assert sorted(labels_shown(unlocked)) == sorted(on_disk)
    assert unlocked.backup_dialog is None


def test_skip_leaves_every_conflicting_key_as_it_was(
        qtbot: QtBot, diverged_window: tuple[MainWindow, Path], vault_path: Path) -> None:
    unlocked, backup = diverged_window
    before = {e.id: e for e in Vault.open(vault_path, PASSWORD).entries}
    dialog = open_merge(qtbot, unlocked, backup)
    click(qtbot, dialog.set_all_buttons[NEWER])
    click(qtbot, dialog.set_all_buttons[SKIP])  # set all, then back to skip
    merge(qtbot, unlocked, dialog, "Merge: add 1, skip 3")
    after = {e.id: e for e in Vault.open(vault_path, PASSWORD).entries}
    assert {after[i].label for i in set(after) - set(before)} == {"Kraken new"}
    assert all(after[i] == before[i] for i in before)


def test_a_merge_on_a_vault_changed_since_is_refused_and_planned_again(
        qtbot: QtBot, diverged_window: tuple[MainWindow, Path], vault_path: Path) -> None:
    unlocked, backup = diverged_window
    dialog = open_merge(qtbot, unlocked, backup)
    choose(dialog, "key 0", NEWER)
    other = Vault.open(vault_path, PASSWORD)  # another window saves meanwhile
    edited(other, {"key 0": ("changed elsewhere, even later", 5)})
    other.lock()
    click(qtbot, dialog.merge_button)
    answer_yes(qtbot, question_of(qtbot, dialog))
    qtbot.waitUntil(lambda: dialog.error.text() == STALE, timeout=10_000)
    on_disk = {e.label: e for e in Vault.open(vault_path, PASSWORD).entries}
    assert "Kraken new" not in on_disk  # nothing written
    assert on_disk["key 0"].notes == "changed elsewhere, even later"
    assert rows(dialog)["key 0"] == ("same key, changed", "this vault's")  # planned again
    assert dialog.merge_button.isEnabled()
    merge(qtbot, unlocked, dialog, "Merge: add 1, keep this vault's 1, skip 2")
    on_disk = {e.label: e for e in Vault.open(vault_path, PASSWORD).entries}
    assert on_disk["key 0"].notes == "changed elsewhere, even later"
    assert "Kraken new" in on_disk


def test_lock_closes_the_merge_dialog_and_forgets_the_plan(
        qtbot: QtBot, diverged_window: tuple[MainWindow, Path], vault_path: Path) -> None:
    unlocked, backup = diverged_window
    dialog = open_merge(qtbot, unlocked, backup)
    click(qtbot, dialog.merge_button)
    box = question_of(qtbot, dialog)
    unlocked.act_lock.trigger()
    assert unlocked.backup_dialog is None
    assert dialog.plan is None and dialog.table.rowCount() == 0  # wiped at once
    qtbot.waitUntil(lambda: closed(dialog) and closed(box))
    qtbot.waitUntil(lambda: not unlocked.ops.busy)  # (the unlock page's folder check)
    assert "Kraken new" not in [e.label for e in Vault.open(vault_path, PASSWORD).entries]


def test_a_restored_vault_left_unanswered_at_a_lock_is_locked_too(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    backup = backup_of(vault_path, tmp_path / "b.vault")
    dialog = open_restore(qtbot, unlocked)
    fill(qtbot, dialog, backup, PASSWORD)
    click(qtbot, dialog.new)
    type_into(qtbot, dialog.new_path, str(tmp_path / "restored.vault"))
    click(qtbot, dialog.go)
    box = question_of(qtbot, dialog)
    restored = [w for w in (unlocked.backup_dialog,) if w is not None]
    assert restored == [dialog]
    unlocked.act_lock.trigger()  # the question is closed: "stay here", the new vault locked
    qtbot.waitUntil(lambda: closed(box) and closed(dialog))
    assert unlocked.vault is None
    assert unlocked.stack.currentWidget() is unlocked.unlock_page
    assert unlocked.unlock_page.path == vault_path  # not switched to the restored vault
    assert len(Vault.open(tmp_path / "restored.vault", PASSWORD).entries) == 3


def test_restore_never_writes_over_an_existing_file(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    backup = backup_of(vault_path, tmp_path / "b.vault")
    taken = tmp_path / "taken.vault"
    taken.write_bytes(b"another vault")
    dialog = open_restore(qtbot, unlocked)
    fill(qtbot, dialog, backup, PASSWORD)
    click(qtbot, dialog.new)
    type_into(qtbot, dialog.new_path, str(taken))
    click(qtbot, dialog.go)
    assert dialog.error.text().startswith(f"{taken} already exists")
    assert not unlocked.ops.busy
    assert taken.read_bytes() == b"another vault"


def test_a_read_only_vault_offers_only_a_new_vault(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    vault_path.chmod(0o400)
    try:
        window = make_window()
        unlock(qtbot, window)
        assert window.read_only
        dialog = open_restore(qtbot, window)
        assert not dialog.merge.isEnabled() and "read-only" in dialog.merge.text()
        assert dialog.new.isChecked() and dialog.new_path.isEnabled()
    finally:
        vault_path.chmod(0o600)


def test_tab_goes_from_choice_to_choice(
        qtbot: QtBot, diverged_window: tuple[MainWindow, Path]) -> None:
    unlocked, backup = diverged_window
    dialog = open_merge(qtbot, unlocked, backup)
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus)
    reached = []
    for _ in range(len(dialog.choice_boxes) + 1):
        qtbot.keyClick(QtWidgets.QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QtWidgets.QApplication.focusWidget())
    assert reached == [*dialog.choice_boxes.values(), dialog.set_all_buttons[NEWER]]


def test_a_new_vault_gets_the_backup_s_order_records(
        qtbot: QtBot, vault_path: Path, tmp_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    vault_with_orders(vault_path, orders_each=2).lock()  # alpha, beta, gamma
    backup = backup_of(vault_path, tmp_path / "b.vault")
    window = make_window()
    unlock(qtbot, window)
    dialog = open_restore(qtbot, window)
    fill(qtbot, dialog, backup, PASSWORD)
    click(qtbot, dialog.new)
    type_into(qtbot, dialog.new_path, str(tmp_path / "new.vault"))
    click(qtbot, dialog.go)
    box = question_of(qtbot, dialog)
    # the whole vault's journal: its keys' records and one of a key deleted since
    assert "Restored 3 keys and 7 order records into a new vault" in box.text()
    answer_default(qtbot, box)  # stay here
    qtbot.waitUntil(lambda: closed(dialog))
    assert window.vault is not None and window.vault.path == vault_path.resolve()
    new = Vault.open(tmp_path / "new.vault", PASSWORD)
    key_ids = {entry.id for entry in new.entries}
    records = journal_data(new.path, new.ensure_journal_key())
    assert len(records) == 7
    assert {record["key_id"] for record in records} == key_ids | {"a-key-removed-since"}


def test_each_conflict_says_what_differs_and_the_summary_names_the_keys(
        qtbot: QtBot, diverged_window: tuple[MainWindow, Path]) -> None:
    """In words, per row (not a tooltip), and the confirmation names what is replaced
    and what in it changes (u1 M2)."""
    unlocked, backup = diverged_window
    dialog = open_merge(qtbot, unlocked, backup)
    differs = {plain(dialog.table.item(r, 0).text()): dialog.table.item(r, 2).text()
               for r in range(dialog.table.rowCount())}
    assert differs["key 0"] == "notes" and differs["key 1"] == "notes"
    assert "exchange" in differs["Twin"] and "credentials" in differs["Twin"]
    choose(dialog, "key 0", NEWER)
    choose(dialog, "Twin", BOTH)
    click(qtbot, dialog.merge_button)
    box = question_of(qtbot, dialog)
    text = plain(box.text())
    assert "Added: “Kraken new”" in text
    assert "Replaced: “key 0” (notes)" in text
    assert "Skipped: “key 1”" in text
    answer_default(qtbot, box)


def test_keep_both_of_the_same_api_key_says_so_on_the_choice(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, tmp_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    """The core allows keeping both (the user asked for it); the choice itself says that
    stores one API key twice, which the key form would refuse (u1 M3)."""
    source = Vault.open(vault_path, PASSWORD)
    copy = source.save_copy(tmp_path / "copy.vault")
    okx = copy.find("OKX main")
    assert okx is not None
    clone = replace(make_entry("OKX renamed", "okx", credentials=dict(okx.credentials)),
                    updated_at=hours_on(1))
    copy.transform(lambda entries: [e for e in entries if e.id != okx.id] + [clone])
    target = tmp_path / "same-key.vault"
    export_backup(copy, target, PASSWORD)
    copy.lock()
    source.lock()
    window = make_window()
    unlock(qtbot, window)
    dialog = open_merge(qtbot, window, target)
    [conflict] = dialog.plan.conflicts  # type: ignore[union-attr]
    assert conflict.kind == "same_api_key"
    box = dialog.choice_boxes[conflict.key]
    assert [box.itemData(i) for i in range(box.count())] == [SKIP, NEWER, BOTH]
    assert box.itemText(box.findData(BOTH)) == "Keep both: one API key twice"
    click(qtbot, dialog.set_all_buttons[BOTH])
    assert dialog.choices() == {conflict.key: BOTH}
    click(qtbot, dialog.merge_button)
    question = question_of(qtbot, dialog)
    assert "Added beside this vault's, as “(restored)”: “OKX renamed”" in plain(question.text())
    answer_default(qtbot, question)


def test_labels_from_a_backup_are_shown_escaped_and_isolated(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, tmp_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    """A right-to-left override in a crafted label mirrored the rest of the counts line
    (a1 #5): every label is escaped (\\u202e shown as text) and isolated."""
    source = Vault.open(vault_path, PASSWORD)
    copy = source.save_copy(tmp_path / "copy.vault")
    crafted = replace(make_entry("x", "binance"), label="Binance\u202e niam")
    changed = replace(copy.find("key 0"), label="key 0\u202e", notes="other",  # type: ignore[arg-type]
                      updated_at=hours_on(1))
    copy.transform(lambda entries: [changed if e.id == changed.id else e for e in entries]
                   + [crafted])
    target = tmp_path / "crafted.vault"
    export_backup(copy, target, PASSWORD)
    copy.lock()
    source.lock()
    window = make_window()
    unlock(qtbot, window)
    dialog = open_merge(qtbot, window, target)
    shown = [dialog.counts.text(), dialog.heading.text(),
             *(dialog.table.item(r, c).text() for r in range(dialog.table.rowCount())
               for c in range(6))]
    assert not any("\u202e" in text for text in shown)
    assert "“\u2068Binance\\u202e niam\u2069”" in dialog.counts.text()
    assert "\\u202e" in dialog.table.item(0, 0).text()
    assert dialog.warnings.isVisible() and "direction characters" in dialog.warnings.text()
    choose(dialog, "key 0\u202e", NEWER)
    click(qtbot, dialog.merge_button)
    box = question_of(qtbot, dialog)
    assert "\u202e" not in box.text() and "\\u202e" in box.text()
    answer_default(qtbot, box)
