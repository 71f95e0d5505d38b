"""Background work with results delivered on the GUI thread (after Anki's QueryOp).

``run_op(fn, on_success, on_failure)`` runs ``fn`` in a worker thread. Exactly
one of the callbacks then runs on the GUI thread with the result or the
exception. ``fn`` must never touch a widget. Vault writes use ``writes=True``:
they go through a pool of one thread, so they happen one at a time, in order.

Argon2 (0.5 s) and network calls run here; the UI thread never blocks on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vault_app.gui.qt import QtCore, Signal


class _Relay(QtCore.QObject):
    """Lives on the GUI thread; its signals cross back from the worker."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Task(QtCore.QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.fn = fn
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as exc:  # every failure goes back to the GUI thread
            self.relay.failed.emit(_without_tracebacks(exc))
        else:
            self.relay.succeeded.emit(result)


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

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def writes_pending(self) -> bool:
        """A ``writes=True`` op has not delivered its result yet."""
        return bool(self._writing)

    def run(self, fn: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None], *, writes: bool = False) -> None:
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
        (self._writes if writes else self._general).start(_Task(fn, relay))

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until every worker finished (used at exit and in tests)."""
        return self._general.waitForDone(msecs) and self._writes.waitForDone(msecs)
