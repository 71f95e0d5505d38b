"""Closing an owner of the op helper never hangs destroying it.

The worker pools are Qt children of the runner. Destroying them waits for their
workers while holding the interpreter lock; a worker starting an op needs that lock to
call into Python. An op submitted after the close (a field's ``editingFinished``
fired by the close itself) made the two wait for each other for good: a GUI test run
hung in ``QThreadPool::~QThreadPool`` under ``QWidget::~QWidget`` (seen with gdb).
A hang cannot be interrupted from inside the process, so the scene runs in a child
process with a time limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO

SCENE = textwrap.dedent("""
    import threading, time
    from vault_app.gui.qt import QtCore, QtWidgets
    from vault_app.gui.ops import OpRunner

    app = QtWidgets.QApplication([])
    owner = QtWidgets.QWidget()
    ops = OpRunner(owner)
    ran = []
    ops.run(lambda: ran.append(1), lambda _r: None, lambda _e: None)
    assert ops.shutdown(10_000) and ran == [1]
    QtCore.QCoreApplication.processEvents()  # its result delivered: nothing pending
    assert not ops.busy
    started = threading.Event()

    def late() -> None:  # submitted after the close: must never start
        started.set()
        time.sleep(0.5)

    ops.run(late, lambda _r: None, lambda _e: None)
    assert not ops.busy
    owner.deleteLater()  # the pools' destructors run here, on the UI thread
    QtCore.QCoreApplication.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    assert not started.is_set()
    print("closed")
""")


def test_an_op_submitted_after_shutdown_never_starts_and_destroying_never_hangs() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", SCENE], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "closed"


def test_a_window_shown_again_runs_ops_again(qtbot: object) -> None:
    from vault_app.gui.ops import OpRunner
    from vault_app.gui.qt import QtWidgets

    owner = QtWidgets.QWidget()
    ops = OpRunner(owner)
    ops.shutdown()
    ops.reopen()
    results: list[int] = []
    ops.run(lambda: 7, results.append, lambda _e: None)
    assert ops.wait_idle(10_000)
    from vault_app.gui.qt import QtCore

    deadline = QtCore.QDeadlineTimer(10_000)
    while not results and not deadline.hasExpired():
        QtCore.QCoreApplication.processEvents()
    assert results == [7]
