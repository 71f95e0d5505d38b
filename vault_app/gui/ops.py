"""Background work with results delivered on the GUI thread (after Anki's QueryOp).

``run_op(fn, on_success, on_failure)`` runs ``fn`` in a worker thread. Exactly
one of the callbacks then runs on the GUI thread with the result or the
exception. ``fn`` must never touch a widget. Vault writes use ``writes=True``:
they go through a pool of one thread, so they happen one at a time, in order. Ops
given the same ``queue`` name (a trading key's id: its ``TradingSession`` is not
thread-safe) run one at a time too, in the order they were submitted, each once the
previous one has finished; ops of other queues and unqueued ops run beside them.

Queued ops (a trading key's network calls) and ``network=True`` ops have a pool of
their own: a few hung exchanges (ccxt waits 10 s, and ops chain in a queue) never
delay an unlock (the KDF), a save or the demo's start. ``drop_queued`` (on lock and
close) forgets every queued op not yet started, except those submitted with ``keep``
(an order's placement: journal-first, it must finish, and its answer be recorded).

Argon2 (0.5 s) and network calls run here; the UI thread never blocks on them.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from vault_app.gui import ui_thread_gc
from vault_app.gui.qt import QtCore, Signal


class _Relay(QtCore.QObject):
    """Lives on the GUI thread; its signals cross back from the worker."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QtCore.QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay,
                 then: Callable[[], None] | None = None, *, keep: bool = False) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.then = then  # a queue's next op, started from this worker once it is done
        self.keep = keep  # not dropped by ``drop_waiting``
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # every failure goes back to the GUI thread
            self.relay.failed.emit(_without_tracebacks(exc))
        else:
            self.relay.succeeded.emit(result)
        finally:
            if self.then is not None:
                self.then()


class _Queues:
    """Named queues of ops: one op of a name runs at a time, in submission order.

    The next op is started by the worker that ran the previous one, after that one
    emitted its result (so results reach the GUI thread in order too), and before the
    worker is free: ``QThreadPool.waitForDone`` waits for the whole queue.
    """

    def __init__(self, pool: QtCore.QThreadPool) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._waiting: dict[str, deque[_Task]] = {}  # a name is here while one runs

    def submit(self, name: str, fn: Callable[[], Any], relay: _Relay, *,
               keep: bool = False) -> None:
        task = _Task(fn, relay, then=lambda: self._next(name), keep=keep)
        with self._lock:
            waiting = self._waiting.get(name)
            if waiting is not None:
                waiting.append(task)
                return
            self._waiting[name] = deque()
        self._pool.start(task)

    def _next(self, name: str) -> None:
        with self._lock:
            waiting = self._waiting[name]
            if not waiting:
                del self._waiting[name]
                return
            task = waiting.popleft()
        self._pool.start(task)

    def drop_waiting(self) -> list[_Relay]:
        """Forget every op not started yet, unless ``keep``; their relays."""
        dropped: list[_Relay] = []
        with self._lock:
            for name, waiting in self._waiting.items():
                dropped += [task.relay for task in waiting if not task.keep]
                self._waiting[name] = deque(task for task in waiting if task.keep)
        return dropped


def _without_tracebacks(exc: BaseException) -> BaseException:
    """``exc`` with no traceback on it or on its causes and contexts.

    A traceback's frames hold the op's locals (a password, a decrypted payload):
    the exception is kept by the GUI thread after the worker is done with them.
    """
    seen: set[int] = set()
    pending = [exc]
    while pending:
        link = pending.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        link.__traceback__ = None
        pending.extend(e for e in (link.__cause__, link.__context__) if e is not None)
    return exc


NETWORK_THREADS = 8  # one op per key at a time: eight keys' requests at once


class OpRunner(QtCore.QObject):
    """Owns the worker pools and keeps each pending op's relay alive."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        ui_thread_gc.install()  # a worker must never collect Qt's objects (see there)
        self._general = QtCore.QThreadPool(self)
        self._general.setMaxThreadCount(4)
        self._network = QtCore.QThreadPool(self)  # queued and network ops
        self._network.setMaxThreadCount(NETWORK_THREADS)
        self._writes = QtCore.QThreadPool(self)
        self._writes.setMaxThreadCount(1)  # vault writes, one at a time
        self._pending: set[_Relay] = set()
        self._writing: set[_Relay] = set()  # those in (or queued for) the write worker
        self._queues = _Queues(self._network)
        self._shut = False  # see shutdown


    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def writes_pending(self) -> bool:
        """A ``writes=True`` op has not delivered its result yet."""
        return bool(self._writing)

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], *, writes: bool = False,
            queue: str | None = None, network: bool = False, keep: bool = False) -> None:
        """Run ``fn`` in a worker; then ``on_success(result)`` or ``on_failure(exc)`` on
        the GUI thread. ``writes``: in the single write worker. ``queue``: once every
        op submitted earlier with the same name has finished (in the network pool).
        ``network``: an unqueued op that talks to an exchange (the network pool).
        ``keep``: a queued op that ``drop_queued`` leaves in its queue."""
        if writes and (queue is not None or network):
            raise ValueError("an op goes to the write worker or to the network, not both")
        if self._shut:
            return  # the window is closed: its callbacks must never run (see shutdown)
        relay = _Relay()  # created here, so it belongs to the GUI thread

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._pending.discard(relay)
            self._writing.discard(relay)
            if not self._pending:
                self.busy_changed.emit(False)
            callback(value)

        relay.succeeded.connect(lambda value: finish(on_success, value))
        relay.failed.connect(lambda exc: finish(on_failure, exc))
        was_idle = not self._pending
        self._pending.add(relay)
        if writes:
            self._writing.add(relay)
        if was_idle:
            self.busy_changed.emit(True)
        if queue is not None:
            self._queues.submit(queue, fn, relay, keep=keep)
        else:
            pool = self._writes if writes else self._network if network else self._general
            pool.start(_Task(fn, relay))

    def drop_queued(self) -> int:
        """Forget the queued ops not started yet (but those submitted with ``keep``):
        their callbacks never run. How many were dropped."""
        dropped = self._queues.drop_waiting()
        for relay in dropped:
            self._pending.discard(relay)
        if dropped and not self._pending:
            self.busy_changed.emit(False)
        return len(dropped)

    def shutdown(self, msecs: int = 30_000) -> bool:
        """Wait for every op started, and start none from now on (``run`` ignores them).

        The pools are Qt children of this runner: when its owner is destroyed, each
        pool's destructor waits for its workers *holding the interpreter lock*. A worker
        starting an op submitted after the owner closed (a field's ``editingFinished``
        fired by the close itself, a timer) needs that lock to call into Python, so the
        two would wait for each other for good. Closing with ``shutdown`` leaves the
        pools nothing to wait for. ``reopen`` undoes it (a window shown again)."""
        self._shut = True
        return self.wait_idle(msecs)

    def reopen(self) -> None:
        self._shut = False

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until every worker finished (used at exit and in tests)."""
        return (self._general.waitForDone(msecs) and self._network.waitForDone(msecs)
                and self._writes.waitForDone(msecs))
