"""One parsed call of an endpoint, and the exchange state every endpoint works on.

A handler takes ``(State, Call)`` and returns the JSON value to answer, or raises a
``BinanceError``. The server calls it holding the state's lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.accounts import Account, Ledger
from vault_app.trading.demo_exchange.market import PriceBook


@dataclass
class State:
    """Everything the endpoints read and change."""

    book: PriceBook
    ledger: Ledger


@dataclass(frozen=True)
class Call:
    params: Mapping[str, str]
    now: int
    account: Account | None = None

    def need(self, name: str) -> str:
        value = self.params.get(name)
        if not value:
            raise errors.mandatory(name)
        return value

    @property
    def me(self) -> Account:
        assert self.account is not None
        return self.account

    def decimal(self, name: str) -> Decimal | None:
        value = self.params.get(name)
        if value is None:
            return None
        if not re.fullmatch(errors.QTY_PATTERN, value):
            raise errors.illegal(name, errors.QTY_PATTERN)
        number = Decimal(value)
        if -int(number.normalize().as_tuple().exponent) > 8:
            raise errors.too_precise(name)
        return number

    def integer(self, name: str) -> int | None:
        value = self.params.get(name)
        if value is None:
            return None
        if not re.fullmatch(r"-?[0-9]{1,19}", value):
            raise errors.BinanceError(-1100, f"Illegal characters found in parameter "
                                             f"'{name}'; legal range is '^-?[0-9]{{1,19}}$'.")
        return int(value)


Handler = Callable[[State, Call], object]
