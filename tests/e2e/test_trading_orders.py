"""Orders end to end: the CLI (a subprocess) and the session, real ccxt, real HTTP,
against the demo exchange in a thread. No mocks of ccxt."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.e2e.support import assert_fails, assert_no_traceback, assert_ok
from tests.e2e.trading_support import ORDER_PATH, Desk, demo, desk, warm
from vault_app.core.model import mask_identifier
from vault_app.trading.orders import parse_order
from vault_app.trading.preview_masking import SIGNATURE_MASK
from vault_app.trading.session import TradingSession

__all__ = ["demo", "desk"]  # fixtures

LIMIT = ("--symbol", "BTC/USDT", "--side", "buy", "--type", "limit", "--amount", "0.01",
         "--price", "50000")


def hmac_ok(secret: str, signed_text: str) -> bool:
    payload, _, signature = signed_text.rpartition("&signature=")
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


def test_an_order_placed_through_the_cli_arrives_once_signed_and_is_listed(desk: Desk) -> None:
    result = assert_ok(desk.cli("order", "place", "--key", "trader", *LIMIT, "--yes"))
    assert "BUY 0.01 BTC at 50,000 USDT, limit GTC, ≈ 500 USDT" in result.out
    assert "Placed: OPEN" in result.out
    posts = desk.order_posts()
    assert len(posts) == 1
    assert posts[0].signed is not None  # the server verified key, HMAC and timestamp
    assert hmac_ok(desk.demo.trading_key.secret, posts[0].body)
    held = desk.demo.orders_for(desk.demo.trading_key.api_key)
    assert len(held) == 1
    client_id = dict(parse_qsl(posts[0].body))["newClientOrderId"]
    listed = desk.cli_json("order", "list", "--key", "trader")
    assert [(o["client_order_id"], o["state"], o["amount"], o["price"]) for o in listed] == \
        [(client_id, "OPEN", "0.01", "50000")]
    table = assert_ok(desk.cli("order", "list", "--key", "trader"))
    assert client_id in table.out and "OPEN" in table.out
    open_orders = desk.cli_json("order", "list", "--key", "trader", "--open")
    assert [o["client_order_id"] for o in open_orders] == [client_id]


def test_the_preview_is_what_the_server_receives_but_timestamp_and_signature(
        desk: Desk) -> None:
    entry = desk.vault.find("trader")
    session = TradingSession(desk.vault, entry)
    preview = session.preview(parse_order(entry.id, "BTC/USDT", "sell", "limit", "0.015",
                                          "70000.5", time_in_force="IOC"))
    before = len(desk.demo.requests)
    placement = session.place(preview)
    assert placement.problem is None
    [received] = [r for r in desk.demo.requests[before:] if r.path == ORDER_PATH]

    assert received.method == preview.method == "POST"
    assert urlsplit(preview.url).path == received.path and received.query == ""
    headers = dict(preview.headers)
    key = desk.demo.trading_key.api_key
    assert headers["X-MBX-APIKEY"] == mask_identifier(key) != key
    assert received.headers["X-MBX-APIKEY"] == key
    assert received.headers["Content-Type"] == headers["Content-Type"]
    assert preview.body is not None

    def without_stamp(body: str) -> list[tuple[str, str]]:
        return [(k, v) for k, v in parse_qsl(body) if k not in ("timestamp", "signature")]

    assert without_stamp(preview.body) == without_stamp(received.body)  # same order, too
    assert ("newClientOrderId", preview.client_order_id) in without_stamp(received.body)
    secret = desk.demo.trading_key.secret
    assert hmac_ok(secret, received.body)
    # The preview shows where the signature goes, never a signature someone could replay.
    assert preview.body.endswith(f"&signature={SIGNATURE_MASK}")
    assert preview.signature_at == "body parameter 'signature'"


def test_a_read_key_cannot_submit_and_the_server_receives_nothing(desk: Desk) -> None:
    for action in ("preview", "place"):
        result = desk.cli("order", action, "--key", "watcher", *LIMIT,
                          *(("--yes",) if action == "place" else ()))
        assert_fails(result, 1, "'watcher' is labelled read", "not trade", "nothing was sent")
    result = desk.cli("order", "cancel", "--key", "watcher", "--id", "1")
    assert_fails(result, 1, "not trade")
    assert desk.demo.requests == []


@pytest.mark.parametrize(("args", "fragment"), [
    (("--amount", "-0.01"), "amount must be positive"),
    (("--amount", "0"), "amount must be greater than zero"),
    (("--amount", "NaN"), "amount must be a finite number"),
    (("--amount", "inf"), "amount must be a finite number"),
    (("--amount", "Infinity"), "amount must be a finite number"),
    (("--amount", "1e400"), "plain decimal notation"),
    (("--amount", "0.000001"), "smaller than the market's smallest step"),
    (("--amount", "0.00002", "--price", "1000"), "is below the market's minimum"),
    (("--symbol", "BTC/USDX"), "no market 'btc/usdx'; did you mean btc/usdt"),
    (("--price", ""), "needs a price"),
])
def test_bad_input_is_refused_with_no_request(desk: Desk, args: tuple[str, ...],
                                              fragment: str) -> None:
    # The markets come from the disk cache once warmed; a cold cache would make the
    # (public) exchangeInfo request, so "zero requests" would not test the checks.
    seen = warm(desk)
    options = dict(zip(LIMIT[::2], LIMIT[1::2], strict=True))
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    if options["--price"] == "":
        del options["--price"]
    flat = [item for pair in options.items() for item in pair]
    for action in ("preview", "place"):
        result = desk.cli("order", action, "--key", "trader", *flat,
                          *(("--yes",) if action == "place" else ()))
        assert_fails(result, 1, fragment)
    assert desk.requests_since(seen) == []


def test_below_the_minimum_amount_is_refused_with_no_request(desk: Desk) -> None:
    seen = warm(desk)
    result = desk.cli("order", "place", "--key", "trader", "--symbol", "ETH/BTC", "--side",
                      "buy", "--type", "limit", "--amount", "0.00001", "--price", "0.05",
                      "--yes")
    assert_no_traceback(result)
    assert result.code == 1, result
    assert "amount" in result.err and ("minimum" in result.err or "step" in result.err)
    assert desk.requests_since(seen) == []


def test_a_limit_order_cancels(desk: Desk) -> None:
    assert_ok(desk.cli("order", "place", "--key", "trader", *LIMIT, "--yes"))
    assert len(desk.demo.orders_for(desk.demo.trading_key.api_key)) == 1
    client_id = dict(parse_qsl(desk.order_posts()[0].body))["newClientOrderId"]
    result = assert_ok(desk.cli("order", "cancel", "--key", "trader", "--id", client_id))
    assert "Canceled order" in result.out
    [after] = desk.demo.orders_for(desk.demo.trading_key.api_key)
    assert after.status.upper() in ("CANCELED", "CANCELLED")
    listed = desk.cli_json("order", "list", "--key", "trader")
    assert [o["state"] for o in listed] == ["CANCELED"]
    assert desk.cli_json("order", "list", "--key", "trader", "--open") == []
    seen = len(desk.demo.requests)
    assert_fails(desk.cli("order", "cancel", "--key", "trader", "--id", client_id), 1,
                 "is canceled, not open")
    assert desk.requests_since(seen) == []
    assert_fails(desk.cli("order", "cancel", "--key", "trader", "--id", "nope"), 1, "no open")


def test_balances_change_after_a_fill_and_a_read_key_may_view(desk: Desk) -> None:
    before = {b["currency"]: Decimal(b["total"])
              for b in desk.cli_json("balance", "--key", "trader")}
    assert_ok(desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT", "--side",
                       "buy", "--type", "market", "--amount", "0.01", "--yes"))
    after = {b["currency"]: Decimal(b["total"])
             for b in desk.cli_json("balance", "--key", "trader")}
    assert after["BTC"] > before["BTC"]
    assert after["USDT"] < before["USDT"]
    [order] = desk.cli_json("order", "list", "--key", "trader")
    assert order["state"] == "FILLED" and order["filled"] == "0.01"
    watched = desk.cli_json("balance", "--key", "watcher")
    assert {b["currency"] for b in watched} >= {"USDT", "BTC"}
    assert_ok(desk.cli("order", "list", "--key", "watcher"))
    table = assert_ok(desk.cli("balance", "--key", "trader"))
    assert table.out.startswith("CURRENCY")


@pytest.mark.parametrize(("args", "sent"), [
    (("--side", "sell", "--type", "stop-limit", "--price", "40000", "--stop-price", "45000"),
     {"type": "STOP_LOSS_LIMIT", "stopPrice": "45000", "price": "40000",
      "timeInForce": "GTC"}),
    (("--side", "buy", "--type", "limit", "--price", "40000", "--post-only"),
     {"type": "LIMIT_MAKER", "price": "40000"}),
    (("--side", "buy", "--type", "limit", "--price", "40000", "--tif", "IOC"),
     {"type": "LIMIT", "timeInForce": "IOC"}),
])
def test_stop_limit_post_only_and_time_in_force_reach_the_exchange(
        desk: Desk, args: tuple[str, ...], sent: dict[str, str]) -> None:
    assert_ok(desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT",
                       "--amount", "0.01", *args, "--yes"))
    [post] = desk.order_posts()
    assert sent.items() <= dict(parse_qsl(post.body)).items()


def test_a_trade_label_on_a_key_the_exchange_keeps_read_only_gets_the_exchanges_no(
        desk: Desk) -> None:
    from tests.e2e.trading_support import demo_entry

    key = desk.demo.add_key(permissions=("read",))
    desk.vault.add(demo_entry(desk.demo, "mislabelled", key, ("read", "trade")))
    result = desk.cli("order", "place", "--key", "mislabelled", *LIMIT, "--yes")
    assert_no_traceback(result)
    assert result.code == 7, result
    assert "the key has the rights this request needs" in result.err  # Binance -2015
    assert desk.demo.orders_for(key.api_key) == []


def test_order_list_records_a_resting_order_that_filled_meanwhile(desk: Desk) -> None:
    assert_ok(desk.cli("order", "place", "--key", "trader", *LIMIT, "--yes"))
    assert [o["state"] for o in desk.cli_json("order", "list", "--key", "trader")] == ["OPEN"]
    desk.demo.set_price("BTC/USDT", "49000")  # crosses the limit: the exchange fills it
    [order] = desk.cli_json("order", "list", "--key", "trader")
    assert (order["state"], order["filled"]) == ("FILLED", "0.01")
    [held] = desk.demo.orders_for(desk.demo.trading_key.api_key)
    assert order["order_id"] == str(held.order_id)
    # Recorded in the journal: the next listing asks the exchange nothing about it.
    seen = len(desk.demo.requests)
    assert desk.cli_json("order", "list", "--key", "trader")[0]["state"] == "FILLED"
    assert desk.requests_since(seen) == []


def test_the_keys_maximum_notional_refuses_with_the_figures_and_no_request(
        desk: Desk) -> None:
    assert_ok(desk.cli("edit", "trader", "--max-notional", "400"))
    seen = warm(desk)
    result = desk.cli("order", "place", "--key", "trader", *LIMIT, "--yes")
    assert_fails(result, 1, "500 usdt, is above the key's maximum of 400", "nothing was sent")
    assert desk.requests_since(seen) == []
    placed = desk.cli("order", "place", "--key", "trader", "--symbol", "BTC/USDT", "--side",
                      "buy", "--type", "limit", "--amount", "0.008", "--price", "50000",
                      "--yes")
    assert_ok(placed)
