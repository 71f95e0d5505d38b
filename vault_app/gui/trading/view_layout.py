"""How the trading view shares its room (u1 D1, D12, D20, D26).

``TicketSplit`` builds the market list and the ticket side by side above the order
tabs, in a vertical splitter: the ticket gets the height it needs (rounding notes,
Review and the result line included), every spare pixel goes to the tables; when the
window is too short for both, the ticket scrolls and the tables keep three rows (u2 N2;
in the smallest window the ticket comes first and the tabs keep ``TABS_MIN_HEIGHT``).
Once the user drags the handle, their split stays. A field of
the ticket that gets the keyboard is scrolled into view with Review, so the smallest
window shows amount, estimate and Review together. A tab's mnemonic (Alt+D, Alt+H,
Alt+L) puts the keyboard in its table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.gui.qt import Qt, QtCore, QtWidgets

if TYPE_CHECKING:
    from vault_app.gui.trading.view import TradingView

TICKET_MAX_WIDTH = 760  # px: wider fields only make the eye travel (u1: 900 px)
TABS_MIN_HEIGHT = 90  # px: the tab bar and its buttons; the rows scroll (a small window)
TABLE_ROWS = 3  # rows the order tables keep whenever the ticket can still have this:
TICKET_MIN_HEIGHT = 220  # px; below it the ticket comes first (u2 N2)


def plain_text_labels(root: QtWidgets.QWidget, rich: frozenset[str] = frozenset({"keyBadges"})
                      ) -> None:
    """Every QLabel under ``root`` shows plain text: Qt's default (AutoText) renders a
    text with a tag as HTML, and exchange words (its reasons, symbols, ids) reach
    labels. ``rich``: object names of labels whose rich text is built with ``escape``."""
    for label in root.findChildren(QtWidgets.QLabel):
        if label.objectName() not in rich:
            label.setTextFormat(Qt.TextFormat.PlainText)


class TicketSplit(QtCore.QObject):
    """Sets ``view.middle`` (the ticket and its result line), ``view.scroll`` and
    ``view.body`` (the splitter); see the module's docstring."""

    def __init__(self, view: TradingView) -> None:
        super().__init__(view)
        self.view = view
        left = QtWidgets.QWidget(view)
        left_layout = QtWidgets.QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(view.symbols)
        self.middle = view.middle = QtWidgets.QWidget(view)
        middle_layout = QtWidgets.QVBoxLayout(self.middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(view.ticket)
        middle_layout.addWidget(view.status)
        ticket_margins = view.ticket.layout().contentsMargins()  # type: ignore[union-attr]
        view.status.setContentsMargins(  # the result line starts where the ticket does
            ticket_margins.left(), 0, ticket_margins.right(), 0)
        middle_layout.addStretch(1)
        self.middle.setMaximumWidth(TICKET_MAX_WIDTH)
        self.scroll = view.scroll = QtWidgets.QScrollArea(view)  # keeps the ticket's size
        self.scroll.setObjectName("ticketScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.middle)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top = QtWidgets.QSplitter(Qt.Orientation.Horizontal, view)
        top.addWidget(left)
        top.addWidget(self.scroll)
        top.setStretchFactor(1, 1)
        top.setSizes([220, 700])
        self.body = view.body = QtWidgets.QSplitter(Qt.Orientation.Vertical, view)
        self.body.setObjectName("tradingSplitter")
        self.body.addWidget(top)
        self.body.addWidget(view.tabs)
        self.body.setChildrenCollapsible(False)
        view.tabs.setMinimumHeight(TABS_MIN_HEIGHT)
        self.user_split = False  # the user dragged the handle: their split stays
        self._stable: tuple[int, int] = (0, 0)  # (splitter height, ticket's top) fitted
        self.body.splitterMoved.connect(lambda *_: setattr(self, "user_split", True))
        self.middle.installEventFilter(self)  # the ticket grew or shrank: split again
        view.tabs.tabBar().installEventFilter(self)  # a tab's mnemonic: into its table
        app = QtWidgets.QApplication.instance()
        if isinstance(app, QtWidgets.QApplication):
            app.focusChanged.connect(self._focus_changed)

    def ticket_height(self) -> int:
        """The height the ticket and its result line need at the current width."""
        layout = self.middle.layout()
        assert layout is not None
        width = self.scroll.viewport().width()
        if layout.hasHeightForWidth():
            return layout.totalHeightForWidth(width)
        return layout.totalSizeHint().height()

    def tables_floor(self, total: int) -> int:
        """The height the tabs keep: ``TABLE_ROWS`` rows of the current table under its
        tab bar, buttons and header, unless that would squeeze the ticket below
        ``TICKET_MIN_HEIGHT`` (a small window: then ``TABS_MIN_HEIGHT``)."""
        tabs = self.view.tabs
        table = getattr(tabs.currentWidget(), "table", None)
        if not isinstance(table, QtWidgets.QTableView) or tabs.height() <= 0:
            return TABS_MIN_HEIGHT
        around = tabs.height() - table.viewport().height()  # tab bar, buttons, header
        need = max(TABS_MIN_HEIGHT,
                   around + TABLE_ROWS * table.verticalHeader().defaultSectionSize())
        return need if total - need >= TICKET_MIN_HEIGHT else TABS_MIN_HEIGHT

    def fit(self) -> None:
        """The whole ticket above, the rest to the tables (see the module's docstring).
        The ticket's share never shrinks while the window keeps its height, so the
        tabs and Review do not jump when the type or the side changes (u2 N3)."""
        total = sum(self.body.sizes())
        if self.user_split or total <= 0:
            return
        top = min(self.ticket_height(), total - self.tables_floor(total))
        stable_total, stable_top = self._stable
        if stable_total == total:
            top = max(top, min(stable_top, total - self.tables_floor(total)))
        top = max(top, total - self.view.tabs.maximumHeight(), 0)
        self._stable = (total, top)
        if self.body.sizes()[0] != top:
            self.body.setSizes([top, total - top])

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self.view.tabs.tabBar() and event.type() == QtCore.QEvent.Type.Shortcut:
            QtCore.QTimer.singleShot(0, self._into_table)  # once the tab is switched
        if watched is self.middle and event.type() in (QtCore.QEvent.Type.LayoutRequest,
                                                       QtCore.QEvent.Type.Resize):
            QtCore.QTimer.singleShot(0, self.fit)  # once the layout has settled
        return super().eventFilter(watched, event)

    def _into_table(self) -> None:
        """Alt+D / Alt+H / Alt+L show a tab and put the keyboard in its table."""
        table = getattr(self.view.tabs.currentWidget(), "table", None)
        if isinstance(table, QtWidgets.QTableView):
            table.setFocus(Qt.FocusReason.ShortcutFocusReason)
            if not table.currentIndex().isValid() and table.model().rowCount():
                table.setCurrentIndex(table.model().index(0, 0))

    def _focus_changed(self, _old: QtWidgets.QWidget | None,
                       now: QtWidgets.QWidget | None) -> None:
        """A field of the ticket got the keyboard: scroll so that Review shows too, then
        the field (in a small window: amount, estimate and Review together)."""
        ticket = self.view.ticket
        if now is None or not ticket.isAncestorOf(now):
            return
        self.scroll.ensureWidgetVisible(ticket.review, 0, 4)
        self.scroll.ensureWidgetVisible(now, 0, 4)
