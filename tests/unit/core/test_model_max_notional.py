"""The per-key risk guard ``max_notional``: parsing, editing and merging (issue 8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import make_entry
from vault_app.core.edits import FIELD_TITLES, changed_fields, merge_edit
from vault_app.core.errors import EditConflict, ValidationError
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import (
    EDITABLE_FIELDS,
    MAX_NOTIONAL_DIGITS,
    edit_entry,
    format_notional,
    notional_text_ok,
    parse_max_notional,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("1000", "1000"),
    ("2500.50", "2500.5"),
    ("  750 ", "750"),
    ("0.25", "0.25"),
    ("007", "7"),
    (".5", "0.5"),
    ("5.", "5"),
    ("100.000", "100"),
    ("0.00000001", "0.00000001"),
    ("1" + "0" * 35, "1" + "0" * 35),
    (Decimal("1E+3"), "1000"),
    (Decimal("2500.50"), "2500.5"),
])
def test_a_max_notional_is_parsed_to_its_canonical_value(text: str | Decimal,
                                                         expected: str) -> None:
    value = parse_max_notional(text)
    assert value == Decimal(expected)
    assert format_notional(value) == expected  # never an exponent (str() gives 1E-8)
    assert notional_text_ok(format_notional(value))  # what the file accepts


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_means_no_limit(text: str | None) -> None:
    assert parse_max_notional(text) is None


@pytest.mark.parametrize(("text", "why"), [
    ("-5", "negative"),
    ("-0.1", "negative"),
    ("0", "more than zero"),
    ("0.000", "more than zero"),
    ("NaN", "finite"),
    ("nan", "finite"),
    ("Infinity", "finite"),
    ("inf", "finite"),
    ("1e3", "digits and at most one point"),
    ("1E3", "digits and at most one point"),
    ("+5", "digits and at most one point"),
    ("1,000", "digits and at most one point"),
    ("1_000", "digits and at most one point"),
    ("1 000", "digits and at most one point"),
    ("1.2.3", "digits and at most one point"),
    (".", "digits and at most one point"),
    ("ten", "digits and at most one point"),
    ("\uff15", "digits and at most one point"),  # a fullwidth 5: Decimal would take it
    ("9" * (MAX_NOTIONAL_DIGITS + 1), "more than 36 digits"),
    ("0." + "0" * 35 + "1", "more than 36 digits"),
    (Decimal("NaN"), "finite"),
    (Decimal("-Infinity"), "finite"),
    (Decimal("-3"), "negative"),
    (Decimal(0), "more than zero"),
    (Decimal("1E+999999999"), "more than 36 digits"),  # never formatted in full
    (1000, "must be text"),
    (1000.5, "must be text"),
])
def test_a_bad_max_notional_is_refused_naming_the_field(text: object, why: str) -> None:
    with pytest.raises(ValidationError, match=why) as info:
        parse_max_notional(text)  # type: ignore[arg-type]
    assert info.value.field == "max_notional"
    assert "leave it empty for no limit" in str(info.value)


def test_new_entry_takes_a_max_notional() -> None:
    assert make_entry().max_notional is None
    entry = make_entry(max_notional="2500.50")
    assert entry.max_notional == Decimal("2500.5")
    with pytest.raises(ValidationError) as info:
        make_entry(max_notional="-1")
    assert info.value.field == "max_notional"


def test_max_notional_is_editable_and_empty_text_clears_it() -> None:
    catalog = load_catalog()
    assert "max_notional" in EDITABLE_FIELDS and "max_notional" in FIELD_TITLES
    entry = make_entry()
    limited = edit_entry(entry, {"max_notional": "1000"}, catalog)
    assert limited.max_notional == Decimal("1000")
    assert limited.rotated_at == entry.rotated_at  # not a credential change
    assert edit_entry(limited, {"max_notional": ""}, catalog).max_notional is None
    assert edit_entry(limited, {"notes": "x"}, catalog).max_notional == Decimal("1000")
    with pytest.raises(ValidationError) as info:
        edit_entry(limited, {"max_notional": "1e3"}, catalog)
    assert info.value.field == "max_notional"


def test_a_form_that_does_not_touch_max_notional_keeps_it() -> None:
    """The GUI form has no max_notional field yet: its values leave the limit alone."""
    entry = make_entry(max_notional="1000")
    values = {"label": entry.label, "notes": "changed", "rotate_days": entry.rotate_days}
    changes = changed_fields(entry, values)
    assert changes == {"notes": "changed"}
    assert edit_entry(entry, changes, load_catalog()).max_notional == Decimal("1000")


def test_the_same_amount_written_differently_is_no_change() -> None:
    entry = make_entry(max_notional="2500.5")
    assert changed_fields(entry, {"max_notional": "2500.50"}) == {}
    assert changed_fields(entry, {"max_notional": ""}) == {"max_notional": None}
    assert changed_fields(entry, {"max_notional": "oops"}) == {"max_notional": "oops"}


def test_max_notional_merges_like_any_field() -> None:
    base = make_entry(max_notional="1000")
    theirs = edit_entry(base, {"notes": "theirs"}, load_catalog())
    # Changed only in the edit: applied; the disk's notes survive.
    assert merge_edit(base, {"max_notional": "500"}, theirs) == {
        "max_notional": Decimal("500")}
    # Changed only on disk: the edit of another field keeps the disk's limit.
    limited = edit_entry(base, {"max_notional": "200"}, load_catalog())
    assert merge_edit(base, {"notes": "mine"}, limited) == {"notes": "mine"}
    # Changed on both sides: a conflict, resolvable either way.
    with pytest.raises(EditConflict) as info:
        merge_edit(base, {"max_notional": "500"}, limited)
    (conflict,) = info.value.conflicts
    assert (conflict.name, conflict.title) == ("max_notional", "Max order notional")
    assert (conflict.base, conflict.mine, conflict.theirs) == (
        Decimal("1000"), Decimal("500"), Decimal("200"))
    assert merge_edit(base, {"max_notional": "500"}, limited,
                      {"max_notional": "mine"}) == {"max_notional": Decimal("500")}
    assert merge_edit(base, {"max_notional": "500"}, limited,
                      {"max_notional": "theirs"}) == {}
