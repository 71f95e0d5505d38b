"""The signed request as a preview may show it: no credential, no replayable token.

A preview shows *what* will be sent, on a screen others may see (a screen share, a
screenshot in a support chat) and as text the user may copy. So, in the URL, every
header and the body:

- a bearer token (``Authorization: Bearer <JWT>``: Coinbase signs a fresh one, valid
  two minutes, bound to the path but not to the body) and any JWT is replaced by
  ``SIGNATURE_MASK``: whoever saw it could place any order with it;
- a header or parameter whose name says it signs or authenticates (``sign``, ``token``,
  ``auth``, ...) gets ``SIGNATURE_MASK``, one that carries a passphrase
  ``PASSPHRASE_MASK``: placing the order computes them again anyway;
- each credential is masked wherever it appears: as written, percent-encoded,
  JSON-escaped, in hex, or inside a base64 blob (which is then shown decoded, masked).
  The API key (an identifier) keeps its first and last four characters so the user
  recognises it; a secret shows nothing of itself.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote_plus

from vault_app.core.exchanges import CREDENTIAL_TITLES, SECRET_CREDENTIALS
from vault_app.core.model import mask_identifier

SIGNATURE_MASK = "<signature: computed again when sent>"
PASSPHRASE_MASK = "<passphrase: added when sent>"

_SIGNING = ("sign", "token", "auth", "jwt", "hmac", "secret", "cookie", "session")
_PASSPHRASE = ("passphrase", "password", "passwd")
_SAYS_HOW = ("method", "version", "algorithm", "algorithms", "timestamp", "nonce", "time",
             "type", "expiry", "expires", "window", "recvwindow")
"""A name ending so says how or when it is signed (``SignatureMethod=HmacSHA256``,
``X-Auth-Timestamp``), not a credential: shown as it is."""
_MIN_CREDENTIAL = 4  # shorter values are not looked for: masking every "ab" garbles text

_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer)\s+(?!<)[^\s,;]+")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_QUERY_PAIR = re.compile(r"(^|[?&;])([^=&?#;]+)=([^&#;]*)")
_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*')


def secret_name(name: str) -> str | None:
    """The mask for a header or parameter called ``name``, or None to show its value:
    ``SIGNATURE_MASK`` when the name says it signs or authenticates, ``PASSPHRASE_MASK``
    when it carries a passphrase."""
    folded = re.sub(r"[^a-z0-9]", "", name.casefold())
    if any(word in folded for word in _PASSPHRASE):
        return PASSPHRASE_MASK
    if any(word in folded for word in _SIGNING) or folded.endswith(("mac", "sig")):
        # "sig": crypto.com's body field holding the HMAC of the order (a2 N4)
        if folded.endswith(_SAYS_HOW):
            return None
        return SIGNATURE_MASK
    return None


@dataclass(frozen=True)
class Credentials:
    """The key's credential values, each with what to show in its place."""

    masks: tuple[tuple[str, str], ...]  # (value, its mask), longest value first

    @classmethod
    def of(cls, credentials: Mapping[str, str]) -> Credentials:
        pairs = []
        for name, value in credentials.items():
            if len(value) < _MIN_CREDENTIAL:
                continue
            if name in SECRET_CREDENTIALS:
                mask = f"<{CREDENTIAL_TITLES.get(name, name).lower()}: masked>"
            else:
                mask = mask_identifier(value)
            pairs.append((value, mask))
        return cls(tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)))

    def forms(self) -> Iterable[tuple[str, str]]:
        """Each credential as it may be written in a request, with its mask."""
        for value, mask in self.masks:
            seen = set()
            for form in _encodings(value):
                if form not in seen and len(form) >= _MIN_CREDENTIAL:
                    seen.add(form)
                    yield form, mask

    def exact(self, value: str) -> str | None:
        """The mask of ``value`` if it is one credential, whole."""
        return next((mask for known, mask in self.masks if known == value), None)


def _encodings(value: str) -> list[str]:
    raw = value.encode()
    b64 = base64.b64encode(raw).decode()
    url64 = base64.urlsafe_b64encode(raw).decode()
    return [value, quote(value, safe=""), quote(value, safe="/"), quote_plus(value),
            json.dumps(value)[1:-1], value.replace("/", "\\/"), raw.hex(), raw.hex().upper(),
            b64, b64.rstrip("="), url64, url64.rstrip("=")]


def mask_text(text: str, credentials: Credentials, *, depth: int = 0) -> str:
    """``text`` with every bearer token, JWT and credential (in any of its encodings)
    masked; a base64 blob that holds a credential shown decoded, masked."""
    text = _JWT.sub(SIGNATURE_MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {SIGNATURE_MASK}", text)
    for form, mask in credentials.forms():
        text = re.compile(re.escape(form), re.IGNORECASE).sub(mask.replace("\\", "\\\\"),
                                                               text)
    if depth < 2:
        text = _BASE64_RUN.sub(lambda m: _blob(m.group(0), credentials, depth), text)
    return text


def _blob(run: str, credentials: Credentials, depth: int) -> str:
    """A base64 run as it is, or, when it decodes to something holding a credential,
    its decoded text masked (a JSON payload carrying the API key, as Coinone sends)."""
    decoded = _b64decode(run)
    if decoded is None:
        return run
    folded = decoded.lower()
    if not any(form.lower().encode() in folded for form, _ in credentials.forms()):
        return run
    text = decoded.decode("utf-8", errors="replace")
    return f"<base64 of: {mask_text(text, credentials, depth=depth + 1)}>"


def _b64decode(run: str) -> bytes | None:
    padded = run.rstrip("=").replace("-", "+").replace("_", "/")
    padded += "=" * (-len(padded) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def mask_header(name: str, value: str, credentials: Credentials) -> str:
    """A header's value as a preview shows it (a credential whole keeps its own mask:
    ``x-phemex-access-token`` is the API key)."""
    exact = credentials.exact(value)
    if exact is not None:
        return exact
    by_name = secret_name(name)
    if by_name is not None:
        return by_name
    return mask_text(value, credentials)


def mask_query(text: str, credentials: Credentials) -> str:
    """A URL or a form-encoded body: each parameter named as a signature masked, then
    every credential."""

    def pair(match: re.Match[str]) -> str:
        lead, name, value = match.groups()
        exact = credentials.exact(unquote_plus(value))
        by_name = secret_name(unquote_plus(name))
        if by_name is None or exact is not None:
            return match.group(0)
        return f"{lead}{name}={by_name}"

    return mask_text(_QUERY_PAIR.sub(pair, text), credentials)


def mask_body(body: str, credentials: Credentials) -> str:
    """A body as sent, a parameter named as a signature masked (JSON or form-encoded);
    everything else exactly as it is."""
    if body.lstrip()[:1] in ("{", "["):
        return mask_text(_mask_json_values(body), credentials)
    return mask_query(body, credentials)


def _mask_json_values(text: str) -> str:
    """Every value of a JSON key named as a signature (a string, a number or a whole
    object) replaced by its mask, as a string; the rest of the text untouched."""
    out: list[str] = []
    position = 0
    for match in _JSON_KEY.finditer(text):
        if match.start() < position:
            continue  # inside a value already masked
        mask = secret_name(match.group(1))
        if mask is None:
            continue
        end = _json_value_end(text, match.end())
        out.append(text[position:match.end()])
        out.append(json.dumps(mask))
        position = end
    out.append(text[position:])
    return "".join(out)


def _json_value_end(text: str, start: int) -> int:
    """Where the JSON value starting at ``start`` ends (a string, an object or array
    with strings inside, or a bare number/literal)."""
    depth, index, in_string = 0, start, False
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
                if depth == 0:
                    return index + 1
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            if depth == 0:
                return index
            depth -= 1
            if depth == 0:
                return index + 1
        elif char == "," and depth == 0:
            return index
        index += 1
    return index
