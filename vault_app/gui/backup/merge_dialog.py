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

from vault_app.backups.merge import (
    BOTH,
    KEEP_BOTH,
    KEEP_OURS,
    LEAVE_OUT,
    NEWER,
    REPLACE,
    SAME_API_KEY,
    SKIP,
    Conflict,
    MergePlan,
    decide,
    preview,
)
from vault_app.core.field_names import names_text
from vault_app.gui.pages import BusyBar
from vault_app.gui.qt import QtWidgets, Signal
from vault_app.gui.widgets import InlineError, WrapLabel, isolated

KINDS = {"same_id": "same key, changed", "same_label": "same label, another key",
         "same_api_key": "same API key, another entry"}
CHOICES = ((SKIP, "Skip"), (NEWER, "Keep newer"), (BOTH, "Keep both"))
COLUMNS = ("Key", "Conflict", "Differs in", "Changed here", "Changed in backup", "Newer",
           "Choice")
CHOICE_COLUMN = len(COLUMNS) - 1
SHOWN_ADDITIONS = 8  # labels listed by name; the rest counted
SHOWN_NAMES = 6  # keys named in the summary per outcome; the rest counted


def choices_for(conflict: Conflict) -> tuple[tuple[str, str], ...]:
    """The choices the core allows for a conflict (all three), each saying what it
    means: "keep both" of the same API key stores that key twice, which the key form
    would refuse: said on the choice itself, not in a tooltip (u1 M3)."""
    if conflict.kind == SAME_API_KEY:
        return tuple((value, "Keep both: one API key twice" if value == BOTH else text)
                     for value, text in CHOICES)
    return CHOICES


def when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") if moment else "unknown"


def newer_side(conflict: Conflict) -> str:
    """"backup", "this vault", "same" or "unknown": which side was changed last."""
    return {"theirs": "backup", "ours": "this vault", "unknown": "unknown"}.get(
        conflict.newer, "same")


def differs_text(conflict: Conflict) -> str:
    """The fields that differ, in words; never the id, which differs whenever the two
    are different keys and means nothing to a person."""
    return names_text(name for name in conflict.fields if name != "id") or "only dates"


def quoted(label: str) -> str:
    return f"“{isolated(label)}”"


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:SHOWN_NAMES])
    more = len(labels) - SHOWN_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def summary(plan: MergePlan, choices: Mapping[str, str]) -> str:
    """"Merge: add 3, replace 1, keep both 1, skip 2" (``merge.preview``: the merge's
    own rule), then the keys each outcome concerns, by name (``merge.decide``), and for
    a replaced key what in it changes."""
    outcomes: dict[str, list[str]] = {REPLACE: [], KEEP_OURS: [], KEEP_BOTH: [], LEAVE_OUT: []}
    replaced: set[str] = set()
    for conflict in plan.conflicts:
        what = decide(conflict, choices.get(conflict.key, SKIP), replaced)
        theirs, ours = conflict.labels
        if what == REPLACE:
            replaced.add(conflict.ours.id)
            name = quoted(conflict.ours.label) + (
                f" by the backup's {quoted(conflict.theirs.label)}" if theirs != ours else "")
            outcomes[REPLACE].append(f"{name} ({differs_text(conflict)})")
        elif what == KEEP_OURS:
            outcomes[KEEP_OURS].append(quoted(conflict.ours.label))
        elif what == KEEP_BOTH:
            outcomes[KEEP_BOTH].append(quoted(conflict.theirs.label))
        else:
            outcomes[LEAVE_OUT].append(quoted(conflict.theirs.label))
    lines = [preview(plan, choices).text()]
    if plan.additions:
        lines.append(f"Added: {_names([quoted(e.label) for e in plan.additions])}")
    titles = {REPLACE: "Replaced", KEEP_OURS: "Kept as in this vault",
              KEEP_BOTH: "Added beside this vault's, as “(restored)”", LEAVE_OUT: "Skipped"}
    lines += [f"{titles[what]}: {_names(names)}" for what, names in outcomes.items() if names]
    return "\n".join(lines)


class MergeDialog(QtWidgets.QDialog):
    merge_requested = Signal()

    def __init__(self, backup_name: str, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge a backup into this vault")
        self.resize(1000, 520)
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
        self.warnings = InlineError(self)  # crafted labels, dates not trusted
        self.warnings.setObjectName("mergeWarnings")
        layout.addWidget(self.warnings)
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
        header.setSectionResizeMode(2, QtWidgets.QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self._room = layout.count()  # with no table, the room goes here, not between lines
        layout.addStretch(0)
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
        self.heading.setText(f"Backup {quoted(self.backup_name)} ({made}). Nothing is saved "
                             "until you confirm; the merge is one save.")
        added = [quoted(entry.label) for entry in plan.additions]
        listed = ", ".join(added[:SHOWN_ADDITIONS])
        more = len(added) - SHOWN_ADDITIONS
        listed += f" and {more} more" if more > 0 else ""
        conflicts = len(plan.conflicts)
        self.counts.setText(
            f"{_n(len(added), 'key')} to add{': ' + listed if added else ''}. "
            f"{_n(plan.identical, 'key')} identical (nothing to do). "
            + (f"{_n(conflicts, 'conflict')}: choose for each below." if conflicts
               else "No conflicts."))
        warnings = plan.warnings
        self.warnings.setText("\n".join(f"Look first: {w}." for w in warnings))
        self.warnings.setVisible(bool(warnings))
        self.table.setRowCount(0)
        self.choice_boxes.clear()
        for conflict in plan.conflicts:
            self._add_row(conflict, before.get(conflict.key, SKIP))
        for widget in (self.table, self.set_all_label, *self.set_all_buttons.values()):
            widget.setVisible(bool(conflicts))
        layout = self.layout()
        if isinstance(layout, QtWidgets.QBoxLayout):
            layout.setStretch(self._room, 0 if conflicts else 1)
        if not conflicts:  # a few lines: no wide empty dialog
            self.resize(700, 260)
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
        name = isolated(ours.label) if theirs.label == ours.label \
            else f"{isolated(ours.label)} (backup: {isolated(theirs.label)})"
        cells = (
            name,
            KINDS.get(conflict.kind, conflict.kind),
            differs_text(conflict),
            when(ours.updated_at),
            when(theirs.updated_at),
            {"backup": "the backup's", "this vault": "this vault's",
             "unknown": "unknown (a date ahead)"}.get(newer, "same time"),
        )
        for column, text in enumerate(cells):
            self.table.setItem(row, column, QtWidgets.QTableWidgetItem(text))
        if conflict.reason:
            self.table.item(row, 5).setToolTip(conflict.reason)
        box = QtWidgets.QComboBox(self.table)
        box.setAccessibleName(f"Choice for {name}")
        for value, text in choices_for(conflict):
            box.addItem(text, value)
        box.setCurrentIndex(max(0, box.findData(choice)))
        self.table.setCellWidget(row, CHOICE_COLUMN, box)
        self.choice_boxes[conflict.key] = box

    def set_all(self, choice: str) -> None:
        """Every conflict to ``choice`` (a row not offering it keeps its own)."""
        for box in self.choice_boxes.values():
            index = box.findData(choice)
            if index >= 0:
                box.setCurrentIndex(index)

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
