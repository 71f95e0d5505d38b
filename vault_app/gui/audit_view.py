"""The Audit section: the security audit's findings (``core.audit``), most severe first,
refreshed whenever the vault's revision changes; and the count of high findings shown as a
badge on the section's tab, visible from every section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.core.audit import SEVERITIES, Finding, audit
from vault_app.core.model import utcnow
from vault_app.core.plain_text import escape
from vault_app.gui.qt import Qt, QtCore, QtGui, QtWidgets, Signal

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

COLUMNS = ("Severity", "Key", "Risk", "Fix")
SEVERITY_COLORS = {"high": "#c62828", "medium": "#ef6c00", "low": "#5d6d7e"}


class AuditView(QtWidgets.QWidget):
    high_count_changed = Signal(int)

    def __init__(self, window: MainWindow, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditView")
        self.window_ = window
        self.findings: list[Finding] = []
        self._revision: tuple[int, int] | None = None  # (id of the vault, its revision)
        layout = QtWidgets.QVBoxLayout(self)
        self.summary = QtWidgets.QLabel(self)
        self.summary.setObjectName("auditSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("auditFindings")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)  # long risks wrap, never cut off
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        # Rows take the height of their wrapped text again when a column's width changes.
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        super().showEvent(event)
        # Rows sized while hidden took the wrap of too narrow columns: size them again
        # once the stretched columns have their real width (after this event).
        QtCore.QTimer.singleShot(0, self.table.resizeRowsToContents)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        QtCore.QTimer.singleShot(0, self.table.resizeRowsToContents)

    @property
    def high_count(self) -> int:
        return sum(f.severity == "high" for f in self.findings)

    def refresh(self) -> None:
        """Audit the vault again if its revision changed since the last audit."""
        vault = self.window_.vault
        if vault is None:
            self.clear()
            return
        revision = (id(vault), vault.revision)
        if revision == self._revision:
            return
        self._revision = revision
        self._show(audit(vault.entries, now=utcnow(), password_score=vault.password_score))

    def clear(self) -> None:
        """Locked: nothing of the vault stays on show."""
        self._revision = None
        self._show([])
        self.summary.clear()

    def _show(self, findings: list[Finding]) -> None:
        before = self.high_count
        self.findings = findings
        self.table.setRowCount(len(findings))
        for row, finding in enumerate(findings):
            key = escape(finding.label) if finding.entry_id is not None else "(the vault)"
            texts = (finding.severity.capitalize(), key, finding.risk, finding.fix)
            for column, text in enumerate(texts):
                item = QtWidgets.QTableWidgetItem(text)
                if column == 0:
                    item.setForeground(QtGui.QBrush(QtGui.QColor(
                        SEVERITY_COLORS[finding.severity])))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if findings:
            counts = ", ".join(f"{sum(f.severity == s for f in findings)} {s}"
                               for s in SEVERITIES)
            self.summary.setText(f"{len(findings)} findings ({counts}). Each names the key, "
                                 "the risk and the fix; they update as you edit your keys.")
        else:
            self.summary.setText("No findings: every key follows the exchanges' advice.")
        if self.high_count != before:
            self.high_count_changed.emit(self.high_count)
