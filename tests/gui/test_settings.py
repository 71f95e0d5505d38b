"""The settings dialog stores choices in QSettings, and QSettings never holds a secret."""

from __future__ import annotations

import configparser
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.settings_dialog import SettingsDialog
from vault_app.gui.window import MainWindow

from .helpers import (
    CTRL,
    SIGNAL_TIMEOUT,
    click,
    fill_form,
    open_add_form,
    open_form,
    reactivate,
    save_form,
    select,
    type_into,
    unlock,
    wait_for_dialog,
)

WRONG_PASSWORD = "tr0ub4dor&3 not it"
NEW_CREDENTIALS = {"apiKey": "NEWKEY-3f6a2b7c11aa", "secret": "NEWSECRET-9b0d5d2a8e7f",
                   "password": "NEWPASS-c01e4b"}


def open_settings(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    reactivate(qtbot, window)
    focus = QtWidgets.QApplication.focusWidget()
    assert focus is not None and focus.window() is window
    qtbot.keyClick(focus, Qt.Key.Key_Comma, CTRL)
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    wait_for_dialog(qtbot, dialog)
    return dialog


def ok_button(dialog: QtWidgets.QDialog) -> QtWidgets.QPushButton:
    box = dialog.findChild(QtWidgets.QDialogButtonBox)
    assert box is not None
    button = box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


def read_ini(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    return {f"{section}/{key}": value for section in parser.sections()
            for key, value in parser[section].items()}


def test_settings_dialog_saves_to_qsettings(qtbot: QtBot, unlocked: MainWindow,
                                            settings_path: Path) -> None:
    window = unlocked
    dialog = open_settings(qtbot, window)
    assert dialog.clipboard_seconds.value() == 20
    assert dialog.autolock_minutes.value() == 5
    assert dialog.theme.currentData() == "system"

    type_into(qtbot, dialog.clipboard_seconds, "45")
    type_into(qtbot, dialog.autolock_minutes, "2")
    click(qtbot, dialog.lock_on_minimize)
    dialog.theme.setFocus()
    qtbot.keyClick(dialog.theme, Qt.Key.Key_End)  # the last choice: Dark
    assert dialog.theme.currentData() == "dark"
    with qtbot.waitSignal(dialog.accepted, timeout=SIGNAL_TIMEOUT):
        click(qtbot, ok_button(dialog))

    stored = read_ini(settings_path)
    assert stored["security/clipboard_seconds"] == "45"
    assert stored["security/autolock_minutes"] == "2"
    assert stored["security/lock_on_minimize"] == "true"
    assert stored["appearance/theme"] == "dark"
    fresh = Settings(QtCore.QSettings(str(settings_path), QtCore.QSettings.Format.IniFormat))
    assert (fresh.clipboard_seconds, fresh.autolock_minutes, fresh.lock_on_minimize,
            fresh.theme) == (45, 2, True, "dark")

    # and they take effect at once
    assert window.clipboard.seconds == 45
    assert window.idle.active and window.idle._timer.interval() == 2 * 60_000
    window_color = QtWidgets.QApplication.palette().color(QtGui.QPalette.ColorRole.Window)
    assert window_color.lightness() < 128, "the dark theme was not applied"


def test_cancel_changes_nothing(qtbot: QtBot, unlocked: MainWindow,
                                settings: Settings, settings_path: Path) -> None:
    before = settings_path.read_bytes() if settings_path.exists() else b""
    dialog = open_settings(qtbot, unlocked)
    type_into(qtbot, dialog.clipboard_seconds, "99")
    with qtbot.waitSignal(dialog.rejected, timeout=SIGNAL_TIMEOUT):
        qtbot.keyClick(dialog.clipboard_seconds, Qt.Key.Key_Escape)
    settings.sync()
    assert (settings_path.read_bytes() if settings_path.exists() else b"") == before
    assert settings.clipboard_seconds == 20
    assert unlocked.clipboard.seconds == 20


def test_no_secret_ever_reaches_the_settings_file(
        qtbot: QtBot, unlocked: MainWindow, vault_path: Path, settings_path: Path,
        isolated_home: Path) -> None:
    window = unlocked
    secrets = {PASSWORD, WRONG_PASSWORD, *NEW_CREDENTIALS.values()}
    secrets |= {value for entry in Vault.open(vault_path, PASSWORD).entries
                for value in entry.credentials.values()}

    # a full session: reveal, copy, add, edit, settings, lock, a wrong password, unlock
    select(qtbot, window, "OKX main")
    click(qtbot, window.detail.rows["secret"].reveal)
    window.act_copy_secret.trigger()
    form = open_add_form(qtbot, window)
    fill_form(qtbot, form, exchange="okx", label="Session key", credentials=NEW_CREDENTIALS)
    save_form(qtbot, window, form)
    window.act_edit.trigger()
    form = open_form(qtbot, window)
    fill_form(qtbot, form, permissions={"trade": True})
    save_form(qtbot, window, form)
    dialog = open_settings(qtbot, window)
    with qtbot.waitSignal(dialog.accepted, timeout=SIGNAL_TIMEOUT):
        click(qtbot, ok_button(dialog))
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        window.act_lock.trigger()
    type_into(qtbot, window.unlock_page.password, WRONG_PASSWORD)
    click(qtbot, window.unlock_page.unlock)
    qtbot.waitUntil(window.unlock_page.error.isVisible, timeout=SIGNAL_TIMEOUT)
    unlock(qtbot, window)
    window.close()

    assert settings_path.exists()
    text = settings_path.read_text(encoding="utf-8")
    leaked = sorted(secret for secret in secrets if secret in text)
    assert leaked == [], f"secrets in the settings file: {leaked}"
    assert set(read_ini(settings_path)) <= {
        "security/clipboard_seconds", "security/autolock_minutes",
        "security/lock_on_minimize", "appearance/theme", "vaults/recent"}
    assert str(vault_path.resolve()) in read_ini(settings_path)["vaults/recent"]
    # and the real (here: redirected) user configuration was never written
    assert [p for p in isolated_home.rglob("*") if p.is_file()] == []
