"""``order place`` on a terminal asks before sending: "n" sends nothing, "y" sends once.

The CLI runs on a pseudo-terminal (its stdin, stdout and stderr), in a new session: the
password prompt and the question are answered on it, as a user would.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest

from tests.conftest import PASSWORD, REPO
from tests.e2e.trading_support import Desk, demo, desk

__all__ = ["demo", "desk"]  # fixtures

QUESTION = "[y/N]"


def read_until(fd: int, marker: str, timeout: float = 60) -> str:
    """What the terminal shows up to ``marker`` (AssertionError if it never comes)."""
    seen = ""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} on the terminal; it showed {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                chunk = b""
            assert chunk, f"the terminal closed before {marker!r}; it showed {seen!r}"
            seen += chunk.decode("utf-8", "replace")
    return seen


def read_rest(fd: int) -> str:
    rest = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return rest.decode("utf-8", "replace")
        if not chunk:
            return rest.decode("utf-8", "replace")
        rest += chunk


@pytest.mark.parametrize(("answer", "posts"), [("n", 0), ("y", 1)])
def test_place_asks_on_the_terminal(desk: Desk, answer: str, posts: int) -> None:
    master, slave = pty.openpty()
    env = dict(os.environ, VAULT_APP_VAULT=str(desk.path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_app.cli", "order", "place", "--key", "trader",
         "--symbol", "BTC/USDT", "--side", "buy", "--type", "limit", "--amount", "0.01",
         "--price", "50000"],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, start_new_session=True)
    os.close(slave)
    try:
        read_until(master, "password")
        os.write(master, f"{PASSWORD}\n".encode())
        shown = read_until(master, QUESTION)
        assert "BUY 0.01 BTC at 50,000 USDT, limit GTC" in shown
        assert "Key:       trader (binance, read, trade)" in shown
        assert f"Send this order ({desk.demo.url}) with key trader (binance, read, trade)?" \
            in shown  # loopback: not LIVE
        assert "LIVE" not in shown
        os.write(master, f"{answer}\n".encode())
        # Declined: exit 1, so a script never takes it for a placed order.
        assert proc.wait(timeout=60) == (1 if answer == "n" else 0)
        rest = read_rest(master)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert ("Nothing sent." in rest) == (answer == "n")
    assert ("Placed: OPEN" in rest) == (answer == "y")
    assert len(desk.order_posts()) == posts


# Start the CLI with the pty as its controlling terminal (a session leader's first
# terminal opened), standard input a pipe carrying the password: the question then goes
# to /dev/tty, as when a script pipes the password in.
ATTACH_TERMINAL = (
    "import os, sys; os.close(os.open(sys.argv[1], os.O_RDWR)); "
    "os.execv(sys.executable, [sys.executable, '-m', 'vault_app.cli', *sys.argv[2:]])")


def test_a_y_typed_before_the_question_does_not_confirm(desk: Desk) -> None:
    master, slave = pty.openpty()
    os.write(master, b"y\n")  # typed ahead, before the preview (or the process) exists
    env = dict(os.environ, VAULT_APP_VAULT=str(desk.path))
    try:
        with subprocess.Popen(
                [sys.executable, "-c", ATTACH_TERMINAL, os.ttyname(slave), "order", "place",
                 "--key", "trader", "--symbol", "BTC/USDT", "--side", "buy", "--type",
                 "limit", "--amount", "0.01", "--price", "50000"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, env=env, cwd=REPO, start_new_session=True) as proc:
            assert proc.stdin is not None and proc.stdout is not None
            assert proc.stderr is not None
            try:
                proc.stdin.write(f"{PASSWORD}\n")
                proc.stdin.close()
                shown = read_until(master, QUESTION)
                assert "Send this order" in shown and "with key trader" in shown
                os.write(master, b"n\n")  # the answer to the question actually shown
                out, err = proc.stdout.read(), proc.stderr.read()
                assert proc.wait(timeout=60) == 1, err
            finally:
                if proc.poll() is None:
                    proc.kill()
    finally:
        os.close(master)
        os.close(slave)
    assert "Nothing sent." in out, (out, err)
    assert desk.order_posts() == []
