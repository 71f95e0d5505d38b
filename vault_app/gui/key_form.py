"""Add/edit key dialog. It reads fields and asks the core to validate them.

The dialog never saves by itself: it emits ``submitted`` with a validated
``KeyEntry`` (add) or a dict of the fields the user changed (edit: saved with
``entry`` as the base, so the core merges them with the disk's version). The
window saves through the write worker and calls ``show_error`` or ``accept``, so
on any error the dialog stays open with everything the user typed.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from vault_app.core.edits import changed_fields
from vault_app.core.errors import ValidationError, VaultError
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
    format_notional,
    new_entry,
)
from vault_app.core.small_files import read_small_text
from vault_app.gui.form_scroll import FormScrollArea
from vault_app.gui.monospace import monospace_font
from vault_app.gui.ops import OpRunner
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.secret_text import SecretTextField
from vault_app.gui.widgets import InlineError, PasswordField, WrapLabel

WITHDRAW_WARNING = (
    "⚠ Withdrawal rights let anyone holding this key move funds off the exchange. "
    "Exchanges advise keeping them disabled on API keys."
)
PEM_HINT = "An HMAC secret, or a PEM private key (Ed25519/RSA/EC): paste it or load the file."
PEM_PLACEHOLDER = "Paste it here (line breaks are kept)"
NOTIONAL_HINT = (
    "The most one order placed with this key may be worth, in US dollars (amount × price "
    "on a market quoted in USD or a USD stablecoin); a key with a limit trades only those "
    "markets. Empty: no limit.")

CredentialField = PasswordField | SecretTextField | QtWidgets.QLineEdit


def wrapped(label: QtWidgets.QLabel) -> QtWidgets.QLabel:
    """Word-wrap ``label`` across the whole field column, not just its preferred width."""
    label.setWordWrap(True)
    policy = label.sizePolicy()  # keeps the height-for-width flag that word wrap sets
    policy.setHorizontalPolicy(QtWidgets.QSizePolicy.Policy.Expanding)
    label.setSizePolicy(policy)
    return label


class ExchangeCompleter(QtWidgets.QCompleter):
    """Offers the catalog's ranked matches (``Catalog.search``) in their order.

    The model is refilled as the user types; ``splitPath`` keeps QCompleter from
    filtering or re-ordering it again.
    """

    def __init__(self, catalog: Catalog, names: dict[str, str],
                 parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.names = names  # exchange id -> the combo box's item text
        self.setModel(QtCore.QStringListModel(self))
        self.setCompletionMode(QtWidgets.QCompleter.CompletionMode.PopupCompletion)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setMaxVisibleItems(12)

    def splitPath(self, path: str) -> list[str]:
        return [""]  # the model holds the matches already, best first

    def update_matches(self, text: str) -> None:
        matches = [self.names[info.id] for info in self.catalog.search(text)
                   if info.id in self.names] if text.strip() else []
        model = self.model()
        assert isinstance(model, QtCore.QStringListModel)
        model.setStringList(matches)
        if matches:
            self.complete()
        else:
            self.popup().hide()


class KeyForm(QtWidgets.QDialog):
    submitted = Signal(object)  # KeyEntry when adding, dict of changes when editing
    pem_load_finished = Signal()  # a "Load PEM file" read ended (loaded or refused)

    def __init__(self, catalog: Catalog, entry: KeyEntry | None = None,
                 parent: QtWidgets.QWidget | None = None, *,
                 ops: OpRunner | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.ops = ops or OpRunner(self)  # reads a PEM file off the UI thread
        self.closed = False  # finished: a late op result must not touch the form
        self.finished.connect(lambda _result: setattr(self, "closed", True))
        self.entry = entry
        self.trimmed: list[str] = []  # fields whose surrounding whitespace was removed
        self.setWindowTitle("Edit key" if entry else "Add key")
        self.setObjectName("keyForm")
        self.credential_fields: dict[str, CredentialField] = {}
        self.load_buttons: dict[str, QtWidgets.QPushButton] = {}  # "Load PEM file…"
        self.errors: dict[str, InlineError] = {}
        self._fit_timer = QtCore.QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.timeout.connect(self.fit_to_contents)
        self._fitted: QtCore.QSize | None = None  # the size fit_to_contents last set
        # Sizes it asked for: under a window manager they arrive later, as resize
        # events; any other size once fitted was the user's (or the window manager's).
        self._requested: set[tuple[int, int]] = set()
        self._user_sized = False
        self._fitted_content: tuple[tuple[int, bool, str], ...] = ()
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
    def _error(self, name: str, parent: QtWidgets.QWidget | None = None) -> InlineError:
        label = InlineError(parent or self.body)
        wrapped(label)
        self.errors[name] = label
        return label

    def _build(self) -> None:
        # The body scrolls when the screen is too small; the save error and the
        # buttons stay below it, always visible, and never on top of a field.
        self.body = QtWidgets.QWidget(self)
        self.body.setObjectName("keyFormBody")
        body = self.body
        self.scroll_area = FormScrollArea(body, self)
        body.installEventFilter(self)  # a message shown or hidden: make room for it
        outer = QtWidgets.QVBoxLayout(self)
        outer.addWidget(self.scroll_area, 1)
        inner = QtWidgets.QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        form = QtWidgets.QFormLayout()
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        inner.addLayout(form)

        self.exchange = QtWidgets.QComboBox(body)
        self.exchange.setEditable(True)
        self.exchange.setInsertPolicy(QtWidgets.QComboBox.InsertPolicy.NoInsert)
        self.exchange.setAccessibleName("Exchange")
        self.exchange.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.exchange.setMinimumContentsLength(24)
        names: dict[str, str] = {}
        for info in sorted(self.catalog.exchanges.values(), key=lambda i: i.name.casefold()):
            names[info.id] = f"{info.name} ({info.id})"
            self.exchange.addItem(names[info.id], info.id)
        self.completer = ExchangeCompleter(self.catalog, names, self.exchange)
        self.exchange.setCompleter(self.completer)
        self.exchange.lineEdit().textEdited.connect(self.completer.update_matches)
        self.exchange.setCurrentIndex(-1)
        self.exchange.lineEdit().setPlaceholderText("Type to search 100+ exchanges")
        self.exchange.currentIndexChanged.connect(self._exchange_changed)
        form.addRow("E&xchange:", self.exchange)
        form.addRow("", self._error("exchange"))

        self.label = QtWidgets.QLineEdit(body)
        self.label.setAccessibleName("Label")
        self.label.setPlaceholderText("A unique name, e.g. “OKX grid bot”")
        form.addRow("&Label:", self.label)
        form.addRow("", self._error("label"))

        self.credentials_box = QtWidgets.QGroupBox("Credentials", body)
        self.credentials_form = QtWidgets.QFormLayout(self.credentials_box)
        self.credentials_form.setFieldGrowthPolicy(
            QtWidgets.QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.credentials_hint = wrapped(WrapLabel("Choose an exchange first.", body))
        self.credentials_form.addRow(self.credentials_hint)
        inner.addWidget(self.credentials_box)

        more = QtWidgets.QFormLayout()
        more.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        inner.addLayout(more)
        permissions_row = QtWidgets.QHBoxLayout()
        self.permission_boxes: dict[str, QtWidgets.QCheckBox] = {}
        for name in PERMISSIONS:
            box = QtWidgets.QCheckBox(name.capitalize(), body)
            box.setAccessibleName(f"Permission: {name}")
            permissions_row.addWidget(box)
            self.permission_boxes[name] = box
        permissions_row.addStretch(1)
        more.addRow("Permissions:", permissions_row)
        self.withdraw_warning = WrapLabel(WITHDRAW_WARNING, body)
        self.withdraw_warning.setObjectName("withdrawWarning")
        wrapped(self.withdraw_warning)
        self.withdraw_warning.setStyleSheet(
            "background: #fdecea; color: #8e1c1c; border: 1px solid #f5c2c0;"
            "border-radius: 4px; padding: 6px;")
        self.withdraw_warning.setVisible(False)
        self.permission_boxes["withdraw"].toggled.connect(self.withdraw_warning.setVisible)
        more.addRow("", self.withdraw_warning)
        more.addRow("", self._error("permissions"))

        self.ips = QtWidgets.QLineEdit(body)
        self.ips.setAccessibleName("IP whitelist")
        self.ips.setPlaceholderText("203.0.113.7, 2001:db8::/32 — as set on the exchange")
        more.addRow("&IP whitelist:", self.ips)
        more.addRow("", self._error("ip_whitelist"))

        env_row = QtWidgets.QHBoxLayout()
        self.environment = QtWidgets.QComboBox(body)
        self.environment.setAccessibleName("Environment")
        self.environment.currentIndexChanged.connect(self._environment_changed)
        env_row.addWidget(self.environment)
        self.api_url = QtWidgets.QLineEdit(body)
        self.api_url.setAccessibleName("Custom API URL")
        self.api_url.setPlaceholderText("https://api.example.com")
        self.api_url.setVisible(False)
        env_row.addWidget(self.api_url, 1)
        env_label = QtWidgets.QLabel("En&vironment:", body)
        env_label.setBuddy(self.environment)
        more.addRow(env_label, env_row)
        more.addRow("", self._error("environment"))
        more.addRow("", self._error("api_url"))

        notional_row = QtWidgets.QHBoxLayout()
        self.max_notional = QtWidgets.QLineEdit(body)
        self.max_notional.setObjectName("maxNotional")
        self.max_notional.setAccessibleName("Max order notional in US dollars")
        self.max_notional.setPlaceholderText("No limit, e.g. 1000 or 2500.50")
        notional_row.addWidget(self.max_notional, 1)
        notional_row.addWidget(QtWidgets.QLabel("USD per order", body))
        notional_label = QtWidgets.QLabel("&Max order notional:", body)
        notional_label.setBuddy(self.max_notional)
        more.addRow(notional_label, notional_row)
        notional_hint = wrapped(WrapLabel(NOTIONAL_HINT, body))
        notional_hint.setObjectName("maxNotionalHint")
        notional_hint.setEnabled(False)  # greyed: a hint, not a message
        more.addRow("", notional_hint)
        more.addRow("", self._error("max_notional"))

        self.rotate_days = QtWidgets.QSpinBox(body)
        self.rotate_days.setRange(1, MAX_ROTATE_DAYS)
        self.rotate_days.setValue(DEFAULT_ROTATE_DAYS)
        self.rotate_days.setSuffix(" days")
        self.rotate_days.setAccessibleName("Rotation reminder in days")
        more.addRow("&Rotate every:", self.rotate_days)

        self.tags = QtWidgets.QLineEdit(body)
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("comma-separated, e.g. bot, tax")
        more.addRow("&Tags:", self.tags)

        self.notes = QtWidgets.QPlainTextEdit(body)
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(64)
        more.addRow("&Notes:", self.notes)
        more.addRow("", self._error("notes"))

        inner.addStretch(1)  # room left over goes below the form, not into its rows

        self.general_error = self._error("general", self)
        outer.addWidget(self.general_error)

        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Save
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    # --- size: grow with the content, up to the screen; scroll beyond ------------
    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.body and event.type() == QtCore.QEvent.Type.LayoutRequest:
            self.scroll_area.updateGeometry()
            self._fit_timer.start(0)
        return super().eventFilter(watched, event)

    def showEvent(self, event: QtCore.QEvent) -> None:
        super().showEvent(event)
        self._requested.add((self.width(), self.height()))  # the window manager may echo it
        self._fit_timer.start(0)

    def _content(self) -> tuple[tuple[int, bool, str], ...]:
        """What is shown: which widgets are visible and what the labels say."""
        widgets = [*self.body.findChildren(QtWidgets.QWidget), self.general_error]
        return tuple((id(widget), widget.isVisibleTo(self),
                      widget.text() if isinstance(widget, QtWidgets.QLabel) else "")
                     for widget in widgets)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        size = (event.size().width(), event.size().height())
        if self._fitted is not None and size not in self._requested:
            self._user_sized = True
        self._hold_general_error_height()

    def _hold_general_error_height(self) -> None:
        """Give the save error (outside the scrolling body) its wrapped height.

        A top-level layout sizes a word-wrapped label by its size hint, not by its
        height at the width it gets; at a narrow width the text would be cut off.
        """
        layout = self.layout()
        assert layout is not None
        margins = layout.contentsMargins()
        width = self.contentsRect().width() - margins.left() - margins.right()
        label = self.general_error
        height = label.heightForWidth(width) if label.text() else 0
        if height != label.minimumHeight():
            label.setMinimumHeight(max(height, 0))

    def fit_to_contents(self) -> None:
        """Take the size the content asks for, within the screen; scroll beyond.

        Called when the body's content changes, not when the user resizes. Once the
        user has resized the dialog it only grows, so a size they chose is kept
        until something new needs room.
        """
        if not self.isVisible():
            return
        layout = self.layout()
        assert layout is not None
        user_sized = self._user_sized
        content = self._content()
        if user_sized and content == self._fitted_content:
            return  # text rewrapped after the user's resize: theirs to choose
        self._fitted_content = content
        screen = self.screen().availableGeometry()
        decoration = self.frameGeometry().size() - self.geometry().size()  # title, borders
        # width first: the height wrapped text needs depends on it
        layout.activate()
        wanted = self.sizeHint().expandedTo(self.minimumSizeHint())
        width = max(self.width(), wanted.width()) if user_sized else wanted.width()
        width = min(width, screen.width() - decoration.width())
        if width != self.width():
            self._requested.add((width, self.height()))
            self.resize(width, self.height())
            layout.activate()
        wanted = self.sizeHint().expandedTo(self.minimumSizeHint())
        height = max(self.height(), wanted.height()) if user_sized else wanted.height()
        height = min(height, screen.height() - decoration.height())
        if height != self.height():
            self._requested.add((width, height))
            self.resize(width, height)
        self._fitted = QtCore.QSize(width, height)
        self._requested.add((width, height))
        # keep the whole window on the screen it is on
        frame = self.frameGeometry()
        x = min(max(frame.left(), screen.left()), screen.right() - frame.width() + 1)
        y = min(max(frame.top(), screen.top()), screen.bottom() - frame.height() + 1)
        if (x, y) != (frame.left(), frame.top()):
            self.move(x, y)

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
        self.max_notional.setText(
            "" if entry.max_notional is None else format_notional(entry.max_notional))
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
        self.load_buttons.clear()
        for name in CREDENTIAL_NAMES:
            self.errors.pop(name, None)

    def _add_credential_field(self, name: str, info: ExchangeInfo | None) -> CredentialField:
        title = CREDENTIAL_TITLES.get(name, name)
        box = self.credentials_box
        field: CredentialField
        if info is not None and info.multiline_credential(name):
            field = SecretTextField(PEM_PLACEHOLDER, box)  # a PEM key keeps its line breaks
        elif name in SECRET_CREDENTIALS:
            field = PasswordField(parent=box, monospace=True)
        else:
            field = QtWidgets.QLineEdit(box)
            field.setFont(monospace_font(field.font()))
        field.setAccessibleName(title)
        field.setObjectName(f"credential_{name}")
        label = QtWidgets.QLabel(f"{title}:", box)
        label.setBuddy(field)
        if name == "secret" and info is not None and info.pem_secret:
            row = QtWidgets.QHBoxLayout()
            row.addWidget(field, 1)
            load = QtWidgets.QPushButton("Load PEM file…", box)
            load.setAccessibleName("Load a PEM private key file for the secret")
            load.clicked.connect(lambda: self._load_pem(field))
            self.load_buttons[name] = load
            row.addWidget(load, 0, Qt.AlignmentFlag.AlignTop)
            self.credentials_form.addRow(label, row)
            hint = WrapLabel(PEM_HINT, box)
            hint.setObjectName("pemHint")
            self.credentials_form.addRow("", wrapped(hint))
        else:
            self.credentials_form.addRow(label, field)
        self.credentials_form.addRow("", self._error(name, box))
        self.credential_fields[name] = field
        return field

    def _load_pem(self, field: CredentialField) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Load PEM private key", str(Path.home()), "PEM files (*.pem *.key);;All (*)")
        if path:
            self.load_pem_file(field, Path(path))

    def load_pem_file(self, field: CredentialField, path: Path) -> None:
        """Read ``path`` in the background (a FIFO or a device must not hang the form)."""
        error = self.errors["secret"]
        load = self.load_buttons.get("secret")
        if load is not None:
            load.setEnabled(False)

        def done(text: str) -> None:
            if self.closed:
                return
            if load is not None:
                load.setEnabled(True)
            text = text.strip()
            if not text.startswith("-----BEGIN"):
                error.show_message("That file does not hold a PEM key.")
                return
            field.setText(text)
            error.show_message("")
            self.pem_load_finished.emit()

        def failed(exc: BaseException) -> None:
            if self.closed:
                return
            if load is not None:
                load.setEnabled(True)
            reason = str(exc) if isinstance(exc, VaultError) else type(exc).__name__
            error.show_message(f"Could not load that file: {reason}.")
            self.pem_load_finished.emit()

        self.ops.run(lambda: read_small_text(path), done, failed)

    def _exchange_changed(self) -> None:
        info = self.exchange_info()
        kept = {name: field.text() for name, field in self.credential_fields.items()}
        self._clear_credentials()
        if info is None:
            self.credentials_hint = wrapped(WrapLabel("Choose an exchange first.",
                                                       self.credentials_box))
            self.credentials_form.addRow(self.credentials_hint)
        else:
            if not info.required:
                none = WrapLabel(
                    f"{info.name} needs no credentials in ccxt.",
                    self.credentials_box)
                self.credentials_form.addRow(wrapped(none))
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
        chain: list[QtWidgets.QWidget] = [self.label]
        for name, field in self.credential_fields.items():
            if isinstance(field, SecretTextField):  # its editors and eye, not the frame
                chain += [field.masked, field.editor, field.reveal]
            else:
                chain.append(field)
            if name in self.load_buttons:
                chain.append(self.load_buttons[name])
        chain.append(self.permission_boxes["read"])
        for first, second in pairwise(chain):
            QtWidgets.QWidget.setTabOrder(first, second)

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
            "max_notional": self.max_notional.text(),  # the core parses it; empty: no limit
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
        self._hold_general_error_height()
        self._fit_timer.start(0)  # the general error sits outside the growing body
        if exc is None:
            return
        field = getattr(exc, "field", None)
        target = self.errors.get(field or "") or self.general_error
        target.show_message(str(exc)[:1].upper() + str(exc)[1:])
        self._hold_general_error_height()
        widget = self._widget_for(field)
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _widget_for(self, field: str | None) -> QtWidgets.QWidget | None:
        mapping: dict[str, QtWidgets.QWidget] = {
            "label": self.label, "exchange": self.exchange, "ip_whitelist": self.ips,
            "api_url": self.api_url, "environment": self.environment, "notes": self.notes,
            "max_notional": self.max_notional,
            "permissions": self.permission_boxes["read"],
        }
        if field in self.credential_fields:
            return self.credential_fields[field]
        return mapping.get(field or "")

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def lock_connection(self, reason: str) -> None:
        """Make the exchange, environment, API URL and credentials read-only (the demo
        vault: see ``edit_flow.DEMO_LOCKED_FIELDS``), with ``reason`` on one line above."""
        self.exchange.setEnabled(False)
        self.environment.setEnabled(False)
        self.api_url.setReadOnly(True)
        self.api_url.setEnabled(False)
        self.credentials_box.setEnabled(False)  # each field and its "Load PEM file…"
        note = wrapped(WrapLabel(reason, self.body))
        note.setObjectName("connectionLocked")
        layout = self.body.layout()
        if isinstance(layout, QtWidgets.QBoxLayout):
            layout.insertWidget(0, note)
        self.label.setFocus()

    def wipe_fields(self) -> None:
        """Overwrite every secret field and clear the rest; the form stays open."""
        for field in self.credential_fields.values():
            if isinstance(field, PasswordField | SecretTextField):
                field.wipe()
            else:
                field.clear()
        self.notes.clear()
        self.max_notional.clear()

    def wipe(self) -> None:
        """Overwrite every secret field (on lock), then close."""
        self.wipe_fields()
        self.reject()
