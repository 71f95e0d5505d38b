"""Order input and the checks before anything is sent, on ccxt's real binance class, offline."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import make_entry
from tests.unit.trading.markets_fixture import offline_binance
from vault_app.core.model import KeyEntry
from vault_app.trading.errors import OrderInputError, OrderNotAllowed
from vault_app.trading.orders import (
    CheckedOrder,
    OrderRequest,
    check_against_market,
    find_market,
    parse_decimal,
    parse_order,
    require_trade,
)
from vault_app.trading.remedies import ALLOW_FAR_PRICE


@pytest.fixture(scope="module")
def exchange() -> Any:
    return offline_binance()


def trader(**fields: object) -> KeyEntry:
    return make_entry(label="trader", exchange="binance", permissions=("read", "trade"),
                      **fields)


def order(symbol: str = "BTC/USDT", side: str = "buy", type: str = "limit",
          amount: str = "0.01", price: str | None = "50000", **kw: Any) -> OrderRequest:
    return parse_order("id", symbol, side, type, amount, price, **kw)


class PriceAsked:
    def __init__(self, price: str | None = "50000") -> None:
        self.price = Decimal(price) if price else None
        self.calls = 0

    def __call__(self) -> Decimal | None:
        self.calls += 1
        return self.price


def check(exchange: Any, request: OrderRequest, entry: KeyEntry | None = None,
          last: Callable[[], Decimal | None] | None = None, **kw: Any) -> CheckedOrder:
    entry = entry or trader()
    market = find_market(request.symbol, exchange.markets, "binance")
    return check_against_market(request, entry, exchange, market, last or PriceAsked(), **kw)


@pytest.mark.parametrize(("text", "fragment"), [
    ("-1", "must be positive"),
    ("-0.5", "must be positive"),
    ("0", "greater than zero"),
    ("0.000", "greater than zero"),
    ("NaN", "finite"),
    ("nan", "finite"),
    ("inf", "finite"),
    ("-Infinity", "finite"),
    ("1e400", "plain decimal notation"),
    ("1E-3", "plain decimal notation"),
    ("", "missing"),
    ("   ", "missing"),
    ("abc", "not a number"),
    ("1,5", "not a number"),
    ("1_000", "not a number"),
    ("0x10", "not a number"),
    ("١٢", "not a number"),  # Arabic-Indic digits: Decimal would take them
    ("1." + "1" * 40, "significant digits"),
])
def test_bad_numbers_are_refused_with_the_field(text: str, fragment: str) -> None:
    with pytest.raises(OrderInputError, match=fragment) as caught:
        parse_decimal(text, "amount", "amount")
    assert caught.value.field == "amount"


@pytest.mark.parametrize(("text", "value"), [
    ("1", "1"), ("0.5", "0.5"), (".5", "0.5"), ("5.", "5"), (" 0.010 ", "0.010"),
    ("+2", "2"), ("0.00000001", "0.00000001"),
])
def test_plain_positive_numbers_are_taken_exactly(text: str, value: str) -> None:
    assert parse_decimal(text, "amount", "amount") == Decimal(value)


@pytest.mark.parametrize(("kw", "field", "fragment"), [
    ({"type": "limit", "price": None}, "price", "needs a price"),
    ({"type": "market", "price": "50000"}, "price", "takes no price"),
    ({"type": "market", "price": None, "time_in_force": "IOC"}, "time_in_force", "no time"),
    ({"time_in_force": "GTD"}, "time_in_force", "GTC, IOC or FOK"),
    ({"post_only": True, "time_in_force": "IOC"}, "post_only", "cannot be IOC"),
    ({"type": "market", "price": None, "post_only": True}, "post_only", "only a limit"),
    ({"side": "long"}, "side", "buy or sell"),
    ({"type": "stop"}, "type", "market, limit or stop-limit"),
    ({"type": "stop-limit"}, "stop_price", "missing"),
    ({"stop_price": "49000"}, "stop_price", "only a stop-limit"),
    ({"symbol": "BTC USDT"}, "symbol", "BTC/USDT"),
    ({"symbol": ""}, "symbol", "BTC/USDT"),
    ({"price": "-50000"}, "price", "positive"),
])
def test_inconsistent_orders_are_refused(kw: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(OrderInputError, match=fragment) as caught:
        order(**kw)
    assert caught.value.field == field


def test_a_parsed_order_is_normalised() -> None:
    request = order(symbol=" btc/usdt ", side="BUY", type="LIMIT", time_in_force="ioc")
    assert (request.symbol, request.side, request.type, request.time_in_force) == \
        ("BTC/USDT", "buy", "limit", "IOC")
    assert request.price == Decimal("50000")


def test_a_read_key_is_refused_before_anything() -> None:
    entry = make_entry(label="watcher", exchange="binance", permissions=("read",))
    with pytest.raises(OrderNotAllowed, match="not trade; nothing was sent"):
        require_trade(entry)
    require_trade(trader())


def test_an_unknown_symbol_suggests_close_ones(exchange: Any) -> None:
    with pytest.raises(OrderInputError, match="did you mean BTC/USDT") as caught:
        find_market("BTC/USDX", exchange.markets, "binance")
    assert caught.value.field == "symbol"
    with pytest.raises(OrderInputError, match="no market 'DOGE/EUR'"):
        find_market("DOGE/EUR", exchange.markets, "binance")


def test_suggestions_keep_to_the_base_currency_typed(exchange: Any) -> None:
    with pytest.raises(OrderInputError) as caught:
        find_market("XRP/USDT", exchange.markets, "binance")
    assert "has no market 'XRP/USDT'; it has no XRP market at all" in str(caught.value)
    assert "did you mean" not in str(caught.value)
    with pytest.raises(OrderInputError) as caught:
        find_market("ETH/USDX", exchange.markets, "binance")
    message = str(caught.value)
    assert "did you mean ETH/" in message and "BTC/" not in message
    with pytest.raises(OrderInputError, match="did you mean BTC/USDT") as caught:
        find_market("BTCUSDX", exchange.markets, "binance")
    assert "ETH" not in str(caught.value)


def test_an_exchange_id_finds_its_market_and_a_halted_market_is_refused(
        exchange: Any) -> None:
    assert find_market("BTCUSDT", exchange.markets, "binance")["symbol"] == "BTC/USDT"
    with pytest.raises(OrderInputError, match="not trading"):
        find_market("LUNA/USDT", exchange.markets, "binance")


def test_precision_rounds_and_says_so(exchange: Any) -> None:
    checked = check(exchange, order(amount="0.123456789", price="50000.004"))
    assert (checked.amount, checked.price) == ("0.12345", "50000")
    assert "amount 0.123456789 rounded down to 0.12345 (the market's step 0.00001)" \
        in checked.notes
    assert any(note.startswith("price 50000.004 rounded to 50000 (") for note in checked.notes)
    assert checked.notional == Decimal("0.12345") * Decimal("50000")


def test_an_exact_order_has_no_notes(exchange: Any) -> None:
    checked = check(exchange, order(amount="0.01", price="50000"))
    assert checked.notes == ()
    assert checked.warnings == ()
    assert checked.create_order_args("va-x") == (
        "BTC/USDT", "limit", "buy", "0.01", "50000", {"clientOrderId": "va-x"})


def test_an_amount_that_rounds_to_zero_is_refused(exchange: Any) -> None:
    with pytest.raises(OrderInputError, match="smallest step"):
        check(exchange, order(amount="0.000001"))


def test_below_the_minimum_amount_is_refused_without_asking_the_price(exchange: Any) -> None:
    asked = PriceAsked()
    with pytest.raises(OrderInputError, match=r"below the market's minimum of 0\.001 ETH"):
        check(exchange, order(symbol="ETH/BTC", amount="0.0005", price="0.05"), last=asked)
    assert asked.calls == 0


def test_above_the_maximum_amount_is_refused(exchange: Any) -> None:
    with pytest.raises(OrderInputError, match="above the market's maximum"):
        check(exchange, order(amount="9001", price="1"))


def test_below_the_minimum_cost_of_a_limit_order_needs_no_price(exchange: Any) -> None:
    asked = PriceAsked()
    with pytest.raises(OrderInputError, match=r"4(\.0+)? USDT, is below the market's minimum"):
        check(exchange, order(amount="0.0001", price="40000"), last=asked)
    assert asked.calls == 0


def test_below_the_minimum_cost_of_a_market_order_uses_the_last_price(exchange: Any) -> None:
    asked = PriceAsked("40000")
    with pytest.raises(OrderInputError, match=r"about 4.* USDT, is below"):
        check(exchange, order(type="market", price=None, amount="0.0001"), last=asked)
    assert asked.calls == 1
    checked = check(exchange, order(type="market", price=None, amount="0.001"),
                    last=PriceAsked("40000"))
    assert checked.notional == Decimal("40.000")
    assert checked.price is None and checked.time_in_force is None


def test_a_far_limit_price_warns_but_passes(exchange: Any) -> None:
    checked = check(exchange, order(price="56000"), last=PriceAsked("50000"))
    assert checked.warnings == ("the limit price 56,000 is 12.0 % above the last price "
                                "50,000 USDT: this buy will fill at once, at the market's "
                                "price, up to 56,000 USDT",)
    near = check(exchange, order(price="54000"), last=PriceAsked("50000"))
    assert near.warnings == ()
    tight = check(exchange, order(price="54000"), last=PriceAsked("50000"),
                  price_band=Decimal("0.05"))
    assert "8.0 % above" in tight.warnings[0]


@pytest.mark.parametrize(("side", "price", "says"), [
    ("buy", "56000", "this buy will fill at once, at the market's price, up to 56,000 USDT"),
    ("sell", "44000", "this sell will fill at once, at the market's price, down to 44,000 USDT"),
    ("buy", "44000", "this buy will rest on the book until the price falls that far"),
    ("sell", "56000", "this sell will rest on the book until the price rises that far"),
])
def test_a_far_price_warning_says_what_the_order_will_do(exchange: Any, side: str,
                                                         price: str, says: str) -> None:
    [warning] = check(exchange, order(side=side, price=price), last=PriceAsked("50000")).warnings
    assert warning.endswith(says)


def test_a_far_stop_limit_price_says_when_it_goes_on_the_book(exchange: Any) -> None:
    request = order(side="sell", type="stop-limit", price="44000", stop_price="45000")
    [warning] = check(exchange, request, last=PriceAsked("50000")).warnings
    assert warning == ("the limit price 44,000 is 12.0 % below the last price 50,000 USDT: "
                       "this stop-limit sell goes on the book at that price once the price "
                       "reaches the stop price 45,000")


def test_an_extreme_price_says_far_not_a_percentage(exchange: Any) -> None:
    """u2 N7: "100.0 % below the last price 59999.34" for a price of 6."""
    request = order(price="6", amount="1", allow_far_price=True)
    [warning] = check(exchange, request, last=PriceAsked("59999.34")).warnings
    assert warning.startswith("the limit price is far below the last price (6 vs 59,999.34 "
                              "USDT)")


def test_a_post_only_price_on_the_wrong_side_will_be_refused(exchange: Any) -> None:
    [warning] = check(exchange, order(price="56000", post_only=True),
                      last=PriceAsked("50000")).warnings
    assert warning.endswith("a post-only buy there would fill at once, so the exchange "
                            "will refuse it")


def test_an_extreme_price_is_refused_unless_allowed(exchange: Any) -> None:
    asked = PriceAsked("50000")
    with pytest.raises(OrderNotAllowed, match=r"500,000 is 900.0 % above the last price "
                                              r"50,000 USDT, more than 50 % away"):
        check(exchange, order(price="500000"), last=asked)
    with pytest.raises(OrderNotAllowed, match="allow a far price") as refused:
        check(exchange, order(side="sell", price="20000"), last=asked)
    assert refused.value.remedy == ALLOW_FAR_PRICE
    assert check(exchange, order(price="74000"), last=asked).warnings  # 48 %: a warning
    allowed = check(exchange, order(price="500000", allow_far_price=True), last=asked)
    assert "900.0 % above" in allowed.warnings[0]
    tighter = Decimal("0.2")
    with pytest.raises(OrderNotAllowed, match="more than 20 % away"):
        check(exchange, order(price="61000"), last=asked, max_deviation=tighter)


def test_the_maximum_notional_refuses_with_the_figures(exchange: Any) -> None:
    entry = trader(max_notional=Decimal("400"))
    with pytest.raises(OrderNotAllowed, match=r"500(\.0+)? USDT, is above the key's maximum "
                                              r"of 400"):
        check(exchange, order(amount="0.01", price="50000"), entry=entry)
    check(exchange, order(amount="0.008", price="50000"), entry=entry)
    with pytest.raises(OrderNotAllowed, match="about 500"):
        check(exchange, order(type="market", price=None, amount="0.01"), entry=entry)


def test_stop_limit_goes_through_ccxts_trigger_price(exchange: Any) -> None:
    checked = check(exchange, order(type="stop-limit", price="48000", stop_price="48500.001",
                                    side="sell"))
    assert checked.params == {"triggerPrice": "48500"}
    assert checked.ccxt_type == "limit" and checked.time_in_force == "GTC"


def test_options_become_ccxt_params(exchange: Any) -> None:
    post = check(exchange, order(post_only=True))
    assert post.params == {"postOnly": True} and post.time_in_force is None
    ioc = check(exchange, order(time_in_force="IOC"))
    assert ioc.params == {"timeInForce": "IOC"} and ioc.time_in_force == "IOC"


# --- huge numbers, the price filter and maximum value, the key's limit in dollars ---------

@pytest.mark.parametrize(("text", "fragment"), [
    ("1" + "0" * 23, "too large"),
    ("123456789012345678901234", "too large"),
    ("1" + "0" * 29, "too large"),
    ("0." + "0" * 25 + "1", "too small"),
])
def test_numbers_no_market_could_take_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(OrderInputError, match=fragment) as caught:
        parse_decimal(text, "price", "price")
    assert caught.value.field == "price"


def test_a_number_beyond_ccxts_decimal_context_is_an_input_error(exchange: Any) -> None:
    # Parsed numbers are bounded; a caller that builds a request itself gets a typed error.
    request = OrderRequest(key_id="id", symbol="BTC/USDT", side="buy", type="limit",
                           amount=Decimal("1E+24"), price=Decimal("50000"))
    with pytest.raises(OrderInputError, match="cannot be rounded") as caught:
        check(exchange, request)
    assert caught.value.field == "amount"


def test_the_price_filter_and_maximum_value_are_checked_before_the_price(
        exchange: Any) -> None:
    asked = PriceAsked()
    with pytest.raises(OrderInputError, match="above the market's highest price of 1000000"):
        check(exchange, order(price="1000001"), last=asked)
    with pytest.raises(OrderInputError, match=r"stop price 1000002 USDT is above") as caught:
        check(exchange, order(type="stop-limit", stop_price="1000002"), last=asked)
    assert caught.value.field == "stop_price"
    with pytest.raises(OrderInputError, match="above the market's maximum of 9000000 USDT"):
        check(exchange, order(amount="9000", price="999999"), last=asked)
    assert asked.calls == 0


def test_a_rounded_stop_price_is_noted(exchange: Any) -> None:
    checked = check(exchange, order(type="stop-limit", price="50000",
                                    stop_price="51000.004"))
    assert checked.stop_price == "51000"
    assert "stop price 51000.004 rounded to 51000 (the market's tick 0.01)" in checked.notes


def test_a_key_limit_in_dollars_refuses_other_quotes_before_any_price(exchange: Any) -> None:
    asked = PriceAsked("0.05")
    limited = trader(max_notional=Decimal("100"))
    with pytest.raises(OrderNotAllowed, match="quoted in BTC, so the order's value cannot"):
        check(exchange, order(symbol="ETH/BTC", side="sell", type="market", price=None,
                              amount="9"), limited, last=asked)
    assert asked.calls == 0
    free = check(exchange, order(symbol="ETH/BTC", side="sell", type="market", price=None,
                                 amount="9"), trader(), last=asked)
    assert free.notional == Decimal("0.45")


def test_a_limited_key_refuses_a_market_order_without_any_price(exchange: Any) -> None:
    with pytest.raises(OrderNotAllowed, match="no last price and no best bid or ask"):
        check(exchange, order(type="market", price=None, amount="0.5"),
              trader(max_notional=Decimal("100")), last=PriceAsked(None))
    unlimited = check(exchange, order(type="market", price=None, amount="0.5"),
                      last=PriceAsked(None))
    assert unlimited.notional is None and "value is unknown" in unlimited.warnings[0]
