"""*Import…*: keys from a plaintext config (freqtrade, .env, CSV, KeePassXC CSV).

The file is read and planned in a worker (``core.importers``): the preview lists what
would be added (masked API keys) and what is skipped; *Import* adds them all in one
save (the write worker; ``Vault.add_many`` re-checks duplicates against the disk, so
a key added by another session meanwhile refuses the import, nothing written). Then
the dialog says the source still holds the secrets in plain text and offers to delete
it, asking first with *Keep the file* as the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vault_app.core import importers
from vault_app.core.importers import ExchangeNeeded, ImportPlan
from vault_app.core.importers.common import SourceFile, read_identified
from vault_app.core.model import mask_identifier
from vault_app.core.vault import Vault
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets, Signal
from vault_app.gui.widgets import isolated, plain_message_box

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

GUESS = "guess"
FORMAT_TITLES = {GUESS: "Guess from the file", "freqtrade": "freqtrade config.json",
                 "env": ".env file", "csv": "CSV (label,exchange,apiKey,secret,…)",
                 "keepassxc-csv": "KeePassXC CSV export"}
PLAINTEXT_WARNING = ("{name} still holds these secrets in plain text. Delete it once you "
                     "have checked the import, and remove it from backups and synced "
                     "folders too.")


def prepare(path: Path, choice: str, exchange: str | None,
            vault: Vault) -> tuple[str, ImportPlan, SourceFile]:
    """In the worker: the format (guessed if asked), the plan against the vault, and
    the identity of what was read (a delete removes only that)."""
    text, source = read_identified(path)
    fmt = choice if choice != GUESS else importers.guess_format(path, text)
    if fmt is None:
        raise importers.ImportFileError("cannot tell the file's format; choose it")
    return fmt, importers.plan(importers.parse(text, fmt), vault.entries, vault.catalog,
                               exchange=exchange or None), source


def shown_source(source: SourceFile) -> str:
    path = isolated(str(source.path))
    return f"{path} (a link to {isolated(str(source.real))})" if source.is_link else path


class ImportDialog(QtWidgets.QDialog):
    previewed = Signal()  # tests wait on these
    imported = Signal()
    deleted = Signal()

    def __init__(self, window: MainWindow, vault: Vault) -> None:
        super().__init__(window)
        self.window_ = window
        self.vault = vault
        self.plan: ImportPlan | None = None
        self.source: SourceFile | None = None
        self.question: QtWidgets.QMessageBox | None = None
        self.picker: QtWidgets.QFileDialog | None = None
        self.asked: tuple[str, str, str] | None = None  # what the last preview was for
        self.setWindowTitle("Import keys")
        self.setObjectName("importDialog")
        self.resize(680, 480)
        layout = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        row = QtWidgets.QHBoxLayout()
        self.path = QtWidgets.QLineEdit(self)
        self.path.setAccessibleName("File to import")
        self.path.editingFinished.connect(self.preview)
        browse = QtWidgets.QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("&File:", row)
        form.labelForField(row).setBuddy(self.path)  # type: ignore[union-attr]
        self.format = QtWidgets.QComboBox(self)
        for fmt, title in FORMAT_TITLES.items():
            self.format.addItem(title, fmt)
        self.format.currentIndexChanged.connect(lambda _i: self.preview())  # a new key
        form.addRow("F&ormat:", self.format)
        self.exchange = QtWidgets.QLineEdit(self)
        self.exchange.setPlaceholderText("only for keys the file does not name one for, "
                                         "e.g. binance")
        self.exchange.editingFinished.connect(self.preview)
        form.addRow("E&xchange:", self.exchange)
        layout.addLayout(form)
        self.table = QtWidgets.QTreeWidget(self)
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Line", "Label", "Exchange", "API key", "Import"])
        self.table.setAccessibleName("What would be imported")
        layout.addWidget(self.table, 1)
        self.status = QtWidgets.QLabel("Choose a file to import.", self)
        self.status.setWordWrap(True)
        self.status.setObjectName("importStatus")
        layout.addWidget(self.status)
        buttons = QtWidgets.QDialogButtonBox(self)
        self.import_button = buttons.addButton(
            "&Import", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self._import)
        self.delete_button = buttons.addButton(
            "&Delete the file…", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.delete_button.setVisible(False)
        self.delete_button.clicked.connect(self._ask_delete)
        close = buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.setText("&Close")
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    # --- choosing and previewing -----------------------------------------------------

    def _browse(self) -> None:
        picker = QtWidgets.QFileDialog(self, "Import keys from")
        picker.setFileMode(QtWidgets.QFileDialog.FileMode.ExistingFile)
        picker.fileSelected.connect(self.choose_file)
        self.picker = picker
        picker.open()

    def choose_file(self, name: str) -> None:
        self.path.setText(name)
        self.preview(again=True)

    def _fields(self) -> tuple[str, str, str]:
        return (self.path.text().strip(), str(self.format.currentData()),
                self.exchange.text().strip())

    def preview(self, *, again: bool = False) -> None:
        """Read and plan the file as the fields say; a field left unchanged (focus moving
        on) reads it again only when ``again`` (the file chosen anew)."""
        asked = self._fields()
        if asked == self.asked and not again:
            return
        self.asked = asked
        self.plan = None
        self.import_button.setEnabled(False)
        self.table.clear()
        text, choice, exchange = asked
        if not text:
            self.status.setText("Choose a file to import.")
            return
        path, vault = Path(text), self.vault
        self.status.setText("Reading the file…")

        def current() -> bool:
            return self._fields() == asked  # else a newer preview follows

        def done(result: tuple[str, ImportPlan, SourceFile]) -> None:
            if current():
                self._show(path, *result)

        def failed(exc: BaseException) -> None:
            if current():
                self._failed(exc)

        self.window_.ops.run(lambda: prepare(path, choice, exchange, vault), done, failed)

    def _show(self, path: Path, fmt: str, plan: ImportPlan, source: SourceFile) -> None:
        self.plan, self.source = plan, source
        if self.format.currentData() == GUESS:
            self.format.blockSignals(True)
            self.format.setCurrentIndex(self.format.findData(fmt))
            self.format.blockSignals(False)
            self.asked = self._fields()
        for entry, line in zip(plan.entries, plan.lines, strict=True):
            key = mask_identifier(entry.credentials.get("apiKey", ""))
            self.table.addTopLevelItem(QtWidgets.QTreeWidgetItem(
                [str(line), isolated(entry.label), entry.exchange, key, "yes"]))
        for skipped in plan.skipped:
            self.table.addTopLevelItem(QtWidgets.QTreeWidgetItem(
                [str(skipped.line), isolated(skipped.label), skipped.exchange,
                 skipped.api_key, f"skipped: {isolated(skipped.reason)}"]))
        for column in range(4):
            self.table.resizeColumnToContents(column)
        count = len(plan.entries)
        skipped_text = f"; {len(plan.skipped)} skipped (see why below)" if plan.skipped else ""
        self.status.setText(f"{count} key{'s' if count != 1 else ''} to import"
                            f"{skipped_text}. Nothing is written until you click Import.")
        self.import_button.setEnabled(bool(count) and not self.window_.read_only)
        self.previewed.emit()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ExchangeNeeded):
            self.status.setText(f"{error_message(exc)} under Exchange.")
            self.exchange.setFocus()
        else:
            self.status.setText(error_message(exc))
        self.previewed.emit()

    # --- importing and the source file -------------------------------------------------

    def _import(self) -> None:
        plan, source = self.plan, self.source
        if plan is None or source is None or self.window_.vault is not self.vault:
            return
        self.import_button.setEnabled(False)
        self.status.setText("Importing…")
        entries = list(plan.entries)

        def done(_result: object) -> None:
            self.plan = None
            self.status.setText(f"Imported {len(entries)} key(s). "
                                + PLAINTEXT_WARNING.format(name=shown_source(source)))
            self.delete_button.setVisible(True)
            for row in range(len(entries)):  # the entries' rows come first
                self.table.topLevelItem(row).setText(4, "imported")
            self.imported.emit()

        self.window_.save(lambda v: v.add_many(entries), done, self._failed)

    def _ask_delete(self) -> None:
        source = self.source
        if source is None:
            return
        box = plain_message_box(
            self, QtWidgets.QMessageBox.Icon.Question, "Delete the source file?",
            f"Delete {shown_source(source)}? Check first that the keys work from the "
            "vault: the file cannot be brought back.")
        box.setObjectName("deleteSourceQuestion")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Cancel)
        keep = box.button(QtWidgets.QMessageBox.StandardButton.Cancel)
        keep.setText("&Keep the file")
        delete = box.addButton("&Delete", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)

        def answered() -> None:
            self.question = None
            if box.clickedButton() is delete:
                self.window_.ops.run(lambda: importers.delete_source(source),
                                     self._deleted, self._failed)

        box.finished.connect(lambda _result: answered())
        box.finished.connect(lambda _result: box.deleteLater())
        self.question = box
        box.open()

    def _deleted(self, remaining: Path | None) -> None:
        self.delete_button.setVisible(False)
        source = self.source
        if source is not None and remaining is not None:
            text = importers.deleted_link_message(isolated(str(source.path)),
                                                  isolated(str(remaining)))
            self.status.setText(f"Warning: {text[0].upper()}{text[1:]}.")
        elif source is not None:
            self.status.setText(f"Deleted {isolated(str(source.path))}.")
        self.deleted.emit()

    def wipe(self) -> None:
        """Forget the plan (it holds the secrets) and what is shown, and close."""
        for child in (self.question, self.picker):
            if child is not None:
                child.reject()
        self.plan = None
        self.table.clear()
        self.reject()
