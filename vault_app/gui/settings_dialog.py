"""Preferences: clipboard timeout, auto-lock, theme, and the open vault's (versions kept,
the second folder; see ``vault_settings``). Nothing secret."""

from __future__ import annotations

from vault_app.gui.qt import QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.vault_settings import VaultSettingsBox

THEMES = (("Follow the system", "system"), ("Light", "light"), ("Dark", "dark"))


class SettingsDialog(QtWidgets.QDialog):
    def __init__(self, settings: Settings, parent: QtWidgets.QWidget | None = None,
                 vault_box: VaultSettingsBox | None = None) -> None:
        super().__init__(parent)
        self.vault_box = vault_box
        self.settings = settings
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
        self.settings.clipboard_seconds = self.clipboard_seconds.value()
        self.settings.autolock_minutes = self.autolock_minutes.value()
        self.settings.lock_on_minimize = self.lock_on_minimize.isChecked()
        self.settings.theme = self.theme.currentData()
        if self.vault_box is not None:
            self.vault_box.apply()
        self.settings.sync()
        super().accept()
