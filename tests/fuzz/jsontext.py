"""A JSON writer that can also write what ``json.dumps`` refuses to.

Fuzzed payload trees hold plain JSON values plus two helpers: ``Raw`` (text
written verbatim: ``NaN``, ``1e400``, 100,000 nested brackets, a bad escape)
and ``Pairs`` (an object that may repeat a member name). ``write`` lays the
tree out in one of several styles, among them the app's own one-entry-per-line
layout, so that both of the reader's paths are reached.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Raw:
    text: str


@dataclass(frozen=True)
class Pairs:
    items: tuple[tuple[str, Any], ...]


STYLES = ("app", "app", "app", "compact", "spaced", "pretty", "crlf", "tabs")


@dataclass(frozen=True)
class Style:
    item_sep: str = ","
    key_sep: str = ":"
    indent: str | None = None
    newline: str = "\n"
    ascii_only: bool = False


def _style(name: str, rng: random.Random) -> Style:
    ascii_only = rng.random() < 0.3
    if name == "spaced":
        return Style(", ", ": ", ascii_only=ascii_only)
    if name == "pretty":
        return Style(",", ": ", indent=" " * rng.choice((1, 2, 4)), ascii_only=ascii_only)
    if name == "crlf":
        return Style(",", ": ", indent="  ", newline="\r\n", ascii_only=ascii_only)
    if name == "tabs":
        return Style(" ,\t", "\t:\t", indent="\t", ascii_only=ascii_only)
    return Style(ascii_only=ascii_only)


def _members(value: Any) -> list[tuple[str, Any]]:
    return list(value.items) if isinstance(value, Pairs) else list(value.items())


def _write(value: Any, style: Style, depth: int, out: list[str]) -> None:
    if isinstance(value, Raw):
        out.append(value.text)
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=style.ascii_only))
    elif value is None or isinstance(value, bool | int | float):
        out.append(json.dumps(value))
    elif isinstance(value, list):
        _container("[", "]", [(None, v) for v in value], style, depth, out)
    elif isinstance(value, dict | Pairs):
        _container("{", "}", _members(value), style, depth, out)
    else:
        raise TypeError(type(value))


def _container(open_: str, close: str, items: list[tuple[str | None, Any]], style: Style,
               depth: int, out: list[str]) -> None:
    out.append(open_)
    pad = "" if style.indent is None else style.newline + style.indent * (depth + 1)
    for index, (key, item) in enumerate(items):
        if index:
            out.append(style.item_sep)
        out.append(pad)
        if key is not None:
            out.append(json.dumps(key, ensure_ascii=style.ascii_only) + style.key_sep)
        _write(item, style, depth + 1, out)
    if items and style.indent is not None:
        out.append(style.newline + style.indent * depth)
    out.append(close)


def dumps(value: Any, style: Style) -> str:
    out: list[str] = []
    _write(value, style, 0, out)
    return "".join(out)


def _app_layout(document: Any) -> str | None:
    """``{"schema":..,"vault":..,"entries":[\\n<entry>,\\n<entry>\\n]}`` (spec 6.3)."""
    if not isinstance(document, dict) or list(document) != ["schema", "vault", "entries"] \
            or not isinstance(document["entries"], list):
        return None
    compact = Style()
    head = ('{"schema":' + dumps(document["schema"], compact) + ',"vault":'
            + dumps(document["vault"], compact) + ',"entries":[\n')
    lines = [dumps(entry, compact) for entry in document["entries"]]
    return head + ",\n".join(lines) + ("\n" if lines else "") + "]}"


def write(document: Any, rng: random.Random) -> tuple[str, str]:
    """The document as text in a random layout; returns (layout name, text)."""
    name = rng.choice(STYLES)
    if name == "app":
        text = _app_layout(document)
        if text is not None:
            return name, text
        name = "compact"
    return name, dumps(document, _style(name, rng))


def encode(text: str) -> bytes:
    """UTF-8, letting lone surrogates through as (invalid) 3-byte sequences."""
    return text.encode("utf-8", "surrogatepass")
