"""Unlocking touches the exchange catalog, fonts and widgets on the GUI thread only.

The first unlock used to build the catalog (with the window's font, to make the
exchange names drawable) from inside the op's worker, while sorting the rows.
The rows are now prepared by a pure function from a plain id -> name dict.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from vault_app.core.vault import Vault
from vault_app.gui import window as window_module
from vault_app.gui.keys_model import COL_LABEL, prepare_rows
from vault_app.gui.qt import Qt
from vault_app.gui.window import MainWindow

from .helpers import unlock


def test_unlock_reads_the_catalog_and_fonts_on_the_gui_thread_only(
        qtbot: QtBot, sample_vault: Vault, make_window: Callable[..., MainWindow],
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []

    def spy(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, threading.current_thread().name))
            return original(*args, **kwargs)
        return recorded

    monkeypatch.setattr(MainWindow, "catalog", spy("catalog", MainWindow.catalog))
    monkeypatch.setattr(MainWindow, "font", spy("font", MainWindow.font))
    monkeypatch.setattr(MainWindow, "_exchange_name",
                        spy("_exchange_name", MainWindow._exchange_name))
    monkeypatch.setattr(window_module, "drawable_catalog",
                        spy("drawable_catalog", window_module.drawable_catalog))
    window = make_window()
    assert window._catalog is None  # not built yet: the unlock builds it

    unlock(qtbot, window)

    gui = threading.main_thread().name
    assert ("drawable_catalog", gui) in seen
    assert [call for call in seen if call[1] != gui] == []
    assert window.model.rowCount() == 3


def test_prepare_rows_searches_by_the_names_given() -> None:
    entries = [make_entry("b", "okx"), make_entry("a", "binance")]
    rows = prepare_rows(entries, {"okx": "OKX"}, COL_LABEL, Qt.SortOrder.AscendingOrder)
    assert [e.label for e in rows.entries] == ["a", "b"]
    assert "okx" in rows.search[entries[0].id].split()
    assert "binance" in rows.search[entries[1].id].split()  # no name: the id only
