"""Previous versions: the list, what restoring one would change, and the restore.

Everything slow runs in the background: listing (one decryption per version), the
difference to the current vault, and the restore itself (a save, in the write
worker). The restore passes the difference the user was shown, so the core refuses
(``VersionStale``) if another window or process changed the vault since.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from vault_app.core.entry_diff import VersionDiff
from vault_app.core.errors import VersionStale
from vault_app.core.field_names import names_text
from vault_app.core.vault import Vault
from vault_app.core.version_open import OTHER_KEY, VersionSummary
from vault_app.gui.error_text import error_message
from vault_app.gui.qt import Qt, QtWidgets, Signal
from vault_app.gui.vault_settings import usage_text
from vault_app.gui.widgets import isolated, plain_message_box

if TYPE_CHECKING:
    from vault_app.gui.window import MainWindow

OTHER_PASSWORD = "sealed under another password"
UNDO_OFFER = ("The vault as it is now will be kept as a previous version: restore that one "
              "to undo.")
UNDO_NOTE = ("The state before the restore was kept as a previous version: restore that "
             "one to undo.")


def local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def zone() -> str:
    """This computer's time zone as the times are shown ("UTC", "CET")."""
    return datetime.now().astimezone().strftime("%Z") or "local time"


def when_text(summary: VersionSummary) -> str:
    """When the state this version holds was saved (the file's own time); a version
    kept before that was known is dated by when it was replaced."""
    return local(summary.state_saved_at or summary.saved_at)


def version_text(summary: VersionSummary) -> str:
    """"the state saved 10:00:00 (replaced at 10:05:00, CET)", for sentences."""
    return (f"the state saved {when_text(summary)} (replaced at {local(summary.saved_at)}, "
            f"{zone()})")


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else \
        f"{max(size // 1024, 1)} KiB"


def diff_text(diff: VersionDiff) -> str:
    """What restoring would change, in sentences, one key per line."""
    if diff.is_empty:
        return "This version holds exactly the keys the vault holds now: nothing to restore."
    lines = ["Restoring this version would:"]
    if diff.added:
        lines.append(f"bring back {_n(len(diff.added), 'key')} deleted since:")
        lines += [f"    + {isolated(ref.label)} ({ref.exchange})" for ref in diff.added]
    if diff.removed:
        lines.append(f"remove {_n(len(diff.removed), 'key')} added since:")
        lines += [f"    − {isolated(ref.label)} ({ref.exchange})" for ref in diff.removed]
    if diff.changed:
        lines.append(f"change {_n(len(diff.changed), 'key')} back:")
        lines += [f"    ~ {isolated(item.label)}: {names_text(item.fields)}"
                  for item in diff.changed]
    return "\n".join(lines)


class VersionsDialog(QtWidgets.QDialog):
    listed = Signal()  # the list is shown (tests wait on these)
    diff_shown = Signal()
    restored = Signal()

    def __init__(self, window: MainWindow, vault: Vault) -> None:
        super().__init__(window)
        self.window_ = window
        self.vault = vault
        self.setWindowTitle("Previous versions")
        self.setObjectName("versionsDialog")
        self.resize(640, 520)
        self.versions: list[VersionSummary] = []
        self.diff: VersionDiff | None = None
        self.diff_for: str | None = None
        layout = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(
            "Each save keeps the file it replaces. Choose a version to see what restoring "
            "it would change; restoring keeps the current state as a version too.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QtWidgets.QTreeWidget(self)
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels([f"State saved ({zone()})", "Replaced", "Keys", "Size",
                                    "Note"])
        self.table.headerItem().setToolTip(
            0, "When the vault held this state: restoring it brings back the keys as "
            "they were then.")
        self.table.headerItem().setToolTip(1, "When a later save replaced this state and "
                                           "kept it as a version.")
        self.table.setAccessibleName("Previous versions")
        self.table.currentItemChanged.connect(lambda *_: self._selected())
        layout.addWidget(self.table, 2)
        self.usage = QtWidgets.QLabel("Loading the previous versions…", self)
        self.usage.setWordWrap(True)
        layout.addWidget(self.usage)
        changes_label = QtWidgets.QLabel("&What restoring would change:", self)
        layout.addWidget(changes_label)
        self.changes = QtWidgets.QPlainTextEdit(self)
        self.changes.setReadOnly(True)
        self.changes.setAccessibleName("What restoring would change")
        changes_label.setBuddy(self.changes)
        layout.addWidget(self.changes, 1)
        self.status = QtWidgets.QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("versionsStatus")
        layout.addWidget(self.status)
        buttons = QtWidgets.QDialogButtonBox(self)
        self.restore_button = buttons.addButton(
            "&Restore this version…", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._ask_restore)
        close = buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.setText("&Close")
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.question: QtWidgets.QMessageBox | None = None
        self.undo_of: str | None = None  # the restore this session made: its undo is marked
        self.load()

    def load(self) -> None:
        vault = self.vault

        def done(result: tuple[list[VersionSummary], tuple[int, int]]) -> None:
            self._show(*result)

        def work() -> tuple[list[VersionSummary], tuple[int, int]]:
            from vault_app.core import versions

            return vault.versions(), versions.usage(vault.path)

        self.window_.ops.run(work, done, self._failed)

    def _show(self, summaries: list[VersionSummary], usage: tuple[int, int]) -> None:
        self.versions = summaries
        self.table.clear()
        for summary in summaries:
            keys = "?" if summary.key_count is None else str(summary.key_count)
            note = "" if summary.opens_with_current_key else (
                OTHER_PASSWORD if summary.problem == OTHER_KEY else summary.problem or "")
            if not note and self.undo_of is not None and summary is summaries[0]:
                note = f"before restoring the state saved {self.undo_of}: restore to undo"
            item = QtWidgets.QTreeWidgetItem([when_text(summary), local(summary.saved_at),
                                              keys, size_text(summary.size), note])
            item.setData(0, Qt.ItemDataRole.UserRole, summary.name)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight)
            self.table.addTopLevelItem(item)
        for column in range(4):
            self.table.resizeColumnToContents(column)
        self.usage.setText(usage_text(*usage) if summaries else
                           "No previous versions are kept yet: each save from now on "
                           "keeps the file it replaces.")
        if summaries:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        self.listed.emit()

    def selected(self) -> VersionSummary | None:
        item = self.table.currentItem()
        name = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((s for s in self.versions if s.name == name), None)

    def _selected(self) -> None:
        self.diff, self.diff_for = None, None
        self.restore_button.setEnabled(False)
        summary = self.selected()
        if summary is None:
            self.changes.clear()
            return
        if not summary.opens_with_current_key:
            self.changes.setPlainText(f"This version cannot be opened: {summary.problem}.")
            return
        self.changes.setPlainText("Comparing with the vault…")
        vault, name = self.vault, summary.name

        def done(diff: VersionDiff) -> None:
            current = self.selected()
            if current is None or current.name != name:
                return  # another version was chosen meanwhile
            self.diff, self.diff_for = diff, name
            self.changes.setPlainText(diff_text(diff))
            self.restore_button.setEnabled(not diff.is_empty and not self.window_.read_only)
            self.diff_shown.emit()

        self.window_.ops.run(lambda: vault.version_diff(name), done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(error_message(exc))

    def _ask_restore(self) -> None:
        summary, diff = self.selected(), self.diff
        if summary is None or diff is None or self.diff_for != summary.name:
            return
        box = plain_message_box(
            self, QtWidgets.QMessageBox.Icon.Question, "Restore this version?",
            f"Restore {version_text(summary)}?\n\n{diff_text(diff)}\n\n"
            f"{UNDO_OFFER}")
        box.setObjectName("restoreVersionQuestion")
        box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Cancel)
        cancel = box.button(QtWidgets.QMessageBox.StandardButton.Cancel)
        cancel.setText("&Keep the vault as it is")
        restore = box.addButton("&Restore", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(cancel)

        def answered() -> None:
            self.question = None
            if box.clickedButton() is restore and self.window_.vault is self.vault:
                self._restore(summary, diff)

        box.finished.connect(lambda _result: answered())
        box.finished.connect(lambda _result: box.deleteLater())
        self.question = box
        box.open()

    def _restore(self, summary: VersionSummary, diff: VersionDiff) -> None:
        name = summary.name
        self.restore_button.setEnabled(False)
        self.status.setText("Restoring…")

        def done(_wrote: bool) -> None:
            self.status.setText(f"Restored {version_text(summary)}. {UNDO_NOTE}")
            self.undo_of = when_text(summary)  # the newest version is now the undo (L9)
            self.window_.statusBar().showMessage(
                f"Restored the version saved {when_text(summary)}.")
            self.restored.emit()
            self.load()

        def failed(exc: BaseException) -> None:
            self.status.setText(error_message(exc))
            if isinstance(exc, VersionStale):
                self._selected()  # show the difference as it is now

        self.window_.save(lambda v: v.restore_version(name, expected_diff=diff), done, failed)

    def wipe(self) -> None:
        """Forget what the dialog shows (labels, field names) and close it."""
        if self.question is not None:
            self.question.reject()
        self.table.clear()
        self.changes.clear()
        self.versions, self.diff = [], None
        self.reject()
