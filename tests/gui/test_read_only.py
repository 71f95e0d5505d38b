"""A vault that cannot be written opens read-only: said at unlock, in the title and a
banner; editing is disabled; "Save a copy as…" lets the user continue elsewhere."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from tests.gui.test_key_form import delete_dialog
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import CTRL, SIGNAL_TIMEOUT, labels_shown, select, unlock


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def read_only_window(qtbot: QtBot, sample_vault: Vault, vault_path: Path,
                     make_window: Callable[..., MainWindow]) -> Iterator[MainWindow]:
    vault_path.chmod(0o400)
    window = make_window()
    unlock(qtbot, window)
    yield window
    vault_path.chmod(0o600)


def test_a_0400_vault_opens_read_only_with_editing_disabled(
        qtbot: QtBot, read_only_window: MainWindow, vault_path: Path) -> None:
    window = read_only_window
    before = vault_path.read_bytes()
    assert window.windowTitle() == "vault.vault (read-only) — vault-app"
    assert window.read_only_banner.isVisible()
    assert "read-only" in window.read_only_label.text()
    assert "0400" in window.read_only_label.text()
    assert "read-only" in window.statusBar().currentMessage()
    assert window.save_copy_button.isVisible() and window.save_copy_button.isEnabled()
    select(qtbot, window, "OKX main")
    for action in (window.act_add, window.act_edit, window.act_delete):
        assert not action.isEnabled(), action.text()
    assert window.act_copy_secret.isEnabled() and window.act_save_copy.isEnabled()
    # the shortcuts and Enter on a row open nothing
    qtbot.keyClick(window.table, Qt.Key.Key_N, CTRL)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.form is None and window.delete_dialog is None
    # copying works, and records nothing in a file it may not write
    qtbot.keyClick(window.table, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert QtWidgets.QApplication.clipboard().text() == "secret-OKX main-value"
    assert not window.ops.busy
    assert vault_path.read_bytes() == before and mode(vault_path) == 0o400


def test_save_a_copy_continues_in_a_writable_copy(
        qtbot: QtBot, read_only_window: MainWindow, vault_path: Path, tmp_path: Path) -> None:
    window = read_only_window
    before = vault_path.read_bytes()
    target = tmp_path / "elsewhere" / "mine.vault"
    target.parent.mkdir()
    with qtbot.waitSignal(window.unlocked, timeout=SIGNAL_TIMEOUT):
        window.save_copy_to(target)
    assert window.vault is not None and window.vault.path == target
    assert window.windowTitle() == "mine.vault — vault-app"
    assert not window.read_only_banner.isVisible()
    assert window.act_add.isEnabled()
    assert sorted(labels_shown(window)) == ["OKX main", "key 0", "key 1"]
    assert str(target) in window.statusBar().currentMessage()
    assert vault_path.read_bytes() == before and mode(vault_path) == 0o400
    assert mode(target) == 0o600
    assert len(Vault.open(target, PASSWORD).entries) == 3  # the same master password


def test_save_a_copy_never_overwrites(qtbot: QtBot, read_only_window: MainWindow,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = read_only_window
    target = tmp_path / "taken.vault"
    target.write_bytes(b"someone's file")
    shown: list[str] = []
    monkeypatch.setattr(QtWidgets.QMessageBox, "critical",
                        lambda _parent, _title, text: shown.append(text))
    window.save_copy_to(target)
    qtbot.waitUntil(lambda: bool(shown))
    assert "refusing to overwrite" in shown[0]
    assert target.read_bytes() == b"someone's file"
    assert window.vault is not None and window.vault.path != target


def test_a_vault_made_read_only_after_unlock_is_announced_on_save(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path) -> None:
    window = unlocked
    assert not window.read_only_banner.isVisible() and window.act_delete.isEnabled()
    vault_path.chmod(0o400)
    select(qtbot, window, "key 0")
    errors: list[str] = []
    window._show_save_error = lambda exc: errors.append(str(exc))  # type: ignore[method-assign]
    window.act_delete.trigger()
    box = delete_dialog(qtbot, window)  # shown once the journal was read off the UI thread
    next(b for b in box.buttons() if b.text() == "Delete").click()
    qtbot.waitUntil(lambda: bool(errors))
    assert "read-only" in errors[0] and "nothing was written" in errors[0]
    assert window.read_only_banner.isVisible() and not window.act_delete.isEnabled()
    assert "(read-only)" in window.windowTitle()
    assert mode(vault_path) == 0o400
    vault_path.chmod(0o600)
