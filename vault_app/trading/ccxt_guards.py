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


def check_safe(exchange: Any) -> None:
    """Refuse to send if anything could print or resend a request."""
    if exchange is None:
        return
    options = exchange.options
    scopes = [options, *(value for value in options.values() if isinstance(value, dict))]
    adapters = exchange.session.adapters.values() if exchange.session else ()
    unsafe = (exchange.verbose or exchange.logger is not SILENT_LOGGER
              or exchange.fetchHistoryCacheSize
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
