"""Demo mode: "Try the demo exchange" and ``--demo`` open a throwaway demo vault with two
demo keys, marked DEMO, never touching the user's vault, removed at quit (issue 9, 3)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import PASSWORD, REPO
from vault_app.core.errors import VaultError
from vault_app.core.vault import Vault
from vault_app.gui.app import parse_args
from vault_app.gui.demo_mode import ADD_BLOCKED, COPY_BLOCKED, TITLE
from vault_app.gui.qt import QtWidgets
from vault_app.gui.settings import Settings
from vault_app.gui.window import MainWindow
from vault_app.trading.demo_vault import DEMO_PASSWORD, FOLDER_PREFIX, READ_LABEL, TRADING_LABEL

from .conftest import loaded_ccxt
from .helpers import CTRL, SIGNAL_TIMEOUT, click, labels_shown, select, unlock


@pytest.fixture(autouse=True)
def _never_import_ccxt() -> Iterator[None]:
    """Once the trading view is merged, the demo lands on it (``show_trading``), which
    loads ccxt's binance; until then the demo itself must not load ccxt."""
    before = loaded_ccxt()
    yield
    if not before and not hasattr(MainWindow, "show_trading"):
        assert loaded_ccxt() == [], "the demo imported ccxt"


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform temp dir, for this test only."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def start(qtbot: QtBot, window: MainWindow, how: Callable[[], None]) -> None:
    with qtbot.waitSignal(window.unlocked, timeout=SIGNAL_TIMEOUT):
        how()
    assert window.demo is not None and window.demo.session is not None


def demo_folder(window: MainWindow) -> Path:
    assert window.demo is not None and window.demo.session is not None
    return window.demo.session.folder


def assert_demo_shown(window: MainWindow, temp: Path) -> None:
    assert window.vault is not None
    folder = window.vault.given_path.parent
    assert folder.parent == temp and folder.name.startswith(FOLDER_PREFIX)
    assert window.in_demo_vault
    assert sorted(labels_shown(window)) == sorted([READ_LABEL, TRADING_LABEL])
    assert window.windowTitle() == TITLE
    banner = window.demo.banner if window.demo else None
    assert banner is not None and banner.isVisible()
    text = banner.text()
    for words in ("DEMO", "fake money", "deleted when you quit", "Do not add real keys",
                  f"“{DEMO_PASSWORD}”"):
        assert words in text


def test_the_button_on_the_first_run_page_opens_the_demo_vault(
        qtbot: QtBot, window: MainWindow, temp: Path, vault_path: Path,
        settings: Settings, settings_path: Path) -> None:
    page = window.create_page
    assert window.stack.currentWidget() is page
    start(qtbot, window, lambda: click(qtbot, page.try_demo))
    assert_demo_shown(window, temp)
    assert not vault_path.exists()  # the user's vault is not created
    assert window.vault_path != vault_path
    settings.sync()
    assert settings.recent_vaults == []
    assert FOLDER_PREFIX not in (settings_path.read_text() if settings_path.exists() else "")


def test_the_demo_keys_are_a_trading_and_a_read_only_key_on_the_demo_exchange(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:
    start(qtbot, window, window.start_demo)
    assert window.vault is not None and window.demo is not None
    session = window.demo.session
    assert session is not None
    entries = {entry.label: entry for entry in window.vault.entries}
    assert entries[TRADING_LABEL].permissions == ("read", "trade")
    assert entries[READ_LABEL].permissions == ("read",)
    assert {e.api_url for e in entries.values()} == {session.exchange.url}
    assert entries[TRADING_LABEL].credentials["apiKey"] == session.exchange.trading_key.api_key


def test_the_trading_view_opens_on_the_trading_key(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:
    """Once the trading view is merged (``show_trading``), the demo lands there, on the
    key that can trade; until then the keys page shows."""
    shown: list[str | None] = []
    if not hasattr(window, "show_trading"):
        window.show_trading = shown.append  # type: ignore[attr-defined]
    else:
        original = window.show_trading

        def record(entry_id: str | None = None) -> None:
            shown.append(entry_id)
            original(entry_id)

        window.show_trading = record  # type: ignore[method-assign]
    start(qtbot, window, window.start_demo)
    assert window.vault is not None
    assert shown == [window.vault.find(TRADING_LABEL).id]


def test_the_demo_flag_starts_the_demo() -> None:
    assert parse_args(["--demo"]).demo
    assert not parse_args([]).demo


def test_quitting_removes_the_folder_and_stops_the_exchange(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:
    start(qtbot, window, window.start_demo)
    folder = demo_folder(window)
    assert window.demo is not None and window.demo.session is not None
    port = window.demo.session.exchange.port
    assert not refuses_connections(port)
    window.close()
    assert not folder.exists()
    assert list(temp.iterdir()) == []
    assert refuses_connections(port)


def test_quitting_while_the_demo_starts_leaves_nothing_behind(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:
    window.start_demo()
    assert window.demo is not None
    window.close()  # before the start has delivered its result
    assert window.demo.session is not None and window.demo.session.stopped
    assert list(temp.iterdir()) == []
    assert refuses_connections(window.demo.session.exchange.port)


def test_the_real_vault_is_never_touched(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, settings: Settings,
        make_window: Callable[..., MainWindow], temp: Path) -> None:
    settings.remember_vault(vault_path)
    before = (vault_path.read_bytes(), vault_path.stat().st_mtime_ns)
    window = make_window()
    assert window.stack.currentWidget() is window.unlock_page
    start(qtbot, window, window.start_demo)  # as --demo does
    assert_demo_shown(window, temp)
    window.lock()
    unlock(qtbot, window, DEMO_PASSWORD)
    window.close()
    assert (vault_path.read_bytes(), vault_path.stat().st_mtime_ns) == before
    assert settings.recent_vaults == [vault_path]


def test_the_demo_vault_locks_and_unlocks_with_the_published_password(
        qtbot: QtBot, window: MainWindow, temp: Path, settings: Settings) -> None:
    start(qtbot, window, window.start_demo)
    qtbot.keyClick(window, "L", CTRL)
    assert window.vault is None
    assert window.stack.currentWidget() is window.unlock_page
    assert window.windowTitle() == TITLE
    assert f"password is “{DEMO_PASSWORD}”" in window.unlock_page.notice.text()
    assert "Unlock the demo vault" in window.unlock_page.heading.text()
    assert window.demo is not None and not window.demo.banner.isVisible()
    unlock(qtbot, window, DEMO_PASSWORD)
    assert_demo_shown(window, temp)
    assert settings.recent_vaults == []


def test_adding_a_key_is_blocked_in_the_demo_vault_and_says_why(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:
    start(qtbot, window, window.start_demo)
    assert not window.act_add.isEnabled()
    assert window.act_add.toolTip() == ADD_BLOCKED
    qtbot.keyClick(window.table, "N", CTRL)
    window.add_key()  # even if called directly
    assert window.form is None
    assert not window.findChildren(QtWidgets.QDialog)
    show_keys = getattr(window, "show_keys", None)  # the demo lands on Trading once merged
    if callable(show_keys):
        show_keys()
    select(qtbot, window, TRADING_LABEL)
    assert window.act_edit.isEnabled()  # the demo keys' labels, notes, limits: editable


def test_saving_a_copy_of_the_demo_vault_is_blocked(
        qtbot: QtBot, window: MainWindow, temp: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy would be a lasting vault under the published password, open to new keys."""
    asked: list[object] = []
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: asked.append(args) or ("", ""))
    start(qtbot, window, window.start_demo)
    assert not window.act_save_copy.isEnabled()
    assert window.act_save_copy.toolTip() == COPY_BLOCKED
    window.save_copy()  # even if called directly: no file dialog, no copy
    assert asked == []
    assert window.in_demo_vault


def test_another_vault_opened_after_the_demo_is_not_marked_demo(
        qtbot: QtBot, sample_vault: Vault, vault_path: Path, settings: Settings,
        make_window: Callable[..., MainWindow], temp: Path) -> None:
    settings.remember_vault(vault_path)
    window = make_window()
    start(qtbot, window, window.start_demo)
    window.lock()
    page = window.unlock_page
    index = page.recent.findData(str(vault_path))
    assert index > 0  # the demo vault first, then the user's
    page.recent.setCurrentIndex(index)
    page.recent.activated.emit(index)
    assert window.windowTitle() != TITLE
    assert "Unlock your vault" in page.heading.text()
    unlock(qtbot, window, PASSWORD)
    assert not window.in_demo_vault
    assert window.windowTitle() != TITLE and "DEMO" not in window.windowTitle()
    assert window.demo is not None and not window.demo.banner.isVisible()
    assert window.act_add.isEnabled() and window.act_add.toolTip() != ADD_BLOCKED
    assert window.act_save_copy.isEnabled()
    assert demo_folder(window).exists()  # the demo runs until quit
    folder = demo_folder(window)
    window.close()
    assert not folder.exists()


def test_a_stale_demo_folder_is_removed_when_the_demo_starts(
        qtbot: QtBot, window: MainWindow, temp: Path) -> None:
    stale = temp / f"{FOLDER_PREFIX}crashed"
    stale.mkdir(mode=0o700)
    (stale / "in-use").write_bytes(b"")
    start(qtbot, window, window.start_demo)
    assert not stale.exists()


def _demo_vault_in(temp: Path) -> Vault | None:
    for folder in temp.glob(f"{FOLDER_PREFIX}*"):
        try:
            vault = Vault.open(folder / "demo.vault", DEMO_PASSWORD)
        except (VaultError, OSError):
            continue
        if len(vault.entries) == 2:
            return vault
    return None


def test_vault_app_demo_as_a_process_cleans_up_when_terminated(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    home = tmp_path / "home"
    real = tmp_path / "real" / "vault.vault"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(temp), HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"))
    with subprocess.Popen([sys.executable, "-m", "vault_app", "--demo", "--vault", str(real)],
                          cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as proc:
        try:
            deadline = time.monotonic() + 60
            vault = None
            while vault is None and proc.poll() is None and time.monotonic() < deadline:
                vault = _demo_vault_in(temp)
                time.sleep(0.1)  # polling another process's files, not a timed assertion
            assert vault is not None, proc.stderr.read() if proc.stderr else ""
            url = vault.entries[0].api_url
            assert url is not None
            port = int(url.rsplit(":", 1)[1])
            assert not refuses_connections(port)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert list(temp.iterdir()) == []
    assert refuses_connections(port)
    assert not real.exists() and not real.parent.exists()
    config = home / "config"
    texts = [p.read_text(errors="replace") for p in config.rglob("*") if p.is_file()]
    assert not any(FOLDER_PREFIX in text for text in texts)
