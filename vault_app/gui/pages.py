"""The create-vault and unlock screens. They collect input and emit requests;
the window runs the KDF in a worker and reports back."""

from __future__ import annotations

from pathlib import Path

from vault_app.core.kdf import KdfParams
from vault_app.core.password_policy import MIN_LENGTH, MIN_SCORE, Strength, rate
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.widgets import InlineError, PasswordField, WrapLabel

RATE_DELAY_MS = 150  # the strength is rated once typing pauses this long
_METER_COLORS = ("#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#1b5e20")
# The longest hint the strength meter can show (our longest opening, zxcvbn 4.5's
# longest warning and longest suggestion); the hint always keeps room for it, so
# nothing below it moves while the user types.
_LONGEST_HINT = (
    f"Too short: 11 of {MIN_LENGTH} characters, and very weak. Repeats like "
    '"abcabcabc" are only slightly harder to guess than "abc". Predictable '
    "substitutions like '@' instead of 'a' don't help very much."
)


def strength_hint(strength: Strength | None) -> str:
    """The sentence under the meter: zxcvbn's word for the score, or "too short"."""
    if strength is None:
        return (f"Use a long passphrase: at least {MIN_LENGTH} characters, rated at least "
                "“strong”.")
    tips = " ".join(x for x in (strength.warning, *strength.suggestions[:1]) if x)
    if strength.too_short:
        text = f"Too short: {strength.length} of {MIN_LENGTH} characters"
        if strength.score < MIN_SCORE:
            return f"{text}, and {strength.name}. {tips}".rstrip()
        return f"{text}."
    if strength.acceptable:
        return f"{strength.name.capitalize()}."
    return f"{strength.name.capitalize()}: not accepted. {tips}".rstrip()


def show_strength(meter: QtWidgets.QProgressBar, feedback: QtWidgets.QLabel,
                  text: str) -> Strength | None:
    """Rate ``text`` and show it on ``meter`` and ``feedback``: the one display of every
    new password's strength (the create page's, a backup's, a changed master password's)."""
    strength = rate(text) if text else None
    level = strength.meter if strength else 0
    meter.setValue(level)
    meter.setStyleSheet(f"QProgressBar::chunk {{ background: {_METER_COLORS[level]}; }}")
    feedback.setText(strength_hint(strength))
    return strength


class ReservedLabel(QtWidgets.QLabel):
    """A word-wrapped label that is always as tall as ``reserve_for`` would make it."""

    def __init__(self, reserve_for: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.reserve_for = reserve_for
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def _reserved(self, width: int) -> int:
        margins = self.contentsMargins()
        inner = max(1, width - margins.left() - margins.right())
        flags = int(Qt.TextFlag.TextWordWrap)
        rect = self.fontMetrics().boundingRect(QtCore.QRect(0, 0, inner, 100_000), flags,
                                               self.reserve_for)
        return rect.height() + margins.top() + margins.bottom()

    def heightForWidth(self, width: int) -> int:
        return max(super().heightForWidth(width), self._reserved(width))

    # Not every enclosing layout asks for the height at the actual width, so the size
    # hints give it too (at the current width, re-queried whenever the width changes).
    def _height(self) -> int:
        return self.heightForWidth(max(super().sizeHint().width(), self.width()))

    def sizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(super().sizeHint().width(), self._height())

    def minimumSizeHint(self) -> QtCore.QSize:
        return QtCore.QSize(super().minimumSizeHint().width(), self._height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()


def _heading(text: str, parent: QtWidgets.QWidget) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel(f"<h1>{text}</h1>", parent)
    label.setAccessibleName(text)
    return label


def _centered(inner: QtWidgets.QWidget, parent: QtWidgets.QWidget) -> QtWidgets.QLayout:
    outer = QtWidgets.QHBoxLayout(parent)
    outer.addStretch(1)
    inner.setMaximumWidth(520)
    inner.setMinimumWidth(420)
    outer.addWidget(inner, 3)
    outer.addStretch(1)
    return outer


class BusyBar(QtWidgets.QProgressBar):
    """An indeterminate bar shown while the KDF or a save runs."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 0)
        self.setTextVisible(False)
        self.setMaximumHeight(6)
        self.setAccessibleName("Working")
        self.hide()


class CreatePage(QtWidgets.QWidget):
    """Master password twice, a strength meter, and the KDF strength."""

    create_requested = Signal(Path, str, bool)  # path, password, calibrate to ~1 s
    open_other_requested = Signal()
    demo_requested = Signal()  # "Try the demo exchange" (gui/demo_mode.py)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createPage")
        self.path = Path()
        inner = QtWidgets.QWidget(self)
        _centered(inner, self)
        layout = QtWidgets.QVBoxLayout(inner)
        layout.addStretch(1)
        layout.addWidget(_heading("Create your vault", inner))
        intro = QtWidgets.QLabel(
            "One encrypted file holds your exchange API keys. Choose a master password: "
            "it cannot be recovered, and anyone with the file can try to guess it.", inner)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.path_label = QtWidgets.QLabel(inner)
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.path_label)

        form = QtWidgets.QFormLayout()
        layout.addLayout(form)
        self.password = PasswordField("Master password", inner)
        self.password.setAccessibleName("Master password")
        # zxcvbn takes milliseconds per call: rate once typing pauses, not per key
        self._strength: Strength | None = None
        self._rated: str | None = None  # the text _strength is for
        self._rate_timer = QtCore.QTimer(self)
        self._rate_timer.setSingleShot(True)
        self._rate_timer.setInterval(RATE_DELAY_MS)
        self._rate_timer.timeout.connect(self._rate)
        self.password.textChanged.connect(self._password_changed)
        form.addRow("&Master password:", self.password)
        self.meter = QtWidgets.QProgressBar(inner)
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(8)
        self.meter.setAccessibleName("Password strength")
        form.addRow("Strength:", self.meter)
        self.feedback = ReservedLabel(_LONGEST_HINT, inner)
        self.feedback.setObjectName("strengthFeedback")
        form.addRow("", self.feedback)
        self.confirm = PasswordField("Repeat it", inner)
        self.confirm.setAccessibleName("Repeat master password")
        self.confirm.textChanged.connect(self._confirm_changed)
        form.addRow("&Repeat:", self.confirm)

        kdf_box = QtWidgets.QGroupBox("Key derivation strength", inner)
        kdf_layout = QtWidgets.QVBoxLayout(kdf_box)
        self.kdf_default = QtWidgets.QRadioButton("Standard (about 0.5 s to unlock)", kdf_box)
        self.kdf_default.setToolTip(
            f"{KdfParams.default().describe()}: the same on every machine.")
        self.kdf_default.setChecked(True)
        self.kdf_calibrate = QtWidgets.QRadioButton("Stronger (about 1 s)", kdf_box)
        self.kdf_calibrate.setToolTip(
            "Argon2id calibrated on this machine to take about 1 second (up to 1 GiB of "
            f"memory, then more passes), never below {KdfParams.default().describe()}. "
            "Calibrating takes a few seconds; a slower machine will take longer to unlock.")
        kdf_layout.addWidget(self.kdf_default)
        kdf_layout.addWidget(self.kdf_calibrate)
        layout.addWidget(kdf_box)

        self.error = InlineError(inner)
        layout.addWidget(self.error)
        self.busy = BusyBar(inner)
        layout.addWidget(self.busy)
        buttons = QtWidgets.QHBoxLayout()
        self.open_other = QtWidgets.QPushButton("Open an existing vault…", inner)
        self.open_other.clicked.connect(self.open_other_requested)
        buttons.addWidget(self.open_other)
        buttons.addStretch(1)
        self.create_button = QtWidgets.QPushButton("&Create vault", inner)
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._submit)
        buttons.addWidget(self.create_button)
        layout.addLayout(buttons)
        layout.addSpacing(16)
        demo_row = QtWidgets.QHBoxLayout()
        demo_text = QtWidgets.QLabel(
            "New here? Try it first with a demo exchange on this computer: fake money, "
            "two demo keys, no internet and no real key needed.", inner)
        demo_text.setWordWrap(True)
        demo_row.addWidget(demo_text, 1)
        self.try_demo = QtWidgets.QPushButton("&Try the demo exchange", inner)
        self.try_demo.setObjectName("tryDemoButton")
        self.try_demo.setToolTip("Opens a separate demo vault, deleted when you quit; "
                                 "your vault is not created or changed.")
        self.try_demo.clicked.connect(self.demo_requested)
        demo_row.addWidget(self.try_demo)
        layout.addLayout(demo_row)
        layout.addStretch(2)
        self.password.returnPressed.connect(self.confirm.setFocus)
        self.confirm.returnPressed.connect(self._submit)
        self._rate()

    def set_path(self, path: Path) -> None:
        self.path = path
        self.path_label.setText(f"File: {path}")

    @property
    def rating_pending(self) -> bool:
        """The password changed and is not rated yet (typing has not paused)."""
        return self._rated != self.password.text()

    def _password_changed(self) -> None:
        self._rate_timer.start()  # restarted by every key
        self._update()

    def _confirm_changed(self) -> None:
        if self.rating_pending:
            self._rate()  # moved on to the second field: rate now
        else:
            self._update()

    def _rate(self) -> None:
        self._rate_timer.stop()
        text = self.password.text()
        self._strength = show_strength(self.meter, self.feedback, text)
        self._rated = text
        self._update()

    def _update(self) -> None:
        text = self.password.text()
        strength = None if self.rating_pending else self._strength
        matches = bool(text) and text == self.confirm.text()
        self.create_button.setEnabled(bool(strength and strength.acceptable and matches))
        if self.confirm.text() and not text.startswith(self.confirm.text()):
            self.error.show_message("The passwords do not match.")
        else:
            self.error.show_message("")

    def _submit(self) -> None:
        if self.rating_pending:
            self._rate()
        if self.create_button.isEnabled():
            self.create_requested.emit(self.path, self.password.text(),
                                       self.kdf_calibrate.isChecked())

    def set_busy(self, busy: bool, message: str = "") -> None:
        self.busy.setVisible(busy)
        for widget in (self.password, self.confirm, self.open_other, self.kdf_default,
                       self.kdf_calibrate, self.try_demo):
            widget.setEnabled(not busy)
        self.create_button.setEnabled(not busy)
        if busy:
            self.error.show_message("")
        if message:
            self.feedback.setText(message)
        if not busy:
            self._update()

    def wipe(self) -> None:
        self.password.wipe()
        self.confirm.wipe()


def warning_banner(name: str, parent: QtWidgets.QWidget) -> WrapLabel:
    """A yellow, plain-text warning that stays on show (unlike a status-bar message)."""
    banner = WrapLabel("", parent)
    banner.setObjectName(name)
    banner.setStyleSheet(
        f"#{name} {{ background: #fff4ce; color: #3d2e00; border: 1px solid #c99a00;"
        " border-radius: 4px; padding: 6px; }")
    banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    banner.hide()
    return banner


class UnlockPage(QtWidgets.QWidget):
    unlock_requested = Signal(Path, str)
    path_changed = Signal(Path)  # the vault file chosen (the folder warning follows it)
    open_other_requested = Signal()
    create_requested = Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockPage")
        self.path = Path()
        inner = QtWidgets.QWidget(self)
        _centered(inner, self)
        layout = QtWidgets.QVBoxLayout(inner)
        layout.addStretch(1)
        self.heading = _heading("Unlock your vault", inner)
        layout.addWidget(self.heading)
        self.notice = QtWidgets.QLabel(inner)
        self.notice.setObjectName("lockNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)

        self.folder_warning = warning_banner("unlockFolderWarning", inner)
        layout.addWidget(self.folder_warning)

        form = QtWidgets.QFormLayout()
        layout.addLayout(form)
        self.recent = QtWidgets.QComboBox(inner)
        self.recent.setAccessibleName("Vault file")
        self.recent.activated.connect(self._recent_chosen)
        form.addRow("Vault &file:", self.recent)
        self.password = PasswordField("Master password", inner)
        self.password.setAccessibleName("Master password")
        self.password.returnPressed.connect(self._submit)
        form.addRow("&Master password:", self.password)
        self.error = InlineError(inner)
        self.error.setObjectName("unlockError")
        layout.addWidget(self.error)
        self.busy = BusyBar(inner)
        layout.addWidget(self.busy)

        buttons = QtWidgets.QHBoxLayout()
        self.open_other = QtWidgets.QPushButton("&Open another vault file…", inner)
        self.open_other.clicked.connect(self.open_other_requested)
        buttons.addWidget(self.open_other)
        self.new_vault = QtWidgets.QPushButton("&New vault…", inner)
        self.new_vault.clicked.connect(self.create_requested)
        buttons.addWidget(self.new_vault)
        buttons.addStretch(1)
        self.unlock = QtWidgets.QPushButton("&Unlock", inner)
        self.unlock.setDefault(True)
        self.unlock.clicked.connect(self._submit)
        buttons.addWidget(self.unlock)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def set_vaults(self, current: Path, recent: list[Path]) -> None:
        self.path = current
        self.recent.clear()
        paths = [current, *[p for p in recent if p != current]]
        for path in paths:
            self.recent.addItem(str(path), str(path))
        self.recent.setCurrentIndex(0)
        self.set_folder_warning(None)  # until checked for this file
        self.path_changed.emit(current)

    def _recent_chosen(self, index: int) -> None:
        self.path = Path(self.recent.itemData(index))
        self.error.show_message("")
        self.set_folder_warning(None)
        self.path_changed.emit(self.path)
        self.password.setFocus()

    def set_folder_warning(self, warning: str | None) -> None:
        """Warn, before the password is typed, that others can write the vault's folder."""
        self.folder_warning.setText(f"Warning: {warning}." if warning else "")
        self.folder_warning.setVisible(bool(warning))

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _submit(self) -> None:
        if not self.unlock.isEnabled():
            return
        if not self.password.text():
            self.error.show_message("Enter the master password.")
            return
        self.unlock_requested.emit(self.path, self.password.text())

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.password, self.unlock, self.open_other, self.new_vault, self.recent):
            widget.setEnabled(not busy)
        if busy:
            self.error.show_message("")

    def show_wrong_password(self) -> None:
        self.error.show_message("Wrong master password. Check Caps Lock and try again.")
        self.password.selectAll()
        self.password.setFocus()

    def wipe(self) -> None:
        self.password.wipe()
