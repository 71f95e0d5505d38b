"""The main window: create/unlock screens, the key list, and every action.

Widgets read fields and show results; the core does the work. Anything slow
(the KDF, saves) runs through ``OpRunner``; saves go through its single write
worker, one at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vault_app import __version__
from vault_app.core import errors
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.kdf import calibrate
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.autolock import IdleWatcher
from vault_app.gui.clipboard import SecretClipboard
from vault_app.gui.detail_pane import DetailPane
from vault_app.gui.glyphs import drawable_catalog
from vault_app.gui.key_form import KeyForm
from vault_app.gui.keys_model import (
    COL_ENV,
    COL_EXCHANGE,
    COL_LABEL,
    COL_PERMISSIONS,
    COL_ROTATION,
    ID_ROLE,
    KeyFilterProxy,
    KeyTableModel,
    PermissionBadgeDelegate,
)
from vault_app.gui.ops import OpRunner
from vault_app.gui.pages import CreatePage, UnlockPage
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.settings import Settings
from vault_app.gui.settings_dialog import SettingsDialog

DAMAGED_HELP = (
    "The vault file could not be read:\n\n{error}\n\n"
    "The file was not changed. If you have a backup copy of your vault, open it with "
    "“Open another vault file…”. Keep the damaged file: do not delete it."
)


class MainWindow(QtWidgets.QMainWindow):
    unlocked = Signal()
    locked = Signal()
    saved = Signal(str)

    def __init__(self, settings: Settings, vault_path: Path) -> None:
        super().__init__()
        self.setWindowTitle("vault-app")
        self.setObjectName("mainWindow")
        self.resize(1200, 700)
        self.settings = settings
        self.vault_path = vault_path
        self.vault: Vault | None = None
        self._catalog: Catalog | None = None
        self.form: KeyForm | None = None
        # The open dialogs, so that locking can close them (and tests can find them).
        self.delete_dialog: QtWidgets.QMessageBox | None = None
        self.damaged_dialog: QtWidgets.QMessageBox | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.ops = OpRunner(self)
        self.clipboard = SecretClipboard(settings.clipboard_seconds, self)
        self.clipboard.countdown.connect(
            lambda what, secs: self.statusBar().showMessage(
                f"{what} copied; clears in {secs} s."))
        self.clipboard.cleared.connect(
            lambda: self.statusBar().showMessage("Clipboard cleared.", 5000))
        self.clipboard.released.connect(self.statusBar().clearMessage)
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(self._lock_for_idle)

        self.stack = QtWidgets.QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.create_page = CreatePage(self)
        self.create_page.create_requested.connect(self.create_vault)
        self.create_page.open_other_requested.connect(self.choose_vault_file)
        self.unlock_page = UnlockPage(self)
        self.unlock_page.unlock_requested.connect(self.unlock)
        self.unlock_page.open_other_requested.connect(self.choose_vault_file)
        self.unlock_page.create_requested.connect(self.choose_new_vault_file)
        self.vault_page = self._build_vault_page()
        for page in (self.create_page, self.unlock_page, self.vault_page):
            self.stack.addWidget(page)
        self._build_actions()
        self.statusBar().showMessage(f"vault-app {__version__}")
        self.show_start_page(vault_path)

    # --- construction ----------------------------------------------------------
    def _build_vault_page(self) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget(self)
        page.setObjectName("vaultPage")
        layout = QtWidgets.QVBoxLayout(page)
        self.search = QtWidgets.QLineEdit(page)
        self.search.setPlaceholderText("Search labels, exchanges, tags, notes (Ctrl+F)")
        self.search.setAccessibleName("Search keys")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal, page)
        layout.addWidget(splitter, 1)
        self.model = KeyTableModel(self)
        self.proxy = KeyFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search.textChanged.connect(self.proxy.set_search)
        self.table = QtWidgets.QTableView(splitter)
        self.table.setObjectName("keyTable")
        self.table.setAccessibleName("Keys")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_LABEL, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setItemDelegateForColumn(COL_PERMISSIONS, PermissionBadgeDelegate(self.table))
        for column, width in ((COL_LABEL, 170), (COL_EXCHANGE, 90), (COL_PERMISSIONS, 175),
                              (COL_ENV, 95), (COL_ROTATION, 105)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda _index: self.edit_key())  # Enter or double-click
        self.table.selectionModel().currentRowChanged.connect(self._selection_changed)
        self.detail = DetailPane(self.catalog, splitter)
        self.detail.copy_requested.connect(self.copy_credential)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([770, 430])
        self.search.returnPressed.connect(self.table.setFocus)
        return page

    def _action(self, text: str, slot: Callable[[], Any], shortcut: str | None = None,
                tip: str = "") -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut:
            action.setShortcut(QtGui.QKeySequence(shortcut))
        action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        self.act_open = self._action("&Open vault file…", self.choose_vault_file, "Ctrl+O")
        self.act_new_vault = self._action("&New vault…", self.choose_new_vault_file)
        self.act_lock = self._action("&Lock", self.lock, "Ctrl+L", "Lock the vault now")
        self.act_settings = self._action("&Settings…", self.open_settings, "Ctrl+,")
        self.act_quit = self._action("&Quit", self.close, "Ctrl+Q")
        self.act_add = self._action("&Add key…", self.add_key, "Ctrl+N")
        self.act_edit = self._action("&Edit key…", self.edit_key, "Ctrl+E")
        self.act_delete = self._action("&Delete key…", self.delete_key, "Delete")
        self.act_search = self._action("&Find", self.focus_search, "Ctrl+F")
        self.act_copy_key = self._action("Copy API &key", lambda: self.copy_credential(
            "apiKey", "API key"), "Ctrl+B")
        self.act_copy_secret = self._action("Copy &secret", lambda: self.copy_credential(
            "secret", "Secret"), "Ctrl+Shift+C")
        menu = self.menuBar()
        vault_menu = menu.addMenu("&Vault")
        for action in (self.act_new_vault, self.act_open, None, self.act_lock,
                       self.act_settings, None, self.act_quit):
            vault_menu.addSeparator() if action is None else vault_menu.addAction(action)
        keys_menu = menu.addMenu("&Keys")
        for action in (self.act_add, self.act_edit, self.act_delete, None, self.act_copy_key,
                       self.act_copy_secret, None, self.act_search):
            keys_menu.addSeparator() if action is None else keys_menu.addAction(action)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.act_add, self.act_edit, self.act_delete, self.act_copy_key,
                       self.act_copy_secret, self.act_lock):
            toolbar.addAction(action)
        self.toolbar = toolbar
        self._update_actions()

    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = drawable_catalog(load_catalog(), self.font())  # no boxes
        return self._catalog

    # --- pages -----------------------------------------------------------------
    def show_start_page(self, path: Path, notice: str = "") -> None:
        self.vault_path = path
        if path.exists():
            self.unlock_page.set_vaults(path, self.settings.recent_vaults)
            self.unlock_page.set_notice(notice)
            self.stack.setCurrentWidget(self.unlock_page)
            self.unlock_page.password.setFocus()
        else:
            self.create_page.set_path(path)
            self.stack.setCurrentWidget(self.create_page)
            self.create_page.password.setFocus()
        self._update_actions()

    def _update_actions(self) -> None:
        unlocked = self.vault is not None
        has_entry = unlocked and self.current_entry() is not None
        self.toolbar.setVisible(unlocked)
        for action in (self.act_add, self.act_search, self.act_lock):
            action.setEnabled(unlocked)
        for action in (self.act_edit, self.act_delete):
            action.setEnabled(has_entry)
        entry = self.current_entry() if has_entry else None
        self.act_copy_key.setEnabled(bool(entry and "apiKey" in entry.credentials))
        self.act_copy_secret.setEnabled(bool(entry and "secret" in entry.credentials))

    def choose_vault_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open vault file", str(self.vault_path.parent),
            "Vault files (*.vault);;All files (*)")
        if path:
            self.lock()
            self.show_start_page(Path(path))

    def choose_new_vault_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Create vault file", str(self.vault_path.parent / "new.vault"),
            "Vault files (*.vault)")
        if path:
            if Path(path).exists():
                QtWidgets.QMessageBox.warning(
                    self, "File exists",
                    f"{path} already exists. vault-app never overwrites a file; "
                    "choose another name.")
                return
            self.lock()
            self.show_start_page(Path(path))

    # --- create / unlock -------------------------------------------------------
    def create_vault(self, path: Path, password: str, calibrate_kdf: bool) -> None:
        self.create_page.set_busy(True, "Calibrating and creating…" if calibrate_kdf
                                  else "Creating…")

        def work() -> Vault:
            kdf = calibrate(1.0) if calibrate_kdf else None
            return Vault.create(path, password, kdf)

        def done(vault: Vault) -> None:
            self.create_page.set_busy(False)
            self.create_page.wipe()
            self._opened(vault)
            self.statusBar().showMessage(f"Created {path} ({vault.kdf.describe()})", 8000)

        def failed(exc: BaseException) -> None:
            self.create_page.set_busy(False)
            self.create_page.error.show_message(_message(exc))

        self.ops.run(work, done, failed)

    def unlock(self, path: Path, password: str) -> None:
        self.unlock_page.set_busy(True)
        self.vault_path = path

        def done(vault: Vault) -> None:
            self.unlock_page.set_busy(False)
            self.unlock_page.wipe()
            self._opened(vault)

        def failed(exc: BaseException) -> None:
            self.unlock_page.set_busy(False)
            if isinstance(exc, errors.WrongPassword):
                self.unlock_page.show_wrong_password()
            elif isinstance(exc, errors.VaultDamaged | errors.UnsupportedVersion
                            | errors.KdfParamsOutOfRange):
                self.unlock_page.error.show_message("This vault file cannot be opened.")
                self.show_damaged(exc)
            else:
                self.unlock_page.error.show_message(_message(exc))

        self.ops.run(lambda: Vault.open(path, password), done, failed)

    def show_damaged(self, exc: BaseException) -> None:
        box = QtWidgets.QMessageBox(self)
        box.setObjectName("damagedDialog")
        box.setIcon(QtWidgets.QMessageBox.Icon.Critical)
        box.setWindowTitle("Vault file damaged")
        box.setText(DAMAGED_HELP.format(error=_message(exc)))
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
        box.open()
        self.damaged_dialog = box

    def _opened(self, vault: Vault) -> None:
        self.vault = vault
        self.vault_path = vault.path
        self.settings.remember_vault(vault.path)
        self.setWindowTitle(f"{vault.path.name} — vault-app")
        self.model.set_entries(vault.entries)
        self.stack.setCurrentWidget(self.vault_page)
        self.idle.set_timeout(self.settings.autolock_minutes * 60_000)
        self.table.setFocus()
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_actions()
        self.unlocked.emit()

    # --- lock ------------------------------------------------------------------
    def _lock_for_idle(self) -> None:
        minutes = self.settings.autolock_minutes
        self.lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without "
                  "activity.")

    def lock(self, notice: str = "Locked.") -> None:
        """Forget the data key and every entry, and wipe every widget showing one."""
        if self.vault is None:
            return
        self.ops.wait_idle()  # let a save in flight finish; it takes milliseconds
        self.idle.stop()
        if self.form is not None:
            self.form.wipe()
            self.form = None
        if self.delete_dialog is not None and self.delete_dialog.isVisible():
            self.delete_dialog.reject()
        self.clipboard.clear()
        self.statusBar().clearMessage()  # nothing from the unlocked session stays on show
        self.detail.show_entry(None)
        self.model.clear()
        self.search.clear()
        self.vault.lock()
        self.vault = None
        self.setWindowTitle("vault-app")
        self.show_start_page(self.vault_path, notice)
        self.locked.emit()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.WindowStateChange and self.isMinimized() \
                and self.settings.lock_on_minimize:
            self.lock("Locked when the window was minimised.")
        super().changeEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.lock()
        self.ops.wait_idle()
        self.settings.sync()
        super().closeEvent(event)

    # --- key list --------------------------------------------------------------
    def current_entry(self) -> KeyEntry | None:
        if self.vault is None:
            return None
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.model.row_of(index.siblingAtColumn(COL_LABEL).data(ID_ROLE))
        return self.model.entry(row) if row >= 0 else None

    def _selection_changed(self, *_: object) -> None:
        self.detail.show_entry(self.current_entry())
        self._update_actions()

    def _refresh(self, select_id: str | None = None) -> None:
        assert self.vault is not None
        current = self.current_entry()
        keep = select_id or (current.id if current else None)
        self.model.set_entries(self.vault.entries)
        if keep:
            row = self.model.row_of(keep)
            if row >= 0:
                index = self.proxy.mapFromSource(self.model.index(row, COL_LABEL))
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index)
        self._selection_changed()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- changes ---------------------------------------------------------------
    def _save(self, what: Callable[[Vault], Any], done: Callable[[Any], None],
              failed: Callable[[BaseException], None]) -> None:
        vault = self.vault
        assert vault is not None

        def finished(result: Any) -> None:
            self.saved.emit(str(vault.path))
            if self.vault is not vault:  # locked (or another vault opened) meanwhile
                return
            self.statusBar().showMessage(f"Saved at {time.strftime('%H:%M:%S')}.")
            done(result)

        def refused(exc: BaseException) -> None:
            if self.vault is vault:
                failed(exc)

        self.ops.run(lambda: what(vault), finished, refused, writes=True)

    def add_key(self) -> None:
        if self.vault is None:
            return
        self._open_form(None)

    def edit_key(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self._open_form(entry)

    def _open_form(self, entry: KeyEntry | None) -> None:
        form = KeyForm(self.catalog(), entry, self)
        self.form = form

        def submitted(result: Any) -> None:
            form.set_busy(True)
            if entry is None:
                def work(vault: Vault) -> KeyEntry:
                    return vault.add(result)
            else:
                def work(vault: Vault) -> KeyEntry:
                    return vault.update(entry.id, result)

            def done(saved: KeyEntry) -> None:
                trimmed = form.trimmed
                form.accept()
                self._refresh(saved.id)
                current = self.current_entry()
                if current is None or current.id != saved.id:
                    self.search.clear()  # the filter hid the key just saved: show it
                    self._refresh(saved.id)
                note = (f" Removed surrounding spaces from: {', '.join(trimmed)}."
                        if trimmed else "")
                self.statusBar().showMessage(
                    f"Saved “{saved.label}” at {time.strftime('%H:%M:%S')}.{note}")

            def failed(exc: BaseException) -> None:
                form.set_busy(False)
                form.show_error(exc if isinstance(exc, errors.ValidationError)
                                else RuntimeError(_message(exc)))
                if self.vault is not None:
                    self._refresh()

            self._save(work, done, failed)

        form.submitted.connect(submitted)
        form.finished.connect(lambda _result: setattr(self, "form", None))
        form.open()

    def delete_key(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Warning, "Delete key",
            f"Delete “{entry.label}” ({entry.exchange}) from the vault?\n\n"
            "This cannot be undone. Delete the key on the exchange too if you no longer "
            "use it.", QtWidgets.QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("deleteDialog")
        delete = box.addButton("Delete", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            if box.clickedButton() is not delete or self.vault is None:
                return

            def done(_removed: KeyEntry) -> None:
                self._refresh()
                self.statusBar().showMessage(
                    f"Deleted “{entry.label}”; saved at {time.strftime('%H:%M:%S')}.")

            self._save(lambda vault: vault.remove(entry.id), done, self._show_save_error)

        box.finished.connect(lambda _result: answered())
        self.delete_dialog = box
        box.open()

    def _show_save_error(self, exc: BaseException) -> None:
        QtWidgets.QMessageBox.critical(self, "Not saved", _message(exc))
        if self.vault is not None:
            self._refresh()

    # --- secrets ---------------------------------------------------------------
    def copy_credential(self, name: str, title: str) -> None:
        entry = self.current_entry()
        if entry is None or name not in entry.credentials:
            return
        self.clipboard.copy(entry.credentials[name], f"{title} of “{entry.label}”")

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)

        def accepted() -> None:
            self.clipboard.seconds = self.settings.clipboard_seconds
            if self.vault is not None:
                self.idle.set_timeout(self.settings.autolock_minutes * 60_000)
            from vault_app.gui.theme import apply_theme

            app = QtWidgets.QApplication.instance()
            if isinstance(app, QtWidgets.QApplication):
                apply_theme(app, self.settings.theme)

        dialog.accepted.connect(accepted)
        self.settings_dialog = dialog
        dialog.open()


def _message(exc: BaseException) -> str:
    if isinstance(exc, errors.VaultError):
        text = str(exc)
        return text[:1].upper() + text[1:]
    return f"Unexpected error ({type(exc).__name__}). The vault file was not damaged."
