"""Typed errors of the trading layer: one sentence for the user and a suggested fix.

``str(error)`` is the sentence, then the fix, in words that name no front end's
controls (for logs and any caller). What a front end can offer to do about it is
``remedy`` (``vault_app.trading.remedies``) with ``remedy_args``: the CLI says it with
its flags (``vault_app.cli.error_text``), the desktop app with its controls
(``vault_app.gui.trading.error_text``). Messages never contain a credential, a
signature or a signed URL. Front ends map:

- ``OrderInputError`` (a ``ValidationError``): bad input, caught before any request
  leaves the machine; CLI exit 1.
- ``OrderNotAllowed``: the key's labels forbid it (a read-only key never submits);
  nothing was sent; CLI exit 1.
- ``ExchangeProblem`` and its subclasses: the exchange refused the request or could
  not be reached; CLI exit 7. ``outcome_unknown`` says which: True when the request may
  have reached the exchange and its effect is unknown (``NetworkProblem`` and its
  subclasses, ``ExchangeUnavailable``); an order's state must then be looked up,
  never the order sent again. Placement code tests that one attribute.
- ``JournalDamaged`` (a ``VaultDamaged``): the order journal fails its checks; exit 3.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from vault_app.core.errors import ValidationError, VaultDamaged, VaultError
from vault_app.trading.remedies import SYNC_CLOCK

UNKNOWN_OUTCOME = ("the order's outcome is unknown: it may exist, and will be looked up, never "
                   "sent again")
"""What the fix of an order request's ``outcome_unknown`` error says (``error_context``
adds it: only the order request itself can leave an order's outcome unknown)."""


class TradingError(VaultError):
    """Base of every trading failure raised on purpose."""

    ccxt_error: str = ""
    """The name of the ccxt exception this was translated from (``translate``), if any."""

    outcome_unknown: bool = False
    """True when the request may have reached the exchange and its effect is unknown
    (no answer, an answer that could not be understood, a 5xx, a redirect): an order may
    exist and must be looked up, never resent. False: refused, or nothing was sent."""

    remedy: str | None = None
    """What a front end can offer to do about it, in its own words
    (``vault_app.trading.remedies``); ``fix`` says it neutrally."""

    def __init__(self, message: str, *, fix: str = "", remedy: str | None = None,
                 remedy_args: Mapping[str, str] | None = None) -> None:
        self.message = message
        self.fix = fix
        if remedy is not None:
            self.remedy = remedy
        self.remedy_args: Mapping[str, str] = dict(remedy_args or {})
        super().__init__(sentences(message, fix))

    def like(self, message: str, fix: str | None = None) -> TradingError:
        """A copy of this error (class, remedy, ``ccxt_error``) with another message
        (and fix): context added on the way up keeps what a front end can offer."""
        fresh = type(self)(message, fix=self.fix if fix is None else fix,
                           remedy=self.remedy, remedy_args=self.remedy_args)
        fresh.ccxt_error = self.ccxt_error
        return fresh


def sentences(message: str, fix: str) -> str:
    """``message`` and ``fix`` as two sentences: "the exchange refused the order. Check
    the amount." (the front end puts its own prefix before the first one)."""
    if not fix:
        return message
    fix = fix[0].upper() + fix[1:]
    end = "" if fix.endswith((".", "?", "!")) else "."
    return f"{message.rstrip('.')}. {fix}{end}"


class OrderInputError(ValidationError):
    """The order's input is invalid; nothing was sent. ``field`` names the culprit;
    ``remedy`` (``vault_app.trading.remedies``), if any, what a front end can offer."""

    def __init__(self, message: str, field: str | None = None, *,
                 remedy: str | None = None) -> None:
        super().__init__(message, field)
        self.message = message
        self.remedy = remedy


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

    remedy = SYNC_CLOCK


class RateLimited(ExchangeProblem):
    pass


class ExchangeUnavailable(ExchangeProblem):
    """Maintenance, HTTP 5xx, or the exchange is down. An order's outcome is unknown."""

    outcome_unknown = True


class NetworkProblem(ExchangeProblem):
    """No answer, or none that could be understood: the connection failed or dropped,
    a redirect, a garbled answer. An order's outcome is unknown."""

    outcome_unknown = True


class ExchangeTimeout(NetworkProblem):
    pass


class JournalDamaged(VaultDamaged):
    """The order journal is damaged, reordered or was written with another key."""


# --- ccxt's exceptions, translated -------------------------------------------------------
#
# ccxt is never imported here: an exception is matched by the names of the classes in its
# MRO that come from ``ccxt.base.errors``, most specific first, so the order of ccxt's own
# hierarchy decides (InvalidNonce before NetworkError, OrderNotFound before InvalidOrder,
# PermissionDenied before AuthenticationError). Every message is ours; the exchange's own
# reason is added only after scrubbing (no URL query, no credential, no signature).

CCXT_ERRORS_MODULE = "ccxt.base.errors"

_CLOCK_FIX = "sync this computer's clock, or let the app sync with the exchange's time"

# ccxt class name -> (our class, sentence, fix, whether the exchange's reason is appended)
_CCXT_MAP: dict[str, tuple[type[TradingError], str, str, bool]] = {
    "AccountSuspended": (AuthFailed, "the exchange says this account is suspended",
                         "contact the exchange", True),
    "PermissionDenied": (
        KeyLacksPermission, "the exchange refused the request: the key lacks the right for it",
        "the key lacks trade rights on the exchange: enable them there, or relabel the key "
        "read-only", True),
    "AuthenticationError": (
        AuthFailed, "the exchange refused the API key or secret",
        "check the key and secret, and that this IP address is whitelisted for the key", True),
    "InsufficientFunds": (InsufficientFunds, "the balance is too low for this order",
                          "lower the amount, or fund the account", True),
    "OrderNotFound": (OrderNotFound, "the exchange does not know this order",
                      "check the order id; the order may be filled, cancelled or expired", True),
    "DuplicateOrderId": (OrderRejected, "the exchange already has an order with this client "
                         "order id", "look the order up instead of sending it again", True),
    "OrderImmediatelyFillable": (OrderRejected, "the exchange refused a post-only order that "
                                 "would have filled at once", "move the price away from the "
                                 "market, or drop post-only", True),
    "InvalidOrder": (OrderRejected, "the exchange refused the order",
                     "check the amount and price against the market's precision, minimum "
                     "amount and minimum cost", True),
    "BadSymbol": (OrderRejected, "the exchange does not list this symbol",
                  "pick a symbol from the exchange's markets (refresh them)", True),
    "MarketClosed": (OrderRejected, "the market is closed", "try again when it reopens", True),
    "ChecksumError": (NetworkProblem, "the exchange's data failed its checksum",
                      "try again later", False),
    "InvalidNonce": (ClockSkew, "the exchange refused the request's timestamp or nonce",
                     _CLOCK_FIX, True),
    "RequestTimeout": (ExchangeTimeout, "the exchange did not answer in time",
                       "check the network connection", False),
    "OnMaintenance": (ExchangeUnavailable, "the exchange is under maintenance",
                      "try again later", False),
    "ExchangeNotAvailable": (ExchangeUnavailable, "the exchange is unavailable",
                             "try again later", False),
    "DDoSProtection": (RateLimited, "the exchange is limiting requests from this address",
                       "wait a minute before trying again", False),
    "RateLimitExceeded": (RateLimited, "too many requests: the exchange's rate limit was hit",
                          "wait a minute before trying again", False),
    "NetworkError": (NetworkProblem, "the exchange could not be reached",
                     "check the network connection", False),
    "BadResponse": (NetworkProblem, "the exchange's answer could not be understood",
                    "try again later", False),
    "OperationFailed": (NetworkProblem, "the request failed", "try again later", False),
    "NotSupported": (ExchangeProblem, "ccxt does not support this for this exchange",
                     "use another exchange or order type", True),
    "ExchangeError": (ExchangeProblem, "the exchange refused the request",
                      "check the request and try again", True),
    "BaseError": (ExchangeProblem, "ccxt failed", "try again", True),
}

# Only the exchanges' own clock phrases and codes: an echoed "timestamp=" query or an
# X-BAPI-TIMESTAMP header name in a reason says nothing about the clock.
_TIMESTAMP_REASON = re.compile(
    r"(?<![\w-])-1021\b|outside of the recv_?window|timestamp for this request"
    r"|server timestamp|timestamp (?:request )?(?:is )?(?:expired|invalid|out of)"
    r"|invalid (?:request )?timestamp|time differs from server time"
    r"|request (?:has )?expired", re.IGNORECASE)
_FILTER_REASON = re.compile(r"filter failure", re.IGNORECASE)
_TRIGGER_REASON = re.compile(r"stop price|trigger", re.IGNORECASE)
STOP_TRIGGERS_AT_ONCE = (
    "the exchange refused a stop order whose stop price would trigger at once",
    "a buy stop's stop price must be above the last price and a sell stop's below it: "
    "move the stop price, or place a limit order")
_KEY_REASON = re.compile(r"api[-_ ]?key|-2015", re.IGNORECASE)
_URL_QUERY = re.compile(r"(https?://[^\s?#'\"]*)[?#][^\s'\"]*")
_SECRET_PARAM = re.compile(
    r"(?i)\b(signature|sign|api_?key|key|secret|token|passphrase|password)=[^&\s'\"]*")
_LONG_HEX = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_LONG_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{40,}={0,2}")
MAX_REASON = 200
MAX_JSON_REASON = 64 * 1024
"""An error body longer than this is not parsed for its ``msg``: it is not a reason."""


def _secret_pattern(secret: str) -> str:
    """A pattern for ``secret`` as written, JSON-escaped (``\\/``, ``\\u002b``, ``\\n``)
    or percent-encoded (either case; ``+`` for a space), in any mix."""
    escapes = {"\n": r"\\n", "\r": r"\\r", "\t": r"\\t", '"': r'\\"', "\\": r"\\\\",
               "/": r"\\/", " ": r"\+"}
    parts = []
    for char in secret:
        alternatives = [re.escape(char), re.escape(quote(char, safe=""))]
        if ord(char) < 0x10000:
            alternatives.append(rf"\\u{ord(char):04x}")
        if char in escapes:
            alternatives.append(escapes[char])
        parts.append("(?:" + "|".join(dict.fromkeys(alternatives)) + ")")
    return "".join(parts)


@functools.lru_cache(maxsize=16)
def _secrets_regex(secrets: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(_secret_pattern(secret) for secret in secrets), re.IGNORECASE)


MIN_SECRET = 4
"""A credential shorter than this is not looked for: masking every "p" in a message
would garble it, and so short a value is no secret worth the name."""
MIN_ECHO = 8
"""Any run of this many characters of a credential (a partial echo) is masked."""


def _echo_spans(text: str, secrets: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where ``text`` holds a run of at least ``MIN_ECHO`` characters of a credential
    (case-insensitive), merged: every window of ``MIN_ECHO`` is looked up."""
    grams = {secret[i:i + MIN_ECHO].casefold() for secret in secrets
             for i in range(len(secret) - MIN_ECHO + 1)}
    if not grams:
        return []
    spans: list[tuple[int, int]] = []
    for start in range(len(text) - MIN_ECHO + 1):
        if text[start:start + MIN_ECHO].casefold() in grams:
            end = start + MIN_ECHO
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return spans


def _mask_echoes(text: str, secrets: tuple[str, ...]) -> str:
    for start, end in reversed(_echo_spans(text, secrets)):
        text = f"{text[:start]}***{text[end:]}"
    return text


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without credentials (as written, JSON-escaped or percent-encoded, or any
    run of ``MIN_ECHO`` of their characters), URL queries, signatures or long opaque
    tokens. Credentials shorter than ``MIN_SECRET`` are not looked for."""
    ordered = tuple(sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len,
                           reverse=True))
    if ordered:
        text = _secrets_regex(ordered).sub("***", text)
        text = _mask_echoes(text, ordered)
    text = _URL_QUERY.sub(r"\1?***", text)
    text = _SECRET_PARAM.sub(r"\1=***", text)
    text = _LONG_HEX.sub("***", text)
    text = _LONG_BASE64.sub("***", text)
    text = " ".join(_without_controls(text).split())
    return text if len(text) <= MAX_REASON else text[:MAX_REASON - 1] + "\u2026"


def _without_controls(text: str) -> str:
    """``text`` with control and format characters (escapes, NUL, bidi overrides that
    reorder what a label shows) as spaces: an exchange's reason is shown, never obeyed."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def exchange_reason(text: str, secrets: Iterable[str] = ()) -> str:
    """The exchange's own reason in ccxt's message, scrubbed: the ``msg`` of a JSON body
    (``binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}``), else the text."""
    start = text.find("{")
    if 0 <= start and len(text) - start <= MAX_JSON_REASON:
        try:
            body = json.loads(text[start:])
        except (ValueError, RecursionError):  # a deeply nested body is not an answer
            body = None
        if isinstance(body, dict):
            for name in ("msg", "message", "error_description", "error", "errorMessage"):
                value = body.get(name)
                if isinstance(value, str) and value:
                    code = body.get("code")
                    prefix = f"{code}: " if isinstance(code, int | str) and code != "" else ""
                    return scrub(f"{prefix}{value}", secrets)
    return scrub(_without_exchange_id(text), secrets)


@functools.lru_cache(maxsize=1)
def _exchange_ids() -> frozenset[str]:
    from vault_app.core.exchanges import load_catalog

    return frozenset(load_catalog().exchanges)


def _without_exchange_id(text: str) -> str:
    """ccxt's "binance Account has insufficient balance" without ccxt's "binance "."""
    first, _, rest = text.partition(" ")
    return rest if rest and first in _exchange_ids() else text


def ccxt_class_names(exc: BaseException) -> list[str]:
    """Names of the ccxt error classes ``exc`` is an instance of, most specific first."""
    return [cls.__name__ for cls in type(exc).__mro__
            if cls.__module__ == CCXT_ERRORS_MODULE]


def translate(exc: BaseException, secrets: Iterable[str] = ()) -> TradingError:
    """The TradingError for an exception raised by ccxt: one sentence and a fix.

    ``secrets`` (the key's credentials) are scrubbed from the exchange's reason, as
    are URL queries and signatures. The result's ``ccxt_error`` names the ccxt class
    (or the Python class, for an exception ccxt did not mean to raise). Raise it
    *outside* the ``except`` block that caught ``exc`` (or ``from None``), so that
    ccxt's text never reaches a traceback.
    """
    if isinstance(exc, TradingError):
        return exc
    names = ccxt_class_names(exc)
    secrets = tuple(secrets)
    transport = _transport_error(exc, names)
    if transport is not None:
        transport.ccxt_error = names[0] if names else type(exc).__name__
        return transport
    reason = exchange_reason(str(exc), secrets) if names else ""
    error: TradingError
    for name in names:
        if name not in _CCXT_MAP:
            continue
        cls, message, fix, with_reason = _CCXT_MAP[name]
        if cls is ExchangeProblem and name in ("ExchangeError", "BaseError") \
                and _TIMESTAMP_REASON.search(reason):
            cls, message, fix = ClockSkew, "the exchange refused the request's timestamp", \
                _CLOCK_FIX
        if cls is ExchangeProblem and name in ("ExchangeError", "BadRequest") \
                and _FILTER_REASON.search(reason):
            # Binance's -1013 "Filter failure: NOTIONAL" (ccxt maps only LOT_SIZE and
            # PRICE_FILTER to InvalidOrder): the order broke a market rule.
            cls, message, fix = _CCXT_MAP["InvalidOrder"][:3]
        if name == "OrderImmediatelyFillable" and _TRIGGER_REASON.search(reason):
            # Binance's -2010 "Stop price would trigger immediately.": a stop order, not
            # a post-only one (ccxt maps both to this class).
            message, fix = STOP_TRIGGERS_AT_ONCE
        if name == "DDoSProtection" and _KEY_REASON.search(reason):
            # Binance answers -2015 to a key refused after it once worked; ccxt then calls
            # it a temporary ban. Either way, the user's next step is about the key.
            cls, message, fix, with_reason = AuthFailed, \
                "the exchange refused the API key (or banned this address for a while)", \
                "check the key, its trade rights and IP whitelist, or wait a few minutes", True
        if cls is AuthFailed and "permission" in reason.lower():
            # Binance's -2015 "Invalid API-key, IP, or permissions for action."
            fix = f"{fix}, and that the key has the rights this request needs (trading)"
        if with_reason and reason:
            message = f"{message} ({reason.rstrip('.')})"
        error = cls(message, fix=fix)
        break
    else:
        # Not an exception ccxt meant to raise (a parse failure on an odd answer, ...):
        # nothing of its text is kept, and an order's outcome is unknown.
        error = NetworkProblem(
            f"ccxt failed unexpectedly ({type(exc).__name__})", fix="try again later")
    error.ccxt_error = names[0] if names else type(exc).__name__
    return error


def for_order_type(error: TradingError, order_type: str) -> TradingError:
    """``error`` with advice for the order's type: ccxt's OrderImmediatelyFillable is a
    post-only refusal for a limit order, but a stop that would trigger at once for a
    stop order (whatever the exchange's wording)."""
    if error.ccxt_error != "OrderImmediatelyFillable" or "stop" not in order_type \
            or error.message.startswith(STOP_TRIGGERS_AT_ONCE[0]):
        return error
    return error.like(STOP_TRIGGERS_AT_ONCE[0], STOP_TRIGGERS_AT_ONCE[1])


# ccxt's fetch raises a bare ExchangeError "<id> <METHOD> <url>" (from the requests
# exception) for a redirect, a TLS failure, an HTTP status it has no class for (524,
# 505, 599, ...) and any other transport failure (a garbled gzip body on a 200), and an
# exchange's handler a bare ExchangeError for a 5xx whose code it does not know: none
# of these is a refusal, and most happen after the request reached the exchange.
_BARE_DETAILS = re.compile(r"\S+ (?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) \S+")
_TRANSPORT_MODULES = ("requests.", "urllib3.")


def _transport_error(exc: BaseException, names: list[str]) -> TradingError | None:
    """The error for a transport failure ccxt reported as a plain ExchangeError, or None."""
    if not names or names[0] not in ("ExchangeError", "BaseError"):
        return None
    # ``from e`` for a transport failure; for an HTTP error status the exchange's own
    # error handler raises inside ccxt's ``except HTTPError``, leaving it as the context
    # (okx answers a 500 with a code ccxt has no class for: not a refusal either).
    cause = exc.__cause__ if exc.__cause__ is not None else exc.__context__
    mro = type(cause).__mro__ if cause is not None else ()
    transport = any(cls.__module__.startswith(_TRANSPORT_MODULES) for cls in mro)
    cause_names = [cls.__name__ for cls in mro] if transport else []
    if not cause_names:
        if _BARE_DETAILS.fullmatch(str(exc).strip()):
            return NetworkProblem("the exchange could not be reached, or its answer could "
                                  "not be read", fix="check the network connection")
        return None
    if "HostRefused" in cause_names:
        return ExchangeProblem("a request was for another host than the key's API URL; "
                               "nothing was sent", fix="check the key's API URL")
    response = getattr(cause, "response", None)
    status = getattr(response, "status_code", None)
    if "TooManyRedirects" in cause_names:
        shown = f" (HTTP {status})" if isinstance(status, int) else ""
        return NetworkProblem(f"the exchange answered with a redirect{shown}, which the app "
                              "never follows", fix="check the API URL")
    if "SSLError" in cause_names:
        return NetworkProblem("the secure connection to the exchange failed",
                              fix="check the network connection and the API URL")
    if "HTTPError" in cause_names and isinstance(status, int):
        if 400 <= status < 500:
            return None  # a refusal ccxt had no class for: the mapping says so
        return ExchangeUnavailable(f"the exchange, or a proxy in front of it, failed to "
                                   f"answer (HTTP {status})", fix="try again later")
    return NetworkProblem("the exchange's answer could not be read",
                          fix="check the network connection")
