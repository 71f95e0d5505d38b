"""GUI fixtures: a MainWindow on a throwaway vault and a throwaway settings file.

Every window is built with a ``Settings`` backed by an INI file in ``tmp_path``
(never the user's real configuration), registered with ``qtbot``, shown
offscreen, and at teardown: every pending op delivered, the window closed
(which locks it) and its worker pools idle. The application's style, palette
and clipboard are restored, since the settings dialog's theme changes them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from vault_app.core.vault import Vault
from vault_app.gui import ui_thread_gc
from vault_app.gui.qt import QtCore, QtGui, QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.window import MainWindow

from .helpers import unlock

# The QApplication is created later, by pytest-qt's qapp fixture.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def loaded_ccxt() -> list[str]:
    return sorted(name for name in sys.modules if name.split(".")[0] == "ccxt")


@pytest.fixture(autouse=True)
def _automatic_gc_after_each_test() -> Iterator[None]:
    """A window's OpRunner moves garbage collection onto the UI thread's timer
    (``ui_thread_gc``); the tests after this one, without an event loop, get Python's
    automatic collection back."""
    yield
    ui_thread_gc.uninstall()


@pytest.fixture(autouse=True)
def _never_import_ccxt() -> Iterator[None]:
    """The GUI must not load ccxt into this process (start-up cost, attack surface)."""
    before = loaded_ccxt()
    yield
    if not before:
        assert loaded_ccxt() == [], "a GUI test imported ccxt into the pytest process"


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "vault-app.ini"


@pytest.fixture
def settings(settings_path: Path) -> Settings:
    return Settings(QtCore.QSettings(str(settings_path), QtCore.QSettings.Format.IniFormat))


@pytest.fixture
def app_state(qapp: QtWidgets.QApplication) -> Iterator[QtWidgets.QApplication]:
    """Restore what a test may change application-wide (theme, clipboard)."""
    style = qapp.style().name()
    palette = QtGui.QPalette(qapp.palette())
    yield qapp
    qapp.setStyle(style)
    qapp.setPalette(palette)
    QtGui.QGuiApplication.clipboard().clear()


@pytest.fixture
def make_window(qtbot: QtBot, settings: Settings, vault_path: Path,
                app_state: QtWidgets.QApplication) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(path: Path | None = None) -> MainWindow:
        window = MainWindow(settings, path or vault_path)
        qtbot.addWidget(window)
        with qtbot.waitExposed(window):
            window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need an active window
        windows.append(window)
        return window

    yield make
    for window in windows:
        qtbot.waitUntil(lambda w=window: not w.ops.busy)  # every callback delivered
        window.close()
        assert window.vault is None, "closing the window must lock the vault"
        assert window.ops.wait_idle(10_000)
        assert not window.ops.busy


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    """A window on ``vault_path`` as it is (create page if there is no file)."""
    return make_window()



@pytest.fixture
def sample_vault(new_vault: Callable[..., Vault]) -> Vault:
    """Two binance keys ("key 0", "key 1") and an okx key ("OKX main"), locked."""
    vault = new_vault(2)
    vault.add(make_entry("OKX main", "okx", tags=("grid",), notes="runs the grid bot"))
    vault.lock()
    return vault


@pytest.fixture
def unlocked(qtbot: QtBot, sample_vault: Vault,
             make_window: Callable[..., MainWindow]) -> MainWindow:
    """A window with the sample vault unlocked through the unlock page."""
    window = make_window()
    unlock(qtbot, window)
    return window
