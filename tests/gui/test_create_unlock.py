"""The create and unlock screens: strength rules, wrong passwords, damaged files,
and a UI thread that keeps running while Argon2 works."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.file_info import inspect
from vault_app.core.kdf import KdfParams
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtCore, QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, click, labels_shown, type_into, unlock

NEW_PASSWORD = "quartz-nebula-violin-47-ember"


def test_create_a_vault_through_the_create_page(qtbot: QtBot, window: MainWindow,
                                               vault_path: Path, settings: Settings) -> None:
    page = window.create_page
    assert not vault_path.exists()
    assert window.stack.currentWidget() is page
    assert str(vault_path) in page.path_label.text()
    assert not page.create_button.isEnabled()
    assert not window.act_add.isEnabled() and not window.act_lock.isEnabled()

    type_into(qtbot, page.password, NEW_PASSWORD)
    assert not page.create_button.isEnabled(), "enabled before the password was repeated"
    type_into(qtbot, page.confirm, NEW_PASSWORD)
    assert page.create_button.isEnabled()

    with qtbot.waitSignal(window.unlocked, timeout=30_000):  # the production KDF
        click(qtbot, page.create_button)
        assert page.busy.isVisible()
        assert not page.password.isEnabled() and not page.create_button.isEnabled()
    assert window.stack.currentWidget() is window.vault_page
    assert window.vault is not None and len(window.vault) == 0
    assert window.proxy.rowCount() == 0
    assert window.act_add.isEnabled() and window.act_lock.isEnabled()
    assert page.password.text() == "" and page.confirm.text() == "", "password left in widgets"
    assert settings.recent_vaults == [vault_path.resolve()]

    assert inspect(vault_path).kdf == KdfParams.default()
    reopened = Vault.open(vault_path, NEW_PASSWORD)
    assert len(reopened) == 0


@pytest.mark.parametrize(("password", "confirmation", "mismatch_shown"), [
    ("password1234", "password1234", False),   # very weak, even though both match
    ("aaaaaaaaaaaa", "aaaaaaaaaaaa", False),
    (NEW_PASSWORD, "quartz-nebula-violin-47-embers", True),  # the repeat is longer
    (NEW_PASSWORD, "Quartz-nebula", True),  # the repeat differs
    (NEW_PASSWORD, "quartz-nebula", False),  # still typing the repeat: no message yet
])
def test_create_stays_disabled_for_weak_or_mismatched_passwords(
        qtbot: QtBot, window: MainWindow, vault_path: Path, password: str,
        confirmation: str, mismatch_shown: bool) -> None:
    page = window.create_page
    type_into(qtbot, page.password, password)
    type_into(qtbot, page.confirm, confirmation)
    assert not page.create_button.isEnabled()
    if password == confirmation:
        assert "not accepted" in page.feedback.text()
    assert page.error.isVisible() == mismatch_shown
    if mismatch_shown:
        assert "do not match" in page.error.text()
    # Enter in the repeat field submits the page: it must not create anything either.
    with qtbot.assertNotEmitted(page.create_requested):
        qtbot.keyClick(page.confirm, Qt.Key.Key_Return)
    assert not window.ops.busy
    assert not vault_path.exists()
    assert window.stack.currentWidget() is page


def test_wrong_password_shows_inline_message_then_right_one_unlocks(
        qtbot: QtBot, sample_vault: Vault, window: MainWindow) -> None:
    page = window.unlock_page
    assert window.stack.currentWidget() is page
    assert not page.error.isVisible()
    type_into(qtbot, page.password, "not the password")
    with qtbot.waitSignal(window.ops.busy_changed, timeout=SIGNAL_TIMEOUT,
                          check_params_cb=lambda busy: not busy):
        qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(page.error.isVisible)
    assert "Wrong master password" in page.error.text()
    assert window.vault is None
    assert window.stack.currentWidget() is page
    assert page.password.isEnabled() and page.unlock.isEnabled()
    assert page.password.hasFocus(), "focus should return to the password to retype it"
    assert window.proxy.rowCount() == 0
    assert not getattr(window, "damaged_dialog", None), "a wrong password is not damage"

    unlock(qtbot, window, PASSWORD)
    assert window.vault is not None
    assert sorted(labels_shown(window)) == sorted(("key 0", "key 1", "OKX main"))
    assert page.password.text() == ""


def test_empty_password_asks_for_one(qtbot: QtBot, sample_vault: Vault,
                                    window: MainWindow) -> None:
    page = window.unlock_page
    with qtbot.assertNotEmitted(page.unlock_requested):
        click(qtbot, page.unlock)
    assert page.error.isVisible() and "Enter the master password" in page.error.text()
    qtbot.waitUntil(lambda: not window.ops.busy)  # the page's folder check may be running
    assert window.vault is None and window.stack.currentWidget() is page


def test_damaged_vault_shows_the_damaged_dialog_and_leaves_the_file_alone(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path,
        make_window: Callable[..., MainWindow]) -> None:
    data = bytearray(vault_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    vault_path.write_bytes(bytes(data))
    damaged = bytes(data)
    folder_before = sorted(p.name for p in vault_path.parent.iterdir())

    window = make_window()
    page = window.unlock_page
    type_into(qtbot, page.password, PASSWORD)
    click(qtbot, page.unlock)
    qtbot.waitUntil(lambda: getattr(window, "damaged_dialog", None) is not None,
                    timeout=SIGNAL_TIMEOUT)
    box = window.damaged_dialog
    assert isinstance(box, QtWidgets.QMessageBox)
    qtbot.waitUntil(box.isVisible)
    assert box.windowTitle() == "Vault file damaged"
    assert "could not be read" in box.text() and "was not changed" in box.text()
    assert "Wrong master password" not in page.error.text()
    assert "cannot be opened" in page.error.text()
    assert window.vault is None
    assert window.stack.currentWidget() is page

    ok = box.button(QtWidgets.QMessageBox.StandardButton.Ok)
    with qtbot.waitSignal(box.finished, timeout=SIGNAL_TIMEOUT):
        click(qtbot, ok)
    assert not box.isVisible()
    assert vault_path.read_bytes() == damaged, "the damaged file was modified"
    assert sorted(p.name for p in vault_path.parent.iterdir()) == folder_before


@pytest.mark.slow
def test_ui_thread_stays_free_while_the_production_kdf_runs(
        qtbot: QtBot, vault_path: Path, make_window: Callable[..., MainWindow]) -> None:
    Vault.create(vault_path, PASSWORD).lock()  # KdfParams.default(): Argon2id, 256 MiB
    assert inspect(vault_path).kdf == KdfParams.default()
    window = make_window()
    type_into(qtbot, window.unlock_page.password, PASSWORD)

    ticks: list[float] = []
    timer = QtCore.QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    try:
        qtbot.waitUntil(lambda: len(ticks) >= 3)
        start = time.perf_counter()
        with qtbot.waitSignal(window.unlocked, timeout=30_000):
            click(qtbot, window.unlock_page.unlock)
        end = time.perf_counter()
    finally:
        timer.stop()

    assert end - start > 0.1, f"unlock took {end - start:.3f} s: did the KDF really run?"
    during = [start, *(t for t in ticks if start < t < end), end]
    gaps = [later - earlier for earlier, later in itertools.pairwise(during)]
    assert len(during) > 5
    assert max(gaps) < 0.2, (f"the UI thread stalled for {max(gaps) * 1000:.0f} ms "
                             f"during a {end - start:.2f} s unlock")
    assert window.vault is not None
