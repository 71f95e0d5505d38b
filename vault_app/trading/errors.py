"""Typed errors of the trading layer: one sentence for the user and a suggested fix.

``str(error)`` is what a front end prints: the sentence, then the fix. Messages
never contain a credential, a signature or a signed URL. Front ends map:

- ``OrderInputError`` (a ``ValidationError``): bad input, caught before any request
  leaves the machine; CLI exit 1.
- ``OrderNotAllowed``: the key's labels forbid it (a read-only key never submits);
  nothing was sent; CLI exit 1.
- ``ExchangeProblem`` and its subclasses: the exchange refused the request or could
  not be reached; CLI exit 7.
- ``JournalDamaged`` (a ``VaultDamaged``): the order journal fails its checks; exit 3.
"""

from __future__ import annotations

from vault_app.core.errors import ValidationError, VaultDamaged, VaultError


class TradingError(VaultError):
    """Base of every trading failure raised on purpose."""

    def __init__(self, message: str, *, fix: str = "") -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message}. {fix}" if fix else message)


class OrderInputError(ValidationError):
    """The order's input is invalid; nothing was sent. ``field`` names the culprit."""


class OrderNotAllowed(TradingError):
    """The key's permission labels (or a risk guard) forbid this; nothing was sent."""


class ExchangeProblem(TradingError):
    """The exchange refused the request or could not be reached."""


class AuthFailed(ExchangeProblem):
    """Wrong API key or secret, or this IP address is not whitelisted."""


class KeyLacksPermission(ExchangeProblem):
    """The exchange says the key lacks the right (e.g. trading) for this request."""


class InsufficientFunds(ExchangeProblem):
    pass


class OrderRejected(ExchangeProblem):
    """The exchange refused the order itself (precision, minimum amount or cost, ...)."""


class OrderNotFound(ExchangeProblem):
    pass


class ClockSkew(ExchangeProblem):
    """The request's timestamp is outside the exchange's window (InvalidNonce, -1021)."""


class RateLimited(ExchangeProblem):
    pass


class ExchangeUnavailable(ExchangeProblem):
    """Maintenance, HTTP 5xx, or the exchange is down."""


class NetworkProblem(ExchangeProblem):
    """No answer: the connection failed or dropped. An order's outcome is unknown."""


class ExchangeTimeout(NetworkProblem):
    pass


class JournalDamaged(VaultDamaged):
    """The order journal is damaged, reordered or was written with another key."""
