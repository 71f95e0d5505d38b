"""``DemoExchange``: the in-process front of the demo exchange, for tests and the CLI."""

from __future__ import annotations

import copy
import errno
import threading
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from types import TracebackType

from vault_app.core.errors import VaultIOError
from vault_app.trading.demo_exchange.accounts import (
    Balance,
    DemoKey,
    Ledger,
    Order,
    Trade,
    random_token,
    seeded_token,
)
from vault_app.trading.demo_exchange.api import State
from vault_app.trading.demo_exchange.market import DEFAULT_VOLATILITY, PriceBook
from vault_app.trading.demo_exchange.server import (
    HOST,
    Backend,
    DemoServer,
    Faults,
    ReceivedRequest,
)

DEFAULT_BALANCES: Mapping[str, str] = {"USDT": "100000", "BTC": "1", "ETH": "10"}
DEFAULT_COMMISSION = "0.001"  # Binance's standard spot rate, charged on the asset received


class PortInUse(VaultIOError):
    """The port asked for is taken."""


class DemoExchange:
    """A Binance-compatible spot exchange on 127.0.0.1, served from a thread.

    It starts with two keys holding ``DEFAULT_BALANCES``: ``trading_key`` (read and
    trade) and ``read_key`` (read only), derived from ``seed`` (the same seed gives the
    same keys after a restart); ``add_key`` makes random ones. Order ids start at the
    start time in milliseconds, never at 1 again. ``port=0`` picks a free port. ``requests``
    keeps every request unless ``log_limit`` caps it (a long-running demo does).
    """

    def __init__(self, *, seed: int = 0, port: int = 0, volatility: str | Decimal =
                 DEFAULT_VOLATILITY, commission: str | Decimal = DEFAULT_COMMISSION,
                 on_request: Callable[[ReceivedRequest, int], None] | None = None,
                 log_limit: int | None = None) -> None:
        self.port = port
        self.faults = Faults()
        book = PriceBook(seed, Decimal(volatility))
        self._backend = Backend(State(book, Ledger(book, Decimal(commission))), self.faults,
                                on_request, log_limit)
        self._server: DemoServer | None = None
        self._thread: threading.Thread | None = None
        # The two first keys come from the seed: the same after a restart.
        self.trading_key = self._add(DemoKey(seeded_token(seed, "trading key"),
                                             seeded_token(seed, "trading secret"),
                                             ("read", "trade")))
        self.read_key = self._add(DemoKey(seeded_token(seed, "read key"),
                                          seeded_token(seed, "read secret"), ("read",)))

    # --- lifetime -------------------------------------------------------------------

    def start(self) -> DemoExchange:
        try:
            self._server = DemoServer(self.port, self._backend)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {self.port} on {HOST} is in use; choose another with "
                                "--port N (0 picks a free one)") from None
            raise VaultIOError(f"cannot listen on {HOST}:{self.port} ({exc.strerror or exc})"
                               ) from None
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"demo-exchange-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> DemoExchange:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # --- keys and state ---------------------------------------------------------------

    def add_key(self, permissions: Iterable[str] = ("read", "trade"),
                balances: Mapping[str, str | Decimal] | None = None, *,
                can_trade: bool = True, account_of: DemoKey | None = None,
                ips: Iterable[str] = ()) -> DemoKey:
        """A new key with its own account. ``can_trade=False`` makes the *account* unable
        to trade (Binance's -2010 "This account may not place or cancel orders.").

        With ``account_of``, the key is a second key of that key's account instead (a
        read-only key beside a trading key, as users set up on Binance): the same
        balances, orders and ``uid``, its own ``permissions``; ``balances`` and
        ``can_trade`` must not be given then (they are the account's). ``ips``: the
        addresses its apiRestrictions say it is restricted to."""
        key = DemoKey(random_token(), random_token(), tuple(permissions), tuple(ips))
        if account_of is None:
            return self._add(key, balances, can_trade=can_trade)
        if balances is not None or not can_trade:
            raise ValueError("a second key shares its account's balances and rights")
        with self._backend.lock:
            ledger = self._backend.state.ledger
            ledger.add_key_to(ledger.accounts[account_of.api_key], key)
        return key

    def _add(self, key: DemoKey, balances: Mapping[str, str | Decimal] | None = None, *,
             can_trade: bool = True) -> DemoKey:
        chosen = DEFAULT_BALANCES if balances is None else balances
        with self._backend.lock:
            self._backend.state.ledger.add(
                key, {asset: Decimal(amount) for asset, amount in chosen.items()},
                can_trade=can_trade)
        return key

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received, in order (a copy), malformed ones included: a request
        the server refused or could not read to its end is here too, with its method and
        path as sent. Only a connection that never completed a request line is not."""
        with self._backend.lock:
            return list(self._backend.log)

    def orders_for(self, api_key: str) -> list[Order]:
        """Copies of the key's orders, oldest first."""
        with self._backend.lock:
            orders = self._backend.state.ledger.accounts[api_key].orders
            return [copy.deepcopy(orders[number]) for number in sorted(orders)]

    def trades_for(self, api_key: str) -> list[Trade]:
        with self._backend.lock:
            return list(self._backend.state.ledger.accounts[api_key].trades)

    def balances_for(self, api_key: str) -> dict[str, Balance]:
        with self._backend.lock:
            balances = self._backend.state.ledger.accounts[api_key].balances
            return {asset: copy.copy(b) for asset, b in balances.items()}

    def price(self, symbol: str) -> Decimal:
        with self._backend.lock:
            book = self._backend.state.book
            return book.prices[book.symbol(symbol).id]

    def set_price(self, symbol: str, price: str | Decimal) -> None:
        """Set the last price of ``symbol`` (``BTC/USDT`` or ``BTCUSDT``) and fill or
        trigger the orders it reaches, at once. The price then stays there (the random
        walk skips it) until ``release_price``."""
        with self._backend.lock:
            state = self._backend.state
            found = state.book.symbol(symbol)
            state.book.pinned.add(found.id)
            state.book.set(found, Decimal(price))
            state.ledger.match(self._backend.now())

    def release_price(self, symbol: str) -> None:
        """Let the random walk move ``symbol`` again."""
        with self._backend.lock:
            book = self._backend.state.book
            book.pinned.discard(book.symbol(symbol).id)
