"""The create page's strength meter: zxcvbn's own word, the 12-character rule,
a hint that never pushes the form around, and a KDF choice in plain words."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from zxcvbn import zxcvbn

from tests.conftest import PASSWORD
from vault_app.core.kdf import KdfParams
from vault_app.core.password_policy import MIN_SCORE, SCORE_NAMES
from vault_app.gui import pages
from vault_app.gui.qt import QtCore, QtWidgets
from vault_app.gui.window import MainWindow

from .helpers import type_into

# Hints of every length: empty, too short, the longest zxcvbn warning, strong.
PASSWORDS = ["", "a", "password", "Tr0ub4dor&3", "abcabcabcabc", "aaaaaaaaaaaa",
             "kangaroo1994", "dragonfly42x", "Summer2024!!", PASSWORD,
             "quartz-nebula-violin-47-ember", "x"]


def settle() -> None:
    """Deliver the pending layout requests, as the event loop would before painting."""
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest.value)
    QtWidgets.QApplication.processEvents()


def test_tr0ub4dor_is_too_short_not_very_strong(qtbot: QtBot, window: MainWindow) -> None:
    page = window.create_page
    type_into(qtbot, page.password, "Tr0ub4dor&3")
    type_into(qtbot, page.confirm, "Tr0ub4dor&3")
    hint = page.feedback.text()
    assert hint.startswith("Too short: 11 of 12 characters")
    assert "strong" not in hint.casefold()
    assert page.meter.value() < MIN_SCORE
    assert not page.create_button.isEnabled()


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "kangaroo1994", "dragonfly42x",
                                      "Summer2024!!", "Tr0ub4dor&3!", PASSWORD])
def test_the_hint_names_zxcvbns_score(qtbot: QtBot, window: MainWindow,
                                      password: str) -> None:
    page = window.create_page
    score = zxcvbn(password)["score"]
    type_into(qtbot, page.password, password)
    type_into(qtbot, page.confirm, password)
    assert page.feedback.text().casefold().startswith(SCORE_NAMES[score])
    assert page.meter.value() == score
    assert page.create_button.isEnabled() == (score >= MIN_SCORE)


@pytest.mark.parametrize("width", [1200, 640])  # 640: the form at its minimum width
def test_nothing_below_the_hint_moves_while_typing(qtbot: QtBot, window: MainWindow,
                                                   width: int) -> None:
    window.resize(width, 700)
    page = window.create_page
    below = {"repeat field": page.confirm, "KDF choice": page.kdf_calibrate,
             "create button": page.create_button, "open button": page.open_other}
    settle()
    where = {name: w.mapTo(window, QtCore.QPoint(0, 0)) for name, w in below.items()}
    hints = set()
    for password in PASSWORDS:
        if password:
            type_into(qtbot, page.password, password)
        else:
            page.password.clear()
        qtbot.waitUntil(lambda: not page.rating_pending)  # typing paused: rated
        settle()
        hints.add(page.feedback.text())
        moved = {name: w.mapTo(window, QtCore.QPoint(0, 0)) for name, w in below.items()}
        assert moved == where, f"typing {password!r} moved the form"
        label = page.feedback
        assert label.height() >= label.heightForWidth(label.width()), "hint clipped"
    assert len({len(h) for h in hints}) >= 5, "the hints tried should differ in length"


def test_the_kdf_choice_speaks_in_seconds_with_details_in_the_tooltip(
        window: MainWindow) -> None:
    page = window.create_page
    assert page.kdf_default.text() == "Standard (about 0.5 s to unlock)"
    assert page.kdf_calibrate.text() == "Stronger (about 1 s)"
    assert KdfParams.default().describe() in page.kdf_default.toolTip()
    assert "1 second" in page.kdf_calibrate.toolTip()
    assert "Argon2id" not in page.kdf_default.text() + page.kdf_calibrate.text()


def test_the_strength_is_rated_once_typing_pauses_not_per_key(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    page = window.create_page
    rated: list[str] = []
    rate = pages.rate
    monkeypatch.setattr(pages, "rate", lambda text: rated.append(text) or rate(text))
    page.password.setFocus()
    qtbot.keyClicks(page.password, PASSWORD)  # one key event after another, no pause
    assert rated == []
    assert page.rating_pending and not page.create_button.isEnabled()
    qtbot.waitUntil(lambda: not page.rating_pending)
    assert rated == [PASSWORD]
    assert page.meter.value() == zxcvbn(PASSWORD)["score"]

    type_into(qtbot, page.password, "Tr0ub4dor&3")  # and the repeat field rates at once
    type_into(qtbot, page.confirm, "T")
    assert rated[-1] == "Tr0ub4dor&3" and not page.rating_pending
