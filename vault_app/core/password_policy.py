"""How strong a new master password must be.

The vault file may be copied and attacked offline, so the master password is
the last line of defence. We require zxcvbn's score 3 ("safely unguessable:
moderate protection from offline slow-hash scenario") and 10 characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from vault_app.core.errors import ValidationError

MIN_LENGTH = 10
MIN_SCORE = 3
SCORE_NAMES = ("very weak", "weak", "fair", "strong", "very strong")


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    warning: str
    suggestions: tuple[str, ...]
    acceptable: bool

    @property
    def name(self) -> str:
        return SCORE_NAMES[self.score]

    def explain(self) -> str:
        parts = [f"this password is {self.name}"]
        if self.warning:
            parts.append(self.warning.rstrip("."))
        parts.extend(s.rstrip(".") for s in self.suggestions)
        return "; ".join(parts)


def rate(password: str) -> Strength:
    if not password:
        return Strength(0, "", ("Enter a password",), False)
    from zxcvbn import zxcvbn  # 30 ms, only when choosing a password

    # zxcvbn refuses more than 72 characters (and is quadratic); a passphrase that
    # long is rated on its first 72, which is already far past "very strong".
    result = zxcvbn(password[:72])
    score = int(result["score"])
    feedback = result.get("feedback") or {}
    warning = str(feedback.get("warning") or "")
    suggestions = tuple(str(s) for s in feedback.get("suggestions") or ())
    if len(password) < MIN_LENGTH:
        score = min(score, MIN_SCORE - 1)
        suggestions = (f"Use at least {MIN_LENGTH} characters", *suggestions)
    return Strength(score, warning, suggestions, score >= MIN_SCORE)


def check_new_password(password: str, confirmation: str | None = None) -> None:
    """Raise ValidationError unless ``password`` may become a master password."""
    if confirmation is not None and password != confirmation:
        raise ValidationError("the two passwords do not match", field="confirmation")
    strength = rate(password)
    if not strength.acceptable:
        raise ValidationError(
            f"{strength.explain()}. Choose a stronger master password.", field="password"
        )
