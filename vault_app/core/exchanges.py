"""The catalog of exchanges ccxt supports, without importing ccxt.

``resources/exchanges.json`` is generated from the installed ccxt by
``resources/make_exchange_catalog.py``; a test keeps the two in step.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from vault_app.core.errors import ValidationError
from vault_app.resources import resource_path

# ccxt's credential names, in ccxt's order (Exchange.requiredCredentials).
CREDENTIAL_NAMES: tuple[str, ...] = (
    "apiKey", "secret", "uid", "accountId", "login", "password",
    "twofa", "privateKey", "walletAddress", "token",
)
# Credentials that are secret (masked); the others identify the account.
SECRET_CREDENTIALS = frozenset({"secret", "password", "twofa", "privateKey", "token"})

CREDENTIAL_TITLES = {
    "apiKey": "API key",
    "secret": "Secret",
    "uid": "User ID",
    "accountId": "Account ID",
    "login": "Login",
    "password": "Passphrase",
    "twofa": "2FA secret",
    "privateKey": "Private key",
    "walletAddress": "Wallet address",
    "token": "Token",
}


@dataclass(frozen=True)
class ExchangeInfo:
    id: str
    name: str
    required: tuple[str, ...]
    has_sandbox: bool
    pem_secret: bool  # the secret may be a PEM private key (Ed25519/RSA/EC)

    @property
    def plain_name(self) -> str:
        """The name in plain letters, for fonts that lack a symbol in it.

        NFKC folds compatibility characters to their letters: "Binance USD\u24c8-M"
        (a circled S, missing from many fonts) becomes "Binance USDS-M".
        """
        return unicodedata.normalize("NFKC", self.name)

    def multiline_credential(self, name: str) -> bool:
        """Whether a credential may span lines (a PEM private key keeps its line breaks)."""
        return name == "privateKey" or (name == "secret" and self.pem_secret)


# Search ranks, best first: what a user typing an exchange expects to pick first.
_EXACT, _PREFIX, _SUBSTRING = 0, 1, 2
_WORD = re.compile(r"\w+")


def _rank(info: ExchangeInfo, query: str) -> int | None:
    names = {info.name.casefold(), info.plain_name.casefold()}
    if query == info.id or query in names:
        return _EXACT
    words = [word for name in names for word in _WORD.findall(name)]
    if info.id.startswith(query) or any(name.startswith(query) for name in names) \
            or any(word.startswith(query) for word in words):
        return _PREFIX
    if query in info.id or any(query in name for name in names):
        return _SUBSTRING
    return None


@dataclass(frozen=True)
class Catalog:
    ccxt_version: str
    exchanges: dict[str, ExchangeInfo]

    def get(self, exchange_id: str) -> ExchangeInfo:
        info = self.exchanges.get(exchange_id)
        if info is None:
            import difflib  # only on this error path

            hint = difflib.get_close_matches(exchange_id.lower(), list(self.exchanges), n=3)
            suggestion = f"; did you mean {', '.join(hint)}?" if hint else ""
            raise ValidationError(
                f"unknown exchange '{exchange_id}' (not among the {len(self.exchanges)} "
                f"exchanges of ccxt {self.ccxt_version}){suggestion}",
                field="exchange",
            )
        return info

    def __contains__(self, exchange_id: object) -> bool:
        return exchange_id in self.exchanges

    def search(self, text: str) -> list[ExchangeInfo]:
        """Exchanges matching ``text`` (case-insensitive), best match first.

        An exact id or name comes first, then ids, names or words of a name that start
        with the text, then ids or names that merely contain it; ties go by name. So
        "okx" gives OKX, OKX (US), MyOKX (EEA). An empty text gives every exchange.
        """
        query = text.strip().casefold()
        ranked: list[tuple[int, str, str, ExchangeInfo]] = []
        for info in self.exchanges.values():
            rank = _rank(info, query) if query else _EXACT
            if rank is not None:
                ranked.append((rank, info.name.casefold(), info.id, info))
        ranked.sort(key=lambda item: item[:3])
        return [item[3] for item in ranked]


@cache
def load_catalog() -> Catalog:
    raw = json.loads(resource_path("exchanges.json").read_text(encoding="utf-8"))
    exchanges = {
        item["id"]: ExchangeInfo(
            id=item["id"],
            name=item["name"],
            required=tuple(item["required"]),
            has_sandbox=bool(item["sandbox"]),
            pem_secret=bool(item.get("pem_secret", False)),
        )
        for item in raw["exchanges"]
    }
    return Catalog(ccxt_version=raw["ccxt_version"], exchanges=exchanges)
