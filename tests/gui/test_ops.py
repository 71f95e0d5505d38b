"""The op helper hands failures to the GUI thread without their tracebacks, and runs the
ops of one queue one at a time, in order.

A traceback's frames keep the op's locals alive (the master password, the
decrypted payload) for as long as the GUI holds the exception.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from vault_app.core.errors import WrongPassword
from vault_app.gui.ops import OpRunner

SIGNAL_TIMEOUT = 10_000


def test_a_failure_reaches_the_callback_without_tracebacks(qtbot: QtBot) -> None:
    runner = OpRunner()
    delivered: list[BaseException] = []

    def work() -> None:
        password = "correct horse battery staple"  # a local the frames would keep
        try:
            raise KeyError(password[:0])
        except KeyError as inner:
            raise WrongPassword("wrong password") from inner

    runner.run(work, lambda _result: None, delivered.append)
    qtbot.waitUntil(lambda: bool(delivered), timeout=SIGNAL_TIMEOUT)
    [exc] = delivered
    assert isinstance(exc, WrongPassword)
    assert exc.__traceback__ is None
    assert isinstance(exc.__cause__, KeyError)
    assert exc.__cause__.__traceback__ is None
    assert runner.wait_idle(10_000)


def test_a_result_is_still_delivered(qtbot: QtBot) -> None:
    runner = OpRunner()
    delivered: list[object] = []
    runner.run(lambda: 42, delivered.append, lambda exc: delivered.append(exc))
    qtbot.waitUntil(lambda: bool(delivered), timeout=SIGNAL_TIMEOUT)
    assert delivered == [42]
    assert runner.wait_idle(10_000)


def test_ops_of_one_queue_run_one_at_a_time_in_submission_order(qtbot: QtBot) -> None:
    """A TradingSession is not thread-safe: its ops never overlap, and keep their order,
    while another queue's ops run beside them."""
    runner = OpRunner()
    lock = threading.Lock()
    running: dict[str, int] = {"a": 0, "b": 0}
    overlaps: list[str] = []
    started: list[str] = []
    gate = threading.Event()  # holds the first op of "a" until "b" has run

    def op(queue: str, index: int) -> Callable[[], str]:
        def work() -> str:
            with lock:
                running[queue] += 1
                if running[queue] > 1:
                    overlaps.append(f"{queue}{index}")
                started.append(f"{queue}{index}")
            if (queue, index) == ("a", 0):
                assert gate.wait(10)
            time.sleep(0.002)  # widen the window an overlap would need
            with lock:
                running[queue] -= 1
            return f"{queue}{index}"
        return work

    delivered: list[str] = []
    for index in range(8):
        runner.run(op("a", index), delivered.append, lambda exc: delivered.append(repr(exc)),
                   queue="a")
    def b_done(value: str) -> None:
        delivered.append(value)
        gate.set()

    runner.run(op("b", 0), b_done, lambda exc: delivered.append(repr(exc)), queue="b")
    qtbot.waitUntil(lambda: len(delivered) == 9, timeout=SIGNAL_TIMEOUT)
    assert overlaps == []
    assert delivered[0] == "b0"  # not held up behind queue "a"
    assert [name for name in delivered if name.startswith("a")] == [f"a{i}" for i in range(8)]
    assert [name for name in started if name.startswith("a")] == [f"a{i}" for i in range(8)]
    assert runner.wait_idle(10_000)
    assert not runner.busy


def test_a_failing_op_does_not_stop_its_queue(qtbot: QtBot) -> None:
    runner = OpRunner()
    delivered: list[object] = []

    def fail() -> None:
        raise ValueError("no")

    runner.run(fail, delivered.append, delivered.append, queue="k")
    runner.run(lambda: "next", delivered.append, delivered.append, queue="k")
    qtbot.waitUntil(lambda: len(delivered) == 2, timeout=SIGNAL_TIMEOUT)
    assert isinstance(delivered[0], ValueError)
    assert delivered[1] == "next"
    assert runner.wait_idle(10_000)


def test_wait_idle_waits_for_the_ops_still_queued(qtbot: QtBot) -> None:
    """Closing the window waits for every op; a queued op still waiting counts."""
    runner = OpRunner()
    done: list[int] = []
    gate = threading.Event()
    runner.run(lambda: gate.wait(10), lambda _r: None, lambda _e: None, queue="k")
    runner.run(lambda: done.append(1), lambda _r: None, lambda _e: None, queue="k")
    gate.set()
    assert runner.wait_idle(10_000)
    assert done == [1]  # ran in the worker, without the event loop
    qtbot.waitUntil(lambda: not runner.busy, timeout=SIGNAL_TIMEOUT)


def test_hung_network_ops_never_delay_an_unlock(qtbot: QtBot) -> None:
    """r1 11: queued ops of many keys, each stuck on an exchange, and an unqueued
    network op: the general pool (the KDF, the demo's start) still runs at once."""
    runner = OpRunner()
    gate = threading.Event()
    for key in range(6):
        runner.run(lambda: gate.wait(30), lambda _r: None, lambda _e: None, queue=f"k{key}")
    runner.run(lambda: gate.wait(30), lambda _r: None, lambda _e: None, network=True)
    unlocked: list[str] = []
    runner.run(lambda: "vault", unlocked.append, lambda _e: None)
    qtbot.waitUntil(lambda: unlocked == ["vault"], timeout=SIGNAL_TIMEOUT)
    gate.set()
    assert runner.wait_idle(10_000)


def test_drop_queued_forgets_waiting_ops_but_keeps_a_placement(qtbot: QtBot) -> None:
    """On lock and close, reads waiting behind a slow request are forgotten (closing
    never waits for them); an op submitted with ``keep`` (a placement) still runs."""
    runner = OpRunner()
    gate = threading.Event()
    ran: list[str] = []
    delivered: list[object] = []
    runner.run(lambda: gate.wait(30), delivered.append, delivered.append, queue="k")
    runner.run(lambda: ran.append("read"), delivered.append, delivered.append, queue="k")
    runner.run(lambda: ran.append("place"), delivered.append, delivered.append, queue="k",
               keep=True)
    runner.run(lambda: ran.append("other"), delivered.append, delivered.append, queue="j")
    qtbot.waitUntil(lambda: "other" in ran, timeout=SIGNAL_TIMEOUT)  # ran: none waiting
    assert runner.drop_queued() == 1
    gate.set()
    assert runner.wait_idle(10_000)
    assert ran == ["other", "place"]
    qtbot.waitUntil(lambda: not runner.busy, timeout=SIGNAL_TIMEOUT)
    assert len(delivered) == 3  # the slow op, "other" and the placement; never "read"


def test_cyclic_garbage_made_by_workers_is_collected_on_the_ui_thread(qtbot: QtBot) -> None:
    """Collecting Qt's objects in a worker can deadlock against the UI thread (the suite
    hung there once): with an OpRunner, a worker that makes far more cyclic garbage
    than a collection's threshold never collects; the UI thread's timer does."""
    import gc
    import weakref

    from vault_app.gui import ui_thread_gc

    runner = OpRunner()
    assert ui_thread_gc.installed()
    collected_in: list[str] = []

    class Node:
        pass

    def work() -> None:
        for _ in range(gc.get_threshold()[0] * 20):
            node = Node()
            node.me = node  # type: ignore[attr-defined]  # a cycle: only gc frees it
            weakref.finalize(node, lambda: collected_in.append(
                threading.current_thread().name))

    done: list[object] = []
    runner.run(work, done.append, done.append)
    qtbot.waitUntil(lambda: bool(done))
    qtbot.waitUntil(lambda: len(collected_in) > 0, timeout=10_000)
    assert set(collected_in) == {threading.main_thread().name}
    assert runner.wait_idle(10_000)
