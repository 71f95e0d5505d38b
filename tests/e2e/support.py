"""Helpers shared by the end-to-end tests (assertions in the style of age's CLI tests)."""

from __future__ import annotations

import os
import queue
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from tests.conftest import FAST_KDF, PASSWORD, CliResult
from vault_app.core import storage
from vault_app.core.envelope import new_key_slot, seal
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import KeyEntry, new_entry
from vault_app.core.schema import VaultMeta, encode_payload

ERROR_PREFIX = "vault-app-cli: error: "
LOCK_SUFFIX = ".lock"


def assert_no_traceback(result: CliResult) -> None:
    assert "Traceback" not in result.err, result
    assert "Traceback" not in result.out, result
    assert "internal error" not in result.err, result


def assert_ok(result: CliResult) -> CliResult:
    assert_no_traceback(result)
    assert result.code == 0, result
    return result


def assert_fails(result: CliResult, code: int, *fragments: str) -> CliResult:
    """Exit ``code``, one readable error line, and every fragment (case-insensitive) in it."""
    assert_no_traceback(result)
    assert result.code == code, result
    errors = [line for line in result.err.splitlines() if line.startswith(ERROR_PREFIX)]
    assert len(errors) == 1, result
    message = errors[0].lower()
    for fragment in fragments:
        assert fragment.lower() in message, (fragment, result)
    return result


def assert_usage(result: CliResult, fragment: str) -> CliResult:
    """An argparse usage error: exit 1, the usage, and ``<prog> [command]: error: ...``."""
    assert_no_traceback(result)
    assert result.code == 1, result
    assert result.err.startswith("usage: vault-app-cli"), result
    last = result.err.splitlines()[-1]
    assert re.match(r"vault-app-cli( \w+)*: error: ", last), result  # nested: "backup restore"
    assert fragment in last, (fragment, result)
    return result


def assert_matches(result: CliResult, pattern: str) -> None:
    assert re.search(pattern, result.err, re.IGNORECASE), (pattern, result)


def folder_state(path: Path) -> dict[str, bytes]:
    """Every file next to the vault and its bytes (the lock file's pid excluded)."""
    state: dict[str, bytes] = {}
    for item in sorted(path.parent.iterdir()):
        if item.is_file():
            state[item.name] = b"" if item.name.endswith(LOCK_SUFFIX) else item.read_bytes()
    return state


def temp_files(path: Path) -> list[str]:
    """Temp files a save of ``path`` creates (``.<name>.tmp-<hex>``)."""
    prefix = f".{path.name}.tmp-"
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(prefix))


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(path: Path) -> None:
    assert file_mode(path) == 0o600, oct(file_mode(path))


class LineReader:
    """Reads a child's text stream on a thread, so that lines can be awaited with a timeout."""

    _EOF = object()

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(self._EOF)

    def next_line(self, timeout: float) -> str:
        """The next line; AssertionError at end of stream or after ``timeout`` seconds."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line from the child within {timeout} s") from None
        if item is self._EOF:
            self._queue.put(item)
            raise AssertionError(f"the child closed its output; lines so far: {self.lines}")
        assert isinstance(item, str)
        self.lines.append(item)
        return item

    def rest(self, timeout: float) -> list[str]:
        """Every line up to the end of the stream (the child must have exited)."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the child's output did not end"
        while True:
            item = self._queue.get_nowait()
            if item is self._EOF:
                self._queue.put(item)
                return self.lines
            assert isinstance(item, str)
            self.lines.append(item)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def run_python(code: str, *args: str, cwd: Path, timeout: float = 60,
               stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True,
        cwd=cwd, env=child_env(), timeout=timeout, check=False,
    )


def binance_entry(label: str, key: str) -> KeyEntry:
    return new_entry(label=label, exchange="binance", catalog=load_catalog(),
                     credentials={"apiKey": f"ak-{key}", "secret": f"sk-{key}"})


def build_big_vault(path: Path, count: int) -> None:
    """Write a fast-KDF vault of ``count`` keys in one save (``count`` saves would be slow)."""
    entries = [binance_entry(f"key {i}", f"{i:08d}") for i in range(count)]
    slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    storage.atomic_write(path, seal(slot, dek, encode_payload(VaultMeta(), entries)))


def write_payload_vault(path: Path, plaintext: bytes) -> bytes:
    """A fast-KDF vault whose payload is exactly ``plaintext``, sealed with a real key
    (what a buggy or foreign writer holding the data key could leave). Returns its bytes."""
    slot, dek = new_key_slot(PASSWORD, FAST_KDF)
    data = seal(slot, dek, plaintext)
    storage.atomic_write(path, data)
    return data
