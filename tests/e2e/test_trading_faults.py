"""When the exchange misbehaves: a lost answer is reconciled and never resent, and each
refusal gets its own message. Real ccxt over real HTTP to the demo exchange's faults."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from tests.e2e.support import assert_fails, assert_ok
from tests.e2e.trading_support import Desk, demo, demo_entry, desk, warm
from vault_app.trading.journal import Journal, journal_path
from vault_app.trading.order_log import fold

__all__ = ["demo", "desk"]  # fixtures

MARKET_BUY = ("--symbol", "ETH/USDT", "--side", "buy", "--type", "market", "--amount", "0.1")


def journal_states(desk: Desk) -> list[list[str]]:
    key = desk.vault.meta.journal_key
    assert key is not None
    records = Journal(journal_path(desk.path), key).read().records
    return [[state for _, state in order.history] for order in fold(records)]


def test_accept_then_drop_is_reconciled_across_a_restart_without_a_duplicate(
        desk: Desk) -> None:
    desk.demo.faults.drop_after_accept = 1
    first = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes")
    assert_fails(first, 7, "outcome unknown, will reconcile", "not resent")
    held = desk.demo.orders_for(desk.demo.trading_key.api_key)
    assert len(held) == 1  # the exchange took it; the answer was lost
    assert journal_states(desk) == [["PENDING", "UNKNOWN"]]

    # A new process: any order command for the key reconciles first.
    second = assert_ok(desk.cli("order", "list", "--key", "trader", "--json"))
    # With --json the notice goes to stderr: standard output stays one JSON document.
    assert "Reconciled: order va-" in second.err and "was placed: FILLED" in second.err
    [reconciled] = json.loads(second.out)
    assert reconciled["state"] == "FILLED"
    assert journal_states(desk) == [["PENDING", "UNKNOWN", "FILLED"]]
    assert len(desk.order_posts()) == 1
    assert len(desk.demo.orders_for(desk.demo.trading_key.api_key)) == 1
    client_id = dict(parse_qsl(desk.order_posts()[0].body))["newClientOrderId"]
    [listed] = desk.cli_json("order", "list", "--key", "trader")
    assert (listed["client_order_id"], listed["state"]) == (client_id, "FILLED")
    assert listed["order_id"] == str(held[0].order_id)

    # A third command has nothing left to reconcile, and sends nothing for it.
    seen = len(desk.demo.requests)
    third = assert_ok(desk.cli("order", "list", "--key", "trader"))
    assert "Reconciled" not in third.out
    assert desk.requests_since(seen) == []


def test_an_unresolved_order_blocks_a_new_one_until_it_is_known(desk: Desk) -> None:
    desk.demo.faults.drop_after_accept = 1
    assert_fails(desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes"), 7,
                 "outcome unknown")
    desk.demo.faults.unavailable = True  # reconcile cannot ask: the new order must wait
    blocked = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes")
    assert_fails(blocked, 1, "unknown outcome", "nothing was sent")
    assert "could not be asked" in blocked.err
    desk.demo.faults.unavailable = False
    assert len(desk.order_posts()) == 1
    placed = assert_ok(desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes"))
    assert "Reconciled" in placed.out and "Placed: FILLED" in placed.out
    assert len(desk.order_posts()) == 2


def test_a_wrong_secret_gives_the_authentication_message(desk: Desk) -> None:
    key = desk.demo.add_key()
    desk.vault.add(demo_entry(desk.demo, "typo", key, ("read", "trade"),
                              secret="not-the-secret"))
    assert_fails(desk.cli("balance", "--key", "typo"), 7, "refused the api key or secret",
                 "whitelisted")
    # The check for orders the journal does not know asks first (signed): refused
    # before anything is journaled or sent.
    checked = desk.cli("order", "place", "--key", "typo", *MARKET_BUY, "--yes")
    assert_fails(checked, 7, "refused the api key or secret")
    assert desk.order_posts() == []
    # Without that check, the order's own request is refused the same way.
    placed = desk.cli("order", "place", "--key", "typo", *MARKET_BUY, "--yes",
                      "--ignore-foreign-orders")
    assert_fails(placed, 7, "refused the api key or secret")
    assert desk.demo.orders_for(key.api_key) == []
    assert journal_states(desk) == [["PENDING", "REJECTED"]]
    assert "not-the-secret" not in placed.err + placed.out + checked.err + checked.out


def test_clock_skew_gives_the_clock_message(desk: Desk) -> None:
    warm(desk)
    desk.demo.faults.clock_skew_ms = 120_000
    assert_fails(desk.cli("balance", "--key", "trader"), 7, "timestamp", "clock",
                 "--sync-clock")
    synced = assert_ok(desk.cli("balance", "--key", "trader", "--sync-clock"))
    assert "this computer is" in synced.out and "behind" in synced.out
    as_json = assert_ok(desk.cli("balance", "--key", "trader", "--sync-clock", "--json"))
    assert "this computer is" in as_json.err and "this computer is" not in as_json.out
    assert {row["currency"] for row in json.loads(as_json.out)} >= {"USDT"}
    placed = assert_ok(desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes",
                                "--sync-clock"))
    assert "Placed: FILLED" in placed.out


def test_a_503_gives_the_unavailable_message(desk: Desk) -> None:
    warm(desk)
    desk.demo.faults.unavailable = True
    assert_fails(desk.cli("balance", "--key", "trader"), 7, "unavailable")
    placed = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes")
    assert_fails(placed, 7, "unavailable")


def test_place_without_a_terminal_refuses_unless_yes(desk: Desk) -> None:
    # A new session has no controlling terminal: /dev/tty cannot be opened.
    result = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, new_session=True)
    assert_fails(result, 1, "without a terminal", "--yes")
    assert desk.demo.requests == []
