"""Add/edit key dialog. It reads fields and asks the core to validate them.

The dialog never saves by itself: it emits ``submitted`` with a validated
``KeyEntry`` (add) or a dict of the fields the user changed (edit: saved with
``entry`` as the base, so the core merges them with the disk's version). The
window saves through the write worker and calls ``show_error`` or ``accept``, so
on any error the dialog stays open with everything the user typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vault_app.core.edits import changed_fields
from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import (
    CREDENTIAL_NAMES,
    CREDENTIAL_TITLES,
    SECRET_CREDENTIALS,
    Catalog,
    ExchangeInfo,
)
from vault_app.core.model import (
    DEFAULT_ROTATE_DAYS,
    MAX_ROTATE_DAYS,
    PERMISSIONS,
    KeyEntry,
    edit_entry,
    new_entry,
)
from vault_app.gui.qt import Qt, QtWidgets, Signal
from vault_app.gui.widgets import InlineError, PasswordField

WITHDRAW_WARNING = (
    "⚠ Withdrawal rights let anyone holding this key move funds off the exchange. "
    "Exchanges advise keeping them disabled on API keys."
)
PEM_HINT = "An HMAC secret, or a PEM private key (Ed25519/RSA/EC): paste it or load the file."


class KeyForm(QtWidgets.QDialog):
    submitted = Signal(object)  # KeyEntry when adding, dict of changes when editing

    def __init__(self, catalog: Catalog, entry: KeyEntry | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.entry = entry
        self.trimmed: list[str] = []  # fields whose surrounding whitespace was removed
        self.setWindowTitle("Edit key" if entry else "Add key")
        self.setObjectName("keyForm")
        self.setMinimumWidth(520)
        self.credential_fields: dict[str, PasswordField | QtWidgets.QLineEdit] = {}
        self.errors: dict[str, InlineError] = {}
        self._build()
        self._load(entry)
        self.stale_banner = self._stale_banner()

    def _stale_banner(self) -> QtWidgets.QLabel:
        """Shown when the key being edited changes on disk meanwhile."""
        banner = QtWidgets.QLabel(self)
        banner.setObjectName("staleBanner")
        banner.setWordWrap(True)
        banner.setStyleSheet("background: #fff4ce; color: #5c4400; border: 1px solid #e8d28a;"
                             "border-radius: 4px; padding: 6px;")
        banner.hide()
        layout = self.layout()
        if isinstance(layout, QtWidgets.QBoxLayout):
            layout.insertWidget(0, banner)  # above everything, where it is seen first
        return banner

    def show_stale(self, text: str) -> None:
        self.stale_banner.setText(text)
        self.stale_banner.setAccessibleDescription(text)
        self.stale_banner.setVisible(bool(text))
        layout = self.layout()
        if layout is None or not text:
            return
        layout.activate()  # grow to fit the banner, so that nothing overlaps
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() \
            else layout.totalSizeHint().height()
        if needed > self.height():
            self.resize(self.width(), needed)

    # --- construction ----------------------------------------------------------
    def _error(self, name: str) -> InlineError:
        label = InlineError(self)
        self.errors[name] = label
        return label

    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(form)

        self.exchange = QtWidgets.QComboBox(self)
        self.exchange.setEditable(True)
        self.exchange.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.exchange.setAccessibleName("Exchange")
        for info in sorted(self.catalog.exchanges.values(), key=lambda i: i.name.casefold()):
            self.exchange.addItem(f"{info.name} ({info.id})", info.id)
        completer = self.exchange.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.exchange.setCurrentIndex(-1)
        self.exchange.lineEdit().setPlaceholderText("Type to search 100+ exchanges")
        self.exchange.currentIndexChanged.connect(self._exchange_changed)
        form.addRow("E&xchange:", self.exchange)
        form.addRow("", self._error("exchange"))

        self.label = QtWidgets.QLineEdit(self)
        self.label.setAccessibleName("Label")
        self.label.setPlaceholderText("A unique name, e.g. “OKX grid bot”")
        form.addRow("&Label:", self.label)
        form.addRow("", self._error("label"))

        self.credentials_box = QtWidgets.QGroupBox("Credentials", self)
        self.credentials_form = QtWidgets.QFormLayout(self.credentials_box)
        self.credentials_hint = QtWidgets.QLabel("Choose an exchange first.", self)
        self.credentials_hint.setWordWrap(True)
        self.credentials_form.addRow(self.credentials_hint)
        outer.addWidget(self.credentials_box)

        more = QtWidgets.QFormLayout()
        outer.addLayout(more)
        permissions_row = QtWidgets.QHBoxLayout()
        self.permission_boxes: dict[str, QtWidgets.QCheckBox] = {}
        for name in PERMISSIONS:
            box = QtWidgets.QCheckBox(name.capitalize(), self)
            box.setAccessibleName(f"Permission: {name}")
            permissions_row.addWidget(box)
            self.permission_boxes[name] = box
        permissions_row.addStretch(1)
        more.addRow("Permissions:", permissions_row)
        self.withdraw_warning = QtWidgets.QLabel(WITHDRAW_WARNING, self)
        self.withdraw_warning.setObjectName("withdrawWarning")
        self.withdraw_warning.setWordWrap(True)
        self.withdraw_warning.setStyleSheet(
            "background: #fdecea; color: #8e1c1c; border: 1px solid #f5c2c0;"
            "border-radius: 4px; padding: 6px;")
        self.withdraw_warning.setVisible(False)
        self.permission_boxes["withdraw"].toggled.connect(self.withdraw_warning.setVisible)
        more.addRow("", self.withdraw_warning)
        more.addRow("", self._error("permissions"))

        self.ips = QtWidgets.QLineEdit(self)
        self.ips.setAccessibleName("IP whitelist")
        self.ips.setPlaceholderText("203.0.113.7, 2001:db8::/32 — as set on the exchange")
        more.addRow("&IP whitelist:", self.ips)
        more.addRow("", self._error("ip_whitelist"))

        env_row = QtWidgets.QHBoxLayout()
        self.environment = QtWidgets.QComboBox(self)
        self.environment.setAccessibleName("Environment")
        self.environment.currentIndexChanged.connect(self._environment_changed)
        env_row.addWidget(self.environment)
        self.api_url = QtWidgets.QLineEdit(self)
        self.api_url.setAccessibleName("Custom API URL")
        self.api_url.setPlaceholderText("https://api.example.com")
        self.api_url.setVisible(False)
        env_row.addWidget(self.api_url, 1)
        env_label = QtWidgets.QLabel("En&vironment:", self)
        env_label.setBuddy(self.environment)
        more.addRow(env_label, env_row)
        more.addRow("", self._error("environment"))
        more.addRow("", self._error("api_url"))

        self.rotate_days = QtWidgets.QSpinBox(self)
        self.rotate_days.setRange(1, MAX_ROTATE_DAYS)
        self.rotate_days.setValue(DEFAULT_ROTATE_DAYS)
        self.rotate_days.setSuffix(" days")
        self.rotate_days.setAccessibleName("Rotation reminder in days")
        more.addRow("&Rotate every:", self.rotate_days)

        self.tags = QtWidgets.QLineEdit(self)
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("comma-separated, e.g. bot, tax")
        more.addRow("&Tags:", self.tags)

        self.notes = QtWidgets.QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(64)
        more.addRow("&Notes:", self.notes)
        more.addRow("", self._error("notes"))

        self.general_error = self._error("general")
        outer.addWidget(self.general_error)

        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    def _load(self, entry: KeyEntry | None) -> None:
        if entry is None:
            self.permission_boxes["read"].setChecked(True)
            self._exchange_changed()
            return
        index = self.exchange.findData(entry.exchange)
        if index < 0:  # an exchange that left ccxt: keep it, selectable as is
            self.exchange.addItem(f"{entry.exchange} (no longer in ccxt)", entry.exchange)
            index = self.exchange.count() - 1
        self.exchange.setCurrentIndex(index)
        self.label.setText(entry.label)
        for name, value in entry.credentials.items():
            field = self.credential_fields.get(name) or self._add_credential_field(name, None)
            field.setText(value)
        for name, box in self.permission_boxes.items():
            box.setChecked(name in entry.permissions)
        self.ips.setText(", ".join(entry.ip_whitelist))
        self._select_environment(entry.environment)
        self.api_url.setText(entry.api_url or "")
        self.rotate_days.setValue(entry.rotate_days)
        self.tags.setText(", ".join(entry.tags))
        self.notes.setPlainText(entry.notes)

    # --- exchange-dependent parts ----------------------------------------------
    def exchange_info(self) -> ExchangeInfo | None:
        exchange_id = self.exchange.currentData()
        if exchange_id is None:
            text = self.exchange.currentText().strip().lower()
            exchange_id = text.rsplit("(", 1)[-1].rstrip(")") if "(" in text else text
        return self.catalog.exchanges.get(exchange_id)

    def _clear_credentials(self) -> None:
        while self.credentials_form.rowCount():
            self.credentials_form.removeRow(0)
        self.credential_fields.clear()
        for name in CREDENTIAL_NAMES:
            self.errors.pop(name, None)

    def _add_credential_field(self, name: str, info: ExchangeInfo | None
                              ) -> PasswordField | QtWidgets.QLineEdit:
        title = CREDENTIAL_TITLES.get(name, name)
        field: PasswordField | QtWidgets.QLineEdit
        if name in SECRET_CREDENTIALS:
            field = PasswordField(parent=self)
        else:
            field = QtWidgets.QLineEdit(self)
        field.setAccessibleName(title)
        field.setObjectName(f"credential_{name}")
        label = QtWidgets.QLabel(f"{title}:", self)
        label.setBuddy(field)
        if name == "secret" and info is not None and info.pem_secret:
            row = QtWidgets.QHBoxLayout()
            row.addWidget(field, 1)
            load = QtWidgets.QPushButton("Load PEM file…", self)
            load.setAccessibleName("Load a PEM private key file for the secret")
            load.clicked.connect(lambda: self._load_pem(field))
            row.addWidget(load)
            self.credentials_form.addRow(label, row)
            hint = QtWidgets.QLabel(PEM_HINT, self)
            hint.setWordWrap(True)
            self.credentials_form.addRow("", hint)
        else:
            self.credentials_form.addRow(label, field)
        self.credentials_form.addRow("", self._error(name))
        self.credential_fields[name] = field
        return field

    def _load_pem(self, field: QtWidgets.QLineEdit) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Load PEM private key", str(Path.home()), "PEM files (*.pem *.key);;All (*)")
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            self.errors["secret"].show_message(f"Could not read that file: {exc}")
            return
        if not text.startswith("-----BEGIN"):
            self.errors["secret"].show_message("That file does not hold a PEM key.")
            return
        field.setText(text)
        self.errors["secret"].show_message("")

    def _exchange_changed(self) -> None:
        info = self.exchange_info()
        kept = {name: field.text() for name, field in self.credential_fields.items()}
        self._clear_credentials()
        if info is None:
            self.credentials_hint = QtWidgets.QLabel("Choose an exchange first.", self)
            self.credentials_form.addRow(self.credentials_hint)
        else:
            if not info.required:
                self.credentials_form.addRow(QtWidgets.QLabel(
                    f"{info.name} needs no credentials in ccxt.", self))
            for name in info.required:
                self._add_credential_field(name, info).setText(kept.get(name, ""))
        self._chain_tab_order()
        current = self.environment.currentData()
        self.environment.blockSignals(True)
        self.environment.clear()
        self.environment.addItem("Live", "live")
        if info is None or info.has_sandbox:
            self.environment.addItem("Sandbox / testnet", "sandbox")
        self.environment.addItem("Custom API URL", "custom")
        self.environment.blockSignals(False)
        self._select_environment(current or "live")

    def _chain_tab_order(self) -> None:
        """Credential fields are built after the rest: put them back in visual order."""
        previous: QtWidgets.QWidget = self.label
        for field in self.credential_fields.values():
            QtWidgets.QWidget.setTabOrder(previous, field)
            previous = field
            for button in self.credentials_box.findChildren(QtWidgets.QPushButton):
                if field.parent() is button.parent() and button.isVisibleTo(self):
                    QtWidgets.QWidget.setTabOrder(previous, button)
                    previous = button
        QtWidgets.QWidget.setTabOrder(previous, self.permission_boxes["read"])

    def _select_environment(self, environment: str) -> None:
        index = self.environment.findData(environment)
        self.environment.setCurrentIndex(max(index, 0))
        self._environment_changed()

    def _environment_changed(self) -> None:
        self.api_url.setVisible(self.environment.currentData() == "custom")

    # --- submitting ------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        info = self.exchange_info()
        return {
            "label": self.label.text(),
            "exchange": info.id if info else  # an exchange that left ccxt keeps its id
            self.exchange.currentData() or self.exchange.currentText().strip(),
            "credentials": {name: field.text() for name, field in self.credential_fields.items()},
            "permissions": [n for n, box in self.permission_boxes.items() if box.isChecked()],
            "ip_whitelist": self.ips.text(),
            "environment": self.environment.currentData() or "live",
            "api_url": self.api_url.text() or None,
            "rotate_days": self.rotate_days.value(),
            "notes": self.notes.toPlainText(),
            "tags": self.tags.text(),
        }

    def _note_trimming(self, values: dict[str, Any]) -> None:
        self.trimmed = []
        if values["label"] != values["label"].strip():
            self.trimmed.append("Label")
        for name, value in values["credentials"].items():
            if value and value != value.strip():
                self.trimmed.append(CREDENTIAL_TITLES.get(name, name))

    def submit(self) -> None:
        """Validate with the core; on success emit ``submitted``."""
        self.show_error(None)
        values = self.values()
        try:
            if self.entry is None:
                result: Any = new_entry(catalog=self.catalog, **values)
            else:
                changes = changed_fields(self.entry, values)  # only what the user changed
                edit_entry(self.entry, changes, self.catalog)  # validate only
                result = changes
        except ValidationError as exc:
            self.show_error(exc)
            return
        self._note_trimming(values)
        self.submitted.emit(result)

    def show_error(self, exc: BaseException | None) -> None:
        for label in self.errors.values():
            label.show_message("")
        if exc is None:
            return
        field = getattr(exc, "field", None)
        target = self.errors.get(field or "") or self.general_error
        target.show_message(str(exc)[:1].upper() + str(exc)[1:])
        widget = self._widget_for(field)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _widget_for(self, field: str | None) -> QtWidgets.QWidget | None:
        mapping: dict[str, QtWidgets.QWidget] = {
            "label": self.label, "exchange": self.exchange, "ip_whitelist": self.ips,
            "api_url": self.api_url, "environment": self.environment, "notes": self.notes,
            "permissions": self.permission_boxes["read"],
        }
        if field in self.credential_fields:
            return self.credential_fields[field]
        return mapping.get(field or "")

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def wipe(self) -> None:
        """Overwrite every secret field (on lock), then close."""
        for field in self.credential_fields.values():
            if isinstance(field, PasswordField):
                field.wipe()
            else:
                field.clear()
        self.reject()
