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

    def record(*_: object) -> None:
        text = window.clipboard_status.text()
        if not shown or shown[-1] != text:  # what the user sees change
            shown.append(text)

    window.clipboard.countdown.connect(record)
    window.clipboard.cleared.connect(lambda: shown.append(window.statusBar().currentMessage()))
    copy_secret(qtbot, window)
    assert window.clipboard_status.text() == "Secret of “OKX main” copied; clears in 3 s."
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "Clipboard cleared.",
                    timeout=10_000)
    assert window.clipboard_status.text() == ""
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
    assert "clears in 30 s" in window.clipboard_status.text()
    QtGui.QGuiApplication.clipboard().setText("my own text")
    with qtbot.waitSignal(window.clipboard.released, timeout=5_000):
        pass  # noticed at the next tick, not 30 s later
    assert window.clipboard_status.text() == ""
    assert QtGui.QGuiApplication.clipboard().text() == "my own text"


def test_lock_leaves_no_status_from_the_session(qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    window.clipboard.seconds = 30
    copy_secret(qtbot, window)
    assert "clears in" in window.clipboard_status.text()
    with qtbot.waitSignal(window.locked, timeout=SIGNAL_TIMEOUT):
        qtbot.keyClick(window.table, Qt.Key.Key_L, CTRL)
    assert window.vault is None
    assert window.statusBar().currentMessage() == ""
    assert window.clipboard_status.text() == ""
    with qtbot.assertNotEmitted(window.clipboard.countdown, wait=1_500):
        pass  # the countdown stopped with the lock: no tick brings the message back
    assert window.statusBar().currentMessage() == ""
    assert window.clipboard_status.text() == ""

    unlock(qtbot, window)
    assert "OKX main" not in window.statusBar().currentMessage()


def test_the_countdown_does_not_overwrite_other_messages(qtbot: QtBot,
                                                        unlocked: MainWindow) -> None:
    """Found under Xvfb: "Saved a copy as …; you are now working in the copy" vanished
    within a second, overwritten by the clipboard's next tick."""
    window = unlocked
    window.clipboard.seconds = 30
    copy_secret(qtbot, window)
    window.statusBar().showMessage("Reloaded: changed by another window or process.")
    with qtbot.waitSignal(window.clipboard.countdown, timeout=5_000):
        pass  # a tick
    assert window.statusBar().currentMessage() == (
        "Reloaded: changed by another window or process.")
    assert "clears in" in window.clipboard_status.text()
    assert window.clipboard_status.isVisible()
