"""The journal's view of orders: folding records, ccxt states, deadlines, timestamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from vault_app.trading.journal import Journal
from vault_app.trading.journal_format import JournalRecord
from vault_app.trading.order_log import (
    FILLED,
    NOT_PLACED,
    OPEN,
    PARTIALLY_FILLED,
    PENDING,
    UNKNOWN,
    append_state,
    exchange_fields,
    fold,
    state_of,
)
from vault_app.trading.placement import DEFAULT_RECV_WINDOW_MS, signed_timestamp
from vault_app.trading.reconcile import SIGN_GRACE_MS, deadline_ms


def record(seq: int, **data: object) -> JournalRecord:
    return JournalRecord(seq, {"kind": "order", **data})


PENDING_A = dict(client_order_id="va-a", key_id="k1", state=PENDING, symbol="BTC/USDT",
                 side="buy", amount="0.01", sent_after_ms=1_000_000, recv_window_ms=10_000,
                 time="t0")


def test_fold_keeps_the_first_records_fields_and_the_latest_state() -> None:
    records = [
        record(1, **PENDING_A),
        record(2, client_order_id="va-b", key_id="k2", state=PENDING, symbol="ETH/USDT",
               time="t1"),
        record(3, client_order_id="va-a", key_id="k1", state=UNKNOWN, reason="dropped",
               request_timestamp_ms=1_000_007, time="t2"),
        record(4, client_order_id="va-a", key_id="k1", state=FILLED, order_id="42",
               filled="0.01", time="t3"),
        JournalRecord(5, {"kind": "something else", "client_order_id": "va-a"}),
    ]
    [order] = fold(records, "k1")
    assert (order.state, order.order_id, order.filled, order.reason) == \
        (FILLED, "42", "0.01", "dropped")
    assert order.symbol == "BTC/USDT" and order.request_timestamp_ms == 1_000_007
    assert order.history == [("t0", PENDING), ("t2", UNKNOWN), ("t3", FILLED)]
    assert not order.unresolved
    assert [o.client_order_id for o in fold(records)] == ["va-a", "va-b"]
    assert fold(records, "k2")[0].unresolved


@pytest.mark.parametrize(("order", "state"), [
    ({"status": "open", "filled": 0}, OPEN),
    ({"status": "open", "filled": 0.5}, PARTIALLY_FILLED),
    ({"status": "closed", "filled": 1}, FILLED),
    ({"status": "canceled"}, "CANCELED"),
    ({"status": "expired"}, "EXPIRED"),
    ({"status": "rejected"}, "REJECTED"),
])
def test_ccxt_states_map_to_ours(order: dict[str, object], state: str) -> None:
    assert state_of(order) == state


def test_exchange_fields_are_exact_strings() -> None:
    assert exchange_fields({"id": 17, "filled": 0.1}) == {"order_id": "17", "filled": "0.1"}
    assert exchange_fields({"id": None, "filled": None}) == {"order_id": None, "filled": None}


def test_the_deadline_uses_the_signed_timestamp_or_bounds_it() -> None:
    [order] = fold([record(1, **PENDING_A)])
    assert deadline_ms(order) == 1_000_000 + SIGN_GRACE_MS + 10_000
    order.request_timestamp_ms = 1_000_007
    assert deadline_ms(order) == 1_000_007 + 10_000
    order.fields["recv_window_ms"] = None
    assert deadline_ms(order) == 1_000_007 + DEFAULT_RECV_WINDOW_MS


def test_the_signed_timestamp_is_read_from_the_query_or_the_body() -> None:
    assert signed_timestamp("http://x/api/v3/order?symbol=A&timestamp=123&signature=f",
                            None) == 123
    assert signed_timestamp("http://x/api/v3/order", "symbol=A&timestamp=456&signature=f") \
        == 456
    assert signed_timestamp("http://x/api/v3/time", None) is None


def test_state_changes_are_appended_and_read_back(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "v.vault.journal", bytes(32))
    journal.append({"kind": "order", **PENDING_A})
    [order] = fold(journal.read().records)
    append_state(journal, order, NOT_PLACED, reason="past its window")
    assert order.state == NOT_PLACED
    [again] = fold(journal.read().records)
    assert (again.state, again.reason) == (NOT_PLACED, "past its window")
    assert again.public()["state"] == NOT_PLACED
    assert "sent_after_ms" not in again.public()
