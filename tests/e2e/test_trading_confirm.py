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
        assert f"Send this order ({desk.demo.url})?" in shown  # loopback: not LIVE
        assert "LIVE" not in shown
        os.write(master, f"{answer}\n".encode())
        assert proc.wait(timeout=60) == 0
        rest = read_rest(master)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert ("Nothing sent." in rest) == (answer == "n")
    assert ("Placed: OPEN" in rest) == (answer == "y")
    assert len(desk.order_posts()) == posts
