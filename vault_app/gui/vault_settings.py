"""The settings of the open vault: previous versions kept, and the second folder.

How many versions a save keeps is stored in the vault itself (``Vault.set_keep_versions``,
saved like any change); the second folder, its interval and how many copies it keeps
are preferences of this computer (QSettings, keyed by the vault's path: no secret).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.core.schema import MAX_KEEP_VERSIONS
from vault_app.core.vault import Vault
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets, Signal
from vault_app.gui.settings import MAX_COPIES, SecondFolder
from vault_app.gui.widgets import WrapLabel

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow


def usage_text(count: int, size: int) -> str:
    if not count:
        return "No previous versions kept yet."
    mib = size / (1024 * 1024)
    amount = f"{mib:.1f} MiB" if mib >= 0.1 else f"{max(size // 1024, 1)} KiB"
    return f"{count} previous version{'s' if count != 1 else ''} kept, {amount} in all."


class VaultSettingsBox(QtWidgets.QGroupBox):
    folder_checked = Signal()  # the folder typed was looked at (tests wait on it)

    def __init__(self, window: MainWindow, vault: Vault,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__("This vault", parent)
        self.vault = vault
        self.window_ = window
        form = QtWidgets.QFormLayout(self)
        self.keep_versions = QtWidgets.QSpinBox(self)
        self.keep_versions.setRange(0, MAX_KEEP_VERSIONS)
        self.keep_versions.setSpecialValueText("Off")
        self.keep_versions.setValue(vault.meta.keep_versions)
        self.keep_versions.setAccessibleName("Previous versions to keep")
        self.keep_versions.setEnabled(not window.read_only)
        form.addRow("Previous &versions to keep:", self.keep_versions)
        self.versions_note = WrapLabel(
            "Off keeps none. A lower number deletes the oldest versions beyond it when you "
            "click OK (you are asked first).", self)
        form.addRow("", self.versions_note)
        self.usage = WrapLabel("Counting the previous versions…", self)
        self.usage.setObjectName("versionsUsage")
        form.addRow("", self.usage)
        self.kept: int | None = None  # versions kept now, once counted

        config = window.settings.second_folder(vault.given_path)
        row = QtWidgets.QHBoxLayout()
        self.folder = QtWidgets.QLineEdit(str(config.folder or ""), self)
        self.folder.setPlaceholderText("None: no automatic copies")
        self.folder.setAccessibleName("Second folder for automatic copies")
        self.browse = QtWidgets.QPushButton("&Browse…", self)
        self.browse.clicked.connect(self._browse)
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        folder_label = QtWidgets.QLabel("Copies to a second &folder:", self)
        folder_label.setBuddy(self.folder)
        form.addRow(folder_label, row)
        self.folder_note = WrapLabel("", self)  # a folder that is not there (yet), said now
        self.folder_note.setObjectName("secondFolderNote")
        self.folder_note.hide()
        form.addRow("", self.folder_note)
        self.folder.editingFinished.connect(self._check_folder)
        self.folder.textChanged.connect(lambda _text: self.folder_note.hide())
        when = QtWidgets.QHBoxLayout()
        self.when = QtWidgets.QComboBox(self)
        self.when.addItems(["After each save", "At most every"])
        self.when.setAccessibleName("When to copy")
        self.minutes = QtWidgets.QSpinBox(self)
        self.minutes.setRange(1, 10_080)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Minutes between copies")
        self.when.setCurrentIndex(1 if config.interval_minutes else 0)
        self.minutes.setValue(config.interval_minutes or 60)
        self.minutes.setEnabled(bool(config.interval_minutes))
        self.when.currentIndexChanged.connect(lambda i: self.minutes.setEnabled(i == 1))
        when.addWidget(self.when)
        when.addWidget(self.minutes)
        when.addStretch(1)
        when_label = QtWidgets.QLabel("&When:", self)
        when_label.setBuddy(self.when)
        form.addRow(when_label, when)
        self.keep_copies = QtWidgets.QSpinBox(self)
        self.keep_copies.setRange(1, MAX_COPIES)
        self.keep_copies.setValue(config.keep)
        self.keep_copies.setAccessibleName("Copies to keep in the second folder")
        form.addRow("Copies to &keep there:", self.keep_copies)
        note = WrapLabel(
            "Copies open with the master password. A USB stick or a synced cloud folder "
            "keeps them off this disk; a missing or full folder never stops a save.", self)
        form.addRow("", note)
        self._load_usage()

    def _browse(self) -> None:
        folder = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Folder for automatic copies", self.folder.text() or str(Path.home()))
        if folder:
            self.folder.setText(folder)

    def _check_folder(self) -> None:
        """Say at once when the folder chosen is not there (a drive not plugged in?),
        not only at the next save (u1 L8). A stat, in the background: a network folder
        may hang."""
        text = self.folder.text().strip()
        if not text or not self.isVisible() or self.window_.vault is not self.vault:
            return  # (focus lost as the dialog closes, or locked)
        path = Path(text).expanduser()

        def done(is_folder: bool) -> None:
            if self.folder.text().strip() != text:
                return  # typed on meanwhile
            self.folder_note.setText("" if is_folder else
                                     f"{path} is not a folder here now (a drive not plugged "
                                     "in?). Copies are made once it is there; until then a "
                                     "save says so once in the status bar.")
            self.folder_note.setVisible(not is_folder)
            self.folder_checked.emit()

        self.window_.ops.run(path.is_dir, done, lambda _exc: None)

    def _load_usage(self) -> None:
        path = self.vault.path

        def work() -> tuple[int, int]:
            from vault_app.core import versions

            return versions.usage(path)

        def done(result: tuple[int, int]) -> None:
            self.kept = result[0]
            self.usage.setText(usage_text(*result))

        def failed(exc: BaseException) -> None:
            self.usage.setText(f"Could not count the previous versions: {error_message(exc)}")

        self.window_.ops.run(work, done, failed)

    def second_folder(self) -> SecondFolder:
        text = self.folder.text().strip()
        return SecondFolder(Path(text).expanduser() if text else None,
                            self.minutes.value() if self.when.currentIndex() else 0,
                            self.keep_copies.value())

    def versions_to_remove(self) -> int | None:
        """How many versions OK would delete (0: none; None: some, not counted yet)."""
        keep = self.keep_versions.value()
        if keep >= self.vault.meta.keep_versions or self.window_.read_only:
            return 0
        from vault_app.core.versions import removed_by_keep

        return None if self.kept is None else removed_by_keep(self.kept, keep)

    def apply(self) -> None:
        """Store the second folder; save the versions count if it changed (in the
        background); copy at once to a folder newly chosen, so a problem shows now."""
        window, vault = self.window_, self.vault
        before = window.settings.second_folder(vault.given_path)
        chosen = self.second_folder()
        if chosen != before:
            window.settings.set_second_folder(vault.given_path, chosen)
        keep = self.keep_versions.value()
        saving = keep != vault.meta.keep_versions and window.vault is vault \
            and not window.read_only
        if chosen.folder is not None and chosen.folder != before.folder \
                and window.vault is vault and not saving:  # a save copies after itself
            window.copies.copy(vault, chosen.folder, chosen.keep)
        if saving:
            if chosen.folder is not None and chosen.folder != before.folder:
                window.settings.set_last_copy_at(vault.given_path, None)  # due at once
            window.save(lambda v: v.set_keep_versions(keep), lambda _r: None,
                        lambda exc: window.statusBar().showMessage(
                            f"The number of versions to keep was not saved: "
                            f"{error_message(exc)}"))
