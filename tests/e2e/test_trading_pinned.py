"""A provable NOT_PLACED: the order's request is signed with a timestamp and recvWindow
chosen before its PENDING record, so "not on the exchange once the exchange's clock
passed their sum" is final; without them, only the user settles an unknown order.
Real ccxt over real HTTP to the demo exchange; a crash is simulated by writing the
PENDING record without sending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.e2e.support import assert_fails, assert_ok
from tests.e2e.trading_support import Desk, demo, desk
from vault_app.trading import placement
from vault_app.trading.journal import Journal, journal_path
from vault_app.trading.order_log import fold
from vault_app.trading.orders import parse_order
from vault_app.trading.placement import pending_record, request_window
from vault_app.trading.reconcile import SETTLE_MS
from vault_app.trading.session import TradingSession

__all__ = ["demo", "desk"]  # fixtures

WINDOW_MS = 1_000  # a short recvWindow, so the deadline is near


def session_for(desk: Desk, **options: Any) -> TradingSession:
    entry = desk.vault.find("trader")
    session = TradingSession(desk.vault, entry, sleep=lambda _: None, backoff=())
    session.client.exchange.options.update(options)
    return session


def market_buy(session: TradingSession) -> Any:
    return session.preview(parse_order(session.entry.id, "BTC/USDT", "buy", "market",
                                       "0.01"))


def pending_of(desk: Desk) -> dict[str, Any]:
    key = desk.vault.meta.journal_key
    assert key is not None
    records = Journal(journal_path(desk.path), key).read().records
    [first] = [r.data for r in records if r.data.get("state") == "PENDING"]
    return first


def crash_after_pending(session: TradingSession) -> dict[str, Any]:
    """What a crash right after the PENDING append leaves: the record, no request."""
    journal = session.journal(create=True)
    assert journal is not None
    record = pending_record(session.entry, market_buy(session),
                            request_window(session.client))
    journal.append(record)
    return record


def test_the_server_receives_the_journaled_timestamp_and_window(desk: Desk) -> None:
    session = session_for(desk, recvWindow=WINDOW_MS)
    done = session.place(market_buy(session))
    assert done.problem is None and done.order.state == "FILLED"
    record = pending_of(desk)
    [post] = desk.order_posts()
    sent = dict(parse_qsl(post.body))
    assert isinstance(record["request_timestamp_ms"], int)
    assert sent["timestamp"] == str(record["request_timestamp_ms"])
    assert sent["recvWindow"] == str(record["recv_window_ms"]) == str(WINDOW_MS)


def test_the_preview_carries_the_window_the_order_is_sent_with(desk: Desk) -> None:
    session = session_for(desk, recvWindow=WINDOW_MS)
    preview = market_buy(session)
    shown = dict(parse_qsl(preview.body or ""))
    assert shown["recvWindow"] == str(WINDOW_MS) and "timestamp" in shown
    session.place(preview)
    sent = dict(parse_qsl(desk.order_posts()[0].body))
    assert {k: v for k, v in sent.items() if k not in ("timestamp", "signature")} == \
        {k: v for k, v in shown.items() if k not in ("timestamp", "signature")}


def test_a_crashed_pending_order_is_not_placed_only_once_the_exchange_clock_passed(
        desk: Desk) -> None:
    session = session_for(desk, recvWindow=WINDOW_MS)
    record = crash_after_pending(session)
    deadline = record["request_timestamp_ms"] + WINDOW_MS
    [early] = session.reconcile()
    # The exchange's clock has not passed the deadline: the request could still arrive.
    assert not early.resolved and early.order.state == "UNKNOWN"
    assert "could still appear" in early.message and not early.needs_user
    # The exchange's clock moves past timestamp + recvWindow (+ the settle time); the
    # client signs its lookups in the exchange's time.
    desk.demo.faults.clock_skew_ms = WINDOW_MS + SETTLE_MS + 1_000
    session.client.sync_clock()
    [late] = session.reconcile()
    assert late.resolved and late.order.state == "NOT_PLACED"
    assert "recvWindow" in (late.order.reason or "")
    assert session.client.call("fetch_time") > deadline + SETTLE_MS
    assert desk.order_posts() == []
    assert session.reconcile() == []  # settled for good


class StalledJournal(Journal):
    """A journal whose PENDING append is followed by a long stall of the process (a
    laptop lid closed, SIGSTOP): the exchange's clock moves on meanwhile."""

    def __init__(self, path: Any, key: bytes, on_pending: Any) -> None:
        super().__init__(path, key)
        self.on_pending = on_pending

    def append_if_absent(self, record: Mapping[str, Any], *, key: str,
                         sync: bool = True) -> int | None:
        seq = super().append_if_absent(record, key=key, sync=sync)
        if record.get("state") == "PENDING":
            self.on_pending()
        return seq


def test_a_request_held_back_past_its_window_is_refused_and_never_placed(
        desk: Desk) -> None:
    session = session_for(desk, recvWindow=WINDOW_MS)
    preview = market_buy(session)
    key = desk.vault.ensure_journal_key()

    def stall() -> None:
        desk.demo.faults.clock_skew_ms = WINDOW_MS + 500

    journal = StalledJournal(journal_path(desk.path), key, stall)
    done = placement.place(session.client, journal, session.entry, preview)
    assert done.order.state == "REJECTED" and done.problem is not None
    assert "timestamp" in done.problem.message and "held up" in done.problem.message
    assert "held up" in (done.order.reason or "")
    [post] = desk.order_posts()  # sent once, with the journaled timestamp: refused
    assert dict(parse_qsl(post.body))["timestamp"] == str(pending_of(desk)[
        "request_timestamp_ms"])
    assert desk.demo.orders_for(desk.demo.trading_key.api_key) == []
    assert session.reconcile() == []


@pytest.fixture
def unpinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exchange whose request's timestamp is not ours (as for most but Binance)."""
    monkeypatch.setattr(placement, "PINNING_CLASSES", frozenset())


@pytest.mark.usefixtures("unpinned")
def test_without_a_pinned_request_reconcile_never_concludes_not_placed(desk: Desk) -> None:
    session = session_for(desk)
    record = crash_after_pending(session)
    assert record["request_timestamp_ms"] is None and record["recv_window_ms"] is None
    desk.demo.faults.clock_skew_ms = 3_600_000  # an hour later: still not provable
    session.client.sync_clock()
    [resolution] = session.reconcile()
    assert not resolution.resolved and resolution.needs_user
    assert resolution.order.state == "UNKNOWN"
    assert "not resent" in resolution.message and "check it on the exchange" in \
        resolution.message.lower()
    assert desk.order_posts() == []


@pytest.mark.usefixtures("unpinned")
def test_order_resolve_settles_an_unknown_order_by_hand_once(desk: Desk) -> None:
    session = session_for(desk)
    cid = crash_after_pending(session)["client_order_id"]
    listed = desk.cli("order", "list", "--key", "trader")
    assert listed.code == 0, listed
    assert f"order resolve --key trader --id {cid} --not-placed" in listed.err
    blocked = desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT",
                       "--side", "buy", "--type", "market", "--amount", "0.01", "--yes")
    assert_fails(blocked, 1, "unknown outcome", "order resolve")
    no_terminal = desk.cli("order", "resolve", "--key", "trader", "--id", cid,
                           "--not-placed", new_session=True)
    assert_fails(no_terminal, 1, "without a terminal", "--yes")
    done = assert_ok(desk.cli("order", "resolve", "--key", "trader", "--id", cid,
                              "--not-placed", "--yes"))
    assert "NOT_PLACED" in done.out
    [order] = fold(Journal(journal_path(desk.path), desk.vault.ensure_journal_key())
                   .read().records)
    assert (order.state, order.reason) == ("NOT_PLACED", "marked not placed by the user")
    again = desk.cli("order", "resolve", "--key", "trader", "--id", cid, "--not-placed",
                     "--yes")
    assert_fails(again, 1, "NOT_PLACED", "state is known")
    assert_fails(desk.cli("order", "resolve", "--key", "trader", "--id", "va-nope",
                          "--not-placed", "--yes"), 1, "no order 'va-nope'")
    assert desk.order_posts() == []
    placed = assert_ok(desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT",
                                "--side", "buy", "--type", "market", "--amount", "0.01",
                                "--yes"))
    assert "Placed: FILLED" in placed.out


def test_only_the_pending_record_is_fsynced_and_before_the_request_leaves(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    session = session_for(desk)
    session.place(market_buy(session))  # the journal exists, its last record durable
    from vault_app.trading import journal as journal_module

    real = journal_module.os.fsync
    posts_at_fsync: list[int] = []

    def fsync(fd: int) -> None:
        real(fd)
        posts_at_fsync.append(len(desk.order_posts()))

    monkeypatch.setattr(journal_module.os, "fsync", fsync)
    done = session.place(market_buy(session))
    assert done.order.state == "FILLED"
    # One fsync: the PENDING record (which also makes the previous answer durable),
    # done before the order's POST reached the server; the answer is written lazily.
    assert posts_at_fsync == [1]
    assert len(desk.order_posts()) == 2


def test_a_request_signed_with_another_timestamp_than_the_journals_is_not_sent(
        desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    session = session_for(desk)
    preview = market_buy(session)
    # As if ccxt stopped taking the timestamp from the params: it signs its own.
    monkeypatch.setattr(placement.RequestWindow, "params", lambda _self: {})
    done = session.place(preview)
    assert done.order.state == "NOT_PLACED" and done.problem is not None
    assert "was not sent" in done.problem.message
    assert desk.order_posts() == []
    assert session.reconcile() == []
