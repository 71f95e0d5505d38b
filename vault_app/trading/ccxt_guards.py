"""What keeps a ccxt instance from logging a secret or resending a request.

- ``guarded_class``: a subclass of the exchange's class whose ``verbose`` is always
  False, whose logger drops every record (ccxt logs each request, headers and API key
  included, at DEBUG on ``ccxt.base.exchange`` whatever ``verbose`` says) and whose
  ``log`` (ccxt's print) does nothing; assigning them is ignored.
- ``hide_url_queries_in_logs``: urllib3 logs each request line at DEBUG with its
  query (a signature; for some exchanges the API key): the query becomes "?***".
- ``NO_RETRIES`` and ``check_safe``/``check_params``: ccxt's ``fetch2`` resends on a
  network error ``maxRetriesOnFailure`` times, read from the call's params, then
  ``options[<endpoint path>]``, then ``options`` (``default...`` names too); requests
  resends if its adapter says so. All stay at 0, checked before every call.
- ``guarded_session``: the instance's requests session. It never follows a redirect
  (requests would resend a signed POST up to 30 times, with its key header, to any
  host the answer names, or turn it into a GET): a 3xx answer raises
  ``RedirectRefused`` (a ``TooManyRedirects``, so ccxt wraps it and ``errors.translate``
  calls the outcome unknown). With ``allowed_origin`` (a custom API URL) it refuses a
  request to any other scheme, host or port (``HostRefused``: nothing is sent). With
  ``environment_proxies`` it takes the proxy for each URL from the environment
  (``HTTPS_PROXY``, ``NO_PROXY``, ...) itself: ``trust_env`` stays False, since requests
  would then also read ``~/.netrc``, which can overwrite an ``Authorization`` header.

The other retry counts in ccxt 4.5.90 do not apply here: ``maxRetries`` of the
paginated fetches (GETs, only with ``params={"paginate": True}``), ``webApiRetries``
and ``watchOrderBook.maxRetries`` (WebSocket, ``ccxt.pro`` only). Rate limiting
(``enableRateLimit``) delays a request; it never repeats one.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from vault_app.trading.errors import ExchangeProblem

# Where ccxt 4.5 reads a retry count (Exchange.fetch2, through handle_option_and_params):
# the call's params, options[<endpoint path>], then options; "default..." variants too.
# Pinned to 0 in options, and checked in every options sub-dict before each call.
NO_RETRIES = {"maxRetriesOnFailure": 0, "defaultMaxRetriesOnFailure": 0,
              "maxRetriesOnFailureDelay": 0}


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


def hide_url_queries_in_logs() -> None:
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


_session_class: type | None = None


def _guarded_session_class() -> type:
    """The requests Session subclass (built on first use: requests loads with ccxt)."""
    global _session_class
    with _guarded_lock:
        if _session_class is None:
            _session_class = _make_session_class()
        return _session_class


def _make_session_class() -> type:
    import requests
    from requests.utils import get_environ_proxies

    class RedirectRefused(requests.exceptions.TooManyRedirects):
        """The exchange answered 3xx: the request reached it; nothing is followed."""

    class HostRefused(requests.exceptions.RequestException):
        """A request for another origin than the key's custom API URL; not sent."""

    class GuardedSession(requests.Session):
        allowed_origin: tuple[str, str] | None = None
        environment_proxies = False

        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            if self.allowed_origin is not None and _origin(str(url)) != self.allowed_origin:
                raise HostRefused("a request for another origin than the key's API URL")
            kwargs["allow_redirects"] = False
            if self.environment_proxies and not kwargs.get("proxies"):
                kwargs["proxies"] = get_environ_proxies(str(url))
            response = super().request(method, url, *args, **kwargs)
            if 300 <= response.status_code < 400:
                response.close()
                raise RedirectRefused(f"HTTP {response.status_code}", response=response)
            return response

    GuardedSession.__module__ = __name__
    return GuardedSession


def _origin(url: str) -> tuple[str, str]:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return parts.scheme.lower(), f"{(parts.hostname or '').lower()}:{parts.port}"
    except ValueError:
        return "", ""


def guarded_session(*, allowed_url: str | None = None, environment_proxies: bool = False,
                    ) -> Any:
    """A session that never follows a redirect (see the module's docstring)."""
    session = _guarded_session_class()()
    session.trust_env = False
    session.max_redirects = 0
    if allowed_url is not None:
        session.allowed_origin = _origin(allowed_url)
    session.environment_proxies = environment_proxies
    return session


def _is_guarded(session: Any) -> bool:
    return type(session) is _guarded_session_class()


def check_safe(exchange: Any) -> None:
    """Refuse to send if anything could print, resend or redirect a request."""
    if exchange is None:
        return
    options = exchange.options
    scopes = [options, *(value for value in options.values() if isinstance(value, dict))]
    session: Any = exchange.session
    adapters = session.adapters.values() if session else ()
    unsafe = (exchange.verbose or exchange.logger is not SILENT_LOGGER
              or exchange.fetchHistoryCacheSize
              or not _is_guarded(session)
              or session.max_redirects != 0 or session.trust_env
              or any(scope.get(name) for scope in scopes for name in NO_RETRIES)
              or any(_retries(adapter) for adapter in adapters))
    if unsafe:
        raise ExchangeProblem(
            "the exchange client was reconfigured to log or resend requests; nothing "
            "was sent", fix="restart the app")


def check_params(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """ccxt also reads a retry count from a call's ``params``: refuse one."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, dict) and any(value.get(name) for name in NO_RETRIES):
            raise ExchangeProblem("a call asked ccxt to resend on failure; nothing was "
                                  "sent", fix="remove maxRetriesOnFailure from its params")
