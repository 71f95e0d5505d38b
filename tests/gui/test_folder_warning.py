"""Warn, persistently, when other users can write the vault's folder.

The warning used to be a status-bar message shown only after the password was
typed, and gone with the next message. It is now on the unlock page before the
password, and in a banner above the key list for as long as the vault is open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from vault_app.core.vault import Vault
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, unlock


def shared_vault(tmp_path: Path, new_vault: Callable[..., Vault]) -> Path:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    path = shared / "v.vault"
    new_vault(1, path=path).lock()
    return path


def test_shared_folder_is_warned_before_the_password_and_while_open(
    qtbot: QtBot, tmp_path: Path, new_vault: Callable[..., Vault],
    make_window: Callable[..., MainWindow]
) -> None:
    path = shared_vault(tmp_path, new_vault)
    window = make_window(path)
    page = window.unlock_page
    qtbot.waitUntil(page.folder_warning.isVisible)  # nothing typed yet
    assert page.password.text() == ""
    text = page.folder_warning.text()
    assert text.startswith("Warning: ")
    assert str(path.parent) in text and "writable by all users" in text

    unlock(qtbot, window)
    banner = window.folder_banner
    assert banner.isVisible() and banner.text() == text
    assert not window.statusBar().currentMessage().startswith("Warning")  # not twice
    window.statusBar().showMessage("Saved at 12:00:00.")  # the next message
    assert banner.isVisible() and banner.text() == text  # the warning stays

    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        window.act_lock.trigger()
    assert not banner.isVisible()
    qtbot.waitUntil(page.folder_warning.isVisible)  # the unlock page warns again


def test_private_folder_shows_no_warning(qtbot: QtBot, new_vault: Callable[..., Vault],
                                        make_window: Callable[..., MainWindow]) -> None:
    new_vault(1).lock()
    window = make_window()
    qtbot.waitUntil(lambda: not window.ops.busy)  # the folder was checked
    assert not window.unlock_page.folder_warning.isVisible()
    unlock(qtbot, window)
    assert not window.folder_banner.isVisible()
    assert "Warning" not in window.statusBar().currentMessage()
