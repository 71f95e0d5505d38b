"""The confirmation question on a terminal: what was typed before it is shown is dropped;
the answer typed after it is read. A pseudo-terminal stands for the user's terminal."""

from __future__ import annotations

import os
import pty
import threading

import pytest

from vault_app.cli.prompter import Prompter


def ask(typed_ahead: bytes, answer: bytes) -> tuple[str, list[bool]]:
    """Confirm on a pty: ``typed_ahead`` is typed before the question, ``answer`` once it
    is shown (the question goes to a pipe, read here until it is whole)."""
    master, slave = pty.openpty()
    question_r, question_w = os.pipe()
    answers: list[bool] = []
    shown = b""
    try:
        with open(slave, encoding="utf-8") as terminal, \
                open(question_w, "w", encoding="utf-8") as stderr:
            prompter = Prompter(terminal, stderr)
            assert prompter.interactive
            if typed_ahead:
                os.write(master, typed_ahead)
            asking = threading.Thread(
                target=lambda: answers.append(prompter.confirm("Send?")))
            asking.start()
            while b"[y/N]" not in shown:
                chunk = os.read(question_r, 100)
                assert chunk, "the question was never asked"
                shown += chunk
            os.write(master, answer)
            asking.join(timeout=30)
            assert not asking.is_alive()
    finally:
        os.close(question_r)
        os.close(master)
    return shown.decode(), answers


def test_a_y_typed_before_the_question_is_discarded() -> None:
    shown, answers = ask(b"y\n", b"n\n")
    assert shown == "Send? [y/N] "
    assert answers == [False]


@pytest.mark.parametrize(("answer", "expected"), [(b"y\n", True), (b"YES\n", True),
                                                  (b"\n", False), (b"no\n", False)])
def test_the_answer_after_the_question_decides(answer: bytes, expected: bool) -> None:
    assert ask(b"", answer)[1] == [expected]
