"""Orders folded as the journal grows (``OrderStates``, ``Journal.read_since``): the same
answer as folding the whole journal, for new records only, across processes, and a
journal moved aside, replaced or rolled back is never mistaken for the one read."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from vault_app.trading import journal_format as fmt
from vault_app.trading.errors import JournalDamaged
from vault_app.trading.journal import Journal
from vault_app.trading.order_log import LoggedOrder, append_state, fold
from vault_app.trading.order_states import OrderStates

KEY = bytes(range(32))


def order(cid: str, state: str, key_id: str = "k1", **extra: Any) -> dict[str, Any]:
    return {"kind": "order", "client_order_id": cid, "key_id": key_id, "state": state,
            "time": f"t-{cid}-{state}", "symbol": "BTC/USDT", **extra}


def summary(orders: list[LoggedOrder]) -> list[tuple[Any, ...]]:
    return [(o.client_order_id, o.state, o.order_id, o.reason, o.fields, o.history,
             o.anomalies) for o in orders]


def same_as_fold(states: OrderStates, path: Path, key_id: str) -> None:
    records = Journal(path, KEY).read().records  # a fresh reader checks every record
    assert summary(states.orders()) == summary(fold(records))
    assert summary(states.orders(key_id)) == summary(fold(records, key_id))
    assert summary(states.unresolved(key_id)) == \
        summary([o for o in fold(records, key_id) if o.unresolved])


def test_folds_like_the_whole_journal_as_records_arrive_from_any_writer(
        tmp_path: Path) -> None:
    path = tmp_path / "v.journal"
    mine, other_process = Journal(path, KEY), Journal(path, KEY)
    states = OrderStates(mine)
    assert states.orders() == [] and states.unresolved("k1") == []  # no journal yet
    steps = [
        (mine, order("a", "PENDING")), (mine, order("a", "OPEN", order_id="1")),
        (other_process, order("b", "PENDING")), (mine, order("c", "PENDING", "k2")),
        (other_process, order("b", "UNKNOWN", reason="timeout")),
        (mine, order("a", "REJECTED", reason="dup")),  # kept as an anomaly
        (other_process, {"kind": "note", "text": "not an order"}),
        (mine, order("d", "PENDING")), (other_process, order("e", "PENDING")),
        (mine, order("d", "NOT_PLACED")), (mine, order("d", "UNKNOWN")),  # d before e
        (mine, order("c", "PENDING")),  # k2's client id in a record of k1: its own order
        (mine, order("b", "FILLED", order_id="2")), (mine, order("c", "CANCELED", "k2")),
    ]
    for writer, record in steps:
        writer.append(record)
        same_as_fold(states, path, "k1")
        same_as_fold(states, path, "k2")
    assert [o.client_order_id for o in states.unresolved("k1")] == ["d", "e", "c"]
    assert [o.state for o in states.orders("k1")] == ["OPEN", "FILLED", "UNKNOWN", "PENDING",
                                                      "PENDING"]
    assert states.orders("k1")[0].anomalies  # the REJECTED after OPEN


def test_only_new_records_are_read_and_authenticated(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v.journal"
    journal, other_process = Journal(path, KEY), Journal(path, KEY)
    for n in range(20):
        (journal if n < 19 else other_process).append(order(f"o{n}", "PENDING"))
    first = journal.read_since(None)
    assert first.restarted and [r.seq for r in first.records] == list(range(1, 21))
    scanned: list[int] = []
    real_scan = fmt.scan

    def counting_scan(*args: Any, **kwargs: Any) -> fmt.Scan:
        result = real_scan(*args, **kwargs)
        scanned.append(len(result.records))
        return result

    monkeypatch.setattr(fmt, "scan", counting_scan)
    other_process.append(order("late", "PENDING"))
    update = journal.read_since(first.cursor)
    assert not update.restarted
    assert [(r.seq, r.data["client_order_id"]) for r in update.records] == [(21, "late")]
    assert scanned == [1]  # the new record only, not the 20 before it
    journal.append(order("late", "OPEN"))  # its own append: nothing to read at all
    again = journal.read_since(update.cursor)
    assert [r.seq for r in again.records] == [22] and scanned == [1]
    assert journal.read_since(again.cursor).records == []


def test_orders_given_are_copies(tmp_path: Path) -> None:
    path = tmp_path / "v.journal"
    journal = Journal(path, KEY)
    journal.append(order("a", "PENDING"))
    states = OrderStates(journal)
    given = states.unresolved("k1")[0]
    append_state(journal, given, "OPEN", order_id="9")  # updates the copy it was given
    assert [(o.state, o.history) for o in states.orders("k1")] == \
        [("OPEN", [("t-a-PENDING", "PENDING"), (given.updated_at, "OPEN")])]
    assert states.unresolved("k1") == []


def test_a_journal_moved_aside_or_replaced_starts_the_fold_again(tmp_path: Path) -> None:
    path = tmp_path / "v.journal"
    journal = Journal(path, KEY)
    journal.append(order("a", "PENDING"))
    states = OrderStates(journal)
    assert [o.client_order_id for o in states.unresolved("k1")] == ["a"]
    os.rename(path, tmp_path / "aside.journal")
    assert states.orders("k2") == []  # a key asked for anew: every record folded again
    assert states.orders() == [] and states.unresolved("k1") == []
    Journal(path, KEY).append(order("b", "PENDING"))  # a new journal at the name
    assert [o.client_order_id for o in states.unresolved("k1")] == ["b"]
    same_as_fold(states, path, "k1")


def test_an_older_copy_put_back_is_refused_not_folded(tmp_path: Path) -> None:
    path = tmp_path / "v.journal"
    journal = Journal(path, KEY)
    journal.append(order("a", "PENDING"))
    shutil.copyfile(path, tmp_path / "backup")
    journal.append(order("a", "OPEN"))
    states = OrderStates(journal)
    assert states.unresolved("k1") == []
    shutil.copyfile(tmp_path / "backup", path)  # same inode: the OPEN record is gone
    with pytest.raises(JournalDamaged, match="no longer holds record 2"):
        states.unresolved("k1")
