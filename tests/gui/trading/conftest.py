"""Trading GUI fixtures: the demo exchange over HTTP in a thread, a vault holding a
``trader`` (read, trade) and a ``watcher`` (read) key on it, and a window unlocked on
that vault. These tests load ccxt (the trading view needs it), so the GUI folder's
autouse guard against importing ccxt is switched off here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import FAST_KDF, PASSWORD
from tests.e2e.trading_support import demo_entry
from tests.gui.helpers import unlock
from vault_app.core.model import KeyEntry
from vault_app.core.vault import Vault
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest


@pytest.fixture(autouse=True)
def _never_import_ccxt() -> Iterator[None]:
    """Overrides the GUI folder's guard: the trading view loads ccxt (one exchange)."""
    yield


Hook = Callable[[ReceivedRequest, int], None]


@pytest.fixture
def request_hooks() -> list[Hook]:
    """Called on the server's thread for each request, once handled and before it is
    answered (``on_request``): a test appends what it needs."""
    return []


@pytest.fixture
def demo(request_hooks: list[Hook]) -> Iterator[DemoExchange]:
    def on_request(request: ReceivedRequest, status: int) -> None:
        for hook in list(request_hooks):
            hook(request, status)

    with DemoExchange(seed=1, on_request=on_request) as exchange:
        yield exchange


@pytest.fixture
def keys(demo: DemoExchange, vault_path: Path) -> dict[str, KeyEntry]:
    """The vault on disk (locked): ``trader`` (read, trade), ``watcher`` (read)."""
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    entries = {"trader": demo_entry(demo, "trader", demo.trading_key, ("read", "trade")),
               "watcher": demo_entry(demo, "watcher", demo.read_key, ("read",))}
    for entry in entries.values():
        vault.add(entry)
    vault.lock()
    return entries


@pytest.fixture
def trading_window(qtbot: QtBot, keys: dict[str, KeyEntry],
                   make_window: Callable[..., MainWindow]) -> MainWindow:
    """A window with the demo vault unlocked through the unlock page."""
    window = make_window()
    unlock(qtbot, window)
    return window
