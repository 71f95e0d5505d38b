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
from vault_app.core.edits import FIELD_TITLES, differing_fields, restored_entry
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.folders import folder_warning
from vault_app.core.kdf import calibrate
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.autolock import IdleWatcher
from vault_app.gui.clipboard import SecretClipboard
from vault_app.gui.conflict_dialog import ConflictDialog
from vault_app.gui.detail_pane import DetailPane
from vault_app.gui.file_watcher import VaultFileWatcher
from vault_app.gui.glyphs import drawable_catalog
from vault_app.gui.key_form import KeyForm
from vault_app.gui.key_table import KeyTable
from vault_app.gui.keys_model import (
    COL_ENV,
    COL_EXCHANGE,
    COL_LABEL,
    COL_PERMISSIONS,
    COL_ROTATION,
    ID_ROLE,
    KeyFilterProxy,
    KeyRows,
    KeyTableModel,
    PermissionBadgeDelegate,
    prepare_rows,
)
from vault_app.gui.ops import OpRunner
from vault_app.gui.pages import CreatePage, UnlockPage, warning_banner
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.settings import Settings
from vault_app.gui.settings_dialog import SettingsDialog
from vault_app.gui.widgets import escape, plain_message_box

RELOADED = "Reloaded: changed by another window or process."
STALE_FORM = (
    "This key was changed by another window or process since you opened this form "
    "({fields}). Saving keeps their changes to the fields you did not edit; if you both "
    "changed a field, you will be asked which value to keep."
)
DELETED_FORM = (
    "This key was deleted by another window or process since you opened this form. "
    "Saving will offer to add it back as a new key."
)
DELETED_HELP = (
    "“{label}” was deleted by another window or process while you edited it. "
    "Nothing was written.\n\nAdd your version back as a new key, or discard your changes?"
)

DAMAGED_HELP = (
    "The vault file could not be read:\n\n{error}\n\n"
    "The file was not changed. If you have a backup copy of your vault, open it with "
    "“Open another vault file…”. Keep the damaged file: do not delete it."
)


class MainWindow(QtWidgets.QMainWindow):
    unlocked = Signal()
    locked = Signal()
    saved = Signal(str)
    reloaded = Signal()  # after another window or process saved, once shown

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
        self.conflict_dialog: ConflictDialog | None = None
        self.removed_dialog: QtWidgets.QMessageBox | None = None
        self.ops = OpRunner(self)
        self.clipboard = SecretClipboard(settings.clipboard_seconds, self)
        # The countdown has its own corner of the status bar: ticking every second as a
        # message, it overwrote "Saved a copy…", "Reloaded…" and the like within a second.
        self.clipboard_status = QtWidgets.QLabel(self)
        self.clipboard_status.setObjectName("clipboardStatus")
        self.statusBar().addPermanentWidget(self.clipboard_status)
        self.clipboard.countdown.connect(
            lambda what, secs: self.clipboard_status.setText(
                f"{what} copied; clears in {secs} s."))
        self.clipboard.cleared.connect(self.clipboard_status.clear)
        self.clipboard.cleared.connect(
            lambda: self.statusBar().showMessage("Clipboard cleared.", 5000))
        self.clipboard.released.connect(self.clipboard_status.clear)
        self.idle = IdleWatcher(self)
        self.idle.idle.connect(self._lock_for_idle)
        self.watcher = VaultFileWatcher(self)
        self.watcher.changed.connect(self._disk_changed)

        self.stack = QtWidgets.QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.create_page = CreatePage(self)
        self.create_page.create_requested.connect(self.create_vault)
        self.create_page.open_other_requested.connect(self.choose_vault_file)
        self.unlock_page = UnlockPage(self)
        self.unlock_page.unlock_requested.connect(self.unlock)
        self.unlock_page.path_changed.connect(self._check_folder)
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
        layout.addWidget(self._build_read_only_banner(page))
        self.folder_banner = warning_banner("folderWarningBanner", page)
        layout.addWidget(self.folder_banner)
        self.search = QtWidgets.QLineEdit(page)
        self.search.setPlaceholderText(
            "Search labels, exchanges, permissions, environments, tags, notes (Ctrl+F)")
        self.search.setAccessibleName("Search keys")
        self.search.setClearButtonEnabled(True)
        escape = QtGui.QShortcut(QtGui.QKeySequence(Qt.Key.Key_Escape), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self._escape_in_search)
        layout.addWidget(self.search)
        splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal, page)
        layout.addWidget(splitter, 1)
        self.model = KeyTableModel(self, exchange_name=self._exchange_name)
        self.proxy = KeyFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search.textChanged.connect(self._search_changed)
        for signal in (self.proxy.modelReset, self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.layoutChanged):
            signal.connect(self._update_placeholder)
        self.table = KeyTable(splitter)
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

    def _build_read_only_banner(self, page: QtWidgets.QWidget) -> QtWidgets.QFrame:
        banner = QtWidgets.QFrame(page)
        banner.setObjectName("readOnlyBanner")
        banner.setStyleSheet(
            "#readOnlyBanner { background: #fff4ce; border: 1px solid #c99a00;"
            " border-radius: 4px; } #readOnlyBanner QLabel { color: #3d2e00; }")
        row = QtWidgets.QHBoxLayout(banner)
        self.read_only_label = QtWidgets.QLabel(banner)
        self.read_only_label.setObjectName("readOnlyMessage")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.read_only_label, 1)
        self.save_copy_button = QtWidgets.QPushButton("Save a cop&y as…", banner)
        self.save_copy_button.setObjectName("saveCopyButton")
        self.save_copy_button.clicked.connect(self.save_copy)
        row.addWidget(self.save_copy_button)
        banner.hide()
        self.read_only_banner = banner
        return banner

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
        self.act_copy_passphrase = self._action(
            "Copy &passphrase", lambda: self.copy_credential("password", "Passphrase"),
            "Ctrl+Shift+P")
        self.act_reveal = self._action("&Reveal or hide credentials", self.toggle_reveal,
                                       "Ctrl+R", "Show or mask the selected key's credentials")
        self.act_save_copy = self._action(
            "Save a &copy as…", self.save_copy, None,
            "Write a copy of this vault (same master password) to a new file and "
            "continue there")
        menu = self.menuBar()
        vault_menu = menu.addMenu("&Vault")
        for action in (self.act_new_vault, self.act_open, self.act_save_copy, None, self.act_lock,
                       self.act_settings, None, self.act_quit):
            vault_menu.addSeparator() if action is None else vault_menu.addAction(action)
        keys_menu = menu.addMenu("&Keys")
        for action in (self.act_add, self.act_edit, self.act_delete, None, self.act_copy_key,
                       self.act_copy_secret, self.act_copy_passphrase, self.act_reveal, None,
                       self.act_search):
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

    @property
    def read_only(self) -> bool:
        """The open vault cannot be saved (file, folder or file system not writable)."""
        return self.vault is not None and self.vault.read_only_reason is not None

    def _update_actions(self) -> None:
        unlocked = self.vault is not None
        writable = unlocked and not self.read_only
        has_entry = unlocked and self.current_entry() is not None
        self.toolbar.setVisible(unlocked)
        for action in (self.act_search, self.act_lock, self.act_save_copy):
            action.setEnabled(unlocked)
        self.act_add.setEnabled(writable)
        for action in (self.act_edit, self.act_delete):
            action.setEnabled(writable and has_entry)
        entry = self.current_entry() if has_entry else None
        self.act_copy_key.setEnabled(bool(entry and "apiKey" in entry.credentials))
        self.act_copy_secret.setEnabled(bool(entry and "secret" in entry.credentials))
        self.act_copy_passphrase.setEnabled(bool(entry and "password" in entry.credentials))
        self.act_reveal.setEnabled(bool(entry and entry.credentials))

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
            self.statusBar().showMessage(f"Created {path} ({vault.kdf.describe()})", 8000)
            self._opened(vault)

        def failed(exc: BaseException) -> None:
            self.create_page.set_busy(False)
            self.create_page.error.show_message(_message(exc))

        self.ops.run(work, done, failed)

    def unlock(self, path: Path, password: str) -> None:
        self.unlock_page.set_busy(True)
        self.vault_path = path
        names = self.exchange_names()  # here: the catalog's names depend on the font
        column, order = self.model.sort_state

        def work() -> tuple[Vault, KeyRows]:  # no widget, model or font in here
            vault = Vault.open(path, password)
            return vault, prepare_rows(vault.entries, names, column, order)

        def done(result: tuple[Vault, KeyRows]) -> None:
            self.unlock_page.set_busy(False)
            self.unlock_page.wipe()
            self._opened(*result)

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

        self.ops.run(work, done, failed)

    def _check_folder(self, path: Path) -> None:
        """Warn on the unlock page, before the password, if others can write the folder."""
        def done(warning: str | None) -> None:
            if self.unlock_page.path == path:  # still the file chosen
                self.unlock_page.set_folder_warning(warning)

        self.ops.run(lambda: folder_warning(path), done, _ignore)  # a few stat calls

    def show_damaged(self, exc: BaseException) -> None:
        box = plain_message_box(self, QtWidgets.QMessageBox.Icon.Critical,
                                "Vault file damaged", DAMAGED_HELP.format(error=_message(exc)))
        box.setObjectName("damagedDialog")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
        box.open()
        self.damaged_dialog = box

    def _opened(self, vault: Vault, rows: KeyRows | None = None) -> None:
        self.vault = vault
        self.vault_path = vault.path
        self.settings.remember_vault(vault.path)
        self.model.set_rows(rows or self.model.prepare(vault.entries))
        self.stack.setCurrentWidget(self.vault_page)
        self.idle.set_timeout(self.settings.autolock_minutes * 60_000)
        self.watcher.watch(vault.path)
        self.table.setFocus()
        if self.proxy.rowCount():
            self.table.selectRow(0)
        self._show_read_only()
        warning = vault.folder_warning  # other users can write the vault's folder
        self.folder_banner.setText(f"Warning: {warning}." if warning else "")
        self.folder_banner.setVisible(bool(warning))
        self.unlocked.emit()

    def _show_read_only(self) -> None:
        """Title, banner, status bar and actions follow ``vault.read_only_reason``."""
        vault = self.vault
        reason = vault.read_only_reason if vault is not None else None
        if vault is not None:
            marker = " (read-only)" if reason else ""
            self.setWindowTitle(f"{vault.path.name}{marker} — vault-app")
        if reason:
            text = (f"<b>This vault is read-only:</b> {escape(reason)}. You can view and "
                    "copy keys, but not add, edit or delete them. To make changes, save a "
                    "copy and continue there; this file is never changed.")
            self.read_only_label.setText(text)
            self.statusBar().showMessage(f"Opened read-only: {reason}.")
        self.read_only_banner.setVisible(bool(reason))
        self._update_actions()
        self._update_placeholder()

    # --- lock ------------------------------------------------------------------
    def _lock_for_idle(self) -> None:
        minutes = self.settings.autolock_minutes
        self.lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without "
                  "activity.")

    def lock(self, notice: str = "Locked.") -> None:
        """Forget the data key and every entry, and wipe every widget showing one."""
        if self.vault is None:
            return
        self.idle.stop()
        self.watcher.stop()
        if self.form is not None:
            self.form.wipe()
            self.form = None
        if self.conflict_dialog is not None:  # after the form: its answer is then ignored
            self.conflict_dialog.wipe()
            self.conflict_dialog = None
        if self.removed_dialog is not None:
            self.removed_dialog.reject()
        if self.delete_dialog is not None:
            self.delete_dialog.reject()
        self.clipboard.clear()
        self.statusBar().clearMessage()  # nothing from the unlocked session stays on show
        self.detail.show_entry(None)
        self.model.clear()
        self.search.clear()
        vault, self.vault = self.vault, None
        if self.ops.writes_pending:
            # A save in flight finishes first (nothing typed is lost), without the UI
            # thread waiting for it: the key is forgotten by the write worker, in
            # order after it. Its callback finds this vault closed and ignores it.
            self.ops.run(vault.lock, _ignore, _ignore, writes=True)
        else:
            vault.lock()
        self.read_only_banner.hide()
        self.read_only_label.clear()
        self.folder_banner.hide()
        self.folder_banner.clear()
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

    def _select_row(self, row: int) -> None:
        """Select the table row ``row``, or the last one if there are fewer."""
        row = min(row, self.proxy.rowCount() - 1)
        if row >= 0:
            index = self.proxy.index(row, COL_LABEL)
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        self._selection_changed()

    def _disk_changed(self) -> None:
        """Another window or process may have saved: reload with the key held (no KDF)."""
        vault = self.vault
        if vault is None or not vault.may_have_changed():  # e.g. our own save
            return

        def done(changed: bool) -> None:
            if self.vault is not vault:
                vault.lock()  # locked while it reloaded
                return
            if not changed:
                return
            self._refresh()  # keeps the selected key and the search text
            self._flag_stale_form()
            self.statusBar().showMessage(RELOADED)
            self.reloaded.emit()

        def failed(exc: BaseException) -> None:
            if self.vault is not vault:
                vault.lock()
            else:
                self.statusBar().showMessage(f"Could not reload the vault: {_message(exc)}")

        self.ops.run(vault.reload, done, failed, writes=True)  # in order with saves

    def _flag_stale_form(self) -> None:
        """Tell an open edit form whose key changed underneath it."""
        form, vault = self.form, self.vault
        if form is None or form.entry is None or vault is None:
            return
        row = self.model.row_of(form.entry.id)
        if row < 0:
            form.show_stale(DELETED_FORM)
            return
        changed = differing_fields(form.entry, self.model.entry(row))
        if changed:
            form.show_stale(STALE_FORM.format(
                fields=", ".join(FIELD_TITLES[name] for name in changed).lower()))

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_placeholder()

    def _escape_in_search(self) -> None:
        """Escape clears the search; on an empty search it goes back to the list."""
        if self.search.text():
            self.search.clear()
        else:
            self.table.setFocus()

    def _update_placeholder(self) -> None:
        """What to do next, painted over a table with no rows."""
        text = ""
        if self.vault is not None and self.model.rowCount() == 0:
            text = ("This vault holds no keys." if self.read_only
                    else "No keys yet: Add key, Ctrl+N")
        elif self.vault is not None and self.proxy.rowCount() == 0:
            text = f"No key matches '{self.search.text().strip()}': Esc clears the search"
        self.table.set_placeholder(text)

    def exchange_names(self) -> dict[str, str]:
        """Exchange id -> display name, as plain data a worker thread may read."""
        return {key: info.name for key, info in self.catalog().exchanges.items()}

    def _exchange_name(self, exchange_id: str) -> str:
        catalog = self.catalog()
        return catalog.exchanges[exchange_id].name if exchange_id in catalog else exchange_id

    # --- changes ---------------------------------------------------------------
    def _save(self, what: Callable[[Vault], Any], done: Callable[[Any], None],
              failed: Callable[[BaseException], None], *, announce: bool = True) -> None:
        vault = self.vault
        assert vault is not None

        def finished(result: Any) -> None:
            self.saved.emit(str(vault.path))
            if self.vault is not vault:  # locked (or another vault opened) meanwhile
                vault.lock()  # the save restored its key: forget it again
                return
            if announce:
                self.statusBar().showMessage(f"Saved at {time.strftime('%H:%M:%S')}.")
            done(result)

        def refused(exc: BaseException) -> None:
            if self.vault is not vault:
                vault.lock()
            else:
                if isinstance(exc, errors.VaultReadOnly):
                    self._show_read_only()  # made read-only since it was unlocked
                failed(exc)

        self.ops.run(lambda: what(vault), finished, refused, writes=True)

    def add_key(self) -> None:
        if self.vault is None or self.read_only:
            return
        self._open_form(None)

    def edit_key(self) -> None:
        entry = self.current_entry()
        if entry is not None and not self.read_only:
            self._open_form(entry)

    def _open_form(self, entry: KeyEntry | None) -> None:
        form = KeyForm(self.catalog(), entry, self, ops=self.ops)
        self.form = form

        def submitted(result: Any) -> None:
            form.set_busy(True)

            def done(saved: KeyEntry) -> None:
                trimmed = form.trimmed
                if self.form is form:  # not cancelled (and so deleted) meanwhile
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
                if self.form is form:
                    form.set_busy(False)
                    form.show_error(exc if isinstance(exc, errors.ValidationError)
                                    else RuntimeError(_message(exc)))
                if self.vault is not None:
                    self._refresh()

            if entry is None:
                self._save(lambda vault: vault.add(result), done, failed)
            else:
                self._save_edit(form, result, entry, done, failed)

        def closed(_result: int) -> None:
            # Saved, cancelled or locked: the secrets typed go now, not at exit.
            if self.form is form:
                self.form = None
            form.wipe_fields()
            form.deleteLater()  # with its conflict or "deleted" dialog, if one is open

        form.submitted.connect(submitted)
        form.finished.connect(closed)
        form.open()

    def _save_edit(self, form: KeyForm, changes: dict[str, Any], base: KeyEntry,
                   done: Callable[[Any], None], failed: Callable[[BaseException], None],
                   choices: dict[str, str] | None = None) -> None:
        """Save the fields the user changed, merged by the core with the disk's entry
        (``choices`` settle the conflicts the user has answered so far)."""
        def refused(exc: BaseException) -> None:
            if isinstance(exc, errors.EditConflict | errors.EntryRemovedOnDisk):
                self._refresh()  # the vault re-read the file: show what is there now
                self._flag_stale_form()
            if isinstance(exc, errors.EditConflict):
                self._resolve_conflict(form, changes, base, exc, done, failed, choices or {})
            elif isinstance(exc, errors.EntryRemovedOnDisk):
                self._offer_add_back(form, done, failed)
            else:
                failed(exc)

        self._save(lambda vault: vault.update(base.id, changes, base=base, choices=choices),
                   done, refused)

    def _resolve_conflict(self, form: KeyForm, changes: dict[str, Any], base: KeyEntry,
                          conflict: errors.EditConflict, done: Callable[[Any], None],
                          failed: Callable[[BaseException], None],
                          choices: dict[str, str]) -> None:
        theirs = conflict.theirs
        assert isinstance(theirs, KeyEntry)
        dialog = ConflictDialog(theirs.label, conflict.conflicts, form)
        self.conflict_dialog = dialog

        def answered(result: int) -> None:
            self.conflict_dialog = None
            if self.vault is None or self.form is not form:  # locked meanwhile
                return
            if result != QtWidgets.QDialog.DialogCode.Accepted:
                failed(errors.VaultChangedOnDisk(
                    "not saved: this key was changed elsewhere meanwhile. Your edits are "
                    "still here; save again to choose which values to keep."))
                return
            # The core redoes the merge under the lock with these answers; if the disk
            # changed yet again, it asks about the new conflicts only.
            self._save_edit(form, changes, base, done, failed,
                            {**choices, **dialog.choices()})

        dialog.finished.connect(answered)
        dialog.finished.connect(lambda _result: _dispose(dialog))  # after answered()
        dialog.open()

    def _offer_add_back(self, form: KeyForm, done: Callable[[Any], None],
                        failed: Callable[[BaseException], None]) -> None:
        base = form.entry
        assert base is not None
        label = base.label
        box = plain_message_box(form, QtWidgets.QMessageBox.Icon.Warning,
                                "Key deleted in another window", DELETED_HELP.format(label=label))
        box.setObjectName("removedDialog")
        add_back = box.addButton("Add back as a new key",
                                 QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard my changes",
                                QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(add_back)
        self.removed_dialog = box

        def answered() -> None:
            self.removed_dialog = None
            clicked = box.clickedButton()
            if self.vault is None or self.form is not form:  # locked meanwhile
                return
            if clicked is discard:
                form.reject()
            elif clicked is add_back:
                try:
                    entry = restored_entry(base, form.values(), self.catalog())
                except errors.VaultError as exc:
                    failed(exc)
                    return
                self._save(lambda vault: vault.add(entry), done, failed)
            else:
                failed(errors.EntryRemovedOnDisk(
                    "not saved: this key was deleted elsewhere meanwhile."))

        box.finished.connect(lambda _result: answered())
        box.finished.connect(lambda _result: box.deleteLater())
        box.open()

    def delete_key(self) -> None:
        entry = self.current_entry()
        if entry is None or self.read_only:
            return
        row = self.table.currentIndex().row()
        box = plain_message_box(
            self, QtWidgets.QMessageBox.Icon.Warning, "Delete key",
            f"Delete “{entry.label}” ({entry.exchange}) from the vault?\n\n"
            "This cannot be undone. Delete the key on the exchange too if you no longer "
            "use it.")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setObjectName("deleteDialog")
        delete = box.addButton("Delete", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)

        def answered() -> None:
            if self.delete_dialog is box:
                self.delete_dialog = None
            if box.clickedButton() is not delete or self.vault is None:
                return

            def done(_removed: KeyEntry) -> None:
                self._refresh()
                self._select_row(row)  # the next key, or the previous if it was the last
                self.statusBar().showMessage(
                    f"Deleted “{entry.label}”; saved at {time.strftime('%H:%M:%S')}.")

            self._save(lambda vault: vault.remove(entry.id), done, self._show_save_error)

        box.finished.connect(lambda _result: answered())
        box.finished.connect(lambda _result: box.deleteLater())
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
        self._mark_used(entry.id)

    def _mark_used(self, entry_id: str) -> None:
        """A copied credential counts as a use: record it, quietly, in the background."""
        vault = self.vault
        if vault is None or self.read_only:
            return

        def done(_result: None) -> None:
            try:
                used = vault.get(entry_id)
            except errors.ValidationError:
                return  # removed meanwhile by another process
            self.model.replace_entry(used)
            self.detail.show_last_used(used)

        def failed(exc: BaseException) -> None:
            self.statusBar().showMessage(f"Could not record the key as used: {_message(exc)}")

        self._save(lambda v: v.mark_used(entry_id), done, failed, announce=False)

    def toggle_reveal(self) -> None:
        self.detail.toggle_reveal()

    # --- read-only vaults --------------------------------------------------------
    def save_copy(self) -> None:
        """Ask where, then write a copy of the vault there and continue in it."""
        vault = self.vault
        if vault is None:
            return
        folder = vault.path.parent if not self.read_only else Path.home()
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Save a copy of the vault", str(folder / f"{vault.path.stem} copy.vault"),
            "Vault files (*.vault)",
            options=QtWidgets.QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.save_copy_to(Path(path))

    def save_copy_to(self, path: Path) -> None:
        vault = self.vault
        if vault is None:
            return

        def done(copy: Vault) -> None:
            if self.vault is not vault:
                copy.lock()
                return
            original = vault.path
            self.search.clear()
            self._opened(copy)
            vault.lock()
            self.statusBar().showMessage(
                f"Saved a copy as {copy.path}; you are now working in the copy. "
                f"{original} was not changed.")

        def failed(exc: BaseException) -> None:
            if self.vault is vault:
                QtWidgets.QMessageBox.critical(self, "Copy not saved", _message(exc))

        self.ops.run(lambda: vault.save_copy(path), done, failed, writes=True)

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


def _ignore(_value: object) -> None:
    pass


def _dispose(dialog: ConflictDialog) -> None:
    """Forget the values an answered conflict dialog showed, and delete it."""
    dialog.wipe_values()
    dialog.deleteLater()


def _message(exc: BaseException) -> str:
    if isinstance(exc, errors.VaultError):
        text = str(exc)
        return text[:1].upper() + text[1:]
    if isinstance(exc, MemoryError):
        return ("Out of memory. Nothing was written; the vault file is intact. "
                "Close other programs and try again.")
    return f"Unexpected error ({type(exc).__name__}). The vault file was not damaged."
