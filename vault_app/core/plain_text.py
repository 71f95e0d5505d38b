"""Characters that would let a stored field rewrite the screen it is printed on.

Control characters (C0, DEL, C1) drive terminals: ``ESC [ 2 J`` clears the
screen, ``ESC ] 52`` writes the clipboard. Bidi controls reorder what follows
them, so a label can read differently from what it holds ("Trojan Source").

- Labels and tags must hold none of them (``model.clean_label``, ``parse_tags``).
- Notes may hold line feeds and tabs, and the bidi *marks* (LRM, RLM, ALM) that
  right-to-left writing needs; not the other controls, nor the bidi embeddings,
  overrides and isolates, which reorder text.
- Anything printed to a terminal goes through ``escape``: a file written by
  another program may still hold them, and reading stays lenient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

BIDI_MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM
BIDI_REORDERING = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_CONTROLS = BIDI_REORDERING + BIDI_MARKS

# Lone surrogates too: they cannot be encoded (argv bytes that were not UTF-8).
_SURROGATES = "\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}{_SURROGATES}]")
_UNSAFE_IN_NOTES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_REORDERING}{_SURROGATES}]")


def describe(char: str) -> str:
    """``U+001B`` and, where it helps, its name."""
    names = {"\x1b": "escape", "\x00": "NUL", "\x7f": "DEL", "\u202e": "right-to-left override",
             "\u202d": "left-to-right override", "\r": "carriage return"}
    name = names.get(char)
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def first_unsafe(text: str, *, notes: bool = False) -> str | None:
    """The first forbidden character of a label/tag (or of notes), or None."""
    match = (_UNSAFE_IN_NOTES if notes else _UNSAFE).search(text)
    return match.group() if match else None


def _escaped(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def any_unsafe(texts: Iterable[str]) -> bool:
    """Whether any of ``texts`` holds a character ``escape`` would change: one regex
    search over them all, so a front end printing thousands of fields escapes only
    when it must."""
    return _UNSAFE.search(" ".join(texts)) is not None


def escape(text: str, *, keep: str = "") -> str:
    """``text`` with every control and bidi character shown as ``\\x1b``/``\\u202e``.

    ``keep`` lists characters printed as they are (``"\\n\\t"`` for notes). A
    backslash is left alone: the escapes are for a person to read, not to parse.
    """
    if not _UNSAFE.search(text):
        return text
    return "".join(_escaped(c) if _UNSAFE.match(c) and c not in keep else c for c in text)


_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}]")


def escape_json(text: str) -> str:
    """JSON text with DEL, the C1 controls and the bidi controls written as ``\\uXXXX``.

    JSON escapes the C0 controls itself, but not these, which a terminal acts on
    (U+009B is an 8-bit CSI). Outside strings JSON has none of them, so the
    result is the same JSON value.
    """
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
