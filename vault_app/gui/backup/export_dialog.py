"""Export a backup: the whole vault or chosen keys, to a file, under the master
password (typed again: the app does not hold it) or a separate backup password.

The dialog only collects and shows; ``backup_flow`` runs the export and its
verification in the background and calls ``show_done`` or ``show_error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from vault_app.core.model import KeyEntry
from vault_app.gui.backup.new_password import NewPasswordFields
from vault_app.gui.pages import BusyBar
from vault_app.gui.qt import Qt, QtCore, QtWidgets, Signal
from vault_app.gui.widgets import InlineError, PasswordField, WrapLabel, isolated, on_enter

INTRO = ("A backup is an encrypted file in the vault format, with the order journal of "
         "the keys it holds. It is read back and checked before it is kept.")
ID_ROLE = Qt.ItemDataRole.UserRole


LEFT = Qt.AlignmentFlag.AlignLeft


class ExportDialog(QtWidgets.QDialog):
    """``export_requested(path, password, entry_ids or None, master)`` once valid."""

    export_requested = Signal(Path, str, object, bool)
    choose_file_requested = Signal()

    def __init__(self, entries: Sequence[KeyEntry], selected: Iterable[str],
                 default_path: Path, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export backup")
        self.setMinimumWidth(520)
        self.question: QtWidgets.QMessageBox | None = None  # "replace the file?"
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(WrapLabel(INTRO, self))

        keys = QtWidgets.QGroupBox("Keys", self)
        keys_layout = QtWidgets.QVBoxLayout(keys)
        self.whole = QtWidgets.QRadioButton(f"The &whole vault ({_keys(len(entries))})", keys)
        self.chosen = QtWidgets.QRadioButton("&Only the keys checked below", keys)
        self.key_list = QtWidgets.QListWidget(keys)
        self.key_list.setAccessibleName("Keys to export")
        self.key_list.setMinimumHeight(140)
        wanted = set(selected)
        for entry in sorted(entries, key=lambda e: e.label.casefold()):
            item = QtWidgets.QListWidgetItem(f"{isolated(entry.label)} ({entry.exchange})")
            item.setData(ID_ROLE, entry.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if entry.id in wanted
                               else Qt.CheckState.Unchecked)
            self.key_list.addItem(item)
        self.whole.setChecked(True)
        self.whole.toggled.connect(self._mode_changed)
        self.key_list.itemChanged.connect(lambda _item: self._update())
        keys_layout.addWidget(self.whole, 0, LEFT)  # as wide as it reacts to a click
        keys_layout.addWidget(self.chosen, 0, LEFT)  # as wide as it reacts to a click
        keys_layout.addWidget(self.key_list)
        layout.addWidget(keys)

        file_box = QtWidgets.QGroupBox("Backup file", self)
        file_layout = QtWidgets.QVBoxLayout(file_box)
        file_row = QtWidgets.QHBoxLayout()
        self.path = QtWidgets.QLineEdit(str(default_path), file_box)
        self.path.setAccessibleName("Backup file")
        self.choose = QtWidgets.QPushButton("C&hoose…", file_box)
        self.choose.clicked.connect(self.choose_file_requested)
        self.path.textChanged.connect(lambda _text: self._update())
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        file_layout.addLayout(file_row)
        self.where_note = WrapLabel("Keep backups off this disk too (a USB stick, another "
                                    "computer): a backup beside the vault is lost with it.",
                                    file_box)
        file_layout.addWidget(self.where_note)
        layout.addWidget(file_box)

        password_box = QtWidgets.QGroupBox("Password of the backup", self)
        password_layout = QtWidgets.QVBoxLayout(password_box)
        self.use_master = QtWidgets.QRadioButton("The &master password (type it again)",
                                                 password_box)
        self.master = PasswordField("Master password", password_box)
        self.master.setAccessibleName("Master password")
        self.use_separate = QtWidgets.QRadioButton("A &separate backup password",
                                                   password_box)
        self.separate = NewPasswordFields("backup password", password_box)
        self.use_master.setChecked(True)
        self.use_master.toggled.connect(self._mode_changed)
        self.master.textChanged.connect(lambda _text: self._update())
        self.separate.changed.connect(self._update)
        password_layout.addWidget(self.use_master, 0, LEFT)  # as wide as it reacts to a click
        password_layout.addWidget(self.master)
        password_layout.addWidget(self.use_separate, 0, LEFT)  # as wide as it reacts to a click
        password_layout.addWidget(self.separate)
        layout.addWidget(password_box)

        self.error = InlineError(self, reserve=True)
        self.error.setObjectName("exportError")
        layout.addWidget(self.error)
        self.result_label = WrapLabel("", self)
        self.result_label.setObjectName("exportResult")
        self.result_label.setStyleSheet("color: #2e7d32;")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        layout.addWidget(self.result_label)
        self.busy = BusyBar(self)
        layout.addWidget(self.busy)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(
            "&Export", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(
            QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        for button in (self.close_button, self.choose):
            button.setAutoDefault(False)  # focus on it never makes Enter cancel or browse
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for field in (self.path, self.master, self.separate.confirm):
            on_enter(field, self._submit)  # Enter in a field exports, never cancels
        self._busy = False
        self._mode_changed()
        self.master.setFocus()  # the one thing to type (u1 M6)

    # --- reading the choices ----------------------------------------------------------
    def checked_ids(self) -> list[str]:
        return [str(item.data(ID_ROLE)) for item in self._items()
                if item.checkState() == Qt.CheckState.Checked]

    def _items(self) -> list[QtWidgets.QListWidgetItem]:
        return [self.key_list.item(row) for row in range(self.key_list.count())]

    def entry_ids(self) -> list[str] | None:
        """None: the whole vault."""
        return None if self.whole.isChecked() else self.checked_ids()

    def password(self) -> str:
        return self.master.text() if self.use_master.isChecked() else self.separate.password.text()

    def _mode_changed(self) -> None:
        self.key_list.setEnabled(self.chosen.isChecked() and not self._busy)
        self.master.setVisible(self.use_master.isChecked())
        self.separate.setVisible(self.use_separate.isChecked())
        self._update()
        # the password fields come and go: the dialog's height follows (once laid out)
        QtCore.QTimer.singleShot(0, self._fit_height)

    def _fit_height(self) -> None:
        layout = self.layout()
        if self.isVisible() and layout is not None:
            layout.activate()
            self.resize(self.width(), self.minimumSizeHint().height())

    def _update(self) -> None:
        if self.use_separate.isChecked() and self.separate.mismatch():
            self.error.show_message("The two backup passwords do not match.")
        elif self.error.text() == "The two backup passwords do not match.":
            self.error.show_message("")

    def problem(self) -> str:
        if not self.path.text().strip():
            return "Choose the backup file."
        ids = self.entry_ids()
        if ids is not None and not ids:
            return "Check at least one key, or export the whole vault."
        if self.use_master.isChecked():
            return "" if self.master.text() else "Type the master password again."
        return self.separate.problem()

    def _submit(self) -> None:
        if self._busy:
            return
        problem = self.problem()
        self.error.show_message(problem)
        if problem:
            self._focus_problem()
            return
        self.export_requested.emit(Path(self.path.text().strip()).expanduser(), self.password(),
                                   self.entry_ids(), self.use_master.isChecked())

    def _focus_problem(self) -> None:
        if not self.path.text().strip():
            field: QtWidgets.QWidget = self.path
        elif self.entry_ids() == []:
            field = self.key_list
        elif self.use_master.isChecked():
            field = self.master
        else:
            field = self.separate.confirm if self.error.text().endswith("do not match.") \
                else self.separate.password
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- showing the outcome ------------------------------------------------------------
    def set_busy(self, busy: bool, message: str = "") -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        for widget in (self.whole, self.chosen, self.path, self.choose, self.use_master,
                       self.master, self.use_separate, self.separate, self.export_button):
            widget.setEnabled(not busy)
        self.key_list.setEnabled(self.chosen.isChecked() and not busy)
        self.export_button.setDefault(True)  # disabled while busy: the action again after
        if busy:
            self.error.show_message("")
            self.result_label.setText(message)
            self.result_label.setVisible(bool(message))

    def password_field(self) -> QtWidgets.QLineEdit:
        return self.master if self.use_master.isChecked() else self.separate.password

    def show_error(self, text: str, *, wrong_password: bool = False) -> None:
        self.set_busy(False)
        self.result_label.hide()
        self.error.show_message(text)
        field = self.password_field() if wrong_password else self.path
        field.selectAll()
        field.setFocus(Qt.FocusReason.OtherFocusReason)  # not left on Cancel

    def show_done(self, text: str) -> None:
        """Verified: say so, forget the passwords; the dialog stays until closed."""
        self.set_busy(False)
        self.wipe_passwords()
        self.result_label.setText(text)
        self.result_label.show()
        self.close_button.setText("&Close")
        self.export_button.setText("&Export again")
        self.close_button.setDefault(True)  # done: Enter closes, it does not export again
        self.close_button.setFocus()

    def wipe_passwords(self) -> None:
        self.master.wipe()
        self.separate.wipe()

    def wipe(self) -> None:
        """On lock: forget the passwords and the labels shown, then close."""
        if self.question is not None:
            self.question.reject()  # its answer then finds the dialog gone: nothing written
        self.wipe_passwords()
        self.key_list.clear()
        self.reject()


def _keys(count: int) -> str:
    return f"{count} key" if count == 1 else f"{count} keys"
