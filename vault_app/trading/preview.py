"""What an order will sign and send, built by ccxt itself, shown before anything leaves.

``capture_create_order`` calls ccxt's real ``create_order`` with the very arguments
the placement will use, but with the instance's ``fetch`` replaced for the call by
one that records the request (method, URL, headers, body: signed by ccxt's own
``sign``) and raises; nothing reaches the network. ``build_preview`` masks the
credentials, bearer tokens and signatures in it (``preview_masking``), says where the
signature is, and adds the human summary.

Placing the order later signs it again: the server receives the same request
apart from the timestamp and the signature over it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from vault_app.trading.endpoints import describe
from vault_app.trading.money import grouped
from vault_app.trading.orders import CheckedOrder, trigger_words
from vault_app.trading.preview_masking import (
    SIGNATURE_MASK,
    Credentials,
    mask_body,
    mask_header,
    mask_query,
    secret_name,
)

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry

CLIENT_ID_PREFIX = "va-"
CLIENT_ID_RANDOM = 20  # "va-" + 20 = 23 characters: under every exchange's limit we know
# Binance: ^[.A-Z:/a-z0-9_-]{1,36}$ ; OKX: 1-32 alphanumerics ; Bybit: 36. Exchanges
# that allow no "-" would need another alphabet; token_urlsafe uses A-Z a-z 0-9 _ -.


def new_client_order_id() -> str:
    """Our id for one order, generated before its request exists (journal-first)."""
    return CLIENT_ID_PREFIX + secrets.token_urlsafe(32)[:CLIENT_ID_RANDOM]


@dataclass(frozen=True)
class SignedRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: str | None

    def __repr__(self) -> str:  # carries the API key: never in a log or a traceback
        return f"SignedRequest({self.method} {urlsplit(self.url).path})"


class _Captured(Exception):  # a private signal, not an error
    """Raised by the stand-in ``fetch``: the request was recorded, stop here."""


@contextmanager
def fetch_replaced(exchange: Any, stand_in: Any) -> Iterator[None]:
    had_own = "fetch" in vars(exchange)
    own = vars(exchange).get("fetch")
    exchange.fetch = stand_in
    try:
        yield
    finally:
        if had_own:
            exchange.fetch = own
        else:
            del exchange.fetch


def capture_create_order(exchange: Any, args: tuple[Any, ...]) -> SignedRequest:
    """The request ccxt's ``create_order(*args)`` would send, signed; nothing is sent.

    The caller holds the client's lock (one thread per instance, nonces in order).
    """
    captured: list[SignedRequest] = []

    def capture(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        captured.append(SignedRequest(method, url, dict(headers or {}),
                                      body if body is None else str(body)))
        raise _Captured

    # Nothing is sent, so ccxt's rate limiter must not wait for it or count it.
    limited, exchange.enableRateLimit = exchange.enableRateLimit, False
    try:
        with fetch_replaced(exchange, capture):
            exchange.create_order(*args)
    except _Captured:
        pass
    finally:
        exchange.enableRateLimit = limited
    if len(captured) != 1:
        raise RuntimeError("ccxt's create_order made no request to capture")
    return captured[0]


@dataclass(frozen=True)
class OrderPreview:
    """Exactly what will be signed and sent, the API key masked."""

    checked: CheckedOrder
    client_order_id: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    signature_at: str  # "query parameter 'signature'", "header 'OK-ACCESS-SIGN'", ...
    endpoint: str  # "LIVE binance", "sandbox", "http://127.0.0.1:8080"
    live: bool
    summary: str
    key: str = ""  # "trader (binance, read, trade)": the key that signs it
    fee: str = ""  # "≈ 0.5 USDT (0.1 %, the BTC/USDT market's taker rate)", if known
    environment: str = ""
    """The endpoint's kind (``endpoints.describe``): live, sandbox, custom or demo."""
    estimate_moved: str = ""
    """``estimate_moved``'s line, set by a front end that showed an estimate before."""

    def parameters(self) -> list[tuple[str, str]]:
        """The request's parameters, decoded, one per name: the URL's query, then a
        form-encoded or JSON body (a nested value as compact JSON)."""
        return request_parameters(self.url, self.body)

    def market_line(self) -> str:
        return market_line(self.checked)

    def lines(self, *, warnings: bool = True) -> list[str]:
        """The preview as text lines, for a terminal (escape them before printing).
        ``warnings=False`` leaves out the checks' warnings (a front end showing them
        its own way: the CLI on standard error)."""
        lines = []
        if self.live:
            lines.append("*** LIVE ORDER: real money on the live exchange ***")
        lines += [f"Order:     {self.summary}", f"Market:    {self.market_line()}"]
        if self.key:
            lines.append(f"Key:       {self.key}")
        lines += [f"Endpoint:  {self.endpoint}",
                  f"Client id: {self.client_order_id}",
                  f"Request:   {self.method} {self.url}"]
        if self.fee:
            lines.append(f"Fee:       {self.fee}")
        lines += [f"  {name}: {value}" for name, value in self.headers]
        if self.body:
            lines.append(f"Body:      {self.body}")
        lines.append(f"Signature: {self.signature_at} (signed again, with a new timestamp, "
                     "when sent)")
        lines += [f"Note:      {note}" for note in self.checked.notes]
        if warnings:
            lines += [f"WARNING:   {warning}" for warning in self.checked.warnings]
        return lines


def market_line(checked: CheckedOrder) -> str:
    """``BTC/USDT spot``, and ``(you typed 'btcusdt')`` when the user wrote it otherwise."""
    typed = checked.request.typed_symbol
    said = f" (you typed '{typed}')" if typed and typed != checked.symbol else ""
    return f"{checked.symbol} {checked.market_type}{said}"


def summary(checked: CheckedOrder) -> str:
    request = checked.request
    kind = request.type
    if checked.price is not None:
        where = f"at {grouped(Decimal(checked.price))} {checked.quote}"
    else:
        where = "at the market price"
    details = [kind]
    if request.post_only:
        details.append("post-only")
    elif checked.time_in_force:
        details.append(checked.time_in_force)
    trigger = ""
    if checked.stop_price is not None:
        trigger = (f", triggers when the last price {trigger_words(request.side)} "
                   f"{grouped(Decimal(checked.stop_price))} {checked.quote}")
    value = ""
    if checked.notional is not None:
        value = f", ≈ {estimate_text(checked, checked.notional)}"
    return (f"{request.side.upper()} {grouped(Decimal(checked.amount))} {checked.base} "
            f"{where}, {' '.join(details)}{trigger}{value}")


def estimate_text(checked: CheckedOrder, value: Decimal) -> str:
    """An estimate in the quote as the ticket, the review and the confirmation all
    write it: the quote's decimals (``24,999.48 USDT``, u2 N4)."""
    places = _quote_places(checked)
    return f"{grouped(value if places is not None else round_for_display(value), places)}"\
        f" {checked.quote}"


def estimate_moved(checked: CheckedOrder, shown: Decimal | None) -> str:
    """One line when the estimate differs from the ticket's ``shown`` (a fresh price
    since): ``≈ 1,499.29 USDT at the latest price (the ticket showed 1,499.39)``."""
    if shown is None or checked.notional is None:
        return ""
    now, before = estimate_text(checked, checked.notional), estimate_text(checked, shown)
    if now == before:
        return ""
    return f"≈ {now} at the latest price (the ticket showed {before.rsplit(' ', 1)[0]})"


def _quote_places(checked: CheckedOrder) -> int | None:
    """Decimals of an estimate in the quote: the market's (the quote's step, as the
    ticket shows it); else as many as the limit price has, at most 8; else None."""
    if checked.quote_places is not None:
        return checked.quote_places
    if checked.price is None:
        return None
    _, _, fraction = checked.price.partition(".")
    return min(8, len(fraction.rstrip("0")))


def round_for_display(value: Decimal) -> Decimal:
    """At most 8 decimals: an estimate, not an amount to send."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -8:
        return value.quantize(Decimal("0.00000001"))
    return value


_JSON_NAME = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')
"""A JSON object's key (as written) in a request body."""


def _signature_place(request: SignedRequest) -> str:
    """Where the signature goes, by the masking's own rule (``secret_name``): what the
    preview masks as a signature is what it names here."""
    def signs(name: str) -> bool:
        return secret_name(name) == SIGNATURE_MASK

    for name, _ in parse_qsl(urlsplit(request.url).query, keep_blank_values=True):
        if signs(name):
            return f"query parameter '{name}'"
    if request.body:
        names = [name for name, _ in parse_qsl(request.body, keep_blank_values=True)] \
            if not request.body.lstrip().startswith(("{", "[")) else \
            _JSON_NAME.findall(request.body)
        for name in names:
            if signs(name):
                return f"body parameter '{name}'"
    for name in request.headers:  # also a bearer token (Coinbase: "Authorization")
        if signs(name):
            return f"header '{name}'"
    return "none found (the exchange may sign another way)"


def mask_request(request: SignedRequest, credentials: Mapping[str, str]) -> SignedRequest:
    """``request`` as a preview may show it (``preview_masking``): no credential in any
    encoding, no bearer token, no signature (placing computes them again)."""
    known = Credentials.of(credentials)
    return SignedRequest(
        request.method, mask_query(request.url, known),
        {name: mask_header(name, str(value), known) for name, value in request.headers.items()},
        mask_body(request.body, known) if request.body is not None else None)


def request_parameters(url: str, body: str | None) -> list[tuple[str, str]]:
    """Each parameter of ``url``'s query and of ``body`` (form-encoded or a JSON object),
    decoded; nothing for a body that is neither."""
    found = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    text = (body or "").strip()
    if text.startswith("{"):
        try:
            decoded = json.loads(text)
        except ValueError:
            return found
        if isinstance(decoded, dict):
            found += [(str(name), value if isinstance(value, str) else
                       json.dumps(value, separators=(",", ":")))
                      for name, value in decoded.items()]
    elif "=" in text:
        found += parse_qsl(text, keep_blank_values=True)
    return found


def build_preview(checked: CheckedOrder, client_order_id: str, request: SignedRequest,
                  entry: KeyEntry, *, endpoint: str, live: bool, fee: str = "") -> OrderPreview:
    shown = mask_request(request, entry.credentials)
    return OrderPreview(
        checked=checked, client_order_id=client_order_id, method=shown.method,
        url=shown.url, headers=tuple(shown.headers.items()), body=shown.body,
        signature_at=_signature_place(request), endpoint=endpoint, live=live,
        summary=summary(checked), key=key_description(entry), fee=fee,
        environment=describe(entry).kind)


def key_description(entry: KeyEntry) -> str:
    """``trader (binance, read, trade)``: which key signs, where, with what labels."""
    return f"{entry.label} ({entry.exchange}, {', '.join(entry.permissions)})"
