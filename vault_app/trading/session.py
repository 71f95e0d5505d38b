"""One key's trading: its client, its journal, its orders. What a front end calls.

``TradingSession(vault, entry)`` builds nothing until used. A ``read`` key may view
balances, open orders and history; only a ``trade`` key previews, places and
cancels (``OrderNotAllowed`` before any request). Front ends call ``reconcile`` at
the start of every trading command, so an order left UNKNOWN by a lost answer (or
a crash) is settled before anything else is done with the key.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from vault_app.core.model import format_ts, utcnow
from vault_app.trading.errors import (
    ExchangeProblem,
    OrderInputError,
    OrderNotAllowed,
    OrderNotFound,
    translate,
)
from vault_app.trading.fees import order_fee
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
from vault_app.trading.order_states import OrderStates
from vault_app.trading.orders import (
    DEFAULT_PRICE_BAND,
    OrderRequest,
    check_order,
    number,
    require_trade,
)
from vault_app.trading.placement import Placement, place, request_window
from vault_app.trading.preview import (
    CLIENT_ID_PREFIX,
    OrderPreview,
    build_preview,
    capture_create_order,
    new_client_order_id,
)
from vault_app.trading.reconcile import (
    BACKOFF,
    Resolution,
    mark_not_placed,
    reconcile,
)
from vault_app.trading.remedies import (
    CHECK_KEY,
    ENTER_FIELD,
    IGNORE_FOREIGN_ORDERS,
    LOOK_UP_OPEN_ORDERS,
    LOOK_UP_ORDERS,
)

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.core.vault import Vault
    from vault_app.trading.client import ExchangeClient


PRICE_FRESH_SECONDS = 1.0
"""A preview's price older than this is fetched again before the order is sent."""
MAX_CLOSED_LOOKUPS = 20
"""At most this many orders no longer open are looked up one by one per ``order list``
(the newest first); the others keep their last state until a later run."""
RECENT_ORDERS = 500
"""How many of a symbol's most recent orders the foreign-order check asks an exchange
that ``lists_every_order`` for (Binance's own default; it gives at most 1000)."""
EVERY_ORDER_CLASSES = frozenset({"binance"})
"""ccxt classes (and subclasses) whose ``fetch_orders`` (Binance's ``allOrders``, ccxt
4.5.90) gives a symbol's orders of every status, open ones included, the most recent
``limit`` of them: fewer than ``limit`` is every order the exchange holds for the
symbol, and its open orders are among them."""


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
        self._states: OrderStates | None = None
        self._markets_loaded = False
        self.gone: list[LoggedOrder] = []
        """Orders ``history(refresh=True)`` found open in the journal and unknown to the
        exchange now (their state is the last one seen)."""
        self.refresh_problem: ExchangeProblem | None = None
        """Why ``history(refresh=True)`` could not ask the exchange (None: it could)."""
        self.unchecked: list[LoggedOrder] = []
        """Orders no longer open that ``history(refresh=True)`` left for a later run."""
        self._previewed_at: dict[str, float] = {}  # client order id -> time.monotonic()
        self._previewed_ts: dict[str, str] = {}  # client order id -> when, in the journal's

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
            self._states = OrderStates(self._journal)
        return self._journal

    def _order_states(self, journal: Journal) -> OrderStates:
        """The journal's orders, folded as records arrive (``order_states``)."""
        assert self._states is not None and self._states.journal is journal
        return self._states

    def reconcile(self) -> list[Resolution]:
        """Settle this key's PENDING and UNKNOWN orders (no request if there are none)."""
        journal = self.journal()
        if journal is None or not self._order_states(journal).unresolved(self.entry.id):
            return []  # nothing to ask: not even the markets are loaded
        return reconcile(self.client, journal, self.entry, sleep=self._sleep,
                         backoff=self._backoff)

    def logged(self, client_order_id: str) -> LoggedOrder | None:
        """The journal's view of one of this key's orders, as now on disk. None: the
        journal has no record of it, so it was never sent (placement is journal-first)."""
        journal = self.journal()
        if journal is None:
            return None
        return next((order for order in self._order_states(journal).orders(self.entry.id)
                     if order.client_order_id == client_order_id), None)

    def mark_not_placed(self, client_order_id: str) -> LoggedOrder:
        """Settle an unresolved order as NOT_PLACED on the user's word, who checked the
        exchange, unless the exchange, asked once more, has it (``reconcile.
        mark_not_placed``: then its state is recorded and the mark refused); no order
        is sent."""
        require_trade(self.entry)
        journal = self.journal()
        if journal is None:
            raise OrderInputError("no order was ever placed from this vault", field="id")
        with self.client.lock:  # one request of the key at a time
            return mark_not_placed(self.client, journal, self.entry, client_order_id)

    # --- orders the journal does not know -----------------------------------------------

    def foreign_orders(self, symbol: str) -> list[dict[str, Any]]:
        """The exchange's orders of ``symbol`` (open ones, and its most recent ones, as
        many as the exchange gives by default: 500 on Binance) whose client id is this
        app's (``va-``) but that the journal does not hold for this key: placed from a
        journal that was since moved
        aside or replaced by an older copy, from this key before it was removed and
        added again, or from another vault. Orders the journal holds for another key
        with a known state are not counted (two entries of one exchange account).

        The most recent orders are asked for first. On an exchange that
        ``lists_every_order``, fewer than ``RECENT_ORDERS`` of them hold every open
        order too, and the open orders are not asked for: a request less, and ccxt's
        rate limiter (which spaces Binance's requests by their weight: 200 ms before
        ``allOrders``, 60 ms before ``openOrders``) holds the preview up once less."""
        client = self.client
        journal = self.journal()
        mine: set[str] = set()
        settled_elsewhere: set[str] = set()
        if journal is not None:
            for order in self._order_states(journal).orders():
                if order.fields.get("key_id") == self.entry.id:
                    mine.add(order.client_order_id)
                elif not order.unresolved:
                    settled_elsewhere.add(order.client_order_id)
        has = client.exchange.has
        found: dict[str, dict[str, Any]] = {}
        batches: list[Any] = []
        complete = False
        if has.get("fetchOrders"):  # the most recent ones (with a start time, Binance
            if lists_every_order(client.exchange):  # would give the oldest)
                recent = client.call("fetch_orders", symbol, None, RECENT_ORDERS)
                complete = isinstance(recent, list) and len(recent) < RECENT_ORDERS
            else:
                recent = client.call("fetch_orders", symbol)
            batches.append(recent)
        if has.get("fetchOpenOrders") and not complete:
            batches.append(client.call("fetch_open_orders", symbol))
        for batch in batches:
            for order in batch if isinstance(batch, list) else ():
                cid = order.get("clientOrderId") if isinstance(order, dict) else None
                if isinstance(cid, str) and cid.startswith(CLIENT_ID_PREFIX) \
                        and cid not in mine and cid not in settled_elsewhere:
                    found.setdefault(cid, order)
        return list(found.values())

    def check_foreign_orders(self, symbol: str) -> None:
        """``OrderNotAllowed`` (nothing sent) if ``foreign_orders`` finds any."""
        foreign = self.foreign_orders(symbol)
        if not foreign:
            return
        listed = "; ".join(
            f"{order.get('clientOrderId')} {order.get('side')} {order.get('amount')} "
            f"{order.get('symbol')} {order.get('status')} {order.get('datetime') or ''}"
            .strip() for order in foreign[:5])
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise OrderNotAllowed(
            f"the exchange holds {len(foreign)} order(s) placed by vault-app that this "
            f"vault's order journal does not know: {listed}{more}. The order journal may "
            "have been replaced or moved, or this key is used from another vault; "
            "nothing was sent",
            fix="check them on the exchange; to place anyway, ignore them for this order",
            remedy=IGNORE_FOREIGN_ORDERS)

    # --- placing -----------------------------------------------------------------------

    def preview(self, request: OrderRequest, *,
                ignore_foreign_orders: bool = False) -> OrderPreview:
        """Check the order and capture what ccxt will sign; no order is sent. Unless
        ``ignore_foreign_orders``, refuses while the exchange holds orders of this app
        that the journal does not know (``check_foreign_orders``)."""
        require_trade(self.entry)
        client = self.client
        # The foreign-order check's requests go before the ticker's: ccxt's rate limiter
        # waits less before a light request after a heavy one than the other way round.
        checked = check_order(request, self.entry, client, price_band=self.price_band,
                              before_price=None if ignore_foreign_orders
                              else self.check_foreign_orders)
        cid = new_client_order_id()
        exchange = client.exchange
        with client.lock:
            # Signed as it will be sent: with a timestamp and recvWindow of ours where
            # the exchange takes them (placing chooses a new timestamp).
            window = request_window(client)
            args = checked.create_order_args(cid, window.params() if window else None)
            try:
                signed = capture_create_order(exchange, args)
            except Exception as exc:
                if type(exc).__module__.startswith("ccxt"):
                    problem = translate(exc, tuple(self.entry.credentials.values()))
                    raise OrderInputError(f"ccxt refused to build the order: "
                                          f"{problem.message}", field="type") from None
                raise
        self._previewed_at[cid] = time.monotonic()
        self._previewed_ts[cid] = format_ts(utcnow())
        return build_preview(checked, cid, signed, self.entry,
                             endpoint=client.describe_endpoint(), live=client.is_live,
                             fee=order_fee(exchange, checked))

    def place(self, preview: OrderPreview, *, recheck_price: bool | None = None
              ) -> Placement:
        """Send a previewed order once, journal first (see ``placement``), after checking
        again what may have changed since the preview (``recheck``). ``recheck_price``:
        check the order against a fresh price again; None (the default): when the
        preview is older than ``PRICE_FRESH_SECONDS`` (a front end that asked the user
        passes True)."""
        require_trade(self.entry)
        journal = self.journal(create=True)
        assert journal is not None
        if recheck_price is None:
            made = self._previewed_at.get(preview.client_order_id)
            recheck_price = made is None or time.monotonic() - made > PRICE_FRESH_SECONDS
        self.recheck(preview, journal, price=recheck_price)
        return place(self.client, journal, self.entry, preview,
                     on_accepted=lambda: self.vault.mark_used(self.entry.id))

    def recheck(self, preview: OrderPreview, journal: Journal, *, price: bool = True
                ) -> None:
        """Between the preview and the send the user was reading and confirming: the key
        may have been edited, relabelled or removed by another process, and the price
        may have moved. Read the vault file again if it changed, and (with ``price``,
        or if the key's maximum changed) check the order again against a fresh ticker:
        the key's maximum notional and the price band. Raise ``OrderNotAllowed``
        (nothing sent) if anything that the preview relied on no longer holds."""
        from vault_app.core.errors import VaultError

        def refuse(reason: str, fix: str | None = None, remedy: str | None = None,
                   args: Mapping[str, str] | None = None) -> OrderNotAllowed:
            if not fix:
                fix, remedy = ("look at the key, then place the order again if it is still "
                               "what you want"), CHECK_KEY
            return OrderNotAllowed(f"{reason}; nothing was sent", fix=fix, remedy=remedy,
                                   remedy_args=args)

        before = self.entry
        try:
            if self.vault.may_have_changed():  # a stat; a changed file is read again
                self.vault.reload()
        except VaultError as exc:
            raise refuse(f"the vault could not be read again before sending ({exc})") \
                from None
        fresh = next((e for e in self.vault.entries if e.id == before.id), None)
        if fresh is None:
            raise refuse(f"the key '{before.label}' was removed while you were confirming")
        if (fresh.exchange, fresh.environment, fresh.api_url, dict(fresh.credentials)) != \
                (before.exchange, before.environment, before.api_url,
                 dict(before.credentials)):
            raise refuse("the key changed while you were confirming (its credentials, "
                         "exchange or environment)")
        try:
            require_trade(fresh)
        except OrderNotAllowed as exc:
            raise refuse(f"the key changed while you were confirming: "
                         f"{exc.message.removesuffix('; nothing was sent')}", exc.fix,
                         exc.remedy, exc.remedy_args) \
                from None
        self.entry = fresh
        unresolved = self._order_states(journal).unresolved(fresh.id)
        if unresolved:
            since = self._previewed_ts.get(preview.client_order_id)
            newer = since is not None and any(str(order.fields.get("created_at") or "")
                                              >= since for order in unresolved)
            raise refuse("an earlier order of this key has an unknown outcome"
                         + (" (recorded while you were confirming)" if newer else ""),
                         "look up the key's orders: that finds out what the exchange did",
                         LOOK_UP_ORDERS)
        if not price and fresh.max_notional == before.max_notional:
            return
        try:
            checked = check_order(preview.checked.request, fresh, self.client,
                                  price_band=self.price_band)
        except OrderNotAllowed as exc:
            raise refuse(f"the key or the market changed while you were confirming: "
                         f"{exc.message.removesuffix('; nothing was sent')}", exc.fix,
                         exc.remedy, exc.remedy_args) \
                from None
        except OrderInputError as exc:
            raise refuse(f"the key or the market changed while you were confirming: "
                         f"{exc}") from None
        old = preview.checked
        if (checked.symbol, checked.amount, checked.price, checked.stop_price) != \
                (old.symbol, old.amount, old.price, old.stop_price):
            raise refuse("the market's rules changed while you were confirming (the order "
                         "would now be rounded differently)")
        seen = {_warning_kind(text) for text in old.warnings}
        new = [text for text in checked.warnings if _warning_kind(text) not in seen]
        if new:
            raise refuse(f"the price moved since the preview: {new[0]}",
                         "preview the order again and check its price")

    def cancel(self, order_ref: str) -> dict[str, Any]:
        """Cancel by the exchange's order id or our client order id."""
        require_trade(self.entry)
        ref = order_ref.strip()
        if not ref:
            raise OrderInputError("give the order's id", field="id", remedy=ENTER_FIELD)
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
                raise OrderInputError(f"no open order '{ref}' for this key", field="id",
                                      remedy=LOOK_UP_OPEN_ORDERS)
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
        the journal has as open are asked for again (``refresh_open``) and changes are
        recorded. The journal's orders are returned even when the exchange cannot be
        reached: ``refresh_problem`` then holds why they are the last states seen."""
        journal = self.journal()
        self.gone = []
        self.refresh_problem = None
        self.unchecked = []
        if journal is None:
            return []
        orders = fold(journal.read().records, self.entry.id)
        if refresh:
            try:
                self.refresh_open(journal, orders)
            except ExchangeProblem as exc:  # one attempt: the first failure ends it
                self.refresh_problem = exc
        return orders

    def refresh_open(self, journal: Journal, orders: Sequence[LoggedOrder]) -> None:
        """Ask the exchange about the orders the journal has as open: one open-orders
        request per symbol, then, one by one, those no longer open (to learn how they
        ended), the newest first and at most ``MAX_CLOSED_LOOKUPS`` of them (the rest are
        left in ``unchecked`` for the next run)."""
        live = [order for order in orders
                if order.state in LIVE_ON_EXCHANGE and order.order_id]
        if not live:
            return
        client = self.client
        by_symbol: dict[str, list[LoggedOrder]] = {}
        for order in live:
            by_symbol.setdefault(order.symbol, []).append(order)
        closed: list[LoggedOrder] = []
        for symbol, group in by_symbol.items():
            if not client.exchange.has.get("fetchOpenOrders"):
                closed.extend(group)
                continue
            listed = client.call("fetch_open_orders", symbol)
            still_open = {str(item.get("id")): item for item in
                          (listed if isinstance(listed, list) else ())
                          if isinstance(item, dict)}
            for order in group:
                fresh = still_open.get(str(order.order_id))
                if fresh is None:
                    closed.append(order)
                else:
                    _record_change(journal, order, fresh)
        ended = {order.client_order_id for order in closed}
        newest_first = [order for order in reversed(live) if order.client_order_id in ended]
        for order in newest_first[:MAX_CLOSED_LOOKUPS]:
            try:
                fresh = client.call("fetch_order", order.order_id, order.symbol)
            except OrderNotFound:
                # Archived, or the exchange was reset (the demo exchange after a
                # restart): the last state seen stays, and the list goes on.
                self.gone.append(order)
                continue
            _record_change(journal, order, fresh)
        self.unchecked = newest_first[MAX_CLOSED_LOOKUPS:]

    def open_orders(self) -> list[dict[str, Any]]:
        """The exchange's open orders for this key (all symbols), ours or not."""
        exchange = self.client.exchange
        if isinstance(exchange.options, dict):
            exchange.options["warnOnFetchOpenOrdersWithoutSymbol"] = False
        return list(self.client.call("fetch_open_orders"))

    def balances(self) -> list[Balance]:
        """Every currency with a non-zero total, by name."""
        return parse_balances(self.client.call("fetch_balance"))


def parse_balances(raw: Any) -> list[Balance]:
    """ccxt's ``fetch_balance`` answer as every currency with a non-zero total, by name."""
    rows = []
    for currency, amounts in (raw.items() if isinstance(raw, dict) else ()):
        if not isinstance(amounts, dict) or currency in ("info", "free", "used", "total"):
            continue
        total = number(amounts.get("total")) or Decimal(0)
        if total == 0:
            continue
        rows.append(Balance(currency, number(amounts.get("free")) or Decimal(0),
                            number(amounts.get("used")) or Decimal(0), total))
    return sorted(rows, key=lambda row: row.currency)


def _record_change(journal: Journal, order: LoggedOrder, fresh: dict[str, Any]) -> None:
    """Append the exchange's state of ``order`` to the journal if it changed."""
    state = state_of(fresh)
    fields = exchange_fields(fresh)
    if state != order.state or fields["filled"] != order.filled:
        append_state(journal, order, state, **fields)


def lists_every_order(exchange: Any) -> bool:
    """Whether the instance's ``fetch_orders`` gives every status (``EVERY_ORDER_CLASSES``)."""
    return any(cls.__name__ in EVERY_ORDER_CLASSES and cls.__module__.startswith("ccxt.")
               for cls in type(exchange).__mro__)


def _warning_kind(text: str) -> str:
    """A check's warning without its figures: "the limit price 30000 is 12.0 % below
    the last price ..." and the same with 14.0 % are one kind, already confirmed."""
    return "".join(char for char in text.split(" is ")[0] if not char.isdigit())
