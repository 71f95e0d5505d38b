"""Preferences: clipboard timeout, auto-lock, theme, and the open vault's (versions kept,
the second folder; see ``vault_settings``). Nothing secret."""

from __future__ import annotations

from vault_app.gui.qt import QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.vault_settings import VaultSettingsBox
from vault_app.gui.widgets import plain_message_box

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))


class SettingsDialog(QtWidgets.QDialog):
    def __init__(self, settings: Settings, parent: QtWidgets.QWidget | None = None,
                 vault_box: VaultSettingsBox | None = None) -> None:
        super().__init__(parent)
        self.vault_box = vault_box
        self.settings = settings
        self.question: QtWidgets.QMessageBox | None = None  # "delete versions?"
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        layout = QtWidgets.QVBoxLayout(self)

        security = QtWidgets.QGroupBox("Security", self)
        form = QtWidgets.QFormLayout(security)
        self.clipboard_seconds = QtWidgets.QSpinBox(security)
        self.clipboard_seconds.setRange(5, 600)
        self.clipboard_seconds.setSuffix(" s")
        self.clipboard_seconds.setValue(settings.clipboard_seconds)
        self.clipboard_seconds.setAccessibleName("Clear the clipboard after, in seconds")
        form.addRow("&Clear copied secrets after:", self.clipboard_seconds)
        self.autolock_minutes = QtWidgets.QSpinBox(security)
        self.autolock_minutes.setRange(0, 240)
        self.autolock_minutes.setSuffix(" min")
        self.autolock_minutes.setSpecialValueText("Never")
        self.autolock_minutes.setValue(settings.autolock_minutes)
        self.autolock_minutes.setAccessibleName("Lock after idle minutes")
        form.addRow("&Lock after inactivity:", self.autolock_minutes)
        self.lock_on_minimize = QtWidgets.QCheckBox("Lock when the window is &minimised",
                                                    security)
        self.lock_on_minimize.setChecked(settings.lock_on_minimize)
        form.addRow("", self.lock_on_minimize)
        layout.addWidget(security)

        appearance = QtWidgets.QGroupBox("Appearance", self)
        form2 = QtWidgets.QFormLayout(appearance)
        self.theme = QtWidgets.QComboBox(appearance)
        self.theme.setAccessibleName("Theme")
        for title, value in THEMES:
            self.theme.addItem(title, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        form2.addRow("&Theme:", self.theme)
        layout.addWidget(appearance)
        if vault_box is not None:
            vault_box.setParent(self)
            layout.addWidget(vault_box)
            self.setMinimumWidth(600)  # the folder's path and the notes need the room

        note = QtWidgets.QLabel("Settings hold no secrets: only these choices and the paths "
                                "of vault files and folders.", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Lowering the versions kept deletes versions at once: asked first, default No
        (u1 M5)."""
        if self.question is not None:
            return
        removed = self.vault_box.versions_to_remove() if self.vault_box is not None else 0
        if removed == 0:
            self._apply()
            return
        keep = self.vault_box.keep_versions.value() if self.vault_box is not None else 0
        what = (f"{removed} previous version{'s' if removed != 1 else ''}"
                if removed is not None else "The oldest previous versions")
        kept = "none is kept" if keep == 0 else f"only the newest {keep} are kept"
        box = plain_message_box(
            self, QtWidgets.QMessageBox.Icon.Warning, "Delete previous versions?",
            f"{what} will be deleted now: {kept}. A deleted version cannot be restored.")
        box.setObjectName("keepVersionsQuestion")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Cancel)
        cancel = box.button(QtWidgets.QMessageBox.StandardButton.Cancel)
        cancel.setText("&Keep them")
        delete = box.addButton("&Delete them", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def answered() -> None:
            self.question = None
            if box.clickedButton() is delete:
                self._apply()
            elif self.vault_box is not None:
                self.vault_box.keep_versions.setFocus()

        box.finished.connect(lambda _result: answered())
        box.finished.connect(lambda _result: box.deleteLater())
        self.question = box
        box.open()

    def _apply(self) -> None:
        self.settings.clipboard_seconds = self.clipboard_seconds.value()
        self.settings.autolock_minutes = self.autolock_minutes.value()
        self.settings.lock_on_minimize = self.lock_on_minimize.isChecked()
        self.settings.theme = self.theme.currentData()
        if self.vault_box is not None:
            self.vault_box.apply()
        self.settings.sync()
        super().accept()
