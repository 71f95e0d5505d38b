"""The offline demo's core: a demo exchange and a throwaway vault in a private temporary
folder, removed at stop, and stale folders of crashed demos removed at the next start."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from vault_app.core.errors import KdfParamsOutOfRange, WrongPassword
from vault_app.core.kdf import KdfParams
from vault_app.core.vault import Vault
from vault_app.trading import demo_vault
from vault_app.trading.demo_vault import (
    DEMO_KDF,
    DEMO_PASSWORD,
    FOLDER_PREFIX,
    IN_USE_NAME,
    READ_LABEL,
    TRADING_LABEL,
    DemoSession,
    is_demo_vault,
    remove_stale_demos,
    start_demo,
)
from vault_app.trading.markets_cache import CACHE_ENV, MarketsCache, cache_key


@pytest.fixture
def temp(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@pytest.fixture
def session(temp: Path) -> Iterator[DemoSession]:
    demo = start_demo(seed=7, temp_dir=temp)
    yield demo
    demo.stop()


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def crashed_demo(temp: Path, name: str = "crashed") -> Path:
    """What a demo killed mid-run leaves: its folder, a vault, an unlocked in-use file."""
    folder = temp / f"{FOLDER_PREFIX}{name}"
    folder.mkdir(mode=0o700)
    (folder / IN_USE_NAME).write_bytes(b"")
    (folder / "demo.vault").write_bytes(b"whatever")
    return folder


def test_the_demo_vault_is_in_a_private_folder_of_the_temp_dir(
        session: DemoSession, temp: Path) -> None:
    assert session.folder.parent == temp
    assert session.folder.name.startswith(FOLDER_PREFIX)
    assert stat.S_IMODE(session.folder.stat().st_mode) == 0o700
    assert session.vault_path.parent == session.folder
    assert session.vault_path.is_file()


def test_it_holds_a_trading_and_a_read_only_key_for_the_demo_exchange(
        session: DemoSession) -> None:
    vault = Vault.open(session.vault_path, DEMO_PASSWORD)
    entries = {entry.label: entry for entry in vault.entries}
    assert set(entries) == {TRADING_LABEL, READ_LABEL}
    trading, read = entries[TRADING_LABEL], entries[READ_LABEL]
    assert trading.permissions == ("read", "trade")
    assert read.permissions == ("read",)
    exchange = session.exchange
    assert trading.credentials == {"apiKey": exchange.trading_key.api_key,
                                   "secret": exchange.trading_key.secret}
    assert read.credentials == {"apiKey": exchange.read_key.api_key,
                                "secret": exchange.read_key.secret}
    for entry in (trading, read):
        assert (entry.exchange, entry.environment, entry.api_url) == (
            "binance", "custom", exchange.url)
        assert "demo key" in entry.notes and "deleted" in entry.notes
        assert "demo" in entry.tags


def test_the_password_is_the_published_one_and_the_kdf_the_minimum(
        session: DemoSession) -> None:
    DEMO_KDF.check_creatable()  # the minimum a new vault may have, not a test-only bypass
    assert session.vault.kdf == DEMO_KDF
    with pytest.raises(WrongPassword):
        Vault.open(session.vault_path, "not demo")
    Vault.open(session.vault_path, "demo").lock()


def test_the_exchange_answers_on_a_free_local_port(session: DemoSession) -> None:
    assert session.exchange.url.startswith("http://127.0.0.1:")
    assert session.exchange.port != 0
    with urllib.request.urlopen(f"{session.exchange.url}/api/v3/ping", timeout=10) as answer:
        assert answer.status == 200


def test_stop_stops_the_exchange_and_removes_the_folder(temp: Path) -> None:
    demo = start_demo(temp_dir=temp)
    port = demo.exchange.port
    demo.stop()
    assert not demo.folder.exists()
    assert list(temp.iterdir()) == []
    assert refuses_connections(port)
    assert demo.vault.is_locked
    assert demo.stopped
    demo.stop()  # twice is harmless


def test_stop_removes_the_order_journal_and_anything_else_in_the_folder(
        session: DemoSession) -> None:
    (session.folder / "demo.vault.journal").write_bytes(b"orders")
    (session.folder / "sub").mkdir()
    (session.folder / "sub" / "file").write_bytes(b"x")
    session.stop()
    assert not session.folder.exists()


def test_stop_removes_the_demo_exchanges_markets_cache_file_only(
        temp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    demo = start_demo(temp_dir=temp)
    cache = MarketsCache()
    cache.folder.mkdir(parents=True)
    ours = cache.path(cache_key("binance", "custom", demo.exchange.url))
    others = [cache.path(cache_key("binance", "live")),
              cache.path(cache_key("binance", "custom", "http://127.0.0.1:1"))]
    for path in (ours, *others):
        path.write_text("{}")
    demo.stop()
    assert not ours.exists()
    assert all(path.exists() for path in others)


def test_stop_never_follows_a_link_out_of_the_folder(session: DemoSession,
                                                     tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep")
    (session.folder / "link").symlink_to(outside)
    session.stop()
    assert (outside / "precious").read_text() == "keep"


def test_two_demos_run_side_by_side(session: DemoSession, temp: Path) -> None:
    other = start_demo(temp_dir=temp)
    try:
        assert session.folder.exists()  # a running demo is not stale
        assert other.folder != session.folder
        assert other.exchange.port != session.exchange.port
        assert is_demo_vault(other.vault_path, other)
        assert not is_demo_vault(session.vault_path, other)
    finally:
        other.stop()
    assert session.folder.exists()


def test_a_crashed_demos_folder_is_removed_at_the_next_start(temp: Path) -> None:
    left = crashed_demo(temp)
    demo = start_demo(temp_dir=temp)
    try:
        assert not left.exists()
        assert [p.name for p in temp.iterdir()] == [demo.folder.name]
    finally:
        demo.stop()


def test_a_demo_killed_in_another_process_is_stale_once_it_is_gone(temp: Path) -> None:
    script = ("import sys; from vault_app.trading.demo_vault import start_demo; "
              "d = start_demo(temp_dir=sys.argv[1]); print(d.folder, flush=True); "
              "sys.stdin.read()")
    with subprocess.Popen([sys.executable, "-c", script, str(temp)], cwd=REPO,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            folder = Path(proc.stdout.readline().strip())
            assert remove_stale_demos(temp) == []  # it runs: its folder is in use
            assert folder.exists()
        finally:
            proc.kill()
            proc.wait()
    assert folder.exists()  # killed: nothing removed it
    assert remove_stale_demos(temp) == [folder]
    assert not folder.exists()


def test_stale_removal_leaves_what_is_not_ours(temp: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / IN_USE_NAME).write_bytes(b"")
    (temp / f"{FOLDER_PREFIX}link").symlink_to(outside)  # a link named like ours
    other_name = temp / "vault-app-other"
    other_name.mkdir(mode=0o700)
    (other_name / IN_USE_NAME).write_bytes(b"")
    shared = crashed_demo(temp, "shared")
    shared.chmod(0o755)  # we make them 0700: not one of ours
    a_file = temp / f"{FOLDER_PREFIX}file"
    a_file.write_bytes(b"")
    planted = crashed_demo(temp, "planted-link")
    (planted / IN_USE_NAME).unlink()
    (planted / IN_USE_NAME).symlink_to(outside / IN_USE_NAME)
    os.utime(planted, (0, 0))

    assert remove_stale_demos(temp) == []
    for path in (outside, other_name, shared, a_file, planted):
        assert path.exists(), path


def test_a_young_folder_without_its_in_use_file_is_left_an_old_one_removed(
        temp: Path) -> None:
    young = crashed_demo(temp, "young")
    old = crashed_demo(temp, "old")
    for folder in (young, old):
        (folder / IN_USE_NAME).unlink()
    long_ago = time.time() - demo_vault.YOUNG_SECONDS - 10
    os.utime(old, (long_ago, long_ago))
    assert remove_stale_demos(temp) == [old]
    assert young.exists()


def test_a_failed_start_leaves_no_folder_and_no_server(temp: Path) -> None:
    with pytest.raises(KdfParamsOutOfRange):
        start_demo(temp_dir=temp, kdf=KdfParams(memory_kib=64, iterations=1, parallelism=1))
    assert list(temp.iterdir()) == []


def test_is_demo_vault_is_false_once_stopped(temp: Path) -> None:
    demo = start_demo(temp_dir=temp)
    assert is_demo_vault(demo.vault_path, demo)
    assert not is_demo_vault(temp / "elsewhere.vault", demo)
    assert not is_demo_vault(demo.vault_path, None)
    demo.stop()
    assert not is_demo_vault(demo.vault_path, demo)


def test_the_default_temp_dir_is_the_platforms(monkeypatch: pytest.MonkeyPatch,
                                                temp: Path) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    demo = start_demo()
    try:
        assert demo.folder.parent == temp
    finally:
        demo.stop()
