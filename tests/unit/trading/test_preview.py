"""The preview is ccxt's own signed request, captured before the network, the key masked."""

from __future__ import annotations

import hashlib
import hmac
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.conftest import make_entry
from tests.unit.trading.markets_fixture import offline_binance
from vault_app.trading.money import grouped, places
from vault_app.trading.orders import check_against_market, find_market, parse_order
from vault_app.trading.preview import (
    build_preview,
    capture_create_order,
    estimate_moved,
    new_client_order_id,
)

API_KEY = "demoKeyABCDEFGH12345678"
SECRET = "demoSecretXYZ987654321"


@pytest.fixture
def exchange() -> Any:
    exchange = offline_binance()
    exchange.apiKey, exchange.secret = API_KEY, SECRET
    return exchange


def checked_order(exchange: Any, **kw: Any) -> Any:
    args = {"symbol": "BTC/USDT", "side": "buy", "type": "limit", "amount": "0.01",
            "price": "50000", **kw}
    request = parse_order("id", args.pop("symbol"), args.pop("side"), args.pop("type"),
                          args.pop("amount"), args.pop("price"), **args)
    market = find_market(request.symbol, exchange.markets, "binance")
    entry = make_entry(label="t", exchange="binance", permissions=("read", "trade"),
                       credentials={"apiKey": API_KEY, "secret": SECRET})
    return entry, check_against_market(request, entry, exchange, market,
                                       lambda: Decimal("50000"))


def test_client_order_ids_fit_binance_and_differ() -> None:
    ids = {new_client_order_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"va-[A-Za-z0-9_-]{20}", cid) for cid in ids)


def test_the_capture_is_ccxts_signed_request_and_sends_nothing(exchange: Any) -> None:
    _, checked = checked_order(exchange)
    request = capture_create_order(exchange, checked.create_order_args("va-test"))
    assert "fetch" not in vars(exchange)  # the real fetch is back
    assert exchange.enableRateLimit is True  # and the rate limiter
    assert request.method == "POST"
    assert request.url == "https://api.binance.com/api/v3/order"
    assert request.headers["X-MBX-APIKEY"] == API_KEY
    fields = dict(parse_qsl(request.body or ""))
    assert fields["symbol"] == "BTCUSDT" and fields["side"] == "BUY"
    assert fields["type"] == "LIMIT" and fields["timeInForce"] == "GTC"
    assert (fields["quantity"], fields["price"]) == ("0.01", "50000")
    assert fields["newClientOrderId"] == "va-test"
    signed, _, signature = (request.body or "").rpartition("&signature=")
    expected = hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest()
    assert signature == expected


def test_the_preview_masks_the_key_and_finds_the_signature(exchange: Any) -> None:
    entry, checked = checked_order(exchange)
    request = capture_create_order(exchange, checked.create_order_args("va-test"))
    preview = build_preview(checked, "va-test", request, entry,
                            endpoint="LIVE binance", live=True)
    text = "\n".join(preview.lines())
    assert API_KEY not in text and SECRET not in text
    assert "X-MBX-APIKEY: demo…5678" in text
    assert preview.signature_at == "body parameter 'signature'"
    assert preview.summary == "BUY 0.01 BTC at 50,000 USDT, limit GTC, ≈ 500 USDT"
    assert preview.lines()[0].startswith("*** LIVE ORDER")
    assert API_KEY not in repr(request)


def test_a_market_order_summary(exchange: Any) -> None:
    entry, checked = checked_order(exchange, type="market", price=None, side="sell",
                                   amount="0.5")
    request = capture_create_order(exchange, checked.create_order_args("va-m"))
    preview = build_preview(checked, "va-m", request, entry, endpoint="sandbox", live=False)
    assert preview.summary == "SELL 0.5 BTC at the market price, market, ≈ 25,000 USDT"
    assert "LIVE" not in "\n".join(preview.lines())


def test_the_estimate_has_the_quotes_decimals_as_in_the_ticket(exchange: Any) -> None:
    """u2 N4: the ticket said 24,999.48 USDT, the review "≈ 24,999 USDT" (the decimals
    of the typed price 59000)."""
    entry, checked = checked_order(exchange, price="59000", amount="0.42372")
    assert checked.notional == Decimal("24999.48000")
    request = capture_create_order(exchange, checked.create_order_args("va-p"))
    preview = build_preview(checked, "va-p", request, entry, endpoint="sandbox", live=False)
    assert preview.summary.endswith(", ≈ 24,999.48 USDT")


def test_a_moved_estimate_is_said_in_one_line(exchange: Any) -> None:
    _, checked = checked_order(exchange, type="market", price=None, amount="0.5")
    assert estimate_moved(checked, Decimal("25000.004")) == ""  # the same, as shown
    assert estimate_moved(checked, None) == ""
    assert estimate_moved(checked, Decimal("25010.3")) == (
        "≈ 25,000 USDT at the latest price (the ticket showed 25,010.3)")


def test_grouped() -> None:
    assert grouped(Decimal("1234567.50")) == "1,234,567.5"
    assert grouped(Decimal("0.00012")) == "0.00012"


def test_grouped_to_the_markets_decimals() -> None:
    assert grouped(Decimal("5900000"), 2) == "5,900,000"
    assert grouped(Decimal("98500.345"), 2, down=True) == "98,500.34"  # never more than it is
    assert grouped(Decimal("1499.605"), 2) == "1,499.61"
    assert grouped(Decimal("-1234.5")) == "-1,234.5"
    assert places({"precision": {"price": 0.01}}, "price") == 2
    assert places({"precision": {"amount": 1e-5}}, "amount") == 5
    assert places({"precision": {"price": 8}}, "price", precision_mode=2) == 8
    assert places({"precision": {}}, "price") is None
