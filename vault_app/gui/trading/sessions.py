"""A ``TradingSession`` per key, built when first needed, and the ops that use one.

A session is not thread-safe: every op of one key goes through the op helper's queue
of that key (``OpRunner.run(queue=...)``), so they run one at a time, in order.
Locking the vault (``drop``) forgets every session: its client is closed in the key's
queue, after the ops already submitted (an order being sent finishes: placement is
journal-first), and their results are then ignored unless the op asked to be told
after a lock (``after_lock``: an order's placement). The window drops the queued ops
not yet started first (``OpRunner.drop_queued``): an ``after_lock`` op is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.core.vault import Vault
    from vault_app.gui.ops import OpRunner
    from vault_app.trading.session import TradingSession


def queue_name(entry_id: str) -> str:
    return f"trading:{entry_id}"


class Sessions:
    """The open vault's trading sessions, by key id."""

    def __init__(self, ops: OpRunner) -> None:
        self._ops = ops
        self._vault: Vault | None = None
        self._sessions: dict[str, TradingSession] = {}
        self.generation = 0
        """Increases on every ``drop``: a result of an earlier generation is stale."""

    def session(self, vault: Vault, entry: KeyEntry) -> TradingSession:
        """The key's session (no network, no ccxt: a session builds its client later)."""
        if vault is not self._vault:
            self.drop()
            self._vault = vault
        session = self._sessions.get(entry.id)
        if session is None or _changed(session.entry, entry):
            if session is not None:
                self._close_later(entry.id, session)
            from vault_app.trading.session import TradingSession

            session = TradingSession(vault, entry)
            self._sessions[entry.id] = session
        return session

    def run(self, vault: Vault, entry: KeyEntry, work: Callable[[TradingSession], Any],
            on_success: Callable[[Any], None], on_failure: Callable[[BaseException], None],
            *, after_lock: bool = False) -> None:
        """Run ``work(session)`` in the key's queue. Its callbacks are skipped if the vault
        was locked meanwhile, unless ``after_lock``."""
        session = self.session(vault, entry)
        generation = self.generation

        def current(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:
                if after_lock or generation == self.generation:
                    callback(value)
            return deliver

        self._ops.run(lambda: work(session), current(on_success), current(on_failure),
                      queue=queue_name(entry.id), keep=after_lock)

    def drop(self) -> None:
        """Forget every session; close each client after the ops already queued."""
        self.generation += 1
        sessions, self._sessions = self._sessions, {}
        self._vault = None
        for entry_id, session in sessions.items():
            self._close_later(entry_id, session)

    def _close_later(self, entry_id: str, session: TradingSession) -> None:
        self._ops.run(session.close, _ignore, _ignore, queue=queue_name(entry_id), keep=True)

    def __len__(self) -> int:
        return len(self._sessions)


def _changed(before: KeyEntry, now: KeyEntry) -> bool:
    """Whether the session must be rebuilt: what its client was built from changed."""
    return (before.exchange, before.environment, before.api_url, dict(before.credentials),
            before.permissions, before.max_notional) \
        != (now.exchange, now.environment, now.api_url, dict(now.credentials),
            now.permissions, now.max_notional)


def _ignore(_value: object) -> None:
    pass
