"""Where a key's requests go: LIVE or not (``describe``: the one rule every front end
shows), loopback detection, custom API URLs, proxies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import urlsplit, urlunsplit

from vault_app.core.model import KeyEntry, is_loopback_host

LIVE: Final = "live"
SANDBOX: Final = "sandbox"
CUSTOM: Final = "custom"
DEMO: Final = "demo"
EndpointKind = Literal["live", "sandbox", "custom", "demo"]
DEMO_TAG = "demo"
"""The tag of the offline demo's keys (``demo_vault``): with a loopback URL, "DEMO"."""


@dataclass(frozen=True)
class Endpoint:
    """Where a key's requests go, decided once (``describe``)."""

    kind: EndpointKind
    live: bool
    """Real money may be at stake: live, or a custom URL that is not loopback."""
    text: str
    """For messages and confirmations: "LIVE binance", "sandbox binance",
    "http://127.0.0.1:8080", "LIVE https://eu.example.com"."""
    badge: str
    """The one-line badge a front end shows: "LIVE: real money", "SANDBOX (testnet)",
    "DEMO: fake money", "Custom URL: http://127.0.0.1:8080", "LIVE: custom URL …"."""

    @property
    def test_money(self) -> bool:
        """Only the sandbox (testnet) and the offline demo hold test money. A custom URL
        on this computer is not "live" for ``live``, but may be an SSH tunnel or a local
        proxy to a real exchange: its money is counted as real."""
        return self.kind in (SANDBOX, DEMO)

    @property
    def on_this_computer(self) -> bool:
        """A custom URL on this computer that is not the demo: where it leads is unknown."""
        return self.kind == CUSTOM and not self.live


def describe(entry: KeyEntry) -> Endpoint:
    """LIVE or not, and how to say it, for ``entry``. A custom URL counts as LIVE unless
    its host is loopback; a loopback URL of a key tagged ``demo`` is the offline demo."""
    if entry.environment == "sandbox":
        return Endpoint(SANDBOX, False, f"sandbox {entry.exchange}", "SANDBOX (testnet)")
    if entry.environment == "custom":
        url = entry.api_url or ""
        if not is_loopback_url(url):
            return Endpoint(CUSTOM, True, f"LIVE {url}", f"LIVE: custom URL {url}")
        if DEMO_TAG in entry.tags:
            return Endpoint(DEMO, False, url, "DEMO: fake money")
        return Endpoint(CUSTOM, False, url, f"Custom URL: {url}")
    return Endpoint(LIVE, True, f"LIVE {entry.exchange}", "LIVE: real money")

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
