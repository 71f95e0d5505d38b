"""The search box filters the key list as the user types."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from tests.conftest import make_entry
from vault_app.core.vault import Vault
from vault_app.gui.qt import Qt
from vault_app.gui.window import MainWindow

from .helpers import CTRL, labels_shown, unlock

ALL = ["OKX main", "key 0", "key 1"]


def shown(window: MainWindow) -> list[str]:
    return sorted(labels_shown(window))


def test_search_filters_the_table_as_you_type(qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    assert shown(window) == ALL
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL)
    assert window.search.hasFocus()

    seen = []
    for char in "key 1":
        qtbot.keyClick(window.search, char)
        seen.append(shown(window))
    assert seen == [
        ALL,                  # "k": okx too
        ["key 0", "key 1"],   # "ke"
        ["key 0", "key 1"],
        ["key 0", "key 1"],   # "key "
        ["key 1"],            # "key 1"
    ]
    qtbot.keyClick(window.search, Qt.Key.Key_Backspace)
    assert shown(window) == ["key 0", "key 1"]
    window.search.selectAll()
    qtbot.keyClick(window.search, Qt.Key.Key_Backspace)
    assert shown(window) == ALL


def search_for(qtbot: QtBot, window: MainWindow, text: str) -> list[str]:
    window.search.selectAll()
    qtbot.keyClick(window.search, Qt.Key.Key_Backspace)
    qtbot.keyClicks(window.search, text)
    return shown(window)


def test_search_matches_exchange_tags_and_notes_not_credentials(
        qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    assert search_for(qtbot, window, "BINANCE") == ["key 0", "key 1"]  # case-insensitive
    assert search_for(qtbot, window, "grid") == ["OKX main"]            # a tag
    assert search_for(qtbot, window, "bot") == ["OKX main"]             # the notes
    assert search_for(qtbot, window, "  okx  ") == ["OKX main"]         # spaces around
    assert search_for(qtbot, window, "nothing like it") == []
    # a credential is never searchable: the model does not hold it for the view
    assert search_for(qtbot, window, "secret-key 0-value") == []
    assert search_for(qtbot, window, "apiKey") == []


def test_return_in_search_moves_to_the_list(qtbot: QtBot, unlocked: MainWindow) -> None:
    window = unlocked
    window.search.setFocus()
    qtbot.keyClicks(window.search, "okx")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    entry = window.current_entry()
    assert entry is not None and entry.label == "OKX main"
    assert window.detail.entry is not None and window.detail.entry.label == "OKX main"


def test_search_matches_permissions_environment_and_exchange_names(
        qtbot: QtBot, new_vault: Callable[..., Vault],
        make_window: Callable[..., MainWindow]) -> None:
    vault = new_vault(0)
    vault.add(make_entry("payout", "kraken", permissions="read,withdraw"))
    vault.add(make_entry("tests", "okx", permissions="read,trade", environment="sandbox"))
    vault.add(make_entry("proxy", "binance", environment="custom",
                         api_url="https://binance-proxy.example.test"))
    vault.add(make_entry("cards", "cryptocom"))
    vault.lock()
    window = make_window()
    unlock(qtbot, window)
    assert search_for(qtbot, window, "withdraw") == ["payout"]
    assert search_for(qtbot, window, "trade") == ["tests"]
    assert search_for(qtbot, window, "sandbox") == ["tests"]
    assert search_for(qtbot, window, "testnet") == ["tests"]
    assert search_for(qtbot, window, "custom") == ["proxy"]
    assert search_for(qtbot, window, "live") == ["cards", "payout"]
    assert search_for(qtbot, window, "Crypto.com") == ["cards"]  # the name, not the id
    assert search_for(qtbot, window, "cryptocom") == ["cards"]
