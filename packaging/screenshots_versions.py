"""The previous-versions, master-password and second-folder screens for
``packaging/screenshots.py``: the vault's settings with a second folder, the versions
dialog showing what a restore would change and its question, the password dialog
filled in and after the change (with the offer to refresh the second folder), and the
status bar's notice when the second folder is missing. Against a copy of the
screenshots' vault with a few saves made; nothing of the user's is touched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

NEW_PASSWORD = "tangerine orbit velvet cascade 42 harbour"


def versions_screens(tmp: Path, settings: Any, path: Path, password: str,
                     shoot: Callable[[Any, str], None],
                     wait_until: Callable[[Any], None]) -> None:
    from vault_app.core.vault import Vault
    from vault_app.gui.password_dialog import PasswordDialog
    from vault_app.gui.settings import SecondFolder
    from vault_app.gui.settings_dialog import SettingsDialog
    from vault_app.gui.vault_settings import VaultSettingsBox
    from vault_app.gui.versions_dialog import VersionsDialog
    from vault_app.gui.window import MainWindow

    folder = tmp / "versions shots"
    folder.mkdir()
    copy_path = folder / "keys.vault"
    shutil.copyfile(path, copy_path)
    vault = Vault.open(copy_path, password)  # a few saves: each keeps a version
    vault.update(vault.find("OKX grid").id, {"ip_whitelist": "203.0.113.9",
                                             "notes": "Moved to the new server."})
    vault.remove(vault.find("Gate treasury").id)
    vault.update(vault.find("Kraken tax export").id, {"tags": ("tax", "2026")})
    vault.lock()
    usb = tmp / "USB stick" / "vault copies"
    usb.mkdir(parents=True)

    window = MainWindow(settings, copy_path)
    window.resize(1200, 700)
    window.show()
    window.unlock(copy_path, password)
    wait_until(lambda: window.vault is not None)
    opened = window.vault
    settings.set_second_folder(opened.given_path, SecondFolder(usb, 30, 10))

    box = VaultSettingsBox(window, opened)
    dialog = SettingsDialog(settings, window, box)
    dialog.show()
    wait_until(lambda: "Counting" not in box.usage.text())
    shoot(dialog, "settings-vault")
    dialog.reject()

    versions = VersionsDialog(window, opened)
    window.vault_dialog = versions
    versions.show()
    wait_until(lambda: versions.table.topLevelItemCount() > 0)
    versions.table.setCurrentItem(versions.table.topLevelItem(2))
    wait_until(lambda: versions.restore_button.isEnabled())
    shoot(versions, "versions")
    versions.restore_button.click()
    wait_until(lambda: versions.question is not None and versions.question.isVisible())
    shoot(versions.question, "versions-confirm")
    versions.question.reject()
    versions.reject()

    settings.set_second_folder(opened.given_path, SecondFolder(tmp / "unplugged", 0, 10))
    window.copies.after_save()
    wait_until(lambda: window.copies.failing)
    shoot(window, "second-folder-notice")
    settings.set_second_folder(opened.given_path, SecondFolder(usb, 30, 10))

    change = PasswordDialog(window, opened)
    window.vault_dialog = change
    change.show()
    change.current.setText(password)
    change.fields.password.setText(NEW_PASSWORD)
    change.fields.confirm.setText(NEW_PASSWORD)
    change.fields.rate_now()
    shoot(change, "password-change")
    change.submit.click()
    wait_until(lambda: change.pages.currentWidget() is change.result_page, 120_000)
    shoot(change, "password-changed")
    change.reject()
    window.close()
