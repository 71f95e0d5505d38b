"""The backup dialogs by keyboard: every input named and reachable by Tab, no Alt+letter
used twice in a dialog (an ambiguous one alternates between its targets)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from vault_app.gui.window import MainWindow

from .backup_support import open_export, open_restore
from .helpers import click
from .test_keyboard_access import accessible_problems, duplicates, page_mnemonics


def test_export_dialog_by_keyboard(qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_export(qtbot, unlocked)
    for mode in (dialog.use_master, dialog.use_separate):
        click(qtbot, mode)
        assert accessible_problems(dialog) == []
        assert duplicates(page_mnemonics(dialog)) == []
    assert dialog.export_button.isDefault()


def test_restore_dialog_by_keyboard(qtbot: QtBot, unlocked: MainWindow) -> None:
    dialog = open_restore(qtbot, unlocked)
    for mode in (dialog.new, dialog.merge):
        click(qtbot, mode)
        assert accessible_problems(dialog) == []
        assert duplicates(page_mnemonics(dialog)) == []
