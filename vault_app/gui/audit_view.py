"""The Audit section: the security audit's findings (``core.audit``), most severe first,
refreshed whenever the vault's revision changes; and the count of high findings shown as a
badge on the section's tab, visible from every section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vault_app.core.audit import SEVERITIES, Finding, audit
from vault_app.core.model import utcnow
from vault_app.core.plain_text import escape
from vault_app.gui.qt import Qt, QtGui, QtWidgets, Signal

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
        self.tree = QtWidgets.QTreeWidget(self)
        self.tree.setObjectName("auditFindings")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)

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
        self.tree.clear()
        for finding in findings:
            key = escape(finding.label) if finding.entry_id is not None else "(the vault)"
            item = QtWidgets.QTreeWidgetItem(
                [finding.severity.capitalize(), key, finding.risk, finding.fix])
            item.setForeground(0, QtGui.QBrush(QtGui.QColor(SEVERITY_COLORS[finding.severity])))
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            for column in (2, 3):
                item.setToolTip(column, item.text(column))
            self.tree.addTopLevelItem(item)
        if findings:
            counts = ", ".join(f"{sum(f.severity == s for f in findings)} {s}"
                               for s in SEVERITIES)
            self.summary.setText(f"{len(findings)} findings ({counts}). Each names the key, "
                                 "the risk and the fix; they update as you edit your keys.")
        else:
            self.summary.setText("No findings: every key follows the exchanges' advice.")
        if self.high_count != before:
            self.high_count_changed.emit(self.high_count)
