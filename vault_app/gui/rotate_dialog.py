"""*Rotate key…*: the new credentials the exchange needs (from the catalog, like the
key form), saved by ``Vault.rotate`` in the write worker; the previous ones go to the
key's history. Once saved, the dialog says to delete the old key on the exchange.

Kept on the window (``window.vault_dialog``), so locking wipes and closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.core.exchanges import CREDENTIAL_TITLES
from vault_app.core.model import KeyEntry
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import QtWidgets
from vault_app.gui.widgets import InlineError, PasswordField, WrapLabel

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow


class RotateDialog(QtWidgets.QDialog):
    def __init__(self, window: MainWindow, entry: KeyEntry) -> None:
        super().__init__(window)
        self.setObjectName("rotateDialog")
        self.setWindowTitle(f"Rotate key – {entry.label}")
        self.setMinimumWidth(440)
        self._window = window
        self.entry = entry
        catalog = window.catalog()
        info = catalog.get(entry.exchange) if entry.exchange in catalog else None
        self.exchange_name = info.plain_name if info is not None else entry.exchange
        names = list(info.required) if info is not None else list(entry.credentials)
        layout = QtWidgets.QVBoxLayout(self)
        self.intro = WrapLabel(
            f"Create a new API key on {self.exchange_name} first, then enter it here. "
            f"The current credentials are kept in this key's encrypted history for "
            f"{window.vault.meta.history_days if window.vault else 30} days.", self)
        layout.addWidget(self.intro)
        form = QtWidgets.QFormLayout()
        self.fields: dict[str, PasswordField] = {}
        for name in names:
            title = CREDENTIAL_TITLES.get(name, name)
            field = PasswordField(f"new {title}", self, monospace=True)
            field.setObjectName(f"rotate_{name}")
            field.setAccessibleName(f"New {title}")
            form.addRow(f"New {title}:", field)
            self.fields[name] = field
        layout.addLayout(form)
        self.error = InlineError(self)
        self.error.setObjectName("rotateError")
        layout.addWidget(self.error)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.rotate_button = self.buttons.addButton(
            "&Rotate", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.rotate_button.setObjectName("rotateButton")
        self.cancel_button = self.buttons.addButton(
            "&Cancel", QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        self.rotate_button.clicked.connect(self._rotate)
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.rotate_button.setDefault(True)
        self.done_text: str | None = None

    def _rotate(self) -> None:
        vault = self._window.vault
        if vault is None or not self.rotate_button.isEnabled():
            return
        credentials = {name: field.text() for name, field in self.fields.items()}
        entry = self.entry
        self.rotate_button.setEnabled(False)
        self.error.show_message("")
        self._window.save(lambda v: v.rotate(entry.id, credentials, base=entry),
                          self._rotated, self._failed)

    def _rotated(self, entry: KeyEntry) -> None:
        from vault_app.gui.vault_page import refresh

        refresh(self._window, entry.id)
        for field in self.fields.values():
            field.wipe()
            field.setEnabled(False)
        self.done_text = (f"Rotated. Now delete the old key on {self.exchange_name}: until "
                          "you do, it still works for whoever holds it. Then verify the new key "
                          "with the exchange: the old key's verification no longer applies.")
        self.intro.setText(self.done_text)
        self.intro.setObjectName("rotateDone")
        self.intro.setStyleSheet("font-weight: bold;")
        self.rotate_button.hide()
        self.cancel_button.setText("&Close")
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self.rotate_button.setEnabled(True)
        self.error.show_message(error_message(exc))

    def wipe(self) -> None:
        for field in self.fields.values():
            field.wipe()
        self.reject()


def purge_history(window: MainWindow) -> None:
    """Ask (default No), then drop the shown key's previous credentials."""
    from vault_app.gui.vault_page import refresh
    from vault_app.gui.widgets import plain_message_box

    entry = window.current_entry()
    if entry is None or window.vault is None or window.read_only \
            or not entry.credential_history:
        return
    box = plain_message_box(
        window, QtWidgets.QMessageBox.Icon.Warning, "Purge history",
        f"Delete the {len(entry.credential_history)} previous credential set(s) of "
        f"“{entry.label}” now? They cannot be recovered.")
    box.setObjectName("purgeHistoryDialog")
    box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Yes
                           | QtWidgets.QMessageBox.StandardButton.No)
    box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.No)

    def answered(result: int) -> None:
        if window.purge_dialog is box:
            window.purge_dialog = None
        box.deleteLater()
        if result != QtWidgets.QMessageBox.StandardButton.Yes or window.vault is None:
            return
        window.save(lambda v: v.purge_history(entry.id), lambda _n: refresh(window, entry.id),
                    lambda exc: QtWidgets.QMessageBox.critical(window, "Not saved",
                                                               error_message(exc)))

    box.finished.connect(answered)
    window.purge_dialog = box
    box.open()
