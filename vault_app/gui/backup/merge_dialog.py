"""The plan of a merge, shown before anything is saved: the keys the backup adds,
those already here, and each conflict with a choice per row (keep newer, keep
both, skip; skip by default: nothing is overwritten unless the user says so).

``backup_flow`` asks for a summary before applying, applies in the write worker,
and re-plans (``set_plan``) when the vault changed under the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise

from vault_app.backups.merge import BOTH, NEWER, SKIP, Conflict, MergePlan, preview
from vault_app.gui.pages import BusyBar
from vault_app.gui.qt import QtWidgets, Signal
from vault_app.gui.widgets import InlineError, WrapLabel

KINDS = {"same_id": "same key, changed", "same_label": "same label, another key",
         "same_api_key": "same API key, another entry"}
CHOICES = ((SKIP, "Skip"), (NEWER, "Keep newer"), (BOTH, "Keep both"))
COLUMNS = ("Key", "Conflict", "Changed here", "Changed in backup", "Newer", "Choice")
FIELD_WORDS = {"credentials": "credentials", "ip_whitelist": "IP whitelist",
               "max_notional": "order limit", "rotate_days": "rotation"}
SHOWN_ADDITIONS = 8  # labels listed by name; the rest counted


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else "unknown"


def newer_side(conflict: Conflict) -> str:
    """"backup", "this vault" or "same": which side was changed last."""
    if conflict.newer == "theirs":
        return "backup"
    if conflict.newer == "ours":
        return "this vault"
    return "same"


def summary(plan: MergePlan, choices: Mapping[str, str]) -> str:
    """"Merge: add 3, replace 1, keep both 1, skip 2", as the confirmation says it
    (``merge.preview``: the merge's own rule)."""
    return preview(plan, choices).text()


class MergeDialog(QtWidgets.QDialog):
    merge_requested = Signal()

    def __init__(self, backup_name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge a backup into this vault")
        self.resize(820, 520)
        self.backup_name = backup_name
        self.plan: MergePlan | None = None
        self.choice_boxes: dict[str, QtWidgets.QComboBox] = {}
        self.question: QtWidgets.QMessageBox | None = None  # the summary (kept for lock)
        layout = QtWidgets.QVBoxLayout(self)
        self.heading = WrapLabel("", self)
        self.heading.setObjectName("mergeHeading")
        layout.addWidget(self.heading)
        self.counts = WrapLabel("", self)
        self.counts.setObjectName("mergeCounts")
        layout.addWidget(self.counts)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("mergeConflicts")
        self.table.setAccessibleName("Conflicts")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)  # Tab goes from choice to choice
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column,
                                        QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        set_all = QtWidgets.QHBoxLayout()
        self.set_all_label = QtWidgets.QLabel("Set every conflict to:", self)
        set_all.addWidget(self.set_all_label)
        self.set_all_buttons: dict[str, QtWidgets.QPushButton] = {}
        for choice, text in (*CHOICES[1:], CHOICES[0]):
            button = QtWidgets.QPushButton(f"{text}", self)
            button.setAccessibleName(f"Set every conflict to {text}")
            button.clicked.connect(lambda _checked=False, c=choice: self.set_all(c))
            set_all.addWidget(button)
            self.set_all_buttons[choice] = button
        set_all.addStretch(1)
        layout.addLayout(set_all)
        self.set_all_buttons[NEWER].setText("Keep &newer")
        self.set_all_buttons[BOTH].setText("Keep &both")
        self.set_all_buttons[SKIP].setText("S&kip")
        self.error = InlineError(self)
        self.error.setObjectName("mergeError")
        layout.addWidget(self.error)
        self.busy = BusyBar(self)
        layout.addWidget(self.busy)
        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.merge_button = self.buttons.addButton(
            "&Merge…", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setDefault(True)
        self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.merge_requested)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def set_plan(self, plan: MergePlan, made_at: datetime | None) -> None:
        """Show ``plan``; a conflict shown before keeps its choice."""
        before = self.choices()
        self.plan = plan
        made = f"made {when(made_at)}" if made_at else "a vault file, not an exported backup"
        self.heading.setText(f"Backup “{self.backup_name}” ({made}). Nothing is saved until "
                             "you confirm; the merge is one save.")
        added = [entry.label for entry in plan.additions]
        listed = ", ".join(f"“{label}”" for label in added[:SHOWN_ADDITIONS])
        more = len(added) - SHOWN_ADDITIONS
        listed += f" and {more} more" if more > 0 else ""
        conflicts = len(plan.conflicts)
        self.counts.setText(
            f"{_n(len(added), 'key')} to add{': ' + listed if added else ''}. "
            f"{_n(plan.identical, 'key')} identical (nothing to do). "
            + (f"{_n(conflicts, 'conflict')}: choose for each below." if conflicts
               else "No conflicts."))
        self.table.setRowCount(0)
        self.choice_boxes.clear()
        for conflict in plan.conflicts:
            self._add_row(conflict, before.get(conflict.key, SKIP))
        for widget in (self.table, self.set_all_label, *self.set_all_buttons.values()):
            widget.setVisible(bool(conflicts))
        chain: list[QtWidgets.QWidget] = [self.table, *self.choice_boxes.values(),
                                          *self.set_all_buttons.values(), *self.buttons.buttons()]
        for first, second in pairwise(chain):
            QtWidgets.QWidget.setTabOrder(first, second)  # row by row, then the buttons
        self.merge_button.setEnabled(bool(added or conflicts))
        if not added and not conflicts:
            self.counts.setText(self.counts.text() + " This vault already holds everything "
                                "in the backup: there is nothing to merge.")

    def _add_row(self, conflict: Conflict, choice: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        newer = newer_side(conflict)
        ours, theirs = conflict.ours, conflict.theirs
        cells = (
            ours.label if theirs.label == ours.label
            else f"{ours.label} (backup: {theirs.label})",
            KINDS.get(conflict.kind, conflict.kind),
            when(ours.updated_at),
            when(theirs.updated_at),
            {"backup": "the backup's", "this vault": "this vault's"}.get(newer, "same time"),
        )
        for column, text in enumerate(cells):
            self.table.setItem(row, column, QtWidgets.QTableWidgetItem(text))
        differs = ", ".join(FIELD_WORDS.get(name, name) for name in conflict.fields)
        if differs:
            for column in range(len(cells)):
                self.table.item(row, column).setToolTip(f"Differs: {differs}")
        box = QtWidgets.QComboBox(self.table)
        box.setAccessibleName(f"Choice for {cells[0]}")
        for value, text in CHOICES:
            box.addItem(text, value)
        box.setCurrentIndex(max(0, box.findData(choice)))
        self.table.setCellWidget(row, len(COLUMNS) - 1, box)
        self.choice_boxes[conflict.key] = box

    def set_all(self, choice: str) -> None:
        for box in self.choice_boxes.values():
            box.setCurrentIndex(box.findData(choice))

    def choices(self) -> dict[str, str]:
        """Conflict key -> NEWER, BOTH or SKIP."""
        return {key: str(box.currentData()) for key, box in self.choice_boxes.items()}

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        for widget in (self.table, self.merge_button, *self.set_all_buttons.values()):
            widget.setEnabled(not busy)
        if busy:
            self.error.show_message("")

    def wipe(self) -> None:
        """On lock: forget the plan (labels of both vaults), then close."""
        if self.question is not None:
            self.question.reject()
        self.plan = None
        self.table.setRowCount(0)
        self.choice_boxes.clear()
        self.counts.clear()
        self.reject()


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
