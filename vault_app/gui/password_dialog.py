"""Change the master password, or only the KDF strength, and say what it means.

The change runs in the write worker (``MainWindow.save``): the KDF runs twice (the
current password checked, the new key slot made), and ``core.kdf.calibrate`` a few
times more when asked; the dialog stays responsive, busy, meanwhile. Afterwards it
says how many previous versions were re-sealed, and that backups exported earlier
and copies in the second folder still open with the old password, offering to
refresh the second folder's copies.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.core.errors import KdfParamsOutOfRange, VaultError
from vault_app.core.kdf import KdfParams, calibrate
from vault_app.core.vault import Vault
from vault_app.core.vault_format import KeySlot
from vault_app.core.version_rekey import PasswordChange
from vault_app.gui.backup.new_password import NewPasswordFields
from vault_app.gui.error_text import error_message
from vault_app.gui.pages import BusyBar
from vault_app.gui.qt import QtCore, QtWidgets, Signal
from vault_app.gui.widgets import InlineError, PasswordField, WrapLabel, on_enter

if TYPE_CHECKING:
    from vault_app.backups.copies import CopyReport
    from vault_app.gui.window import MainWindow

KEEP, DEFAULT, CALIBRATE = "keep", "default", "calibrate"
OLD_COPIES_WARNING = (
    "Backups you exported earlier, and the copies in the second folder, still open with "
    "the old password: delete them, or keep them somewhere only you can reach.")
SAME_PASSWORD_NOTE = (
    "The password is the same: backups you exported earlier, and the copies in the second "
    "folder, still open with it, at the strength they were made with. Export new ones, or "
    "refresh the second folder's copies, to give them the new strength.")
REFRESHED_WARNING = (
    "Backups you exported earlier still open with the old password: delete them, or keep "
    "them somewhere only you can reach. The second folder now holds only a copy that opens "
    "with the new password.")
CLOUD_NOTE = ("A synced cloud folder may keep its own history of deleted files; remove "
              "old copies there too if the old password leaked.")


def below_minimum(current: KdfParams) -> bool:
    try:
        current.check_creatable()
    except KdfParamsOutOfRange:  # ``change_password`` would raise it to the standard
        return True
    return False


def keep_text(current: KdfParams) -> str:
    return f"&Keep the current one ({current.describe()})"


def kdf_for(choice: str) -> KdfParams | None:
    """The KDF a choice asks for (in the worker: calibrating runs the KDF a few times)."""
    if choice == DEFAULT:
        return KdfParams.default()
    if choice == CALIBRATE:
        return calibrate(1.0)
    return None  # the file's own strength (raised to today's minimum if below it)


JOURNAL_NOTE = (
    "The order journal keeps its key (it holds your orders, never your exchange keys): "
    "whoever opens an old copy with the old password can read the orders recorded, new "
    "ones too.")


def result_text(change: PasswordChange, *, refreshed: bool = False) -> str:
    """What the change did, and what it means for copies made before: a new password
    leaves them opening with the old one; a KDF-only change leaves them as they were."""
    count = change.resealed
    versions = f"{count} previous version{'s' if count != 1 else ''}"
    if change.password_changed:
        lines = [f"The master password was changed. {versions} re-sealed under the new key: "
                 "the old password opens none of them."]
    else:
        lines = [f"The key derivation strength was changed. {versions} re-sealed under "
                 "the new key and strength."]
    if change.left:
        left = len(change.left)
        lines.append(f"{left} file{'s' if left != 1 else ''} could not be re-sealed and "
                     "still open with an earlier password, not the new one; delete them if "
                     f"that password leaked: {', '.join(change.left)}.")
    lines += change.notes
    if not change.password_changed:
        lines.append(SAME_PASSWORD_NOTE)
    else:
        lines.append(REFRESHED_WARNING if refreshed else OLD_COPIES_WARNING)
        lines.append(JOURNAL_NOTE)
    return "\n\n".join(lines)


class PasswordDialog(QtWidgets.QDialog):
    changed = Signal(object)  # the PasswordChange (tests wait on it)
    failed = Signal(object)

    def __init__(self, window: MainWindow, vault: Vault) -> None:
        super().__init__(window)
        self.window_ = window
        self.vault = vault
        self._earlier_slots: list[KeySlot] = []  # held before a change: old copies' slots
        self.setWindowTitle("Change master password")
        self.setObjectName("passwordDialog")
        self.setMinimumWidth(560)
        layout = QtWidgets.QVBoxLayout(self)
        self.pages = QtWidgets.QStackedWidget(self)
        layout.addWidget(self.pages)
        self.form_page = QtWidgets.QWidget(self.pages)
        self.pages.addWidget(self.form_page)
        form_layout = QtWidgets.QVBoxLayout(self.form_page)
        form_layout.setContentsMargins(0, 0, 0, 0)
        intro = WrapLabel(
            "The vault and every previous version kept are re-sealed under a new key. "
            "Nothing you type here is stored.", self.form_page)
        form_layout.addWidget(intro)
        current_form = QtWidgets.QFormLayout()
        self.current = PasswordField("Current master password", self.form_page)
        self.current.setAccessibleName("Current master password")
        current_form.addRow("C&urrent password:", self.current)
        form_layout.addLayout(current_form)
        self.keep_password = QtWidgets.QCheckBox(
            "Keep the password, change only the key derivation &strength", self.form_page)
        self.keep_password.toggled.connect(self._update)
        form_layout.addWidget(self.keep_password)
        self.fields = NewPasswordFields("master password", self.form_page)  # one rule:
        # password_policy.new_password_problem, as for a backup password
        self.fields.changed.connect(self._update)
        form_layout.addWidget(self.fields)

        kdf_box = QtWidgets.QGroupBox("Key derivation strength", self.form_page)
        kdf_layout = QtWidgets.QVBoxLayout(kdf_box)
        self.kdf_keep = QtWidgets.QRadioButton(keep_text(vault.kdf), kdf_box)
        self.kdf_keep.setToolTip(f"Now: {vault.kdf.describe()}")
        self.kdf_default = QtWidgets.QRadioButton(
            f"Stan&dard ({KdfParams.default().describe()}, about 0.5 s)", kdf_box)
        self.kdf_calibrate = QtWidgets.QRadioButton(
            "Calibrate to about &1 s on this machine (takes a few seconds)", kdf_box)
        self.kdf_keep.setChecked(True)
        if below_minimum(vault.kdf):  # "keep" would not keep it (u1 L5): not offered
            self.kdf_keep.hide()
            self.kdf_default.setChecked(True)
            kdf_layout.addWidget(WrapLabel(
                f"The current strength ({vault.kdf.describe()}) is below today's minimum, "
                "so it cannot be kept.", kdf_box))
        for button in (self.kdf_keep, self.kdf_default, self.kdf_calibrate):
            button.toggled.connect(self._update)
            kdf_layout.addWidget(button)
        form_layout.addWidget(kdf_box)
        self.error = InlineError(self.form_page, reserve=True)
        form_layout.addWidget(self.error)
        self.progress = WrapLabel("", self.form_page)  # not red: nothing went wrong
        self.progress.setObjectName("passwordProgress")
        form_layout.addWidget(self.progress)
        self.busy = BusyBar(self.form_page)
        form_layout.addWidget(self.busy)
        self.buttons = QtWidgets.QDialogButtonBox(self.form_page)
        self.submit = self.buttons.addButton(
            "C&hange", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit.setDefault(True)
        self.cancel = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setText("&Cancel")
        self.submit.clicked.connect(self._submit)
        self.cancel.clicked.connect(self.reject)
        form_layout.addWidget(self.buttons)

        self.result_page = QtWidgets.QWidget(self.pages)
        self.pages.addWidget(self.result_page)
        result_layout = QtWidgets.QVBoxLayout(self.result_page)
        result_layout.setContentsMargins(0, 0, 0, 0)
        self.result = WrapLabel("", self.result_page)
        self.result.setObjectName("passwordResult")
        result_layout.addWidget(self.result)
        self.refresh_note = WrapLabel("", self.result_page)
        result_layout.addWidget(self.refresh_note)
        result_layout.addStretch(1)
        done_buttons = QtWidgets.QDialogButtonBox(self.result_page)
        self.refresh = done_buttons.addButton(
            "&Refresh the second folder's copies",
            QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.refresh.clicked.connect(self._refresh)
        self.close_button = done_buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.close_button.setText("&Close")
        self.close_button.clicked.connect(self.accept)
        result_layout.addWidget(done_buttons)
        self.cancel.setAutoDefault(False)  # focus on it never makes Enter cancel
        on_enter(self.current, self._current_entered)
        on_enter(self.fields.confirm, self._submit)  # Enter submits, never cancels
        self.busy.setVisible(False)
        self.progress.hide()
        self.change: PasswordChange | None = None
        self._working = False
        self._update()

    # --- input -------------------------------------------------------------------
    def kdf_choice(self) -> str:
        if self.kdf_default.isChecked():
            return DEFAULT
        return CALIBRATE if self.kdf_calibrate.isChecked() else KEEP

    def problem(self) -> str:
        if not self.current.text():
            return "Enter the current master password."
        if self.keep_password.isChecked():
            if self.kdf_choice() == KEEP:
                return "Choose a new strength, or uncheck “Keep the password”."
            return ""
        return self.fields.problem()

    def _update(self) -> None:
        if self._working:
            return
        self.fields.setEnabled(not self.keep_password.isChecked())
        self.submit.setText("C&hange strength" if self.keep_password.isChecked()
                            else "C&hange password")
        if self.fields.mismatch() and not self.keep_password.isChecked():
            self.error.show_message("The two master passwords do not match.")
        else:
            self.error.show_message("")

    def _current_entered(self) -> None:
        if self.keep_password.isChecked():
            self._submit()
        else:
            self.fields.password.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._working = busy
        self.busy.setVisible(busy)
        self.progress.setVisible(busy)
        for widget in (self.current, self.keep_password, self.fields, self.kdf_keep,
                       self.kdf_default, self.kdf_calibrate, self.submit, self.cancel):
            widget.setEnabled(not busy)
        self.submit.setDefault(True)  # disabled while busy: the action again after
        if not busy:
            self._update()

    # --- the change ----------------------------------------------------------------
    def _submit(self) -> None:
        if self._working:
            return
        problem = self.problem()
        if problem:
            self.error.show_message(problem)
            return
        old = self.current.text()
        new = old if self.keep_password.isChecked() else self.fields.password.text()
        choice = self.kdf_choice()
        with contextlib.suppress(VaultError):  # locked: the change fails and says so
            self._earlier_slots.append(self.vault.key_slot)  # its copies are still ours
        self._set_busy(True)
        self.progress.setText("Calibrating and re-sealing…" if choice == CALIBRATE
                              else "Re-sealing the vault and its previous versions…")

        def done(change: PasswordChange) -> None:
            self._set_busy(False)
            self.current.wipe()
            self.fields.wipe()
            self._show_result(change)
            self.changed.emit(change)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.error.show_message(error_message(exc))
            self.current.wipe()
            self.current.setFocus()
            self.failed.emit(exc)

        self.window_.save(lambda v: v.change_password(old, new, kdf_for(choice)), done,
                          failed)

    def second_folder(self) -> Path | None:
        return self.window_.settings.second_folder(self.vault.given_path).folder

    def _show_result(self, change: PasswordChange) -> None:
        self.change = change
        self.result.setText(result_text(change))
        folder = self.second_folder()
        self.refresh.setVisible(folder is not None)
        if folder is not None:
            self.refresh_note.setText(
                f"Refreshing writes a fresh copy to {folder} and removes this vault's older "
                f"copies there. {CLOUD_NOTE}")
        self.pages.setCurrentWidget(self.result_page)
        self.pages.removeWidget(self.form_page)  # its height no longer counts: no empty
        self.form_page.hide()  # band above the buttons (u1 L4); wipe() still reaches it
        self._fit()
        QtCore.QTimer.singleShot(0, self._fit)  # once the labels know their width
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def _fit(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
        height = self.heightForWidth(self.width())  # the wrapped labels' real height
        self.resize(self.width(), max(height, self.minimumSizeHint().height()))

    def _refresh(self) -> None:
        folder = self.second_folder()
        vault = self.window_.vault
        if folder is None or vault is not self.vault:
            return
        self.refresh.setEnabled(False)
        self.refresh_note.setText(f"Refreshing the copies in {folder}…")

        def then(result: CopyReport | BaseException) -> None:
            if isinstance(result, BaseException):
                self.refresh.setEnabled(True)
                self.refresh_note.setText(f"The copies were not refreshed: "
                                          f"{error_message(result)}")
                return
            gone = len(result.removed)
            if self.change is not None:  # the second folder's old copies are gone now
                self.result.setText(result_text(self.change, refreshed=True))
            self.refresh_note.setText(
                f"Wrote {result.path.name}, which opens with the new password, and removed "
                f"{gone} older cop{'ies' if gone != 1 else 'y'}. {CLOUD_NOTE}")

        keep = self.window_.settings.second_folder(vault.given_path).keep
        self.window_.copies.copy(vault, folder, keep, refresh=True, then=then,
                                 earlier=tuple(self._earlier_slots))

    def wipe(self) -> None:
        self.current.wipe()
        self.fields.wipe()
        self.reject()
