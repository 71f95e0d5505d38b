"""One ccxt instance per key: its credentials, its environment, one call at a time.

``ExchangeClient(entry)`` builds nothing until first used; then it loads the key's
exchange class alone (``loader``) and makes an instance that:

- has the key's credentials (every name ccxt's ``requiredCredentials`` asks for);
- talks to the key's environment: ``live`` as is, ``sandbox`` through
  ``set_sandbox_mode(True)``, ``custom`` with the scheme and host (and port) of every
  API URL replaced by the key's URL, paths kept, a path of the key's URL put in front
  (``http://127.0.0.1:8080/x`` + ``https://api.binance.com/api/v3`` gives
  ``http://127.0.0.1:8080/x/api/v3``; ``urls["www"]`` too, which a few exchanges
  request, e.g. btcbox), and a request for any other origin is refused. A plain
  ``http`` URL is used only for a loopback host: one from an older file that is not
  loopback opens, but the client refuses to sign over it (``OrderNotAllowed``);
- follows no redirect (``ccxt_guards.guarded_session``);
- uses the proxy the environment names (``HTTPS_PROXY``, ``NO_PROXY``), except for a
  loopback URL, which ignores proxy settings from the environment and from ccxt;
- stays on spot where the exchange has the option (Binance loads spot markets only);
- never resends: ``maxRetriesOnFailure`` 0 in its options, refused in a call's params,
  and requests' adapters keep their default of no retries (``ccxt_guards``);
- cannot log a secret: ``verbose`` is pinned off on its class, and its logger is a
  private one that drops every record (ccxt logs each request, headers included, at
  DEBUG on ``ccxt.base.exchange`` whatever ``verbose`` says). urllib3's DEBUG request
  lines keep their path but lose their query (a signature, for some exchanges a key).

``call`` runs one of the ccxt methods in ``ALLOWED_CALLS`` under the client's lock
(one thread at a time, so nonces stay ordered) and turns a ccxt exception into a
``TradingError`` (``errors.translate``), raised outside the handler so that ccxt's
text (URLs, response bodies, signed queries) never reaches a traceback. An order
call whose answer is not an order (an empty or garbled 200) is a ``NetworkProblem``:
the order may exist.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import CREDENTIAL_NAMES, load_catalog
from vault_app.core.model import KeyEntry
from vault_app.trading.ccxt_guards import (
    NO_RETRIES,
    check_params,
    check_safe,
    guarded_class,
    guarded_session,
    hide_url_queries_in_logs,
)
from vault_app.trading.endpoints import describe, ignore_proxies, is_loopback_url, rebase_urls
from vault_app.trading.error_context import connection_failure, in_context
from vault_app.trading.errors import (
    NetworkProblem,
    OrderNotAllowed,
    TradingError,
    translate,
)
from vault_app.trading.markets_cache import CachedMarkets, MarketsCache, cache_key, public_only

DEFAULT_TIMEOUT_MS = 10_000

ALLOWED_CALLS = frozenset({
    "load_markets", "load_time_difference", "fetch_time", "fetch_balance", "fetch_ticker",
    "fetch_tickers", "fetch_order_book", "fetch_trading_fee", "fetch_trading_fees",
    "create_order", "cancel_order", "fetch_order", "fetch_open_orders",
    "fetch_closed_orders", "fetch_canceled_orders", "fetch_orders", "fetch_my_trades",
    "fetch_order_trades",
    # What the exchange says of the key's own rights (``key_rights``): reads only.
    "sapiGetAccountApiRestrictions", "sapiGetAccountApiRestrictionsIpRestriction",
    "privateGetAccountConfig", "privateGetV5UserQueryApi",
    "v3PrivateGetBrokerageKeyPermissions",
})
"""The ccxt methods ``call`` runs: what the app reads, the orders it places, and the
key's own rights. Never a withdrawal, a transfer, a raw ``request``/``fetch`` or a change
of environment."""

ORDER_CALLS = ("create_order", "cancel_order", "edit_order")
"""Calls whose answer must be an order: anything else means the outcome is unknown."""


_KEY_LOCKS: weakref.WeakValueDictionary[str, threading.RLock] = weakref.WeakValueDictionary()
_KEY_LOCKS_GUARD = threading.Lock()


def key_lock(entry: KeyEntry) -> threading.RLock:
    """The one lock of an exchange account's API key in this process, shared by every
    client built for it: the trading view and the portfolio each have a client of the
    key, and exchanges that sign with a nonce (Kraken) refuse a request whose nonce is
    not above the last one, which two requests racing each other can produce. Keyed by
    a digest of the exchange, endpoint and API key (never the key itself), so two vault
    entries of one API key share it too; kept while a client holds it."""
    api_key = entry.credentials.get("apiKey") or f"entry {entry.id}"
    identity = "\0".join((entry.exchange, entry.environment, entry.api_url or "", api_key))
    name = hashlib.sha256(identity.encode()).hexdigest()
    with _KEY_LOCKS_GUARD:
        lock = _KEY_LOCKS.get(name)
        if lock is None:
            lock = threading.RLock()
            _KEY_LOCKS[name] = lock
        return lock


class ExchangeClient:
    """The ccxt instance of one key; see the module's docstring."""

    def __init__(self, entry: KeyEntry, *, markets_cache: MarketsCache | None = None,
                 timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self._entry = entry
        self._info = load_catalog().get(entry.exchange)
        if entry.environment == "custom" and not entry.api_url:
            raise ValidationError("a custom environment needs an API URL", field="api_url")
        self._cache = markets_cache if markets_cache is not None else MarketsCache()
        self._timeout_ms = timeout_ms
        self._lock = key_lock(entry)  # shared with the key's other clients
        self._exchange: Any = None
        self._markets_at: float | None = None  # when the markets in use were fetched
        self.markets_stale = False
        """True when the markets in use are a stale cached copy (the refresh failed):
        good for listing symbols, never for validating an order."""

    def __repr__(self) -> str:
        return (f"ExchangeClient(label={self._entry.label!r}, exchange={self._entry.exchange!r}"
                f", endpoint={self.describe_endpoint()!r})")

    __str__ = __repr__

    @property
    def lock(self) -> threading.RLock:
        """The key's re-entrant lock (``key_lock``), held by every ``call``: one request
        at a time per key, whichever client sends it. Hold it around several steps that
        must not interleave with another thread's use of the instance (a request
        captured or pinned through a replaced ``fetch``); ``call`` may run inside it."""
        return self._lock

    # --- what it talks to --------------------------------------------------------------

    @property
    def entry(self) -> KeyEntry:
        return self._entry

    @property
    def is_live(self) -> bool:
        """Real money may be at stake (``endpoints.describe``: the one rule)."""
        return describe(self._entry).live

    def describe_endpoint(self) -> str:
        """For confirmations: "LIVE binance", "sandbox binance", "http://127.0.0.1:8080",
        or "LIVE https://eu.example.com" for a custom URL that is not loopback."""
        return describe(self._entry).text

    @property
    def cache_key(self) -> str:
        return cache_key(self._entry.exchange, self._entry.environment, self._entry.api_url)

    # --- the ccxt instance -------------------------------------------------------------

    @property
    def exchange(self) -> Any:
        """The ccxt instance, built on first use (this loads the exchange's module)."""
        with self._lock:
            if self._exchange is None:
                self._exchange = self._build()
            return self._exchange

    def _build(self) -> Any:
        from vault_app.trading.loader import exchange_class

        cls = guarded_class(exchange_class(self._entry.exchange))
        hide_url_queries_in_logs()
        config: dict[str, Any] = {
            "enableRateLimit": True,
            "timeout": self._timeout_ms,
            "options": dict(NO_RETRIES),
        }
        # The catalog lists what each exchange's requiredCredentials asks for (a test keeps
        # it in step with ccxt; the class attribute is only Exchange's default).
        required = self._info.required
        credentials = self._entry.credentials
        missing = [name for name in required if not credentials.get(name)]
        if missing:
            raise ValidationError(f"the key '{self._entry.label}' lacks {', '.join(missing)}, "
                                  f"which {self._info.name} requires", field="credentials")
        for name in (*required, *credentials):  # ccxt's names only: config is setattr'd
            if name in CREDENTIAL_NAMES and credentials.get(name):
                config[name] = credentials[name]
        custom = self._entry.environment == "custom"
        url = self._entry.api_url or ""
        if custom and urlsplit(url).scheme.lower() != "https" and not is_loopback_url(url):
            raise OrderNotAllowed(
                f"the key '{self._entry.label}' has a plain http API URL for a host that is "
                "not this computer: its key and signatures would cross the network "
                "unencrypted; nothing was sent", fix="change the API URL to https")
        loopback = custom and is_loopback_url(url)
        config["session"] = guarded_session(allowed_url=url if custom else None,
                                            environment_proxies=not loopback)
        exchange = cls(config)
        self._stay_on_spot(exchange)
        if self._entry.environment == "sandbox":
            self._run(exchange.set_sandbox_mode, True)
        elif custom:
            exchange.urls["api"] = rebase_urls(exchange.urls["api"], url)
            if "www" in exchange.urls:  # a few (btcbox) request their web site too
                exchange.urls["www"] = rebase_urls(exchange.urls["www"], url)
            if loopback:
                ignore_proxies(exchange)
        check_safe(exchange)
        return exchange

    @staticmethod
    def _stay_on_spot(exchange: Any) -> None:
        options = exchange.options
        if "defaultType" in options and exchange.has.get("spot"):
            options["defaultType"] = "spot"
        fetch_markets = options.get("fetchMarkets")
        if isinstance(fetch_markets, dict) and isinstance(fetch_markets.get("types"), list) \
                and "spot" in fetch_markets["types"]:
            fetch_markets["types"] = ["spot"]
        for name in ("fetchCurrencies", "fetchMargins"):
            if isinstance(options.get(name), bool):
                options[name] = False

    def _secrets(self) -> tuple[str, ...]:
        return tuple(value for value in self._entry.credentials.values() if value)

    # --- calls -------------------------------------------------------------------------

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the ccxt method ``name`` (e.g. "fetch_balance") under the client's lock.

        Raises:
            TradingError: what ccxt raised, translated (never ccxt's own exception).
        """
        if name not in ALLOWED_CALLS:  # a programming error, not the user's
            raise ValueError(f"not a ccxt method the client runs: {name!r}")
        with self._lock:
            method = getattr(self.exchange, name, None)
            if not callable(method):
                raise ValueError(f"not a ccxt method: {name!r}")
            result = self._run(method, *args, **kwargs)
        if name in ORDER_CALLS and not _is_order_answer(name, result):
            raise NetworkProblem("the exchange's answer could not be understood",
                                 fix="check the exchange's status")
        return result

    def _run(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        check_safe(getattr(method, "__self__", None))
        check_params(args, kwargs)
        error: TradingError | None = None
        try:
            return method(*args, **kwargs)
        except Exception as exc:  # every failure is translated
            try:
                error = in_context(translate(exc, self._secrets()),
                                   getattr(method, "__name__", ""), self.describe_endpoint(),
                                   self._entry.api_url if self._entry.environment == "custom"
                                   else None, connection_failure(exc),
                                   str(getattr(getattr(method, "__self__", None), "name", "")
                                       or ""))
            except BaseException:  # translating must never fail untyped
                error = None
        if error is None:
            error = NetworkProblem("ccxt failed unexpectedly",
                                   fix="check the exchange's status")
        # Raised here, outside the handler: no __context__ leads back to ccxt's text.
        raise error

    def sync_clock(self) -> int:
        """Measure the offset to the exchange's clock and sign with it from now on.

        Returns the offset in milliseconds (positive: this computer is ahead).
        """
        with self._lock:
            exchange = self.exchange
            offset = self._run(exchange.load_time_difference)
            exchange.options["adjustForTimeDifference"] = True
            return int(offset)

    def close(self) -> None:
        """Close the instance's HTTP connections (a later call opens new ones)."""
        with self._lock:
            if self._exchange is not None:
                self._exchange.close()

    # --- markets -----------------------------------------------------------------------

    def load_markets(self, refresh: bool = False, *, allow_stale: bool = False) -> Any:
        """The exchange's markets: those the instance holds while they are fresh, else
        from the disk cache if fresh, else from the network (then cached). With
        ``allow_stale``, a failed refresh falls back to a stale cached copy and sets
        ``markets_stale`` (for listing symbols only).

        Invariant (the order ticket relies on it): while the instance's markets are
        fresh (not ``markets_stale``, younger than the cache's ``max_age``), this returns
        them untouched, so ``set_markets`` never re-parses them under a reader on
        another thread: the ticket calls ``ticket.assess`` on the UI thread with this
        instance while the key's queue runs ``preview`` (which calls this). Only a
        ``refresh`` or markets gone stale replace them, and ccxt's ``set_markets``
        swaps ``markets``/``markets_by_id``/``symbols`` wholesale, never in place."""
        with self._lock:
            exchange = self.exchange
            if not refresh and self._fresh_in_memory():
                return exchange.markets
            version = load_catalog().ccxt_version
            cached = self._cache.load(self.cache_key, version)
            if cached is not None and not cached.stale and not refresh:
                return self._use(cached, stale=False)
            try:
                markets = self._run(exchange.load_markets, True)
            except TradingError:
                if allow_stale and cached is not None:
                    return self._use(cached, stale=True)
                raise
            self.markets_stale = False
            self._markets_at = time.time()
            # Public data only: some exchanges fetch currencies, or the fee tier in the
            # markets, with the key (okx, bybit, mexc, coinbase).
            self._cache.save(self.cache_key, version, public_only(markets), None)
            return markets

    def cached_symbols(self) -> list[str] | None:
        """The symbols of the cached markets (stale ones too), without loading ccxt."""
        cached = self._cache.symbols(self.cache_key, load_catalog().ccxt_version)
        return None if cached is None else cached.symbols

    def _use(self, cached: CachedMarkets, *, stale: bool) -> Any:
        self._exchange.set_markets(cached.markets, cached.currencies)
        self.markets_stale = stale
        self._markets_at = None if stale else cached.saved_at
        return self._exchange.markets

    def _fresh_in_memory(self) -> bool:
        """The instance holds markets saved less than the cache's ``max_age`` ago."""
        at = self._markets_at
        return (at is not None and not self.markets_stale and self._exchange is not None
                and bool(getattr(self._exchange, "markets", None))
                and 0 <= time.time() - at <= self._cache.max_age)


def _is_order_answer(name: str, result: Any) -> bool:
    """Whether an order call's answer is an order ccxt understood: it has an id (or a
    client order id). A cancel may come back without one (Kraken answers a count), but
    never without a parsed answer."""
    if not isinstance(result, dict):
        return False
    if result.get("id") or result.get("clientOrderId"):
        return True
    info = result.get("info")
    return name == "cancel_order" and isinstance(info, dict | list) and bool(info)
