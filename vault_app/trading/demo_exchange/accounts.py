"""Keys, balances, orders and their matching against the simulated last price.

There is no order book: a market order fills whole at the last price (taker), a
resting limit order fills whole at its own price when the last price reaches it
(maker). Commission is charged on the asset received, as Binance does without BNB.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from vault_app.trading.demo_exchange import errors
from vault_app.trading.demo_exchange.market import PriceBook, Symbol, text

OPEN_STATUSES = ("NEW", "PARTIALLY_FILLED")
EIGHT_PLACES = Decimal("0.00000001")
_ALPHABET = string.ascii_letters + string.digits


def quote_amount(price: Decimal, qty: Decimal) -> Decimal:
    """``price * qty`` rounded down to the 8 decimals a balance holds (a 5-decimal price
    times a 4-decimal quantity has 9), so no balance ever holds more decimals than the
    account reports."""
    return (price * qty).quantize(EIGHT_PLACES, rounding=ROUND_DOWN)


def random_token(length: int = 64) -> str:
    """A Binance-like key or secret: ``length`` random letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def seeded_token(seed: int, name: str, length: int = 64) -> str:
    """A key or secret that the same ``seed`` and ``name`` always give: a restarted demo
    exchange accepts the keys a user added to the vault before (demo money only)."""
    chars: list[str] = []
    counter = 0
    while len(chars) < length:
        block = hashlib.sha256(f"vault-app demo exchange/{seed}/{name}/{counter}".encode())
        chars += [_ALPHABET[byte % len(_ALPHABET)] for byte in block.digest()
                  if byte < 248]  # 248 = 4 x 62: no letter more likely than another
        counter += 1
    return "".join(chars[:length])


def first_id() -> int:
    """The first order (and trade) id of a demo exchange started now: milliseconds since
    the epoch, so ids never start over at 1 after a restart (the journal and a user's
    notes keep ids of the earlier run)."""
    return int(time.time() * 1000)


@dataclass(frozen=True)
class DemoKey:
    """One API key of the demo exchange. ``permissions`` uses the vault's labels
    (``read``, ``trade``, ``withdraw``); the secret stays out of ``repr``. ``ips``: the
    addresses the key is said to be restricted to (apiRestrictions' ``ipRestrict`` and
    its list; the demo answers from any address all the same)."""

    api_key: str
    secret: str = field(repr=False)
    permissions: tuple[str, ...] = ("read", "trade")
    ips: tuple[str, ...] = ()


@dataclass
class Balance:
    free: Decimal = Decimal(0)
    locked: Decimal = Decimal(0)


@dataclass(frozen=True)
class Trade:
    id: int
    order_id: int
    symbol: str
    side: str
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_maker: bool

    def to_binance(self) -> dict[str, object]:
        """An entry of ``GET /api/v3/myTrades``."""
        return {
            "symbol": self.symbol, "id": self.id, "orderId": self.order_id,
            "orderListId": -1, "price": text(self.price), "qty": text(self.qty),
            "quoteQty": text(self.quote_qty), "commission": text(self.commission),
            "commissionAsset": self.commission_asset, "time": self.time,
            "isBuyer": self.side == "BUY", "isMaker": self.is_maker, "isBestMatch": True,
        }

    def fill(self) -> dict[str, object]:
        """An entry of ``fills`` in a FULL order answer."""
        return {"price": text(self.price), "qty": text(self.qty),
                "commission": text(self.commission),
                "commissionAsset": self.commission_asset, "tradeId": self.id}


@dataclass(frozen=True)
class OrderRequest:
    """A new order, checked for form and filters by the API layer."""

    symbol: Symbol
    side: str
    type: str
    client_order_id: str
    time_in_force: str | None = None
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None


@dataclass
class Order:
    symbol: Symbol
    order_id: int
    client_order_id: str
    side: str
    type: str
    time_in_force: str
    price: Decimal
    orig_qty: Decimal
    stop_price: Decimal
    orig_quote_qty: Decimal
    time: int
    update_time: int
    status: str = "NEW"
    executed_qty: Decimal = Decimal(0)
    cumulative_quote_qty: Decimal = Decimal(0)
    is_working: bool = True
    locked: Decimal = Decimal(0)
    fills: list[Trade] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_binance(self) -> dict[str, object]:
        """The order as ``GET /api/v3/order`` answers it."""
        return {
            "symbol": self.symbol.id, "orderId": self.order_id, "orderListId": -1,
            "clientOrderId": self.client_order_id, "price": text(self.price),
            "origQty": text(self.orig_qty), "executedQty": text(self.executed_qty),
            "cummulativeQuoteQty": text(self.cumulative_quote_qty), "status": self.status,
            "timeInForce": self.time_in_force, "type": self.type, "side": self.side,
            "stopPrice": text(self.stop_price), "icebergQty": text(Decimal(0)),
            "time": self.time, "updateTime": self.update_time, "isWorking": self.is_working,
            "workingTime": self.time if self.is_working else -1,
            "origQuoteOrderQty": text(self.orig_quote_qty),
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }


def account_uid(key: DemoKey) -> int:
    """The account id (Binance's ``uid``) of an account opened with ``key``."""
    return int(key.api_key.encode().hex()[:8], 16)


@dataclass
class Account:
    """What one API key sees: its own rights (``key``), and the account's money, orders
    and trades. A second key of an account (``Ledger.add_key_to``) is another
    ``Account`` sharing those containers and the ``uid``, as on Binance, where an
    account has several API keys with rights of their own."""

    key: DemoKey
    can_trade: bool = True
    balances: dict[str, Balance] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    trades: list[Trade] = field(default_factory=list)
    uid: int = 0

    def balance(self, asset: str) -> Balance:
        return self.balances.setdefault(asset, Balance())


class Ledger:
    """Every account of the exchange and the matching of their orders (not thread-safe:
    the server calls it under one lock)."""

    def __init__(self, book: PriceBook, commission: Decimal) -> None:
        self.book = book
        self.commission = commission
        self.accounts: dict[str, Account] = {}
        self._next_order_id = first_id()
        self._next_trade_id = self._next_order_id

    def add(self, key: DemoKey, balances: dict[str, Decimal], *, can_trade: bool) -> Account:
        account = Account(key, can_trade=can_trade, uid=account_uid(key))
        for asset, amount in balances.items():
            account.balance(asset).free = amount
        self.accounts[key.api_key] = account
        return account

    def add_key_to(self, owner: Account, key: DemoKey) -> Account:
        """``key`` as a second key of ``owner``'s account: the same balances, orders,
        trades and ``uid``; its own rights."""
        account = Account(key, can_trade=owner.can_trade, balances=owner.balances,
                          orders=owner.orders, trades=owner.trades, uid=owner.uid)
        self.accounts[key.api_key] = account
        return account

    def distinct_accounts(self) -> list[Account]:
        """One ``Account`` per account (not per key)."""
        seen: dict[int, Account] = {}
        for account in self.accounts.values():
            seen.setdefault(id(account.orders), account)
        return list(seen.values())

    # --- orders ---------------------------------------------------------------------

    def place(self, account: Account, request: OrderRequest, now: int) -> Order:
        if not account.can_trade:
            raise errors.account_cannot_trade()
        if any(o.is_open and o.client_order_id == request.client_order_id
               for o in account.orders.values()):
            raise errors.rejected("Duplicate order sent.")
        symbol = request.symbol
        last = self.book.prices[symbol.id]
        buy = request.side == "BUY"
        if request.type == "MARKET":
            return self._place_market(account, request, last, now)
        assert request.price is not None and request.quantity is not None
        price, qty = request.price, request.quantity
        symbol.check_notional(price * qty, market=False)
        crosses = price >= last if buy else price <= last
        if request.type == "LIMIT_MAKER" and crosses:
            raise errors.rejected("Order would immediately match and take.")
        stop = request.stop_price or Decimal(0)
        if request.type == "STOP_LOSS_LIMIT" and (last >= stop if buy else last <= stop):
            raise errors.rejected("Stop price would trigger immediately.")
        need_asset = symbol.quote if buy else symbol.base
        need = quote_amount(price, qty) if buy else qty
        if account.balance(need_asset).free < need:
            raise errors.insufficient_balance()
        order = self._new_order(account, request, price=price, qty=qty, now=now)
        if request.type == "LIMIT" and crosses:
            self._fill(account, order, last, now, maker=False)
        elif request.type == "LIMIT" and request.time_in_force in ("IOC", "FOK"):
            order.status = "EXPIRED"
        else:
            self._lock(account, order, need_asset, need)
            order.is_working = request.type != "STOP_LOSS_LIMIT"
        return order

    def _place_market(self, account: Account, request: OrderRequest, last: Decimal,
                      now: int) -> Order:
        symbol = request.symbol
        if request.quote_order_qty is not None:
            qty = symbol.floor_quantity(request.quote_order_qty / last)
            if qty <= 0:
                raise errors.filter_failure("LOT_SIZE")
        else:
            assert request.quantity is not None
            qty = request.quantity
        symbol.check_notional(qty * last, market=True)  # what would trade, once rounded
        if request.side == "BUY":
            enough = account.balance(symbol.quote).free >= quote_amount(last, qty)
        else:
            enough = account.balance(symbol.base).free >= qty
        if not enough:
            raise errors.insufficient_balance()
        order = self._new_order(account, request, price=Decimal(0), qty=qty, now=now)
        self._fill(account, order, last, now, maker=False)
        return order

    def _new_order(self, account: Account, request: OrderRequest, *, price: Decimal,
                   qty: Decimal, now: int) -> Order:
        order = Order(
            symbol=request.symbol, order_id=self._next_order_id,
            client_order_id=request.client_order_id, side=request.side, type=request.type,
            time_in_force=request.time_in_force or "GTC", price=price, orig_qty=qty,
            stop_price=request.stop_price or Decimal(0),
            orig_quote_qty=request.quote_order_qty or Decimal(0), time=now, update_time=now,
        )
        self._next_order_id += 1
        account.orders[order.order_id] = order
        return order

    def _lock(self, account: Account, order: Order, asset: str, amount: Decimal) -> None:
        balance = account.balance(asset)
        balance.free -= amount
        balance.locked += amount
        order.locked = amount

    def _release(self, account: Account, order: Order) -> None:
        asset = order.symbol.quote if order.side == "BUY" else order.symbol.base
        balance = account.balance(asset)
        balance.locked -= order.locked
        balance.free += order.locked
        order.locked = Decimal(0)

    def _fill(self, account: Account, order: Order, price: Decimal, now: int, *,
              maker: bool) -> None:
        """Fill the whole order at ``price``: move the funds, charge commission, record."""
        symbol, qty = order.symbol, order.orig_qty
        quote = quote_amount(price, qty)
        self._release(account, order)
        if order.side == "BUY":
            spent, got, got_asset = (symbol.quote, quote), qty, symbol.base
        else:
            spent, got, got_asset = (symbol.base, qty), quote, symbol.quote
        fee = (got * self.commission).quantize(EIGHT_PLACES, rounding=ROUND_HALF_UP)
        account.balance(spent[0]).free -= spent[1]
        account.balance(got_asset).free += got - fee
        trade = Trade(id=self._next_trade_id, order_id=order.order_id, symbol=symbol.id,
                      side=order.side, price=price, qty=qty, quote_qty=quote, commission=fee,
                      commission_asset=got_asset, time=now, is_maker=maker)
        self._next_trade_id += 1
        account.trades.append(trade)
        order.fills.append(trade)
        order.executed_qty = qty
        order.cumulative_quote_qty = quote
        order.status = "FILLED"
        order.update_time = now
        self.book.record_trade(symbol, qty, quote)

    def cancel(self, account: Account, symbol: Symbol, order_id: int | None,
               client_order_id: str | None, now: int) -> Order:
        if not account.can_trade:
            raise errors.account_cannot_trade()
        order = self._lookup(account, symbol, order_id, client_order_id)
        if order is None or not order.is_open:
            raise errors.unknown_order()
        self._release(account, order)
        order.status = "CANCELED"
        order.update_time = now
        return order

    def find(self, account: Account, symbol: Symbol, order_id: int | None,
             client_order_id: str | None) -> Order:
        order = self._lookup(account, symbol, order_id, client_order_id)
        if order is None:
            raise errors.no_such_order()
        return order

    @staticmethod
    def _lookup(account: Account, symbol: Symbol, order_id: int | None,
                client_order_id: str | None) -> Order | None:
        if order_id is not None:  # both given: they must name the same order, as on Binance
            order = account.orders.get(order_id)
            if order is None or order.symbol != symbol or (
                    client_order_id is not None and order.client_order_id != client_order_id):
                return None
            return order
        matches = [o for o in account.orders.values()
                   if o.symbol == symbol and o.client_order_id == client_order_id]
        return matches[-1] if matches else None

    def match(self, now: int) -> None:
        """Trigger stop orders and fill resting limits the last prices have reached."""
        for account in self.distinct_accounts():  # a shared account's orders once
            for order in [o for o in account.orders.values() if o.is_open]:
                last = self.book.prices[order.symbol.id]
                buy = order.side == "BUY"
                resting = order.is_working
                if not order.is_working:
                    if not (last >= order.stop_price if buy else last <= order.stop_price):
                        continue
                    order.is_working = True
                    order.update_time = now
                if last <= order.price if buy else last >= order.price:
                    self._fill(account, order, order.price if resting else last, now,
                               maker=resting)
