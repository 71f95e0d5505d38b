"""Why a payload is not strict RFC 8259 JSON, for the fuzz's informational tally.

Issue 6 asks the spec to say what the reader does with NaN, a BOM, lone
surrogates and duplicate names, and which timestamp forms it accepts. The fuzz
counts the payloads the app *opened* although they are not strict JSON (or hold
a timestamp that is not RFC 3339), so the tally shows the reader's behaviour
before and after the decoder change; it is not counted as a bug.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any


def _no_constants(name: str) -> Any:
    raise ValueError(name)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise KeyError("duplicate member names")
    return dict(pairs)


def _oddity(value: Any) -> str | None:
    """A lone surrogate in text, or a number too large for a float."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                return "lone surrogate escape"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return "number overflowing to infinity"
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def why_not_strict(plaintext: bytes) -> str | None:
    """None for strict JSON; else a short reason."""
    if plaintext.startswith(b"\xef\xbb\xbf"):
        return "UTF-8 BOM"
    try:
        text = plaintext.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid UTF-8"
    try:
        value = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_unique)
    except KeyError:
        return "duplicate member names"
    except RecursionError:
        return "nesting deeper than Python's json"
    except ValueError as exc:
        if str(exc) in ("NaN", "Infinity", "-Infinity"):
            return "NaN or Infinity"
        return f"not JSON ({str(exc)[:40]})"
    return _oddity(value) or _timestamp_oddity(value)


RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                     r"([Zz]|[+-][0-9]{2}:[0-9]{2})", re.ASCII)
TIMESTAMP_KEYS = ("created_at", "rotated_at", "updated_at", "last_used_at")


def _timestamp_oddity(value: Any) -> str | None:
    """A timestamp the app accepted that is not an RFC 3339 date-time."""
    if not isinstance(value, dict):
        return None
    vault, entries = value.get("vault"), value.get("entries")
    stamps = [vault.get("created_at")] if isinstance(vault, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            stamps += [entry.get(key) for key in TIMESTAMP_KEYS]
    for stamp in stamps:
        if isinstance(stamp, str) and not RFC3339.fullmatch(stamp):
            return f"timestamp not RFC 3339: {stamp!r}"
    return None
