"""How strong a new master password must be.

The vault file may be copied and attacked offline, so the master password is
the last line of defence. We require zxcvbn's score 3 ("safely unguessable:
moderate protection from offline slow-hash scenario") and 12 characters.

The two rules are kept apart: the strength word shown is always zxcvbn's own
score, never adjusted, and a password shorter than 12 characters is called
"too short" instead of being given a strength word. zxcvbn rates a short
random-looking password such as "Tr0ub4dor&3" (11 characters) a 4, because it
finds no dictionary word in it; only the length rule refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vault_app.core.errors import ValidationError

MIN_LENGTH = 12
MIN_SCORE = 3
# zxcvbn's scores 0..4, one word each (its documentation: too guessable, very
# guessable, somewhat guessable, safely unguessable, very unguessable).
SCORE_NAMES = ("very weak", "weak", "fair", "strong", "very strong")
TOO_SHORT = "too short"


@dataclass(frozen=True)
class Strength:
    score: int  # zxcvbn's score, 0..4, as zxcvbn gave it
    warning: str
    suggestions: tuple[str, ...]
    length: int  # in characters

    @property
    def name(self) -> str:
        """zxcvbn's score in words."""
        return SCORE_NAMES[self.score]

    @property
    def too_short(self) -> bool:
        return self.length < MIN_LENGTH

    @property
    def acceptable(self) -> bool:
        return not self.too_short and self.score >= MIN_SCORE

    @property
    def label(self) -> str:
        """What a strength meter shows: zxcvbn's word, or "too short" below 12 characters."""
        return TOO_SHORT if self.too_short else self.name

    @property
    def meter(self) -> int:
        """0..4 for a bar: zxcvbn's score, held below "strong" while too short."""
        return min(self.score, MIN_SCORE - 1) if self.too_short else self.score

    def length_hint(self) -> str:
        return (f"use at least {MIN_LENGTH} characters "
                f"(this one has {self.length})")

    def explain(self) -> str:
        if self.too_short and self.score >= MIN_SCORE:
            parts = [f"this password is too short: {self.length_hint()}"]
        elif self.too_short:
            parts = [f"this password is {self.name} and too short: {self.length_hint()}"]
        else:
            parts = [f"this password is {self.name}"]
        if self.score < MIN_SCORE:
            if self.warning:
                parts.append(self.warning.rstrip("."))
            parts.extend(s.rstrip(".") for s in self.suggestions)
        return "; ".join(parts)


def rate(password: str) -> Strength:
    if not password:
        return Strength(0, "", ("Enter a password",), 0)
    from zxcvbn import zxcvbn  # 30 ms, only when choosing a password

    # zxcvbn refuses more than 72 characters (and is quadratic); a passphrase that
    # long is rated on its first 72, which is already far past "very strong".
    result = zxcvbn(password[:72])
    feedback = result.get("feedback") or {}
    return Strength(
        score=int(result["score"]),
        warning=str(feedback.get("warning") or ""),
        suggestions=tuple(str(s) for s in feedback.get("suggestions") or ()),
        length=len(password),
    )


def new_password_problem(first: str, second: str | None = None,
                         what: str = "master password", *,
                         strength: Strength | None = None) -> str | None:
    """Why ``first`` (typed again as ``second``; None: not asked twice) cannot become a
    new ``what`` ("master password", "backup password"), worded as error messages are
    (lower-case start: ``sentence`` makes it one); None if it can. ``strength``:
    ``rate(first)`` if the caller has it already (a form rates as the user types)."""
    if second is not None and first != second:
        return f"the two {what}s do not match"
    if not first:
        return f"enter a {what} of at least {MIN_LENGTH} characters"
    strength = strength if strength is not None else rate(first)
    if not strength.acceptable:
        better = "longer" if strength.score >= MIN_SCORE else "stronger"
        return f"{strength.explain()}. Choose a {better} {what}."
    return None


def sentence(problem: str) -> str:
    """A problem as a sentence on its own: capitalized, ending with a full stop."""
    text = problem[:1].upper() + problem[1:]
    return text if text.endswith(".") else text + "."


def check_new_password(password: str, confirmation: str | None = None,
                       what: str = "master password") -> None:
    """Raise ValidationError unless ``password`` may become a new ``what``
    (``new_password_problem`` says why)."""
    problem = new_password_problem(password, confirmation, what)
    if problem is not None:
        mismatch = confirmation is not None and password != confirmation
        raise ValidationError(problem, field="confirmation" if mismatch else "password")
