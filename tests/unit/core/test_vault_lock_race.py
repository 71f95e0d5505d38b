"""lock() while a save runs on a worker thread: memory stays locked, the save completes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, make_entry
from vault_app.core import storage, vault_commit, vault_entries
from vault_app.core.errors import VaultLocked
from vault_app.core.vault import Vault


def run_in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, errors


def pause_inside(monkeypatch: pytest.MonkeyPatch, module: object, name: str,
                 reached: threading.Event, resume: threading.Event) -> None:
    """Make ``module.name`` signal ``reached`` and wait for ``resume`` after running."""
    real = getattr(module, name)

    def paused(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread():
            reached.set()
            assert resume.wait(10)
        return result

    monkeypatch.setattr(module, name, paused)


def assert_locked(vault: Vault) -> None:
    assert vault.is_locked
    assert vault._dek is None and vault._slot is None  # the key is gone from memory
    with pytest.raises(VaultLocked):
        vault.entries  # noqa: B018
    with pytest.raises(VaultLocked):
        vault.add(make_entry("after"))


def test_lock_while_the_file_is_being_written(vault: Vault, vault_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The save's _accept used to put the data key back on a vault the user locked."""
    written, locked = threading.Event(), threading.Event()
    pause_inside(monkeypatch, storage, "atomic_write", written, locked)
    thread, errors = run_in_thread(lambda: vault.add(make_entry("in flight")))
    assert written.wait(10)
    vault.lock()
    locked.set()
    thread.join(10)
    assert errors == []  # the save itself completed...
    assert_locked(vault)  # ...but memory stays locked
    assert "in flight" in [e.label for e in Vault.open(vault_path, PASSWORD).entries]


def test_lock_while_the_change_is_being_applied(vault: Vault, vault_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Locked between reading the disk and sealing: the save must neither crash on the
    missing key nor write the emptied entry list."""
    applying, locked = threading.Event(), threading.Event()
    pause_inside(monkeypatch, vault_entries, "check_unique", applying, locked)
    thread, errors = run_in_thread(lambda: vault.add(make_entry("in flight")))
    assert applying.wait(10)
    vault.lock()
    locked.set()
    thread.join(10)
    assert errors == []
    assert_locked(vault)
    labels = sorted(e.label for e in Vault.open(vault_path, PASSWORD).entries)
    assert labels == ["in flight", "key 0", "key 1"]


def test_lock_while_reloading_another_sessions_change(vault: Vault, vault_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    Vault.open(vault_path, PASSWORD).add(make_entry("elsewhere"))
    decoded, locked = threading.Event(), threading.Event()
    pause_inside(monkeypatch, vault_commit, "decode_payload", decoded, locked)
    thread, errors = run_in_thread(vault.reload)
    assert decoded.wait(10)
    vault.lock()
    locked.set()
    thread.join(10)
    assert [type(error) for error in errors] == [VaultLocked]
    assert_locked(vault)
