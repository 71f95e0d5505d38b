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
    JournalMoved,
    append_state,
    exchange_fields,
    fold,
    state_of,
)
from vault_app.trading.placement import RequestWindow, carries, signed_params
from vault_app.trading.reconcile import deadline_ms, resolve


def record(seq: int, **data: object) -> JournalRecord:
    return JournalRecord(seq, {"kind": "order", **data})


PENDING_A = dict(client_order_id="va-a", key_id="k1", state=PENDING, symbol="BTC/USDT",
                 side="buy", amount="0.01", request_timestamp_ms=1_000_000,
                 recv_window_ms=10_000, time="t0")


def test_fold_keeps_the_first_records_fields_and_the_latest_state() -> None:
    records = [
        record(1, **PENDING_A),
        record(2, client_order_id="va-b", key_id="k2", state=PENDING, symbol="ETH/USDT",
               time="t1"),
        record(3, client_order_id="va-a", key_id="k1", state=UNKNOWN, reason="dropped",
               request_timestamp_ms=1_000_007, time="t2"),  # only PENDING's counts
        record(4, client_order_id="va-a", key_id="k1", state=FILLED, order_id="42",
               filled="0.01", time="t3"),
        JournalRecord(5, {"kind": "something else", "client_order_id": "va-a"}),
    ]
    [order] = fold(records, "k1")
    assert (order.state, order.order_id, order.filled, order.reason) == \
        (FILLED, "42", "0.01", "dropped")
    assert order.symbol == "BTC/USDT" and order.request_timestamp_ms == 1_000_000
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
    none = {"average": None, "cost": None, "fees": None}
    assert exchange_fields({"id": 17, "filled": 0.1}) == \
        {"order_id": "17", "filled": "0.1", **none}
    assert exchange_fields({"id": None, "filled": None}) == \
        {"order_id": None, "filled": None, **none}


def test_a_fill_records_its_average_price_cost_and_fees_as_decimal_strings() -> None:
    answer = {"id": "5", "filled": 0.01, "average": 59991.3, "cost": 599.913,
              "fee": {"cost": 1e-05, "currency": "BTC"},
              "fees": [{"cost": 1e-05, "currency": "BTC"}, {"cost": 2e-05, "currency": "BTC"},
                       {"cost": 0.1, "currency": "BNB"}, {"cost": None, "currency": "X"}]}
    assert exchange_fields(answer) == {
        "order_id": "5", "filled": "0.01", "average": "59991.3", "cost": "599.913",
        "fees": [{"cost": "0.00003", "currency": "BTC"}, {"cost": "0.1", "currency": "BNB"}]}
    # Nothing filled yet: a cost of 0 and no average say nothing.
    assert exchange_fields({"id": "6", "filled": 0.0, "average": None, "cost": 0.0,
                            "fees": []}) == {"order_id": "6", "filled": "0", "average": None,
                                             "cost": None, "fees": None}
    # The answer's record folds into the order's view, and its public form.
    [order] = fold([record(1, **PENDING_A),
                    record(2, **{**PENDING_A, "state": "FILLED",
                                 **exchange_fields(answer)})])
    assert (order.average, order.cost, order.public()["fees"]) == \
        ("59991.3", "599.913", [{"cost": "0.00003", "currency": "BTC"},
                                {"cost": "0.1", "currency": "BNB"}])


def test_the_deadline_is_the_pinned_timestamp_plus_the_window_or_none() -> None:
    [order] = fold([record(1, **PENDING_A)])
    assert deadline_ms(order) == 1_000_000 + 10_000
    # No pinned request (an exchange whose timestamp is not ours): no deadline at all,
    # however old the record; reconcile then never concludes NOT_PLACED on its own.
    unpinned = {**PENDING_A, "request_timestamp_ms": None, "recv_window_ms": None}
    [order] = fold([record(1, **unpinned)])
    assert deadline_ms(order) is None
    [order] = fold([record(1, **{**PENDING_A, "recv_window_ms": None})])
    assert deadline_ms(order) is None


def test_a_request_carries_the_pinned_timestamp_and_window_in_query_or_body() -> None:
    window = RequestWindow(123, 1000)
    assert window.deadline_ms == 1123
    assert signed_params("http://x/o?symbol=A&timestamp=123&signature=f", None) == \
        {"symbol": "A", "timestamp": "123", "signature": "f"}
    assert carries(window, "http://x/o", "symbol=A&timestamp=123&recvWindow=1000&signature=f")
    assert carries(window, "http://x/o?timestamp=123&recvWindow=1000", None)
    assert not carries(window, "http://x/o", "timestamp=124&recvWindow=1000")
    assert not carries(window, "http://x/o", "timestamp=123&recvWindow=5000")
    assert not carries(window, "http://x/o", "timestamp=123")


def test_state_changes_are_appended_and_read_back(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "v.vault.journal", bytes(32))
    journal.append({"kind": "order", **PENDING_A})
    [order] = fold(journal.read().records)
    append_state(journal, order, NOT_PLACED, reason="past its window")
    assert order.state == NOT_PLACED
    [again] = fold(journal.read().records)
    assert (again.state, again.reason) == (NOT_PLACED, "past its window")
    assert again.public()["state"] == NOT_PLACED
    assert "recv_window_ms" not in again.public()


@pytest.mark.parametrize("late", ["REJECTED", NOT_PLACED, UNKNOWN, PENDING])
@pytest.mark.parametrize("accepted", [OPEN, PARTIALLY_FILLED, FILLED, "CANCELED", "EXPIRED"])
def test_a_later_record_never_undoes_an_accepted_state(accepted: str, late: str) -> None:
    records = [record(1, **PENDING_A),
               record(2, client_order_id="va-a", key_id="k1", state=accepted,
                      order_id="42", time="t1"),
               record(3, client_order_id="va-a", key_id="k1", state=late,
                      reason="Duplicate order sent.", time="t2")]
    [order] = fold(records)
    assert order.state == accepted and order.order_id == "42"
    assert not order.unresolved
    [anomaly] = order.anomalies
    assert late in anomaly and "Duplicate order sent." in anomaly
    assert order.public()["anomalies"] == [anomaly]


def test_accepted_states_may_follow_each_other() -> None:
    records = [record(1, **PENDING_A),
               record(2, client_order_id="va-a", key_id="k1", state=OPEN, time="t1"),
               record(3, client_order_id="va-a", key_id="k1", state=FILLED, time="t2")]
    [order] = fold(records)
    assert order.state == FILLED and order.anomalies == []


@pytest.mark.parametrize("odd", ["abc", "NaN", "1E+999999", [], None, True, "Infinity"])
def test_odd_numbers_in_an_answer_are_not_a_crash(odd: object) -> None:
    assert state_of({"status": "open", "filled": odd}) == OPEN
    assert exchange_fields({"id": 1, "filled": odd})["filled"] in (None, "0")


def test_a_state_record_never_starts_a_journal_nor_goes_to_a_replacement(
        tmp_path: Path) -> None:
    path = tmp_path / "v.vault.journal"
    journal = Journal(path, bytes(32))
    journal.append({"kind": "order", **PENDING_A})
    [order] = fold(journal.read().records)
    path.rename(tmp_path / "v.vault.journal.full-1")  # moved aside during the send
    with pytest.raises(JournalMoved, match="moved aside or replaced"):
        append_state(journal, order, OPEN)
    assert not path.exists()  # no new journal without the order's details
    other = Journal(path, bytes(32))  # a new journal started meanwhile for another order
    other.append({"kind": "order", **dict(PENDING_A, client_order_id="va-other")})
    with pytest.raises(JournalMoved):
        append_state(journal, order, OPEN)
    assert [o.client_order_id for o in fold(other.read().records)] == ["va-other"]
    assert order.state == PENDING


def test_an_order_without_its_symbol_is_never_looked_up() -> None:
    class NoClient:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the exchange was asked ({name})")

    lost = fold([record(1, client_order_id="va-x", key_id="k1", state=UNKNOWN, time="t")])
    [order] = lost
    resolution = resolve(NoClient(), NoClient(), order)  # type: ignore[arg-type]
    assert resolution.needs_user and not resolution.resolved
    assert "lost its details" in resolution.message
