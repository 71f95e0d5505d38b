"""*Verify with exchange…*: ask the key's exchange what the key may really do
(``trading.key_rights``), show it beside the labels, record it, and offer to update the
labels from it.

The request runs in the network pool (``window.ops``); the answer is recorded in the
write worker (``Vault.record_verification``: one locked atomic save, nothing recorded in
a read-only vault). A key that can withdraw without its labels saying so gets a red
warning. *Update labels from the exchange* asks first (default No), then saves the
labels and the IP list from the answer. The dialog is kept on the window
(``window.vault_dialog``): locking closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.core.model import KeyEntry, Verification
from vault_app.gui.error_text import error_message
from vault_app.gui.pages import BusyBar
from vault_app.gui.qt import QtWidgets
from vault_app.gui.trading.error_text import explain
from vault_app.gui.widgets import WrapLabel, plain_message_box

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

WARNING_STYLE = "color: #c62828; font-weight: bold;"


def ask_exchange(entry: KeyEntry) -> Verification:
    """The network request (in a worker: no widget here)."""
    from vault_app.trading.client import ExchangeClient
    from vault_app.trading.key_rights import fetch_rights

    client = ExchangeClient(entry)
    try:
        return fetch_rights(client)
    finally:
        client.close()


def describe(verification: Verification) -> str:
    where = (f"restricted to {', '.join(verification.ips)}" if verification.ips
             else "restricted to some IP addresses" if verification.ip_restricted
             else "usable from any IP address" if verification.ip_restricted is False
             else "the exchange does not say whether the key is IP-restricted")
    return f"{', '.join(verification.permissions) or 'no rights'}; {where}"


class VerifyDialog(QtWidgets.QDialog):
    def __init__(self, window: MainWindow, entry: KeyEntry) -> None:
        super().__init__(window)
        self.setObjectName("verifyDialog")
        self._window = window
        self._vault = window.vault
        self.entry = entry
        self.verification: Verification | None = None
        self.exchange_name = window.exchange_names().get(entry.exchange, entry.exchange)
        self.setWindowTitle(f"Verify “{entry.label}” with {self.exchange_name}")
        self.setMinimumWidth(480)
        layout = QtWidgets.QVBoxLayout(self)
        self.status = WrapLabel(f"Asking {self.exchange_name} what this key may do…", self)
        self.status.setObjectName("verifyStatus")
        self.busy = BusyBar(self)
        self.busy.show()
        self.warning = WrapLabel("", self)
        self.warning.setObjectName("verifyWarning")
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.details = WrapLabel("", self)
        self.details.setObjectName("verifyDetails")
        self.details.hide()
        for widget in (self.warning, self.status, self.busy, self.details):
            layout.addWidget(widget)
        buttons = QtWidgets.QDialogButtonBox(self)
        self.update_button = buttons.addButton("&Update labels from the exchange…",
                                               QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.update_button.setObjectName("verifyUpdate")
        self.update_button.hide()
        self.update_button.clicked.connect(self._ask_update)
        self.close_button = buttons.addButton("&Close",
                                              QtWidgets.QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.question: QtWidgets.QMessageBox | None = None
        window.ops.run(lambda: ask_exchange(entry), self._answered, self._failed,
                       network=True)

    def _alive(self) -> bool:
        return self._window.vault is self._vault and self._vault is not None \
            and self._window.vault_dialog is self

    def _failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        self.busy.hide()
        self.status.setText(f"{self.exchange_name} could not be asked.\n{explain(exc)}")
        self.adjustSize()

    def _answered(self, verification: Verification) -> None:
        from vault_app.trading.key_rights import compare

        if not self._alive():
            return
        self.busy.hide()
        self.verification = verification
        diff = compare(self.entry, verification)
        said = diff.sentences(self.exchange_name)
        if diff.withdraw_unlabelled:
            self.warning.setText(said.pop(0) + ".")
            self.warning.show()
        self.status.setText(f"{self.exchange_name} says: {describe(verification)}.")
        labels = (f"The labels say: {', '.join(self.entry.permissions)}; IP list: "
                  f"{', '.join(self.entry.ip_whitelist) or 'none'}.")
        lines = [labels] + [s[:1].upper() + s[1:] + "." for s in said]
        if diff.matches:
            lines.append("The labels match what the exchange says.")
        writable = not self._window.read_only and not self._window.in_demo_vault
        if not writable:
            lines.append("Not recorded: the demo vault keeps its labels."
                         if self._window.in_demo_vault
                         else "Not recorded: this vault is open read-only.")
        self.details.setText("\n".join(lines))
        self.details.show()
        self.update_button.setVisible(writable and not diff.matches)
        self.adjustSize()  # the labels grew: no line is cut
        if writable:
            self._record(verification, apply_labels=False)

    def _record(self, verification: Verification, *, apply_labels: bool) -> None:
        entry_id = self.entry.id

        def done(_result: object) -> None:  # the window's save shows the key again
            if apply_labels and self._alive():
                from vault_app.trading.key_rights import ips_known

                self.update_button.hide()
                self.details.setText(self.details.text() + (
                    "\nThe labels and the IP list now say what the exchange says."
                    if ips_known(verification) else
                    "\nThe labels now say what the exchange says; the IP list is kept "
                    "(the exchange does not name the addresses)."))
                self.adjustSize()

        def failed(exc: BaseException) -> None:
            if self._alive():
                self.details.setText(self.details.text() + "\nNot saved: "
                                     + error_message(exc))

        self._window.save(lambda vault: vault.record_verification(
            entry_id, verification, apply_labels=apply_labels), done, failed)

    def _ask_update(self) -> None:
        verification = self.verification
        if verification is None:
            return
        box = plain_message_box(
            self, QtWidgets.QMessageBox.Icon.Question, "Update labels",
            f"Set the labels of “{self.entry.label}” to what {self.exchange_name} says "
            f"({describe(verification)})?")
        box.setObjectName("verifyUpdateQuestion")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Yes
                               | QtWidgets.QMessageBox.StandardButton.No)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.No)

        def answered(_result: int) -> None:
            self.question = None
            yes = box.button(QtWidgets.QMessageBox.StandardButton.Yes)
            if box.clickedButton() is yes and self._alive():
                self._record(verification, apply_labels=True)

        box.finished.connect(answered)
        box.finished.connect(lambda _result: box.deleteLater())
        self.question = box
        box.open()

    def wipe(self) -> None:
        if self.question is not None:
            self.question.reject()
        self.reject()
