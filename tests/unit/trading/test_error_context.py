"""What a failed request was doing decides what its error says: only an order request
leaves an order's outcome unknown; a request before it says no order was sent."""

from __future__ import annotations

import pytest
from ccxt.base import errors as ccxt_errors

from vault_app.trading import errors
from vault_app.trading.error_context import NO_HOST, REFUSED, in_context
from vault_app.trading.errors import translate

URL = "http://127.0.0.1:8765"


def lost() -> errors.TradingError:
    return translate(ccxt_errors.NetworkError(f"binance POST {URL}/api/v3/order"))


def test_the_order_request_says_its_outcome_is_unknown() -> None:
    error = in_context(lost(), "create_order", URL, URL, None)
    assert error.outcome_unknown and isinstance(error, errors.NetworkProblem)
    assert errors.UNKNOWN_OUTCOME in error.fix and "no order was sent" not in str(error)


def test_a_cancel_says_the_order_may_or_may_not_be_canceled() -> None:
    error = in_context(lost(), "cancel_order", URL, URL, None)
    assert "may or may not be canceled" in error.fix
    assert errors.UNKNOWN_OUTCOME not in str(error)


@pytest.mark.parametrize(("call", "doing"), [
    ("load_markets", "loading its markets"), ("fetch_ticker", "asking for the last price"),
    ("fetch_balance", "asking for the balances"), ("fetch_open_orders", "listing the open"),
    ("fetch_order", "looking up an order"), ("fetch_time", "asking for its time"),
])
def test_any_other_request_names_itself_and_says_no_order_was_sent(call: str,
                                                                   doing: str) -> None:
    error = in_context(lost(), call, URL, URL, None)
    assert f"{doing}" in error.message and error.message.endswith(f"({URL}); no order was sent")
    assert errors.UNKNOWN_OUTCOME not in str(error)


def test_a_refused_connection_asks_whether_the_exchange_runs_there() -> None:
    error = in_context(lost(), "fetch_balance", URL, URL, REFUSED)
    assert error.fix == f"is the exchange (or the demo exchange) running at {URL}?"
    assert str(error).endswith(f"Is the exchange (or the demo exchange) running at {URL}?")
    live = in_context(lost(), "fetch_balance", "LIVE binance", None, REFUSED)
    assert live.fix == "check your internet connection; the exchange may be down"
    nowhere = in_context(lost(), "fetch_balance", URL, URL, NO_HOST)
    assert f"check the API URL ({URL})" in nowhere.fix


def test_a_refusal_keeps_its_own_words() -> None:
    refused = translate(ccxt_errors.InsufficientFunds("binance Account has insufficient"))
    for call in ("create_order", "fetch_balance", "cancel_order"):
        assert in_context(refused, call, URL, URL, None) is refused


@pytest.mark.parametrize("endpoint", ["LIVE binance", "sandbox binance"])
def test_the_exchanges_own_url_unreached_says_so_in_plain_words(endpoint: str) -> None:
    """u2 N6: "The exchange could not be reached while loading its markets (LIVE
    binance); no order was sent. Check the API URL (LIVE binance) and the network
    connection." for a URL the user never typed, with no order under way."""
    error = in_context(lost(), "load_markets", endpoint, None, NO_HOST, "Binance")
    assert str(error) == "Binance could not be reached. Check your internet connection."
    typed = in_context(lost(), "load_markets", URL, URL, NO_HOST, "Binance")
    assert f"check the API URL ({URL})" in typed.fix  # a URL the user typed: it is named
