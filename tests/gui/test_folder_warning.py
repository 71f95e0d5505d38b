"""The status bar warns after unlock when other users can write the vault's folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from vault_app.core.vault import Vault
from vault_app.gui.window import MainWindow

from .helpers import unlock


def test_shared_folder_is_warned_in_the_status_bar(
    qtbot: QtBot, tmp_path: Path, new_vault: Callable[..., Vault],
    make_window: Callable[..., MainWindow]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    path = shared / "v.vault"
    new_vault(1, path=path).lock()
    window = make_window(path)
    unlock(qtbot, window)
    message = window.statusBar().currentMessage()
    assert message.startswith("Warning: ")
    assert str(shared) in message and "writable by all users" in message


def test_private_folder_shows_no_warning(qtbot: QtBot, new_vault: Callable[..., Vault],
                                        make_window: Callable[..., MainWindow]) -> None:
    new_vault(1).lock()
    window = make_window()
    unlock(qtbot, window)
    assert "Warning" not in window.statusBar().currentMessage()
