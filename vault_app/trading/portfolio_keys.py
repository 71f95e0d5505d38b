"""Which keys the portfolio asks, and which of them read one exchange account.

A key labelled ``read`` is asked; another is ``skipped`` (the label says the key may
read the account, and an exchange refuses a key without it). Two vault entries with
the same API key and credentials on the same exchange, environment and URL are one key:
only the first is asked, the others are named as the same key. Entries of one API key
whose secrets differ are each asked: at most one secret is right, so at most one
answers and nothing is counted twice, and a wrong copy cannot hide the right one.

Keys are grouped by where they talk to (exchange, environment, API URL): the keys of
one group are asked one after another. Where the exchange's balance answer names the
account (``account_id``: Binance's ``uid``), keys of a group that name the same account
are counted once; where it does not, nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vault_app.trading.portfolio import SameKey, key_ref

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry

ACCOUNT_ID_FIELDS: Mapping[str, str] = {"binance": "uid"}
"""Per ccxt exchange id: the field of its raw balance answer (ccxt's
``fetch_balance()['info']``) that names the account, whichever of its keys asks
(``GET /api/v3/account``'s ``uid`` on Binance). Exchanges not listed name none."""


@dataclass(frozen=True)
class KeyPlan:
    """The keys of a vault as the portfolio treats them."""

    asked: tuple[KeyEntry, ...]
    """Labelled ``read``, one entry per API key, in the vault's order."""
    same_key: tuple[SameKey, ...]
    """Labelled ``read``, with the API key of an entry in ``asked``: not asked."""
    skipped: tuple[KeyEntry, ...]
    """Not labelled ``read``: not asked."""


def place_of(entry: KeyEntry) -> tuple[str, str, str | None]:
    """Where a key talks to: (exchange, environment, API URL of a custom environment)."""
    url = entry.api_url if entry.environment == "custom" else None
    return entry.exchange, entry.environment, url


def plan_keys(entries: Iterable[KeyEntry]) -> KeyPlan:
    """Which entries are asked, which repeat an asked API key, which are not ``read``."""
    asked: list[KeyEntry] = []
    same_key: list[SameKey] = []
    skipped: list[KeyEntry] = []
    first_of: dict[tuple[object, ...], KeyEntry] = {}
    for entry in entries:
        if "read" not in entry.permissions:
            skipped.append(entry)
            continue
        api_key = entry.credentials.get("apiKey") or ""
        if not api_key:  # nothing says which key it is: asked on its own
            asked.append(entry)
            continue
        credentials = tuple(sorted(entry.credentials.items()))
        first = first_of.setdefault((*place_of(entry), credentials), entry)
        if first is entry:
            asked.append(entry)
        else:
            same_key.append(SameKey(key_ref(entry), key_ref(first)))
    return KeyPlan(tuple(asked), tuple(same_key), tuple(skipped))


def group_keys(entries: Iterable[KeyEntry]) -> list[list[KeyEntry]]:
    """Keys that talk to the same place (``place_of``), in order."""
    groups: dict[tuple[str, str, str | None], list[KeyEntry]] = {}
    for entry in entries:
        groups.setdefault(place_of(entry), []).append(entry)
    return list(groups.values())


def account_id(exchange: str, balance_answer: object) -> str | None:
    """The account a ``fetch_balance`` answer of ``exchange`` names (see
    ``ACCOUNT_ID_FIELDS``); None where the exchange names none."""
    field = ACCOUNT_ID_FIELDS.get(exchange)
    info = balance_answer.get("info") if isinstance(balance_answer, Mapping) else None
    if field is None or not isinstance(info, Mapping):
        return None
    value = info.get(field)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return text or None
