"""JSON as spec section 6.1 restricts RFC 8259: one reader for the vault payload and
for the order journal's records (section 9.5), so both give the same verdicts.

``parse`` returns the document or raises ``NotJson`` with a reason for a person;
the callers turn that into their own damage report.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64  # the top-level value is at depth 1
MAX_NUMBER_LENGTH = 64  # characters in one number token


class NotJson(ValueError):
    """Valid for Python's json module, perhaps, but not for the spec; says why."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise NotJson("an object has two members with the same name")
    return obj


def _constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_LENGTH:
        raise NotJson("a number is too long")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_LENGTH or not math.isfinite(value := float(text)):
        raise NotJson("a number is too long or too large")
    return value


DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_constant,
                           parse_int=_int, parse_float=_float)
# The same without the duplicate-name hook (a Python call per object, a fifth of the
# parse): C builds the objects and a duplicate silently keeps its last value, so a
# caller uses it only where it proves the text held no duplicate.
DECODER_NO_PAIRS_HOOK = json.JSONDecoder(parse_constant=_constant, parse_int=_int,
                                         parse_float=_float)
# A \u escape of a UTF-16 surrogate. Paired ones are fine (json joins them); a lone one
# decodes to a str that cannot be encoded as UTF-8, so the text is checked when one occurs.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_CHECK_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def parse(data: bytes, decoder: json.JSONDecoder = DECODER) -> Any:
    """One strict JSON text: UTF-8 with no BOM, unique names, JSON's literals only,
    bounded numbers, no lone surrogate. Nesting is checked by ``too_deep``."""
    try:
        text = data.decode("utf-8")  # strict: no BOM stripping, no surrogates
        document = decoder.decode(text)  # a leading BOM is not JSON whitespace: rejected
        if _SURROGATE_ESCAPE.search(data):
            _CHECK_ENCODER.encode(document).encode("utf-8")  # raises on a lone surrogate
    except RecursionError:
        raise NotJson(f"it nests deeper than {MAX_DEPTH} levels") from None
    except NotJson:
        raise
    except UnicodeError:
        raise NotJson("it is not UTF-8 text (or holds a lone surrogate escape)") from None
    except ValueError:
        raise NotJson("it is not UTF-8 JSON") from None
    return document


def may_be_too_deep(data: bytes) -> bool:
    """False when the text cannot hold a value deeper than MAX_DEPTH, a cheap test
    before ``too_deep`` walks the document: a value at depth d sits inside d - 1
    containers, so MAX_DEPTH brackets are enough to put one at MAX_DEPTH + 1."""
    return data.count(b"{") + data.count(b"[") >= MAX_DEPTH


def too_deep(value: Any, depth: int = 1) -> bool:
    """Whether ``value``, found at ``depth``, holds anything deeper than MAX_DEPTH."""
    stack = [(value, depth)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            return True
        if type(item) is dict:
            stack.extend((child, level + 1) for child in item.values())
        elif type(item) is list:
            stack.extend((child, level + 1) for child in item)
    return False
