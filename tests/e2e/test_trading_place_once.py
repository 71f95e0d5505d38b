"""An order is sent at most once, and the journal never says NOT_PLACED while the
exchange holds it: a preview placed twice, a request held up on the way (the clock
synced with an exchange two minutes ahead), a journal write held up past half of the
request's window, Ctrl-C while the request is out, an odd time answer. Real ccxt
over real HTTP to the demo exchange; the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD, REPO
from tests.e2e.trading_support import ORDER_PATH, Desk, demo, desk
from vault_app.trading import placement
from vault_app.trading.demo_exchange import DemoExchange, ReceivedRequest
from vault_app.trading.errors import OrderNotAllowed
from vault_app.trading.journal import Journal, journal_path
from vault_app.trading.order_log import fold
from vault_app.trading.orders import parse_order
from vault_app.trading.session import TradingSession

__all__ = ["demo", "desk"]  # fixtures


def session_for(desk: Desk) -> TradingSession:
    return TradingSession(desk.vault, desk.vault.find("trader"), sleep=lambda _: None,
                          backoff=())


def journal_states(desk: Desk) -> list[str]:
    key = desk.vault.meta.journal_key
    assert key is not None
    return [str(r.data.get("state")) for r in Journal(journal_path(desk.path), key)
            .read().records]


def limit_buy(session: TradingSession) -> Any:
    return session.preview(parse_order(session.entry.id, "BTC/USDT", "buy", "limit",
                                       "0.001", "30000"))


# --- finding 2: a preview is placed at most once --------------------------------------


def test_a_preview_placed_twice_is_sent_once(desk: Desk) -> None:
    session = session_for(desk)
    preview = limit_buy(session)
    first = session.place(preview)
    assert first.problem is None and first.order.state == "OPEN"
    with pytest.raises(OrderNotAllowed, match="placed at most once"):
        session.place(preview)
    assert len(desk.order_posts()) == 1
    # Another process (another session, another Journal object) is refused too.
    with pytest.raises(OrderNotAllowed):
        session_for(desk).place(preview)
    assert len(desk.order_posts()) == 1
    [order] = session.history()
    assert order.state == "OPEN" and order.anomalies == []
    assert journal_states(desk) == ["PENDING", "OPEN"]


# --- finding 1: never NOT_PLACED while the exchange holds the order --------------------


class Crash(BaseException):
    """The process dies (kill -9) while its order request is on the way."""


def deliver(url: str, request: tuple[str, str, Mapping[str, str], str | None]) -> Any:
    """Send a held request, late, as the network would have."""
    method, target, headers, body = request
    path = target.split("://", 1)[1].split("/", 1)[1]
    sent = urllib.request.Request(f"{url}/{path}", method=method, headers=dict(headers),
                                  data=body.encode() if body else None)
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def test_a_held_up_request_with_a_synced_clock_is_never_concluded_not_placed(
        desk: Desk) -> None:
    # The exchange's clock is two minutes ahead; the app signs in its time (--sync-clock).
    desk.demo.faults.clock_skew_ms = 120_000
    session = session_for(desk)
    assert session.client.sync_clock() < -100_000
    session.client.exchange.options["recvWindow"] = 60_000
    preview = limit_buy(session)
    exchange = session.client.exchange
    real = exchange.fetch
    held: list[tuple[str, str, Mapping[str, str], str | None]] = []

    def network(url: str, method: str = "GET", headers: Any = None, body: Any = None
                ) -> Any:
        if method == "POST" and ORDER_PATH in url:
            held.append((method, url, headers, body))
            raise Crash  # the request is on the wire; this process is gone
        return real(url, method, headers, body)

    exchange.fetch = network
    with pytest.raises(Crash):
        session.place(preview)
    assert journal_states(desk) == ["PENDING"] and desk.order_posts() == []
    # Another run reconciles (as a1 did, with --sync-clock) before the request lands.
    early = desk.cli("order", "list", "--key", "trader", "--sync-clock", "--json")
    assert early.code == 0, early
    assert "NOT_PLACED" not in journal_states(desk)
    # The request arrives: the exchange accepts it (inside its window) ...
    answer = deliver(desk.demo.url, held[0])
    assert answer.get("clientOrderId") == preview.client_order_id, answer
    # ... and the journal finds it: the order is never taken for not placed.
    late = desk.cli("order", "list", "--key", "trader", "--sync-clock", "--json")
    assert late.code == 0, late
    assert "NOT_PLACED" not in journal_states(desk)
    [order] = fold(Journal(journal_path(desk.path), desk.vault.meta.journal_key or b"")
                   .read().records)
    assert order.state == "OPEN" and order.order_id == str(answer["orderId"])


class HeldUpJournal(Journal):
    """A journal whose PENDING append returns late: the clock that chose the request's
    timestamp moved on by ``held_ms`` meanwhile (a lock held by another process)."""

    def __init__(self, path: Any, key: bytes, exchange: Any, held_ms: int) -> None:
        super().__init__(path, key)
        self.exchange, self.held_ms = exchange, held_ms

    def append_if_absent(self, record: Mapping[str, Any], *, key: str,
                         sync: bool = True) -> int | None:
        seq = super().append_if_absent(record, key=key, sync=sync)
        options = self.exchange.options
        options["timeDifference"] = int(options.get("timeDifference") or 0) - self.held_ms
        return seq


def test_a_journal_write_held_past_half_the_window_sends_nothing(desk: Desk) -> None:
    session = session_for(desk)
    session.client.exchange.options["recvWindow"] = 5_000
    preview = limit_buy(session)
    key = desk.vault.ensure_journal_key()
    journal = HeldUpJournal(journal_path(desk.path), key, session.client.exchange, 3_000)
    done = placement.place(session.client, journal, session.entry, preview)
    assert done.order.state == "NOT_PLACED"
    assert isinstance(done.problem, OrderNotAllowed)
    assert "was not sent" in done.problem.message
    assert desk.order_posts() == []
    assert journal_states(desk) == ["PENDING", "NOT_PLACED"]


def test_a_journal_write_held_a_little_still_sends(desk: Desk) -> None:
    session = session_for(desk)
    session.client.exchange.options["recvWindow"] = 5_000
    preview = limit_buy(session)
    key = desk.vault.ensure_journal_key()
    journal = HeldUpJournal(journal_path(desk.path), key, session.client.exchange, 1_000)
    done = placement.place(session.client, journal, session.entry, preview)
    assert done.problem is None and done.order.state == "OPEN"
    assert len(desk.order_posts()) == 1


# --- finding 8: Ctrl-C while the request is out -------------------------------------


@pytest.fixture
def stalling_demo() -> Iterator[tuple[DemoExchange, threading.Event, threading.Event]]:
    """A demo exchange that holds its answer to an order POST until released."""
    received, release = threading.Event(), threading.Event()

    def on_request(request: ReceivedRequest, status: int) -> None:
        if request.method == "POST" and request.path == ORDER_PATH:
            received.set()
            release.wait(60)

    with DemoExchange(seed=1, on_request=on_request) as exchange:
        try:
            yield exchange, received, release
        finally:
            release.set()


def test_ctrl_c_while_the_order_is_out_says_it_may_have_been_sent(
        stalling_demo: tuple[DemoExchange, threading.Event, threading.Event],
        vault_path: Path) -> None:
    from tests.conftest import FAST_KDF
    from tests.e2e.trading_support import demo_entry
    from vault_app.core.vault import Vault

    demo_, received, release = stalling_demo
    vault = Vault.create(vault_path, PASSWORD, FAST_KDF, enforce_kdf_minimum=False)
    vault.add(demo_entry(demo_, "trader", demo_.trading_key, ("read", "trade")))
    env = dict(os.environ, VAULT_APP_VAULT=str(vault_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "vault_app.cli", "order", "place", "--key", "trader",
         "--symbol", "BTC/USDT", "--side", "buy", "--type", "limit", "--amount", "0.001",
         "--price", "30000", "--yes"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, cwd=REPO)
    try:
        assert proc.stdin is not None
        proc.stdin.write(f"{PASSWORD}\n")
        proc.stdin.flush()
        assert received.wait(60), "the order POST never arrived"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (out, err)
    assert "may have been sent" in err and "order list" in err
    assert "nothing was written" not in err and "Traceback" not in err
    vault = Vault.open(vault_path, PASSWORD)
    assert vault.meta.journal_key is not None
    states = [str(r.data.get("state")) for r in Journal(
        journal_path(vault_path), vault.meta.journal_key).read().records]
    assert states == ["PENDING", "UNKNOWN"]
    # The exchange holds it; the next command finds it, and nothing is resent.
    posts = [r for r in demo_.requests if r.method == "POST" and r.path == ORDER_PATH]
    assert len(posts) == 1
    listed = subprocess.run(
        [sys.executable, "-m", "vault_app.cli", "order", "list", "--key", "trader",
         "--json"], input=f"{PASSWORD}\n", capture_output=True, text=True, env=env,
        cwd=REPO, timeout=60)
    assert listed.returncode == 0, listed.stderr
    [order] = fold(Journal(journal_path(vault_path), vault.meta.journal_key).read().records)
    assert order.state == "OPEN" and order.anomalies == []


# --- finding 9b: an odd time answer during reconcile ----------------------------------


@pytest.mark.parametrize("hostile", ["soon", None, [], {"a": 1}, 10 ** 30, -5, "NaN"])
def test_a_time_answer_that_is_not_a_time_is_an_exchange_problem(
        desk: Desk, monkeypatch: pytest.MonkeyPatch, hostile: object) -> None:
    from vault_app.trading.demo_exchange import api

    session = session_for(desk)
    preview = limit_buy(session)
    journal = session.journal(create=True)
    assert journal is not None
    journal.append(placement.pending_record(session.entry, preview,
                                            placement.request_window(session.client)))
    route = ("GET", "/api/v3/time")
    monkeypatch.setitem(api.ROUTES, route,
                        (lambda state, call: {"serverTime": hostile}, api.ROUTES[route][1]))
    result = desk.cli("order", "list", "--key", "trader")
    assert result.code == 0, result
    assert "could not be asked" in result.err, result
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert desk.order_posts() == []
    assert journal_states(desk) == ["PENDING", "UNKNOWN"]
