"""What a user reads when something goes wrong, or right: an error before the order
request says no order was sent and where it failed; only the order request itself
leaves an outcome unknown. Real ccxt over real HTTP to the demo exchange, the CLI as a
subprocess."""

from __future__ import annotations

import pytest

from tests.e2e.support import assert_fails, assert_ok
from tests.e2e.trading_support import Desk, demo, demo_entry, desk, warm
from vault_app.trading.demo_exchange import DemoExchange
from vault_app.trading.orders import plain

__all__ = ["demo", "desk"]  # fixtures

MARKET_BUY = ("--symbol", "ETH/USDT", "--side", "buy", "--type", "market", "--amount", "0.1")


@pytest.mark.parametrize("command", [
    ("balance", "--key", "trader"),
    ("order", "place", "--key", "trader", *MARKET_BUY, "--yes"),
    ("order", "list", "--key", "trader", "--open"),
])
def test_a_stopped_exchange_says_no_order_was_sent_and_where_to_look(
        desk: Desk, command: tuple[str, ...]) -> None:
    url = desk.demo.url
    desk.demo.stop()
    result = assert_fails(desk.cli(*command), 7, "could not be reached while loading its "
                          f"markets ({url}); no order was sent",
                          f"Is the exchange (or the demo exchange) running at {url}?")
    assert "outcome" not in result.err and "never sent again" not in result.err


def test_a_failure_asking_for_the_price_says_no_order_was_sent(desk: Desk) -> None:
    # The markets come from the cache, and the check for orders the journal does not know
    # is skipped: the ticker is the first request.
    warm(desk)
    desk.demo.faults.unavailable = True
    result = assert_fails(
        desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes",
                 "--ignore-foreign-orders"), 7,
        f"unavailable while asking for the last price ({desk.demo.url}); no order was sent")
    assert "outcome" not in result.err
    assert desk.order_posts() == []


def test_a_failure_listing_orders_before_the_price_says_no_order_was_sent(desk: Desk) -> None:
    warm(desk)  # the check for orders the journal does not know is the first request
    desk.demo.faults.unavailable = True
    result = assert_fails(
        desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes"), 7,
        f"unavailable while listing orders ({desk.demo.url}); no order was sent")
    assert "outcome" not in result.err
    assert desk.order_posts() == []


def test_a_stopped_exchange_after_the_markets_are_cached_names_the_balance_request(
        desk: Desk) -> None:
    warm(desk)
    url = desk.demo.url
    desk.demo.stop()
    assert_fails(desk.cli("balance", "--key", "trader"), 7,
                 f"while asking for the balances ({url}); no order was sent",
                 f"running at {url}?")


def test_only_the_order_request_leaves_an_outcome_unknown(desk: Desk) -> None:
    desk.demo.faults.drop_after_accept = 1
    result = desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes")
    assert_fails(result, 7, "outcome unknown, will reconcile", "not resent")
    assert "no order was sent" not in result.err


def test_a_fill_shows_its_average_price_cost_and_fee_where_the_order_is_shown(
        desk: Desk) -> None:
    placed = assert_ok(desk.cli("order", "place", "--key", "trader", *MARKET_BUY, "--yes"))
    [held] = desk.demo.orders_for(desk.demo.trading_key.api_key)
    cost = held.cumulative_quote_qty
    average = cost / held.executed_qty
    fee = sum(fill.commission for fill in held.fills)
    assert {fill.commission_asset for fill in held.fills} == {"ETH"}
    assert f", filled 0.1 at {plain(average)} USDT on average (cost {plain(cost)} USDT, " \
        f"fee {plain(fee)} ETH)" in placed.out

    [listed] = desk.cli_json("order", "list", "--key", "trader")
    assert (listed["filled"], listed["average"], listed["cost"], listed["fees"]) == \
        ("0.1", plain(average), plain(cost), [{"cost": plain(fee), "currency": "ETH"}])
    header, line = assert_ok(desk.cli("order", "list", "--key", "trader")).out.splitlines()
    assert "AVG PRICE" in header and "COST" in header and "FEE" in header
    assert [plain(average), plain(cost), plain(fee), "ETH"] == line.split()[8:12]


def test_a_resting_order_that_filled_later_gets_its_fill_price_recorded(desk: Desk) -> None:
    assert_ok(desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT", "--side",
                       "buy", "--type", "limit", "--amount", "0.01", "--price", "55000",
                       "--yes"))
    [opened] = desk.cli_json("order", "list", "--key", "trader", "--open")
    assert (opened["state"], opened["price"], opened["filled"], opened["average"]) == \
        ("OPEN", "55000", "0", None)
    desk.demo.set_price("BTC/USDT", "54000")
    [filled] = desk.cli_json("order", "list", "--key", "trader")
    assert (filled["state"], filled["filled"], filled["average"], filled["cost"]) == \
        ("FILLED", "0.01", "55000", "550")
    # One schema for the journal's orders and the exchange's open ones.
    assert list(opened) == list(filled)
    assert {name: opened[name] for name in ("client_order_id", "order_id", "symbol", "side",
                                            "type", "amount", "price", "time_in_force",
                                            "key_id", "exchange", "environment")} == \
        {name: filled[name] for name in ("client_order_id", "order_id", "symbol", "side",
                                         "type", "amount", "price", "time_in_force",
                                         "key_id", "exchange", "environment")}


def limit(side: str, price: str, *extra: str) -> tuple[str, ...]:
    return ("--symbol", "BTC/USDT", "--side", side, "--type", "limit", "--amount", "0.01",
            "--price", price, *extra)


def test_a_far_price_warns_on_stderr_like_other_commands_and_says_what_will_happen(
        desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "60000")
    result = assert_ok(desk.cli("order", "preview", "--key", "trader", *limit("buy", "70000")))
    assert "WARNING" not in result.out and "warning" not in result.out
    [warning] = [line for line in result.err.splitlines() if "warning" in line]
    assert warning.startswith("vault-app-cli: warning: the limit price 70,000 is ")
    assert warning.endswith(": this buy will fill at once, at the market's price, up to "
                            "70,000 USDT")
    resting = assert_ok(desk.cli("order", "preview", "--key", "trader",
                                 *limit("buy", "52000")))
    assert "will rest on the book until the price falls that far" in resting.err
    # --price-band sets the band: 5 % warns about a price 8 % off, 20 % does not.
    banded = assert_ok(desk.cli("order", "preview", "--key", "trader",
                                *limit("buy", "55000", "--price-band", "5")))
    assert "vault-app-cli: warning: the limit price 55,000" in banded.err
    quiet = assert_ok(desk.cli("order", "preview", "--key", "trader",
                               *limit("buy", "52000", "--price-band", "20")))
    assert "warning" not in quiet.err
    assert desk.order_posts() == []


def test_an_extreme_price_is_refused_with_nothing_sent_unless_allowed(desk: Desk) -> None:
    desk.demo.set_price("BTC/USDT", "60000")
    assert_fails(desk.cli("order", "place", "--key", "trader", *limit("buy", "600000"),
                          "--yes"), 1, "more than 50 % away", "nothing was sent",
                 "--allow-far-price")
    assert_fails(desk.cli("order", "place", "--key", "trader", *limit("sell", "6000"),
                          "--yes"), 1, "more than 50 % away")
    assert desk.order_posts() == []
    placed = assert_ok(desk.cli("order", "place", "--key", "trader",
                                *limit("buy", "95000", "--allow-far-price"), "--yes"))
    assert "vault-app-cli: warning: the limit price 95,000" in placed.err
    assert "Placed: FILLED" in placed.out
    assert len(desk.order_posts()) == 1


def test_hints_name_the_keys_real_label_ready_to_paste(desk: Desk) -> None:
    desk.vault.add(demo_entry(desk.demo, "My Bot", desk.demo.add_key(), ("read", "trade")))
    desk.demo.faults.drop_after_accept = 1
    lost = desk.cli("order", "place", "--key", "MY BOT", *MARKET_BUY, "--yes")
    assert_fails(lost, 7, "outcome unknown", "'vault-app-cli order list --key \"My Bot\"'")
    desk.demo.faults.unavailable = True  # reconcile cannot ask: the next order waits
    blocked = desk.cli("order", "place", "--key", "my bot", *MARKET_BUY, "--yes")
    assert_fails(blocked, 1, "unknown outcome", "vault-app-cli order list --key \"My Bot\"",
                 "vault-app-cli order resolve --key \"My Bot\" --id CLIENT_ID --not-placed")
    # The lookup's failure is about the earlier order: not "no order was sent".
    [warning] = [line for line in blocked.err.splitlines() if "warning" in line]
    assert "could not be asked (the exchange is unavailable while asking for its time" \
        in warning and "no order was sent" not in warning


def test_order_list_says_why_an_order_was_rejected(desk: Desk) -> None:
    assert_fails(desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT",
                          "--side", "buy", "--type", "market", "--amount", "100", "--yes"),
                 7, "balance is too low")
    header, line = assert_ok(desk.cli("order", "list", "--key", "trader")).out.splitlines()
    assert header.split()[-1] == "REASON"
    assert "REJECTED" in line and line.endswith("the balance is too low for this order "
                                                "(Account has insufficient balance for "
                                                "requested action)")


def test_order_list_goes_on_when_a_restarted_demo_exchange_no_longer_knows_an_order(
        desk: Desk) -> None:
    assert_ok(desk.cli("order", "place", "--key", "trader", *limit("buy", "55000"), "--yes"))
    desk.demo.stop()
    # The same seed and port: the key still works; the exchange's orders start afresh.
    with DemoExchange(seed=1, port=desk.demo.port):
        listed = assert_ok(desk.cli("order", "list", "--key", "trader"))
    assert "OPEN" in listed.out
    assert "is OPEN in the journal, but the exchange no longer knows it" in listed.err
    assert listed.err.startswith("vault-app-cli: warning: order va-")
