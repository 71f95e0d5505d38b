"""Where a key's requests go: loopback detection, custom API URLs, proxies."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from vault_app.core.model import is_loopback_host

_PROXY_SETTINGS = ("proxyUrl", "proxy_url", "proxyUrlCallback", "proxy_url_callback",
                   "httpProxy", "http_proxy", "httpProxyCallback", "http_proxy_callback",
                   "httpsProxy", "https_proxy", "httpsProxyCallback",
                   "https_proxy_callback", "socksProxy", "socks_proxy",
                   "socksProxyCallback", "socks_proxy_callback", "proxies", "proxy")


def is_loopback_url(url: str) -> bool:
    """Whether ``url``'s host is loopback: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost
    (not ``*.localhost``, which a resolver may send elsewhere)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and is_loopback_host(host or "")


def rebase_url(url: str, base: str) -> str:
    """``url`` with the scheme and host of ``base``, and ``base``'s path in front of its own."""
    parts, new = urlsplit(url), urlsplit(base)
    if not parts.scheme or not parts.netloc:
        return url  # not an absolute URL: as is
    path = new.path.rstrip("/") + parts.path
    return urlunsplit((new.scheme, new.netloc, path, parts.query, parts.fragment))


def rebase_urls(value: Any, base: str) -> Any:
    """Every URL in ``value`` (a string, or dicts and lists of them), rebased: a URL left
    alone would send the key's requests to the exchange's own host."""
    if isinstance(value, str):
        return rebase_url(value, base)
    if isinstance(value, dict):
        return {key: rebase_urls(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [rebase_urls(item, base) for item in value]
    return value


def ignore_proxies(exchange: Any) -> None:
    """No proxy for this instance: none of ccxt's settings, none from the environment."""
    for name in _PROXY_SETTINGS:
        if getattr(exchange, name, None) is not None:
            setattr(exchange, name, None)
    exchange.requests_trust_env = False
    exchange.trust_env = False
    exchange.session.trust_env = False
    exchange.session.proxies.clear()
