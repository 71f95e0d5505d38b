"""``vault-app-cli run``: a bot gets a key in its environment, nothing on disk or in argv."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, REPO, CliResult, make_entry
from tests.e2e.support import LineReader, assert_fails, assert_ok
from vault_app.core.vault import Vault

Cli = Callable[..., CliResult]
SECRETS = {"apiKey": "AK-e2e-7f3c9a", "secret": "SEC-e2e-b81d44", "password": "PW-e2e-05aa"}

# Prints its pid and which variables it got (names only), then waits for the test's
# "go" file and exits 7. On SIGTERM it says so and dies of it.
CHILD = r"""
import os, signal, sys, time
def term(signum, frame):
    print("got", signum, flush=True)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
signal.signal(signal.SIGTERM, term)
names = sorted(n for n in os.environ if n.startswith("FREQTRADE__") or n == "EXCH")
print(os.getpid(), ",".join(names), os.environ.get("EXCH"), flush=True)
go = sys.argv[1]
for _ in range(6000):
    if os.path.exists(go):
        sys.exit(7)
    time.sleep(0.01)
sys.exit(99)
"""


@pytest.fixture
def keys(new_vault: Callable[..., Vault], vault_path: Path) -> Path:
    vault = new_vault(0)
    vault.add(make_entry("bot", "okx", credentials=SECRETS, environment="sandbox"))
    vault.add(make_entry("real", "okx", credentials=dict(SECRETS, apiKey="AK-live-2")))
    return vault_path


@pytest.fixture
def running(keys: Path, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        (tmp_path / "tmp").mkdir(exist_ok=True)
        env = dict(os.environ, VAULT_APP_VAULT=str(keys), TMPDIR=str(tmp_path / "tmp"))
        proc = subprocess.Popen(
            [sys.executable, "-m", "vault_app.cli", "run", *args], cwd=REPO, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdin is not None
        proc.stdin.write(PASSWORD + "\n")
        proc.stdin.close()
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def files_holding(folder: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += [f"{path}: {n!r}" for n in needles if n in data]
    return found


def test_the_child_gets_the_key_in_its_environment_only(
        running: Callable[..., subprocess.Popen[str]], keys: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    proc = running("--key", "bot", "--preset", "freqtrade", "--env", "EXCH=exchange",
                   "--", sys.executable, "-c", CHILD, str(go))
    assert proc.stdout is not None
    reader = LineReader(proc.stdout)
    pid, names, exchange = reader.next_line(60).split()
    assert names == ("EXCH,FREQTRADE__EXCHANGE__KEY,FREQTRADE__EXCHANGE__PASSWORD,"
                     "FREQTRADE__EXCHANGE__SECRET")
    assert exchange == "okx"
    # While both run: the secrets are in the child's environment, in neither argv.
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert b"FREQTRADE__EXCHANGE__SECRET=SEC-e2e-b81d44" in environ
    assert b"FREQTRADE__EXCHANGE__KEY=AK-e2e-7f3c9a" in environ
    needles = [value.encode() for value in SECRETS.values()]
    for process in (proc.pid, int(pid)):
        assert not [n for n in needles if n in cmdline(process)], process
    go.touch()
    assert proc.wait(60) == 7  # the child's exit code
    assert len(reader.rest(10)) == 1  # nothing more printed
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
    # Nothing written holds a secret (the vault itself is encrypted), use recorded.
    assert files_holding(tmp_path, needles) == []
    assert Vault.open(keys, PASSWORD, read_only=True).find("bot").last_used_at is not None


def test_sigterm_reaches_the_child_and_the_exit_code_says_so(
        running: Callable[..., subprocess.Popen[str]], tmp_path: Path) -> None:
    proc = running("--key", "bot", "--preset", "generic", "--", sys.executable, "-c",
                   CHILD, str(tmp_path / "never"))
    assert proc.stdout is not None
    reader = LineReader(proc.stdout)
    pid = int(reader.next_line(60).split()[0])
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 128 + signal.SIGTERM
    assert reader.next_line(10) == f"got {int(signal.SIGTERM)}"
    assert not Path(f"/proc/{pid}").exists()


def test_sandbox_only_refuses_a_live_key(cli: Cli, keys: Path, tmp_path: Path) -> None:
    marker = tmp_path / "started"
    result = cli("run", "--key", "real", "--preset", "generic", "--sandbox-only", "--",
                 sys.executable, "-c", f"open({str(marker)!r}, 'w')",
                 stdin=f"{PASSWORD}\n")
    assert_fails(result, 1, "--sandbox-only", "'real' is a live key")
    assert not marker.exists()
    assert Vault.open(keys, PASSWORD, read_only=True).find("real").last_used_at is None


def test_a_missing_field_and_a_bad_mapping_start_nothing(cli: Cli, keys: Path) -> None:
    assert_fails(cli("run", "--key", "bot", "--env", "U=api_url", "--", "true",
                     stdin=f"{PASSWORD}\n"), 1, "has no api_url", "needed for U")
    assert_fails(cli("run", "--key", "bot", "--env", "9X=apiKey", "--", "true"),
                 1, "'9X' is not a valid environment variable name")


def test_a_command_not_found_exits_127_without_asking(cli: Cli, keys: Path) -> None:
    result = cli("run", "--key", "bot", "--preset", "generic", "--",
                 "no-such-program-k4")
    assert result.code == 127, result
    assert "command not found: no-such-program-k4" in result.err


@pytest.mark.parametrize(("kind", "code", "words"), [
    ("not executable", 126, "permission denied"),
    ("folder", 126, "it is a folder"),
    ("missing path", 127, "command not found"),
    ("bad interpreter", 126, "bad interpreter"),
])
def test_a_command_that_cannot_be_executed_exits_126_as_a_shell(
        cli: Cli, keys: Path, tmp_path: Path, kind: str, code: int, words: str) -> None:
    """127 only when there is no such command; 126 when it is there but cannot run.
    Only a missing #! interpreter is found out at exec, after the password."""
    path = tmp_path / "bot"
    if kind == "folder":
        path.mkdir()
    elif kind != "missing path":
        path.write_text("#!/nonexistent/interpreter\n" if kind == "bad interpreter"
                        else "#!/bin/sh\necho started\n")
        path.chmod(0o755 if kind == "bad interpreter" else 0o644)
    late = kind == "bad interpreter"  # the others are refused before the password
    result = cli("run", "--key", "bot", "--preset", "generic", "--", str(path),
                 stdin=f"{PASSWORD}\n" if late else "")
    assert result.code == code, result
    assert words in result.err and "nothing was started" in result.err
    assert "started" not in result.out


def test_exit_code_passes_through(cli: Cli, keys: Path) -> None:
    result = cli("run", "--key", "bot", "--env", "K=apiKey", "--", sys.executable, "-c",
                 "import os, sys; sys.exit(0 if os.environ['K'] == 'AK-e2e-7f3c9a' else 3)",
                 stdin=f"{PASSWORD}\n")
    assert_ok(result)
    result = cli("run", "--key", "bot", "--env", "K=apiKey", "--", sys.executable, "-c",
                 "raise SystemExit(42)", stdin=f"{PASSWORD}\n")
    assert result.code == 42, result


class Terminal:
    """``vault-app-cli run`` on a pseudo-terminal of its own (its controlling terminal)."""

    def __init__(self, keys: Path, *args: str) -> None:
        import fcntl
        import termios
        import threading

        self.master, slave = os.openpty()
        env = dict(os.environ, VAULT_APP_VAULT=str(keys))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vault_app.cli", "run", *args], cwd=REPO, env=env,
            stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.output = b""
        self.changed = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                data = b""
            with self.changed:
                self.output += data
                self.changed.notify_all()
            if not data:
                return

    def expect(self, text: str) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: text.encode() in self.output, 60), self.output

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())


def test_on_a_terminal_the_child_keeps_standard_input_and_ctrl_c_ends_it(
        keys: Path) -> None:
    child = ("import sys; print('ready', flush=True); line = sys.stdin.readline(); "
             "print('read', line.strip(), flush=True); import time; time.sleep(120)")
    terminal = Terminal(keys, "--key", "bot", "--preset", "generic", "--",
                        sys.executable, "-c", child)
    try:
        terminal.expect("Master password:")
        terminal.type(PASSWORD + "\n")
        terminal.expect("ready")
        terminal.type("hello bot\n")  # read by the child: the prompt did not take it
        terminal.expect("read hello bot")
        terminal.type("\x03")  # Ctrl-C: the terminal signals the whole group
        assert terminal.proc.wait(60) == 128 + signal.SIGINT
        assert PASSWORD.encode() not in terminal.output  # not echoed
    finally:
        if terminal.proc.poll() is None:
            terminal.proc.kill()
            terminal.proc.wait()
        os.close(terminal.master)


def test_an_optional_preset_variable_is_not_inherited(cli: Cli, keys: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    vault = Vault.open(keys, PASSWORD)
    vault.add(make_entry("nopw", "binance", credentials={"apiKey": "AK-n", "secret": "S-n"}))
    vault.lock()
    monkeypatch.setenv("API_PASSWORD", "OTHER-KEYS-PASSPHRASE")
    result = cli("run", "--key", "nopw", "--preset", "generic", "--", sys.executable, "-c",
                 "import os, sys; sys.exit(9 if 'API_PASSWORD' in os.environ else 0)",
                 stdin=f"{PASSWORD}\n")
    assert_ok(result)
