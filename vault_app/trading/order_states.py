"""The journal's orders, folded as records arrive: each look costs the new records only.

``fold(journal.read().records)`` reads, authenticates and folds the whole journal:
before every order that grows with the journal. ``OrderStates`` keeps the folded
orders and asks the journal only for the records appended since its last look
(``Journal.read_since``: the file is still checked to be the same journal, still
holding the last record seen; another process's appends are read as they come). A
journal moved aside or replaced starts the fold again from its first record.

The orders it gives are copies: a caller may update them (``append_state``) without
changing what was folded.
"""

from __future__ import annotations

from dataclasses import replace

from vault_app.trading.journal import Journal, JournalCursor
from vault_app.trading.order_log import LoggedOrder, fold_into


class OrderStates:
    """The orders of ``journal``, all keys' and (once asked for) each key's, folded
    exactly as ``order_log.fold(records)`` and ``fold(records, key_id)`` would."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._cursor: JournalCursor | None = None
        self._all: dict[str, LoggedOrder] = {}
        self._by_key: dict[str, dict[str, LoggedOrder]] = {}
        self._open_questions: dict[str, dict[str, None]] = {}
        """For each key asked for: its unresolved orders' client ids, kept up to date
        from the new records only."""
        self._position: dict[str, dict[str, int]] = {}  # key -> client id -> its place

    def orders(self, key_id: str | None = None) -> list[LoggedOrder]:
        """Every order (``key_id``: of that key only), oldest first, as now on disk."""
        if key_id is not None and key_id not in self._by_key:
            self._by_key[key_id] = {}
            self._open_questions[key_id] = {}
            self._position[key_id] = {}
            self._cursor = None  # fold every record again, this key's included
        self._update()
        folded = self._all if key_id is None else self._by_key[key_id]
        return [_copy(order) for order in folded.values()]

    def unresolved(self, key_id: str) -> list[LoggedOrder]:
        """The key's orders whose outcome the journal does not know (PENDING, UNKNOWN)."""
        if key_id not in self._by_key:
            self.orders(key_id)
        else:
            self._update()
        folded = self._by_key[key_id]
        ids = sorted(self._open_questions[key_id], key=self._position[key_id].__getitem__)
        return [_copy(folded[cid]) for cid in ids]  # oldest first, as ``fold`` gives them

    def _update(self) -> None:
        update = self.journal.read_since(self._cursor)
        if update.restarted:
            self._all = {}
            self._by_key = {key_id: {} for key_id in self._by_key}
            self._open_questions = {key_id: {} for key_id in self._by_key}
            self._position = {key_id: {} for key_id in self._by_key}
        fold_into(self._all, update.records)
        touched = [str(record.data.get("client_order_id")) for record in update.records]
        for key_id, folded in self._by_key.items():
            before = len(folded)
            fold_into(folded, update.records, key_id)
            newest = reversed(folded)  # the orders new to the fold are the last ones
            for place in range(len(folded) - 1, before - 1, -1):
                self._position[key_id][next(newest)] = place
            unresolved = self._open_questions[key_id]
            for cid in touched:
                order = folded.get(cid)
                if order is not None and order.unresolved:
                    unresolved[cid] = None
                else:
                    unresolved.pop(cid, None)
        self._cursor = update.cursor


def _copy(order: LoggedOrder) -> LoggedOrder:
    return replace(order, fields=dict(order.fields), history=list(order.history),
                   anomalies=list(order.anomalies))
