"""The window's side of the previous-versions and master-password dialogs.

One such dialog at a time, kept on the window (``window.vault_dialog``) so that
locking wipes and closes it (``close_vault_dialog``): nothing of the vault (labels,
field names, a password typed) stays on show after a lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.gui.import_dialog import ImportDialog
from vault_app.gui.password_dialog import PasswordDialog
from vault_app.gui.rotate_dialog import RotateDialog
from vault_app.gui.verify_dialog import VerifyDialog
from vault_app.gui.versions_dialog import VersionsDialog

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

Dialog = VersionsDialog | PasswordDialog | ImportDialog | RotateDialog | VerifyDialog


def close_vault_dialog(window: MainWindow) -> None:
    dialog, window.vault_dialog = window.vault_dialog, None
    if dialog is not None:
        dialog.wipe()


def _keep(window: MainWindow, dialog: Dialog) -> None:
    close_vault_dialog(window)
    window.vault_dialog = dialog

    def finished(_result: int) -> None:
        if window.vault_dialog is dialog:
            window.vault_dialog = None
        dialog.deleteLater()

    dialog.finished.connect(finished)
    dialog.open()


def open_versions(window: MainWindow) -> None:
    if window.vault is not None and not window.in_demo_vault:
        _keep(window, VersionsDialog(window, window.vault))


def open_rotate(window: MainWindow) -> None:
    entry = window.current_entry()
    if window.vault is not None and not window.read_only and entry is not None:
        _keep(window, RotateDialog(window, entry))


def open_password_change(window: MainWindow) -> None:
    if window.vault is not None and not window.in_demo_vault and not window.read_only:
        _keep(window, PasswordDialog(window, window.vault))


def open_import(window: MainWindow) -> None:
    if window.vault is not None and not window.in_demo_vault and not window.read_only:
        _keep(window, ImportDialog(window, window.vault))


def open_verify(window: MainWindow) -> None:
    """Ask the selected key's exchange what the key may do (``verify_dialog``)."""
    entry = window.current_entry()
    if window.vault is not None and entry is not None:
        _keep(window, VerifyDialog(window, entry))
