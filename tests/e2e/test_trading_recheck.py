"""What changes while ``order place`` waits at its question is checked again before
anything is sent: the key relabelled read-only, removed, given a lower maximum
notional, or the price moved past the band or the key's maximum. Another process
makes the change; then the user answers "y", and nothing is sent.

The CLI runs on a pseudo-terminal, in a new session, as a user would run it.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.conftest import PASSWORD, REPO
from tests.e2e.test_trading_confirm import QUESTION, read_rest, read_until
from tests.e2e.trading_support import Desk, demo, desk

__all__ = ["demo", "desk"]  # fixtures


def place_while(desk: Desk, change: Callable[[], None], *order: str) -> tuple[int, str]:
    """Run ``order place`` on a terminal, make ``change`` once it asks, answer "y"."""
    master, slave = pty.openpty()
    env = dict(os.environ, VAULT_APP_VAULT=str(desk.path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_app.cli", "order", "place", "--key", "trader",
         "--symbol", "BTC/USDT", "--side", "buy", *order],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, start_new_session=True)
    os.close(slave)
    try:
        read_until(master, "password")
        os.write(master, f"{PASSWORD}\n".encode())
        shown = read_until(master, QUESTION)
        change()
        os.write(master, b"y\n")
        code = proc.wait(timeout=60)
        shown += read_rest(master)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, shown


LIMIT = ("--type", "limit", "--amount", "0.001", "--price", "49000")
MARKET = ("--type", "market", "--amount", "0.001")


def cli_ok(desk: Desk, *args: str) -> Callable[[], None]:
    def run() -> None:
        result = desk.cli(*args)
        assert result.code == 0, result
    return run


@pytest.mark.parametrize(("change", "said"), [
    (("edit", "trader", "--permissions", "read"), "labelled read, not trade"),
    (("remove", "trader", "--yes"), "was removed while you were confirming"),
    (("edit", "trader", "--max-notional", "10"), "above the key's maximum of 10"),
    (("edit", "trader", "--api-url", "http://127.0.0.1:9"), "changed while you were"),
])
def test_a_key_changed_during_the_question_sends_nothing(
        desk: Desk, change: tuple[str, ...], said: str) -> None:
    desk.demo.set_price("BTC/USDT", "50000")
    code, shown = place_while(desk, cli_ok(desk, *change), *LIMIT)
    assert code == 1, shown
    assert said in shown and "nothing was sent" in shown, shown
    assert "Traceback" not in shown and "Placed" not in shown
    assert desk.order_posts() == []


def test_the_price_moved_past_the_band_during_the_question_sends_nothing(
        desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "50000")  # 49000 is 2 % below: no warning
    code, shown = place_while(desk, lambda: desk.demo.set_price("BTC/USDT", "60000"),
                              *LIMIT)
    assert code == 1, shown
    assert "the price moved since the preview" in shown and "nothing was sent" in shown
    assert desk.order_posts() == []


def test_the_price_moved_past_the_keys_maximum_during_the_question_sends_nothing(
        desk: Desk) -> None:
    assert desk.cli("edit", "trader", "--max-notional", "100").code == 0
    desk.demo.set_price("BTC/USDT", "50000")  # 0.001 BTC: about 50 USDT
    code, shown = place_while(desk, lambda: desk.demo.set_price("BTC/USDT", "200000"),
                              *MARKET)
    assert code == 1, shown
    assert "above the key's maximum of 100" in shown and "nothing was sent" in shown
    assert desk.order_posts() == []


def test_nothing_changed_during_the_question_sends_once(desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "50000")
    code, shown = place_while(desk, lambda: None, *LIMIT)
    assert code == 0, shown
    assert "Placed: OPEN" in shown
    assert len(desk.order_posts()) == 1


def test_the_core_checks_the_price_again_when_asked_and_a_lowered_maximum_always(
        desk: Desk) -> None:
    from vault_app.trading.errors import OrderNotAllowed
    from vault_app.trading.orders import parse_order
    from vault_app.trading.session import TradingSession

    desk.demo.set_price("BTC/USDT", "50000")
    session = TradingSession(desk.vault, desk.vault.find("trader"))
    request = parse_order(session.entry.id, "BTC/USDT", "buy", "market", "0.001")
    moved = session.preview(request)
    desk.demo.set_price("BTC/USDT", "200000")
    assert desk.cli("edit", "trader", "--max-notional", "100").code == 0
    # Even when the price is not to be fetched again, a changed maximum is checked.
    with pytest.raises(OrderNotAllowed, match="above the key's maximum of 100"):
        session.place(moved, recheck_price=False)
    assert desk.order_posts() == []
    assert desk.cli("edit", "trader", "--max-notional", "").code == 0
    desk.demo.set_price("BTC/USDT", "50000")
    limit = session.preview(parse_order(session.entry.id, "BTC/USDT", "buy", "limit",
                                        "0.001", "49000"))
    desk.demo.set_price("BTC/USDT", "60000")
    with pytest.raises(OrderNotAllowed, match="the price moved since the preview"):
        session.place(limit, recheck_price=True)
    assert desk.order_posts() == []
    done = session.place(limit, recheck_price=False)  # the caller says the price holds
    assert done.problem is None and len(desk.order_posts()) == 1
