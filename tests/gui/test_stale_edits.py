"""Two windows (or a window and another process) on one vault: no edit is lost.

Issue 7.1: a stale edit form used to send every field as it was when it
opened, so saving a notes edit put back what another window had changed. The
window now follows the file (reload on change, no KDF) and edits carry their
base: the core merges them, and a field changed on both sides is asked about.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD, make_entry
from vault_app.core.vault import Vault
from vault_app.gui.conflict_dialog import ConflictDialog
from vault_app.gui.edit_flow import DELETED_FORM, STALE_FORM
from vault_app.gui.key_form import KeyForm
from vault_app.gui.qt import QtWidgets
from vault_app.gui.window import RELOADED, MainWindow

from .helpers import (
    SIGNAL_TIMEOUT,
    click,
    labels_shown,
    open_form,
    reactivate,
    save_form,
    select,
    type_into,
    unlock,
    wait_for_dialog,
)


def on_disk(path: Path, label: str = "key 0") -> object:
    return Vault.open(path, PASSWORD).find(label)


def edit(qtbot: QtBot, window: MainWindow, label: str) -> KeyForm:
    reactivate(qtbot, window)
    select(qtbot, window, label)
    window.act_edit.trigger()
    return open_form(qtbot, window)


def two_windows(qtbot: QtBot, make_window: Callable[..., MainWindow]
                ) -> tuple[MainWindow, MainWindow]:
    a, b = make_window(), make_window()
    unlock(qtbot, a)
    unlock(qtbot, b)
    return a, b


def give_withdraw(vault_path: Path) -> None:
    vault = Vault.open(vault_path, PASSWORD)
    vault.update(vault.find("key 0").id, {"permissions": "read,trade,withdraw"})


def test_a_stale_window_keeps_withdraw_removed_in_another_window(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    give_withdraw(vault_path)
    a, b = two_windows(qtbot, make_window)
    form_b = edit(qtbot, b, "key 0")  # opened before A's change: shows withdraw on
    assert form_b.permission_boxes["withdraw"].isChecked()

    form_a = edit(qtbot, a, "key 0")
    click(qtbot, form_a.permission_boxes["withdraw"])
    with qtbot.waitSignal(b.reloaded, timeout=SIGNAL_TIMEOUT):
        save_form(qtbot, a, form_a)
    assert on_disk(vault_path).permissions == ("read", "trade")

    assert b.statusBar().currentMessage() == RELOADED
    qtbot.waitUntil(form_b.stale_banner.isVisible)
    assert form_b.stale_banner.text() == STALE_FORM.format(fields="permissions")
    layout = form_b.layout()
    assert form_b.height() >= layout.totalHeightForWidth(form_b.width())  # grew: no overlap
    assert form_b.permission_boxes["withdraw"].isChecked()  # what the user typed stays
    reactivate(qtbot, form_b)
    type_into(qtbot, form_b.notes, "moved to the bot server")
    save_form(qtbot, b, form_b)

    stored = on_disk(vault_path)
    assert stored.permissions == ("read", "trade")
    assert stored.notes == "moved to the bot server"
    assert b.current_entry() == stored


def test_a_stale_window_keeps_a_secret_rotated_in_another_window(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    a, b = two_windows(qtbot, make_window)
    form_b = edit(qtbot, b, "key 0")
    form_a = edit(qtbot, a, "key 0")
    type_into(qtbot, form_a.credential_fields["secret"], "rotated-in-a")
    save_form(qtbot, a, form_a)
    rotated = on_disk(vault_path)

    reactivate(qtbot, form_b)
    type_into(qtbot, form_b.notes, "B's note")
    save_form(qtbot, b, form_b)

    stored = on_disk(vault_path)
    assert stored.credentials["secret"] == "rotated-in-a"
    assert stored.rotated_at == rotated.rotated_at
    assert stored.notes == "B's note"


def test_the_window_reloads_when_another_process_saves(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    type_into(qtbot, window.search, "key")
    select(qtbot, window, "key 1")
    other = Vault.open(vault_path, PASSWORD)
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.add(make_entry("key 2", "binance"))
    assert window.statusBar().currentMessage() == RELOADED
    assert window.search.text() == "key"
    assert labels_shown(window) == ["key 0", "key 1", "key 2"]
    current = window.current_entry()
    assert current is not None and current.label == "key 1"
    assert window.detail.entry == current

    # The save replaced the file (a new inode): the watcher must still be armed.
    assert str(vault_path) in window.watcher.watched()
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.remove(other.find("key 0").id)
    assert labels_shown(window) == ["key 1", "key 2"]
    current = window.current_entry()
    assert current is not None and current.label == "key 1"


def test_a_conflict_asks_per_field_and_saves_the_choices(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.update(key.id, {"notes": "their note", "tags": "theirs",
                              "credentials": {**key.credentials, "secret": "their-secret"}},
                     base=key)
    before = vault_path.read_bytes()

    reactivate(qtbot, form)
    type_into(qtbot, form.notes, "my note")
    type_into(qtbot, form.credential_fields["secret"], "my-secret")
    type_into(qtbot, form.ips, "203.0.113.7")  # changed only here: applies
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    dialog = window.conflict_dialog
    assert isinstance(dialog, ConflictDialog)
    wait_for_dialog(qtbot, dialog)
    assert vault_path.read_bytes() == before  # nothing written yet

    assert [c.name for c in dialog.conflicts] == ["secret", "notes"]  # form order; not tags
    mine, theirs = dialog.values["notes"]
    assert (mine.text(), theirs.text()) == ("my note", "their note")
    mine, theirs = dialog.values["secret"]
    assert mine.text() == theirs.text() == "•" * 8
    assert "notes" not in dialog.reveal_buttons
    click(qtbot, dialog.reveal_buttons["secret"])
    assert (mine.text(), theirs.text()) == ("my-secret", "their-secret")
    click(qtbot, dialog.reveal_buttons["secret"])
    assert mine.text() == "•" * 8

    assert not dialog.save.isEnabled()  # every field needs a choice
    click(qtbot, dialog.mine_buttons["notes"])
    assert not dialog.save.isEnabled()
    click(qtbot, dialog.theirs_buttons["secret"])
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, dialog.save)

    stored = on_disk(vault_path)
    assert stored.notes == "my note"
    assert stored.credentials["secret"] == "their-secret"
    assert stored.tags == ("theirs",)
    assert stored.ip_whitelist == ("203.0.113.7",)
    assert window.conflict_dialog is None and window.form is None


def test_cancelling_the_conflict_writes_nothing_and_keeps_the_edit(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    other.update(other.find("key 0").id, {"notes": "their note"})
    before = vault_path.read_bytes()

    reactivate(qtbot, form)
    type_into(qtbot, form.notes, "my note")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    dialog = window.conflict_dialog
    assert dialog is not None
    wait_for_dialog(qtbot, dialog)
    dialog.reject()

    qtbot.waitUntil(form.general_error.isVisible)
    assert "save again" in form.general_error.text()
    assert form.notes.toPlainText() == "my note" and form.isVisible()
    assert vault_path.read_bytes() == before


def test_a_key_deleted_underneath_can_be_added_back(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    old = other.find("key 0")
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.remove(old.id)
    qtbot.waitUntil(form.stale_banner.isVisible)
    assert form.stale_banner.text() == DELETED_FORM
    assert "key 0" not in labels_shown(window)

    reactivate(qtbot, form)
    type_into(qtbot, form.notes, "still needed")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.removed_dialog is not None)
    box = window.removed_dialog
    assert box is not None
    wait_for_dialog(qtbot, box)
    assert "was deleted by another window or process" in box.text()
    add_back = next(b for b in box.buttons() if b.text() == "Add back as a new key")
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, add_back)

    stored = on_disk(vault_path)
    assert stored.notes == "still needed"
    assert (stored.id, stored.created_at, stored.rotated_at) == \
        (old.id, old.created_at, old.rotated_at)  # the same key, back; not rotated
    assert "key 0" in labels_shown(window)


def test_locking_closes_the_conflict_dialog_and_wipes_its_values(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    other.update(key.id, {"credentials": {**key.credentials, "secret": "their-secret"}},
                 base=key)
    before = vault_path.read_bytes()
    reactivate(qtbot, form)
    type_into(qtbot, form.credential_fields["secret"], "my-secret")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    dialog = window.conflict_dialog
    assert dialog is not None
    wait_for_dialog(qtbot, dialog)
    click(qtbot, dialog.reveal_buttons["secret"])
    assert dialog.values["secret"][0].text() == "my-secret"

    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        window.act_lock.trigger()
    assert not dialog.isVisible() and not form.isVisible()
    assert all(label.text() == "" for pair in dialog.values.values() for label in pair)
    assert window.conflict_dialog is None and window.form is None
    qtbot.waitUntil(lambda: not window.ops.busy)  # no save was started
    assert vault_path.read_bytes() == before


def test_a_use_elsewhere_reloads_without_flagging_the_open_form(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    with qtbot.waitSignal(window.reloaded, timeout=SIGNAL_TIMEOUT):
        other.mark_used(other.find("key 0").id)
    current = window.current_entry()
    assert current is not None and current.last_used_at is not None
    assert not form.stale_banner.isVisible()


def test_cancelling_a_form_whose_save_meets_a_conflict_asks_nothing_and_lock_works(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    """The user pressed Escape while a save was in flight, and the save came back with
    a conflict. The window opened the conflict dialog on the closing form; it went
    with the form, unanswered, and lock() then reached for the deleted dialog and
    raised before forgetting the key, so neither Ctrl+L nor auto-lock worked again."""
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    other.update(key.id, {"notes": "their note"}, base=key)
    before = vault_path.read_bytes()
    reactivate(qtbot, form)
    type_into(qtbot, form.notes, "my note")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    form.reject()  # before the save's answer reaches the GUI thread
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=SIGNAL_TIMEOUT)
    qtbot.wait(50)  # deferred deletions
    assert window.conflict_dialog is None
    assert window.findChildren(ConflictDialog) == []
    vault = window.vault
    assert vault is not None
    window.lock()
    assert window.vault is None
    qtbot.waitUntil(lambda: vault.is_locked, timeout=SIGNAL_TIMEOUT)
    assert vault_path.read_bytes() == before  # nothing was written


def test_keep_mine_against_a_value_changed_again_meanwhile_asks_again(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, unlocked: MainWindow) -> None:
    """'Keep mine' answers the value the dialog showed. If another window changes the
    same field again while the dialog is open, the user is asked about the new value
    instead of overwriting something never seen."""
    window = unlocked
    form = edit(qtbot, window, "key 0")
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    other.update(key.id, {"notes": "theirs 1"}, base=key)
    reactivate(qtbot, form)
    type_into(qtbot, form.notes, "mine")
    click(qtbot, form.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: window.conflict_dialog is not None)
    first = window.conflict_dialog
    assert first is not None
    wait_for_dialog(qtbot, first)
    other.update(key.id, {"notes": "theirs 2"}, base=other.get(key.id))  # meanwhile
    click(qtbot, first.mine_buttons["notes"])
    click(qtbot, first.save)
    qtbot.waitUntil(lambda: window.conflict_dialog not in (None, first))
    second = window.conflict_dialog
    assert second is not None
    assert [(c.name, c.theirs) for c in second.conflicts] == [("notes", "theirs 2")]
    assert on_disk(vault_path).notes == "theirs 2"  # nothing written yet
    wait_for_dialog(qtbot, second)
    click(qtbot, second.mine_buttons["notes"])
    with qtbot.waitSignal(form.finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, second.save)
    assert on_disk(vault_path).notes == "mine"
