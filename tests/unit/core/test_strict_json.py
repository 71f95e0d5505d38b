"""The strict JSON reader shared by the vault payload and the journal (spec 6.1, 9.5)."""

from __future__ import annotations

import pytest

from vault_app.core import strict_json
from vault_app.core.strict_json import MAX_DEPTH, NotJson, may_be_too_deep, parse, too_deep
from vault_app.trading.journal_format import decode_record


def nested(levels: int) -> bytes:
    """A scalar inside ``levels`` objects: the scalar is at depth ``levels + 1``."""
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.mark.parametrize(("levels", "deep"), [(MAX_DEPTH - 1, False), (MAX_DEPTH, True)])
def test_the_depth_limit_is_exact(levels: int, deep: bool) -> None:
    text = nested(levels)
    document = parse(text)
    assert (may_be_too_deep(text) and too_deep(document)) is deep


def test_the_cheap_test_never_clears_a_document_that_is_too_deep() -> None:
    for levels in range(1, MAX_DEPTH + 3):
        for text in (nested(levels), b"[" * levels + b"0" + b"]" * levels,
                     b"[" * levels + b"]" * levels):
            document = parse(text)
            if too_deep(document):
                assert may_be_too_deep(text), text


@pytest.mark.parametrize(("levels", "verdict"), [
    (MAX_DEPTH - 1, dict), (MAX_DEPTH, str)])
def test_a_journal_record_nested_one_level_too_deep_is_refused(levels: int,
                                                              verdict: type) -> None:
    assert isinstance(decode_record(nested(levels)), verdict)


@pytest.mark.parametrize(("text", "reason"), [
    (b'{"a":1,"a":2}', "two members with the same name"),
    (b'{"a":NaN}', "NaN is not JSON"),
    (b'{"a":' + b"1" * 65 + b"}", "too long"),
    (b'{"a":1e400}', "too long or too large"),
    (b"\xef\xbb\xbf{}", "not UTF-8 JSON"),
    (b'{"a":"\\ud800"}', "lone surrogate"),
    (b'{"a":"\xff"}', "not UTF-8"),
])
def test_each_rule_has_its_reason(text: bytes, reason: str) -> None:
    with pytest.raises(NotJson, match=reason):
        strict_json.parse(text)
