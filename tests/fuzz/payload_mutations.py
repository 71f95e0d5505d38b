"""Hostile payloads: a valid payload tree mutated by grammar, then laid out as text.

``generate`` picks a real payload (``corpus.bases``), applies one to three tree
mutations (wrong types, missing and extra keys, deep nesting, hostile strings
and numbers, timestamp variants, duplicate names, ...), writes the tree in a
random layout and sometimes mutates the bytes (BOM, invalid UTF-8, flips).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from tests.fuzz import corpus
from tests.fuzz.jsontext import Pairs, Raw, encode, write

ENTRY_KEYS = (
    "id", "label", "exchange", "credentials", "permissions", "ip_whitelist", "environment",
    "api_url", "created_at", "rotated_at", "updated_at", "last_used_at", "rotate_days", "notes",
    "tags", "max_notional",
)
TIMESTAMP_KEYS = ("created_at", "rotated_at", "updated_at", "last_used_at")

WRONG_TYPES: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 2**63, 1.5, "", "x", "read", "custom", [], {}, ["read"],
    [None], {"a": "b"}, {"apiKey": 1}, [[]], Raw("-0"), Raw("1e0"), Raw("1.0"),
)

HOSTILE_STRINGS = (
    r'"\ud800"', r'"\udfff"', r'"a\ud800b"', r'"\udc00\ud800"', r'"\ud83d\ude00"',
    r'"\ud83d"', r'"\ude00x"', r'"\u0000"', r'"\u001b[31mred\u001b[0m"', r'"\u202eevil"',
    r'"\/\b\f\n\r\t"', r'"\x41"', r'"\u12"', r'"\uZZZZ"', r'"\'"', '"\x01"', '"\t"',
    '"\x7f"', r'"\ufeff"', r'"\ufffe\uffff"', r'"\udbff\udfff"', '"\u2028\u2029"',
    '"\u0085"', '"unterminated', '"' + "a" * 100_000 + '"', '"' + "é" * 20_000 + '"',
    '""', '" "', r'"\\"', r'"\"',
)
SURROGATE_TEXT = ("\ud800", "x\udfff", "\udbff", "a\udc00b")

HOSTILE_NUMBERS = (
    "1e400", "-1e400", "1" + "0" * 5000, "-" + "9" * 5000, "1" + "0" * 4299, "-0", "0.0",
    "-0.0", "1.0", "1e0", "1E0", "1e-400", "NaN", "Infinity", "-Infinity", "nan", "inf",
    "01", "+1", ".5", "1.", "0x10", "1_0", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "3650", "3651", "0", "1", "2", "1e3", "3.65e3", "90.0", "-1",
    "1e", "--1", "1.5e308", "4.9e-324",
)

TIMESTAMPS = (
    "2024-01-02T03:04:05Z", "2024-01-02t03:04:05z", "2024-01-02T03:04:05z",
    "2024-01-02t03:04:05Z", "2024-01-02 03:04:05Z", "2024-01-02T03:04:05+00:00",
    "2024-01-02T03:04:05-00:00", "2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05.1Z",
    "2024-01-02T03:04:05.123456789Z", "2024-01-02T03:04:05,5Z", "2024-01-02T03:04:05",
    "2024-01-02", "2024-01-02T03:04Z", "2024-01-02T03Z", "20240102T030405Z",
    "2024-01-02T03:04:05+01:00", "2024-01-02T03:04:05+0100", "2024-01-02T03:04:05+01",
    "2024-01-02T03:04:05+23:59", "2024-01-02T03:04:05+24:00", "2024-01-02T03:04:05-23:59",
    "2024-01-02T03:04:05+00:00:30", "2024-01-02T03:04:05.5+05:30",
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "0001-01-01T00:00:00-00:01",
    "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-00:01", "9999-12-31T23:59:59+00:01",
    "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2024-02-30T00:00:00Z",
    "2023-02-29T00:00:00Z", "2024-01-02T24:00:00Z", "2016-12-31T23:59:60Z",
    "2024-13-01T00:00:00Z", "2024-01-02T03:04:05ZZ", " 2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05Z ", "２０２４-01-02T03:04:05Z", "2024-01-02T03:04:05\u0000Z",
    "2024-W01-1T00:00:00Z", "2024-002T00:00:00Z", "", "Z", "now", "1704164645",
)

ENV_COMBOS = (
    ("custom", None), ("custom", ""), ("custom", "https://x.test"), ("live", "https://x.test"),
    ("sandbox", None), ("live", None), ("LIVE", None), ("", None), ("custom ", "https://x.test"),
)
PERMISSION_VALUES: tuple[Any, ...] = (
    [], ["read", "read"], ["Read"], ["admin"], ["read", "trade", "withdraw", "read"],
    ["read", None], "read", [["read"]], ["withdraw"],
)
DEPTHS = (2, 10, 100, 500, 900, 990, 1000, 1100, 5000, 20_000, 100_000)
NAMES = ("x_new", "", "id", "schema", "entries", "__proto__", "\u0000", "é", "x" * 1000)

Location = tuple[Any, Any]  # (container, key or index)


def _locations(value: Any, out: list[Location]) -> list[Location]:
    if isinstance(value, dict):
        for key, item in value.items():
            out.append((value, key))
            _locations(item, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.append((value, index))
            _locations(item, out)
    return out


def _objects(value: Any, out: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        out.append(value)
        for item in value.values():
            _objects(item, out)
    elif isinstance(value, list):
        for item in value:
            _objects(item, out)
    return out


def _entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    items = doc.get("entries")
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def _pick(rng: random.Random, doc: dict[str, Any], known_only: bool = False) -> Location | None:
    """A place to put a value: a known field (mostly) or anywhere in the tree."""
    entries = _entries(doc)
    roll = rng.random()
    if roll < 0.45 and entries:
        entry = rng.choice(entries)
        return entry, rng.choice(sorted(set(entry) | set(ENTRY_KEYS)))
    if roll < 0.6 and isinstance(doc.get("vault"), dict):
        return doc["vault"], rng.choice(("id", "created_at", "journal_key", "keep_versions",
                                         "x_new"))
    if roll < 0.7 or known_only:
        return doc, rng.choice(("schema", "vault", "entries", "backup"))
    places = _locations(doc, [])
    return rng.choice(places) if places else None


def _set(place: Location | None, value: Any) -> None:
    if place is not None:
        container, key = place
        container[key] = value


def _deep(rng: random.Random) -> Raw:
    depth = rng.choice(DEPTHS)
    shape = rng.choice(("array", "object", "mixed", "unclosed"))
    if shape == "array":
        return Raw("[" * depth + "]" * depth)
    if shape == "object":
        return Raw('{"a":' * depth + "1" + "}" * depth)
    if shape == "mixed":
        return Raw('[{"k":' * depth + "null" + "}]" * depth)
    return Raw("[" * depth)


def _hostile_string(rng: random.Random) -> Any:
    if rng.random() < 0.25:
        return rng.choice(SURROGATE_TEXT)  # written as \\udXXX or as raw bytes
    return Raw(rng.choice(HOSTILE_STRINGS))


def wrong_type(rng: random.Random, doc: dict[str, Any]) -> None:
    _set(_pick(rng, doc), rng.choice(WRONG_TYPES))


def missing_key(rng: random.Random, doc: dict[str, Any]) -> None:
    objects = [o for o in _objects(doc, []) if o]
    entries = [e for e in _entries(doc) if e]
    if rng.random() < 0.6 and entries:
        objects = entries
    target = rng.choice(objects)
    del target[rng.choice(sorted(target))]


def extra_key(rng: random.Random, doc: dict[str, Any]) -> None:
    target = rng.choice(_objects(doc, []))
    value = rng.choice((*WRONG_TYPES, _hostile_string(rng), _deep(rng), "kept"))
    target[rng.choice(NAMES) + (str(rng.randrange(3)) if rng.random() < 0.5 else "")] = value


def deep_nesting(rng: random.Random, doc: dict[str, Any]) -> None:
    if rng.random() < 0.5:
        target = rng.choice(_objects(doc, []))
        target["x_deep"] = _deep(rng)  # an unknown key, which the app keeps
    else:
        _set(_pick(rng, doc), _deep(rng))


def hostile_string(rng: random.Random, doc: dict[str, Any]) -> None:
    entries = _entries(doc)
    if rng.random() < 0.2:  # in a member name
        target = rng.choice(_objects(doc, []))
        target[rng.choice(SURROGATE_TEXT)] = "v"
        return
    if entries and rng.random() < 0.7:
        entry = rng.choice(entries)
        key = rng.choice(("label", "label", "notes", "id", "exchange", "credentials", "tags",
                          "ip_whitelist", "api_url"))
        value = _hostile_string(rng)
        if key == "credentials":
            _set((entry, key), {"apiKey": value, "secret": "s"})
        elif key in ("tags", "ip_whitelist"):
            _set((entry, key), [value])
        else:
            _set((entry, key), value)
        return
    _set(_pick(rng, doc), _hostile_string(rng))


def hostile_number(rng: random.Random, doc: dict[str, Any]) -> None:
    entries = _entries(doc)
    value = Raw(rng.choice(HOSTILE_NUMBERS))
    roll = rng.random()
    if roll < 0.35:
        doc["schema"] = value
    elif roll < 0.5 and entries:
        rng.choice(entries)["rotate_days"] = value
    elif roll < 0.55 and isinstance(doc.get("vault"), dict):
        doc["vault"]["keep_versions"] = value
    elif roll < 0.7 and entries:  # as a number, or as the string max_notional must be
        text = value.text if rng.random() < 0.3 else '"' + value.text + '"'
        rng.choice(entries)["max_notional"] = Raw(text)
    else:
        _set(_pick(rng, doc), value)


def timestamp(rng: random.Random, doc: dict[str, Any]) -> None:
    entries = _entries(doc)
    value = rng.choice(TIMESTAMPS)
    if entries and rng.random() < 0.75:
        rng.choice(entries)[rng.choice(TIMESTAMP_KEYS)] = value
    elif isinstance(doc.get("vault"), dict):
        doc["vault"]["created_at"] = value


def environment(rng: random.Random, doc: dict[str, Any]) -> None:
    entries = _entries(doc)
    if not entries:
        return wrong_type(rng, doc)
    entry = rng.choice(entries)
    if rng.random() < 0.6:
        entry["environment"], entry["api_url"] = rng.choice(ENV_COMBOS)
    else:
        entry["permissions"] = copy.deepcopy(rng.choice(PERMISSION_VALUES))
    return None


def duplicate_name(rng: random.Random, doc: dict[str, Any]) -> None:
    """Rewrite one object as ``Pairs`` holding a member name twice."""
    entries = _entries(doc)
    candidates: list[Location] = [(None, None)]
    if entries:
        candidates += [(doc["entries"], i) for i, e in enumerate(doc["entries"])
                       if isinstance(e, dict)]
    if isinstance(doc.get("vault"), dict):
        candidates.append((doc, "vault"))
    container, key = rng.choice(candidates)
    target = doc if container is None else container[key]
    items = list(target.items())
    if not items:
        return
    index = rng.randrange(len(items))
    name, value = items[index]
    other = rng.choice((*WRONG_TYPES, value, "dup"))
    if name == "schema":
        other = rng.choice((1, 2, 0))
    twin = (name, other)
    items.insert(index + 1 if rng.random() < 0.5 else index, twin)
    pairs = Pairs(tuple(items))
    if container is None:
        doc.clear()
        doc["__pairs__"] = pairs  # unwrapped by ``_finish``
    else:
        container[key] = pairs


def entries_shape(rng: random.Random, doc: dict[str, Any]) -> None:
    entries = doc.get("entries")
    first = entries[0] if isinstance(entries, list) and entries else {}
    doc["entries"] = rng.choice((
        {"0": first}, first, "[]", None, 0, [None], [[]], [1], ["entry"], Raw("[,]"),
        Raw("[1,]"), [first, first], Raw("[" + "{},\n" * 3 + "{}]"),
    ))


def top_level(rng: random.Random, doc: dict[str, Any]) -> None:
    whole = dict(doc)
    doc.clear()
    doc["__pairs__"] = rng.choice((
        [whole], "text", None, 1, Raw("[]"), Raw(""), Raw("{}"), Raw("{} {}"),
    ))


def valid_layout(rng: random.Random, doc: dict[str, Any]) -> None:
    """No change: only the layout differs (must open, like any valid JSON)."""


TREE_MUTATIONS: tuple[Callable[[random.Random, dict[str, Any]], None], ...] = (
    wrong_type, wrong_type, missing_key, extra_key, deep_nesting, hostile_string,
    hostile_string, hostile_number, timestamp, timestamp, environment, duplicate_name,
    entries_shape, top_level, valid_layout, valid_layout,
)

BAD_UTF8 = (b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\x80",
            b"\xf0\x9f\x98", b"\xc3")


def _bytes_mutation(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    roll = rng.randrange(8)
    if roll == 0:
        return "bom", rng.choice((b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf")) + data
    if roll == 1:
        return "bom-utf16", rng.choice((b"\xff\xfe", b"\xfe\xff")) + data
    if roll == 2:  # inside a string literal if there is one
        quote = data.find(b'"', rng.randrange(max(1, len(data))))
        at = quote + 1 if quote >= 0 else rng.randrange(len(data) + 1)
        return "invalid-utf8", data[:at] + rng.choice(BAD_UTF8) + data[at:]
    if roll == 3:
        return "utf16", data.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass")
    if roll == 4 and data:
        at = rng.randrange(len(data))
        return "byte-flip", data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if roll == 5 and data:
        return "truncated", data[: rng.randrange(len(data))]
    if roll == 6:
        return "trailing", data + rng.choice((b" ", b"\n", b"\x00", b"x", b"{}", b"\r\n\t "))
    return "leading", rng.choice((b" ", b"\n\r\t", b"\x00", b"\x0b")) + data


def _finish(doc: dict[str, Any]) -> Any:
    return doc["__pairs__"] if list(doc) == ["__pairs__"] else doc


def generate(rng: random.Random) -> tuple[str, bytes]:
    """One hostile payload: (what was done, plaintext bytes)."""
    base = rng.choice(corpus.bases()[:3] + corpus.bases()[4:]) if rng.random() < 0.95 \
        else corpus.bases()[3]
    doc = copy.deepcopy(base.document)
    names = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        if list(doc) == ["__pairs__"]:
            break
        mutation = rng.choice(TREE_MUTATIONS)
        mutation(rng, doc)
        names.append(mutation.__name__)
    layout, text = write(_finish(doc), rng)
    data = encode(text)
    names.append(layout)
    if rng.random() < 0.15:
        name, data = _bytes_mutation(rng, data)
        names.append(name)
    return "+".join(names), data
