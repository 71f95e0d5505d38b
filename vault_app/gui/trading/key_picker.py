"""The trading view's key picker: every key with its permission badges, and where the
chosen key's requests go (LIVE in unmistakable red, SANDBOX, or the custom URL).

Only ``trade`` keys can submit; ``read`` keys can view balances and orders. What a
key may do is the core's rule (``require_trade``); the picker shows the labels.
"""

from __future__ import annotations

from collections.abc import Sequence

from vault_app.core.model import KeyEntry
from vault_app.gui.badge_colors import badge_colors
from vault_app.gui.keys_model import PERMISSIONS_ROLE, draw_badges
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal
from vault_app.gui.widgets import escape
from vault_app.trading.endpoints import describe

ID_ROLE = Qt.ItemDataRole.UserRole + 1
LIVE_STYLE = ("QLabel { background: #b71c1c; color: white; font-weight: bold; "
              "padding: 3px 8px; border-radius: 3px; }")
SAFE_STYLE = ("QLabel { background: #455a64; color: white; font-weight: bold; "
              "padding: 3px 8px; border-radius: 3px; }")


def environment_text(entry: KeyEntry) -> tuple[str, bool]:
    """What the environment badge says, and whether real money is at stake: the core's
    one rule (``endpoints.describe``), as the client and the dialogs use it."""
    endpoint = describe(entry)
    return endpoint.badge, endpoint.live


def key_text(entry: KeyEntry) -> str:
    return f"{entry.label} ({entry.exchange})"


class _KeyItemDelegate(QtWidgets.QStyledItemDelegate):
    """A key's label, then its permission badges, as in the key list."""

    def paint(self, painter: QtGui.QPainter, option: QtWidgets.QStyleOptionViewItem,
              index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        opt = QtWidgets.QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text_width = QtGui.QFontMetrics(opt.font).horizontalAdvance(opt.text)
        draw_badges(painter, opt, tuple(index.data(PERMISSIONS_ROLE) or ()),
                    opt.rect.x() + text_width + 16)

    def sizeHint(self, option: QtWidgets.QStyleOptionViewItem,
                 index: QtCore.QModelIndex | QtCore.QPersistentModelIndex) -> QtCore.QSize:
        hint = super().sizeHint(option, index)
        metrics = QtGui.QFontMetrics(option.font)
        extra = sum(metrics.horizontalAdvance(p) + 24
                    for p in index.data(PERMISSIONS_ROLE) or ())
        return QtCore.QSize(hint.width() + extra + 16, hint.height() + 4)


class KeyPicker(QtWidgets.QWidget):
    """``key_changed(entry or None)`` when the user picks another key."""

    key_changed = Signal(object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: dict[str, KeyEntry] = {}
        self._emitted: KeyEntry | None = None
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QtWidgets.QLabel("Ke&y:", self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.combo = QtWidgets.QComboBox(self)
        self.combo.setObjectName("keyPicker")
        self.combo.setAccessibleName("Trading key")
        self.combo.setItemDelegate(_KeyItemDelegate(self.combo))
        self.combo.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumContentsLength(20)
        label.setBuddy(self.combo)
        self.badges = QtWidgets.QLabel(self)
        self.badges.setObjectName("keyBadges")
        self.badges.setTextFormat(Qt.TextFormat.RichText)
        self.environment = QtWidgets.QLabel(self)
        self.environment.setObjectName("keyEnvironment")
        self.environment.setAccessibleName("Environment")
        self.rights = QtWidgets.QLabel(self)
        self.rights.setObjectName("keyRights")
        for plain in (self.environment, self.rights):  # a custom URL is the user's text
            plain.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (label, self.combo, self.badges, self.environment, self.rights):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(lambda _index: self._changed())

    def set_entries(self, entries: Sequence[KeyEntry], keep: str | None = None) -> None:
        """Fill the picker (by label); keep the key ``keep`` (an id) chosen if it is there."""
        keep = keep or self.current_id()
        self._entries = {entry.id: entry for entry in entries}
        with QtCore.QSignalBlocker(self.combo):
            self.combo.clear()
            for entry in sorted(entries, key=lambda e: e.label.casefold()):
                self.combo.addItem(key_text(entry), entry.id)
                index = self.combo.count() - 1
                self.combo.setItemData(index, entry.permissions, PERMISSIONS_ROLE)
                if entry.can_withdraw:
                    self.combo.setItemData(index, "This key can withdraw funds. Exchanges "
                                           "advise disabling withdrawals.",
                                           Qt.ItemDataRole.ToolTipRole)
            self.combo.view().setMinimumWidth(self._popup_width())
            found = self.combo.findData(keep) if keep else -1
            self.combo.setCurrentIndex(found if found >= 0 else (0 if entries else -1))
        self._changed()

    def _popup_width(self) -> int:
        """Wide enough for every key's label and badges (the combo itself is narrower)."""
        option = QtWidgets.QStyleOptionViewItem()
        option.font = self.combo.font()
        delegate = self.combo.itemDelegate()
        model = self.combo.model()
        widths = [delegate.sizeHint(option, model.index(row, 0)).width()
                  for row in range(self.combo.count())]
        return max(widths, default=0) + 24

    def select(self, entry_id: str) -> bool:
        index = self.combo.findData(entry_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def current_id(self) -> str | None:
        value = self.combo.currentData()
        return value if isinstance(value, str) else None

    def current(self) -> KeyEntry | None:
        entry_id = self.current_id()
        return self._entries.get(entry_id) if entry_id else None

    def clear(self) -> None:
        self.set_entries(())

    def _changed(self) -> None:
        """Say so if the chosen key is another one, or the same one changed (edited in
        the key list, or by another process): not when the list was merely refilled."""
        entry = self.current()
        self._show(entry)
        if _trading_view_of(entry) != _trading_view_of(self._emitted):
            self._emitted = entry
            self.key_changed.emit(entry)

    def _show(self, entry: KeyEntry | None) -> None:
        if entry is None:
            for label in (self.badges, self.environment, self.rights):
                label.clear()
            self.environment.setStyleSheet("")
            return
        self.badges.setText(" ".join(_badge_html(name) for name in entry.permissions))
        self.badges.setToolTip("This key can withdraw funds. Exchanges advise disabling "
                               "withdrawals." if entry.can_withdraw else "")
        text, live = environment_text(entry)
        self.environment.setText(text)
        self.environment.setStyleSheet(LIVE_STYLE if live else SAFE_STYLE)
        self.rights.setText("can place orders" if entry.can_trade else
                            "read-only: can view balances and orders, not place them")


def _trading_view_of(entry: KeyEntry | None) -> tuple[object, ...] | None:
    """What of a key the trading view depends on (not its "last used", which placing
    an order changes)."""
    if entry is None:
        return None
    return (entry.id, entry.label, entry.exchange, entry.environment, entry.api_url,
            tuple(sorted(entry.credentials.items())), entry.permissions, entry.max_notional)


def _badge_html(name: str) -> str:
    colors = badge_colors(name, "#ffffff")
    text = ("⚠ " if name == "withdraw" else "") + name
    return (f'<span style="background-color:{colors.fill}; color:{colors.text}; '
            f'font-weight:bold">&nbsp;{escape(text)}&nbsp;</span>')
