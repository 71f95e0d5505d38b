"""Two writers of one vault: the second is refused (exit 4) and nothing is lost."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import FAST_KDF, PASSWORD, REPO, CliResult, make_entry
from tests.e2e.support import (
    LineReader,
    assert_fails,
    assert_ok,
    child_env,
    folder_state,
    temp_files,
)
from vault_app.cli import main as cli_main
from vault_app.core.errors import ValidationError, VaultChangedOnDisk
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
NEW_PASSWORD = "quartz-lantern-mosaic-47-orbit"
TIMEOUT = 30.0

HOLD_LOCK = """
import sys
from pathlib import Path
from vault_app.core.vault_lock import VaultLock

lock = VaultLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
"""

ADD = ["add", "--exchange", "okx", "--label", "late key"]
ADD_STDIN = f"{PASSWORD}\nlate-api-key\nlate-secret\nlate-passphrase\n"


class LockHolder:
    """A child process that holds the vault's write lock until told to release it."""

    def __init__(self, vault_path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(vault_path)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO,
            env=child_env(),
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin = self.proc.stdin
        self.reader = LineReader(self.proc.stdout)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_locked(self) -> LockHolder:
        assert self.reader.next_line(TIMEOUT) == "locked"
        return self

    def release(self) -> None:
        self.stdin.write("\n")
        self.stdin.flush()
        assert self.reader.next_line(TIMEOUT) == "released"
        assert self.proc.wait(TIMEOUT) == 0

    def close(self) -> None:
        """Whatever happened, leave no process, thread or open pipe behind."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(TIMEOUT)
        self.reader.rest(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()


@pytest.fixture
def hold_lock(vault_path: Path) -> Iterator[Callable[[], LockHolder]]:
    holders: list[LockHolder] = []

    def start() -> LockHolder:
        holders.append(LockHolder(vault_path))
        return holders[-1].wait_locked()

    yield start
    for holder in holders:
        holder.close()


def test_a_second_writer_gets_exit_4_and_nothing_is_lost(
    cli: Cli, new_vault: Callable[..., Vault], vault_path: Path,
    hold_lock: Callable[[], LockHolder],
) -> None:
    new_vault(2)
    before = folder_state(vault_path)
    holder = hold_lock()

    result = cli(*ADD, stdin=ADD_STDIN)
    assert_fails(result, 4, "another process", f"(pid {holder.pid})", "nothing was written")
    assert result.out == ""
    assert folder_state(vault_path) == before
    assert temp_files(vault_path) == []
    # Other writes are refused the same way; reading needs no lock.
    assert_fails(cli("remove", "key 0", "--yes", stdin=f"{PASSWORD}\n"), 4, "another process")
    assert_fails(cli("edit", "key 0", "--notes", "x", stdin=f"{PASSWORD}\n"), 4)
    assert "key 0" in assert_ok(cli("list", stdin=f"{PASSWORD}\n")).out
    assert folder_state(vault_path) == before

    holder.release()
    assert_ok(cli(*ADD, stdin=ADD_STDIN))
    labels = [e.label for e in Vault.open(vault_path, PASSWORD).entries]
    assert labels == ["key 0", "key 1", "late key"]


def test_a_lock_left_by_a_killed_holder_does_not_block(
    cli: Cli, new_vault: Callable[..., Vault], vault_path: Path,
    hold_lock: Callable[[], LockHolder],
) -> None:
    new_vault(1)
    holder = hold_lock()
    holder.proc.send_signal(signal.SIGKILL)
    holder.proc.wait(TIMEOUT)
    assert vault_path.with_name(vault_path.name + ".lock").exists()  # stale, but unlocked
    assert_ok(cli(*ADD, stdin=ADD_STDIN))
    assert len(Vault.open(vault_path, PASSWORD)) == 2


def test_two_sessions_never_overwrite_each_other(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(1)
    session_a = Vault.open(vault_path, PASSWORD)
    session_b = Vault.open(vault_path, PASSWORD)
    session_a.add(make_entry("from A", "okx"))
    session_b.add(make_entry("from B", "okx"))  # B has not seen A's key: it must merge

    on_disk = [e.label for e in Vault.open(vault_path, PASSWORD).entries]
    assert on_disk == ["key 0", "from A", "from B"]
    assert [e.label for e in session_b.entries] == on_disk

    # A, now stale, edits and removes: B's key survives both.
    session_a.update(session_a.find("key 0").id, {"notes": "edited by A"})
    session_a.remove(session_a.find("from A").id)
    reread = Vault.open(vault_path, PASSWORD)
    assert [e.label for e in reread.entries] == ["key 0", "from B"]
    assert reread.find("key 0").notes == "edited by A"


def test_a_stale_session_checks_duplicates_against_the_file(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(0)
    session_a = Vault.open(vault_path, PASSWORD)
    session_b = Vault.open(vault_path, PASSWORD)
    session_a.add(make_entry("same label", "okx"))
    before = vault_path.read_bytes()
    with pytest.raises(ValidationError, match="already exists"):
        session_b.add(make_entry("Same Label", "binance"))
    assert vault_path.read_bytes() == before


def test_a_password_change_in_another_session_stops_the_stale_one(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(1)
    session_a = Vault.open(vault_path, PASSWORD)
    session_b = Vault.open(vault_path, PASSWORD)
    session_a.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    before = folder_state(vault_path)

    with pytest.raises(VaultChangedOnDisk, match="master password was changed"):
        session_b.add(make_entry("from B", "okx"))
    assert folder_state(vault_path) == before
    with pytest.raises(VaultChangedOnDisk):
        session_b.remove(session_b.find("key 0").id)
    assert folder_state(vault_path) == before
    assert [e.label for e in Vault.open(vault_path, NEW_PASSWORD).entries] == ["key 0"]


class StdinWithInterruption(io.StringIO):
    """Standard input that runs ``meanwhile`` when the CLI asks for line ``at``: by
    then the CLI has unlocked the vault, and it has not saved yet."""

    def __init__(self, text: str, at: int, meanwhile: Callable[[], None]) -> None:
        super().__init__(text)
        self.calls = 0
        self.at = at
        self.meanwhile = meanwhile

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.calls += 1
        if self.calls == self.at:
            self.meanwhile()
        return super().readline(size)


def run_cli_in_process(args: list[str], stdin: io.StringIO) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli_main(args, stdin=stdin, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_add_while_another_session_rekeys_exits_4(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(1)
    other = Vault.open(vault_path, PASSWORD)
    state: dict[str, bytes] = {}

    def rekey() -> None:
        other.change_password(PASSWORD, NEW_PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
        state["after"] = vault_path.read_bytes()

    stdin = StdinWithInterruption(ADD_STDIN, at=2, meanwhile=rekey)  # line 2: the API key
    code, out, err = run_cli_in_process(["--vault", str(vault_path), *ADD], stdin)
    assert code == 4, err
    assert err.startswith("vault-app-cli: error: the vault's master password was changed")
    assert "nothing was written" in err
    assert "Traceback" not in err
    assert out == ""
    assert vault_path.read_bytes() == state["after"]
    assert [e.label for e in Vault.open(vault_path, NEW_PASSWORD).entries] == ["key 0"]


def test_cli_add_while_another_session_adds_keeps_both(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(0)
    other = Vault.open(vault_path, PASSWORD)
    stdin = StdinWithInterruption(ADD_STDIN, at=3,  # line 3: the secret
                                  meanwhile=lambda: other.add(make_entry("from other", "okx")))
    code, out, err = run_cli_in_process(["--vault", str(vault_path), *ADD], stdin)
    assert (code, err) == (0, ""), err
    assert "Added 'late key'" in out
    labels = [e.label for e in Vault.open(vault_path, PASSWORD).entries]
    assert labels == ["from other", "late key"]


ROTATE = ["edit", "key 0", "--rotate", "--notes", "rotated by the CLI"]
ROTATE_STDIN = f"{PASSWORD}\ncli-api-key\ncli-secret\n"


def test_cli_edit_keeps_a_permission_removed_meanwhile(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    first = new_vault(1)
    first.update(first.find("key 0").id, {"permissions": "read,trade,withdraw"})
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    stdin = StdinWithInterruption(  # line 2: the API key; the CLI has read the entry
        ROTATE_STDIN, at=2,
        meanwhile=lambda: other.update(key.id, {"permissions": "read,trade"}, base=key))
    code, out, err = run_cli_in_process(["--vault", str(vault_path), *ROTATE], stdin)
    assert code == 0, err
    assert "Updated 'key 0' (credentials rotated)" in out
    assert "withdraw" not in err  # its warnings describe the merged key, as saved
    stored = Vault.open(vault_path, PASSWORD).find("key 0")
    assert stored.permissions == ("read", "trade")
    assert dict(stored.credentials) == {"apiKey": "cli-api-key", "secret": "cli-secret"}
    assert stored.notes == "rotated by the CLI"


def test_cli_edit_of_a_secret_rotated_meanwhile_exits_4_and_writes_nothing(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(1)
    other = Vault.open(vault_path, PASSWORD)
    key = other.find("key 0")
    state: dict[str, bytes] = {}

    def rotate() -> None:
        other.update(key.id, {"credentials": {**key.credentials, "secret": "other-secret"}},
                     base=key)
        state["after"] = vault_path.read_bytes()

    stdin = StdinWithInterruption(ROTATE_STDIN, at=2, meanwhile=rotate)
    code, out, err = run_cli_in_process(["--vault", str(vault_path), *ROTATE], stdin)
    assert code == 4, err
    assert err.startswith("vault-app-cli: error: “key 0” was changed by another window")
    assert "Secret" in err and "Nothing was written" in err
    assert "cli-secret" not in err and "other-secret" not in err and "Traceback" not in err
    assert out == ""
    assert vault_path.read_bytes() == state["after"]


def test_cli_edit_of_a_key_deleted_meanwhile_exits_4(
    new_vault: Callable[..., Vault], vault_path: Path
) -> None:
    new_vault(1)
    other = Vault.open(vault_path, PASSWORD)
    stdin = StdinWithInterruption(ROTATE_STDIN, at=2,
                                  meanwhile=lambda: other.remove(other.find("key 0").id))
    code, _out, err = run_cli_in_process(["--vault", str(vault_path), *ROTATE], stdin)
    assert code == 4, err
    assert "“key 0” was deleted by another window or process" in err
    assert "nothing was written" in err
    assert len(Vault.open(vault_path, PASSWORD)) == 0
