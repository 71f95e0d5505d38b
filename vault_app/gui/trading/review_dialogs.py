"""The two questions before an order leaves: the signed request, then "place it?".

Both show an ``OrderPreview`` exactly as the core built it (the request ccxt signed,
the API key masked; the core's summary, notes and warnings): nothing is derived here.
Cancel is the default button and has the focus, so Enter and Escape both cancel; the
button that goes on says what it does.
"""

from __future__ import annotations

from vault_app.gui.monospace import monospace_font
from vault_app.gui.qt import QtCore, QtGui, QtWidgets
from vault_app.gui.theme import is_dark
from vault_app.gui.trading.field_message import current_app, sentence
from vault_app.gui.trading.trade_colors import environment_banner, notice_color
from vault_app.gui.widgets import WrapLabel
from vault_app.trading.endpoints import DEMO, SANDBOX
from vault_app.trading.preview import OrderPreview

WORD_JOINER = "\u2060"
"""Invisible; forbids a line break beside it: a URL is never cut after "http://"."""


def unbroken(text: str) -> str:
    """``text`` with every URL and market symbol in it kept on one line when wrapped."""
    words = []
    for word in text.split(" "):
        if "/" in word:  # a URL, or a market (BTC/USDT)
            # Breaks are allowed after "/" and "-" only (not after "." or ":" between
            # letters or digits): a joiner there keeps the URL whole.
            word = "".join(f"{char}{WORD_JOINER}" if char in "/-" else char for char in word)
        words.append(word)
    return " ".join(words)


def environment_words(preview: OrderPreview) -> tuple[str, str]:
    """The banner's headline and detail: LIVE, SANDBOX, DEMO or the custom URL, by the
    endpoint's kind as the core decided it (``endpoints.describe``)."""
    where = f"This order goes to {preview.endpoint}."
    if preview.live:
        return "LIVE — real money", where
    if preview.environment == SANDBOX:
        return "SANDBOX — test funds", where
    if preview.environment == DEMO:
        # one sentence (was "…to URL. (the offline demo exchange)"); the confirmation's
        # sentence then says "the demo exchange", not the URL again
        return "DEMO — fake money", \
            f"This order goes to the offline demo exchange at {preview.endpoint}."
    # A custom URL on this computer may be an SSH tunnel or a local proxy to a real
    # exchange: never called "not live" (a2 N3).
    return (f"CUSTOM URL on this computer — {preview.endpoint}",
            f"{where} If it leads to a real exchange, this is real money.")


class EnvironmentBanner(QtWidgets.QFrame):
    """LIVE in white on red, unmistakable; SANDBOX or a custom URL in blue."""

    def __init__(self, preview: OrderPreview, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("liveBanner" if preview.live else "environmentBanner")
        self.live = preview.live
        headline, detail = environment_words(preview)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        self.headline = QtWidgets.QLabel(headline)
        self.headline.setObjectName("environmentHeadline")
        self.headline.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * (1.4 if preview.live else 1.1))
        self.headline.setFont(font)
        self.detail = WrapLabel(unbroken(detail))
        self.detail.setObjectName("environmentDetail")
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        self.setAccessibleName(f"{headline}. {detail}")
        self._painting = False
        self._paint()

    def _paint(self) -> None:
        self._painting = True
        try:
            colors = environment_banner(self.live, is_dark(current_app()))
            self.setStyleSheet(f"QFrame#{self.objectName()} {{ background: {colors.fill};"
                               " border-radius: 4px; }"
                               f" QLabel {{ color: {colors.text}; background: transparent; }}")
        finally:
            self._painting = False

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.PaletteChange and not self._painting:
            self._paint()


def _checks(preview: OrderPreview, parent: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    """The core's warnings (prominent) and roundings (plain), as labels."""
    shown: list[QtWidgets.QWidget] = []
    if preview.estimate_moved:
        moved = WrapLabel(sentence(preview.estimate_moved), parent)
        moved.setObjectName("estimateMoved")
        shown.append(moved)
    for warning in preview.checked.warnings:
        label = WrapLabel(f"Warning: {sentence(warning)}", parent)
        label.setObjectName("reviewWarning")
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.setStyleSheet(f"color: {notice_color(is_dark(current_app()))};")
        shown.append(label)
    for note in preview.checked.notes:
        label = WrapLabel(f"Rounded: {note}", parent)
        label.setObjectName("reviewNote")
        shown.append(label)
    return shown


class _Review(QtWidgets.QDialog):
    """A question with Cancel as the default, focused button."""

    def __init__(self, preview: OrderPreview, accept_text: str,
                 parent: QtWidgets.QWidget | None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.layout_ = QtWidgets.QVBoxLayout(self)
        self.banner = EnvironmentBanner(preview, self)
        self.layout_.addWidget(self.banner)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.cancel = self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.proceed = self.buttons.addButton(accept_text,
                                              QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.proceed.setObjectName("proceedButton")
        self.cancel.setObjectName("cancelButton")
        self.proceed.setAutoDefault(False)
        self.cancel.setAutoDefault(True)
        self.cancel.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.buttons)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        self.cancel.setDefault(True)
        self.cancel.setFocus(QtCore.Qt.FocusReason.OtherFocusReason)


class PreviewDialog(_Review):
    """The signed request exactly as the core built it: method, URL, headers (the API
    key masked), body, client order id and where the signature is; under it, the
    request's parameters decoded, one per line."""

    def __init__(self, preview: OrderPreview, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(preview, "&Continue…", parent)
        self.setObjectName("previewDialog")
        self.setWindowTitle("Review the signed request")
        summary = WrapLabel(f"{preview.summary}")
        summary.setObjectName("previewSummary")
        font = summary.font()
        font.setBold(True)
        summary.setFont(font)
        self.layout_.addWidget(summary)
        facts = QtWidgets.QFormLayout()
        rows = [("Market:", preview.market_line(), "previewMarket"),
                ("Key:", preview.key, "previewKey"),
                ("Client order id:", preview.client_order_id, "clientOrderId"),
                ("Signature:", f"{preview.signature_at} (signed again, with a new "
                               "timestamp, when sent)", "signatureAt")]
        if preview.fee:
            rows.insert(1, ("Estimated fee:", preview.fee, "previewFee"))
        for caption_text, value, name in rows:
            field = WrapLabel(value)
            field.setObjectName(name)
            field.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
            if name == "clientOrderId":
                field.setFont(monospace_font(field.font()))
            facts.addRow(caption_text, field)
        self.layout_.addLayout(facts)
        caption = QtWidgets.QLabel("&Request, exactly as it will be sent (credentials and "
                                   "signature masked):")
        self.request_text = _request_box("signedRequest", request_text(preview))
        caption.setBuddy(self.request_text)
        self.layout_.addWidget(caption)
        self.layout_.addWidget(self.request_text)
        decoded = parameter_lines(preview)
        self.parameters = _request_box("requestParameters", "\n".join(decoded))
        if decoded:
            caption = QtWidgets.QLabel("Its &parameters, decoded:")
            caption.setBuddy(self.parameters)
            self.layout_.addWidget(caption)
            self.layout_.addWidget(self.parameters)
        else:
            self.parameters.hide()
        for label in _checks(preview, self):
            self.layout_.addWidget(label)
        self.finish_layout()
        self.resize(760, 640)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        self._fit()
        QtCore.QTimer.singleShot(0, self._grow)

    def _grow(self) -> None:
        """Tall enough for the fitted request and parameters (never a box over text)."""
        self._fit()
        self.layout_.activate()
        wanted = self.layout_.totalHeightForWidth(self.width())
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        for box in (self.request_text, self.parameters):
            _fit_height(box)


def _request_box(name: str, text: str) -> QtWidgets.QPlainTextEdit:
    """Read-only monospace text, wrapped anywhere (a body is one long line): no
    horizontal scrolling to find the price."""
    box = QtWidgets.QPlainTextEdit()
    box.setObjectName(name)
    box.setReadOnly(True)
    box.setTabChangesFocus(True)
    box.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.WidgetWidth)
    box.setWordWrapMode(QtGui.QTextOption.WrapMode.WrapAnywhere)
    box.setFont(monospace_font(box.font()))
    box.setPlainText(text)
    return box


def _fit_height(box: QtWidgets.QPlainTextEdit) -> None:
    """As tall as its wrapped text (within its limits): no large empty area below."""
    lines = int(box.document().documentLayout().documentSize().height())  # in lines
    frame = 2 * box.frameWidth() + 2 * int(box.document().documentMargin())
    height = max(1, lines) * box.fontMetrics().lineSpacing() + frame + 2
    box.setFixedHeight(max(3 * box.fontMetrics().lineSpacing() + frame,
                           min(height, 16 * box.fontMetrics().lineSpacing() + frame)))


def request_text(preview: OrderPreview) -> str:
    """Method and URL, the headers, a blank line and the body: as on the wire."""
    lines = [f"{preview.method} {preview.url}"]
    lines += [f"{name}: {value}" for name, value in preview.headers]
    if preview.body:
        lines += ["", preview.body]
    return "\n".join(lines)


def parameter_lines(preview: OrderPreview) -> list[str]:
    """``name = value``, one per parameter of the request."""
    return [f"{name} = {value}" for name, value in preview.parameters()]


class ConfirmDialog(_Review):
    """One sentence: side, amount, symbol, price, estimated cost, key and environment;
    the estimated fee; the checks' warnings above the buttons."""

    def __init__(self, preview: OrderPreview, parent: QtWidgets.QWidget | None = None) -> None:
        side = preview.checked.request.side.upper()
        super().__init__(preview, f"&Place {side} order", parent)
        self.setObjectName("confirmDialog")
        self.setWindowTitle(f"Place this {side} order?")
        self.sentence = WrapLabel(unbroken(confirm_sentence(preview)))
        self.sentence.setObjectName("confirmSentence")
        self.sentence.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.sentence.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.sentence.setFont(font)
        self.layout_.addWidget(self.sentence)
        if preview.fee:
            self.fee = WrapLabel(f"Estimated fee: {preview.fee}.")
            self.fee.setObjectName("confirmFee")
            self.layout_.addWidget(self.fee)
        for label in _checks(preview, self):
            self.layout_.addWidget(label)
        self.finish_layout()
        width = 560  # the wrapped sentence's height at that width, no gap under it
        self.resize(width, max(self.layout_.totalHeightForWidth(width),
                               self.minimumSizeHint().height()))


def confirm_sentence(preview: OrderPreview) -> str:
    """The core's own words: its summary, the market, the key, the endpoint."""
    environment = f"{preview.endpoint} (real money)" if preview.live else \
        "the demo exchange" if preview.environment == DEMO else preview.endpoint
    return (f"{preview.summary}, on {preview.market_line()}, signed with the key "
            f"{preview.key}, sent to {environment}.")
