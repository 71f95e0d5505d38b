"""How strong a new master password must be."""

from __future__ import annotations

import pytest
from zxcvbn import zxcvbn

from tests.conftest import PASSWORD
from vault_app.core.errors import ValidationError
from vault_app.core.password_policy import (
    MIN_LENGTH,
    MIN_SCORE,
    SCORE_NAMES,
    check_new_password,
    rate,
)


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890",
                                      "iloveyou", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused_with_feedback(password: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_new_password(password, password)
    assert info.value.field == "password"
    message = str(info.value)
    assert "weak" in message
    assert "Choose a stronger master password" in message
    assert password not in message  # the feedback never echoes the password


@pytest.mark.parametrize("password", ["Xk9#q", "vT7#kq2!L", "Xk9#qL2!mZp"])
def test_short_passwords_are_refused_however_random(password: str) -> None:
    assert len(password) < MIN_LENGTH
    strength = rate(password)
    assert strength.too_short and not strength.acceptable
    assert strength.label == "too short"
    assert strength.meter < MIN_SCORE
    with pytest.raises(ValidationError, match="at least 12 characters") as info:
        check_new_password(password)
    assert info.value.field == "password"


def test_tr0ub4dor_is_not_rated_strong() -> None:
    """zxcvbn gives the famous 11-character example its top score (it finds no
    word in it); the length rule refuses it, and nothing calls it strong."""
    strength = rate("Tr0ub4dor&3")
    assert strength.score == zxcvbn("Tr0ub4dor&3")["score"]  # zxcvbn's, not adjusted
    assert not strength.acceptable
    assert strength.label == "too short"
    assert "strong" not in strength.label and "strong" not in strength.explain()
    assert strength.meter < MIN_SCORE


def test_an_11_character_password_is_refused_with_a_clear_message() -> None:
    password = "Xk9#qL2!mZp"  # zxcvbn: very strong; one character short
    assert len(password) == MIN_LENGTH - 1
    with pytest.raises(ValidationError) as info:
        check_new_password(password, password)
    assert str(info.value) == ("this password is too short: use at least 12 characters "
                               "(this one has 11). Choose a longer master password.")
    check_new_password(password + "w", password + "w")  # 12 are enough


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa",           # zxcvbn's score 0
    "kangaroo1994",           # 1
    "dragonfly42x",           # 2
    "Summer2024!!",           # 3
    "Tr0ub4dor&3!",           # 4
    PASSWORD,
])
def test_the_label_is_zxcvbns_score_in_words(password: str) -> None:
    assert len(password) >= MIN_LENGTH
    score = zxcvbn(password)["score"]
    strength = rate(password)
    assert strength.score == score
    assert strength.label == strength.name == SCORE_NAMES[score]
    assert strength.meter == score
    assert strength.acceptable == (score >= MIN_SCORE)


def test_empty_password_is_refused() -> None:
    strength = rate("")
    assert strength.score == 0 and not strength.acceptable
    with pytest.raises(ValidationError, match="enter a master password of at least 12") as info:
        check_new_password("", "")
    assert info.value.field == "password"


def test_mismatch_is_refused_before_rating() -> None:
    with pytest.raises(ValidationError, match="do not match") as info:
        check_new_password(PASSWORD, PASSWORD + "x")
    assert info.value.field == "confirmation"
    with pytest.raises(ValidationError, match="do not match"):
        check_new_password("weak", "weak2")


@pytest.mark.parametrize("password", [PASSWORD, "vT7#kq2!Lm9@zR", "Tr0ub4dor&3-extended",
                                      "ñandú pájaro sobre el río 42"])
def test_strong_passwords_are_accepted(password: str) -> None:
    check_new_password(password, password)
    check_new_password(password)  # no confirmation (non-interactive)
    strength = rate(password)
    assert strength.acceptable and strength.score >= MIN_SCORE
    assert strength.name in ("strong", "very strong")


@pytest.mark.parametrize("length", [72, 73, 100, 1000])
def test_long_passphrases_are_accepted(length: int) -> None:
    """Long passphrases are the strongest kind; rating them must not crash
    (zxcvbn 4.5 raises ValueError above 72 characters)."""
    passphrase = (PASSWORD + " ") * (length // len(PASSWORD) + 1)
    passphrase = passphrase[:length]
    assert len(passphrase) == length
    check_new_password(passphrase, passphrase)
    assert rate(passphrase).acceptable


def test_explain_names_the_score() -> None:
    weak = rate("password")
    assert weak.name == "very weak"
    assert weak.explain().startswith("this password is very weak")
    assert weak.warning


def test_new_password_problem_names_what_is_chosen() -> None:
    from vault_app.core.password_policy import new_password_problem, sentence

    weak = new_password_problem("password123", "password123", "backup password")
    assert weak is not None and weak.endswith("Choose a stronger backup password.")
    assert "master" not in weak
    assert new_password_problem("a b", "a c", "backup password") == \
        "the two backup passwords do not match"
    assert sentence("the two backup passwords do not match") == \
        "The two backup passwords do not match."
    assert new_password_problem("", None, "backup password") == \
        "enter a backup password of at least 12 characters"
    assert new_password_problem("correct horse battery staple 9", None) is None
