"""The trading core's errors say what is wrong in neutral words and name their remedy as
data; the CLI says each remedy with its flags and commands, exactly as it always has."""

from __future__ import annotations

import re

import pytest

from tests.unit.trading.remedy_sites import demo, pure_sites, session, session_sites
from vault_app.cli.error_text import cli_error_text, interrupt_text
from vault_app.trading import remedies
from vault_app.trading.errors import OrderInputError, TradingError
from vault_app.trading.placement import SendInterrupted
from vault_app.trading.session import TradingSession

__all__ = ["demo", "session"]  # fixtures

CLI_WORDS = re.compile(r"--[a-z]|'order |'show'|\(edit '|\bpass --")
"""What only a CLI user can act on: a flag, a quoted command."""

PURE = {
    "missing price": (remedies.ENTER_FIELD, "a limit order needs a price (--price)"),
    "read key": (remedies.ADD_TRADE_LABEL,
                 "the key 'watcher' is labelled read, not trade; nothing was sent. To trade "
                 "with it, add the trade label (edit 'watcher' --permissions read,trade) if "
                 "the exchange key has trading rights."),
    "far price": (remedies.ALLOW_FAR_PRICE,
                  "the limit price 500,000 is 900.0 % above the last price 50,000 USDT, more "
                  "than 50 % away: most likely a typo; nothing was sent. Check the price; if "
                  "you mean it, pass --allow-far-price."),
    "key limit, not USD": (remedies.REMOVE_MAX_NOTIONAL,
                           "nothing was sent. Trade a market quoted in USD or a USD stablecoin "
                           "(USDT, USDC, ...), or remove the key's limit (edit 'capped bot' "
                           '--max-notional "").'),
    "key limit exceeded": (remedies.RAISE_MAX_NOTIONAL,
                           "the order's value, 500 USDT, is above the key's maximum of 100 "
                           "USD per order; nothing was sent. Lower the amount, or raise the "
                           "key's maximum (edit 'capped bot' --max-notional AMOUNT)."),
    "clock": (remedies.SYNC_CLOCK,
              "Sync this computer's clock, or let the app sync with the exchange's time: "
              "pass --sync-clock to sign with the exchange's time."),
    "clock, while asking": (remedies.SYNC_CLOCK, ": pass --sync-clock to sign with the "
                                                 "exchange's time."),
    "cancel, no answer": (remedies.LOOK_UP_OPEN_ORDERS,
                          "Check the network connection; the order may or may not be "
                          "canceled: 'order list --open' tells."),
}

SESSION = {
    "cancel without id": (remedies.ENTER_FIELD, "give the order's id (--id)"),
    "cancel unknown": (remedies.LOOK_UP_OPEN_ORDERS,
                       "no open order 'va-nope' for this key (see 'order list --open')"),
    "placed twice": (remedies.PREVIEW_AGAIN,
                     "nothing was sent. See it with 'order list'; make a new preview to "
                     "place another order."),
    "foreign orders": (remedies.IGNORE_FOREIGN_ORDERS,
                       "Check them on the exchange; to place anyway, pass "
                       "--ignore-foreign-orders."),
    "relabelled while confirming": (remedies.ADD_TRADE_LABEL,
                                    "(edit 'trader' --permissions read,trade) if the "
                                    "exchange key has trading rights."),
    "removed while confirming": (remedies.CHECK_KEY,
                                 "Check the key ('show'), then place the order again if it "
                                 "is still what you want."),
}


def check_site(name: str, error: BaseException, remedy: str, cli_text: str) -> None:
    assert isinstance(error, TradingError | OrderInputError), (name, error)
    assert error.remedy == remedy, name
    assert not CLI_WORDS.search(str(error)), (name, str(error))  # neutral for any caller
    assert cli_error_text(error).endswith(cli_text), (name, cli_error_text(error))


@pytest.mark.parametrize("name", sorted(PURE))
def test_each_site_gives_its_remedy_and_the_cli_its_words(name: str) -> None:
    remedy, cli_text = PURE[name]
    check_site(name, pure_sites()[name], remedy, cli_text)


def test_each_session_site_gives_its_remedy(session: TradingSession) -> None:
    sites = session_sites(session)
    assert sorted(sites) == sorted(SESSION)
    for name, (remedy, cli_text) in SESSION.items():
        check_site(name, sites[name], remedy, cli_text)


def test_the_field_a_missing_value_belongs_to_is_named() -> None:
    error = pure_sites()["missing price"]
    assert isinstance(error, OrderInputError) and error.field == "price"
    assert str(error) == "a limit order needs a price"


def test_an_interrupted_send_says_where_to_look_in_each_front_ends_words() -> None:
    interrupted = SendInterrupted("va-0123456789abcdef")
    assert interrupted.remedy == remedies.LOOK_UP_ORDERS
    assert not CLI_WORDS.search(str(interrupted))
    assert interrupt_text(interrupted) == (
        "interrupted: the order va-0123456789abcdef may have been sent; run 'order list' "
        "to find out (it is never resent)")
    assert interrupt_text(KeyboardInterrupt()) == "interrupted; nothing was written"


def test_an_error_without_remedy_prints_as_it_is() -> None:
    plain = TradingError("the exchange refused the request", fix="check the request")
    assert plain.remedy is None
    assert cli_error_text(plain) == str(plain)


def test_a_copy_with_context_keeps_the_remedy() -> None:
    error = pure_sites()["far price"]
    assert isinstance(error, TradingError)
    copied = error.like(f"the key or the market changed: {error.message}")
    assert (copied.remedy, type(copied)) == (remedies.ALLOW_FAR_PRICE, type(error))
    assert "pass --allow-far-price" in cli_error_text(copied)


def test_every_remedy_has_its_cli_words_and_each_site_is_covered() -> None:
    from vault_app.cli import error_text

    assert set(remedies.REMEDIES) == set(error_text._FIXES) | {remedies.ENTER_FIELD}
    covered = {remedy for remedy, _ in (*PURE.values(), *SESSION.values())}
    assert covered | {remedies.LOOK_UP_ORDERS} == set(remedies.REMEDIES)
