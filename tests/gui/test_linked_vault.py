"""A vault opened through a symbolic link (into a synced folder, say) stays a link.

The core saves at the link's target (issue 6.4); the app must also remember the
link, not the target it resolved to, or moving the synced folder and fixing the
link would leave the app opening the old file.
"""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.settings import Settings

from .helpers import SIGNAL_TIMEOUT, click, type_into, unlock


def test_a_vault_opened_through_a_link_is_remembered_as_the_link(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, tmp_path: Path,
        settings: Settings, make_window: object) -> None:
    link = tmp_path / "synced.vault"
    link.symlink_to(vault_path)
    window = make_window(link)  # type: ignore[operator]
    unlock(qtbot, window)
    assert window.vault is not None
    assert window.vault.path == vault_path.resolve()  # read and saved at the target
    assert settings.recent_vaults[0] == link
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        window.act_lock.trigger()
    assert window.vault_path == link  # unlocking again resolves the link again
    assert link.is_symlink()


def test_a_broken_link_shows_the_unlock_page_and_says_what_is_wrong(
        qtbot: QtBot, tmp_path: Path, make_window: object) -> None:
    link = tmp_path / "synced.vault"
    link.symlink_to(tmp_path / "moved away" / "vault.vault")
    window = make_window(link)  # type: ignore[operator]
    page = window.unlock_page
    assert window.stack.currentWidget() is page  # not "Create your vault" through it
    type_into(qtbot, page.password, PASSWORD)
    click(qtbot, page.unlock)
    qtbot.waitUntil(lambda: "symbolic link" in page.error.text(), timeout=SIGNAL_TIMEOUT)
    assert window.vault is None
    assert not (tmp_path / "moved away").exists()
