"""A new password typed twice, rated like the master password (the create page's
meter and hint, the same rules: ``core.password_policy``)."""

from __future__ import annotations

from vault_app.core.password_policy import Strength, new_password_problem, sentence
from vault_app.gui.pages import (
    _LONGEST_HINT,
    RATE_DELAY_MS,
    ReservedLabel,
    show_strength,
)
from vault_app.gui.qt import QtCore, QtWidgets, Signal
from vault_app.gui.widgets import PasswordField, on_enter


class NewPasswordFields(QtWidgets.QWidget):
    """Password, strength meter, hint, repeat. ``changed`` after each rating or edit."""

    changed = Signal()

    def __init__(self, what: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what  # "backup password", "master password": the words of its problems
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.password = PasswordField(f"New {what}", self)
        self.password.setAccessibleName(f"New {what}")
        self.confirm = PasswordField("Repeat it", self)
        self.confirm.setAccessibleName(f"Repeat {what}")
        self.meter = QtWidgets.QProgressBar(self)
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter.setAccessibleName("Password strength")
        self.feedback = ReservedLabel(_LONGEST_HINT, self)
        self.feedback.setObjectName("strengthFeedback")
        form.addRow("&New password:", self.password)
        form.addRow("Strength:", self.meter)
        form.addRow("", self.feedback)
        form.addRow("Re&peat:", self.confirm)
        self._strength: Strength | None = None
        self._rated: str | None = None
        self._timer = QtCore.QTimer(self)  # zxcvbn costs ms: rate once typing pauses
        self._timer.setSingleShot(True)
        self._timer.setInterval(RATE_DELAY_MS)
        self._timer.timeout.connect(self.rate_now)
        self.password.textChanged.connect(self._password_edited)
        self.confirm.textChanged.connect(self._confirm_edited)
        on_enter(self.password, self.confirm.setFocus)  # and not also the dialog's button
        self.rate_now()

    @property
    def rating_pending(self) -> bool:
        return self._rated != self.password.text()

    def _password_edited(self) -> None:
        self._timer.start()
        self.changed.emit()

    def _confirm_edited(self) -> None:
        if self.rating_pending:
            self.rate_now()
        else:
            self.changed.emit()

    def rate_now(self) -> None:
        self._timer.stop()
        text = self.password.text()
        self._strength = show_strength(self.meter, self.feedback, text)
        self._rated = text
        self.changed.emit()

    def problem(self) -> str:
        """Why the password cannot be used yet ("" when it can)."""
        if self.rating_pending:
            self.rate_now()
        text = self.password.text()
        if not text:
            return f"Enter the {self.what}."
        if self._strength is None or not self._strength.acceptable:
            return f"Choose a stronger {self.what} (see the hint under it)."
        problem = new_password_problem(text, self.confirm.text(), self.what,
                                       strength=self._strength)
        return "" if problem is None else sentence(problem)

    def mismatch(self) -> bool:
        """The repeat differs from what was typed so far (shown as the user types)."""
        repeat = self.confirm.text()
        return bool(repeat) and not self.password.text().startswith(repeat)

    def wipe(self) -> None:
        self.password.wipe()
        self.confirm.wipe()
        self.rate_now()
