"""Fetching the portfolio: every key's balances, then each exchange's prices.

``fetch_portfolio(entries, quote)`` asks the keys ``portfolio_keys.plan_keys`` chooses
(labelled ``read``, one entry per API key). Keys are grouped by where they talk to
(exchange, environment, API URL): groups run in parallel, a thread each from a small
pool; the keys of one group run one after another. Each key has a client of its own,
and every client of an API key in this process takes that key's one lock
(``client.key_lock``): the portfolio never has two requests of one key in flight, nor
one beside the trading view's request of that key (it waits for it). Each group then
asks its exchange for the prices it needs, once (``fetch_tickers`` with the symbols, or
``fetch_ticker`` per symbol where the exchange has no batch call), with a key of the
group that answered.

Keys of a group whose balance answers name the same account (``portfolio_keys.
account_id``) are counted once: the first to answer holds the balances, the others are
named beside it (``Holding.shared_with``, ``GroupResult.shared``).

A key that fails (refused key or secret, IP not whitelisted, unreachable, no answer
within ``key_timeout``) is reported with the core's sentence and fix, and never holds
up the other keys: a key's work runs in a thread of its own that the group waits for
at most ``key_timeout`` seconds (ccxt's own timeout applies per request; a server that
answers a byte at a time could hold a request far longer).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from vault_app.core.errors import VaultError
from vault_app.core.plain_text import escape
from vault_app.trading.error_context import NO_ORDER_SENT
from vault_app.trading.errors import (
    ExchangeProblem,
    ExchangeTimeout,
    KeyLacksPermission,
    OrderRejected,
    TradingError,
)
from vault_app.trading.order_limits import number
from vault_app.trading.portfolio import (
    DEFAULT_QUOTE,
    PRICES,
    GroupResult,
    Holding,
    KeyFailure,
    KeyOutcome,
    KeyRef,
    Portfolio,
    SharedAccount,
    assemble,
    asset_price,
    clean_quote,
    key_ref,
    price_symbol,
)
from vault_app.trading.portfolio_keys import account_id, group_keys, plan_keys

if TYPE_CHECKING:
    from vault_app.core.model import KeyEntry
    from vault_app.trading.client import ExchangeClient

KEY_TIMEOUT = 45.0
"""Seconds a key's balances (its markets and the balance request) may take, and the
prices of its group, before it is reported as not answering."""
MAX_GROUPS_AT_ONCE = 4
"""Exchanges asked at the same time (a thread each)."""
CANCEL_POLL = 0.1
"""Seconds between two looks at ``cancel`` while a key is being waited for."""

T = TypeVar("T")


TRADE_RIGHTS = "the rights this request needs (trading)"
READ_RIGHTS = "the rights this request needs (reading the account)"
"""``errors.translate`` names trading in the fix of a refused key (most refusals are
of an order); a balance request needs the right to read."""
LACKS_READ_FIX = ("the key lacks the right to read the account on the exchange: enable "
                  "it there, or remove the key's read label")


def failure_of(key: KeyRef, exc: BaseException) -> KeyFailure:
    """The core's sentence and fix for why ``key`` failed; a bug's text is never shown."""
    if isinstance(exc, KeyLacksPermission):  # its fix is about trading; this was a read
        return KeyFailure(key, exc.message.removesuffix(NO_ORDER_SENT), LACKS_READ_FIX,
                          type(exc).__name__)
    if isinstance(exc, TradingError):  # no order is ever at stake here: not said
        fix = exc.fix.replace(TRADE_RIGHTS, READ_RIGHTS)
        return KeyFailure(key, exc.message.removesuffix(NO_ORDER_SENT), fix,
                          type(exc).__name__)
    if isinstance(exc, VaultError):
        return KeyFailure(key, str(exc), "", type(exc).__name__)
    return KeyFailure(key, f"unexpected error ({type(exc).__name__})",
                      "try again; the other keys are not affected", type(exc).__name__)


class Cancelled(Exception):
    """The fetch was cancelled (``cancel`` set) while a key was being asked."""


def within(seconds: float, fn: Callable[[], T], what: str,
           cancel: threading.Event | None = None) -> T:
    """``fn()`` in a thread of its own, waited for at most ``seconds`` (an
    ``ExchangeTimeout`` then) or until ``cancel`` is set (``Cancelled``); the thread
    then ends on its own (ccxt's timeout)."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the waiting thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="portfolio-key", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not done.wait(min(CANCEL_POLL, max(0.0, deadline - time.monotonic()))):
        if cancel is not None and cancel.is_set():
            raise Cancelled(what)
        if time.monotonic() < deadline:
            continue
        raise ExchangeTimeout(f"the exchange did not answer within {seconds:g} s ({what})",
                              fix="check the network connection and the exchange's status")
    if "error" in box:
        error: BaseException = box["error"]
        error.__traceback__ = None  # its frames hold the key's client
        raise error
    result: T = box["value"]
    return result


ClientFactory = Callable[["KeyEntry"], "ExchangeClient"]


def _new_client(entry: KeyEntry) -> ExchangeClient:
    from vault_app.trading.client import ExchangeClient

    return ExchangeClient(entry)


MAX_DIGITS = 30
"""An amount of 10^30 units or more, or below 10^-30, is not a balance: an odd answer."""


def check_balances(answer: object) -> None:
    """Refuse a balance answer with a negative, non-numeric or implausible amount: it
    would lower (or blow up) the total without a word.

    Raises:
        ExchangeProblem: says which asset and amount, for this key only.
    """
    if not isinstance(answer, Mapping):
        return
    for currency, amounts in answer.items():
        if not isinstance(amounts, Mapping) or currency in ("info", "free", "used", "total"):
            continue
        for field in ("total", "free", "used"):
            raw = amounts.get(field)
            if raw is None:
                continue
            amount = number(raw)
            why = ("not a number" if amount is None else "negative" if amount < 0 else
                   "implausible" if amount and abs(amount.adjusted()) >= MAX_DIGITS else "")
            if why:
                shown = escape(str(raw))[:40]
                raise ExchangeProblem(
                    f"the exchange answered an odd balance: {field} {shown} "
                    f"{escape(str(currency))[:40]} ({why}); none of this key's balances is "
                    "counted",
                    fix="check the account on the exchange's website; the other keys are "
                        "not affected")


def _balances(client: ExchangeClient, key: KeyRef) -> tuple[tuple[Holding, ...], str | None]:
    """The key's holdings and the account its exchange says they are of (or None)."""
    from vault_app.trading.session import parse_balances

    client.load_markets(allow_stale=True)  # ccxt needs them; only names are used here
    answer = client.call("fetch_balance")
    check_balances(answer)
    holdings = tuple(Holding(b.currency, key, b.total, b.free, b.used, None)
                     for b in parse_balances(answer))
    return holdings, account_id(client.entry.exchange, answer)


def _prices(client: ExchangeClient, assets: Iterable[str], quote: str
            ) -> dict[str, Decimal | None]:
    markets = client.exchange.markets or {}
    symbols = sorted({found[0] for asset in assets
                      if (found := price_symbol(asset, quote, markets)) is not None})
    tickers: dict[str, Any] = {}
    if symbols and client.exchange.has.get("fetchTickers"):
        answer = client.call("fetch_tickers", symbols)
        tickers = dict(answer) if isinstance(answer, Mapping) else {}
    else:
        for symbol in symbols:
            try:
                tickers[symbol] = client.call("fetch_ticker", symbol)
            except OrderRejected:  # BadSymbol, a closed market: that asset has no price
                continue
    return {asset: asset_price(asset, quote, markets, tickers) for asset in assets}


class _Accounts:
    """The accounts a group's keys named: the first key of each holds its balances."""

    def __init__(self) -> None:
        self.keys: dict[str, list[KeyRef]] = {}

    def first_of(self, account: str | None, key: KeyRef) -> KeyRef | None:
        """The key that already holds ``account``'s balances (``key`` is then added
        beside it), or None: ``key``'s balances count."""
        if account is None:
            return None
        keys = self.keys.setdefault(account, [])
        keys.append(key)
        return keys[0] if len(keys) > 1 else None

    def shared(self, endpoint: str) -> tuple[SharedAccount, ...]:
        return tuple(SharedAccount(endpoint, tuple(keys))
                     for keys in self.keys.values() if len(keys) > 1)

    def others(self, key: KeyRef) -> tuple[KeyRef, ...]:
        for keys in self.keys.values():
            if keys[0] == key:
                return tuple(keys[1:])
        return ()


def fetch_group(entries: Sequence[KeyEntry], quote: str, *,
                on_key_done: Callable[[KeyOutcome], None] | None = None,
                key_timeout: float = KEY_TIMEOUT, cancel: threading.Event | None = None,
                make_client: ClientFactory = _new_client) -> GroupResult:
    """The keys of one group, one after another, then their prices (see the module)."""
    holdings: list[Holding] = []
    failures: list[KeyFailure] = []
    accounts = _Accounts()
    priced_by: ExchangeClient | None = None
    clients: list[ExchangeClient] = []
    first = key_ref(entries[0])
    try:
        for entry in entries:
            if cancel is not None and cancel.is_set():
                break
            key = key_ref(entry)
            try:
                client = make_client(entry)
                clients.append(client)
                found, account = within(key_timeout, functools.partial(_balances, client, key),
                                        f"balances of '{entry.label}'", cancel)
            except Cancelled:
                break
            except BaseException as exc:  # one key's failure never stops the others
                failure = failure_of(key, exc)
                failures.append(failure)
                outcome = KeyOutcome(key, (), failure)
            else:
                priced_by = client
                holder = accounts.first_of(account, key)
                if holder is None:
                    holdings.extend(found)
                    outcome = KeyOutcome(key, found, None)
                else:  # its account's balances are counted already
                    outcome = KeyOutcome(key, (), None, same_account_as=holder)
            if on_key_done is not None:
                on_key_done(outcome)
        prices: dict[str, Decimal | None] = {}
        price_problem: KeyFailure | None = None
        if priced_by is not None and holdings and not (cancel is not None and cancel.is_set()):
            prices, price_problem = _group_prices(priced_by, holdings, quote, first,
                                                  key_timeout, cancel)
        holdings = [Holding(h.asset, h.key, h.total, h.free, h.used, prices.get(h.asset),
                            accounts.others(h.key)) for h in holdings]
        return GroupResult(first.exchange, first.endpoint, tuple(holdings), tuple(failures),
                           price_problem, accounts.shared(first.endpoint))
    finally:
        for client in clients:
            _close_quietly(client)


def _group_prices(client: ExchangeClient, holdings: Sequence[Holding], quote: str,
                  first: KeyRef, key_timeout: float, cancel: threading.Event | None
                  ) -> tuple[dict[str, Decimal | None], KeyFailure | None]:
    assets = sorted({h.asset for h in holdings})
    try:
        return within(key_timeout, lambda: _prices(client, assets, quote),
                      f"prices on {first.endpoint}", cancel), None
    except Cancelled:
        return {}, None
    except BaseException as exc:
        problem = failure_of(key_ref(client.entry), exc)
        return {}, KeyFailure(problem.key, f"prices on {problem.key.endpoint} could not be "
                                           f"fetched: {problem.message}", problem.fix, PRICES)


def _close_quietly(client: ExchangeClient) -> None:
    """Close the client's connections now if its key's lock is free, else once it frees.

    The lock is the key's (``client.key_lock``), shared by every client of that key in
    the process: another client may hold it (the trading view's request of the same
    key: seconds), or this client's own request that ``within`` gave up on (until
    ccxt's timeout). Closing without it is not safe in that second case: the instance
    is still in that request. So a daemon thread waits for the lock and closes then;
    nothing else uses this client, so the close never gets in anyone's way for long."""
    def close() -> None:
        with contextlib.suppress(Exception):  # a failed close has nothing to tell
            client.close()  # takes the lock: waits for whoever holds it

    if client.lock.acquire(blocking=False):
        try:
            close()
        finally:
            client.lock.release()
        return
    threading.Thread(target=close, name="portfolio-close", daemon=True).start()


def fetch_portfolio(entries: Iterable[KeyEntry], quote: str = DEFAULT_QUOTE, *,
                    on_key_done: Callable[[KeyOutcome], None] | None = None,
                    on_group_done: Callable[[GroupResult], None] | None = None,
                    key_timeout: float = KEY_TIMEOUT, cancel: threading.Event | None = None,
                    make_client: ClientFactory = _new_client,
                    max_groups: int = MAX_GROUPS_AT_ONCE) -> Portfolio:
    """Balances of the ``read`` keys among ``entries`` (``plan_keys``), valued in
    ``quote`` (see the module). ``on_key_done`` and ``on_group_done`` are called from the
    worker threads as keys and groups finish. Once ``cancel`` is set no further request
    is waited for or started, and what was fetched so far is returned.

    Raises:
        ValidationError: ``quote`` is not a currency code (``clean_quote``).
    """
    quote = clean_quote(quote)
    as_of = datetime.now(UTC)
    plan = plan_keys(entries)
    groups = group_keys(plan.asked)
    results: list[GroupResult] = []
    if groups:
        with ThreadPoolExecutor(max_workers=max(1, min(max_groups, len(groups))),
                                thread_name_prefix="portfolio") as pool:
            def run(group: list[KeyEntry]) -> GroupResult:
                result = fetch_group(group, quote, on_key_done=on_key_done,
                                     key_timeout=key_timeout, cancel=cancel,
                                     make_client=make_client)
                if on_group_done is not None:
                    on_group_done(result)
                return result

            results = list(pool.map(run, groups))
    return assemble(results, quote, skipped=[key_ref(e) for e in plan.skipped],
                    keys_asked=len(plan.asked), same_key=plan.same_key, as_of=as_of)
