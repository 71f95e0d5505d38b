"""The preview never shows a credential (in any encoding) or a replayable token, for
every exchange of the catalog whose order request ccxt signs offline."""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from urllib.parse import quote, quote_plus, unquote, unquote_plus

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from vault_app.core.exchanges import SECRET_CREDENTIALS, load_catalog
from vault_app.core.model import mask_identifier
from vault_app.trading.loader import exchange_class
from vault_app.trading.preview import (
    SignedRequest,
    _signature_place,
    capture_create_order,
    mask_request,
)
from vault_app.trading.preview_masking import (
    PASSPHRASE_MASK,
    SIGNATURE_MASK,
    Credentials,
    mask_body,
    secret_name,
)

FAKE = {
    # "/" and "-" so that percent-encoding differs from the value (HTX, Coinmate)
    "apiKey": "organizations/0f3c-org/apiKeys/5b1d-keyid",
    "secret": base64.b64encode(b"fake-secret-" * 3).decode(),  # base64: Kraken decodes it
    "uid": "uid-123456789", "password": "passphrase-xyz", "login": "login-abcdef",
    "accountId": "acct-1234567", "twofa": "JBSWY3DPEHPK3PXP", "privateKey": "0x" + "ab" * 32,
    "walletAddress": "0x" + "cd" * 20, "token": "tok-1234567890",
}
MARKET = {"id": "BTCUSDT", "symbol": "BTC/USDT", "base": "BTC", "quote": "USDT",
          "baseId": "BTC", "quoteId": "USDT", "type": "spot", "spot": True, "active": True,
          "settle": None, "settleId": None, "contract": False, "linear": None,
          "inverse": None, "precision": {"amount": 1e-8, "price": 0.01},
          "limits": {"amount": {"min": 1e-8}, "price": {}, "cost": {}}, "info": {}}
MUST_BE_COVERED = {"coinbase", "htx", "coinone", "alpaca", "kraken", "okx", "upbit"}
"""Bearer JWT; the key percent-encoded in the URL; the key inside a base64 body; the
secret in a header; HMAC headers; a passphrase header; another bearer JWT."""


@cache
def ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def credentials_of(exchange_id: str) -> dict[str, str]:
    info = load_catalog().get(exchange_id)
    found = {name: FAKE[name] for name in info.required}
    if exchange_id == "coinbase":  # Coinbase Advanced: an EC private key signs a JWT
        found["secret"] = ec_pem()
    return found


def signed_offline(exchange_id: str) -> tuple[SignedRequest, dict[str, str]] | None:
    """The order request ccxt signs for ``exchange_id`` with fake credentials, or None
    when ccxt cannot build one offline (it wants a network answer, an option, ...)."""
    credentials = credentials_of(exchange_id)
    try:
        exchange = exchange_class(exchange_id)(dict(credentials))
        exchange.set_markets([dict(MARKET)])
        request = capture_create_order(exchange, ("BTC/USDT", "limit", "buy", 0.001, 50000.0,
                                                  {"clientOrderId": "va-test"}))
    except Exception:  # a class ccxt cannot sign offline is not tested
        return None
    return request, credentials


@cache
def signed_requests() -> dict[str, tuple[SignedRequest, dict[str, str]]]:
    found = {}
    for exchange_id in load_catalog().exchanges:
        signed = signed_offline(exchange_id)
        if signed is not None:
            found[exchange_id] = signed
    return found


def texts(request: SignedRequest) -> list[str]:
    return [request.url, *(f"{k}: {v}" for k, v in request.headers.items()),
            request.body or ""]


def decoded_blobs(text: str) -> list[str]:
    """Every base64 run of ``text`` decoded (standard or URL-safe), as text."""
    found = []
    for run in re.findall(r"[A-Za-z0-9+/_-]{8,}={0,2}", text):
        padded = run.rstrip("=").replace("-", "+").replace("_", "/")
        try:
            raw = base64.b64decode(padded + "=" * (-len(padded) % 4), validate=True)
        except ValueError:
            continue
        found.append(raw.decode("utf-8", errors="replace"))
    return found


def leaks(request: SignedRequest, credentials: dict[str, str]) -> list[str]:
    """What of a credential or a bearer token ``request`` shows, and how."""
    found = []
    for text in texts(request):
        views = {"plain": text, "url-decoded": unquote(text),
                 "form-decoded": unquote_plus(text)}
        views.update((f"base64 #{i}", blob) for i, blob in enumerate(decoded_blobs(text)))
        for how, view in views.items():
            folded = view.casefold()
            for name, value in credentials.items():
                raw = value.encode()
                forms = {value, quote(value, safe=""), quote_plus(value),
                         json.dumps(value)[1:-1], raw.hex()}
                forms |= {base64.b64encode(b"\0" * shift + raw).decode()[4 if shift else 0:-4]
                          for shift in range(3)}  # base64 at any alignment, ends trimmed
                if any(len(form) >= 8 and form.casefold() in folded for form in forms):
                    found.append(f"{name} ({how}) in {text[:60]!r}")
                if name in SECRET_CREDENTIALS and mask_identifier(value) in view:
                    found.append(f"{name}'s first and last characters in {text[:60]!r}")
            if re.search(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.", view):
                found.append(f"a JWT ({how}) in {text[:60]!r}")
            if re.search(r"(?i)bearer\s+(?!<)\S", view):
                found.append(f"a bearer token ({how}) in {text[:60]!r}")
    return found


def test_enough_of_the_catalog_is_signed_offline_to_mean_something() -> None:
    covered = set(signed_requests())
    assert len(covered) >= 60, sorted(covered)
    assert covered >= MUST_BE_COVERED


def test_the_unmasked_requests_do_leak_so_the_check_can_fail() -> None:
    requests = signed_requests()
    for exchange_id in MUST_BE_COVERED - {"kraken", "okx"}:
        request, credentials = requests[exchange_id]
        assert leaks(request, credentials), exchange_id


@pytest.mark.parametrize("exchange_id", sorted(load_catalog().exchanges))
def test_no_credential_or_bearer_token_in_any_encoding(exchange_id: str) -> None:
    signed = signed_requests().get(exchange_id)
    if signed is None:
        pytest.skip("ccxt cannot sign this exchange's order offline")
    request, credentials = signed
    shown = mask_request(request, credentials)
    assert leaks(shown, credentials) == []
    assert shown.method == request.method


def test_coinbase_shows_where_the_token_goes_but_not_the_token() -> None:
    request, credentials = signed_requests()["coinbase"]
    assert request.headers["Authorization"].startswith("Bearer ey")
    shown = mask_request(request, credentials)
    assert shown.headers["Authorization"] == SIGNATURE_MASK
    assert shown.body == request.body  # the order itself, exactly


def test_a_passphrase_header_and_a_signature_header_say_what_they_are() -> None:
    request, credentials = signed_requests()["okx"]
    shown = mask_request(request, credentials)
    assert shown.headers["OK-ACCESS-PASSPHRASE"] == "<passphrase: masked>"  # it, whole
    assert shown.headers["OK-ACCESS-SIGN"] == SIGNATURE_MASK
    assert shown.headers["OK-ACCESS-KEY"] == mask_identifier(FAKE["apiKey"])
    assert shown.headers["OK-ACCESS-TIMESTAMP"] == request.headers["OK-ACCESS-TIMESTAMP"]
    request, credentials = signed_requests()["kucoin"]  # an HMAC of the passphrase
    assert request.headers["KC-API-PASSPHRASE"] != credentials["password"]
    assert mask_request(request, credentials).headers["KC-API-PASSPHRASE"] == PASSPHRASE_MASK


def test_a_base64_body_holding_the_key_is_shown_decoded_and_masked() -> None:
    request, credentials = signed_requests()["coinone"]
    shown = mask_request(request, credentials)
    assert shown.body is not None and shown.body.startswith("<base64 of: {")
    assert mask_identifier(FAKE["apiKey"]) in shown.body
    assert '"price":"50000"' in shown.body.replace(" ", "")


def test_a_json_signature_is_masked_and_the_rest_kept_exactly() -> None:
    body = '{"apiKey":"k","signature":{"r":"0x1","s":"0x2"},"nonce":5,"sign":"ab\\"c","p":1}'
    assert mask_body(body, Credentials.of({})) == (
        f'{{"apiKey":"k","signature":"{SIGNATURE_MASK}","nonce":5,'
        f'"sign":"{SIGNATURE_MASK}","p":1}}')


@pytest.mark.parametrize(("name", "mask"), [
    ("signature", SIGNATURE_MASK), ("X-MBX-APIKEY", None), ("Authorization", SIGNATURE_MASK),
    ("KC-API-PASSPHRASE", PASSPHRASE_MASK), ("SignatureMethod", None),
    ("X-Auth-Timestamp", None), ("TAPI-MAC", SIGNATURE_MASK), ("Cookie", SIGNATURE_MASK),
    ("x-phemex-access-token", SIGNATURE_MASK), ("newClientOrderId", None),
    ("timeInForce", None), ("APCA-API-SECRET-KEY", SIGNATURE_MASK),
    ("sig", SIGNATURE_MASK), ("api_sig", SIGNATURE_MASK), ("X-Sig", SIGNATURE_MASK),
])
def test_names_that_sign_or_authenticate(name: str, mask: str | None) -> None:
    assert secret_name(name) == mask


def test_a_header_that_is_the_api_key_itself_keeps_the_keys_mask() -> None:
    request, credentials = signed_requests()["phemex"]
    shown = mask_request(request, credentials)
    assert shown.headers["x-phemex-access-token"] == mask_identifier(FAKE["apiKey"])



def test_cryptocoms_body_signature_is_masked_and_its_place_named() -> None:
    """crypto.com signs in the JSON body's "sig": shown, it could replay that exact
    order (a2 N4)."""
    request, credentials = signed_requests()["cryptocom"]
    real = json.loads(request.body or "")["sig"]
    shown = mask_request(request, credentials)
    assert json.loads(shown.body or "")["sig"] == SIGNATURE_MASK
    assert real not in (shown.body or "")
    assert _signature_place(request) == "body parameter 'sig'"


@pytest.mark.parametrize("exchange_id", sorted(load_catalog().exchanges))
def test_where_the_signature_goes_follows_the_masking(exchange_id: str) -> None:
    """The preview never says "none found" for a request it masked a signature of."""
    signed = signed_requests().get(exchange_id)
    if signed is None:
        pytest.skip("ccxt cannot sign this exchange's order offline")
    request, credentials = signed
    shown = mask_request(request, credentials)
    text = f"{shown.url} {shown.headers} {shown.body}"
    if SIGNATURE_MASK in text:
        assert not _signature_place(request).startswith("none found"), exchange_id
