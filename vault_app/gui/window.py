"""The main window: it owns the session (create, unlock, lock, the open vault, saves,
the file watcher, the clipboard) and wires the parts, which live beside it:
``vault_page`` (the key list page), ``sections`` (the Keys / Trading / Portfolio
tabs of the unlocked vault; the trading view lives in ``gui/trading``),
``edit_flow`` (adding and editing a key, and its conflicts) and ``actions`` (menus,
toolbar, shortcuts).

Widgets read fields and show results; the core does the work. Anything slow
(the KDF, saves) runs through ``OpRunner``; saves go through its single write
worker, one at a time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault_app import __version__
from vault_app.core import errors
from vault_app.core.exchanges import Catalog, load_catalog
from vault_app.core.folders import folder_warning
from vault_app.core.kdf import calibrate
from vault_app.core.model import KeyEntry
from vault_app.core.password_policy import rate
from vault_app.core.vault import Vault
from vault_app.gui.actions import build_actions, update_actions
from vault_app.gui.autolock import IdleWatcher
from vault_app.gui.backup.backup_flow import close_backup_dialog
from vault_app.gui.clipboard import SecretClipboard
from vault_app.gui.conflict_dialog import ConflictDialog
from vault_app.gui.edit_flow import flag_stale_form, open_form
from vault_app.gui.error_text import error_message
from vault_app.gui.file_watcher import VaultFileWatcher
from vault_app.gui.glyphs import drawable_catalog
from vault_app.gui.key_form import KeyForm
from vault_app.gui.keys_model import KeyRows, prepare_rows
from vault_app.gui.ops import OpRunner
from vault_app.gui.pages import CreatePage, UnlockPage
from vault_app.gui.qt import QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.second_folder import SecondFolderCopies
from vault_app.gui.sections import KEYS, PORTFOLIO, TRADING, Sections
from vault_app.gui.settings import Settings
from vault_app.gui.settings_dialog import SettingsDialog
from vault_app.gui.trading.sessions import Sessions
from vault_app.gui.vault_dialogs import Dialog, close_vault_dialog
from vault_app.gui.vault_page import (
    build_vault_page,
    refresh,
    select_row,
    selected_entry,
    update_placeholder,
)
from vault_app.gui.vault_settings import VaultSettingsBox
from vault_app.gui.widgets import escape, plain_message_box

if TYPE_CHECKING:
    from vault_app.gui.demo_mode import DemoMode

RELOADED = "Reloaded: changed by another window or process."
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
        self._shown_revision = 0  # the vault's revision the key list shows
        # (vault path, section, trading key id) at the last lock: unlocking resumes there
        self._resume: tuple[Path, int, str | None] | None = None
        self._catalog: Catalog | None = None
        self.form: KeyForm | None = None
        # The open dialogs, so that locking can close them (and tests can find them).
        self.delete_dialog: QtWidgets.QMessageBox | None = None
        self.purge_dialog: QtWidgets.QMessageBox | None = None  # gui/rotate_dialog.py
        self._delete_checking = False  # the journal is being read for the delete question
        self.damaged_dialog: QtWidgets.QMessageBox | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.conflict_dialog: ConflictDialog | None = None
        self.removed_dialog: QtWidgets.QMessageBox | None = None
        self._trading_dialog: QtWidgets.QDialog | None = None  # preview, confirm, cancel
        self.backup_dialog: QtWidgets.QDialog | None = None  # export, restore, merge
        self.vault_dialog: Dialog | None = None  # previous versions, master password
        self.demo: DemoMode | None = None  # --demo or "Try the demo exchange"
        self.ops = OpRunner(self)
        self.sessions = Sessions(self.ops)  # a TradingSession per key, built when used
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
        self.copies = SecondFolderCopies(self)  # to the second folder, after saves

        self.stack = QtWidgets.QStackedWidget(self)
        self.setCentralWidget(self.stack)
        self.create_page = CreatePage(self)
        self.create_page.create_requested.connect(self.create_vault)
        self.create_page.open_other_requested.connect(self.choose_vault_file)
        self.create_page.demo_requested.connect(self.start_demo)
        self.unlock_page = UnlockPage(self)
        self.unlock_page.unlock_requested.connect(self.unlock)
        self.unlock_page.path_changed.connect(self._check_folder)
        self.unlock_page.open_other_requested.connect(self.choose_vault_file)
        self.unlock_page.create_requested.connect(self.choose_new_vault_file)
        # Sets self.search, .model, .proxy, .table, .detail and the banners.
        self.keys_page = build_vault_page(self)
        self.sections = Sections(self, self.keys_page)  # Keys / Trading / Portfolio
        self.vault_page: QtWidgets.QWidget = self.sections
        self.reloaded.connect(self.sections.keys_changed)
        self.saved.connect(lambda _path: self.sections.keys_changed())
        for page in (self.create_page, self.unlock_page, self.vault_page):
            self.stack.addWidget(page)
        build_actions(self)  # sets self.act_* and self.toolbar
        self.statusBar().showMessage(f"vault-app {__version__}")
        self.show_start_page(vault_path)

    @property
    def trading_dialog(self) -> QtWidgets.QDialog | None:
        """The trading dialog on show (the signed request, the confirmation, a cancel's
        question): locking closes it."""
        return self._trading_dialog

    @trading_dialog.setter
    def trading_dialog(self, dialog: QtWidgets.QDialog | None) -> None:
        self._trading_dialog = dialog
        if dialog is not None:
            # The dialog is modal: the window's own shortcuts are shadowed while it is
            # open. Ctrl+L locks from the dialog too (locking then closes it).
            dialog.addAction(self.act_lock)

    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = drawable_catalog(load_catalog(), self.font())  # no boxes
        return self._catalog

    # --- pages -----------------------------------------------------------------
    def show_start_page(self, path: Path, notice: str = "") -> None:
        self.vault_path = path
        if os.path.lexists(path):  # a broken link too: unlocking says what is wrong
            self.unlock_page.set_vaults(path, self.settings.recent_vaults)
            self.unlock_page.set_notice(notice)
            self.stack.setCurrentWidget(self.unlock_page)
            self.unlock_page.password.setFocus()
        else:
            self.create_page.set_path(path)
            self.stack.setCurrentWidget(self.create_page)
            self.create_page.password.setFocus()
        update_actions(self)

    @property
    def in_demo_vault(self) -> bool:
        """The open vault is the demo's throwaway vault (see ``demo_mode``)."""
        return self.demo is not None and self.demo.is_open(self.vault)

    def start_demo(self) -> None:
        """Start the offline demo and open its vault; once started, show its vault."""
        if self.demo is None:
            from vault_app.gui.demo_mode import DemoMode  # the demo exchange: only on demand

            self.demo = DemoMode(self)
        session = self.demo.session
        if session is None:
            self.demo.start()  # ignored while it starts
        elif not session.stopped and not self.in_demo_vault:
            self.lock()
            self.show_start_page(session.vault_path)

    @property
    def read_only(self) -> bool:
        """The open vault cannot be saved (file, folder or file system not writable)."""
        return self.vault is not None and self.vault.read_only_reason is not None

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
            self.create_page.error.show_message(error_message(exc))

        self.ops.run(work, done, failed)

    def unlock(self, path: Path, password: str) -> None:
        self.unlock_page.set_busy(True)
        self.vault_path = path
        names = self.exchange_names()  # here: the catalog's names depend on the font
        column, order = self.model.sort_state

        def work() -> tuple[Vault, KeyRows]:  # no widget, model or font in here
            vault = Vault.open(path, password)
            vault.password_score = rate(password).score  # for the audit; memory only
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
                self.unlock_page.error.show_message(error_message(exc))

        self.ops.run(work, done, failed)

    def _check_folder(self, path: Path) -> None:
        """Warn on the unlock page, before the password, if others can write the folder."""
        def done(warning: str | None) -> None:
            if self.unlock_page.path == path:  # still the file chosen
                self.unlock_page.set_folder_warning(warning)

        self.ops.run(lambda: folder_warning(path), done, _ignore)  # a few stat calls

    def show_damaged(self, exc: BaseException) -> None:
        box = plain_message_box(self, QtWidgets.QMessageBox.Icon.Critical,
                                "Vault file damaged", DAMAGED_HELP.format(error=error_message(exc)))
        box.setObjectName("damagedDialog")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Ok)
        box.open()
        self.damaged_dialog = box

    def _opened(self, vault: Vault, rows: KeyRows | None = None) -> None:
        self.vault = vault
        self._shown_revision = vault.revision
        self.vault_path = vault.given_path  # a link stays a link: it is resolved at open
        if self.demo is None or not self.demo.owns(vault.given_path):
            self.settings.remember_vault(vault.given_path)  # never the demo's throwaway
        self.model.set_rows(rows or self.model.prepare(vault.entries))
        self.sections.show_section(KEYS)
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
        self._resume_section(vault)
        self.unlocked.emit()

    def _resume_section(self, vault: Vault) -> None:
        """Unlocked again: back to the section (and trading key) in use at the lock, if
        it is the same vault; the key list otherwise."""
        resume, self._resume = self._resume, None
        if resume is None or resume[0] != vault.given_path:
            return
        _path, section, entry_id = resume
        if section == TRADING:
            self.show_trading(entry_id)
        elif section == PORTFOLIO:
            self.show_portfolio()

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
        update_actions(self)
        update_placeholder(self)

    # --- lock ------------------------------------------------------------------
    def _lock_for_idle(self) -> None:
        minutes = self.settings.autolock_minutes
        self.lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without "
                  "activity.")

    def lock(self, notice: str = "Locked.") -> None:
        """Forget the data key and every entry, and wipe every widget showing one."""
        if self.vault is None:
            return
        trading = self.sections.trading
        self._resume = (self.vault.given_path, self.sections.currentIndex(),
                        trading.entry.id if trading is not None and trading.entry else None)
        vault, self.vault = self.vault, None
        try:
            self._wipe_session()
        finally:  # whatever the widgets do, the key goes
            if self.ops.writes_pending:
                # A save in flight finishes first (nothing typed is lost), without the
                # UI thread waiting for it: the key is forgotten by the write worker,
                # in order after it. Its callback finds this vault closed, ignores it.
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

    def _wipe_session(self) -> None:
        """Close and wipe every widget that shows something of the vault."""
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
        if self.purge_dialog is not None:
            self.purge_dialog.reject()
        close_backup_dialog(self)  # export, restore or merge: wiped and closed
        close_vault_dialog(self)  # previous versions or master password: the same
        if self.sections.trading is not None:  # closes its dialogs; a send goes on
            self.sections.trading.wipe()
        if self.sections.portfolio is not None:
            self.sections.portfolio.clear()  # stops its fetch, closes its export dialog
        if self.trading_dialog is not None:
            self.trading_dialog.reject()
            self.trading_dialog = None
        self.ops.drop_queued()  # reads waiting behind a slow exchange: never run now
        self.sessions.drop()  # each client closed after its key's ops (a placement kept)
        self.clipboard.clear()
        self.statusBar().clearMessage()  # nothing from the unlocked session stays on show
        self.detail.show_entry(None)
        self.model.clear()
        self.search.clear()

    def changeEvent(self, event: QtCore.QEvent) -> None:
        if event.type() == QtCore.QEvent.Type.WindowStateChange and self.isMinimized() \
                and self.settings.lock_on_minimize:
            self.lock("Locked when the window was minimised.")
        super().changeEvent(event)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        self.ops.reopen()  # a window closed and shown again runs ops again
        super().showEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        self.lock()  # drops the queued reads: only the ops already running are waited for
        if self.ops.busy:
            # An order being sent is waited for, not abandoned: its PENDING record is in
            # the journal, and its answer must be too (else the next start reconciles an
            # unknown outcome). Asking would offer nothing: a worker thread cannot be
            # stopped mid-request, and the process waits for it at exit anyway. The
            # wait is at most the exchange's timeout (10 s); the window says why.
            self.statusBar().showMessage("Closing: waiting for the requests already sent…")
            QtWidgets.QApplication.processEvents(
                QtCore.QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.ops.shutdown()  # no op starts after this (see OpRunner.shutdown)
        if self.demo is not None:
            self.demo.stop()  # the exchange stops, the demo folder goes
        self.settings.sync()
        super().closeEvent(event)

    # --- sections ------------------------------------------------------------------
    def show_keys(self) -> None:
        if self.vault is not None:
            self.sections.show_section(KEYS)
            self.table.setFocus()

    def show_trading(self, entry_id: str | None = None) -> None:
        """The trading view (built on first use), with the key ``entry_id`` if given."""
        if self.vault is None:
            return
        view = self.sections.trading_view()
        view.show_keys_of_vault(entry_id)
        self.sections.show_section(TRADING)
        view.keys.combo.setFocus()

    def show_portfolio(self) -> None:
        if self.vault is not None:
            self.sections.show_section(PORTFOLIO)

    def on_keys_page(self) -> bool:
        return self.vault is not None and self.sections.currentIndex() == KEYS

    # --- the key list and the file on disk ----------------------------------------
    def current_entry(self) -> KeyEntry | None:
        return selected_entry(self)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

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
            refresh(self)  # keeps the selected key and the search text
            flag_stale_form(self)
            self.statusBar().showMessage(RELOADED)
            self.reloaded.emit()

        def failed(exc: BaseException) -> None:
            if self.vault is not vault:
                vault.lock()
            else:
                self.statusBar().showMessage(f"Could not reload the vault: {error_message(exc)}")

        self.ops.run(vault.reload, done, failed, writes=True)  # in order with saves

    def sync_keys(self) -> None:
        """The key list (and the trading view's key picker) follow the vault's memory
        when a trading worker changed it: a key's use recorded after an order, the
        disk re-read before one (``TradingSession.recheck``), the journal key made."""
        vault = self.vault
        if vault is None or vault.revision == self._shown_revision:
            return
        self._shown_revision = vault.revision
        refresh(self)  # keeps the selected key and the search text
        self.sections.keys_changed()

    def exchange_names(self) -> dict[str, str]:
        """Exchange id -> display name, as plain data a worker thread may read."""
        return {key: info.name for key, info in self.catalog().exchanges.items()}

    def _exchange_name(self, exchange_id: str) -> str:
        catalog = self.catalog()
        return catalog.exchanges[exchange_id].name if exchange_id in catalog else exchange_id

    # --- changes ---------------------------------------------------------------
    def save(self, what: Callable[[Vault], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None], *, announce: bool = True) -> None:
        """Run ``what`` on the vault in the write worker; then ``done`` or ``failed`` on
        the GUI thread, unless the vault was locked meanwhile."""
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
            self.sync_keys()  # a save that changed keys (a version restored) is shown (u1 H2)

        def refused(exc: BaseException) -> None:
            if self.vault is not vault:
                vault.lock()
            else:
                if isinstance(exc, errors.VaultReadOnly):
                    self._show_read_only()  # made read-only since it was unlocked
                failed(exc)

        self.ops.run(lambda: what(vault), finished, refused, writes=True)

    def add_key(self) -> None:
        if self.vault is None or self.read_only or self.in_demo_vault:
            return
        open_form(self, None)

    def edit_key(self) -> None:
        entry = self.current_entry()
        if entry is not None and not self.read_only:
            open_form(self, entry)

    def delete_key(self) -> None:
        """Ask before deleting. The question first needs the order journal (does the key
        have orders of unknown outcome?): read off the UI thread, like every file."""
        entry = self.current_entry()
        vault = self.vault
        if entry is None or self.read_only or vault is None or self._delete_checking:
            return
        from vault_app.trading.order_log import removal_warning  # no ccxt: journal only

        self._delete_checking = True

        def checked(orders: str | None) -> None:
            self._delete_checking = False
            current = self.current_entry()
            if self.vault is vault and current is not None and current.id == entry.id:
                self._ask_delete(entry, orders)  # else locked or another key meanwhile

        def failed(_exc: BaseException) -> None:
            checked("The order journal could not be read: orders of this key whose "
                    "outcome is unknown would be forgotten.")

        self.ops.run(lambda: removal_warning(vault, entry.id), checked, failed)

    def _ask_delete(self, entry: KeyEntry, orders: str | None) -> None:
        row = self.table.currentIndex().row()
        box = plain_message_box(
            self, QtWidgets.QMessageBox.Icon.Warning, "Delete key",
            f"Delete “{entry.label}” ({entry.exchange}) from the vault?\n\n"
            + (f"{orders}\n\n" if orders else "")
            + undo_text(self.vault) + " Delete the key on the exchange too if you no "
            "longer use it.")
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
                refresh(self)
                select_row(self, row)  # the next key, or the previous if it was the last
                self.statusBar().showMessage(
                    f"Deleted “{entry.label}”; saved at {time.strftime('%H:%M:%S')}.")

            self.save(lambda vault: vault.remove(entry.id), done, self._show_save_error)

        box.finished.connect(lambda _result: answered())
        box.finished.connect(lambda _result: box.deleteLater())
        self.delete_dialog = box
        box.open()

    def _show_save_error(self, exc: BaseException) -> None:
        QtWidgets.QMessageBox.critical(self, "Not saved", error_message(exc))
        if self.vault is not None:
            refresh(self)

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
            self.statusBar().showMessage(f"Could not record the key as used: {error_message(exc)}")

        self.save(lambda v: v.mark_used(entry_id), done, failed, announce=False)

    def toggle_reveal(self) -> None:
        self.detail.toggle_reveal()

    # --- read-only vaults --------------------------------------------------------
    def save_copy(self) -> None:
        """Ask where, then write a copy of the vault there and continue in it."""
        vault = self.vault
        if vault is None or self.in_demo_vault:
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
                QtWidgets.QMessageBox.critical(self, "Copy not saved", error_message(exc))

        self.ops.run(lambda: vault.save_copy(path), done, failed, writes=True)

    def open_settings(self) -> None:
        box = None
        if self.vault is not None and not self.in_demo_vault:
            box = VaultSettingsBox(self, self.vault)
        dialog = SettingsDialog(self.settings, self, box)

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


def undo_text(vault: Vault | None) -> str:
    """How a delete is undone, now that each save keeps the file it replaces (L3)."""
    if vault is not None and vault.meta.keep_versions > 0:
        return ("To undo it, restore the version kept by this delete: Vault → Previous "
                "versions….")
    return "No previous versions are kept (Settings), so this cannot be undone."


def _ignore(_value: object) -> None:
    pass
