"""``vault-app-cli demo-exchange`` as a subprocess: it serves, prints keys, stops cleanly."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.conftest import REPO
from tests.e2e.support import LineReader, child_env

TIMEOUT = 60


@contextmanager
def demo_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], LineReader]]:
    proc = subprocess.Popen([sys.executable, "-m", "vault_app.cli", "demo-exchange", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO, env=child_env())
    assert proc.stdout is not None
    try:
        yield proc, LineReader(proc.stdout)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(TIMEOUT)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def read_until(reader: LineReader, pattern: str) -> re.Match[str]:
    while True:
        found = re.search(pattern, reader.next_line(TIMEOUT))
        if found:
            return found


def test_serves_prints_keys_and_stops_on_ctrl_c() -> None:
    with demo_process("--port", "0", "--seed", "3") as (proc, reader):
        url = read_until(reader, r"listening on (http://127\.0\.0\.1:\d+)$").group(1)
        read_until(reader, "Press Ctrl-C to stop")
        with urllib.request.urlopen(url + "/api/v3/ping", timeout=TIMEOUT) as answer:
            assert json.loads(answer.read()) == {}
        read_until(reader, r"GET /api/v3/ping 200$")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(TIMEOUT) == 0
        assert proc.stderr is not None
        err = proc.stderr.read()
        lines = reader.rest(TIMEOUT)
    assert "Traceback" not in err and "interrupted" not in err, err
    text = "\n".join(lines)
    keys = re.findall(r"API key: (\w{64})", text)
    secrets = re.findall(r"Secret:  (\w{64})", text)
    assert len(keys) == len(secrets) == 2 and len(set(keys + secrets)) == 4
    commands = [line.strip() for line in lines if line.strip().startswith("vault-app-cli add")]
    assert commands == [
        f"vault-app-cli add --exchange binance --label 'demo read' --permissions read "
        f"--api-url {url}",
        f"vault-app-cli add --exchange binance --label 'demo trading' --permissions "
        f"read,trade --api-url {url}",
    ]
    assert not any(secret in command for secret in secrets + keys for command in commands)
    assert lines[-1] == "Demo exchange stopped."


def test_port_in_use_is_a_clear_error_exit_5() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with demo_process("--port", str(port)) as (proc, reader):
            assert proc.wait(TIMEOUT) == 5
            assert proc.stderr is not None
            err = proc.stderr.read()
            assert reader.rest(TIMEOUT) == []
    assert err.strip() == (f"vault-app-cli: error: port {port} on 127.0.0.1 is in use; "
                           "choose another with --port N (0 picks a free one)")


def test_sigterm_also_stops_cleanly() -> None:
    with demo_process("--port", "0") as (proc, reader):
        read_until(reader, "Press Ctrl-C to stop")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
        assert proc.stderr is not None
        assert "Traceback" not in proc.stderr.read()


def printed_keys(*args: str) -> tuple[list[str], list[str]]:
    with demo_process(*args) as (proc, reader):
        read_until(reader, "Press Ctrl-C to stop")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
        text = "\n".join(reader.rest(TIMEOUT))
    return re.findall(r"API key: (\w{64})", text), re.findall(r"Secret:  (\w{64})", text)


def test_the_same_seed_prints_the_same_keys_after_a_restart() -> None:
    first = printed_keys("--port", "0", "--seed", "7")
    assert printed_keys("--port", "0", "--seed", "7") == first
    assert len(set(first[0] + first[1])) == 4
    other = printed_keys("--port", "0", "--seed", "8")
    assert not set(other[0] + other[1]) & set(first[0] + first[1])


def test_the_default_port_and_seed_are_fixed_so_added_keys_keep_working() -> None:
    from vault_app.cli.commands.demo_exchange import DEFAULT_PORT
    from vault_app.trading.demo_exchange import DemoExchange

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", DEFAULT_PORT))
        except OSError:
            pytest.skip(f"port {DEFAULT_PORT} is taken on this machine")
    with demo_process() as (proc, reader):
        url = read_until(reader, r"listening on (http://127\.0\.0\.1:\d+)$").group(1)
        read_until(reader, "Press Ctrl-C to stop")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(TIMEOUT) == 0
        text = "\n".join(reader.rest(TIMEOUT))
    assert url == f"http://127.0.0.1:{DEFAULT_PORT}"
    seeded = DemoExchange(seed=0)  # not started: its keys only
    assert f"API key: {seeded.trading_key.api_key}" in text
    assert f"Secret:  {seeded.trading_key.secret}" in text
