"""Restore from a backup: which file, its password, and into what (a new vault, or
merged into the open one). ``backup_flow`` reads the backup in the background; a
merge then continues in the merge dialog, with its plan."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from vault_app.gui.pages import BusyBar
from vault_app.gui.qt import Qt, QtWidgets, Signal
from vault_app.gui.widgets import InlineError, PasswordField, WrapLabel, on_enter

INTRO = ("Choose a backup exported by vault-app, and the password it was exported with "
         "(the master password of the vault it came from, or its separate backup password).")


LEFT = Qt.AlignmentFlag.AlignLeft
NO_PASSWORD = "Type the backup's password."
NO_NEW_PATH = "Choose the file of the new vault."


class RestoreDialog(QtWidgets.QDialog):
    """``restore_requested(backup path, password, new vault path or None)``."""

    restore_requested = Signal(Path, str, object)
    choose_backup_requested = Signal()
    choose_new_requested = Signal()

    def __init__(self, vault_name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore from backup")
        self.setMinimumWidth(520)
        self.question: QtWidgets.QMessageBox | None = None  # "switch to it?" (on the window)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(WrapLabel(INTRO, self))
        form = QtWidgets.QFormLayout()
        file_row = QtWidgets.QHBoxLayout()
        self.backup_path = QtWidgets.QLineEdit(self)
        self.backup_path.setAccessibleName("Backup file")
        self.choose_backup = QtWidgets.QPushButton("C&hoose…", self)
        self.choose_backup.clicked.connect(self.choose_backup_requested)
        file_row.addWidget(self.backup_path, 1)
        file_row.addWidget(self.choose_backup)
        backup_label = QtWidgets.QLabel("&Backup file:", self)
        backup_label.setBuddy(self.backup_path)
        form.addRow(backup_label, file_row)
        self.password = PasswordField("Password of the backup", self)
        self.password.setAccessibleName("Password of the backup")
        form.addRow("&Password:", self.password)
        layout.addLayout(form)

        target = QtWidgets.QGroupBox("Restore", self)
        target_layout = QtWidgets.QVBoxLayout(target)
        self.merge = QtWidgets.QRadioButton(f"&Merge into this vault ({vault_name})", target)
        self.merge.setToolTip("You see every key it would add and every conflict, and "
                              "choose, before anything is saved.")
        self.new = QtWidgets.QRadioButton("Restore into a &new vault:", target)
        new_row = QtWidgets.QHBoxLayout()
        self.new_path = QtWidgets.QLineEdit(self)
        self.new_path.setAccessibleName("New vault file")
        self.new_path.setPlaceholderText("File of the new vault")
        self.choose_new = QtWidgets.QPushButton("Choo&se…", self)
        self.choose_new.clicked.connect(self.choose_new_requested)
        new_row.addSpacing(22)
        new_row.addWidget(self.new_path, 1)
        new_row.addWidget(self.choose_new)
        self.new_note = WrapLabel("The new vault opens with the backup's password.", self)
        self.new_note.setContentsMargins(22, 0, 0, 0)
        target_layout.addWidget(self.merge, 0, LEFT)  # as wide as it reacts to a click
        target_layout.addWidget(self.new, 0, LEFT)  # as wide as it reacts to a click
        target_layout.addLayout(new_row)
        target_layout.addWidget(self.new_note)
        self.merge.setChecked(True)
        self.merge.toggled.connect(lambda _on: self._mode_changed())
        layout.addWidget(target)

        self.error = InlineError(self, reserve=True)
        self.error.setObjectName("restoreError")
        layout.addWidget(self.error)
        self.busy = BusyBar(self)
        layout.addWidget(self.busy)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.go = self.buttons.addButton("Con&tinue…",
                                         QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setDefault(True)
        cancel = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        for button in (cancel, self.choose_backup, self.choose_new):
            button.setAutoDefault(False)  # focus on it never makes Enter cancel or browse
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for field in (self.backup_path, self.password, self.new_path):
            on_enter(field, self._submit)  # Enter in a field restores, never cancels
        # Tab: the file, then its password (what is typed next), the target, then the
        # choosers (a mouse's way in)
        order = (self.backup_path, self.password, self.merge, self.new, self.new_path,
                 self.choose_new, self.choose_backup, self.go, cancel)
        for first, second in pairwise(order):
            QtWidgets.QWidget.setTabOrder(first, second)
        self.backup_path.setFocus()
        self._busy = False
        self._mode_changed()

    def _mode_changed(self) -> None:
        on = self.new.isChecked() and not self._busy
        for widget in (self.new_path, self.choose_new, self.new_note):
            widget.setEnabled(on)
        self.go.setText("Con&tinue…" if self.merge.isChecked() else "&Restore")

    def problem(self) -> str:
        if not self.backup_path.text().strip():
            return "Choose the backup file."
        if not self.password.text():
            return NO_PASSWORD
        if self.new.isChecked() and not self.new_path.text().strip():
            return NO_NEW_PATH
        return ""

    def _submit(self) -> None:
        if self._busy:
            return
        problem = self.problem()
        self.error.show_message(problem)
        if problem:
            self._focus(self.password if problem == NO_PASSWORD else
                        self.new_path if problem == NO_NEW_PATH else self.backup_path)
            return
        new = Path(self.new_path.text().strip()).expanduser() if self.new.isChecked() else None
        self.restore_requested.emit(Path(self.backup_path.text().strip()).expanduser(),
                                    self.password.text(), new)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.backup_path, self.choose_backup, self.password, self.merge,
                       self.new, self.go):
            widget.setEnabled(not busy)
        self._mode_changed()
        self.go.setDefault(True)  # disabled while busy, it is the action again after
        if busy:
            self.error.show_message("")

    def show_error(self, text: str, *, wrong_password: bool = False) -> None:
        self.set_busy(False)
        self.error.show_message(text)
        self._focus(self.password if wrong_password else self.backup_path)

    def _focus(self, field: QtWidgets.QLineEdit) -> None:
        """Back to a field (not left on Cancel, where the busy state put it), its text
        selected so that typing replaces it."""
        field.selectAll()
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def wipe(self) -> None:
        self.password.wipe()
        if self.question is not None:
            self.question.reject()
        self.reject()
