"""The selected key: its settings, and its credentials masked with per-field
Reveal and Copy buttons."""

from __future__ import annotations

from collections.abc import Callable

from vault_app.core.credential_history import masked_key
from vault_app.core.exchanges import CREDENTIAL_TITLES, Catalog
from vault_app.core.model import KeyEntry, describe_notional, utcnow
from vault_app.gui.icons import eye_icon
from vault_app.gui.keys_model import last_used_text, rotation_text
from vault_app.gui.monospace import monospace_font
from vault_app.gui.qt import Qt, QtCore, QtWidgets, Signal
from vault_app.gui.widgets import escape, plain_label, wipe

MASK = "•" * 12
MIN_WIDTH = 360


class CredentialRow(QtWidgets.QWidget):
    copy_requested = Signal(str, str)  # credential name, title

    def __init__(self, name: str, value: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.title = CREDENTIAL_TITLES.get(name, name)
        self._value = value
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QtWidgets.QLineEdit(self)
        self.field.setReadOnly(True)
        self.field.setObjectName(f"detail_{name}")
        self.field.setAccessibleName(self.title)
        self.field.setMinimumWidth(140)
        self.field.setFont(monospace_font(self.field.font()))  # l, I and 1 differ
        layout.addWidget(self.field, 1)
        self.reveal = QtWidgets.QToolButton(self)
        self.reveal.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.reveal.setCheckable(True)
        self.reveal.setIcon(eye_icon(self.reveal, revealed=False))
        # as wide as its wider text, so the row does not shift when it toggles
        widths = []
        for text in ("Hide", "Reveal"):
            self.reveal.setText(text)
            widths.append(self.reveal.sizeHint().width())
        self.reveal.setFixedWidth(max(widths))
        self.reveal.setObjectName(f"reveal_{name}")
        self.reveal.setAccessibleName(f"Reveal {self.title}")
        self.reveal.toggled.connect(self._show)
        layout.addWidget(self.reveal)
        copy = QtWidgets.QToolButton(self)
        copy.setText("Copy")
        copy.setObjectName(f"copy_{name}")
        copy.setAccessibleName(f"Copy {self.title}")
        copy.clicked.connect(lambda: self.copy_requested.emit(self.name, self.title))
        layout.addWidget(copy)
        self._show(False)

    def _show(self, revealed: bool) -> None:
        # A masked field holds the mask, not the secret: nothing to read out of it.
        wipe(self.field)
        self.field.setText(self._value if revealed else MASK)
        self.reveal.setText("Hide" if revealed else "Reveal")
        self.reveal.setIcon(eye_icon(self.reveal, revealed))
        self.field.setCursorPosition(0)

    def wipe(self) -> None:
        self.reveal.setChecked(False)
        wipe(self.field)
        self._value = ""


class DetailPane(QtWidgets.QScrollArea):
    copy_requested = Signal(str, str)  # credential name, title
    purge_requested = Signal()  # Purge history… of the key shown

    def __init__(self, catalog: Callable[[], Catalog],
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setObjectName("detailPane")
        self.setMinimumWidth(MIN_WIDTH)
        self._catalog = catalog
        self.rows: dict[str, CredentialRow] = {}
        self.entry: KeyEntry | None = None
        self.last_used: QtWidgets.QLabel | None = None
        self.show_entry(None)

    def clear(self) -> None:
        """Wipe every credential field; the body is replaced on the next show."""
        for row in self.rows.values():
            row.wipe()
        self.rows.clear()

    def show_entry(self, entry: KeyEntry | None) -> None:
        self.clear()
        self.entry = entry
        self.last_used = None
        self._body = QtWidgets.QWidget(self)
        self._layout = QtWidgets.QVBoxLayout(self._body)
        self.setWidget(self._body)  # the previous body is deleted
        if entry is None:
            empty = QtWidgets.QLabel("Select a key to see its details.", self._body)
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            empty.setEnabled(False)
            self._layout.addWidget(empty)
            return
        catalog = self._catalog()
        exchange = catalog.exchanges[entry.exchange].name \
            if entry.exchange in catalog else entry.exchange
        title = QtWidgets.QLabel(f"<h2>{escape(entry.label)}</h2>", self._body)
        title.setObjectName("detailTitle")
        self._layout.addWidget(title)
        form = QtWidgets.QFormLayout()
        self._layout.addLayout(form)
        now = utcnow()
        env = {"live": "Live", "sandbox": "Sandbox / testnet"}.get(
            entry.environment, f"Custom: {entry.api_url}")
        rows = [
            ("Exchange", f"{exchange} ({entry.exchange})"),
            ("Permissions", ", ".join(entry.permissions)),
            ("IP whitelist", ", ".join(entry.ip_whitelist) or "None: usable from any address"),
            ("Environment", env),
        ]
        if entry.max_notional is not None or entry.can_trade:  # the order guard (issue 8)
            text = describe_notional(entry.max_notional)
            rows.append(("Max order notional", text[:1].upper() + text[1:]))
        rows += [
            ("Rotation", f"{rotation_text(entry, now)} (every {entry.rotate_days} days, "
                         f"last {entry.rotated_at:%Y-%m-%d})"),
            ("Last used", last_used_text(entry)),
            ("Last verified", verified_text(entry)),
            ("Added", f"{entry.created_at:%Y-%m-%d %H:%M} UTC"),
        ]
        if entry.tags:
            rows.append(("Tags", ", ".join(entry.tags)))
        for name, value in rows:
            label = plain_label(value, self._body)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if name == "Permissions" and entry.can_withdraw:
                label.setText(f"{value}  ⚠ can withdraw funds")
                label.setStyleSheet("color: #c62828; font-weight: bold;")
            if name == "Last verified":
                label.setObjectName("detailLastVerified")
                if verified_beyond_labels(entry):
                    label.setStyleSheet("color: #c62828; font-weight: bold;")
            if name == "Last used":
                label.setObjectName("detailLastUsed")
                self.last_used = label
            form.addRow(f"{name}:", label)
        if entry.notes:
            notes = plain_label(entry.notes, self._body)
            notes.setObjectName("detailNotes")
            notes.setWordWrap(True)
            form.addRow("Notes:", notes)
        box = QtWidgets.QGroupBox("Credentials", self._body)
        creds = QtWidgets.QFormLayout(box)
        for name, value in entry.credentials.items():
            row = CredentialRow(name, value, box)
            row.copy_requested.connect(self.copy_requested)
            creds.addRow(f"{row.title}:", row)
            self.rows[name] = row
        self._layout.addWidget(box)
        if entry.credential_history:
            self._layout.addWidget(self._history_box(entry))
        self._layout.addStretch(1)
        QtCore.QTimer.singleShot(0, self, self._fit_width)  # once the new rows are shown

    def _history_box(self, entry: KeyEntry) -> QtWidgets.QGroupBox:
        """The previous credentials: when each set was replaced and its API key masked,
        never a secret; *Purge history…* asks before deleting them."""
        box = QtWidgets.QGroupBox("Previous credentials", self._body)
        box.setObjectName("detailHistory")
        layout = QtWidgets.QVBoxLayout(box)
        for old in entry.credential_history:
            line = plain_label(f"Replaced {old.replaced_at:%Y-%m-%d %H:%M} UTC: API key "
                               f"{masked_key(old)}", box)
            line.setObjectName("detailHistoryItem")
            layout.addWidget(line)
        purge = QtWidgets.QPushButton("&Purge history…", box)
        purge.setObjectName("purgeHistoryButton")
        purge.setToolTip("Delete the previous credentials now")
        purge.clicked.connect(self.purge_requested)
        layout.addWidget(purge, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _fit_width(self) -> None:
        """Never scroll sideways: a key with three credentials (OKX) needs more than the
        default width, and a horizontal scroll bar hid its Copy buttons."""
        needed = (self._body.minimumSizeHint().width() + 2 * self.frameWidth()
                  + self.verticalScrollBar().sizeHint().width())
        self.setMinimumWidth(max(MIN_WIDTH, needed))

    def show_last_used(self, entry: KeyEntry) -> None:
        """Update "Last used" in place: the revealed fields and the focus stay."""
        if self.entry is not None and self.entry.id == entry.id and self.last_used:
            self.entry = entry
            self.last_used.setText(last_used_text(entry))

    def toggle_reveal(self) -> None:
        """Reveal every credential of the key shown, or mask them all if all are shown."""
        reveal = not all(row.reveal.isChecked() for row in self.rows.values())
        for row in self.rows.values():
            row.reveal.setChecked(reveal)


def verified_text(entry: KeyEntry) -> str:
    """When the exchange was last asked what the key may do (*Verify with exchange…*)."""
    verification = entry.verification
    if verification is None:
        return "Never (Keys ▸ Verify with exchange…)"
    said = (f"{verification.at:%Y-%m-%d %H:%M} UTC: the exchange said "
            f"{', '.join(verification.permissions) or 'no rights'}")
    return said + ("  ⚠ more than the labels say" if verified_beyond_labels(entry) else "")


def verified_beyond_labels(entry: KeyEntry) -> bool:
    from vault_app.trading.key_rights import compare  # no ccxt: plain rules

    return entry.verification is not None and \
        compare(entry, entry.verification).more_than_labels
