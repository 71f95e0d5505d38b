"""A cut-off PEM key is refused before it is stored; whole keys and HMAC secrets pass."""

from __future__ import annotations

import pytest

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import edit_entry, new_entry
from vault_app.core.pem import pem_problem

WHOLE = ("-----BEGIN PRIVATE KEY-----\n"
         "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
         "-----END PRIVATE KEY-----")


@pytest.mark.parametrize("value", [WHOLE, "hmac-secret-7f3a", WHOLE.replace("\n", " ")])
def test_whole_pem_keys_and_plain_secrets_pass(value: str) -> None:
    assert pem_problem(value) is None


@pytest.mark.parametrize(("value", "words"), [
    ("-----BEGIN PRIVATE KEY-----", "END PRIVATE KEY"),  # Enter after the first line
    (WHOLE.split("\n", 1)[1], "BEGIN"),  # the selection missed the first line
    ("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----", "nothing between"),
    ("-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END PRIVATE KEY-----", "END EC PRIVATE KEY"),
])
def test_cut_off_pem_is_named(value: str, words: str) -> None:
    problem = pem_problem(value)
    assert problem is not None and words in problem


def test_new_key_with_a_cut_off_pem_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as exc_info:
        new_entry(label="Binance", exchange="binance", catalog=load_catalog(),
                  credentials={"apiKey": "k", "secret": "-----BEGIN PRIVATE KEY-----"})
    assert exc_info.value.field == "secret"
    assert "incomplete PEM key" in str(exc_info.value)


def test_editing_other_fields_of_a_stored_cut_off_key_still_works() -> None:
    """A key stored before the check is not locked out of a notes edit."""
    catalog = load_catalog()
    entry = new_entry(label="Binance", exchange="binance", catalog=catalog,
                      credentials={"apiKey": "k", "secret": WHOLE})
    legacy = edit_entry(entry, {}, catalog)
    object.__setattr__(legacy, "credentials", {"apiKey": "k", "secret": "-----BEGIN X-----"})
    assert edit_entry(legacy, {"notes": "still editable"}, catalog).notes == "still editable"
    with pytest.raises(ValidationError):
        edit_entry(legacy, {"credentials": {"apiKey": "k", "secret": "-----BEGIN Y-----"}},
                   catalog)
