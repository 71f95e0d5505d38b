"""The window's actions: menus, toolbar and shortcuts, and when each is enabled."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vault_app.gui.backup.export_flow import open_export
from vault_app.gui.backup.restore_flow import open_restore
from vault_app.gui.qt import Qt, QtGui
from vault_app.gui.vault_dialogs import (
    open_import,
    open_password_change,
    open_rotate,
    open_verify,
    open_versions,
)

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow


def _action(window: MainWindow, text: str, slot: Callable[[], Any], shortcut: str | None = None,
            tip: str = "") -> QtGui.QAction:
    action = QtGui.QAction(text, window)
    if shortcut:
        action.setShortcut(QtGui.QKeySequence(shortcut))
    action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)  # shortcuts work even with the menu bar hidden
    return action


def build_actions(window: MainWindow) -> None:
    window.act_open = _action(window, "&Open vault file…", window.choose_vault_file, "Ctrl+O")
    window.act_new_vault = _action(window, "&New vault…", window.choose_new_vault_file)
    window.act_lock = _action(window, "&Lock", window.lock, "Ctrl+L", "Lock the vault now")
    window.act_settings = _action(window, "&Settings…", window.open_settings, "Ctrl+,")
    window.act_quit = _action(window, "&Quit", window.close, "Ctrl+Q")
    window.act_add = _action(window, "&Add key…", window.add_key, "Ctrl+N")
    window.act_edit = _action(window, "&Edit key…", window.edit_key, "Ctrl+E")
    window.act_delete = _action(window, "&Delete key…", window.delete_key, "Delete")
    # Rotation (gui/rotate_dialog): new credentials, the old ones kept in the history.
    window.act_rotate = _action(window, "R&otate key…", lambda: open_rotate(window), None,
                                "Enter the key's new credentials; the old ones are kept "
                                "in its history for a while")
    window.act_search = _action(window, "&Find", window.focus_search, "Ctrl+F")
    window.act_copy_key = _action(window, "Copy API &key", lambda: window.copy_credential(
        "apiKey", "API key"), "Ctrl+B")
    window.act_copy_secret = _action(window, "Copy &secret", lambda: window.copy_credential(
        "secret", "Secret"), "Ctrl+Shift+C")
    window.act_copy_passphrase = _action(
        window, "Copy &passphrase", lambda: window.copy_credential("password", "Passphrase"),
        "Ctrl+Shift+P")
    window.act_reveal = _action(window, "&Reveal or hide credentials", window.toggle_reveal,
                                "Ctrl+R", "Show or mask the selected key's credentials")
    window.act_show_keys = _action(window, "&Keys", window.show_keys, "Ctrl+1",
                                   "Show the keys")
    window.act_show_trading = _action(window, "&Trading", window.show_trading, "Ctrl+T",
                                      "Show the trading view")
    window.act_show_trading.setShortcuts([QtGui.QKeySequence("Ctrl+T"),
                                          QtGui.QKeySequence("Ctrl+2")])  # as 1 and 3
    window.act_show_portfolio = _action(window, "&Portfolio", window.show_portfolio, "Ctrl+3",
                                        "Show the balances across keys")
    window.act_save_copy = _action(
        window, "Save a &copy as…", window.save_copy, None,
        "Write a copy of this vault (same master password) to a new file and "
        "continue there")
    # Backups (gui/backup): export, restore into a new vault or merge into this one.
    window.act_export_backup = _action(
        window, "E&xport backup…", lambda: open_export(window), None,
        "Write a verified, encrypted backup of the whole vault or of chosen keys")
    window.act_restore_backup = _action(
        window, "&Restore from backup…", lambda: open_restore(window), None,
        "Restore a backup into a new vault, or merge it into this one")
    # Previous versions and the master password (gui/vault_dialogs).
    window.act_versions = _action(
        window, "Pre&vious versions…", lambda: open_versions(window), None,
        "See the versions each save kept, what restoring one would change, and restore it")
    window.act_change_password = _action(
        window, "Change master pass&word…", lambda: open_password_change(window), None,
        "Change the master password or the key derivation strength")
    window.act_import = _action(  # gui/import_dialog
        window, "&Import…", lambda: open_import(window), None,
        "Add keys from a freqtrade config, a .env file or a CSV export")
    # Verify a key against its exchange (gui/verify_dialog).
    window.act_verify = _action(
        window, "&Verify with exchange…", lambda: open_verify(window), None,
        "Ask the key's exchange what the key may really do and compare it with its labels")
    menu = window.menuBar()
    vault_menu = menu.addMenu("&Vault")
    for action in (window.act_new_vault, window.act_open, window.act_save_copy, None,
                   window.act_import, window.act_export_backup, window.act_restore_backup, None,
                   window.act_versions, window.act_change_password, None,
                   window.act_lock, window.act_settings, None, window.act_quit):
        vault_menu.addSeparator() if action is None else vault_menu.addAction(action)
    keys_menu = menu.addMenu("&Keys")
    for action in (window.act_add, window.act_edit, window.act_rotate, window.act_delete,
                   window.act_verify, None, window.act_copy_key,
                   window.act_copy_secret, window.act_copy_passphrase, window.act_reveal, None,
                   window.act_search):
        keys_menu.addSeparator() if action is None else keys_menu.addAction(action)
    view_menu = menu.addMenu("V&iew")
    for action in (window.act_show_keys, window.act_show_trading, window.act_show_portfolio):
        view_menu.addAction(action)
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for action in (window.act_add, window.act_edit, window.act_delete, window.act_copy_key,
                   window.act_copy_secret, window.act_lock):
        toolbar.addAction(action)
    window.toolbar = toolbar
    update_actions(window)


def update_actions(window: MainWindow) -> None:
    unlocked = window.vault is not None
    on_keys = window.on_keys_page()  # key actions only where the keys are shown
    writable = on_keys and not window.read_only
    has_entry = on_keys and window.current_entry() is not None
    window.toolbar.setVisible(unlocked)
    demo = window.in_demo_vault  # demo_mode.py says why these are off there
    for action in (window.act_lock, window.act_show_keys, window.act_show_trading,
                   window.act_show_portfolio):
        action.setEnabled(unlocked)
    window.act_search.setEnabled(on_keys)
    window.act_save_copy.setEnabled(unlocked and not demo)
    window.act_export_backup.setEnabled(unlocked and not demo)
    window.act_restore_backup.setEnabled(unlocked and not demo)
    window.act_versions.setEnabled(unlocked and not demo)
    window.act_change_password.setEnabled(unlocked and not demo and not window.read_only)
    window.act_add.setEnabled(writable and not demo)
    window.act_import.setEnabled(unlocked and not demo and not window.read_only)
    for action in (window.act_edit, window.act_delete, window.act_rotate):
        action.setEnabled(writable and has_entry)
    entry = window.current_entry() if has_entry else None
    window.act_copy_key.setEnabled(bool(entry and "apiKey" in entry.credentials))
    window.act_copy_secret.setEnabled(bool(entry and "secret" in entry.credentials))
    window.act_copy_passphrase.setEnabled(bool(entry and "password" in entry.credentials))
    window.act_reveal.setEnabled(bool(entry and entry.credentials))
    window.act_verify.setEnabled(entry is not None)
