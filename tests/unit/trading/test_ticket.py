"""The order ticket's as-you-type checks, on ccxt's real binance class, offline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import make_entry
from tests.unit.trading.markets_fixture import offline_binance
from vault_app.core.model import KeyEntry
from vault_app.trading.money import DECIMAL_PLACES, SIGNIFICANT_DIGITS
from vault_app.trading.orders import check_against_market, find_market, parse_order
from vault_app.trading.remedies import ALLOW_FAR_PRICE
from vault_app.trading.ticket import (
    Assessment,
    TicketFields,
    assess,
    estimate_lines,
    order_types,
)
from vault_app.trading.ticket_amounts import available_line, fraction_amount, ticket_fraction

LAST = Decimal("50000")


@pytest.fixture(scope="module")
def exchange() -> Any:
    return offline_binance()


def trader(**fields: object) -> KeyEntry:
    return make_entry(label="trader", exchange="binance", permissions=("read", "trade"),
                      **fields)


def watcher() -> KeyEntry:
    return make_entry(label="watcher", exchange="binance", permissions=("read",))


def ticket(amount: str = "0.01", price: str = "50000", *, symbol: str = "BTC/USDT",
           side: str = "buy", type: str = "limit", **kw: Any) -> TicketFields:
    return TicketFields(symbol=symbol, side=side, type=type, amount=amount, price=price, **kw)


def run(exchange: Any, fields: TicketFields, entry: KeyEntry | None = None,
        last: Decimal | None = LAST) -> Assessment:
    return assess(entry or trader(), fields, exchange, last)


def test_a_valid_limit_order_gives_the_request_the_placement_checks(exchange: Any) -> None:
    entry = trader()
    result = run(exchange, ticket(), entry)
    assert result.ok and dict(result.errors) == {}
    assert result.request == parse_order(entry.id, "BTC/USDT", "buy", "limit", "0.01",
                                         "50000")
    assert (result.amount, result.price) == ("0.01", "50000")
    assert result.estimated_cost == Decimal("500")
    assert (result.base, result.quote) == ("BTC", "USDT")


def test_the_request_passes_the_cores_own_check(exchange: Any) -> None:
    entry = trader()
    result = run(exchange, ticket("0.0123456", "50000.129"), entry)
    assert result.request is not None
    market = find_market("BTC/USDT", exchange.markets, "binance")
    checked = check_against_market(result.request, entry, exchange, market, lambda: LAST)
    assert (checked.amount, checked.price) == (result.amount, result.price)
    assert checked.notes == result.notes


def test_rounding_is_shown_not_silent(exchange: Any) -> None:
    result = run(exchange, ticket("0.0123456", "50000.129"))
    assert result.ok
    assert (result.amount, result.price) == ("0.01234", "50000.13")
    assert result.notes == (
        "amount 0.0123456 rounded down to 0.01234 (the market's step 0.00001)",
        "price 50000.129 rounded to 50000.13 (the market's tick 0.01)")


def test_rounding_is_shown_even_when_the_order_is_refused(exchange: Any) -> None:
    result = run(exchange, ticket("0.0000456", "50000"))  # 0.00004 x 50000 = 2 < 5 USDT
    assert not result.ok and result.request is None
    assert "below the market's minimum of 5 USDT" in result.errors["amount"]
    assert result.notes == ("amount 0.0000456 rounded down to 0.00004 "
                            "(the market's step 0.00001)",)
    assert result.estimated_cost == Decimal("2")


@pytest.mark.parametrize(("amount", "fragment"), [
    ("abc", "'abc' is not a number"),
    ("1,5", "has a comma: use a point (.) for decimals"),
    ("-1", "must be positive"),
    ("0", "greater than zero"),
    ("1e-3", "plain decimal notation"),
    ("0.000001", "smaller than the market's smallest step (0.00001)"),
    ("9001", "above the market's maximum of 9000 BTC"),
])
def test_a_bad_amount_is_said_on_the_amount(exchange: Any, amount: str, fragment: str) -> None:
    result = run(exchange, ticket(amount))
    assert not result.ok and result.request is None
    assert fragment in result.errors["amount"]


def test_below_the_minimum_amount_is_said_before_a_price_is_typed(exchange: Any) -> None:
    result = run(exchange, ticket("0.0001", "", symbol="ETH/BTC"))
    assert "below the market's minimum of 0.001 ETH" in result.errors["amount"]
    assert result.errors["price"] == "the price is missing"
    assert result.missing == frozenset({"price"})


def test_below_the_minimum_cost_is_said_for_a_market_order_at_the_last_price(
        exchange: Any) -> None:
    result = run(exchange, ticket("0.00005", "", type="market"))
    assert "about 2.5 USDT, is below the market's minimum of 5 USDT" in result.errors["amount"]
    assert result.estimated_cost == Decimal("2.5")


def test_every_bad_field_is_named_at_once(exchange: Any) -> None:
    result = run(exchange, ticket("x", "y", type="stop-limit", stop_price="-3"))
    assert set(result.errors) == {"amount", "price", "stop_price"}
    assert "must be positive" in result.errors["stop_price"]


def test_empty_fields_are_errors_marked_missing(exchange: Any) -> None:
    result = run(exchange, ticket("", "", symbol=""))
    assert result.missing == frozenset({"amount", "price", "symbol"})
    assert result.errors["amount"] == "the amount is missing"
    assert result.request is None


def test_a_market_order_ignores_a_leftover_price(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "123", type="market"))
    assert result.ok and result.request is not None
    assert result.request.price is None and result.price is None
    assert result.estimated_cost == Decimal("500")  # at the last price


def test_a_market_order_without_a_last_price_has_no_estimate(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "", type="market"), last=None)
    assert result.ok
    assert result.estimated_cost is None
    assert result.warnings == ("the exchange gave no last price; the order's value is unknown",)


def test_a_far_price_is_refused_on_the_price(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "90000"))
    assert not result.ok
    assert "more than 50 % away" in result.errors["price"]
    assert result.warnings == ()
    assert result.far_price_refused
    assert getattr(result.refusals["price"], "remedy", None) == ALLOW_FAR_PRICE


def test_a_far_price_the_user_allows_passes_with_the_cores_warning(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "90000", allow_far_price=True))
    assert result.ok and not result.far_price_refused
    assert result.request is not None and result.request.allow_far_price
    assert result.warnings and "80.0 % above the last price 50,000" in result.warnings[0]


def test_other_refusals_are_not_far_price_ones(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", ""))
    assert not result.far_price_refused
    result = run(exchange, ticket("0.01", "50000"), watcher())
    assert not result.far_price_refused and "key" in result.refusals


def test_a_near_but_crossing_price_warns(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "56000"))
    assert result.ok
    assert result.warnings and "will fill at once" in result.warnings[0]


def test_a_read_key_cannot_submit_and_says_why(exchange: Any) -> None:
    result = run(exchange, ticket(), watcher())
    assert not result.ok and result.request is None
    assert "labelled read, not trade" in result.errors["key"]
    assert result.estimated_cost == Decimal("500")  # it still sees what it would cost


def test_an_unknown_symbol_suggests(exchange: Any) -> None:
    result = run(exchange, ticket(symbol="BTC/USDX"))
    assert "did you mean BTC/USDT" in result.errors["symbol"]


def test_a_halted_market_is_refused(exchange: Any) -> None:
    result = run(exchange, ticket("1", "1", symbol="LUNA/USDT"))
    assert "not trading now" in result.errors["symbol"]


def test_without_markets_the_symbol_waits(exchange: Any) -> None:
    result = assess(trader(), ticket(), None, LAST)
    assert result.errors["symbol"] == "the exchange's markets are not loaded yet"
    assert not result.ok


def test_a_stop_limit_whose_stop_is_passed_is_refused(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "49000", type="stop-limit", stop_price="49500"))
    assert "would trigger at once" in result.errors["stop_price"]
    ok = run(exchange, ticket("0.01", "51000", type="stop-limit", stop_price="50500"))
    assert ok.ok and ok.request is not None and ok.request.stop_price == Decimal("50500")


def test_post_only_drops_the_time_in_force(exchange: Any) -> None:
    result = run(exchange, ticket(post_only=True, time_in_force="IOC"))
    assert result.ok and result.request is not None
    assert result.request.post_only and result.request.time_in_force is None


def test_time_in_force_reaches_the_request(exchange: Any) -> None:
    result = run(exchange, ticket(time_in_force="FOK"))
    assert result.request is not None and result.request.time_in_force == "FOK"


def test_the_keys_maximum_notional_is_said_on_the_amount(exchange: Any) -> None:
    result = run(exchange, ticket("0.01"), trader(max_notional=Decimal("100")))
    assert "above the key's maximum of 100 USD" in result.errors["amount"]
    other = run(exchange, ticket("1", "0.05", symbol="ETH/BTC"),
                trader(max_notional=Decimal("100")), last=Decimal("0.05"))
    assert "quoted in BTC" in other.errors["key"]


def test_the_fee_is_the_markets_taker_rate_in_the_currency_received(exchange: Any) -> None:
    buy = run(exchange, ticket("0.01", "50000"))
    assert (buy.fee_rate, buy.fee_currency) == (Decimal("0.001"), "BTC")  # binance: "get"
    assert buy.estimated_fee == Decimal("0.00001")
    assert buy.fee_basis == "the BTC/USDT market's taker rate"
    sell = run(exchange, ticket("0.01", "50000", side="sell"))
    assert (sell.fee_currency, sell.estimated_fee) == ("USDT", Decimal("0.5"))


def test_the_fee_falls_back_to_the_exchanges_default_rate() -> None:
    exchange = offline_binance()
    for market in exchange.markets.values():  # as the markets cache keeps them
        for name in ("maker", "taker", "feeSide"):
            market.pop(name, None)
    exchange.fees["trading"]["taker"] = 0.002
    result = run(exchange, ticket("0.01", "50000", side="sell"))
    assert result.fee_rate == Decimal("0.002")
    assert result.fee_basis is not None and "binance's default taker rate" in result.fee_basis
    assert (result.fee_currency, result.estimated_fee) == ("USDT", Decimal("1"))


def test_post_only_pays_the_maker_rate() -> None:
    exchange = offline_binance()
    exchange.markets["BTC/USDT"]["maker"] = 0.0002
    result = run(exchange, ticket("0.01", "50000", side="sell", post_only=True))
    assert result.fee_rate == Decimal("0.0002")
    assert result.fee_basis == "the BTC/USDT market's maker rate"


def test_order_types_offer_stop_limit_only_where_the_core_accepts_it() -> None:
    exchange = offline_binance()
    assert order_types(exchange) == ("market", "limit", "stop-limit")
    exchange.features = {"spot": {"createOrder": {"triggerPrice": False}}}
    assert order_types(exchange) == ("market", "limit")
    refused = run(exchange, ticket(type="stop-limit", stop_price="50500", price="51000"))
    assert "no stop-limit orders" in refused.errors["type"]
    assert order_types(None) == ("market", "limit")


@pytest.mark.parametrize(("fraction", "expected"), [
    ("0.25", "0.00499"),  # 250 / 50000 = 0.005, less the 0.1 % fee room: 0.0049950...
    ("0.5", "0.00999"),
    ("0.75", "0.01498"),
    ("1", "0.01998"),
])
def test_a_buy_fraction_spends_the_quote_leaving_room_for_a_quote_fee(
        exchange: Any, fraction: str, expected: str) -> None:
    market = dict(exchange.markets["BTC/USDT"], feeSide="quote")
    amount = fraction_amount(Decimal(fraction), "buy", market, {"USDT": Decimal("1000")},
                             Decimal("50000"))
    assert amount == expected
    assert amount is not None and Decimal(amount) * Decimal("50000") * Decimal("1.001") \
        <= Decimal("1000") * Decimal(fraction)


def test_a_buy_fraction_needs_no_room_when_the_fee_is_in_the_base(exchange: Any) -> None:
    market = exchange.markets["BTC/USDT"]  # binance: the fee is taken from what you get
    assert fraction_amount(Decimal("1"), "buy", market, {"USDT": Decimal("1000")},
                           Decimal("50000")) == "0.02"


@pytest.mark.parametrize(("fraction", "expected"), [
    ("0.25", "0.03086"), ("0.5", "0.06172"), ("0.75", "0.09259"), ("1", "0.12345"),
])
def test_a_sell_fraction_is_the_base_rounded_down(exchange: Any, fraction: str,
                                                  expected: str) -> None:
    market = exchange.markets["BTC/USDT"]
    assert fraction_amount(Decimal(fraction), "sell", market, {"BTC": Decimal("0.123456789")},
                           None) == expected


def test_a_fraction_cannot_be_computed_without_price_or_balance(exchange: Any) -> None:
    market = exchange.markets["BTC/USDT"]
    usdt = {"USDT": Decimal("1000")}
    assert fraction_amount(Decimal("0.5"), "buy", market, usdt, None) is None
    assert fraction_amount(Decimal("0.5"), "buy", market, {}, Decimal("50000")) is None
    assert fraction_amount(Decimal("0.5"), "sell", market, usdt, None) is None
    assert fraction_amount(Decimal("0.5"), "sell", market, {"BTC": Decimal(0)}, None) is None
    assert fraction_amount(Decimal("0.5"), "sell", market, {"BTC": Decimal("0.000001")},
                           None) is None  # less than one step
    assert fraction_amount(Decimal("1.5"), "sell", market, {"BTC": Decimal(1)}, None) is None


def test_a_fraction_follows_the_exchanges_precision_mode(exchange: Any) -> None:
    market = dict(exchange.markets["BTC/USDT"], precision={"amount": 3, "price": 2})
    free = {"BTC": Decimal("0.123456")}
    assert fraction_amount(Decimal(1), "sell", market, free, None,
                           precision_mode=DECIMAL_PLACES) == "0.123"
    assert fraction_amount(Decimal(1), "sell", market, free, None,
                           precision_mode=SIGNIFICANT_DIGITS) == "0.123"
    assert fraction_amount(Decimal(1), "sell", market, {"BTC": Decimal("1234.5")}, None,
                           precision_mode=SIGNIFICANT_DIGITS) == "1230"


def test_the_percentage_amount_passes_the_ticket(exchange: Any) -> None:
    market = exchange.markets["ETH/USDT"]
    amount = fraction_amount(Decimal("0.75"), "sell", market, {"ETH": Decimal("1.23456789")},
                             None)
    assert amount == "0.9259"
    result = run(exchange, ticket(amount, "3000", symbol="ETH/USDT", side="sell"),
                 last=Decimal("3000"))
    assert result.ok and result.notes == ()


# --- as you type: no "nothing was sent", every field's message, the balance ------------

def test_as_you_type_nothing_says_it_was_not_sent(exchange: Any) -> None:
    cases = [run(exchange, ticket(), watcher()),
             run(exchange, ticket("0.01", "5000")),  # far price
             run(exchange, ticket("0.01"), trader(max_notional=Decimal("100")))]
    said = [text for result in cases for text in result.errors.values()]
    said += [str(exc) for result in cases for exc in result.refusals.values()]
    assert len(said) == 6
    assert not [text for text in said if "was sent" in text], said


def test_a_far_price_and_a_too_small_value_are_both_said(exchange: Any) -> None:
    result = run(exchange, ticket("0.01", "6"))  # 6 x 0.01 = 0.06 < 5 USDT, and 100 % off
    assert "below the market's minimum of 5 USDT" in result.errors["amount"]
    assert "below the last price" in result.errors["price"]
    assert result.far_price_refused


def test_an_order_over_the_free_balance_is_said_before_review(exchange: Any) -> None:
    free = {"USDT": Decimal("98500.345"), "BTC": Decimal("0.5")}
    buy = assess(trader(), ticket("100", "59000"), exchange, Decimal("59000"), free)
    assert not buy.ok and buy.request is None
    assert buy.errors["amount"] == ("the total 5,900,000 USDT exceeds your available "
                                    "98,500.34 USDT")
    sell = assess(trader(), ticket("1", "59000", side="sell"), exchange, Decimal("59000"),
                  free)
    assert sell.errors["amount"] == "the amount 1 BTC exceeds your available 0.5 BTC"
    fits = assess(trader(), ticket("1", "59000"), exchange, Decimal("59000"), free)
    assert fits.ok
    unknown = assess(trader(), ticket("100", "59000"), exchange, Decimal("59000"), None)
    assert unknown.ok  # balances unknown: nothing said


def test_the_fee_in_the_quote_counts_against_the_balance(exchange: Any) -> None:
    market_fee_in_quote = offline_binance()
    for market in market_fee_in_quote.markets.values():
        market["feeSide"] = "quote"
    free = {"USDT": Decimal("500")}
    result = assess(trader(), ticket("0.01", "50000"), market_fee_in_quote, LAST, free)
    assert "the total 500.5 USDT exceeds your available 500 USDT" == result.errors["amount"]


def test_a_resting_limit_pays_the_maker_rate_a_crossing_one_the_taker(
        exchange: Any) -> None:
    resting = run(exchange, ticket("0.01", "49000"))
    assert resting.maker and resting.fee_basis == "the BTC/USDT market's maker rate"
    crossing = run(exchange, ticket("0.01", "51000"))
    assert not crossing.maker and crossing.fee_basis == "the BTC/USDT market's taker rate"
    market = run(exchange, ticket("0.01", "", type="market"))
    assert not market.maker
    sell_resting = run(exchange, ticket("0.01", "51000", side="sell"))
    assert sell_resting.maker


def test_the_estimate_text(exchange: Any) -> None:
    result = run(exchange, ticket("0.5", "", type="market", side="sell"),
                 last=Decimal("2999.21"))
    assert estimate_lines(result, Decimal("2999.21")) == (
        "Total: ≈ 1,499.61 USDT",
        "Fee: ≈ 1.5 USDT (0.1 %, the BTC/USDT market's taker rate)")
    assert estimate_lines(None, None) == ("Total: —",)
    waiting = run(exchange, ticket("0.5", "", type="market"), last=None)
    assert estimate_lines(waiting, None)[0] == "Total: unknown until the last price is known"


def test_available_by_side(exchange: Any) -> None:
    market = exchange.markets["BTC/USDT"]
    free = {"USDT": Decimal("98500.345")}
    assert available_line("buy", market, free) == "Available: 98,500.34 USDT"
    assert available_line("sell", market, free) == "Available: 0 BTC"
    assert available_line("sell", market, None) == "Available: —"


def test_a_percentage_says_why_it_has_no_amount(exchange: Any) -> None:
    market = exchange.markets["BTC/USDT"]
    usdt = {"USDT": Decimal("1000")}
    no_price = ticket_fraction(Decimal("0.5"), ticket("", "abc"), market, usdt, LAST)
    assert no_price.amount is None and no_price.reason.startswith("type a valid price first")
    no_last = ticket_fraction(Decimal("0.5"), ticket("", "", type="market"), market, usdt,
                              None)
    assert no_last.reason == "no last price yet: how much it buys is unknown"
    market_buy = ticket_fraction(Decimal("1"), ticket("", "999", type="market"), market, usdt,
                                 LAST)
    assert market_buy.amount == "0.02"  # at the last price, the typed price ignored
    none_held = ticket_fraction(Decimal("1"), ticket("", "", side="sell"), market, usdt, LAST)
    assert none_held.reason == "no BTC available (or less than the market's smallest step)"
