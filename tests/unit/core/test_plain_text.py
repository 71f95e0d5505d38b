"""plain_text: which characters are unsafe on a terminal, and how they are printed."""

from __future__ import annotations

import pytest

from vault_app.core.plain_text import BIDI_CONTROLS, any_unsafe, escape, first_unsafe


def test_safe_text_is_returned_unchanged() -> None:
    text = "Binance main — 主账户 ключ \\x1b"
    assert escape(text) is text
    assert first_unsafe(text) is None


def test_controls_and_bidi_are_escaped_visibly() -> None:
    assert escape("a\x1b[2Jb\x07\x7f\x9b\u202ec") == "a\\x1b[2Jb\\x07\\x7f\\x9b\\u202ec"
    assert escape("x\ud800y") == "x\\ud800y"  # a lone surrogate cannot even be printed


@pytest.mark.parametrize("char", list(BIDI_CONTROLS))
def test_every_bidi_control_is_escaped(char: str) -> None:
    assert escape(char) == f"\\u{ord(char):04x}"


def test_keep_leaves_line_feeds_and_tabs() -> None:
    assert escape("a\n\tb\x1b", keep="\n\t") == "a\n\tb\\x1b"
    assert escape("a\n\tb") == "a\\x0a\\x09b"


def test_notes_allow_line_feeds_tabs_and_bidi_marks_only() -> None:
    assert first_unsafe("a\n\tb \u200f\u200e\u061c", notes=True) is None
    assert first_unsafe("a\rb", notes=True) == "\r"
    assert first_unsafe("a\u202eb", notes=True) == "\u202e"
    assert first_unsafe("a\u200fb") == "\u200f"  # but not in a label or tag


def test_escape_json_keeps_the_value_and_hides_what_a_terminal_acts_on() -> None:
    import json

    from vault_app.core.plain_text import escape_json

    value = {"label\u202e": "a\x9b2Jb\x85c\u2066d\u200fe\x7ff \\u202e é"}
    text = escape_json(json.dumps(value, ensure_ascii=False))
    assert not any(c in text for c in "\x9b\x85\u202e\u2066\u200f\x7f")
    assert "é" in text  # other text stays readable
    assert json.loads(text) == value


def test_any_unsafe_looks_at_every_text() -> None:
    assert not any_unsafe(["bot 1", "okx", "read,trade", "live", "مرحبا"])
    assert any_unsafe(["bot 1", "okx", "a\x1b[2J", "live"])
    assert any_unsafe(["x", "\u202e"])
    assert not any_unsafe([])
