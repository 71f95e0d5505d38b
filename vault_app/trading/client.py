"""One ccxt instance per key: its credentials, its environment, one call at a time.

``ExchangeClient(entry)`` builds nothing until first used; then it loads the key's
exchange class alone (``loader``) and makes an instance that:

- has the key's credentials (every name ccxt's ``requiredCredentials`` asks for);
- talks to the key's environment: ``live`` as is, ``sandbox`` through
  ``set_sandbox_mode(True)``, ``custom`` with the scheme and host (and port) of every
  API URL replaced by the key's URL, paths kept, a path of the key's URL put in front
  (``http://127.0.0.1:8080/x`` + ``https://api.binance.com/api/v3`` gives
  ``http://127.0.0.1:8080/x/api/v3``). A loopback URL ignores proxy settings from
  the environment and from ccxt;
- stays on spot where the exchange has the option (Binance loads spot markets only);
- never resends: ``maxRetriesOnFailure`` 0 in its options, refused in a call's params,
  and requests' adapters keep their default of no retries (see ``_check_safe``);
- cannot log a secret: ``verbose`` is pinned off on its class, and its logger is a
  private one that drops every record (ccxt logs each request, headers included, at
  DEBUG on ``ccxt.base.exchange`` whatever ``verbose`` says). urllib3's DEBUG request
  lines keep their path but lose their query (a signature, for some exchanges a key).

``call`` runs one ccxt method under the client's lock (one thread at a time, so
nonces stay ordered) and turns a ccxt exception into a ``TradingError``
(``errors.translate``), raised outside the handler so that ccxt's text (URLs,
response bodies, signed queries) never reaches a traceback.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vault_app.core.errors import ValidationError
from vault_app.core.exchanges import load_catalog
from vault_app.core.model import KeyEntry
from vault_app.trading.errors import ExchangeProblem, TradingError, translate
from vault_app.trading.markets_cache import CachedMarkets, MarketsCache, cache_key

DEFAULT_TIMEOUT_MS = 10_000

# Where ccxt 4.5 reads a retry count (Exchange.fetch2, through handle_option_and_params):
# the call's params, options[<endpoint path>], then options; "default..." variants too.
# Pinned to 0 in options, and checked in every options sub-dict before each call.
_NO_RETRIES = {"maxRetriesOnFailure": 0, "defaultMaxRetriesOnFailure": 0,
               "maxRetriesOnFailureDelay": 0}
_PROXY_SETTINGS = ("proxyUrl", "proxy_url", "proxyUrlCallback", "proxy_url_callback",
                   "httpProxy", "http_proxy", "httpProxyCallback", "http_proxy_callback",
                   "httpsProxy", "https_proxy", "httpsProxyCallback",
                   "https_proxy_callback", "socksProxy", "socks_proxy",
                   "socksProxyCallback", "socks_proxy_callback", "proxies", "proxy")


def _silent_logger() -> logging.Logger:
    """A logger outside the logging tree that drops everything, whatever the root says."""
    logger = logging.Logger("vault_app.trading.ccxt_silenced", level=logging.CRITICAL + 1)
    logger.propagate = False
    logger.disabled = True
    logger.addHandler(logging.NullHandler())
    return logger


SILENT_LOGGER = _silent_logger()


class _HideUrlQueries(logging.Filter):
    """urllib3 logs every request line at DEBUG, query included: a signed query holds a
    signature, and for some exchanges the API key. The query is replaced by "?***"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = _URL_QUERY.sub(r"\1?***", message), None
        return True


_URL_QUERY = re.compile(r"(/[^\s?\"]*)\?[^\s\"]*")
_url_filter_installed = False


def _hide_url_queries_in_logs() -> None:
    """Install the query filter on urllib3's pool logger (once per process)."""
    global _url_filter_installed
    if not _url_filter_installed:
        logging.getLogger("urllib3.connectionpool").addFilter(_HideUrlQueries())
        _url_filter_installed = True


def _ignore(_self: object, _value: object) -> None:
    pass


def _ignore_all(_self: object, *_args: object) -> None:
    pass


_guarded_classes: dict[type, type] = {}
_guarded_lock = threading.Lock()


def guarded_class(cls: type) -> type:
    """A subclass of a ccxt exchange class whose ``verbose`` is always False and whose
    logger is ``SILENT_LOGGER``; assigning either is ignored (ccxt's constructor does)."""
    with _guarded_lock:
        guarded = _guarded_classes.get(cls)
        if guarded is None:
            guarded = type(cls.__name__, (cls,), {
                "verbose": property(lambda _self: False, _ignore),
                "logger": property(lambda _self: SILENT_LOGGER, _ignore),
                "log": _ignore_all,  # ccxt prints with it when verbose: never
                "__module__": cls.__module__,
                "__qualname__": cls.__qualname__,
            })
            _guarded_classes[cls] = guarded
        return guarded


def _retries(adapter: object) -> bool:
    """Whether a requests adapter may resend (its default, Retry(0, read=False), does not)."""
    retries = getattr(adapter, "max_retries", None)
    if isinstance(retries, int):
        return retries > 0
    return getattr(retries, "total", 0) not in (0, False)  # None: limited elsewhere, if at all


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def rebase_url(url: str, base: str) -> str:
    """``url`` with the scheme and host of ``base``, and ``base``'s path in front of its own."""
    parts, new = urlsplit(url), urlsplit(base)
    if not parts.scheme or not parts.netloc:
        return url  # not an absolute URL: as is
    path = new.path.rstrip("/") + parts.path
    return urlunsplit((new.scheme, new.netloc, path, parts.query, parts.fragment))


def rebase_urls(value: Any, base: str) -> Any:
    """Every URL string in ``value`` (a string or nested dicts of them), rebased."""
    if isinstance(value, str):
        return rebase_url(value, base)
    if isinstance(value, dict):
        return {key: rebase_urls(item, base) for key, item in value.items()}
    return value


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
        self._lock = threading.RLock()
        self._exchange: Any = None
        self.markets_stale = False
        """True when the markets in use are a stale cached copy (the refresh failed):
        good for listing symbols, never for validating an order."""

    def __repr__(self) -> str:
        return (f"ExchangeClient(label={self._entry.label!r}, exchange={self._entry.exchange!r}"
                f", endpoint={self.describe_endpoint()!r})")

    __str__ = __repr__

    # --- what it talks to --------------------------------------------------------------

    @property
    def entry(self) -> KeyEntry:
        return self._entry

    @property
    def is_live(self) -> bool:
        """Real money may be at stake: live, or a custom URL that is not loopback."""
        if self._entry.environment == "sandbox":
            return False
        if self._entry.environment == "custom":
            return not is_loopback_url(self._entry.api_url or "")
        return True

    def describe_endpoint(self) -> str:
        """For confirmations: "LIVE binance", "sandbox binance", "http://127.0.0.1:8080",
        or "LIVE https://eu.example.com" for a custom URL that is not loopback."""
        environment = self._entry.environment
        if environment == "sandbox":
            return f"sandbox {self._entry.exchange}"
        if environment == "custom":
            url = self._entry.api_url or ""
            return f"LIVE {url}" if self.is_live else url
        return f"LIVE {self._entry.exchange}"

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
        _hide_url_queries_in_logs()
        config: dict[str, Any] = {
            "enableRateLimit": True,
            "timeout": self._timeout_ms,
            "options": dict(_NO_RETRIES),
        }
        # The catalog lists what each exchange's requiredCredentials asks for (a test keeps
        # it in step with ccxt; the class attribute is only Exchange's default).
        required = self._info.required
        credentials = self._entry.credentials
        missing = [name for name in required if not credentials.get(name)]
        if missing:
            raise ValidationError(f"the key '{self._entry.label}' lacks {', '.join(missing)}, "
                                  f"which {self._info.name} requires", field="credentials")
        for name in (*required, *credentials):
            if credentials.get(name):
                config[name] = credentials[name]
        exchange = cls(config)
        self._stay_on_spot(exchange)
        if self._entry.environment == "sandbox":
            self._run(exchange.set_sandbox_mode, True)
        elif self._entry.environment == "custom":
            url = self._entry.api_url or ""
            exchange.urls["api"] = rebase_urls(exchange.urls["api"], url)
            if is_loopback_url(url):
                self._no_proxies(exchange)
        self._check_safe(exchange)
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

    @staticmethod
    def _no_proxies(exchange: Any) -> None:
        for name in _PROXY_SETTINGS:
            if getattr(exchange, name, None) is not None:
                setattr(exchange, name, None)
        exchange.requests_trust_env = False
        exchange.trust_env = False
        exchange.session.trust_env = False
        exchange.session.proxies.clear()

    @staticmethod
    def _check_safe(exchange: Any) -> None:
        """Refuse to send if anything could print or resend a request."""
        if exchange is None:
            return
        options = exchange.options
        scopes = [options, *(value for value in options.values() if isinstance(value, dict))]
        adapters = exchange.session.adapters.values() if exchange.session else ()
        unsafe = (exchange.verbose or exchange.logger is not SILENT_LOGGER
                  or exchange.fetchHistoryCacheSize
                  or any(scope.get(name) for scope in scopes for name in _NO_RETRIES)
                  or any(_retries(adapter) for adapter in adapters))
        if unsafe:
            raise ExchangeProblem(
                "the exchange client was reconfigured to log or resend requests; nothing "
                "was sent", fix="restart the app")

    @staticmethod
    def _check_params(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """ccxt also reads a retry count from a call's ``params``: refuse one."""
        for value in (*args, *kwargs.values()):
            if isinstance(value, dict) and any(value.get(name) for name in _NO_RETRIES):
                raise ExchangeProblem("a call asked ccxt to resend on failure; nothing was "
                                      "sent", fix="remove maxRetriesOnFailure from its params")

    def _secrets(self) -> tuple[str, ...]:
        return tuple(value for value in self._entry.credentials.values() if value)

    # --- calls -------------------------------------------------------------------------

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the ccxt method ``name`` (e.g. "fetch_balance") under the client's lock.

        Raises:
            TradingError: what ccxt raised, translated (never ccxt's own exception).
        """
        if not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"not a ccxt method: {name!r}")
        with self._lock:
            method = getattr(self.exchange, name, None)
            if not callable(method):
                raise ValueError(f"not a ccxt method: {name!r}")
            return self._run(method, *args, **kwargs)

    def _run(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._check_safe(getattr(method, "__self__", None))
        self._check_params(args, kwargs)
        error: TradingError | None = None
        try:
            return method(*args, **kwargs)
        except Exception as exc:  # every failure is translated
            error = translate(exc, self._secrets())
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
        """The exchange's markets: from the disk cache if fresh, else from the network
        (then cached). With ``allow_stale``, a failed refresh falls back to a stale cached
        copy and sets ``markets_stale`` (for listing symbols only)."""
        with self._lock:
            exchange = self.exchange
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
            self._cache.save(self.cache_key, version, markets, exchange.currencies or None)
            return markets

    def cached_symbols(self) -> list[str] | None:
        """The symbols of the cached markets (stale ones too), without loading ccxt."""
        cached = self._cache.symbols(self.cache_key, load_catalog().ccxt_version)
        return None if cached is None else cached.symbols

    def _use(self, cached: CachedMarkets, *, stale: bool) -> Any:
        self._exchange.set_markets(cached.markets, cached.currencies)
        self.markets_stale = stale
        return self._exchange.markets
