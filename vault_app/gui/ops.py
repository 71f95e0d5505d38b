"""Background work with results delivered on the GUI thread (after Anki's QueryOp).

``run_op(fn, on_success, on_failure)`` runs ``fn`` in a worker thread. Exactly
one of the callbacks then runs on the GUI thread with the result or the
exception. ``fn`` must never touch a widget. Vault writes use ``writes=True``:
they go through a pool of one thread, so they happen one at a time, in order. Ops
given the same ``queue`` name (a trading key's id: its ``TradingSession`` is not
thread-safe) run one at a time too, in the order they were submitted, each once the
previous one has finished; ops of other queues and unqueued ops run beside them.

Argon2 (0.5 s) and network calls run here; the UI thread never blocks on them.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from vault_app.gui.qt import QtCore, Signal


class _Relay(QtCore.QObject):
    """Lives on the GUI thread; its signals cross back from the worker."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QtCore.QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay,
                 then: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.then = then  # a queue's next op, started from this worker once it is done
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

    def submit(self, name: str, fn: Callable[[], Any], relay: _Relay) -> None:
        task = _Task(fn, relay, then=lambda: self._next(name))
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


class OpRunner(QtCore.QObject):
    """Owns the worker pools and keeps each pending op's relay alive."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._general = QtCore.QThreadPool(self)
        self._general.setMaxThreadCount(4)
        self._writes = QtCore.QThreadPool(self)
        self._writes.setMaxThreadCount(1)  # vault writes, one at a time
        self._pending: set[_Relay] = set()
        self._writing: set[_Relay] = set()  # those in (or queued for) the write worker
        self._queues = _Queues(self._general)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def writes_pending(self) -> bool:
        """A ``writes=True`` op has not delivered its result yet."""
        return bool(self._writing)

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], *, writes: bool = False,
            queue: str | None = None) -> None:
        """Run ``fn`` in a worker; then ``on_success(result)`` or ``on_failure(exc)`` on
        the GUI thread. ``writes``: in the single write worker. ``queue``: once every
        op submitted earlier with the same name has finished."""
        if writes and queue is not None:
            raise ValueError("an op goes to the write worker or to a queue, not both")
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
            self._queues.submit(queue, fn, relay)
        else:
            (self._writes if writes else self._general).start(_Task(fn, relay))

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until every worker finished (used at exit and in tests)."""
        return self._general.waitForDone(msecs) and self._writes.waitForDone(msecs)
