"""What the trading view runs in a key's queue (worker threads): plain functions of a
``TradingSession`` that return plain data. Never a widget in here."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.session import TradingSession


LISTED_WAIT_S = 1.0
"""How long the markets load waits for the list from the header to be shown at most (a
safety: the view opens the gate once it has shown the list, or at once without one)."""


def header_symbols_work(session: TradingSession, gate: threading.Event) -> list[str] | None:
    """The symbols of the key's cached markets from the cache file's header alone (a few
    KB; no ccxt, no markets loaded), or None if the copy is missing, not ours or stale:
    the list can show before the markets load. Never for an order: the ticket waits.
    Without symbols, ``gate`` (which holds the markets load) opens here."""
    symbols = _header_symbols(session)
    if symbols is None:
        gate.set()
    return symbols


def _header_symbols(session: TradingSession) -> list[str] | None:
    from vault_app.core.exchanges import load_catalog
    from vault_app.trading.markets_cache import MarketsCache, cache_key

    entry = session.entry  # the session's client reads the same default cache folder
    cached = MarketsCache().symbols(cache_key(entry.exchange, entry.environment,
                                              entry.api_url), load_catalog().ccxt_version)
    return None if cached is None or cached.stale else cached.symbols


def load_markets_work(session: TradingSession, gate: threading.Event | None = None
                      ) -> tuple[Any, list[str], bool]:
    """The key's ccxt instance with its markets loaded, its symbols, and whether they are
    a stale copy. Waits for ``gate`` first (the list from the cache's header being
    shown): decoding 2,000 markets holds the interpreter in long stretches, and the UI
    thread, which needs it for each step of showing the list, would wait behind them."""
    if gate is not None:
        gate.wait(LISTED_WAIT_S)
    from vault_app.gui.long_lived import freeze_once
    from vault_app.trading.loader import exchange_class

    exchange_class(session.entry.exchange)  # what the client builds from: imported once
    freeze_once(f"exchange:{session.entry.exchange}")  # before its markets are parsed
    client = session.client  # loads the markets (from the disk cache when fresh)
    exchange = client.exchange
    return exchange, sorted(exchange.symbols or ()), client.markets_stale


def open_orders_work(session: TradingSession, entry: KeyEntry) -> list[dict[str, Any]]:
    from vault_app.trading.order_view import exchange_order_public

    return [exchange_order_public(order, entry.id, entry.exchange, entry.environment)
            for order in session.open_orders()]


def history_work(session: TradingSession, refresh: bool) -> tuple[list[dict[str, Any]], str]:
    orders = [order.public() for order in session.history(refresh=refresh)]
    problem = session.refresh_problem
    text = (f"Shown as last seen: the exchange could not be asked ({problem})."
            if problem is not None else "")
    return orders, text
