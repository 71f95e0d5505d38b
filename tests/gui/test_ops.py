"""The op helper hands failures to the GUI thread without their tracebacks.

A traceback's frames keep the op's locals alive (the master password, the
decrypted payload) for as long as the GUI holds the exception.
"""

from __future__ import annotations

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
