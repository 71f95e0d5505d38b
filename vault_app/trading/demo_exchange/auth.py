"""What Binance checks on a signed request: the key, the signature, the time, the rights.

The signature is HMAC-SHA256, keyed with the secret, over the query string followed
directly by the request body (no separator), each without its ``signature``
parameter, exactly as the bytes arrived.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.accounts import Account

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
MAX_AHEAD_MS = 1000
_KEY_FORMAT = re.compile(r"[A-Za-z0-9]{64}")
_SIGNATURE_FORMAT = re.compile(r"[0-9a-fA-F]{64}")  # hex of an HMAC-SHA256


@dataclass(frozen=True)
class SignedPayload:
    """What the server verified: the text it signed and the signature it was sent."""

    payload: str
    signature: str


def without_signature(raw: str) -> tuple[str, str | None]:
    """``raw`` (a query string or form body) with its ``signature=`` part removed, and
    that signature (None if absent)."""
    kept, signature = [], None
    for part in raw.split("&") if raw else []:
        if part.startswith("signature="):
            signature = part[len("signature="):]
        else:
            kept.append(part)
    return "&".join(kept), signature


def signed_payload(raw_query: str, raw_body: str) -> SignedPayload | None:
    query, in_query = without_signature(raw_query)
    body, in_body = without_signature(raw_body)
    signature = in_query if in_query is not None else in_body
    if signature is None:
        return None
    return SignedPayload(query + body, signature)


def sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def find_account(accounts: Mapping[str, Account], headers: Mapping[str, str]) -> Account:
    """The account of the ``X-MBX-APIKEY`` header (its name in any case)."""
    api_key = next((value for name, value in headers.items()
                    if name.lower() == "x-mbx-apikey"), "")
    if not _KEY_FORMAT.fullmatch(api_key):
        raise errors.key_format_invalid()
    account = accounts.get(api_key)
    if account is None:
        raise errors.invalid_key()
    return account


def check_signed(account: Account, signed: SignedPayload | None, params: Mapping[str, str],
                 server_time: int) -> None:
    """The signature and the timestamp, in Binance's order: -1102, -1022, -1021."""
    if signed is None or not signed.signature:
        raise errors.mandatory("signature")
    timestamp = _integer(params, "timestamp")
    recv_window = _integer(params, "recvWindow", DEFAULT_RECV_WINDOW)
    if recv_window > MAX_RECV_WINDOW:
        raise errors.BinanceError(-1131, "recvWindow must be less than 60000")
    expected = sign(account.key.secret, signed.payload)
    if not _SIGNATURE_FORMAT.fullmatch(signed.signature) or \
            not hmac.compare_digest(expected, signed.signature.lower()):
        raise errors.bad_signature()
    if timestamp >= server_time + MAX_AHEAD_MS:
        raise errors.ahead_of_server()
    if server_time - timestamp > recv_window:
        raise errors.outside_recv_window()


def require(account: Account, permission: str) -> None:
    """The key's own rights: Binance answers -2015 (HTTP 401) for a missing one."""
    if permission not in account.key.permissions:
        raise errors.invalid_key()


def _integer(params: Mapping[str, str], name: str, default: int | None = None) -> int:
    value = params.get(name)
    if value is None or value == "":
        if default is None:
            raise errors.mandatory(name)
        return default
    if not re.fullmatch(r"[0-9]{1,19}", value):
        raise errors.mandatory(name)
    return int(value)
