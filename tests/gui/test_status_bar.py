"""The status bar counts down to the clipboard's clearing, and keeps nothing
from an unlocked session once the vault is locked."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from vault_app.gui.qt import Qt, QtGui, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import CTRL, SIGNAL_TIMEOUT, click, select, unlock

COUNTDOWN = re.compile(r"^Secret of “OKX main” copied; clears in (\d+) s\.$")


def copy_secret(qtbot: QtBot, window: MainWindow) -> None:
    select(qtbot, window, "OKX main")
    button = window.detail.rows["secret"].findChild(QtWidgets.QToolButton, "copy_secret")
    assert isinstance(button, QtWidgets.QToolButton)
    click(qtbot, button)


def test_the_status_bar_counts_down_until_the_clipboard_is_cleared(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    window.clipboard.seconds = 3
    shown: list[str] = []
    window.statusBar().messageChanged.connect(shown.append)
    copy_secret(qtbot, window)
    assert window.statusBar().currentMessage() == "Secret of “OKX main” copied; clears in 3 s."
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Clipboard cleared.",
                    timeout=10_000)
    assert QtGui.QGuiApplication.clipboard().text() == ""
    counts = [int(m.group(1)) for m in map(COUNTDOWN.match, shown) if m]
    assert counts[0] == 3
    assert len(counts) >= 2, f"no countdown: {shown}"
    assert counts == sorted(set(counts), reverse=True), f"not a countdown: {shown}"
    assert shown[-1] == "Clipboard cleared."


def test_copying_over_the_secret_ends_the_countdown(qtbot: QtBot,
                                                    unlocked: MainWindow) -> None:
    window = unlocked
    window.clipboard.seconds = 30
    copy_secret(qtbot, window)
    assert "clears in 30 s" in window.statusBar().currentMessage()
    QtGui.QGuiApplication.clipboard().setText("my own text")
    with qtbot.waitSignal(window.clipboard.released, timeout=5_000):
        pass  # noticed at the next tick, not 30 s later
    assert window.statusBar().currentMessage() == ""
    assert QtGui.QGuiApplication.clipboard().text() == "my own text"


def test_lock_leaves_no_status_from_the_session(qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    window.clipboard.seconds = 30
    copy_secret(qtbot, window)
    assert "clears in" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        qtbot.keyClick(window.table, Qt.Key.Key_L, CTRL)
    assert window.vault is None
    assert window.statusBar().currentMessage() == ""
    with qtbot.assertNotEmitted(window.clipboard.countdown, wait=1_500):
        pass  # the countdown stopped with the lock: no tick brings the message back
    assert window.statusBar().currentMessage() == ""

    unlock(qtbot, window)
    assert "OKX main" not in window.statusBar().currentMessage()
