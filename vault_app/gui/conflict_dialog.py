"""Ask, field by field, which value to keep when an edit clashes with the disk.

The core (``Vault.update``, through ``edits.merge_edit``) found fields that this
window and another window or process both changed, to different values. The
dialog shows both values of each (secrets masked, a Reveal button per field) and
a choice per field: keep mine or take theirs. Save stays disabled until every
field has a choice; the core then redoes the merge with those choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from vault_app.core.edits import FIELD_TITLES, MINE, THEIRS
from vault_app.core.errors import FieldConflict
from vault_app.core.model import describe_notional, mask, mask_identifier
from vault_app.gui.qt import Qt, QtWidgets
from vault_app.gui.widgets import plain_label

INTRO = (
    "“{label}” was changed by another window or process while you edited it. "
    "These fields were changed on both sides. Choose which value to keep for each; "
    "your other changes and theirs are kept."
)


def describe(conflict: FieldConflict, value: object, revealed: bool = False) -> str:
    """A value as the user reads it; credentials masked unless ``revealed``."""
    credential = conflict.name not in FIELD_TITLES
    if value is None and conflict.name == "max_notional":
        return "(no limit)"
    if value is None or value == "" or value == ():
        return "(not set)" if credential else "(empty)"
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    if conflict.name == "rotate_days":
        return f"{value} days"
    if isinstance(value, Decimal):  # max_notional: str() would write 1E-8
        return describe_notional(value)
    text = str(value)
    if credential and not revealed:
        return mask(text) if conflict.secret else mask_identifier(text)
    return text


class ConflictDialog(QtWidgets.QDialog):
    def __init__(self, label: str, conflicts: Sequence[FieldConflict],
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle("Changed in another window")
        self.setMinimumWidth(560)
        self.conflicts = list(conflicts)
        self.groups: dict[str, QtWidgets.QButtonGroup] = {}
        self.mine_buttons: dict[str, QtWidgets.QRadioButton] = {}
        self.theirs_buttons: dict[str, QtWidgets.QRadioButton] = {}
        self.values: dict[str, tuple[QtWidgets.QLabel, QtWidgets.QLabel]] = {}
        self.reveal_buttons: dict[str, QtWidgets.QPushButton] = {}

        outer = QtWidgets.QVBoxLayout(self)
        intro = plain_label(INTRO.format(label=label), self)
        intro.setObjectName("conflictIntro")
        intro.setWordWrap(True)
        outer.addWidget(intro)
        grid = QtWidgets.QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(12)
        for column, title in enumerate(("", "Yours (this window)", "Now on disk")):
            header = QtWidgets.QLabel(f"<b>{title}</b>", self)
            grid.addWidget(header, 0, column)
        grid.setVerticalSpacing(10)
        for index, conflict in enumerate(self.conflicts):
            line = QtWidgets.QFrame(self)
            line.setFrameShape(QtWidgets.QFrame.Shape.HLine)
            line.setFrameShadow(QtWidgets.QFrame.Shadow.Sunken)
            grid.addWidget(line, 2 * index + 1, 0, 1, 4)
            self._add_row(grid, 2 * index + 2, conflict)
        outer.addLayout(grid)
        outer.addStretch(1)

        self.buttons = QtWidgets.QDialogButtonBox(self)
        self.save = self.buttons.addButton(
            "Save with these choices", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self._update_save()

    def _add_row(self, grid: QtWidgets.QGridLayout, row: int, conflict: FieldConflict) -> None:
        name = conflict.name
        title = QtWidgets.QLabel(f"{conflict.title}:", self)
        title.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(title, row, 0)
        group = QtWidgets.QButtonGroup(self)
        labels = []
        for column, (choice, text, value) in enumerate(
                ((MINE, "Keep mine", conflict.mine), (THEIRS, "Take theirs", conflict.theirs)),
                start=1):
            cell = QtWidgets.QVBoxLayout()
            button = QtWidgets.QRadioButton(text, self)
            button.setAccessibleName(f"{text}: {conflict.title}")
            button.setProperty("choice", choice)
            group.addButton(button)
            value_label = plain_label(describe(conflict, value), self)
            value_label.setWordWrap(name in FIELD_TITLES)  # a secret has no place to break
            value_label.setObjectName(f"value_{name}_{choice}")
            value_label.setStyleSheet("margin-left: 22px;")
            value_label.setBuddy(button)
            cell.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)  # as wide as it reacts
            cell.addWidget(value_label)
            grid.addLayout(cell, row, column)
            labels.append(value_label)
            (self.mine_buttons if choice == MINE else self.theirs_buttons)[name] = button
        self.values[name] = (labels[0], labels[1])
        group.buttonToggled.connect(lambda *_: self._update_save())
        self.groups[name] = group
        if describe(conflict, conflict.mine) != describe(conflict, conflict.mine, True) or \
                describe(conflict, conflict.theirs) != describe(conflict, conflict.theirs, True):
            reveal = QtWidgets.QPushButton("Reveal", self)
            reveal.setCheckable(True)
            reveal.setAccessibleName(f"Reveal both values of {conflict.title}")
            reveal.toggled.connect(lambda shown, c=conflict: self._reveal(c, shown))
            grid.addWidget(reveal, row, 3, Qt.AlignmentFlag.AlignTop)
            self.reveal_buttons[name] = reveal

    def _reveal(self, conflict: FieldConflict, shown: bool) -> None:
        mine, theirs = self.values[conflict.name]
        mine.setText(describe(conflict, conflict.mine, shown))
        theirs.setText(describe(conflict, conflict.theirs, shown))
        self.reveal_buttons[conflict.name].setText("Hide" if shown else "Reveal")

    def _update_save(self) -> None:
        self.save.setEnabled(all(group.checkedButton() for group in self.groups.values()))

    def choices(self) -> dict[str, str]:
        """Field or credential name -> ``"mine"`` or ``"theirs"``."""
        return {name: str(group.checkedButton().property("choice"))
                for name, group in self.groups.items() if group.checkedButton()}

    def wipe_values(self) -> None:
        """Forget the values shown; the dialog stays open."""
        for mine, theirs in self.values.values():
            mine.clear()
            theirs.clear()
        self.conflicts = []

    def wipe(self) -> None:
        """Forget the values shown (on lock), then close."""
        self.wipe_values()
        self.reject()
