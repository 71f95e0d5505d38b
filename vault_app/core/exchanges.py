"""The catalog of exchanges ccxt supports, without importing ccxt.

``resources/exchanges.json`` is generated from the installed ccxt by
``resources/make_exchange_catalog.py``; a test keeps the two in step.
"""

from __future__ import annotations

import json
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
