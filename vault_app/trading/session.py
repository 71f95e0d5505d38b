"""One key's trading: its client, its journal, its orders. What a front end calls.

``TradingSession(vault, entry)`` builds nothing until used. A ``read`` key may view
balances, open orders and history; only a ``trade`` key previews, places and
cancels (``OrderNotAllowed`` before any request). Front ends call ``reconcile`` at
the start of every trading command, so an order left UNKNOWN by a lost answer (or
a crash) is settled before anything else is done with the key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.trading.errors import OrderInputError, translate
from vault_app.trading.journal import Journal, journal_path
from vault_app.trading.order_log import (
    CANCELED,
    LIVE_ON_EXCHANGE,
    LoggedOrder,
    append_state,
    exchange_fields,
    fold,
    state_of,
)
from vault_app.trading.orders import (
    DEFAULT_PRICE_BAND,
    OrderRequest,
    check_order,
    number,
    require_trade,
)
from vault_app.trading.placement import Placement, client_lock, place
from vault_app.trading.preview import (
    OrderPreview,
    build_preview,
    capture_create_order,
    new_client_order_id,
)
from vault_app.trading.reconcile import BACKOFF, Resolution, reconcile, unresolved_orders

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.core.vault import Vault
    from vault_app.trading.client import ExchangeClient


@dataclass(frozen=True)
class Balance:
    currency: str
    free: Decimal
    used: Decimal
    total: Decimal


class TradingSession:
    def __init__(self, vault: Vault, entry: KeyEntry, *,
                 client: ExchangeClient | None = None,
                 price_band: Decimal = DEFAULT_PRICE_BAND,
                 sleep: Callable[[float], object] = time.sleep,
                 backoff: Sequence[float] = BACKOFF) -> None:
        self.vault = vault
        self.entry = entry
        self._client = client
        self.price_band = price_band
        self._sleep = sleep
        self._backoff = backoff
        self._journal: Journal | None = None
        self._markets_loaded = False

    @property
    def client(self) -> ExchangeClient:
        """The key's client, its markets loaded (from the disk cache when fresh): ccxt
        would otherwise load them from the network on the first call that needs them."""
        if self._client is None:
            from vault_app.trading.client import ExchangeClient

            self._client = ExchangeClient(self.entry)
        if not self._markets_loaded:
            self._client.load_markets()
            self._markets_loaded = True
        return self._client

    def close(self) -> None:
        """Close the client's HTTP connections (a later call opens new ones)."""
        if self._client is not None:
            self._client.close()

    # --- the journal -------------------------------------------------------------------

    def journal(self, *, create: bool = False) -> Journal | None:
        """The vault's order journal; None if the vault has no journal key (no order was
        ever placed from it) and ``create`` is False. ``create`` needs a writable vault."""
        if self._journal is None:
            key = self.vault.meta.journal_key
            if key is None and create:
                key = self.vault.ensure_journal_key()
            if key is None:
                return None
            self._journal = Journal(journal_path(self.vault.path), key)
        return self._journal

    def reconcile(self) -> list[Resolution]:
        """Settle this key's PENDING and UNKNOWN orders (no request if there are none)."""
        journal = self.journal()
        if journal is None or not unresolved_orders(journal, self.entry):
            return []  # nothing to ask: not even the markets are loaded
        return reconcile(self.client, journal, self.entry, sleep=self._sleep,
                         backoff=self._backoff)

    # --- placing -----------------------------------------------------------------------

    def preview(self, request: OrderRequest) -> OrderPreview:
        """Check the order and capture what ccxt will sign; nothing private is sent."""
        require_trade(self.entry)
        client = self.client
        checked = check_order(request, self.entry, client, price_band=self.price_band)
        cid = new_client_order_id()
        exchange = client.exchange
        with client_lock(client):
            try:
                signed = capture_create_order(exchange, checked.create_order_args(cid))
            except Exception as exc:
                if type(exc).__module__.startswith("ccxt"):
                    problem = translate(exc, tuple(self.entry.credentials.values()))
                    raise OrderInputError(f"ccxt refused to build the order: "
                                          f"{problem.message}", field="type") from None
                raise
        return build_preview(checked, cid, signed, self.entry,
                             endpoint=client.describe_endpoint(), live=client.is_live)

    def place(self, preview: OrderPreview) -> Placement:
        """Send a previewed order once, journal first (see ``placement``)."""
        require_trade(self.entry)
        journal = self.journal(create=True)
        assert journal is not None
        return place(self.client, journal, self.entry, preview,
                     on_accepted=lambda: self.vault.mark_used(self.entry.id))

    def cancel(self, order_ref: str) -> dict[str, Any]:
        """Cancel by the exchange's order id or our client order id."""
        require_trade(self.entry)
        ref = order_ref.strip()
        if not ref:
            raise OrderInputError("give the order's id (--id)", field="id")
        logged = self._find_logged(ref)
        if logged is not None and logged.state not in LIVE_ON_EXCHANGE and \
                not logged.unresolved:
            raise OrderInputError(f"order {ref} is {logged.state}, not open; nothing to "
                                  "cancel", field="id")
        symbol = logged.symbol if logged else None
        order_id = logged.order_id if logged else None
        if logged is None:
            for order in self.open_orders():
                if ref in (str(order.get("id")), order.get("clientOrderId")):
                    symbol, order_id = order.get("symbol"), str(order.get("id"))
                    break
            else:
                raise OrderInputError(f"no open order '{ref}' for this key (see 'order list "
                                      "--open')", field="id")
        if order_id is not None:
            answer = self.client.call("cancel_order", order_id, symbol)
        else:
            assert logged is not None
            answer = self.client.call("cancel_order", None, symbol,
                                      {"clientOrderId": logged.client_order_id})
        journal = self.journal()
        if logged is not None and journal is not None:
            state = state_of(answer) if answer.get("status") else CANCELED
            append_state(journal, logged, state, **exchange_fields(answer))
        return dict(answer)

    def _find_logged(self, ref: str) -> LoggedOrder | None:
        for order in reversed(self.history(refresh=False)):
            if ref in (order.client_order_id, order.order_id):
                return order
        return None

    # --- viewing -----------------------------------------------------------------------

    def history(self, *, refresh: bool = False) -> list[LoggedOrder]:
        """This key's orders from the journal, oldest first. With ``refresh``, orders
        the journal has as open are asked for again, and changes are recorded."""
        journal = self.journal()
        if journal is None:
            return []
        orders = fold(journal.read().records, self.entry.id)
        if refresh:
            for order in orders:
                if order.state in LIVE_ON_EXCHANGE and order.order_id:
                    fresh = self.client.call("fetch_order", order.order_id, order.symbol)
                    state = state_of(fresh)
                    fields = exchange_fields(fresh)
                    if state != order.state or fields["filled"] != order.filled:
                        append_state(journal, order, state, **fields)
        return orders

    def open_orders(self) -> list[dict[str, Any]]:
        """The exchange's open orders for this key (all symbols), ours or not."""
        exchange = self.client.exchange
        if isinstance(exchange.options, dict):
            exchange.options["warnOnFetchOpenOrdersWithoutSymbol"] = False
        return list(self.client.call("fetch_open_orders"))

    def balances(self) -> list[Balance]:
        """Every currency with a non-zero total, by name."""
        raw = self.client.call("fetch_balance")
        rows = []
        for currency, amounts in raw.items():
            if not isinstance(amounts, dict) or currency in ("info", "free", "used", "total"):
                continue
            total = number(amounts.get("total")) or Decimal(0)
            if total == 0:
                continue
            rows.append(Balance(currency, number(amounts.get("free")) or Decimal(0),
                                number(amounts.get("used")) or Decimal(0), total))
        return sorted(rows, key=lambda row: row.currency)
