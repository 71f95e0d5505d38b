"""How strong a new master password must be."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from vault_app.core.errors import ValidationError
from vault_app.core.password_policy import MIN_LENGTH, MIN_SCORE, check_new_password, rate


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


@pytest.mark.parametrize("password", ["Xk9#q", "vT7#kq2!L"])
def test_short_passwords_are_refused_however_random(password: str) -> None:
    assert len(password) < MIN_LENGTH
    strength = rate(password)
    assert not strength.acceptable
    assert strength.score < MIN_SCORE
    assert f"Use at least {MIN_LENGTH} characters" in strength.suggestions
    with pytest.raises(ValidationError, match="at least 10 characters"):
        check_new_password(password)


def test_empty_password_is_refused() -> None:
    strength = rate("")
    assert strength.score == 0 and not strength.acceptable
    with pytest.raises(ValidationError) as info:
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
