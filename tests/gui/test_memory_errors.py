"""Not enough memory on unlock: a clear message on the unlock page, not "damaged"."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD
from vault_app.core import memory
from vault_app.core.memory import MemoryLimit
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt
from vault_app.gui.window import MainWindow

from .helpers import SIGNAL_TIMEOUT, type_into


def try_unlock(qtbot: QtBot, window: MainWindow) -> str:
    page = window.unlock_page
    type_into(qtbot, page.password, PASSWORD)
    with qtbot.waitSignal(window.ops.busy_changed, timeout=SIGNAL_TIMEOUT,
                          check_params_cb=lambda busy: not busy):
        qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(page.error.isVisible)
    assert window.vault is None
    assert not getattr(window, "damaged_dialog", None), "lack of memory is not damage"
    return page.error.text()


def test_kdf_that_does_not_fit_in_memory_is_explained(
        qtbot: QtBot, sample_vault: Vault, window: MainWindow,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "memory_limits",
                        lambda: [MemoryLimit(1024, "MemAvailable in /proc/meminfo")])
    text = try_unlock(qtbot, window)
    assert "needs 0.1 MiB of memory" in text and "only 1.0 MiB is available" in text
    assert "Nothing was written" in text


def test_memory_error_is_a_clear_message(qtbot: QtBot, sample_vault: Vault,
                                         window: MainWindow,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: object, **kwargs: object) -> Vault:
        raise MemoryError

    monkeypatch.setattr(Vault, "open", exhausted)
    text = try_unlock(qtbot, window)
    assert text.startswith("Out of memory. Nothing was written")
    assert "Unexpected error" not in text
