"""The demo vault's keys say DEMO in the key picker (u1 D3), not the loopback URL."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.gui.test_demo_mode import start, temp  # noqa: F401  (fixture)
from vault_app.gui.trading.key_picker import SAFE_STYLE
from vault_app.gui.window import MainWindow


def test_the_demo_keys_say_demo_in_the_key_picker(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:  # noqa: F811
    start(qtbot, window, window.start_demo)
    view = window.sections.trading
    assert view is not None and view.entry is not None
    assert view.keys.environment.text() == "DEMO: fake money"
    assert view.keys.environment.styleSheet() == SAFE_STYLE
